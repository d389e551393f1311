/*
** optim_adadelta.c — Adadelta (Zeiler 2012, "ADADELTA: An Adaptive Learning
** Rate Method", Alg. 1) as torch.optim.Adadelta (1.13 and 2.x):
**   d = ±g + wd x;  v = rho v + (1 - rho) d^2;
**   delta = sqrt(u + eps) / sqrt(v + eps) * d;  u = rho u + (1 - rho) delta^2;
**   x -= lr delta
** (torch's lr scales the paper's unit step; lr = 1 is the paper's rule.)
*/
#include <math.h>

#include "sl_optim.h"
#include "sl_optim_priv.h"

enum { LR, RHO, EPS, WD, MAXIMIZE };

static const sl_hpspec hp[] = {{"lr", 1.0, SL_HP_NONNEG, NULL},
                               {"rho", 0.9, SL_HP_PROB, NULL},
                               {"eps", 1e-6, SL_HP_NONNEG, NULL},
                               {"weight_decay", 0, SL_HP_NONNEG, NULL},
                               {"maximize", 0, SL_HP_BOOL, NULL}};
static const char *const bufs[] = {"square_avg", "acc_delta", NULL};

typedef struct adadelta_args {
  double *x, *v, *u;
  const double *g;
  double lr, rho, eps, wd, sgn;
  int decay;
} adadelta_args;

SL_OPTIM_INLINE void adadelta_loop(size_t lo, size_t hi, const adadelta_args *a, int decay) {
  double *restrict x = a->x, *restrict v = a->v, *restrict u = a->u;
  const double *restrict g = a->g;
  const double lr = a->lr, rho = a->rho, eps = a->eps, wd = a->wd, sgn = a->sgn;
#pragma omp simd
  for (size_t i = lo; i < hi; i++) {
    double d = sgn * g[i];
    if (decay) d = d + wd * x[i];
    const double vi = v[i] * rho + (1 - rho) * d * d;
    v[i] = vi;
    const double delta = sqrt(u[i] + eps) / sqrt(vi + eps) * d;
    u[i] = u[i] * rho + (1 - rho) * delta * delta;
    x[i] = x[i] + -lr * delta;
  }
}

SL_OPTIM_CLONES
static void adadelta_kernel(size_t lo, size_t hi, const void *args) {
  const adadelta_args *a = args;
  if (a->decay)
    adadelta_loop(lo, hi, a, 1);
  else
    adadelta_loop(lo, hi, a, 0);
}

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  const adadelta_args a = {.x = x,
                           .v = o->buf[0],
                           .u = o->buf[1],
                           .g = g,
                           .lr = o->hp[LR],
                           .rho = o->hp[RHO],
                           .eps = o->hp[EPS],
                           .wd = o->hp[WD],
                           .sgn = o->hp[MAXIMIZE] != 0 ? -1.0 : 1.0,
                           .decay = o->hp[WD] != 0};
  sl_optim_foreach(o->dim, adadelta_kernel, &a);
  return SL_OK;
}

const sl_optim_ops sl_optim_adadelta = {
    .name = "adadelta", .hp = hp, .nhp = sizeof hp / sizeof hp[0], .bufs = bufs, .step = step};
