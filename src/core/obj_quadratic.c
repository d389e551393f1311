/*
** obj_quadratic.c — f(x) = 1/2 x^T A x - b^T x, grad = A x - b, H = A.
** The spectral form builds A = Q diag(eigs) Q^T with Q Haar-distributed:
** the Q factor of a Gaussian matrix with R's diagonal made positive
** (Mezzadri, "How to generate random matrices from the classical compact
** groups", Notices AMS 54, 2007).
*/
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sl_mat.h"
#include "sl_rng.h"
#include "sl_testfns.h"

typedef struct {
  size_t n;
  double *A;    /* n x n, symmetric */
  double *b;    /* n */
  double *work; /* n: A x when the caller wants no gradient */
} quad;

static sl_status quad_fg(sl_objective *o, const double *x, double *f, double *g) {
  quad *q = o->impl;
  size_t n = q->n;
  double *ax = g ? g : q->work;
  if (n) cblas_dsymv(CblasRowMajor, CblasUpper, (int)n, 1.0, q->A, (int)n, x, 1, 0.0, ax, 1);
  double s = 0.0;
  for (size_t i = 0; i < n; i++) {
    s += x[i] * (0.5 * ax[i] - q->b[i]);
    if (g) g[i] = ax[i] - q->b[i];
  }
  *f = s;
  return SL_OK;
}

static sl_status quad_hvp(sl_objective *o, const double *x, const double *v, double *hv) {
  (void)x;
  quad *q = o->impl;
  if (q->n)
    cblas_dsymv(CblasRowMajor, CblasUpper, (int)q->n, 1.0, q->A, (int)q->n, v, 1, 0.0, hv, 1);
  return SL_OK;
}

/* Start: a standard normal draw (so that b = 0 does not start at the minimizer). */
static void quad_init(sl_objective *o, sl_rng *rng, double *x) {
  sl_rng local;
  if (rng == NULL) {
    sl_rng_seed(&local, 0);
    rng = &local;
  }
  for (size_t i = 0; i < o->dim; i++) x[i] = sl_rng_normal(rng);
}

static void quad_destroy(void *impl) {
  quad *q = impl;
  if (q == NULL) return;
  free(q->A);
  free(q->b);
  free(q->work);
  free(q);
}

static const sl_objective_ops quad_ops = {.name = "quadratic",
                                          .fg = quad_fg,
                                          .hvp = quad_hvp,
                                          .init = quad_init,
                                          .destroy = quad_destroy};

/* A quad with uninitialized A and b = b0 (or 0). */
static quad *quad_alloc(size_t n, const double *b0, sl_status *st) {
  size_t nn;
  if (n == 0 || n > (size_t)INT32_MAX || sl_size_product(n, n, &nn) != SL_OK) {
    *st = n == 0 ? SL_EINVAL : SL_ENOMEM;
    return NULL;
  }
  if (b0)
    for (size_t i = 0; i < n; i++)
      if (!isfinite(b0[i])) {
        *st = SL_EINVAL;
        return NULL;
      }
  quad *q = calloc(1, sizeof *q);
  if (q == NULL) goto nomem;
  q->n = n;
  q->A = malloc(nn * sizeof *q->A);
  q->b = calloc(n, sizeof *q->b);
  q->work = malloc(n * sizeof *q->work);
  if (q->A == NULL || q->b == NULL || q->work == NULL) goto nomem;
  if (b0) memcpy(q->b, b0, n * sizeof *q->b);
  return q;
nomem:
  quad_destroy(q);
  *st = SL_ENOMEM;
  return NULL;
}

static sl_objective *quad_wrap(quad *q, sl_status *st) {
  sl_objective *o = sl_obj_new(&quad_ops, q, q->n, 0);
  if (o == NULL) {
    quad_destroy(q);
    *st = SL_ENOMEM;
  }
  return o;
}

