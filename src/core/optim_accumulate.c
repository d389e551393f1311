/*
** optim_accumulate.c — gradient accumulation as a wrapper (optax.MultiSteps):
** sum k gradients, then step the base once with their mean; x is unchanged on
** the other calls. The count of gradients held is scalar state "count".
*/
#include "sl_optim.h"
#include "sl_vec.h"

enum { STEPS };

static const sl_hpspec hp[] = {{"steps", 1, SL_HP_COUNT, NULL}};
static const char *const bufs[] = {"acc", NULL};
static const char *const scals[] = {"count", NULL};

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  double *acc = o->buf[0];
  const double k = o->hp[STEPS];
  if (o->scal[0] + 1 < k) {
    sl_vec_add(o->dim, acc, g);
    o->scal[0] += 1;
    return SL_OK;
  }
  for (size_t i = 0; i < o->dim; i++) acc[i] = (acc[i] + g[i]) / k;
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
