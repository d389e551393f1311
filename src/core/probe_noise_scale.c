/*
** probe_noise_scale.c — the gradient noise scale B_simple = tr(Sigma)/|G|^2
** (McCandlish et al. 2018), from per-sample gradients (exact over the whole
** data, unbiased otherwise) or from minibatch gradients (Appendix A.1).
*/
#include <stdlib.h>
#include <string.h>

#include "sl_probe.h"
#include "sl_vec.h"

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
    ss += sl_probe_welford(n, k, g, mean, NULL);
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
