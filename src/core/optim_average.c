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

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  sl_status st = sl_optim_step(o->base, x, g);
  if (st < 0) return sl_optim_fail(o, st, "%s", o->base->msg);
  const int kind = (int)o->hp[KIND];
  const double start = o->hp[START], t = (double)o->t;
  if (t <= start) return SL_OK;
  if (kind == SWA && (unsigned long)(t - start) % (unsigned long)o->hp[EVERY] != 0) return SL_OK;
  double *avg = o->buf[0];
  const double n = o->scal[0];
  if (n == 0) {
    sl_vec_copy(o->dim, avg, x);
  } else if (kind == EMA) {
    const double d = o->hp[DECAY];
    for (size_t i = 0; i < o->dim; i++) avg[i] = d * avg[i] + (1 - d) * x[i];
  } else {
    for (size_t i = 0; i < o->dim; i++) avg[i] += (x[i] - avg[i]) / (n + 1);
  }
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
