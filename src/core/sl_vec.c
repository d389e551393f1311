/*
** sl_vec.c — dense vector kernels: plain loops the compiler vectorizes.
** Elementwise updates of long vectors are split across threads (one core
** cannot saturate memory bandwidth here); reductions stay serial so their
** results do not depend on the thread count.
*/
#include "sl_vec.h"

#include <math.h>

/* Below this length a parallel region costs more than it saves (an OpenMP
   region with a false if-clause still costs ~0.3 us, hence explicit branches). */
#define PAR_MIN 65536

void sl_vec_fill(size_t n, double *x, double v) {
  if (n >= PAR_MIN) {
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) x[i] = v;
    return;
  }
  for (size_t i = 0; i < n; i++) x[i] = v;
}

void sl_vec_copy(size_t n, double *dst, const double *src) {
  if (dst == src) return;
  for (size_t i = 0; i < n; i++) dst[i] = src[i];
}

void sl_vec_scale(size_t n, double *x, double a) {
  if (n >= PAR_MIN) {
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) x[i] *= a;
    return;
  }
  for (size_t i = 0; i < n; i++) x[i] *= a;
}

void sl_vec_axpy(size_t n, double *x, double a, const double *y) {
  if (n >= PAR_MIN) {
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) x[i] += a * y[i];
    return;
  }
  for (size_t i = 0; i < n; i++) x[i] += a * y[i];
}

void sl_vec_add(size_t n, double *x, const double *y) {
  if (n >= PAR_MIN) {
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) x[i] += y[i];
    return;
  }
  for (size_t i = 0; i < n; i++) x[i] += y[i];
}

void sl_vec_mul(size_t n, double *x, const double *y) {
  if (n >= PAR_MIN) {
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) x[i] *= y[i];
    return;
  }
  for (size_t i = 0; i < n; i++) x[i] *= y[i];
}

/* Evenly spaced points with both ends exact (numpy.linspace). */
void sl_vec_linspace(size_t n, double *x, double a, double b) {
  if (n == 0) return;
  if (n == 1) {
    x[0] = a;
    return;
  }
  double h = (b - a) / (double)(n - 1);
  for (size_t i = 0; i < n; i++) x[i] = a + h * (double)i;
  x[n - 1] = b;
}

/* Elementwise maps: one loop each, no branches, so they vectorize (out may be x). */
void sl_vec_abs(size_t n, double *out, const double *x) {
  for (size_t i = 0; i < n; i++) out[i] = fabs(x[i]);
}

void sl_vec_sqrt(size_t n, double *out, const double *x) {
  for (size_t i = 0; i < n; i++) out[i] = sqrt(x[i]);
}

void sl_vec_exp(size_t n, double *out, const double *x) {
  for (size_t i = 0; i < n; i++) out[i] = exp(x[i]);
}

void sl_vec_log(size_t n, double *out, const double *x) {
  for (size_t i = 0; i < n; i++) out[i] = log(x[i]);
}

/* Comparisons, not fmin/fmax: those would turn a NaN entry into a bound. */
void sl_vec_clamp(size_t n, double *out, const double *x, double lo, double hi) {
  for (size_t i = 0; i < n; i++) {
    double v = x[i];
    v = v < lo ? lo : v;
    out[i] = v > hi ? hi : v;
  }
}

double sl_vec_dot(size_t n, const double *x, const double *y) {
  double s = 0.0;
  for (size_t i = 0; i < n; i++) s += x[i] * y[i];
  return s;
}

/* Scaled sum of squares (LAPACK's dnrm2 idea): no overflow for huge entries. */
double sl_vec_nrm2(size_t n, const double *x) {
  double scale = 0.0, ssq = 1.0;
  double plain = 0.0;
  for (size_t i = 0; i < n; i++) plain += x[i] * x[i];
  if (isfinite(plain) && plain > 1e-280) return sqrt(plain);
  for (size_t i = 0; i < n; i++) {
    double a = fabs(x[i]);
    if (a == 0.0) continue;
    if (isnan(a) || isinf(a)) return a;
    if (scale < a) {
      ssq = 1.0 + ssq * (scale / a) * (scale / a);
      scale = a;
    } else {
      ssq += (a / scale) * (a / scale);
    }
  }
  return scale * sqrt(ssq);
}

double sl_vec_nrm1(size_t n, const double *x) {
  double s = 0.0;
  for (size_t i = 0; i < n; i++) s += fabs(x[i]);
  return s;
}

double sl_vec_nrminf(size_t n, const double *x) {
  double m = 0.0;
  for (size_t i = 0; i < n; i++) {
    double a = fabs(x[i]);
    if (a > m || isnan(a)) m = a;
    if (isnan(m)) return m;
  }
  return m;
}

double sl_vec_nrmp(size_t n, const double *x, double p) {
  if (p == 1.0) return sl_vec_nrm1(n, x);
  if (p == 2.0) return sl_vec_nrm2(n, x);
  if (isinf(p)) return sl_vec_nrminf(n, x);
  double m = sl_vec_nrminf(n, x);
  if (m == 0.0 || !isfinite(m)) return m;
  double s = 0.0;
  for (size_t i = 0; i < n; i++) s += pow(fabs(x[i]) / m, p);
  return m * pow(s, 1.0 / p);
}

double sl_vec_sum(size_t n, const double *x) {
  double s = 0.0;
  for (size_t i = 0; i < n; i++) s += x[i];
  return s;
}

double sl_vec_min(size_t n, const double *x) {
  double m = x[0];
  for (size_t i = 1; i < n; i++) {
    if (isnan(x[i])) return x[i];
    if (x[i] < m) m = x[i];
  }
  return m;
}

double sl_vec_max(size_t n, const double *x) {
  double m = x[0];
  for (size_t i = 1; i < n; i++) {
    if (isnan(x[i])) return x[i];
    if (x[i] > m) m = x[i];
  }
  return m;
}

size_t sl_vec_argmax(size_t n, const double *x) {
  size_t k = 0;
  for (size_t i = 1; i < n; i++)
    if (x[i] > x[k]) k = i;
  return k;
}

int sl_vec_isfinite(size_t n, const double *x) {
  double s = 0.0;
  for (size_t i = 0; i < n; i++) s += x[i] * 0.0; /* NaN iff some entry is NaN/Inf */
  return s == 0.0;
}
