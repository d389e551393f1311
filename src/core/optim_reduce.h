/*
** optim_reduce.h — sums over the entries for the rules of issue 16 whose step
** needs global or per-layer reductions (prodigy, dadapt_adam, lamb, lars):
** partial sums over fixed chunks of SL_RED_CHUNK entries (in index order
** within a chunk), then the chunks' sums in order. sl_optim_foreach splits at
** multiples of its block (2^13, a multiple of the chunk), so the result has
** the same bits at any thread count, while long vectors are summed on all
** threads.
*/
#ifndef OPTIM_REDUCE_H
#define OPTIM_REDUCE_H

#include <stddef.h>
#include <stdlib.h>

#include "sl_optim_priv.h"

#define SL_RED_CHUNK ((size_t)1024)
#define SL_RED_STACK 512 /* chunk sums kept on the stack up to this many */

/* Number of chunk sums for n entries (the length of the partial array). */
static inline size_t sl_red_nchunks(size_t n) { return (n + SL_RED_CHUNK - 1) / SL_RED_CHUNK; }

/* The partial sums part[0..k) added in order. */
static inline double sl_red_total(const double *part, size_t k) {
  double s = 0;
  for (size_t c = 0; c < k; c++) s += part[c];
  return s;
}

/* Space for k chunk sums: buf (SL_RED_STACK doubles) or malloc'd (NULL on ENOMEM). */
static inline double *sl_red_space(double *buf, size_t k) {
  return k <= SL_RED_STACK ? buf : malloc(k * sizeof(double));
}
static inline void sl_red_free(double *buf, double *p) {
  if (p != buf) free(p);
}

typedef struct sl_red_sq_args {
  const double *x;
  double *part;
} sl_red_sq_args;

SL_OPTIM_CLONES
static void sl_red_sq_kernel(size_t lo, size_t hi, const void *args) {
  const sl_red_sq_args *a = args;
  for (size_t c = lo; c < hi; c += SL_RED_CHUNK) {
    const size_t e = c + SL_RED_CHUNK < hi ? c + SL_RED_CHUNK : hi;
    double s = 0;
    for (size_t i = c; i < e; i++) s += a->x[i] * a->x[i];
    a->part[c / SL_RED_CHUNK] = s;
  }
}

/* sum x_i^2 over [0, n) into *out; SL_ENOMEM (out untouched) when no memory. */
static inline int sl_red_sumsq(size_t n, const double *x, double *out) {
  double buf[SL_RED_STACK];
  const size_t k = sl_red_nchunks(n);
  double *part = sl_red_space(buf, k);
  if (part == NULL) return -1;
  const sl_red_sq_args a = {.x = x, .part = part};
  sl_optim_foreach(n, sl_red_sq_kernel, &a);
  *out = sl_red_total(part, k);
  sl_red_free(buf, part);
  return 0;
}

#endif
