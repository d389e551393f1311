/*
** obj_linear.c — least squares and binary logistic regression over dense or
** CSR rows. One fused pass per call: each row is read once from memory, its
** margin z = x_i.w + b computed, and the same row (still in cache) added into
** the thread's gradient accumulator with weight dloss/dz. Likewise the
** Hessian-vector product: H v = (1/n) sum_i s_i (x_i.v) x_i + l2 v, with
** s_i = 1 (least squares) or sigma(z_i)(1 - sigma(z_i)) (logistic).
** Inside an sl_obj_hvp_begin window the s_i are computed once (lin_hvp_begin)
** and each HVP needs only u_i = [x_i,1].v per row: one dot, no exp.
*/
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obj_data.h"
#include "obj_linear_v4.h"
#include "sl_models.h"

enum { LSQ = 0, LOGISTIC = 1 };

typedef struct {
  int kind;
  sl_xrows X;
  size_t d, dim; /* features; parameters (d + intercept) */
  int intercept;
  int pm1; /* logistic: labels were -1/+1 (predictions use them too) */
  double l2;
  double *y;   /* least squares: targets; logistic: 0/1 */
  double *red; /* 1 + dim: the reduced sums */
  sl_tacc acc; /* per row block: [0] loss sum, [1..dim] gradient sum */
  /* HVP cache (sl_obj_hvp_begin): s_i by row (logistic; least squares needs
     none), valid for objective cache_o (a view or the root) at cache_x */
  double *curv;                /* X.rows entries, allocated at the first begin */
  const sl_objective *cache_o; /* owner of the cache; NULL: no valid cache */
  const double *cache_x;
} linear;

static void lin_destroy(void *impl) {
  linear *m = impl;
  if (m == NULL) return;
  free(m->y);
  free(m->red);
  free(m->curv);
  sl_tacc_free(&m->acc);
  free(m);
}

/* sigma(z) = 1/(1 + e^-z) from e = e^-|z| (no overflow for any z), e returned too. */
static inline double sigmoid_e(double z, double *e) {
  *e = exp(-fabs(z));
  double q = 1.0 / (1.0 + *e);
  return z >= 0 ? q : *e * q;
}

/* Loss of one sample at margin z, and dloss/dz into *r. */
static inline double lin_loss(int kind, double z, double y, double *r) {
  if (kind == LSQ) {
    double e = z - y;
    *r = e;
    return 0.5 * e * e;
  }
  /* log(1 + e^z) - y z (y in {0, 1}) = softplus of the signed margin t = +-z:
     max(t, 0) + log1p(e^-|z|), and sigma(z) from the same e^-|z| (one exp). */
  double e;
  *r = sigmoid_e(z, &e) - y;
  double t = y > 0.5 ? -z : z;
  return (t > 0 ? t : 0.0) + log1p(e);
}

/* sigma(z)(1 - sigma(z)) = e/(1+e)^2 with e = e^-|z|: no cancellation in 1 - p. */
static inline double lin_curv(int kind, double z) {
  if (kind == LSQ) return 1.0;
  double e = exp(-fabs(z)), q = 1.0 / (1.0 + e);
  return e * q * q;
}

static inline double row_dot(const linear *m, size_t i, const double *w) {
  const double *v;
  const size_t *ix;
  size_t c = sl_xrow(&m->X, i, &v, &ix);
  double z = m->intercept ? w[m->d] : 0.0;
  if (ix == NULL) return z + sl_ddot(c, v, w);
  for (size_t p = 0; p < c; p++) z += v[p] * w[ix[p]];
  return z;
}

/* a += r * [x_i, 1] */
static inline void row_axpy(const linear *m, size_t i, double r, double *a) {
  const double *v;
  const size_t *ix;
  size_t c = sl_xrow(&m->X, i, &v, &ix);
  if (m->intercept) a[m->d] += r;
  if (ix == NULL) {
    sl_daxpy(c, a, r, v);
    return;
  }
  for (size_t p = 0; p < c; p++) a[ix[p]] += r * v[p];
}

