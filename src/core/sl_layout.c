/*
** sl_layout.c — the layer layout of a parameter vector (sl_layout.h):
** allocation and the one validation every layer-aware rule relies on.
*/
#include "sl_layout.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t sl_layout_size(size_t n) { return sizeof(sl_layout) + n * sizeof(sl_layer); }

sl_layout *sl_layout_new(size_t n) {
  if (n > (SIZE_MAX - sizeof(sl_layout)) / sizeof(sl_layer)) return NULL;
  sl_layout *l = calloc(1, sl_layout_size(n));
  if (l) l->n = n;
  return l;
}

sl_layout *sl_layout_copy(const sl_layout *l) {
  if (l == NULL) return NULL;
  sl_layout *c = malloc(sl_layout_size(l->n));
  if (c) memcpy(c, l, sl_layout_size(l->n));
  return c;
}

void sl_layout_finish(sl_layout *l) {
  size_t end = 0;
  for (size_t k = 0; k < l->n; k++)
    if (l->layer[k].offset + l->layer[k].size > end) end = l->layer[k].offset + l->layer[k].size;
  l->end = end;
}

size_t sl_layout_nmatrix(const sl_layout *l) {
  size_t m = 0;
  for (size_t k = 0; k < l->n; k++) m += l->layer[k].cols > 0;
  return m;
}

static sl_status fail(char *msg, size_t len, sl_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static sl_status fail(char *msg, size_t len, sl_status st, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  if (msg && len) vsnprintf(msg, len, fmt, ap);
  va_end(ap);
  return st;
}

/* Layers sorted by offset (indices into l->layer), insertion sort: layouts
   have a handful of layers. */
static void by_offset(const sl_layout *l, size_t *idx) {
  for (size_t k = 0; k < l->n; k++) {
    size_t j = k;
    while (j > 0 && l->layer[idx[j - 1]].offset > l->layer[k].offset) {
      idx[j] = idx[j - 1];
      j--;
    }
    idx[j] = k;
  }
}

sl_status sl_layout_check(const sl_layout *l, size_t dim, int cover, char *msg, size_t len) {
  if (msg && len) msg[0] = '\0';
  if (l == NULL || l->n == 0) {
    if (msg && len) snprintf(msg, len, "layers must be a non-empty list");
    return SL_EINVAL;
  }
  for (size_t k = 0; k < l->n; k++) {
    const sl_layer *y = &l->layer[k];
    if (y->size == 0)
      return fail(msg, len, SL_EINVAL, "layers[%zu] (%s) has size 0", k + 1, y->name);
    if (y->cols > 0 ? (y->rows == 0 || y->size / y->cols != y->rows || y->size % y->cols)
                    : y->rows != y->size)
      return fail(msg, len, SL_EINVAL,
                  "layers[%zu] (%s): shape %zu x %zu does not match its size %zu", k + 1, y->name,
                  y->rows, y->cols, y->size);
    if (y->offset > SIZE_MAX - y->size)
      return fail(msg, len, SL_EINVAL, "layers[%zu] (%s) ends past the largest index", k + 1,
                  y->name);
    if (dim > 0 && y->offset + y->size > dim)
      return fail(msg, len, SL_EDIM, "layers[%zu] (%s) ends at entry %zu, past x's %zu entries",
                  k + 1, y->name, y->offset + y->size, dim);
  }
  size_t *idx = malloc(l->n * sizeof *idx);
  if (idx == NULL) return SL_ENOMEM;
  by_offset(l, idx);
  sl_status st = SL_OK;
  size_t next = 0; /* first entry not covered so far (layers sorted by offset) */
  for (size_t r = 0; r < l->n && st == SL_OK; r++) {
    const sl_layer *y = &l->layer[idx[r]];
    if (r > 0 && y->offset < next) {
      const sl_layer *p = &l->layer[idx[r - 1]];
      st = fail(msg, len, SL_EINVAL, "layers[%zu] (%s) and layers[%zu] (%s) overlap at entry %zu",
                idx[r - 1] + 1, p->name, idx[r] + 1, y->name, y->offset + 1);
    } else if (cover && dim > 0 && y->offset > next) {
      st = fail(msg, len, SL_EINVAL, "entries %zu to %zu are in no layer (the layers must cover x)",
                next + 1, y->offset);
    }
    next = y->offset + y->size;
  }
  if (st == SL_OK && cover && dim > 0 && next < dim)
    st = fail(msg, len, SL_EINVAL, "entries %zu to %zu are in no layer (x has %zu entries)",
              next + 1, dim, dim);
  free(idx);
  return st;
}
