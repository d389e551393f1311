/*
** sl_csv.c — numeric CSV reader. The file is mapped (sl_data_load); the first
** non-blank line gives the column count (and the names, kept in one arena);
** the lines after it are cut into blocks of about 2 MB at newlines, and OpenMP
** threads first count each block's rows, then parse each block straight into
** its rows of X and y (no per-block buffers, nothing joined or copied).
** Numbers go through sl_parse_num: fast_float for plain decimals, strtod for
** every other spelling, so the doubles and the accepted texts are strtod's.
** Errors name path:line:column, the column being the 1-based byte of the
** field; with several bad lines the first one in the file is reported,
** whatever the thread count.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_data.h"
#include "sl_data_priv.h"
#include "sl_parse_num.h"

sl_csv_opts sl_csv_opts_default(void) {
  static const sl_csv_opts def = {
      .sep = ',', .header = 1, .target_name = "target", .target_index = 0};
  return def;
}

/* What every block shares (read-only while threads run). */
typedef struct csv {
  const char *path;
  const char *p; /* the file */
  size_t n;
  char sep;
  int blank1, blank2;      /* ' ' and '\t', or -1 when one of them is the separator */
  size_t ncols, target, d; /* columns, target column or (size_t)-1, columns of X */
} csv;

/* One block of lines: counted first (rows), then parsed into X and y from
   row r0 on. */
typedef struct csv_block {
  size_t lo, hi;
  size_t lines, rows, r0; /* lines (blank ones too), rows (non-blank lines), first row */
  sl_lineerr err;
} csv_block;

static int is_blank(const csv *c, char ch) { return ch == c->blank1 || ch == c->blank2; }

static int blank_line(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r') return 0;
  return 1;
}

/* The line at p[pos..hi): its text s[0..*len) without the BOM (line 1 only)
   and the line end; *off is the BOM's length, for columns; returns the next
   line's start. */
static size_t line_at(const char *p, size_t pos, size_t hi, const char **s, size_t *len,
                      size_t *off) {
  const char *nl = memchr(p + pos, '\n', hi - pos);
  size_t end = nl ? (size_t)(nl - p) : hi;
  *off = pos == 0 && end - pos >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
  *s = p + pos + *off;
  *len = end - pos - *off;
  while (*len > 0 && (*s)[*len - 1] == '\r') (*len)--;
  return nl ? end + 1 : hi;
}

/* A field's extent: raw text s[a..b) (inside the quotes when quoted), its
   1-based column within the line, and whether it holds "" escapes. */
typedef struct field {
  size_t a, b, col;
  int quoted, esc;
} field;

/* The field at s[*pos..len): leading blanks skipped, *pos left at the
   separator or len. Structural errors (quotes) go to err. */
static sl_status next_field(const csv *c, const char *s, size_t len, size_t *pos, size_t off,
                            size_t line, field *f, sl_lineerr *err) {
  size_t p = *pos;
  while (p < len && is_blank(c, s[p])) p++;
  f->col = p + 1 + off;
  f->esc = 0;
  f->quoted = p < len && s[p] == '"';
  if (f->quoted) {
    f->a = ++p;
    for (;;) {
      if (p >= len) return sl_lineerr_set(err, SL_EIO, line, f->col, "unterminated quoted field");
      if (s[p] == '"') {
        if (p + 1 < len && s[p + 1] == '"') {
          f->esc = 1;
          p += 2;
          continue;
        }
        break;
      }
      p++;
    }
    f->b = p++;
    while (p < len && is_blank(c, s[p])) p++;
    if (p < len && s[p] != c->sep)
      return sl_lineerr_set(err, SL_EIO, line, p + 1 + off,
                            "unexpected character after a closing quote");
  } else {
    f->a = p;
    const char *sp = memchr(s + p, c->sep, len - p);
    p = sp ? (size_t)(sp - s) : len;
    size_t end = p;
    while (end > f->a && is_blank(c, s[end - 1])) end--;
    f->b = end;
  }
  *pos = p;
  return SL_OK;
}

/* The text of f with "" turned into ", at most cap bytes copied into dst;
   returns the full unescaped length. */
static size_t unescape(const char *s, const field *f, char *dst, size_t cap) {
  size_t k = 0;
  for (size_t i = f->a; i < f->b; i++) {
    if (k < cap) dst[k] = s[i];
    k++;
    if (f->esc && s[i] == '"') i++; /* the second quote of a pair */
  }
  return k;
}

