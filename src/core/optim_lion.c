/*
** optim_lion.c — Lion (Chen et al. 2023, "Symbolic Discovery of Optimization
** Algorithms", Alg. 2):  c = b1 m + (1 - b1) g;  x -= lr (sign(c) + wd x);
** m = b2 m + (1 - b2) g.  sign(0) = 0.
*/
#include "sl_optim.h"

enum { LR, B1, B2, WD };

static const sl_hpspec hp[] = {{"lr", 1e-4, SL_HP_NONNEG, NULL},
                               {"beta1", 0.9, SL_HP_UNIT, NULL},
                               {"beta2", 0.99, SL_HP_UNIT, NULL},
                               {"weight_decay", 0, SL_HP_NONNEG, NULL}};
static const char *const bufs[] = {"exp_avg", NULL};

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  const double lr = o->hp[LR], b1 = o->hp[B1], b2 = o->hp[B2], wd = o->hp[WD];
  double *m = o->buf[0];
  for (size_t i = 0; i < o->dim; i++) {
    const double c = b1 * m[i] + (1 - b1) * g[i];
    const double s = (c > 0) - (c < 0);
    x[i] = x[i] - lr * (s + wd * x[i]);
    m[i] = b2 * m[i] + (1 - b2) * g[i];
  }
  return SL_OK;
}

const sl_optim_ops sl_optim_lion = {
    .name = "lion", .hp = hp, .nhp = sizeof hp / sizeof hp[0], .bufs = bufs, .step = step};
