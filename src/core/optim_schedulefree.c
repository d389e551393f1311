/*
** optim_schedulefree.c — schedule-free SGD and AdamW (Defazio, Yang, Mehta,
** Mishchenko, Khaled & Cutkosky 2024, "The Road Less Scheduled", Alg. 1), as
** the authors' reference package schedulefree (SGDScheduleFree,
** AdamWScheduleFree). Three sequences: z (the base SGD/Adam iterate), the
** average x_{t+1} = (1 - c) x_t + c z_{t+1}, and y = (1 - beta) z + beta x
** where the gradient is taken. The caller's vector holds y; x is never
** stored, it is recovered as x = y + (1 - 1/beta)(z - y) (sl_optim_sf_eval).
** With k = t - 1 steps before this one:
**   lr_k = lr min(1, (k+1)/warmup_steps);
**   lr_max = max(lr_max, lr_k);  w = (k+1)^r lr_max^weight_lr_power;
**   W += w;  c = w / W (0 when W = 0);
**   SGD:   d = g + wd y;
**   AdamW: v = beta2 v + (1 - beta2) g^2,  den = sqrt(v / (1 - beta2^(k+1))) + eps,
**          d = g / den + wd y;  with inner_momentum mu > 0:
**          m = mu m + (1 - mu) g,  d = (m / (1 - mu^(k+1))) / den + wd y;
**   y = y + c (z - y) + lr_k (beta (1 - c) - 1) d;  z = z - lr_k d
** (z starts at the first y). Weight decay is taken at y, as the reference.
*/
#include <math.h>

#include "sl_optim.h"
#include "sl_optim_priv.h"
#include "sl_vec.h"

enum { LR, MOMENTUM, WD, WARMUP, R, WLRP };                             /* sf_sgd */
enum { A_LR, A_B1, A_B2, A_EPS, A_WD, A_WARMUP, A_R, A_WLRP, A_INNER }; /* sf_adamw */
enum { LR_MAX, WSUM };

static const sl_hpspec sgd_hp[] = {{"lr", 1.0, SL_HP_NONNEG, NULL},
                                   {"momentum", 0.9, SL_HP_UNIT, NULL},
                                   {"weight_decay", 0, SL_HP_NONNEG, NULL},
                                   {"warmup_steps", 0, SL_HP_INDEX, NULL},
                                   {"r", 0, SL_HP_NONNEG, NULL},
                                   {"weight_lr_power", 2, SL_HP_NONNEG, NULL}};
static const sl_hpspec adamw_hp[] = {{"lr", 0.0025, SL_HP_NONNEG, NULL},
                                     {"beta1", 0.9, SL_HP_UNIT, NULL},
                                     {"beta2", 0.999, SL_HP_UNIT, NULL},
                                     {"eps", 1e-8, SL_HP_NONNEG, NULL},
                                     {"weight_decay", 0, SL_HP_NONNEG, NULL},
                                     {"warmup_steps", 0, SL_HP_INDEX, NULL},
                                     {"r", 0, SL_HP_NONNEG, NULL},
                                     {"weight_lr_power", 2, SL_HP_NONNEG, NULL},
                                     {"inner_momentum", 0, SL_HP_UNIT, NULL}};
static const char *const sgd_bufs[] = {"z", NULL};
static const char *const adamw_bufs[] = {"z", "exp_avg_sq", "exp_avg", NULL};

/* exp_avg only when inner_momentum > 0 at the first step (then fixed). */
static size_t adamw_buflen(const sl_optimizer *o, size_t k) {
  return k < 2 || o->hp[A_INNER] > 0 ? o->dim : 0;
}
static const char *const scals[] = {"lr_max", "weight_sum", NULL};

/* x = y + (1 - 1/beta)(z - y) needs beta > 0 (beta = 0 makes y = z: x is lost). */
static sl_status check_beta(sl_optimizer *o, int k, const char *name) {
  if (!(o->hp[k] > 0))
    return sl_optim_fail(o, SL_EINVAL, "%s must be in (0, 1) (schedule-free), got %g", name,
                         o->hp[k]);
  return SL_OK;
}
static sl_status sgd_check(sl_optimizer *o) { return check_beta(o, MOMENTUM, "momentum"); }
static sl_status adamw_check(sl_optimizer *o) {
  if (o->dim && (o->hp[A_INNER] > 0) != (o->scratch != o->buf[2])) /* exp_avg allocated */
    return sl_optim_fail(o, SL_EINVAL,
                         "inner_momentum cannot switch between 0 and > 0 after the first step");
  return check_beta(o, A_B1, "betas[1]");
}

static void init(sl_optimizer *o) { o->scal[LR_MAX] = -1; }

typedef struct sf_args {
  double *y, *z, *v, *m;
  const double *g;
  double c, ylr, lr, wd, b2, eps, bc2, mu, bc1;
  int variant; /* (wd != 0) + 2 adam + 4 inner momentum */
} sf_args;

