/*
** check_l1.c — the composite methods of the core (owlqn, fista, prox_gd) on
** objectives with closed-form answers: a separable quadratic plus a weighted
** L1 term (x_i = S(b_i, lambda_i) / a_i), a coupled quadratic checked by its
** optimality conditions; a C prox against soft-thresholding; the orthant
** of owlqn's iterates; the stop flag, refusals and a failing prox.
*/
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check_slope.h"
#include "sl_minimize.h"

#define N 6
static const double qa[N] = {1, 2, 4, 8, 0.5, 3};
static const double qb[N] = {3, -0.2, 0.5, -6, 0.05, 0};

/* f = sum_i a_i x_i^2 / 2 - b_i x_i */
static sl_status sep_fg(sl_objective *o, const double *x, double *f, double *g) {
  (void)o;
  double s = 0.0;
  for (int i = 0; i < N; i++) {
    s += 0.5 * qa[i] * x[i] * x[i] - qb[i] * x[i];
    if (g) g[i] = qa[i] * x[i] - qb[i];
  }
  *f = s;
  return SL_OK;
}
static const sl_objective_ops sep_ops = {.name = "separable", .fg = sep_fg};

/* f = |A x - c|^2 / 2 with a fixed, well-conditioned coupled A (N x N) */
static double A[N][N];
static const double cc[N] = {1, -2, 0.5, 3, -1, 0.2};
static void make_A(void) {
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) A[i][j] = (i == j ? 2.0 : 0.0) + 0.3 * sin(1.0 + i + 2.0 * j);
}
static sl_status coupled_fg(sl_objective *o, const double *x, double *f, double *g) {
  (void)o;
  double r[N], s = 0.0;
  for (int i = 0; i < N; i++) {
    r[i] = -cc[i];
    for (int j = 0; j < N; j++) r[i] += A[i][j] * x[j];
    s += 0.5 * r[i] * r[i];
  }
  if (g)
    for (int j = 0; j < N; j++) {
      g[j] = 0.0;
      for (int i = 0; i < N; i++) g[j] += A[i][j] * r[i];
    }
  *f = s;
  return SL_OK;
}
static const sl_objective_ops coupled_ops = {.name = "coupled", .fg = coupled_fg};

static const sl_min_method_ops *const composite[3] = {&sl_min_owlqn, &sl_min_fista,
                                                      &sl_min_prox_gd};

static sl_solver *make(sl_objective *o, sl_min_method m, double l1, const double *w,
                       const double *x0) {
  sl_min_params p;
  sl_min_defaults(&p, m);
  p.l1 = l1;
  p.l1w = w;
  p.gtol = 1e-11;
  p.maxiter = 100000;
  sl_status st;
  char msg[256];
  sl_solver *s = sl_solver_new(o, x0, &p, &st, msg, sizeof msg);
  ck_assert_msg(s != NULL, "%s: %s", m->name, msg);
  return s;
}

/* weighted L1 on the separable quadratic: the soft-threshold closed form */
START_TEST(test_separable_closed_form) {
  sl_min_method m = composite[_i];
  sl_objective *o = sl_obj_new(&sep_ops, NULL, N, 0);
  double w[N] = {0.5, 0.5, 0.25, 1, 0.1, 0.7}, x0[N] = {1, 1, 1, 1, 1, 1};
  sl_solver *s = make(o, m, 0.0, w, x0);
  for (int i = 0; i < N; i++) w[i] = -1.0;       /* the solver keeps its own copy */
  sl_status st = sl_solver_run(s, 100000, NULL); /* owlqn may meet rounding first */
  ck_assert_msg(st == SL_CONVERGED_GTOL || st == SL_CONVERGED_FTOL, "%s: %s", m->name, s->msg);
  double F = 0.0;
  const double wk[N] = {0.5, 0.5, 0.25, 1, 0.1, 0.7};
  for (int i = 0; i < N; i++) {
    double v = fabs(qb[i]) - wk[i], want = v > 0 ? copysign(v, qb[i]) / qa[i] : 0.0;
    ck_assert_msg(fabs(s->x[i] - want) <= 1e-10, "%s x%d = %.17g, want %.17g", m->name, i, s->x[i],
                  want);
    if (want == 0.0) ck_assert_msg(s->x[i] == 0.0, "%s: x%d exactly 0", m->name, i);
    F += 0.5 * qa[i] * want * want - qb[i] * want + wk[i] * fabs(want);
  }
  ck_assert_msg(fabs(s->f - F) <= 1e-12 * fabs(F), "%s F %.17g vs %.17g", m->name, s->f, F);
  ck_assert_ptr_nonnull(strstr(s->msg, "converged"));
  sl_solver_free(s);
  sl_obj_destroy(o);
}
END_TEST

