/*
** check_minimize.c — the solvers on small objectives of their own:
** 2-D Rosenbrock, a diagonal quadratic, a saddle, an objective that is NaN
** beyond a radius; and gradient flow against its closed form.
*/
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_slope.h"
#include "sl_check.h"
#include "sl_flow.h"
#include "sl_minimize.h"
#include "sl_optim.h"

#define NAMED_METHODS 6 /* sl_min_methods[] before "optimizer" */

/* ---- test objectives ------------------------------------------------------ */

static sl_status rosen_fg(sl_objective *o, const double *x, double *f, double *g) {
  (void)o;
  double a = 1.0 - x[0], b = x[1] - x[0] * x[0];
  *f = a * a + 100.0 * b * b;
  if (g) {
    g[0] = -2.0 * a - 400.0 * x[0] * b;
    g[1] = 200.0 * b;
  }
  return SL_OK;
}
static sl_status rosen_hvp(sl_objective *o, const double *x, const double *v, double *hv) {
  (void)o;
  double h00 = 2.0 - 400.0 * (x[1] - 3.0 * x[0] * x[0]), h01 = -400.0 * x[0], h11 = 200.0;
  hv[0] = h00 * v[0] + h01 * v[1];
  hv[1] = h01 * v[0] + h11 * v[1];
  return SL_OK;
}
static const sl_objective_ops rosen_ops = {.name = "rosenbrock", .fg = rosen_fg, .hvp = rosen_hvp};

/* f = 1/2 sum a_i x_i^2 - b'x, a = (1, 2, ..., n) scaled to [1, L] */
#define QN 5
static const double qa[QN] = {1, 3, 5, 7, 10};
static const double qb[QN] = {1, -1, 2, 0.5, -3};
static sl_status quad_fg(sl_objective *o, const double *x, double *f, double *g) {
  (void)o;
  double s = 0.0;
  for (int i = 0; i < QN; i++) {
    s += 0.5 * qa[i] * x[i] * x[i] - qb[i] * x[i];
    if (g) g[i] = qa[i] * x[i] - qb[i];
  }
  *f = s;
  return SL_OK;
}
static sl_status quad_hvp(sl_objective *o, const double *x, const double *v, double *hv) {
  (void)o;
  (void)x;
  for (int i = 0; i < QN; i++) hv[i] = qa[i] * v[i];
  return SL_OK;
}
static const sl_objective_ops quad_ops = {.name = "quadratic", .fg = quad_fg, .hvp = quad_hvp};

/* f = x^4/4 - x^2/2 + y^2/2: a saddle at 0, minima at (+-1, 0) with f = -1/4 */
static sl_status saddle_fg(sl_objective *o, const double *x, double *f, double *g) {
  (void)o;
  *f = 0.25 * pow(x[0], 4) - 0.5 * x[0] * x[0] + 0.5 * x[1] * x[1];
  if (g) {
    g[0] = pow(x[0], 3) - x[0];
    g[1] = x[1];
  }
  return SL_OK;
}
static sl_status saddle_hvp(sl_objective *o, const double *x, const double *v, double *hv) {
  (void)o;
  hv[0] = (3.0 * x[0] * x[0] - 1.0) * v[0];
  hv[1] = v[1];
  return SL_OK;
}
static const sl_objective_ops saddle_ops = {.name = "saddle", .fg = saddle_fg, .hvp = saddle_hvp};

/* the quadratic above, but NaN when |x|_inf > 3 */
static sl_status nanq_fg(sl_objective *o, const double *x, double *f, double *g) {
  for (int i = 0; i < QN; i++)
    if (fabs(x[i]) > 3.0) {
      *f = NAN;
      if (g)
        for (int k = 0; k < QN; k++) g[k] = NAN;
      return SL_OK;
    }
  return quad_fg(o, x, f, g);
}
static const sl_objective_ops nanq_ops = {.name = "nanquad", .fg = nanq_fg, .hvp = quad_hvp};

static sl_solver *solve(sl_objective *o, const double *x0, sl_min_params *p, sl_status *st) {
  char msg[256];
  sl_solver *s = sl_solver_new(o, x0, p, st, msg, sizeof msg);
  ck_assert_msg(s != NULL, "%s", msg);
  *st = sl_solver_run(s, p->maxiter, NULL);
  return s;
}

/* ---- tests ----------------------------------------------------------------- */

