/*
** check_linesearch.c — line searches on the Moré-Thuente test functions
** (Moré & Thuente, ACM TOMS 20 (1994), sec. 6, functions 1-6 with their
** parameters), from several first steps: the returned step satisfies the
** conditions each method promises; failures say why in words.
*/
#include <check.h>
#include <math.h>
#include <string.h>

#include "check_slope.h"
#include "sl_linesearch.h"

typedef struct {
  int fn;
  double b1, b2;
  int nan_beyond; /* test of non-finite handling */
  double nan_at;
} mt;

static double gam(double b) { return sqrt(1.0 + b * b) - b; }

static sl_status mt_eval(void *ctx, double a, double *f, double *df) {
  const mt *m = ctx;
  double b = m->b1;
  if (m->nan_beyond && a > m->nan_at) {
    *f = NAN;
    *df = NAN;
    return SL_OK;
  }
  switch (m->fn) {
  case 1:
    *f = -a / (a * a + b);
    *df = (a * a - b) / ((a * a + b) * (a * a + b));
    break;
  case 2: {
    double t = a + b;
    *f = pow(t, 5) - 2.0 * pow(t, 4);
    *df = 5.0 * pow(t, 4) - 8.0 * pow(t, 3);
    break;
  }
  case 3: {
    double l = 39.0, f0, d0;
    if (a <= 1.0 - b) {
      f0 = 1.0 - a;
      d0 = -1.0;
    } else if (a >= 1.0 + b) {
      f0 = a - 1.0;
      d0 = 1.0;
    } else {
      f0 = (a - 1.0) * (a - 1.0) / (2.0 * b) + b / 2.0;
      d0 = (a - 1.0) / b;
    }
    *f = f0 + 2.0 * (1.0 - b) / (l * M_PI) * sin(l * M_PI * a / 2.0);
    *df = d0 + (1.0 - b) * cos(l * M_PI * a / 2.0);
    break;
  }
  default: { /* 4-6 */
    double b1 = m->b1, b2 = m->b2;
    double s1 = sqrt((1.0 - a) * (1.0 - a) + b2 * b2), s2 = sqrt(a * a + b1 * b1);
    *f = gam(b1) * s1 + gam(b2) * s2;
    *df = gam(b1) * (a - 1.0) / s1 + gam(b2) * a / s2;
  }
  }
  return SL_OK;
}

/* function number, parameters, and the c1 (mu), c2 (eta) of the paper */
static const struct {
  int fn;
  double b1, b2, c1, c2;
} cases[6] = {{1, 2.0, 0, 0.001, 0.1},        {2, 0.004, 0, 0.1, 0.1},
              {3, 0.01, 0, 0.1, 0.1},         {4, 0.001, 0.001, 0.001, 0.001},
              {5, 0.01, 0.001, 0.001, 0.001}, {6, 0.001, 0.01, 0.001, 0.001}};
static const double a0s[4] = {1e-3, 1e-1, 1e1, 1e3};

static void run_case(sl_ls_kind kind, int i, double a0, sl_ls_result *r, double *phi0,
                     double *dphi0, sl_linesearch *ls) {
  mt m = {cases[i].fn, cases[i].b1, cases[i].b2, 0, 0};
  sl_phi phi = {mt_eval, NULL, &m};
  sl_ls_defaults(ls, kind);
  ls->c1 = cases[i].c1;
  ls->c2 = cases[i].c2;
  if (kind == SL_LS_ARMIJO) ls->maxiter = 40;
  mt_eval(&m, 0.0, phi0, dphi0);
  char msg[128];
  ck_assert_int_eq(sl_ls_check(ls, msg, sizeof msg), SL_OK);
  sl_ls_run(ls, &phi, *phi0, *dphi0, a0, r);
}