/* the coupled quadratic: KKT conditions of f + lambda |x|_1 hold at the answer,
   and the three methods agree */
START_TEST(test_coupled_kkt_and_agree) {
  make_A();
  sl_objective *o = sl_obj_new(&coupled_ops, NULL, N, 0);
  double x0[N] = {0}, xs[3][N], lam = 0.4;
  for (int k = 0; k < 3; k++) {
    sl_solver *s = make(o, composite[k], lam, NULL, x0);
    sl_status st = sl_solver_run(s, 100000, NULL);
    ck_assert_msg(st == SL_CONVERGED_GTOL || st == SL_CONVERGED_FTOL, "%s", s->msg);
    for (int i = 0; i < N; i++) {
      xs[k][i] = s->x[i];
      if (s->x[i] != 0.0)
        ck_assert_double_eq_tol(s->g[i] + copysign(lam, s->x[i]), 0.0, 1e-10);
      else
        ck_assert(fabs(s->g[i]) <= lam + 1e-10);
    }
    sl_solver_free(s);
  }
  int zeros = 0;
  for (int i = 0; i < N; i++) {
    zeros += xs[0][i] == 0.0;
    ck_assert_double_eq_tol(xs[1][i], xs[0][i], 1e-9);
    ck_assert_double_eq_tol(xs[2][i], xs[0][i], 1e-9);
    ck_assert((xs[1][i] == 0.0) == (xs[0][i] == 0.0));
  }
  ck_assert_int_ge(zeros, 1); /* lambda makes it sparse */
  ck_assert_int_lt(zeros, N);
  sl_obj_destroy(o);
}
END_TEST

/* owlqn: no coordinate changes sign within a step (it stops at 0 first) */
START_TEST(test_owlqn_orthants) {
  make_A();
  sl_objective *o = sl_obj_new(&coupled_ops, NULL, N, 0);
  double x0[N] = {-1, 1, -1, 1, -1, 1}, prev[N];
  sl_solver *s = make(o, SL_MIN_OWLQN, 0.4, NULL, x0);
  sl_status st = SL_OK;
  for (int k = 0; k < 200 && st == SL_OK; k++) {
    memcpy(prev, s->x, sizeof prev);
    double f0 = s->f;
    st = sl_solver_step(s);
    ck_assert(st >= 0);
    ck_assert(s->f <= f0);
    for (int i = 0; i < N; i++) ck_assert_msg(prev[i] * s->x[i] >= 0.0, "x%d changed sign", i);
  }
  ck_assert_msg(st == SL_CONVERGED_GTOL || st == SL_CONVERGED_FTOL, "%s", s->msg);
  sl_solver_free(s);
  sl_obj_destroy(o);
}
END_TEST

/* a C prox (soft-thresholding with lambda = ctx) gives the l1 run's iterates */
static sl_status soft(void *ctx, double *x, size_t n, double t, char *msg, size_t len) {
  (void)msg, (void)len;
  double lam = *(const double *)ctx;
  for (size_t i = 0; i < n; i++) {
    double v = fabs(x[i]) - t * lam;
    x[i] = v > 0 ? copysign(v, x[i]) : 0.0;
  }
  return SL_OK;
}
static int refuse_after;
static sl_status failing(void *ctx, double *x, size_t n, double t, char *msg, size_t len) {
  (void)ctx, (void)x, (void)n, (void)t;
  if (refuse_after-- > 0) return SL_OK;
  snprintf(msg, len, "no prox today");
  return SL_EINVAL;
}

