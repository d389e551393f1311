/*
** optim_prodigy.c — Prodigy (Mishchenko & Defazio 2023, "Prodigy: An
** Expeditiously Adaptive Parameter-Free Learner", Alg. 4, Adam form), as the
** authors' reference package prodigyopt (Prodigy.step). With k steps before
** this one, d the distance estimate (d_0 = d0) and g' = g (+ wd x when
** decouple is false):
**   bc = sqrt(1 - b2^(k+1)) / (1 - b1^(k+1)) if use_bias_correction else 1;
**   dlr = d lr bc;  b3 = beta3, or sqrt(beta2) when beta3 < 0 (the default);
**   num = b3 num + (d/d0) dlr <g', x_0 - x>;
**   m = b1 m + d (1 - b1) g';  v = b2 v + d^2 (1 - b2) g'^2;
**   s = b3 s + (d/d0) (d if safeguard_warmup else dlr) g';  den = |s|_1;
**   (den = 0: no step, d kept)  d_hat = d_coef num / den;
**   d = max(d, d_hat) if d = d0;  d_max = max(d_max, d_hat);
**   d = min(d_max, d growth_rate);
**   x -= wd dlr x (decouple);  x -= dlr m / (sqrt(v) + d eps)
**   (beta1 = 0: x -= dlr d g' / (sqrt(v) + d eps), no m).
** The moments and the two sums are one threaded pass (sums in fixed chunks,
** optim_reduce.h: the same bits at any thread count), the step a second one.
*/
#include <math.h>

#include "optim_reduce.h"
#include "sl_optim.h"
#include "sl_optim_priv.h"
#include "sl_vec.h"

enum { LR, B1, B2, B3, EPS, WD, DECOUPLE, BIASC, SAFEGUARD, D0, DCOEF, GROWTH };
enum { D, DMAX, DNUM, K };

static const sl_hpspec hp[] = {
    {"lr", 1.0, SL_HP_NONNEG, NULL},           {"beta1", 0.9, SL_HP_UNIT, NULL},
    {"beta2", 0.999, SL_HP_UNIT, NULL},        {"beta3", -1, SL_HP_NUM, NULL},
    {"eps", 1e-8, SL_HP_NONNEG, NULL},         {"weight_decay", 0, SL_HP_NONNEG, NULL},
    {"decouple", 1, SL_HP_BOOL, NULL},         {"use_bias_correction", 0, SL_HP_BOOL, NULL},
    {"safeguard_warmup", 0, SL_HP_BOOL, NULL}, {"d0", 1e-6, SL_HP_POS, NULL},
    {"d_coef", 1.0, SL_HP_POS, NULL},          {"growth_rate", INFINITY, SL_HP_POSINF, NULL}};
static const char *const bufs[] = {"s", "p0", "exp_avg", "exp_avg_sq", NULL};
static const char *const scals[] = {"d", "d_max", "d_numerator", "k", NULL};

static sl_status check(sl_optimizer *o) {
  const double b3 = o->hp[B3];
  if (!(b3 == -1 || (b3 >= 0 && b3 < 1)))
    return sl_optim_fail(o, SL_EINVAL, "beta3 must be in [0, 1) (or -1: sqrt(beta2)), got %g", b3);
  return SL_OK;
}

static void init(sl_optimizer *o) {
  o->scal[D] = o->hp[D0];
  o->scal[DMAX] = o->hp[D0];
}

typedef struct prodigy_args {
  double *x;
  const double *g, *m, *v;
  double dlr, deps, shrink, wd, gscale;
  int variant; /* decoupled shrink + 2 coupled decay + 4 (beta1 = 0) */
} prodigy_args;

SL_OPTIM_INLINE void prodigy_loop(size_t lo, size_t hi, const prodigy_args *a, int shrink,
                                  int coupled, int nomom) {
  double *restrict x = a->x;
  const double *restrict g = a->g, *restrict m = a->m, *restrict v = a->v;
  const double dlr = a->dlr, deps = a->deps, sh = a->shrink, wd = a->wd, gs = a->gscale;
#pragma omp simd
  for (size_t i = lo; i < hi; i++) {
    double xi = x[i];
    double u = m[i];
    if (nomom) u = coupled ? g[i] + wd * xi : g[i];
    const double den = sqrt(v[i]) + deps;
    if (shrink) xi = xi + sh * xi;
    x[i] = xi + (nomom ? -gs : -dlr) * (u / den);
  }
}

SL_OPTIM_CLONES
static void prodigy_kernel(size_t lo, size_t hi, const void *args) {
  const prodigy_args *a = args;
  switch (a->variant) {
  case 0: prodigy_loop(lo, hi, a, 0, 0, 0); break;
  case 1: prodigy_loop(lo, hi, a, 1, 0, 0); break;
  case 2: prodigy_loop(lo, hi, a, 0, 1, 0); break;
  case 4: prodigy_loop(lo, hi, a, 0, 0, 1); break;
  case 5: prodigy_loop(lo, hi, a, 1, 0, 1); break;
  case 6: prodigy_loop(lo, hi, a, 0, 1, 1); break;
  default: prodigy_loop(lo, hi, a, 0, 0, 0);
  }
}

