/*
** optim_average.c — iterate averaging as a wrapper. After each base step,
** once t > start:
**   polyak: the running mean of every iterate (Polyak & Juditsky 1992);
**   swa:    the running mean of every `every`-th iterate (Izmailov et al. 2018);
**   ema:    avg = decay avg + (1 - decay) x, the first average being x itself
** (torch.optim.swa_utils.AveragedModel's conventions). The iterate x is the
** base's; the average is read with sl_optim_averaged.
*/
#include "sl_optim.h"
#include "sl_optim_priv.h"
#include "sl_vec.h"

enum { KIND, DECAY, START, EVERY };
enum { POLYAK, EMA, SWA };

static const char *const kinds[] = {"polyak", "ema", "swa", NULL};
static const sl_hpspec hp[] = {{"kind", POLYAK, SL_HP_CHOICE, kinds},
                               {"decay", 0.999, SL_HP_UNIT, NULL},
                               {"start", 0, SL_HP_INDEX, NULL},
                               {"every", 1, SL_HP_COUNT, NULL}};
static const char *const bufs[] = {"avg", NULL};
static const char *const scals[] = {"n_averaged", NULL};

enum { COPY, EMA_MEAN, RUNNING_MEAN };

typedef struct avg_args {
  double *avg;
  const double *x;
  double d, n1;
  int variant;
} avg_args;

/* the first average is x; then avg = d avg + (1 - d) x, or avg += (x - avg)/(n + 1) */
SL_OPTIM_INLINE void avg_loop(size_t lo, size_t hi, const avg_args *a, int variant) {
  double *restrict avg = a->avg;
  const double *restrict x = a->x;
  const double d = a->d, n1 = a->n1;
#pragma omp simd
  for (size_t i = lo; i < hi; i++) {
    if (variant == COPY) avg[i] = x[i];
    if (variant == EMA_MEAN) avg[i] = d * avg[i] + (1 - d) * x[i];
    if (variant == RUNNING_MEAN) avg[i] = avg[i] + (x[i] - avg[i]) / n1;
  }
}

SL_OPTIM_CLONES
static void avg_kernel(size_t lo, size_t hi, const void *args) {
  const avg_args *a = args;
  switch (a->variant) {
  case COPY: avg_loop(lo, hi, a, COPY); break;
  case EMA_MEAN: avg_loop(lo, hi, a, EMA_MEAN); break;
  default: avg_loop(lo, hi, a, RUNNING_MEAN);
  }
}

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  sl_status st = sl_optim_step(o->base, x, g);
  if (st < 0) return sl_optim_fail(o, st, "%s", o->base->msg);
  const int kind = (int)o->hp[KIND];
  const double start = o->hp[START], t = (double)o->t;
  if (t <= start) return SL_OK;
  if (kind == SWA && (unsigned long)(t - start) % (unsigned long)o->hp[EVERY] != 0) return SL_OK;
  const double n = o->scal[0];
  const avg_args a = {.avg = o->buf[0],
                      .x = x,
                      .d = o->hp[DECAY],
                      .n1 = n + 1,
                      .variant = n == 0        ? COPY
                                 : kind == EMA ? EMA_MEAN
                                               : RUNNING_MEAN};
  sl_optim_foreach(o->dim, avg_kernel, &a);
  o->scal[0] = n + 1;
  return SL_OK;
}

const sl_optim_ops sl_optim_average = {.name = "average",
                                       .hp = hp,
                                       .nhp = sizeof hp / sizeof hp[0],
                                       .bufs = bufs,
                                       .scals = scals,
                                       .flags = SL_OPTIM_WRAPPER,
                                       .step = step};
