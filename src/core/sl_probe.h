/*
** sl_probe.h — training diagnostics on any objective: per-step statistics,
** gradient moments and the gradient noise scale (McCandlish et al. 2018),
** and the per-layer ("filter") normalization of random directions used by
** loss-surface slices (Li et al. 2018). One file per probe:
** probe_step_stats.c, probe_grad_moments.c, probe_noise_scale.c,
** probe_filter_normalize.c.
*/
#ifndef SL_PROBE_H
#define SL_PROBE_H

#include <stddef.h>

#include "sl_objective.h"
#include "sl_rng.h"
#include "sl_status.h"

/* Statistics of one optimizer step x0 -> x1 with gradient g (at x0) and the
   previous step's gradient gprev (NULL if none). */
typedef struct sl_step_stats {
  double grad_norm;    /* |g| */
  double update_norm;  /* |x1 - x0| */
  double param_norm;   /* |x0| */
  double update_ratio; /* |x1 - x0| / |x0| (healthy training: about 1e-3); Inf if x0 = 0 */
  double grad_cos;     /* cos(g, gprev): near -1 means oscillation; NaN without gprev */
} sl_step_stats;

void sl_probe_step_stats(size_t n, const double *x0, const double *x1, const double *g,
                         const double *gprev, sl_step_stats *out);

/*
** Mean and per-coordinate variance of the per-sample gradients g_i over the
** active samples at positions pos[0..m-1] (Welford's update, one pass):
** mean[j] = (1/m) sum g_ij, var[j] = (1/(m-1)) sum (g_ij - mean_j)^2 (m >= 2).
** var may be NULL. Needs o->ops->sample_fg (SL_EUNSUPPORTED otherwise).
*/
sl_status sl_probe_grad_moments(sl_objective *o, const double *x, const size_t *pos, size_t m,
                                sl_stopflag *stop, double *mean, double *var);

/* The gradient noise scale and its ingredients. */
typedef struct sl_noise {
  double trace_sigma; /* tr(Sigma), Sigma = covariance of one sample's gradient */
  double grad_sq;     /* |G|^2, G = the full-batch gradient */
  double b_simple;    /* tr(Sigma) / |G|^2 (McCandlish et al. 2018, eq. 2.8) */
  size_t ngrad;       /* sample (or batch) gradients evaluated */
} sl_noise;

/*
** B_simple from per-sample gradients of m samples at positions pos.
** If m == o->n (every sample) the statistics are exact: tr(Sigma) = (1/n)
** sum |g_i - G|^2 and |G|^2 = |mean|^2. Otherwise unbiased estimates:
** tr(Sigma) = (1/(m-1)) sum |g_i - gbar|^2, |G|^2 = |gbar|^2 - tr(Sigma)/m.
** work: 2*dim doubles.
*/
sl_status sl_probe_noise_samples(sl_objective *o, const double *x, const size_t *pos, size_t m,
                                 sl_stopflag *stop, double *work, sl_noise *out);

/*
** B_simple from minibatch gradients (McCandlish et al. 2018, Appendix A.1):
** nb batches of size b drawn with rng (without replacement when b*nb <= n);
** G_small = each batch's gradient, G_big = their mean (a batch of B = b*nb);
**   |G|^2   ~ (B |G_big|^2 - b E|G_small|^2) / (B - b),
**   tr(S)   ~ (E|G_small|^2 - |G_big|^2) / (1/b - 1/B).
** Works for any data objective (views, no per-sample gradients). nb >= 2.
** work: 2*dim doubles.
*/
sl_status sl_probe_noise_batches(sl_objective *o, const double *x, size_t b, size_t nb, sl_rng *rng,
                                 sl_stopflag *stop, double *work, sl_noise *out);

/*
** Filter normalization (Li et al. 2018, sec. 4): for each block
** [off[l], off[l] + len[l]) of d, d_block *= |x_block| / |d_block|.
** A block where d is zero is left as is. Blocks must lie inside n (SL_EINVAL).
*/
sl_status sl_probe_filter_normalize(size_t n, double *d, const double *x, size_t nblocks,
                                    const size_t *off, const size_t *len);

/* Welford's update of mean (and M2 when not NULL) with sample k (0-based) g;
   returns the increment of sum_j M2_j (probe_grad_moments.c). */
double sl_probe_welford(size_t n, size_t k, const double *g, double *mean, double *m2);

/* n Rademacher signs into z, 64 from each 64-bit draw of rng, top bit
   first: entry 64 q + b is +1 when bit 63 - b of draw q is set, else -1. */
void sl_rademacher(sl_rng *rng, size_t n, double *z);

/*
** Hutchinson's diagonal of the Hessian (Bekas, Kokiopoulou & Saad 2007):
** diag = (1/s) sum_k z_k (.) H z_k over s = samples Rademacher z_k drawn
** from rng, accumulated by Welford's update; se (may be NULL) the standard
** error of each entry, sqrt(var / s) with the unbiased sample variance (NaN
** when s = 1). work: 2*dim doubles. *nhvp counts the HVPs taken.
*/
sl_status sl_probe_hessian_diag(sl_objective *o, const double *x, size_t samples, sl_rng *rng,
                                sl_stopflag *stop, double *work, double *diag, double *se,
                                size_t *nhvp);

#endif