START_TEST(test_strong_wolfe_more_thuente) {
  int i = _i / 4;
  double a0 = a0s[_i % 4], phi0, dphi0;
  sl_ls_result r;
  sl_linesearch ls;
  run_case(SL_LS_STRONG_WOLFE, i, a0, &r, &phi0, &dphi0, &ls);
  ck_assert_msg(r.status == SL_OK, "function %d a0 %g: %s", cases[i].fn, a0, r.reason);
  ck_assert(r.a > 0.0);
  ck_assert(r.phi <= phi0 + ls.c1 * r.a * dphi0);
  ck_assert_msg(fabs(r.dphi) <= ls.c2 * fabs(dphi0), "function %d a0 %g: |phi'| = %g", cases[i].fn,
                a0, fabs(r.dphi));
  ck_assert_int_eq(r.armijo, 1);
  ck_assert_int_eq(r.curvature, 1);
  ck_assert_int_ge(r.nfev, 1);
  ck_assert_int_eq(r.ntrials, r.nfev < SL_LS_MAXTRIALS ? r.nfev : SL_LS_MAXTRIALS);
  ck_assert(r.nfev <= 40);
}
END_TEST

START_TEST(test_wolfe_more_thuente) {
  int i = _i / 4;
  double a0 = a0s[_i % 4], phi0, dphi0;
  sl_ls_result r;
  sl_linesearch ls;
  run_case(SL_LS_WOLFE, i, a0, &r, &phi0, &dphi0, &ls);
  ck_assert_msg(r.status == SL_OK, "function %d a0 %g: %s", cases[i].fn, a0, r.reason);
  ck_assert(r.phi <= phi0 + ls.c1 * r.a * dphi0);
  ck_assert(r.dphi >= ls.c2 * dphi0);
  ck_assert_int_eq(r.armijo, 1);
  ck_assert_int_eq(r.curvature, 1);
}
END_TEST

START_TEST(test_hager_zhang_more_thuente) {
  int i = _i / 4;
  double a0 = a0s[_i % 4], phi0, dphi0;
  sl_ls_result r;
  sl_linesearch ls;
  run_case(SL_LS_HAGER_ZHANG, i, a0, &r, &phi0, &dphi0, &ls);
  ck_assert_msg(r.status == SL_OK, "function %d a0 %g: %s", cases[i].fn, a0, r.reason);
  int wolfe = r.phi <= phi0 + ls.c1 * r.a * dphi0 && r.dphi >= ls.c2 * dphi0;
  int approx = (2 * ls.c1 - 1) * dphi0 >= r.dphi && r.dphi >= ls.c2 * dphi0 &&
               r.phi <= phi0 + ls.hz_epsilon * fabs(phi0);
  ck_assert_msg(wolfe || approx, "function %d a0 %g: a %g phi %g dphi %g", cases[i].fn, a0, r.a,
                r.phi, r.dphi);
  ck_assert_int_eq(r.armijo, 1);
  ck_assert_int_eq(r.curvature, 1);
}
END_TEST

START_TEST(test_armijo_more_thuente) {
  int i = _i / 4;
  double a0 = a0s[_i % 4], phi0, dphi0;
  sl_ls_result r;
  sl_linesearch ls;
  run_case(SL_LS_ARMIJO, i, a0, &r, &phi0, &dphi0, &ls);
  ck_assert_msg(r.status == SL_OK, "function %d a0 %g: %s", cases[i].fn, a0, r.reason);
  ck_assert(r.phi <= phi0 + ls.c1 * r.a * dphi0);
  ck_assert(r.a <= a0);
  ck_assert_int_eq(r.armijo, 1);
  ck_assert_int_eq(r.curvature, -1);
  /* the trials are the halvings from a0, in order */
  for (int k = 0; k < r.ntrials; k++) ck_assert_double_eq(r.trials[k].a, a0 * pow(0.5, k));
}
END_TEST

