/*
** sl_schedule.h — learning-rate schedules: pure functions of the step t
** (1-based) and the stateful reduce-on-plateau rule.
**
** Step counting. slope counts steps from 1: lr(1) is the rate of the first
** optimizer step. Where torch.optim.lr_scheduler has the same schedule, slope's
** lr(t) equals torch's rate after t-1 calls of scheduler.step() (torch's
** last_epoch = t - 1), so "e = t - 1" below is torch's epoch counter.
**
** A schedule is a plain struct filled by the caller (the Lua binding or C
** code), checked once with sl_schedule_check, and evaluated with
** sl_schedule_lr. Composite schedules (warmup, join) point at children and at
** arrays owned by the caller; they are never copied or freed here.
*/
#ifndef SL_SCHEDULE_H
#define SL_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

#include "sl_status.h"

typedef enum {
  SL_SCHED_CONSTANT,        /* lr                                                   */
  SL_SCHED_STEP,            /* lr * gamma^floor(e / every)              (StepLR)     */
  SL_SCHED_MULTISTEP,       /* lr * gamma^#{m in marks : m <= e}        (MultiStepLR)*/
  SL_SCHED_EXPONENTIAL,     /* lr * gamma^e                             (ExponentialLR) */
  SL_SCHED_COSINE,          /* min + (lr-min)(1+cos(pi min(e,steps)/steps))/2 (CosineAnnealingLR) */
  SL_SCHED_COSINE_RESTARTS, /* SGDR, Loshchilov & Hutter 2017 (CosineAnnealingWarmRestarts) */
  SL_SCHED_LINEAR,          /* from + (to-from) min(e,steps)/steps      (LinearLR)   */
  SL_SCHED_WARMUP,          /* linear from `from` to child(1), then child(t-steps) */
  SL_SCHED_INVERSE_SQRT,    /* lr t/warmup for t <= warmup, lr sqrt(warmup/t) after  */
  SL_SCHED_POLYNOMIAL,      /* min + (lr-min)(1 - min(e,steps)/steps)^power (PolynomialLR) */
  SL_SCHED_ONECYCLE,        /* Smith & Topin 2019 (OneCycleLR, two phases)          */
  SL_SCHED_ROBBINS_MONRO,   /* a / (b + t)^p                                        */
  SL_SCHED_CYCLIC,          /* triangular between low and high (CyclicLR)           */
  SL_SCHED_JOIN             /* child k on (marks[k-1], marks[k]], seeing t - marks[k-1] */
} sl_schedule_kind;

/* The largest nesting of warmup/join (keeps evaluation's recursion bounded). */
#define SL_SCHED_MAX_DEPTH 64

typedef struct sl_schedule sl_schedule;

/*
** Fields used per kind (all others ignored):
**   constant         lr
**   step             lr, gamma (> 0), every (>= 1)
**   multistep        lr, gamma (> 0), marks[0..n-1] strictly increasing, >= 1
**   exponential      lr, gamma (> 0)
**   cosine           lr, steps (>= 1), min (>= 0, <= lr)
**   cosine_restarts  lr, t0 (>= 1, the first period), mult (integer >= 1, torch's T_mult), min
**   linear           from, to, steps (>= 1)
**   warmup           from, steps (>= 1), child[0]
**   inverse_sqrt     lr, warmup (>= 0)
**   polynomial       lr, steps (>= 1), power (> 0), min (>= 0, <= lr)
**   onecycle         lr (= max_lr), steps (>= 2), pct_start in (0,1), div_factor
**                    (> 0), final_div_factor (> 0), anneal_cos (1 cos, 0 linear)
**   robbins_monro    a (> 0), b (b + 1 > 0), p (> 0; (0.5, 1] for convergence)
**   cyclic           low (>= 0), high (>= low), period (> 0, full cycle in steps)
**   join             child[0..n], marks[0..n-1] strictly increasing, >= 1
** Every number must be finite; rates must be >= 0.
*/
struct sl_schedule {
  sl_schedule_kind kind;
  double lr, min, gamma, power;
  double from, to;
  double pct_start, div_factor, final_div_factor;
  int anneal_cos;
  double a, b, p;
  double low, high, period;
  int64_t every, steps, warmup, mult, t0;
  size_t n;                        /* number of marks */
  const int64_t *marks;            /* milestones (multistep) or boundaries (join) */
  const sl_schedule *const *child; /* warmup: 1 child; join: n + 1 children */
  int depth;                       /* set by sl_schedule_check: 1 + deepest child */
};

/* Validate s (and compute s->depth). On failure returns SL_EINVAL and writes a
   message like "gamma must be > 0, got -1" into msg (may be NULL). */
sl_status sl_schedule_check(sl_schedule *s, char *msg, size_t len);

/* The learning rate at step t >= 1 (t < 1 is treated as 1). */
double sl_schedule_lr(const sl_schedule *s, int64_t t);

/* lr(1..n) into out[0..n-1]. */
void sl_schedule_values(const sl_schedule *s, size_t n, double *out);

/* "cosine{lr=0.1, steps=100, min=0}" (children nested); snprintf semantics:
   returns the length the full text needs. */
int sl_schedule_format(const sl_schedule *s, char *buf, size_t len);

/* The kind's name as in Lua ("cosine_restarts"). */
const char *sl_schedule_name(sl_schedule_kind k);

/* ---- reduce on plateau --------------------------------------------------- */

/*
** torch.optim.lr_scheduler.ReduceLROnPlateau for one rate. After each
** evaluation, sl_plateau_update(p, metric): the metric improves when
** (mode min) metric < best (1 - threshold)   [rel]  or  metric < best - threshold [abs]
** (mode max) metric > best (1 + threshold)   [rel]  or  metric > best + threshold [abs];
** after more than `patience` evaluations without improvement the rate becomes
** max(lr * factor, min_lr) (applied only if it changes by more than eps), then
** `cooldown` evaluations are ignored. A NaN metric never improves.
*/
typedef struct sl_plateau {
  /* parameters */
  double factor;     /* in (0, 1); default 0.1 */
  int64_t patience;  /* >= 0; default 10 */
  double threshold;  /* >= 0; default 1e-4 */
  int mode_max;      /* 0: "min" (default), 1: "max" */
  int threshold_abs; /* 0: "rel" (default), 1: "abs" */
  int64_t cooldown;  /* >= 0; default 0 */
  double min_lr;     /* >= 0; default 0 */
  double eps;        /* minimal change of lr; default 1e-8 */
  /* state */
  double lr;
  double best;              /* +Inf (min) or -Inf (max) before the first update */
  int64_t num_bad;          /* evaluations since the last improvement */
  int64_t cooldown_counter; /* evaluations of cooldown left */
  int64_t last_epoch;       /* number of updates so far */
  int64_t num_reductions;   /* how many times lr was reduced */
} sl_plateau;

/* Defaults with rate lr (the state reset). */
void sl_plateau_init(sl_plateau *p, double lr);
/* Forget the history (best, counters) for the current mode; keeps lr. */
void sl_plateau_reset(sl_plateau *p);
/* Validate the parameters and state; SL_EINVAL with a message on failure. */
sl_status sl_plateau_check(const sl_plateau *p, char *msg, size_t len);
/* One evaluation; returns the (possibly reduced) rate. */
double sl_plateau_update(sl_plateau *p, double metric);

#endif
