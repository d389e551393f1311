/*
** lcheck.c — slope.check.grad and slope.check.hvp: an objective's analytic
** derivatives against central finite differences (core: src/core/sl_check.c).
*/
#include "laux.h"
#include "lobj.h"
#include "sl_testfns.h"

/* opts: h (step; relative to max(1, |x_i|) unless abs = true), tol (for .ok). */
static void read_opts(lua_State *L, int arg, const char *fname, double *h, int *rel, double *tol) {
  static const char *const keys[] = {"h", "abs", "tol", NULL};
  if (!lua_isnoneornil(L, arg) && !lua_istable(L, arg))
    sl_error(L, fname, "options must be a table, got %s", luaL_typename(L, arg));
  sl_checkkeys(L, arg, keys, fname);
  *h = sl_optpos(L, arg, "h", 0.0, fname);
  *rel = !sl_optbool(L, arg, "abs", 0, fname);
  *tol = sl_optpos(L, arg, "tol", 1e-6, fname);
  if (*h == 0.0) *h = sl_check_default_step();
}

/* Stack: ..., analytic, numeric (vecs). Pushes the result table. */
static void push_result(lua_State *L, const sl_check_result *r, double h, double tol, int ia,
                        int in) {
  lua_createtable(L, 0, 7);
  lua_pushnumber(L, r->max_rel_err);
  lua_setfield(L, -2, "max_rel_err");
  lua_pushnumber(L, r->max_abs_err);
  lua_setfield(L, -2, "max_abs_err");
  lua_pushinteger(L, (lua_Integer)r->worst + 1);
  lua_setfield(L, -2, "worst");
  lua_pushboolean(L, r->max_rel_err <= tol);
  lua_setfield(L, -2, "ok");
  lua_pushnumber(L, h);
  lua_setfield(L, -2, "h");
  lua_pushvalue(L, ia);
  lua_setfield(L, -2, "analytic");
  lua_pushvalue(L, in);
  lua_setfield(L, -2, "numeric");
}

static int check_grad(lua_State *L) {
  const char *fname = "slope.check.grad";
  sl_objective *o = sl_checkobj(L, 1);
  sl_vec *x = sl_tovec(L, 2);
  sl_checkdim(L, 2, x, o->dim, "x");
  if (!sl_vec_isfinite(x->n, x->data)) luaL_argerror(L, 2, "x has a NaN or Inf entry");
  double h, tol;
  int rel;
  read_opts(L, 3, fname, &h, &rel, &tol);
  lua_settop(L, 3);
  sl_vec *a = sl_newvec(L, o->dim);  /* 4 */
  sl_vec *nu = sl_newvec(L, o->dim); /* 5 */
  sl_check_result r;
  sl_interrupt_clear();
  sl_status st = sl_check_grad(o, x->data, h, rel, a->data, nu->data, &r, sl_interrupt_flag());
  if (st == SL_EINTERRUPTED) {
    sl_interrupt_clear();
    return luaL_error(L, "interrupted!");
  }
  if (st < 0) return sl_obj_error(L, fname, o, st);
  push_result(L, &r, h, tol, 4, 5);
  return 1;
}

static int check_hvp(lua_State *L) {
  const char *fname = "slope.check.hvp";
  sl_objective *o = sl_checkobj(L, 1);
  sl_vec *x = sl_tovec(L, 2);
  sl_checkdim(L, 2, x, o->dim, "x");
  sl_vec *v = sl_tovec(L, 3);
  sl_checkdim(L, 3, v, o->dim, "v");
  if (!sl_vec_isfinite(x->n, x->data)) luaL_argerror(L, 2, "x has a NaN or Inf entry");
  if (!sl_vec_isfinite(v->n, v->data)) luaL_argerror(L, 3, "v has a NaN or Inf entry");
  double h, tol;
  int rel;
  read_opts(L, 4, fname, &h, &rel, &tol);
  lua_settop(L, 4);
  sl_vec *a = sl_newvec(L, o->dim);  /* 5 */
  sl_vec *nu = sl_newvec(L, o->dim); /* 6 */
  sl_check_result r;
  sl_status st = sl_check_hvp(o, x->data, v->data, h, rel, a->data, nu->data, &r);
  if (st < 0) return sl_obj_error(L, fname, o, st);
  push_result(L, &r, h, tol, 5, 6);
  return 1;
}

static const sl_reg check_funcs[] = {
    {"grad", check_grad,
     "slope.check.grad(f, x [, {h=, abs=false, tol=1e-6}]) -> {max_rel_err, worst, ok, analytic, numeric, ...}",
     "Gradient vs central differences (f(x+h_i e_i) - f(x-h_i e_i))/2h_i, h_i = h max(1,|x_i|), h = eps^(1/3) "
     "(abs=true: h_i = h). err_i = |a_i-n_i|/max(1,|a_i|,|n_i|); worst is the 1-based argmax; ok = max_rel_err <= tol."},
    {"hvp", check_hvp,
     "slope.check.hvp(f, x, v [, {h=, abs=false, tol=1e-6}]) -> {max_rel_err, worst, ok, analytic, numeric, ...}",
     "f:hvp(x, v) vs (g(x+tv) - g(x-tv))/2t, t = h max(1,|x|_inf)/|v|_inf (abs=true: t = h); errors as in "
     "slope.check.grad."},
    {NULL, NULL, NULL, NULL}};

int sl_open_check(lua_State *L, int slope) {
  lua_newtable(L);
  sl_setfuncs(L, -1, check_funcs, "slope.check");
  sl_sethelp(L, -1, "slope.check", "slope.check.grad / slope.check.hvp",
             "Derivative checks against central finite differences.");
  lua_setfield(L, slope, "check");
  return 0;
}
