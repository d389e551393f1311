/*
** lfnobj.c — objectives given as plain Lua functions f(x [, g]) -> value
** (slope.minimize, slope.solver, slope.flow, slope.linesearch.*, slope.check).
**
** Value and gradient, or value only? The first call that wants a gradient
** passes g filled with a sentinel (lfd.h). A function that writes g, or returns
** f, g, gives the gradient from then on; one that leaves g untouched (the scipy
** habit `function(x) return value end`) is value-only: its gradient is taken by
** central differences of the value (2 dim calls, h_i = cbrt(eps) max(1, |x_i|),
** counted in nfev) and its Hessian-vector products by differences of those
** gradients (sl_obj_hvp's fallback). A function that wrote g before and stops
** writing it is an error that names the function.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "laux.h"
#include "lfd.h"
#include "llinesearch.h"
#include "lobj.h"
#include "sl_check.h"
#include "sl_vec.h"

/* ---- the sentinel --------------------------------------------------------- */

void sl_gsent_fill(double *g, size_t n, int pass) {
  double s = pass ? 0.0 : -0.0;
  for (size_t i = 0; i < n; i++) g[i] = s;
}

int sl_gsent_untouched(const double *g, size_t n, int pass) {
  for (size_t i = 0; i < n; i++)
    if (g[i] != 0.0 || (signbit(g[i]) != 0) != (pass == 0)) return 0;
  return 1;
}

/* ---- the objective ---------------------------------------------------------- */

typedef enum { FN_UNKNOWN = 0, FN_GRAD, FN_VALUE } fnmode;

typedef struct fnobj {
  lua_State *L;
  int ref_fn, ref_x, ref_g;
  sl_vec *x, *g;
  double *xwork; /* finite differences: the moved point */
  fnmode mode;
  const char *fname;
  char label[160]; /* "the objective function (defined at spec.lua:12)" */
} fnobj;

static const char *errtext(lua_State *L, int idx) {
  const char *m = lua_tostring(L, idx);
  return m ? m : "(error object is not a string)";
}

/* One call f(x, g or nil). On success *f holds the value and, when want_g,
   *returned says whether a gradient came back as a second result (copied into
   u->g). Failures set o->msg and return SL_ECALLBACK, stack restored. */
static sl_status call(sl_objective *o, const double *x, int want_g, double *f, int *returned) {
  fnobj *u = o->impl;
  lua_State *L = u->L;
  size_t n = o->dim;
  if (!lua_checkstack(L, 6))
    return sl_obj_fail(o, SL_ECALLBACK, "%s: Lua stack overflow in %s", u->fname, u->label);
  int top = lua_gettop(L);
  lua_rawgeti(L, LUA_REGISTRYINDEX, u->ref_fn);
  sl_vec_copy(n, u->x->data, x);
  lua_rawgeti(L, LUA_REGISTRYINDEX, u->ref_x);
  if (want_g)
    lua_rawgeti(L, LUA_REGISTRYINDEX, u->ref_g);
  else
    lua_pushnil(L);
  if (lua_pcall(L, 2, 2, 0) != LUA_OK) {
    sl_obj_fail(o, SL_ECALLBACK, "%s", errtext(L, -1));
    lua_settop(L, top);
    return SL_ECALLBACK;
  }
  sl_status st = SL_OK;
  if (lua_type(L, -2) != LUA_TNUMBER) {
    st = sl_obj_fail(o, SL_ECALLBACK,
                     "%s: %s returned %s, expected a number (f(x [, g]) must return the value "
                     "at x)",
                     u->fname, u->label, luaL_typename(L, -2));
  } else {
    *f = lua_tonumber(L, -2);
  }
  const int gtype = want_g ? lua_type(L, -1) : LUA_TNIL;
  if (st == SL_OK && want_g) {
    *returned = 0;
    /* nil, or g itself (its userdata block starts with its sl_vec): filled in place */
    const int in_place =
        gtype == LUA_TNIL || (gtype == LUA_TUSERDATA && lua_touserdata(L, -1) == (void *)u->g);
    sl_vec *g2 = in_place ? u->g : sl_testvec(L, -1);
    if (in_place) {
    } else if (g2 && g2->n == n) {
      sl_vec_copy(n, u->g->data, g2->data);
      *returned = 1;
    } else if (lua_istable(L, -1) && lua_rawlen(L, -1) == n) {
      for (size_t i = 0; i < n && st == SL_OK; i++) {
        if (lua_rawgeti(L, -1, (lua_Integer)i + 1) != LUA_TNUMBER)
          st = sl_obj_fail(o, SL_ECALLBACK,
                           "%s: %s returned a gradient table whose entry %zu is %s, expected a "
                           "number",
                           u->fname, u->label, i + 1, luaL_typename(L, -1));
        else
          u->g->data[i] = lua_tonumber(L, -1);
        lua_pop(L, 1);
      }
      *returned = st == SL_OK;
    } else {
      st = sl_obj_fail(o, SL_ECALLBACK,
                       "%s: %s returned %s of length %zu as its gradient, expected %zu numbers",
                       u->fname, u->label, g2 ? "a vec" : luaL_typename(L, -1),
                       g2 ? g2->n : (size_t)(lua_istable(L, -1) ? lua_rawlen(L, -1) : 0), n);
    }
  }
  lua_settop(L, top);
  return st;
}

