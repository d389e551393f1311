/*
** sl_lanczos.c — the Lanczos process with full reorthogonalization, for the
** extreme eigenpairs of a Hessian (sl_spectrum_lanczos) and for stochastic
** Lanczos quadrature (sl_spectrum_slq). The basis is kept as rows of Q
** (m x dim, row-major) so that reorthogonalization is two CBLAS dgemv calls.
*/
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sl_mat.h"
#include "sl_spectrum.h"
#include "sl_vec.h"

sl_eig_opts sl_eig_opts_default(void) {
  static const sl_eig_opts def = {.k = 1,
                                  .tol = 1e-6,
                                  .maxiter = 0,
                                  .which = SL_EIG_TOP,
                                  .criterion = SL_EIG_RESIDUAL,
                                  .v0 = NULL,
                                  .rng = NULL,
                                  .stop = NULL};
  return def;
}

/* The workspace of one Lanczos run: basis, tridiagonal, its eigenvectors. */
typedef struct lz {
  size_t n, m;        /* dimension, largest Krylov dimension */
  double *Q;          /* m x n basis, rows orthonormal */
  double *w;          /* n: the new direction */
  double *h;          /* m: projections for reorthogonalization */
  double *alpha;      /* m: diagonal of T */
  double *beta;       /* m: beta[j] couples q_j and q_{j+1} (0 after a restart) */
  double *d, *e;      /* Ritz values; copy of beta LAPACK overwrites */
  double *res;        /* m: residual bounds of the Ritz pairs in d */
  double *z;          /* m x m eigenvectors of T (column-major: column i at z + i*m) */
  lapack_int *isuppz; /* 2m: dstevr's support of the eigenvectors */
  double anorm;       /* running estimate of |H| for the breakdown test */
} lz;

static void lz_free(lz *s) {
  free(s->Q);
  free(s->w);
  free(s->h);
  free(s->alpha);
  free(s->beta);
  free(s->d);
  free(s->e);
  free(s->z);
  free(s->isuppz);
  free(s->res);
}

static sl_status lz_alloc(lz *s, size_t n, size_t m) {
  size_t qn, mm;
  memset(s, 0, sizeof *s);
  if (sl_size_product(m, n, &qn) != SL_OK || sl_size_product(m, m, &mm) != SL_OK) return SL_ENOMEM;
  s->n = n;
  s->m = m;
  s->Q = malloc(qn * sizeof(double));
  s->w = malloc(n * sizeof(double));
  s->h = malloc(m * sizeof(double));
  s->alpha = malloc(m * sizeof(double));
  s->beta = malloc(m * sizeof(double));
  s->d = malloc(m * sizeof(double));
  s->e = malloc(m * sizeof(double));
  s->z = malloc(mm * sizeof(double));
  s->isuppz = malloc(2 * m * sizeof(lapack_int));
  s->res = malloc(m * sizeof(double));
  if (!s->Q || !s->w || !s->h || !s->alpha || !s->beta || !s->d || !s->e || !s->z || !s->isuppz ||
      !s->res) {
    lz_free(s);
    return SL_ENOMEM;
  }
  return SL_OK;
}

/* w -= Q[0..j]^T (Q[0..j] w) by classical Gram-Schmidt, with a second pass
   only when the first removed much of w: |w| < |w_before| / sqrt(2) (the
   DGKS test, Daniel, Gragg, Kaufman & Stewart 1976; "twice is enough",
   Giraud et al. 2005). Returns the sum of the projections onto row j (to
   correct alpha_j). */
static double reorth(lz *s, size_t rows, double *w, size_t j) {
  double corr = 0.0, before = sl_vec_nrm2(s->n, w);
  for (int pass = 0; pass < 2; pass++) {
    cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)rows, (int)s->n, 1.0, s->Q, (int)s->n, w, 1, 0.0,
                s->h, 1);
    cblas_dgemv(CblasRowMajor, CblasTrans, (int)rows, (int)s->n, -1.0, s->Q, (int)s->n, s->h, 1,
                1.0, w, 1);
    if (j < rows) corr += s->h[j];
    double after = sl_vec_nrm2(s->n, w);
    if (after >= M_SQRT1_2 * before) break;
    before = after;
  }
  return corr;
}

