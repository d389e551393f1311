/*
** obj_data.h — internal helpers of the data objectives (not installed API):
** the split of a pass's active rows into row blocks, one accumulator per
** block, and the reduction over blocks in block order.
**
** Same bits at any thread count: the number of blocks depends only on the
** pass's sizes (rows, work, accumulator length; sl_obj_row_blocks), never on the
** thread count, and the block sums are added in block order (sl_tacc_sum).
** Threads only decide who computes which block: they take the next block
** first come, first served (SL_DATA_BLOCKS_FOR), so a thread descheduled by
** another process on a busy machine holds up at most the block it has.
*/
#ifndef SL_OBJ_DATA_H
#define SL_OBJ_DATA_H

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "sl_status.h"

/* Hot kernels are built twice, for AVX2+FMA and for the baseline, and
   picked once at load time by the CPU (GCC function multiversioning); the
   choice is fixed on a machine, so results stay deterministic there. They
   contract a*b + c into fused multiply-adds where the clone has them
   (-std=c11 turns contraction off): half the floating-point instructions of
   the fused logistic pass, measured +8..19 % when it is compute-bound. */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__) &&                             \
    !defined(__SANITIZE_ADDRESS__)
#define SL_HOT_CLONES                                                                              \
  __attribute__((target_clones("arch=x86-64-v3", "default"), optimize("fp-contract=fast")))
#else
#define SL_HOT_CLONES
#endif

/* The clone of the SL_HOT_CLONES kernels this CPU runs: "x86-64-v3" (AVX2,
   FMA), "x86-64" (the baseline clone), or "portable" (a build without clones). */
const char *sl_cpu_kernel(void);

/* T blocks of `stride` doubles, one per row block (stride: the size asked
   for, rounded up to 16 doubles; blocks 128-byte aligned). */
typedef struct sl_tacc {
  int T;
  size_t stride;
  double *buf;
} sl_tacc;

/* Make room for T blocks of at least `stride` doubles (allocates only when
   T grows or the stride changes); a->stride is then the padded stride. */
sl_status sl_tacc_reserve(sl_tacc *a, int T, size_t stride);
void sl_tacc_free(sl_tacc *a);

/* Row blocks of a pass over `rows` rows doing `work` flops-ish into
   accumulators of `len` doubles: 1 for small work, else the largest of 12,
   8, 6, 4, 2 (even splits for 2, 3, 4, 6 threads) that leaves every
   block a row and keeps the reduction (blocks x len adds) under 1/64 of the
   work. A function of the sizes only: the same at every thread count. */
int sl_obj_row_blocks(size_t rows, size_t work, size_t len);
/* Threads for nb blocks of a pass doing `work`: 1 when the work is too small
   to pay for a parallel region (SL_DATA_PAR_WORK), else OpenMP's max, at most nb. */
int sl_data_threads(size_t work, int nb);
/* Below this much work a pass runs on the calling thread: waking a sleeping
   thread (passive waiting) costs tens of microseconds, more on a busy machine. */
#define SL_DATA_PAR_WORK ((size_t)1 << 18)

/* Inside a parallel region: b takes the blocks 0..nb-1 not yet taken by
   another thread of the team (next: a shared int set to 0 before the region). */
#define SL_DATA_BLOCKS_FOR(b, nb, next)                                                            \
  for (int b; (b = __atomic_fetch_add(&(next), 1, __ATOMIC_RELAXED)) < (nb);)

/* out[j] = sum over blocks t = 0..T-1 (in order) of block t's entry j, j < len. */
void sl_tacc_sum(const sl_tacc *a, int T, size_t len, double *out);

/* Rows [lo, hi) of block t among T for m rows. */
static inline void sl_data_part(size_t m, int T, int t, size_t *lo, size_t *hi) {
  *lo = m * (size_t)t / (size_t)T;
  *hi = m * ((size_t)t + 1) / (size_t)T;
}

/* Four doubles in a vector register (GCC vector extension; SSE pairs on the
   baseline build, one AVX register in the x86-64-v3 clones); sl_v4u is the
   unaligned flavour used to load from any double array. */
typedef double sl_v4d __attribute__((vector_size(32)));
typedef double sl_v4u __attribute__((vector_size(32), aligned(8), may_alias));
#define SL_V4(p) (*(const sl_v4u *)(p))

