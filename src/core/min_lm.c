/*
** min_lm.c — Levenberg–Marquardt for residual objectives as MINPACK's lmder
** (Moré 1978, "The Levenberg-Marquardt algorithm: implementation and
** theory"): a trust region of radius delta in the norm |D p| with Moré's
** scaling D = diag(max over iterations of the Jacobian's column norms), the
** LM parameter found from a QR factorization with column pivoting (LAPACK
** dgeqp3, Q'r by dormqr) by Moré's safeguarded Newton iteration on
** |D p(par)| = delta (lmpar, at most 10 steps), each p(par) by Givens
** rotations on R (qrsolv). One iteration is one Jacobian and as many trial
** residual evaluations as it takes to reduce |r| (ratio >= 1e-4).
**
** Tolerances are MINPACK's (and scipy least_squares(method="lm")'s): ftol on
** the actual and predicted relative reductions of |r|^2, xtol on delta
** relative to |D x|, gtol on the largest cosine between r and a column of J.
** x_scale > 0 fixes D = I / x_scale instead (lmder's mode 2, scipy's default).
*/
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_minimize.h"
#include "sl_residuals.h"
#include "sl_vec.h"

/* the shared defaults but MINPACK's tolerances (SL_MIN_SHARED_DEFAULTS sets gtol) */
static const sl_min_params defaults = {
    .maxiter = 1000, .gtol = 1e-8, .ftol = 1e-8, .xtol = 1e-8, .factor = 100.0};

typedef struct lm {
  size_t m, n;
  double *Jr;              /* m x n row-major, as the objective gives it */
  double *A;               /* m x n column-major: J, then its QR factors */
  double *R;               /* n x n column-major: R (upper) and qrsolv's S' (lower) */
  double *fvec, *wt, *qtf; /* r(x), the trial's r, Q'r (length m) */
  double *tau, *diag, *acnorm, *wa1, *wa2, *wa3, *sdiag, *wq, *step; /* step: lmpar's x */
  lapack_int *jpvt;
  int *ipvt;
  double *work;
  lapack_int lwork;
  double fnorm, xnorm, delta, par;
  double actred, prered, ratio, gcos;
  long trials;
  int started;
} lm;

static double enorm(size_t n, const double *x) { return sl_vec_nrm2(n, x); }

static sl_status check(const sl_min_params *p, char *msg, size_t len) {
  if (!(p->factor > 0.0) || !isfinite(p->factor)) {
    snprintf(msg, len, "factor must be a positive number, got %g", p->factor);
    return SL_EINVAL;
  }
  if (!(p->x_scale >= 0.0) || !isfinite(p->x_scale)) {
    snprintf(msg, len, "x_scale must be \"jac\" or a positive number, got %g", p->x_scale);
    return SL_EINVAL;
  }
  return SL_OK;
}

static sl_status init(sl_solver *s) {
  if (!sl_obj_is_residual(s->o))
    return sl_min_fail(s, SL_EINVAL,
                       "method '%s' needs a residual objective (slope.obj.residuals or "
                       "slope.obj.mgh), got %s",
                       s->m->name, s->o->ops->name);
  size_t m = sl_res_m(s->o), n = s->n;
  if (m < n)
    return sl_min_fail(s, SL_EINVAL,
                       "method '%s' needs at least as many residuals as variables (m = %zu < dim "
                       "= %zu)",
                       s->m->name, m, n);
  lm *q = calloc(1, sizeof *q);
  if (q == NULL) return SL_ENOMEM;
  s->impl = q;
  q->m = m, q->n = n;
  size_t tot = 2 * m * n + n * n + 4 * m + 8 * n;
  q->Jr = malloc(tot * sizeof(double));
  q->jpvt = malloc(n * sizeof *q->jpvt);
  q->ipvt = malloc(n * sizeof *q->ipvt);
  if (!q->Jr || !q->jpvt || !q->ipvt) return SL_ENOMEM;
  q->A = q->Jr + m * n;
  q->R = q->A + m * n;
  q->fvec = q->R + n * n;
  q->wt = q->fvec + m;
  q->qtf = q->wt + m;
  q->wq = q->qtf + m;
  q->tau = q->wq + m;
  q->diag = q->tau + n;
  q->acnorm = q->diag + n;
  q->wa1 = q->acnorm + n;
  q->wa2 = q->wa1 + n;
  q->wa3 = q->wa2 + n;
  q->sdiag = q->wa3 + n;
  q->step = q->sdiag + n;
  /* workspace of dgeqp3 and dormqr, asked once */
  double w1 = 0.0, w2 = 0.0;
  lapack_int mi = (lapack_int)m, ni = (lapack_int)n;
  if (LAPACKE_dgeqp3_work(LAPACK_COL_MAJOR, mi, ni, q->A, mi, q->jpvt, q->tau, &w1, -1) != 0 ||
      LAPACKE_dormqr_work(LAPACK_COL_MAJOR, 'L', 'T', mi, 1, ni, q->A, mi, q->tau, q->wq, mi, &w2,
                          -1) != 0)
    return SL_ENOMEM;
  q->lwork = (lapack_int)fmax(fmax(w1, w2), 1.0);
  q->work = malloc((size_t)q->lwork * sizeof(double));
  return q->work ? SL_OK : SL_ENOMEM;
}

