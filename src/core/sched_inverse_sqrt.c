/*
** sched_inverse_sqrt.c — the inverse square root (fairseq's): lr t/warmup for
** t <= warmup, lr sqrt(warmup/t) after; lr/sqrt(t) without warm-up.
*/
#include <math.h>
#include <stddef.h>

#include "sl_schedule.h"

static sl_status check(const sl_schedule *s, char *msg, size_t len) {
  SL_RATE(lr);
  SL_COUNT(warmup, 0);
  return SL_OK;
}

static double lr(const sl_schedule *s, int64_t t, int64_t e) {
  (void)e;
  if (s->warmup == 0) return s->lr / sqrt((double)t);
  if (t <= s->warmup) return s->lr * (double)t / (double)s->warmup;
  return s->lr * sqrt((double)s->warmup / (double)t);
}

static const sl_schedule defaults = {.warmup = 0};
static const sl_sched_key keys[] = {
    SL_SCHED_KEY_LR,
    {.name = "warmup", .type = SL_SK_INT, .off = offsetof(sl_schedule, warmup)},
    {NULL}};

const sl_sched_kindinfo sl_sched_inverse_sqrt = {
    .name = "inverse_sqrt",
    .defaults = &defaults,
    .keys = keys,
    .check = check,
    .lr = lr,
    .sig = "slope.schedule.inverse_sqrt{lr, warmup=0} -> schedule",
    .doc = "lr t/warmup for t <= warmup, then lr sqrt(warmup/t); with warmup=0, lr/sqrt(t) "
           "(fairseq's)."};
