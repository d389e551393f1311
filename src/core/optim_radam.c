/*
** optim_radam.c — RAdam (Liu et al. 2020, Alg. 2) as torch.optim.RAdam:
**   rho_inf = 2/(1 - b2) - 1,  rho_t = rho_inf - 2 t b2^t / (1 - b2^t);
**   rho_t > 5: x -= lr m/(1 - b1^t) * sqrt(1 - b2^t)/(sqrt(v) + eps) * r_t,
**     r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t));
**   else an un-adapted momentum step x -= lr m/(1 - b1^t).
*/
#include <math.h>

#include "sl_optim.h"

enum { LR, B1, B2, EPS, WD };

static const sl_hpspec hp[] = {{"lr", 1e-3, SL_HP_NONNEG, NULL},
                               {"beta1", 0.9, SL_HP_UNIT, NULL},
                               {"beta2", 0.999, SL_HP_UNIT, NULL},
                               {"eps", 1e-8, SL_HP_NONNEG, NULL},
                               {"weight_decay", 0, SL_HP_NONNEG, NULL}};
static const char *const bufs[] = {"exp_avg", "exp_avg_sq", NULL};

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  const double lr = o->hp[LR], b1 = o->hp[B1], b2 = o->hp[B2], eps = o->hp[EPS];
  const double wd = o->hp[WD], t = (double)o->t;
  const double bc1 = 1 - pow(b1, t), bc2 = 1 - pow(b2, t);
  const double rho_inf = 2 / (1 - b2) - 1;
  const double rho_t = rho_inf - 2 * t * pow(b2, t) / bc2;
  const int rect_on = rho_t > 5.;
  const double rect =
      rect_on ? sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
              : 0;
  const double bc2s = sqrt(bc2);
  double *m = o->buf[0], *v = o->buf[1];
  for (size_t i = 0; i < o->dim; i++) {
    double d = g[i];
    if (wd != 0) d = d + wd * x[i];
    sl_adam_moments(&m[i], &v[i], d, b1, b2);
    const double mc = m[i] / bc1;
    if (rect_on)
      x[i] = x[i] + -1.0 * (mc * lr * (bc2s / (sqrt(v[i]) + eps)) * rect);
    else
      x[i] = x[i] + -1.0 * (mc * lr);
  }
  return SL_OK;
}

const sl_optim_ops sl_optim_radam = {
    .name = "radam", .hp = hp, .nhp = sizeof hp / sizeof hp[0], .bufs = bufs, .step = step};
