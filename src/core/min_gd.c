/*
** min_gd.c — steepest descent: d = -g, then a line search, or the fixed
** step lr (Cauchy 1847; N&W sec. 3.3). With bounds, projected gradient:
** x <- P(x - lr g) for a fixed step; with a line search, d = -g with the
** entries held by an active bound set to zero, searched on (0, amax] where amax
** is the largest step inside the box (a feasible-direction method, Bertsekas,
** Nonlinear Programming, sec. 2.3), so every iterate is feasible.
*/
#include <math.h>
#include <stdio.h>

#include "min_bounds.h"
#include "sl_minimize.h"
#include "sl_vec.h"

static const sl_min_params defaults = {SL_MIN_SHARED_DEFAULTS};

static sl_status check(const sl_min_params *p, char *msg, size_t len) {
  if (!(p->lr >= 0.0) || !isfinite(p->lr)) {
    snprintf(msg, len, "lr must be a positive number, got %g", p->lr);
    return SL_EINVAL;
  }
  return SL_OK;
}

/* d = -g, a line search (or the fixed step lr), move. */
static sl_status step(sl_solver *s) {
  size_t n = s->n;
  sl_min_steepest(s);
  double gd = -sl_vec_dot(n, s->g, s->g);
  sl_status st;
  if (s->p.lr > 0.0) {
    sl_linesearch fixed;
    sl_ls_defaults(&fixed, SL_LS_FIXED);
    fixed.a0 = s->p.lr;
    st = sl_min_linesearch_with(s, &fixed, s->p.lr);
  } else if (s->lo) {
    for (size_t i = 0; i < n; i++) /* no move into an active bound */
      if ((s->d[i] < 0.0 && s->x[i] <= s->lo[i]) || (s->d[i] > 0.0 && s->x[i] >= s->hi[i]))
        s->d[i] = 0.0;
    gd = sl_vec_dot(n, s->g, s->d);
    if (!(gd < 0.0)) return SL_OK; /* the projected gradient is zero: the loop stops */
    double amax = sl_bounds_maxstep(n, s->x, s->d, s->lo, s->hi);
    st = sl_bounds_linesearch(s, sl_min_guess_a0(s, gd), amax);
  } else {
    st = sl_min_linesearch(s, sl_min_guess_a0(s, gd));
  }
  if (st < 0) return st;
  sl_min_accept_trial(s);
  return SL_OK;
}

static void state(const sl_solver *s, const sl_min_visit *v) {
  if (s->p.lr > 0) v->num(v->ctx, "lr", s->p.lr);
}

static const char *const keys[] = {"lr", NULL};

const sl_min_method_ops sl_min_gd = {
    .name = "gd",
    .defaults = &defaults,
    .flags = SL_MINF_LINESEARCH | SL_MINF_DIRECTION | SL_MINF_BOUNDS,
    .keys = keys,
    .only = keys,
    .only_why = "a fixed step",
    .check = check,
    .step = step,
    .state = state,
};
