/*
** optim_adagrad.c — Adagrad (Duchi, Hazan & Singer 2011) as torch.optim.Adagrad:
**   d = ±g + wd x;  clr = lr / (1 + (t - 1) lr_decay);
**   s += d^2 (s_0 = initial_accumulator_value);  x -= clr d / (sqrt(s) + eps)
*/
#include <math.h>

#include "sl_optim.h"
#include "sl_vec.h"

enum { LR, LR_DECAY, WD, INIT_ACC, EPS, MAXIMIZE };

static const sl_hpspec hp[] = {
    {"lr", 1e-2, SL_HP_NONNEG, NULL},        {"lr_decay", 0, SL_HP_NONNEG, NULL},
    {"weight_decay", 0, SL_HP_NONNEG, NULL}, {"initial_accumulator_value", 0, SL_HP_NONNEG, NULL},
    {"eps", 1e-10, SL_HP_NONNEG, NULL},      {"maximize", 0, SL_HP_BOOL, NULL}};
static const char *const bufs[] = {"sum", NULL};

static void init(sl_optimizer *o) { sl_vec_fill(o->dim, o->buf[0], o->hp[INIT_ACC]); }

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  const double clr = o->hp[LR] / (1 + (double)(o->t - 1) * o->hp[LR_DECAY]);
  const double wd = o->hp[WD], eps = o->hp[EPS], sgn = o->hp[MAXIMIZE] != 0 ? -1.0 : 1.0;
  double *s = o->buf[0];
  for (size_t i = 0; i < o->dim; i++) {
    double d = sgn * g[i];
    if (wd != 0) d = d + wd * x[i];
    s[i] = s[i] + d * d;
    x[i] = x[i] + -clr * (d / (sqrt(s[i]) + eps));
  }
  return SL_OK;
}

const sl_optim_ops sl_optim_adagrad = {.name = "adagrad",
                                       .hp = hp,
                                       .nhp = sizeof hp / sizeof hp[0],
                                       .bufs = bufs,
                                       .init = init,
                                       .step = step};
