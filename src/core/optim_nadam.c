/*
** optim_nadam.c — NAdam (Dozat 2016) with momentum decay, the torch 2.x rule
** (torch 1.13 computes it with foreach=True; its single-tensor path multiplied
** mu twice into the next momentum product):
**   mu_t = b1 (1 - 0.5 * 0.96^(t psi)),  P_t = prod_{s<=t} mu_s;
**   d = g + wd x;  m, v as Adam;  den = sqrt(v)/sqrt(1 - b2^t) + eps;
**   x -= lr (1 - mu_t)/(1 - P_t) d/den + lr mu_{t+1}/(1 - P_t mu_{t+1}) m/den
*/
#include <math.h>

#include "sl_optim.h"

enum { LR, B1, B2, EPS, WD, PSI };

static const sl_hpspec hp[] = {
    {"lr", 2e-3, SL_HP_NONNEG, NULL},        {"beta1", 0.9, SL_HP_UNIT, NULL},
    {"beta2", 0.999, SL_HP_UNIT, NULL},      {"eps", 1e-8, SL_HP_NONNEG, NULL},
    {"weight_decay", 0, SL_HP_NONNEG, NULL}, {"momentum_decay", 4e-3, SL_HP_NONNEG, NULL}};
static const char *const bufs[] = {"exp_avg", "exp_avg_sq", NULL};
static const char *const scals[] = {"mu_product", NULL};

static void init(sl_optimizer *o) { o->scal[0] = 1.0; }

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  const double lr = o->hp[LR], b1 = o->hp[B1], b2 = o->hp[B2], eps = o->hp[EPS];
  const double wd = o->hp[WD], t = (double)o->t;
  const double mu = b1 * (1. - 0.5 * pow(0.96, t * o->hp[PSI]));
  const double mu_next = b1 * (1. - 0.5 * pow(0.96, (t + 1) * o->hp[PSI]));
  o->scal[0] *= mu;
  const double mp = o->scal[0];
  const double c_g = (lr * (1. - mu) / (1. - mp)) * -1;
  const double c_m = (lr * mu_next / (1. - mp * mu_next)) * -1;
  const double bc2s = sqrt(1 - pow(b2, t));
  double *m = o->buf[0], *v = o->buf[1];
  for (size_t i = 0; i < o->dim; i++) {
    double d = g[i];
    if (wd != 0) d = d + wd * x[i];
    sl_adam_moments(&m[i], &v[i], d, b1, b2);
    const double den = sqrt(v[i]) / bc2s + eps;
    x[i] = x[i] + c_g * (d / den);
    x[i] = x[i] + c_m * (m[i] / den);
  }
  return SL_OK;
}

const sl_optim_ops sl_optim_nadam = {.name = "nadam",
                                     .hp = hp,
                                     .nhp = sizeof hp / sizeof hp[0],
                                     .bufs = bufs,
                                     .scals = scals,
                                     .init = init,
                                     .step = step};
