/*
** laux.c — shared binding helpers: vec/mat userdata, checks, options, help.
*/
#include "laux.h"

#include <math.h>
#include <stdarg.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HELPDB "slope.help"

/* ---- help --------------------------------------------------------------- */

static void push_helpdb(lua_State *L) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, HELPDB) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, HELPDB);
  }
}

static void push_entry(lua_State *L, const char *name, const char *sig, const char *doc) {
  lua_createtable(L, 0, 3);
  lua_pushstring(L, name);
  lua_setfield(L, -2, "name");
  lua_pushstring(L, sig ? sig : name);
  lua_setfield(L, -2, "sig");
  lua_pushstring(L, doc ? doc : "");
  lua_setfield(L, -2, "doc");
}

void sl_sethelp(lua_State *L, int idx, const char *name, const char *sig, const char *doc) {
  idx = lua_absindex(L, idx);
  push_helpdb(L);
  push_entry(L, name, sig, doc);
  lua_pushvalue(L, idx);
  lua_pushvalue(L, -2);
  lua_rawset(L, -4);         /* db[value] = entry */
  lua_setfield(L, -2, name); /* db[name] = entry */
  lua_pop(L, 1);
}

void sl_settypehelp(lua_State *L, const char *tname, const char *sig, const char *doc) {
  /* keyed by the metatable too: a function may share the type's name
     (slope.spectrum.operator) */
  if (luaL_getmetatable(L, tname) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_pushstring(L, tname);
  }
  sl_sethelp(L, -1, tname, sig, doc);
  lua_pop(L, 1);
}

void sl_setfuncs_up(lua_State *L, int idx, const sl_reg *r, const char *prefix, int nup) {
  char name[256];
  idx = lua_absindex(L, idx);
  for (; r->name != NULL; r++) {
    for (int i = 0; i < nup; i++) lua_pushvalue(L, -nup);
    lua_pushcclosure(L, r->func, nup);
    snprintf(name, sizeof name, "%s.%s", prefix, r->name);
    sl_sethelp(L, -1, name, r->sig, r->doc);
    lua_setfield(L, idx, r->name);
  }
  lua_pop(L, nup);
}

void sl_setfuncs(lua_State *L, int idx, const sl_reg *r, const char *prefix) {
  sl_setfuncs_up(L, idx, r, prefix, 0);
}

int sl_noclose(lua_State *L) {
  (void)L;
  return 0;
}

void sl_newclass(lua_State *L, const char *tname, int methods_idx, const luaL_Reg *meta) {
  methods_idx = lua_absindex(L, methods_idx);
  luaL_newmetatable(L, tname);
  if (meta) luaL_setfuncs(L, meta, 0);
  if (lua_getfield(L, -1, "__close") == LUA_TNIL) {
    lua_getfield(L, -2, "__gc");
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      lua_pushcfunction(L, sl_noclose);
    }
    lua_setfield(L, -3, "__close");
  }
  lua_pop(L, 1);
  if (lua_getfield(L, -1, "__index") == LUA_TNIL) {
    lua_pop(L, 1);
    lua_pushvalue(L, methods_idx);
    lua_setfield(L, -2, "__index");
  } else {
    lua_pop(L, 1);
  }
  lua_pushvalue(L, methods_idx);
  lua_setfield(L, -2, "__methods"); /* for completion and help */
  lua_pop(L, 1);
}

/* ---- errors ------------------------------------------------------------ */

int sl_error(lua_State *L, const char *fname, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  luaL_where(L, 1);
  lua_pushfstring(L, "%s: ", fname);
  lua_pushvfstring(L, fmt, ap);
  va_end(ap);
  lua_concat(L, 3);
  return lua_error(L);
}

/* A '-' that starts a number token (not the exponent sign of 1e-05, not a
   minus between words) followed by a zero or a nan loses its sign. */
void sl_msg_clean(char *s) {
  char *w = s;
  for (char *r = s; *r; r++) {
    if (*r == '-' && (r == s || !(isalnum((unsigned char)r[-1]) || r[-1] == '.'))) {
      if (strncmp(r + 1, "nan", 3) == 0) continue;
      if (r[1] == '0' || (r[1] == '.' && r[2] == '0')) {
        char *end;
        double v = strtod(r, &end);
        if (end > r + 1 && v == 0.0) continue;
      }
    }
    *w++ = *r;
  }
  *w = '\0';
}

