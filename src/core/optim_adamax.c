/*
** optim_adamax.c — Adamax (Kingma & Ba 2015, Sec. 7.1) as torch.optim.Adamax:
**   d = ±g + wd x;  m = b1 m + (1 - b1) d;  u = max(b2 u, |d| + eps);
**   x -= lr/(1 - b1^t) m/u
*/
#include <math.h>

#include "sl_optim.h"

enum { LR, B1, B2, EPS, WD, MAXIMIZE };

static const sl_hpspec hp[] = {
    {"lr", 2e-3, SL_HP_NONNEG, NULL},        {"beta1", 0.9, SL_HP_UNIT, NULL},
    {"beta2", 0.999, SL_HP_UNIT, NULL},      {"eps", 1e-8, SL_HP_NONNEG, NULL},
    {"weight_decay", 0, SL_HP_NONNEG, NULL}, {"maximize", 0, SL_HP_BOOL, NULL}};
static const char *const bufs[] = {"exp_avg", "exp_inf", NULL};

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  const double b1 = o->hp[B1], b2 = o->hp[B2], eps = o->hp[EPS], wd = o->hp[WD];
  const double sgn = o->hp[MAXIMIZE] != 0 ? -1.0 : 1.0;
  const double clr = o->hp[LR] / (1 - pow(b1, (double)o->t));
  double *m = o->buf[0], *u = o->buf[1];
  for (size_t i = 0; i < o->dim; i++) {
    double d = sgn * g[i];
    if (wd != 0) d = d + wd * x[i];
    m[i] = m[i] * b1 + (1 - b1) * d;
    const double a = u[i] * b2, c = fabs(d) + eps;
    u[i] = (a >= c || isnan(a)) ? a : c;
    x[i] = x[i] + -clr * (m[i] / u[i]);
  }
  return SL_OK;
}

const sl_optim_ops sl_optim_adamax = {
    .name = "adamax", .hp = hp, .nhp = sizeof hp / sizeof hp[0], .bufs = bufs, .step = step};
