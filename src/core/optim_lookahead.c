/*
** optim_lookahead.c — Lookahead (Zhang et al. 2019, Alg. 1) as a wrapper: the
** base ("fast") optimizer updates x; the slow weights phi start at x and every
** k steps move phi += alpha (x - phi), and x is reset to phi.
*/
#include "sl_optim.h"
#include "sl_vec.h"

enum { K, ALPHA };

static const sl_hpspec hp[] = {{"k", 5, SL_HP_COUNT, NULL}, {"alpha", 0.5, SL_HP_PROB, NULL}};
static const char *const bufs[] = {"slow", NULL};

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  double *slow = o->buf[0];
  if (o->t == 1) sl_vec_copy(o->dim, slow, x);
  sl_status st = sl_optim_step(o->base, x, g);
  if (st < 0) return sl_optim_fail(o, st, "%s", o->base->msg);
  if (o->t % (unsigned long)o->hp[K] == 0) {
    const double a = o->hp[ALPHA];
    for (size_t i = 0; i < o->dim; i++) {
      slow[i] += a * (x[i] - slow[i]);
      x[i] = slow[i];
    }
  }
  return SL_OK;
}

const sl_optim_ops sl_optim_lookahead = {.name = "lookahead",
                                         .hp = hp,
                                         .nhp = sizeof hp / sizeof hp[0],
                                         .bufs = bufs,
                                         .flags = SL_OPTIM_WRAPPER,
                                         .step = step};
