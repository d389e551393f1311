/*
** lspectrum.c — slope.spectrum: extreme Hessian eigenpairs (Lanczos, power),
** Hutchinson's trace, the spectral density by stochastic Lanczos quadrature,
** the condition number, and dense symmetric eigendecomposition.
** All numerics are in src/core/sl_spectrum.h; this file checks and converts.
*/
#include <math.h>
#include <string.h>

#include "laux.h"
#include "lobj.h"
#include "lrng.h"
#include "sl_spectrum.h"

/* opts.rng: a slope.rng, or the state's default generator when absent. */
static sl_rng *opt_rng(lua_State *L, int t, const char *fname) {
  if (lua_getfield(L, t, "rng") == LUA_TNIL) {
    sl_rng *def = sl_optrng(L, -1); /* nil: the default generator */
    lua_pop(L, 1);
    return def;
  }
  sl_rng *r = luaL_testudata(L, -1, SL_RNG);
  if (r == NULL) sl_error(L, fname, "rng must be a slope.rng, got %s", luaL_typename(L, -1));
  lua_pop(L, 1); /* still referenced by the options table */
  return r;
}

/* opts.v0: a vec or table of dim numbers, left on the stack; NULL when absent. */
static const double *opt_v0(lua_State *L, int t, size_t dim, const char *fname) {
  if (lua_getfield(L, t, "v0") == LUA_TNIL) {
    lua_pop(L, 1);
    return NULL;
  }
  if (!sl_testvec(L, -1) && !lua_istable(L, -1))
    sl_error(L, fname, "v0 must be a vec or a table of numbers, got %s", luaL_typename(L, -1));
  sl_vec *v = sl_tovec(L, lua_gettop(L));
  if (v->n != dim)
    sl_error(L, fname, "dimension mismatch: v0 has %d entries, expected %d (f.dim)", (int)v->n,
             (int)dim);
  if (!sl_vec_isfinite(v->n, v->data)) sl_error(L, fname, "v0 must be finite");
  return v->data;
}

static void setnum(lua_State *L, const char *k, double v) {
  lua_pushnumber(L, v);
  lua_setfield(L, -2, k);
}
static void setint(lua_State *L, const char *k, size_t v) {
  lua_pushinteger(L, (lua_Integer)v);
  lua_setfield(L, -2, k);
}
static void setbool(lua_State *L, const char *k, int v) {
  lua_pushboolean(L, v);
  lua_setfield(L, -2, k);
}

static const char *const eig_keys[] = {"k",  "tol",    "maxiter",   "rng",
                                       "v0", "method", "criterion", NULL};

/* opts.criterion: what Lanczos's tol bounds ("residual", the default, or "value"). */
static sl_eig_criterion opt_criterion(lua_State *L, int t, const char *fname) {
  const char *c = sl_optstr(L, t, "criterion", "residual", fname);
  if (strcmp(c, "residual") == 0) return SL_EIG_RESIDUAL;
  if (strcmp(c, "value") == 0) return SL_EIG_VALUE;
  return (sl_eig_criterion)sl_error(L, fname,
                                    "criterion must be \"residual\" or \"value\", got \"%s\"", c);
}