int sl_raise_status(lua_State *L, const char *fname, sl_status st, const char *msg, int how) {
  char buf[512];
  snprintf(buf, sizeof buf, "%s", msg ? msg : "");
  sl_msg_clean(buf); /* the core formats with %g: no "-nan" or "-0" reaches a user */
  msg = buf;
  int has = msg[0] != '\0';
  if (st == SL_ECALLBACK && has) return luaL_error(L, "%s", msg);
  if (st == SL_EINTERRUPTED) {
    sl_interrupt_clear();
    return luaL_error(L, "interrupted!");
  }
  if (!has) return sl_error(L, fname, "%s", sl_status_string(st));
  if (how == SL_MSG_WHOLE) return sl_error(L, fname, "%s", msg);
  return sl_error(L, fname, "%s: %s", sl_status_string(st), msg);
}

int sl_status_error(lua_State *L, const char *fname, sl_status st, const char *detail) {
  return sl_raise_status(L, fname, st, detail, SL_MSG_DETAIL);
}

/* ---- type names ----------------------------------------------------------- */

const char *sl_typename(lua_State *L, int idx) {
  if (lua_type(L, idx) == LUA_TUSERDATA) {
    int ty = luaL_getmetafield(L, idx, "__name"); /* pushes nothing when absent */
    const char *name = ty == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    if (ty != LUA_TNIL) lua_pop(L, 1); /* the string stays alive in the metatable */
    if (name) return name;
  }
  return luaL_typename(L, idx);
}

const char *sl_pushgot(lua_State *L, int idx) {
  idx = lua_absindex(L, idx);
  if (lua_type(L, idx) != LUA_TNUMBER) return lua_pushstring(L, sl_typename(L, idx));
  if (lua_isinteger(L, idx)) return lua_pushfstring(L, "%I", lua_tointeger(L, idx));
  sl_pushnumber_str(L, lua_tonumber(L, idx));
  return lua_tostring(L, -1);
}

int sl_typeerror(lua_State *L, int arg, const char *expected) {
  const char *msg = lua_pushfstring(L, "%s expected, got %s", expected, sl_typename(L, arg));
  return luaL_argerror(L, arg, msg);
}

/* ---- vectors ------------------------------------------------------------ */

sl_vec *sl_newvec(lua_State *L, size_t n) {
  if (n > SL_MAX_ENTRIES) luaL_error(L, "vector of %I entries is too large", (lua_Integer)n);
  sl_lvec *u = lua_newuserdatauv(L, sizeof(sl_lvec) + n * sizeof(double), 1);
  u->v.n = n;
  u->v.data = u->buf;
  memset(u->buf, 0, n * sizeof(double));
  luaL_setmetatable(L, SL_VEC);
  return &u->v;
}

sl_vec *sl_pushvecview(lua_State *L, double *data, size_t n, int owner_idx) {
  owner_idx = lua_absindex(L, owner_idx);
  sl_lvec *u = lua_newuserdatauv(L, sizeof(sl_lvec), 1);
  u->v.n = n;
  u->v.data = data;
  luaL_setmetatable(L, SL_VEC);
  lua_pushvalue(L, owner_idx);
  lua_setiuservalue(L, -2, 1);
  return &u->v;
}

static const char transient_key = 0;
#define TRANSIENT_VIEWS "slope.transient_views"

void sl_pushtransient(lua_State *L) { lua_pushlightuserdata(L, (void *)&transient_key); }

int sl_istransient(lua_State *L, int idx) {
  if (lua_type(L, idx) != LUA_TUSERDATA) return 0;
  lua_getiuservalue(L, idx, 1);
  int t = lua_touserdata(L, -1) == (void *)&transient_key;
  lua_pop(L, 1);
  return t;
}

void sl_transient_add(lua_State *L, int idx) {
  idx = lua_absindex(L, idx);
  if (lua_getfield(L, LUA_REGISTRYINDEX, TRANSIENT_VIEWS) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, TRANSIENT_VIEWS);
  }
  lua_pushvalue(L, idx);
  lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
  lua_pop(L, 1);
}

lua_Integer sl_transient_mark(lua_State *L) {
  lua_Integer n = 0;
  if (lua_getfield(L, LUA_REGISTRYINDEX, TRANSIENT_VIEWS) == LUA_TTABLE)
    n = (lua_Integer)lua_rawlen(L, -1);
  lua_pop(L, 1);
  return n;
}

