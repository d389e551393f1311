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
** (m already carries dlr). The reductions run in index order in one pass.
*/
#include <math.h>

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

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  double *restrict s = o->buf[0], *restrict m = o->buf[1], *restrict v = o->buf[2];
  const double lr = o->hp[LR], b1 = o->hp[B1], b2 = o->hp[B2], wd = o->hp[WD];
  const double eps = o->hp[EPS], k = o->scal[K], sb = pow(b2, 0.5);
  const int coupled = wd != 0 && o->hp[DECOUPLE] == 0;
  double d = o->scal[D];
  const double bc = o->hp[BIASC] != 0 ? pow(1 - pow(b2, k + 1), 0.5) / (1 - pow(b1, k + 1)) : 1.0;
  const double dlr = d * lr * bc;
  double acc = 0, l1 = 0;
  if (lr > 0) {
    const double ma = dlr * (1 - b1), sa = dlr * (1 - sb);
    double dot = 0;
    for (size_t i = 0; i < o->dim; i++) {
      const double gi = coupled ? g[i] + wd * x[i] : g[i];
      dot += gi * (s[i] / (sqrt(v[i]) + eps));
      m[i] = m[i] * b1 + ma * gi;
      v[i] = v[i] * b2 + (1 - b2) * (gi * gi);
      const double si = s[i] * sb + sa * gi;
      s[i] = si;
      l1 += fabs(si);
    }
    acc = dlr * dot;
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
