/*
** sl_csv.c — numeric CSV reader. One line at a time (getline), each line split
** into fields in place (quotes removed, fields NUL-terminated), every field
** parsed with strtod so shortest round-trip text gives back the exact double.
** Errors name path:line:column, the column being the 1-based byte of the field.
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_data.h"
#include "sl_data_priv.h"

sl_csv_opts sl_csv_opts_default(void) {
  static const sl_csv_opts def = {
      .sep = ',', .header = 1, .target_name = "target", .target_index = 0};
  return def;
}

typedef struct field {
  size_t start; /* offset of the (unquoted) text in the line buffer */
  size_t len;
  size_t col; /* 1-based byte column in the original line */
} field;

typedef struct reader {
  const char *path;
  char *msg;
  size_t msglen;
  field *f;
  size_t fcap, nf;
  size_t lineno;     /* 1-based, of the line being read */
  size_t xcap, ycap; /* doubles allocated for X and y */
  size_t d;          /* feature columns (all but the target) */
} reader;

static int is_blank(char c, char sep) { return (c == ' ' || c == '\t') && c != sep; }

/* Split line[0..len) into fields, in place. Returns SL_OK or SL_EIO (message set). */
static sl_status split_line(reader *r, char *line, size_t len, char sep, size_t lineno) {
  size_t pos = 0;
  r->nf = 0;
  for (;;) {
    while (pos < len && is_blank(line[pos], sep)) pos++;
    size_t col = pos + 1, start = pos, flen = 0;
    if (pos < len && line[pos] == '"') {
      size_t w = pos; /* unescape into line[w..] */
      start = w;
      pos++;
      for (;;) {
        if (pos >= len)
          return sl_data_fail(r->msg, r->msglen, SL_EIO, "%s:%zu:%zu: unterminated quoted field",
                              r->path, lineno, col);
        if (line[pos] == '"') {
          if (pos + 1 < len && line[pos + 1] == '"') {
            line[w++] = '"';
            pos += 2;
            continue;
          }
          pos++;
          break;
        }
        line[w++] = line[pos++];
      }
      flen = w - start;
      while (pos < len && is_blank(line[pos], sep)) pos++;
      if (pos < len && line[pos] != sep)
        return sl_data_fail(r->msg, r->msglen, SL_EIO,
                            "%s:%zu:%zu: unexpected character after a closing quote", r->path,
                            lineno, pos + 1);
    } else {
      while (pos < len && line[pos] != sep) pos++;
      size_t end = pos;
      while (end > start && is_blank(line[end - 1], sep)) end--;
      flen = end - start;
    }
    if (sl_data_grow((void **)&r->f, &r->fcap, r->nf + 1, sizeof(field)) != SL_OK)
      return sl_data_fail(r->msg, r->msglen, SL_ENOMEM, "%s:%zu: too many fields", r->path, lineno);
    r->f[r->nf++] = (field){start, flen, col};
    int more = pos < len;      /* line[pos] is sep */
    line[start + flen] = '\0'; /* start + flen <= pos <= len: inside the buffer */
    if (!more) break;
    pos++;
  }
  return SL_OK;
}

static int blank_line(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r') return 0;
  return 1;
}

void sl_csv_result_free(sl_csv_result *r) {
  if (r->names)
    for (size_t j = 0; j < r->ncols; j++) free(r->names[j]);
  free(r->names);
  free(r->X.data);
  free(r->y);
  memset(r, 0, sizeof *r);
  r->target = (size_t)-1;
}

/* Resolve the target column once the column count is known. */
static sl_status find_target(reader *r, const sl_csv_opts *o, sl_csv_result *out) {
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
    return sl_data_fail(r->msg, r->msglen, SL_EIO, "%s:1: no target column '%s' (columns: %s)",
                        r->path, tq, cols);
  }
  if (o->target_index == 0) return SL_OK;
  long n = (long)out->ncols, t = o->target_index;
  if (t < 0) t += n + 1;
  if (t < 1 || t > n)
    return sl_data_fail(r->msg, r->msglen, SL_EIO,
                        "%s: target column %ld out of range (the file has %ld columns)", r->path,
                        o->target_index, n);
  out->target = (size_t)(t - 1);
  return SL_OK;
}

static sl_status nomem(const reader *r) {
  return sl_data_fail(r->msg, r->msglen, SL_ENOMEM, "%s:%zu: out of memory or too large", r->path,
                      r->lineno);
}

/* The first non-blank row fixes the column count; with a header it gives the
   names. Then the target column is resolved. */
