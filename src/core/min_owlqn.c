/*
** min_owlqn.c — orthant-wise limited-memory quasi-Newton (OWL-QN, Andrew &
** Gao 2007) for F(x) = f(x) + sum_i lambda_i |x_i|, as liblbfgs does it:
** the L-BFGS two-loop recursion (pairs of the smooth f) applied to the
** pseudo-gradient pg (eq. 4), the direction zeroed where it disagrees in sign
** with -pg (sec. 3.1), a backtracking line search on F whose trials are
** projected onto the orthant of x (sign(x_i), or sign(-pg_i) where x_i = 0),
** accepted when F(x_t) <= F(x) + c1 pg'(x_t - x) (c1 = 1e-4, liblbfgs's
** ftol). gtol applies to max|pg_i|, the minimum-norm subgradient of F.
*/
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "min_prox.h"
#include "min_qn_pairs.h"
#include "sl_mat.h"
#include "sl_minimize.h"
#include "sl_vec.h"

#define OWLQN_C1             1e-4 /* sufficient decrease along the projected path (liblbfgs ftol) */
#define OWLQN_TRIALS         60   /* halvings before the line search gives up */
#define SL_ENOPROGRESS_OWLQN (SL_ELINESEARCH - 1000) /* private: the trial is x itself */
#define OWLQN_FLAT           5 /* full steps in a row that did not decrease F: converged at rounding */

typedef struct owlqn_mem {
  sl_qn_pairs pairs; /* the limited memory, as lbfgs's */
  double *pg;        /* pseudo-gradient at x */
  double *lam;       /* per-coordinate lambda_i (n) or NULL */
  double fs;         /* smooth f at x (s->f is F) */
  int flat;          /* steps in a row that did not decrease F */
  double block[];
} owlqn_mem;

static const sl_min_params defaults = {SL_MIN_SHARED_DEFAULTS, .m = 10, .curv_eps = 1e-10};

static sl_status check(const sl_min_params *p, char *msg, size_t len) {
  sl_status st = sl_qn_check(p, msg, len);
  if (st != SL_OK) return st;
  if (!(p->l1 >= 0.0) || !isfinite(p->l1)) {
    snprintf(msg, len, "l1 must be a finite number >= 0, got %g", p->l1);
    return SL_EINVAL;
  }
  if (p->prox.fn) {
    snprintf(msg, len,
             "owlqn takes l1, not prox (its orthant-wise steps need the L1 structure): use "
             "method = \"fista\" or \"prox_gd\" with a prox");
    return SL_EINVAL;
  }
  return SL_OK;
}

static sl_status init(sl_solver *s) {
  size_t n = s->n, nn = n ? n : 1, q = sl_qn_pairs_size(s->p.m, n), tot, bytes;
  if (q == 0 || q > (size_t)-1 / 16 - 2 * nn) return SL_ENOMEM;
  tot = q + 2 * nn; /* the pairs, pg, lam */
  if (sl_size_product(tot, sizeof(double), &bytes) != SL_OK) return SL_ENOMEM;
  owlqn_mem *l = malloc(sizeof(owlqn_mem) + bytes);
  if (l == NULL) return SL_ENOMEM;
  sl_qn_pairs_init(&l->pairs, l->block, s->p.m, n);
  l->pg = l->block + q;
  l->lam = s->p.l1w ? l->pg + nn : NULL;
  l->flat = 0;
  if (l->lam) sl_vec_copy(n, l->lam, s->p.l1w);
  s->p.l1w = NULL; /* the caller's array need not outlive sl_solver_new */
  s->impl = l;
  return SL_OK;
}

static sl_l1 l1_of(const sl_solver *s) { return sl_l1_of(s, ((const owlqn_mem *)s->impl)->lam); }

/* F = f + l1 at x0, and the pseudo-gradient there. */
static sl_status start(sl_solver *s, char *msg, size_t len) {
  owlqn_mem *l = s->impl;
  sl_status st = sl_l1_check_weights(l->lam, s->n, msg, len);
  if (st != SL_OK) return st;
  l->fs = s->f;
  s->f += sl_l1_value(l1_of(s), s->n, s->x);
  sl_l1_pseudo_grad(l1_of(s), s->n, s->x, s->g, l->pg);
  s->gnorm = sl_vec_nrminf(s->n, l->pg);
  return SL_OK;
}