SL_OPTIM_INLINE void sf_loop(size_t lo, size_t hi, const sf_args *a, int decay, int adam,
                             int inner) {
  double *restrict y = a->y, *restrict z = a->z, *restrict v = a->v, *restrict m = a->m;
  const double *restrict g = a->g;
  const double c = a->c, ylr = a->ylr, lr = a->lr, wd = a->wd, b2 = a->b2, eps = a->eps;
  const double bc2 = a->bc2, mu = a->mu, bc1 = a->bc1;
#pragma omp simd
  for (size_t i = lo; i < hi; i++) {
    double d = g[i];
    const double yi = y[i], zi = z[i];
    if (adam) {
      const double vi = v[i] * b2 + (1 - b2) * d * d;
      v[i] = vi;
      const double den = sqrt(vi / bc2) + eps;
      if (inner) {
        const double mi = m[i] * mu + (1 - mu) * d;
        m[i] = mi;
        d = mi / bc1 / den;
      } else {
        d = d / den;
      }
    }
    if (decay) d = d + wd * yi;
    const double yl = yi + c * (zi - yi);
    y[i] = yl + ylr * d;
    z[i] = zi - lr * d;
  }
}

SL_OPTIM_CLONES
static void sf_kernel(size_t lo, size_t hi, const void *args) {
  const sf_args *a = args;
  switch (a->variant) {
  case 0: sf_loop(lo, hi, a, 0, 0, 0); break;
  case 1: sf_loop(lo, hi, a, 1, 0, 0); break;
  case 2: sf_loop(lo, hi, a, 0, 1, 0); break;
  case 3: sf_loop(lo, hi, a, 1, 1, 0); break;
  case 6: sf_loop(lo, hi, a, 0, 1, 1); break;
  default: sf_loop(lo, hi, a, 1, 1, 1);
  }
}

/* The reference's per-step scalars: the warmed-up lr, and c = w / W. */
static void schedule(sl_optimizer *o, double lr, double beta, double warmup, double r, double wlrp,
                     sf_args *a) {
  const double k = (double)(o->t - 1);
  lr *= k < warmup ? (k + 1) / warmup : 1.0;
  if (lr > o->scal[LR_MAX]) o->scal[LR_MAX] = lr;
  const double w = pow(k + 1, r) * pow(o->scal[LR_MAX], wlrp);
  o->scal[WSUM] += w;
  a->c = o->scal[WSUM] != 0 ? w / o->scal[WSUM] : 0.0;
  a->lr = lr;
  a->ylr = lr * (beta * (1 - a->c) - 1);
}

static sl_status sgd_step(sl_optimizer *o, double *x, const double *g) {
  if (o->t == 1) sl_vec_copy(o->dim, o->buf[0], x);
  sf_args a = {.y = x, .z = o->buf[0], .v = NULL, .g = g, .wd = o->hp[WD]};
  schedule(o, o->hp[LR], o->hp[MOMENTUM], o->hp[WARMUP], o->hp[R], o->hp[WLRP], &a);
  a.variant = (a.wd != 0);
  sl_optim_foreach(o->dim, sf_kernel, &a);
  return SL_OK;
}

static sl_status adamw_step(sl_optimizer *o, double *x, const double *g) {
  if (o->t == 1) sl_vec_copy(o->dim, o->buf[0], x);
  const double b2 = o->hp[A_B2], mu = o->hp[A_INNER], t = (double)o->t;
  sf_args a = {.y = x,
               .z = o->buf[0],
               .v = o->buf[1],
               .m = o->buf[2],
               .g = g,
               .wd = o->hp[A_WD],
               .b2 = b2,
               .eps = o->hp[A_EPS],
               .bc2 = 1 - pow(b2, t),
               .mu = mu,
               .bc1 = 1 - pow(mu, t)};
  schedule(o, o->hp[A_LR], o->hp[A_B1], o->hp[A_WARMUP], o->hp[A_R], o->hp[A_WLRP], &a);
  a.variant = (a.wd != 0) + 2 + 4 * (mu > 0);
  sl_optim_foreach(o->dim, sf_kernel, &a);
  return SL_OK;
}

sl_status sl_optim_sf_eval(const sl_optimizer *o, const double *y, double *out) {
  const double beta = o->ops == &sl_optim_sf_sgd ? o->hp[MOMENTUM] : o->hp[A_B1];
  const double w = 1 - 1 / beta;
  const double *z = o->buf[0];
  if (o->t == 0) { /* no z yet: x = y */
    if (out != y) sl_vec_copy(o->dim, out, y);
    return SL_OK;
  }
  for (size_t i = 0; i < o->dim; i++) out[i] = y[i] + w * (z[i] - y[i]);
  return SL_OK;
}

const sl_optim_ops sl_optim_sf_sgd = {.name = "sf_sgd",
                                      .hp = sgd_hp,
                                      .nhp = sizeof sgd_hp / sizeof sgd_hp[0],
                                      .bufs = sgd_bufs,
                                      .scals = scals,
                                      .check = sgd_check,
                                      .init = init,
                                      .step = sgd_step};
const sl_optim_ops sl_optim_sf_adamw = {.name = "sf_adamw",
                                        .hp = adamw_hp,
                                        .nhp = sizeof adamw_hp / sizeof adamw_hp[0],
                                        .bufs = adamw_bufs,
                                        .scals = scals,
                                        .check = adamw_check,
                                        .buflen = adamw_buflen,
                                        .init = init,
                                        .step = adamw_step};