/* z = [x_i,1].w and u = [x_i,1].v in one pass over the row. */
static inline void row_dot2(const linear *m, size_t i, const double *w, const double *dv, double *z,
                            double *u) {
  const double *v;
  const size_t *ix;
  size_t c = sl_xrow(&m->X, i, &v, &ix);
  double s = m->intercept ? w[m->d] : 0.0, t = m->intercept ? dv[m->d] : 0.0;
  if (ix == NULL) {
#pragma omp simd reduction(+ : s, t)
    for (size_t p = 0; p < c; p++) {
      s += v[p] * w[p];
      t += v[p] * dv[p];
    }
  } else {
    for (size_t p = 0; p < c; p++) {
      s += v[p] * w[ix[p]];
      t += v[p] * dv[ix[p]];
    }
  }
  *z = s;
  *u = t;
}

/*
** Dense rows four at a time: one sweep gives the four margins (w read once),
** a second sweep over the same rows, still in L1, adds r_1 x_1 + .. + r_4 x_4
** into the accumulator (read and written once per four rows, not per row).
** v != NULL: the HVP, with u_t = x_t.v from the first sweep and weights
** s(z_t) u_t. Returns the summed loss of the block (fg) or 0 (HVP).
*/
SL_HOT_CLONES
static double dense_block4(const linear *m, const size_t *rows, const double *w, const double *v,
                           double *a) {
  size_t d = m->d;
  const double *p0 = m->X.dense + rows[0] * d, *p1 = m->X.dense + rows[1] * d;
  const double *p2 = m->X.dense + rows[2] * d, *p3 = m->X.dense + rows[3] * d;
  /* the dots row after row, so memory is read as one sequential stream */
  double s0, s1, s2, s3, u0 = 0, u1 = 0, u2 = 0, u3 = 0, r[4], loss = 0.0;
  if (v == NULL) {
    s0 = sl_ddot(d, p0, w);
    s1 = sl_ddot(d, p1, w);
    s2 = sl_ddot(d, p2, w);
    s3 = sl_ddot(d, p3, w);
  } else {
    sl_ddot2(d, p0, w, v, &s0, &u0);
    sl_ddot2(d, p1, w, v, &s1, &u1);
    sl_ddot2(d, p2, w, v, &s2, &u2);
    sl_ddot2(d, p3, w, v, &s3, &u3);
  }
  double z[4] = {s0, s1, s2, s3}, u[4] = {u0, u1, u2, u3};
  double b = m->intercept ? w[d] : 0.0, vb = (m->intercept && v) ? v[d] : 0.0;
  if (m->kind == LOGISTIC) {
    sl_v4d zb = {z[0] + b, z[1] + b, z[2] + b, z[3] + b};
    if (v == NULL) {
      sl_v4d y = {m->y[rows[0]], m->y[rows[1]], m->y[rows[2]], m->y[rows[3]]};
      loss = logistic4(zb, y, r);
    } else {
      logistic_curv4(zb, (sl_v4d){u[0] + vb, u[1] + vb, u[2] + vb, u[3] + vb}, r);
    }
  } else {
    for (int t = 0; t < 4; t++) {
      if (v == NULL) {
        loss += lin_loss(m->kind, z[t] + b, m->y[rows[t]], &r[t]);
      } else {
        r[t] = lin_curv(m->kind, z[t] + b) * (u[t] + vb);
      }
    }
  }
  if (a == NULL) return loss;
  double r0 = r[0], r1 = r[1], r2 = r[2], r3 = r[3];
#pragma omp simd
  for (size_t j = 0; j < d; j++) a[j] += r0 * p0[j] + r1 * p1[j] + r2 * p2[j] + r3 * p3[j];
  if (m->intercept) a[d] += (r0 + r1) + (r2 + r3);
  return loss;
}

/* Prefetch the dense rows of active positions k+12 .. k+15, three blocks
   ahead: short 800-byte rows (and the jumps of a view) defeat the hardware
   prefetcher; measured 1.4x at n = 1e6. A macro: GCC finds a function doing
   only prefetches free of side effects and drops its calls. */
#define PREFETCH_ROWS(o, m, k, hi)                                                                 \
  do {                                                                                             \
    if ((k) + 16 <= (hi))                                                                          \
      for (size_t t_ = 12; t_ < 16; t_++) {                                                        \
        const double *q_ = (m)->X.dense + sl_obj_row(o, (k) + t_) * (m)->d;                        \
        for (size_t c_ = 0; c_ < (m)->d; c_ += 64 / sizeof(double))                                \
          __builtin_prefetch(q_ + c_, 0, 0);                                                       \
      }                                                                                            \
  } while (0)

