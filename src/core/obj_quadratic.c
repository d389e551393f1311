/*
** obj_quadratic.c — dense quadratics f(x) = 1/2 x^T A x - b^T x with A
** symmetric: given A, or built as Q diag(eigs) Q^T from a seeded Haar-random
** orthogonal Q so that the spectrum (and the conditioning) is a parameter.
*/
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_mat.h"
#include "sl_rng.h"
#include "sl_vec.h"
#include "sl_testfns.h"

typedef struct quad {
  size_t n;
  double *A; /* n x n row-major, symmetric */
  double *b; /* n */
  double *w; /* n: A x when the caller wants no gradient */
} quad;

/* g = A x - b (dsymv) and f = x.(A x / 2 - b), in one pass over A x. */
static sl_status quad_fg(sl_objective *o, const double *x, double *f, double *g) {
  quad *q = o->impl;
  size_t n = q->n;
  double *ax = g ? g : q->w;
  cblas_dsymv(CblasRowMajor, CblasUpper, (int)n, 1.0, q->A, (int)n, x, 1, 0.0, ax, 1);
  double s = 0.0;
  for (size_t i = 0; i < n; i++) {
    s += x[i] * (0.5 * ax[i] - q->b[i]);
    ax[i] -= q->b[i];
  }
  *f = s;
  return SL_OK;
}

static sl_status quad_hvp(sl_objective *o, const double *x, const double *v, double *hv) {
  (void)x;
  quad *q = o->impl;
  cblas_dsymv(CblasRowMajor, CblasUpper, (int)q->n, 1.0, q->A, (int)q->n, v, 1, 0.0, hv, 1);
  return SL_OK;
}

static void quad_destroy(void *impl) {
  quad *q = impl;
  if (q == NULL) return;
  free(q->A);
  free(q->b);
  free(q->w);
  free(q);
}

static const sl_objective_ops quad_ops = {"quadratic", quad_fg, quad_hvp, NULL, NULL, quad_destroy};

static void setmsg(char *msg, size_t msglen, const char *s) {
  if (msg && msglen) snprintf(msg, msglen, "%s", s);
}

/* A quad with A, b allocated (b zeroed or copied); A left to the caller. */
static quad *quad_alloc(size_t n, const double *b, sl_status *st) {
  size_t nn;
  quad *q = NULL;
  if (sl_size_product(n, n, &nn) != SL_OK || (q = calloc(1, sizeof *q)) == NULL) goto oom;
  q->n = n;
  q->A = malloc(nn * sizeof *q->A);
  q->b = calloc(n, sizeof *q->b);
  q->w = malloc(n * sizeof *q->w);
  if (q->A == NULL || q->b == NULL || q->w == NULL) goto oom;
  if (b) memcpy(q->b, b, n * sizeof *b);
  return q;
oom:
  quad_destroy(q);
  *st = SL_ENOMEM;
  return NULL;
}

static sl_objective *quad_finish(quad *q, sl_status *st) {
  sl_objective *o = sl_obj_new(&quad_ops, q, q->n, 0);
  if (o == NULL) {
    quad_destroy(q);
    *st = SL_ENOMEM;
    return NULL;
  }
  *st = SL_OK;
  return o;
}

static int check_b(size_t n, const double *b, sl_status *st, char *msg, size_t msglen) {
  if (b && !sl_vec_isfinite(n, b)) {
    *st = SL_EINVAL;
    setmsg(msg, msglen, "b has a NaN or Inf entry");
    return 0;
  }
  return 1;
}

sl_objective *sl_obj_quadratic_new(size_t n, const double *A, const double *b, sl_status *st,
                                   char *msg, size_t msglen) {
  *st = SL_EINVAL;
  if (n == 0) {
    setmsg(msg, msglen, "A must not be empty");
    return NULL;
  }
  double amax = 0.0;
  for (size_t i = 0; i < n * n; i++) {
    if (!isfinite(A[i])) {
      if (msg && msglen) snprintf(msg, msglen, "A has a NaN or Inf entry at (%zu, %zu)", i / n + 1, i % n + 1);
      return NULL;
    }
    amax = fmax(amax, fabs(A[i]));
  }
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < i; j++)
      if (fabs(A[i * n + j] - A[j * n + i]) > 1e-12 * amax) {
        if (msg && msglen)
          snprintf(msg, msglen, "A must be symmetric: A[%zu][%zu] = %g but A[%zu][%zu] = %g", i + 1,
                   j + 1, A[i * n + j], j + 1, i + 1, A[j * n + i]);
        return NULL;
      }
  if (!check_b(n, b, st, msg, msglen)) return NULL;
  quad *q = quad_alloc(n, b, st);
  if (q == NULL) return NULL;
  /* store the exact symmetrization, so H = A exactly */
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j <= i; j++)
      q->A[i * n + j] = q->A[j * n + i] = 0.5 * (A[i * n + j] + A[j * n + i]);
  return quad_finish(q, st);
}

