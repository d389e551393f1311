/*
** min_gd_cg.c — steepest descent and nonlinear conjugate gradients
** (Fletcher-Reeves, Polak-Ribiere+, Hager-Zhang beta) with restarts.
*/
#include <math.h>

#include "sl_minimize.h"
#include "sl_vec.h"

/* d = -g, a line search (or the fixed step lr), move. */
sl_status sl_min_gd_step(sl_solver *s) {
  size_t n = s->n;
  for (size_t i = 0; i < n; i++) s->d[i] = -s->g[i];
  double gd = -sl_vec_dot(n, s->g, s->g);
  sl_status st = sl_min_linesearch(s, sl_min_guess_a0(s, gd));
  if (st < 0) return st;
  sl_min_accept_trial(s);
  return SL_OK;
}

/*
** beta for the next direction d+ = -g+ + beta d, from y = g+ - g:
**   FR  (Fletcher & Reeves 1964):  |g+|^2 / |g|^2
**   PR+ (Polak-Ribiere, Gilbert & Nocedal 1992): max(0, g+'y / |g|^2)
**   HZ  (Hager & Zhang 2005, eq. 1.5 with the truncation 2.4):
**       (y - 2 d |y|^2/(d'y))' g+ / (d'y), at least -1 / (|d| min(0.01, |g|)).
*/
static double cg_beta(const sl_solver *s, const double *gprev) {
  size_t n = s->n;
  const double *g = s->g, *d = s->d;
  double gg_prev = sl_vec_dot(n, gprev, gprev);
  if (!(gg_prev > 0.0)) return 0.0;
  switch (s->p.beta) {
  case SL_CG_FR: return sl_vec_dot(n, g, g) / gg_prev;
  case SL_CG_PRP: {
    double gy = 0.0;
    for (size_t i = 0; i < n; i++) gy += g[i] * (g[i] - gprev[i]);
    return fmax(0.0, gy / gg_prev);
  }
  case SL_CG_HZ: {
    double dy = 0.0, yy = 0.0, yg = 0.0, dg = 0.0;
    for (size_t i = 0; i < n; i++) {
      double y = g[i] - gprev[i];
      dy += d[i] * y;
      yy += y * y;
      yg += y * g[i];
      dg += d[i] * g[i];
    }
    if (!(fabs(dy) > 0.0)) return 0.0;
    double b = (yg - 2.0 * yy / dy * dg) / dy;
    double eta = -1.0 / (sl_vec_nrm2(n, d) * fmin(0.01, sqrt(gg_prev)));
    return fmax(b, eta);
  }
  }
  return 0.0;
}

sl_status sl_min_cg_step(sl_solver *s) {
  size_t n = s->n;
  double *gprev = s->w[0];
  if (!s->have_d) {
    for (size_t i = 0; i < n; i++) s->d[i] = -s->g[i];
    s->since_restart = 0;
  }
  double gd = sl_vec_dot(n, s->g, s->d);
  if (!(gd < 0.0)) { /* not a descent direction: restart */
    for (size_t i = 0; i < n; i++) s->d[i] = -s->g[i];
    s->since_restart = 0;
    s->info.restarted = 1;
    gd = -sl_vec_dot(n, s->g, s->g);
  }
  sl_status st = sl_min_linesearch(s, sl_min_guess_a0(s, gd));
  if (st == SL_ELINESEARCH && s->since_restart > 0) { /* retry along -g */
    for (size_t i = 0; i < n; i++) s->d[i] = -s->g[i];
    s->since_restart = 0;
    s->info.restarted = 1;
    st = sl_min_linesearch(s, sl_min_guess_a0(s, -sl_vec_dot(n, s->g, s->g)));
  }
  if (st < 0) return st;
  sl_vec_copy(n, gprev, s->g);
  sl_min_accept_trial(s);
  double beta = cg_beta(s, gprev);
  s->since_restart++;
  long period = s->p.restart > 0 ? s->p.restart : 6 * (long)(n ? n : 1); /* CG_DESCENT: 6n */
  if (s->since_restart >= period || !isfinite(beta)) {
    beta = 0.0;
    s->since_restart = 0;
  }
  for (size_t i = 0; i < n; i++) s->d[i] = -s->g[i] + beta * s->d[i];
  s->beta = beta;
  s->info.beta = beta;
  s->have_d = 1;
  return SL_OK;
}
