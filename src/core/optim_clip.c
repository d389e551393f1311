/*
** optim_clip.c — gradient clipping as a wrapper (optax.clip_by_global_norm,
** optax.clip): with max_norm > 0 the gradient is scaled by
** min(1, max_norm / (|g| + 1e-6)) as torch.nn.utils.clip_grad_norm_ does; with
** max_value > 0 each entry is then clamped to [-max_value, max_value]. The base
** optimizer steps with the clipped gradient; g itself is not modified.
*/
#include "sl_optim.h"
#include "sl_vec.h"

enum { MAX_NORM, MAX_VALUE };

static const sl_hpspec hp[] = {{"max_norm", 0, SL_HP_NONNEG, NULL},
                               {"max_value", 0, SL_HP_NONNEG, NULL}};
static const char *const bufs[] = {NULL};

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  const double mn = o->hp[MAX_NORM], mv = o->hp[MAX_VALUE];
  double scale = 1.0, *c = o->scratch;
  if (mn > 0) {
    const double coef = mn / (sl_vec_nrm2(o->dim, g) + 1e-6);
    if (coef < 1.0) scale = coef;
  }
  for (size_t i = 0; i < o->dim; i++) {
    double v = g[i] * scale;
    if (mv > 0) v = v > mv ? mv : (v < -mv ? -mv : v);
    c[i] = v;
  }
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
