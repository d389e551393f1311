/*
** lobj_lua.c — slope.obj.lua{...}: an objective whose value, gradient and
** Hessian-vector product are Lua functions. Missing pieces are derived:
** value from fg, fg from value + grad, the gradient by central differences of
** value (2 dim calls, step cbrt(eps) max(1, |x_i|)), the HVP by central
** differences of gradients (sl_obj_hvp's fallback; f.exact_hvp is false).
**
** Calls go through lua_pcall on the thread that last checked the objective
** (the bind hook of sl_lobj); an error or a non-number result becomes
** SL_ECALLBACK with the message in o->msg, raised by the binding. The vecs
** passed to the callbacks are allocated once per objective and reused.
**
** A call is on the path of every solver iteration, so it costs array reads
** only: the callback and its vecs are slots of a weak table that sits at
** registry[q->wref] (no hashing of pointers or names), results are read where
** pcall leaves them, and the output vec is recognised by its address.
*/
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "laux.h"
#include "lfd.h"
#include "lobj.h"
#include "sl_check.h"
#include "sl_rng.h"

enum {
  CB_VALUE = 1,
  CB_GRAD,
  CB_FG,
  CB_HVP,
  CB_X,
  CB_G,
  CB_V,
  CB_HV,
  CB_X0,
  CB_THREAD,
  CB_N = CB_THREAD
};

/* registry[&registry_key] = W = { [slot] = callback table, [slot + k] = its
   entry k (k < CB_N) }, weak values: they live as long as the objective's
   userdata keeps the callback table. W is also registry[W[WREF]] (an array
   read), W[LAST] the last slot handed out. */
static const char registry_key = 'L';
enum { WREF = -1, LAST = 0 };

typedef struct luaobj {
  sl_objective_ops ops; /* a copy carrying the objective's name */
  char name[64];
  char label[96];      /* "slope.obj.lua 'name'": how messages name the objective */
  lua_State *L;        /* the running thread, set by bind */
  lua_Integer wref;    /* registry[wref] = W */
  lua_Integer slot;    /* W[slot] = the callback table */
  int has[CB_HVP + 1]; /* which callbacks were given */
  sl_vec *x, *g, *v, *hv, *x0;
  const double *v0buf; /* the direction of the running hvp call */
  const double *x0buf; /* the point of the running fg/hvp call (x rewritten before each try) */
} luaobj;

/* Record the running thread and keep it alive in the callback table, so q->L
   never dangles after a coroutine that last used the objective is collected. */
