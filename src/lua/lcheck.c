/*
** lcheck.c — slope.check.grad and slope.check.hvp: an objective's derivatives
** against central finite differences (core: sl_check.c).
*/
#include "laux.h"
#include "lfd.h"
#include "llinesearch.h"
#include "lobj.h"
#include "sl_check.h"

/* opts at arg: {h=, tol=}. */
static void check_opts(lua_State *L, int arg, const char *fname, double *h, double *tol) {
  static const char *const keys[] = {"h", "tol", NULL};
  if (!lua_isnoneornil(L, arg) && !lua_istable(L, arg))
    sl_error(L, fname, "options must be a table, got %s", luaL_typename(L, arg));
  int t = sl_opttable(L, arg);
  sl_checkkeys(L, t, keys, fname);
  *h = sl_optpos(L, t, "h", sl_check_default_h(), fname);
  *tol = sl_optpos(L, t, "tol", 1e-6, fname);
}

/* The result table from the two vecs at ia, in (absolute indices). */
static int push_result(lua_State *L, const sl_check_result *r, int ia, int in, double h,
                       double tol) {
  lua_createtable(L, 0, 6);
  lua_pushnumber(L, r->max_rel_err);
  lua_setfield(L, -2, "max_rel_err");
  lua_pushinteger(L, (lua_Integer)r->worst + 1);
  lua_setfield(L, -2, "worst");
  lua_pushvalue(L, ia);
  lua_setfield(L, -2, "analytic");
  lua_pushvalue(L, in);
  lua_setfield(L, -2, "numeric");
  lua_pushnumber(L, h);
  lua_setfield(L, -2, "h");
  lua_pushboolean(L, r->max_rel_err <= tol);
  lua_setfield(L, -2, "ok");
  return 1;
}

/* The objective at 1 (a slope.obj or a plain Lua function, wrapped at the top
   of the stack, bound to L either way) for the point at 2. */
static sl_objective *check_obj(lua_State *L, sl_vec **x, const char *fname) {
  *x = sl_tovec(L, 2);
  sl_objective *o = sl_checkobjective(L, 1, (*x)->n, fname);
  if (!sl_testobj(L, 1)) {
    lua_replace(L, 1); /* the wrapper replaces the function: it stays alive and bound */
    sl_testobj(L, 1);
  }
  sl_checkdim(L, 2, *x, o->dim, "x");
  return o;
}

/* A gradient by finite differences has nothing to be checked against. */
static void refuse_fd(lua_State *L, sl_objective *o, const char *fname) {
  const char *how = sl_obj_grad_approx(o);
  if (how)
    sl_error(L, fname,
             "the objective has no analytic gradient (its gradient is %s: f returned only its "
             "value), so there is nothing to check; give f(x, g) that fills g, or "
             "slope.obj.lua{grad = ...}",
             how);
}

static int check_grad(lua_State *L) {
  static const char *fname = "slope.check.grad";
  sl_vec *x;
  sl_objective *o = check_obj(L, &x, fname);
  double h, tol;
  check_opts(L, 3, fname, &h, &tol);
  lua_settop(L, 3);
  sl_vec *a = sl_newvec(L, o->dim); /* 4 */
  sl_vec *n = sl_newvec(L, o->dim); /* 5 */
  sl_check_result r;
  sl_interrupt_clear();
  sl_status st = sl_check_grad(o, x->data, h, a->data, n->data, &r, sl_interrupt_flag());
  if (st == SL_EINTERRUPTED) return sl_interrupt_check(L);
  if (st < 0) return sl_obj_error(L, fname, o, st);
  refuse_fd(L, o, fname); /* a plain function shows what it is at its first call */
  return push_result(L, &r, 4, 5, h, tol);
}

static int check_hvp(lua_State *L) {
  static const char *fname = "slope.check.hvp";
  sl_vec *x;
  sl_objective *o = check_obj(L, &x, fname);
  sl_vec *v = sl_tovec(L, 3);
  sl_checkdim(L, 3, v, o->dim, "v");
  double h, tol;
  check_opts(L, 4, fname, &h, &tol);
  lua_settop(L, 4);
  sl_vec *a = sl_newvec(L, o->dim); /* 5 */
  sl_vec *n = sl_newvec(L, o->dim); /* 6 */
  sl_check_result r;
  sl_status st = sl_check_hvp(o, x->data, v->data, h, a->data, n->data, &r);
  if (st < 0) return sl_obj_error(L, fname, o, st);
  push_result(L, &r, 5, 6, h, tol);
  int exact = sl_obj_has_exact_hvp(o);
  lua_pushboolean(L, exact);
  lua_setfield(L, -2, "exact_hvp");
  if (!exact) {
    lua_pushliteral(L, "f has no analytic Hessian-vector product: f:hvp is itself differences of "
                       "gradients, so this compares two difference schemes");
    lua_setfield(L, -2, "note");
  }
  return 1;
}

static const sl_reg check_funcs[] = {
    {"grad", check_grad,
     "slope.check.grad(f, x [, {h=6e-6, tol=1e-6}]) -> {max_rel_err, worst, analytic, numeric, h, "
     "ok}",
     "Gradient at x vs central differences with steps h*max(1,|x_i|); error per coordinate "
     "|a-n|/max(1,|a|,|n|), worst is 1-based, ok = max_rel_err <= tol (h = cbrt(eps), tol = "
     "1e-6 by default). f is a slope.obj.* or a function f(x, g) -> value that fills g; an "
     "objective whose gradient is itself finite differences (value only) is refused: there is "
     "nothing to check."},
    {"hvp", check_hvp,
     "slope.check.hvp(f, x, v [, {h=6e-6, tol=1e-6}]) -> {max_rel_err, worst, analytic, numeric, "
     "h, ok}",
     "f:hvp(x, v) vs (g(x+tv) - g(x-tv))/2t, t = h*max(1,|x|)/|v|; same objectives, options (h, "
     "tol), error measure and fields as slope.check.grad, plus exact_hvp (false, with a note, "
     "when f:hvp is itself differences of gradients: then two difference schemes are "
     "compared)."},
    {NULL, NULL, NULL, NULL}};

int sl_open_check(lua_State *L, int slope) {
  lua_newtable(L);
  int t = lua_gettop(L);
  sl_setfuncs(L, t, check_funcs, "slope.check");
  sl_sethelp(L, t, "slope.check", "slope.check.grad(f, x), slope.check.hvp(f, x, v)",
             "Derivative checks against central finite differences.");
  lua_setfield(L, slope, "check");
  return 0;
}