static void release(sl_solver *s) {
  lm *q = s->impl;
  free(q->Jr);
  free(q->jpvt);
  free(q->ipvt);
  free(q->work);
  free(q);
}

#define R_(i, j) r[(size_t)(i) + (size_t)(j)*n]

/*
** qrsolv: given the QR factorization A P = Q R and a diagonal D, solve
** min |[A; D] x - [b; 0]| from R and Q'b by eliminating D with Givens
** rotations (Moré 1978, sec. 3). On exit the strict lower triangle of r holds
** S' with P'(A'A + DD)P = S'S, sdiag the diagonal of S; r's upper triangle
** and diagonal are kept (the diagonal restored from wa's copy).
*/
static void qrsolv(size_t n, double *r, const int *ipvt, const double *diag, const double *qtb,
                   double *x, double *sdiag, double *wa) {
  for (size_t j = 0; j < n; j++) {
    for (size_t i = j; i < n; i++) R_(i, j) = R_(j, i);
    x[j] = R_(j, j);
    wa[j] = qtb[j];
  }
  for (size_t j = 0; j < n; j++) {
    double dl = diag[ipvt[j]];
    if (dl != 0.0) {
      for (size_t k = j; k < n; k++) sdiag[k] = 0.0;
      sdiag[j] = dl;
      double qtbpj = 0.0;
      for (size_t k = j; k < n; k++) {
        if (sdiag[k] == 0.0) continue;
        double c, sn;
        if (fabs(R_(k, k)) < fabs(sdiag[k])) {
          double cot = R_(k, k) / sdiag[k];
          sn = 0.5 / sqrt(0.25 + 0.25 * cot * cot);
          c = sn * cot;
        } else {
          double tn = sdiag[k] / R_(k, k);
          c = 0.5 / sqrt(0.25 + 0.25 * tn * tn);
          sn = c * tn;
        }
        R_(k, k) = c * R_(k, k) + sn * sdiag[k];
        double t = c * wa[k] + sn * qtbpj;
        qtbpj = -sn * wa[k] + c * qtbpj;
        wa[k] = t;
        for (size_t i = k + 1; i < n; i++) {
          t = c * R_(i, k) + sn * sdiag[i];
          sdiag[i] = -sn * R_(i, k) + c * sdiag[i];
          R_(i, k) = t;
        }
      }
    }
    sdiag[j] = R_(j, j);
    R_(j, j) = x[j];
  }
  size_t nsing = n;
  for (size_t j = 0; j < n; j++) {
    if (sdiag[j] == 0.0 && nsing == n) nsing = j;
    if (nsing < n) wa[j] = 0.0;
  }
  for (size_t k = 0; k < nsing; k++) {
    size_t j = nsing - 1 - k;
    double sum = 0.0;
    for (size_t i = j + 1; i < nsing; i++) sum += R_(i, j) * wa[i];
    wa[j] = (wa[j] - sum) / sdiag[j];
  }
  for (size_t j = 0; j < n; j++) x[ipvt[j]] = wa[j];
}

