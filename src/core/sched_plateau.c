/*
** sched_plateau.c — reduce-on-plateau (torch.optim.lr_scheduler.ReduceLROnPlateau
** for one rate): the one stateful schedule, driven by a metric (sl_schedule.h).
*/
#include <math.h>

#include "sl_schedule.h"

void sl_plateau_init(sl_plateau *p, double lr) {
  static const sl_plateau defaults = {.factor = 0.1,
                                      .patience = 10,
                                      .threshold = 1e-4,
                                      .mode_max = 0,
                                      .threshold_abs = 0,
                                      .cooldown = 0,
                                      .min_lr = 0.0,
                                      .eps = 1e-8,
                                      .best = INFINITY};
  *p = defaults;
  p->lr = lr;
}

void sl_plateau_reset(sl_plateau *p) {
  p->best = p->mode_max ? -INFINITY : INFINITY;
  p->num_bad = p->cooldown_counter = p->last_epoch = p->num_reductions = 0;
}

sl_status sl_plateau_check(const sl_plateau *p, char *msg, size_t len) {
  const sl_plateau *s = p;
  SL_RATE(lr);
  SL_NEED(isfinite(p->factor) && p->factor > 0 && p->factor < 1, "factor must be in (0, 1), got %g",
          p->factor);
  SL_COUNT(patience, 0);
  SL_COUNT(cooldown, 0);
  SL_RATE(threshold);
  SL_RATE(min_lr);
  SL_RATE(eps);
  SL_NEED(!isnan(p->best), "best must not be NaN");
  SL_NEED(p->num_bad >= 0 && p->cooldown_counter >= 0 && p->last_epoch >= 0 &&
              p->num_reductions >= 0,
          "counters must be >= 0");
  return SL_OK;
}

static int improves(const sl_plateau *p, double a) {
  double best = p->best;
  if (!p->mode_max)
    return p->threshold_abs ? a < best - p->threshold : a < best * (1.0 - p->threshold);
  return p->threshold_abs ? a > best + p->threshold : a > best * (1.0 + p->threshold);
}

/* torch ReduceLROnPlateau.step for one parameter group. */
double sl_plateau_update(sl_plateau *p, double metric) {
  p->last_epoch++;
  if (improves(p, metric)) { /* false for NaN */
    p->best = metric;
    p->num_bad = 0;
  } else {
    p->num_bad++;
  }
  if (p->cooldown_counter > 0) {
    p->cooldown_counter--;
    p->num_bad = 0;
  }
  if (p->num_bad > p->patience) {
    double lr = p->lr * p->factor;
    if (lr < p->min_lr) lr = p->min_lr;
    if (p->lr - lr > p->eps) {
      p->lr = lr;
      p->num_reductions++;
    }
    p->cooldown_counter = p->cooldown;
    p->num_bad = 0;
  }
  return p->lr;
}
