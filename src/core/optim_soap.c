/*
** optim_soap.c — SOAP (Vyas et al. 2024, "SOAP: Improving and Stabilizing
** Shampoo using Adam", Alg. 1), as the authors' reference soap.py (no
** dimension merging, no 1-D preconditioning): Adam run in the eigenbasis of
** Shampoo's preconditioner, per weight matrix of the layout.
**   first step: L = (1 - sb) G G^T, R = (1 - sb) G^T G; Q_L, Q_R their
**     eigenvectors by decreasing eigenvalue (LAPACK dsyevd); x is not moved
**     (the reference never uses a gradient in the basis it built);
**   then, with s = t - 1 the reference's step count:
**     G' = Q_L^T G Q_R;  m = b1 m + (1 - b1) G';  v = b2 v + (1 - b2) G'^2
**     x -= lr sqrt(1 - b2^s)/(1 - b1^s) Q_L (m / (sqrt(v) + eps)) Q_R^T
**     x -= lr wd x                                  (after the step, as AdamW)
**     L += (1 - sb)(G G^T - L), R likewise; every precondition_frequency
**     steps each Q is refreshed by one power iteration and a QR
**     decomposition (dgeqrf/dorgqr) after sorting its columns (and v's rows or
**     columns) by the estimated eigenvalues diag(Q^T L Q), descending;
**     m is kept in the current basis (mapped back and forth on a refresh).
** sb = shampoo_beta, or beta2 when shampoo_beta < 0. Vector layers (biases)
** take the same Adam step in the original basis.
*/
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sl_optim.h"

enum { LR, B1, B2, SB, EPS, WD, FREQ };

static const sl_hpspec hp[] = {{"lr", 3e-3, SL_HP_NONNEG, NULL},
                               {"beta1", 0.95, SL_HP_UNIT, NULL},
                               {"beta2", 0.95, SL_HP_UNIT, NULL},
                               {"shampoo_beta", -1, SL_HP_NUM, NULL},
                               {"eps", 1e-8, SL_HP_NONNEG, NULL},
                               {"weight_decay", 0.01, SL_HP_NONNEG, NULL},
                               {"precondition_frequency", 10, SL_HP_COUNT, NULL}};
/* stats: L then R of each matrix layer in layout order; basis: Q_L then Q_R */
static const char *const bufs[] = {"exp_avg", "exp_avg_sq", "stats", "basis", NULL};

static sl_status check(sl_optimizer *o) {
  const double sb = o->hp[SB];
  if (!(sb < 0 || sb < 1))
    return sl_optim_fail(o, SL_EINVAL,
                         "shampoo_beta must be in [0, 1), or negative for beta2, got %g", sb);
  return SL_OK;
}

static size_t stats_len(const sl_layout *lay) {
  size_t len = 0;
  for (size_t l = 0; lay && l < lay->n; l++)
    if (lay->layer[l].cols)
      len += lay->layer[l].rows * lay->layer[l].rows + lay->layer[l].cols * lay->layer[l].cols;
  return len;
}

static size_t buflen(const sl_optimizer *o, size_t k) {
  return k < 2 ? o->dim : stats_len(o->layout);
}

static void destroy(sl_optimizer *o) { free(o->impl); }

/* C = op(A) op(B) for n x n or rectangular row-major blocks (alpha 1, beta 0). */
static void mm(int ta, int tb, size_t m, size_t n, size_t k, const double *A, const double *B,
               double *C) {
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)m,
              (int)n, (int)k, 1.0, A, ta ? (int)m : (int)k, B, tb ? (int)k : (int)n, 0.0, C,
              (int)n);
}

