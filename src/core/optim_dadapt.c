/*
** optim_dadapt.c — D-Adaptation for Adam (Defazio & Mishchenko 2023,
** "Learning-Rate-Free Learning by D-Adaptation", Alg. 5 / App. with the
** sqrt(beta2) weighting of the reference), as the authors' reference
** implementation dadaptation.DAdaptAdam (v3). With k steps before this one,
** d the estimate (d_0 = d0), g' = g (+ wd x when decouple is false):
**   bc = sqrt(1 - b2^(k+1)) / (1 - b1^(k+1)) if use_bias_correction else 1;
**   dlr = d lr bc;  sb = sqrt(b2);
**   acc = dlr <g', s / (sqrt(v) + eps)>   (s and v before this step's update);
**   m = b1 m + dlr (1 - b1) g';  v = b2 v + (1 - b2) g'^2;
**   s = sb s + dlr (1 - sb) g';  l1 = |s|_1  (l1 = 0: no step, d kept);
**   num = sb num + (1 - sb) acc;  d_hat = num / ((1 - sb) l1);
**   d = max(d, min(d_hat, d growth_rate));
**   x -= wd dlr x (decouple);  x -= m / (sqrt(v) + eps)
** (m already carries dlr). The moments and the two sums are one threaded pass
** (sums in fixed chunks, optim_reduce.h: the same bits at any thread count).
*/
#include <math.h>

#include "optim_reduce.h"
#include "sl_optim.h"
#include "sl_optim_priv.h"

enum { LR, B1, B2, EPS, WD, DECOUPLE, BIASC, D0, GROWTH };
enum { D, NUMW, K };

static const sl_hpspec hp[] = {{"lr", 1.0, SL_HP_NONNEG, NULL},
                               {"beta1", 0.9, SL_HP_UNIT, NULL},
                               {"beta2", 0.999, SL_HP_UNIT, NULL},
                               {"eps", 1e-8, SL_HP_NONNEG, NULL},
                               {"weight_decay", 0, SL_HP_NONNEG, NULL},
                               {"decouple", 0, SL_HP_BOOL, NULL},
                               {"use_bias_correction", 0, SL_HP_BOOL, NULL},
                               {"d0", 1e-6, SL_HP_POS, NULL},
                               {"growth_rate", INFINITY, SL_HP_POSINF, NULL}};
static const char *const bufs[] = {"s", "exp_avg", "exp_avg_sq", NULL};
static const char *const scals[] = {"d", "numerator_weighted", "k", NULL};

static void init(sl_optimizer *o) { o->scal[D] = o->hp[D0]; }

typedef struct dadapt_args {
  double *x;
  const double *m, *v;
  double eps, shrink;
  int shrink_on;
} dadapt_args;

SL_OPTIM_INLINE void dadapt_loop(size_t lo, size_t hi, const dadapt_args *a, int shrink_on) {
  double *restrict x = a->x;
  const double *restrict m = a->m, *restrict v = a->v;
  const double eps = a->eps, sh = a->shrink;
#pragma omp simd
  for (size_t i = lo; i < hi; i++) {
    double xi = x[i];
    if (shrink_on) xi = xi + sh * xi;
    x[i] = xi + -1.0 * (m[i] / (sqrt(v[i]) + eps));
  }
}

SL_OPTIM_CLONES
static void dadapt_kernel(size_t lo, size_t hi, const void *args) {
  const dadapt_args *a = args;
  if (a->shrink_on)
    dadapt_loop(lo, hi, a, 1);
  else
    dadapt_loop(lo, hi, a, 0);
}

/* Pass 1: per chunk <g', s/(sqrt(v) + eps)> (old s, v) and |s|_1 (new s); m, v, s updated. */
typedef struct moments_args {
  const double *x, *g;
  double *m, *v, *s, *pdot, *pl1;
  double wd, b1, b2, sb, eps, ma, sa;
  int coupled;
} moments_args;