/* Pass 1: g' (coupled decay), m, v, s updated; per chunk <g', x0 - x> and |s|_1. */
typedef struct moments_args {
  const double *x, *g, *p0;
  double *m, *v, *s, *pdot, *pden;
  double wd, b1, b2, b3, ma, va, sc;
  int variant; /* coupled + 2 (beta1 > 0) */
} moments_args;

SL_OPTIM_INLINE void moments_loop(size_t lo, size_t hi, const moments_args *a, int coupled,
                                  int mom) {
  const double *restrict x = a->x, *restrict g = a->g, *restrict p0 = a->p0;
  double *restrict m = a->m, *restrict v = a->v, *restrict s = a->s;
  const double wd = a->wd, b1 = a->b1, b2 = a->b2, b3 = a->b3, ma = a->ma, va = a->va;
  const double sc = a->sc;
  for (size_t c = lo; c < hi; c += SL_RED_CHUNK) {
    const size_t e = c + SL_RED_CHUNK < hi ? c + SL_RED_CHUNK : hi;
    double dot = 0, den = 0;
    for (size_t i = c; i < e; i++) {
      const double gi = coupled ? g[i] + wd * x[i] : g[i];
      dot += gi * (p0[i] - x[i]);
      if (mom) m[i] = m[i] * b1 + ma * gi;
      v[i] = v[i] * b2 + va * (gi * gi);
      const double si = s[i] * b3 + sc * gi;
      s[i] = si;
      den += fabs(si);
    }
    a->pdot[c / SL_RED_CHUNK] = dot;
    a->pden[c / SL_RED_CHUNK] = den;
  }
}

SL_OPTIM_CLONES
static void moments_kernel(size_t lo, size_t hi, const void *args) {
  const moments_args *a = args;
  switch (a->variant) {
  case 0: moments_loop(lo, hi, a, 0, 0); break;
  case 1: moments_loop(lo, hi, a, 1, 0); break;
  case 2: moments_loop(lo, hi, a, 0, 1); break;
  default: moments_loop(lo, hi, a, 1, 1);
  }
}

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  double *s = o->buf[0], *p0 = o->buf[1], *m = o->buf[2], *v = o->buf[3];
  const double lr = o->hp[LR], b1 = o->hp[B1], b2 = o->hp[B2], wd = o->hp[WD];
  const double b3 = o->hp[B3] < 0 ? sqrt(b2) : o->hp[B3], d0 = o->hp[D0];
  const int coupled = wd != 0 && o->hp[DECOUPLE] == 0;
  const double k = o->scal[K];
  double d = o->scal[D];
  const double bc = o->hp[BIASC] != 0 ? pow(1 - pow(b2, k + 1), 0.5) / (1 - pow(b1, k + 1)) : 1.0;
  const double dlr = d * lr * bc;
  if (o->t == 1) sl_vec_copy(o->dim, p0, x);
  double dnum = o->scal[DNUM] * b3, delta = 0, den = 0;
  if (lr > 0) {
    const size_t k2 = sl_red_nchunks(o->dim);
    double buf[SL_RED_STACK];
    double *part = sl_red_space(buf, 2 * k2);
    if (part == NULL) return sl_optim_fail(o, SL_ENOMEM, "no memory for the sums");
    const moments_args a = {.x = x,
                            .g = g,
                            .p0 = p0,
                            .m = m,
                            .v = v,
                            .s = s,
                            .pdot = part,
                            .pden = part + k2,
                            .wd = wd,
                            .b1 = b1,
                            .b2 = b2,
                            .b3 = b3,
                            .ma = d * (1 - b1),
                            .va = d * d * (1 - b2),
                            .sc = d / d0 * (o->hp[SAFEGUARD] != 0 ? d : dlr),
                            .variant = coupled + 2 * (b1 > 0)};
    sl_optim_foreach(o->dim, moments_kernel, &a);
    delta = d / d0 * dlr * sl_red_total(part, k2);
    den = sl_red_total(part + k2, k2);
    sl_red_free(buf, part);
  }
  if (den == 0) return SL_OK; /* the reference returns before the step */
  const double num = dnum + delta;
  const double dhat = o->hp[DCOEF] * num / den;
  if (d == d0) d = fmax(d, dhat);
  o->scal[DMAX] = fmax(o->scal[DMAX], dhat);
  d = fmin(o->scal[DMAX], d * o->hp[GROWTH]);
  o->scal[DNUM] = num;
  o->scal[D] = d;
  const int shrink = wd != 0 && o->hp[DECOUPLE] != 0;
  const prodigy_args a = {.x = x,
                          .g = g,
                          .m = m,
                          .v = v,
                          .dlr = dlr,
                          .deps = d * o->hp[EPS],
                          .shrink = -wd * dlr,
                          .wd = wd,
                          .gscale = dlr * d,
                          .variant = shrink + 2 * coupled + 4 * (b1 == 0)};
  sl_optim_foreach(o->dim, prodigy_kernel, &a);
  o->scal[K] = k + 1;
  return SL_OK;
}

const sl_optim_ops sl_optim_prodigy = {.name = "prodigy",
                                       .hp = hp,
                                       .nhp = sizeof hp / sizeof hp[0],
                                       .bufs = bufs,
                                       .scals = scals,
                                       .check = check,
                                       .init = init,
                                       .step = step};