/* The first 12 rows of a block, which PREFETCH_ROWS (12 ahead) never
   reaches: each of the row blocks starts with a prefetch, not a stall per line. */
#define PREFETCH_HEAD(o, m, lo, hi)                                                                \
  do {                                                                                             \
    for (size_t k_ = (lo); k_ < (lo) + 12 && k_ < (hi); k_++) {                                    \
      const double *q_ = (m)->X.dense + sl_obj_row(o, k_) * (m)->d;                                \
      for (size_t c_ = 0; c_ < (m)->d; c_ += 64 / sizeof(double))                                  \
        __builtin_prefetch(q_ + c_, 0, 0);                                                         \
    }                                                                                              \
  } while (0)

/* Rows lo..hi-1 of the active set: fg (v NULL, a may be NULL) or HVP (v, a). */
static double lin_rows(const sl_objective *o, const linear *m, size_t lo, size_t hi,
                       const double *x, const double *v, double *a) {
  double fs = 0.0;
  size_t k = lo;
  if (m->X.dense) {
    size_t rows[4];
    PREFETCH_HEAD(o, m, lo, hi);
    for (; k + 4 <= hi; k += 4) {
      for (int t = 0; t < 4; t++) rows[t] = sl_obj_row(o, k + (size_t)t);
      PREFETCH_ROWS(o, m, k, hi);
      fs += dense_block4(m, rows, x, v, a);
    }
  }
  for (; k < hi; k++) {
    size_t i = sl_obj_row(o, k);
    if (v == NULL) {
      double r, z = row_dot(m, i, x);
      fs += lin_loss(m->kind, z, m->y[i], &r);
      if (a) row_axpy(m, i, r, a);
    } else {
      double z, u;
      row_dot2(m, i, x, v, &z, &u);
      row_axpy(m, i, lin_curv(m->kind, z) * u, a);
    }
  }
  return fs;
}

/*
** ---- the HVP window (sl_obj_hvp_begin .. sl_obj_hvp_end) -------------------
** lin_hvp_begin stores s_i for the active rows (logistic); a windowed HVP
** then computes u_i = [x_i,1].v and adds s_i u_i [x_i,1], with the very
** partition, blocking and accumulation order of the plain HVP, so both agree
** bit for bit.
*/
/* s_i of four dense rows at w into curv[row] (logistic only). */
SL_HOT_CLONES
static void curv_block4(const linear *m, const size_t *rows, const double *w, double *curv) {
  size_t d = m->d;
  double b = m->intercept ? w[d] : 0.0, z[4], r[4];
  const double *X = m->X.dense;
  /* one row after another: interleaved, GCC turns the four scalar tails into
     a vector multiply and add without the fused multiply-adds of sl_ddot2 */
  for (int t = 0; t < 4; t++) z[t] = ddot1_as2(d, X + rows[t] * d, w);
  logistic_curv4((sl_v4d){z[0] + b, z[1] + b, z[2] + b, z[3] + b}, v4set(1.0), r);
  for (int t = 0; t < 4; t++) curv[rows[t]] = r[t];
}

/* dense_block4's HVP with the weights s_i from the cache (NULL: all 1). */
SL_HOT_CLONES
static void dense_block4_w(const linear *m, const size_t *rows, const double *v, const double *curv,
                           double *a) {
  size_t d = m->d;
  const double *p0 = m->X.dense + rows[0] * d, *p1 = m->X.dense + rows[1] * d;
  const double *p2 = m->X.dense + rows[2] * d, *p3 = m->X.dense + rows[3] * d;
  double vb = m->intercept ? v[d] : 0.0, u[4];
  ddot4_as2(d, p0, p1, p2, p3, v, u);
  double r0 = u[0] + vb, r1 = u[1] + vb, r2 = u[2] + vb, r3 = u[3] + vb;
  if (curv) {
    r0 = curv[rows[0]] * r0;
    r1 = curv[rows[1]] * r1;
    r2 = curv[rows[2]] * r2;
    r3 = curv[rows[3]] * r3;
  }
#pragma omp simd
  for (size_t j = 0; j < d; j++) a[j] += r0 * p0[j] + r1 * p1[j] + r2 * p2[j] + r3 * p3[j];
  if (m->intercept) a[d] += (r0 + r1) + (r2 + r3);
}