START_TEST(test_lbfgs_rosenbrock) {
  sl_objective *o = sl_obj_new(&rosen_ops, NULL, 2, 0);
  double x0[2] = {-1.2, 1.0};
  sl_min_params p;
  sl_min_defaults(&p, SL_MIN_LBFGS);
  p.gtol = 1e-8;
  sl_status st;
  sl_solver *s = solve(o, x0, &p, &st);
  ck_assert_msg(st == SL_CONVERGED_GTOL, "%s", s->msg);
  ck_assert_int_lt(s->nit, 60);
  ck_assert_double_eq_tol(s->x[0], 1.0, 1e-7);
  ck_assert_double_eq_tol(s->x[1], 1.0, 1e-7);
  ck_assert(s->gnorm < 1e-8);
  sl_solver_free(s);
  sl_obj_destroy(o);
}
END_TEST

/* every method (and cg beta, and line search) reaches (1, 1) on Rosenbrock */
START_TEST(test_methods_rosenbrock) {
  static const struct {
    sl_min_method m;
    sl_cg_beta beta;
    sl_ls_kind ls;
  } cfg[] = {{SL_MIN_BFGS, 0, SL_LS_STRONG_WOLFE},
             {SL_MIN_CG, SL_CG_FR, SL_LS_STRONG_WOLFE},
             {SL_MIN_CG, SL_CG_PRP, SL_LS_STRONG_WOLFE},
             {SL_MIN_CG, SL_CG_HZ, SL_LS_STRONG_WOLFE},
             {SL_MIN_CG, SL_CG_HZ, SL_LS_HAGER_ZHANG},
             {SL_MIN_NEWTON_CG, 0, SL_LS_STRONG_WOLFE},
             {SL_MIN_TRUST_NCG, 0, SL_LS_STRONG_WOLFE},
             {SL_MIN_LBFGS, 0, SL_LS_HAGER_ZHANG},
             {SL_MIN_LBFGS, 0, SL_LS_WOLFE},
             {SL_MIN_BFGS, 0, SL_LS_ARMIJO}};
  sl_objective *o = sl_obj_new(&rosen_ops, NULL, 2, 0);
  double x0[2] = {-1.2, 1.0};
  sl_min_params p;
  sl_min_defaults(&p, cfg[_i].m);
  p.beta = cfg[_i].beta;
  if (cfg[_i].ls != SL_LS_STRONG_WOLFE) {
    double c2 = p.ls.c2;
    sl_ls_defaults(&p.ls, cfg[_i].ls);
    if (cfg[_i].ls != SL_LS_HAGER_ZHANG) p.ls.c2 = c2;
  }
  p.gtol = 1e-6;
  p.maxiter = 5000;
  sl_status st;
  sl_solver *s = solve(o, x0, &p, &st);
  ck_assert_msg(st == SL_CONVERGED_GTOL, "%s/%s: %s", sl_min_name(cfg[_i].m),
                sl_ls_name(cfg[_i].ls), s->msg);
  ck_assert_double_eq_tol(s->x[0], 1.0, 1e-4);
  ck_assert_double_eq_tol(s->x[1], 1.0, 1e-4);
  sl_solver_free(s);
  sl_obj_destroy(o);
}
END_TEST

START_TEST(test_methods_quadratic) {
  sl_objective *o = sl_obj_new(&quad_ops, NULL, QN, 0);
  double x0[QN] = {0};
  sl_min_params p;
  sl_min_defaults(&p, sl_min_methods[_i]);
  p.gtol = 1e-9;
  p.maxiter = 2000;
  sl_status st;
  sl_solver *s = solve(o, x0, &p, &st);
  ck_assert_msg(st == SL_CONVERGED_GTOL, "%s: %s", sl_min_name(p.method), s->msg);
  for (int i = 0; i < QN; i++) ck_assert_double_eq_tol(s->x[i], qb[i] / qa[i], 1e-8);
  if (p.method == SL_MIN_NEWTON_CG || p.method == SL_MIN_TRUST_NCG) ck_assert_int_le(s->nit, 10);
  if (p.method == SL_MIN_CG || p.method == SL_MIN_BFGS || p.method == SL_MIN_LBFGS)
    ck_assert_int_le(s->nit, 25);
  sl_solver_free(s);
  sl_obj_destroy(o);
}
END_TEST

/* GD with lr = 1/L: x_k - x* = (I - A/L)^k (x0 - x*), entry by entry */
START_TEST(test_gd_fixed_contraction) {
  sl_objective *o = sl_obj_new(&quad_ops, NULL, QN, 0);
  double x0[QN] = {2, 2, 2, 2, 2};
  sl_min_params p;
  sl_min_defaults(&p, SL_MIN_GD);
  p.lr = 1.0 / 10.0;
  p.gtol = 0.0;
  p.maxiter = 25;
  sl_status st;
  sl_solver *s = solve(o, x0, &p, &st);
  ck_assert_int_eq(st, SL_MAXITER);
  for (int i = 0; i < QN; i++) {
    double xs = qb[i] / qa[i];
    double expect = xs + pow(1.0 - qa[i] / 10.0, 25) * (x0[i] - xs);
    ck_assert_double_eq_tol(s->x[i], expect, 1e-12);
  }
  ck_assert_int_eq(sl_solver_nfev(s), 26); /* x0, then one per step */
  sl_solver_free(s);
  sl_obj_destroy(o);
}
END_TEST

