/*
** loptim_define.c — slope.optim.define{name=, defaults=, init=, step=}:
** optimizers written in Lua that are first-class (same hyperparameter
** handling, state/load/reset, opt.lr and opt.t, wrappable by the C wrappers).
** The core calls step through an ops vtable filled here; the call runs under
** lua_pcall and a Lua error comes back as SL_ECALLBACK with its message, raised
** only in the binding (never a longjmp across core frames).
**
** x and g reach the Lua step as two vec views made once per optimizer and
** retargeted at each call; after the call they are emptied (n = 0), so a view
** kept by user code can never reach freed memory.
*/
#include <stdlib.h>
#include <string.h>

#include "laux.h"
#include "loptim.h"

typedef struct luaimpl {
  lua_State *L;  /* the running thread, rebound before every step */
  int ref;       /* registry ref of R = {spec, hp, state, xv, gv} */
  int need_init; /* call init(dim, hp) before the next step */
  char name[64];
} luaimpl;

#define MAXDEPTH 16

/* ---- the core side ------------------------------------------------------- */

static sl_status callback_fail(sl_optimizer *o, lua_State *L, int top, const char *what) {
  luaimpl *p = o->impl;
  const char *err = lua_tostring(L, -1);
  sl_optim_fail(o, SL_ECALLBACK, "slope.optim.%s: %s: %s", p->name, what,
                err ? err : "(error object is not a string)");
  lua_settop(L, top);
  return SL_ECALLBACK;
}

/* R at index R: R.state = spec.init(dim, hp) (or {} without init). Protected. */
static sl_status run_init(sl_optimizer *o, lua_State *L, int R) {
  int top = lua_gettop(L);
  lua_getfield(L, R, "spec");
  if (lua_getfield(L, -1, "init") == LUA_TNIL) {
    lua_newtable(L);
  } else {
    lua_pushinteger(L, (lua_Integer)o->dim);
    lua_getfield(L, R, "hp");
    if (lua_pcall(L, 2, 1, 0) != LUA_OK) return callback_fail(o, L, top, "init");
    if (!lua_istable(L, -1)) {
      lua_pushfstring(L, "init must return a table, got %s", luaL_typename(L, -1));
      return callback_fail(o, L, top, "init");
    }
  }
  lua_setfield(L, R, "state");
  ((luaimpl *)o->impl)->need_init = 0;
  lua_settop(L, top);
  return SL_OK;
}

static sl_vec *view(lua_State *L, int R, const char *key) {
  lua_getfield(L, R, key);
  sl_vec *v = sl_testvec(L, -1);
  lua_pop(L, 1);
  return v;
}

/* A step that returns the new x instead of (or after) updating it in place:
   copy a vec or table of dim numbers into x. Anything else is refused rather
   than ignored (a returned value the caller never sees is a silent no-op).
   Raises nothing: on failure the message is left on the stack and 0 returned. */
static int take_result(sl_optimizer *o, lua_State *L, double *x) {
  sl_vec *v = sl_testvec(L, -1);
  if (v) {
    if (v->n != o->dim) {
      lua_pushfstring(L,
                      "returned a vec of %I entries, x has %I (update x in place, or "
                      "return a vec of the same length)",
                      (lua_Integer)v->n, (lua_Integer)o->dim);
      return 0;
    }
    if (v->data != x) memmove(x, v->data, o->dim * sizeof(double));
    return 1;
  }
  if (lua_type(L, -1) == LUA_TTABLE) {
    size_t n = lua_rawlen(L, -1);
    if (n != o->dim) {
      lua_pushfstring(L, "returned a table of %I entries, x has %I", (lua_Integer)n,
                      (lua_Integer)o->dim);
      return 0;
    }
    for (size_t i = 0; i < n; i++) { /* check all first: x is not half-updated on failure */
      if (lua_rawgeti(L, -1, (lua_Integer)i + 1) != LUA_TNUMBER) {
        lua_pushfstring(L, "returned a table whose entry %I is %s, expected a number",
                        (lua_Integer)i + 1, luaL_typename(L, -1));
        return 0;
      }
      lua_pop(L, 1);
    }
    for (size_t i = 0; i < n; i++) {
      lua_rawgeti(L, -1, (lua_Integer)i + 1);
      x[i] = lua_tonumber(L, -1);
      lua_pop(L, 1);
    }
    return 1;
  }
  lua_pushfstring(L,
                  "returned a %s; it must update x in place (return nothing) or return "
                  "the new x as a vec",
                  luaL_typename(L, -1));
  return 0;
}

