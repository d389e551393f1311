/*
** min_nelder_mead.c — the Nelder–Mead simplex method (Nelder & Mead 1965)
** with the adaptive parameters of Gao & Han (2012, Comput. Optim. Appl. 51):
** reflection 1, expansion 1 + 2/n, contraction 0.75 - 1/(2n), shrink 1 - 1/n
** (the standard 1, 2, 1/2, 1/2 for n = 1), the iteration as scipy's
** _minimize_neldermead. It uses values only: g is never evaluated.
**
** One solver iteration is one simplex iteration (the first also evaluates the
** initial simplex); x and f are the best vertex. It stops, as scipy, when
** max_i |x_i - x_best| <= xatol and max_i |f_i - f_best| <= fatol.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_mat.h"
#include "sl_minimize.h"
#include "sl_vec.h"

typedef struct nm_mem {
  int ready;        /* the initial simplex was evaluated */
  int has_simplex0; /* the caller gave it */
  double *sim;      /* (n+1) x n vertices, row-major, sorted by fsim */
  double *fsim;     /* n+1 values (a non-finite value counts as +inf) */
  double *xbar, *xr, *xe, *xc;
  double buf[];
} nm_mem;

static const sl_min_params defaults = {SL_MIN_SHARED_DEFAULTS, .xatol = 1e-4, .fatol = 1e-4};

static sl_status check(const sl_min_params *p, char *msg, size_t len) {
  if (!(p->xatol >= 0.0) || !isfinite(p->xatol)) {
    snprintf(msg, len, "xatol must be a non-negative number, got %g", p->xatol);
    return SL_EINVAL;
  }
  if (!(p->fatol >= 0.0) || !isfinite(p->fatol)) {
    snprintf(msg, len, "fatol must be a non-negative number, got %g", p->fatol);
    return SL_EINVAL;
  }
  return SL_OK;
}

static sl_status init(sl_solver *s) {
  size_t n = s->n ? s->n : 1, rows, cnt, bytes;
  if (sl_size_product(n + 1, n, &rows) != SL_OK || rows > SIZE_MAX / 2) return SL_ENOMEM;
  cnt = rows + (n + 1) + 4 * n;
  if (sl_size_product(cnt, sizeof(double), &bytes) != SL_OK) return SL_ENOMEM;
  nm_mem *m = malloc(sizeof *m + bytes);
  if (m == NULL) return SL_ENOMEM;
  m->ready = 0;
  m->sim = m->buf;
  m->fsim = m->sim + rows;
  m->xbar = m->fsim + n + 1;
  m->xr = m->xbar + n;
  m->xe = m->xr + n;
  m->xc = m->xe + n;
  m->has_simplex0 = s->p.simplex0 != NULL;
  if (m->has_simplex0) memcpy(m->sim, s->p.simplex0, (s->n + 1) * s->n * sizeof(double));
  s->p.simplex0 = NULL; /* the caller's array may go away */
  s->impl = m;
  return SL_OK;
}

/* f(v), values only; a non-finite value is +inf (the vertex is the worst). */
static sl_status value(sl_solver *s, const double *v, double *f) {
  s->o->msg[0] = '\0';
  sl_status st = sl_obj_fg(s->o, v, f, NULL);
  if (st < 0) return st;
  if (!isfinite(*f)) *f = INFINITY;
  return SL_OK;
}

/* Sort the vertices by value (insertion sort: n + 1 rows, nearly sorted). */
static void sort_simplex(nm_mem *m, size_t n) {
  for (size_t i = 1; i <= n; i++) {
    double fi = m->fsim[i];
    size_t j = i;
    memcpy(m->xr, m->sim + i * n, n * sizeof(double));
    while (j > 0 && m->fsim[j - 1] > fi) {
      m->fsim[j] = m->fsim[j - 1];
      memcpy(m->sim + j * n, m->sim + (j - 1) * n, n * sizeof(double));
      j--;
    }
    m->fsim[j] = fi;
    memcpy(m->sim + j * n, m->xr, n * sizeof(double));
  }
}

/* The initial simplex: the caller's, or scipy's (x0 and x0 with entry k
   scaled by 1.05, or set to 0.00025 where it is 0). */
static sl_status first_simplex(sl_solver *s, nm_mem *m) {
  size_t n = s->n;
  if (!m->has_simplex0) {
    sl_vec_copy(n, m->sim, s->x);
    m->fsim[0] = s->f;
    for (size_t k = 0; k < n; k++) {
      double *v = m->sim + (k + 1) * n;
      sl_vec_copy(n, v, s->x);
      v[k] = v[k] != 0.0 ? 1.05 * v[k] : 0.00025;
    }
  }
  for (size_t k = m->has_simplex0 ? 0 : 1; k <= n; k++) {
    sl_status st = value(s, m->sim + k * n, &m->fsim[k]);
    if (st < 0) return st;
  }
  m->ready = 1;
  return SL_OK;
}

/* v = (1 + t) xbar - t w: the point at t along the ray from the worst vertex w through xbar. */
static void along(size_t n, double *v, const double *xbar, const double *w, double t) {
  for (size_t i = 0; i < n; i++) v[i] = (1.0 + t) * xbar[i] - t * w[i];
}

static sl_status replace_worst(nm_mem *m, size_t n, const double *v, double f) {
  memcpy(m->sim + n * n, v, n * sizeof(double));
  m->fsim[n] = f;
  return SL_OK;
}

