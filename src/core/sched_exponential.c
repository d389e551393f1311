/*
** sched_exponential.c — exponential decay (torch ExponentialLR): lr gamma^e.
*/
#include <math.h>
#include <stddef.h>

#include "sl_schedule.h"

static sl_status check(const sl_schedule *s, char *msg, size_t len) {
  SL_RATE(lr);
  SL_POS(gamma);
  return SL_OK;
}

static double lr(const sl_schedule *s, int64_t t, int64_t e) {
  (void)t;
  return s->lr * pow(s->gamma, (double)e);
}

static const sl_schedule defaults = {0};
static const sl_sched_key keys[] = {
    SL_SCHED_KEY_LR,
    {.name = "gamma", .type = SL_SK_NUM, .off = offsetof(sl_schedule, gamma), .required = 1},
    {NULL}};

const sl_sched_kindinfo sl_sched_exponential = {
    .name = "exponential",
    .defaults = &defaults,
    .keys = keys,
    .check = check,
    .lr = lr,
    .sig = "slope.schedule.exponential{lr, gamma} -> schedule",
    .doc = "lr * gamma^(t-1) (torch ExponentialLR)."};