static void luaobj_bind(void *impl, lua_State *L) {
  luaobj *q = impl;
  if (q->L == L) return;
  q->L = L;
  if (!lua_checkstack(L, 3)) return;
  if (lua_rawgeti(L, LUA_REGISTRYINDEX, q->wref) == LUA_TTABLE &&
      lua_rawgeti(L, -1, q->slot) == LUA_TTABLE) {
    lua_pushthread(L);
    lua_rawseti(L, -2, CB_THREAD);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

static void luaobj_destroy(void *impl) { free(impl); }

/* Call callback k with the vecs args[0..nargs-1] (CB_* indices), all read from
   W (W[slot + k] mirrors the callback table's entry k); the nres results are
   left at *top + 2 .. *top + 1 + nres, above W (the caller reads them and
   resets the stack to *top). On failure records the message and returns
   SL_ECALLBACK with the stack restored. */
__attribute__((always_inline)) static inline sl_status
call(sl_objective *o, luaobj *q, int k, const int *args, int nargs, int nres, int *top) {
  static const char *const what[] = {"", "value", "grad", "fg", "hvp"};
  lua_State *L = q->L;
  if (L == NULL || !lua_checkstack(L, nargs + nres + 4))
    return sl_obj_fail(o, SL_ECALLBACK, "%s: no Lua state to call %s", q->label, what[k]);
  if (lua_status(L) != LUA_OK) /* a suspended coroutine: its stack is not ours to call on */
    return sl_obj_fail(o, SL_ECALLBACK, "%s: %s called on a suspended coroutine", q->label,
                       what[k]);
  const int t = *top = lua_gettop(L);
  if (lua_rawgeti(L, LUA_REGISTRYINDEX, q->wref) != LUA_TTABLE ||
      lua_rawgeti(L, t + 1, q->slot + k) == LUA_TNIL) {
    lua_settop(L, t);
    return sl_obj_fail(o, SL_ECALLBACK, "%s: callbacks are gone", q->label);
  }
  for (int i = 0; i < nargs; i++) lua_rawgeti(L, t + 1, q->slot + args[i]);
  if (lua_pcall(L, nargs, nres, 0) != LUA_OK) {
    const char *m = lua_tostring(L, -1);
    if (m)
      sl_obj_fail(o, SL_ECALLBACK, "%s", m);
    else
      sl_obj_fail(o, SL_ECALLBACK, "%s: %s raised an error object of type %s", q->label, what[k],
                  luaL_typename(L, -1));
    lua_settop(L, t);
    return SL_ECALLBACK;
  }
  return SL_OK;
}

/* The number at idx, or SL_ECALLBACK naming the callback. */
__attribute__((always_inline)) static inline sl_status
take_number(sl_objective *o, luaobj *q, const char *what, int idx, double *f) {
  lua_State *L = q->L;
  if (lua_type(L, idx) == LUA_TNUMBER) {
    *f = lua_tonumber(L, idx);
    return SL_OK;
  }
  *f = 0;
  return sl_obj_fail(o, SL_ECALLBACK, "%s: %s must return a number, got %s", q->label, what,
                     luaL_typename(L, idx));
}

/* out itself (its userdata block starts with its sl_vec)? */
static int is_out(lua_State *L, int idx, int type, const sl_vec *out) {
  return type == LUA_TUSERDATA && lua_touserdata(L, idx) == (const void *)out;
}

/* The result at idx, of Lua type `type`: nil or the output vec itself (filled
   in place), or another vec/table of dim numbers copied into out. */
static sl_status take_vec(sl_objective *o, luaobj *q, const char *what, int idx, int type,
                          sl_vec *out) {
  lua_State *L = q->L;
  if (type == LUA_TNIL || is_out(L, idx, type, out)) return SL_OK;
  size_t n = out->n;
  sl_vec *r = sl_testvec(L, idx);
  sl_status st = SL_OK;
  if (r) {
    if (r->n != n)
      st = sl_obj_fail(o, SL_ECALLBACK, "%s: %s returned a vec of length %zu, expected %zu",
                       q->label, what, r->n, n);
    else
      memmove(out->data, r->data, n * sizeof(double));
  } else if (type == LUA_TTABLE && lua_rawlen(L, idx) == n) {
    for (size_t i = 0; i < n && st == SL_OK; i++) {
      int isnum;
      lua_rawgeti(L, idx, (lua_Integer)i + 1);
      out->data[i] = lua_tonumberx(L, -1, &isnum);
      if (!isnum)
        st = sl_obj_fail(o, SL_ECALLBACK, "%s: %s returned a table with a non-number at %zu",
                         q->label, what, i + 1);
      lua_pop(L, 1);
    }
  } else {
    st = sl_obj_fail(o, SL_ECALLBACK,
                     "%s: %s must fill its output vec or return a vec of length %zu, got %s",
                     q->label, what, n, luaL_typename(L, idx));
  }
  return st;
}

static sl_status call_value(sl_objective *o, luaobj *q, double *f) {
  static const int args[] = {CB_X}, fgargs[] = {CB_X, CB_G};
  const int value = q->has[CB_VALUE];
  int top = 0;
  sl_status st =
      value ? call(o, q, CB_VALUE, args, 1, 1, &top) : call(o, q, CB_FG, fgargs, 2, 1, &top);
  if (st < 0) return st;
  st = take_number(o, q, value ? "value" : "fg", top + 2, f);
  lua_settop(q->L, top);
  return st;
}

/* value at x for the finite differences (q->x rewritten before each call: a
   callback that writes its x must not move the next point) */
static sl_status fd_value(void *ctx, const double *x, double *f) {
  sl_objective *o = ctx;
  luaobj *q = o->impl;
  memcpy(q->x->data, x, o->dim * sizeof *x);
  return call_value(o, q, f);
}

/* Callback k (fg, grad or hvp) into out, twice at most: with out filled with
   -0.0, and again with +0.0 when nothing seemed written (lfd.h). nres = 2
   for fg (its value is taken into *f). A vec never written is an error that
   names the callback. */
__attribute__((always_inline)) static inline sl_status call_filling(sl_objective *o, luaobj *q,
                                                                    int k, const int *args,
                                                                    int nargs, sl_vec *out,
                                                                    double *f) {
  static const char *const what[] = {"", "value", "grad", "fg", "hvp"};
  static const char *const outname[] = {"", "", "g", "g", "hv"};
  int nres = k == CB_FG ? 2 : 1;
  for (int pass = 0; pass < 2; pass++) {
    sl_gsent_fill(out->data, out->n, pass);
    memcpy(q->x->data, q->x0buf, o->dim * sizeof(double));
    if (k == CB_HVP) memcpy(q->v->data, q->v0buf, o->dim * sizeof(double));
    int top = 0;
    sl_status st = call(o, q, k, args, nargs, nres, &top);
    if (st < 0) return st;
    lua_State *L = q->L;
    const int idx = top + nres + 1; /* the output (fg: f, g) */
    const int type = lua_type(L, idx);
    const int returned = type != LUA_TNIL && !is_out(L, idx, type, out);
    if (returned) st = take_vec(o, q, what[k], idx, type, out);
    if (st == SL_OK && k == CB_FG) st = take_number(o, q, "fg", top + 2, f);
    lua_settop(L, top);
    if (st < 0) return st;
    if (returned || !sl_gsent_untouched(out->data, out->n, pass)) return SL_OK;
  }
  return sl_obj_fail(o, SL_ECALLBACK,
                     "%s: %s never wrote %s: fill it in place (%s[i] = ...) or return it "
                     "(assigning %s = slope.vec{...} only rebinds the local name)",
                     q->label, what[k], outname[k], outname[k], outname[k]);
}

static sl_status luaobj_fg(sl_objective *o, const double *x, double *f, double *g) {
  luaobj *q = o->impl;
  size_t n = o->dim;
  sl_status st;
  q->x0buf = x;
  if (g != NULL && q->has[CB_FG]) { /* call_filling writes x */
    static const int args[] = {CB_X, CB_G};
    st = call_filling(o, q, CB_FG, args, 2, q->g, f);
    if (st < 0) return st;
    memcpy(g, q->g->data, n * sizeof *g);
    return SL_OK;
  }
  memcpy(q->x->data, x, n * sizeof *x);
  if (g == NULL) return call_value(o, q, f);
  if (q->has[CB_FG]) {
    static const int args[] = {CB_X, CB_G};
    st = call_filling(o, q, CB_FG, args, 2, q->g, f);
  } else if (q->has[CB_GRAD]) {
    st = call_value(o, q, f);
    if (st < 0) return st;
    static const int args[] = {CB_X, CB_G};
    st = call_filling(o, q, CB_GRAD, args, 2, q->g, NULL);
  } else {
    /* central differences of value (sl_fd_grad), counted as 2 dim evaluations */
    st = call_value(o, q, f);
    if (st == SL_OK) {
      o->nfev += 2 * n;
      st = sl_fd_grad(fd_value, o, n, x, 0.0, q->v->data, q->g->data);
    }
  }
  if (st < 0) return st;
  memcpy(g, q->g->data, n * sizeof *g);
  return SL_OK;
}

/* f:fg(x, g) from Lua (lobj.c's fast path): the fg callback is called on the
   caller's own x and g, unprotected — there is no core frame to cross, so an
   error propagates as it would from a plain function — with the same
   contract as the solvers' path: g read as -0.0 then +0.0 (call_filling),
   or a returned vec copied in, and the value a number. */
static int luaobj_direct_fg(lua_State *L, sl_lobj *u) {
  sl_objective *o = u->o;
  luaobj *q = o->impl;
  luaobj_bind(q, L);
  sl_vec *g = lua_touserdata(L, 3);
  const int t = lua_gettop(L);
  o->nfev++;
  o->ngev++;
  lua_getiuservalue(L, 1, 1); /* t + 1: the callback table */
  for (int pass = 0; pass < 2; pass++) {
    sl_gsent_fill(g->data, g->n, pass);
    lua_rawgeti(L, t + 1, CB_FG);
    lua_pushvalue(L, 2);
    lua_pushvalue(L, 3);
    lua_call(L, 2, 2); /* f at t + 2, the returned g (or nil) at t + 3 */
    const int type = lua_type(L, t + 3);
    const int returned = type != LUA_TNIL && !is_out(L, t + 3, type, g);
    double f;
    sl_status st = returned ? take_vec(o, q, "fg", t + 3, type, g) : SL_OK;
    if (st == SL_OK) st = take_number(o, q, "fg", t + 2, &f);
    if (st < 0) return sl_obj_error(L, "fg", o, st);
    if (returned || !sl_gsent_untouched(g->data, g->n, pass)) {
      lua_settop(L, t);
      lua_pushnumber(L, f);
      lua_pushvalue(L, 3);
      return 2;
    }
    lua_settop(L, t + 1);
  }
  sl_obj_fail(o, SL_ECALLBACK,
              "%s: fg never wrote g: fill it in place (g[i] = ...) or return it (assigning g = "
              "slope.vec{...} only rebinds the local name)",
              q->label);
  return sl_obj_error(L, "fg", o, SL_ECALLBACK);
}

static sl_status luaobj_hvp(sl_objective *o, const double *x, const double *v, double *hv) {
  static const int args[] = {CB_X, CB_V, CB_HV};
  luaobj *q = o->impl;
  size_t n = o->dim;
  q->x0buf = x;
  q->v0buf = v;
  sl_status st = call_filling(o, q, CB_HVP, args, 3, q->hv, NULL);
  if (st < 0) return st;
  memcpy(hv, q->hv->data, n * sizeof *hv);
  return SL_OK;
}

const char *sl_luaobj_grad_approx(const sl_objective *o) {
  if (o->ops->fg != luaobj_fg) return NULL;
  const luaobj *q = o->impl;
  return q->has[CB_FG] || q->has[CB_GRAD] ? NULL : SL_FD_WHAT;
}

static void luaobj_init(sl_objective *o, struct sl_rng *rng, double *x) {
  (void)rng;
  luaobj *q = o->impl;
  if (q->x0)
    memcpy(x, q->x0->data, o->dim * sizeof *x);
  else
    memset(x, 0, o->dim * sizeof *x);
}

/* The callbacks value, grad, fg, hvp of the options at 1 into the callback
   table at 2 (functions or callable values); value or fg is required. */
static void read_callbacks(lua_State *L, luaobj *q, const char *fname) {
  static const char *const cbnames[] = {NULL, "value", "grad", "fg", "hvp"};
  for (int k = CB_VALUE; k <= CB_HVP; k++) {
    int t = lua_getfield(L, 1, cbnames[k]);
    if (t != LUA_TNIL && t != LUA_TFUNCTION && !luaL_getmetafield(L, -1, "__call"))
      sl_error(L, fname, "%s must be a function, got %s", cbnames[k], luaL_typename(L, -1));
    if (t != LUA_TNIL && t != LUA_TFUNCTION) lua_pop(L, 1); /* the __call field */
    q->has[k] = t != LUA_TNIL;
    lua_rawseti(L, 2, k);
  }
  if (!q->has[CB_VALUE] && !q->has[CB_FG]) sl_error(L, fname, "give value or fg (or both)");
  if (q->has[CB_HVP]) q->ops.hvp = luaobj_hvp;
}

/* The optional starting point x0 of the options at 1, copied into the callback table. */
static void read_x0(lua_State *L, luaobj *q, size_t dim, const char *fname) {
  if (lua_getfield(L, 1, "x0") != LUA_TNIL) {
    if (!sl_testvec(L, -1) && !lua_istable(L, -1))
      sl_error(L, fname, "x0 must be a vec, got %s", luaL_typename(L, -1));
    sl_vec *x0 = sl_tovec(L, lua_gettop(L));
    if (x0->n != dim)
      sl_error(L, fname, "x0 has %I entries, expected dim = %I", (lua_Integer)x0->n,
               (lua_Integer)dim);
    q->x0 = sl_newvec(L, dim);
    memcpy(q->x0->data, x0->data, dim * sizeof(double));
    lua_rawseti(L, 2, CB_X0);
  }
  lua_pop(L, 1);
}

/* W[slot] = the callback table at 2, W created (with its registry ref) on
   first use; q->wref and q->slot say where. */
static void register_callbacks(lua_State *L, luaobj *q) {
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &registry_key) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_createtable(L, 256, 2); /* slots 1..256 in the array part */
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "v");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &registry_key);
    lua_pushvalue(L, -1);
    lua_Integer ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pushinteger(L, ref);
    lua_rawseti(L, -2, WREF);
    lua_pushinteger(L, 0);
    lua_rawseti(L, -2, LAST);
  }
  lua_rawgeti(L, -1, WREF);
  q->wref = lua_tointeger(L, -1);
  lua_rawgeti(L, -2, LAST);
  q->slot = lua_tointeger(L, -1) + 1; /* slots of collected objectives are not reused */
  lua_pop(L, 2);
  lua_pushinteger(L, q->slot + CB_N);
  lua_rawseti(L, -2, LAST);
  lua_pushvalue(L, 2);
  lua_rawseti(L, -2, q->slot);
  for (int k = 1; k < CB_N; k++) { /* weak here; the callback table holds them */
    lua_rawgeti(L, 2, k);
    lua_rawseti(L, -2, q->slot + k);
  }
  lua_pop(L, 1);
}

