/*
** lobj_lua.c — slope.obj.lua{dim=, value=, grad=, fg=, hvp=}: an objective
** whose pieces are Lua functions, filling the same vtable as the built-ins so
** every optimizer, line search, probe and check works on it.
**
** Missing pieces are derived: value from fg; fg from value + grad; the
** gradient by central differences of value when neither grad nor fg is given;
** the HVP by central differences of gradients (sl_obj_hvp's fallback).
** Callbacks run under lua_pcall on the thread that last handed the objective
** to a slope function (the bind hook); an error becomes SL_ECALLBACK with the
** message in o->msg, raised by the binding that made the call (Neovim's
** xdiff.c pattern): no longjmp crosses a core frame.
*/
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "laux.h"
#include "lobj.h"

/* Registry key of a weak-valued table impl -> env; the env table itself is
   kept alive by the objective userdata (sl_pushobj's keep list), so the entry
   lives exactly as long as the objective and needs no cleanup in destroy. */
static const char ENVS_KEY = 0;

enum { E_VALUE = 1, E_GRAD, E_FG, E_HVP, E_X, E_G, E_V, E_HV, E_X0, E_XS, E_THREAD };

typedef struct luaobj {
  lua_State *L;         /* the running thread (set by bind) */
  sl_objective_ops ops; /* per objective, so f.name is the user's name */
  char name[48];
  int has[E_HVP + 1];   /* which callbacks were given */
  size_t n;
  double *x, *g, *v, *hv; /* buffers of the vecs handed to callbacks */
  const double *x0;       /* starting point or NULL */
  double *xs;             /* n doubles: the finite-difference point */
} luaobj;

/* Record the running thread, and keep it alive in env (so u->L never dangles
   when a coroutine that last used the objective is collected). */
static void bind(void *impl, lua_State *L) {
  luaobj *u = impl;
  if (u->L == L) return;
  u->L = L;
  if (!lua_checkstack(L, 3)) return;
  lua_rawgetp(L, LUA_REGISTRYINDEX, &ENVS_KEY);
  if (lua_rawgetp(L, -1, u) == LUA_TTABLE) {
    lua_pushthread(L);
    lua_rawseti(L, -2, E_THREAD);
  }
  lua_pop(L, 2);
}

/* Push env on the bound thread, or fail without raising. */
static sl_status push_env(sl_objective *o, luaobj *u) {
  lua_State *L = u->L;
  if (lua_status(L) != LUA_OK)
    return sl_obj_fail(o, SL_ECALLBACK, "objective '%s' called on a suspended coroutine", u->name);
  if (!lua_checkstack(L, 10)) return sl_obj_fail(o, SL_ECALLBACK, "objective '%s': Lua stack overflow", u->name);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &ENVS_KEY);
  lua_rawgetp(L, -1, u);
  lua_remove(L, -2);
  return SL_OK;
}

/* Call env[fi] with the vecs env[args[0..na-1]] under pcall, nres results.
   On failure pops everything it pushed and records the message. */
static sl_status call(sl_objective *o, luaobj *u, int fi, const int *args, int na, int nres,
                      const char *what) {
  lua_State *L = u->L;
  lua_rawgeti(L, -1, fi);
  for (int k = 0; k < na; k++) lua_rawgeti(L, -1 - 1 - k, args[k]);
  if (lua_pcall(L, na, nres, 0) != LUA_OK) {
    const char *m = lua_tostring(L, -1);
    if (m) sl_obj_fail(o, SL_ECALLBACK, "%s", m);
    else sl_obj_fail(o, SL_ECALLBACK, "%s: %s raised an error object of type %s", u->name, what,
                     luaL_typename(L, -1));
    lua_pop(L, 2); /* message, env */
    return SL_ECALLBACK;
  }
  return SL_OK;
}

/* Result at idx: a number into *f, or an error naming the objective. */
static sl_status take_number(sl_objective *o, luaobj *u, int idx, const char *what, double *f) {
  lua_State *L = u->L;
  if (lua_type(L, idx) != LUA_TNUMBER)
    return sl_obj_fail(o, SL_ECALLBACK, "objective '%s': %s returned %s, expected a number", u->name,
                       what, lua_type(L, idx) == LUA_TNONE ? "nothing" : luaL_typename(L, idx));
  *f = lua_tonumber(L, idx);
  return SL_OK;
}

/* Result at idx for an output buffer out (whose vec is env[ei]): nil or that
   vec itself mean "filled in place"; another vec or a table of n numbers is copied. */
