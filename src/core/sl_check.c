/*
** sl_check.c — gradient and Hessian-vector-product checks by central
** differences (see sl_check.h for the steps and the error measure).
*/
#include "sl_check.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

double sl_check_default_h(void) { return cbrt(DBL_EPSILON); }

static double coord_err(double a, double n) {
  double d = fabs(a - n), s = fmax(1.0, fmax(fabs(a), fabs(n)));
  if (isnan(d)) return INFINITY;
  return d / s;
}

static void summarize(size_t dim, const double *a, const double *n, sl_check_result *r) {
  r->max_rel_err = 0.0;
  r->worst = 0;
  for (size_t i = 0; i < dim; i++) {
    double e = coord_err(a[i], n[i]);
    if (e > r->max_rel_err) {
      r->max_rel_err = e;
      r->worst = i;
    }
  }
}

sl_status sl_check_grad(sl_objective *o, const double *x, double h, double *analytic,
                        double *numeric, sl_check_result *r, sl_stopflag *stop) {
  size_t n = o->dim;
  if (!(h > 0.0)) h = sl_check_default_h();
  double f;
  sl_status st = sl_obj_fg(o, x, &f, analytic);
  if (st < 0) return st;
  double *xp = malloc((n ? n : 1) * sizeof *xp);
  if (xp == NULL) return SL_ENOMEM;
  memcpy(xp, x, n * sizeof *xp);
  for (size_t i = 0; i < n && st >= 0; i++) {
    if (SL_STOPPED(stop)) {
      st = SL_EINTERRUPTED;
      break;
    }
    double hi = h * fmax(1.0, fabs(x[i])), fp, fm;
    volatile double up = x[i] + hi, dn = x[i] - hi; /* the steps actually taken */
    xp[i] = up;
    st = sl_obj_fg(o, xp, &fp, NULL);
    if (st >= 0) {
      xp[i] = dn;
      st = sl_obj_fg(o, xp, &fm, NULL);
    }
    xp[i] = x[i];
    numeric[i] = (fp - fm) / (up - dn);
  }
  free(xp);
  if (st < 0) return st;
  summarize(n, analytic, numeric, r);
  return SL_OK;
}

sl_status sl_fd_grad(sl_value_fn value, void *ctx, size_t n, const double *x, double h,
                     double *xwork, double *g) {
  if (!(h > 0.0)) h = sl_check_default_h();
  memcpy(xwork, x, n * sizeof *xwork);
  sl_status st = SL_OK;
  for (size_t i = 0; i < n && st >= 0; i++) {
    double hi = h * fmax(1.0, fabs(x[i])), fp, fm;
    volatile double up = x[i] + hi, dn = x[i] - hi; /* the steps actually taken */
    xwork[i] = up;
    st = value(ctx, xwork, &fp);
    if (st >= 0) {
      xwork[i] = dn;
      st = value(ctx, xwork, &fm);
    }
    xwork[i] = x[i];
    if (st >= 0) g[i] = (fp - fm) / (up - dn);
  }
  return st < 0 ? st : SL_OK;
}

sl_status sl_check_hvp(sl_objective *o, const double *x, const double *v, double h,
                       double *analytic, double *numeric, sl_check_result *r) {
  size_t n = o->dim;
  if (!(h > 0.0)) h = sl_check_default_h();
  sl_status st = sl_obj_hvp(o, x, v, analytic);
  if (st < 0) return st;
  double xn = 0.0, vn = 0.0, f;
  for (size_t i = 0; i < n; i++) {
    xn += x[i] * x[i];
    vn += v[i] * v[i];
  }
  xn = sqrt(xn);
  vn = sqrt(vn);
  if (vn == 0.0) {
    memset(numeric, 0, n * sizeof *numeric);
    summarize(n, analytic, numeric, r);
    return SL_OK;
  }
  double t = h * fmax(1.0, xn) / vn;
  double *buf = malloc(2 * (n ? n : 1) * sizeof *buf);
  if (buf == NULL) return SL_ENOMEM;
  double *xp = buf, *gm = buf + n;
  for (size_t i = 0; i < n; i++) xp[i] = x[i] + t * v[i];
  st = sl_obj_fg(o, xp, &f, numeric);
  if (st >= 0) {
    for (size_t i = 0; i < n; i++) xp[i] = x[i] - t * v[i];
    st = sl_obj_fg(o, xp, &f, gm);
  }
  if (st >= 0) {
    for (size_t i = 0; i < n; i++) numeric[i] = (numeric[i] - gm[i]) / (2.0 * t);
    summarize(n, analytic, numeric, r);
  }
  free(buf);
  return st < 0 ? st : SL_OK;
}
