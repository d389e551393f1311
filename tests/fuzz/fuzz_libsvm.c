/*
** fuzz_libsvm.c — libFuzzer harness for sl_libsvm_read. Byte 0 picks the
** column count: with its high bit set, features = its low 7 bits (an index
** above it is refused), else features = 0 (the largest index seen); the rest
** is the file. Any refusal is fine; a crash, leak, hang, unclosed file or a
** CSR matrix that is not well formed is a finding.
*/
#include "fuzz_input.h"
#include "sl_data.h"

/* The CSR structure checked and every entry read once. */
static void check_result(const sl_libsvm_result *r, size_t features) {
  const sl_csr *X = &r->X;
  if (X->rows != r->rows || !X->indptr || !X->indices || !X->values || !r->y) abort();
  if (features && X->cols != features) abort();
  if (X->indptr[0] != 0 || X->indptr[X->rows] != X->nnz) abort();
  volatile double sink = 0;
  for (size_t i = 0; i < X->rows; i++) {
    if (X->indptr[i] > X->indptr[i + 1]) abort();
    for (size_t k = X->indptr[i]; k < X->indptr[i + 1]; k++) {
      if (X->indices[k] >= X->cols) abort();
      if (k > X->indptr[i] && X->indices[k] <= X->indices[k - 1]) abort();
      sink += X->values[k];
    }
    sink += r->y[i];
  }
  (void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  size_t features = (data[0] & 0x80) ? (size_t)(data[0] & 0x7f) : 0;
  const char *path = fuzz_write(data + 1, size - 1);
  int fds = fuzz_fds();
  char msg[SL_DATA_MSGLEN];
  msg[0] = '\0';
  sl_libsvm_result r;
  sl_status st = sl_libsvm_read(path, features, &r, msg, sizeof msg);
  if (st == SL_OK) {
    check_result(&r, features);
    sl_libsvm_result_free(&r);
  } else {
    fuzz_check_refusal(st, msg, sizeof msg, path);
  }
  fuzz_check_fds(fds);
  return 0;
}