/* phi(a) = 1e10 a^2 - a: sufficient decrease needs a < 1e-10, out of reach in 20 halvings */
static sl_status steep(void *ctx, double a, double *f, double *df) {
  (void)ctx;
  *f = 1e10 * a * a - a;
  *df = 2e10 * a - 1.0;
  return SL_OK;
}

START_TEST(test_failure_reasons) {
  sl_phi phi = {steep, NULL, NULL};
  sl_linesearch ls;
  sl_ls_result r;
  sl_ls_defaults(&ls, SL_LS_ARMIJO);
  ck_assert_int_eq(sl_ls_run(&ls, &phi, 0.0, -1.0, 1.0, &r), SL_ELINESEARCH);
  ck_assert_msg(strstr(r.reason,
                       "no step satisfies the sufficient-decrease condition after 20 halvings: "
                       "phi(a) stays above phi(0) + c1·a·phi'(0)") != NULL,
                "%s", r.reason);
  ck_assert_int_eq(r.nfev, 21);
  /* not a descent direction */
  sl_ls_defaults(&ls, SL_LS_STRONG_WOLFE);
  ck_assert_int_eq(sl_ls_run(&ls, &phi, 0.0, 3.2, 1.0, &r), SL_ELINESEARCH);
  ck_assert_str_eq(r.reason, "d is not a descent direction: phi'(0) = 3.2 > 0");
  ck_assert_int_eq(r.nfev, 0);
  /* exact_quadratic without curvature information */
  sl_ls_defaults(&ls, SL_LS_EXACT_QUADRATIC);
  ck_assert_int_eq(sl_ls_run(&ls, &phi, 0.0, -1.0, 1.0, &r), SL_EUNSUPPORTED);
  ck_assert(strstr(r.reason, "Hessian-vector products") != NULL);
  /* bad parameters are said in words */
  char msg[160];
  sl_ls_defaults(&ls, SL_LS_WOLFE);
  ls.c2 = 1e-5;
  ck_assert_int_eq(sl_ls_check(&ls, msg, sizeof msg), SL_EINVAL);
  ck_assert_str_eq(msg, "c2 must satisfy c1 <= c2 < 1, got c1 = 0.0001, c2 = 1e-05");
}
END_TEST

/* phi(a) = (a - 0.3)^2 - 0.09 for a <= 0.5, NaN beyond */
static sl_status nanfar(void *ctx, double a, double *f, double *df) {
  (void)ctx;
  if (a > 0.5) {
    *f = *df = NAN;
    return SL_OK;
  }
  *f = (a - 0.3) * (a - 0.3) - 0.09;
  *df = 2.0 * (a - 0.3);
  return SL_OK;
}

START_TEST(test_nonfinite_shrinks) {
  sl_phi phi = {nanfar, NULL, NULL};
  sl_ls_kind kinds[] = {SL_LS_FIXED, SL_LS_ARMIJO, SL_LS_WOLFE, SL_LS_STRONG_WOLFE,
                        SL_LS_HAGER_ZHANG};
  for (int k = 0; k < 5; k++) {
    sl_linesearch ls;
    sl_ls_result r;
    sl_ls_defaults(&ls, kinds[k]);
    ck_assert_msg(sl_ls_run(&ls, &phi, 0.0, -0.6, 4.0, &r) == SL_OK, "%s: %s", sl_ls_name(kinds[k]),
                  r.reason);
    ck_assert(r.a > 0.0 && r.a <= 0.5);
    ck_assert(isfinite(r.phi));
    ck_assert(isnan(r.trials[0].phi)); /* the first trial was the non-finite one */
  }
}
END_TEST

/* phi(a) = 2 a^2 - 4 a along a quadratic with d'Hd = 4: exact step 1 */
static sl_status quad(void *ctx, double a, double *f, double *df) {
  (void)ctx;
  *f = 2.0 * a * a - 4.0 * a;
  *df = 4.0 * a - 4.0;
  return SL_OK;
}
static double curv_value = 4.0;
static sl_status quad_curv(void *ctx, double *dhd) {
  (void)ctx;
  *dhd = curv_value;
  return SL_OK;
}

