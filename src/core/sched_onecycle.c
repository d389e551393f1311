/*
** sched_onecycle.c — the 1cycle policy (Smith & Topin 2019) as torch's OneCycleLR
** computes it, two phases: from max/div_factor up to max over steps
** [0, pct_start steps - 1], then down to max/(div_factor final_div_factor) at
** step steps - 1; held there after.
*/
#include <math.h>
#include <stddef.h>

#include "sl_schedule.h"

static sl_status check(const sl_schedule *s, char *msg, size_t len) {
  SL_RATE(lr);
  SL_POS(div_factor);
  SL_POS(final_div_factor);
  SL_COUNT(steps, 2);
  SL_NEED(s->pct_start > 0 && s->pct_start < 1, "pct_start must be in (0, 1), got %g",
          s->pct_start);
  SL_NEED(s->pct_start * (double)s->steps > 1.0,
          "pct_start * steps must be > 1 (the warm-up phase needs two steps), got %g",
          s->pct_start * (double)s->steps);
  return SL_OK;
}

static double lr(const sl_schedule *s, int64_t t, int64_t e) {
  (void)t;
  double initial = s->lr / s->div_factor;
  double lowest = initial / s->final_div_factor;
  double end1 = s->pct_start * (double)s->steps - 1.0;
  double end2 = (double)s->steps - 1.0;
  double x = (double)e, start, end, pct;
  if (x <= end1) {
    start = initial, end = s->lr, pct = x / end1;
  } else {
    start = s->lr, end = lowest, pct = (x - end1) / (end2 - end1);
    if (pct > 1.0) pct = 1.0;
  }
  if (s->anneal == 0) return sl_sched_cos_anneal(start, end, pct);
  return start + (end - start) * pct;
}

static const char *const anneal_names[] = {"cos", "linear", NULL};
static const sl_schedule defaults = {
    .pct_start = 0.3, .div_factor = 25.0, .final_div_factor = 1e4, .anneal = 0};
static const sl_sched_key keys[] = {
    {.name = "max", .type = SL_SK_RATE, .off = offsetof(sl_schedule, lr), .required = 1},
    {.name = "steps",
     .type = SL_SK_INT,
     .off = offsetof(sl_schedule, steps),
     .required = 1,
     .lo = 2},
    {.name = "pct_start", .type = SL_SK_NUM, .off = offsetof(sl_schedule, pct_start)},
    {.name = "div_factor", .type = SL_SK_NUM, .off = offsetof(sl_schedule, div_factor)},
    {.name = "final_div_factor", .type = SL_SK_NUM, .off = offsetof(sl_schedule, final_div_factor)},
    {.name = "anneal",
     .type = SL_SK_CHOICE,
     .off = offsetof(sl_schedule, anneal),
     .choices = anneal_names},
    {NULL}};

const sl_sched_kindinfo sl_sched_onecycle = {
    .name = "onecycle",
    .defaults = &defaults,
    .keys = keys,
    .check = check,
    .lr = lr,
    .sig =
        "slope.schedule.onecycle{max, steps, pct_start=0.3, div_factor=25, final_div_factor=1e4, "
        "anneal=\"cos\"} -> schedule",
    .doc = "Smith's 1cycle as torch OneCycleLR: max/div_factor up to max by step pct_start*steps, "
           "then "
           "down to "
           "max/(div_factor*final_div_factor) at t = steps; held after. anneal=\"cos\" or "
           "\"linear\"."};
