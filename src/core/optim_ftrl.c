/*
** optim_ftrl.c — FTRL-Proximal, per coordinate (McMahan et al. 2013, "Ad Click
** Prediction: a View from the Trenches", Alg. 1). x is the weight vector w
** the rule produces; g is the gradient of the loss at x:
**   sigma = (sqrt(n + g^2) - sqrt(n)) / alpha;  z += g - sigma x;  n += g^2;
**   x = 0 if |z| <= l1, else -(z - sign(z) l1) / ((beta + sqrt(n))/alpha + l2).
** opt.lr is alpha.
*/
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "sl_optim.h"
#include "sl_optim_priv.h"

enum { ALPHA, BETA, L1, L2 };

static const sl_hpspec hp[] = {{"alpha", 0.1, SL_HP_POS, NULL},
                               {"beta", 1.0, SL_HP_NONNEG, NULL},
                               {"l1", 0, SL_HP_NONNEG, NULL},
                               {"l2", 0, SL_HP_NONNEG, NULL}};
static const char *const bufs[] = {"z", "n", NULL};

/* zero ? +0.0 : w as a bit mask: written as a conditional, GCC sinks the
   division into its arm and the baseline clone cannot vectorize the branch. */
static inline double keep_unless(double w, int zero) {
  uint64_t b;
  memcpy(&b, &w, sizeof b);
  b &= (uint64_t)zero - 1;
  memcpy(&w, &b, sizeof b);
  return w;
}

typedef struct ftrl_args {
  double *x, *z, *n;
  const double *g;
  double alpha, beta, l1, l2;
} ftrl_args;

SL_OPTIM_CLONES
static void ftrl_kernel(size_t lo, size_t hi, const void *args) {
  const ftrl_args *a = args;
  double *restrict x = a->x, *restrict z = a->z, *restrict n = a->n;
  const double *restrict g = a->g;
  const double alpha = a->alpha, beta = a->beta, l1 = a->l1, l2 = a->l2;
#pragma omp simd
  for (size_t i = lo; i < hi; i++) {
    const double gi = g[i], n0 = n[i], n1 = n0 + gi * gi;
    const double sigma = (sqrt(n1) - sqrt(n0)) / alpha;
    const double zi = z[i] + (gi - sigma * x[i]);
    z[i] = zi;
    n[i] = n1;
    const double w = -(zi - copysign(l1, zi)) / ((beta + sqrt(n1)) / alpha + l2);
    x[i] = keep_unless(w, fabs(zi) <= l1);
  }
}

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  const ftrl_args a = {.x = x,
                       .z = o->buf[0],
                       .n = o->buf[1],
                       .g = g,
                       .alpha = o->hp[ALPHA],
                       .beta = o->hp[BETA],
                       .l1 = o->hp[L1],
                       .l2 = o->hp[L2]};
  sl_optim_foreach(o->dim, ftrl_kernel, &a);
  return SL_OK;
}

const sl_optim_ops sl_optim_ftrl = {
    .name = "ftrl", .hp = hp, .nhp = sizeof hp / sizeof hp[0], .bufs = bufs, .step = step};