static sl_status fn_value(void *ctx, const double *x, double *f) {
  return call(ctx, x, 0, f, NULL);
}

/* The gradient by central differences, counted as 2 dim evaluations. */
static sl_status fd_grad(sl_objective *o, const double *x, double *g) {
  fnobj *u = o->impl;
  o->nfev += 2 * o->dim;
  return sl_fd_grad(fn_value, o, o->dim, x, 0.0, u->xwork, g);
}

static sl_status fn_fg(sl_objective *o, const double *x, double *f, double *g) {
  fnobj *u = o->impl;
  size_t n = o->dim;
  if (g == NULL) return call(o, x, 0, f, NULL);
  if (u->mode == FN_VALUE) {
    sl_status st = call(o, x, 0, f, NULL);
    return st < 0 ? st : fd_grad(o, x, g);
  }
  for (int pass = 0; pass < 2; pass++) {
    int returned = 0;
    sl_gsent_fill(u->g->data, n, pass);
    sl_status st = call(o, x, 1, f, &returned);
    if (st < 0) return st;
    if (returned || !sl_gsent_untouched(u->g->data, n, pass)) {
      u->mode = FN_GRAD;
      sl_vec_copy(n, g, u->g->data);
      return SL_OK;
    }
  }
  if (u->mode == FN_UNKNOWN) { /* value only: f(x) ignores g */
    u->mode = FN_VALUE;
    return fd_grad(o, x, g);
  }
  return sl_obj_fail(o, SL_ECALLBACK,
                     "%s: %s wrote its gradient g before but left it unwritten at this point: "
                     "fill g in place (g[i] = ...) or return f, g (assigning g = slope.vec{...} "
                     "only rebinds the local name)",
                     u->fname, u->label);
}

static void fn_destroy(void *impl) {
  fnobj *u = impl;
  luaL_unref(u->L, LUA_REGISTRYINDEX, u->ref_fn);
  luaL_unref(u->L, LUA_REGISTRYINDEX, u->ref_x);
  luaL_unref(u->L, LUA_REGISTRYINDEX, u->ref_g);
  free(u->xwork);
  free(u);
}

static void fn_bind(void *impl, lua_State *L) { ((fnobj *)impl)->L = L; }

static const sl_objective_ops fn_ops = {.name = "lua function", .fg = fn_fg, .destroy = fn_destroy};

const char *sl_obj_grad_approx(const sl_objective *o) {
  if (o->ops == &fn_ops) return ((const fnobj *)o->impl)->mode == FN_VALUE ? SL_FD_WHAT : NULL;
  return sl_luaobj_grad_approx(o);
}

sl_objective *sl_checkobjective(lua_State *L, int arg, size_t dim, const char *fname) {
  sl_objective *o = sl_testobj(L, arg);
  if (o) return o;
  if (luaL_testudata(L, arg, SL_OBJ)) sl_checkobj(L, arg); /* a closed objective: says so */
  if (lua_type(L, arg) != LUA_TFUNCTION) {
    const char *hint = lua_istable(L, arg) ? " (for a table of functions use slope.obj.lua{dim "
                                             "= n, value = ..., grad = ..., fg = ...})"
                                           : "";
    luaL_argerror(L, arg,
                  lua_pushfstring(L,
                                  "objective expected (a slope.obj.* or a function f(x [, g]) -> "
                                  "value), got %s%s",
                                  luaL_typename(L, arg), hint));
  }
  if (dim == 0)
    luaL_argerror(L, arg + 1, "x is empty: a function objective needs a point of dimension >= 1");
  arg = lua_absindex(L, arg);
  fnobj *u = calloc(1, sizeof *u);
  double *xw = malloc(dim * sizeof *xw);
  if (u == NULL || xw == NULL) {
    free(u);
    free(xw);
    luaL_error(L, "out of memory");
  }
  u->L = L;
  u->xwork = xw;
  u->fname = fname;
  u->ref_fn = u->ref_x = u->ref_g = LUA_NOREF;
  lua_Debug ar;
  lua_pushvalue(L, arg);
  if (lua_getinfo(L, ">S", &ar) && ar.linedefined > 0)
    snprintf(u->label, sizeof u->label, "the objective function (defined at %s:%d)", ar.short_src,
             ar.linedefined);
  else
    snprintf(u->label, sizeof u->label, "the objective function");
  o = sl_obj_new(&fn_ops, u, dim, 0);
  if (o == NULL) {
    fn_destroy(u);
    luaL_error(L, "out of memory");
  }
  lua_pushvalue(L, arg); /* kept alive by the objective (nkeep = 0 would drop the userdata) */
  sl_lobj *lo = sl_pushobj(L, o, 1, 0); /* owns o (and u through destroy) from here */
  lo->bind = fn_bind;
  lua_pushvalue(L, arg);
  u->ref_fn = luaL_ref(L, LUA_REGISTRYINDEX);
  u->x = sl_newvec(L, dim);
  u->ref_x = luaL_ref(L, LUA_REGISTRYINDEX);
  u->g = sl_newvec(L, dim);
  u->ref_g = luaL_ref(L, LUA_REGISTRYINDEX);
  return o;
}
