/*
** optim_lars.c — LARS (You, Gitman & Ginsburg 2017, "Large Batch Training of
** Convolutional Networks", Alg. 1), per layer of o->layout (the whole vector
** is one layer without a layout):
**   local_l = eta |x_l| / (|g_l| + wd |x_l| + eps)  (eta = trust_coefficient;
**             1 when |x_l| = 0 or |g_l| = 0, as the reference implementations);
**   v = momentum v + lr local_l (g + wd x);  x -= v
** lr is the paper's global learning rate gamma. Norms: sums of squares in
** fixed chunks (optim_reduce.h), the same bits at any thread count.
*/
#include <math.h>

#include "optim_reduce.h"
#include "sl_optim.h"
#include "sl_optim_priv.h"

enum { LR, MOMENTUM, WD, TRUST, EPS };

static const sl_hpspec hp[] = {{"lr", 1.0, SL_HP_NONNEG, NULL},
                               {"momentum", 0.9, SL_HP_UNIT, NULL},
                               {"weight_decay", 0, SL_HP_NONNEG, NULL},
                               {"trust_coefficient", 1e-3, SL_HP_POS, NULL},
                               {"eps", 0, SL_HP_NONNEG, NULL}};
static const char *const bufs[] = {"momentum_buffer", NULL};

typedef struct lars_args {
  double *x, *v;
  const double *g;
  double mom, scale, wd;
  int decay;
} lars_args;

SL_OPTIM_INLINE void lars_loop(size_t lo, size_t hi, const lars_args *a, int decay) {
  double *restrict x = a->x, *restrict v = a->v;
  const double *restrict g = a->g;
  const double mom = a->mom, scale = a->scale, wd = a->wd;
#pragma omp simd
  for (size_t i = lo; i < hi; i++) {
    double d = g[i];
    if (decay) d = d + wd * x[i];
    const double vi = mom * v[i] + scale * d;
    v[i] = vi;
    x[i] = x[i] - vi;
  }
}

SL_OPTIM_CLONES
static void lars_kernel(size_t lo, size_t hi, const void *args) {
  const lars_args *a = args;
  if (a->decay)
    lars_loop(lo, hi, a, 1);
  else
    lars_loop(lo, hi, a, 0);
}

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  const double wd = o->hp[WD];
  const size_t nl = o->layout ? o->layout->n : 1;
  for (size_t l = 0; l < nl; l++) {
    const size_t off = o->layout ? o->layout->layer[l].offset : 0;
    const size_t n = o->layout ? o->layout->layer[l].size : o->dim;
    double xs, gs;
    if (sl_red_sumsq(n, x + off, &xs) < 0 || sl_red_sumsq(n, g + off, &gs) < 0)
      return sl_optim_fail(o, SL_ENOMEM, "no memory for the layer norms");
    const double xn = sqrt(xs), gn = sqrt(gs);
    const double local = xn > 0 && gn > 0 ? o->hp[TRUST] * xn / (gn + wd * xn + o->hp[EPS]) : 1.0;
    const lars_args a = {.x = x + off,
                         .v = o->buf[0] + off,
                         .g = g + off,
                         .mom = o->hp[MOMENTUM],
                         .scale = o->hp[LR] * local,
                         .wd = wd,
                         .decay = wd != 0};
    sl_optim_foreach(n, lars_kernel, &a);
  }
  return SL_OK;
}

const sl_optim_ops sl_optim_lars = {
    .name = "lars", .hp = hp, .nhp = sizeof hp / sizeof hp[0], .bufs = bufs, .step = step};
