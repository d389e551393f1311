/*
** optim_sgd.c — stochastic gradient descent with momentum, dampening,
** Nesterov momentum, L2 weight decay and maximize, as torch.optim.SGD:
**   d = ±g + wd x;  b_1 = d, b_t = mu b_{t-1} + (1 - tau) d;
**   d = nesterov ? d + mu b_t : b_t;  x -= lr d
** (Sutskever et al. 2013 for the Nesterov form used by PyTorch).
*/
#include "sl_optim.h"

enum { LR, MOMENTUM, DAMPENING, WD, NESTEROV, MAXIMIZE };

static const sl_hpspec hp[] = {
    {"lr", 1e-3, SL_HP_NONNEG, NULL},   {"momentum", 0, SL_HP_NONNEG, NULL},
    {"dampening", 0, SL_HP_PROB, NULL}, {"weight_decay", 0, SL_HP_NONNEG, NULL},
    {"nesterov", 0, SL_HP_BOOL, NULL},  {"maximize", 0, SL_HP_BOOL, NULL}};
static const char *const bufs[] = {"momentum_buffer", NULL};

static sl_status check(sl_optimizer *o) {
  if (o->hp[NESTEROV] != 0 && (o->hp[MOMENTUM] <= 0 || o->hp[DAMPENING] != 0))
    return sl_optim_fail(o, SL_EINVAL, "nesterov requires momentum > 0 and dampening = 0");
  return SL_OK;
}

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  const double lr = o->hp[LR], mu = o->hp[MOMENTUM], damp = 1.0 - o->hp[DAMPENING];
  const double wd = o->hp[WD], sgn = o->hp[MAXIMIZE] != 0 ? -1.0 : 1.0;
  const int nesterov = o->hp[NESTEROV] != 0, first = o->t == 1;
  double *b = o->buf[0];
  for (size_t i = 0; i < o->dim; i++) {
    double d = sgn * g[i];
    if (wd != 0) d = d + wd * x[i];
    if (mu != 0) {
      b[i] = first ? d : b[i] * mu + damp * d;
      d = nesterov ? d + mu * b[i] : b[i];
    }
    x[i] = x[i] + -lr * d;
  }
  return SL_OK;
}

const sl_optim_ops sl_optim_sgd = {.name = "sgd",
                                   .hp = hp,
                                   .nhp = sizeof hp / sizeof hp[0],
                                   .bufs = bufs,
                                   .check = check,
                                   .step = step};