START_TEST(test_prox_equals_l1) {
  make_A();
  sl_objective *o = sl_obj_new(&coupled_ops, NULL, N, 0);
  double x0[N] = {0}, lam = 0.4;
  sl_min_method m = _i ? SL_MIN_FISTA : SL_MIN_PROX_GD;
  sl_solver *a = make(o, m, lam, NULL, x0);
  sl_min_params p;
  sl_min_defaults(&p, m);
  p.prox.fn = soft;
  p.prox.ctx = &lam;
  p.gtol = 1e-11;
  sl_status st;
  char msg[256];
  sl_solver *b = sl_solver_new(o, x0, &p, &st, msg, sizeof msg);
  ck_assert_ptr_nonnull(b);
  for (int k = 0; k < 20; k++) {
    ck_assert_int_eq(sl_solver_step(a), SL_OK);
    ck_assert_int_eq(sl_solver_step(b), SL_OK);
    for (int i = 0; i < N; i++) ck_assert_double_eq(a->x[i], b->x[i]);
  }
  sl_solver_free(b);
  /* a prox that fails: at the start, then in a step */
  p.prox.fn = failing;
  refuse_after = 0;
  ck_assert_ptr_null(sl_solver_new(o, x0, &p, &st, msg, sizeof msg));
  ck_assert_int_eq(st, SL_EINVAL);
  ck_assert_str_eq(msg, "no prox today");
  refuse_after = 3;
  b = sl_solver_new(o, x0, &p, &st, msg, sizeof msg);
  ck_assert_ptr_nonnull(b);
  ck_assert_int_eq(sl_solver_run(b, 100, NULL), SL_EINVAL);
  ck_assert_str_eq(b->msg, "no prox today");
  sl_solver_free(b);
  sl_solver_free(a);
  sl_obj_destroy(o);
}
END_TEST

/* checks, the stop flag, converged at the start, the gtol message */
START_TEST(test_refusals_and_flag) {
  sl_objective *o = sl_obj_new(&sep_ops, NULL, N, 0);
  double x0[N] = {1, 1, 1, 1, 1, 1};
  char msg[256];
  sl_status st;
  for (int k = 0; k < 3; k++) {
    sl_min_params p;
    sl_min_defaults(&p, composite[k]);
    ck_assert_int_eq(sl_min_check(&p, msg, sizeof msg), SL_OK);
    p.l1 = -1;
    ck_assert_int_eq(sl_min_check(&p, msg, sizeof msg), SL_EINVAL);
    ck_assert_str_eq(msg, "l1 must be a finite number >= 0, got -1");
    p.l1 = NAN;
    ck_assert_int_eq(sl_min_check(&p, msg, sizeof msg), SL_EINVAL);
    p.l1 = 0.1;
    p.prox.fn = soft;
    ck_assert_int_eq(sl_min_check(&p, msg, sizeof msg), SL_EINVAL);
    ck_assert_ptr_nonnull(strstr(msg, k == 0 ? "owlqn takes l1, not prox" : "not both"));
    /* a NaN weight is refused when the solver starts */
    double w[N] = {1, 1, NAN, 1, 1, 1};
    sl_min_defaults(&p, composite[k]);
    p.l1w = w;
    ck_assert_ptr_null(sl_solver_new(o, x0, &p, &st, msg, sizeof msg));
    ck_assert_int_eq(st, SL_EINVAL);
    ck_assert_str_eq(msg, "l1[3] must be a finite number >= 0, got nan");
    /* the stop flag */
    sl_min_defaults(&p, composite[k]);
    p.l1 = 0.1;
    sl_solver *s = sl_solver_new(o, x0, &p, &st, msg, sizeof msg);
    sl_stopflag flag = 1;
    ck_assert_int_eq(sl_solver_run(s, 100, &flag), SL_EINTERRUPTED);
    ck_assert_int_eq(s->nit, 0);
    flag = 0;
    ck_assert_int_eq(sl_solver_run(s, 2, &flag), SL_MAXITER);
    ck_assert_ptr_nonnull(strstr(s->msg, k == 0 ? "max|pseudo-gradient|" : "max|G|"));
    sl_solver_free(s);
    /* lambda >= max|g(0)|: x = 0 is optimal at once */
    double z[N] = {0};
    p.l1 = 6.0;
    s = sl_solver_new(o, z, &p, &st, msg, sizeof msg);
    ck_assert_int_eq(sl_solver_run(s, 100, NULL), SL_CONVERGED_GTOL);
    ck_assert_int_eq(s->nit, 0);
    ck_assert_double_eq(s->f, 0.0);
    sl_solver_free(s);
  }
  sl_obj_destroy(o);
}
END_TEST

Suite *l1_suite(void) {
  Suite *s = suite_create("l1");
  TCase *tc = tcase_create("composite");
  tcase_set_timeout(tc, 60);
  tcase_add_loop_test(tc, test_separable_closed_form, 0, 3);
  tcase_add_test(tc, test_coupled_kkt_and_agree);
  tcase_add_test(tc, test_owlqn_orthants);
  tcase_add_loop_test(tc, test_prox_equals_l1, 0, 2);
  tcase_add_test(tc, test_refusals_and_flag);
  suite_add_tcase(s, tc);
  return s;
}
