/*
** optim_adagrad.c — Adagrad (Duchi, Hazan & Singer 2011) as torch.optim.Adagrad:
**   d = ±g + wd x;  clr = lr / (1 + (t - 1) lr_decay);
**   s += d^2 (s_0 = initial_accumulator_value);  x -= clr d / (sqrt(s) + eps)
*/
#include <math.h>

#include "sl_optim.h"
#include "sl_optim_priv.h"
#include "sl_vec.h"

enum { LR, LR_DECAY, WD, INIT_ACC, EPS, MAXIMIZE };

static const sl_hpspec hp[] = {
    {"lr", 1e-2, SL_HP_NONNEG, NULL},        {"lr_decay", 0, SL_HP_NONNEG, NULL},
    {"weight_decay", 0, SL_HP_NONNEG, NULL}, {"initial_accumulator_value", 0, SL_HP_NONNEG, NULL},
    {"eps", 1e-10, SL_HP_NONNEG, NULL},      {"maximize", 0, SL_HP_BOOL, NULL}};
static const char *const bufs[] = {"sum", NULL};

static void init(sl_optimizer *o) { sl_vec_fill(o->dim, o->buf[0], o->hp[INIT_ACC]); }

typedef struct adagrad_args {
  double *x, *s;
  const double *g;
  double clr, wd, eps, sgn;
  int decay;
} adagrad_args;

SL_OPTIM_INLINE void adagrad_loop(size_t lo, size_t hi, const adagrad_args *a, int decay) {
  double *restrict x = a->x, *restrict s = a->s;
  const double *restrict g = a->g;
  const double clr = a->clr, wd = a->wd, eps = a->eps, sgn = a->sgn;
#pragma omp simd
  for (size_t i = lo; i < hi; i++) {
    double d = sgn * g[i];
    if (decay) d = d + wd * x[i];
    const double si = s[i] + d * d;
    s[i] = si;
    x[i] = x[i] + -clr * (d / (sqrt(si) + eps));
  }
}

SL_OPTIM_CLONES
static void adagrad_kernel(size_t lo, size_t hi, const void *args) {
  const adagrad_args *a = args;
  if (a->decay)
    adagrad_loop(lo, hi, a, 1);
  else
    adagrad_loop(lo, hi, a, 0);
}

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  const adagrad_args a = {.x = x,
                          .s = o->buf[0],
                          .g = g,
                          .clr = o->hp[LR] / (1 + (double)(o->t - 1) * o->hp[LR_DECAY]),
                          .wd = o->hp[WD],
                          .eps = o->hp[EPS],
                          .sgn = o->hp[MAXIMIZE] != 0 ? -1.0 : 1.0,
                          .decay = o->hp[WD] != 0};
  sl_optim_foreach(o->dim, adagrad_kernel, &a);
  return SL_OK;
}

const sl_optim_ops sl_optim_adagrad = {.name = "adagrad",
                                       .hp = hp,
                                       .nhp = sizeof hp / sizeof hp[0],
                                       .bufs = bufs,
                                       .init = init,
                                       .step = step};
