/*
** obj_mlp_hvp.c — the exact Hessian-vector product of the MLP objective by
** Pearlmutter's R-operator (Pearlmutter 1994, "Fast exact multiplication by
** the Hessian"): R{.} = d/dr (.)(x + r v) at r = 0, pushed through the
** forward pass and then the backward pass, chunk by chunk of rows through dgemm.
**   forward:  R Z_l = R A_{l-1} W_l^T + A_{l-1} V_l^T + 1 c_l^T,  R A_l = a'(Z_l) .* R Z_l
**   output:   R D_L = P .* (R Z_L - rowsum(P .* R Z_L))  (xent),  R Z_L (mse)
**   backward: R grad W_l = R D_l^T A_{l-1} + D_l^T R A_{l-1},  R grad b_l = 1^T R D_l,
**             R D_{l-1} = (R D_l W_l + D_l V_l) .* a'(Z_{l-1}) + (D_l W_l) .* a''(Z_{l-1}) .* R
*Z_{l-1}
** where (V_l, c_l) are the blocks of v shaped like (W_l, b_l).
** Inside an sl_obj_hvp_begin window the v-independent parts (A_l, P, D_l,
** a'(Z_l) and (D_l W_l) .* a''(Z_{l-1})) come from a cache filled at begin,
** so an HVP does only the R-passes: no forward pass, no D W product, no tanh
** or exp. Same chunks, same dgemm shapes and the same rounding as the plain
** HVP, so the two agree bit for bit.
*/
#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#include "obj_mlp.h"

/* R-pass buffers, once, at the full batch size. */
static sl_status ensure_r(mlp *m) {
  if (m->have_r) return SL_OK;
  size_t n = m->n;
  for (size_t l = 0; l < m->L; l++) {
    free(m->RZ[l]);
    free(m->RA[l]);
    m->RZ[l] = malloc(n * m->size[l + 1] * sizeof(double));
    m->RA[l] = malloc(n * m->size[l + 1] * sizeof(double));
    if (m->RZ[l] == NULL || m->RA[l] == NULL) return SL_ENOMEM;
  }
  free(m->RD);
  free(m->RDn);
  free(m->Q);
  m->RD = malloc(n * m->maxw * sizeof(double));
  m->RDn = malloc(n * m->maxw * sizeof(double));
  m->Q = malloc(n * m->maxw * sizeof(double));
  if (m->RD == NULL || m->RDn == NULL || m->Q == NULL) return SL_ENOMEM;
  m->have_r = 1;
  return SL_OK;
}

void sl_mlp_hvp_free(mlp *m) {
  for (size_t l = 0; l < m->L; l++) {
    free(m->RZ[l]);
    free(m->RA[l]);
    free(m->CA[l]);
    free(m->CD[l]);
    free(m->CD1[l]);
    free(m->CQ2[l]);
  }
  free(m->RD);
  free(m->RDn);
  free(m->Q);
}

/* The window's cache, once, at the full batch size (see obj_mlp.h). */
static sl_status ensure_c(mlp *m) {
  if (m->have_c) return SL_OK;
  size_t n = m->n, L = m->L;
  for (size_t l = 0; l < L; l++) {
    size_t w = m->size[l + 1] * n * sizeof(double);
    int hid = l + 1 < L;
    if (m->CD[l] == NULL) m->CD[l] = malloc(w);
    if (m->CA[l] == NULL && (hid || m->loss == SL_LOSS_XENT)) m->CA[l] = malloc(w);
    if (hid && m->CD1[l] == NULL) m->CD1[l] = malloc(w);
    if (hid && m->CQ2[l] == NULL) m->CQ2[l] = malloc(w);
    if (m->CD[l] == NULL || (m->CA[l] == NULL && (hid || m->loss == SL_LOSS_XENT)) ||
        (hid && (m->CD1[l] == NULL || m->CQ2[l] == NULL)))
      return SL_ENOMEM;
  }
  m->have_c = 1;
  return SL_OK;
}

/* R of the output delta for c rows: P .* (R Z_L - rowsum(P .* R Z_L)) with
   the probabilities P (xent), or R Z_L itself (mse). */
