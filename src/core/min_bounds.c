/*
** min_bounds.c — the box l <= x <= u shared by the bounded methods: projection,
** projected gradient, the largest feasible step and a line search capped at it.
*/
#include "min_bounds.h"

#include <math.h>
#include <stdio.h>

#include "sl_vec.h"

sl_status sl_bounds_check(const sl_min_params *p, char *msg, size_t len) {
  for (size_t i = 0; i < p->nbounds; i++) {
    double l = p->lower ? p->lower[i] : -HUGE_VAL, u = p->upper ? p->upper[i] : HUGE_VAL;
    if (isnan(l) || isnan(u)) {
      snprintf(msg, len, "%s[%zu] is nan: bounds must be numbers (+-inf for none)",
               isnan(l) ? "lower" : "upper", i + 1);
      return SL_EINVAL;
    }
    if (l > u) {
      snprintf(msg, len, "lower[%zu] = %g > upper[%zu] = %g: the box is empty", i + 1, l, i + 1, u);
      return SL_EINVAL;
    }
    if (l == HUGE_VAL || u == -HUGE_VAL) {
      snprintf(msg, len, "%s[%zu] = %g leaves no finite point", l == HUGE_VAL ? "lower" : "upper",
               i + 1, l == HUGE_VAL ? l : u);
      return SL_EINVAL;
    }
  }
  return SL_OK;
}

size_t sl_bounds_project(size_t n, double *x, const double *lo, const double *hi) {
  size_t moved = 0;
  for (size_t i = 0; i < n; i++) {
    double v = x[i] < lo[i] ? lo[i] : x[i] > hi[i] ? hi[i] : x[i];
    moved += v != x[i];
    x[i] = v;
  }
  return moved;
}

double sl_bounds_pgnorm(size_t n, const double *x, const double *g, const double *lo,
                        const double *hi) {
  double m = 0.0;
  for (size_t i = 0; i < n; i++) {
    double p = x[i] - g[i];
    p = p < lo[i] ? lo[i] : p > hi[i] ? hi[i] : p;
    double a = fabs(p - x[i]);
    if (a > m || isnan(a)) m = a;
  }
  return m;
}

size_t sl_bounds_nactive(size_t n, const double *x, const double *lo, const double *hi) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++) k += x[i] == lo[i] || x[i] == hi[i];
  return k;
}

double sl_bounds_maxstep(size_t n, const double *x, const double *d, const double *lo,
                         const double *hi) {
  double a = HUGE_VAL;
  for (size_t i = 0; i < n; i++) {
    double t = HUGE_VAL;
    if (d[i] < 0.0 && lo[i] > -HUGE_VAL)
      t = (lo[i] - x[i]) / d[i];
    else if (d[i] > 0.0 && hi[i] < HUGE_VAL)
      t = (hi[i] - x[i]) / d[i];
    if (t < a) a = t;
  }
  return a < 0.0 ? 0.0 : a;
}

sl_status sl_bounds_linesearch(sl_solver *s, double a0, double amax) {
  sl_linesearch ls = s->p.ls;
  if (s->p.a0_given) a0 = ls.a0;
  if (amax < ls.amax) ls.amax = amax;
  if (a0 > ls.amax) a0 = ls.amax;
  sl_status st = sl_min_linesearch_with(s, &ls, a0);
  if (st != SL_ELINESEARCH || !(amax < HUGE_VAL)) return st;
  /* the search failed with the box ending the line: take amax when it decreases
     f enough (its point is usually the last one evaluated; else one evaluation) */
  sl_step_info *in = &s->info;
  double gd = in->gd, armijo = s->f + ls.c1 * ls.amax * gd;
  if (!(s->t_valid && s->t_a == ls.amax)) {
    sl_ls_result failed = in->ls;
    sl_linesearch fixed;
    sl_ls_defaults(&fixed, SL_LS_FIXED);
    fixed.a0 = ls.amax;
    if (sl_min_linesearch_with(s, &fixed, ls.amax) < 0 || !(s->t_f <= armijo)) {
      in->ls = failed;
      return st;
    }
  }
  if (!(s->t_valid && s->t_a == ls.amax && s->t_f <= armijo) || !sl_vec_isfinite(s->n, s->gt))
    return st;
  double snorm = 0.0;
  for (size_t i = 0; i < s->n; i++) {
    double di = fabs(s->xt[i] - s->x[i]);
    if (di > snorm) snorm = di;
  }
  in->ls.status = SL_OK;
  in->ls.reason[0] = '\0';
  in->ls.a = ls.amax;
  in->ls.phi = s->t_f;
  in->ls.dphi = sl_vec_dot(s->n, s->gt, s->d);
  in->ls.armijo = 1;
  in->ls.curvature = 0;
  in->a = ls.amax;
  in->step_norm = snorm;
  in->gd = gd;
  s->prev_a = ls.amax;
  s->prev_gd = gd;
  return SL_OK;
}
