/*
** sl_libsvm.c — LIBSVM / svmlight reader: "label idx:val idx:val ... # comment"
** into a CSR matrix and a label vector. Indices are 1-based in the file and
** must be strictly ascending within a line; "qid:n" after the label is skipped.
** The file is mapped and cut into blocks of lines; OpenMP threads first count
** each block's rows and ':' (an upper bound on its entries), then parse each
** block straight into its part of the final arrays (as sl_csv.c). Errors name
** path:line:column (1-based byte of the offending token); with several bad
** lines the first in the file is reported, whatever the thread count.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_data.h"
#include "sl_data_priv.h"
#include "sl_parse_num.h"

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

/* A whole token [s, s+n) as a double, as strtod reads it. */
static int parse_num(const char *s, size_t n, double *v) {
  return n <= SL_DATA_MAX_FIELD && sl_parse_num(s, n, v);
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

/* One block of lines: counted first (rows, and an upper bound on entries:
   the ':' outside comments, at most a quarter of each line), then parsed into the final arrays from
   row r0 and entry z0 on; nnz entries are used of the zcap reserved. */
typedef struct svm_block {
  size_t lo, hi;
  size_t lines, rows, r0, zcap, z0, nnz, maxcol;
  sl_lineerr err;
} svm_block;

/* What every block shares (read-only while threads run). */
typedef struct svm {
  const char *path, *p;
  size_t n, features;
  size_t *indptr, *idx; /* indptr[r + 1] holds row r's end within its block until fixed */
  double *val, *y;
} svm;

/* Fail with "col: what" at the current line (formatted with the path later). */
__attribute__((format(printf, 4, 5))) static sl_status bad(svm_block *b, size_t line, size_t col,
                                                           const char *fmt, ...) {
  char what[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  return sl_lineerr_set(&b->err, SL_EIO, line, col, "%s", what);
}

/* Room for one more entry in the block's reserved range. */
static sl_status room(svm_block *b, size_t line) {
  if (b->nnz < b->zcap) return SL_OK; /* only a file written meanwhile gets past its count */
  return sl_lineerr_set(&b->err, SL_EIO, line, 0, "the file changed while it was read");
}

/* An index past the checks of parse_pair: ascending, within features. */
static sl_status check_index(const svm *c, svm_block *b, size_t line, size_t col, long long idx,
                             long long last) {
  if (idx <= 0) return bad(b, line, col, "index %lld is not positive (indices are 1-based)", idx);
  if (idx <= last)
    return bad(b, line, col, "index %lld after %lld (indices must be ascending)", idx, last);
  if (c->features && (size_t)idx > c->features)
    return bad(b, line, col, "index %lld exceeds features = %zu", idx, c->features);
  if ((size_t)idx > SL_MAX_ENTRIES) return bad(b, line, col, "index %lld too large", idx);
  return SL_OK;
}

static void push(const svm *c, svm_block *b, long long idx, double v, long long *last) {
  c->idx[b->z0 + b->nnz] = (size_t)(idx - 1);
  c->val[b->z0 + b->nnz] = v;
  b->nnz++;
  if ((size_t)idx > b->maxcol) b->maxcol = (size_t)idx;
  *last = idx;
}

/* One "index:value" token t (n bytes at column ts + 1) appended to the row;
   a "qid:n" before the first pair is skipped. *last: the previous index. */
static sl_status parse_pair(const svm *c, svm_block *b, size_t line, const char *t, size_t n,
                            size_t ts, long long *last) {
  char q[48];
  const char *colon = memchr(t, ':', n);
  if (colon == NULL) {
    sl_data_quote(q, t, n);
    return bad(b, line, ts + 1, "'%s' has no ':' (expected index:value)", q);
  }
  size_t ilen = (size_t)(colon - t);
  if (ilen == 3 && memcmp(t, "qid", 3) == 0 && *last == 0) return SL_OK;
  long long idx;
  if (!parse_index(t, ilen, &idx)) {
    sl_data_quote(q, t, ilen);
    return bad(b, line, ts + 1, "index '%s' is not an integer", q);
  }
  sl_status st = check_index(c, b, line, ts + 1, idx, *last);
  if (st != SL_OK) return st;
  double v;
  size_t vlen = n - ilen - 1;
  if (vlen > SL_DATA_MAX_FIELD)
    return bad(b, line, ts + ilen + 2, "value longer than %d bytes", SL_DATA_MAX_FIELD);
  if (!parse_num(colon + 1, vlen, &v)) {
    sl_data_quote(q, colon + 1, vlen);
    return bad(b, line, ts + ilen + 2, "value '%s' is not a number", q);
  }
  if (room(b, line) != SL_OK) return b->err.st;
  push(c, b, idx, v, last);
  return SL_OK;
}

/* The common pair "123:0.5" parsed in one pass; 0 sends the token to
   parse_pair (anything else, including every error). */
static int fast_pair(const svm *c, const char *s, size_t len, size_t *pos, long long last,
                     long long *idx, double *v) {
  size_t p = *pos;
  unsigned long long x = 0;
  size_t d0 = p;
  while (p < len && s[p] >= '0' && s[p] <= '9' && p - d0 < 10)
    x = x * 10 + (unsigned)(s[p++] - '0');
  if (p == d0 || p >= len || s[p] != ':') return 0;
  if (x == 0 || (long long)x <= last || x > SL_MAX_ENTRIES || (c->features && x > c->features))
    return 0;
  const char *e = sl_parse_num_prefix(s + p + 1, s + len, v);
  if (e == NULL || (e < s + len && !is_space(*e)) || (size_t)(e - (s + p + 1)) > SL_DATA_MAX_FIELD)
    return 0;
  *idx = (long long)x;
  *pos = (size_t)(e - s);
  return 1;
}

/* One line (comment and end of line cut off): the label and its pairs as
   row *r of the block; a blank line adds none. */
static sl_status parse_line(const svm *c, svm_block *b, size_t line, const char *s, size_t len,
                            size_t *r) {
  size_t pos = 0, ts, tn;
  while (pos < len && is_space(s[pos])) pos++;
  if (pos == len) return SL_OK; /* blank or comment-only line */
  double label;
  const char *e = sl_parse_num_prefix(s + pos, s + len, &label);
  if (e && (e == s + len || is_space(*e)) && (size_t)(e - (s + pos)) <= SL_DATA_MAX_FIELD) {
    pos = (size_t)(e - s);
  } else {
    tn = next_token(s, len, &pos, &ts);
    char q[48];
    if (tn > SL_DATA_MAX_FIELD)
      return bad(b, line, ts + 1, "label longer than %d bytes", SL_DATA_MAX_FIELD);
    if (!parse_num(s + ts, tn, &label)) {
      sl_data_quote(q, s + ts, tn);
      return bad(b, line, ts + 1, "label '%s' is not a number", q);
    }
  }
  long long last = 0, idx;
  double v;
  sl_status st;
  for (;;) {
    while (pos < len && is_space(s[pos])) pos++;
    if (pos == len) break;
    if (fast_pair(c, s, len, &pos, last, &idx, &v)) {
      if (room(b, line) != SL_OK) return b->err.st;
      push(c, b, idx, v, &last);
      continue;
    }
    tn = next_token(s, len, &pos, &ts);
    if ((st = parse_pair(c, b, line, s + ts, tn, ts, &last)) != SL_OK) return st;
  }
  if (*r == b->rows)
    return sl_lineerr_set(&b->err, SL_EIO, line, 0, "the file changed while it was read");
  c->y[b->r0 + *r] = label;
  c->indptr[b->r0 + *r + 1] = b->nnz;
  (*r)++;
  return SL_OK;
}

/* The line at [pos, hi) without its comment: s[0..*len); returns the next line's start. */
static size_t line_at(const char *p, size_t pos, size_t hi, const char **s, size_t *len) {
  *s = p + pos;
  const char *nl = memchr(*s, '\n', hi - pos);
  size_t n = nl ? (size_t)(nl - *s) : hi - pos;
  const char *hash = memchr(*s, '#', n);
  *len = hash ? (size_t)(hash - *s) : n;
  return pos + n + (nl != NULL);
}

/* The ':' in s[0..n), 255 bytes at a time in byte-wide vector lanes. */
static size_t count_colons(const char *s, size_t n) {
  size_t total = 0;
  while (n > 0) {
    size_t m = n < 255 ? n : 255;
    unsigned char k = 0;
#pragma omp simd reduction(+ : k)
    for (size_t j = 0; j < m; j++) k += s[j] == ':';
    total += k;
    s += m;
    n -= m;
  }
  return total;
}

/* Phase 1 for block b: lines, rows (lines with a token) and the ':' in them. */
static void count_block(const svm *c, svm_block *b) {
  size_t pos = b->lo, lines = 0, rows = 0, colons = 0;
  while (pos < b->hi) {
    const char *s;
    size_t len, i = 0;
    pos = line_at(c->p, pos, b->hi, &s, &len);
    lines++;
    while (i < len && is_space(s[i])) i++;
    if (i == len) continue;
    rows++;
    /* a pair takes 3 bytes and a separator after the label: at most len / 4
       of them, however many ':' a malformed line holds */
    size_t k = count_colons(s + i, len - i);
    colons += k < len / 4 ? k : len / 4;
  }
  b->lines = lines;
  b->rows = rows;
  b->zcap = colons;
}

/* Phase 2 for block k: its rows into the arrays from row r0 and entry z0 on. */
static void read_block(const svm *c, svm_block *b, size_t k, size_t *first_bad) {
  size_t pos = b->lo, r = 0, line = 0;
  for (; pos < b->hi; line++) {
    const char *s;
    size_t len;
    pos = line_at(c->p, pos, b->hi, &s, &len);
    if ((line & 1023) == 0 && sl_data_stop(first_bad, k)) return;
    if (parse_line(c, b, line, s, len, &r) != SL_OK) break;
  }
  if (b->err.st == SL_OK && r != b->rows)
    sl_lineerr_set(&b->err, SL_EIO, line ? line - 1 : 0, 0, "the file changed while it was read");
  if (b->err.st != SL_OK) sl_data_note_fail(first_bad, k);
}

/* Entries were reserved by counting ':' (a "qid:" is counted and skipped):
   close the gaps, in file order, and turn the blocks' row ends into indptr. */
static size_t close_gaps(svm *c, svm_block *blk, size_t nb) {
  size_t z = 0;
  for (size_t k = 0; k < nb; k++) {
    svm_block *b = &blk[k];
    if (z != b->z0 && b->nnz) {
      memmove(c->idx + z, c->idx + b->z0, b->nnz * sizeof *c->idx);
      memmove(c->val + z, c->val + b->z0, b->nnz * sizeof *c->val);
    }
    for (size_t i = 1; i <= b->rows; i++) c->indptr[b->r0 + i] += z;
    z += b->nnz;
  }
  return z;
}

/* The first line starting at or after byte pos (0 and n are line starts). */
static size_t line_start(const char *p, size_t n, size_t pos) {
  if (pos == 0 || pos >= n) return pos < n ? pos : n;
  const char *nl = memchr(p + pos - 1, '\n', n - (pos - 1));
  return nl ? (size_t)(nl - p) + 1 : n;
}

sl_status sl_libsvm_read(const char *path, size_t features, sl_libsvm_result *out, char *msg,
                         size_t msglen) {
  return sl_libsvm_read_part(path, features, 0, 1, out, msg, msglen);
}

sl_status sl_libsvm_read_part(const char *path, size_t features, size_t part, size_t nparts,
                              sl_libsvm_result *out, char *msg, size_t msglen) {
  memset(out, 0, sizeof *out);
  if (nparts == 0 || part >= nparts)
    return sl_data_fail(msg, msglen, SL_EINVAL, "%s: part %zu of %zu", path, part, nparts);
  if (features > SL_MAX_ENTRIES)
    return sl_data_fail(msg, msglen, SL_EINVAL, "%s: features too large", path);
  sl_textfile f;
  sl_status st = sl_data_load(path, &f, msg, msglen);
  if (st != SL_OK) return st;
  svm c = {.path = path, .p = f.p, .n = f.n, .features = features};
  /* this part's lines: those starting in bytes [n part / nparts, n (part + 1) / nparts)
     (n = q nparts + r, so no product overflows) */
  size_t q = f.n / nparts, rem = f.n % nparts;
  size_t from = line_start(f.p, f.n, q * part + rem * part / nparts);
  size_t to = line_start(f.p, f.n, q * (part + 1) + rem * (part + 1) / nparts);
  sl_block *bl;
  size_t nb = sl_data_blocks(f.p, to, from, &bl);
  svm_block *blk = nb ? calloc(nb, sizeof *blk) : NULL;
  if (blk == NULL) {
    free(nb ? bl : NULL);
    sl_data_unload(&f);
    return sl_data_fail(msg, msglen, SL_ENOMEM, "%s: out of memory", path);
  }
  for (size_t k = 0; k < nb; k++) {
    blk[k].lo = bl[k].lo;
    blk[k].hi = bl[k].hi;
  }
  free(bl);
#pragma omp parallel for schedule(dynamic, 1) if (nb > 1)
  for (size_t k = 0; k < nb; k++) count_block(&c, &blk[k]);
  size_t rows = 0, zcap = 0, lines = 0;
  for (size_t k = 0; k < nb; k++) {
    blk[k].r0 = rows;
    blk[k].z0 = zcap;
    rows += blk[k].rows;
    zcap += blk[k].zcap;
    lines += blk[k].lines;
  }
  if (rows >= SL_MAX_ENTRIES || zcap > SL_MAX_ENTRIES ||
      (out->X.indptr = c.indptr = malloc((rows + 1) * sizeof(size_t))) == NULL ||
      (out->X.indices = c.idx = malloc((zcap ? zcap : 1) * sizeof(size_t))) == NULL ||
      (out->X.values = c.val = malloc((zcap ? zcap : 1) * sizeof(double))) == NULL ||
      (out->y = c.y = malloc((rows ? rows : 1) * sizeof(double))) == NULL)
    st = sl_data_fail(msg, msglen, SL_ENOMEM, "%s:%zu: out of memory or too large", path,
                      lines ? lines : 1);
  if (st == SL_OK) {
    size_t first_bad = (size_t)-1;
    c.indptr[0] = 0;
    sl_data_hugepages(c.idx, zcap * sizeof(size_t));
    sl_data_hugepages(c.val, zcap * sizeof(double));
#pragma omp parallel for schedule(dynamic, 1) if (nb > 1)
    for (size_t k = 0; k < nb; k++) read_block(&c, &blk[k], k, &first_bad);
    size_t line = 1;
    for (size_t k = 0; k < nb; k++)
      if (blk[k].err.st != SL_OK) { /* the line number in the file: count the lines before */
        for (const char *s = f.p, *e = f.p + from; s < e && (s = memchr(s, '\n', (size_t)(e - s)));
             s++)
          line++;
        break;
      }
    for (size_t k = 0; k < nb && st == SL_OK; k++) {
      const sl_lineerr *e = &blk[k].err;
      if (e->st != SL_OK)
        st = e->col ? sl_data_fail(msg, msglen, e->st, "%s:%zu:%zu: %s", path, line + e->line,
                                   e->col, e->what)
                    : sl_data_fail(msg, msglen, e->st, "%s:%zu: %s", path, line + e->line, e->what);
      line += blk[k].lines;
    }
  }
  if (st == SL_OK) {
    size_t maxcol = 0;
    for (size_t k = 0; k < nb; k++)
      if (blk[k].maxcol > maxcol) maxcol = blk[k].maxcol;
    out->X.nnz = close_gaps(&c, blk, nb);
    if (out->X.nnz < zcap && out->X.nnz > 0) { /* "qid:" took room: give it back */
      size_t *i2 = realloc(c.idx, out->X.nnz * sizeof *i2);
      double *v2 = realloc(c.val, out->X.nnz * sizeof *v2);
      if (i2) out->X.indices = i2;
      if (v2) out->X.values = v2;
    }
    out->X.rows = out->rows = rows;
    out->X.cols = features ? features : maxcol;
  }
  free(blk);
  sl_data_unload(&f);
  if (st != SL_OK) sl_libsvm_result_free(out);
  return st;
}
