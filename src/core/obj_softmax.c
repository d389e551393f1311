/*
** obj_softmax.c — multinomial logistic (softmax) regression over dense or CSR
** rows, K classes, labels 0..K-1. Parameters: W, (d [+1]) x K row-major, the
** intercept row last. For a row x: z = W^T [x; 1], p = softmax(z),
** loss = logsumexp(z) - z_y (stable: shift by max z). Gradient of one sample:
** [x; 1] (p - e_y)^T. Hessian-vector product of one sample (Bohning 1992):
** [x; 1] (diag(p) - p p^T) u with u = V^T [x; 1]. One fused pass per call.
** Inside an sl_obj_hvp_begin window the p of every active row come from a
** cache filled at begin: an HVP then skips the scores at x and the exps.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obj_data.h"
#include "sl_models.h"

typedef struct {
  sl_xrows X;
  size_t d, K, rowsW, dim; /* rowsW = d + intercept; dim = rowsW * K */
  int intercept;
  double l2;
  size_t *y;
  double *red; /* 1 + dim */
  double *tmp; /* 3K for sample_fg */
  sl_tacc acc; /* per row block: [0] loss, [1..dim] gradient, then 3K scratch */
  /* HVP window cache: p of each row (X.rows x K, by row) at cache_x for the
     active rows of cache_o; allocated at the first begin, kept after end */
  double *P;
  const sl_objective *cache_o; /* NULL: no valid cache */
  const double *cache_x;
} softmax;

static void sm_destroy(void *impl) {
  softmax *m = impl;
  if (m == NULL) return;
  free(m->y);
  free(m->red);
  free(m->tmp);
  free(m->P);
  sl_tacc_free(&m->acc);
  free(m);
}

/* z = W^T [x_i; 1] (K entries). */
static inline void sm_scores(const softmax *m, size_t i, const double *W, double *z) {
  const double *v;
  const size_t *ix;
  size_t c = sl_xrow(&m->X, i, &v, &ix), K = m->K;
  if (m->intercept)
    memcpy(z, W + m->d * K, K * sizeof *z);
  else
    memset(z, 0, K * sizeof *z);
  for (size_t p = 0; p < c; p++) {
    size_t j = ix ? ix[p] : p;
    if (v[p] != 0.0) sl_daxpy(K, z, v[p], W + j * K);
  }
}

/* G += [x_i; 1] r^T */
static inline void sm_outer(const softmax *m, size_t i, const double *r, double *G) {
  const double *v;
  const size_t *ix;
  size_t c = sl_xrow(&m->X, i, &v, &ix), K = m->K;
  if (m->intercept) sl_daxpy(K, G + m->d * K, 1.0, r);
  for (size_t p = 0; p < c; p++) {
    size_t j = ix ? ix[p] : p;
    if (v[p] != 0.0) sl_daxpy(K, G + j * K, v[p], r);
  }
}

/* Loss of sample i; r = p - e_y. z is scratch (K). */
static inline double sm_sample(const softmax *m, size_t i, const double *W, double *r) {
  sm_scores(m, i, W, r);
  double zy = r[m->y[i]];
  double lse = sl_softmax(m->K, r, r);
  r[m->y[i]] -= 1.0;
  return lse - zy;
}

static double sm_reg(const softmax *m, const double *x) {
  return m->l2 > 0 ? 0.5 * m->l2 * sl_ddot(m->d * m->K, x, x) : 0.0;
}

/* The reduction over rows in one place: the nb block sums in order (an MPI
   Allreduce of m->red goes here), mean over n, regularizer on non-intercept rows. */
static void sm_finish(sl_objective *o, int nb, const double *x, const double *v, double *f,
                      double *g) {
  softmax *m = o->impl;
  sl_tacc_sum(&m->acc, nb, g ? 1 + m->dim : 1, m->red);
  double inv = 1.0 / (double)o->n;
  if (f) *f = m->red[0] * inv + sm_reg(m, x);
  if (g) {
    const double *r = v ? v : x;
    size_t nr = m->d * m->K;
    for (size_t j = 0; j < m->dim; j++) g[j] = m->red[1 + j] * inv + (j < nr ? m->l2 * r[j] : 0.0);
  }
}

static size_t sm_work(const sl_objective *o, const softmax *m) {
  return o->n * (m->X.rows ? m->X.nnz / m->X.rows + 1 : 1) * m->K;
}

/* Row blocks of o's passes (fg, HVP and the window share them) and the
   threads that compute them (the HVP does twice fg's work). */
