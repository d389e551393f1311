/*
** sl_testfns.h — classic optimization test functions and dense quadratics,
** each with value, analytic gradient and analytic Hessian-vector product,
** plus the derivative checks (central finite differences) of sl_check.c.
**
** Test functions (x is 0-based here; minima as documented in the Lua help):
**   rosenbrock       sum_{i<n-1} 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2   n >= 2
**   beale            sum_{k=1..3} (c_k - x + x y^k)^2, c = (1.5, 2.25, 2.625)
**   booth            (x + 2y - 7)^2 + (2x + y - 5)^2
**   himmelblau       (x^2 + y - 11)^2 + (x + y^2 - 7)^2
**   rastrigin        10 n + sum_i x_i^2 - 10 cos(2 pi x_i)
**   ackley           -20 exp(-0.2 sqrt(|x|^2/n)) - exp(sum_i cos(2 pi x_i)/n) + 20 + e
**   styblinski_tang  1/2 sum_i x_i^4 - 16 x_i^2 + 5 x_i
**   saddle           x^2 - y^2
**   monkey_saddle    x^3 - 3 x y^2
** Surveys: Jamil & Yang, "A literature survey of benchmark functions for
** global optimization problems" (2013); More, Garbow & Hillstrom (1981).
*/
#ifndef SL_TESTFNS_H
#define SL_TESTFNS_H

#include <stddef.h>
#include <stdint.h>

#include "sl_objective.h"

/* One entry per test function: its name, fixed dimension (0: any n >= min_dim). */
typedef struct sl_testfn_info {
  const char *name;
  size_t fixed_dim; /* 2 for the planar functions, 0 when n is a parameter */
  size_t min_dim;   /* smallest n accepted (rosenbrock: 2) */
} sl_testfn_info;

/* The table of test functions, ended by a {NULL, 0, 0} entry. */
extern const sl_testfn_info sl_testfns[];

/* A test function by name; n is ignored for fixed-dimension functions.
   NULL with *st = SL_EINVAL (unknown name, n too small) or SL_ENOMEM. */
sl_objective *sl_obj_testfn_new(const char *name, size_t n, sl_status *st);

/* ---- quadratics: f(x) = 1/2 x^T A x - b^T x, g = A x - b, H = A ----------- */

/* A: n x n row-major, must be finite and symmetric within 1e-12 max|A_ij|
   (SL_EINVAL otherwise, message in msg); b: n entries or NULL (zero). Both copied. */
sl_objective *sl_obj_quadratic_new(size_t n, const double *A, const double *b, sl_status *st,
                                   char *msg, size_t msglen);

/* A = Q diag(eigs) Q^T with Q Haar-random orthogonal (QR of a Gaussian matrix
   from seed, signs fixed so that diag(R) > 0; Mezzadri 2007). b as above. */
sl_objective *sl_obj_quadratic_eigs_new(size_t n, const double *eigs, const double *b,
                                        uint64_t seed, sl_status *st, char *msg, size_t msglen);

/* The A (n x n, row-major) and b (n) of a quadratic; NULL for other objectives. */
const double *sl_obj_quadratic_matrix(const sl_objective *o);
const double *sl_obj_quadratic_rhs(const sl_objective *o);

/* x = A^{-1} b by Cholesky: SL_EINVAL when A is not positive definite
   (then there is no minimizer). */
sl_status sl_obj_quadratic_minimizer(const sl_objective *o, double *x);

/* ---- derivative checks (sl_check.c) ---------------------------------------- */

typedef struct sl_check_result {
  double max_rel_err; /* max_i |a_i - n_i| / max(1, |a_i|, |n_i|) */
  double max_abs_err; /* max_i |a_i - n_i| */
  size_t worst;       /* 0-based coordinate where max_rel_err is reached */
} sl_check_result;

/* Default relative step: cbrt(DBL_EPSILON) ~ 6.06e-6, optimal for central
   differences (Nocedal & Wright, sec. 8.1, eq. 8.8). */
double sl_check_default_step(void);

/* Compare the gradient at x (into analytic, dim entries) with central
   differences of the value (into numeric): numeric_i = (f(x + h_i e_i) -
   f(x - h_i e_i)) / (2 h_i), h_i = h * max(1, |x_i|) when rel_step, else h.
   h <= 0 means sl_check_default_step() and rel_step. Polls stop per coordinate. */
sl_status sl_check_grad(sl_objective *o, const double *x, double h, int rel_step,
                        double *analytic, double *numeric, sl_check_result *res,
                        sl_stopflag *stop);

/* Compare H(x) v (sl_obj_hvp, into analytic) with (g(x + t v) - g(x - t v)) / 2t
   (into numeric), t = h max(1, |x|_inf) / |v|_inf (h <= 0: default step), or
   t = h when !rel_step. */
sl_status sl_check_hvp(sl_objective *o, const double *x, const double *v, double h, int rel_step,
                       double *analytic, double *numeric, sl_check_result *res);

#endif