/* A random unit vector orthogonal to the first `rows` basis vectors, into
   Q[rows]; 0 if none could be found (the basis spans everything). */
static int random_restart(lz *s, size_t rows, sl_rng *rng) {
  double *q = s->Q + rows * s->n;
  for (int attempt = 0; attempt < 3; attempt++) {
    for (size_t i = 0; i < s->n; i++) q[i] = sl_rng_normal(rng);
    double before = sl_vec_nrm2(s->n, q);
    reorth(s, rows, q, rows);
    double nq = sl_vec_nrm2(s->n, q);
    if (nq > 1e-8 * before) {
      sl_vec_scale(s->n, q, 1.0 / nq);
      return 1;
    }
  }
  return 0;
}

/*
** One Lanczos step j: w = H q_j - beta_{j-1} q_{j-1} - alpha_j q_j,
** reorthogonalized against q_0..q_j. Sets alpha[j], beta[j] and, unless
** this is the last step, q_{j+1}. *breakdown is set when beta_j is negligible
** (then q_{j+1} is a random restart, and beta[j] = 0).
*/
static sl_status lz_step(lz *s, sl_objective *o, const double *x, size_t j, sl_rng *rng,
                         int *breakdown, int *exhausted) {
  size_t n = s->n;
  double *q = s->Q + j * n;
  sl_status st = sl_obj_hvp(o, x, q, s->w);
  if (st < 0) return st;
  if (!sl_vec_isfinite(n, s->w))
    return sl_obj_fail(o, SL_ENONFINITE, "Hessian-vector product is not finite");
  double a = sl_vec_dot(n, q, s->w);
  sl_vec_axpy(n, s->w, -a, q);
  if (j > 0 && s->beta[j - 1] != 0.0) sl_vec_axpy(n, s->w, -s->beta[j - 1], q - n);
  a += reorth(s, j + 1, s->w, j);
  double b = sl_vec_nrm2(n, s->w);
  s->alpha[j] = a;
  double est = sqrt(a * a + b * b + (j > 0 ? s->beta[j - 1] * s->beta[j - 1] : 0.0));
  if (est > s->anorm) s->anorm = est;
  *breakdown = 0;
  *exhausted = 0;
  if (b <= 1e-10 * s->anorm || b == 0.0) {
    *breakdown = 1;
    s->beta[j] = 0.0;
    if (j + 1 < s->m && (rng == NULL || !random_restart(s, j + 1, rng))) *exhausted = 1;
    if (j + 1 >= s->m) *exhausted = 1;
    return SL_OK;
  }
  s->beta[j] = b;
  if (j + 1 < s->m) {
    double *qn = s->Q + (j + 1) * n;
    for (size_t i = 0; i < n; i++) qn[i] = s->w[i] / b;
  }
  return SL_OK;
}

/* Eigen-decompose T_{m} (m = j+1): ascending Ritz values in d, vectors in z. */
static sl_status lz_ritz(lz *s, size_t m) {
  memcpy(s->d, s->alpha, m * sizeof(double));
  if (m > 1) memcpy(s->e, s->beta, (m - 1) * sizeof(double));
  lapack_int info =
      LAPACKE_dstev(LAPACK_COL_MAJOR, 'V', (lapack_int)m, s->d, s->e, s->z, (lapack_int)m);
  return info == 0 ? SL_OK : SL_ENONFINITE;
}

/* Only the Ritz pairs il..iu (1-based, ascending) of T_m, by LAPACK dstevr
   (MRRR): O(m (iu - il + 1)) instead of dstev's O(m^2) with all vectors, so
   the per-step convergence test stays cheap next to an HVP. Values ascending
   in d[0..cnt), column c of z (leading dimension m) is the vector of d[c].
   h, free between steps, holds the copy of alpha that dstevr overwrites. */