/* Dot product with a fixed evaluation order: four 4-wide accumulators (enough
   independent adds to hide their latency), combined in a fixed tree. */
static inline double sl_ddot(size_t n, const double *a, const double *b) {
  sl_v4d s0 = {0, 0, 0, 0}, s1 = s0, s2 = s0, s3 = s0;
  size_t j = 0;
  for (; j + 16 <= n; j += 16) {
    s0 += SL_V4(a + j) * SL_V4(b + j);
    s1 += SL_V4(a + j + 4) * SL_V4(b + j + 4);
    s2 += SL_V4(a + j + 8) * SL_V4(b + j + 8);
    s3 += SL_V4(a + j + 12) * SL_V4(b + j + 12);
  }
  for (; j + 4 <= n; j += 4) s0 += SL_V4(a + j) * SL_V4(b + j);
  s0 = (s0 + s1) + (s2 + s3);
  double r = (s0[0] + s0[1]) + (s0[2] + s0[3]);
  for (; j < n; j++) r += a[j] * b[j];
  return r;
}

/* a.x and a.y in one pass over a (same accumulation scheme as sl_ddot). */
static inline void sl_ddot2(size_t n, const double *a, const double *x, const double *y, double *ax,
                            double *ay) {
  sl_v4d s0 = {0, 0, 0, 0}, s1 = s0, t0 = s0, t1 = s0;
  size_t j = 0;
  for (; j + 8 <= n; j += 8) {
    sl_v4d a0 = SL_V4(a + j), a1 = SL_V4(a + j + 4);
    s0 += a0 * SL_V4(x + j);
    s1 += a1 * SL_V4(x + j + 4);
    t0 += a0 * SL_V4(y + j);
    t1 += a1 * SL_V4(y + j + 4);
  }
  s0 += s1;
  t0 += t1;
  double s = (s0[0] + s0[1]) + (s0[2] + s0[3]), t = (t0[0] + t0[1]) + (t0[2] + t0[3]);
  for (; j < n; j++) {
    s += a[j] * x[j];
    t += a[j] * y[j];
  }
  *ax = s;
  *ay = t;
}

static inline void sl_daxpy(size_t n, double *y, double a, const double *x) {
#pragma omp simd
  for (size_t j = 0; j < n; j++) y[j] += a * x[j];
}

/* p = softmax(z) over K scores, shifted by max z so no exp overflows (p may
   be z); returns logsumexp(z). The one softmax of the models: softmax
   regression, the MLP's cross-entropy output, and their predictions. */
static inline double sl_softmax(size_t K, const double *z, double *p) {
  double mx = z[0];
  for (size_t k = 1; k < K; k++) mx = z[k] > mx ? z[k] : mx;
  double s = 0.0;
  for (size_t k = 0; k < K; k++) s += (p[k] = exp(z[k] - mx));
  double inv = 1.0 / s;
  for (size_t k = 0; k < K; k++) p[k] *= inv;
  return mx + log(s);
}

/* Index of the first largest of K scores (numpy's argmax). */
static inline size_t sl_argmax(size_t K, const double *z) {
  size_t best = 0;
  for (size_t k = 1; k < K; k++)
    if (z[k] > z[best]) best = k;
  return best;
}

/* The rows of X, dense (row-major) or CSR; borrowed from the caller. */
typedef struct sl_xrows {
  size_t rows, cols, nnz; /* nnz = rows*cols when dense */
  const double *dense;
  const size_t *indptr, *indices;
  const double *values;
} sl_xrows;

struct sl_mat;
struct sl_csr;
/* Point x at Xd or Xs (exactly one non-NULL); SL_ENONFINITE with msg naming
   the entry if X holds NaN or Inf. fname prefixes nothing: msg is the detail. */
sl_status sl_xrows_set(sl_xrows *x, const struct sl_mat *Xd, const struct sl_csr *Xs, char *msg,
                       size_t msglen);

/* Row i: its values and (CSR) column indices or NULL (dense); returns the count. */
static inline size_t sl_xrow(const sl_xrows *x, size_t i, const double **v, const size_t **ix) {
  if (x->dense) {
    *v = x->dense + i * x->cols;
    *ix = NULL;
    return x->cols;
  }
  *v = x->values + x->indptr[i];
  *ix = x->indices + x->indptr[i];
  return x->indptr[i + 1] - x->indptr[i];
}

#endif
