/*
** obj_residuals.c — residual objectives: f(x) = |r(x)|^2 with gradient
** 2 J'r and the Gauss–Newton Hessian-vector product 2 J'(J v) (sl_residuals.h).
** The last residual vector and the last Jacobian are kept with the point they
** belong to, so a solver asking for r or J at a point just evaluated (the
** gradient's J reused by Levenberg–Marquardt's next iteration) pays nothing.
*/
#include <cblas.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_mat.h"
#include "sl_residuals.h"

typedef struct resobj {
  sl_objective_ops ops; /* a copy carrying the objective's name */
  char name[64];
  sl_residual_fns fns;
  void *ctx;
  size_t m, n;
  double *r, *rx;     /* last residuals and their point */
  double *J, *Jx;     /* last Jacobian and its point */
  double *rt, *hv;    /* scratch: residuals for differences, J v */
  int r_ok, J_ok;     /* r, J hold values for rx, Jx */
  unsigned long njev; /* Jacobian evaluations */
} resobj;

static const sl_objective_ops residual_ops;

static resobj *impl_of(const sl_objective *o) { return (resobj *)o->impl; }

int sl_obj_is_residual(const sl_objective *o) { return o && o->ops->fg == residual_ops.fg; }

void sl_res_set_name(sl_objective *o, const char *name) {
  resobj *q = impl_of(o);
  snprintf(q->name, sizeof q->name, "%s", name);
}
size_t sl_res_m(const sl_objective *o) { return impl_of(o)->m; }
void *sl_res_ctx(const sl_objective *o) { return impl_of(o)->ctx; }
int sl_res_jac_approx(const sl_objective *o) { return impl_of(o)->fns.J == NULL; }
const char *sl_res_hvp_kind(const sl_objective *o) {
  (void)o;
  return "gauss_newton";
}
unsigned long sl_res_njev(const sl_objective *o) { return impl_of(o)->njev; }
void *sl_res_impl_ctx(void *impl) { return ((resobj *)impl)->ctx; }

/* A failed r or J call: its reason into o->msg. */
static sl_status failed(sl_objective *o, sl_status st) {
  resobj *q = impl_of(o);
  const char *why = q->fns.why ? q->fns.why(q->ctx) : NULL;
  if (why && why[0]) return sl_obj_fail(o, st, "%s", why);
  return st;
}

double sl_res_fd_step(double xj) { return sqrt(DBL_EPSILON) * fmax(fabs(xj), 1.0); }

/* r at x into q->r (uncounted; the caller counts). */
static sl_status eval_r(sl_objective *o, const double *x) {
  resobj *q = impl_of(o);
  size_t n = q->n;
  if (q->r_ok && memcmp(x, q->rx, n * sizeof *x) == 0) return SL_OK;
  q->r_ok = 0;
  sl_status st = q->fns.r(q->ctx, x, q->r);
  if (st < 0) return failed(o, st);
  memcpy(q->rx, x, n * sizeof *x);
  q->r_ok = 1;
  return SL_OK;
}

/* Forward differences, column by column (MINPACK's fdjac2): n residual
   evaluations, counted in o->nfev. q->r must hold r(x). */
static sl_status fd_jac(sl_objective *o, const double *x, double *J) {
  resobj *q = impl_of(o);
  size_t m = q->m, n = q->n;
  double *xt = q->hv; /* n <= hv's length (max(m, n)) */
  memcpy(xt, x, n * sizeof *x);
  for (size_t j = 0; j < n; j++) {
    double h = sl_res_fd_step(x[j]);
    xt[j] = x[j] + h;
    h = xt[j] - x[j]; /* the step actually taken */
    o->nfev++;
    sl_status st = q->fns.r(q->ctx, xt, q->rt);
    xt[j] = x[j];
    if (st < 0) return failed(o, st);
    for (size_t i = 0; i < m; i++) J[i * n + j] = (q->rt[i] - q->r[i]) / h;
  }
  return SL_OK;
}

/* J at x into q->J (uncounted in ngev; njev counted on a real evaluation). */
static sl_status eval_J(sl_objective *o, const double *x) {
  resobj *q = impl_of(o);
  size_t n = q->n;
  if (q->J_ok && memcmp(x, q->Jx, n * sizeof *x) == 0) return SL_OK;
  q->J_ok = 0;
  memset(q->J, 0, q->m * n * sizeof *q->J);
  sl_status st;
  if (q->fns.J) {
    st = q->fns.J(q->ctx, x, q->J);
  } else {
    if (!(q->r_ok && memcmp(x, q->rx, n * sizeof *x) == 0)) {
      o->nfev++;
      st = eval_r(o, x);
      if (st < 0) return st;
    }
    st = fd_jac(o, x, q->J);
  }
  if (st < 0) return failed(o, st);
  q->njev++;
  memcpy(q->Jx, x, n * sizeof *x);
  q->J_ok = 1;
  return SL_OK;
}

