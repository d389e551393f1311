/*
** min_gauss_newton.c — Gauss–Newton with a line search for residual
** objectives (N&W sec. 10.3): the direction d minimizes |J d + r| (LAPACK
** dgelsy: QR with column pivoting, the minimum-norm solution when J is rank
** deficient, rank cut at rcond = 1e-12), then a line search on |r|^2 from
** the full step a = 1. When d is not a descent direction (J'r = 0 in the
** retained rank, or a non-finite solve) the step falls back to -g.
*/
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_minimize.h"
#include "sl_residuals.h"
#include "sl_vec.h"

static const sl_min_params defaults = {SL_MIN_SHARED_DEFAULTS};

typedef struct gn {
  size_t m, n, ld;    /* ld = max(m, n) */
  double *Jr, *A, *b; /* J row-major, J column-major (m x n, lda m), [-r; 0] (ld) */
  lapack_int *jpvt;
  double *work;
  lapack_int lwork, rank;
} gn;

static sl_status init(sl_solver *s) {
  if (!sl_obj_is_residual(s->o))
    return sl_min_fail(s, SL_EINVAL,
                       "method '%s' needs a residual objective (slope.obj.residuals or "
                       "slope.obj.mgh), got %s",
                       s->m->name, s->o->ops->name);
  gn *q = calloc(1, sizeof *q);
  if (q == NULL) return SL_ENOMEM;
  s->impl = q;
  size_t m = sl_res_m(s->o), n = s->n;
  q->m = m, q->n = n, q->ld = m > n ? m : n;
  q->Jr = malloc((2 * m * n + q->ld) * sizeof(double));
  q->jpvt = malloc(n * sizeof *q->jpvt);
  if (!q->Jr || !q->jpvt) return SL_ENOMEM;
  q->A = q->Jr + m * n;
  q->b = q->A + m * n;
  double w = 0.0;
  lapack_int rank;
  if (LAPACKE_dgelsy_work(LAPACK_COL_MAJOR, (lapack_int)m, (lapack_int)n, 1, q->A, (lapack_int)m,
                          q->b, (lapack_int)q->ld, q->jpvt, 1e-12, &rank, &w, -1) != 0)
    return SL_ENOMEM;
  q->lwork = (lapack_int)fmax(w, 1.0);
  q->work = malloc((size_t)q->lwork * sizeof(double));
  return q->work ? SL_OK : SL_ENOMEM;
}

static void release(sl_solver *s) {
  gn *q = s->impl;
  free(q->Jr);
  free(q->jpvt);
  free(q->work);
  free(q);
}

/* d = argmin |J d + r| at x. */
static sl_status direction(sl_solver *s, gn *q) {
  size_t m = q->m, n = q->n;
  sl_status st = sl_res_jac(s->o, s->x, q->Jr);
  if (st < 0) return st;
  if ((st = sl_res_eval(s->o, s->x, q->b)) < 0) return st;
  for (size_t i = 0; i < m; i++) q->b[i] = -q->b[i];
  for (size_t i = m; i < q->ld; i++) q->b[i] = 0.0;
  for (size_t i = 0; i < m; i++)
    for (size_t j = 0; j < n; j++) q->A[i + j * m] = q->Jr[i * n + j];
  for (size_t j = 0; j < n; j++) q->jpvt[j] = 0;
  if (!sl_vec_isfinite(m * n, q->A)) {
    q->rank = 0;
    return SL_OK; /* the caller falls back to -g */
  }
  if (LAPACKE_dgelsy_work(LAPACK_COL_MAJOR, (lapack_int)m, (lapack_int)n, 1, q->A, (lapack_int)m,
                          q->b, (lapack_int)q->ld, q->jpvt, 1e-12, &q->rank, q->work,
                          q->lwork) != 0)
    q->rank = 0;
  else
    memcpy(s->d, q->b, n * sizeof(double));
  return SL_OK;
}

static sl_status step(sl_solver *s) {
  gn *q = s->impl;
  size_t n = s->n;
  sl_status st = direction(s, q);
  if (st < 0) return st;
  if (q->rank == 0 || !sl_vec_isfinite(n, s->d) || !(sl_vec_dot(n, s->g, s->d) < 0.0)) {
    sl_min_steepest(s);
    s->info.restarted = 1;
  }
  st =
      sl_min_linesearch(s, s->info.restarted ? sl_min_guess_a0(s, sl_vec_dot(n, s->g, s->d)) : 1.0);
  if (st < 0) return st;
  sl_min_accept_trial(s);
  return SL_OK;
}

static void info(const sl_solver *s, const sl_min_visit *v) {
  const gn *q = s->impl;
  v->integer(v->ctx, "rank", (long)q->rank);
}

const sl_min_method_ops sl_min_gauss_newton = {
    .name = "gauss_newton",
    .defaults = &defaults,
    .flags = SL_MINF_LINESEARCH | SL_MINF_DIRECTION,
    .init = init,
    .step = step,
    .release = release,
    .info = info,
};
