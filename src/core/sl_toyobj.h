/*
** sl_toyobj.h — small objectives with curvature known in closed form, for
** probing and testing the spectrum and probe modules on any build:
**   quadratic      f(x) = 1/2 x^T A x - b^T x         H = A (any symmetric A)
**   least_squares  f(x) = (1/n) sum_i 1/2 (a_i.x - y_i)^2,  H = X^T X / n,
**                  a data objective with per-sample gradients and views
**   ring           f(x) = (|x|^2 - 1)^2: a circle of minima; H = 4(|x|^2-1) I + 8 x x^T
** Each is the real model (sl_obj_quadratic with A made exactly symmetric,
** sl_obj_least_squares_new without intercept or l2, sl_obj_ring) behind a
** wrapper that owns it and its data and shows only fg, per-sample gradients
** and, with exact_hvp = 1, the analytic HVP; with exact_hvp = 0 the HVP is
** withheld, so callers exercise the finite-difference fallback (obj_toy.c).
** NULL on ENOMEM or non-finite input.
*/
#ifndef SL_TOYOBJ_H
#define SL_TOYOBJ_H

#include <stddef.h>

#include "sl_objective.h"

/* A: n x n row-major (used as (A + A^T)/2), copied; b: n entries or NULL (zero), copied. */
sl_objective *sl_toy_quadratic(size_t n, const double *A, const double *b, int exact_hvp);
/* X: rows x cols row-major, y: rows entries, both copied. dim = cols, n = rows. */
sl_objective *sl_toy_least_squares(size_t rows, size_t cols, const double *X, const double *y,
                                   int exact_hvp);
sl_objective *sl_toy_ring(size_t n, int exact_hvp);

#endif
