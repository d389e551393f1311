/*
** min_newton.c — exact Newton with a line search for small problems: the
** dense Hessian from dim Hessian-vector products (analytic where the
** objective has them), made positive definite by Cholesky with added
** multiple of the identity (Nocedal & Wright, 2nd ed., Alg. 3.3), so that
** d = -(H + tau I)^{-1} g is a descent direction; then the line search from
** a = 1. Refused above SL_MIN_DENSE_MAXDIM variables (newton_cg needs only
** HVPs). Also the dense helpers min_dogleg.c shares.
*/
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_mat.h"
#include "sl_minimize.h"
#include "sl_vec.h"

/* ---- shared with min_dogleg.c ------------------------------------------------ */

sl_status sl_min_dense_init(sl_solver *s, size_t extra) {
  size_t n = s->n ? s->n : 1, nn, cnt, bytes;
  if (sl_size_product(n, n, &nn) != SL_OK || nn > SIZE_MAX / 4) return SL_ENOMEM;
  cnt = 2 * nn;
  if (sl_size_product(cnt, sizeof(double), &bytes) != SL_OK || bytes > SIZE_MAX - extra)
    return SL_ENOMEM;
  sl_min_dense *m = calloc(1, sizeof *m + extra + bytes);
  if (m == NULL) return SL_ENOMEM;
  m->h = (double *)(void *)((char *)(m + 1) + extra);
  m->l = m->h + nn;
  s->impl = m;
  return SL_OK;
}

/* H(x) into m->h, column by column (w[0] the unit vector, w[1] the column),
   symmetrized; every HVP at x inside one window. */
sl_status sl_min_dense_hessian(sl_solver *s, sl_min_dense *m) {
  size_t n = s->n;
  double *e = s->w[0], *col = s->w[1], *h = m->h;
  sl_status st = SL_OK;
  sl_vec_fill(n, e, 0.0);
  (void)sl_obj_hvp_begin(s->o, s->x); /* failing only costs speed */
  for (size_t j = 0; j < n && st >= 0; j++) {
    e[j] = 1.0;
    st = sl_obj_hvp(s->o, s->x, e, col);
    e[j] = 0.0;
    for (size_t i = 0; i < n && st >= 0; i++) h[i * n + j] = col[i];
  }
  sl_obj_hvp_end(s->o);
  if (st < 0) return st;
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++)
      h[i * n + j] = h[j * n + i] = 0.5 * (h[i * n + j] + h[j * n + i]);
  for (size_t i = 0; i < n * n; i++)
    if (!isfinite(h[i])) return sl_min_fail(s, SL_ENONFINITE, "the Hessian is not finite at x");
  return SL_OK;
}

/*
** N&W Alg. 3.3: the Cholesky factor of H + tau I into m->l (lower, row-major),
** tau = 0 when H is positive definite, else tau0 = beta - min h_ii (or beta) and
** doubling; beta = 1e-3 max(1, max|h_ii|) so the shift scales with H.
*/
sl_status sl_min_dense_modchol(sl_solver *s, sl_min_dense *m) {
  size_t n = s->n;
  const double *h = m->h;
  double dmin = INFINITY, dmax = 0.0;
  for (size_t i = 0; i < n; i++) {
    dmin = fmin(dmin, h[i * n + i]);
    dmax = fmax(dmax, fabs(h[i * n + i]));
  }
  double beta = 1e-3 * fmax(1.0, dmax), tau = dmin > 0.0 ? 0.0 : beta - dmin;
  for (int k = 0; k < 200; k++) {
    memcpy(m->l, h, n * n * sizeof(double));
    for (size_t i = 0; i < n; i++) m->l[i * n + i] += tau;
    if (LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', (lapack_int)n, m->l, (lapack_int)n) == 0) {
      m->tau = tau;
      return SL_OK;
    }
    tau = fmax(2.0 * tau, beta);
  }
  return sl_min_fail(s, SL_ENONFINITE,
                     "no multiple of I up to %g makes the Hessian positive definite", tau);
}

/* z = -(H + tau I)^{-1} g from the factor. */
void sl_min_dense_solve(const sl_solver *s, const sl_min_dense *m, double *z) {
  size_t n = s->n;
  for (size_t i = 0; i < n; i++) z[i] = -s->g[i];
  LAPACKE_dpotrs(LAPACK_ROW_MAJOR, 'L', (lapack_int)n, 1, m->l, (lapack_int)n, z, 1);
}

/* ---- the method ---------------------------------------------------------------- */

static const sl_min_params defaults = {SL_MIN_SHARED_DEFAULTS};

static sl_status init(sl_solver *s) { return sl_min_dense_init(s, 0); }

static sl_status step(sl_solver *s) {
  sl_min_dense *m = s->impl;
  sl_status st = sl_min_dense_hessian(s, m);
  if (st < 0) return st;
  if ((st = sl_min_dense_modchol(s, m)) < 0) return st;
  s->info.tau = m->tau;
  sl_min_dense_solve(s, m, s->d);
  if (!(sl_vec_dot(s->n, s->g, s->d) < 0.0) || !sl_vec_isfinite(s->n, s->d)) {
    sl_min_steepest(s); /* rounding in a nearly singular factor */
    s->info.restarted = 1;
  }
  st = sl_min_linesearch(s, 1.0);
  if (st < 0) return st;
  sl_min_accept_trial(s);
  return SL_OK;
}

static void info(const sl_solver *s, const sl_min_visit *v) { v->num(v->ctx, "tau", s->info.tau); }

const sl_min_method_ops sl_min_newton = {
    .name = "newton",
    .defaults = &defaults,
    .flags = SL_MINF_LINESEARCH | SL_MINF_DIRECTION,
    .init = init,
    .step = step,
    .info = info,
    .max_dim = SL_MIN_DENSE_MAXDIM,
    .max_dim_why = "it forms and factors the dense Hessian; newton_cg or trust_ncg need only "
                   "Hessian-vector products",
    .keys_doc = "newton (exact Newton for small problems: the Hessian from dim Hessian-vector "
                "products, Cholesky with tau I added when it is not positive definite, Nocedal & "
                "Wright Alg. 3.3, then the line search from a = 1; info.tau is the shift; "
                "refused above dim = 2000): no options of its own.",
};
