/*
** sl_residuals.h — least-squares objectives f(x) = |r(x)|^2 for r: R^dim ->
** R^m with a Jacobian J (m x dim), and the Moré–Garbow–Hillstrom test set.
**
** Convention: the value is the plain sum of squares |r|^2 (not scipy's cost
** 1/2 |r|^2), so the gradient is 2 J' r and the Gauss–Newton approximation of
** the Hessian 2 J'J; sl_obj_hvp of a residual objective is that Gauss–Newton
** product 2 J'(J v), not the exact Hessian (sl_res_hvp_kind says so).
**
** Counts: o->nfev counts residual evaluations (a value is one), o->ngev
** gradients, and sl_res_njev Jacobian evaluations (forward differences count
** one Jacobian and dim residual evaluations, as MINPACK's lmdif).
*/
#ifndef SL_RESIDUALS_H
#define SL_RESIDUALS_H

#include <stddef.h>

#include "sl_objective.h"

typedef struct sl_residual_fns {
  const char *name; /* "mgh:rosenbrock", "residuals" */
  /* the m residuals at x. Required. */
  sl_status (*r)(void *ctx, const double *x, double *r);
  /* the Jacobian at x, m x dim row-major (J[i*dim + j] = dr_i/dx_j), on entry
     zeroed. NULL: forward differences. */
  sl_status (*J)(void *ctx, const double *x, double *J);
  void (*destroy)(void *ctx); /* free ctx (NULL: nothing) */
  /* why the last failing r or J call failed (copied into o->msg; NULL: none) */
  const char *(*why)(void *ctx);
} sl_residual_fns;

/* A residual objective over ctx (taken: destroyed with the objective, also on
   failure). NULL with *st set (SL_ENOMEM, SL_EINVAL for m or dim 0). */
sl_objective *sl_obj_residuals(size_t m, size_t dim, const sl_residual_fns *fns, void *ctx,
                               sl_status *st);
int sl_obj_is_residual(const sl_objective *o);
void sl_res_set_name(sl_objective *o, const char *name); /* f.name (at most 63 bytes) */
size_t sl_res_m(const sl_objective *o);
void *sl_res_ctx(const sl_objective *o);
int sl_res_jac_approx(const sl_objective *o);       /* 1: J by forward differences */
const char *sl_res_hvp_kind(const sl_objective *o); /* "gauss_newton" */
unsigned long sl_res_njev(const sl_objective *o);
/* The ctx of an objective's impl (for a binding's bind hook, which gets impl). */
void *sl_res_impl_ctx(void *impl);

/* r(x) into r (one residual evaluation, counted in o->nfev; the last point
   evaluated is remembered, so asking again for it costs nothing). */
sl_status sl_res_eval(sl_objective *o, const double *x, double *r);
/* J(x) into J (m x dim row-major; one Jacobian evaluation, counted in njev and
   o->ngev, unless J at this x is remembered). */
sl_status sl_res_jac(sl_objective *o, const double *x, double *J);

/* Forward-difference step of the Jacobian, relative: h_j = sqrt(eps) max(|x_j|, 1). */
double sl_res_fd_step(double xj);

/* Built-in residual forms. Least squares over a dense X (n x d, borrowed: kept
   alive and unchanged by the caller): f = (1/2n)|X w + b - y|^2 + (l2/2)|w|^2,
   the value of sl_obj_least_squares_new, as |r|^2 with r = [(X w + b - y) /
   sqrt(2n); sqrt(l2/2) w] (m = n, + d when l2 > 0); b = x[d] with intercept. */
struct sl_mat;
sl_objective *sl_obj_residuals_linear(const struct sl_mat *X, const double *y, size_t ny, double l2,
                                      int intercept, sl_status *st);
/* The test functions that are sums of squares, with the value of their
   sl_testfns.h form: "rosenbrock" (chained, n >= 2, m = 2(n-1)), "beale",
   "booth", "himmelblau" (n = 2). NULL with SL_EINVAL for any other. */
sl_objective *sl_obj_residuals_testfn(const char *name, size_t n, sl_status *st);

/* ---- Moré, Garbow & Hillstrom (1981), ACM TOMS 7(1) 17-41 ------------------ */

#define SL_MGH_COUNT 35

typedef struct sl_mgh_info {
  int number;        /* 1..35, the paper's numbering */
  const char *name;  /* "rosenbrock", "freudenstein_roth", ... */
  size_t n, m;       /* the standard sizes used here */
  const char *sizes; /* which n and m may be chosen, in words */
} sl_mgh_info;

/* Problem k (0-based) or NULL. */
const sl_mgh_info *sl_mgh_get(int k);
/* The 0-based index of a problem by name, or -1. */
int sl_mgh_find(const char *name);
/* Check n and m for problem k (0 for "the standard"): the sizes into *n, *m,
   or SL_EINVAL with a sentence in msg. */
sl_status sl_mgh_sizes(int k, size_t *n, size_t *m, char *msg, size_t len);
/* The residual objective of problem k at sizes n, m (checked by sl_mgh_sizes)
   and its standard starting point into x0 (length n). */
sl_objective *sl_obj_mgh(int k, size_t n, size_t m, double *x0, sl_status *st);

#endif