static sl_status lstep(sl_optimizer *o, double *x, const double *g) {
  luaimpl *p = o->impl;
  lua_State *L = p->L;
  if (!lua_checkstack(L, 12)) return sl_optim_fail(o, SL_ENOMEM, "Lua stack overflow");
  int top = lua_gettop(L);
  lua_rawgeti(L, LUA_REGISTRYINDEX, p->ref);
  int R = lua_gettop(L);
  if (p->need_init && run_init(o, L, R) < 0) return SL_ECALLBACK;
  sl_vec *xv = view(L, R, "xv"), *gv = view(L, R, "gv");
  lua_getfield(L, R, "spec");
  lua_getfield(L, -1, "step");
  lua_getfield(L, R, "state");
  xv->data = x;
  xv->n = o->dim;
  gv->data = (double *)g; /* the Lua step is told not to modify g */
  gv->n = o->dim;
  lua_getfield(L, R, "xv");
  lua_getfield(L, R, "gv");
  lua_getfield(L, R, "hp");
  if (o->ops->nhp > 0) {
    lua_pushnumber(L, o->hp[0]);
    lua_setfield(L, -2, "lr");
  }
  lua_pushinteger(L, (lua_Integer)o->t);
  lua_Integer mark = sl_transient_mark(L);
  int rc = lua_pcall(L, 5, 1, 0);
  if (rc == LUA_OK && !lua_isnil(L, -1)) rc = take_result(o, L, x) ? LUA_OK : LUA_ERRRUN;
  xv->n = gv->n = 0;
  xv->data = gv->data = NULL;
  sl_transient_end(L, mark); /* and the views the step made of them (x:sub) */
  if (rc != LUA_OK) return callback_fail(o, L, top, "step");
  lua_settop(L, top);
  return SL_OK;
}

static void ldestroy(sl_optimizer *o) { free(o->impl); }

static const sl_hpspec lr_spec[] = {{"lr", 0, SL_HP_NONNEG, NULL}};
static const char *const nobufs[] = {NULL};
static const sl_optim_ops ops_lr = {
    .name = "lua", .hp = lr_spec, .nhp = 1, .bufs = nobufs, .step = lstep, .destroy = ldestroy};
static const sl_optim_ops ops_nolr = {
    .name = "lua", .hp = lr_spec, .nhp = 0, .bufs = nobufs, .step = lstep, .destroy = ldestroy};

/* ---- plain-data copies and checks --------------------------------------- */

/* Push a deep copy of the value at idx: numbers, booleans, strings, vecs (copied), tables. */
static void deepcopy(lua_State *L, int idx, const char *fname, int depth) {
  idx = lua_absindex(L, idx);
  luaL_checkstack(L, 6, "state too deep");
  sl_vec *v = sl_testvec(L, idx);
  if (v) {
    sl_vec *c = sl_newvec(L, v->n);
    sl_vec_copy(v->n, c->data, v->data);
    return;
  }
  switch (lua_type(L, idx)) {
  case LUA_TNUMBER:
  case LUA_TBOOLEAN:
  case LUA_TSTRING: lua_pushvalue(L, idx); return;
  case LUA_TTABLE:
    if (depth > MAXDEPTH) sl_error(L, fname, "state nested more than %d levels", MAXDEPTH);
    lua_newtable(L);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
      lua_pushvalue(L, -2);
      deepcopy(L, -2, fname, depth + 1);
      lua_rawset(L, -5);
      lua_pop(L, 1);
    }
    return;
  default:
    sl_error(L, fname, "state values must be numbers, booleans, strings, vecs or tables, got %s",
             luaL_typename(L, idx));
  }
}

