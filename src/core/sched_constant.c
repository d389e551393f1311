/*
** sched_constant.c — the constant rate: lr at every step.
*/
#include <math.h>
#include <stddef.h>

#include "sl_schedule.h"

static sl_status check(const sl_schedule *s, char *msg, size_t len) {
  SL_RATE(lr);
  return SL_OK;
}

static double lr(const sl_schedule *s, int64_t t, int64_t e) {
  (void)t;
  (void)e;
  return s->lr;
}

static const sl_schedule defaults = {0};
static const sl_sched_key keys[] = {SL_SCHED_KEY_LR, {NULL}};

const sl_sched_kindinfo sl_sched_constant = {.name = "constant",
                                             .defaults = &defaults,
                                             .keys = keys,
                                             .check = check,
                                             .lr = lr,
                                             .sig = "slope.schedule.constant{lr} -> schedule",
                                             .doc = "lr at every step."};
