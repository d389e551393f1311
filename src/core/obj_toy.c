/*
** obj_toy.c — the objectives of sl_toyobj.h: a dense quadratic, a small
** least-squares model with per-sample gradients, and the ring (|x|^2 - 1)^2.
*/
#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#include "sl_mat.h"
#include "sl_toyobj.h"
#include "sl_vec.h"

typedef struct toy {
  size_t rows, cols;
  double *A; /* quadratic: n x n; least squares: X (rows x cols) */
  double *b; /* quadratic: b; least squares: y */
  double *r; /* least squares: rows of scratch for full-batch products */
} toy;

static void toy_destroy(void *impl) {
  toy *t = impl;
  if (t == NULL) return;
  free(t->A);
  free(t->b);
  free(t->r);
  free(t);
}

static toy *toy_new(size_t rows, size_t cols, const double *A, size_t blen, const double *b) {
  size_t na;
  if (sl_size_product(rows, cols, &na) != SL_OK) return NULL;
  toy *t = calloc(1, sizeof *t);
  if (t == NULL) return NULL;
  t->rows = rows;
  t->cols = cols;
  t->A = malloc((na ? na : 1) * sizeof(double));
  t->b = calloc(blen ? blen : 1, sizeof(double));
  t->r = malloc((rows ? rows : 1) * sizeof(double));
  if (t->A == NULL || t->b == NULL || t->r == NULL) {
    toy_destroy(t);
    return NULL;
  }
  memcpy(t->A, A, na * sizeof(double));
  if (b) memcpy(t->b, b, blen * sizeof(double));
  return t;
}

static sl_objective *finish(const sl_objective_ops *ops, toy *t, size_t dim, size_t n) {
  if (t == NULL) return NULL;
  sl_objective *o = sl_obj_new(ops, t, dim, n);
  if (o == NULL) toy_destroy(t);
  return o;
}

/* ---- quadratic ------------------------------------------------------------ */

static sl_status quad_fg(sl_objective *o, const double *x, double *f, double *g) {
  toy *t = o->impl;
  size_t n = o->dim;
  double *ax = g ? g : o->scratch;
  if (ax == NULL) {
    o->scratch = malloc(3 * (n ? n : 1) * sizeof(double));
    if (o->scratch == NULL) return SL_ENOMEM;
    ax = o->scratch;
  }
  cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)n, 1.0, t->A, (int)n, x, 1, 0.0, ax, 1);
  *f = 0.5 * sl_vec_dot(n, x, ax) - sl_vec_dot(n, t->b, x);
  if (g) sl_vec_axpy(n, g, -1.0, t->b);
  return SL_OK;
}

static sl_status quad_hvp(sl_objective *o, const double *x, const double *v, double *hv) {
  toy *t = o->impl;
  (void)x;
  cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)o->dim, (int)o->dim, 1.0, t->A, (int)o->dim, v, 1,
              0.0, hv, 1);
  return SL_OK;
}

static const sl_objective_ops quad_ops = {
    .name = "quadratic", .fg = quad_fg, .hvp = quad_hvp, .destroy = toy_destroy};
static const sl_objective_ops quad_fd_ops = {
    .name = "quadratic", .fg = quad_fg, .destroy = toy_destroy};

sl_objective *sl_toy_quadratic(size_t n, const double *A, const double *b, int exact_hvp) {
  return finish(exact_hvp ? &quad_ops : &quad_fd_ops, toy_new(n, n, A, n, b), n, 0);
}

/* ---- least squares ---------------------------------------------------------- */

static sl_status ls_sample_fg(sl_objective *o, const double *x, size_t k, double *f, double *g) {
  toy *t = o->impl;
  size_t i = sl_obj_row(o, k), n = t->cols;
  const double *a = t->A + i * n;
  double r = sl_vec_dot(n, a, x) - t->b[i];
  *f = 0.5 * r * r;
  if (g)
    for (size_t j = 0; j < n; j++) g[j] = r * a[j];
  return SL_OK;
}

