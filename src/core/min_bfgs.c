/*
** min_bfgs.c — BFGS with a dense inverse-Hessian approximation
** (Nocedal & Wright, Alg. 6.1; update eq. 6.17, first scaling eq. 6.20).
** An update whose curvature y's is not safely positive is skipped and counted.
*/
#include <math.h>
#include <string.h>

#include "sl_minimize.h"
#include "sl_vec.h"

static void direction(sl_solver *s) {
  size_t n = s->n;
  for (size_t i = 0; i < n; i++) {
    const double *hi = s->H + i * n;
    double acc = 0.0;
    for (size_t j = 0; j < n; j++) acc += hi[j] * s->g[j];
    s->d[i] = -acc;
  }
}

static void steepest(sl_solver *s) {
  for (size_t i = 0; i < s->n; i++) s->d[i] = -s->g[i];
}

/* H+ = (I - rho s y') H (I - rho y s') + rho s s', expanded as
   H - rho (Hy s' + s y'H) + (rho^2 y'Hy + rho) s s' (H symmetric). */
static void update(sl_solver *s, const double *sv, const double *y) {
  size_t n = s->n;
  double ys = sl_vec_dot(n, y, sv);
  if (!(ys > s->p.curv_eps * sl_vec_nrm2(n, y) * sl_vec_nrm2(n, sv))) {
    s->skipped++;
    s->info.skipped = 1;
    return;
  }
  if (!s->H_init) { /* H0 = (y's / y'y) I before the first update (eq. 6.20) */
    double scale = ys / sl_vec_dot(n, y, y);
    memset(s->H, 0, n * n * sizeof(double));
    for (size_t i = 0; i < n; i++) s->H[i * n + i] = scale;
    s->H_init = 1;
  }
  double *hy = s->w[2];
  for (size_t i = 0; i < n; i++) hy[i] = sl_vec_dot(n, s->H + i * n, y);
  double rho = 1.0 / ys, yhy = sl_vec_dot(n, y, hy);
  double c = rho * rho * yhy + rho;
  for (size_t i = 0; i < n; i++) {
    double *hi = s->H + i * n;
    double si = sv[i], hyi = hy[i];
    for (size_t j = 0; j < n; j++) hi[j] += -rho * (hyi * sv[j] + si * hy[j]) + c * si * sv[j];
  }
}

sl_status sl_min_bfgs_step(sl_solver *s) {
  size_t n = s->n;
  if (s->nit == 0 && !s->H_init) sl_min_reset_memory(s);
  direction(s);
  if (!(sl_vec_dot(n, s->g, s->d) < 0.0)) {
    sl_min_reset_memory(s);
    steepest(s);
    s->info.restarted = 1;
  }
  double a0 = s->H_init ? 1.0 : 1.0 / sl_vec_nrm2(n, s->g) /* 1/|g|, as liblbfgs and L-BFGS-B */;
  sl_status st = sl_min_linesearch(s, a0);
  if (st == SL_ELINESEARCH && s->H_init) { /* forget the curvature, retry along -g */
    sl_min_reset_memory(s);
    steepest(s);
    s->info.restarted = 1;
    st = sl_min_linesearch(s, 1.0 / sl_vec_nrm2(n, s->g) /* 1/|g|, as liblbfgs and L-BFGS-B */);
  }
  if (st < 0) return st;
  double *sv = s->w[0], *y = s->w[1];
  for (size_t i = 0; i < n; i++) {
    sv[i] = s->xt[i] - s->x[i];
    y[i] = s->gt[i] - s->g[i];
  }
  sl_min_accept_trial(s);
  update(s, sv, y);
  return SL_OK;
}