/*
** lmpar: the LM parameter par >= 0 with |D x| within 10% of delta, where x
** solves (J'J + par D'D) x = -J'r, or par = 0 if the Gauss–Newton step is
** inside (Moré 1978, sec. 5: Newton's method on 1/|Dx| with bounds parl,
** paru kept around the root). x here is the step with the sign of -J'r
** reversed (the caller negates it, as lmder does).
*/
static double lmpar(lm *q, double delta, double par, double *x) {
  size_t n = q->n;
  double *r = q->R, *wa1 = q->wa1, *wa2 = q->wa2, *diag = q->diag, *qtb = q->qtf;
  const int *ipvt = q->ipvt;
  const double dwarf = DBL_MIN;
  size_t nsing = n;
  for (size_t j = 0; j < n; j++) {
    wa1[j] = qtb[j];
    if (R_(j, j) == 0.0 && nsing == n) nsing = j;
    if (nsing < n) wa1[j] = 0.0;
  }
  for (size_t k = 0; k < nsing; k++) {
    size_t j = nsing - 1 - k;
    wa1[j] /= R_(j, j);
    double t = wa1[j];
    for (size_t i = 0; i < j; i++) wa1[i] -= R_(i, j) * t;
  }
  for (size_t j = 0; j < n; j++) x[ipvt[j]] = wa1[j];
  for (size_t j = 0; j < n; j++) wa2[j] = diag[j] * x[j];
  double dxnorm = enorm(n, wa2), fp = dxnorm - delta;
  if (fp <= 0.1 * delta) return 0.0;
  /* lower bound parl from the Newton step (full rank only) */
  double parl = 0.0;
  if (nsing >= n) {
    for (size_t j = 0; j < n; j++) wa1[j] = diag[ipvt[j]] * (wa2[ipvt[j]] / dxnorm);
    for (size_t j = 0; j < n; j++) {
      double sum = 0.0;
      for (size_t i = 0; i < j; i++) sum += R_(i, j) * wa1[i];
      wa1[j] = (wa1[j] - sum) / R_(j, j);
    }
    double t = enorm(n, wa1);
    parl = ((fp / delta) / t) / t;
  }
  /* upper bound paru */
  for (size_t j = 0; j < n; j++) {
    double sum = 0.0;
    for (size_t i = 0; i <= j; i++) sum += R_(i, j) * qtb[i];
    wa1[j] = sum / diag[ipvt[j]];
  }
  double gnorm = enorm(n, wa1), paru = gnorm / delta;
  if (paru == 0.0) paru = dwarf / fmin(delta, 0.1);
  par = fmin(fmax(par, parl), paru);
  if (par == 0.0) par = gnorm / dxnorm;
  for (int iter = 1;; iter++) {
    if (par == 0.0) par = fmax(dwarf, 0.001 * paru);
    double t = sqrt(par);
    for (size_t j = 0; j < n; j++) wa1[j] = t * diag[j];
    qrsolv(n, r, ipvt, wa1, qtb, x, q->sdiag, wa2);
    for (size_t j = 0; j < n; j++) wa2[j] = diag[j] * x[j];
    dxnorm = enorm(n, wa2);
    double fp0 = fp;
    fp = dxnorm - delta;
    if (fabs(fp) <= 0.1 * delta || (parl == 0.0 && fp <= fp0 && fp0 < 0.0) || iter == 10) break;
    /* Newton correction */
    for (size_t j = 0; j < n; j++) wa1[j] = diag[ipvt[j]] * (wa2[ipvt[j]] / dxnorm);
    for (size_t j = 0; j < n; j++) {
      wa1[j] /= q->sdiag[j];
      double w = wa1[j];
      for (size_t i = j + 1; i < n; i++) wa1[i] -= R_(i, j) * w;
    }
    t = enorm(n, wa1);
    double parc = ((fp / delta) / t) / t;
    if (fp > 0.0) parl = fmax(parl, par);
    if (fp < 0.0) paru = fmin(paru, par);
    par = fmax(parl, par + parc);
  }
  return par;
}

/* J at x factored: A P = Q R, qtf = Q'r, acnorm the column norms of J. */
static sl_status factor_J(sl_solver *s, lm *q) {
  size_t m = q->m, n = q->n;
  sl_status st = sl_res_jac(s->o, s->x, q->Jr);
  if (st < 0) return st;
  for (size_t i = 0; i < m; i++)
    for (size_t j = 0; j < n; j++) q->A[i + j * m] = q->Jr[i * n + j];
  for (size_t j = 0; j < n; j++) {
    q->acnorm[j] = enorm(m, q->A + j * m);
    q->jpvt[j] = 0;
  }
  if (!sl_vec_isfinite(m * n, q->A))
    return sl_min_fail(s, SL_ENONFINITE, "the Jacobian is not finite at iteration %ld", s->nit + 1);
  lapack_int mi = (lapack_int)m, ni = (lapack_int)n;
  if (LAPACKE_dgeqp3_work(LAPACK_COL_MAJOR, mi, ni, q->A, mi, q->jpvt, q->tau, q->work, q->lwork) !=
      0)
    return sl_min_fail(s, SL_EINVAL, "the QR factorization of the Jacobian failed");
  memcpy(q->wq, q->fvec, m * sizeof(double));
  if (LAPACKE_dormqr_work(LAPACK_COL_MAJOR, 'L', 'T', mi, 1, ni, q->A, mi, q->tau, q->wq, mi,
                          q->work, q->lwork) != 0)
    return sl_min_fail(s, SL_EINVAL, "applying Q' to the residuals failed");
  double *r = q->R;
  for (size_t j = 0; j < n; j++) {
    q->ipvt[j] = (int)q->jpvt[j] - 1;
    q->qtf[j] = q->wq[j];
    for (size_t i = 0; i < n; i++) R_(i, j) = i <= j ? q->A[i + j * m] : 0.0;
  }
  return SL_OK;
}