static sl_status first_row(reader *r, const sl_csv_opts *o, sl_csv_result *out, const char *s) {
  out->ncols = r->nf;
  if (o->header) {
    out->names = calloc(r->nf, sizeof(char *));
    if (!out->names) return nomem(r);
    for (size_t j = 0; j < r->nf; j++) {
      out->names[j] = malloc(r->f[j].len + 1);
      if (!out->names[j]) return nomem(r);
      memcpy(out->names[j], s + r->f[j].start, r->f[j].len + 1);
    }
  }
  sl_status st = find_target(r, o, out);
  r->d = out->ncols - (out->target != (size_t)-1);
  return st;
}

/* A data row (split into r->f, columns counted from off): its numbers
   appended to X and y. */
static sl_status data_row(reader *r, sl_csv_result *out, const char *s, size_t off, size_t len) {
  if (r->nf != out->ncols) {
    size_t col = r->nf > out->ncols ? r->f[out->ncols].col : off + len + 1;
    return sl_data_fail(r->msg, r->msglen, SL_EIO, "%s:%zu:%zu: row has %zu fields, expected %zu",
                        r->path, r->lineno, col, r->nf, out->ncols);
  }
  size_t i = out->rows, d = r->d, need;
  if (sl_size_product(i + 1, d ? d : 1, &need) != SL_OK ||
      sl_data_grow((void **)&out->X.data, &r->xcap, need, sizeof(double)) != SL_OK)
    return nomem(r);
  if (out->target != (size_t)-1 &&
      sl_data_grow((void **)&out->y, &r->ycap, i + 1, sizeof(double)) != SL_OK)
    return nomem(r);
  double *row = out->X.data + i * d;
  for (size_t j = 0, k = 0; j < r->nf; j++) {
    const char *txt = s + r->f[j].start;
    char *end;
    double v = strtod(txt, &end);
    if (r->f[j].len == 0 || end != txt + r->f[j].len) {
      char q[48];
      sl_data_quote(q, txt, r->f[j].len);
      return sl_data_fail(r->msg, r->msglen, SL_EIO, "%s:%zu:%zu: '%s' is not a number", r->path,
                          r->lineno, r->f[j].col, q);
    }
    if (j == out->target)
      out->y[i] = v;
    else
      row[k++] = v;
  }
  out->rows++;
  return SL_OK;
}

/* After the last line: a read error or an empty file fails; X and y get
   their shapes (and at least one allocated double). */
static sl_status finish(reader *r, FILE *fp, int have_cols, sl_csv_result *out) {
  if (ferror(fp))
    return sl_data_fail(r->msg, r->msglen, SL_EIO, "%s: read error: %s", r->path, strerror(errno));
  if (!have_cols) return sl_data_fail(r->msg, r->msglen, SL_EIO, "%s: empty file", r->path);
  if (out->X.data == NULL && (out->X.data = malloc(sizeof(double))) == NULL) return nomem(r);
  if (out->target != (size_t)-1 && out->y == NULL && (out->y = malloc(sizeof(double))) == NULL)
    return nomem(r);
  out->X.rows = out->rows;
  out->X.cols = r->d;
  return SL_OK;
}

sl_status sl_csv_read(const char *path, const sl_csv_opts *opts, sl_csv_result *out, char *msg,
                      size_t msglen) {
  sl_csv_opts o = opts ? *opts : sl_csv_opts_default();
  memset(out, 0, sizeof *out);
  out->target = (size_t)-1;
  if (o.target_name && !o.header)
    return sl_data_fail(msg, msglen, SL_EINVAL, "%s: a target given by name needs a header", path);
  if (o.sep == '\0' || o.sep == '\n' || o.sep == '\r' || o.sep == '"')
    return sl_data_fail(msg, msglen, SL_EINVAL, "%s: invalid separator", path);
  FILE *fp = fopen(path, "rb");
  if (fp == NULL)
    return sl_data_fail(msg, msglen, SL_EIO, "%s: cannot open: %s", path, strerror(errno));
  reader r = {.path = path, .msg = msg, .msglen = msglen};
  sl_status st = SL_OK;
  char *line = NULL;
  size_t linecap = 0;
  int have_cols = 0;
  ssize_t got;
  while (st == SL_OK && (got = getline(&line, &linecap, fp)) >= 0) {
    size_t len = (size_t)got, off = 0; /* columns count from the real line start */
    r.lineno++;
    if (r.lineno == 1 && len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) off = 3; /* BOM */
    char *s = line + off;
    len -= off;
    while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r')) len--;
    if (blank_line(s, len)) continue;
    if ((st = split_line(&r, s, len, o.sep, r.lineno)) != SL_OK) break;
    for (size_t k = 0; k < r.nf; k++) r.f[k].col += off;
    if (!have_cols) {
      have_cols = 1;
      if ((st = first_row(&r, &o, out, s)) != SL_OK || o.header) continue;
    }
    st = data_row(&r, out, s, off, len);
  }
  if (st == SL_OK) st = finish(&r, fp, have_cols, out);
  free(line);
  free(r.f);
  fclose(fp);
  if (st != SL_OK) sl_csv_result_free(out);
  return st;
}