static void r_out_delta(const mlp *m, const double *P, const double *RZo, size_t c, double *RD) {
  size_t K = m->size[m->L];
  if (m->loss != SL_LOSS_XENT) {
    memcpy(RD, RZo, c * K * sizeof(double));
    return;
  }
  for (size_t k = 0; k < c; k++) {
    const double *p = P + k * K, *rz = RZo + k * K;
    double s = 0.0;
    for (size_t j = 0; j < K; j++) s += p[j] * rz[j];
    for (size_t j = 0; j < K; j++) RD[k * K + j] = p[j] * (rz[j] - s);
  }
}

/* Fill the cache for batch rows [k0, k0 + c) after sl_mlp_chunk_forward:
   the deltas as chunk_r computes them (same dgemm, same rounding). */
static void chunk_cache(mlp *m, size_t k0, size_t c, const double *x) {
  size_t L = m->L, K = m->size[L], mw = m->maxw;
  for (size_t l = 0; l < L; l++) {
    size_t out = m->size[l + 1];
    if (m->CA[l]) memcpy(m->CA[l] + k0 * out, m->A[l] + k0 * out, c * out * sizeof(double));
  }
  memcpy(m->CD[L - 1] + k0 * K, m->D + k0 * mw, c * K * sizeof(double));
  double *Q = m->Q + k0 * mw;
  for (size_t l = L; l-- > 1;) {
    size_t in = m->size[l], out = m->size[l + 1], cnt = c * in;
    sl_mlp_gemm(0, 0, c, in, out, m->CD[l] + k0 * out, out, x + m->woff[l], in, 0.0, Q, in);
    const double *Z = m->Z[l - 1] + k0 * in, *A = m->A[l - 1] + k0 * in;
    double *Dn = m->CD[l - 1] + k0 * in, *d1 = m->CD1[l - 1] + k0 * in;
    double *q2 = m->CQ2[l - 1] + k0 * in;
    if (m->act == SL_ACT_TANH) {
#pragma omp simd
      for (size_t e = 0; e < cnt; e++) {
        double a1 = 1.0 - A[e] * A[e];
        d1[e] = a1;
        q2[e] = 2.0 * A[e] * a1 * Q[e];
        Dn[e] = Q[e] * a1;
      }
    } else {
      for (size_t e = 0; e < cnt; e++) {
        double a1 = sl_mlp_d1(m->act, Z[e], A[e]);
        d1[e] = a1;
        q2[e] = Q[e] * sl_mlp_d2(m->act, Z[e], A[e]);
        Dn[e] = Q[e] * a1;
      }
    }
  }
}

/*
** The R-passes over batch rows [k0, k0 + c), one function for both HVPs.
** What v does not change (activations A_l, probabilities P, deltas D_l,
** a'(Z_l) and (D_l W_l) .* a''(Z_{l-1})) comes either from the plain
** forward pass (sl_mlp_chunk_forward put Z, A and the output delta D at those
** rows; the backward recursion of D runs alongside, through Q = D W) or, with
** `cached`, from the window's cache (chunk_cache). Only where they are read
** differs; the dgemm shapes and the roundings are the same.
*/

/* Hidden activations (l < L-1) or xent probabilities (l = L-1) of layer l. */
static inline double *acts(const mlp *m, int cached, size_t l) {
  return cached ? m->CA[l] : m->A[l];
}

/* R A_l = a'(Z_l) .* R Z_l over the chunk's cnt entries of layer l. */
static void r_act(const mlp *m, int cached, size_t l, size_t off, size_t cnt) {
  const double *RZ = m->RZ[l] + off;
  double *RA = m->RA[l] + off;
  if (cached) {
    const double *d1 = m->CD1[l] + off;
#pragma omp simd
    for (size_t e = 0; e < cnt; e++) RA[e] = d1[e] * RZ[e];
  } else if (m->act == SL_ACT_TANH) {
    const double *A = m->A[l] + off;
#pragma omp simd
    for (size_t e = 0; e < cnt; e++) RA[e] = (1.0 - A[e] * A[e]) * RZ[e];
  } else {
    const double *Z = m->Z[l] + off, *A = m->A[l] + off;
    for (size_t e = 0; e < cnt; e++) RA[e] = sl_mlp_d1(m->act, Z[e], A[e]) * RZ[e];
  }
}

