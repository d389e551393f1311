/*
** check_lsq.c — residual objectives and the least-squares methods in C: every
** Moré–Garbow–Hillstrom Jacobian against central differences of its residuals,
** f = |r|^2 with g = 2 J'r and the Gauss–Newton HVP, forward-difference
** Jacobians and their counts, lm on problems with known minima (the paper's
** values), gauss_newton on a zero-residual problem, and the refusals.
*/
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_slope.h"
#include "sl_minimize.h"
#include "sl_residuals.h"

/* problem k at its standard sizes, x0 into *x0 (malloc'd) */
static sl_objective *mgh(int k, double **x0) {
  size_t n = 0, m = 0;
  char msg[200];
  ck_assert_int_eq(sl_mgh_sizes(k, &n, &m, msg, sizeof msg), SL_OK);
  *x0 = malloc(n * sizeof **x0);
  sl_status st;
  sl_objective *o = sl_obj_mgh(k, n, m, *x0, &st);
  ck_assert_ptr_nonnull(o);
  return o;
}

START_TEST(test_mgh_jacobians) {
  double *x0;
  sl_objective *o = mgh(_i, &x0);
  size_t n = o->dim, m = sl_res_m(o);
  double *x = malloc(n * sizeof *x), *J = malloc(m * n * sizeof *J);
  double *ra = malloc(m * sizeof *ra), *rb = malloc(m * sizeof *rb);
  for (size_t j = 0; j < n; j++) x[j] = x0[j] + 0.01 * (double)(j % 3 + 1);
  ck_assert_int_eq(sl_res_jac(o, x, J), SL_OK);
  double worst = 0.0;
  for (size_t j = 0; j < n; j++) {
    double xj = x[j], h = 1e-6 * fmax(1.0, fabs(xj));
    x[j] = xj + h;
    sl_res_eval(o, x, ra);
    x[j] = xj - h;
    sl_res_eval(o, x, rb);
    x[j] = xj;
    for (size_t i = 0; i < m; i++) {
      double fd = (ra[i] - rb[i]) / (2.0 * h), a = J[i * n + j];
      worst = fmax(worst, fabs(fd - a) / fmax(1.0, fabs(a)));
    }
  }
  /* Brown badly scaled sits at x = 1e6, where differences keep ~5 digits */
  ck_assert_msg(worst < (_i == 3 ? 1e-3 : 1e-6), "%s: Jacobian error %g", sl_mgh_get(_i)->name,
                worst);
  /* f = |r|^2, g = 2 J'r, hv = 2 J'J v */
  double f, *g = malloc(n * sizeof *g), *v = malloc(n * sizeof *v), *hv = malloc(n * sizeof *hv);
  ck_assert_int_eq(sl_obj_fg(o, x, &f, g), SL_OK);
  sl_res_eval(o, x, ra);
  double rr = 0.0;
  for (size_t i = 0; i < m; i++) rr += ra[i] * ra[i];
  ck_assert_double_eq_tol(f, rr, 1e-12 * fmax(1.0, rr));
  for (size_t j = 0; j < n; j++) v[j] = sin((double)j + 1.0);
  ck_assert_int_eq(sl_obj_hvp(o, x, v, hv), SL_OK);
  for (size_t j = 0; j < n; j++) {
    double gj = 0.0, hj = 0.0;
    for (size_t i = 0; i < m; i++) {
      double jv = 0.0;
      for (size_t l = 0; l < n; l++) jv += J[i * n + l] * v[l];
      gj += 2.0 * J[i * n + j] * ra[i];
      hj += 2.0 * J[i * n + j] * jv;
    }
    ck_assert_double_eq_tol(g[j], gj, 1e-10 * fmax(1.0, fabs(gj)));
    ck_assert_double_eq_tol(hv[j], hj, 1e-10 * fmax(1.0, fabs(hj)));
  }
  ck_assert_str_eq(sl_res_hvp_kind(o), "gauss_newton");
  free(x), free(J), free(ra), free(rb), free(g), free(v), free(hv), free(x0);
  sl_obj_destroy(o);
}
END_TEST