START_TEST(test_trust_ncg_leaves_saddle) {
  sl_objective *o = sl_obj_new(&saddle_ops, NULL, 2, 0);
  double x0[2] = {1e-8, 1e-8};
  sl_min_params p;
  sl_min_defaults(&p, SL_MIN_TRUST_NCG);
  p.gtol = 1e-10;
  sl_status st;
  sl_solver *s = solve(o, x0, &p, &st);
  ck_assert_msg(st == SL_CONVERGED_GTOL, "%s", s->msg);
  ck_assert_double_eq_tol(fabs(s->x[0]), 1.0, 1e-8);
  ck_assert_double_eq_tol(s->f, -0.25, 1e-12);
  sl_solver_free(s);
  sl_obj_destroy(o);
}
END_TEST

START_TEST(test_nonfinite_shrinks_step) {
  sl_objective *o = sl_obj_new(&nanq_ops, NULL, QN, 0);
  double x0[QN] = {0};
  for (int k = 0; sl_min_methods[k] != SL_MIN_OPTIMIZER; k++) {
    sl_min_method m = sl_min_methods[k];
    sl_min_params p;
    sl_min_defaults(&p, m);
    p.gtol = 1e-8;
    p.maxiter = 3000;
    if (m == SL_MIN_GD) p.lr = 50.0; /* far out: the fixed step halves until finite */
    if (m == SL_MIN_TRUST_NCG) p.radius0 = 100.0;
    sl_status st;
    sl_solver *s = solve(o, x0, &p, &st);
    if (m ==
        SL_MIN_GD) { /* lr = 50 halves to a finite step each time; it still diverges or crawls */
      ck_assert(isfinite(s->f));
    } else {
      ck_assert_msg(st == SL_CONVERGED_GTOL, "%s: %s", sl_min_name(p.method), s->msg);
      for (int i = 0; i < QN; i++) ck_assert_double_eq_tol(s->x[i], qb[i] / qa[i], 1e-7);
    }
    sl_solver_free(s);
  }
  sl_obj_destroy(o);
}
END_TEST

START_TEST(test_bad_params_and_start) {
  sl_objective *o = sl_obj_new(&nanq_ops, NULL, QN, 0);
  double x0[QN] = {5, 0, 0, 0, 0};
  sl_min_params p;
  sl_min_defaults(&p, SL_MIN_LBFGS);
  char msg[256];
  sl_status st;
  ck_assert(sl_solver_new(o, x0, &p, &st, msg, sizeof msg) == NULL);
  ck_assert_int_eq(st, SL_ENONFINITE);
  ck_assert(strstr(msg, "not finite") != NULL);
  p.gtol = -1;
  ck_assert(sl_solver_new(o, x0, &p, &st, msg, sizeof msg) == NULL);
  ck_assert_int_eq(st, SL_EINVAL);
  ck_assert_str_eq(msg, "gtol must be a non-negative number, got -1");
  sl_obj_destroy(o);
}
END_TEST

/* lbfgs counts and skips a pair with y's <= 0 (here: a concave stretch) */
static sl_status bump_fg(sl_objective *o, const double *x, double *f, double *g) {
  (void)o;
  /* f = -cos(x0) + x1^2 / 2: curvature changes sign along x0 */
  *f = -cos(x[0]) + 0.5 * x[1] * x[1];
  if (g) {
    g[0] = sin(x[0]);
    g[1] = x[1];
  }
  return SL_OK;
}
static const sl_objective_ops bump_ops = {.name = "bump", .fg = bump_fg};

START_TEST(test_lbfgs_skips_bad_pairs) {
  sl_objective *o = sl_obj_new(&bump_ops, NULL, 2, 0);
  double x0[2] = {3.0, 1.0}; /* near the maximum of -cos: y's < 0 on the first step */
  sl_min_params p;
  sl_min_defaults(&p, SL_MIN_LBFGS);
  sl_ls_defaults(&p.ls, SL_LS_ARMIJO);
  p.gtol = 1e-9;
  sl_status st;
  sl_solver *s = solve(o, x0, &p, &st);
  ck_assert_msg(st == SL_CONVERGED_GTOL, "%s", s->msg);
  ck_assert(isfinite(s->f));
  ck_assert_int_ge(s->skipped, 1);
  sl_solver_free(s);
  sl_obj_destroy(o);
}
END_TEST