/* Raise unless `got` (idx b) has the shape of `want` (idx a): same keys, types, vec sizes. */
static void sameshape(lua_State *L, int a, int b, const char *path, int depth) {
  a = lua_absindex(L, a);
  b = lua_absindex(L, b);
  luaL_checkstack(L, 8, "state too deep");
  sl_vec *va = sl_testvec(L, a), *vb = sl_testvec(L, b);
  if (va) {
    if (!vb || vb->n != va->n)
      sl_error(L, "slope.optim.load", "%s must be a vec of %I entries, got %s", path,
               (lua_Integer)va->n, vb ? "a vec of another length" : luaL_typename(L, b));
    return;
  }
  if (lua_type(L, a) != lua_type(L, b))
    sl_error(L, "slope.optim.load", "%s must be a %s, got %s", path, luaL_typename(L, a),
             luaL_typename(L, b));
  if (!lua_istable(L, a) || depth > MAXDEPTH) return;
  lua_pushnil(L);
  while (lua_next(L, a)) { /* key va */
    lua_pushvalue(L, -2);
    lua_rawget(L, b); /* key va vb */
    lua_pushvalue(L, -3);
    const char *k = luaL_tolstring(L, -1, NULL); /* key va vb key' k */
    if (lua_isnil(L, -3)) sl_error(L, "slope.optim.load", "%s is missing '%s'", path, k);
    lua_pushfstring(L, "%s.%s", path, k);
    sameshape(L, -5, -4, lua_tostring(L, -1), depth + 1);
    lua_pop(L, 5);
  }
  lua_pushnil(L);
  while (lua_next(L, b)) {
    lua_pop(L, 1);
    lua_pushvalue(L, -1);
    if (lua_rawget(L, a) == LUA_TNIL)
      sl_error(L, "slope.optim.load", "%s has unknown key '%s'", path, luaL_tolstring(L, -2, NULL));
    lua_pop(L, 1);
  }
}

/* ---- hooks: the binding side --------------------------------------------- */

static luaimpl *impl_of(lua_State *L, int ud) {
  sl_loptim *u = lua_touserdata(L, ud);
  return u->o->impl;
}

static void h_bind(lua_State *L, int ud) { impl_of(L, ud)->L = L; }

/* Push R; run init if the dim is fixed and the state is not there yet (raises). */
static int pushR(lua_State *L, int ud) {
  sl_loptim *u = lua_touserdata(L, ud);
  luaimpl *p = u->o->impl;
  lua_rawgeti(L, LUA_REGISTRYINDEX, p->ref);
  int R = lua_gettop(L);
  if (u->o->dim && p->need_init) {
    p->L = L;
    if (run_init(u->o, L, R) < 0) luaL_error(L, "%s", u->o->msg);
  }
  return R;
}

static void h_state(lua_State *L, int ud, int out) {
  char fname[96];
  snprintf(fname, sizeof fname, "slope.optim.%s", impl_of(L, ud)->name);
  int R = pushR(L, ud);
  if (lua_getfield(L, R, "state") != LUA_TNIL) {
    deepcopy(L, -1, fname, 0);
    lua_setfield(L, out, "state");
  }
  lua_settop(L, R - 1);
}

static void h_load(lua_State *L, int ud, int st) {
  int R = pushR(L, ud); /* dim is fixed by now: R.state is the template */
  lua_getfield(L, R, "state");
  lua_getfield(L, st, "state");
  sameshape(L, -2, -1, "state.state", 0);
  deepcopy(L, -1, "slope.optim.load", 0);
  lua_setfield(L, R, "state");
  lua_settop(L, R - 1);
}

static const char *const h_keys[] = {"state", NULL};

static int h_index(lua_State *L, int ud, const char *key) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, impl_of(L, ud)->ref);
  lua_getfield(L, -1, "hp");
  if (lua_getfield(L, -1, key) == LUA_TNIL) {
    lua_pop(L, 3);
    return 0;
  }
  lua_replace(L, -3);
  lua_pop(L, 1);
  return 1;
}

