/*
** min_lbfgs.c — limited-memory BFGS: the two-loop recursion over the last m
** pairs (Nocedal & Wright, Alg. 7.4 and 7.5; H0 = (s'y / y'y) I, eq. 7.20).
** A pair whose curvature y's is not safely positive is skipped and counted.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "sl_mat.h"
#include "sl_minimize.h"
#include "sl_vec.h"

typedef struct lbfgs_mem {
  double *S, *Y;       /* m pairs (ring), each of length n */
  double *rho, *alpha; /* 1/(y's), two-loop scratch */
  int mlen, mhead;     /* pairs stored, next slot */
  double block[];      /* S, Y, rho, alpha */
} lbfgs_mem;

static const sl_min_params defaults = {SL_MIN_SHARED_DEFAULTS, .m = 10, .curv_eps = 1e-10};

static sl_status check(const sl_min_params *p, char *msg, size_t len) {
  if (p->m < 1 || p->m > 1000) {
    snprintf(msg, len, "m must be in 1..1000, got %d", p->m);
    return SL_EINVAL;
  }
  if (!(p->curv_eps >= 0.0 && p->curv_eps < 1.0)) {
    snprintf(msg, len, "curv_eps must be in [0, 1), got %g", p->curv_eps);
    return SL_EINVAL;
  }
  return SL_OK;
}

static sl_status init(sl_solver *s) {
  size_t m = (size_t)s->p.m, n = s->n, nn = n ? n : 1, mn, tot, bytes;
  if (sl_size_product(m * 2, nn, &mn) != SL_OK || mn > (size_t)-1 / 2 - 2 * m) return SL_ENOMEM;
  tot = mn + 2 * m;
  if (sl_size_product(tot, sizeof(double), &bytes) != SL_OK) return SL_ENOMEM;
  lbfgs_mem *l = malloc(sizeof(lbfgs_mem) + bytes);
  if (l == NULL) return SL_ENOMEM;
  l->S = l->block;
  l->Y = l->S + m * n;
  l->rho = l->block + mn;
  l->alpha = l->rho + m;
  l->mlen = l->mhead = 0;
  s->impl = l;
  return SL_OK;
}

static void two_loop(sl_solver *s, lbfgs_mem *l) {
  size_t n = s->n;
  int m = s->p.m;
  double *q = s->d;
  for (size_t i = 0; i < n; i++) q[i] = s->g[i];
  for (int k = 0; k < l->mlen; k++) {
    int j = (l->mhead - 1 - k + m) % m;
    const double *sj = l->S + (size_t)j * n, *yj = l->Y + (size_t)j * n;
    double a = l->rho[j] * sl_vec_dot(n, sj, q);
    l->alpha[j] = a;
    sl_vec_axpy(n, q, -a, yj);
  }
  if (l->mlen > 0) {
    int j = (l->mhead - 1 + m) % m;
    const double *yj = l->Y + (size_t)j * n;
    sl_vec_scale(n, q, 1.0 / (l->rho[j] * sl_vec_dot(n, yj, yj)));
  }
  for (int k = l->mlen - 1; k >= 0; k--) {
    int j = (l->mhead - 1 - k + m) % m;
    const double *sj = l->S + (size_t)j * n, *yj = l->Y + (size_t)j * n;
    double b = l->rho[j] * sl_vec_dot(n, yj, q);
    sl_vec_axpy(n, q, l->alpha[j] - b, sj);
  }
  sl_vec_scale(n, q, -1.0);
}

/* forget the pairs, step along -g */
static void restart(sl_solver *s, lbfgs_mem *l) {
  l->mlen = l->mhead = 0;
  sl_min_steepest(s);
  s->info.restarted = 1;
}

static sl_status step(sl_solver *s) {
  size_t n = s->n;
  lbfgs_mem *l = s->impl;
  two_loop(s, l);
  if (!(sl_vec_dot(n, s->g, s->d) < 0.0)) restart(s, l);
  double a0 = l->mlen > 0 ? 1.0 : 1.0 / sl_vec_nrm2(n, s->g) /* 1/|g|, as liblbfgs and L-BFGS-B */;
  sl_status st = sl_min_linesearch(s, a0);
  if (st == SL_ELINESEARCH && l->mlen > 0) { /* forget the pairs, retry along -g */
    restart(s, l);
    st = sl_min_linesearch(s, 1.0 / sl_vec_nrm2(n, s->g) /* 1/|g|, as liblbfgs and L-BFGS-B */);
  }
  if (st < 0) return st;
  /* the curvature test before the pair is stored: with the memory full, slot
     mhead still holds the oldest pair, which a skipped update must not touch */
  double ys = 0.0, ss = 0.0, yy = 0.0;
  for (size_t i = 0; i < n; i++) {
    double si = s->xt[i] - s->x[i], yi = s->gt[i] - s->g[i];
    ys += yi * si;
    ss += si * si;
    yy += yi * yi;
  }
  if (!(ys > s->p.curv_eps * sqrt(yy) * sqrt(ss))) {
    sl_min_accept_trial(s);
    s->skipped++;
    s->info.skipped = 1;
    return SL_OK;
  }
  int j = l->mhead;
  double *sj = l->S + (size_t)j * n, *yj = l->Y + (size_t)j * n;
  for (size_t i = 0; i < n; i++) {
    sj[i] = s->xt[i] - s->x[i];
    yj[i] = s->gt[i] - s->g[i];
  }
  sl_min_accept_trial(s);
  ys = sl_vec_dot(n, yj, sj); /* as before: the dot product the update has always used */
  l->rho[j] = 1.0 / ys;
  l->mhead = (l->mhead + 1) % s->p.m;
  if (l->mlen < s->p.m) l->mlen++;
  return SL_OK;
}

/* the pairs s, y and rho, oldest first, and m */
static void state(const sl_solver *s, const sl_min_visit *v) {
  const lbfgs_mem *l = s->impl;
  size_t n = s->n;
  int m = s->p.m;
  const char *names[2] = {"s", "y"};
  const double *base[2] = {l->S, l->Y};
  for (int w = 0; w < 3; w++) {
    v->list(v->ctx, w < 2 ? names[w] : "rho", (size_t)l->mlen);
    for (int k = 0; k < l->mlen; k++) {
      int j = (l->mhead - l->mlen + k + m) % m;
      if (w < 2)
        v->vec(v->ctx, NULL, base[w] + (size_t)j * n, n);
      else
        v->num(v->ctx, NULL, l->rho[j]);
    }
    v->end_list(v->ctx);
  }
  v->integer(v->ctx, "m", m);
}

static const char *const keys[] = {"m", "curv_eps", NULL};

const sl_min_method_ops sl_min_lbfgs = {
    .name = "lbfgs",
    .defaults = &defaults,
    .flags = SL_MINF_LINESEARCH | SL_MINF_DIRECTION,
    .keys = keys,
    .check = check,
    .init = init,
    .step = step,
    .state = state,
};
