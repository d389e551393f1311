/*
** check_data_helpers.c — test data shared by the Check suites: random dense
** matrices with a chosen density and their CSR copies.
*/
#include "check_slope.h"

sl_mat check_randmat(sl_rng *r, size_t rows, size_t cols, double density) {
  sl_mat m;
  ck_assert_int_eq(sl_mat_alloc(&m, rows, cols), SL_OK);
  for (size_t k = 0; k < rows * cols; k++)
    m.data[k] = sl_rng_uniform(r) < density ? sl_rng_normal(r) : 0.0;
  return m;
}

sl_csr check_tocsr(const sl_mat *a) {
  size_t nnz = 0;
  for (size_t k = 0; k < a->rows * a->cols; k++) nnz += a->data[k] != 0.0;
  sl_csr s;
  ck_assert_int_eq(sl_csr_alloc(&s, a->rows, a->cols, nnz), SL_OK);
  size_t p = 0;
  for (size_t i = 0; i < a->rows; i++) {
    for (size_t j = 0; j < a->cols; j++)
      if (a->data[i * a->cols + j] != 0.0) {
        s.indices[p] = j;
        s.values[p++] = a->data[i * a->cols + j];
      }
    s.indptr[i + 1] = p;
  }
  return s;
}
