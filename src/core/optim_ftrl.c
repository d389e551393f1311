/*
** optim_ftrl.c — FTRL-Proximal, per coordinate (McMahan et al. 2013, "Ad Click
** Prediction: a View from the Trenches", Alg. 1). x is the weight vector w
** the rule produces; g is the gradient of the loss at x:
**   sigma = (sqrt(n + g^2) - sqrt(n)) / alpha;  z += g - sigma x;  n += g^2;
**   x = 0 if |z| <= l1, else -(z - sign(z) l1) / ((beta + sqrt(n))/alpha + l2).
** opt.lr is alpha.
*/
#include <math.h>

#include "sl_optim.h"

enum { ALPHA, BETA, L1, L2 };

static const sl_hpspec hp[] = {{"alpha", 0.1, SL_HP_POS, NULL},
                               {"beta", 1.0, SL_HP_NONNEG, NULL},
                               {"l1", 0, SL_HP_NONNEG, NULL},
                               {"l2", 0, SL_HP_NONNEG, NULL}};
static const char *const bufs[] = {"z", "n", NULL};

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  const double alpha = o->hp[ALPHA], beta = o->hp[BETA], l1 = o->hp[L1], l2 = o->hp[L2];
  double *z = o->buf[0], *n = o->buf[1];
  for (size_t i = 0; i < o->dim; i++) {
    const double gi = g[i], n1 = n[i] + gi * gi;
    const double sigma = (sqrt(n1) - sqrt(n[i])) / alpha;
    z[i] += gi - sigma * x[i];
    n[i] = n1;
    if (fabs(z[i]) <= l1)
      x[i] = 0.0;
    else
      x[i] = -(z[i] - copysign(l1, z[i])) / ((beta + sqrt(n1)) / alpha + l2);
  }
  return SL_OK;
}

const sl_optim_ops sl_optim_ftrl = {
    .name = "ftrl", .hp = hp, .nhp = sizeof hp / sizeof hp[0], .bufs = bufs, .step = step};
