/*
** optim_radam.c — RAdam (Liu et al. 2020, Alg. 2) as torch.optim.RAdam:
**   rho_inf = 2/(1 - b2) - 1,  rho_t = rho_inf - 2 t b2^t / (1 - b2^t);
**   rho_t > 5: x -= lr m/(1 - b1^t) * sqrt(1 - b2^t)/(sqrt(v) + eps) * r_t,
**     r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t));
**   else an un-adapted momentum step x -= lr m/(1 - b1^t).
*/
#include <math.h>

#include "sl_optim.h"
#include "sl_optim_priv.h"

enum { LR, B1, B2, EPS, WD };

static const sl_hpspec hp[] = {{"lr", 1e-3, SL_HP_NONNEG, NULL},
                               {"beta1", 0.9, SL_HP_UNIT, NULL},
                               {"beta2", 0.999, SL_HP_UNIT, NULL},
                               {"eps", 1e-8, SL_HP_NONNEG, NULL},
                               {"weight_decay", 0, SL_HP_NONNEG, NULL}};
static const char *const bufs[] = {"exp_avg", "exp_avg_sq", NULL};

typedef struct radam_args {
  double *x, *m, *v;
  const double *g;
  double lr, b1, b2, eps, wd, bc1, bc2s, rect;
  int variant; /* (wd != 0) + 2 * rect_on */
} radam_args;

SL_OPTIM_INLINE void radam_loop(size_t lo, size_t hi, const radam_args *a, int decay, int rect_on) {
  double *restrict x = a->x, *restrict m = a->m, *restrict v = a->v;
  const double *restrict g = a->g;
  const double lr = a->lr, b1 = a->b1, b2 = a->b2, eps = a->eps, wd = a->wd, bc1 = a->bc1;
  const double bc2s = a->bc2s, rect = a->rect;
#pragma omp simd
  for (size_t i = lo; i < hi; i++) {
    double d = g[i];
    if (decay) d = d + wd * x[i];
    double mi = m[i], vi = v[i];
    sl_adam_moments(&mi, &vi, d, b1, b2);
    m[i] = mi;
    v[i] = vi;
    const double mc = mi / bc1;
    if (rect_on)
      x[i] = x[i] + -1.0 * (mc * lr * (bc2s / (sqrt(vi) + eps)) * rect);
    else
      x[i] = x[i] + -1.0 * (mc * lr);
  }
}

SL_OPTIM_CLONES
static void radam_kernel(size_t lo, size_t hi, const void *args) {
  const radam_args *a = args;
  switch (a->variant) {
  case 0: radam_loop(lo, hi, a, 0, 0); break;
  case 1: radam_loop(lo, hi, a, 1, 0); break;
  case 2: radam_loop(lo, hi, a, 0, 1); break;
  default: radam_loop(lo, hi, a, 1, 1);
  }
}

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
  const radam_args a = {.x = x,
                        .m = o->buf[0],
                        .v = o->buf[1],
                        .g = g,
                        .lr = lr,
                        .b1 = b1,
                        .b2 = b2,
                        .eps = eps,
                        .wd = wd,
                        .bc1 = bc1,
                        .bc2s = sqrt(bc2),
                        .rect = rect,
                        .variant = (wd != 0) + 2 * rect_on};
  sl_optim_foreach(o->dim, radam_kernel, &a);
  return SL_OK;
}

const sl_optim_ops sl_optim_radam = {
    .name = "radam", .hp = hp, .nhp = sizeof hp / sizeof hp[0], .bufs = bufs, .step = step};
