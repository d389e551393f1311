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

typedef struct adam_coef {
  double b1, b2, eps, wd, sgn, shrink, step_size, bc2s;
} adam_coef;

/*
** The fused loop. `decay` and `ams` are constants at each call in
** adam_update, so every instance the compiler builds is branch-free inside.
*/
__attribute__((always_inline)) static inline void adam_loop(size_t n, double *x, const double *g,
                                                            double *m, double *v, double *vm,
                                                            const adam_coef *k, int decay,
                                                            int ams) {
  const double b1 = k->b1, b2 = k->b2, eps = k->eps, wd = k->wd, sgn = k->sgn;
  const double shrink = k->shrink, step_size = k->step_size, bc2s = k->bc2s;
  for (size_t i = 0; i < n; i++) {
    double d = sgn * g[i];
    if (decay == DECAY_L2) d = d + wd * x[i];
    if (decay == DECAY_DECOUPLED) x[i] = x[i] * shrink;
    sl_adam_moments(&m[i], &v[i], d, b1, b2);
    double s = v[i];
    if (ams) {
      if (!(vm[i] >= s)) vm[i] = s; /* a store only when the max moves */
      s = vm[i];
    }
    x[i] = x[i] + -step_size * (m[i] / (sqrt(s) / bc2s + eps));
  }
}

static sl_status adam_update(sl_optimizer *o, double *x, const double *g, int decoupled) {
  const double lr = o->hp[LR], b1 = o->hp[B1], b2 = o->hp[B2], t = (double)o->t;
  const adam_coef k = {.b1 = b1,
                       .b2 = b2,
                       .eps = o->hp[EPS],
                       .wd = o->hp[WD],
                       .sgn = o->hp[MAXIMIZE] != 0 ? -1.0 : 1.0,
                       .shrink = 1 - lr * o->hp[WD],
                       .step_size = lr / (1 - pow(b1, t)),
                       .bc2s = sqrt(1 - pow(b2, t))};
  const int decay = k.wd == 0 ? DECAY_NONE : decoupled ? DECAY_DECOUPLED : DECAY_L2;
  double *m = o->buf[0], *v = o->buf[1], *vm = o->buf[2];
  size_t n = o->dim;
  switch (decay * 2 + (o->hp[AMSGRAD] != 0)) {
  case DECAY_NONE * 2: adam_loop(n, x, g, m, v, vm, &k, DECAY_NONE, 0); break;
  case DECAY_NONE * 2 + 1: adam_loop(n, x, g, m, v, vm, &k, DECAY_NONE, 1); break;
  case DECAY_L2 * 2: adam_loop(n, x, g, m, v, vm, &k, DECAY_L2, 0); break;
  case DECAY_L2 * 2 + 1: adam_loop(n, x, g, m, v, vm, &k, DECAY_L2, 1); break;
  case DECAY_DECOUPLED * 2: adam_loop(n, x, g, m, v, vm, &k, DECAY_DECOUPLED, 0); break;
  default: adam_loop(n, x, g, m, v, vm, &k, DECAY_DECOUPLED, 1);
  }
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