/* flow on f = 1/2 x'Ax - b'x: x(t) = x* + exp(-A t)(x0 - x*) */
START_TEST(test_flow_quadratic) {
  sl_objective *o = sl_obj_new(&quad_ops, NULL, QN, 0);
  double x0[QN] = {2, -1, 0.5, 3, 1};
  sl_status st;
  sl_flow *fl = sl_flow_new(o, x0, 1e-9, 1e-12, &st);
  ck_assert_int_eq(st, SL_OK);
  ck_assert_int_eq(sl_flow_run(fl, 0.7, 100000, NULL), SL_OK);
  ck_assert_double_eq(fl->t, 0.7);
  for (int i = 0; i < QN; i++) {
    double xs = qb[i] / qa[i], ex = xs + exp(-qa[i] * 0.7) * (x0[i] - xs);
    ck_assert_double_eq_tol(fl->x[i], ex, 1e-8 * fmax(1.0, fabs(ex)));
  }
  ck_assert_int_gt(fl->steps, 3);
  sl_flow_free(fl);
  sl_obj_destroy(o);
}
END_TEST

/* a raised stop flag (Ctrl-C) ends the run with SL_EINTERRUPTED, x intact */
START_TEST(test_interrupted) {
  sl_objective *o = sl_obj_new(&rosen_ops, NULL, 2, 0);
  double x0[2] = {-1.2, 1.0};
  sl_min_params p;
  sl_min_defaults(&p, SL_MIN_LBFGS);
  char msg[256];
  sl_status st;
  sl_solver *s = sl_solver_new(o, x0, &p, &st, msg, sizeof msg);
  sl_stopflag flag = 0;
  ck_assert_int_eq(sl_solver_run(s, 3, &flag), SL_MAXITER);
  ck_assert_int_eq(s->nit, 3);
  flag = 1;
  ck_assert_int_eq(sl_solver_run(s, 100, &flag), SL_EINTERRUPTED);
  ck_assert_int_eq(s->nit, 3);
  ck_assert_str_eq(s->msg, "interrupted at iteration 3");
  sl_solver_free(s);
  sl_flow *fl = sl_flow_new(o, x0, 1e-6, 1e-9, &st);
  ck_assert_int_eq(sl_flow_run(fl, 1.0, 1000, &flag), SL_EINTERRUPTED);
  sl_flow_free(fl);
  sl_obj_destroy(o);
}
END_TEST

/* central differences of a value-only function: O(h^2) accurate on Rosenbrock,
   2 n calls, x untouched; sl_solver_run's budget counts from the solver's start */
static int fd_calls;
static sl_status rosen_value(void *ctx, const double *x, double *f) {
  (void)ctx;
  fd_calls++;
  return rosen_fg(NULL, x, f, NULL);
}
static sl_status failing_value(void *ctx, const double *x, double *f) {
  (void)ctx;
  (void)x;
  *f = 0.0;
  return ++fd_calls >= 3 ? SL_ECALLBACK : SL_OK;
}

START_TEST(test_fd_grad_and_budget) {
  double x[2] = {-1.2, 1.0}, xw[2], g[2], ge[2], f;
  fd_calls = 0;
  ck_assert_int_eq(sl_fd_grad(rosen_value, NULL, 2, x, 0.0, xw, g), SL_OK);
  ck_assert_int_eq(fd_calls, 4);
  rosen_fg(NULL, x, &f, ge);
  for (int i = 0; i < 2; i++) ck_assert_double_eq_tol(g[i], ge[i], 1e-6 * fabs(ge[i]));
  ck_assert_double_eq(x[0], -1.2);
  fd_calls = 0;
  ck_assert_int_eq(sl_fd_grad(failing_value, NULL, 2, x, 1e-4, xw, g), SL_ECALLBACK);
  ck_assert_int_eq(fd_calls, 3);

  sl_objective *o = sl_obj_new(&rosen_ops, NULL, 2, 0);
  sl_min_params p;
  sl_min_defaults(&p, SL_MIN_LBFGS);
  char msg[256];
  sl_status st;
  sl_solver *s = sl_solver_new(o, x, &p, &st, msg, sizeof msg);
  ck_assert_int_eq(sl_solver_step(s), SL_OK);
  ck_assert_int_eq(sl_solver_run(s, 5, NULL), SL_MAXITER);
  ck_assert_int_eq(s->nit, 5);
  ck_assert_ptr_nonnull(strstr(s->msg, "maxiter = 5"));
  ck_assert_int_eq(sl_solver_run(s, 5, NULL), SL_MAXITER);
  ck_assert_int_eq(s->nit, 5);
  sl_solver_free(s);
  sl_obj_destroy(o);
}
END_TEST

