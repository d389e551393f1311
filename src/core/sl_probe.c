/*
** sl_probe.c — step statistics, gradient moments, the gradient noise scale
** and filter normalization (see sl_probe.h for the formulas and papers).
*/
#include "sl_probe.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sl_vec.h"

void sl_probe_step_stats(size_t n, const double *x0, const double *x1, const double *g,
                         const double *gprev, sl_step_stats *out) {
  double u2 = 0.0;
  for (size_t i = 0; i < n; i++) {
    double d = x1[i] - x0[i];
    u2 += d * d;
  }
  out->grad_norm = sl_vec_nrm2(n, g);
  out->update_norm = sqrt(u2);
  out->param_norm = sl_vec_nrm2(n, x0);
  out->update_ratio = out->param_norm > 0.0 ? out->update_norm / out->param_norm
                                            : (out->update_norm > 0.0 ? (double)INFINITY : 0.0);
  out->grad_cos = NAN;
  if (gprev) {
    double np = sl_vec_nrm2(n, gprev);
    if (np > 0.0 && out->grad_norm > 0.0)
      out->grad_cos = sl_vec_dot(n, g, gprev) / (out->grad_norm * np);
  }
}

/* Welford's update of a vector mean and (optionally) per-coordinate M2;
   returns the increment of sum_j M2_j. */
static double welford(size_t n, size_t k, const double *g, double *mean, double *m2) {
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
    welford(n, k, g, mean, var);
  }
  if (st >= 0 && var) sl_vec_scale(n, var, 1.0 / (double)(m - 1));
  free(g);
  return st < 0 ? st : SL_OK;
}

sl_status sl_probe_noise_samples(sl_objective *o, const double *x, const size_t *pos, size_t m,
                                 sl_stopflag *stop, double *work, sl_noise *out) {
  size_t n = o->dim;
  memset(out, 0, sizeof *out);
  if (m < 2) return sl_obj_fail(o, SL_EINVAL, "need at least 2 samples, got %zu", m);
  if (o->ops->sample_fg == NULL)
    return sl_obj_fail(o, SL_EUNSUPPORTED, "%s has no per-sample gradients", o->ops->name);
  double *mean = work, *g = work + n, ss = 0.0;
  sl_vec_fill(n, mean, 0.0);
  for (size_t k = 0; k < m; k++) {
    if (SL_STOPPED(stop)) return SL_EINTERRUPTED;
    double f;
    sl_status st = sl_obj_sample_fg(o, x, pos[k], &f, g);
    if (st < 0) return st;
    ss += welford(n, k, g, mean, NULL);
  }
  double gbar2 = sl_vec_dot(n, mean, mean);
  if (m == o->n) { /* the whole population: exact */
    out->trace_sigma = ss / (double)m;
    out->grad_sq = gbar2;
  } else {
    out->trace_sigma = ss / (double)(m - 1);
    out->grad_sq = gbar2 - out->trace_sigma / (double)m;
  }
  out->b_simple = out->trace_sigma / out->grad_sq;
  out->ngrad = m;
  return SL_OK;
}

sl_status sl_probe_noise_batches(sl_objective *o, const double *x, size_t b, size_t nb, sl_rng *rng,
                                 sl_stopflag *stop, double *work, sl_noise *out) {
  size_t n = o->dim, N = o->n;
  memset(out, 0, sizeof *out);
  if (N == 0) return sl_obj_fail(o, SL_EUNSUPPORTED, "%s is not a data objective", o->ops->name);
  if (b == 0 || nb < 2 || rng == NULL)
    return sl_obj_fail(o, SL_EINVAL, "need batch >= 1 and at least 2 batches");
  if (b > N) return sl_obj_fail(o, SL_EINVAL, "batch %zu is larger than the data (%zu)", b, N);
  size_t total = b * nb;
  size_t *pos = malloc((total > N ? total : N) * sizeof *pos);
  if (pos == NULL) return SL_ENOMEM;
  if (total <= N) {
    sl_rng_perm(rng, N, pos); /* disjoint batches */
  } else {
    for (size_t i = 0; i < total; i++) pos[i] = (size_t)sl_rng_below(rng, N);
  }
  double *gsum = work, *g = work + n, small2 = 0.0;
  sl_vec_fill(n, gsum, 0.0);
  sl_status st = SL_OK;
  for (size_t t = 0; t < nb; t++) {
    if (SL_STOPPED(stop)) {
      st = SL_EINTERRUPTED;
      break;
    }
    sl_objective *v = sl_obj_view(o, pos + t * b, b, &st);
    if (v == NULL) break;
    double f;
    st = sl_obj_fg(v, x, &f, g);
    if (st < 0) {
      memcpy(o->msg, v->msg, sizeof o->msg);
      sl_obj_destroy(v);
      break;
    }
    o->nfev++;
    o->ngev++;
    sl_obj_destroy(v);
    small2 += sl_vec_dot(n, g, g);
    sl_vec_add(n, gsum, g);
  }
  free(pos);
  if (st < 0) return st;
  small2 /= (double)nb;
  sl_vec_scale(n, gsum, 1.0 / (double)nb);
  double big2 = sl_vec_dot(n, gsum, gsum), B = (double)total, bs = (double)b;
  out->grad_sq = (B * big2 - bs * small2) / (B - bs);
  out->trace_sigma = (small2 - big2) / (1.0 / bs - 1.0 / B);
  out->b_simple = out->trace_sigma / out->grad_sq;
  out->ngrad = nb;
  return SL_OK;
}

sl_status sl_probe_filter_normalize(size_t n, double *d, const double *x, size_t nblocks,
                                    const size_t *off, const size_t *len) {
  for (size_t l = 0; l < nblocks; l++)
    if (off[l] > n || len[l] > n - off[l]) return SL_EINVAL;
  for (size_t l = 0; l < nblocks; l++) {
    double nd = sl_vec_nrm2(len[l], d + off[l]), nx = sl_vec_nrm2(len[l], x + off[l]);
    if (nd > 0.0) sl_vec_scale(len[l], d + off[l], nx / nd);
  }
  return SL_OK;
}
