/*
** optim_saga.c — SAGA (Defazio, Bach & Lacoste-Julien 2014, Sec. 2): a table
** of the last gradient seen for every sample and their mean. The first step
** fills the table at x_0 (one pass); each step draws j from o->rng and
**   x -= lr (grad f_j(x) - table_j + mean);  mean += (grad f_j(x) - table_j)/n;
**   table_j = grad f_j(x).
** Gradients come from o->f; the g handed to sl_optim_step is ignored.
*/
#include "sl_optim.h"
#include "sl_vec.h"

enum { LR };

static const sl_hpspec hp[] = {{"lr", 1e-2, SL_HP_NONNEG, NULL}};
static const char *const bufs[] = {"table", "mean", NULL};

static size_t buflen(const sl_optimizer *o, size_t k) {
  return k == 0 && o->f ? o->f->n * o->dim : o->dim;
}

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  (void)g;
  sl_objective *f = sl_optim_samples(o);
  if (f == NULL) return SL_EINVAL;
  const size_t dim = o->dim, n = f->n;
  const double lr = o->hp[LR], inv_n = 1.0 / (double)n;
  double *table = o->buf[0], *mean = o->buf[1], *gj = o->scratch;
  sl_status st;
  if (o->t == 1) {
    sl_vec_fill(dim, mean, 0.0);
    for (size_t k = 0; k < n; k++) {
      if ((st = sl_optim_sample_grad(o, x, k, table + k * dim)) < 0) return st;
      sl_vec_add(dim, mean, table + k * dim);
    }
    sl_vec_scale(dim, mean, inv_n);
  }
  size_t j = (size_t)sl_rng_below(&o->rng, n);
  if ((st = sl_optim_sample_grad(o, x, j, gj)) < 0) return st;
  double *tj = table + j * dim;
  for (size_t i = 0; i < dim; i++) {
    const double diff = gj[i] - tj[i];
    x[i] -= lr * (diff + mean[i]);
    mean[i] += diff * inv_n;
    tj[i] = gj[i];
  }
  return SL_OK;
}

const sl_optim_ops sl_optim_saga = {.name = "saga",
                                    .hp = hp,
                                    .nhp = sizeof hp / sizeof hp[0],
                                    .bufs = bufs,
                                    .nscratch = 1,
                                    .flags = SL_OPTIM_NOGRAD | SL_OPTIM_RNG,
                                    .buflen = buflen,
                                    .step = step};
