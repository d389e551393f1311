/*
** probe_hessian_diag.c — Hutchinson's estimator of the Hessian's diagonal
** (Bekas, Kokiopoulou & Saad 2007, "An estimator for the diagonal of a
** matrix", eq. 2.1 with Rademacher vectors): for z with independent +-1
** entries, E[z_i (H z)_i] = H_ii + sum_{j != i} H_ij E[z_i z_j] = H_ii, so
** diag(H) ~ (1/s) sum_k z_k (.) H z_k. Each entry's error is that of a mean of
** s draws of variance sum_{j != i} H_ij^2: reported as the standard error
** sqrt(var_i / s) with the unbiased sample variance. AdaHessian and Sophia
** draw their curvature estimates through this one function.
*/
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "sl_probe.h"
#include "sl_vec.h"

/* 64 signs from each 64-bit draw, top bit first: one generator call per 64
   entries and no branch on a random bit (a mispredicted branch an entry cost
   more than the HVP at d = 10^6). */
void sl_rademacher(sl_rng *rng, size_t n, double *z) {
  for (size_t i = 0; i < n; i += 64) {
    const uint64_t w = sl_rng_next(rng);
    const size_t m = n - i < 64 ? n - i : 64;
    for (size_t b = 0; b < m; b++) z[i + b] = (double)((w >> (63 - b)) & 1) * 2.0 - 1.0;
  }
}

/* Welford's update of the mean (and, when m2 != NULL, the sums of squared
   deviations) with draw k (0-based) v; the first draw is copied exactly. */
static void welford(size_t n, size_t k, const double *v, double *mean, double *m2) {
  const double inv = 1.0 / (double)(k + 1);
  if (m2 == NULL) {
    for (size_t j = 0; j < n; j++) mean[j] += (v[j] - mean[j]) * inv;
    return;
  }
  for (size_t j = 0; j < n; j++) {
    const double d = v[j] - mean[j];
    mean[j] += d * inv;
    m2[j] += d * (v[j] - mean[j]);
  }
}

sl_status sl_probe_hessian_diag(sl_objective *o, const double *x, size_t samples, sl_rng *rng,
                                sl_stopflag *stop, double *work, double *diag, double *se,
                                size_t *nhvp) {
  const size_t n = o->dim;
  double *z = work, *hz = work + n;
  *nhvp = 0;
  if (samples == 0) return sl_obj_fail(o, SL_EINVAL, "samples must be >= 1");
  sl_vec_fill(n, diag, 0.0);
  if (se) sl_vec_fill(n, se, 0.0);
  sl_obj_hvp_begin(o, x); /* failure only means uncached HVPs */
  sl_status st = SL_OK;
  for (size_t k = 0; k < samples; k++) {
    if (SL_STOPPED(stop)) {
      st = SL_EINTERRUPTED;
      break;
    }
    sl_rademacher(rng, n, z);
    st = sl_obj_hvp(o, x, z, hz);
    (*nhvp)++;
    if (st < 0) break;
    for (size_t i = 0; i < n; i++) hz[i] *= z[i];
    welford(n, k, hz, diag, se); /* se holds the sums of squares M2 for now */
  }
  sl_obj_hvp_end(o);
  if (st < 0) return st;
  for (size_t i = 0; i < n; i++)
    if (!isfinite(diag[i]))
      return sl_obj_fail(o, SL_ENONFINITE, "Hessian-vector product is not finite (entry %zu)",
                         i + 1);
  if (se) {
    /* sqrt(M2 / (s - 1) / s); a single draw has no spread to measure: NaN */
    const double scale =
        samples > 1 ? 1.0 / ((double)(samples - 1) * (double)samples) : (double)NAN;
    for (size_t i = 0; i < n; i++) se[i] = sqrt(se[i] * scale);
  }
  return SL_OK;
}
