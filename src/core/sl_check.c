/*
** sl_check.c — derivative checks: an objective's gradient against central
** differences of its value, and its Hessian-vector product against central
** differences of its gradient. Error per coordinate:
**     err_i = |a_i - n_i| / max(1, |a_i|, |n_i|)
** (relative for large entries, absolute below 1), reported as the maximum.
*/
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sl_testfns.h"
#include "sl_vec.h"

double sl_check_default_step(void) { return cbrt(DBL_EPSILON); }

static void compare(size_t n, const double *a, const double *num, sl_check_result *res) {
  res->max_rel_err = 0.0;
  res->max_abs_err = 0.0;
  res->worst = 0;
  for (size_t i = 0; i < n; i++) {
    double d = fabs(a[i] - num[i]);
    double rel = d / fmax(1.0, fmax(fabs(a[i]), fabs(num[i])));
    if (isnan(d)) rel = d = INFINITY;
    if (rel > res->max_rel_err) {
      res->max_rel_err = rel;
      res->worst = i;
    }
    if (d > res->max_abs_err) res->max_abs_err = d;
  }
}

/* Central differences, one coordinate at a time (Nocedal & Wright, eq. 8.8);
   the step actually taken is (x_i + h) - x_i so it is exact in floating point. */
sl_status sl_check_grad(sl_objective *o, const double *x, double h, int rel_step,
                        double *analytic, double *numeric, sl_check_result *res,
                        sl_stopflag *stop) {
  size_t n = o->dim;
  if (!(h > 0.0)) {
    h = sl_check_default_step();
    rel_step = 1;
  }
  if (!isfinite(h)) return SL_EINVAL;
  double f0;
  sl_status st = sl_obj_fg(o, x, &f0, analytic);
  if (st < 0) return st;
  double *xp = malloc((n ? n : 1) * sizeof *xp);
  if (xp == NULL) return SL_ENOMEM;
  memcpy(xp, x, n * sizeof *xp);
  for (size_t i = 0; i < n; i++) {
    if (SL_STOPPED(stop)) {
      st = SL_EINTERRUPTED;
      break;
    }
    double hi = rel_step ? h * fmax(1.0, fabs(x[i])) : h;
    double up = x[i] + hi, dn = x[i] - hi, fp, fm;
    xp[i] = up;
    st = sl_obj_fg(o, xp, &fp, NULL);
    if (st < 0) break;
    xp[i] = dn;
    st = sl_obj_fg(o, xp, &fm, NULL);
    if (st < 0) break;
    xp[i] = x[i];
    numeric[i] = (fp - fm) / (up - dn);
  }
  free(xp);
  if (st < 0) return st;
  compare(n, analytic, numeric, res);
  return SL_OK;
}

sl_status sl_check_hvp(sl_objective *o, const double *x, const double *v, double h, int rel_step,
                       double *analytic, double *numeric, sl_check_result *res) {
  size_t n = o->dim;
  if (!(h > 0.0)) {
    h = sl_check_default_step();
    rel_step = 1;
  }
  if (!isfinite(h)) return SL_EINVAL;
  sl_status st = sl_obj_hvp(o, x, v, analytic);
  if (st < 0) return st;
  double vmax = sl_vec_nrminf(n, v);
  if (vmax == 0.0) {
    sl_vec_fill(n, numeric, 0.0);
    compare(n, analytic, numeric, res);
    return SL_OK;
  }
  double t = rel_step ? h * fmax(1.0, sl_vec_nrminf(n, x)) / vmax : h;
  double *w = malloc(2 * (n ? n : 1) * sizeof *w);
  if (w == NULL) return SL_ENOMEM;
  double *xp = w, *gm = w + n, f;
  for (size_t i = 0; i < n; i++) xp[i] = x[i] - t * v[i];
  st = sl_obj_fg(o, xp, &f, gm);
  if (st >= 0) {
    for (size_t i = 0; i < n; i++) xp[i] = x[i] + t * v[i];
    st = sl_obj_fg(o, xp, &f, numeric);
  }
  if (st >= 0) {
    for (size_t i = 0; i < n; i++) numeric[i] = (numeric[i] - gm[i]) / (2.0 * t);
    compare(n, analytic, numeric, res);
  }
  free(w);
  return st < 0 ? st : SL_OK;
}