START_TEST(test_exact_quadratic) {
  sl_phi phi = {quad, quad_curv, NULL};
  sl_linesearch ls;
  sl_ls_result r;
  sl_ls_defaults(&ls, SL_LS_EXACT_QUADRATIC);
  curv_value = 4.0;
  ck_assert_int_eq(sl_ls_run(&ls, &phi, 0.0, -4.0, 1.0, &r), SL_OK);
  ck_assert_double_eq(r.a, 1.0);
  ck_assert_double_eq(r.dphi, 0.0);
  ck_assert_int_eq(r.nfev, 1);
  curv_value = -2.0;
  ck_assert_int_eq(sl_ls_run(&ls, &phi, 0.0, -4.0, 1.0, &r), SL_ELINESEARCH);
  ck_assert_msg(strstr(r.reason, "needs positive curvature along d, but d'Hd = -2 <= 0") != NULL,
                "%s", r.reason);
}
END_TEST

/* The table of methods: every row named, found by its name (custom excepted),
   its defaults valid and stamped with its row as kind. */
START_TEST(test_method_table) {
  ck_assert_int_ge(sl_ls_nmethods, SL_LS_CUSTOM + 1); /* the built-ins, then any new rows */
  for (int k = 0; k < sl_ls_nmethods; k++) {
    const sl_ls_method *m = sl_ls_method_of(k);
    ck_assert_ptr_nonnull(m);
    ck_assert_ptr_nonnull(m->run);
    sl_linesearch ls;
    sl_ls_defaults(&ls, (sl_ls_kind)k);
    ck_assert_int_eq(ls.kind, k);
    ck_assert_str_eq(sl_ls_name((sl_ls_kind)k), m->name);
    char msg[200] = "";
    if (m->flags & SL_LS_INTERNAL) {
      ck_assert_int_eq(sl_ls_kind_from_name(m->name), -1);
      ck_assert_int_eq(sl_ls_check(&ls, msg, sizeof msg), SL_EINVAL); /* no function */
    } else {
      ck_assert_int_eq(sl_ls_kind_from_name(m->name), k);
      ck_assert_msg(sl_ls_check(&ls, msg, sizeof msg) == SL_OK, "%s: %s", m->name, msg);
      ck_assert_ptr_nonnull(m->keys);
      ck_assert_ptr_nonnull(m->sig);
    }
  }
  ck_assert_ptr_null(sl_ls_method_of(-1));
  ck_assert_ptr_null(sl_ls_method_of(sl_ls_nmethods));
  ck_assert_str_eq(sl_ls_name((sl_ls_kind)99), "unknown");
  sl_linesearch bad;
  sl_ls_defaults(&bad, (sl_ls_kind)99);
  char msg[200];
  ck_assert_int_eq(sl_ls_check(&bad, msg, sizeof msg), SL_EINVAL);
  ck_assert_str_eq(msg, "unknown line search kind 99");
}
END_TEST

Suite *linesearch_suite(void) {
  Suite *s = suite_create("linesearch");
  TCase *tc = tcase_create("more_thuente");
  tcase_add_loop_test(tc, test_strong_wolfe_more_thuente, 0, 24);
  tcase_add_loop_test(tc, test_wolfe_more_thuente, 0, 24);
  tcase_add_loop_test(tc, test_hager_zhang_more_thuente, 0, 24);
  tcase_add_loop_test(tc, test_armijo_more_thuente, 0, 24);
  suite_add_tcase(s, tc);
  TCase *tf = tcase_create("failures");
  tcase_add_test(tf, test_failure_reasons);
  tcase_add_test(tf, test_nonfinite_shrinks);
  tcase_add_test(tf, test_exact_quadratic);
  tcase_add_test(tf, test_method_table);
  suite_add_tcase(s, tf);
  return s;
}
