/*
** optim_asgd.c — averaged SGD (Polyak & Juditsky 1992; the step sizes of
** Bottou 2012, "Stochastic Gradient Descent Tricks", sec. 5.3) as
** torch.optim.ASGD in torch 1.13:
**   d = ±g + wd x;  x = x (1 - lambd eta) - eta d;
**   ax = x if mu = 1, else ax + mu (x - ax);
**   then eta = lr / (1 + lambd lr t)^alpha,  mu = 1 / max(1, t - t0)
** with eta = lr (the lr at the first step) and mu = 1 at the start. The
** average ax is state (opt:state().ax, opt:averaged()); x is the SGD iterate.
*/
#include <math.h>

#include "sl_optim.h"
#include "sl_optim_priv.h"

enum { LR, LAMBD, ALPHA, T0, WD, MAXIMIZE };
enum { ETA, MU };

static const sl_hpspec hp[] = {
    {"lr", 1e-2, SL_HP_NONNEG, NULL},        {"lambd", 1e-4, SL_HP_NONNEG, NULL},
    {"alpha", 0.75, SL_HP_NONNEG, NULL},     {"t0", 1e6, SL_HP_NONNEG, NULL},
    {"weight_decay", 0, SL_HP_NONNEG, NULL}, {"maximize", 0, SL_HP_BOOL, NULL}};
static const char *const bufs[] = {"ax", NULL};
static const char *const scals[] = {"eta", "mu", NULL};

static void init(sl_optimizer *o) {
  o->scal[ETA] = o->hp[LR];
  o->scal[MU] = 1;
}

typedef struct asgd_args {
  double *x, *ax;
  const double *g;
  double shrink, eta, mu, wd, sgn;
  int variant; /* (wd != 0) + 2 (mu != 1) */
} asgd_args;

SL_OPTIM_INLINE void asgd_loop(size_t lo, size_t hi, const asgd_args *a, int decay, int avg) {
  double *restrict x = a->x, *restrict ax = a->ax;
  const double *restrict g = a->g;
  const double shrink = a->shrink, eta = a->eta, mu = a->mu, wd = a->wd, sgn = a->sgn;
#pragma omp simd
  for (size_t i = lo; i < hi; i++) {
    double d = sgn * g[i];
    if (decay) d = d + wd * x[i];
    const double xi = x[i] * shrink + -eta * d;
    x[i] = xi;
    if (avg)
      ax[i] = ax[i] + (xi - ax[i]) * mu;
    else
      ax[i] = xi;
  }
}

SL_OPTIM_CLONES
static void asgd_kernel(size_t lo, size_t hi, const void *args) {
  const asgd_args *a = args;
  switch (a->variant) {
  case 0: asgd_loop(lo, hi, a, 0, 0); break;
  case 1: asgd_loop(lo, hi, a, 1, 0); break;
  case 2: asgd_loop(lo, hi, a, 0, 1); break;
  default: asgd_loop(lo, hi, a, 1, 1);
  }
}

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  const double eta = o->scal[ETA], mu = o->scal[MU], lr = o->hp[LR], lambd = o->hp[LAMBD];
  const double t = (double)o->t;
  const asgd_args a = {.x = x,
                       .ax = o->buf[0],
                       .g = g,
                       .shrink = 1 - lambd * eta,
                       .eta = eta,
                       .mu = mu,
                       .wd = o->hp[WD],
                       .sgn = o->hp[MAXIMIZE] != 0 ? -1.0 : 1.0,
                       .variant = (o->hp[WD] != 0) + 2 * (mu != 1)};
  sl_optim_foreach(o->dim, asgd_kernel, &a);
  o->scal[ETA] = lr / pow(1 + lambd * lr * t, o->hp[ALPHA]);
  o->scal[MU] = 1 / fmax(1, t - o->hp[T0]);
  return SL_OK;
}

const sl_optim_ops sl_optim_asgd = {.name = "asgd",
                                    .hp = hp,
                                    .nhp = sizeof hp / sizeof hp[0],
                                    .bufs = bufs,
                                    .scals = scals,
                                    .init = init,
                                    .step = step};
