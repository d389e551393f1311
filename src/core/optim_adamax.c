/*
** optim_adamax.c — Adamax (Kingma & Ba 2015, Sec. 7.1) as torch.optim.Adamax:
**   d = ±g + wd x;  m = b1 m + (1 - b1) d;  u = max(b2 u, |d| + eps);
**   x -= lr/(1 - b1^t) m/u
*/
#include <math.h>

#include "sl_optim.h"
#include "sl_optim_priv.h"

enum { LR, B1, B2, EPS, WD, MAXIMIZE };

static const sl_hpspec hp[] = {
    {"lr", 2e-3, SL_HP_NONNEG, NULL},        {"beta1", 0.9, SL_HP_UNIT, NULL},
    {"beta2", 0.999, SL_HP_UNIT, NULL},      {"eps", 1e-8, SL_HP_NONNEG, NULL},
    {"weight_decay", 0, SL_HP_NONNEG, NULL}, {"maximize", 0, SL_HP_BOOL, NULL}};
static const char *const bufs[] = {"exp_avg", "exp_inf", NULL};

typedef struct adamax_args {
  double *x, *m, *u;
  const double *g;
  double b1, b2, eps, wd, sgn, clr;
} adamax_args;

SL_OPTIM_INLINE void adamax_loop(size_t lo, size_t hi, const adamax_args *r, int decay) {
  double *restrict x = r->x, *restrict m = r->m, *restrict u = r->u;
  const double *restrict g = r->g;
  const double b1 = r->b1, b2 = r->b2, eps = r->eps, wd = r->wd, sgn = r->sgn, clr = r->clr;
#pragma omp simd
  for (size_t i = lo; i < hi; i++) {
    double d = sgn * g[i];
    if (decay) d = d + wd * x[i];
    const double mi = m[i] * b1 + (1 - b1) * d;
    m[i] = mi;
    const double a = u[i] * b2, c = fabs(d) + eps;
    const double ui = (a >= c || isnan(a)) ? a : c;
    u[i] = ui;
    x[i] = x[i] + -clr * (mi / ui);
  }
}

SL_OPTIM_CLONES
static void adamax_kernel(size_t lo, size_t hi, const void *args) {
  const adamax_args *a = args;
  if (a->wd != 0)
    adamax_loop(lo, hi, a, 1);
  else
    adamax_loop(lo, hi, a, 0);
}

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  const double b1 = o->hp[B1];
  const adamax_args a = {.x = x,
                         .m = o->buf[0],
                         .u = o->buf[1],
                         .g = g,
                         .b1 = b1,
                         .b2 = o->hp[B2],
                         .eps = o->hp[EPS],
                         .wd = o->hp[WD],
                         .sgn = o->hp[MAXIMIZE] != 0 ? -1.0 : 1.0,
                         .clr = o->hp[LR] / (1 - pow(b1, (double)o->t))};
  sl_optim_foreach(o->dim, adamax_kernel, &a);
  return SL_OK;
}

const sl_optim_ops sl_optim_adamax = {
    .name = "adamax", .hp = hp, .nhp = sizeof hp / sizeof hp[0], .bufs = bufs, .step = step};
