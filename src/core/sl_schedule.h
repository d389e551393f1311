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
**
** Each kind is one file sched_<name>.c defining its entry (sl_sched_kindinfo:
** name, defaults, check, value function, option keys, help) and one row in
** the table sl_sched_kinds (sl_schedule.c); its kind is its row. Printing,
** the Lua constructor, its key checks and help are derived from the entry.
** Adding a schedule: sched_<name>.c ending in `const sl_sched_kindinfo
** sl_sched_<name> = {...}`, its extern below, and the row `&sl_sched_<name>,`
** at the end of sl_sched_kinds.
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
  /* a new kind is its row in sl_sched_kinds (after join) */
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
**                    (> 0), final_div_factor (> 0), anneal (0 cos, 1 linear)
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
  int anneal; /* onecycle: 0 "cos", 1 "linear" */
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

/* The kind's name as in Lua ("cosine_restarts"); "?" when unknown. */
const char *sl_schedule_name(sl_schedule_kind k);

/* ---- the kinds ----------------------------------------------------------- */

/* How an option key fills the struct (and how it is printed). */
typedef enum {
  SL_SK_NUM,    /* a double field (a finite number) */
  SL_SK_RATE,   /* a double field, >= 0, checked as it is read (onecycle's max) */
  SL_SK_INT,    /* an int64_t field >= lo */
  SL_SK_CHOICE, /* an int field: the index of the string in choices */
  SL_SK_MARKS,  /* the integer list marks[0..n-1] (milestones, boundaries) */
  SL_SK_CHILD   /* a schedule, child[0] (warmup's `to`); read and printed last */
} sl_sched_keytype;

typedef struct sl_sched_key {
  const char *name; /* the option ("lr", "every"); printed as name=value */
  sl_sched_keytype type;
  size_t off;                 /* offsetof(sl_schedule, field) for NUM, RATE, INT, CHOICE */
  int required;               /* else the default is the kind's defaults' field */
  int64_t lo;                 /* SL_SK_INT: the smallest value */
  const char *const *choices; /* SL_SK_CHOICE: NULL-terminated names */
} sl_sched_key;

enum {
  SL_SCHED_LIST = 1 /* positional entries are children (join): n + 1 of them, n marks */
};

/* The key rows most kinds share: the base rate and the length of the schedule. */
#define SL_SCHED_KEY_LR                                                                            \
  { .name = "lr", .type = SL_SK_NUM, .off = offsetof(sl_schedule, lr), .required = 1 }
#define SL_SCHED_KEY_STEPS                                                                         \
  {                                                                                                \
    .name = "steps", .type = SL_SK_INT, .off = offsetof(sl_schedule, steps), .required = 1,        \
    .lo = 1                                                                                        \
  }

typedef struct sl_sched_kindinfo {
  const char *name;            /* "cosine": slope.schedule.cosine */
  const sl_schedule *defaults; /* static const, designated initializers: optional keys */
  const sl_sched_key *keys;    /* the options, in the order Lua lists them; {NULL} ends */
  int flags;                   /* SL_SCHED_LIST */
  /* Validate the kind's fields (children are checked already; depth is set by
     the caller); message into msg (may be NULL) through sl_sched_fail. */
  sl_status (*check)(const sl_schedule *s, char *msg, size_t len);
  /* The rate at step t >= 1, e = t - 1 torch's epoch counter. */
  double (*lr)(const sl_schedule *s, int64_t t, int64_t e);
  const char *sig, *doc; /* help */
} sl_sched_kindinfo;

/* The table, indexed by kind; sl_sched_nkinds rows. */
extern const sl_sched_kindinfo *const sl_sched_kinds[];
extern const int sl_sched_nkinds;
/* The entry of kind k (NULL when out of range). */
const sl_sched_kindinfo *sl_sched_kind(int k);

/* The entries (sched_<name>.c). */
extern const sl_sched_kindinfo sl_sched_constant, sl_sched_step, sl_sched_multistep,
    sl_sched_exponential, sl_sched_cosine, sl_sched_cosine_restarts, sl_sched_linear,
    sl_sched_warmup, sl_sched_inverse_sqrt, sl_sched_polynomial, sl_sched_onecycle,
    sl_sched_robbins_monro, sl_sched_cyclic, sl_sched_join;

/* ---- helpers of the kind files ---- */

/* Write the message (msg may be NULL) and return SL_EINVAL. */
sl_status sl_sched_fail(char *msg, size_t len, const char *fmt, ...);
/* marks[0..n-1] integers >= 1, strictly increasing; what names them. */
sl_status sl_sched_check_marks(const sl_schedule *s, const char *what, char *msg, size_t len);
/* Cosine from hi (pct = 0) down to lo (pct = 1) (Loshchilov & Hutter 2017, eq. 5). */
double sl_sched_cos_anneal(double hi, double lo, double pct);

/* Checks a kind's check function strings together (msg, len in scope):
   SL_NEED(cond, fmt, ...), and per field SL_RATE (finite, >= 0), SL_POS (finite,
   > 0), SL_COUNT(field, lo) (an integer >= lo). */
#define SL_NEED(cond, ...)                                                                         \
  do {                                                                                             \
    if (!(cond)) return sl_sched_fail(msg, len, __VA_ARGS__);                                      \
  } while (0)
#define SL_RATE(field)                                                                             \
  SL_NEED(isfinite(s->field) && s->field >= 0, #field " must be a non-negative number, got %g",    \
          s->field)
#define SL_POS(field)                                                                              \
  SL_NEED(isfinite(s->field) && s->field > 0, #field " must be a positive number, got %g", s->field)
#define SL_COUNT(field, lo)                                                                        \
  SL_NEED(s->field >= (lo), #field " must be an integer >= %d, got %lld", (lo), (long long)s->field)

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
