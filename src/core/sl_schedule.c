/*
** sl_schedule.c — evaluation, validation and printing of learning-rate
** schedules, and the reduce-on-plateau rule. Formulas follow
** torch.optim.lr_scheduler with e = t - 1 (see sl_schedule.h).
*/
#include "sl_schedule.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

static const char *const names[] = {
    "constant",        "step",          "multistep", "exponential",  "cosine",
    "cosine_restarts", "linear",        "warmup",    "inverse_sqrt", "polynomial",
    "onecycle",        "robbins_monro", "cyclic",    "join"};

const char *sl_schedule_name(sl_schedule_kind k) {
  return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

/* ---- evaluation ------------------------------------------------------------ */

/* Cosine interpolation from hi (pct = 0) down to lo (pct = 1):
   lo + (hi - lo)(1 + cos(pi pct))/2 (Loshchilov & Hutter 2017, eq. 5). */
static double cos_anneal(double hi, double lo, double pct) {
  return lo + (hi - lo) * 0.5 * (1.0 + cos(M_PI * pct));
}

/* SGDR: the restart period grows by `mult` after each restart. */
static double cosine_restarts(const sl_schedule *s, int64_t e) {
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
  return cos_anneal(s->lr, s->min, tcur / ti);
}

/* OneCycleLR (Smith & Topin 2019) as torch computes it: phase 1 from
   max/div_factor up to max over steps [0, pct_start*steps - 1], phase 2 down to
   max/(div_factor*final_div_factor) at step steps - 1; held there after. */
static double onecycle(const sl_schedule *s, int64_t e) {
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
  if (s->anneal_cos) return cos_anneal(start, end, pct);
  return start + (end - start) * pct;
}

/* CyclicLR "triangular": low at e = 0, high at e = period/2, low at e = period. */
static double cyclic(const sl_schedule *s, int64_t e) {
  double r = (double)e / s->period;
  double x = r - floor(r);
  double scale = x <= 0.5 ? x / 0.5 : (x - 1.0) / (0.5 - 1.0);
  return s->low + (s->high - s->low) * scale;
}

double sl_schedule_lr(const sl_schedule *s, int64_t t) {
  if (t < 1) t = 1;
  int64_t e = t - 1;
  switch (s->kind) {
  case SL_SCHED_CONSTANT: return s->lr;
  case SL_SCHED_STEP: return s->lr * pow(s->gamma, (double)(e / s->every));
  case SL_SCHED_MULTISTEP: {
    size_t k = 0;
    while (k < s->n && s->marks[k] <= e) k++;
    return s->lr * pow(s->gamma, (double)k);
  }
  case SL_SCHED_EXPONENTIAL: return s->lr * pow(s->gamma, (double)e);
  case SL_SCHED_COSINE:
    if (e >= s->steps) return s->min;
    return cos_anneal(s->lr, s->min, (double)e / (double)s->steps);
  case SL_SCHED_COSINE_RESTARTS: return cosine_restarts(s, e);
  case SL_SCHED_LINEAR: {
    double f = e >= s->steps ? 1.0 : (double)e / (double)s->steps;
    return s->from + (s->to - s->from) * f;
  }
  case SL_SCHED_WARMUP:
    if (t <= s->steps) {
      double target = sl_schedule_lr(s->child[0], 1);
      return s->from + (target - s->from) * (double)t / (double)s->steps;
    }
    return sl_schedule_lr(s->child[0], t - s->steps);
  case SL_SCHED_INVERSE_SQRT:
    if (s->warmup == 0) return s->lr / sqrt((double)t);
    if (t <= s->warmup) return s->lr * (double)t / (double)s->warmup;
    return s->lr * sqrt((double)s->warmup / (double)t);
  case SL_SCHED_POLYNOMIAL: {
    double f = e >= s->steps ? 1.0 : (double)e / (double)s->steps;
    return s->min + (s->lr - s->min) * pow(1.0 - f, s->power);
  }
  case SL_SCHED_ONECYCLE: return onecycle(s, e);
  case SL_SCHED_ROBBINS_MONRO: return s->a / pow(s->b + (double)t, s->p);
  case SL_SCHED_CYCLIC: return cyclic(s, e);
  case SL_SCHED_JOIN: {
    size_t k = 0;
    while (k < s->n && t > s->marks[k]) k++;
    int64_t off = k > 0 ? s->marks[k - 1] : 0;
    return sl_schedule_lr(s->child[k], t - off);
  }
  }
  return NAN;
}

void sl_schedule_values(const sl_schedule *s, size_t n, double *out) {
  for (size_t i = 0; i < n; i++) out[i] = sl_schedule_lr(s, (int64_t)i + 1);
}

/* ---- validation --------------------------------------------------------------- */

static sl_status fail(char *msg, size_t len, const char *fmt, ...) {
  if (msg && len) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, len, fmt, ap);
    va_end(ap);
  }
  return SL_EINVAL;
}

