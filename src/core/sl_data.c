/*
** sl_data.c — shared reader helpers (messages, quoting, growth, the file in
** memory and its blocks of lines) and the data transforms: column statistics,
** standardization, one-hot rows, row gathers.
*/
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sl_data.h"
#include "sl_data_priv.h"

sl_status sl_data_fail(char *msg, size_t msglen, sl_status st, const char *fmt, ...) {
  if (msg && msglen > 0) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, msglen, fmt, ap);
    va_end(ap);
  }
  return st;
}

void sl_data_quote(char *dst, const char *s, size_t n) {
  size_t m = n > 40 ? 40 : n, k = 0;
  for (size_t i = 0; i < m; i++) {
    unsigned char c = (unsigned char)s[i];
    dst[k++] = (c >= 32 && c < 127) ? (char)c : '?';
  }
  if (n > m) {
    memcpy(dst + k, "...", 3);
    k += 3;
  }
  dst[k] = '\0';
}

sl_status sl_data_grow(void **p, size_t *cap, size_t need, size_t elsize) {
  if (need <= *cap) return SL_OK;
  if (need > SL_MAX_ENTRIES) return SL_ENOMEM;
  size_t nc = *cap < 16 ? 16 : *cap;
  while (nc < need) nc = nc > SL_MAX_ENTRIES / 2 ? SL_MAX_ENTRIES : nc * 2;
  void *q = realloc(*p, nc * elsize);
  if (q == NULL) return SL_ENOMEM;
  *p = q;
  *cap = nc;
  return SL_OK;
}

/* The rest of a file that cannot be mapped, read in growing blocks. */
static sl_status read_all(int fd, const char *path, sl_textfile *f, char *msg, size_t msglen) {
  size_t cap = 0, n = 0;
  char *b = NULL;
  for (;;) {
    if (n == cap) {
      size_t nc = cap ? cap * 2 : (size_t)1 << 16;
      char *q = nc > cap ? realloc(b, nc) : NULL;
      if (q == NULL) {
        free(b);
        return sl_data_fail(msg, msglen, SL_ENOMEM, "%s: out of memory or too large", path);
      }
      b = q;
      cap = nc;
    }
    ssize_t got = read(fd, b + n, cap - n);
    if (got == 0) break;
    if (got < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      free(b);
      return sl_data_fail(msg, msglen, SL_EIO, "%s: read error: %s", path, strerror(e));
    }
    n += (size_t)got;
  }
  f->buf = b;
  f->p = b;
  f->n = n;
  return SL_OK;
}

sl_status sl_data_load(const char *path, sl_textfile *f, char *msg, size_t msglen) {
  memset(f, 0, sizeof *f);
  f->p = "";
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return sl_data_fail(msg, msglen, SL_EIO, "%s: cannot open: %s", path, strerror(errno));
  struct stat sb;
  sl_status st = SL_OK;
  /* MAP_POPULATE: a file in the page cache is mapped in one call instead of
     one fault per page. A regular file of size 0 may be a /proc file: read it. */
  if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0 &&
      (unsigned long long)sb.st_size < (unsigned long long)SIZE_MAX) {
    void *m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (m != MAP_FAILED) {
      f->map = m;
      f->p = m;
      f->n = (size_t)sb.st_size;
    }
  }
  if (f->map == NULL) st = read_all(fd, path, f, msg, msglen);
  close(fd);
  return st;
}

void sl_data_unload(sl_textfile *f) {
  if (f->map) munmap(f->map, f->n);
  free(f->buf);
  memset(f, 0, sizeof *f);
  f->p = "";
}

void sl_data_hugepages(void *p, size_t bytes) {
#ifdef MADV_HUGEPAGE
  const uintptr_t huge = (uintptr_t)2 << 20;
  uintptr_t a = ((uintptr_t)p + huge - 1) & ~(huge - 1), e = ((uintptr_t)p + bytes) & ~(huge - 1);
  if (bytes >= 2 * huge && e > a) madvise((void *)a, e - a, MADV_HUGEPAGE);
#else
  (void)p;
  (void)bytes;
#endif
}

