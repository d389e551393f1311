/*
** sl_synth.c — synthetic regression and classification data with known
** true weights and a chosen conditioning of the features, for testing
** optimizers against answers known in advance.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sl_data.h"

/* Random orthogonal d x d matrix (row-major, columns orthonormal): modified
   Gram-Schmidt on Gaussian columns, i.e. the Q of a QR factorization
   (Golub & Van Loan, Alg. 5.2.6). A column that collapses is drawn again. */
static void random_orthogonal(sl_rng *r, size_t d, double *q) {
  for (size_t j = 0; j < d; j++) {
    for (;;) {
      for (size_t i = 0; i < d; i++) q[i * d + j] = sl_rng_normal(r);
      for (size_t k = 0; k < j; k++) {
        double dot = 0.0;
        for (size_t i = 0; i < d; i++) dot += q[i * d + k] * q[i * d + j];
        for (size_t i = 0; i < d; i++) q[i * d + j] -= dot * q[i * d + k];
      }
      double nrm = 0.0;
      for (size_t i = 0; i < d; i++) nrm += q[i * d + j] * q[i * d + j];
      nrm = sqrt(nrm);
      if (nrm > 1e-8) {
        for (size_t i = 0; i < d; i++) q[i * d + j] /= nrm;
        break;
      }
    }
  }
}

/* X = Z diag(s) Q^T: singular values s_j = cond^(-j / (2 (d-1))), log-spaced
   from 1 to 1/sqrt(cond), so cov(X) = Q diag(s^2) Q^T has condition number cond. */
static sl_status features(const sl_synth_opts *o, sl_rng *r, sl_mat *x) {
  size_t n = o->n, d = o->d, nd, dd;
  if (x->rows != n || x->cols != d) return SL_EDIM;
  if (!(o->cond >= 1.0) || !isfinite(o->cond)) return SL_EINVAL;
  if (sl_size_product(n, d, &nd) != SL_OK || sl_size_product(d, d, &dd) != SL_OK) return SL_ENOMEM;
  if (n == 0 || d == 0) return SL_OK;
  double *b = malloc(dd * sizeof(double));
  double *z = malloc(nd * sizeof(double));
  double *q = malloc(dd * sizeof(double));
  if (!b || !z || !q) {
    free(b);
    free(z);
    free(q);
    return SL_ENOMEM;
  }
  random_orthogonal(r, d, q);
  /* B = diag(s) Q^T: B[i][j] = s_i Q[j][i] */
  for (size_t i = 0; i < d; i++) {
    double s = d > 1 ? pow(o->cond, -(double)i / (2.0 * (double)(d - 1))) : 1.0;
    for (size_t j = 0; j < d; j++) b[i * d + j] = s * q[j * d + i];
  }
  free(q);
  for (size_t k = 0; k < nd; k++) z[k] = sl_rng_normal(r);
  sl_mat zm = {n, d, z}, bm = {d, d, b};
  sl_mat_mm(&zm, &bm, x);
  free(b);
  free(z);
  return SL_OK;
}

sl_status sl_synth_linear(const sl_synth_opts *o, sl_mat *x, double *y, double *w) {
  if (!(o->noise >= 0.0) || !isfinite(o->noise) || !isfinite(o->intercept)) return SL_EINVAL;
  sl_rng r;
  sl_rng_seed(&r, o->seed);
  for (size_t j = 0; j < o->d; j++) w[j] = sl_rng_normal(&r);
  sl_status st = features(o, &r, x);
  if (st != SL_OK) return st;
  sl_mat_mv(x, w, y);
  for (size_t i = 0; i < o->n; i++) {
    y[i] += o->intercept;
    if (o->noise > 0.0) y[i] += o->noise * sl_rng_normal(&r);
  }
  return SL_OK;
}

sl_status sl_synth_logistic(const sl_synth_opts *o, sl_mat *x, double *y, double *w) {
  if (!(o->scale >= 0.0) || !isfinite(o->scale)) return SL_EINVAL;
  sl_rng r;
  sl_rng_seed(&r, o->seed);
  double nrm = 0.0;
  for (size_t j = 0; j < o->d; j++) {
    w[j] = sl_rng_normal(&r);
    nrm += w[j] * w[j];
  }
  nrm = sqrt(nrm);
  for (size_t j = 0; j < o->d; j++) w[j] = nrm > 0.0 ? w[j] * o->scale / nrm : 0.0;
  sl_status st = features(o, &r, x);
  if (st != SL_OK) return st;
  sl_mat_mv(x, w, y);
  for (size_t i = 0; i < o->n; i++) {
    double p = 1.0 / (1.0 + exp(-y[i]));
    y[i] = sl_rng_uniform(&r) < p ? 1.0 : 0.0;
  }
  return SL_OK;
}
