/*
** optim_adamw.c — AdamW (Loshchilov & Hutter 2019) as torch.optim.AdamW:
** decoupled weight decay x *= 1 - lr wd, then the Adam update on ±g.
*/
#include <math.h>

#include "sl_optim.h"

enum { LR, B1, B2, EPS, WD, AMSGRAD, MAXIMIZE };

static const sl_hpspec hp[] = {
    {"lr", 1e-3, SL_HP_NONNEG, NULL},           {"beta1", 0.9, SL_HP_UNIT, NULL},
    {"beta2", 0.999, SL_HP_UNIT, NULL},         {"eps", 1e-8, SL_HP_NONNEG, NULL},
    {"weight_decay", 1e-2, SL_HP_NONNEG, NULL}, {"amsgrad", 0, SL_HP_BOOL, NULL},
    {"maximize", 0, SL_HP_BOOL, NULL}};
static const char *const bufs[] = {"exp_avg", "exp_avg_sq", "max_exp_avg_sq", NULL};

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  const double b1 = o->hp[B1], b2 = o->hp[B2], eps = o->hp[EPS];
  const double t = (double)o->t, sgn = o->hp[MAXIMIZE] != 0 ? -1.0 : 1.0;
  const double decay = 1 - o->hp[LR] * o->hp[WD];
  const double step_size = o->hp[LR] / (1 - pow(b1, t)), bc2s = sqrt(1 - pow(b2, t));
  const int ams = o->hp[AMSGRAD] != 0;
  double *m = o->buf[0], *v = o->buf[1], *vm = o->buf[2];
  for (size_t i = 0; i < o->dim; i++) {
    const double d = sgn * g[i];
    x[i] = x[i] * decay;
    m[i] = m[i] * b1 + (1 - b1) * d;
    v[i] = v[i] * b2 + (1 - b2) * (d * d);
    double s = v[i];
    if (ams) {
      if (!(vm[i] >= s)) vm[i] = s;
      s = vm[i];
    }
    x[i] = x[i] + -step_size * (m[i] / (sqrt(s) / bc2s + eps));
  }
  return SL_OK;
}

const sl_optim_ops sl_optim_adamw = {
    .name = "adamw", .hp = hp, .nhp = sizeof hp / sizeof hp[0], .bufs = bufs, .step = step};
