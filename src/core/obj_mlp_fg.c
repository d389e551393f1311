/*
** obj_mlp_fg.c — the MLP's loss and gradient in one row-parallel pass.
**
** The active rows are split into row blocks (sl_mlp_blocks: their count
** depends on the sizes only, not on the thread count) that the OpenMP threads
** take in turn, and each block into whole chunks of rows that fit in L2
** (sl_mlp_chunk_rows). A chunk goes forward through
** every layer and back again while its activations are still in cache:
**     Z = A_in W^T (dgemm),  A = act(Z + 1 b^T)   (bias and activation in one pass)
**     D_L = P - e_y,  gW += D^T A_in,  gb += 1^T D,  D_in = (D W) .* act'(Z)
** (the same equations as obj_mlp.c). Inside the parallel region every dgemm
** runs on OpenBLAS's single-threaded path (its own thread pool would fight
** OpenMP's for the two cores); gradients accumulate per block and are summed
** in block order, so the result has the same bits at any thread count.
*/
#include <cblas.h>
#include <math.h>
#include <omp.h>
#include <string.h>

#include "obj_data.h"
#include "obj_mlp.h"

/* Rows per chunk: the chunk's pre-activations and activations (rows x the sum
   of the layer widths, twice) take about 256 KB, within a core's L2. */
size_t sl_mlp_chunk_rows(const mlp *m) {
  size_t w = m->size[0];
  for (size_t l = 1; l <= m->L; l++) w += m->size[l];
  size_t c = 16384 / w;
  return c < 32 ? 32 : c > 512 ? 512 : c;
}

double sl_mlp_chunk_forward(mlp *m, const double *A0, size_t k0, size_t c, const size_t *rows,
                            const double *x, int delta) {
  size_t L = m->L, K = m->size[L];
  const double *Ain = A0 + k0 * m->d;
  for (size_t l = 0; l < L; l++) {
    size_t in = m->size[l], out = m->size[l + 1];
    double *Z = m->Z[l] + k0 * out, *A = m->A[l] + k0 * out;
    sl_mlp_gemm(0, 1, c, out, in, Ain, in, x + m->woff[l], in, 0.0, Z, out);
    if (l + 1 < L) {
      sl_mlp_bias_act(m->act, c, out, x + m->boff[l], Z, A);
      Ain = A;
    }
  }
  /* softmax cross-entropy / squared error on the output rows, bias added here */
  const double *bo = x + m->boff[L - 1];
  double *Zo = m->Z[L - 1] + k0 * K, *D = m->D + k0 * m->maxw, loss = 0.0;
  if (m->loss == SL_LOSS_XENT) {
    double *P = m->A[L - 1] + k0 * K;
    for (size_t k = 0; k < c; k++) {
      double *z = Zo + k * K, *p = P + k * K;
      for (size_t j = 0; j < K; j++) z[j] += bo[j];
      size_t y = m->lab[sl_mlp_row(rows, k0 + k)];
      loss += sl_softmax(K, z, p) - z[y];
      if (delta) {
        memcpy(D + k * K, p, K * sizeof *D);
        D[k * K + y] -= 1.0;
      }
    }
  } else {
    for (size_t k = 0; k < c; k++) {
      double *z = Zo + k * K;
      const double *y = m->Y + sl_mlp_row(rows, k0 + k) * K;
      for (size_t j = 0; j < K; j++) {
        z[j] += bo[j];
        double e = z[j] - y[j];
        loss += 0.5 * e * e;
        if (delta) D[k * K + j] = e;
      }
    }
  }
  return loss;
}

/* Backward over the chunk from its output delta; gradient sums added into g. */
static void chunk_backward(mlp *m, const double *A0, size_t k0, size_t c, const double *x,
                           double *g) {
  size_t L = m->L;
  double *D = m->D + k0 * m->maxw, *Dn = m->Dn + k0 * m->maxw;
  for (size_t l = L; l-- > 0;) {
    size_t in = m->size[l], out = m->size[l + 1];
    const double *Ap = l == 0 ? A0 + k0 * m->d : m->A[l - 1] + k0 * in;
    sl_mlp_gemm(1, 0, out, in, c, D, out, Ap, in, 1.0, g + m->woff[l], in);
    double *gb = g + m->boff[l];
    for (size_t k = 0; k < c; k++) sl_daxpy(out, gb, 1.0, D + k * out);
    if (l == 0) break;
    sl_mlp_gemm(0, 0, c, in, out, D, out, x + m->woff[l], in, 0.0, Dn, in);
    sl_mlp_dact(m->act, c * in, m->Z[l - 1] + k0 * in, Ap, Dn);
    double *t = D;
    D = Dn;
    Dn = t;
  }
}