/* Check the value at v against the default at d; raise "fname: key must be ...". */
static void check_like(lua_State *L, int d, int v, const char *key, const char *fname) {
  d = lua_absindex(L, d);
  v = lua_absindex(L, v);
  int td = lua_type(L, d), tv = lua_type(L, v);
  if (td != tv)
    sl_error(L, fname, "%s must be a %s (like its default), got %s", key, lua_typename(L, td),
             lua_typename(L, tv));
  if (tv == LUA_TNUMBER) {
    double x = lua_tonumber(L, v);
    if (x != x || x - x != 0)
      sl_error(L, fname, "%s must be a finite number, got %s", key, sl_pushgot(L, v));
    if (strcmp(key, "lr") == 0 && x < 0)
      sl_error(L, fname, "lr must be a non-negative number, got %s", sl_pushgot(L, v));
  } else if (tv == LUA_TTABLE) {
    lua_Integer n = luaL_len(L, d);
    if (luaL_len(L, v) != n) sl_error(L, fname, "%s must be a table of %I numbers", key, n);
    for (lua_Integer i = 1; i <= n; i++) {
      lua_geti(L, v, i);
      double x = lua_tonumber(L, -1);
      if (lua_type(L, -1) != LUA_TNUMBER || x != x || x - x != 0)
        sl_error(L, fname, "%s[%I] must be a finite number, got %s", key, i, sl_pushgot(L, -1));
      lua_pop(L, 1);
    }
  }
}

static int h_newindex(lua_State *L, int ud, const char *key) {
  luaimpl *p = impl_of(L, ud);
  char fname[96];
  snprintf(fname, sizeof fname, "slope.optim.%s", p->name);
  lua_rawgeti(L, LUA_REGISTRYINDEX, p->ref);
  lua_getfield(L, -1, "spec");
  lua_getfield(L, -1, "defaults");
  if (lua_getfield(L, -1, key) == LUA_TNIL) {
    lua_pop(L, 4);
    return 0;
  }
  check_like(L, -1, 3, key, fname);
  lua_getfield(L, -4, "hp");
  lua_pushvalue(L, 3);
  lua_setfield(L, -2, key);
  lua_pop(L, 5);
  return 1;
}

static void h_reset(lua_State *L, int ud) {
  luaimpl *p = impl_of(L, ud);
  p->need_init = 1;
  lua_rawgeti(L, LUA_REGISTRYINDEX, p->ref);
  lua_pushnil(L);
  lua_setfield(L, -2, "state");
  lua_pop(L, 1);
}

static void h_gc(lua_State *L, int ud) {
  luaimpl *p = impl_of(L, ud);
  luaL_unref(L, LUA_REGISTRYINDEX, p->ref);
  p->ref = LUA_NOREF;
}

static const sl_loptim_hooks hooks = {.bind = h_bind,
                                      .state = h_state,
                                      .load = h_load,
                                      .keys = h_keys,
                                      .index = h_index,
                                      .newindex = h_newindex,
                                      .reset = h_reset,
                                      .gc = h_gc};

/* ---- constructors ------------------------------------------------------- */

/* hp[k] = a deep copy of defs[k], for every default. */
static void copy_defaults(lua_State *L, int defs, int hp, const char *fname) {
  lua_pushnil(L);
  while (lua_next(L, defs)) {
    lua_pushvalue(L, -2);
    deepcopy(L, -2, fname, 0);
    lua_rawset(L, hp);
    lua_pop(L, 1);
  }
}

/* Hyperparameters are named: positional options are refused with an example
   (lr = 0.1, or the first default's name). */
static void check_named(lua_State *L, int defs, const char *fname) {
  char example[96] = "lr = 0.1";
  int top = lua_gettop(L);
  lua_pushnil(L);
  if (lua_getfield(L, defs, "lr") == LUA_TNIL && lua_next(L, defs)) {
    snprintf(example, sizeof example, "%s = ...", lua_tostring(L, -2));
    lua_pop(L, 2);
  }
  lua_settop(L, top);
  sl_checknamed(L, 1, fname, "hyperparameters", example);
}