/* ---- the run loop: progress callback, stop reasons, the optimizer method ---- */

typedef struct prog {
  int calls, cancel_at;
  long last_nit;
  double last_f;
  sl_status last_status;
} prog;

static int progress(void *ud, sl_solver *s, const sl_min_progress_info *it) {
  prog *pr = ud;
  pr->calls++;
  ck_assert_int_eq(it->nit, s->nit);
  ck_assert(it->x == s->x && it->g == s->g && it->n == s->n);
  ck_assert_double_eq(it->f, s->f);
  pr->last_nit = it->nit;
  pr->last_f = it->f;
  pr->last_status = it->status;
  return pr->cancel_at > 0 && it->nit >= pr->cancel_at;
}

static sl_solver *rosen_solver(sl_objective *o, sl_min_method m) {
  double x0[2] = {-1.2, 1.0};
  sl_min_params p;
  sl_min_defaults(&p, m);
  char msg[256];
  sl_status st;
  sl_solver *s = sl_solver_new(o, x0, &p, &st, msg, sizeof msg);
  ck_assert_msg(s != NULL, "%s", msg);
  return s;
}

/* the callback runs after every iteration; non-zero cancels with "callback" */
START_TEST(test_progress_cancel) {
  sl_objective *o = sl_obj_new(&rosen_ops, NULL, 2, 0);
  sl_solver *s = rosen_solver(o, SL_MIN_LBFGS);
  prog pr = {0, 4, 0, 0, SL_OK};
  sl_min_run r;
  sl_min_run_init(&r, s);
  r.progress = progress;
  r.ud = &pr;
  ck_assert_int_eq(sl_solver_run_with(s, &r), SL_MAXITER);
  ck_assert_int_eq(s->stop, SL_STOP_CALLBACK);
  ck_assert_str_eq(sl_solver_status_name(s), "callback");
  ck_assert_str_eq(s->msg, "stopped by the callback at iteration 4");
  ck_assert_int_eq(pr.calls, 4);
  ck_assert_int_eq(s->nit, 4);
  /* without cancelling: one call per iteration, the last with the stop status */
  pr.cancel_at = 0;
  pr.calls = 0;
  ck_assert_int_eq(sl_solver_run_with(s, &r), SL_CONVERGED_GTOL);
  ck_assert_int_eq(pr.calls, s->nit - 4);
  ck_assert_int_eq(pr.last_status, SL_CONVERGED_GTOL);
  ck_assert_int_eq(s->stop, SL_STOP_NONE);
  ck_assert_str_eq(sl_solver_status_name(s), "converged");
  sl_solver_free(s);
  sl_obj_destroy(o);
}
END_TEST

/* the same iterates through run_with and through sl_solver_step by hand */
START_TEST(test_run_is_the_steps) {
  sl_objective *o = sl_obj_new(&rosen_ops, NULL, 2, 0);
  sl_solver *a = rosen_solver(o, sl_min_methods[_i]), *b = rosen_solver(o, sl_min_methods[_i]);
  sl_min_run r;
  sl_min_run_init(&r, a);
  r.maxiter = 15;
  sl_status sa = sl_solver_run_with(a, &r), sb = SL_OK;
  while (b->nit < 15 && (sb = sl_solver_step(b)) == SL_OK) {
  }
  if (sb == SL_OK) sb = SL_MAXITER;
  ck_assert_int_eq(sa, sb);
  ck_assert_int_eq(a->nit, b->nit);
  ck_assert(memcmp(a->x, b->x, sizeof(double) * 2) == 0);
  ck_assert(a->f == b->f);
  sl_solver_free(a);
  sl_solver_free(b);
  sl_obj_destroy(o);
}
END_TEST

static int counting(void *ud, sl_solver *s, const sl_min_progress_info *it) {
  (void)s;
  (void)it;
  ++*(int *)ud;
  return 0;
}

