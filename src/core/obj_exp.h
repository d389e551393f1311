/*
** obj_exp.h — internal to the models: the one vectorizable exp kernel.
** glibc's scalar exp is a call the vectorizer cannot look through; these are
** branch-free straight-line code on doubles, so a `#pragma omp simd` loop or
** a four-lane block (obj_linear_v4.h) runs them in vector registers.
**
** t = k ln2 - r (Cody-Waite split of ln2, |r| <= ln2/2), k = round(t / ln2)
** read from the low bits of t/ln2 + 1.5*2^52 (round to nearest, no
** float-to-int conversion), 2^-k put in the exponent bits, and e^r by its
** Taylor series in Horner form:
**     sl_exp_neg(t)   = e^-t = 2^-k (1 + r h13(r))             t in [0, 700]
**     sl_expm1_neg(t) = e^-t - 1 = 2^-k r h14(r) + (2^-k - 1)  t in [0, 40]
** with h_N(r) = sum_{i=1..N} r^(i-1)/i! (truncation < 5e-18 and 1e-17
** relative). For k = 0 expm1 has no cancellation, so tanh stays accurate
** near 0 (obj_mlp.c). Both within a few ulp of libm (tested).
**
** Always inlined: the caller's target (AVX2, AVX-512 clone) and its
** contraction of a*b + c into fused multiply-adds decide the code.
*/
#ifndef SL_OBJ_EXP_H
#define SL_OBJ_EXP_H

#include <stdint.h>
#include <string.h>

#define SL_EXP_INLINE __attribute__((always_inline)) static inline

/* r with t = k ln2 - r, and 2^-k into *scale. */
SL_EXP_INLINE double sl_exp_reduce(double t, double *scale) {
  const double magic = 6755399441055744.0; /* 1.5 * 2^52 */
  double kk = t * 1.4426950408889634 + magic, k = kk - magic;
  int64_t kb, mb;
  memcpy(&kb, &kk, sizeof kb);
  memcpy(&mb, &magic, sizeof mb);
  int64_t bits = (1023 - (kb - mb)) * ((int64_t)1 << 52);
  memcpy(scale, &bits, sizeof bits);
  return (k * 6.93147180369123816490e-01 - t) + k * 1.90821492927058770002e-10;
}

/* Horner for h_N(r) from its coefficient 1/13! on: p = p r + 1/12!, ..., p r + 1/1!. */
SL_EXP_INLINE double sl_exp_horner13(double p, double r) {
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  return p * r + 1.0;
}

/* e^-t for t in [0, 700] (the caller clamps: a select inside the kernel
   keeps GCC from vectorizing a four-lane loop around it). */
SL_EXP_INLINE double sl_exp_neg(double t) {
  double two, r = sl_exp_reduce(t, &two);
  double p = sl_exp_horner13(1.0 / 6227020800.0, r);
  return two * (p * r + 1.0);
}

/* e^-t - 1 for t in [0, 40]. */
SL_EXP_INLINE double sl_expm1_neg(double t) {
  double two, r = sl_exp_reduce(t, &two);
  double p = sl_exp_horner13(1.0 / 87178291200.0 * r + 1.0 / 6227020800.0, r);
  p = p * r; /* e^r - 1 */
  return two * p + (two - 1.0);
}

#endif
