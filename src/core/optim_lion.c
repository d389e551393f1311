/*
** optim_lion.c — Lion (Chen et al. 2023, "Symbolic Discovery of Optimization
** Algorithms", Alg. 2):  c = b1 m + (1 - b1) g;  x -= lr (sign(c) + wd x);
** m = b2 m + (1 - b2) g.  sign(0) = 0.
*/
#include "sl_optim.h"
#include "sl_optim_priv.h"

enum { LR, B1, B2, WD };

static const sl_hpspec hp[] = {{"lr", 1e-4, SL_HP_NONNEG, NULL},
                               {"beta1", 0.9, SL_HP_UNIT, NULL},
                               {"beta2", 0.99, SL_HP_UNIT, NULL},
                               {"weight_decay", 0, SL_HP_NONNEG, NULL}};
static const char *const bufs[] = {"exp_avg", NULL};

typedef struct lion_args {
  double *x, *m;
  const double *g;
  double lr, b1, b2, wd;
} lion_args;

SL_OPTIM_CLONES
static void lion_kernel(size_t lo, size_t hi, const void *args) {
  const lion_args *a = args;
  double *restrict x = a->x, *restrict m = a->m;
  const double *restrict g = a->g;
  const double lr = a->lr, b1 = a->b1, b2 = a->b2, wd = a->wd;
#pragma omp simd
  for (size_t i = lo; i < hi; i++) {
    const double mi = m[i], gi = g[i], xi = x[i];
    const double c = b1 * mi + (1 - b1) * gi;
    const double s = c > 0 ? 1.0 : c < 0 ? -1.0 : 0.0; /* NaN: 0 */
    x[i] = xi - lr * (s + wd * xi);
    m[i] = b2 * mi + (1 - b2) * gi;
  }
}

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  const lion_args a = {.x = x,
                       .m = o->buf[0],
                       .g = g,
                       .lr = o->hp[LR],
                       .b1 = o->hp[B1],
                       .b2 = o->hp[B2],
                       .wd = o->hp[WD]};
  sl_optim_foreach(o->dim, lion_kernel, &a);
  return SL_OK;
}

const sl_optim_ops sl_optim_lion = {
    .name = "lion", .hp = hp, .nhp = sizeof hp / sizeof hp[0], .bufs = bufs, .step = step};