static void result_clear(sl_csv_result *r) {
  memset(r, 0, sizeof *r);
  r->target = (size_t)-1;
}

void sl_csv_result_free(sl_csv_result *r) {
  if (r->names) free(r->names[0]); /* the arena holding every name */
  free(r->names);
  free(r->X.data);
  free(r->y);
  result_clear(r);
}

/* Resolve the target column once the column count is known. */
static sl_status find_target(const csv *c, const sl_csv_opts *o, sl_csv_result *out, char *msg,
                             size_t msglen) {
  out->target = (size_t)-1;
  if (o->target_name) {
    for (size_t j = 0; j < out->ncols; j++)
      if (strcmp(out->names[j], o->target_name) == 0) {
        out->target = j;
        return SL_OK;
      }
    char cols[600];
    size_t k = 0;
    cols[0] = '\0';
    for (size_t j = 0; j < out->ncols && k < sizeof cols - 60; j++) {
      char q[48];
      sl_data_quote(q, out->names[j], strlen(out->names[j]));
      k += (size_t)snprintf(cols + k, sizeof cols - k, "%s%s", j ? ", " : "", q);
    }
    if (k >= sizeof cols - 60) snprintf(cols + k, sizeof cols - k, ", ...");
    char tq[48];
    sl_data_quote(tq, o->target_name, strlen(o->target_name));
    return sl_data_fail(msg, msglen, SL_EIO, "%s:1: no target column '%s' (columns: %s)", c->path,
                        tq, cols);
  }
  if (o->target_index == 0) return SL_OK;
  long n = (long)out->ncols, t = o->target_index;
  if (t < 0) t += n + 1;
  if (t < 1 || t > n)
    return sl_data_fail(msg, msglen, SL_EIO,
                        "%s: target column %ld out of range (the file has %ld columns)", c->path,
                        o->target_index, n);
  out->target = (size_t)(t - 1);
  return SL_OK;
}

/* The first non-blank line: the column count (at most SL_CSV_MAX_COLS) and,
   with a header, the names: one arena of NUL-terminated strings and one
   pointer per column, so a header costs its length plus 9 bytes a column. */
static sl_status first_line(csv *c, const char *s, size_t len, size_t off, int header,
                            sl_csv_result *out, sl_lineerr *err) {
  char *arena = NULL;
  size_t acap = 0, used = 0, ncap = 0, j = 0, pos = 0;
  size_t *at = NULL; /* name offsets into the arena until it stops moving */
  sl_status st = SL_OK;
  for (;;) {
    field f;
    if ((st = next_field(c, s, len, &pos, off, 0, &f, err)) != SL_OK) break;
    if (j == SL_CSV_MAX_COLS) {
      st = sl_lineerr_set(err, SL_EIO, 0, f.col, "more than %zu columns", (size_t)SL_CSV_MAX_COLS);
      break;
    }
    if (header) {
      size_t raw = f.b - f.a;
      if (raw > SL_DATA_MAX_FIELD && unescape(s, &f, NULL, 0) > SL_DATA_MAX_FIELD) {
        st = sl_lineerr_set(err, SL_EIO, 0, f.col, "header name longer than %d bytes",
                            SL_DATA_MAX_FIELD);
        break;
      }
      if (sl_data_grow((void **)&arena, &acap, used + raw + 1, 1) != SL_OK ||
          sl_data_grow((void **)&at, &ncap, j + 1, sizeof *at) != SL_OK) {
        st = sl_lineerr_set(err, SL_ENOMEM, 0, 0, "out of memory or too large");
        break;
      }
      at[j] = used;
      used += unescape(s, &f, arena + used, raw);
      arena[used++] = '\0';
    }
    j++;
    if (pos >= len) break;
    pos++;
  }
  out->ncols = j;
  if (st == SL_OK && header) {
    char **names = (char **)at; /* same size: offsets become pointers in place */
    for (size_t k = 0; k < j; k++) names[k] = arena + at[k];
    char **shrunk = realloc(names, j * sizeof *names); /* j >= 1 */
    out->names = shrunk ? shrunk : names;
    return SL_OK;
  }
  free(arena);
  free(at);
  return st;
}

/* One data line s[0..len) into row (d values) and *yv. Errors in the order
   the old line-at-a-time reader gave them: a quote error anywhere in the
   line, then a wrong field count, then the first field that is not a number. */
