/*
** optim_lamb.c — LAMB (You, Li, Reddi, Hseu, Kumar, Bhojanapalli, Song,
** Demmel, Keutzer & Hsieh 2020, "Large Batch Optimization for Deep Learning:
** Training BERT in 76 minutes", Alg. 2), per layer of o->layout (the whole
** vector is one layer without a layout):
**   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
**   r = (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)   (no bias correction:
**   m / (sqrt(v) + eps));  u = r + wd x;
**   x_l -= lr phi_l u_l,  phi_l = |x_l| / |u_l|, and 1 when |x_l| = 0 or
**   |u_l| = 0 (phi the identity of the paper's scaling; the zero cases as
**   the reference implementations, e.g. NVIDIA's fused LAMB).
** Norms: sums of squares in fixed chunks (optim_reduce.h), threaded and the
** same bits at any thread count.
*/
#include <math.h>

#include "optim_reduce.h"
#include "sl_optim.h"
#include "sl_optim_priv.h"

enum { LR, B1, B2, EPS, WD, BIASC };

static const sl_hpspec hp[] = {
    {"lr", 1e-3, SL_HP_NONNEG, NULL},        {"beta1", 0.9, SL_HP_UNIT, NULL},
    {"beta2", 0.999, SL_HP_UNIT, NULL},      {"eps", 1e-6, SL_HP_NONNEG, NULL},
    {"weight_decay", 0, SL_HP_NONNEG, NULL}, {"bias_correction", 1, SL_HP_BOOL, NULL}};
static const char *const bufs[] = {"exp_avg", "exp_avg_sq", NULL};

typedef struct lamb_args {
  double *x, *m, *v, *u;
  const double *g;
  double b1, b2, eps, wd, bc1, bc2, step; /* step: -lr phi in the update pass */
  int decay;
} lamb_args;

/* The direction u = r + wd x into the scratch vector. */
SL_OPTIM_INLINE void dir_loop(size_t lo, size_t hi, const lamb_args *a, int decay) {
  double *restrict x = a->x, *restrict m = a->m, *restrict v = a->v, *restrict u = a->u;
  const double *restrict g = a->g;
  const double b1 = a->b1, b2 = a->b2, eps = a->eps, wd = a->wd, bc1 = a->bc1, bc2 = a->bc2;
#pragma omp simd
  for (size_t i = lo; i < hi; i++) {
    double mi = m[i], vi = v[i];
    sl_adam_moments(&mi, &vi, g[i], b1, b2);
    m[i] = mi;
    v[i] = vi;
    double r = (mi / bc1) / (sqrt(vi / bc2) + eps);
    if (decay) r = r + wd * x[i];
    u[i] = r;
  }
}

SL_OPTIM_CLONES
static void dir_kernel(size_t lo, size_t hi, const void *args) {
  const lamb_args *a = args;
  if (a->decay)
    dir_loop(lo, hi, a, 1);
  else
    dir_loop(lo, hi, a, 0);
}

SL_OPTIM_CLONES
static void update_kernel(size_t lo, size_t hi, const void *args) {
  const lamb_args *a = args;
  double *restrict x = a->x;
  const double *restrict u = a->u;
  const double s = a->step;
#pragma omp simd
  for (size_t i = lo; i < hi; i++) x[i] = x[i] + s * u[i];
}

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  const double t = (double)o->t, b1 = o->hp[B1], b2 = o->hp[B2];
  const int bc = o->hp[BIASC] != 0;
  lamb_args a = {.x = x,
                 .m = o->buf[0],
                 .v = o->buf[1],
                 .u = o->scratch,
                 .g = g,
                 .b1 = b1,
                 .b2 = b2,
                 .eps = o->hp[EPS],
                 .wd = o->hp[WD],
                 .bc1 = bc ? 1 - pow(b1, t) : 1.0,
                 .bc2 = bc ? 1 - pow(b2, t) : 1.0,
                 .decay = o->hp[WD] != 0};
  sl_optim_foreach(o->dim, dir_kernel, &a);
  const size_t nl = o->layout ? o->layout->n : 1;
  for (size_t l = 0; l < nl; l++) {
    const size_t off = o->layout ? o->layout->layer[l].offset : 0;
    const size_t n = o->layout ? o->layout->layer[l].size : o->dim;
    double xs, us;
    if (sl_red_sumsq(n, x + off, &xs) < 0 || sl_red_sumsq(n, o->scratch + off, &us) < 0)
      return sl_optim_fail(o, SL_ENOMEM, "no memory for the layer norms");
    const double xn = sqrt(xs), un = sqrt(us);
    const double phi = xn > 0 && un > 0 ? xn / un : 1.0;
    lamb_args b = {.x = x + off, .u = o->scratch + off, .step = -(o->hp[LR] * phi)};
    sl_optim_foreach(n, update_kernel, &b);
  }
  return SL_OK;
}

const sl_optim_ops sl_optim_lamb = {.name = "lamb",
                                    .hp = hp,
                                    .nhp = sizeof hp / sizeof hp[0],
                                    .bufs = bufs,
                                    .nscratch = 1,
                                    .step = step};