/* One iteration of scipy's loop: reflect, then expand, contract or shrink. */
static sl_status iterate(sl_solver *s, nm_mem *m) {
  size_t n = s->n;
  double dn = (double)n;
  double rho = 1.0, chi = n > 1 ? 1.0 + 2.0 / dn : 2.0;
  double psi = n > 1 ? 0.75 - 0.5 / dn : 0.5, sigma = n > 1 ? 1.0 - 1.0 / dn : 0.5;
  double *worst = m->sim + n * n, fr, fe, fc;
  sl_vec_fill(n, m->xbar, 0.0);
  for (size_t k = 0; k < n; k++) sl_vec_axpy(n, m->xbar, 1.0 / dn, m->sim + k * n);
  along(n, m->xr, m->xbar, worst, rho);
  sl_status st = value(s, m->xr, &fr);
  if (st < 0) return st;
  if (fr < m->fsim[0]) {
    along(n, m->xe, m->xbar, worst, rho * chi);
    if ((st = value(s, m->xe, &fe)) < 0) return st;
    s->info.nm_op = fe < fr ? "expand" : "reflect";
    return fe < fr ? replace_worst(m, n, m->xe, fe) : replace_worst(m, n, m->xr, fr);
  }
  if (fr < m->fsim[n - 1]) {
    s->info.nm_op = "reflect";
    return replace_worst(m, n, m->xr, fr);
  }
  if (fr < m->fsim[n]) { /* outside contraction */
    along(n, m->xc, m->xbar, worst, psi * rho);
    if ((st = value(s, m->xc, &fc)) < 0) return st;
    if (fc <= fr) {
      s->info.nm_op = "contract outside";
      return replace_worst(m, n, m->xc, fc);
    }
  } else { /* inside contraction */
    along(n, m->xc, m->xbar, worst, -psi);
    if ((st = value(s, m->xc, &fc)) < 0) return st;
    if (fc < m->fsim[n]) {
      s->info.nm_op = "contract inside";
      return replace_worst(m, n, m->xc, fc);
    }
  }
  s->info.nm_op = "shrink"; /* every vertex toward the best */
  for (size_t k = 1; k <= n; k++) {
    double *v = m->sim + k * n;
    for (size_t i = 0; i < n; i++) v[i] = m->sim[i] + sigma * (v[i] - m->sim[i]);
    if ((st = value(s, v, &m->fsim[k])) < 0) return st;
  }
  return SL_OK;
}

static sl_status step(sl_solver *s) {
  nm_mem *m = s->impl;
  size_t n = s->n;
  sl_status st;
  if (n == 0) return sl_min_fail(s, SL_CONVERGED_XTOL, "converged: the problem has no variables");
  if (!m->ready) {
    if ((st = first_simplex(s, m)) < 0) return st;
    sort_simplex(m, n);
    s->info.nm_op = "initial simplex";
  }
  if (s->info.nm_op == NULL) {
    if ((st = iterate(s, m)) < 0) return st;
    sort_simplex(m, n);
  }
  if (!isfinite(m->fsim[0]))
    return sl_min_fail(s, SL_ENONFINITE,
                       "f is not finite at any vertex of the simplex: start from a point where f "
                       "is defined");
  double snorm = 0.0;
  for (size_t i = 0; i < n; i++) snorm = fmax(snorm, fabs(m->sim[i] - s->x[i]));
  s->info.accepted = m->fsim[0] < s->f || snorm > 0.0;
  s->info.step_norm = snorm;
  s->info.a = snorm;
  sl_vec_copy(n, s->x, m->sim);
  s->f = m->fsim[0];
  /* scipy's test: the simplex is small in x and in f */
  double xs = 0.0, fs = 0.0;
  for (size_t k = 1; k <= n; k++) {
    for (size_t i = 0; i < n; i++) xs = fmax(xs, fabs(m->sim[k * n + i] - m->sim[i]));
    fs = fmax(fs, fabs(m->fsim[k] - m->fsim[0]));
  }
  if (xs <= s->p.xatol && fs <= s->p.fatol)
    return sl_min_fail(s, SL_CONVERGED_XTOL,
                       "converged: the simplex has max|x_i - x_best| = %.3g <= xatol = %g and "
                       "max|f_i - f_best| = %.3g <= fatol = %g",
                       xs, s->p.xatol, fs, s->p.fatol);
  return SL_OK;
}

static void state(const sl_solver *s, const sl_min_visit *v) {
  const nm_mem *m = s->impl;
  if (!m->ready) return;
  v->mat(v->ctx, "simplex", m->sim, s->n + 1, s->n);
  v->vec(v->ctx, "fsim", m->fsim, s->n + 1);
}

static void info(const sl_solver *s, const sl_min_visit *v) {
  v->string(v->ctx, "operation", s->info.nm_op ? s->info.nm_op : "");
}

static const char *const keys[] = {"xatol", "fatol", "initial_simplex", NULL};

const sl_min_method_ops sl_min_nelder_mead = {
    .name = "nelder_mead",
    .defaults = &defaults,
    .flags = SL_MINF_NOGRAD | SL_MINF_MAYSTAY,
    .keys = keys,
    .only = keys,
    .only_why = "the simplex method",
    .no_linesearch = "it uses values only, on a simplex",
    .check = check,
    .init = init,
    .step = step,
    .state = state,
    .info = info,
    .keys_doc = "nelder_mead (Gao & Han's adaptive simplex; values only, never a gradient: "
                "gnorm, jac and the callback's g are absent, history.gnorm is nan): xatol = 1e-4 "
                "and fatol = 1e-4 stop "
                "when every vertex is within xatol of the best (max|x_i - x_best|) and its value "
                "within fatol (as scipy); initial_simplex = a (dim+1) x dim slope.mat or a table "
                "of dim+1 points (default: x0 and x0 with one entry scaled by 1.05, or 0.00025 "
                "where it is 0, as scipy); gtol is not used.",
};