sl_status sl_res_eval(sl_objective *o, const double *x, double *r) {
  resobj *q = impl_of(o);
  if (!(q->r_ok && memcmp(x, q->rx, q->n * sizeof *x) == 0)) {
    o->nfev++;
    sl_status st = eval_r(o, x);
    if (st < 0) return st;
  }
  if (r) memcpy(r, q->r, q->m * sizeof *r);
  return SL_OK;
}

sl_status sl_res_jac(sl_objective *o, const double *x, double *J) {
  resobj *q = impl_of(o);
  if (!(q->J_ok && memcmp(x, q->Jx, q->n * sizeof *x) == 0)) {
    o->ngev++;
    sl_status st = eval_J(o, x);
    if (st < 0) return st;
  }
  if (J) memcpy(J, q->J, q->m * q->n * sizeof *J);
  return SL_OK;
}

/* f = |r|^2, g = 2 J'r. The sl_obj_fg wrapper counts nfev (and ngev). */
static sl_status res_fg(sl_objective *o, const double *x, double *f, double *g) {
  resobj *q = impl_of(o);
  sl_status st = eval_r(o, x);
  if (st < 0) return st;
  *f = cblas_ddot((int)q->m, q->r, 1, q->r, 1);
  if (g == NULL) return SL_OK;
  st = eval_J(o, x);
  if (st < 0) return st;
  cblas_dgemv(CblasRowMajor, CblasTrans, (int)q->m, (int)q->n, 2.0, q->J, (int)q->n, q->r, 1, 0.0,
              g, 1);
  return SL_OK;
}

/* The Gauss–Newton product 2 J'(J v): the Hessian of |r|^2 without the
   second-order term 2 sum r_i H_i (exact when the residuals are zero or linear). */
static sl_status res_hvp(sl_objective *o, const double *x, const double *v, double *hv) {
  resobj *q = impl_of(o);
  sl_status st = eval_J(o, x);
  if (st < 0) return st;
  cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)q->m, (int)q->n, 1.0, q->J, (int)q->n, v, 1, 0.0,
              q->hv, 1);
  cblas_dgemv(CblasRowMajor, CblasTrans, (int)q->m, (int)q->n, 2.0, q->J, (int)q->n, q->hv, 1, 0.0,
              hv, 1);
  return SL_OK;
}

static void res_destroy(void *impl) {
  resobj *q = impl;
  if (q == NULL) return;
  if (q->fns.destroy) q->fns.destroy(q->ctx);
  free(q->r);
  free(q);
}

static const sl_objective_ops residual_ops = {
    .name = "residuals", .fg = res_fg, .hvp = res_hvp, .destroy = res_destroy};

sl_objective *sl_obj_residuals(size_t m, size_t dim, const sl_residual_fns *fns, void *ctx,
                               sl_status *st) {
  size_t mn, big = m > dim ? m : dim, tot;
  resobj *q = NULL;
  *st = SL_EINVAL;
  if (m == 0 || dim == 0 || fns == NULL || fns->r == NULL) goto fail;
  *st = SL_ENOMEM;
  if (sl_size_product(m, dim, &mn) != SL_OK || mn > SIZE_MAX / 2 - 3 * big) goto fail;
  tot = 2 * m + 2 * dim + big + mn;
  q = calloc(1, sizeof *q);
  if (q == NULL) goto fail;
  q->r = malloc(tot * sizeof(double));
  if (q->r == NULL) goto fail;
  q->fns = *fns, q->ctx = ctx, q->m = m, q->n = dim;
  q->ops = residual_ops;
  snprintf(q->name, sizeof q->name, "%s", fns->name ? fns->name : "residuals");
  q->ops.name = q->name;
  q->rt = q->r + m;
  q->rx = q->rt + m;
  q->Jx = q->rx + dim;
  q->hv = q->Jx + dim;
  q->J = q->hv + big;
  sl_objective *o = sl_obj_new(&q->ops, q, dim, 0);
  if (o == NULL) {
    res_destroy(q);
    return NULL;
  }
  *st = SL_OK;
  return o;
fail:
  if (q) {
    q->fns = *fns, q->ctx = ctx;
    res_destroy(q);
  } else if (fns && fns->destroy && ctx) {
    fns->destroy(ctx);
  }
  return NULL;
}