/* Forward R-pass: R Z_l = R A_{l-1} W_l^T + A_{l-1} V_l^T + 1 c_l^T, R A_l. */
static void r_forward(mlp *m, int cached, const double *Ain0, size_t k0, size_t c, const double *x,
                      const double *v) {
  size_t L = m->L;
  for (size_t l = 0; l < L; l++) {
    size_t in = m->size[l], out = m->size[l + 1];
    const double *Ain = l == 0 ? Ain0 : acts(m, cached, l - 1) + k0 * in;
    double *RZ = m->RZ[l] + k0 * out;
    sl_mlp_gemm(0, 1, c, out, in, Ain, in, v + m->woff[l], in, 0.0, RZ, out);
    if (l > 0)
      sl_mlp_gemm(0, 1, c, out, in, m->RA[l - 1] + k0 * in, in, x + m->woff[l], in, 1.0, RZ, out);
    const double *cb = v + m->boff[l];
    for (size_t k = 0; k < c; k++) sl_daxpy(out, RZ + k * out, 1.0, cb);
    if (l + 1 < L) r_act(m, cached, l, k0 * out, c * out);
  }
}

/* R D_{l-1} = RDn .* a' + (D W) .* a'' .* R Z_{l-1} from the cache (RDn holds
   R D_l W_l + D_l V_l; tanh's cached term is minus that, see obj_mlp.h). */
static void r_delta_cached(const mlp *m, size_t l, size_t off, size_t cnt, double *RDn) {
  const double *d1 = m->CD1[l - 1] + off, *q2 = m->CQ2[l - 1] + off;
  const double *RZ = m->RZ[l - 1] + off;
  if (m->act == SL_ACT_TANH) {
#pragma omp simd
    for (size_t e = 0; e < cnt; e++) RDn[e] = RDn[e] * d1[e] - q2[e] * RZ[e];
  } else {
#pragma omp simd
    for (size_t e = 0; e < cnt; e++) RDn[e] = RDn[e] * d1[e] + q2[e] * RZ[e];
  }
}

/* The same from Q = D_l W_l, and the plain delta D_{l-1} = Q .* a' into Dn. */
static void r_delta_plain(const mlp *m, size_t l, size_t off, size_t cnt, const double *Q,
                          double *RDn, double *Dn) {
  const double *Z = m->Z[l - 1] + off, *A = m->A[l - 1] + off;
  const double *RZ = m->RZ[l - 1] + off;
  if (m->act == SL_ACT_TANH) { /* a' = 1 - a^2, a'' = -2 a a' */
#pragma omp simd
    for (size_t e = 0; e < cnt; e++) {
      double d1 = 1.0 - A[e] * A[e];
      RDn[e] = RDn[e] * d1 - 2.0 * A[e] * d1 * Q[e] * RZ[e];
      Dn[e] = Q[e] * d1;
    }
  } else {
    for (size_t e = 0; e < cnt; e++) {
      double d1 = sl_mlp_d1(m->act, Z[e], A[e]);
      RDn[e] = RDn[e] * d1 + Q[e] * sl_mlp_d2(m->act, Z[e], A[e]) * RZ[e];
      Dn[e] = Q[e] * d1;
    }
  }
}

/* Backward R-pass: R grad W_l = R D_l^T A_{l-1} + D_l^T R A_{l-1}, R grad b_l
   = 1^T R D_l, R D_{l-1} as above; H v sums added into hv. */
static void r_backward(mlp *m, int cached, const double *Ain0, size_t k0, size_t c, const double *x,
                       const double *v, double *hv) {
  size_t L = m->L, K = m->size[L], mw = m->maxw;
  double *D = m->D + k0 * mw, *Dn = m->Dn + k0 * mw, *RD = m->RD + k0 * mw, *RDn = m->RDn + k0 * mw;
  double *Q = m->Q + k0 * mw;
  const double *P = m->loss == SL_LOSS_XENT ? acts(m, cached, L - 1) + k0 * K : NULL;
  r_out_delta(m, P, m->RZ[L - 1] + k0 * K, c, RD);
  for (size_t l = L; l-- > 0;) {
    size_t in = m->size[l], out = m->size[l + 1];
    const double *Ain = l == 0 ? Ain0 : acts(m, cached, l - 1) + k0 * in;
    const double *Dl = cached ? m->CD[l] + k0 * out : D;
    sl_mlp_gemm(1, 0, out, in, c, RD, out, Ain, in, 1.0, hv + m->woff[l], in);
    if (l > 0)
      sl_mlp_gemm(1, 0, out, in, c, Dl, out, m->RA[l - 1] + k0 * in, in, 1.0, hv + m->woff[l], in);
    double *hb = hv + m->boff[l];
    for (size_t k = 0; k < c; k++) sl_daxpy(out, hb, 1.0, RD + k * out);
    if (l == 0) break;
    const double *W = x + m->woff[l];
    sl_mlp_gemm(0, 0, c, in, out, RD, out, W, in, 0.0, RDn, in);
    sl_mlp_gemm(0, 0, c, in, out, Dl, out, v + m->woff[l], in, 1.0, RDn, in);
    if (cached) {
      r_delta_cached(m, l, k0 * in, c * in, RDn);
    } else {
      sl_mlp_gemm(0, 0, c, in, out, D, out, W, in, 0.0, Q, in);
      r_delta_plain(m, l, k0 * in, c * in, Q, RDn, Dn);
      double *t = D;
      D = Dn;
      Dn = t;
    }
    double *t = RD;
    RD = RDn;
    RDn = t;
  }
}

