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
    .name = "residuals", .fg = res_fg, .hvp = res_hvp, .hvp_approx = 1, .destroy = res_destroy};

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

/* ---- built-in residual forms -------------------------------------------------- */

/* Least squares f = (1/2n)|X w + b - y|^2 + (l2/2)|w|^2 as |r|^2 with
   r = [(X w + b - y)/sqrt(2n); sqrt(l2/2) w]: the same value and gradient as
   sl_obj_least_squares_new, the Jacobian constant. */
typedef struct linres {
  const sl_mat *X; /* borrowed */
  double *y;
  size_t n, d, dim;
  double s, q; /* 1/sqrt(2n), sqrt(l2/2) */
  int intercept;
} linres;

static sl_status lin_r(void *ctx, const double *x, double *r) {
  linres *c = ctx;
  cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)c->n, (int)c->d, c->s, c->X->data, (int)c->d, x, 1,
              0.0, r, 1);
  double b = c->intercept ? x[c->d] : 0.0;
  for (size_t i = 0; i < c->n; i++) r[i] += c->s * (b - c->y[i]);
  if (c->q > 0.0)
    for (size_t j = 0; j < c->d; j++) r[c->n + j] = c->q * x[j];
  return SL_OK;
}

static sl_status lin_J(void *ctx, const double *x, double *J) {
  linres *c = ctx;
  (void)x;
  for (size_t i = 0; i < c->n; i++) {
    double *row = J + i * c->dim;
    const double *xr = c->X->data + i * c->d;
    for (size_t j = 0; j < c->d; j++) row[j] = c->s * xr[j];
    if (c->intercept) row[c->d] = c->s;
  }
  if (c->q > 0.0)
    for (size_t j = 0; j < c->d; j++) J[(c->n + j) * c->dim + j] = c->q;
  return SL_OK;
}

static void lin_free(void *ctx) {
  linres *c = ctx;
  if (c) free(c->y);
  free(c);
}

sl_objective *sl_obj_residuals_linear(const sl_mat *X, const double *y, size_t ny, double l2,
                                      int intercept, sl_status *st) {
  *st = SL_EINVAL;
  if (X == NULL || X->rows == 0 || X->cols == 0 || ny != X->rows || !(l2 >= 0.0) || !isfinite(l2))
    return NULL;
  linres *c = calloc(1, sizeof *c);
  if (c) c->y = malloc(ny * sizeof *c->y);
  if (c == NULL || c->y == NULL) {
    lin_free(c);
    *st = SL_ENOMEM;
    return NULL;
  }
  memcpy(c->y, y, ny * sizeof *y);
  c->X = X, c->n = X->rows, c->d = X->cols, c->dim = X->cols + (intercept ? 1 : 0);
  c->s = 1.0 / sqrt(2.0 * (double)c->n), c->q = sqrt(l2 / 2.0), c->intercept = intercept;
  static const sl_residual_fns fns = {"least_squares residuals", lin_r, lin_J, lin_free, NULL};
  return sl_obj_residuals(c->n + (l2 > 0.0 ? c->d : 0), c->dim, &fns, c, st);
}

/* The test functions that are sums of squares (sl_testfns.h), term by term. */
typedef struct tfres {
  int kind; /* 0 rosenbrock (chained), 1 beale, 2 booth, 3 himmelblau */
  size_t n;
} tfres;

static sl_status tf_r(void *ctx, const double *x, double *r) {
  const tfres *c = ctx;
  switch (c->kind) {
  case 0:
    for (size_t i = 0; i + 1 < c->n; i++) {
      r[2 * i] = 10.0 * (x[i + 1] - x[i] * x[i]);
      r[2 * i + 1] = 1.0 - x[i];
    }
    break;
  case 1:
    r[0] = 1.5 - x[0] + x[0] * x[1];
    r[1] = 2.25 - x[0] + x[0] * x[1] * x[1];
    r[2] = 2.625 - x[0] + x[0] * x[1] * x[1] * x[1];
    break;
  case 2:
    r[0] = x[0] + 2.0 * x[1] - 7.0;
    r[1] = 2.0 * x[0] + x[1] - 5.0;
    break;
  default: r[0] = x[0] * x[0] + x[1] - 11.0; r[1] = x[0] + x[1] * x[1] - 7.0;
  }
  return SL_OK;
}

static sl_status tf_J(void *ctx, const double *x, double *J) {
  const tfres *c = ctx;
  size_t n = c->n;
  switch (c->kind) {
  case 0:
    for (size_t i = 0; i + 1 < n; i++) {
      J[2 * i * n + i] = -20.0 * x[i];
      J[2 * i * n + i + 1] = 10.0;
      J[(2 * i + 1) * n + i] = -1.0;
    }
    break;
  case 1:
    for (int k = 0; k < 3; k++) {
      J[k * 2] = -1.0 + pow(x[1], k + 1);
      J[k * 2 + 1] = x[0] * (k + 1) * pow(x[1], k);
    }
    break;
  case 2: J[0] = 1.0, J[1] = 2.0, J[2] = 2.0, J[3] = 1.0; break;
  default: J[0] = 2.0 * x[0], J[1] = 1.0, J[2] = 1.0, J[3] = 2.0 * x[1];
  }
  return SL_OK;
}

sl_objective *sl_obj_residuals_testfn(const char *name, size_t n, sl_status *st) {
  static const char *const names[] = {"rosenbrock", "beale", "booth", "himmelblau"};
  static const size_t ms[] = {0, 3, 2, 2};
  *st = SL_EINVAL;
  int kind = -1;
  for (int k = 0; k < 4; k++)
    if (strcmp(name, names[k]) == 0) kind = k;
  if (kind < 0 || (kind == 0 ? n < 2 : n != 2)) return NULL;
  tfres *c = malloc(sizeof *c);
  if (c == NULL) {
    *st = SL_ENOMEM;
    return NULL;
  }
  c->kind = kind, c->n = n;
  static const sl_residual_fns fns = {"residuals", tf_r, tf_J, free, NULL};
  sl_objective *o = sl_obj_residuals(kind == 0 ? 2 * (n - 1) : ms[kind], n, &fns, c, st);
  if (o) {
    char nm[64];
    snprintf(nm, sizeof nm, "%s residuals", name);
    sl_res_set_name(o, nm);
  }
  return o;
}