/* Only the views made since mark: a step that runs another define'd step
   keeps its own views until its own call ends. */
void sl_transient_end(lua_State *L, lua_Integer mark) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, TRANSIENT_VIEWS) == LUA_TTABLE) {
    lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
    for (lua_Integer i = n; i > mark; i--) {
      lua_rawgeti(L, -1, i);
      sl_lvec *u = lua_touserdata(L, -1);
      if (u) {
        u->v.n = 0;
        u->v.data = NULL;
      }
      lua_pop(L, 1);
      lua_pushnil(L);
      lua_rawseti(L, -2, i);
    }
  }
  lua_pop(L, 1);
}

/* The vec metatable is also stored under a light-userdata key: checking a
   vec then costs a pointer-keyed lookup instead of interning "slope.vec". */
static const char vec_mt_key = 0;

void sl_vec_register_mt(lua_State *L) {
  luaL_getmetatable(L, SL_VEC);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &vec_mt_key);
}

void sl_push_vec_mt(lua_State *L) { luaL_newmetatable(L, SL_VEC); }

static sl_lvec *testvec_fast(lua_State *L, int arg) {
  sl_lvec *u = lua_touserdata(L, arg);
  if (u == NULL || !lua_getmetatable(L, arg)) return NULL;
  lua_rawgetp(L, LUA_REGISTRYINDEX, &vec_mt_key);
  int same = lua_rawequal(L, -1, -2);
  lua_pop(L, 2);
  return same ? u : NULL;
}

sl_vec *sl_testvec(lua_State *L, int arg) {
  sl_lvec *u = testvec_fast(L, arg);
  return u ? &u->v : NULL;
}

sl_vec *sl_checkvec(lua_State *L, int arg) {
  sl_lvec *u = testvec_fast(L, arg);
  if (u == NULL) sl_typeerror(L, arg, "slope.vec");
  return &u->v;
}

sl_vec *sl_tovec(lua_State *L, int arg) {
  sl_vec *v = sl_testvec(L, arg);
  if (v) return v;
  if (!lua_istable(L, arg)) {
    sl_typeerror(L, arg, "slope.vec or table of numbers");
  }
  arg = lua_absindex(L, arg);
  size_t n = (size_t)luaL_len(L, arg);
  v = sl_newvec(L, n);
  for (size_t i = 0; i < n; i++) {
    int isnum;
    lua_geti(L, arg, (lua_Integer)i + 1);
    double x = lua_tonumberx(L, -1, &isnum);
    if (!isnum) {
      const char *msg = lua_pushfstring(L, "entry %I is %s, expected a number", (lua_Integer)i + 1,
                                        luaL_typename(L, -1));
      luaL_argerror(L, arg, msg);
    }
    v->data[i] = x;
    lua_pop(L, 1);
  }
  lua_replace(L, arg);
  return v;
}

void sl_checkdim(lua_State *L, int arg, const sl_vec *v, size_t n, const char *what) {
  if (v->n != n) {
    const char *msg = lua_pushfstring(L, "dimension mismatch: %s has %I entries, expected %I", what,
                                      (lua_Integer)v->n, (lua_Integer)n);
    luaL_argerror(L, arg, msg);
  }
}

sl_vec *sl_outvec(lua_State *L, int arg, size_t n, const char *what, const sl_vec *input) {
  if (lua_isnoneornil(L, arg)) {
    if (lua_gettop(L) < arg) lua_settop(L, arg);
    sl_vec *v = sl_newvec(L, n);
    lua_replace(L, arg);
    return v;
  }
  sl_vec *v = sl_checkvec(L, arg);
  sl_checkdim(L, arg, v, n, what);
  if (input && v->data == input->data) {
    const char *msg = lua_pushfstring(L, "%s must not be the input vector", what);
    luaL_argerror(L, arg, msg);
  }
  return v;
}

/* ---- matrices ------------------------------------------------------------ */

sl_mat *sl_newmat(lua_State *L, size_t rows, size_t cols) {
  sl_mat m;
  if (sl_mat_alloc(&m, rows, cols) != SL_OK)
    luaL_error(L, "matrix of %I x %I is too large", (lua_Integer)rows, (lua_Integer)cols);
  return sl_pushmat_take(L, m);
}