static int eig_common(lua_State *L, sl_eig_which which, const char *fname) {
  sl_objective *o = sl_checkobj_arg(L, 1, fname, "f");
  sl_vec *x = sl_checkpoint(L, 2, o->dim, fname, "x");
  int t = sl_checkopts(L, 3, eig_keys, fname);
  size_t n = o->dim;
  sl_eig_opts opt = sl_eig_opts_default();
  opt.which = which;
  lua_Integer k = sl_optint(L, t, "k", 1, 1, fname);
  if ((size_t)k > n)
    return sl_error(L, fname, "k = %I exceeds the dimension %I", k, (lua_Integer)n);
  opt.k = (size_t)k;
  opt.tol = sl_optpos(L, t, "tol", 1e-6, fname);
  opt.maxiter = (size_t)sl_optint(L, t, "maxiter", 0, 1, fname);
  const char *method = sl_optstr(L, t, "method", "lanczos", fname);
  int power = strcmp(method, "power") == 0;
  if (!power && strcmp(method, "lanczos") != 0)
    return sl_error(L, fname, "method must be \"lanczos\" or \"power\", got \"%s\"", method);
  if (power && which == SL_EIG_BOTTOM)
    return sl_error(L, fname,
                    "method \"power\" finds the largest |eigenvalues| only; use \"lanczos\"");
  opt.criterion = opt_criterion(L, t, fname);
  if (power && opt.criterion != SL_EIG_RESIDUAL)
    return sl_error(L, fname,
                    "criterion applies to method \"lanczos\" (power stops on the change of the "
                    "Rayleigh quotient)");
  opt.rng = opt_rng(L, t, fname);
  opt.v0 = opt_v0(L, t, n, fname);
  if (opt.v0 && sl_vec_nrm2(n, opt.v0) == 0.0) return sl_error(L, fname, "v0 must not be zero");
  double *vals = lua_newuserdatauv(L, opt.k * sizeof(double), 0);
  double *vecs = lua_newuserdatauv(L, opt.k * n * sizeof(double), 0);
  sl_eig_info info;
  sl_interrupt_clear();
  opt.stop = sl_interrupt_flag();
  sl_status st = power ? sl_spectrum_power(o, x->data, &opt, vals, vecs, &info)
                       : sl_spectrum_lanczos(o, x->data, &opt, vals, vecs, &info);
  if (st < 0) return sl_obj_error(L, fname, o, st); /* "interrupted!" too */
  lua_createtable(L, 0, 9);
  sl_vec *v = sl_newvec(L, opt.k);
  memcpy(v->data, vals, opt.k * sizeof(double));
  lua_setfield(L, -2, "values");
  lua_createtable(L, (int)opt.k, 0);
  for (size_t i = 0; i < opt.k; i++) {
    sl_vec *y = sl_newvec(L, n);
    memcpy(y->data, vecs + i * n, n * sizeof(double));
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_setfield(L, -2, "vectors");
  sl_vec *res = sl_newvec(L, opt.k < 64 ? opt.k : 64);
  memcpy(res->data, info.resid, res->n * sizeof(double));
  lua_setfield(L, -2, "residuals");
  setint(L, "nhvp", info.nhvp);
  setint(L, "iters", info.iters);
  setbool(L, "converged", info.converged);
  setbool(L, "exact_hvp", sl_obj_has_exact_hvp(o));
  lua_pushstring(L, method);
  lua_setfield(L, -2, "method");
  return 1;
}

static int spec_top(lua_State *L) { return eig_common(L, SL_EIG_TOP, "slope.spectrum.top"); }
static int spec_bottom(lua_State *L) {
  return eig_common(L, SL_EIG_BOTTOM, "slope.spectrum.bottom");
}

static int spec_trace(lua_State *L) {
  const char *fname = "slope.spectrum.trace";
  static const char *const keys[] = {"samples", "rng", NULL};
  sl_objective *o = sl_checkobj_arg(L, 1, fname, "f");
  sl_vec *x = sl_checkpoint(L, 2, o->dim, fname, "x");
  int t = sl_checkopts(L, 3, keys, fname);
  size_t samples = (size_t)sl_optint(L, t, "samples", 100, 1, fname);
  sl_rng *r = opt_rng(L, t, fname);
  double tr, se;
  size_t nhvp;
  sl_interrupt_clear();
  sl_status st = sl_spectrum_trace(o, x->data, samples, r, sl_interrupt_flag(), &tr, &se, &nhvp);
  if (st < 0) return sl_obj_error(L, fname, o, st); /* "interrupted!" too */
  lua_createtable(L, 0, 5);
  setnum(L, "trace", tr);
  setnum(L, "stderr", se);
  setint(L, "samples", samples);
  setint(L, "nhvp", nhvp);
  setbool(L, "exact_hvp", sl_obj_has_exact_hvp(o));
  return 1;
}

static int spec_density(lua_State *L) {
  const char *fname = "slope.spectrum.density";
  static const char *const keys[] = {"steps", "probes", "rng", "sigma", "grid", NULL};
  sl_objective *o = sl_checkobj_arg(L, 1, fname, "f");
  sl_vec *x = sl_checkpoint(L, 2, o->dim, fname, "x");
  int t = sl_checkopts(L, 3, keys, fname);
  size_t steps = (size_t)sl_optint(L, t, "steps", 80, 1, fname);
  size_t probes = (size_t)sl_optint(L, t, "probes", 10, 1, fname);
  size_t ngrid = (size_t)sl_optint(L, t, "grid", 200, 2, fname);
  int has_sigma = lua_getfield(L, t, "sigma") != LUA_TNIL;
  lua_pop(L, 1);
  double sigma = sl_optpos(L, t, "sigma", 1.0, fname); /* checked here; default set below */
  sl_rng *r = opt_rng(L, t, fname);
  if (steps > o->dim) steps = o->dim;
  if (steps > 100000 || probes > 100000 || ngrid > 1000000)
    return sl_error(L, fname, "steps, probes or grid too large");
  size_t cap = steps * probes;
  double *nodes = lua_newuserdatauv(L, (cap ? cap : 1) * sizeof(double), 0);
  double *weights = lua_newuserdatauv(L, (cap ? cap : 1) * sizeof(double), 0);
  size_t count = 0, nhvp = 0;
  sl_interrupt_clear();
  sl_status st = sl_spectrum_slq(o, x->data, steps, probes, r, sl_interrupt_flag(), nodes, weights,
                                 &count, &nhvp);
  if (st < 0) return sl_obj_error(L, fname, o, st); /* "interrupted!" too */
  if (!has_sigma) { /* 1% of the spectrum's width (or of its magnitude if it is a point) */
    double lo = sl_vec_min(count, nodes), hi = sl_vec_max(count, nodes);
    sigma = hi > lo ? 0.01 * (hi - lo) : 0.01 * fmax(fabs(hi), 1e-12);
  }
  lua_createtable(L, 0, 10);
  sl_vec *g = sl_newvec(L, ngrid);
  lua_setfield(L, -2, "grid");
  sl_vec *d = sl_newvec(L, ngrid);
  lua_setfield(L, -2, "density");
  sl_spectrum_density(count, nodes, weights, sigma, ngrid, g->data, d->data);
  sl_vec *nv = sl_newvec(L, count);
  memcpy(nv->data, nodes, count * sizeof(double));
  lua_setfield(L, -2, "nodes");
  sl_vec *wv = sl_newvec(L, count);
  memcpy(wv->data, weights, count * sizeof(double));
  lua_setfield(L, -2, "weights");
  double tr = 0.0; /* tr(H) = dim * E[v^T H v] for unit v: n sum w theta */
  for (size_t i = 0; i < count; i++) tr += weights[i] * nodes[i];
  setnum(L, "trace", tr * (double)o->dim);
  setnum(L, "sigma", sigma);
  setint(L, "nhvp", nhvp);
  setint(L, "steps", steps);
  setint(L, "probes", probes);
  setbool(L, "exact_hvp", sl_obj_has_exact_hvp(o));
  return 1;
}

static int spec_condition(lua_State *L) {
  const char *fname = "slope.spectrum.condition";
  static const char *const keys[] = {"tol", "maxiter", "rng", "criterion", NULL};
  sl_objective *o = sl_checkobj_arg(L, 1, fname, "f");
  sl_vec *x = sl_checkpoint(L, 2, o->dim, fname, "x");
  int t = sl_checkopts(L, 3, keys, fname);
  sl_eig_opts opt = sl_eig_opts_default();
  opt.tol = sl_optpos(L, t, "tol", 1e-6, fname);
  opt.criterion = opt_criterion(L, t, fname);
  opt.maxiter = (size_t)sl_optint(L, t, "maxiter", 0, 1, fname);
  opt.rng = opt_rng(L, t, fname);
  if (o->dim == 0) return sl_error(L, fname, "the objective has dimension 0");
  double hi, lo;
  sl_eig_info i1, i2;
  sl_interrupt_clear();
  opt.stop = sl_interrupt_flag();
  sl_status st = sl_spectrum_lanczos(o, x->data, &opt, &hi, NULL, &i1);
  if (st < 0) return sl_obj_error(L, fname, o, st); /* "interrupted!" too */
  opt.which = SL_EIG_BOTTOM;
  st = sl_spectrum_lanczos(o, x->data, &opt, &lo, NULL, &i2);
  if (st < 0) return sl_obj_error(L, fname, o, st); /* "interrupted!" too */
  lua_createtable(L, 0, 6);
  setnum(L, "lambda_max", hi);
  setnum(L, "lambda_min", lo);
  setint(L, "nhvp", i1.nhvp + i2.nhvp);
  setbool(L, "converged", i1.converged && i2.converged);
  if (lo > 0.0) {
    setnum(L, "condition", hi / lo);
  } else {
    setnum(L, "condition", (double)NAN);
    lua_pushliteral(L, "lambda_min <= 0: the Hessian is not positive definite at x, "
                       "so the condition number is undefined");
    lua_setfield(L, -2, "note");
  }
  return 1;
}

static int spec_eigs(lua_State *L) {
  const char *fname = "slope.spectrum.eigs";
  static const char *const keys[] = {"order", NULL};
  sl_mat *h = sl_tomat(L, 1);
  int t = sl_checkopts(L, 2, keys, fname);
  const char *order = sl_optstr(L, t, "order", "asc", fname);
  int desc = strcmp(order, "desc") == 0;
  if (!desc && strcmp(order, "asc") != 0)
    return sl_error(L, fname, "order must be \"asc\" or \"desc\", got \"%s\"", order);
  if (h->rows != h->cols) {
    const char *msg = lua_pushfstring(L, "square matrix expected, got %I x %I",
                                      (lua_Integer)h->rows, (lua_Integer)h->cols);
    return luaL_argerror(L, 1, msg);
  }
  size_t n = h->rows;
  sl_vec *w = sl_newvec(L, n);
  sl_mat *v = sl_newmat(L, n, n);
  sl_status st = sl_spectrum_eigs_dense(n, h->data, w->data, v->data);
  if (st == SL_EINVAL) return luaL_argerror(L, 1, "symmetric finite matrix expected");
  if (st < 0) return sl_status_error(L, fname, st, "LAPACK dsyevd failed");
  if (desc) {
    for (size_t i = 0; i < n / 2; i++) {
      size_t j = n - 1 - i;
      double tmp = w->data[i];
      w->data[i] = w->data[j];
      w->data[j] = tmp;
      for (size_t r = 0; r < n; r++) {
        double *row = v->data + r * n;
        tmp = row[i];
        row[i] = row[j];
        row[j] = tmp;
      }
    }
  }
  return 2;
}

static const sl_reg spectrum_funcs[] = {
    {"top", spec_top,
     "slope.spectrum.top(f, x [, {k=1, tol=1e-6, maxiter, rng, v0, method=\"lanczos\", "
     "criterion=\"residual\"}]) -> {values, vectors, nhvp, converged, ...}",
     "The k largest Hessian eigenvalues at x (descending) with unit eigenvectors, by Lanczos with "
     "full reorthogonalization (tol: residual |Hy - ty| <= tol |t|; criterion=\"value\": the "
     "eigenvalue's error, estimated as min(res, res^2/gap), fewer HVPs), or method=\"power\" "
     "(largest |eigenvalue|, PyHessian's rule)."},
    {"bottom", spec_bottom,
     "slope.spectrum.bottom(f, x [, {k=1, tol=1e-6, maxiter, rng, v0, method=\"lanczos\", "
     "criterion=\"residual\"}]) -> {values, vectors, nhvp, converged, ...}",
     "The k smallest (most negative) eigenvalues, ascending, with eigenvectors: values[1] < 0 "
     "marks a saddle and vectors[1] its direction of negative curvature. Options as for "
     "slope.spectrum.top; method is \"lanczos\" only (power iteration finds the largest "
     "|eigenvalue|)."},
    {"trace", spec_trace,
     "slope.spectrum.trace(f, x [, {samples=100, rng}]) -> {trace, stderr, samples, nhvp}",
     "Hutchinson's estimate of tr H(x): the mean of z'Hz over Rademacher z, with its standard "
     "error."},
    {"density", spec_density,
     "slope.spectrum.density(f, x [, {steps=80, probes=10, rng, sigma, grid=200}]) -> {grid, "
     "density, nodes, weights, trace, ...}",
     "Spectral density by stochastic Lanczos quadrature (Ghorbani et al. 2019), Gaussian-broadened "
     "by "
     "sigma (default 1% of the spectrum's width); nodes/weights are the Ritz values and quadrature "
     "weights (sum 1)."},
    {"condition", spec_condition,
     "slope.spectrum.condition(f, x [, {tol, maxiter, rng, criterion}]) -> {condition, lambda_max, "
     "lambda_min, nhvp [, note]}",
     "lambda_max / lambda_min of H(x) by Lanczos; when lambda_min <= 0, condition is NaN and note "
     "says why."},
    {"eigs", spec_eigs, "slope.spectrum.eigs(H [, {order=\"asc\"}]) -> values, vectors",
     "Eigen-decomposition of a dense symmetric mat (LAPACK dsyevd): values ascending "
     "(order=\"desc\" "
     "for descending), vectors a mat whose column i belongs to values[i]."},
    {NULL, NULL, NULL, NULL}};

int sl_open_spectrum(lua_State *L, int slope) {
  lua_newtable(L);
  sl_setfuncs(L, -1, spectrum_funcs, "slope.spectrum");
  sl_sethelp(L, -1, "slope.spectrum", "slope.spectrum.<fn>(f, x, {...})",
             "Hessian spectrum probes: extreme eigenpairs, trace, density, condition number.");
  lua_setfield(L, slope, "spectrum");
  return 0;
}
