/*
** optim_clip.c — gradient clipping as a wrapper (optax.clip_by_global_norm,
** optax.clip): with max_norm > 0 the gradient is scaled by
** min(1, max_norm / (|g| + 1e-6)) as torch.nn.utils.clip_grad_norm_ does; with
** max_value > 0 each entry is then clamped to [-max_value, max_value]. The base
** optimizer steps with the clipped gradient; g itself is not modified.
*/
#include "sl_optim.h"
#include "sl_optim_priv.h"
#include "sl_vec.h"

enum { MAX_NORM, MAX_VALUE };

static const sl_hpspec hp[] = {{"max_norm", 0, SL_HP_NONNEG, NULL},
                               {"max_value", 0, SL_HP_NONNEG, NULL}};
static const char *const bufs[] = {NULL};

typedef struct clip_args {
  double *c;
  const double *g;
  double scale, mv;
  int clamp;
} clip_args;

SL_OPTIM_INLINE void clip_loop(size_t lo, size_t hi, const clip_args *a, int clamp) {
  double *restrict c = a->c;
  const double *restrict g = a->g;
  const double scale = a->scale, mv = a->mv;
#pragma omp simd
  for (size_t i = lo; i < hi; i++) {
    double v = g[i] * scale;
    if (clamp) v = v > mv ? mv : (v < -mv ? -mv : v);
    c[i] = v;
  }
}

SL_OPTIM_CLONES
static void clip_kernel(size_t lo, size_t hi, const void *args) {
  const clip_args *a = args;
  if (a->clamp)
    clip_loop(lo, hi, a, 1);
  else
    clip_loop(lo, hi, a, 0);
}

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  const double mn = o->hp[MAX_NORM], mv = o->hp[MAX_VALUE];
  double scale = 1.0, *c = o->scratch;
  if (mn > 0) { /* a serial sum of squares (the previous rule's bits): ~1 ns an entry */
    const double coef = mn / (sl_vec_nrm2(o->dim, g) + 1e-6);
    if (coef < 1.0) scale = coef;
  }
  const clip_args a = {.c = c, .g = g, .scale = scale, .mv = mv, .clamp = mv > 0};
  sl_optim_foreach(o->dim, clip_kernel, &a);
  sl_status st = sl_optim_step(o->base, x, c);
  if (st < 0) return sl_optim_fail(o, st, "%s", o->base->msg);
  return SL_OK;
}

const sl_optim_ops sl_optim_clip = {.name = "clip",
                                    .hp = hp,
                                    .nhp = sizeof hp / sizeof hp[0],
                                    .bufs = bufs,
                                    .nscratch = 1,
                                    .flags = SL_OPTIM_WRAPPER,
                                    .step = step};