/* Q = eigenvectors of S (n x n) by decreasing eigenvalue; work n^2 + n. */
static sl_status eigbasis(size_t n, const double *S, double *Q, double *work) {
  double *A = work, *w = work + n * n;
  memcpy(A, S, n * n * sizeof *A);
  for (size_t i = 0; i < n; i++) A[i * n + i] += 1e-30; /* the reference's jitter */
  if (LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', (lapack_int)n, A, (lapack_int)n, w) != 0)
    return SL_ENONFINITE;
  for (size_t i = 0; i < n * n; i++)
    if (!isfinite(A[i])) return SL_ENONFINITE;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++) Q[i * n + j] = A[i * n + (n - 1 - j)];
  return SL_OK;
}

/*
** One refresh of Q (n x n) for statistics S: sort Q's columns (and v along
** `axis` of the r x c matrix v) by diag(Q^T S Q) descending, then Q = qr(S Q).
** work: 3 n^2 + n doubles, perm n size_t.
*/
static sl_status refresh(size_t n, const double *S, double *Q, double *v, size_t r, size_t c,
                         int axis, double *work, size_t *perm) {
  double *SQ = work, *P = SQ + n * n, *vt = P + n * n, *tau = vt + n * n, *est = tau;
  mm(0, 0, n, n, n, S, Q, SQ);
  for (size_t j = 0; j < n; j++) {
    double e = 0;
    for (size_t i = 0; i < n; i++) e += Q[i * n + j] * SQ[i * n + j];
    est[j] = e;
    perm[j] = j;
  }
  for (size_t j = 1; j < n; j++) { /* stable insertion sort, descending */
    size_t p = perm[j], k = j;
    while (k > 0 && est[perm[k - 1]] < est[p]) {
      perm[k] = perm[k - 1];
      k--;
    }
    perm[k] = p;
  }
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++) P[i * n + j] = Q[i * n + perm[j]];
  if (axis == 0) { /* v's rows follow Q_L's columns */
    memcpy(vt, v, r * c * sizeof *v);
    for (size_t i = 0; i < r; i++) memcpy(v + i * c, vt + perm[i] * c, c * sizeof *v);
  } else {
    memcpy(vt, v, r * c * sizeof *v);
    for (size_t i = 0; i < r; i++)
      for (size_t j = 0; j < c; j++) v[i * c + j] = vt[i * c + perm[j]];
  }
  mm(0, 0, n, n, n, S, P, Q); /* power iteration, then its orthogonal factor */
  if (LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, (lapack_int)n, (lapack_int)n, Q, (lapack_int)n, tau) != 0 ||
      LAPACKE_dorgqr(LAPACK_ROW_MAJOR, (lapack_int)n, (lapack_int)n, (lapack_int)n, Q,
                     (lapack_int)n, tau) != 0)
    return SL_ENONFINITE;
  for (size_t i = 0; i < n * n; i++)
    if (!isfinite(Q[i])) return SL_ENONFINITE;
  return SL_OK;
}

