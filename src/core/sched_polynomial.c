/*
** sched_polynomial.c — polynomial decay (torch PolynomialLR when min = 0):
** min + (lr - min)(1 - min(e, steps)/steps)^power.
*/
#include <math.h>
#include <stddef.h>

#include "sl_schedule.h"

static sl_status check(const sl_schedule *s, char *msg, size_t len) {
  SL_RATE(lr);
  SL_RATE(min);
  SL_COUNT(steps, 1);
  SL_NEED(s->min <= s->lr, "min must be <= lr, got min=%g, lr=%g", s->min, s->lr);
  SL_POS(power);
  return SL_OK;
}

static double lr(const sl_schedule *s, int64_t t, int64_t e) {
  (void)t;
  double f = e >= s->steps ? 1.0 : (double)e / (double)s->steps;
  return s->min + (s->lr - s->min) * pow(1.0 - f, s->power);
}

static const sl_schedule defaults = {.power = 1.0, .min = 0.0};
static const sl_sched_key keys[] = {
    SL_SCHED_KEY_LR,
    SL_SCHED_KEY_STEPS,
    {.name = "power", .type = SL_SK_NUM, .off = offsetof(sl_schedule, power)},
    {.name = "min", .type = SL_SK_NUM, .off = offsetof(sl_schedule, min)},
    {NULL}};

const sl_sched_kindinfo sl_sched_polynomial = {
    .name = "polynomial",
    .defaults = &defaults,
    .keys = keys,
    .check = check,
    .lr = lr,
    .sig = "slope.schedule.polynomial{lr, steps, power=1, min=0} -> schedule",
    .doc = "min + (lr-min)(1 - min(t-1, steps)/steps)^power (torch PolynomialLR when min=0)."};
