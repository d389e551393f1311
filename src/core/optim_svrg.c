/*
** optim_svrg.c — stochastic variance-reduced gradient (Johnson & Zhang 2013,
** Alg. 1, option I): every epoch_len steps the snapshot s = x and the full
** gradient mu = grad f(s) are taken; each step draws a sample j from o->rng and
**   x -= lr (grad f_j(x) - grad f_j(s) + mu).
** Gradients come from o->f; the g handed to sl_optim_step is ignored.
** epoch_len = 0 means n (one pass over the samples per epoch).
*/
#include <string.h>

#include "sl_optim.h"
#include "sl_vec.h"

enum { LR, EPOCH_LEN };

static const sl_hpspec hp[] = {{"lr", 1e-2, SL_HP_NONNEG, NULL},
                               {"epoch_len", 0, SL_HP_INDEX, NULL}};
static const char *const bufs[] = {"snapshot", "full_grad", NULL};

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  (void)g;
  sl_objective *f = sl_optim_samples(o);
  if (f == NULL) return SL_EINVAL;
  const size_t dim = o->dim, m = o->hp[EPOCH_LEN] > 0 ? (size_t)o->hp[EPOCH_LEN] : f->n;
  const double lr = o->hp[LR];
  double *snap = o->buf[0], *mu = o->buf[1], *gx = o->scratch, *gs = o->scratch + dim;
  sl_status st;
  if ((o->t - 1) % m == 0) {
    double fv;
    sl_vec_copy(dim, snap, x);
    if ((st = sl_obj_fg(f, snap, &fv, mu)) < 0) return sl_optim_objfail(o, st);
  }
  size_t j = (size_t)sl_rng_below(&o->rng, f->n);
  if ((st = sl_optim_sample_grad(o, x, j, gx)) < 0) return st;
  if ((st = sl_optim_sample_grad(o, snap, j, gs)) < 0) return st;
  for (size_t i = 0; i < dim; i++) x[i] -= lr * (gx[i] - gs[i] + mu[i]);
  return SL_OK;
}

const sl_optim_ops sl_optim_svrg = {.name = "svrg",
                                    .hp = hp,
                                    .nhp = sizeof hp / sizeof hp[0],
                                    .bufs = bufs,
                                    .nscratch = 2,
                                    .flags = SL_OPTIM_NOGRAD | SL_OPTIM_RNG,
                                    .step = step};