static int l_lua(lua_State *L) {
  static const char *fname = "slope.obj.lua";
  static const char *const keys[] = {"dim", "value", "grad", "fg", "hvp", "name", "x0", NULL};
  if (!lua_istable(L, 1))
    return sl_error(L, fname, "options table expected ({dim=, value=, grad=, fg=, hvp=}), got %s",
                    luaL_typename(L, 1));
  lua_settop(L, 1);
  sl_checkkeys(L, 1, keys, fname);
  if (lua_getfield(L, 1, "dim") == LUA_TNIL) return sl_error(L, fname, "dim is required");
  lua_pop(L, 1);
  lua_Integer dim = sl_optint(L, 1, "dim", 0, 1, fname);
  if ((uint64_t)dim > SL_MAX_ENTRIES) return sl_error(L, fname, "dim is too large");
  const char *name = sl_optstr(L, 1, "name", "lua", fname);
  luaobj *q = calloc(1, sizeof *q);
  if (q == NULL) return luaL_error(L, "out of memory");
  /* the objective first, so q is freed by __gc whatever fails below */
  sl_objective *o = sl_obj_new(&q->ops, q, (size_t)dim, 0);
  if (o == NULL) {
    free(q);
    return luaL_error(L, "out of memory");
  }
  q->ops.name = q->name;
  q->ops.fg = luaobj_fg;
  q->ops.init = luaobj_init;
  q->ops.destroy = luaobj_destroy;
  snprintf(q->name, sizeof q->name, "%s", name);
  if (strcmp(name, "lua") == 0)
    snprintf(q->label, sizeof q->label, "slope.obj.lua");
  else
    snprintf(q->label, sizeof q->label, "slope.obj.lua '%.60s'", name);
  lua_createtable(L, CB_N, 0);         /* 2: callback table */
  sl_lobj *u = sl_pushobj(L, o, 0, 0); /* 3 */
  u->bind = luaobj_bind;
  lua_pushvalue(L, 2);
  lua_setiuservalue(L, 3, 1); /* the userdata keeps the callback table */
  read_callbacks(L, q, fname);
  if (q->has[CB_FG]) u->direct_fg = luaobj_direct_fg;
  sl_vec **bufs[] = {&q->x, &q->g, &q->v, &q->hv};
  for (int k = 0; k < 4; k++) {
    *bufs[k] = sl_newvec(L, (size_t)dim);
    lua_rawseti(L, 2, CB_X + k);
  }
  read_x0(L, q, (size_t)dim, fname);
  register_callbacks(L, q);
  q->L = L;
  lua_pushthread(L);
  lua_rawseti(L, 2, CB_THREAD);
  lua_settop(L, 3);
  return 1;
}

