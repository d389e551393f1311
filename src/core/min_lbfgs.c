/*
** min_lbfgs.c — limited-memory BFGS: the two-loop recursion over the last m
** pairs (Nocedal & Wright, Alg. 7.4 and 7.5; H0 = (s'y / y'y) I, eq. 7.20).
** A pair whose curvature y's is not safely positive is skipped and counted.
*/
#include <math.h>

#include "sl_minimize.h"
#include "sl_vec.h"

static void two_loop(sl_solver *s) {
  size_t n = s->n;
  int m = s->p.m;
  double *q = s->d;
  for (size_t i = 0; i < n; i++) q[i] = s->g[i];
  for (int k = 0; k < s->mlen; k++) {
    int j = (s->mhead - 1 - k + m) % m;
    const double *sj = s->S + (size_t)j * n, *yj = s->Y + (size_t)j * n;
    double a = s->rho[j] * sl_vec_dot(n, sj, q);
    s->alpha[j] = a;
    sl_vec_axpy(n, q, -a, yj);
  }
  if (s->mlen > 0) {
    int j = (s->mhead - 1 + m) % m;
    const double *yj = s->Y + (size_t)j * n;
    sl_vec_scale(n, q, 1.0 / (s->rho[j] * sl_vec_dot(n, yj, yj)));
  }
  for (int k = s->mlen - 1; k >= 0; k--) {
    int j = (s->mhead - 1 - k + m) % m;
    const double *sj = s->S + (size_t)j * n, *yj = s->Y + (size_t)j * n;
    double b = s->rho[j] * sl_vec_dot(n, yj, q);
    sl_vec_axpy(n, q, s->alpha[j] - b, sj);
  }
  sl_vec_scale(n, q, -1.0);
}

static void steepest(sl_solver *s) {
  for (size_t i = 0; i < s->n; i++) s->d[i] = -s->g[i];
}

sl_status sl_min_lbfgs_step(sl_solver *s) {
  size_t n = s->n;
  two_loop(s);
  if (!(sl_vec_dot(n, s->g, s->d) < 0.0)) {
    sl_min_reset_memory(s);
    steepest(s);
    s->info.restarted = 1;
  }
  double a0 = s->mlen > 0 ? 1.0 : 1.0 / sl_vec_nrm2(n, s->g) /* 1/|g|, as liblbfgs and L-BFGS-B */;
  sl_status st = sl_min_linesearch(s, a0);
  if (st == SL_ELINESEARCH && s->mlen > 0) { /* forget the pairs, retry along -g */
    sl_min_reset_memory(s);
    steepest(s);
    s->info.restarted = 1;
    st = sl_min_linesearch(s, 1.0 / sl_vec_nrm2(n, s->g) /* 1/|g|, as liblbfgs and L-BFGS-B */);
  }
  if (st < 0) return st;
  int j = s->mhead;
  double *sj = s->S + (size_t)j * n, *yj = s->Y + (size_t)j * n;
  for (size_t i = 0; i < n; i++) {
    sj[i] = s->xt[i] - s->x[i];
    yj[i] = s->gt[i] - s->g[i];
  }
  sl_min_accept_trial(s);
  double ys = sl_vec_dot(n, yj, sj);
  if (!(ys > s->p.curv_eps * sl_vec_nrm2(n, yj) * sl_vec_nrm2(n, sj))) {
    s->skipped++;
    s->info.skipped = 1;
    return SL_OK;
  }
  s->rho[j] = 1.0 / ys;
  s->mhead = (s->mhead + 1) % s->p.m;
  if (s->mlen < s->p.m) s->mlen++;
  return SL_OK;
}