/* H v over batch rows [k0, k0 + c): both R-passes, sums added into hv. */
static void chunk_r(mlp *m, int cached, const double *A0, size_t k0, size_t c, const double *x,
                    const double *v, double *hv) {
  const double *Ain0 = A0 + k0 * m->d;
  r_forward(m, cached, Ain0, k0, c, x, v);
  r_backward(m, cached, Ain0, k0, c, x, v, hv);
}

/* What a chunk of the HVP or of its window's fill needs. */
typedef struct hvp_pass {
  const double *A0, *x, *v;
  const size_t *rows;
  int cached;
} hvp_pass;

static void cache_chunk(mlp *m, void *ctx, double *a, size_t k0, size_t c) {
  const hvp_pass *p = ctx;
  (void)a;
  sl_mlp_chunk_forward(m, p->A0, k0, c, p->rows, p->x, 1);
  chunk_cache(m, k0, c, p->x);
}

static void hvp_chunk(mlp *m, void *ctx, double *a, size_t k0, size_t c) {
  const hvp_pass *p = ctx;
  if (!p->cached) sl_mlp_chunk_forward(m, p->A0, k0, c, p->rows, p->x, 1);
  chunk_r(m, p->cached, p->A0, k0, c, p->x, p->v, a);
}

sl_status sl_mlp_hvp_begin(sl_objective *o, const double *x) {
  mlp *m = o->impl;
  m->cache_o = NULL;
  if (ensure_r(m) != SL_OK || ensure_c(m) != SL_OK)
    return sl_obj_fail(o, SL_ENOMEM, "MLP HVP cache");
  hvp_pass p = {.A0 = sl_mlp_input(o, m), .x = x, .rows = o->idx};
  int T, nb = sl_mlp_blocks(o, m, &T);
  sl_mlp_rows(o, nb, T, 0, cache_chunk, &p);
  m->cache_o = o;
  m->cache_x = x;
  return SL_OK;
}

void sl_mlp_hvp_end(sl_objective *o) {
  mlp *m = o->impl;
  if (m->cache_o == o) m->cache_o = NULL;
}

/* Row-parallel like sl_mlp_fg (sl_mlp_rows); the cache serves only its
   owner, at the x of the open window. */
sl_status sl_mlp_hvp(sl_objective *o, const double *x, const double *v, double *hv) {
  mlp *m = o->impl;
  if (ensure_r(m) != SL_OK) return sl_obj_fail(o, SL_ENOMEM, "MLP HVP buffers");
  size_t dim = m->dim;
  int T, nb = sl_mlp_blocks(o, m, &T);
  if (sl_tacc_reserve(&m->acc, nb, 1 + dim) != SL_OK)
    return sl_obj_fail(o, SL_ENOMEM, "MLP buffers");
  hvp_pass p = {.A0 = sl_mlp_input(o, m),
                .x = x,
                .v = v,
                .rows = o->idx,
                .cached = m->cache_o == o && m->cache_x == x && o->hvp_x == x};
  sl_mlp_rows(o, nb, T, dim, hvp_chunk, &p);
  memcpy(hv, sl_mlp_reduce(m, nb, dim), dim * sizeof *hv);
  sl_mlp_finish(m, o->n, v, 0.0, NULL, hv);
  return SL_OK;
}
