/*
** optim_accumulate.c — gradient accumulation as a wrapper (optax.MultiSteps):
** sum k gradients, then step the base once with their mean; x is unchanged on
** the other calls. The count of gradients held is scalar state "count".
*/
#include "sl_optim.h"
#include "sl_optim_priv.h"
#include "sl_vec.h"

enum { STEPS };

static const sl_hpspec hp[] = {{"steps", 1, SL_HP_COUNT, NULL}};
static const char *const bufs[] = {"acc", NULL};
static const char *const scals[] = {"count", NULL};

typedef struct acc_args {
  double *acc;
  const double *g;
  double k;
  int mean;
} acc_args;

/* acc += g, or acc = (acc + g) / k on the k-th gradient */
SL_OPTIM_INLINE void acc_loop(size_t lo, size_t hi, const acc_args *a, int mean) {
  double *restrict acc = a->acc;
  const double *restrict g = a->g;
  const double k = a->k;
#pragma omp simd
  for (size_t i = lo; i < hi; i++) acc[i] = mean ? (acc[i] + g[i]) / k : acc[i] + g[i];
}

SL_OPTIM_CLONES
static void acc_kernel(size_t lo, size_t hi, const void *args) {
  const acc_args *a = args;
  if (a->mean)
    acc_loop(lo, hi, a, 1);
  else
    acc_loop(lo, hi, a, 0);
}

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  double *acc = o->buf[0];
  const double k = o->hp[STEPS];
  acc_args a = {.acc = acc, .g = g, .k = k, .mean = 0};
  if (o->scal[0] + 1 < k) {
    sl_optim_foreach(o->dim, acc_kernel, &a);
    o->scal[0] += 1;
    return SL_OK;
  }
  a.mean = 1;
  sl_optim_foreach(o->dim, acc_kernel, &a);
  sl_status st = sl_optim_step(o->base, x, acc);
  if (st < 0) {
    for (size_t i = 0; i < o->dim; i++) acc[i] = acc[i] * k - g[i]; /* keep the sum */
    return sl_optim_fail(o, st, "%s", o->base->msg);
  }
  sl_vec_fill(o->dim, acc, 0.0);
  o->scal[0] = 0;
  return SL_OK;
}

const sl_optim_ops sl_optim_accumulate = {.name = "accumulate",
                                          .hp = hp,
                                          .nhp = sizeof hp / sizeof hp[0],
                                          .bufs = bufs,
                                          .scals = scals,
                                          .flags = SL_OPTIM_WRAPPER,
                                          .step = step};