/* lm to the paper's minima (MGH 1981, sec. 3: f = |r|^2) */
START_TEST(test_lm_known_minima) {
  static const struct {
    const char *name;
    double fmin, tol;
  } known[] = {{"freudenstein_roth", 48.9842, 1e-4},  {"bard", 8.21487e-3, 1e-7},
               {"kowalik_osborne", 3.07505e-4, 1e-8}, {"meyer", 87.9458, 1e-3},
               {"osborne1", 5.46489e-5, 1e-10},       {"osborne2", 4.01377e-2, 1e-6},
               {"brown_dennis", 85822.2, 0.1},        {"watson", 2.28767e-3, 1e-8},
               {"jennrich_sampson", 124.362, 1e-3},   {"chebyquad", 3.51687e-3, 1e-8},
               {"helical_valley", 0.0, 1e-20},        {"box3", 0.0, 1e-20}};
  for (size_t k = 0; k < sizeof known / sizeof known[0]; k++) {
    double *x0;
    sl_objective *o = mgh(sl_mgh_find(known[k].name), &x0);
    sl_min_params p;
    sl_min_defaults(&p, SL_MIN_LM);
    sl_status st;
    char msg[320];
    sl_solver *s = sl_solver_new(o, x0, &p, &st, msg, sizeof msg);
    ck_assert_ptr_nonnull(s);
    st = sl_solver_run(s, 1000, NULL);
    ck_assert_msg(st > 0 && st != SL_MAXITER, "%s: %s", known[k].name, s->msg);
    ck_assert_msg(fabs(s->f - known[k].fmin) <= known[k].tol, "%s: f = %.9g, expected %.9g",
                  known[k].name, s->f, known[k].fmin);
    ck_assert_uint_ge(sl_solver_nfev(s), sl_solver_njev(s));
    sl_solver_free(s);
    sl_obj_destroy(o);
    free(x0);
  }
}
END_TEST

/* a residual with no Jacobian: forward differences, dim residuals each */
static sl_status lin_r(void *ctx, const double *x, double *r) {
  int *calls = ctx;
  ++*calls;
  r[0] = x[0] + 2.0 * x[1] - 3.0;
  r[1] = x[0] - x[1];
  r[2] = 0.5 * x[0] * x[0] - 0.5;
  return SL_OK;
}

START_TEST(test_fd_jacobian_and_counts) {
  int calls = 0;
  sl_residual_fns fns = {"lin", lin_r, NULL, NULL, NULL};
  sl_status st;
  sl_objective *o = sl_obj_residuals(3, 2, &fns, &calls, &st);
  ck_assert_ptr_nonnull(o);
  ck_assert(sl_res_jac_approx(o));
  double x[2] = {0.3, -0.7}, J[6];
  ck_assert_int_eq(sl_res_jac(o, x, J), SL_OK);
  ck_assert_int_eq(calls, 3); /* r(x) and one per column */
  ck_assert_uint_eq(o->nfev, 3);
  ck_assert_uint_eq(sl_res_njev(o), 1);
  ck_assert_double_eq_tol(J[0], 1.0, 1e-7);
  ck_assert_double_eq_tol(J[1], 2.0, 1e-7);
  ck_assert_double_eq_tol(J[3], -1.0, 1e-7);
  ck_assert_double_eq_tol(J[4], 0.3, 1e-7);
  /* asking again at the same point costs nothing */
  ck_assert_int_eq(sl_res_jac(o, x, J), SL_OK);
  ck_assert_int_eq(calls, 3);
  sl_min_params p;
  sl_min_defaults(&p, SL_MIN_LM);
  char msg[320];
  double x0[2] = {3.0, 3.0};
  calls = 0;
  unsigned long f0 = o->nfev;
  sl_solver *s = sl_solver_new(o, x0, &p, &st, msg, sizeof msg);
  ck_assert_ptr_nonnull(s);
  st = sl_solver_run(s, 100, NULL);
  ck_assert_msg(st > 0 && st != SL_MAXITER, "%s", s->msg);
  ck_assert_uint_eq((unsigned long)calls, o->nfev - f0);
  sl_solver_free(s);
  sl_obj_destroy(o);
}
END_TEST

START_TEST(test_gauss_newton_zero_residual) {
  double *x0;
  sl_objective *o = mgh(sl_mgh_find("extended_rosenbrock"), &x0);
  sl_min_params p;
  sl_min_defaults(&p, SL_MIN_GAUSS_NEWTON);
  sl_status st;
  char msg[320];
  sl_solver *s = sl_solver_new(o, x0, &p, &st, msg, sizeof msg);
  ck_assert_ptr_nonnull(s);
  st = sl_solver_run(s, 200, NULL);
  ck_assert_msg(st == SL_CONVERGED_GTOL, "%s", s->msg);
  ck_assert(s->f < 1e-20);
  for (size_t j = 0; j < s->n; j++) ck_assert_double_eq_tol(s->x[j], 1.0, 1e-9);
  sl_solver_free(s);
  sl_obj_destroy(o);
  free(x0);
}
END_TEST

