/*
** optim_adam.c — Adam (Kingma & Ba 2015, Alg. 1) and AdamW (Loshchilov &
** Hutter 2019) as torch.optim.Adam and torch.optim.AdamW, with AMSGrad
** (Reddi et al. 2018): one update, a flag saying how weight decay enters.
**   Adam (L2):          d = ±g + wd x
**   AdamW (decoupled):  d = ±g;  x *= 1 - lr wd
**   m = b1 m + (1 - b1) d;  v = b2 v + (1 - b2) d^2;  vmax = max(vmax, v) (amsgrad);
**   x -= lr/(1 - b1^t) m / (sqrt(v)/sqrt(1 - b2^t) + eps)
** The two differ in the weight-decay default: 0 (Adam), 1e-2 (AdamW).
*/
#include <math.h>

#include "sl_optim.h"
#include "sl_optim_priv.h"

enum { LR, B1, B2, EPS, WD, AMSGRAD, MAXIMIZE };

#define ADAM_HP(wd_default)                                                                        \
  {                                                                                                \
    {"lr", 1e-3, SL_HP_NONNEG, NULL}, {"beta1", 0.9, SL_HP_UNIT, NULL},                            \
        {"beta2", 0.999, SL_HP_UNIT, NULL}, {"eps", 1e-8, SL_HP_NONNEG, NULL},                     \
        {"weight_decay", wd_default, SL_HP_NONNEG, NULL}, {"amsgrad", 0, SL_HP_BOOL, NULL},        \
        {"maximize", 0, SL_HP_BOOL, NULL},                                                         \
  }

static const sl_hpspec adam_hp[] = ADAM_HP(0), adamw_hp[] = ADAM_HP(1e-2);
static const char *const bufs[] = {"exp_avg", "exp_avg_sq", "max_exp_avg_sq", NULL};

/* How weight decay enters the step: not at all (wd = 0), added to the
   gradient (Adam), or shrinking x first (AdamW). */
enum { DECAY_NONE, DECAY_L2, DECAY_DECOUPLED };

typedef struct adam_args {
  double *x, *m, *v, *vm;
  const double *g;
  double b1, b2, eps, wd, sgn, shrink, step_size, bc2s;
  int variant; /* decay * 2 + amsgrad */
} adam_args;

/*
** The fused loop over [lo, hi). `decay` and `ams` are constants at each call
** in adam_kernel, so every instance the compiler builds is branch-free inside.
*/
SL_OPTIM_INLINE void adam_loop(size_t lo, size_t hi, const adam_args *a, int decay, int ams) {
  double *restrict x = a->x, *restrict m = a->m, *restrict v = a->v, *restrict vm = a->vm;
  const double *restrict g = a->g;
  const double b1 = a->b1, b2 = a->b2, eps = a->eps, wd = a->wd, sgn = a->sgn;
  const double shrink = a->shrink, step_size = a->step_size, bc2s = a->bc2s;
#pragma omp simd
  for (size_t i = lo; i < hi; i++) {
    double d = sgn * g[i];
    double xi = x[i];
    if (decay == DECAY_L2) d = d + wd * xi;
    if (decay == DECAY_DECOUPLED) xi = xi * shrink;
    double mi = m[i], vi = v[i];
    sl_adam_moments(&mi, &vi, d, b1, b2);
    m[i] = mi;
    v[i] = vi;
    double s = vi;
    if (ams) {
      const double w = vm[i];
      s = w >= s ? w : s; /* vmax = max(vmax, v), a NaN v taken */
      vm[i] = s;
    }
    x[i] = xi + -step_size * (mi / (sqrt(s) / bc2s + eps));
  }
}

SL_OPTIM_CLONES
static void adam_kernel(size_t lo, size_t hi, const void *args) {
  const adam_args *a = args;
  switch (a->variant) {
  case DECAY_NONE * 2: adam_loop(lo, hi, a, DECAY_NONE, 0); break;
  case DECAY_NONE * 2 + 1: adam_loop(lo, hi, a, DECAY_NONE, 1); break;
  case DECAY_L2 * 2: adam_loop(lo, hi, a, DECAY_L2, 0); break;
  case DECAY_L2 * 2 + 1: adam_loop(lo, hi, a, DECAY_L2, 1); break;
  case DECAY_DECOUPLED * 2: adam_loop(lo, hi, a, DECAY_DECOUPLED, 0); break;
  default: adam_loop(lo, hi, a, DECAY_DECOUPLED, 1);
  }
}

static sl_status adam_update(sl_optimizer *o, double *x, const double *g, int decoupled) {
  const double lr = o->hp[LR], b1 = o->hp[B1], b2 = o->hp[B2], t = (double)o->t;
  const double wd = o->hp[WD];
  const int decay = wd == 0 ? DECAY_NONE : decoupled ? DECAY_DECOUPLED : DECAY_L2;
  const adam_args a = {.x = x,
                       .g = g,
                       .m = o->buf[0],
                       .v = o->buf[1],
                       .vm = o->buf[2],
                       .b1 = b1,
                       .b2 = b2,
                       .eps = o->hp[EPS],
                       .wd = wd,
                       .sgn = o->hp[MAXIMIZE] != 0 ? -1.0 : 1.0,
                       .shrink = 1 - lr * wd,
                       .step_size = lr / (1 - pow(b1, t)),
                       .bc2s = sqrt(1 - pow(b2, t)),
                       .variant = decay * 2 + (o->hp[AMSGRAD] != 0)};
  sl_optim_foreach(o->dim, adam_kernel, &a);
  return SL_OK;
}

static sl_status adam_step(sl_optimizer *o, double *x, const double *g) {
  return adam_update(o, x, g, 0);
}

static sl_status adamw_step(sl_optimizer *o, double *x, const double *g) {
  return adam_update(o, x, g, 1);
}

const sl_optim_ops sl_optim_adam = {.name = "adam",
                                    .hp = adam_hp,
                                    .nhp = sizeof adam_hp / sizeof adam_hp[0],
                                    .bufs = bufs,
                                    .step = adam_step};
const sl_optim_ops sl_optim_adamw = {.name = "adamw",
                                     .hp = adamw_hp,
                                     .nhp = sizeof adamw_hp / sizeof adamw_hp[0],
                                     .bufs = bufs,
                                     .step = adamw_step};
