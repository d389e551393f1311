/*
** optim_rmsprop.c — RMSprop (Tieleman & Hinton 2012; centered form of Graves
** 2013) as torch.optim.RMSprop, eps outside the square root:
**   d = ±g + wd x;  v = alpha v + (1 - alpha) d^2;
**   centered: a = alpha a + (1 - alpha) d, den = sqrt(v - a^2) + eps; else sqrt(v) + eps;
**   momentum > 0: b = mu b + d / den, x -= lr b;  else x -= lr d / den
*/
#include <math.h>

#include "sl_optim.h"

enum { LR, ALPHA, EPS, WD, MOMENTUM, CENTERED, MAXIMIZE };

static const sl_hpspec hp[] = {
    {"lr", 1e-2, SL_HP_NONNEG, NULL},    {"alpha", 0.99, SL_HP_UNIT, NULL},
    {"eps", 1e-8, SL_HP_NONNEG, NULL},   {"weight_decay", 0, SL_HP_NONNEG, NULL},
    {"momentum", 0, SL_HP_NONNEG, NULL}, {"centered", 0, SL_HP_BOOL, NULL},
    {"maximize", 0, SL_HP_BOOL, NULL}};
static const char *const bufs[] = {"square_avg", "momentum_buffer", "grad_avg", NULL};

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  const double lr = o->hp[LR], al = o->hp[ALPHA], al1 = 1 - o->hp[ALPHA], eps = o->hp[EPS];
  const double wd = o->hp[WD], mu = o->hp[MOMENTUM], sgn = o->hp[MAXIMIZE] != 0 ? -1.0 : 1.0;
  const int centered = o->hp[CENTERED] != 0;
  double *v = o->buf[0], *b = o->buf[1], *a = o->buf[2];
  for (size_t i = 0; i < o->dim; i++) {
    double d = sgn * g[i];
    if (wd != 0) d = d + wd * x[i];
    v[i] = v[i] * al + al1 * (d * d);
    double den;
    if (centered) {
      a[i] = a[i] * al + al1 * d;
      den = sqrt(v[i] + -1.0 * (a[i] * a[i])) + eps;
    } else {
      den = sqrt(v[i]) + eps;
    }
    if (mu > 0) {
      b[i] = b[i] * mu + d / den;
      x[i] = x[i] + -lr * b[i];
    } else {
      x[i] = x[i] + -lr * (d / den);
    }
  }
  return SL_OK;
}

const sl_optim_ops sl_optim_rmsprop = {
    .name = "rmsprop", .hp = hp, .nhp = sizeof hp / sizeof hp[0], .bufs = bufs, .step = step};