/* Rows lo..hi-1: v == NULL: s_i at x into m->curv (begin); else the
   windowed HVP sums into a. Same blocks and tails as lin_rows. */
static void lin_rows_w(const sl_objective *o, linear *m, size_t lo, size_t hi, const double *x,
                       const double *v, double *a) {
  const double *curv = m->kind == LOGISTIC ? m->curv : NULL;
  size_t k = lo;
  if (m->X.dense) {
    size_t rows[4];
    PREFETCH_HEAD(o, m, lo, hi);
    for (; k + 4 <= hi; k += 4) {
      for (int t = 0; t < 4; t++) rows[t] = sl_obj_row(o, k + (size_t)t);
      PREFETCH_ROWS(o, m, k, hi);
      if (v == NULL)
        curv_block4(m, rows, x, m->curv);
      else
        dense_block4_w(m, rows, v, curv, a);
    }
  }
  for (; k < hi; k++) {
    size_t i = sl_obj_row(o, k);
    double z, u;
    if (v == NULL) {
      row_dot2(m, i, x, x, &z, &u);
      m->curv[i] = lin_curv(m->kind, z);
      continue;
    }
    if (m->X.dense) {
      row_dot2(m, i, v, v, &z, &u); /* u summed as in the plain HVP */
    } else {
      const double *val;
      const size_t *ix;
      size_t c = sl_xrow(&m->X, i, &val, &ix);
      u = m->intercept ? v[m->d] : 0.0;
      for (size_t p = 0; p < c; p++) u += val[p] * v[ix[p]];
    }
    row_axpy(m, i, curv ? curv[i] * u : 1.0 * u, a);
  }
}

static size_t lin_work(const sl_objective *o, const linear *m) {
  size_t per = m->X.rows ? m->X.nnz / m->X.rows + 1 : 1;
  return o->n * per;
}

/*
** The reduction over rows, in one place: partial sums of the nb row blocks
** (in block order; an MPI Allreduce of m->red would go right after), then the
** mean over the n active samples and the regularizer (l2/2)|w|^2 on the
** non-intercept weights. v != NULL: HVP (adds l2 v instead).
*/
static void lin_finish(sl_objective *o, int nb, const double *x, const double *v, double *f,
                       double *g) {
  linear *m = o->impl;
  size_t len = g ? 1 + m->dim : 1;
  sl_tacc_sum(&m->acc, nb, len, m->red);
  double inv = 1.0 / (double)o->n;
  if (f) {
    double reg = 0.0;
    if (m->l2 > 0) reg = 0.5 * m->l2 * sl_ddot(m->d, x, x);
    *f = m->red[0] * inv + reg;
  }
  if (g) {
    const double *r = v ? v : x;
    for (size_t j = 0; j < m->dim; j++) g[j] = m->red[1 + j] * inv;
    for (size_t j = 0; j < m->d; j++) g[j] += m->l2 * r[j];
  }
}

/* Row blocks of o's passes (fg, HVP and the window share them: a windowed
   HVP sums like the plain one) and the threads that compute them. */
static int lin_blocks(const sl_objective *o, const linear *m, int *T) {
  size_t work = lin_work(o, m);
  int nb = sl_obj_row_blocks(o->n, work, 1 + m->dim);
  *T = sl_data_threads(work, nb);
  return nb;
}

static sl_status lin_fg(sl_objective *o, const double *x, double *f, double *g) {
  linear *m = o->impl;
  int T, nb = lin_blocks(o, m, &T), next = 0;
  if (sl_tacc_reserve(&m->acc, nb, 1 + m->dim) != SL_OK) return SL_ENOMEM;
  size_t len = g ? 1 + m->dim : 1, M = o->n;
#pragma omp parallel num_threads(T) if (T > 1)
  SL_DATA_BLOCKS_FOR(b, nb, next) {
    double *a = m->acc.buf + (size_t)b * m->acc.stride;
    memset(a, 0, len * sizeof *a);
    size_t lo, hi;
    sl_data_part(M, nb, b, &lo, &hi);
    a[0] = lin_rows(o, m, lo, hi, x, NULL, g ? a + 1 : NULL);
  }
  lin_finish(o, nb, x, NULL, f, g);
  return SL_OK;
}

