/*
** fuzz_libsvm.c — libFuzzer harness for sl_libsvm_read. Byte 0 picks the
** column count: with its high bit set, features = its low 7 bits (an index
** above it is refused), else features = 0 (the largest index seen); the rest
** is the file. Any refusal is fine; a crash, leak, hang, unclosed file or a
** CSR matrix that is not well formed is a finding. A file read whole is also
** read in 2..4 parts (sl_libsvm_read_part, as MPI ranks do): every part must
** read, and the parts in order must hold the whole's rows, labels and entries.
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

/* The parts of the file, read one by one, against the whole read w. */
static void check_parts(const char *path, size_t features, size_t nparts,
                        const sl_libsvm_result *w) {
  size_t row = 0, k = 0;
  for (size_t part = 0; part < nparts; part++) {
    char msg[SL_DATA_MSGLEN];
    sl_libsvm_result r;
    if (sl_libsvm_read_part(path, features, part, nparts, &r, msg, sizeof msg) != SL_OK) abort();
    check_result(&r, features);
    for (size_t i = 0; i < r.rows; i++, row++) {
      if (row >= w->rows || memcmp(&r.y[i], &w->y[row], sizeof(double)) != 0) abort();
      size_t n = r.X.indptr[i + 1] - r.X.indptr[i];
      if (n != w->X.indptr[row + 1] - w->X.indptr[row]) abort();
      for (size_t j = r.X.indptr[i]; j < r.X.indptr[i + 1]; j++, k++)
        if (r.X.indices[j] != w->X.indices[k] ||
            memcmp(&r.X.values[j], &w->X.values[k], sizeof(double)) != 0)
          abort();
    }
    sl_libsvm_result_free(&r);
  }
  if (row != w->rows || k != w->X.nnz) abort();
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
    check_parts(path, features, 2 + size % 3, &r);
    sl_libsvm_result_free(&r);
  } else {
    fuzz_check_refusal(st, msg, sizeof msg, path);
  }
  fuzz_check_fds(fds);
  return 0;
}
