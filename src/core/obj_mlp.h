/*
** obj_mlp.h — internal: the MLP objective's state, shared by obj_mlp.c
** (forward, backward, construction) and obj_mlp_hvp.c (the R-operator).
*/
#ifndef SL_OBJ_MLP_H
#define SL_OBJ_MLP_H

#include <cblas.h>
#include <stddef.h>

#include "obj_data.h"
#include "sl_models.h"

typedef struct mlp {
  size_t L;                           /* layers = hidden + 1 */
  size_t size[SL_MLP_MAX_LAYERS + 1]; /* size[0] = d, size[L] = outputs */
  size_t woff[SL_MLP_MAX_LAYERS], boff[SL_MLP_MAX_LAYERS];
  size_t dim, maxw; /* parameters; widest layer (incl. input) */
  sl_activation act;
  sl_mlp_loss loss;
  const double *X; /* n x d, borrowed */
  size_t n, d;
  size_t *lab; /* xent labels */
  double *Y;   /* mse targets, n x outputs */
  double l2;
  /* batch buffers, n rows each, allocated at creation */
  double *A0;                   /* gathered input rows of a view */
  double *Z[SL_MLP_MAX_LAYERS]; /* pre-activations of layer l+1 (n x size[l+1]) */
  double *A[SL_MLP_MAX_LAYERS]; /* activations (hidden) / probabilities (xent output) */
  double *D, *Dn;               /* deltas, n x maxw */
  /* R-pass buffers, allocated on the first HVP */
  double *RZ[SL_MLP_MAX_LAYERS], *RA[SL_MLP_MAX_LAYERS];
  double *RD, *RDn, *Q;
  int have_r;
  /* HVP window cache (sl_obj_hvp_begin, obj_mlp_hvp.c): what H(x) v needs and
     v does not change, for the active rows of cache_o at cache_x, by active
     position; n rows each, allocated at the first begin, kept after end.
     CA: hidden activations A_l (l < L-1), softmax probabilities (l = L-1, xent);
     CD: deltas D_l = dloss/dZ_l (all l); CD1: a'(Z_l) (l < L-1);
     CQ2: (D_{l+1} W_{l+1}) .* a''(Z_l) (l < L-1; tanh: minus that, as
     2 A a' (D W) so the windowed HVP rounds like the plain one). */
  double *CA[SL_MLP_MAX_LAYERS], *CD[SL_MLP_MAX_LAYERS];
  double *CD1[SL_MLP_MAX_LAYERS], *CQ2[SL_MLP_MAX_LAYERS];
  int have_c;
  const struct sl_objective *cache_o; /* NULL: no valid cache */
  const double *cache_x;
  sl_tacc acc; /* per row block: [0] loss, [1..dim] gradient sums */
} mlp;

/* C (M x N) = op(A) op(B) + beta C, all row-major, op(A) M x K and op(B)
   K x N; ta / tb: A / B given transposed (A stored K x M, B stored N x K). */
static inline void sl_mlp_gemm(int ta, int tb, size_t M, size_t N, size_t K, const double *A,
                               size_t lda, const double *B, size_t ldb, double beta, double *C,
                               size_t ldc) {
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)M,
              (int)N, (int)K, 1.0, A, (int)lda, B, (int)ldb, beta, C, (int)ldc);
}

/* Data row of the k-th row of a pass (rows: a view's rows, or NULL). */
static inline size_t sl_mlp_row(const size_t *rows, size_t k) { return rows ? rows[k] : k; }

/* The objective's fg (obj_mlp_fg.c) and Hessian-vector product (obj_mlp_hvp.c). */
sl_status sl_mlp_fg(sl_objective *o, const double *x, double *f, double *g);
sl_status sl_mlp_hvp(sl_objective *o, const double *x, const double *v, double *hv);
/* The HVP window (obj_mlp_hvp.c): fill the cache at x for o's rows; drop it. */
sl_status sl_mlp_hvp_begin(sl_objective *o, const double *x);
void sl_mlp_hvp_end(sl_objective *o);
/* Free the R-pass buffers and the cache (from the objective's destroy). */
void sl_mlp_hvp_free(mlp *m);

/* The row-parallel passes (obj_mlp_fg.c): rows per cache-sized chunk; the
   forward pass over batch rows [k0, k0 + c) into Z, A (and, delta = 1, the
   output delta into D), at those rows' offsets; returns the summed loss. */
size_t sl_mlp_chunk_rows(const mlp *m);
double sl_mlp_chunk_forward(mlp *m, const double *A0, size_t k0, size_t c, const size_t *rows,
                            const double *x, int delta);
/* The row-parallel driver of fg, HVP and the HVP window: o's active rows in
   nb row blocks (sl_mlp_blocks: a count that depends on the sizes only, and
   the T threads to run them), taken by the threads in turn, each block in
   chunks of sl_mlp_chunk_rows; fn runs per chunk with the block's
   accumulator a (the first len doubles of its block of m->acc, zeroed; NULL
   when len = 0). OpenBLAS stays single-threaded inside. At the end the
   threads add the nb blocks into block 0 (each entry in block order: the same
   bits at any thread count), which sl_mlp_reduce returns. */
typedef void (*sl_mlp_chunk_fn)(mlp *m, void *ctx, double *a, size_t k0, size_t c);
int sl_mlp_blocks(const sl_objective *o, const mlp *m, int *T);
void sl_mlp_rows(sl_objective *o, int nb, int T, size_t len, sl_mlp_chunk_fn fn, void *ctx);
const double *sl_mlp_reduce(mlp *m, int nb, size_t len);
/* Keep OpenBLAS on the calling thread (inside slope's own parallel region);
   begin returns what end restores. */
int sl_mlp_blas_single_begin(void);
void sl_mlp_blas_single_end(int nb);

/* Input rows of the m active samples of o (X itself when o is not a view). */
const double *sl_mlp_input(sl_objective *o, mlp *m);
/* Forward pass over the m rows at A0; returns the summed loss (not averaged). */
double sl_mlp_forward(mlp *m, const double *A0, size_t nrows, const double *x, const size_t *rows);
/* Output delta into m->D: dloss/dZ_L per row (P - e_y, or Z_L - y), unscaled. */
void sl_mlp_out_delta(mlp *m, size_t nrows, const size_t *rows);
/* Backward pass from m->D (output delta) into the gradient sums g (not averaged). */
void sl_mlp_backward(mlp *m, const double *A0, size_t nrows, const double *x, double *g);
/* The reduction in one place: g = g / nrows + l2 W (weights only), value likewise. */
void sl_mlp_finish(const mlp *m, size_t nrows, const double *x, double loss, double *f, double *g);
/* Z = A W^T + 1 b^T for one layer (A: r x in, W: out x in, Z: r x out). */
void sl_mlp_affine(size_t r, size_t in, size_t out, const double *A, const double *W,
                   const double *b, double *Z);
/* out[j] = sum_k D[k, j] for an r x c matrix, rows in order. */
void sl_mlp_colsum(size_t r, size_t c, const double *D, double *out);
/* Z += 1 b^T (r rows of width w), then A = act(Z): one pass for tanh. */
void sl_mlp_bias_act(sl_activation act, size_t r, size_t w, const double *b, double *Z, double *A);
/* D *= act'(Z) elementwise (cnt entries; tanh uses A = act(Z)). */
void sl_mlp_dact(sl_activation act, size_t cnt, const double *Z, const double *A, double *D);
/* Activation derivative a'(z) and a''(z) given z and a = act(z). */
double sl_mlp_d1(sl_activation act, double z, double a);
double sl_mlp_d2(sl_activation act, double z, double a);

#endif
