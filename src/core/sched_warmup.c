/*
** sched_warmup.c — linear warm-up from `from` to the child's first rate over
** `steps` steps, then the child, seeing t - steps.
*/
#include <math.h>
#include <stddef.h>

#include "sl_schedule.h"

static sl_status check(const sl_schedule *s, char *msg, size_t len) {
  SL_RATE(from);
  SL_COUNT(steps, 1);
  SL_NEED(s->child && s->child[0], "to must be a schedule");
  return SL_OK;
}

static double lr(const sl_schedule *s, int64_t t, int64_t e) {
  (void)e;
  if (t <= s->steps) {
    double target = sl_schedule_lr(s->child[0], 1);
    return s->from + (target - s->from) * (double)t / (double)s->steps;
  }
  return sl_schedule_lr(s->child[0], t - s->steps);
}

static const sl_schedule defaults = {.from = 0.0};
static const sl_sched_key keys[] = {
    SL_SCHED_KEY_STEPS,
    {.name = "to", .type = SL_SK_CHILD, .required = 1},
    {.name = "from", .type = SL_SK_NUM, .off = offsetof(sl_schedule, from)},
    {NULL}};

const sl_sched_kindinfo sl_sched_warmup = {
    .name = "warmup",
    .defaults = &defaults,
    .keys = keys,
    .check = check,
    .lr = lr,
    .sig = "slope.schedule.warmup{steps, to=schedule, from=0} -> schedule",
    .doc = "from + (to(1)-from) t/steps for t <= steps (reaching to(1) at t = steps), then to(t - "
           "steps)."};