sl_objective *sl_obj_quadratic(size_t n, const double *A, const double *b, sl_status *st) {
  *st = SL_OK;
  for (size_t i = 0; i < n; i++)
    for (size_t j = i; j < n; j++) {
      double a = A[i * n + j], c = A[j * n + i];
      if (!isfinite(a) || !isfinite(c) || fabs(a - c) > 1e-12 * fmax(1.0, fabs(a))) {
        *st = SL_EINVAL;
        return NULL;
      }
    }
  quad *q = quad_alloc(n, b, st);
  if (q == NULL) return NULL;
  memcpy(q->A, A, n * n * sizeof *q->A);
  return quad_wrap(q, st);
}

sl_objective *sl_obj_quadratic_eigs(size_t n, const double *eigs, const double *b, uint64_t seed,
                                    sl_status *st) {
  *st = SL_OK;
  for (size_t i = 0; i < n; i++)
    if (!isfinite(eigs[i])) {
      *st = SL_EINVAL;
      return NULL;
    }
  quad *q = quad_alloc(n, b, st);
  if (q == NULL) return NULL;
  double *G = malloc(n * n * sizeof *G), *tau = malloc(n * sizeof *tau);
  double *B = malloc(n * n * sizeof *B);
  if (G == NULL || tau == NULL || B == NULL) {
    *st = SL_ENOMEM;
    goto fail;
  }
  sl_rng rng;
  sl_rng_seed(&rng, seed);
  for (size_t i = 0; i < n * n; i++) G[i] = sl_rng_normal(&rng);
  int ni = (int)n;
  if (LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, ni, ni, G, ni, tau) != 0) {
    *st = SL_EINVAL;
    goto fail;
  }
  for (size_t i = 0; i < n; i++) B[i] = G[i * n + i] < 0.0 ? -1.0 : 1.0; /* sign(R_ii) */
  if (LAPACKE_dorgqr(LAPACK_ROW_MAJOR, ni, ni, ni, G, ni, tau) != 0) {
    *st = SL_EINVAL;
    goto fail;
  }
  /* Q <- Q diag(sign(R_jj)); then B = Q diag(eigs), A = B Q^T. */
  double *sgn = tau;
  for (size_t j = 0; j < n; j++) sgn[j] = B[j];
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++) {
      G[i * n + j] *= sgn[j];
      B[i * n + j] = G[i * n + j] * eigs[j];
    }
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, ni, ni, ni, 1.0, B, ni, G, ni, 0.0, q->A,
              ni);
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++) {
      double s = 0.5 * (q->A[i * n + j] + q->A[j * n + i]);
      q->A[i * n + j] = q->A[j * n + i] = s;
    }
  free(G);
  free(tau);
  free(B);
  return quad_wrap(q, st);
fail:
  free(G);
  free(tau);
  free(B);
  quad_destroy(q);
  return NULL;
}

int sl_obj_is_quadratic(const sl_objective *o) { return o && o->ops == &quad_ops; }

const double *sl_quadratic_A(const sl_objective *o) { return ((const quad *)o->impl)->A; }

const double *sl_quadratic_b(const sl_objective *o) { return ((const quad *)o->impl)->b; }

sl_status sl_quadratic_minimizer(sl_objective *o, double *x) {
  const quad *q = o->impl;
  size_t n = q->n;
  double *A = malloc(n * n * sizeof *A);
  lapack_int *ipiv = malloc(n * sizeof *ipiv);
  sl_status st = SL_OK;
  if (A == NULL || ipiv == NULL) {
    st = SL_ENOMEM;
    goto done;
  }
  memcpy(A, q->A, n * n * sizeof *A);
  memcpy(x, q->b, n * sizeof *x);
  lapack_int info =
      LAPACKE_dsysv(LAPACK_ROW_MAJOR, 'U', (lapack_int)n, 1, A, (lapack_int)n, ipiv, x, 1);
  if (info != 0) st = sl_obj_fail(o, SL_EINVAL, "A is singular: no unique minimizer");
done:
  free(A);
  free(ipiv);
  return st;
}