SL_OPTIM_INLINE void moments_loop(size_t lo, size_t hi, const moments_args *a, int coupled) {
  const double *restrict x = a->x, *restrict g = a->g;
  double *restrict m = a->m, *restrict v = a->v, *restrict s = a->s;
  const double wd = a->wd, b1 = a->b1, b2 = a->b2, sb = a->sb, eps = a->eps, ma = a->ma;
  const double sa = a->sa;
  for (size_t c = lo; c < hi; c += SL_RED_CHUNK) {
    const size_t e = c + SL_RED_CHUNK < hi ? c + SL_RED_CHUNK : hi;
    double dot = 0, l1 = 0;
    for (size_t i = c; i < e; i++) {
      const double gi = coupled ? g[i] + wd * x[i] : g[i];
      dot += gi * (s[i] / (sqrt(v[i]) + eps));
      m[i] = m[i] * b1 + ma * gi;
      v[i] = v[i] * b2 + (1 - b2) * (gi * gi);
      const double si = s[i] * sb + sa * gi;
      s[i] = si;
      l1 += fabs(si);
    }
    a->pdot[c / SL_RED_CHUNK] = dot;
    a->pl1[c / SL_RED_CHUNK] = l1;
  }
}

SL_OPTIM_CLONES
static void moments_kernel(size_t lo, size_t hi, const void *args) {
  const moments_args *a = args;
  if (a->coupled)
    moments_loop(lo, hi, a, 1);
  else
    moments_loop(lo, hi, a, 0);
}

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  double *s = o->buf[0], *m = o->buf[1], *v = o->buf[2];
  const double lr = o->hp[LR], b1 = o->hp[B1], b2 = o->hp[B2], wd = o->hp[WD];
  const double eps = o->hp[EPS], k = o->scal[K], sb = pow(b2, 0.5);
  const int coupled = wd != 0 && o->hp[DECOUPLE] == 0;
  double d = o->scal[D];
  const double bc = o->hp[BIASC] != 0 ? pow(1 - pow(b2, k + 1), 0.5) / (1 - pow(b1, k + 1)) : 1.0;
  const double dlr = d * lr * bc;
  double acc = 0, l1 = 0;
  if (lr > 0) {
    const size_t k2 = sl_red_nchunks(o->dim);
    double buf[SL_RED_STACK];
    double *part = sl_red_space(buf, 2 * k2);
    if (part == NULL) return sl_optim_fail(o, SL_ENOMEM, "no memory for the sums");
    const moments_args a = {.x = x,
                            .g = g,
                            .m = m,
                            .v = v,
                            .s = s,
                            .pdot = part,
                            .pl1 = part + k2,
                            .wd = wd,
                            .b1 = b1,
                            .b2 = b2,
                            .sb = sb,
                            .eps = eps,
                            .ma = dlr * (1 - b1),
                            .sa = dlr * (1 - sb),
                            .coupled = coupled};
    sl_optim_foreach(o->dim, moments_kernel, &a);
    acc = dlr * sl_red_total(part, k2);
    l1 = sl_red_total(part + k2, k2);
    sl_red_free(buf, part);
  }
  if (l1 == 0) return SL_OK; /* the reference returns before the step */
  const double num = sb * o->scal[NUMW] + (1 - sb) * acc;
  const double dhat = num / ((1 - sb) * l1);
  d = fmax(d, fmin(dhat, d * o->hp[GROWTH]));
  o->scal[NUMW] = num;
  o->scal[D] = d;
  const int shrink_on = wd != 0 && o->hp[DECOUPLE] != 0;
  const dadapt_args a = {
      .x = x, .m = m, .v = v, .eps = eps, .shrink = -wd * dlr, .shrink_on = shrink_on};
  sl_optim_foreach(o->dim, dadapt_kernel, &a);
  o->scal[K] = k + 1;
  return SL_OK;
}

const sl_optim_ops sl_optim_dadapt_adam = {.name = "dadapt_adam",
                                           .hp = hp,
                                           .nhp = sizeof hp / sizeof hp[0],
                                           .bufs = bufs,
                                           .scals = scals,
                                           .init = init,
                                           .step = step};
