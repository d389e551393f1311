/*
** sl_data.c — shared reader helpers (messages, quoting, growth) and the data
** transforms: column statistics, standardization, one-hot rows, row gathers.
*/
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