static sl_status lz_ritz_range(lz *s, size_t m, size_t il, size_t iu, size_t *cnt) {
  memcpy(s->h, s->alpha, m * sizeof(double));
  if (m > 1) memcpy(s->e, s->beta, (m - 1) * sizeof(double));
  lapack_int found = 0;
  lapack_int info = LAPACKE_dstevr(LAPACK_COL_MAJOR, 'V', 'I', (lapack_int)m, s->h, s->e, 0.0, 0.0,
                                   (lapack_int)il, (lapack_int)iu, 0.0, &found, s->d, s->z,
                                   (lapack_int)m, s->isuppz);
  *cnt = (size_t)found;
  return info == 0 && (size_t)found == iu - il + 1 ? SL_OK : SL_ENONFINITE;
}

static sl_status start_vector(lz *s, const sl_eig_opts *opt) {
  double *q = s->Q;
  if (opt->v0) {
    sl_vec_copy(s->n, q, opt->v0);
  } else {
    for (size_t i = 0; i < s->n; i++) q[i] = sl_rng_normal(opt->rng);
  }
  double nq = sl_vec_nrm2(s->n, q);
  if (!(nq > 0.0) || !isfinite(nq)) return SL_EINVAL;
  sl_vec_scale(s->n, q, 1.0 / nq);
  return SL_OK;
}

/*
** Error estimate of the Ritz value d[c] (residual bound res[c]): res itself
** bounds the distance to some eigenvalue (Krylov-Bogoliubov); if no other
** eigenvalue lies within delta of d[c], the gap theorem gives |theta -
** lambda| <= res^2 / delta (Parlett, The Symmetric Eigenvalue Problem, thm
** 11.7.1). delta is estimated from the neighbouring Ritz values, each moved
** towards d[c] by its own residual bound (an unconverged neighbour may hide
** an eigenvalue that close): delta = min_l |d[c] - d[l]| - res[l]. Still an
** estimate (an eigenvalue the Krylov space has not seen yet is invisible to
** any test), so the residual test stays the default.
*/
static double value_error(const double *d, const double *res, size_t cnt, size_t c) {
  double gap = INFINITY;
  if (c > 0) gap = fmin(gap, d[c] - d[c - 1] - res[c - 1]);
  if (c + 1 < cnt) gap = fmin(gap, d[c + 1] - d[c] - res[c + 1]);
  if (!(gap > res[c]) || isinf(gap)) return res[c];
  return res[c] * res[c] / gap;
}