/* the run loop's budgets and stop flag hold for both methods */
START_TEST(test_budgets_and_flag) {
  const sl_min_method methods[2] = {SL_MIN_LM, SL_MIN_GAUSS_NEWTON};
  for (int k = 0; k < 2; k++) {
    double *x0;
    sl_objective *o = mgh(sl_mgh_find("osborne2"), &x0);
    sl_min_params p;
    sl_min_defaults(&p, methods[k]);
    sl_status st;
    char msg[320];
    sl_solver *s = sl_solver_new(o, x0, &p, &st, msg, sizeof msg);
    sl_stopflag flag = 0;
    ck_assert_int_eq(sl_solver_run(s, 2, &flag), SL_MAXITER);
    ck_assert_int_eq(s->nit, 2);
    flag = 1;
    ck_assert_int_eq(sl_solver_run(s, 100, &flag), SL_EINTERRUPTED);
    ck_assert_str_eq(s->msg, "interrupted at iteration 2");
    flag = 0;
    st = sl_solver_run(s, 1000, &flag);
    ck_assert_msg(st > 0 && st != SL_MAXITER, "%s", s->msg);
    ck_assert_double_eq_tol(s->f, 4.01377e-2, 1e-6); /* the paper's minimum */
    sl_solver_free(s);
    sl_obj_destroy(o);
    free(x0);
  }
}
END_TEST

static sl_status plain_fg(sl_objective *o, const double *x, double *f, double *g) {
  (void)o;
  *f = x[0] * x[0];
  if (g) g[0] = 2.0 * x[0];
  return SL_OK;
}
static const sl_objective_ops plain_ops = {.name = "plain", .fg = plain_fg};

START_TEST(test_refusals) {
  sl_objective *o = sl_obj_new(&plain_ops, NULL, 1, 0);
  double x0 = 1.0;
  const sl_min_method methods[2] = {SL_MIN_LM, SL_MIN_GAUSS_NEWTON};
  for (int k = 0; k < 2; k++) {
    sl_min_params p;
    sl_min_defaults(&p, methods[k]);
    sl_status st;
    char msg[320];
    ck_assert_ptr_null(sl_solver_new(o, &x0, &p, &st, msg, sizeof msg));
    ck_assert_int_eq(st, SL_EINVAL);
    ck_assert_msg(strstr(msg, "needs a residual objective (slope.obj.residuals") != NULL, "%s",
                  msg);
  }
  sl_obj_destroy(o);
  sl_min_params p;
  sl_min_defaults(&p, SL_MIN_LM);
  char msg[200];
  p.factor = 0.0;
  ck_assert_int_eq(sl_min_check(&p, msg, sizeof msg), SL_EINVAL);
  ck_assert_str_eq(msg, "factor must be a positive number, got 0");
  /* sizes outside the paper's ranges */
  size_t n = 3, m = 0;
  ck_assert_int_eq(sl_mgh_sizes(sl_mgh_find("rosenbrock"), &n, &m, msg, sizeof msg), SL_EINVAL);
  ck_assert_int_eq(sl_mgh_find("nope"), -1);
  ck_assert_ptr_null(sl_mgh_get(SL_MGH_COUNT));
  sl_status st;
  sl_residual_fns fns = {"lin", lin_r, NULL, NULL, NULL};
  ck_assert_ptr_null(sl_obj_residuals(0, 2, &fns, NULL, &st));
  ck_assert_int_eq(st, SL_EINVAL);
}
END_TEST

Suite *lsq_suite(void) {
  Suite *s = suite_create("lsq");
  TCase *tc = tcase_create("lsq");
  tcase_set_timeout(tc, 60);
  tcase_add_loop_test(tc, test_mgh_jacobians, 0, SL_MGH_COUNT);
  tcase_add_test(tc, test_lm_known_minima);
  tcase_add_test(tc, test_fd_jacobian_and_counts);
  tcase_add_test(tc, test_gauss_newton_zero_residual);
  tcase_add_test(tc, test_refusals);
  tcase_add_test(tc, test_budgets_and_flag);
  suite_add_tcase(s, tc);
  return s;
}
