/*
** sched_join.c — schedules one after another: child k on (marks[k-1],
** marks[k]], seeing the step counted from its own start, t - marks[k-1].
*/
#include <math.h>
#include <stddef.h>

#include "sl_schedule.h"

static sl_status check(const sl_schedule *s, char *msg, size_t len) {
  SL_NEED(s->child != NULL, "join needs schedules");
  sl_status st = sl_sched_check_marks(s, "boundaries", msg, len);
  if (st != SL_OK) return st;
  for (size_t k = 0; k <= s->n; k++) SL_NEED(s->child[k] != NULL, "schedule %zu missing", k + 1);
  return SL_OK;
}

static double lr(const sl_schedule *s, int64_t t, int64_t e) {
  (void)e;
  size_t k = 0;
  while (k < s->n && t > s->marks[k]) k++;
  int64_t off = k > 0 ? s->marks[k - 1] : 0;
  return sl_schedule_lr(s->child[k], t - off);
}

static const sl_schedule defaults = {0};
static const sl_sched_key keys[] = {{.name = "boundaries", .type = SL_SK_MARKS, .required = 1},
                                    {NULL}};

const sl_sched_kindinfo sl_sched_join = {
    .name = "join",
    .defaults = &defaults,
    .keys = keys,
    .flags = SL_SCHED_LIST,
    .check = check,
    .lr = lr,
    .sig = "slope.schedule.join{s1, s2, ..., boundaries={b1, ...}} -> schedule",
    .doc =
        "s1 for t <= b1, s2 for b1 < t <= b2, ...; each sees the step counted from its own start "
        "(s2 gets t - b1)."};
