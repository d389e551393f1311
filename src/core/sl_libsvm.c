/*
** sl_libsvm.c — LIBSVM / svmlight reader: "label idx:val idx:val ... # comment"
** into a CSR matrix and a label vector. Indices are 1-based in the file and
** must be strictly ascending within a line; "qid:n" after the label is skipped.
** Errors name path:line:column (1-based byte of the offending token).
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_data.h"
#include "sl_data_priv.h"

void sl_libsvm_result_free(sl_libsvm_result *r) {
  free(r->X.indptr);
  free(r->X.indices);
  free(r->X.values);
  free(r->y);
  memset(r, 0, sizeof *r);
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

/* Next whitespace-separated token in s[*pos..len): start and length, 0 when none. */
static size_t next_token(const char *s, size_t len, size_t *pos, size_t *start) {
  size_t p = *pos;
  while (p < len && is_space(s[p])) p++;
  *start = p;
  while (p < len && !is_space(s[p])) p++;
  *pos = p;
  return p - *start;
}

/* Parse a whole token [s, s+n) as a double (token is copied so strtod cannot run past it). */
static int parse_num(const char *s, size_t n, double *v) {
  char buf[128];
  if (n == 0 || n >= sizeof buf) return 0;
  memcpy(buf, s, n);
  buf[n] = '\0';
  char *end;
  *v = strtod(buf, &end);
  return end == buf + n;
}

/* A decimal integer, optional sign; 0 on junk or overflow past SL_MAX_ENTRIES. */
static int parse_index(const char *s, size_t n, long long *v) {
  size_t i = 0;
  int neg = 0;
  if (n > 0 && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    i = 1;
  }
  if (i == n) return 0;
  unsigned long long x = 0;
  for (; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return 0;
    x = x * 10 + (unsigned long long)(s[i] - '0');
    if (x > (unsigned long long)SL_MAX_ENTRIES * 4) return 0;
  }
  *v = neg ? -(long long)x : (long long)x;
  return 1;
}

#define FAIL(...)                                                                                  \
  do {                                                                                             \
    st = sl_data_fail(msg, msglen, SL_EIO, __VA_ARGS__);                                           \
    goto fail;                                                                                     \
  } while (0)

sl_status sl_libsvm_read(const char *path, size_t features, sl_libsvm_result *out, char *msg,
                         size_t msglen) {
  memset(out, 0, sizeof *out);
  if (features > SL_MAX_ENTRIES)
    return sl_data_fail(msg, msglen, SL_EINVAL, "%s: features too large", path);
  FILE *fp = fopen(path, "rb");
  if (fp == NULL)
    return sl_data_fail(msg, msglen, SL_EIO, "%s: cannot open: %s", path, strerror(errno));
  sl_status st = SL_OK;
  char *line = NULL, q[48];
  size_t linecap = 0, lineno = 0, pcap = 0, icap = 0, vcap = 0, ycap = 0, maxcol = 0;
  size_t nnz = 0, rows = 0;
  ssize_t got;
  /* indptr[0] = 0 */
  if (sl_data_grow((void **)&out->X.indptr, &pcap, 1, sizeof(size_t)) != SL_OK) goto nomem;
  out->X.indptr[0] = 0;
  while ((got = getline(&line, &linecap, fp)) >= 0) {
    size_t len = (size_t)got;
    lineno++;
    char *hash = memchr(line, '#', len);
    if (hash) len = (size_t)(hash - line);
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
    size_t pos = 0, ts, tn;
    tn = next_token(line, len, &pos, &ts);
    if (tn == 0) continue; /* blank or comment-only line */
    double label;
    if (!parse_num(line + ts, tn, &label)) {
      sl_data_quote(q, line + ts, tn);
      FAIL("%s:%zu:%zu: label '%s' is not a number", path, lineno, ts + 1, q);
    }
    long long last = 0;
    while ((tn = next_token(line, len, &pos, &ts)) > 0) {
      const char *t = line + ts;
      const char *colon = memchr(t, ':', tn);
      if (colon == NULL) {
        sl_data_quote(q, t, tn);
        FAIL("%s:%zu:%zu: '%s' has no ':' (expected index:value)", path, lineno, ts + 1, q);
      }
      size_t ilen = (size_t)(colon - t);
      if (ilen == 3 && memcmp(t, "qid", 3) == 0 && last == 0) continue;
      long long idx;
      if (!parse_index(t, ilen, &idx)) {
        sl_data_quote(q, t, ilen);
        FAIL("%s:%zu:%zu: index '%s' is not an integer", path, lineno, ts + 1, q);
      }
      if (idx <= 0)
        FAIL("%s:%zu:%zu: index %lld is not positive (indices are 1-based)", path, lineno, ts + 1,
             idx);
      if (idx <= last)
        FAIL("%s:%zu:%zu: index %lld after %lld (indices must be ascending)", path, lineno, ts + 1,
             idx, last);
      if (features && (size_t)idx > features)
        FAIL("%s:%zu:%zu: index %lld exceeds features = %zu", path, lineno, ts + 1, idx, features);
      if ((size_t)idx > SL_MAX_ENTRIES)
        FAIL("%s:%zu:%zu: index %lld too large", path, lineno, ts + 1, idx);
      double v;
      size_t vlen = tn - ilen - 1;
      if (!parse_num(colon + 1, vlen, &v)) {
        sl_data_quote(q, colon + 1, vlen);
        FAIL("%s:%zu:%zu: value '%s' is not a number", path, lineno, ts + ilen + 2, q);
      }
      if (sl_data_grow((void **)&out->X.indices, &icap, nnz + 1, sizeof(size_t)) != SL_OK ||
          sl_data_grow((void **)&out->X.values, &vcap, nnz + 1, sizeof(double)) != SL_OK)
        goto nomem;
      out->X.indices[nnz] = (size_t)(idx - 1);
      out->X.values[nnz] = v;
      nnz++;
      if ((size_t)idx > maxcol) maxcol = (size_t)idx;
      last = idx;
    }
    if (sl_data_grow((void **)&out->y, &ycap, rows + 1, sizeof(double)) != SL_OK ||
        sl_data_grow((void **)&out->X.indptr, &pcap, rows + 2, sizeof(size_t)) != SL_OK)
      goto nomem;
    out->y[rows++] = label;
    out->X.indptr[rows] = nnz;
  }
  if (ferror(fp)) FAIL("%s: read error: %s", path, strerror(errno));
  if (!out->y && (out->y = malloc(sizeof(double))) == NULL) goto nomem;
  if (!out->X.indices && (out->X.indices = malloc(sizeof(size_t))) == NULL) goto nomem;
  if (!out->X.values && (out->X.values = malloc(sizeof(double))) == NULL) goto nomem;
  out->X.rows = out->rows = rows;
  out->X.cols = features ? features : maxcol;
  out->X.nnz = nnz;
  free(line);
  fclose(fp);
  return SL_OK;
nomem:
  st = sl_data_fail(msg, msglen, SL_ENOMEM, "%s:%zu: out of memory or too large", path, lineno);
fail:
  free(line);
  fclose(fp);
  sl_libsvm_result_free(out);
  return st;
}
