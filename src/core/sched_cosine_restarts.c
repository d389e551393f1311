/*
** sched_cosine_restarts.c — SGDR, cosine annealing with warm restarts (Loshchilov &
** Hutter 2017; torch CosineAnnealingWarmRestarts): the period t0 grows by
** `mult` after each restart.
*/
#include <math.h>
#include <stddef.h>

#include "sl_schedule.h"

static sl_status check(const sl_schedule *s, char *msg, size_t len) {
  SL_RATE(lr);
  SL_RATE(min);
  SL_COUNT(t0, 1);
  SL_NEED(s->mult >= 1 && s->mult <= 1000000, "mult must be an integer in 1..1e6, got %lld",
          (long long)s->mult);
  SL_NEED(s->min <= s->lr, "min must be <= lr, got min=%g, lr=%g", s->min, s->lr);
  return SL_OK;
}

static double lr(const sl_schedule *s, int64_t t, int64_t e) {
  (void)t;
  double tcur, ti = (double)s->t0;
  if (s->mult == 1) {
    tcur = (double)(e % s->t0);
  } else {
    tcur = (double)e;
    while (tcur >= ti) {
      tcur -= ti;
      ti *= (double)s->mult;
    }
  }
  return sl_sched_cos_anneal(s->lr, s->min, tcur / ti);
}

static const sl_schedule defaults = {.mult = 1, .min = 0.0};
static const sl_sched_key keys[] = {
    SL_SCHED_KEY_LR,
    {.name = "period", .type = SL_SK_INT, .off = offsetof(sl_schedule, t0), .required = 1, .lo = 1},
    {.name = "mult", .type = SL_SK_INT, .off = offsetof(sl_schedule, mult), .lo = 1},
    {.name = "min", .type = SL_SK_NUM, .off = offsetof(sl_schedule, min)},
    {NULL}};

const sl_sched_kindinfo sl_sched_cosine_restarts = {
    .name = "cosine_restarts",
    .defaults = &defaults,
    .keys = keys,
    .check = check,
    .lr = lr,
    .sig = "slope.schedule.cosine_restarts{lr, period, mult=1, min=0} -> schedule",
    .doc =
        "SGDR (Loshchilov & Hutter 2017): cosine from lr to min over `period` steps, restarting at "
        "lr; "
        "each period `mult` times longer (torch CosineAnnealingWarmRestarts, T_0=period, "
        "T_mult=mult)."};
