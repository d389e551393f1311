/*
** min_bfgs.c — BFGS with a dense inverse-Hessian approximation
** (Nocedal & Wright, Alg. 6.1; update eq. 6.17, first scaling eq. 6.20).
** An update whose curvature y's is not safely positive is skipped and counted.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_mat.h"
#include "sl_minimize.h"
#include "sl_vec.h"

typedef struct bfgs_mem {
  int H_init; /* H has been scaled after the first step */
  double H[]; /* inverse Hessian approximation, n x n row-major */
} bfgs_mem;

static const sl_min_params defaults = {SL_MIN_SHARED_DEFAULTS, .curv_eps = 1e-10};

static sl_status check(const sl_min_params *p, char *msg, size_t len) {
  if (!(p->curv_eps >= 0.0 && p->curv_eps < 1.0)) {
    snprintf(msg, len, "curv_eps must be in [0, 1), got %g", p->curv_eps);
    return SL_EINVAL;
  }
  return SL_OK;
}

static sl_status init(sl_solver *s) {
  size_t nn = s->n ? s->n : 1, hn, bytes;
  if (sl_size_product(nn, nn, &hn) != SL_OK || sl_size_product(hn, sizeof(double), &bytes) != SL_OK)
    return SL_ENOMEM;
  s->impl = calloc(1, sizeof(bfgs_mem) + bytes);
  return s->impl ? SL_OK : SL_ENOMEM;
}

/* H = I, unscaled: the next update scales it (eq. 6.20). */
static void reset(sl_solver *s) {
  bfgs_mem *b = s->impl;
  b->H_init = 0;
  memset(b->H, 0, s->n * s->n * sizeof(double));
  for (size_t i = 0; i < s->n; i++) b->H[i * s->n + i] = 1.0;
}

static void direction(sl_solver *s) {
  size_t n = s->n;
  const double *H = ((bfgs_mem *)s->impl)->H;
  for (size_t i = 0; i < n; i++) {
    const double *hi = H + i * n;
    double acc = 0.0;
    for (size_t j = 0; j < n; j++) acc += hi[j] * s->g[j];
    s->d[i] = -acc;
  }
}

/* H+ = (I - rho s y') H (I - rho y s') + rho s s', expanded as
   H - rho (Hy s' + s y'H) + (rho^2 y'Hy + rho) s s' (H symmetric). */
static void update(sl_solver *s, const double *sv, const double *y) {
  size_t n = s->n;
  bfgs_mem *b = s->impl;
  double *H = b->H;
  double ys = sl_vec_dot(n, y, sv);
  if (!(ys > s->p.curv_eps * sl_vec_nrm2(n, y) * sl_vec_nrm2(n, sv))) {
    s->skipped++;
    s->info.skipped = 1;
    return;
  }
  if (!b->H_init) { /* H0 = (y's / y'y) I before the first update (eq. 6.20) */
    double scale = ys / sl_vec_dot(n, y, y);
    memset(H, 0, n * n * sizeof(double));
    for (size_t i = 0; i < n; i++) H[i * n + i] = scale;
    b->H_init = 1;
  }
  double *hy = s->w[2];
  for (size_t i = 0; i < n; i++) hy[i] = sl_vec_dot(n, H + i * n, y);
  double rho = 1.0 / ys, yhy = sl_vec_dot(n, y, hy);
  double c = rho * rho * yhy + rho;
  for (size_t i = 0; i < n; i++) {
    double *hi = H + i * n;
    double si = sv[i], hyi = hy[i];
    for (size_t j = 0; j < n; j++) hi[j] += -rho * (hyi * sv[j] + si * hy[j]) + c * si * sv[j];
  }
}

static sl_status step(sl_solver *s) {
  size_t n = s->n;
  bfgs_mem *b = s->impl;
  if (s->nit == 0 && !b->H_init) reset(s);
  direction(s);
  if (!(sl_vec_dot(n, s->g, s->d) < 0.0)) {
    reset(s);
    sl_min_steepest(s);
    s->info.restarted = 1;
  }
  double a0 = b->H_init ? 1.0 : 1.0 / sl_vec_nrm2(n, s->g) /* 1/|g|, as liblbfgs and L-BFGS-B */;
  sl_status st = sl_min_linesearch(s, a0);
  if (st == SL_ELINESEARCH && b->H_init) { /* forget the curvature, retry along -g */
    reset(s);
    sl_min_steepest(s);
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

static void state(const sl_solver *s, const sl_min_visit *v) {
  const bfgs_mem *b = s->impl;
  v->mat(v->ctx, "H", b->H, s->n, s->n);
  v->boolean(v->ctx, "scaled", b->H_init);
}

static const char *const keys[] = {"curv_eps", NULL};

const sl_min_method_ops sl_min_bfgs = {
    .name = "bfgs",
    .defaults = &defaults,
    .flags = SL_MINF_LINESEARCH | SL_MINF_DIRECTION,
    .keys = keys,
    .check = check,
    .init = init,
    .step = step,
    .state = state,
};
