/*
** fuzz_npy.c — libFuzzer harness for the .npy reader: sl_npy_open, then
** sl_npy_read_data into h.count doubles, then sl_npy_close (twice: it is
** idempotent). The whole input is the file. Any refusal is fine; a crash,
** leak, hang, unclosed file or a header that breaks sl_data.h's contract
** (ndim 1 or 2, count = rows x cols, a supported dtype) is a finding. After a
** whole read, a range of rows chosen from the input's length is read again
** (sl_npy_read_rows, as MPI ranks read their shards) and must match it.
*/
#include "fuzz_input.h"
#include "sl_data.h"

static void check_header(const sl_npy *h) {
  if (!h->f || (h->ndim != 1 && h->ndim != 2) || (h->ndim == 1 && h->shape[1] != 1)) abort();
  if (h->count != h->shape[0] * h->shape[1]) abort();
  if (!strchr("fiub", h->kind) || h->kind == '\0') abort();
  if (h->itemsize != 1 && h->itemsize != 2 && h->itemsize != 4 && h->itemsize != 8) abort();
  if (h->data_offset < 10 || memchr(h->descr, '\0', sizeof h->descr) == NULL) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_write(data, size);
  int fds = fuzz_fds();
  char msg[SL_DATA_MSGLEN];
  msg[0] = '\0';
  sl_npy h;
  memset(&h, 0, sizeof h);
  sl_status st = sl_npy_open(path, &h, msg, sizeof msg);
  if (st != SL_OK) {
    fuzz_check_refusal(st, msg, sizeof msg, path);
  } else {
    check_header(&h);
    /* the file length matched shape x itemsize, so count is bounded by the input */
    if (h.count > size) abort();
    double *out = malloc((h.count ? h.count : 1) * sizeof(double));
    if (!out) abort();
    msg[0] = '\0';
    st = sl_npy_read_data(&h, out, msg, sizeof msg);
    if (st == SL_OK) {
      volatile double sink = 0;
      for (size_t i = 0; i < h.count; i++) sink += out[i];
      (void)sink;
      size_t rows = h.shape[0], cols = h.shape[1];
      size_t lo = rows ? size % (rows + 1) : 0, n = rows - lo ? (size / 7) % (rows - lo + 1) : 0;
      double *part = malloc((n * cols ? n * cols : 1) * sizeof(double));
      if (!part) abort();
      if (sl_npy_read_rows(&h, lo, n, part, msg, sizeof msg) != SL_OK) abort();
      if (n && memcmp(part, out + lo * cols, n * cols * sizeof(double)) != 0) abort();
      free(part);
    } else {
      fuzz_check_refusal(st, msg, sizeof msg, path);
    }
    free(out);
    sl_npy_close(&h);
    sl_npy_close(&h);
  }
  fuzz_check_fds(fds);
  return 0;
}
