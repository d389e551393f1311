/*
** obj_mlp_hvp.c — the exact Hessian-vector product of the MLP objective by
** Pearlmutter's R-operator (Pearlmutter 1994, "Fast exact multiplication by
** the Hessian"): R{.} = d/dr (.)(x + r v) at r = 0, pushed through the
** forward pass and then the backward pass, all on the batch through dgemm.
**   forward:  R Z_l = R A_{l-1} W_l^T + A_{l-1} V_l^T + 1 c_l^T,  R A_l = a'(Z_l) .* R Z_l
**   output:   R D_L = P .* (R Z_L - rowsum(P .* R Z_L))  (xent),  R Z_L (mse)
**   backward: R grad W_l = R D_l^T A_{l-1} + D_l^T R A_{l-1},  R grad b_l = 1^T R D_l,
**             R D_{l-1} = (R D_l W_l + D_l V_l) .* a'(Z_{l-1}) + (D_l W_l) .* a''(Z_{l-1}) .* R Z_{l-1}
** where (V_l, c_l) are the blocks of v shaped like (W_l, b_l).
*/
#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#include "obj_mlp.h"

sl_status sl_mlp_hvp(sl_objective *o, const double *x, const double *v, double *hv);

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

static void gemm(int ta, int tb, size_t M, size_t N, size_t K, const double *A, size_t lda,
                 const double *B, size_t ldb, double beta, double *C, size_t ldc) {
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
              (int)M, (int)N, (int)K, 1.0, A, (int)lda, B, (int)ldb, beta, C, (int)ldc);
}

sl_status sl_mlp_hvp(sl_objective *o, const double *x, const double *v, double *hv) {
  mlp *m = o->impl;
  if (ensure_r(m) != SL_OK) return sl_obj_fail(o, SL_ENOMEM, "MLP HVP buffers");
  size_t r = o->n, L = m->L, K = m->size[L];
  const double *A0 = sl_mlp_input(o, m);
  sl_mlp_forward(m, A0, r, x, o->idx);
  sl_mlp_out_delta(m, r, o->idx);
  /* forward R-pass */
  for (size_t l = 0; l < L; l++) {
    size_t in = m->size[l], out = m->size[l + 1];
    const double *Ain = l == 0 ? A0 : m->A[l - 1];
    sl_mlp_affine(r, in, out, Ain, v + m->woff[l], v + m->boff[l], m->RZ[l]);
    if (l > 0) gemm(0, 1, r, out, in, m->RA[l - 1], in, x + m->woff[l], in, 1.0, m->RZ[l], out);
    if (l + 1 < L) {
      size_t cnt = r * out;
      const double *Z = m->Z[l], *A = m->A[l], *RZ = m->RZ[l];
      double *RA = m->RA[l];
      for (size_t e = 0; e < cnt; e++) RA[e] = sl_mlp_d1(m->act, Z[e], A[e]) * RZ[e];
    }
  }
  /* R of the output delta */
  double *D = m->D, *Dn = m->Dn, *RD = m->RD, *RDn = m->RDn;
  const double *RZo = m->RZ[L - 1];
  if (m->loss == SL_LOSS_XENT) {
    const double *P = m->A[L - 1];
    for (size_t k = 0; k < r; k++) {
      const double *p = P + k * K, *rz = RZo + k * K;
      double s = 0.0;
      for (size_t c = 0; c < K; c++) s += p[c] * rz[c];
      for (size_t c = 0; c < K; c++) RD[k * K + c] = p[c] * (rz[c] - s);
    }
  } else {
    memcpy(RD, RZo, r * K * sizeof(double));
  }
  /* backward R-pass */
  for (size_t l = L; l-- > 0;) {
    size_t in = m->size[l], out = m->size[l + 1];
    const double *Ain = l == 0 ? A0 : m->A[l - 1];
    gemm(1, 0, out, in, r, RD, out, Ain, in, 0.0, hv + m->woff[l], in);
    if (l > 0) gemm(1, 0, out, in, r, D, out, m->RA[l - 1], in, 1.0, hv + m->woff[l], in);
    sl_mlp_colsum(r, out, RD, hv + m->boff[l]);
    if (l == 0) break;
    const double *W = x + m->woff[l], *V = v + m->woff[l];
    gemm(0, 0, r, in, out, D, out, W, in, 0.0, m->Q, in);
    gemm(0, 0, r, in, out, RD, out, W, in, 0.0, RDn, in);
    gemm(0, 0, r, in, out, D, out, V, in, 1.0, RDn, in);
    const double *Z = m->Z[l - 1], *A = m->A[l - 1], *RZ = m->RZ[l - 1], *Q = m->Q;
    size_t cnt = r * in;
    for (size_t e = 0; e < cnt; e++) {
      double d1 = sl_mlp_d1(m->act, Z[e], A[e]);
      RDn[e] = RDn[e] * d1 + Q[e] * sl_mlp_d2(m->act, Z[e], A[e]) * RZ[e];
      Dn[e] = Q[e] * d1;
    }
    double *t = D;
    D = Dn;
    Dn = t;
    t = RD;
    RD = RDn;
    RDn = t;
  }
  sl_mlp_finish(m, r, v, 0.0, NULL, hv);
  return SL_OK;
}