/*
** Haar-random orthogonal Q: QR of an n x n standard Gaussian matrix G = QR
** (dgeqrf + dorgqr), then column j scaled by sign(R_jj) (Mezzadri, "How to
** generate random matrices from the classical compact groups", 2007).
*/
sl_objective *sl_obj_quadratic_eigs_new(size_t n, const double *eigs, const double *b,
                                        uint64_t seed, sl_status *st, char *msg, size_t msglen) {
  *st = SL_EINVAL;
  if (n == 0) {
    setmsg(msg, msglen, "eigs must not be empty");
    return NULL;
  }
  for (size_t i = 0; i < n; i++)
    if (!isfinite(eigs[i])) {
      if (msg && msglen) snprintf(msg, msglen, "eigs has a NaN or Inf entry at %zu", i + 1);
      return NULL;
    }
  if (!check_b(n, b, st, msg, msglen)) return NULL;
  if (n > 46340) { /* n*n must fit LAPACK's int */
    *st = SL_ENOMEM;
    return NULL;
  }
  quad *q = quad_alloc(n, b, st);
  if (q == NULL) return NULL;
  double *G = malloc(n * n * sizeof *G), *tau = malloc(n * sizeof *tau),
         *QD = malloc(n * n * sizeof *QD), *sgn = malloc(n * sizeof *sgn);
  sl_objective *o = NULL;
  if (G == NULL || tau == NULL || QD == NULL || sgn == NULL) {
    *st = SL_ENOMEM;
    quad_destroy(q);
    goto done;
  }
  sl_rng r;
  sl_rng_seed(&r, seed);
  for (size_t i = 0; i < n * n; i++) G[i] = sl_rng_normal(&r);
  lapack_int in = (lapack_int)n;
  if (LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, in, in, G, in, tau) != 0) goto lapack_fail;
  for (size_t j = 0; j < n; j++) sgn[j] = G[j * n + j] < 0.0 ? -1.0 : 1.0;
  if (LAPACKE_dorgqr(LAPACK_ROW_MAJOR, in, in, in, G, in, tau) != 0) goto lapack_fail;
  /* QD = Q S diag(eigs), S = diag(sgn); A = (Q S) diag(eigs) (Q S)^T */
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++) {
      G[i * n + j] *= sgn[j];
      QD[i * n + j] = G[i * n + j] * eigs[j];
    }
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, in, in, in, 1.0, QD, in, G, in, 0.0, q->A, in);
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < i; j++)
      q->A[i * n + j] = q->A[j * n + i] = 0.5 * (q->A[i * n + j] + q->A[j * n + i]);
  o = quad_finish(q, st);
  goto done;
lapack_fail:
  setmsg(msg, msglen, "LAPACK failed building the orthogonal matrix");
  *st = SL_EINVAL;
  quad_destroy(q);
done:
  free(G);
  free(tau);
  free(QD);
  free(sgn);
  return o;
}

const double *sl_obj_quadratic_matrix(const sl_objective *o) {
  return (o && o->ops == &quad_ops) ? ((const quad *)o->impl)->A : NULL;
}

const double *sl_obj_quadratic_rhs(const sl_objective *o) {
  return (o && o->ops == &quad_ops) ? ((const quad *)o->impl)->b : NULL;
}

/* Cholesky A = L L^T (dposv); fails exactly when A is not positive definite. */
sl_status sl_obj_quadratic_minimizer(const sl_objective *o, double *x) {
  if (sl_obj_quadratic_matrix(o) == NULL) return SL_EUNSUPPORTED;
  const quad *q = o->impl;
  size_t n = q->n;
  double *F = malloc(n * n * sizeof *F);
  if (F == NULL) return SL_ENOMEM;
  memcpy(F, q->A, n * n * sizeof *F);
  memcpy(x, q->b, n * sizeof *x);
  lapack_int info = LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', (lapack_int)n, 1, F, (lapack_int)n, x, 1);
  free(F);
  return info == 0 ? SL_OK : SL_EINVAL;
}