static sl_status take_vector(sl_objective *o, luaobj *u, int idx, int ei, double *out, double *dst,
                             const char *what) {
  lua_State *L = u->L;
  idx = lua_absindex(L, idx);
  if (lua_isnoneornil(L, idx)) {
    if (dst != out) memcpy(dst, out, u->n * sizeof *dst);
    return SL_OK;
  }
  sl_vec *r = sl_testvec(L, idx);
  if (r) {
    if (r->n != u->n)
      return sl_obj_fail(o, SL_ECALLBACK, "objective '%s': %s returned a vec of %zu entries, expected %zu",
                         u->name, what, r->n, u->n);
    memcpy(dst, r->data, u->n * sizeof *dst);
    return SL_OK;
  }
  (void)ei;
  if (lua_type(L, idx) == LUA_TTABLE) {
    if (lua_rawlen(L, idx) != u->n)
      return sl_obj_fail(o, SL_ECALLBACK, "objective '%s': %s returned a table of %zu entries, expected %zu",
                         u->name, what, (size_t)lua_rawlen(L, idx), u->n);
    for (size_t i = 0; i < u->n; i++) {
      lua_rawgeti(L, idx, (lua_Integer)i + 1);
      if (lua_type(L, -1) != LUA_TNUMBER) {
        lua_pop(L, 1);
        return sl_obj_fail(o, SL_ECALLBACK, "objective '%s': %s returned a table whose entry %zu is not a number",
                           u->name, what, i + 1);
      }
      dst[i] = lua_tonumber(L, -1);
      lua_pop(L, 1);
    }
    return SL_OK;
  }
  return sl_obj_fail(o, SL_ECALLBACK, "objective '%s': %s returned %s, expected nothing, a vec or a table",
                     u->name, what, luaL_typename(L, idx));
}

/* value(x) or, without value, fg(x, g) with its gradient ignored. */
static sl_status eval_value(sl_objective *o, luaobj *u, const double *x, double *f) {
  lua_State *L = u->L;
  sl_status st = push_env(o, u);
  if (st < 0) return st;
  memcpy(u->x, x, u->n * sizeof *x);
  static const int args[] = {E_X, E_G};
  int fi = u->has[E_VALUE] ? E_VALUE : E_FG;
  if (fi == E_FG) sl_vec_fill(u->n, u->g, 0.0);
  if ((st = call(o, u, fi, args, fi == E_FG ? 2 : 1, 1, fi == E_FG ? "fg" : "value")) < 0) return st;
  st = take_number(o, u, -1, fi == E_FG ? "fg" : "value", f);
  lua_pop(L, 2);
  return st;
}

/* Central differences of the value, h_i = eps^(1/3) max(1, |x_i|). */
static sl_status fd_grad(sl_objective *o, luaobj *u, const double *x, double *g) {
  double h = cbrt(DBL_EPSILON);
  memcpy(u->xs, x, u->n * sizeof *x);
  for (size_t i = 0; i < u->n; i++) {
    double hi = h * fmax(1.0, fabs(x[i])), up = x[i] + hi, dn = x[i] - hi, fp, fm;
    sl_status st;
    u->xs[i] = up;
    if ((st = eval_value(o, u, u->xs, &fp)) < 0) return st;
    u->xs[i] = dn;
    if ((st = eval_value(o, u, u->xs, &fm)) < 0) return st;
    u->xs[i] = x[i];
    g[i] = (fp - fm) / (up - dn);
  }
  return SL_OK;
}

static sl_status lua_fg(sl_objective *o, const double *x, double *f, double *g) {
  luaobj *u = o->impl;
  lua_State *L = u->L;
  sl_status st;
  if (g == NULL || !u->has[E_FG]) {
    if ((st = eval_value(o, u, x, f)) < 0 || g == NULL) return st;
    if (!u->has[E_GRAD]) return fd_grad(o, u, x, g);
    if ((st = push_env(o, u)) < 0) return st;
    memcpy(u->x, x, u->n * sizeof *x);
    sl_vec_fill(u->n, u->g, 0.0);
    static const int args[] = {E_X, E_G};
    if ((st = call(o, u, E_GRAD, args, 2, 1, "grad")) < 0) return st;
    st = take_vector(o, u, -1, E_G, u->g, g, "grad");
    lua_pop(L, 2);
    return st;
  }
  if ((st = push_env(o, u)) < 0) return st;
  memcpy(u->x, x, u->n * sizeof *x);
  sl_vec_fill(u->n, u->g, 0.0);
  static const int args[] = {E_X, E_G};
  if ((st = call(o, u, E_FG, args, 2, 2, "fg")) < 0) return st;
  st = take_number(o, u, -2, "fg", f);
  if (st >= 0) st = take_vector(o, u, -1, E_G, u->g, g, "fg");
  lua_pop(L, 3);
  return st;
}

static sl_status lua_hvp(sl_objective *o, const double *x, const double *v, double *hv) {
  luaobj *u = o->impl;
  sl_status st = push_env(o, u);
  if (st < 0) return st;
  memcpy(u->x, x, u->n * sizeof *x);
  memcpy(u->v, v, u->n * sizeof *v);
  sl_vec_fill(u->n, u->hv, 0.0);
  static const int args[] = {E_X, E_V, E_HV};
  if ((st = call(o, u, E_HVP, args, 3, 1, "hvp")) < 0) return st;
  st = take_vector(o, u, -1, E_HV, u->hv, hv, "hvp");
  lua_pop(u->L, 2);
  return st;
}

static void lua_init(sl_objective *o, struct sl_rng *r, double *x) {
  (void)r;
  luaobj *u = o->impl;
  if (u->x0) memcpy(x, u->x0, u->n * sizeof *x);
  else sl_vec_fill(u->n, x, 0.0);
}