/* Raise "unknown option 'k' (expected one of: <the defaults' names>)". */
static int unknown_option(lua_State *L, int defs, const char *k, const char *fname) {
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  lua_pushnil(L);
  int first = 1;
  while (lua_next(L, defs)) {
    lua_pop(L, 1);
    if (!first) luaL_addstring(&b, ", ");
    lua_pushvalue(L, -1);
    luaL_addvalue(&b);
    first = 0;
  }
  luaL_pushresult(&b);
  return sl_error(L, fname, "unknown option '%s' (expected one of: %s)", k, lua_tostring(L, -1));
}

/* Each option (table at 1) checked against its default and deep-copied into hp. */
static void merge_options(lua_State *L, int defs, int hp, const char *fname) {
  lua_pushnil(L);
  while (lua_next(L, 1)) {
    const char *k = lua_tostring(L, -2);
    if (lua_getfield(L, defs, k) == LUA_TNIL) unknown_option(L, defs, k, fname);
    check_like(L, -1, -2, k, fname);
    lua_pop(L, 1);
    lua_pushvalue(L, -2);
    deepcopy(L, -2, fname, 0);
    lua_rawset(L, hp);
    lua_pop(L, 1);
  }
}

/* Push the optimizer userdata for spec with hyperparameters hp; its
   registry table R = {spec, hp, xv, gv} (the views step hands to Lua). */