static sl_status lin_hvp(sl_objective *o, const double *x, const double *v, double *hv) {
  linear *m = o->impl;
  int T, nb = lin_blocks(o, m, &T), next = 0;
  if (sl_tacc_reserve(&m->acc, nb, 1 + m->dim) != SL_OK) return SL_ENOMEM;
  size_t M = o->n;
  /* the cache serves only its owner, at the x of the open window */
  int cached = m->cache_o == o && m->cache_x == x && o->hvp_x == x;
#pragma omp parallel num_threads(T) if (T > 1)
  SL_DATA_BLOCKS_FOR(b, nb, next) {
    double *a = m->acc.buf + (size_t)b * m->acc.stride;
    memset(a, 0, (1 + m->dim) * sizeof *a);
    size_t lo, hi;
    sl_data_part(M, nb, b, &lo, &hi);
    if (cached)
      lin_rows_w(o, m, lo, hi, x, v, a + 1);
    else
      lin_rows(o, m, lo, hi, x, v, a + 1);
  }
  lin_finish(o, nb, x, v, NULL, hv);
  return SL_OK;
}

/* The curvature weights s_i at x for o's active rows (the blocks of
   lin_hvp); least squares has s_i = 1 and only marks the window. */
static sl_status lin_hvp_begin(sl_objective *o, const double *x) {
  linear *m = o->impl;
  m->cache_o = NULL;
  if (m->kind == LOGISTIC) {
    if (m->curv == NULL && (m->curv = malloc(m->X.rows * sizeof *m->curv)) == NULL)
      return sl_obj_fail(o, SL_ENOMEM, "logistic HVP cache");
    int T, nb = lin_blocks(o, m, &T), next = 0;
    size_t M = o->n;
#pragma omp parallel num_threads(T) if (T > 1)
    SL_DATA_BLOCKS_FOR(b, nb, next) {
      size_t lo, hi;
      sl_data_part(M, nb, b, &lo, &hi);
      lin_rows_w(o, m, lo, hi, x, NULL, NULL);
    }
  }
  m->cache_o = o;
  m->cache_x = x;
  return SL_OK;
}

static void lin_hvp_end(sl_objective *o) {
  linear *m = o->impl;
  if (m->cache_o == o) m->cache_o = NULL;
}

static sl_status lin_sample_fg(sl_objective *o, const double *x, size_t k, double *f, double *g) {
  linear *m = o->impl;
  size_t i = sl_obj_row(o, k);
  double r, z = row_dot(m, i, x);
  double loss = lin_loss(m->kind, z, m->y[i], &r);
  *f = loss + (m->l2 > 0 ? 0.5 * m->l2 * sl_ddot(m->d, x, x) : 0.0);
  if (g) {
    for (size_t j = 0; j < m->dim; j++) g[j] = j < m->d ? m->l2 * x[j] : 0.0;
    row_axpy(m, i, r, g);
  }
  return SL_OK;
}

/* ---- the fitted model ---------------------------------------------------- */

static void lin_info(const sl_objective *o, sl_model_info *info) {
  const linear *m = o->impl;
  info->kind = m->kind == LSQ ? SL_MODEL_LEAST_SQUARES : SL_MODEL_LOGISTIC;
  info->features = m->d;
  info->outputs = 1;
  info->classes = m->kind == LSQ ? 0 : 2;
  info->labels = m->pm1 ? SL_LABELS_PM1 : SL_LABELS_01;
}

/* z = [x_i, 1].w of new rows (sl_model_predict checked X), then per what. */
static sl_status lin_predict(sl_objective *o, const double *x, const sl_mat *Xd, const sl_csr *Xs,
                             sl_predict_what what, double *out) {
  linear r = *(const linear *)o->impl; /* the model over the new rows */
  char msg[8];
  if (sl_xrows_set(&r.X, Xd, Xs, msg, sizeof msg) != SL_OK) return SL_EINVAL;
  for (size_t i = 0; i < r.X.rows; i++) {
    double z = row_dot(&r, i, x);
    double e;
    if (what == SL_PREDICT_PROBA)
      z = sigmoid_e(z, &e);
    else if (what == SL_PREDICT_LABELS)
      z = z > 0 ? 1.0 : r.pm1 ? -1.0 : 0.0;
    out[i] = z;
  }
  return SL_OK;
}

static const sl_model_ops linear_model = {.info = lin_info, .predict = lin_predict};

