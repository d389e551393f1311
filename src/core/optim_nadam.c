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
#include "sl_optim_priv.h"

enum { LR, B1, B2, EPS, WD, PSI };

static const sl_hpspec hp[] = {
    {"lr", 2e-3, SL_HP_NONNEG, NULL},        {"beta1", 0.9, SL_HP_UNIT, NULL},
    {"beta2", 0.999, SL_HP_UNIT, NULL},      {"eps", 1e-8, SL_HP_NONNEG, NULL},
    {"weight_decay", 0, SL_HP_NONNEG, NULL}, {"momentum_decay", 4e-3, SL_HP_NONNEG, NULL}};
static const char *const bufs[] = {"exp_avg", "exp_avg_sq", NULL};
static const char *const scals[] = {"mu_product", NULL};

static void init(sl_optimizer *o) { o->scal[0] = 1.0; }

typedef struct nadam_args {
  double *x, *m, *v;
  const double *g;
  double b1, b2, eps, wd, c_g, c_m, bc2s;
} nadam_args;

SL_OPTIM_INLINE void nadam_loop(size_t lo, size_t hi, const nadam_args *a, int decay) {
  double *restrict x = a->x, *restrict m = a->m, *restrict v = a->v;
  const double *restrict g = a->g;
  const double b1 = a->b1, b2 = a->b2, eps = a->eps, wd = a->wd, c_g = a->c_g, c_m = a->c_m;
  const double bc2s = a->bc2s;
#pragma omp simd
  for (size_t i = lo; i < hi; i++) {
    double d = g[i];
    if (decay) d = d + wd * x[i];
    double mi = m[i], vi = v[i];
    sl_adam_moments(&mi, &vi, d, b1, b2);
    m[i] = mi;
    v[i] = vi;
    const double den = sqrt(vi) / bc2s + eps;
    double xi = x[i] + c_g * (d / den);
    x[i] = xi + c_m * (mi / den);
  }
}

SL_OPTIM_CLONES
static void nadam_kernel(size_t lo, size_t hi, const void *args) {
  const nadam_args *a = args;
  if (a->wd != 0)
    nadam_loop(lo, hi, a, 1);
  else
    nadam_loop(lo, hi, a, 0);
}

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  const double lr = o->hp[LR], b1 = o->hp[B1], b2 = o->hp[B2], eps = o->hp[EPS];
  const double wd = o->hp[WD], t = (double)o->t;
  const double mu = b1 * (1. - 0.5 * pow(0.96, t * o->hp[PSI]));
  const double mu_next = b1 * (1. - 0.5 * pow(0.96, (t + 1) * o->hp[PSI]));
  o->scal[0] *= mu;
  const double mp = o->scal[0];
  const double c_g = (lr * (1. - mu) / (1. - mp)) * -1;
  const double c_m = (lr * mu_next / (1. - mp * mu_next)) * -1;
  const nadam_args a = {.x = x,
                        .m = o->buf[0],
                        .v = o->buf[1],
                        .g = g,
                        .b1 = b1,
                        .b2 = b2,
                        .eps = eps,
                        .wd = wd,
                        .c_g = c_g,
                        .c_m = c_m,
                        .bc2s = sqrt(1 - pow(b2, t))};
  sl_optim_foreach(o->dim, nadam_kernel, &a);
  return SL_OK;
}

const sl_optim_ops sl_optim_nadam = {.name = "nadam",
                                     .hp = hp,
                                     .nhp = sizeof hp / sizeof hp[0],
                                     .bufs = bufs,
                                     .scals = scals,
                                     .init = init,
                                     .step = step};