static const sl_reg lua_funcs[] = {
    {"lua", l_lua,
     "slope.obj.lua{dim=, value=fn(x), grad=fn(x, g), fg=fn(x, g) -> f, hvp=fn(x, v, hv), name=, "
     "x0=} -> objective",
     "An objective from Lua functions. fg and grad fill g in place (it reads as zeros, so code "
     "that accumulates into g works) or return a vec/table; hvp fills hv the same way. A "
     "callback that neither writes its output nor returns one is an error naming it (assigning "
     "g = slope.vec{...} inside only rebinds the local name). Missing parts are derived: value "
     "from fg; with value only, the gradient by central differences (2 dim calls, h = cbrt(eps) "
     "max(1, |x_i|); slope.minimize then reports jac_approx and slope.check.grad refuses it); "
     "without hvp, Hessian-vector products by differences of gradients (f.exact_hvp false). "
     "name labels messages; x0 is what f:init() returns (default zeros). Solvers and probes hand "
     "the callbacks copies (x, g, v, hv are reused between calls); f:fg(x, g) called from Lua "
     "with two vecs hands fg those vecs, and its errors propagate as they are."},
    {NULL, NULL, NULL, NULL}};

int sl_open_obj_lua(lua_State *L, int slope) {
  lua_getfield(L, slope, "obj");
  sl_setfuncs(L, lua_gettop(L), lua_funcs, "slope.obj");
  lua_pop(L, 1);
  return 0;
}