static const sl_objective_ops lsq_ops = {.name = "least_squares",
                                         .model = &linear_model,
                                         .fg = lin_fg,
                                         .hvp = lin_hvp,
                                         .sample_fg = lin_sample_fg,
                                         .destroy = lin_destroy,
                                         .hvp_begin = lin_hvp_begin,
                                         .hvp_end = lin_hvp_end};
static const sl_objective_ops logistic_ops = {.name = "logistic",
                                              .model = &linear_model,
                                              .fg = lin_fg,
                                              .hvp = lin_hvp,
                                              .sample_fg = lin_sample_fg,
                                              .destroy = lin_destroy,
                                              .hvp_begin = lin_hvp_begin,
                                              .hvp_end = lin_hvp_end};

static sl_objective *lin_new(int kind, const sl_linear_opts *p, sl_labels *labels, sl_status *st,
                             char *msg, size_t msglen) {
  msg[0] = '\0';
  *st = SL_EINVAL;
  if ((p->Xd == NULL) == (p->Xs == NULL)) {
    snprintf(msg, msglen, "X must be a dense or a sparse matrix");
    return NULL;
  }
  sl_xrows X;
  if ((*st = sl_xrows_set(&X, p->Xd, p->Xs, msg, msglen)) != SL_OK) return NULL;
  *st = SL_EDIM;
  if (p->ny != X.rows) {
    snprintf(msg, msglen, "X has %zu rows but y has %zu entries", X.rows, p->ny);
    return NULL;
  }
  if (X.rows == 0) {
    snprintf(msg, msglen, "X has no rows");
    return NULL;
  }
  *st = SL_EINVAL;
  if (!(p->l2 >= 0) || !isfinite(p->l2)) {
    snprintf(msg, msglen, "l2 must be a finite number >= 0");
    return NULL;
  }
  int pm1 = 0;
  for (size_t i = 0; i < p->ny; i++) {
    double y = p->y[i];
    if (!isfinite(y)) {
      snprintf(msg, msglen, "y[%zu] is not finite", i + 1);
      *st = SL_ENONFINITE;
      return NULL;
    }
    if (kind == LOGISTIC) {
      if (y == -1.0) pm1 = 1;
      if (y != 0.0 && y != 1.0 && y != -1.0) {
        snprintf(msg, msglen, "label of sample %zu is %g, expected 0/1 or -1/+1", i + 1, y);
        return NULL;
      }
    }
  }
  if (kind == LOGISTIC && pm1)
    for (size_t i = 0; i < p->ny; i++)
      if (p->y[i] == 0.0) {
        snprintf(msg, msglen,
                 "label of sample %zu is 0 but other labels are -1 (mixed 0/1 and -1/+1)", i + 1);
        return NULL;
      }
  linear *m = calloc(1, sizeof *m);
  *st = SL_ENOMEM;
  if (m == NULL) return NULL;
  m->kind = kind;
  m->pm1 = pm1;
  m->X = X;
  m->d = X.cols;
  m->intercept = p->intercept != 0;
  m->dim = m->d + (size_t)m->intercept;
  m->l2 = p->l2;
  m->y = malloc(p->ny * sizeof *m->y);
  m->red = malloc((1 + m->dim) * sizeof *m->red);
  if (m->y == NULL || m->red == NULL || sl_tacc_reserve(&m->acc, 1, 1 + m->dim) != SL_OK) {
    lin_destroy(m);
    return NULL;
  }
  for (size_t i = 0; i < p->ny; i++)
    m->y[i] = kind == LOGISTIC ? (p->y[i] > 0 ? 1.0 : 0.0) : p->y[i];
  if (labels) *labels = pm1 ? SL_LABELS_PM1 : SL_LABELS_01;
  sl_objective *o = sl_obj_new(kind == LSQ ? &lsq_ops : &logistic_ops, m, m->dim, X.rows);
  if (o == NULL) {
    lin_destroy(m);
    return NULL;
  }
  *st = SL_OK;
  return o;
}

sl_objective *sl_obj_least_squares_new(const sl_linear_opts *p, sl_status *st, char *msg,
                                       size_t msglen) {
  return lin_new(LSQ, p, NULL, st, msg, msglen);
}

sl_objective *sl_obj_logistic_new(const sl_linear_opts *p, sl_labels *labels, sl_status *st,
                                  char *msg, size_t msglen) {
  return lin_new(LOGISTIC, p, labels, st, msg, msglen);
}