static int sm_blocks(const sl_objective *o, const softmax *m, size_t times, int *T) {
  size_t work = sm_work(o, m);
  int nb = sl_obj_row_blocks(o->n, work, 1 + m->dim);
  *T = sl_data_threads(times * work, nb);
  return nb;
}

static sl_status sm_fg(sl_objective *o, const double *x, double *f, double *g) {
  softmax *m = o->impl;
  int T, nb = sm_blocks(o, m, 1, &T), next = 0;
  if (sl_tacc_reserve(&m->acc, nb, 1 + m->dim + 3 * m->K) != SL_OK) return SL_ENOMEM;
  size_t M = o->n;
#pragma omp parallel num_threads(T) if (T > 1)
  SL_DATA_BLOCKS_FOR(b, nb, next) {
    double *a = m->acc.buf + (size_t)b * m->acc.stride, *r = a + 1 + m->dim;
    memset(a, 0, (g ? 1 + m->dim : 1) * sizeof *a);
    size_t lo, hi;
    sl_data_part(M, nb, b, &lo, &hi);
    double fs = 0.0;
    for (size_t k = lo; k < hi; k++) {
      size_t i = sl_obj_row(o, k);
      fs += sm_sample(m, i, x, r);
      if (g) sm_outer(m, i, r, a + 1);
    }
    a[0] = fs;
  }
  sm_finish(o, nb, x, NULL, f, g);
  return SL_OK;
}

static sl_status sm_hvp(sl_objective *o, const double *x, const double *v, double *hv) {
  softmax *m = o->impl;
  int T, nb = sm_blocks(o, m, 2, &T), next = 0;
  if (sl_tacc_reserve(&m->acc, nb, 1 + m->dim + 3 * m->K) != SL_OK) return SL_ENOMEM;
  size_t M = o->n, K = m->K;
  /* the cache serves only its owner, at the x of the open window */
  int cached = m->cache_o == o && m->cache_x == x && o->hvp_x == x;
#pragma omp parallel num_threads(T) if (T > 1)
  SL_DATA_BLOCKS_FOR(b, nb, next) {
    double *a = m->acc.buf + (size_t)b * m->acc.stride;
    double *p = a + 1 + m->dim, *u = p + K;
    memset(a, 0, (1 + m->dim) * sizeof *a);
    size_t lo, hi;
    sl_data_part(M, nb, b, &lo, &hi);
    for (size_t k = lo; k < hi; k++) {
      size_t i = sl_obj_row(o, k);
      if (cached) {
        p = m->P + i * K;
      } else {
        sm_scores(m, i, x, p);
      }
      sm_scores(m, i, v, u);
      if (!cached) sl_softmax(K, p, p);
      double pu = sl_ddot(K, p, u);
      for (size_t c = 0; c < K; c++) u[c] = p[c] * (u[c] - pu);
      sm_outer(m, i, u, a + 1);
    }
  }
  sm_finish(o, nb, x, v, NULL, hv);
  return SL_OK;
}

/* p at x of o's active rows into the cache (rows are independent: any split). */
static sl_status sm_hvp_begin(sl_objective *o, const double *x) {
  softmax *m = o->impl;
  m->cache_o = NULL;
  size_t K = m->K, cnt;
  if (m->P == NULL) {
    if (sl_size_product(m->X.rows, K, &cnt) != SL_OK || (m->P = malloc(cnt * sizeof *m->P)) == NULL)
      return sl_obj_fail(o, SL_ENOMEM, "softmax HVP cache");
  }
  int T, nb = sm_blocks(o, m, 1, &T), next = 0;
  size_t M = o->n;
#pragma omp parallel num_threads(T) if (T > 1)
  SL_DATA_BLOCKS_FOR(b, nb, next) {
    size_t lo, hi;
    sl_data_part(M, nb, b, &lo, &hi);
    for (size_t k = lo; k < hi; k++) {
      size_t i = sl_obj_row(o, k);
      double *p = m->P + i * K;
      sm_scores(m, i, x, p);
      sl_softmax(K, p, p);
    }
  }
  m->cache_o = o;
  m->cache_x = x;
  return SL_OK;
}

static void sm_hvp_end(sl_objective *o) {
  softmax *m = o->impl;
  if (m->cache_o == o) m->cache_o = NULL;
}

static sl_status sm_sample_fg(sl_objective *o, const double *x, size_t k, double *f, double *g) {
  softmax *m = o->impl;
  size_t i = sl_obj_row(o, k), nr = m->d * m->K;
  double loss = sm_sample(m, i, x, m->tmp);
  *f = loss + sm_reg(m, x);
  if (g) {
    for (size_t j = 0; j < m->dim; j++) g[j] = j < nr ? m->l2 * x[j] : 0.0;
    sm_outer(m, i, m->tmp, g);
  }
  return SL_OK;
}