sl_status sl_spectrum_lanczos(sl_objective *o, const double *x, const sl_eig_opts *opt,
                              double *values, double *vectors, sl_eig_info *info) {
  size_t n = o->dim, k = opt->k;
  memset(info, 0, sizeof *info);
  if (k == 0 || k > n || !(opt->tol > 0.0) || (opt->v0 == NULL && opt->rng == NULL))
    return SL_EINVAL;
  size_t m = opt->maxiter ? opt->maxiter : 300;
  if (m > n) m = n;
  if (m < k) m = k;
  lz s;
  sl_status st = lz_alloc(&s, n, m);
  if (st != SL_OK) return st;
  st = start_vector(&s, opt);
  if (st != SL_OK) goto done;
  sl_obj_hvp_begin(o, x); /* failure only means uncached HVPs */
  size_t used = 0, cnt = 0;
  int top = opt->which == SL_EIG_TOP;
  for (size_t j = 0; j < m; j++) {
    if (SL_STOPPED(opt->stop)) {
      st = SL_EINTERRUPTED;
      goto done;
    }
    int breakdown, exhausted;
    st = lz_step(&s, o, x, j, opt->rng, &breakdown, &exhausted);
    info->nhvp++;
    if (st < 0) goto done;
    used = j + 1;
    if (used < k && !exhausted) continue;
    /* the k wanted Ritz pairs and, for the gap, the next one inwards */
    size_t want = k < used ? k + 1 : used;
    size_t il = top ? used - want + 1 : 1, iu = top ? used : want;
    st = lz_ritz_range(&s, used, il, iu, &cnt);
    if (st < 0) goto done;
    /* residual bound of Ritz pair c: |beta_j * (last component of its vector)| */
    for (size_t c = 0; c < cnt; c++) s.res[c] = fabs(s.beta[j] * s.z[c * used + used - 1]);
    int conv = 1;
    for (size_t r = 0; r < k && r < used; r++) {
      size_t c = top ? cnt - 1 - r : r;
      double err = opt->criterion == SL_EIG_VALUE ? value_error(s.d, s.res, cnt, c) : s.res[c];
      if (r < 64) info->resid[r] = s.res[c];
      if (!(err <= opt->tol * fabs(s.d[c])) && !(s.anorm == 0.0)) conv = 0;
    }
    if (used < k) conv = 0;
    info->converged = conv;
    /* After a breakdown, take one step in the restarted block before trusting
       convergence, so a repeated or missed eigenvalue can still show up. */
    if ((conv && !breakdown) || exhausted || used == m) break;
  }
  info->iters = used;
  if (used < k) {
    st = SL_EINVAL;
    goto done;
  }
  for (size_t r = 0; r < k; r++) {
    size_t c = top ? cnt - 1 - r : r;
    values[r] = s.d[c];
    if (vectors) {
      double *y = vectors + r * n;
      cblas_dgemv(CblasRowMajor, CblasTrans, (int)used, (int)n, 1.0, s.Q, (int)n, s.z + c * used, 1,
                  0.0, y, 1);
      double ny = sl_vec_nrm2(n, y);
      if (ny > 0.0) sl_vec_scale(n, y, 1.0 / ny);
    }
  }
  st = info->converged ? SL_OK : SL_MAXITER;
done:
  sl_obj_hvp_end(o);
  lz_free(&s);
  return st;
}

sl_status sl_spectrum_slq(sl_objective *o, const double *x, size_t steps, size_t probes,
                          sl_rng *rng, sl_stopflag *stop, double *nodes, double *weights,
                          size_t *count, size_t *nhvp) {
  size_t n = o->dim;
  *count = 0;
  *nhvp = 0;
  if (steps == 0 || probes == 0 || n == 0 || rng == NULL) return SL_EINVAL;
  size_t m = steps < n ? steps : n;
  lz s;
  sl_status st = lz_alloc(&s, n, m);
  if (st != SL_OK) return st;
  sl_obj_hvp_begin(o, x); /* failure only means uncached HVPs */
  for (size_t p = 0; p < probes; p++) {
    /* a normalized Rademacher probe */
    for (size_t i = 0; i < n; i++) s.Q[i] = (sl_rng_next(rng) >> 63) ? 1.0 : -1.0;
    sl_vec_scale(n, s.Q, 1.0 / sqrt((double)n));
    s.anorm = 0.0;
    size_t used = 0;
    for (size_t j = 0; j < m; j++) {
      if (SL_STOPPED(stop)) {
        st = SL_EINTERRUPTED;
        goto done;
      }
      int breakdown, exhausted;
      /* no restart: the quadrature of an invariant subspace is exact */
      st = lz_step(&s, o, x, j, NULL, &breakdown, &exhausted);
      (*nhvp)++;
      if (st < 0) goto done;
      used = j + 1;
      if (breakdown) break;
    }
    st = lz_ritz(&s, used);
    if (st < 0) goto done;
    for (size_t i = 0; i < used; i++) {
      double z0 = s.z[i * used];
      nodes[*count] = s.d[i];
      weights[*count] = z0 * z0 / (double)probes;
      (*count)++;
    }
  }
  st = SL_OK;
done:
  sl_obj_hvp_end(o);
  lz_free(&s);
  return st;
}
