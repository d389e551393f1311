/*
** sl_mat.h — dense row-major matrices and CSR sparse matrices.
** The structs do not own policy: whoever fills data decides who frees it
** (the Lua bindings free what they allocated; sl_mat_alloc/sl_mat_free pair).
*/
#ifndef SL_MAT_H
#define SL_MAT_H

#include <stddef.h>
#include <stdint.h>

#include "sl_status.h"

/* Dense, row-major: entry (i, j) is data[i * cols + j], 0-based. */
typedef struct sl_mat {
  size_t rows, cols;
  double *data;
} sl_mat;

/* Compressed sparse rows: row i holds indices[indptr[i] .. indptr[i+1]-1]. */
typedef struct sl_csr {
  size_t rows, cols, nnz;
  size_t *indptr;  /* rows + 1 entries */
  size_t *indices; /* nnz column indices, 0-based, ascending within a row */
  double *values;  /* nnz values */
} sl_csr;

/* The largest number of entries any allocation in slope accepts (2^31 doubles, 16 GiB). */
#define SL_MAX_ENTRIES ((size_t)1 << 31)

/* rows*cols with overflow and SL_MAX_ENTRIES checks; returns SL_ENOMEM when too large. */
sl_status sl_size_product(size_t rows, size_t cols, size_t *out);

/* Allocate a zeroed rows x cols matrix (data via calloc). */
sl_status sl_mat_alloc(sl_mat *m, size_t rows, size_t cols);
void sl_mat_free(sl_mat *m);

/* out = A x (length rows) and out = A^T x (length cols), through CBLAS dgemv. */
void sl_mat_mv(const sl_mat *a, const double *x, double *out);
void sl_mat_tmv(const sl_mat *a, const double *x, double *out);

/* C = A B (dgemm); shapes must agree, caller checks. */
void sl_mat_mm(const sl_mat *a, const sl_mat *b, sl_mat *c);

/* CSR products: out = A x and out = A^T x. */
void sl_csr_mv(const sl_csr *a, const double *x, double *out);
void sl_csr_tmv(const sl_csr *a, const double *x, double *out);
sl_status sl_csr_alloc(sl_csr *m, size_t rows, size_t cols, size_t nnz);
void sl_csr_free(sl_csr *m);

#endif