#define NEED(cond, ...)                                                                            \
  do {                                                                                             \
    if (!(cond)) return fail(msg, len, __VA_ARGS__);                                               \
  } while (0)
#define RATE(field)                                                                                \
  NEED(isfinite(s->field) && s->field >= 0, #field " must be a non-negative number, got %g",       \
       s->field)
#define POS(field)                                                                                 \
  NEED(isfinite(s->field) && s->field > 0, #field " must be a positive number, got %g", s->field)
#define COUNT(field, lo)                                                                           \
  NEED(s->field >= (lo), #field " must be an integer >= %d, got %lld", (lo), (long long)s->field)

static sl_status check_marks(const sl_schedule *s, const char *what, char *msg, size_t len) {
  NEED(s->n == 0 || s->marks != NULL, "%s missing", what);
  for (size_t k = 0; k < s->n; k++) {
    NEED(s->marks[k] >= 1, "%s must be integers >= 1, got %lld", what, (long long)s->marks[k]);
    NEED(k == 0 || s->marks[k] > s->marks[k - 1],
         "%s must be strictly increasing (%lld after %lld)", what, (long long)s->marks[k],
         (long long)s->marks[k - 1]);
  }
  return SL_OK;
}

sl_status sl_schedule_check(sl_schedule *s, char *msg, size_t len) {
  s->depth = 1;
  switch (s->kind) {
  case SL_SCHED_CONSTANT: RATE(lr); break;
  case SL_SCHED_STEP:
    RATE(lr);
    POS(gamma);
    COUNT(every, 1);
    break;
  case SL_SCHED_MULTISTEP:
    RATE(lr);
    POS(gamma);
    return check_marks(s, "milestones", msg, len);
  case SL_SCHED_EXPONENTIAL:
    RATE(lr);
    POS(gamma);
    break;
  case SL_SCHED_COSINE:
  case SL_SCHED_POLYNOMIAL:
    RATE(lr);
    RATE(min);
    COUNT(steps, 1);
    NEED(s->min <= s->lr, "min must be <= lr, got min=%g, lr=%g", s->min, s->lr);
    if (s->kind == SL_SCHED_POLYNOMIAL) POS(power);
    break;
  case SL_SCHED_COSINE_RESTARTS:
    RATE(lr);
    RATE(min);
    COUNT(t0, 1);
    NEED(s->mult >= 1 && s->mult <= 1000000, "mult must be an integer in 1..1e6, got %lld",
         (long long)s->mult);
    NEED(s->min <= s->lr, "min must be <= lr, got min=%g, lr=%g", s->min, s->lr);
    break;
  case SL_SCHED_LINEAR:
    RATE(from);
    RATE(to);
    COUNT(steps, 1);
    break;
  case SL_SCHED_WARMUP:
    RATE(from);
    COUNT(steps, 1);
    NEED(s->child && s->child[0], "to must be a schedule");
    s->depth = 1 + s->child[0]->depth;
    break;
  case SL_SCHED_INVERSE_SQRT:
    RATE(lr);
    COUNT(warmup, 0);
    break;
  case SL_SCHED_ONECYCLE:
    RATE(lr);
    POS(div_factor);
    POS(final_div_factor);
    COUNT(steps, 2);
    NEED(s->pct_start > 0 && s->pct_start < 1, "pct_start must be in (0, 1), got %g", s->pct_start);
    NEED(s->pct_start * (double)s->steps > 1.0,
         "pct_start * steps must be > 1 (the warm-up phase needs two steps), got %g",
         s->pct_start * (double)s->steps);
    break;
  case SL_SCHED_ROBBINS_MONRO:
    POS(a);
    POS(p);
    NEED(isfinite(s->b) && s->b > -1.0, "b must be a number > -1, got %g", s->b);
    break;
  case SL_SCHED_CYCLIC:
    RATE(low);
    RATE(high);
    POS(period);
    NEED(s->high >= s->low, "high must be >= low, got low=%g, high=%g", s->low, s->high);
    break;
  case SL_SCHED_JOIN: {
    NEED(s->child != NULL, "join needs schedules");
    sl_status st = check_marks(s, "boundaries", msg, len);
    if (st != SL_OK) return st;
    for (size_t k = 0; k <= s->n; k++) {
      NEED(s->child[k] != NULL, "schedule %zu missing", k + 1);
      if (s->child[k]->depth + 1 > s->depth) s->depth = s->child[k]->depth + 1;
    }
    break;
  }
  default: return fail(msg, len, "unknown schedule kind %d", (int)s->kind);
  }
  NEED(s->depth <= SL_SCHED_MAX_DEPTH, "schedules nested more than %d deep", SL_SCHED_MAX_DEPTH);
  return SL_OK;
}

/* ---- printing ------------------------------------------------------------------- */

typedef struct {
  char *buf;
  size_t len, used; /* used may exceed len: the length the full text needs */
} out;

static void put(out *o, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  size_t room = o->used < o->len ? o->len - o->used : 0;
  int k = vsnprintf(room ? o->buf + o->used : NULL, room, fmt, ap);
  va_end(ap);
  if (k > 0) o->used += (size_t)k;
}

static void format(out *o, const sl_schedule *s) {
  put(o, "%s{", sl_schedule_name(s->kind));
  switch (s->kind) {
  case SL_SCHED_CONSTANT: put(o, "lr=%g", s->lr); break;
  case SL_SCHED_STEP:
    put(o, "lr=%g, every=%lld, gamma=%g", s->lr, (long long)s->every, s->gamma);
    break;
  case SL_SCHED_MULTISTEP:
    put(o, "lr=%g, milestones={", s->lr);
    for (size_t k = 0; k < s->n; k++) put(o, k ? ", %lld" : "%lld", (long long)s->marks[k]);
    put(o, "}, gamma=%g", s->gamma);
    break;
  case SL_SCHED_EXPONENTIAL: put(o, "lr=%g, gamma=%g", s->lr, s->gamma); break;
  case SL_SCHED_COSINE:
    put(o, "lr=%g, steps=%lld, min=%g", s->lr, (long long)s->steps, s->min);
    break;
  case SL_SCHED_COSINE_RESTARTS:
    put(o, "lr=%g, period=%lld, mult=%lld, min=%g", s->lr, (long long)s->t0, (long long)s->mult,
        s->min);
    break;
  case SL_SCHED_LINEAR:
    put(o, "from=%g, to=%g, steps=%lld", s->from, s->to, (long long)s->steps);
    break;
  case SL_SCHED_WARMUP:
    put(o, "steps=%lld, from=%g, to=", (long long)s->steps, s->from);
    format(o, s->child[0]);
    break;
  case SL_SCHED_INVERSE_SQRT: put(o, "lr=%g, warmup=%lld", s->lr, (long long)s->warmup); break;
  case SL_SCHED_POLYNOMIAL:
    put(o, "lr=%g, steps=%lld, power=%g, min=%g", s->lr, (long long)s->steps, s->power, s->min);
    break;
  case SL_SCHED_ONECYCLE:
    put(o, "max=%g, steps=%lld, pct_start=%g, div_factor=%g, final_div_factor=%g, anneal=\"%s\"",
        s->lr, (long long)s->steps, s->pct_start, s->div_factor, s->final_div_factor,
        s->anneal_cos ? "cos" : "linear");
    break;
  case SL_SCHED_ROBBINS_MONRO: put(o, "a=%g, b=%g, p=%g", s->a, s->b, s->p); break;
  case SL_SCHED_CYCLIC: put(o, "low=%g, high=%g, period=%g", s->low, s->high, s->period); break;
  case SL_SCHED_JOIN:
    for (size_t k = 0; k <= s->n; k++) {
      if (k) put(o, ", ");
      format(o, s->child[k]);
    }
    put(o, ", boundaries={");
    for (size_t k = 0; k < s->n; k++) put(o, k ? ", %lld" : "%lld", (long long)s->marks[k]);
    put(o, "}");
    break;
  }
  put(o, "}");
}

int sl_schedule_format(const sl_schedule *s, char *buf, size_t len) {
  out o = {buf, len, 0};
  if (buf && len) buf[0] = '\0';
  format(&o, s);
  return (int)o.used;
}

/* ---- reduce on plateau ------------------------------------------------------------- */

void sl_plateau_init(sl_plateau *p, double lr) {
  static const sl_plateau defaults = {.factor = 0.1,
                                      .patience = 10,
                                      .threshold = 1e-4,
                                      .mode_max = 0,
                                      .threshold_abs = 0,
                                      .cooldown = 0,
                                      .min_lr = 0.0,
                                      .eps = 1e-8,
                                      .best = INFINITY};
  *p = defaults;
  p->lr = lr;
}

void sl_plateau_reset(sl_plateau *p) {
  p->best = p->mode_max ? -INFINITY : INFINITY;
  p->num_bad = p->cooldown_counter = p->last_epoch = p->num_reductions = 0;
}

sl_status sl_plateau_check(const sl_plateau *p, char *msg, size_t len) {
  const sl_plateau *s = p;
  RATE(lr);
  NEED(isfinite(p->factor) && p->factor > 0 && p->factor < 1, "factor must be in (0, 1), got %g",
       p->factor);
  COUNT(patience, 0);
  COUNT(cooldown, 0);
  RATE(threshold);
  RATE(min_lr);
  RATE(eps);
  NEED(!isnan(p->best), "best must not be NaN");
  NEED(p->num_bad >= 0 && p->cooldown_counter >= 0 && p->last_epoch >= 0 && p->num_reductions >= 0,
       "counters must be >= 0");
  return SL_OK;
}

static int improves(const sl_plateau *p, double a) {
  double best = p->best;
  if (!p->mode_max)
    return p->threshold_abs ? a < best - p->threshold : a < best * (1.0 - p->threshold);
  return p->threshold_abs ? a > best + p->threshold : a > best * (1.0 + p->threshold);
}

/* torch ReduceLROnPlateau.step for one parameter group. */
double sl_plateau_update(sl_plateau *p, double metric) {
  p->last_epoch++;
  if (improves(p, metric)) { /* false for NaN */
    p->best = metric;
    p->num_bad = 0;
  } else {
    p->num_bad++;
  }
  if (p->cooldown_counter > 0) {
    p->cooldown_counter--;
    p->num_bad = 0;
  }
  if (p->num_bad > p->patience) {
    double lr = p->lr * p->factor;
    if (lr < p->min_lr) lr = p->min_lr;
    if (p->lr - lr > p->eps) {
      p->lr = lr;
      p->num_reductions++;
    }
    p->cooldown_counter = p->cooldown;
    p->num_bad = 0;
  }
  return p->lr;
}
