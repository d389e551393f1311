/*
** obj_linear_v4.h — internal to obj_linear.c: four-lane vector kernels of the
** linear models (exp, log1p and the logistic loss and curvature of four
** margins; dot products of four rows summed as sl_ddot2 sums).
*/
#ifndef SL_OBJ_LINEAR_V4_H
#define SL_OBJ_LINEAR_V4_H

#include <stddef.h>
#include <string.h>

#include "obj_data.h"
#include "obj_exp.h"

/*
** Vector exp and log1p for the four margins of a dense block (glibc's
** scalar calls cost as much as streaming the rows). exp_neg4(t) = e^-t for
** t >= 0 by the kernel of obj_exp.h. log1p_unit4(e) for e in [0, 1]: u = 1 + e with its rounding
** error c = e - (u - 1) (exact), u = 2^k m with m in [1/sqrt2, sqrt2], and
** log m = 2 atanh f, f = (m-1)/(m+1), |f| < 0.172, by its series to f^21;
** log1p(e) = k ln2 + log m + c/u. Both within a few ulp of libm (tested).
*/
typedef long long v4l __attribute__((vector_size(32)));
/* Always inlined into the AVX2 clone and the baseline alike, so no 32-byte
   vector ever crosses a call (GCC's -Wpsabi note about such calls is moot). */
#define V4_INLINE __attribute__((always_inline)) static inline
#pragma GCC diagnostic ignored "-Wpsabi"

V4_INLINE sl_v4d v4set(double a) { return (sl_v4d){a, a, a, a}; }
/* mask ? a : b, lane by lane (mask lanes all ones or all zeros) */
V4_INLINE sl_v4d v4sel(v4l mask, sl_v4d a, sl_v4d b) {
  return (sl_v4d)(((v4l)a & mask) | ((v4l)b & ~mask));
}
V4_INLINE sl_v4d v4abs(sl_v4d a) { return (sl_v4d)((v4l)a & 0x7fffffffffffffffLL); }

/* e^-t for four t >= 0, clamped at 700: the one exp kernel (obj_exp.h) on
   each lane; GCC turns the loop into one vector pass. */
V4_INLINE sl_v4d exp_neg4(sl_v4d t) {
  double a[4], e[4];
  t = v4sel(t < 700.0, t, v4set(700.0));
  memcpy(a, &t, sizeof a);
#pragma omp simd
  for (int j = 0; j < 4; j++) e[j] = sl_exp_neg(a[j]);
  memcpy(&t, e, sizeof t);
  return t;
}

V4_INLINE sl_v4d log1p_unit4(sl_v4d e) {
  sl_v4d u = 1.0 + e, c = e - (u - 1.0);
  v4l big = u > 1.4142135623730951;
  sl_v4d m = v4sel(big, 0.5 * u, u);
  sl_v4d k = (sl_v4d)((v4l)v4set(6.93147180559945286227e-01) & big);
  sl_v4d f = (m - 1.0) / (m + 1.0), f2 = f * f;
  sl_v4d p = v4set(1.0 / 21); /* atanh(f)/f = sum f^2j / (2j + 1), Horner in f^2 */
#pragma GCC unroll 10
  for (int j = 9; j >= 0; j--) p = p * f2 + 1.0 / (2 * j + 1);
  return k + (2.0 * f * p + c / u);
}

/* Logistic loss and dloss/dz of four margins z (labels y in {0, 1}), as
   lin_loss; returns the summed loss. */
V4_INLINE double logistic4(sl_v4d z, sl_v4d y, double *r) {
  sl_v4d e = exp_neg4(v4abs(z)), q = 1.0 / (1.0 + e);
  sl_v4d g = v4sel(z >= 0.0, q, e * q) - y;
  sl_v4d s = v4sel(y > 0.5, -z, z);
  sl_v4d l = v4sel(s > 0.0, s, v4set(0.0)) + log1p_unit4(e);
  r[0] = g[0], r[1] = g[1], r[2] = g[2], r[3] = g[3];
  return (l[0] + l[1]) + (l[2] + l[3]);
}

/* Curvature weights sigma(z)(1 - sigma(z)) w = e/(1+e)^2 w. */
V4_INLINE void logistic_curv4(sl_v4d z, sl_v4d w, double *r) {
  sl_v4d e = exp_neg4(v4abs(z)), q = 1.0 / (1.0 + e), c = e * q * q * w;
  r[0] = c[0], r[1] = c[1], r[2] = c[2], r[3] = c[3];
}

/* a.x summed exactly as sl_ddot2 sums (two 4-wide partial sums over 8
   entries, then the scalar tail). */
V4_INLINE double ddot1_as2(size_t n, const double *a, const double *x) {
  sl_v4d s0 = {0, 0, 0, 0}, s1 = s0;
  size_t j = 0;
  for (; j + 8 <= n; j += 8) {
    s0 += SL_V4(a + j) * SL_V4(x + j);
    s1 += SL_V4(a + j + 4) * SL_V4(x + j + 4);
  }
  s0 += s1;
  double s = (s0[0] + s0[1]) + (s0[2] + s0[3]);
  for (; j < n; j++) s += a[j] * x[j];
  return s;
}

/* ddot1_as2 of four rows, interleaved: eight independent vector sums
   and four scalar tails side by side instead of one long dependency chain
   after another (the tails dominated at d = 30). Same sums per row. */
V4_INLINE void ddot4_as2(size_t n, const double *p0, const double *p1, const double *p2,
                         const double *p3, const double *x, double *out) {
  sl_v4d a0 = {0, 0, 0, 0}, a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
  size_t j = 0;
  for (; j + 8 <= n; j += 8) {
    sl_v4d x0 = SL_V4(x + j), x1 = SL_V4(x + j + 4);
    a0 += SL_V4(p0 + j) * x0;
    a1 += SL_V4(p0 + j + 4) * x1;
    b0 += SL_V4(p1 + j) * x0;
    b1 += SL_V4(p1 + j + 4) * x1;
    c0 += SL_V4(p2 + j) * x0;
    c1 += SL_V4(p2 + j + 4) * x1;
    d0 += SL_V4(p3 + j) * x0;
    d1 += SL_V4(p3 + j + 4) * x1;
  }
  a0 += a1;
  b0 += b1;
  c0 += c1;
  d0 += d1;
  double s0 = (a0[0] + a0[1]) + (a0[2] + a0[3]), s1 = (b0[0] + b0[1]) + (b0[2] + b0[3]);
  double s2 = (c0[0] + c0[1]) + (c0[2] + c0[3]), s3 = (d0[0] + d0[1]) + (d0[2] + d0[3]);
  for (; j < n; j++) {
    s0 += p0[j] * x[j];
    s1 += p1[j] * x[j];
    s2 += p2[j] * x[j];
    s3 += p3[j] * x[j];
  }
  out[0] = s0, out[1] = s1, out[2] = s2, out[3] = s3;
}

#endif