sl_mat *sl_pushmat_take(lua_State *L, sl_mat m) {
  sl_lmat *u = lua_newuserdatauv(L, sizeof(sl_lmat), 1);
  u->m.rows = u->m.cols = 0;
  u->m.data = NULL;
  u->owned = 0;
  u->borrowed = 0;
  u->closed = 0;
  luaL_setmetatable(L, SL_MAT); /* set first: __gc runs even if we fail below */
  u->m = m;
  u->owned = 1;
  return &u->m;
}

/* Other bindings keep the sl_mat pointer (objectives point into X): mark the
   mat borrowed so that closing it leaves the memory to the garbage collector. */
sl_mat *sl_testmat(lua_State *L, int arg) {
  sl_lmat *u = luaL_testudata(L, arg, SL_MAT);
  if (u == NULL) return NULL;
  u->borrowed = 1;
  return &u->m;
}

sl_mat *sl_checkmat(lua_State *L, int arg) {
  sl_mat *m = sl_testmat(L, arg);
  if (m == NULL) sl_typeerror(L, arg, "slope.mat");
  return m;
}

sl_mat *sl_tomat(lua_State *L, int arg) {
  sl_mat *m = sl_testmat(L, arg);
  if (m) return m;
  if (!lua_istable(L, arg)) {
    sl_typeerror(L, arg, "slope.mat or table of rows");
  }
  arg = lua_absindex(L, arg);
  size_t rows = (size_t)luaL_len(L, arg), cols = 0;
  if (rows > 0) {
    lua_geti(L, arg, 1);
    if (!lua_istable(L, -1) && !sl_testvec(L, -1))
      luaL_argerror(L, arg, "row 1 is not a table of numbers");
    cols = (size_t)luaL_len(L, -1);
    lua_pop(L, 1);
  }
  m = sl_newmat(L, rows, cols);
  for (size_t i = 0; i < rows; i++) {
    lua_geti(L, arg, (lua_Integer)i + 1);
    int row = lua_gettop(L);
    if (!lua_istable(L, row) && !sl_testvec(L, row)) {
      const char *msg = lua_pushfstring(L, "row %I is %s, expected a table of numbers",
                                        (lua_Integer)i + 1, luaL_typename(L, row));
      luaL_argerror(L, arg, msg);
    }
    if ((size_t)luaL_len(L, row) != cols) {
      const char *msg =
          lua_pushfstring(L, "ragged rows: row %I has %I entries, row 1 has %I", (lua_Integer)i + 1,
                          (lua_Integer)luaL_len(L, row), (lua_Integer)cols);
      luaL_argerror(L, arg, msg);
    }
    for (size_t j = 0; j < cols; j++) {
      int isnum;
      lua_geti(L, row, (lua_Integer)j + 1);
      double x = lua_tonumberx(L, -1, &isnum);
      if (!isnum) {
        const char *msg =
            lua_pushfstring(L, "entry (%I, %I) is %s, expected a number", (lua_Integer)i + 1,
                            (lua_Integer)j + 1, luaL_typename(L, -1));
        luaL_argerror(L, arg, msg);
      }
      m->data[i * cols + j] = x;
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  lua_replace(L, arg);
  return m;
}

/* ---- numbers and options --------------------------------------------------- */

const char *sl_checkpath(lua_State *L, int arg) {
  if (lua_type(L, arg) != LUA_TSTRING) sl_typeerror(L, arg, "file name (a string)");
  return lua_tostring(L, arg);
}

size_t sl_checksize(lua_State *L, int arg, size_t lo) {
  int isint;
  lua_Integer n = lua_tointegerx(L, arg, &isint);
  if (!isint) {
    const char *msg = lua_type(L, arg) == LUA_TNUMBER
                          ? "integer expected, got a non-integral number"
                          : lua_pushfstring(L, "integer expected, got %s", luaL_typename(L, arg));
    luaL_argerror(L, arg, msg);
  }
  if (n < (lua_Integer)lo) {
    const char *msg = lua_pushfstring(L, "expected an integer >= %I, got %I", (lua_Integer)lo, n);
    luaL_argerror(L, arg, msg);
  }
  if ((uint64_t)n > SL_MAX_ENTRIES) luaL_argerror(L, arg, "size too large");
  return (size_t)n;
}

double sl_checkfinite(lua_State *L, int arg) {
  double x = luaL_checknumber(L, arg);
  if (!isfinite(x)) luaL_argerror(L, arg, "finite number expected, got NaN or Inf");
  return x;
}

static int getopt_field(lua_State *L, int t, const char *key) {
  if (t == 0 || lua_isnoneornil(L, t)) {
    lua_pushnil(L);
    return LUA_TNIL;
  }
  return lua_getfield(L, t, key);
}

static double optnum_check(lua_State *L, int t, const char *key, double def, const char *fname,
                           const char *want, int (*ok)(double)) {
  t = t ? lua_absindex(L, t) : 0;
  int ty = getopt_field(L, t, key);
  if (ty == LUA_TNIL) {
    lua_pop(L, 1);
    return def;
  }
  int isnum;
  double x = lua_tonumberx(L, -1, &isnum);
  if (ty != LUA_TNUMBER || !isnum)
    sl_error(L, fname, "%s must be %s, got %s", key, want, luaL_typename(L, -1));
  if (!isfinite(x) || (ok && !ok(x))) {
    sl_pushnumber_str(L, x); /* "nan", "inf", "-1.5": not the C library's "-nan" */
    sl_error(L, fname, "%s must be %s, got %s", key, want, lua_tostring(L, -1));
  }
  lua_pop(L, 1);
  return x;
}

static int is_pos(double x) { return x > 0.0; }
static int is_nonneg(double x) { return x >= 0.0; }

double sl_optnum(lua_State *L, int t, const char *key, double def, const char *fname) {
  return optnum_check(L, t, key, def, fname, "a finite number", NULL);
}
double sl_optpos(lua_State *L, int t, const char *key, double def, const char *fname) {
  return optnum_check(L, t, key, def, fname, "a positive number", is_pos);
}
double sl_optnonneg(lua_State *L, int t, const char *key, double def, const char *fname) {
  return optnum_check(L, t, key, def, fname, "a non-negative number", is_nonneg);
}

lua_Integer sl_optint(lua_State *L, int t, const char *key, lua_Integer def, lua_Integer lo,
                      const char *fname) {
  t = t ? lua_absindex(L, t) : 0;
  int ty = getopt_field(L, t, key);
  if (ty == LUA_TNIL) {
    lua_pop(L, 1);
    return def;
  }
  int isint;
  lua_Integer v = lua_tointegerx(L, -1, &isint);
  if (ty != LUA_TNUMBER || !isint)
    sl_error(L, fname, "%s must be an integer, got %s", key, sl_pushgot(L, -1));
  if (v < lo) sl_error(L, fname, "%s must be an integer >= %I, got %I", key, lo, v);
  lua_pop(L, 1);
  return v;
}

int sl_optbool(lua_State *L, int t, const char *key, int def, const char *fname) {
  t = t ? lua_absindex(L, t) : 0;
  int ty = getopt_field(L, t, key);
  if (ty == LUA_TNIL) {
    lua_pop(L, 1);
    return def;
  }
  if (ty != LUA_TBOOLEAN)
    sl_error(L, fname, "%s must be a boolean, got %s", key, luaL_typename(L, -1));
  int b = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return b;
}

const char *sl_optstr(lua_State *L, int t, const char *key, const char *def, const char *fname) {
  t = t ? lua_absindex(L, t) : 0;
  int ty = getopt_field(L, t, key);
  if (ty == LUA_TNIL) {
    lua_pop(L, 1);
    return def;
  }
  if (ty != LUA_TSTRING)
    sl_error(L, fname, "%s must be a string, got %s", key, luaL_typename(L, -1));
  const char *s = lua_tostring(L, -1);
  lua_pop(L, 1); /* still referenced by the options table */
  return s;
}

/* Remember, once per function, which keys it accepts: slope._optkeys[fname] =
   {key, ...}. The docs test checks that each one appears in that function's help. */
static void record_keys(lua_State *L, const char *const allowed[], const char *fname) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, "slope.optkeys") != LUA_TTABLE) {
    lua_pop(L, 1);
    return;
  }
  if (lua_getfield(L, -1, fname) == LUA_TNIL) {
    lua_newtable(L);
    lua_Integer i = 0;
    for (const char *const *a = allowed; *a; a++) {
      lua_pushstring(L, *a);
      lua_rawseti(L, -2, ++i);
    }
    lua_setfield(L, -3, fname);
  }
  lua_pop(L, 2);
}

