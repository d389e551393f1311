/*
** sl_flow.c — gradient flow dx/dt = -grad f(x), integrated by the
** Dormand-Prince 5(4) pair with local error control (Dormand & Prince 1980;
** Hairer, Norsett & Wanner, Solving ODEs I, sec. II.4 and II.5): the
** continuous-time path that gradient descent with a small step follows.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_mat.h"
#include "sl_flow.h"
#include "sl_vec.h"

/* Butcher tableau of DOPRI5 (row i: a[i][0..i-1]); the 5th-order weights are row 6. */
static const double A[7][6] = {
    {0},
    {1.0 / 5},
    {3.0 / 40, 9.0 / 40},
    {44.0 / 45, -56.0 / 15, 32.0 / 9},
    {19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729},
    {9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656},
    {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84}};
/* b5 - b4: the embedded error estimate */
static const double E[7] = {71.0 / 57600,      0,          -71.0 / 16695, 71.0 / 1920,
                            -17253.0 / 339200, 22.0 / 525, -1.0 / 40};

/* k = -grad f(x) */
static sl_status rhs(sl_flow *fl, const double *x, double *k) {
  double f;
  sl_status st = sl_obj_fg(fl->o, x, &f, k);
  if (st < 0) return st;
  sl_vec_scale(fl->n, k, -1.0);
  return SL_OK;
}

void sl_flow_free(sl_flow *fl) {
  if (fl == NULL) return;
  free(fl->x);
  free(fl);
}

sl_flow *sl_flow_new(sl_objective *o, const double *x0, double rtol, double atol, sl_status *st) {
  size_t n = o->dim, nn = n ? n : 1, tot;
  if (sl_size_product(10, nn, &tot) != SL_OK) {
    *st = SL_ENOMEM;
    return NULL;
  }
  sl_flow *fl = calloc(1, sizeof *fl);
  if (fl == NULL || (fl->x = calloc(tot, sizeof(double))) == NULL) {
    free(fl);
    *st = SL_ENOMEM;
    return NULL;
  }
  fl->o = o;
  fl->n = n;
  for (int i = 0; i < 7; i++) fl->k[i] = fl->x + (size_t)(i + 1) * nn;
  fl->xt = fl->x + 8 * nn;
  fl->err = fl->x + 9 * nn;
  sl_vec_copy(n, fl->x, x0);
  fl->rtol = rtol;
  fl->atol = atol;
  *st = SL_OK;
  return fl;
}

/* RMS norm of v scaled by atol + rtol max(|x|, |y|). */
static double scaled_norm(const sl_flow *fl, const double *v, const double *x, const double *y) {
  double acc = 0.0;
  for (size_t i = 0; i < fl->n; i++) {
    double sc = fl->atol + fl->rtol * fmax(fabs(x[i]), y ? fabs(y[i]) : 0.0);
    double e = v[i] / sc;
    acc += e * e;
  }
  return fl->n ? sqrt(acc / (double)fl->n) : 0.0;
}

/* Starting step from the size of x and of the slope (Hairer et al., II.4, simplified). */
static double initial_step(const sl_flow *fl) {
  double d0 = scaled_norm(fl, fl->x, fl->x, NULL), d1 = scaled_norm(fl, fl->k[0], fl->x, NULL);
  double h = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1;
  return h;
}

sl_status sl_flow_step(sl_flow *fl, double t_end) {
  size_t n = fl->n;
  sl_status st;
  if (!fl->fsal) {
    fl->o->msg[0] = '\0';
    if ((st = rhs(fl, fl->x, fl->k[0])) < 0) {
      snprintf(fl->msg, sizeof fl->msg, "%s", fl->o->msg[0] ? fl->o->msg : sl_status_string(st));
      return st;
    }
    if (!sl_vec_isfinite(n, fl->k[0])) {
      snprintf(fl->msg, sizeof fl->msg, "the gradient is not finite at t = %g", fl->t);
      return SL_ENONFINITE;
    }
    fl->fsal = 1;
    if (!(fl->h > 0.0)) fl->h = initial_step(fl);
  }
  if (!(fl->t < t_end)) return SL_OK;
  for (int tries = 0; tries < 200; tries++) {
    double h = fl->h;
    int last = 0;
    if (fl->t + h >= t_end) {
      h = t_end - fl->t;
      last = 1;
    }
    int finite = 1;
    for (int s = 1; s < 7 && finite; s++) {
      for (size_t i = 0; i < n; i++) {
        double acc = 0.0;
        for (int j = 0; j < s; j++) acc += A[s][j] * fl->k[j][i];
        fl->xt[i] = fl->x[i] + h * acc;
      }
      if ((st = rhs(fl, fl->xt, fl->k[s])) < 0) {
        snprintf(fl->msg, sizeof fl->msg, "%s", fl->o->msg[0] ? fl->o->msg : sl_status_string(st));
        return st;
      }
      finite = sl_vec_isfinite(n, fl->k[s]);
    }
    double en = INFINITY;
    if (finite) { /* xt now holds the 5th-order solution (row 6 = b5) */
      for (size_t i = 0; i < n; i++) {
        double acc = 0.0;
        for (int j = 0; j < 7; j++) acc += E[j] * fl->k[j][i];
        fl->err[i] = h * acc;
      }
      en = scaled_norm(fl, fl->err, fl->x, fl->xt);
    }
    if (en <= 1.0) {
      fl->t = last ? t_end : fl->t + h;
      sl_vec_copy(n, fl->x, fl->xt);
      double *tmp = fl->k[0]; /* FSAL: k7 = -grad at the new point */
      fl->k[0] = fl->k[6];
      fl->k[6] = tmp;
      fl->steps++;
      double fac = en == 0.0 ? 5.0 : fmin(5.0, fmax(0.2, 0.9 * pow(en, -0.2)));
      if (!last || fac < 1.0) fl->h = h * fac;
      return SL_OK;
    }
    fl->rejected++;
    fl->h = h * (isfinite(en) ? fmax(0.1, 0.9 * pow(en, -0.2)) : 0.25);
    if (!(fl->h > 1e-14 * fmax(1.0, fabs(fl->t)))) break;
  }
  snprintf(fl->msg, sizeof fl->msg,
           "the step size underflowed at t = %g: the flow is too stiff or leaves the domain of f",
           fl->t);
  return SL_ENONFINITE;
}

sl_status sl_flow_run_with(sl_flow *fl, double t_end, long max_steps, sl_stopflag *stop,
                           sl_flow_progress each, void *ud) {
  for (long k = 0; fl->t < t_end; k++) {
    if (k >= max_steps) {
      snprintf(fl->msg, sizeof fl->msg, "reached max_steps = %ld at t = %g < %g", max_steps, fl->t,
               t_end);
      return SL_MAXITER;
    }
    if (SL_STOPPED(stop)) {
      snprintf(fl->msg, sizeof fl->msg, "interrupted at t = %g", fl->t);
      return SL_EINTERRUPTED;
    }
    sl_status st = sl_flow_step(fl, t_end);
    if (st < 0) return st;
    if (each && each(ud, fl)) {
      snprintf(fl->msg, sizeof fl->msg, "stopped by the progress callback at t = %g", fl->t);
      return SL_ECALLBACK;
    }
  }
  return SL_OK;
}

sl_status sl_flow_run(sl_flow *fl, double t_end, long max_steps, sl_stopflag *stop) {
  return sl_flow_run_with(fl, t_end, max_steps, stop, NULL, NULL);
}
