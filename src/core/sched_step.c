/*
** sched_step.c — step decay (torch StepLR): lr gamma^floor(e / every).
*/
#include <math.h>
#include <stddef.h>

#include "sl_schedule.h"

static sl_status check(const sl_schedule *s, char *msg, size_t len) {
  SL_RATE(lr);
  SL_POS(gamma);
  SL_COUNT(every, 1);
  return SL_OK;
}

static double lr(const sl_schedule *s, int64_t t, int64_t e) {
  (void)t;
  return s->lr * pow(s->gamma, (double)(e / s->every));
}

static const sl_schedule defaults = {.gamma = 0.1};
static const sl_sched_key keys[] = {
    SL_SCHED_KEY_LR,
    {.name = "every",
     .type = SL_SK_INT,
     .off = offsetof(sl_schedule, every),
     .required = 1,
     .lo = 1},
    {.name = "gamma", .type = SL_SK_NUM, .off = offsetof(sl_schedule, gamma)},
    {NULL}};

const sl_sched_kindinfo sl_sched_step = {
    .name = "step",
    .defaults = &defaults,
    .keys = keys,
    .check = check,
    .lr = lr,
    .sig = "slope.schedule.step{lr, every, gamma=0.1} -> schedule",
    .doc = "lr * gamma^floor((t-1)/every): steps 1..every use lr (torch StepLR)."
           " t counts from 1 (torch's last_epoch = t - 1)."};