static sl_status data_line(const csv *c, const char *s, size_t len, size_t off, size_t line,
                           double *row, double *yv, sl_lineerr *err) {
  size_t pos = 0, j = 0, k = 0, extra_col = 0, bad_col = 0;
  const size_t ncols = c->ncols;
  char bad[48] = "";
  int bad_long = 0;
  for (;;) {
    double v = 0.0;
    int done = 0;
    if (j < ncols && !bad_col) { /* the fast path: a plain decimal up to a separator */
      size_t p = pos;
      while (p < len && is_blank(c, s[p])) p++;
      const char *e = p < len ? sl_parse_num_prefix(s + p, s + len, &v) : NULL;
      if (e) {
        size_t q = (size_t)(e - s), t = q;
        while (t < len && is_blank(c, s[t])) t++;
        if ((t == len || s[t] == c->sep) && q - p <= SL_DATA_MAX_FIELD) {
          pos = t;
          done = 1;
        }
      }
    }
    if (!done) {
      field f;
      sl_status st = next_field(c, s, len, &pos, off, line, &f, err);
      if (st != SL_OK) return st;
      if (j == ncols) extra_col = f.col;
      if (j < ncols && !bad_col) {
        char buf[SL_DATA_MAX_FIELD];
        const char *txt = s + f.a;
        size_t n = f.b - f.a;
        if (f.esc) {
          n = unescape(s, &f, buf, sizeof buf);
          txt = buf;
        }
        if (n > SL_DATA_MAX_FIELD) {
          bad_long = 1;
          bad_col = f.col;
        } else if (!sl_parse_num(txt, n, &v)) {
          sl_data_quote(bad, txt, n);
          bad_col = f.col;
        }
      }
    }
    if (j < ncols) {
      if (j == c->target)
        *yv = v;
      else
        row[k++] = v;
    }
    j++;
    if (pos >= len) break;
    pos++;
  }
  if (j != ncols)
    return sl_lineerr_set(err, SL_EIO, line, j > ncols ? extra_col : off + len + 1,
                          "row has %zu fields, expected %zu", j, ncols);
  if (bad_long)
    return sl_lineerr_set(err, SL_EIO, line, bad_col, "field longer than %d bytes",
                          SL_DATA_MAX_FIELD);
  if (bad_col) return sl_lineerr_set(err, SL_EIO, line, bad_col, "'%s' is not a number", bad);
  return SL_OK;
}

/* Phase 1 for block b: its lines and rows (the non-blank lines). */
static void count_block(const csv *c, csv_block *b) {
  size_t pos = b->lo, rows = 0, lines = 0;
  while (pos < b->hi) {
    const char *s;
    size_t len, off;
    pos = line_at(c->p, pos, b->hi, &s, &len, &off);
    lines++;
    rows += !blank_line(s, len);
  }
  b->rows = rows;
  b->lines = lines;
}

/* Phase 2 for block k: its rows parsed into x and y from row b->r0 on. */
static void read_block(const csv *c, csv_block *b, size_t k, double *x, double *y,
                       size_t *first_bad) {
  size_t pos = b->lo, d = c->d, r = b->r0, end = b->r0 + b->rows, line = 0;
  for (; pos < b->hi; line++) {
    const char *s;
    size_t len, off;
    pos = line_at(c->p, pos, b->hi, &s, &len, &off);
    if (blank_line(s, len)) continue;
    if ((line & 1023) == 0 && sl_data_stop(first_bad, k)) return;
    if (r == end) { /* only when another process writes the file meanwhile */
      sl_lineerr_set(&b->err, SL_EIO, line, 0, "the file changed while it was read");
      break;
    }
    double yv;
    if (data_line(c, s, len, off, line, d ? x + r * d : NULL, &yv, &b->err) != SL_OK) break;
    if (y) y[r] = yv;
    r++;
  }
  if (b->err.st == SL_OK && r != end)
    sl_lineerr_set(&b->err, SL_EIO, line ? line - 1 : 0, 0, "the file changed while it was read");
  if (b->err.st != SL_OK) sl_data_note_fail(first_bad, k);
}

/* "path:line:col: what" for an error at local line e->line of a region
   whose first line is line0. */
static sl_status report(const csv *c, const sl_lineerr *e, size_t line0, char *msg, size_t msglen) {
  if (e->col)
    return sl_data_fail(msg, msglen, e->st, "%s:%zu:%zu: %s", c->path, line0 + e->line, e->col,
                        e->what);
  return sl_data_fail(msg, msglen, e->st, "%s:%zu: %s", c->path, line0 + e->line, e->what);
}

/* The data lines from byte `from` (line number line0) on: counted, then
   parsed straight into X and y, in blocks on threads. */