/* g = 2 J'r at the accepted point (the objective's gradient, for the run loop). */
static sl_status gradient(sl_solver *s, lm *q) {
  size_t m = q->m, n = q->n;
  sl_status st = sl_res_jac(s->o, s->x, q->Jr);
  if (st < 0) return st;
  for (size_t j = 0; j < n; j++) s->g[j] = 0.0;
  for (size_t i = 0; i < m; i++)
    for (size_t j = 0; j < n; j++) s->g[j] += 2.0 * q->Jr[i * n + j] * q->fvec[i];
  s->gnorm = sl_vec_nrminf(n, s->g);
  return SL_OK;
}

/* One lmder outer iteration: the Jacobian, then trial steps until |r| drops. */
static sl_status step(sl_solver *s) {
  lm *q = s->impl;
  size_t m = q->m, n = q->n;
  const double eps = DBL_EPSILON;
  sl_status st;
  double *r = q->R;
  if (!q->started) {
    if ((st = sl_res_eval(s->o, s->x, q->fvec)) < 0) return st; /* remembered from x0 */
    q->fnorm = enorm(m, q->fvec);
  }
  if ((st = factor_J(s, q)) < 0) return st;
  if (!q->started) {
    for (size_t j = 0; j < n; j++)
      q->diag[j] =
          s->p.x_scale > 0.0 ? 1.0 / s->p.x_scale : (q->acnorm[j] == 0.0 ? 1.0 : q->acnorm[j]);
    for (size_t j = 0; j < n; j++) q->wa3[j] = q->diag[j] * s->x[j];
    q->xnorm = enorm(n, q->wa3);
    q->delta = s->p.factor * q->xnorm;
    if (q->delta == 0.0) q->delta = s->p.factor;
  }
  /* gtol: the largest cosine between r and a column of J */
  double gn = 0.0;
  if (q->fnorm != 0.0)
    for (size_t j = 0; j < n; j++) {
      size_t l = (size_t)q->ipvt[j];
      if (q->acnorm[l] == 0.0) continue;
      double sum = 0.0;
      for (size_t i = 0; i <= j; i++) sum += R_(i, j) * (q->qtf[i] / q->fnorm);
      gn = fmax(gn, fabs(sum / q->acnorm[l]));
    }
  q->gcos = gn;
  s->info.radius = q->delta;
  if (gn <= s->p.gtol)
    return sl_min_fail(s, SL_CONVERGED_GTOL,
                       "converged: the largest cosine between r and a column of J, %.3g, is <= "
                       "gtol = %g",
                       gn, s->p.gtol);
  if (s->p.x_scale == 0.0) /* Moré's scaling: the largest column norms seen */
    for (size_t j = 0; j < n; j++) q->diag[j] = fmax(q->diag[j], q->acnorm[j]);
  q->trials = 0;
  for (;;) {
    q->par = lmpar(q, q->delta, q->par, q->step);
    double *p = q->step, *xt = s->xt;
    for (size_t j = 0; j < n; j++) {
      p[j] = -p[j];
      xt[j] = s->x[j] + p[j];
      q->wa3[j] = q->diag[j] * p[j];
    }
    double pnorm = enorm(n, q->wa3);
    if (!q->started) q->delta = fmin(q->delta, pnorm);
    if ((st = sl_res_eval(s->o, xt, q->wt)) < 0) return st;
    q->trials++;
    double fnorm1 = enorm(m, q->wt);
    if (!isfinite(fnorm1)) fnorm1 = 11.0 * q->fnorm + 1.0; /* treated as a failed trial */
    double actred =
        0.1 * fnorm1 < q->fnorm ? 1.0 - (fnorm1 / q->fnorm) * (fnorm1 / q->fnorm) : -1.0;
    /* predicted reduction and directional derivative, from |J p| = |R P'p| */
    for (size_t j = 0; j < n; j++) {
      q->wa3[j] = 0.0;
      double t = p[q->ipvt[j]];
      for (size_t i = 0; i <= j; i++) q->wa3[i] += R_(i, j) * t;
    }
    double t1 = enorm(n, q->wa3) / q->fnorm, t2 = sqrt(q->par) * pnorm / q->fnorm;
    double prered = t1 * t1 + t2 * t2 / 0.5, dirder = -(t1 * t1 + t2 * t2);
    double ratio = prered != 0.0 ? actred / prered : 0.0;
    if (ratio <= 0.25) {
      double t = actred >= 0.0 ? 0.5 : 0.5 * dirder / (dirder + 0.5 * actred);
      if (0.1 * fnorm1 >= q->fnorm || t < 0.1) t = 0.1;
      q->delta = t * fmin(q->delta, pnorm / 0.1);
      q->par /= t;
    } else if (q->par == 0.0 || ratio >= 0.75) {
      q->delta = pnorm / 0.5;
      q->par *= 0.5;
    }
    q->actred = actred, q->prered = prered, q->ratio = ratio;
    int accepted = ratio >= 1e-4;
    if (accepted) {
      s->info.step_norm = sl_vec_nrminf(n, p);
      memcpy(s->x, xt, n * sizeof(double));
      memcpy(q->fvec, q->wt, m * sizeof(double));
      for (size_t j = 0; j < n; j++) q->wa2[j] = q->diag[j] * s->x[j];
      q->xnorm = enorm(n, q->wa2);
      q->fnorm = fnorm1;
      q->started = 1;
      s->f = fnorm1 * fnorm1;
      s->info.a = 1.0;
      s->info.accepted = 1;
      if ((st = gradient(s, q)) < 0) return st;
    }
    s->info.radius = q->delta;
    s->info.rho = ratio;
    s->info.inner_iters = q->trials;
    int ftol_ok = fabs(actred) <= s->p.ftol && prered <= s->p.ftol && 0.5 * ratio <= 1.0;
    int xtol_ok = q->delta <= s->p.xtol * q->xnorm;
    if (ftol_ok && xtol_ok)
      return sl_min_fail(s, SL_CONVERGED_XTOL,
                         "converged: relative reductions of |r|^2 <= ftol = %g and the trust "
                         "radius <= xtol = %g times |D x|",
                         s->p.ftol, s->p.xtol);
    if (ftol_ok)
      return sl_min_fail(s, SL_CONVERGED_FTOL,
                         "converged: actual and predicted relative reductions of |r|^2 are <= "
                         "ftol = %g",
                         s->p.ftol);
    if (xtol_ok)
      return sl_min_fail(s, SL_CONVERGED_XTOL,
                         "converged: the trust radius %.3g is <= xtol = %g times |D x|", q->delta,
                         s->p.xtol);
    if (s->p.maxfev > 0 && sl_solver_nfev(s) >= (unsigned long)s->p.maxfev) {
      s->stop = SL_STOP_MAXFEV;
      return sl_min_fail(s, SL_MAXITER,
                         "stopped after %lu residual evaluations (maxfev = %ld) at iteration %ld",
                         sl_solver_nfev(s), s->p.maxfev, s->nit + 1);
    }
    if (fabs(actred) <= eps && prered <= eps && 0.5 * ratio <= 1.0)
      return sl_min_fail(s, SL_CONVERGED_FTOL,
                         "converged: no further reduction of |r|^2 is possible (relative "
                         "reductions below machine precision)");
    if (q->delta <= eps * q->xnorm)
      return sl_min_fail(s, SL_CONVERGED_XTOL,
                         "converged: no further improvement of x is possible (trust radius below "
                         "machine precision)");
    if (q->gcos <= eps)
      return sl_min_fail(s, SL_CONVERGED_GTOL,
                         "converged: r is orthogonal to the columns of J to machine precision");
    if (accepted) return SL_OK;
  }
}

static void state(const sl_solver *s, const sl_min_visit *v) {
  const lm *q = s->impl;
  v->num(v->ctx, "delta", q->delta);
  v->num(v->ctx, "par", q->par);
  v->vec(v->ctx, "diag", q->diag, q->n);
}

static void info(const sl_solver *s, const sl_min_visit *v) {
  const lm *q = s->impl;
  v->num(v->ctx, "par", q->par);
  v->num(v->ctx, "ratio", q->ratio);
  v->num(v->ctx, "gcos", q->gcos);
  v->integer(v->ctx, "trials", q->trials);
}

static const char *const keys[] = {"factor", "x_scale", NULL};

const sl_min_method_ops sl_min_lm = {
    .name = "lm",
    .defaults = &defaults,
    .flags = SL_MINF_OWNTOL,
    .keys = keys,
    .only = keys,
    .only_why = "Levenberg-Marquardt's trust region",
    .no_linesearch = "it uses a trust region",
    .check = check,
    .init = init,
    .step = step,
    .release = release,
    .state = state,
    .info = info,
};