static sl_status ls_fg(sl_objective *o, const double *x, double *f, double *g) {
  toy *t = o->impl;
  size_t n = t->cols;
  double acc = 0.0;
  if (g) sl_vec_fill(n, g, 0.0);
  for (size_t k = 0; k < o->n; k++) {
    size_t i = sl_obj_row(o, k);
    const double *a = t->A + i * n;
    double r = sl_vec_dot(n, a, x) - t->b[i];
    acc += 0.5 * r * r;
    if (g) sl_vec_axpy(n, g, r, a);
  }
  double inv = o->n ? 1.0 / (double)o->n : 0.0;
  *f = acc * inv;
  if (g) sl_vec_scale(n, g, inv);
  return SL_OK;
}

static sl_status ls_hvp(sl_objective *o, const double *x, const double *v, double *hv) {
  toy *t = o->impl;
  size_t n = t->cols;
  (void)x;
  if (o->idx == NULL) { /* the full data set: two CBLAS products, X^T (X v) / n */
    cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)t->rows, (int)n, 1.0, t->A, (int)n, v, 1, 0.0,
                t->r, 1);
    cblas_dgemv(CblasRowMajor, CblasTrans, (int)t->rows, (int)n, 1.0 / (double)t->rows, t->A,
                (int)n, t->r, 1, 0.0, hv, 1);
    return SL_OK;
  }
  sl_vec_fill(n, hv, 0.0);
  for (size_t k = 0; k < o->n; k++) {
    const double *a = t->A + sl_obj_row(o, k) * n;
    sl_vec_axpy(n, hv, sl_vec_dot(n, a, v), a);
  }
  if (o->n) sl_vec_scale(n, hv, 1.0 / (double)o->n);
  return SL_OK;
}

static const sl_objective_ops ls_ops = {.name = "least_squares",
                                        .fg = ls_fg,
                                        .hvp = ls_hvp,
                                        .sample_fg = ls_sample_fg,
                                        .destroy = toy_destroy};
static const sl_objective_ops ls_fd_ops = {
    .name = "least_squares", .fg = ls_fg, .sample_fg = ls_sample_fg, .destroy = toy_destroy};

sl_objective *sl_toy_least_squares(size_t rows, size_t cols, const double *X, const double *y,
                                   int exact_hvp) {
  return finish(exact_hvp ? &ls_ops : &ls_fd_ops, toy_new(rows, cols, X, rows, y), cols, rows);
}

/* ---- ring ------------------------------------------------------------------- */

static sl_status ring_fg(sl_objective *o, const double *x, double *f, double *g) {
  size_t n = o->dim;
  double s = sl_vec_dot(n, x, x) - 1.0;
  *f = s * s;
  if (g)
    for (size_t i = 0; i < n; i++) g[i] = 4.0 * s * x[i];
  return SL_OK;
}

static sl_status ring_hvp(sl_objective *o, const double *x, const double *v, double *hv) {
  size_t n = o->dim;
  double s = sl_vec_dot(n, x, x) - 1.0, xv = sl_vec_dot(n, x, v);
  for (size_t i = 0; i < n; i++) hv[i] = 4.0 * s * v[i] + 8.0 * xv * x[i];
  return SL_OK;
}

static void ring_destroy(void *impl) { (void)impl; }
static const sl_objective_ops ring_ops = {
    .name = "ring", .fg = ring_fg, .hvp = ring_hvp, .destroy = ring_destroy};
static const sl_objective_ops ring_fd_ops = {
    .name = "ring", .fg = ring_fg, .destroy = ring_destroy};

sl_objective *sl_toy_ring(size_t n, int exact_hvp) {
  return sl_obj_new(exact_hvp ? &ring_ops : &ring_fd_ops, NULL, n, 0);
}