/* each stop reason of the loop, with its status, stop and message */
START_TEST(test_stop_reasons) {
  sl_objective *o = sl_obj_new(&rosen_ops, NULL, 2, 0);
  sl_solver *s = rosen_solver(o, SL_MIN_CG);
  sl_min_run r;
  /* maxfev: before the step that would start past the budget */
  sl_min_run_init(&r, s);
  r.maxfev = 10;
  ck_assert_int_eq(sl_solver_run_with(s, &r), SL_MAXITER);
  ck_assert_int_eq(s->stop, SL_STOP_MAXFEV);
  ck_assert_str_eq(sl_solver_status_name(s), "maxfev");
  ck_assert_uint_ge(sl_solver_nfev(s), 10);
  ck_assert_ptr_nonnull(strstr(s->msg, "(maxfev = 10)"));
  /* maxtime: a tiny budget ends the run before or after one step */
  sl_min_run_init(&r, s);
  r.maxtime = 1e-300;
  ck_assert_int_eq(sl_solver_run_with(s, &r), SL_MAXITER);
  ck_assert_int_eq(s->stop, SL_STOP_MAXTIME);
  ck_assert_str_eq(sl_solver_status_name(s), "maxtime");
  /* maxiter reached at the start of a run says so */
  long nit = s->nit;
  sl_min_run_init(&r, s);
  r.maxiter = nit;
  ck_assert_int_eq(sl_solver_run_with(s, &r), SL_MAXITER);
  ck_assert_int_eq(s->stop, SL_STOP_NONE);
  ck_assert_ptr_nonnull(strstr(s->msg, "was already reached"));
  ck_assert_int_eq(s->nit, nit);
  /* the stop flag */
  sl_stopflag flag = 1;
  int calls = 0;
  sl_min_run_init(&r, s);
  r.stop = &flag;
  r.progress = counting;
  r.ud = &calls;
  ck_assert_int_eq(sl_solver_run_with(s, &r), SL_EINTERRUPTED);
  ck_assert_int_eq(s->stop, SL_STOP_FLAG);
  ck_assert_int_eq(calls, 0);
  sl_solver_free(s);
  /* gtol at the start */
  double x1[2] = {1.0, 1.0};
  sl_min_params p;
  sl_min_defaults(&p, SL_MIN_BFGS);
  char msg[256];
  sl_status st;
  s = sl_solver_new(o, x1, &p, &st, msg, sizeof msg);
  ck_assert_int_eq(sl_solver_run(s, 100, NULL), SL_CONVERGED_GTOL);
  ck_assert_int_eq(s->nit, 0);
  ck_assert_ptr_nonnull(strstr(s->msg, "at the start"));
  sl_solver_free(s);
  /* ftol and xtol */
  double x0[2] = {-1.2, 1.0};
  sl_min_defaults(&p, SL_MIN_LBFGS);
  p.ftol = 1e-3;
  s = sl_solver_new(o, x0, &p, &st, msg, sizeof msg);
  ck_assert_int_eq(sl_solver_run(s, 1000, NULL), SL_CONVERGED_FTOL);
  ck_assert_ptr_nonnull(strstr(s->msg, "ftol = 0.001"));
  sl_solver_free(s);
  sl_min_defaults(&p, SL_MIN_LBFGS);
  p.xtol = 1e-2;
  s = sl_solver_new(o, x0, &p, &st, msg, sizeof msg);
  ck_assert_int_eq(sl_solver_run(s, 1000, NULL), SL_CONVERGED_XTOL);
  ck_assert(s->info.step_norm <= 1e-2);
  sl_solver_free(s);
  sl_obj_destroy(o);
}
END_TEST

/* an optimizer as a solver method: the loop steps it as sl_optim_step would */
START_TEST(test_optimizer_method) {
  sl_objective *o = sl_obj_new(&quad_ops, NULL, QN, 0);
  sl_optimizer *opt = sl_optim_new(&sl_optim_adam), *ref = sl_optim_new(&sl_optim_adam);
  ck_assert_int_eq(sl_optim_set_lr(opt, 0.05), SL_OK);
  ck_assert_int_eq(sl_optim_set_lr(ref, 0.05), SL_OK);
  double x0[QN] = {0}, x[QN] = {0}, g[QN], f;
  sl_min_params p;
  sl_min_defaults(&p, SL_MIN_OPTIMIZER);
  p.gtol = 1e-6;
  char msg[256];
  sl_status st;
  ck_assert_ptr_null(sl_solver_new(o, x0, &p, &st, msg, sizeof msg)); /* needs a stepper */
  ck_assert_int_eq(st, SL_EINVAL);
  sl_min_stepper stp = sl_min_optim_stepper(opt);
  sl_solver *s = sl_solver_new_stepper(o, x0, &p, &stp, &st, msg, sizeof msg);
  ck_assert_msg(s != NULL, "%s", msg);
  prog pr = {0, 0, 0, 0, SL_OK};
  sl_min_run r;
  sl_min_run_init(&r, s);
  r.maxiter = 40;
  r.progress = progress;
  r.ud = &pr;
  ck_assert_int_eq(sl_solver_run_with(s, &r), SL_MAXITER);
  ck_assert_int_eq(pr.calls, 40);
  ck_assert_int_eq(sl_solver_nfev(s), 41);
  ck_assert_int_eq(sl_optim_setdim(ref, QN), SL_OK);
  for (int k = 0; k < 40; k++) {
    quad_fg(o, x, &f, g);
    sl_optim_step(ref, x, g);
  }
  ck_assert(memcmp(x, s->x, sizeof x) == 0);
  ck_assert_str_eq(sl_min_name(s->m), "optimizer");
  r.maxiter = 5000;
  ck_assert_int_eq(sl_solver_run_with(s, &r), SL_CONVERGED_GTOL);
  for (int i = 0; i < QN; i++) ck_assert_double_eq_tol(s->x[i], qb[i] / qa[i], 1e-5);
  sl_solver_free(s);
  sl_optim_destroy(opt);
  sl_optim_destroy(ref);
  sl_obj_destroy(o);
}
END_TEST