static double measure(const sl_solver *s) {
  return sl_vec_nrminf(s->n, ((const owlqn_mem *)s->impl)->pg);
}

/* The direction: -H pg with the entries that disagree with -pg zeroed; -pg
   after a restart. Returns pg'd. */
static double direction(sl_solver *s, owlqn_mem *l) {
  size_t n = s->n;
  if (l->pairs.mlen > 0) {
    sl_qn_two_loop(&l->pairs, l->pg, s->d); /* d = -H pg (N&W Alg. 7.4 on the pseudo-gradient) */
    for (size_t i = 0; i < n; i++)
      if (s->d[i] * l->pg[i] >= 0.0) s->d[i] = 0.0;
    double gd = sl_vec_dot(n, l->pg, s->d);
    if (gd < 0.0) return gd;
    sl_qn_pairs_reset(&l->pairs);
    s->info.restarted = 1;
  }
  for (size_t i = 0; i < n; i++) s->d[i] = -l->pg[i];
  return -sl_vec_dot(n, l->pg, l->pg);
}

/* Backtracking along the projected path x_t = P(x + a d) (the orthant in
   w[0]); on success xt, gt hold the point, t_f its F, l->fs stays f(x). */
static sl_status search(sl_solver *s, owlqn_mem *l, double a, double *fs_t) {
  size_t n = s->n;
  const double *xi = s->w[0];
  sl_l1 l1 = l1_of(s);
  for (long k = 1; k <= OWLQN_TRIALS; k++) {
    s->info.trials = k;
    for (size_t i = 0; i < n; i++) {
      double v = s->x[i] + a * s->d[i];
      s->xt[i] = v * xi[i] > 0.0 ? v : 0.0;
    }
    int moved = 0; /* by more than a few ulps somewhere */
    for (size_t i = 0; i < n && !moved; i++)
      moved = fabs(s->xt[i] - s->x[i]) > 0x1p-50 * fabs(s->x[i]);
    if (!moved) return SL_ENOPROGRESS_OWLQN;
    sl_status st = sl_obj_fg(s->o, s->xt, fs_t, s->gt);
    if (st < 0) return st;
    double F = *fs_t + sl_l1_value(l1, n, s->xt), dg = 0.0;
    for (size_t i = 0; i < n; i++) dg += l->pg[i] * (s->xt[i] - s->x[i]);
    /* At rounding level F <= f + c1 dg holds, or fails, with no decrease at
       all: a full step is taken within a few ulps of f (a quasi-Newton step f
       cannot resolve, the pseudo-gradient guiding; OWLQN_FLAT of them in a
       row end the run), a shortened one must decrease F strictly. */
    double slack = k == 1 ? 8.0 * DBL_EPSILON * fabs(s->f) : 0.0;
    if (isfinite(F) && sl_vec_isfinite(n, s->gt) && F <= s->f + OWLQN_C1 * dg + slack &&
        (F < s->f || k == 1)) {
      s->t_f = F;
      s->info.a = a;
      return SL_OK;
    }
    a *= 0.5;
  }
  return SL_ELINESEARCH;
}

