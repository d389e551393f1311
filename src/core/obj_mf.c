/*
** obj_mf.c — matrix factorization R ~ U V^T over observed entries (i, j, r):
**     f = (1/n) sum_s 1/2 (u_i . v_j - r_s)^2 + (l2/2)(|U|^2 + |V|^2).
** Each observed entry is a sample whose f_s carries the whole regularizer, so
** the f_s average to f and minibatches / SGD see the same objective.
** Gradient of one sample with e = u_i.v_j - r: e v_j into u_i, e u_i into v_j.
** Its Hessian applied to (a, b) (directions of U, V):
**     u_i: (a_i.v_j + u_i.b_j) v_j + e b_j,   v_j: (a_i.v_j + u_i.b_j) u_i + e a_i.
** Samples are split over threads with whole-dim accumulators per thread.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obj_data.h"
#include "sl_models.h"
#include "sl_rng.h"

typedef struct {
  size_t rows, cols, rank, n, dim, voff;
  size_t *ei, *ej; /* 0-based */
  double *er;
  double l2;
  double *red;
  sl_tacc acc; /* per row block: [0] loss, [1..dim] gradient */
} mf;

static void mf_destroy(void *impl) {
  mf *m = impl;
  if (m == NULL) return;
  free(m->ei);
  free(m->ej);
  free(m->er);
  free(m->red);
  sl_tacc_free(&m->acc);
  free(m);
}

static double mf_reg(const mf *m, const double *x) {
  return m->l2 > 0 ? 0.5 * m->l2 * sl_ddot(m->dim, x, x) : 0.0;
}

/* The reduction in one place: the nb block sums in order (MPI Allreduce of
   m->red would go here), mean over n, regularizer. v != NULL: HVP (adds l2 v). */
static void mf_finish(sl_objective *o, int nb, const double *x, const double *v, double *f,
                      double *g) {
  mf *m = o->impl;
  sl_tacc_sum(&m->acc, nb, g ? 1 + m->dim : 1, m->red);
  double inv = 1.0 / (double)o->n;
  if (f) *f = m->red[0] * inv + mf_reg(m, x);
  if (g) {
    const double *r = v ? v : x;
    for (size_t j = 0; j < m->dim; j++) g[j] = m->red[1 + j] * inv + m->l2 * r[j];
  }
}

static inline double mf_sample(const mf *m, size_t s, const double *x, double *g) {
  const double *u = x + m->ei[s] * m->rank, *v = x + m->voff + m->ej[s] * m->rank;
  double e = sl_ddot(m->rank, u, v) - m->er[s];
  if (g) {
    sl_daxpy(m->rank, g + m->ei[s] * m->rank, e, v);
    sl_daxpy(m->rank, g + m->voff + m->ej[s] * m->rank, e, u);
  }
  return 0.5 * e * e;
}

/* Row blocks of o's passes (fg and HVP) and the threads that compute them:
   whole-dim accumulators, so blocks only when samples outnumber parameters. */
static int mf_row_blocks(const sl_objective *o, const mf *m, int *T) {
  size_t work = o->n * m->rank;
  int nb = o->n > 4 * m->dim ? sl_obj_row_blocks(o->n, 4 * work, 1 + m->dim) : 1;
  *T = sl_data_threads(work, nb);
  return nb;
}

static sl_status mf_fg(sl_objective *o, const double *x, double *f, double *g) {
  mf *m = o->impl;
  int T, nb = mf_row_blocks(o, m, &T), next = 0;
  if (sl_tacc_reserve(&m->acc, nb, 1 + m->dim) != SL_OK) return SL_ENOMEM;
#pragma omp parallel num_threads(T) if (T > 1)
  SL_DATA_BLOCKS_FOR(b, nb, next) {
    double *a = m->acc.buf + (size_t)b * m->acc.stride;
    memset(a, 0, (g ? 1 + m->dim : 1) * sizeof *a);
    size_t lo, hi;
    sl_data_part(o->n, nb, b, &lo, &hi);
    double fs = 0.0;
    for (size_t k = lo; k < hi; k++) fs += mf_sample(m, sl_obj_row(o, k), x, g ? a + 1 : NULL);
    a[0] = fs;
  }
  mf_finish(o, nb, x, NULL, f, g);
  return SL_OK;
}

static sl_status mf_hvp(sl_objective *o, const double *x, const double *dv, double *hv) {
  mf *m = o->impl;
  int T, nb = mf_row_blocks(o, m, &T), next = 0;
  if (sl_tacc_reserve(&m->acc, nb, 1 + m->dim) != SL_OK) return SL_ENOMEM;
  size_t R = m->rank;
#pragma omp parallel num_threads(T) if (T > 1)
  SL_DATA_BLOCKS_FOR(blk, nb, next) {
    double *acc = m->acc.buf + (size_t)blk * m->acc.stride + 1;
    memset(acc - 1, 0, (1 + m->dim) * sizeof *acc);
    size_t lo, hi;
    sl_data_part(o->n, nb, blk, &lo, &hi);
    for (size_t k = lo; k < hi; k++) {
      size_t s = sl_obj_row(o, k), iu = m->ei[s] * R, iv = m->voff + m->ej[s] * R;
      const double *u = x + iu, *v = x + iv, *a = dv + iu, *b = dv + iv;
      double e = sl_ddot(R, u, v) - m->er[s];
      double c = sl_ddot(R, a, v) + sl_ddot(R, u, b);
      sl_daxpy(R, acc + iu, c, v);
      sl_daxpy(R, acc + iu, e, b);
      sl_daxpy(R, acc + iv, c, u);
      sl_daxpy(R, acc + iv, e, a);
    }
  }
  mf_finish(o, nb, x, dv, NULL, hv);
  return SL_OK;
}

