/*
** optim_rmsprop.c — RMSprop (Tieleman & Hinton 2012; centered form of Graves
** 2013) as torch.optim.RMSprop, eps outside the square root:
**   d = ±g + wd x;  v = alpha v + (1 - alpha) d^2;
**   centered: a = alpha a + (1 - alpha) d, den = sqrt(v - a^2) + eps; else sqrt(v) + eps;
**   momentum > 0: b = mu b + d / den, x -= lr b;  else x -= lr d / den
*/
#include <math.h>

#include "sl_optim.h"
#include "sl_optim_priv.h"

enum { LR, ALPHA, EPS, WD, MOMENTUM, CENTERED, MAXIMIZE };

static const sl_hpspec hp[] = {
    {"lr", 1e-2, SL_HP_NONNEG, NULL},    {"alpha", 0.99, SL_HP_UNIT, NULL},
    {"eps", 1e-8, SL_HP_NONNEG, NULL},   {"weight_decay", 0, SL_HP_NONNEG, NULL},
    {"momentum", 0, SL_HP_NONNEG, NULL}, {"centered", 0, SL_HP_BOOL, NULL},
    {"maximize", 0, SL_HP_BOOL, NULL}};
static const char *const bufs[] = {"square_avg", "momentum_buffer", "grad_avg", NULL};

typedef struct rmsprop_args {
  double *x, *v, *b, *a;
  const double *g;
  double lr, al, al1, eps, wd, mu, sgn;
  int variant; /* (wd != 0) + 2 * centered + 4 * (mu > 0) */
} rmsprop_args;

SL_OPTIM_INLINE void rmsprop_loop(size_t lo, size_t hi, const rmsprop_args *r, int decay,
                                  int centered, int mom) {
  double *restrict x = r->x, *restrict v = r->v, *restrict b = r->b, *restrict a = r->a;
  const double *restrict g = r->g;
  const double lr = r->lr, al = r->al, al1 = r->al1, eps = r->eps, wd = r->wd, mu = r->mu;
  const double sgn = r->sgn;
#pragma omp simd
  for (size_t i = lo; i < hi; i++) {
    double d = sgn * g[i];
    if (decay) d = d + wd * x[i];
    const double vi = v[i] * al + al1 * (d * d);
    v[i] = vi;
    double den;
    if (centered) {
      const double ai = a[i] * al + al1 * d;
      a[i] = ai;
      den = sqrt(vi + -1.0 * (ai * ai)) + eps;
    } else {
      den = sqrt(vi) + eps;
    }
    if (mom) {
      const double bi = b[i] * mu + d / den;
      b[i] = bi;
      x[i] = x[i] + -lr * bi;
    } else {
      x[i] = x[i] + -lr * (d / den);
    }
  }
}

#define RMSPROP_CASE(wd, c, mom)                                                                   \
  case (wd) + 2 * (c) + 4 * (mom): rmsprop_loop(lo, hi, r, wd, c, mom); break

SL_OPTIM_CLONES
static void rmsprop_kernel(size_t lo, size_t hi, const void *args) {
  const rmsprop_args *r = args;
  switch (r->variant) {
    RMSPROP_CASE(0, 0, 0);
    RMSPROP_CASE(1, 0, 0);
    RMSPROP_CASE(0, 1, 0);
    RMSPROP_CASE(1, 1, 0);
    RMSPROP_CASE(0, 0, 1);
    RMSPROP_CASE(1, 0, 1);
    RMSPROP_CASE(0, 1, 1);
  default: rmsprop_loop(lo, hi, r, 1, 1, 1);
  }
}

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  const double wd = o->hp[WD], mu = o->hp[MOMENTUM];
  const rmsprop_args r = {.x = x,
                          .v = o->buf[0],
                          .b = o->buf[1],
                          .a = o->buf[2],
                          .g = g,
                          .lr = o->hp[LR],
                          .al = o->hp[ALPHA],
                          .al1 = 1 - o->hp[ALPHA],
                          .eps = o->hp[EPS],
                          .wd = wd,
                          .mu = mu,
                          .sgn = o->hp[MAXIMIZE] != 0 ? -1.0 : 1.0,
                          .variant = (wd != 0) + 2 * (o->hp[CENTERED] != 0) + 4 * (mu > 0)};
  sl_optim_foreach(o->dim, rmsprop_kernel, &r);
  return SL_OK;
}

const sl_optim_ops sl_optim_rmsprop = {
    .name = "rmsprop", .hp = hp, .nhp = sizeof hp / sizeof hp[0], .bufs = bufs, .step = step};