static void check_keys(lua_State *L, int t, const char *const allowed[], const char *fname,
                       const char *what) {
  if (t == 0 || !lua_istable(L, t)) return;
  t = lua_absindex(L, t);
  lua_pushnil(L);
  while (lua_next(L, t)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TSTRING) continue; /* positional entries are the caller's */
    const char *k = lua_tostring(L, -1);
    int found = 0;
    for (const char *const *a = allowed; *a; a++)
      if (strcmp(*a, k) == 0) found = 1;
    if (!found) {
      luaL_Buffer b;
      luaL_buffinit(L, &b);
      for (const char *const *a = allowed; *a; a++) {
        if (a != allowed) luaL_addstring(&b, ", ");
        luaL_addstring(&b, *a);
      }
      luaL_pushresult(&b);
      if (what)
        sl_error(L, fname, "%s has unknown field '%s' (expected one of: %s)", what, k,
                 lua_tostring(L, -1));
      sl_error(L, fname, "unknown option '%s' (expected one of: %s)", k, lua_tostring(L, -1));
    }
  }
}

void sl_checkkeys(lua_State *L, int t, const char *const allowed[], const char *fname) {
  record_keys(L, allowed, fname);
  check_keys(L, t, allowed, fname, NULL);
}

void sl_checkfields(lua_State *L, int t, const char *const allowed[], const char *fname,
                    const char *what) {
  check_keys(L, t, allowed, fname, what ? what : "the table");
}

