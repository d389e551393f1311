/*
** sl_mat.c — dense matrix products through CBLAS, and CSR products.
*/
#include "sl_mat.h"

#include <cblas.h>
#include <stdlib.h>

sl_status sl_size_product(size_t rows, size_t cols, size_t *out) {
  if (rows != 0 && cols > SL_MAX_ENTRIES / rows) return SL_ENOMEM;
  *out = rows * cols;
  return SL_OK;
}

sl_status sl_mat_alloc(sl_mat *m, size_t rows, size_t cols) {
  size_t n;
  m->rows = m->cols = 0;
  m->data = NULL;
  if (sl_size_product(rows, cols, &n) != SL_OK) return SL_ENOMEM;
  m->data = calloc(n ? n : 1, sizeof(double));
  if (m->data == NULL) return SL_ENOMEM;
  m->rows = rows;
  m->cols = cols;
  return SL_OK;
}

void sl_mat_free(sl_mat *m) {
  free(m->data);
  m->data = NULL;
  m->rows = m->cols = 0;
}

void sl_mat_mv(const sl_mat *a, const double *x, double *out) {
  if (a->rows == 0) return;
  if (a->cols == 0) {
    for (size_t i = 0; i < a->rows; i++) out[i] = 0.0;
    return;
  }
  cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)a->rows, (int)a->cols, 1.0, a->data, (int)a->cols,
              x, 1, 0.0, out, 1);
}

void sl_mat_tmv(const sl_mat *a, const double *x, double *out) {
  if (a->cols == 0) return;
  if (a->rows == 0) {
    for (size_t j = 0; j < a->cols; j++) out[j] = 0.0;
    return;
  }
  cblas_dgemv(CblasRowMajor, CblasTrans, (int)a->rows, (int)a->cols, 1.0, a->data, (int)a->cols, x,
              1, 0.0, out, 1);
}

void sl_mat_mm(const sl_mat *a, const sl_mat *b, sl_mat *c) {
  if (c->rows == 0 || c->cols == 0) return;
  if (a->cols == 0) {
    for (size_t i = 0; i < c->rows * c->cols; i++) c->data[i] = 0.0;
    return;
  }
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)a->rows, (int)b->cols, (int)a->cols,
              1.0, a->data, (int)a->cols, b->data, (int)b->cols, 0.0, c->data, (int)c->cols);
}

void sl_csr_mv(const sl_csr *a, const double *x, double *out) {
  for (size_t i = 0; i < a->rows; i++) {
    double s = 0.0;
    for (size_t k = a->indptr[i]; k < a->indptr[i + 1]; k++) s += a->values[k] * x[a->indices[k]];
    out[i] = s;
  }
}

void sl_csr_tmv(const sl_csr *a, const double *x, double *out) {
  for (size_t j = 0; j < a->cols; j++) out[j] = 0.0;
  for (size_t i = 0; i < a->rows; i++)
    for (size_t k = a->indptr[i]; k < a->indptr[i + 1]; k++)
      out[a->indices[k]] += a->values[k] * x[i];
}

sl_status sl_csr_alloc(sl_csr *m, size_t rows, size_t cols, size_t nnz) {
  m->rows = rows;
  m->cols = cols;
  m->nnz = nnz;
  if (rows >= SL_MAX_ENTRIES || nnz > SL_MAX_ENTRIES) return SL_ENOMEM;
  m->indptr = calloc(rows + 1, sizeof(size_t));
  m->indices = calloc(nnz ? nnz : 1, sizeof(size_t));
  m->values = calloc(nnz ? nnz : 1, sizeof(double));
  if (!m->indptr || !m->indices || !m->values) {
    sl_csr_free(m);
    return SL_ENOMEM;
  }
  return SL_OK;
}

void sl_csr_free(sl_csr *m) {
  free(m->indptr);
  free(m->indices);
  free(m->values);
  m->indptr = m->indices = NULL;
  m->values = NULL;
  m->rows = m->cols = m->nnz = 0;
}