static sl_status read_rows(const csv *c, size_t from, size_t line0, sl_csv_result *out, char *msg,
                           size_t msglen) {
  sl_block *bl;
  size_t nb = sl_data_blocks(c->p, c->n, from, &bl);
  csv_block *blk = nb ? calloc(nb, sizeof *blk) : NULL;
  if (blk == NULL) {
    free(nb ? bl : NULL);
    return sl_data_fail(msg, msglen, SL_ENOMEM, "%s: out of memory", c->path);
  }
  for (size_t k = 0; k < nb; k++) {
    blk[k].lo = bl[k].lo;
    blk[k].hi = bl[k].hi;
  }
  free(bl);
#pragma omp parallel for schedule(dynamic, 1) if (nb > 1)
  for (size_t k = 0; k < nb; k++) count_block(c, &blk[k]);
  size_t rows = 0, lines = 0, need;
  for (size_t k = 0; k < nb; k++) {
    blk[k].r0 = rows;
    rows += blk[k].rows;
    lines += blk[k].lines;
  }
  sl_status st = SL_OK;
  if (sl_size_product(rows, c->d, &need) != SL_OK || rows > SL_MAX_ENTRIES ||
      (out->X.data = malloc((need ? need : 1) * sizeof(double))) == NULL ||
      (c->target != (size_t)-1 && (out->y = malloc((rows ? rows : 1) * sizeof(double))) == NULL))
    st = sl_data_fail(msg, msglen, SL_ENOMEM, "%s:%zu: out of memory or too large", c->path,
                      lines ? line0 + lines - 1 : line0);
  if (st == SL_OK) {
    size_t first_bad = (size_t)-1;
    sl_data_hugepages(out->X.data, need * sizeof(double));
#pragma omp parallel for schedule(dynamic, 1) if (nb > 1)
    for (size_t k = 0; k < nb; k++) read_block(c, &blk[k], k, out->X.data, out->y, &first_bad);
    size_t line = line0;
    for (size_t k = 0; k < nb && st == SL_OK; k++) {
      if (blk[k].err.st != SL_OK) st = report(c, &blk[k].err, line, msg, msglen);
      line += blk[k].lines;
    }
  }
  out->rows = out->X.rows = rows;
  out->X.cols = c->d;
  free(blk);
  return st;
}

sl_status sl_csv_read(const char *path, const sl_csv_opts *opts, sl_csv_result *out, char *msg,
                      size_t msglen) {
  sl_csv_opts o = opts ? *opts : sl_csv_opts_default();
  result_clear(out);
  if (o.target_name && !o.header)
    return sl_data_fail(msg, msglen, SL_EINVAL, "%s: a target given by name needs a header", path);
  if (o.sep == '\0' || o.sep == '\n' || o.sep == '\r' || o.sep == '"')
    return sl_data_fail(msg, msglen, SL_EINVAL, "%s: invalid separator", path);
  sl_textfile f;
  sl_status st = sl_data_load(path, &f, msg, msglen);
  if (st != SL_OK) return st;
  csv c = {.path = path,
           .p = f.p,
           .n = f.n,
           .sep = o.sep,
           .blank1 = o.sep == ' ' ? -1 : ' ',
           .blank2 = o.sep == '\t' ? -1 : '\t'};
  size_t pos = 0, lineno = 0;
  const char *s = NULL;
  size_t len = 0, off = 0, next = 0;
  while (pos < f.n) { /* the first non-blank line */
    next = line_at(f.p, pos, f.n, &s, &len, &off);
    lineno++;
    if (!blank_line(s, len)) break;
    pos = next;
  }
  if (pos >= f.n) {
    sl_data_unload(&f);
    return sl_data_fail(msg, msglen, SL_EIO, "%s: empty file", path);
  }
  sl_lineerr err = {.st = SL_OK};
  if (first_line(&c, s, len, off, o.header, out, &err) != SL_OK)
    st = report(&c, &err, lineno, msg, msglen);
  if (st == SL_OK) st = find_target(&c, &o, out, msg, msglen);
  if (st == SL_OK) {
    c.ncols = out->ncols;
    c.target = out->target;
    c.d = c.ncols - (c.target != (size_t)-1);
    st = o.header ? read_rows(&c, next, lineno + 1, out, msg, msglen)
                  : read_rows(&c, pos, lineno, out, msg, msglen);
  }
  sl_data_unload(&f);
  if (st != SL_OK) sl_csv_result_free(out);
  return st;
}