/* impl lives in a userdata kept in env: nothing to free here. */

static int lobj_new(lua_State *L) {
  const char *fname = "slope.obj.lua";
  static const char *const keys[] = {"dim", "value", "grad", "fg", "hvp", "x0", "name", NULL};
  if (!lua_istable(L, 1))
    return sl_error(L, fname, "options table expected ({dim=, value=, grad=, fg=, hvp=}), got %s",
                    luaL_typename(L, 1));
  lua_settop(L, 1);
  sl_checkkeys(L, 1, keys, fname);
  if (lua_getfield(L, 1, "dim") == LUA_TNIL) return sl_error(L, fname, "dim is required");
  lua_pop(L, 1);
  lua_Integer dim = sl_optint(L, 1, "dim", 0, 1, fname);
  if ((size_t)dim > SL_MAX_ENTRIES) return sl_error(L, fname, "dim is too large");
  size_t n = (size_t)dim;
  const char *name = sl_optstr(L, 1, "name", "lua", fname);

  lua_createtable(L, E_THREAD, 0); /* env: 2 */
  static const char *const fnames[] = {NULL, "value", "grad", "fg", "hvp"};
  int has[E_HVP + 1] = {0};
  for (int k = E_VALUE; k <= E_HVP; k++) {
    int ty = lua_getfield(L, 1, fnames[k]);
    if (ty != LUA_TNIL && ty != LUA_TFUNCTION && !luaL_getmetafield(L, -1, "__call"))
      return sl_error(L, fname, "%s must be a function, got %s", fnames[k], luaL_typename(L, -1));
    if (ty != LUA_TNIL && ty != LUA_TFUNCTION) lua_pop(L, 1); /* the __call field */
    has[k] = ty != LUA_TNIL;
    lua_rawseti(L, 2, k);
  }
  if (!has[E_VALUE] && !has[E_FG])
    return sl_error(L, fname, "give value or fg (grad and hvp alone do not define f)");

  luaobj *u = lua_newuserdatauv(L, sizeof *u, 0); /* kept at env[0]: the impl */
  memset(u, 0, sizeof *u);
  lua_rawseti(L, 2, 0);
  u->L = L;
  u->n = n;
  snprintf(u->name, sizeof u->name, "%s", name);
  memcpy(u->has, has, sizeof has);
  double **bufs[] = {&u->x, &u->g, &u->v, &u->hv};
  for (int k = 0; k < 4; k++) {
    *bufs[k] = sl_newvec(L, n)->data;
    lua_rawseti(L, 2, E_X + k);
  }
  sl_vec *xs = sl_newvec(L, n);
  u->xs = xs->data;
  lua_rawseti(L, 2, E_XS);
  lua_pushthread(L);
  lua_rawseti(L, 2, E_THREAD);
  if (lua_getfield(L, 1, "x0") != LUA_TNIL) {
    if (!sl_testvec(L, -1) && !lua_istable(L, -1))
      return sl_error(L, fname, "x0 must be a vec or a table of numbers, got %s", luaL_typename(L, -1));
    sl_vec *x0 = sl_tovec(L, lua_gettop(L));
    if (x0->n != n)
      return sl_error(L, fname, "dimension mismatch: x0 has %I entries, expected %I", (lua_Integer)x0->n,
                      (lua_Integer)n);
    sl_vec *c = sl_newvec(L, n); /* a private copy: later edits of x0 do not move the start */
    memcpy(c->data, x0->data, n * sizeof *c->data);
    u->x0 = c->data;
    lua_rawseti(L, 2, E_X0);
  }
  lua_settop(L, 2);

  u->ops.name = u->name;
  u->ops.fg = lua_fg;
  u->ops.hvp = has[E_HVP] ? lua_hvp : NULL;
  u->ops.init = lua_init;

  /* envs[u] = env (weak values) */
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &ENVS_KEY) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "v");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &ENVS_KEY);
  }
  lua_pushvalue(L, 2);
  lua_rawsetp(L, -2, u);
  lua_pop(L, 1);

  sl_objective *o = sl_obj_new(&u->ops, u, n, 0);
  sl_lobj *lu = sl_pushobj(L, o, 1, 0); /* keeps env (and so u) alive */
  lu->bind = bind;
  return 1;
}

int sl_open_obj_lua(lua_State *L, int slope) {
  static const sl_reg funcs[] = {
      {"lua", lobj_new,
       "slope.obj.lua{dim=, value=fn(x) [, grad=fn(x, g)] [, fg=fn(x, g)] [, hvp=fn(x, v, hv)] [, x0=] [, name=]} -> objective",
       "An objective from Lua functions (value or fg required). Missing grad: central differences of value "
       "(2 dim calls, h = eps^(1/3) max(1,|x_i|)); missing hvp: differences of gradients (f.exact_hvp false). "
       "grad/hvp fill g/hv in place or return a vec/table; fg returns f [, g]. f:init() is x0 (default 0)."},
      {NULL, NULL, NULL, NULL}};
  lua_getfield(L, slope, "obj");
  sl_setfuncs(L, -1, funcs, "slope.obj");
  lua_pop(L, 1);
  return 0;
}
