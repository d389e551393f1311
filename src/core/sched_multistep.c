/*
** sched_multistep.c — decay at milestones (torch MultiStepLR):
** lr gamma^#{m in milestones : m <= e}.
*/
#include <math.h>
#include <stddef.h>

#include "sl_schedule.h"

static sl_status check(const sl_schedule *s, char *msg, size_t len) {
  SL_RATE(lr);
  SL_POS(gamma);
  return sl_sched_check_marks(s, "milestones", msg, len);
}

static double lr(const sl_schedule *s, int64_t t, int64_t e) {
  (void)t;
  size_t k = 0;
  while (k < s->n && s->marks[k] <= e) k++;
  return s->lr * pow(s->gamma, (double)k);
}

static const sl_schedule defaults = {.gamma = 0.1};
static const sl_sched_key keys[] = {
    SL_SCHED_KEY_LR,
    {.name = "milestones", .type = SL_SK_MARKS, .required = 1},
    {.name = "gamma", .type = SL_SK_NUM, .off = offsetof(sl_schedule, gamma)},
    {NULL}};

const sl_sched_kindinfo sl_sched_multistep = {
    .name = "multistep",
    .defaults = &defaults,
    .keys = keys,
    .check = check,
    .lr = lr,
    .sig = "slope.schedule.multistep{lr, milestones={m1, ...}, gamma=0.1} -> schedule",
    .doc =
        "lr * gamma^(number of milestones < t): after m steps the rate drops (torch MultiStepLR)."};
