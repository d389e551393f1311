/*
** sched_cosine.c — cosine annealing (torch CosineAnnealingLR, held at min
** after `steps`): min + (lr - min)(1 + cos(pi min(e, steps)/steps))/2.
*/
#include <math.h>
#include <stddef.h>

#include "sl_schedule.h"

static sl_status check(const sl_schedule *s, char *msg, size_t len) {
  SL_RATE(lr);
  SL_RATE(min);
  SL_COUNT(steps, 1);
  SL_NEED(s->min <= s->lr, "min must be <= lr, got min=%g, lr=%g", s->min, s->lr);
  return SL_OK;
}

static double lr(const sl_schedule *s, int64_t t, int64_t e) {
  (void)t;
  if (e >= s->steps) return s->min;
  return sl_sched_cos_anneal(s->lr, s->min, (double)e / (double)s->steps);
}

static const sl_schedule defaults = {.min = 0.0};
static const sl_sched_key keys[] = {
    SL_SCHED_KEY_LR,
    SL_SCHED_KEY_STEPS,
    {.name = "min", .type = SL_SK_NUM, .off = offsetof(sl_schedule, min)},
    {NULL}};

const sl_sched_kindinfo sl_sched_cosine = {
    .name = "cosine",
    .defaults = &defaults,
    .keys = keys,
    .check = check,
    .lr = lr,
    .sig = "slope.schedule.cosine{lr, steps, min=0} -> schedule",
    .doc = "min + (lr-min)(1+cos(pi (t-1)/steps))/2 for t <= steps+1, then min (torch "
           "CosineAnnealingLR, "
           "T_max=steps, eta_min=min; torch's would rise again after)."};
