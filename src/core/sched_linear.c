/*
** sched_linear.c — linear interpolation (torch LinearLR):
** from + (to - from) min(e, steps)/steps.
*/
#include <math.h>
#include <stddef.h>

#include "sl_schedule.h"

static sl_status check(const sl_schedule *s, char *msg, size_t len) {
  SL_RATE(from);
  SL_RATE(to);
  SL_COUNT(steps, 1);
  return SL_OK;
}

static double lr(const sl_schedule *s, int64_t t, int64_t e) {
  (void)t;
  double f = e >= s->steps ? 1.0 : (double)e / (double)s->steps;
  return s->from + (s->to - s->from) * f;
}

static const sl_schedule defaults = {0};
static const sl_sched_key keys[] = {
    {.name = "from", .type = SL_SK_NUM, .off = offsetof(sl_schedule, from), .required = 1},
    {.name = "to", .type = SL_SK_NUM, .off = offsetof(sl_schedule, to), .required = 1},
    SL_SCHED_KEY_STEPS,
    {NULL}};

const sl_sched_kindinfo sl_sched_linear = {
    .name = "linear",
    .defaults = &defaults,
    .keys = keys,
    .check = check,
    .lr = lr,
    .sig = "slope.schedule.linear{from, to, steps} -> schedule",
    .doc = "from + (to-from) min(t-1, steps)/steps: reaches `to` at t = steps+1 (torch LinearLR)."};
