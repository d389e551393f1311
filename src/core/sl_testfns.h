/*
** sl_testfns.h — classic test functions for optimization with analytic
** gradients and Hessian-vector products, and the quadratic
**     f(x) = 1/2 x^T A x - b^T x
** given either A or its spectrum (A = Q diag(eigs) Q^T, Q random orthogonal).
** Minimizers and minimum values are documented with each constructor.
*/
#ifndef SL_TESTFNS_H
#define SL_TESTFNS_H

#include <stddef.h>
#include <stdint.h>

#include "sl_objective.h"

/* Chained Rosenbrock, n >= 2: sum_{i<n-1} 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2.
   Minimum 0 at (1, ..., 1). Start (-1.2, 1, -1.2, 1, ...). NULL on ENOMEM. */
sl_objective *sl_obj_rosenbrock(size_t n);
/* Beale: sum_{k=1..3} (c_k - x + x y^k)^2, c = (1.5, 2.25, 2.625). Min 0 at (3, 0.5). Start (1, 1).
 */
sl_objective *sl_obj_beale(void);
/* Booth: (x + 2y - 7)^2 + (2x + y - 5)^2. Min 0 at (1, 3). Start (0, 0). */
sl_objective *sl_obj_booth(void);
/* Himmelblau: (x^2 + y - 11)^2 + (x + y^2 - 7)^2. Four minima of value 0:
   (3, 2) and approximately (-2.805118, 3.131313), (-3.779310, -3.283186), (3.584428, -1.848127)
   (full precision from sl_testfn_minimizers). Start (0, 0). */
sl_objective *sl_obj_himmelblau(void);
/* Rastrigin: 10 n + sum x_i^2 - 10 cos(2 pi x_i). Min 0 at 0. Start uniform in [-5.12, 5.12]^n. */
sl_objective *sl_obj_rastrigin(size_t n);
/* Ackley: -20 exp(-0.2 sqrt(|x|^2/n)) - exp(sum cos(2 pi x_i)/n) + 20 + e. Min 0 at 0
   (not differentiable there; the gradient returned at 0 is 0). Start uniform in [-5, 5]^n. */
sl_objective *sl_obj_ackley(size_t n);
/* Styblinski-Tang: 1/2 sum x_i^4 - 16 x_i^2 + 5 x_i. Min -39.16616570377141 n at
   x_i = -2.903534027771177. Start uniform in [-5, 5]^n. */
sl_objective *sl_obj_styblinski_tang(size_t n);
/* x^2 - y^2: a saddle at 0, unbounded below. Start (1, 1e-3). */
sl_objective *sl_obj_saddle(void);
/* Monkey saddle x^3 - 3 x y^2: a degenerate saddle at 0 (H = 0). Start (1, 1e-3). */
sl_objective *sl_obj_monkey_saddle(void);

/* Ring (|x|^2 - 1)^2, n >= 1: the unit sphere of minima (value 0), a maximum
   at 0 (H = -4 I); H = 4 (|x|^2 - 1) I + 8 x x^T. No start (zeros); not a
   listed test function (no fmin, no minimizers). */
sl_objective *sl_obj_ring(size_t n);

/* The known minimum value of a test function at dimension n (NaN for the saddles). */
/* The k-th documented minimizer into x (dim entries; x may be NULL when k >= count,
   e.g. k = SIZE_MAX to count); returns how many there are
   (0 for the saddles and non-test objectives; x untouched when k >= count). */
size_t sl_testfn_minimizers(const sl_objective *o, size_t k, double *x);
double sl_testfn_fmin(const sl_objective *o);

/* Quadratic from A (n x n row-major, symmetric, copied) and b (n entries, NULL = 0).
   Returns NULL with *st = SL_EINVAL when A is not symmetric (|a_ij - a_ji| >
   1e-12 max(1, |a_ij|)) or holds NaN/Inf, SL_ENOMEM on allocation failure. */
sl_objective *sl_obj_quadratic(size_t n, const double *A, const double *b, sl_status *st);
/* Quadratic with A = Q diag(eigs) Q^T, Q from the QR factorization of an n x n
   standard normal matrix drawn with sl_rng seeded by seed (signs fixed so that
   R has a positive diagonal: Q is Haar-distributed). */
sl_objective *sl_obj_quadratic_eigs(size_t n, const double *eigs, const double *b, uint64_t seed,
                                    sl_status *st);
/* 1 if o is a quadratic made by the two constructors above. */
int sl_obj_is_quadratic(const sl_objective *o);
/* The matrix A (n x n row-major, owned by o) and b (n entries). */
const double *sl_quadratic_A(const sl_objective *o);
const double *sl_quadratic_b(const sl_objective *o);
/* x* = A^{-1} b by a symmetric solve (LAPACK dsysv); SL_EINVAL if A is singular. */
sl_status sl_quadratic_minimizer(sl_objective *o, double *x);

#endif