/* OpenBLAS's pthread build runs a dgemm on its own threads unless told not
   to; its OpenMP build (2) already stays on the calling thread inside a
   parallel region, and its set_num_threads would change OpenMP's. */
int sl_mlp_blas_single_begin(void) {
  if (openblas_get_parallel() != 1) return 0;
  int nb = openblas_get_num_threads();
  if (nb > 1) openblas_set_num_threads(1);
  return nb;
}

void sl_mlp_blas_single_end(int nb) {
  if (nb > 1) openblas_set_num_threads(nb);
}

int sl_mlp_blocks(const sl_objective *o, const mlp *m, int *T) {
  size_t r = o->n, work = r * m->dim;
  /* blocks of at least one chunk (a dgemm over fewer rows runs slower); each
     block costs a zeroed and a reduced accumulator of dim doubles, memory
     traffic at ~6x the cost of the pass's flops per row and parameter: few
     blocks unless the rows are many (digits, 1797 rows: 4 blocks) */
  int nb = sl_obj_row_blocks(r / sl_mlp_chunk_rows(m), work / 6, 1 + m->dim);
  *T = sl_data_threads(work, nb);
  return nb;
}

void sl_mlp_rows(sl_objective *o, int nb, int T, size_t len, sl_mlp_chunk_fn fn, void *ctx) {
  mlp *m = o->impl;
  size_t r = o->n, C = sl_mlp_chunk_rows(m);
  int nbl = sl_mlp_blas_single_begin(), next = 0;
#pragma omp parallel num_threads(T) if (T > 1)
  {
    SL_DATA_BLOCKS_FOR(b, nb, next) {
      double *a = len ? m->acc.buf + (size_t)b * m->acc.stride : NULL;
      if (a) memset(a, 0, len * sizeof *a);
      /* whole chunks per block: the chunks of the 1-block pass, shared out */
      size_t lo, hi;
      sl_data_part((r + C - 1) / C, nb, b, &lo, &hi);
      lo *= C;
      hi = hi * C < r ? hi * C : r;
      for (size_t k0 = lo; k0 < hi; k0 += C) fn(m, ctx, a, k0, hi - k0 < C ? hi - k0 : C);
    }
    if (len && nb > 1) {
      /* the block sums into block 0, in block order for every entry; the
         entries shared out among the threads (the same bits at any count) */
#pragma omp barrier
      size_t jlo, jhi;
      sl_data_part(len, omp_get_num_threads(), omp_get_thread_num(), &jlo, &jhi);
      for (int b = 1; b < nb; b++)
        sl_daxpy(jhi - jlo, m->acc.buf + jlo, 1.0, m->acc.buf + (size_t)b * m->acc.stride + jlo);
    }
  }
  sl_mlp_blas_single_end(nbl);
}

const double *sl_mlp_reduce(mlp *m, int nb, size_t len) {
  (void)nb, (void)len; /* summed into block 0 at the end of sl_mlp_rows */
  return m->acc.buf;
}

typedef struct fg_pass {
  const double *A0, *x;
  const size_t *rows;
  int grad;
} fg_pass;

/* One chunk of sl_mlp_fg: loss into a[0], gradient sums into a[1..dim]. */
static void fg_chunk(mlp *m, void *ctx, double *a, size_t k0, size_t c) {
  const fg_pass *p = ctx;
  a[0] += sl_mlp_chunk_forward(m, p->A0, k0, c, p->rows, p->x, p->grad);
  if (p->grad) chunk_backward(m, p->A0, k0, c, p->x, a + 1);
}

sl_status sl_mlp_fg(sl_objective *o, const double *x, double *f, double *g) {
  mlp *m = o->impl;
  fg_pass p = {.A0 = sl_mlp_input(o, m), .x = x, .rows = o->idx, .grad = g != NULL};
  size_t dim = m->dim, len = g ? 1 + dim : 1;
  int T, nb = sl_mlp_blocks(o, m, &T);
  if (sl_tacc_reserve(&m->acc, nb, 1 + dim) != SL_OK)
    return sl_obj_fail(o, SL_ENOMEM, "MLP buffers");
  sl_mlp_rows(o, nb, T, len, fg_chunk, &p);
  const double *red = sl_mlp_reduce(m, nb, len);
  if (g) memcpy(g, red + 1, dim * sizeof *g);
  sl_mlp_finish(m, o->n, x, red[0], f, g);
  return SL_OK;
}
