/*
** optim_sgd.c — stochastic gradient descent with momentum, dampening,
** Nesterov momentum, L2 weight decay and maximize, as torch.optim.SGD:
**   d = ±g + wd x;  b_1 = d, b_t = mu b_{t-1} + (1 - tau) d;
**   d = nesterov ? d + mu b_t : b_t;  x -= lr d
** (Sutskever et al. 2013 for the Nesterov form used by PyTorch).
*/
#include "sl_optim.h"
#include "sl_optim_priv.h"

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

typedef struct sgd_args {
  double *x, *b;
  const double *g;
  double lr, mu, damp, wd, sgn;
  int variant; /* (wd != 0) + 2 * (mu != 0) + 4 * first + 8 * nesterov */
} sgd_args;

/* One instance per combination of the flags (constants in sgd_kernel). */
SL_OPTIM_INLINE void sgd_loop(size_t lo, size_t hi, const sgd_args *a, int decay, int mom,
                              int first, int nesterov) {
  double *restrict x = a->x, *restrict b = a->b;
  const double *restrict g = a->g;
  const double lr = a->lr, mu = a->mu, damp = a->damp, wd = a->wd, sgn = a->sgn;
#pragma omp simd
  for (size_t i = lo; i < hi; i++) {
    double d = sgn * g[i];
    if (decay) d = d + wd * x[i];
    if (mom) {
      const double bi = first ? d : b[i] * mu + damp * d;
      b[i] = bi;
      d = nesterov ? d + mu * bi : bi;
    }
    x[i] = x[i] + -lr * d;
  }
}

#define SGD_CASE(wd, mom, first, nest)                                                             \
  case (wd) + 2 * (mom) + 4 * (first) + 8 * (nest): sgd_loop(lo, hi, a, wd, mom, first, nest); break

SL_OPTIM_CLONES
static void sgd_kernel(size_t lo, size_t hi, const void *args) {
  const sgd_args *a = args;
  switch (a->variant) {
    SGD_CASE(0, 0, 0, 0);
    SGD_CASE(1, 0, 0, 0);
    SGD_CASE(0, 1, 0, 0);
    SGD_CASE(1, 1, 0, 0);
    SGD_CASE(0, 1, 1, 0);
    SGD_CASE(1, 1, 1, 0);
    SGD_CASE(0, 1, 0, 1);
    SGD_CASE(1, 1, 0, 1);
    SGD_CASE(0, 1, 1, 1);
    SGD_CASE(1, 1, 1, 1);
  default: break; /* no momentum: first and nesterov do not enter (check forbids nesterov) */
  }
}

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  const double mu = o->hp[MOMENTUM], wd = o->hp[WD];
  const int mom = mu != 0;
  const sgd_args a = {.x = x,
                      .b = o->buf[0],
                      .g = g,
                      .lr = o->hp[LR],
                      .mu = mu,
                      .damp = 1.0 - o->hp[DAMPENING],
                      .wd = wd,
                      .sgn = o->hp[MAXIMIZE] != 0 ? -1.0 : 1.0,
                      .variant = (wd != 0) + 2 * mom + 4 * (mom && o->t == 1) +
                                 8 * (mom && o->hp[NESTEROV] != 0)};
  sl_optim_foreach(o->dim, sgd_kernel, &a);
  return SL_OK;
}

const sl_optim_ops sl_optim_sgd = {.name = "sgd",
                                   .hp = hp,
                                   .nhp = sizeof hp / sizeof hp[0],
                                   .bufs = bufs,
                                   .check = check,
                                   .step = step};
