/*
** optim_lookahead.c — Lookahead (Zhang et al. 2019, Alg. 1) as a wrapper: the
** base ("fast") optimizer updates x; the slow weights phi start at x and every
** k steps move phi += alpha (x - phi), and x is reset to phi.
*/
#include "sl_optim.h"
#include "sl_optim_priv.h"
#include "sl_vec.h"

enum { K, ALPHA };

static const sl_hpspec hp[] = {{"k", 5, SL_HP_COUNT, NULL}, {"alpha", 0.5, SL_HP_PROB, NULL}};
static const char *const bufs[] = {"slow", NULL};

typedef struct la_args {
  double *slow, *x;
  double alpha;
  int sync; /* 0: slow = x (first step); 1: slow += alpha (x - slow), x = slow */
} la_args;

SL_OPTIM_INLINE void la_loop(size_t lo, size_t hi, const la_args *a, int sync) {
  double *restrict slow = a->slow, *restrict x = a->x;
  const double alpha = a->alpha;
#pragma omp simd
  for (size_t i = lo; i < hi; i++) {
    if (sync) {
      const double s = slow[i] + alpha * (x[i] - slow[i]);
      slow[i] = s;
      x[i] = s;
    } else {
      slow[i] = x[i];
    }
  }
}

SL_OPTIM_CLONES
static void la_kernel(size_t lo, size_t hi, const void *args) {
  const la_args *a = args;
  if (a->sync)
    la_loop(lo, hi, a, 1);
  else
    la_loop(lo, hi, a, 0);
}

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  la_args a = {.slow = o->buf[0], .x = x, .alpha = o->hp[ALPHA], .sync = 0};
  if (o->t == 1) sl_optim_foreach(o->dim, la_kernel, &a);
  sl_status st = sl_optim_step(o->base, x, g);
  if (st < 0) return sl_optim_fail(o, st, "%s", o->base->msg);
  if (o->t % (unsigned long)o->hp[K] == 0) {
    a.sync = 1;
    sl_optim_foreach(o->dim, la_kernel, &a);
  }
  return SL_OK;
}

const sl_optim_ops sl_optim_lookahead = {.name = "lookahead",
                                         .hp = hp,
                                         .nhp = sizeof hp / sizeof hp[0],
                                         .bufs = bufs,
                                         .flags = SL_OPTIM_WRAPPER,
                                         .step = step};
