/*
** min_prox.c — the L1 term of the composite methods (owlqn, fista,
** prox_gd) and the call of a user's proximal operator. See min_prox.h.
*/
#include "min_prox.h"

#include <math.h>
#include <stdio.h>

#include "sl_vec.h"

sl_l1 sl_l1_of(const sl_solver *s, const double *w) {
  sl_l1 l = {w, s->p.l1};
  return l;
}

static double lam_at(sl_l1 l, size_t i) { return l.w ? l.w[i] : l.lam; }

double sl_l1_value(sl_l1 l, size_t n, const double *x) {
  if (l.w == NULL) return l.lam > 0.0 ? l.lam * sl_vec_nrm1(n, x) : 0.0;
  double v = 0.0;
  for (size_t i = 0; i < n; i++) v += l.w[i] * fabs(x[i]);
  return v;
}

void sl_l1_soft(sl_l1 l, size_t n, double *x, double t) {
  for (size_t i = 0; i < n; i++) {
    double c = t * lam_at(l, i), a = fabs(x[i]) - c;
    x[i] = a > 0.0 ? copysign(a, x[i]) : 0.0;
  }
}

/* Andrew & Gao (2007), eq. 4 (per-coordinate lambda_i). */
static double pg_at(sl_l1 l, size_t i, const double *x, const double *g) {
  double c = lam_at(l, i);
  if (x[i] > 0.0) return g[i] + c;
  if (x[i] < 0.0) return g[i] - c;
  if (g[i] + c < 0.0) return g[i] + c;
  if (g[i] - c > 0.0) return g[i] - c;
  return 0.0;
}

void sl_l1_pseudo_grad(sl_l1 l, size_t n, const double *x, const double *g, double *pg) {
  for (size_t i = 0; i < n; i++) pg[i] = pg_at(l, i, x, g);
}

double sl_l1_measure(sl_l1 l, size_t n, const double *x, const double *g) {
  double m = 0.0;
  for (size_t i = 0; i < n; i++) {
    double a = fabs(pg_at(l, i, x, g));
    if (a > m || isnan(a)) m = a;
  }
  return m;
}

size_t sl_l1_zeros(size_t n, const double *x) {
  size_t z = 0;
  for (size_t i = 0; i < n; i++) z += x[i] == 0.0;
  return z;
}

sl_status sl_l1_check_weights(const double *w, size_t n, char *msg, size_t len) {
  for (size_t i = 0; w && i < n; i++)
    if (!(w[i] >= 0.0) || !isfinite(w[i])) {
      snprintf(msg, len, "l1[%zu] must be a finite number >= 0, got %g", i + 1, w[i]);
      return SL_EINVAL;
    }
  return SL_OK;
}

sl_status sl_min_user_prox(const sl_min_params *p, double *x, size_t n, double t, char *msg,
                           size_t len) {
  msg[0] = '\0';
  sl_status st = p->prox.fn(p->prox.ctx, x, n, t, msg, len);
  if (st < 0) {
    if (msg[0] == '\0') snprintf(msg, len, "prox failed: %s", sl_status_string(st));
    return st;
  }
  if (!sl_vec_isfinite(n, x)) {
    snprintf(msg, len, "prox returned a non-finite x (step %g)", t);
    return SL_EINVAL;
  }
  return SL_OK;
}