static sl_status mf_sample_fg(sl_objective *o, const double *x, size_t k, double *f, double *g) {
  mf *m = o->impl;
  if (g)
    for (size_t j = 0; j < m->dim; j++) g[j] = m->l2 * x[j];
  *f = mf_sample(m, sl_obj_row(o, k), x, g) + mf_reg(m, x);
  return SL_OK;
}

/* Entries N(0, s^2) with s = rank^(-1/4), so u.v has unit variance at the start. */
static void mf_init(sl_objective *o, struct sl_rng *rng, double *x) {
  mf *m = o->impl;
  double s = pow((double)m->rank, -0.25);
  for (size_t j = 0; j < m->dim; j++) x[j] = s * sl_rng_normal(rng);
}

/* ---- the fitted model: U (rows x rank) then V (cols x rank) --------------- */

static void mf_info(const sl_objective *o, sl_model_info *info) {
  (void)o;
  info->kind = SL_MODEL_MF;
}

static size_t mf_blocks(const sl_objective *o, sl_param_block *b, size_t max) {
  const mf *m = o->impl;
  sl_param_block u = {"U", 0, m->rows, m->rank}, v = {"V", m->voff, m->cols, m->rank};
  if (max > 0) b[0] = u;
  if (max > 1) b[1] = v;
  return 2;
}

static const sl_model_ops mf_model = {.info = mf_info, .blocks = mf_blocks};

static const sl_objective_ops mf_ops = {.name = "matrix_factorization",
                                        .model = &mf_model,
                                        .fg = mf_fg,
                                        .hvp = mf_hvp,
                                        .sample_fg = mf_sample_fg,
                                        .init = mf_init,
                                        .destroy = mf_destroy};

static int bad_index(double v, size_t hi) { return !(v >= 1 && v <= (double)hi) || v != floor(v); }

sl_objective *sl_obj_mf_new(const sl_mf_opts *p, sl_status *st, char *msg, size_t msglen) {
  msg[0] = '\0';
  *st = SL_EINVAL;
  if (p->rows < 1 || p->cols < 1 || p->rank < 1) {
    snprintf(msg, msglen, "rows, cols and rank must be >= 1");
    return NULL;
  }
  if (p->n < 1) {
    snprintf(msg, msglen, "no observed entries");
    return NULL;
  }
  if (!(p->l2 >= 0) || !isfinite(p->l2)) {
    snprintf(msg, msglen, "l2 must be a finite number >= 0");
    return NULL;
  }
  size_t a, b;
  if (sl_size_product(p->rows, p->rank, &a) != SL_OK ||
      sl_size_product(p->cols, p->rank, &b) != SL_OK || a + b > SL_MAX_ENTRIES) {
    *st = SL_ENOMEM;
    snprintf(msg, msglen, "too many parameters");
    return NULL;
  }
  size_t str = p->stride ? p->stride : 1;
  for (size_t s = 0; s < p->n; s++) {
    double i = p->i[s * str], j = p->j[s * str], r = p->r[s * str];
    if (bad_index(i, p->rows) || bad_index(j, p->cols)) {
      snprintf(msg, msglen, "entry %zu has index (%g, %g), expected integers in 1..%zu, 1..%zu",
               s + 1, i, j, p->rows, p->cols);
      return NULL;
    }
    if (!isfinite(r)) {
      *st = SL_ENONFINITE;
      snprintf(msg, msglen, "value of entry %zu is not finite", s + 1);
      return NULL;
    }
  }
  mf *m = calloc(1, sizeof *m);
  *st = SL_ENOMEM;
  if (m == NULL) return NULL;
  m->rows = p->rows;
  m->cols = p->cols;
  m->rank = p->rank;
  m->n = p->n;
  m->voff = a;
  m->dim = a + b;
  m->l2 = p->l2;
  m->ei = malloc(p->n * sizeof *m->ei);
  m->ej = malloc(p->n * sizeof *m->ej);
  m->er = malloc(p->n * sizeof *m->er);
  m->red = malloc((1 + m->dim) * sizeof *m->red);
  if (!m->ei || !m->ej || !m->er || !m->red || sl_tacc_reserve(&m->acc, 1, 1 + m->dim) != SL_OK) {
    mf_destroy(m);
    return NULL;
  }
  for (size_t s = 0; s < p->n; s++) {
    m->ei[s] = (size_t)p->i[s * str] - 1;
    m->ej[s] = (size_t)p->j[s * str] - 1;
    m->er[s] = p->r[s * str];
  }
  sl_objective *o = sl_obj_new(&mf_ops, m, m->dim, p->n);
  if (o == NULL) {
    mf_destroy(m);
    return NULL;
  }
  *st = SL_OK;
  return o;
}
