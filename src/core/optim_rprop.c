/*
** optim_rprop.c — Rprop (Riedmiller & Braun 1993; the iRprop- variant of
** Igel & Huesken 2000) as torch.optim.Rprop (1.13 and 2.x):
**   p = d * prev (d = ±g);  eta = etaplus (p > 0), etaminus (p < 0), 1 (p = 0);
**   step = clamp(step * eta, step_size_min, step_size_max)  (step_0 = lr);
**   d = 0 where p < 0;  x -= sign(d) step;  prev = d
** lr only seeds the per-entry step sizes (at the first step, and at a reset).
*/
#include "sl_optim.h"
#include "sl_optim_priv.h"
#include "sl_vec.h"

enum { LR, ETAMINUS, ETAPLUS, SMIN, SMAX, MAXIMIZE };

static const sl_hpspec hp[] = {
    {"lr", 1e-2, SL_HP_NONNEG, NULL},          {"etaminus", 0.5, SL_HP_UNIT, NULL},
    {"etaplus", 1.2, SL_HP_POS, NULL},         {"step_size_min", 1e-6, SL_HP_NONNEG, NULL},
    {"step_size_max", 50, SL_HP_NONNEG, NULL}, {"maximize", 0, SL_HP_BOOL, NULL}};
static const char *const bufs[] = {"prev", "step_size", NULL};

/* torch's condition 0 < etaminus < 1 < etaplus, and min <= max. */
static sl_status check(sl_optimizer *o) {
  if (!(o->hp[ETAMINUS] > 0))
    return sl_optim_fail(o, SL_EINVAL, "etas[1] (etaminus) must be in (0, 1), got %g",
                         o->hp[ETAMINUS]);
  if (!(o->hp[ETAPLUS] > 1))
    return sl_optim_fail(o, SL_EINVAL, "etas[2] (etaplus) must be > 1, got %g", o->hp[ETAPLUS]);
  if (o->hp[SMIN] > o->hp[SMAX])
    return sl_optim_fail(o, SL_EINVAL,
                         "step_sizes[1] (step_size_min) must be <= step_sizes[2] "
                         "(step_size_max), got %g > %g",
                         o->hp[SMIN], o->hp[SMAX]);
  return SL_OK;
}

static void init(sl_optimizer *o) { sl_vec_fill(o->dim, o->buf[1], o->hp[LR]); }

typedef struct rprop_args {
  double *x, *prev, *ss;
  const double *g;
  double em, ep, smin, smax, sgn;
} rprop_args;

SL_OPTIM_CLONES
static void rprop_kernel(size_t lo, size_t hi, const void *args) {
  const rprop_args *a = args;
  double *restrict x = a->x, *restrict prev = a->prev, *restrict ss = a->ss;
  const double *restrict g = a->g;
  const double em = a->em, ep = a->ep, smin = a->smin, smax = a->smax, sgn = a->sgn;
#pragma omp simd
  for (size_t i = lo; i < hi; i++) {
    double d = sgn * g[i];
    const double p = d * prev[i];
    const double eta = p > 0 ? ep : p < 0 ? em : 1.0;
    double s = ss[i] * eta;
    s = s < smin ? smin : s; /* torch's clamp_(min, max): max first, then min */
    s = s > smax ? smax : s;
    ss[i] = s;
    d = p < 0 ? 0.0 : d;
    const double sd = d > 0 ? 1.0 : d < 0 ? -1.0 : 0.0;
    x[i] = x[i] + -1.0 * (sd * s);
    prev[i] = d;
  }
}

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  const rprop_args a = {.x = x,
                        .prev = o->buf[0],
                        .ss = o->buf[1],
                        .g = g,
                        .em = o->hp[ETAMINUS],
                        .ep = o->hp[ETAPLUS],
                        .smin = o->hp[SMIN],
                        .smax = o->hp[SMAX],
                        .sgn = o->hp[MAXIMIZE] != 0 ? -1.0 : 1.0};
  sl_optim_foreach(o->dim, rprop_kernel, &a);
  return SL_OK;
}

const sl_optim_ops sl_optim_rprop = {.name = "rprop",
                                     .hp = hp,
                                     .nhp = sizeof hp / sizeof hp[0],
                                     .bufs = bufs,
                                     .check = check,
                                     .init = init,
                                     .step = step};