/* a stepper that jumps into the NaN region: nonfinite after the step, counted */
static sl_status jump(void *ctx, double *x, const double *g, size_t n, char *msg, size_t len) {
  (void)ctx, (void)g, (void)msg, (void)len;
  for (size_t i = 0; i < n; i++) x[i] += 10.0;
  return SL_OK;
}
static sl_status refuse(void *ctx, double *x, const double *g, size_t n, char *msg, size_t len) {
  (void)ctx, (void)x, (void)g, (void)n;
  snprintf(msg, len, "no step today");
  return SL_EINVAL;
}

START_TEST(test_optimizer_nonfinite_and_failure) {
  sl_objective *o = sl_obj_new(&nanq_ops, NULL, QN, 0);
  double x0[QN] = {0};
  sl_min_params p;
  sl_min_defaults(&p, SL_MIN_OPTIMIZER);
  char msg[256];
  sl_status st;
  sl_min_stepper stp = {jump, NULL, NULL};
  sl_solver *s = sl_solver_new_stepper(o, x0, &p, &stp, &st, msg, sizeof msg);
  double gn = s->gnorm;
  ck_assert_int_eq(sl_solver_run(s, 10, NULL), SL_ENONFINITE);
  ck_assert_int_eq(s->nit, 1);
  ck_assert_double_eq(s->gnorm, gn); /* the last finite one */
  ck_assert_ptr_nonnull(strstr(s->msg, "not finite after step 1"));
  sl_solver_free(s);
  stp.step = refuse;
  s = sl_solver_new_stepper(o, x0, &p, &stp, &st, msg, sizeof msg);
  ck_assert_int_eq(sl_solver_step(s), SL_EINVAL);
  ck_assert_str_eq(s->msg, "no step today");
  ck_assert_int_eq(s->nit, 0);
  sl_solver_free(s);
  sl_obj_destroy(o);
}
END_TEST

/* the registry: unique names found by name, defaults valid, the step given */
START_TEST(test_registry) {
  int k = 0;
  for (; sl_min_methods[k]; k++) {
    sl_min_method m = sl_min_methods[k];
    ck_assert_ptr_eq(sl_min_method_from_name(m->name), m);
    ck_assert_ptr_nonnull(m->step);
    ck_assert_ptr_nonnull(m->defaults);
    sl_min_params p;
    sl_min_defaults(&p, m);
    char msg[200];
    ck_assert_msg(sl_min_check(&p, msg, sizeof msg) == SL_OK, "%s: %s", m->name, msg);
    if (!(m->flags & SL_MINF_OWNTOL)) ck_assert_double_eq(p.gtol, 1e-5); /* lm: MINPACK's */
    ck_assert_int_eq(p.maxiter, 1000);
  }
  ck_assert_int_ge(k, NAMED_METHODS + 1); /* methods added later follow "optimizer" */
  ck_assert_ptr_eq(sl_min_methods[NAMED_METHODS], SL_MIN_OPTIMIZER);
  ck_assert_ptr_null(sl_min_method_from_name("newton_raphson"));
  sl_min_params p;
  sl_min_defaults(&p, SL_MIN_CG);
  ck_assert_double_eq(p.ls.c2, 0.1);
  char msg[200];
  p.restart = -1;
  ck_assert_int_eq(sl_min_check(&p, msg, sizeof msg), SL_EINVAL);
  ck_assert_str_eq(msg, "restart must be a non-negative integer, got -1");
}
END_TEST

/* A method written outside the core, as a newcomer would start one: heavy
   ball (Polyak 1964) with a fixed step, its velocity in s->impl. */
