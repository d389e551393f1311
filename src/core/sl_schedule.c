/*
** sl_schedule.c — the table of schedule kinds (one file sched_<name>.c each)
** and what they share: names, validation (with the nesting depth of
** composites), evaluation, and printing derived from the entries' keys.
** Formulas follow torch.optim.lr_scheduler with e = t - 1 (see sl_schedule.h).
*/
#include "sl_schedule.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

/* The table of kinds, indexed by kind. A new schedule: its file
   sched_<name>.c and one row at the end. */
const sl_sched_kindinfo *const sl_sched_kinds[] = {
    [SL_SCHED_CONSTANT] = &sl_sched_constant,
    [SL_SCHED_STEP] = &sl_sched_step,
    [SL_SCHED_MULTISTEP] = &sl_sched_multistep,
    [SL_SCHED_EXPONENTIAL] = &sl_sched_exponential,
    [SL_SCHED_COSINE] = &sl_sched_cosine,
    [SL_SCHED_COSINE_RESTARTS] = &sl_sched_cosine_restarts,
    [SL_SCHED_LINEAR] = &sl_sched_linear,
    [SL_SCHED_WARMUP] = &sl_sched_warmup,
    [SL_SCHED_INVERSE_SQRT] = &sl_sched_inverse_sqrt,
    [SL_SCHED_POLYNOMIAL] = &sl_sched_polynomial,
    [SL_SCHED_ONECYCLE] = &sl_sched_onecycle,
    [SL_SCHED_ROBBINS_MONRO] = &sl_sched_robbins_monro,
    [SL_SCHED_CYCLIC] = &sl_sched_cyclic,
    [SL_SCHED_JOIN] = &sl_sched_join,
};
const int sl_sched_nkinds = (int)(sizeof sl_sched_kinds / sizeof sl_sched_kinds[0]);

const sl_sched_kindinfo *sl_sched_kind(int k) {
  return k >= 0 && k < sl_sched_nkinds ? sl_sched_kinds[k] : NULL;
}

const char *sl_schedule_name(sl_schedule_kind k) {
  const sl_sched_kindinfo *ki = sl_sched_kind((int)k);
  return ki ? ki->name : "?";
}

/* ---- helpers of the kind files ---------------------------------------------- */

double sl_sched_cos_anneal(double hi, double lo, double pct) {
  return lo + (hi - lo) * 0.5 * (1.0 + cos(M_PI * pct));
}

sl_status sl_sched_fail(char *msg, size_t len, const char *fmt, ...) {
  if (msg && len) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, len, fmt, ap);
    va_end(ap);
  }
  return SL_EINVAL;
}

sl_status sl_sched_check_marks(const sl_schedule *s, const char *what, char *msg, size_t len) {
  SL_NEED(s->n == 0 || s->marks != NULL, "%s missing", what);
  for (size_t k = 0; k < s->n; k++) {
    SL_NEED(s->marks[k] >= 1, "%s must be integers >= 1, got %lld", what, (long long)s->marks[k]);
    SL_NEED(k == 0 || s->marks[k] > s->marks[k - 1],
            "%s must be strictly increasing (%lld after %lld)", what, (long long)s->marks[k],
            (long long)s->marks[k - 1]);
  }
  return SL_OK;
}

/* ---- evaluation and validation ------------------------------------------------ */

double sl_schedule_lr(const sl_schedule *s, int64_t t) {
  const sl_sched_kindinfo *ki = sl_sched_kind((int)s->kind);
  if (ki == NULL) return NAN;
  if (t < 1) t = 1;
  return ki->lr(s, t, t - 1);
}

void sl_schedule_values(const sl_schedule *s, size_t n, double *out) {
  for (size_t i = 0; i < n; i++) out[i] = sl_schedule_lr(s, (int64_t)i + 1);
}

/* Children of s: n + 1 for a list kind (join), 1 with a child key (warmup). */
static size_t nchildren(const sl_schedule *s, const sl_sched_kindinfo *ki) {
  if (ki->flags & SL_SCHED_LIST) return s->n + 1;
  for (const sl_sched_key *k = ki->keys; k->name; k++)
    if (k->type == SL_SK_CHILD) return 1;
  return 0;
}

sl_status sl_schedule_check(sl_schedule *s, char *msg, size_t len) {
  s->depth = 1;
  const sl_sched_kindinfo *ki = sl_sched_kind((int)s->kind);
  if (ki == NULL) return sl_sched_fail(msg, len, "unknown schedule kind %d", (int)s->kind);
  sl_status st = ki->check(s, msg, len);
  if (st != SL_OK) return st;
  for (size_t k = 0, nk = nchildren(s, ki); k < nk; k++)
    if (s->child[k]->depth + 1 > s->depth) s->depth = s->child[k]->depth + 1;
  SL_NEED(s->depth <= SL_SCHED_MAX_DEPTH, "schedules nested more than %d deep", SL_SCHED_MAX_DEPTH);
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

static void format(out *o, const sl_schedule *s);

/* One option as name=value (children excepted); sep before it unless first. */
static void format_key(out *o, const sl_schedule *s, const sl_sched_key *k, const char *sep) {
  const char *p = (const char *)s + k->off;
  put(o, "%s%s=", sep, k->name);
  switch (k->type) {
  case SL_SK_NUM:
  case SL_SK_RATE: put(o, "%g", *(const double *)(const void *)p); break;
  case SL_SK_INT: put(o, "%lld", (long long)*(const int64_t *)(const void *)p); break;
  case SL_SK_CHOICE: put(o, "\"%s\"", k->choices[*(const int *)(const void *)p]); break;
  case SL_SK_MARKS:
    put(o, "{");
    for (size_t j = 0; j < s->n; j++) put(o, j ? ", %lld" : "%lld", (long long)s->marks[j]);
    put(o, "}");
    break;
  case SL_SK_CHILD: format(o, s->child[0]); break;
  }
}

/* name{children..., options in order, child options last}. */
static void format(out *o, const sl_schedule *s) {
  const sl_sched_kindinfo *ki = sl_sched_kind((int)s->kind);
  const char *sep = "";
  if (ki == NULL) {
    put(o, "?{}");
    return;
  }
  put(o, "%s{", ki->name);
  if (ki->flags & SL_SCHED_LIST)
    for (size_t k = 0; k <= s->n; k++, sep = ", ") {
      put(o, "%s", sep);
      format(o, s->child[k]);
    }
  for (int pass = 0; pass < 2; pass++)
    for (const sl_sched_key *k = ki->keys; k->name; k++)
      if ((k->type == SL_SK_CHILD) == pass) {
        format_key(o, s, k, sep);
        sep = ", ";
      }
  put(o, "}");
}

int sl_schedule_format(const sl_schedule *s, char *buf, size_t len) {
  out o = {buf, len, 0};
  if (buf && len) buf[0] = '\0';
  format(&o, s);
  return (int)o.used;
}