static sl_status step(sl_solver *s) {
  size_t n = s->n;
  owlqn_mem *l = s->impl;
  double *xi = s->w[0], fs_t;
  if (l->flat >= OWLQN_FLAT)
    return sl_min_fail(s, SL_CONVERGED_FTOL,
                       "converged: f + l1 did not decrease in the last %d steps (rounding) with "
                       "max|pseudo-gradient| = %.3g",
                       OWLQN_FLAT, sl_vec_nrminf(n, l->pg));
  for (size_t i = 0; i < n; i++)
    xi[i] = s->x[i] != 0.0 ? s->x[i] : -l->pg[i]; /* the orthant of the trials */
  s->info.gd = direction(s, l);
  if (!(s->info.gd < 0.0))
    return sl_min_fail(s, SL_ELINESEARCH,
                       "no descent direction at iteration %ld (pseudo-gradient %g)", s->nit + 1,
                       sl_vec_nrminf(n, l->pg));
  /* 1/|d| on a first step (liblbfgs), 1 once the pairs scale d */
  sl_status st = search(s, l, l->pairs.mlen > 0 ? 1.0 : 1.0 / sl_vec_nrm2(n, s->d), &fs_t);
  if ((st == SL_ELINESEARCH || st == SL_ENOPROGRESS_OWLQN) && l->pairs.mlen > 0) {
    /* forget the pairs, retry along -pg */
    sl_qn_pairs_reset(&l->pairs);
    s->info.restarted = 1;
    s->info.gd = direction(s, l);
    st = search(s, l, 1.0 / sl_vec_nrm2(n, s->d), &fs_t);
  }
  if (st == SL_OK) l->flat = s->t_f < s->f ? 0 : l->flat + 1;
  if (st == SL_ENOPROGRESS_OWLQN) /* as L-BFGS-B's "relative reduction of f" */
    return sl_min_fail(s, SL_CONVERGED_FTOL,
                       "converged: f + l1 cannot decrease in floating point (the step fell below "
                       "the rounding of x) with max|pseudo-gradient| = %.3g",
                       sl_vec_nrminf(n, l->pg));
  if (st == SL_ELINESEARCH)
    return sl_min_fail(s, SL_ELINESEARCH,
                       "line search failed at iteration %ld: %d halvings of the step along the "
                       "projected direction gave no sufficient decrease of f + l1 (pseudo-gradient "
                       "%.3g)",
                       s->nit + 1, OWLQN_TRIALS, sl_vec_nrminf(n, l->pg));
  if (st < 0) return st;
  double snorm = 0.0;
  for (size_t i = 0; i < n; i++) snorm = fmax(snorm, fabs(s->xt[i] - s->x[i]));
  int kept = sl_qn_pairs_push(&l->pairs, s->xt, s->x, s->gt, s->g, s->p.curv_eps);
  s->info.step_norm = snorm;
  s->last_decrease = s->f - s->t_f;
  sl_vec_copy(n, s->x, s->xt);
  sl_vec_copy(n, s->g, s->gt);
  s->f = s->t_f;
  l->fs = fs_t;
  sl_l1_pseudo_grad(l1_of(s), n, s->x, s->g, l->pg);
  if (!kept) {
    s->skipped++;
    s->info.skipped = 1;
  }
  return SL_OK;
}

static void report(const sl_solver *s, const sl_min_visit *v) {
  const owlqn_mem *l = s->impl;
  v->num(v->ctx, "f_smooth", l->fs);
  v->integer(v->ctx, "nnz", (long)(s->n - sl_l1_zeros(s->n, s->x)));
}

static void info(const sl_solver *s, const sl_min_visit *v) {
  report(s, v);
  v->integer(v->ctx, "trials", s->info.trials);
}

/* the pairs s, y and rho, oldest first, m, and the pseudo-gradient */
static void state(const sl_solver *s, const sl_min_visit *v) {
  const owlqn_mem *l = s->impl;
  size_t n = s->n;
  sl_qn_pairs_state(&l->pairs, v);
  v->vec(v->ctx, "pseudo_grad", l->pg, n);
  if (l->lam)
    v->vec(v->ctx, "l1", l->lam, n);
  else
    v->num(v->ctx, "l1", s->p.l1);
}

static const char *const keys[] = {"l1", "m", "curv_eps", NULL};

const sl_min_method_ops sl_min_owlqn = {
    .name = "owlqn",
    .defaults = &defaults,
    .flags = SL_MINF_DIRECTION | SL_MINF_COMPOSITE,
    .keys = keys,
    .no_linesearch = "it backtracks along the orthant-projected path, as liblbfgs",
    .check = check,
    .init = init,
    .step = step,
    .state = state,
    .info = info,
    .start = start,
    .measure = measure,
    .gnorm_name = "max|pseudo-gradient|",
    .report = report,
};