static void push_luaoptim(lua_State *L, int spec, int hp, const char *name) {
  int has_lr = lua_getfield(L, hp, "lr") == LUA_TNUMBER;
  double lr = lua_tonumber(L, -1);
  lua_pop(L, 1);
  luaimpl *p = malloc(sizeof *p);
  sl_optimizer *o = p ? sl_optim_new(has_lr ? &ops_lr : &ops_nolr) : NULL;
  if (o == NULL) {
    free(p);
    luaL_error(L, "out of memory creating an optimizer");
    return;
  }
  p->L = L;
  p->ref = LUA_NOREF;
  p->need_init = 1;
  snprintf(p->name, sizeof p->name, "%s", name);
  o->impl = p;
  o->name = p->name;
  if (has_lr) o->hp[0] = lr;
  sl_loptim *u = sl_pushoptim(L, o, 0, 0);
  u->hooks = &hooks;
  u->bind = 1;
  lua_createtable(L, 0, 5); /* R */
  lua_pushvalue(L, spec);
  lua_setfield(L, -2, "spec");
  lua_pushvalue(L, hp);
  lua_setfield(L, -2, "hp");
  sl_pushtransient(L); /* owner marker: R keeps the views, x:sub of them is emptied too */
  sl_pushvecview(L, NULL, 0, -1);
  lua_setfield(L, -3, "xv");
  sl_pushvecview(L, NULL, 0, -1);
  lua_setfield(L, -3, "gv");
  lua_pop(L, 1);
  p->ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

/* The constructor define returns; upvalue 1 = spec {name, defaults, init, step}. */
static int lua_ctor(lua_State *L) {
  int spec = lua_upvalueindex(1);
  lua_getfield(L, spec, "name");
  const char *name = lua_tostring(L, -1);
  char fname[96];
  snprintf(fname, sizeof fname, "slope.optim.%s", name);
  lua_pop(L, 1);
  if (!lua_isnoneornil(L, 1) && !lua_istable(L, 1))
    return sl_error(L, fname, "options table expected, got %s", luaL_typename(L, 1));
  sl_opttable(L, 1);
  lua_settop(L, 1);
  lua_getfield(L, spec, "defaults");
  int defs = lua_gettop(L);
  /* hp = defaults overridden by the options, each checked against its default */
  lua_newtable(L);
  int hp = lua_gettop(L);
  copy_defaults(L, defs, hp, fname);
  check_named(L, defs, fname);
  merge_options(L, defs, hp, fname);
  push_luaoptim(L, spec, hp, name);
  return 1;
}

static int optim_define(lua_State *L) {
  const char *fn = "slope.optim.define";
  luaL_checktype(L, 1, LUA_TTABLE);
  static const char *const keys[] = {"name", "defaults", "init", "step", NULL};
  sl_checkkeys(L, 1, keys, fn);
  const char *name = sl_optstr(L, 1, "name", NULL, fn);
  if (name == NULL || !*name || strlen(name) > 48)
    return sl_error(L, fn, "name must be a non-empty string of at most 48 characters");
  if (lua_getfield(L, 1, "step") != LUA_TFUNCTION)
    return sl_error(L, fn, "step must be a function(state, x, g, hp, t), got %s",
                    luaL_typename(L, -1));
  int ty = lua_getfield(L, 1, "init");
  if (ty != LUA_TNIL && ty != LUA_TFUNCTION)
    return sl_error(L, fn, "init must be a function(dim, hp) -> state, got %s",
                    luaL_typename(L, -1));
  ty = lua_getfield(L, 1, "defaults");
  if (ty != LUA_TNIL && ty != LUA_TTABLE)
    return sl_error(L, fn, "defaults must be a table, got %s", luaL_typename(L, -1));
  lua_createtable(L, 0, 4); /* spec */
  int spec = lua_gettop(L);
  lua_pushstring(L, name);
  lua_setfield(L, spec, "name");
  lua_pushvalue(L, 2);
  lua_setfield(L, spec, "step");
  lua_pushvalue(L, 3);
  lua_setfield(L, spec, "init");
  lua_newtable(L);
  if (ty == LUA_TTABLE) {
    lua_pushnil(L);
    while (lua_next(L, 4)) {
      if (lua_type(L, -2) != LUA_TSTRING) return sl_error(L, fn, "defaults keys must be strings");
      const char *k = lua_tostring(L, -2);
      int tv = lua_type(L, -1);
      if (tv == LUA_TNUMBER) {
        double x = lua_tonumber(L, -1);
        if (x != x || x - x != 0) return sl_error(L, fn, "defaults.%s must be finite", k);
        if (strcmp(k, "lr") == 0 && x < 0)
          return sl_error(L, fn, "defaults.lr must be a non-negative number");
      } else if (tv != LUA_TBOOLEAN && tv != LUA_TSTRING && tv != LUA_TTABLE) {
        return sl_error(L, fn, "defaults.%s must be a number, boolean, string or table, got %s", k,
                        luaL_typename(L, -1));
      } else if (strcmp(k, "lr") == 0) {
        return sl_error(L, fn, "defaults.lr must be a number");
      }
      lua_pushvalue(L, -2);
      deepcopy(L, -2, fn, 0);
      lua_rawset(L, spec + 1);
      lua_pop(L, 1);
    }
  }
  lua_setfield(L, spec, "defaults");
  lua_pushcclosure(L, lua_ctor, 1);
  char hname[96];
  snprintf(hname, sizeof hname, "slope.optim.%s", name);
  lua_pushfstring(L, "slope.optim.%s{...} -> optimizer", name);
  sl_sethelp(L, -2, hname, lua_tostring(L, -1),
             "An optimizer defined in Lua with slope.optim.define.");
  lua_pop(L, 1);
  return 1;
}

static const sl_reg define_funcs[] = {
    {"define", optim_define,
     "slope.optim.define{name=, defaults={...}, init=function(dim, hp) return state end, "
     "step=function(state, x, g, hp, t) ... end} -> constructor",
     "A constructor for an optimizer written in Lua, used like a built-in. name: its name "
     "(slope.optim.<name>, state kind); defaults: its hyperparameters and their defaults (the "
     "options its constructor accepts, checked against the defaults' types); init: makes the "
     "state table when the dim is known; step: one update. Unknown keys are rejected; opt.lr, "
     "opt.t, state()/load()/reset() work; it is wrappable. step updates x in place, or returns "
     "the new x (a vec or table of dim numbers, copied into x); g must not be modified; x and g "
     "are valid only during the call."},
    {NULL, NULL, NULL, NULL}};

int sl_open_optim_define(lua_State *L, int slope) {
  lua_getfield(L, slope, "optim");
  sl_setfuncs(L, -1, define_funcs, "slope.optim");
  lua_pop(L, 1);
  return 0;
}