size_t sl_data_blocks(const char *p, size_t n, size_t from, sl_block **out) {
  size_t rest = from < n ? n - from : 0;
  size_t nb = rest < SL_DATA_SERIAL ? 1 : (rest + SL_DATA_BLOCK - 1) / SL_DATA_BLOCK;
  sl_block *b = malloc(nb * sizeof *b);
  if (b == NULL) return 0;
  size_t k = 0, lo = from;
  for (size_t i = 1; i <= nb && lo < n; i++) {
    size_t hi = n;
    if (i < nb) {
      size_t c =
          from + i * SL_DATA_BLOCK; /* the block ends after the first '\n' at or past c - 1 */
      if (c < lo + 1) c = lo + 1;
      const char *nl = c - 1 < n ? memchr(p + c - 1, '\n', n - (c - 1)) : NULL;
      hi = nl ? (size_t)(nl - p) + 1 : n;
    }
    b[k++] = (sl_block){lo, hi};
    lo = hi;
  }
  if (k == 0) b[k++] = (sl_block){lo, lo};
  *out = b;
  return k;
}

sl_status sl_lineerr_set(sl_lineerr *e, sl_status st, size_t line, size_t col, const char *fmt,
                         ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e->what, sizeof e->what, fmt, ap);
  va_end(ap);
  e->st = st;
  e->line = line;
  e->col = col;
  return st;
}

void sl_data_note_fail(size_t *first_bad, size_t k) {
  size_t cur = __atomic_load_n(first_bad, __ATOMIC_RELAXED);
  while (k < cur &&
         !__atomic_compare_exchange_n(first_bad, &cur, k, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
  }
}

int sl_data_stop(const size_t *first_bad, size_t k) {
  return __atomic_load_n(first_bad, __ATOMIC_RELAXED) < k;
}

/* Two passes per column (mean, then squared deviations): stable and exact
   enough for standardization; rows are read in order so results do not
   depend on threads. */
void sl_data_colstats(const sl_mat *x, double *mean, double *scale) {
  size_t n = x->rows, d = x->cols;
  for (size_t j = 0; j < d; j++) mean[j] = scale[j] = 0.0;
  if (n == 0) {
    for (size_t j = 0; j < d; j++) scale[j] = 1.0;
    return;
  }
  for (size_t i = 0; i < n; i++) {
    const double *r = x->data + i * d;
    for (size_t j = 0; j < d; j++) mean[j] += r[j];
  }
  for (size_t j = 0; j < d; j++) mean[j] /= (double)n;
  for (size_t i = 0; i < n; i++) {
    const double *r = x->data + i * d;
    for (size_t j = 0; j < d; j++) {
      double t = r[j] - mean[j];
      scale[j] += t * t;
    }
  }
  for (size_t j = 0; j < d; j++) {
    double s = sqrt(scale[j] / (double)n);
    scale[j] = (s > 0.0) ? s : 1.0; /* constant column (or NaN stays NaN) */
    if (isnan(s)) scale[j] = s;
  }
}

void sl_data_standardize(const sl_mat *x, const double *mean, const double *scale, sl_mat *out) {
  size_t n = x->rows, d = x->cols;
  for (size_t i = 0; i < n; i++) {
    const double *r = x->data + i * d;
    double *o = out->data + i * d;
    for (size_t j = 0; j < d; j++) o[j] = (r[j] - mean[j]) / scale[j];
  }
}

sl_status sl_data_onehot(size_t n, const double *y, size_t k, sl_mat *out, size_t *bad) {
  for (size_t i = 0; i < n; i++) {
    double v = y[i];
    if (!(v >= 0.0 && v < (double)k && v == floor(v))) {
      *bad = i;
      return SL_EINVAL;
    }
    out->data[i * k + (size_t)v] = 1.0;
  }
  return SL_OK;
}

void sl_data_gather_rows(const sl_mat *x, const size_t *idx, size_t m, sl_mat *out) {
  size_t d = x->cols;
  for (size_t r = 0; r < m; r++)
    if (d) memcpy(out->data + r * d, x->data + idx[r] * d, d * sizeof(double));
}

sl_status sl_data_gather_csr(const sl_csr *x, const size_t *idx, size_t m, sl_csr *out) {
  size_t nnz = 0;
  for (size_t r = 0; r < m; r++) nnz += x->indptr[idx[r] + 1] - x->indptr[idx[r]];
  memset(out, 0, sizeof *out);
  if (sl_csr_alloc(out, m, x->cols, nnz) != SL_OK) return SL_ENOMEM;
  size_t p = 0;
  for (size_t r = 0; r < m; r++) {
    size_t a = x->indptr[idx[r]], b = x->indptr[idx[r] + 1];
    if (b > a) {
      memcpy(out->indices + p, x->indices + a, (b - a) * sizeof(size_t));
      memcpy(out->values + p, x->values + a, (b - a) * sizeof(double));
    }
    p += b - a;
    out->indptr[r + 1] = p;
  }
  return SL_OK;
}