/* A value as it would be written in Lua, for messages: 0.1, "adam", a slope.vec. */
static const char *pushvalue_str(lua_State *L, int idx) {
  switch (lua_type(L, idx)) {
  case LUA_TNUMBER:
    if (lua_isinteger(L, idx)) return lua_pushfstring(L, "%I", lua_tointeger(L, idx));
    sl_pushnumber_str(L, lua_tonumber(L, idx));
    return lua_tostring(L, -1);
  case LUA_TSTRING: return lua_pushfstring(L, "\"%s\"", lua_tostring(L, idx));
  case LUA_TBOOLEAN: return lua_pushstring(L, lua_toboolean(L, idx) ? "true" : "false");
  default: return lua_pushfstring(L, "(a %s)", sl_typename(L, idx));
  }
}

void sl_checknamed(lua_State *L, int t, const char *fname, const char *what, const char *example) {
  if (t == 0 || !lua_istable(L, t)) return;
  t = lua_absindex(L, t);
  lua_pushnil(L);
  while (lua_next(L, t)) {
    if (lua_type(L, -2) != LUA_TSTRING) {
      const char *v = pushvalue_str(L, -1);
      sl_error(L, fname, "positional value %s: %s are named, e.g. {%s}", v, what ? what : "options",
               example);
    }
    lua_pop(L, 1);
  }
}

int sl_opttable(lua_State *L, int arg) {
  if (lua_isnoneornil(L, arg)) {
    if (lua_gettop(L) < arg) lua_settop(L, arg);
    lua_newtable(L);
    lua_replace(L, arg);
    return arg;
  }
  luaL_checktype(L, arg, LUA_TTABLE);
  return arg;
}

/* ---- interruption ------------------------------------------------------------ */

static sl_stopflag interrupted = 0;

sl_stopflag *sl_interrupt_flag(void) { return &interrupted; }

void sl_interrupt_consumed(lua_State *L) {
  sl_interrupt_clear();
  if (lua_gethook(L) != NULL && lua_gethookmask(L) == SL_INTERRUPT_HOOKMASK &&
      lua_gethookcount(L) == SL_INTERRUPT_HOOKCOUNT)
    lua_sethook(L, NULL, 0, 0);
}
void sl_interrupt_clear(void) { interrupted = 0; }
int sl_interrupt_check(lua_State *L) {
  if (interrupted) {
    interrupted = 0;
    return luaL_error(L, "interrupted!");
  }
  return 0;
}

/* ---- misc ------------------------------------------------------------------ */

void sl_pushnumber_str(lua_State *L, double v) {
  char buf[64];
  if (isnan(v)) {
    lua_pushliteral(L, "nan");
    return;
  }
  if (isinf(v)) {
    lua_pushstring(L, v > 0 ? "inf" : "-inf");
    return;
  }
  /* shortest %.Ng that reads back exactly */
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(buf, sizeof buf, "%.*g", prec, v);
    if (strtod(buf, NULL) == v) break;
  }
  if (strspn(buf, "-0123456789") == strlen(buf)) strcat(buf, ".0");
  lua_pushstring(L, buf);
}

void sl_fmt6(char *buf, size_t size, double v) {
  if (v != v)
    snprintf(buf, size, "nan");
  else
    snprintf(buf, size, "%.6g", v);
}