/* ---- the fitted model ---------------------------------------------------- */

static void sm_info(const sl_objective *o, sl_model_info *info) {
  const softmax *m = o->impl;
  info->kind = SL_MODEL_SOFTMAX;
  info->features = m->d;
  info->outputs = m->K;
  info->classes = m->K;
}

/* Scores, probabilities or labels of new rows (sl_model_predict checked X). */
static sl_status sm_predict(sl_objective *o, const double *x, const sl_mat *Xd, const sl_csr *Xs,
                            sl_predict_what what, double *out) {
  softmax r = *(const softmax *)o->impl; /* the model over the new rows */
  char msg[8];
  if (sl_xrows_set(&r.X, Xd, Xs, msg, sizeof msg) != SL_OK) return SL_EINVAL;
  size_t K = r.K;
  double *z = malloc(K * sizeof *z);
  if (z == NULL) return SL_ENOMEM;
  for (size_t i = 0; i < r.X.rows; i++) {
    double *zi = what == SL_PREDICT_LABELS ? z : out + i * K;
    sm_scores(&r, i, x, zi);
    if (what == SL_PREDICT_PROBA) sl_softmax(K, zi, zi);
    if (what == SL_PREDICT_LABELS) out[i] = (double)sl_argmax(K, z);
  }
  free(z);
  return SL_OK;
}

static const sl_model_ops softmax_model = {.info = sm_info, .predict = sm_predict};

static const sl_objective_ops softmax_ops = {.name = "softmax",
                                             .model = &softmax_model,
                                             .fg = sm_fg,
                                             .hvp = sm_hvp,
                                             .sample_fg = sm_sample_fg,
                                             .destroy = sm_destroy,
                                             .hvp_begin = sm_hvp_begin,
                                             .hvp_end = sm_hvp_end};

sl_objective *sl_obj_softmax_new(const sl_linear_opts *p, size_t classes, sl_status *st, char *msg,
                                 size_t msglen) {
  msg[0] = '\0';
  *st = SL_EINVAL;
  if ((p->Xd == NULL) == (p->Xs == NULL)) {
    snprintf(msg, msglen, "X must be a dense or a sparse matrix");
    return NULL;
  }
  if (classes < 2) {
    snprintf(msg, msglen, "classes must be >= 2, got %zu", classes);
    return NULL;
  }
  if (!(p->l2 >= 0) || !isfinite(p->l2)) {
    snprintf(msg, msglen, "l2 must be a finite number >= 0");
    return NULL;
  }
  sl_xrows X;
  if ((*st = sl_xrows_set(&X, p->Xd, p->Xs, msg, msglen)) != SL_OK) return NULL;
  *st = SL_EDIM;
  if (p->ny != X.rows || X.rows == 0) {
    snprintf(msg, msglen, "X has %zu rows but y has %zu entries", X.rows, p->ny);
    return NULL;
  }
  *st = SL_EINVAL;
  for (size_t i = 0; i < p->ny; i++) {
    double y = p->y[i];
    if (!(y >= 0 && y <= (double)(classes - 1)) || y != floor(y)) {
      snprintf(msg, msglen, "label of sample %zu is %g, expected an integer in 0..%zu", i + 1, y,
               classes - 1);
      return NULL;
    }
  }
  size_t rowsW = X.cols + (p->intercept != 0), dim;
  *st = SL_ENOMEM;
  if (sl_size_product(rowsW, classes, &dim) != SL_OK) {
    snprintf(msg, msglen, "too many parameters");
    return NULL;
  }
  softmax *m = calloc(1, sizeof *m);
  if (m == NULL) return NULL;
  m->X = X;
  m->d = X.cols;
  m->K = classes;
  m->intercept = p->intercept != 0;
  m->rowsW = rowsW;
  m->dim = dim;
  m->l2 = p->l2;
  m->y = malloc(p->ny * sizeof *m->y);
  m->red = malloc((1 + dim) * sizeof *m->red);
  m->tmp = malloc(3 * classes * sizeof *m->tmp);
  if (m->y == NULL || m->red == NULL || m->tmp == NULL ||
      sl_tacc_reserve(&m->acc, 1, 1 + dim + 3 * classes) != SL_OK) {
    sm_destroy(m);
    return NULL;
  }
  for (size_t i = 0; i < p->ny; i++) m->y[i] = (size_t)p->y[i];
  sl_objective *o = sl_obj_new(&softmax_ops, m, dim, X.rows);
  if (o == NULL) {
    sm_destroy(m);
    return NULL;
  }
  *st = SL_OK;
  return o;
}