static const sl_min_params hb_defaults = {SL_MIN_SHARED_DEFAULTS, .lr = 0.05};
static sl_status hb_init(sl_solver *s) {
  s->impl = calloc(s->n ? s->n : 1, sizeof(double));
  return s->impl ? SL_OK : SL_ENOMEM;
}
static sl_status hb_step(sl_solver *s) {
  double *v = s->impl, snorm = 0.0;
  for (size_t i = 0; i < s->n; i++) {
    v[i] = 0.9 * v[i] - s->p.lr * s->g[i];
    s->x[i] += v[i];
    snorm = fmax(snorm, fabs(v[i]));
  }
  s->info.step_norm = s->info.a = snorm;
  return sl_obj_fg(s->o, s->x, &s->f, s->g);
}
static void hb_state(const sl_solver *s, const sl_min_visit *v) {
  v->vec(v->ctx, "velocity", s->impl, s->n);
}
static const sl_min_method_ops heavy_ball = {
    .name = "heavy_ball",
    .defaults = &hb_defaults,
    .init = hb_init,
    .step = hb_step,
    .state = hb_state,
};

static int seen_velocity;
static void count_vec(void *ctx, const char *name, const double *v, size_t n) {
  (void)ctx, (void)v;
  seen_velocity = strcmp(name, "velocity") == 0 && n == QN;
}

START_TEST(test_custom_method) {
  sl_objective *o = sl_obj_new(&quad_ops, NULL, QN, 0);
  double x0[QN] = {0};
  sl_min_params p;
  sl_min_defaults(&p, &heavy_ball);
  ck_assert_double_eq(p.lr, 0.05);
  p.gtol = 1e-8;
  sl_status st;
  sl_solver *s = solve(o, x0, &p, &st);
  ck_assert_msg(st == SL_CONVERGED_GTOL, "%s", s->msg);
  for (int i = 0; i < QN; i++) ck_assert_double_eq_tol(s->x[i], qb[i] / qa[i], 1e-8);
  sl_min_visit v = {.vec = count_vec};
  sl_min_state(s, &v);
  ck_assert(seen_velocity);
  sl_solver_release(s); /* frees impl with free() (no release given) */
  ck_assert_ptr_null(s->impl);
  sl_solver_free(s);
  sl_obj_destroy(o);
}
END_TEST

static int flow_each(void *ud, const sl_flow *fl) {
  int *calls = ud;
  ck_assert_int_eq(fl->steps, ++*calls);
  return *calls >= 3;
}

/* slope.flow's loop: a callback after each step can stop it; the flag says so */
START_TEST(test_flow_run_with) {
  sl_objective *o = sl_obj_new(&quad_ops, NULL, QN, 0);
  double x0[QN] = {2, -1, 0.5, 3, 1};
  sl_status st;
  sl_flow *fl = sl_flow_new(o, x0, 1e-9, 1e-12, &st);
  int calls = 0;
  ck_assert_int_eq(sl_flow_run_with(fl, 10.0, 1000, NULL, flow_each, &calls), SL_ECALLBACK);
  ck_assert_int_eq(calls, 3);
  ck_assert_int_eq(fl->steps, 3);
  ck_assert_ptr_nonnull(strstr(fl->msg, "stopped by the progress callback"));
  ck_assert_int_eq(sl_flow_run(fl, 10.0, 2, NULL), SL_MAXITER);
  ck_assert_ptr_nonnull(strstr(fl->msg, "max_steps = 2"));
  sl_stopflag flag = 1;
  ck_assert_int_eq(sl_flow_run(fl, 10.0, 100, &flag), SL_EINTERRUPTED);
  ck_assert_ptr_nonnull(strstr(fl->msg, "interrupted at t = "));
  sl_flow_free(fl);
  sl_obj_destroy(o);
}
END_TEST

Suite *minimize_suite(void) {
  Suite *s = suite_create("minimize");
  TCase *tc = tcase_create("solvers");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_lbfgs_rosenbrock);
  tcase_add_loop_test(tc, test_methods_rosenbrock, 0, 10);
  tcase_add_loop_test(tc, test_methods_quadratic, 0, NAMED_METHODS);
  tcase_add_test(tc, test_gd_fixed_contraction);
  tcase_add_test(tc, test_trust_ncg_leaves_saddle);
  tcase_add_test(tc, test_nonfinite_shrinks_step);
  tcase_add_test(tc, test_bad_params_and_start);
  tcase_add_test(tc, test_lbfgs_skips_bad_pairs);
  tcase_add_test(tc, test_flow_quadratic);
  tcase_add_test(tc, test_interrupted);
  tcase_add_test(tc, test_fd_grad_and_budget);
  tcase_add_test(tc, test_progress_cancel);
  tcase_add_loop_test(tc, test_run_is_the_steps, 0, NAMED_METHODS);
  tcase_add_test(tc, test_stop_reasons);
  tcase_add_test(tc, test_optimizer_method);
  tcase_add_test(tc, test_optimizer_nonfinite_and_failure);
  tcase_add_test(tc, test_registry);
  tcase_add_test(tc, test_custom_method);
  tcase_add_test(tc, test_flow_run_with);
  suite_add_tcase(s, tc);
  return s;
}
