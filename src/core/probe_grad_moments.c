/*
** probe_grad_moments.c — mean and per-coordinate variance of the per-sample
** gradients over a set of samples, in one pass (Welford's update, shared with
** the noise scale).
*/
#include <stdlib.h>

#include "sl_probe.h"
#include "sl_vec.h"

/* Welford's update (Welford 1962; Knuth TAOCP vol. 2, 4.2.2) of a vector mean
   and (optionally) per-coordinate M2 with the (k+1)-th sample g; returns the
   increment of sum_j M2_j. Shared with the noise scale. */
double sl_probe_welford(size_t n, size_t k, const double *g, double *mean, double *m2) {
  double inc = 0.0, inv = 1.0 / (double)(k + 1);
  for (size_t j = 0; j < n; j++) {
    double d = g[j] - mean[j];
    mean[j] += d * inv;
    double t = d * (g[j] - mean[j]);
    if (m2) m2[j] += t;
    inc += t;
  }
  return inc;
}

sl_status sl_probe_grad_moments(sl_objective *o, const double *x, const size_t *pos, size_t m,
                                sl_stopflag *stop, double *mean, double *var) {
  size_t n = o->dim;
  if (m < 2) return sl_obj_fail(o, SL_EINVAL, "need at least 2 samples, got %zu", m);
  if (o->ops->sample_fg == NULL)
    return sl_obj_fail(o, SL_EUNSUPPORTED, "%s has no per-sample gradients", o->ops->name);
  double *g = malloc((n ? n : 1) * sizeof *g);
  if (g == NULL) return SL_ENOMEM;
  sl_vec_fill(n, mean, 0.0);
  if (var) sl_vec_fill(n, var, 0.0);
  sl_status st = SL_OK;
  for (size_t k = 0; k < m; k++) {
    if (SL_STOPPED(stop)) {
      st = SL_EINTERRUPTED;
      break;
    }
    double f;
    st = sl_obj_sample_fg(o, x, pos[k], &f, g);
    if (st < 0) break;
    sl_probe_welford(n, k, g, mean, var);
  }
  if (st >= 0 && var) sl_vec_scale(n, var, 1.0 / (double)(m - 1));
  free(g);
  return st < 0 ? st : SL_OK;
}
