/*
** obj_data.c — per-block accumulators and the block-ordered reduction
** shared by the data objectives (obj_linear.c, obj_softmax.c, obj_mf.c).
*/
#include "obj_data.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

#include "sl_mat.h"

/* Each block starts on its own 128-byte boundary (two cache lines, as the
   adjacent-line prefetcher fetches them): threads that update their blocks'
   accumulators every few rows must not share a line (no gain measurable on
   this shared machine, but no line ping-pong at any thread count). */
sl_status sl_tacc_reserve(sl_tacc *a, int T, size_t stride) {
  if (T < 1) T = 1;
  if (stride > ((size_t)1 << 40)) return SL_ENOMEM;
  stride = (stride + 15) & ~(size_t)15;
  if (stride == 0) stride = 16;
  if (a->buf != NULL && a->T >= T && a->stride == stride) return SL_OK;
  if ((size_t)T > ((size_t)1 << 40) / stride) return SL_ENOMEM;
  double *b = aligned_alloc(128, (size_t)T * stride * sizeof *b);
  if (b == NULL) return SL_ENOMEM;
  free(a->buf);
  a->buf = b;
  a->T = T;
  a->stride = stride;
  return SL_OK;
}

void sl_tacc_free(sl_tacc *a) {
  free(a->buf);
  a->buf = NULL;
  a->T = 0;
}

const char *sl_cpu_kernel(void) {
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__) &&                             \
    !defined(__SANITIZE_ADDRESS__)
  /* the test GCC's target_clones resolver makes for "arch=x86-64-v3" */
  __builtin_cpu_init();
  return __builtin_cpu_supports("x86-64-v3") ? "x86-64-v3" : "x86-64";
#else
  return "portable";
#endif
}

int sl_obj_row_blocks(size_t rows, size_t work, size_t len) {
  static const int counts[] = {12, 8, 6, 4, 2};
  if (work < 32768) return 1;
  size_t cap = work / 64 / (len ? len : 1);
  if (cap > rows) cap = rows;
  for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++)
    if ((size_t)counts[k] <= cap) return counts[k];
  return 1;
}

int sl_data_threads(size_t work, int nb) {
  if (nb < 2 || work < SL_DATA_PAR_WORK) return 1;
  int T = omp_get_max_threads();
  return T < 1 ? 1 : T > nb ? nb : T;
}

void sl_tacc_sum(const sl_tacc *a, int T, size_t len, double *out) {
  for (size_t j = 0; j < len; j++) out[j] = a->buf[j];
  for (int t = 1; t < T; t++) sl_daxpy(len, out, 1.0, a->buf + (size_t)t * a->stride);
}

sl_status sl_xrows_set(sl_xrows *x, const sl_mat *Xd, const sl_csr *Xs, char *msg, size_t msglen) {
  x->dense = NULL;
  x->indptr = x->indices = NULL;
  x->values = NULL;
  if (Xd) {
    x->rows = Xd->rows;
    x->cols = Xd->cols;
    x->nnz = Xd->rows * Xd->cols;
    x->dense = Xd->data;
    for (size_t k = 0; k < x->nnz; k++)
      if (!isfinite(Xd->data[k])) {
        snprintf(msg, msglen, "X(%zu, %zu) is not finite", k / x->cols + 1, k % x->cols + 1);
        return SL_ENONFINITE;
      }
    return SL_OK;
  }
  x->rows = Xs->rows;
  x->cols = Xs->cols;
  x->nnz = Xs->nnz;
  x->indptr = Xs->indptr;
  x->indices = Xs->indices;
  x->values = Xs->values;
  for (size_t i = 0; i < Xs->rows; i++)
    for (size_t p = Xs->indptr[i]; p < Xs->indptr[i + 1]; p++)
      if (!isfinite(Xs->values[p])) {
        snprintf(msg, msglen, "X(%zu, %zu) is not finite", i + 1, Xs->indices[p] + 1);
        return SL_ENONFINITE;
      }
  return SL_OK;
}
