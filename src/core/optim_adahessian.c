/*
** optim_adahessian.c — AdaHessian (Yao et al. 2021, "ADAHESSIAN: An Adaptive
** Second Order Optimizer for Machine Learning", Alg. 1), in the form of the
** authors' PyTorch reference with update_each and n_samples:
**   every update_each steps: D = (1/s) sum_k z_k (.) H z_k over s = n_samples
**     Rademacher z_k (Hutchinson, probe_hessian_diag.c), H the Hessian of the
**     objective at the current x; then spatial averaging (eq. 10): within each
**     layer, blocks of block_size consecutive entries share the mean of |D|
**     over the block (the authors' code averages |D| over a kernel); D is kept
**     between re-estimates;
**   x *= 1 - lr wd                                  (decoupled weight decay)
**   m = b1 m + (1 - b1) g;   v = b2 v + (1 - b2) D^2
**   x -= lr/(1 - b1^t) m / ((v / (1 - b2^t))^(k/2) + eps),  k = hessian_power.
*/
#include <math.h>

#include "sl_optim.h"
#include "sl_optim_priv.h"
#include "sl_probe.h"

enum { LR, B1, B2, EPS, WD, POWER, EACH, SAMPLES, BLOCK };

static const sl_hpspec hp[] = {
    {"lr", 0.15, SL_HP_NONNEG, NULL},        {"beta1", 0.9, SL_HP_UNIT, NULL},
    {"beta2", 0.999, SL_HP_UNIT, NULL},      {"eps", 1e-4, SL_HP_NONNEG, NULL},
    {"weight_decay", 0, SL_HP_NONNEG, NULL}, {"hessian_power", 1, SL_HP_PROB, NULL},
    {"update_each", 1, SL_HP_COUNT, NULL},   {"n_samples", 1, SL_HP_COUNT, NULL},
    {"block_size", 1, SL_HP_COUNT, NULL}};
static const char *const bufs[] = {"exp_avg", "exp_hessian_diag_sq", "hessian_diag", NULL};

typedef struct ah_args {
  double *x, *m, *v;
  const double *g, *d;
  double b1, b2, eps, shrink, step_size, bc2, half_power;
  int sqrt_form; /* hessian_power == 1: sqrt instead of pow */
} ah_args;

SL_OPTIM_INLINE void ah_loop(size_t lo, size_t hi, const ah_args *a, int sqrt_form) {
  double *restrict x = a->x, *restrict m = a->m, *restrict v = a->v;
  const double *restrict g = a->g, *restrict d = a->d;
  const double b1 = a->b1, b2 = a->b2, eps = a->eps, shrink = a->shrink;
  const double step_size = a->step_size, bc2 = a->bc2, hp2 = a->half_power;
#pragma omp simd
  for (size_t i = lo; i < hi; i++) {
    const double mi = m[i] * b1 + (1 - b1) * g[i];
    const double vi = v[i] * b2 + (1 - b2) * (d[i] * d[i]);
    m[i] = mi;
    v[i] = vi;
    const double denom = (sqrt_form ? sqrt(vi / bc2) : pow(vi / bc2, hp2)) + eps;
    x[i] = x[i] * shrink - step_size * (mi / denom);
  }
}

SL_OPTIM_CLONES
static void ah_kernel(size_t lo, size_t hi, const void *args) {
  const ah_args *a = args;
  if (a->sqrt_form)
    ah_loop(lo, hi, a, 1);
  else
    ah_loop(lo, hi, a, 0);
}

/* Spatial averaging (eq. 10) of |d| over blocks of b entries of [lo, hi). */
static void spatial_average(double *d, size_t lo, size_t hi, size_t b) {
  for (size_t s = lo; s < hi; s += b) {
    const size_t e = hi - s < b ? hi : s + b;
    double sum = 0;
    for (size_t i = s; i < e; i++) sum += fabs(d[i]);
    const double mean = sum / (double)(e - s);
    for (size_t i = s; i < e; i++) d[i] = mean;
  }
}

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  const size_t n = o->dim;
  double *d = o->buf[2], *gbuf = o->scratch + 2 * n;
  sl_status st;
  if (o->f == NULL) return sl_optim_fail(o, SL_EINVAL, "adahessian needs an objective");
  if (g == NULL) {
    double fv;
    if ((st = sl_obj_fg(o->f, x, &fv, gbuf)) < 0) return sl_optim_objfail(o, st);
    g = gbuf;
  }
  if ((o->t - 1) % (unsigned long)o->hp[EACH] == 0) {
    size_t nh;
    st = sl_probe_hessian_diag(o->f, x, (size_t)o->hp[SAMPLES], &o->rng, NULL, o->scratch, d, NULL,
                               &nh);
    if (st < 0) return sl_optim_objfail(o, st);
    const size_t b = (size_t)o->hp[BLOCK];
    if (b > 1) {
      if (o->layout)
        for (size_t l = 0; l < o->layout->n; l++)
          spatial_average(d, o->layout->layer[l].offset,
                          o->layout->layer[l].offset + o->layout->layer[l].size, b);
      else
        spatial_average(d, 0, n, b);
    }
  }
  const double lr = o->hp[LR], b1 = o->hp[B1], b2 = o->hp[B2], t = (double)o->t;
  const ah_args a = {.x = x,
                     .m = o->buf[0],
                     .v = o->buf[1],
                     .g = g,
                     .d = d,
                     .b1 = b1,
                     .b2 = b2,
                     .eps = o->hp[EPS],
                     .shrink = 1 - lr * o->hp[WD],
                     .step_size = lr / (1 - pow(b1, t)),
                     .bc2 = 1 - pow(b2, t),
                     .half_power = o->hp[POWER] / 2,
                     .sqrt_form = o->hp[POWER] == 1};
  sl_optim_foreach(n, ah_kernel, &a);
  return SL_OK;
}

const sl_optim_ops sl_optim_adahessian = {.name = "adahessian",
                                          .hp = hp,
                                          .nhp = sizeof hp / sizeof hp[0],
                                          .bufs = bufs,
                                          .nscratch = 3,
                                          .flags = SL_OPTIM_RNG | SL_OPTIM_OPTGRAD,
                                          .step = step};