/* Q_L^T A Q_R (to = 1) or Q_L A Q_R^T (to = 0) of the r x c A into out; tmp r x c. */
static void project(int to, size_t r, size_t c, const double *QL, const double *QR, const double *A,
                    double *tmp, double *out) {
  mm(to, 0, r, c, r, QL, A, tmp);
  mm(0, !to, r, c, c, tmp, QR, out);
}

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  const sl_layout *lay = o->layout;
  const size_t n = o->dim;
  if (lay == NULL) return sl_optim_fail(o, SL_EINVAL, "soap needs layers (the weight matrices)");
  size_t mx = 1;
  for (size_t l = 0; l < lay->n; l++) {
    if (lay->layer[l].rows > mx) mx = lay->layer[l].rows;
    if (lay->layer[l].cols > mx) mx = lay->layer[l].cols;
  }
  if (o->impl == NULL) { /* work: three r x c blocks, 4 m^2 + m for the bases, m indices */
    o->impl = malloc((3 * n + 4 * mx * mx + mx) * sizeof(double) + mx * sizeof(size_t));
    if (o->impl == NULL) return sl_optim_fail(o, SL_ENOMEM, "no memory for soap's work");
  }
  double *T1 = o->impl, *T2 = T1 + n, *T3 = T2 + n, *W = T3 + n;
  size_t *perm = (size_t *)(W + 4 * mx * mx + mx);
  double *m = o->buf[0], *v = o->buf[1], *S = o->buf[2], *Qb = o->buf[3];
  const double lr = o->hp[LR], b1 = o->hp[B1], b2 = o->hp[B2], eps = o->hp[EPS], wd = o->hp[WD];
  const double sb = o->hp[SB] < 0 ? b2 : o->hp[SB];
  const unsigned long s = o->t - 1; /* the reference's step count */
  const double step_size = s ? lr * sqrt(1 - pow(b2, (double)s)) / (1 - pow(b1, (double)s)) : 0;
  const int refresh_now = s > 0 && s % (unsigned long)o->hp[FREQ] == 0;
  for (size_t l = 0; l < lay->n; l++) {
    const sl_layer *y = &lay->layer[l];
    const size_t off = y->offset, r = y->rows, c = y->cols;
    const double *gl = g + off;
    double *xl = x + off, *ml = m + off, *vl = v + off;
    if (c == 0) { /* Adam in the original basis */
      for (size_t i = 0; s > 0 && i < y->size; i++) {
        ml[i] = ml[i] * b1 + (1 - b1) * gl[i];
        vl[i] = vl[i] * b2 + (1 - b2) * (gl[i] * gl[i]);
        xl[i] = xl[i] + -step_size * (ml[i] / (sqrt(vl[i]) + eps));
        xl[i] = xl[i] + -lr * wd * xl[i];
      }
      continue;
    }
    double *Ls = S, *Rs = S + r * r, *QL = Qb, *QR = Qb + r * r;
    S += r * r + c * c;
    Qb += r * r + c * c;
    if (s > 0) {
      project(1, r, c, QL, QR, gl, T1, T2); /* G' */
      for (size_t i = 0; i < y->size; i++) {
        ml[i] = ml[i] * b1 + (1 - b1) * T2[i];
        vl[i] = vl[i] * b2 + (1 - b2) * (T2[i] * T2[i]);
        T2[i] = ml[i] / (sqrt(vl[i]) + eps);
      }
      project(0, r, c, QL, QR, T2, T1, T3);
      for (size_t i = 0; i < y->size; i++) {
        xl[i] = xl[i] + -step_size * T3[i];
        xl[i] = xl[i] + -lr * wd * xl[i];
      }
      project(0, r, c, QL, QR, ml, T1, T3); /* m back in the original basis */
    }
    mm(0, 1, r, r, c, gl, gl, W); /* L += (1 - sb)(G G^T - L) */
    for (size_t i = 0; i < r * r; i++) Ls[i] = Ls[i] + (1 - sb) * (W[i] - Ls[i]);
    mm(1, 0, c, c, r, gl, gl, W);
    for (size_t i = 0; i < c * c; i++) Rs[i] = Rs[i] + (1 - sb) * (W[i] - Rs[i]);
    sl_status st = SL_OK;
    if (s == 0) {
      if ((st = eigbasis(r, Ls, QL, W)) == SL_OK) st = eigbasis(c, Rs, QR, W);
    } else if (refresh_now) {
      if ((st = refresh(r, Ls, QL, vl, r, c, 0, W, perm)) == SL_OK)
        st = refresh(c, Rs, QR, vl, r, c, 1, W, perm);
    }
    if (st < 0)
      return sl_optim_fail(
          o, st, "the eigenbasis of layer %s's statistics failed (non-finite gradient?)", y->name);
    if (s > 0) project(1, r, c, QL, QR, T3, T1, ml); /* m into the (new) basis */
  }
  return SL_OK;
}

const sl_optim_ops sl_optim_soap = {.name = "soap",
                                    .hp = hp,
                                    .nhp = sizeof hp / sizeof hp[0],
                                    .bufs = bufs,
                                    .buflen = buflen,
                                    .check = check,
                                    .step = step,
                                    .destroy = destroy};
