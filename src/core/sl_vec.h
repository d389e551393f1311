/*
** sl_vec.h — dense float64 vector kernels on raw arrays.
** Every function works on (n, pointer) pairs so that vectors, matrix rows
** and optimizer state share one set of loops. None allocates.
*/
#ifndef SL_VEC_H
#define SL_VEC_H

#include <stddef.h>

/* A vector owned by the caller: n entries at data. */
typedef struct sl_vec {
  size_t n;
  double *data;
} sl_vec;

void sl_vec_fill(size_t n, double *x, double v);
void sl_vec_copy(size_t n, double *dst, const double *src);
void sl_vec_scale(size_t n, double *x, double a);
void sl_vec_axpy(size_t n, double *x, double a, const double *y); /* x += a*y */
void sl_vec_add(size_t n, double *x, const double *y);            /* x += y */
void sl_vec_mul(size_t n, double *x, const double *y);            /* x *= y (elementwise) */
void sl_vec_linspace(size_t n, double *x, double a, double b);

/* Elementwise maps out[i] = f(x[i]); out may be x (in place). Domain errors are
   IEEE's: sqrt(-1) and log(-1) are NaN, log(0) is -inf; NaN stays NaN. */
void sl_vec_abs(size_t n, double *out, const double *x);
void sl_vec_sqrt(size_t n, double *out, const double *x);
void sl_vec_exp(size_t n, double *out, const double *x);
void sl_vec_log(size_t n, double *out, const double *x);
/* out[i] = min(max(x[i], lo), hi) with lo <= hi; NaN entries stay NaN. */
void sl_vec_clamp(size_t n, double *out, const double *x, double lo, double hi);

double sl_vec_dot(size_t n, const double *x, const double *y);
double sl_vec_nrm2(size_t n, const double *x); /* overflow-safe 2-norm */
double sl_vec_nrm1(size_t n, const double *x);
double sl_vec_nrminf(size_t n, const double *x);
double sl_vec_nrmp(size_t n, const double *x, double p); /* p >= 1; p = inf allowed */
double sl_vec_sum(size_t n, const double *x);
double sl_vec_min(size_t n, const double *x);    /* n >= 1; NaN propagates */
double sl_vec_max(size_t n, const double *x);    /* n >= 1; NaN propagates */
size_t sl_vec_argmax(size_t n, const double *x); /* 0-based, first maximum; n >= 1 */
int sl_vec_isfinite(size_t n, const double *x);  /* 1 if every entry is finite */

#endif
