/*
** lspectrum_toy.c — slope.spectrum.toy: small objectives whose curvature is
** known in closed form (src/core/sl_toyobj.h), to try every probe on and to
** test them: a dense quadratic, least squares with per-sample gradients, the ring.
*/
#include <math.h>

#include "laux.h"
#include "lobj.h"
#include "sl_toyobj.h"

/* sl_pushobj with nothing to keep alive. (sl_pushobj(L, o, 0, 0) loses the
   userdata in lobj.c as of this writing, so one placeholder is kept.) */
static void pushobj(lua_State *L, sl_objective *o) {
  lua_pushboolean(L, 1);
  sl_pushobj(L, o, 1, 0);
}

/* opts.exact_hvp (default true): false withholds the analytic HVP. */
static int exact_opt(lua_State *L, int arg, const char *fname) {
  static const char *const keys[] = {"exact_hvp", NULL};
  if (lua_isnoneornil(L, arg)) return 1;
  luaL_checktype(L, arg, LUA_TTABLE);
  sl_checkkeys(L, arg, keys, fname);
  return sl_optbool(L, arg, "exact_hvp", 1, fname);
}

static int toy_quadratic(lua_State *L) {
  const char *fname = "slope.spectrum.toy.quadratic";
  sl_mat *a = sl_tomat(L, 1);
  if (a->rows != a->cols || a->rows == 0) {
    const char *msg = lua_pushfstring(L, "non-empty square matrix expected, got %I x %I",
                                      (lua_Integer)a->rows, (lua_Integer)a->cols);
    return luaL_argerror(L, 1, msg);
  }
  size_t n = a->rows;
  double amax = 0.0; /* symmetric within rounding (e.g. M M^T from dgemm) */
  for (size_t i = 0; i < n * n; i++) {
    if (!isfinite(a->data[i])) return luaL_argerror(L, 1, "symmetric finite matrix expected");
    amax = fmax(amax, fabs(a->data[i]));
  }
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < i; j++)
      if (!(fabs(a->data[i * n + j] - a->data[j * n + i]) <= 1e-10 * amax))
        return luaL_argerror(L, 1, "symmetric finite matrix expected");
  const double *b = NULL;
  int oarg = 2;
  if (sl_testvec(L, 2) || (lua_istable(L, 2) && lua_rawlen(L, 2) > 0)) {
    sl_vec *bv = sl_tovec(L, 2);
    sl_checkdim(L, 2, bv, n, "b");
    for (size_t i = 0; i < n; i++)
      if (!isfinite(bv->data[i])) return luaL_argerror(L, 2, "finite entries expected");
    b = bv->data;
    oarg = 3;
  }
  int exact = exact_opt(L, oarg, fname);
  pushobj(L, sl_toy_quadratic(n, a->data, b, exact));
  return 1;
}

static int toy_least_squares(lua_State *L) {
  const char *fname = "slope.spectrum.toy.least_squares";
  sl_mat *X = sl_tomat(L, 1);
  sl_vec *y = sl_tovec(L, 2);
  if (X->rows == 0 || X->cols == 0) return luaL_argerror(L, 1, "non-empty matrix expected");
  sl_checkdim(L, 2, y, X->rows, "y");
  for (size_t i = 0; i < X->rows * X->cols; i++)
    if (!isfinite(X->data[i])) return luaL_argerror(L, 1, "finite matrix expected");
  for (size_t i = 0; i < y->n; i++)
    if (!isfinite(y->data[i])) return luaL_argerror(L, 2, "finite entries expected");
  int exact = exact_opt(L, 3, fname);
  pushobj(L, sl_toy_least_squares(X->rows, X->cols, X->data, y->data, exact));
  return 1;
}

static int toy_ring(lua_State *L) {
  size_t n = sl_checksize(L, 1, 1);
  int exact = exact_opt(L, 2, "slope.spectrum.toy.ring");
  pushobj(L, sl_toy_ring(n, exact));
  return 1;
}

static const sl_reg toy_funcs[] = {
    {"quadratic", toy_quadratic,
     "slope.spectrum.toy.quadratic(A [, b] [, {exact_hvp=true}]) -> objective",
     "f(x) = x'Ax/2 - b'x for a dense symmetric mat A (any signs; symmetric within 1e-10 max|A|): "
     "its Hessian is A."},
    {"least_squares", toy_least_squares,
     "slope.spectrum.toy.least_squares(X, y [, {exact_hvp=true}]) -> objective",
     "f(x) = mean_i (X_i.x - y_i)^2 / 2, a data objective with per-sample gradients and batches; H "
     "= X'X/n."},
    {"ring", toy_ring, "slope.spectrum.toy.ring(n [, {exact_hvp=true}]) -> objective",
     "f(x) = (|x|^2 - 1)^2: a sphere of minima, a saddle-like maximum at 0 (H = -4I); "
     "straight segments between minima cross a barrier, curves around it do not."},
    {NULL, NULL, NULL, NULL}};

int sl_open_spectrum_toy(lua_State *L, int slope) {
  lua_getfield(L, slope, "spectrum");
  lua_newtable(L);
  sl_setfuncs(L, -1, toy_funcs, "slope.spectrum.toy");
  sl_sethelp(L, -1, "slope.spectrum.toy", "slope.spectrum.toy.<name>(...) -> objective",
             "Objectives with curvature known in closed form, for trying and testing probes.");
  lua_setfield(L, -2, "toy");
  lua_pop(L, 1);
  return 0;
}
