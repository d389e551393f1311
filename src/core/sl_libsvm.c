/*
** sl_libsvm.c — LIBSVM / svmlight reader: "label idx:val idx:val ... # comment"
** into a CSR matrix and a label vector. Indices are 1-based in the file and
** must be strictly ascending within a line; "qid:n" after the label is skipped.
** Errors name path:line:column (1-based byte of the offending token).
*/
#include <errno.h>
#include <stdarg.h>
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

/* The reader's state: where it is and how much it has allocated. */
typedef struct reader {
  const char *path;
  char *msg;
  size_t msglen;
  size_t features;               /* 0: the largest index seen */
  size_t lineno;                 /* 1-based, of the line being read */
  size_t pcap, icap, vcap, ycap; /* entries allocated for indptr, indices, values, y */
  size_t maxcol, nnz, rows;      /* largest index, entries and rows so far */
} reader;

static sl_status nomem(const reader *r) {
  return sl_data_fail(r->msg, r->msglen, SL_ENOMEM, "%s:%zu: out of memory or too large", r->path,
                      r->lineno);
}

/* Fail with "path:line:col: what". */
__attribute__((format(printf, 3, 4))) static sl_status bad(const reader *r, size_t col,
                                                           const char *fmt, ...) {
  char what[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  return sl_data_fail(r->msg, r->msglen, SL_EIO, "%s:%zu:%zu: %s", r->path, r->lineno, col, what);
}

/* One "index:value" token t (n bytes at column ts + 1) appended to the row;
   a "qid:n" before the first pair is skipped. *last: the previous index. */
static sl_status parse_pair(reader *r, sl_libsvm_result *out, const char *t, size_t n, size_t ts,
                            long long *last) {
  char q[48];
  const char *colon = memchr(t, ':', n);
  if (colon == NULL) {
    sl_data_quote(q, t, n);
    return bad(r, ts + 1, "'%s' has no ':' (expected index:value)", q);
  }
  size_t ilen = (size_t)(colon - t);
  if (ilen == 3 && memcmp(t, "qid", 3) == 0 && *last == 0) return SL_OK;
  long long idx;
  if (!parse_index(t, ilen, &idx)) {
    sl_data_quote(q, t, ilen);
    return bad(r, ts + 1, "index '%s' is not an integer", q);
  }
  if (idx <= 0) return bad(r, ts + 1, "index %lld is not positive (indices are 1-based)", idx);
  if (idx <= *last)
    return bad(r, ts + 1, "index %lld after %lld (indices must be ascending)", idx, *last);
  if (r->features && (size_t)idx > r->features)
    return bad(r, ts + 1, "index %lld exceeds features = %zu", idx, r->features);
  if ((size_t)idx > SL_MAX_ENTRIES) return bad(r, ts + 1, "index %lld too large", idx);
  double v;
  size_t vlen = n - ilen - 1;
  if (!parse_num(colon + 1, vlen, &v)) {
    sl_data_quote(q, colon + 1, vlen);
    return bad(r, ts + ilen + 2, "value '%s' is not a number", q);
  }
  if (sl_data_grow((void **)&out->X.indices, &r->icap, r->nnz + 1, sizeof(size_t)) != SL_OK ||
      sl_data_grow((void **)&out->X.values, &r->vcap, r->nnz + 1, sizeof(double)) != SL_OK)
    return nomem(r);
  out->X.indices[r->nnz] = (size_t)(idx - 1);
  out->X.values[r->nnz] = v;
  r->nnz++;
  if ((size_t)idx > r->maxcol) r->maxcol = (size_t)idx;
  *last = idx;
  return SL_OK;
}

/* One line (comment and end of line cut off): the label and its pairs as a
   row; a blank line adds none. */
static sl_status parse_line(reader *r, sl_libsvm_result *out, const char *line, size_t len) {
  size_t pos = 0, ts, tn = next_token(line, len, &pos, &ts);
  if (tn == 0) return SL_OK; /* blank or comment-only line */
  double label;
  if (!parse_num(line + ts, tn, &label)) {
    char q[48];
    sl_data_quote(q, line + ts, tn);
    return bad(r, ts + 1, "label '%s' is not a number", q);
  }
  long long last = 0;
  sl_status st;
  while ((tn = next_token(line, len, &pos, &ts)) > 0)
    if ((st = parse_pair(r, out, line + ts, tn, ts, &last)) != SL_OK) return st;
  if (sl_data_grow((void **)&out->y, &r->ycap, r->rows + 1, sizeof(double)) != SL_OK ||
      sl_data_grow((void **)&out->X.indptr, &r->pcap, r->rows + 2, sizeof(size_t)) != SL_OK)
    return nomem(r);
  out->y[r->rows++] = label;
  out->X.indptr[r->rows] = r->nnz;
  return SL_OK;
}

/* After the last line: shapes, and at least one allocated entry each. */
static sl_status finish(reader *r, FILE *fp, sl_libsvm_result *out) {
  if (ferror(fp))
    return sl_data_fail(r->msg, r->msglen, SL_EIO, "%s: read error: %s", r->path, strerror(errno));
  if (!out->y && (out->y = malloc(sizeof(double))) == NULL) return nomem(r);
  if (!out->X.indices && (out->X.indices = malloc(sizeof(size_t))) == NULL) return nomem(r);
  if (!out->X.values && (out->X.values = malloc(sizeof(double))) == NULL) return nomem(r);
  out->X.rows = out->rows = r->rows;
  out->X.cols = r->features ? r->features : r->maxcol;
  out->X.nnz = r->nnz;
  return SL_OK;
}

sl_status sl_libsvm_read(const char *path, size_t features, sl_libsvm_result *out, char *msg,
                         size_t msglen) {
  memset(out, 0, sizeof *out);
  if (features > SL_MAX_ENTRIES)
    return sl_data_fail(msg, msglen, SL_EINVAL, "%s: features too large", path);
  FILE *fp = fopen(path, "rb");
  if (fp == NULL)
    return sl_data_fail(msg, msglen, SL_EIO, "%s: cannot open: %s", path, strerror(errno));
  reader r = {.path = path, .msg = msg, .msglen = msglen, .features = features};
  sl_status st = SL_OK;
  char *line = NULL;
  size_t linecap = 0;
  ssize_t got;
  if (sl_data_grow((void **)&out->X.indptr, &r.pcap, 1, sizeof(size_t)) != SL_OK)
    st = nomem(&r);
  else
    out->X.indptr[0] = 0;
  while (st == SL_OK && (got = getline(&line, &linecap, fp)) >= 0) {
    size_t len = (size_t)got;
    r.lineno++;
    char *hash = memchr(line, '#', len);
    if (hash) len = (size_t)(hash - line);
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
    st = parse_line(&r, out, line, len);
  }
  if (st == SL_OK) st = finish(&r, fp, out);
  free(line);
  fclose(fp);
  if (st != SL_OK) sl_libsvm_result_free(out);
  return st;
}
