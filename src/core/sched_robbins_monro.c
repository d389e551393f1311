/*
** sched_robbins_monro.c — the Robbins-Monro step a / (b + t)^p.
*/
#include <math.h>
#include <stddef.h>

#include "sl_schedule.h"

static sl_status check(const sl_schedule *s, char *msg, size_t len) {
  SL_POS(a);
  SL_POS(p);
  SL_NEED(isfinite(s->b) && s->b > -1.0, "b must be a number > -1, got %g", s->b);
  return SL_OK;
}

static double lr(const sl_schedule *s, int64_t t, int64_t e) {
  (void)e;
  return s->a / pow(s->b + (double)t, s->p);
}

static const sl_schedule defaults = {.b = 0.0, .p = 1.0};
static const sl_sched_key keys[] = {
    {.name = "a", .type = SL_SK_NUM, .off = offsetof(sl_schedule, a), .required = 1},
    {.name = "b", .type = SL_SK_NUM, .off = offsetof(sl_schedule, b)},
    {.name = "p", .type = SL_SK_NUM, .off = offsetof(sl_schedule, p)},
    {NULL}};

const sl_sched_kindinfo sl_sched_robbins_monro = {
    .name = "robbins_monro",
    .defaults = &defaults,
    .keys = keys,
    .check = check,
    .lr = lr,
    .sig = "slope.schedule.robbins_monro{a, b=0, p=1} -> schedule",
    .doc = "a/(b+t)^p. Only p in (0.5, 1] meets the Robbins-Monro conditions (sum lr = inf, sum "
           "lr^2 < "
           "inf); "
           "other p > 0 are accepted but give no such guarantee."};
