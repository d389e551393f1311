/*
** sched_cyclic.c — the triangular cycle of torch's CyclicLR: low at e = 0,
** high at e = period/2, low at e = period.
*/
#include <math.h>
#include <stddef.h>

#include "sl_schedule.h"

static sl_status check(const sl_schedule *s, char *msg, size_t len) {
  SL_RATE(low);
  SL_RATE(high);
  SL_POS(period);
  SL_NEED(s->high >= s->low, "high must be >= low, got low=%g, high=%g", s->low, s->high);
  return SL_OK;
}

static double lr(const sl_schedule *s, int64_t t, int64_t e) {
  (void)t;
  double r = (double)e / s->period;
  double x = r - floor(r);
  double scale = x <= 0.5 ? x / 0.5 : (x - 1.0) / (0.5 - 1.0);
  return s->low + (s->high - s->low) * scale;
}

static const sl_schedule defaults = {0};
static const sl_sched_key keys[] = {
    {.name = "low", .type = SL_SK_NUM, .off = offsetof(sl_schedule, low), .required = 1},
    {.name = "high", .type = SL_SK_NUM, .off = offsetof(sl_schedule, high), .required = 1},
    {.name = "period", .type = SL_SK_NUM, .off = offsetof(sl_schedule, period), .required = 1},
    {NULL}};

const sl_sched_kindinfo sl_sched_cyclic = {
    .name = "cyclic",
    .defaults = &defaults,
    .keys = keys,
    .check = check,
    .lr = lr,
    .sig = "slope.schedule.cyclic{low, high, period} -> schedule",
    .doc = "Triangular cycle (torch CyclicLR, step_size_up = period/2): low at t=1, high at "
           "t=1+period/2, "
           "low again at t=1+period."};
