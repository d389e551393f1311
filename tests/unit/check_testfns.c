/*
** check_testfns.c — the core test functions, quadratics and derivative checks.
*/
#include <check.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_slope.h"
#include "sl_rng.h"
#include "sl_testfns.h"

/* Every test function: analytic gradient and HVP against finite differences
   at random points. */
START_TEST(test_derivatives_match_fd) {
  sl_rng r;
  sl_rng_seed(&r, 11);
  for (size_t k = 0; sl_testfns[k].name; k++) {
    sl_status st;
    sl_objective *o = sl_obj_testfn_new(sl_testfns[k].name, 5, &st);
    ck_assert_int_eq(st, SL_OK);
    ck_assert_ptr_nonnull(o);
    ck_assert_int_eq(sl_obj_has_exact_hvp(o), 1);
    size_t n = o->dim;
    double x[5], v[5], a[5], num[5];
    for (int t = 0; t < 5; t++) {
      for (size_t i = 0; i < n; i++) {
        x[i] = 2.0 * sl_rng_normal(&r);
        v[i] = sl_rng_normal(&r);
      }
      sl_check_result res;
      ck_assert_int_eq(sl_check_grad(o, x, 0.0, 1, a, num, &res, NULL), SL_OK);
      ck_assert_msg(res.max_rel_err < 1e-6, "%s grad err %g", sl_testfns[k].name, res.max_rel_err);
      ck_assert_int_eq(sl_check_hvp(o, x, v, 0.0, 1, a, num, &res), SL_OK);
      ck_assert_msg(res.max_rel_err < 1e-6, "%s hvp err %g", sl_testfns[k].name, res.max_rel_err);
    }
    sl_obj_destroy(o);
  }
}
END_TEST

START_TEST(test_minima) {
  sl_status st;
  double f, g[3];
  sl_objective *o = sl_obj_testfn_new("rosenbrock", 3, &st);
  double ones[3] = {1, 1, 1};
  sl_obj_fg(o, ones, &f, g);
  ck_assert_double_eq(f, 0.0);
  ck_assert_double_eq(g[0], 0.0);
  ck_assert_double_eq(g[2], 0.0);
  double x0[3];
  o->ops->init(o, NULL, x0);
  ck_assert_double_eq(x0[0], -1.2);
  ck_assert_double_eq(x0[1], 1.0);
  sl_obj_destroy(o);

  o = sl_obj_testfn_new("styblinski_tang", 3, &st);
  double s = -2.903534027771177, xs[3] = {s, s, s};
  sl_obj_fg(o, xs, &f, g);
  ck_assert_double_eq_tol(f, -39.16616570377142 * 3, 1e-11);
  ck_assert_double_lt(fabs(g[0]), 1e-12);
  sl_obj_destroy(o);

  o = sl_obj_testfn_new("beale", 0, &st); /* n ignored for 2-D functions */
  ck_assert_uint_eq(o->dim, 2);
  double b[2] = {3, 0.5};
  sl_obj_fg(o, b, &f, g);
  ck_assert_double_eq(f, 0.0);
  ck_assert_double_eq(g[0], 0.0);
  ck_assert_double_eq(g[1], 0.0);
  sl_obj_destroy(o);
}
END_TEST

START_TEST(test_testfn_errors) {
  sl_status st;
  ck_assert_ptr_null(sl_obj_testfn_new("rosenbrock", 1, &st));
  ck_assert_int_eq(st, SL_EINVAL);
  ck_assert_ptr_null(sl_obj_testfn_new("rastrigin", 0, &st));
  ck_assert_int_eq(st, SL_EINVAL);
  ck_assert_ptr_null(sl_obj_testfn_new("nope", 2, &st));
  ck_assert_int_eq(st, SL_EINVAL);
}
END_TEST

/* The eigenvalues of A = Q diag(eigs) Q^T, by LAPACK's symmetric solver. */
START_TEST(test_quadratic_eigs_spectrum) {
  const double eigs[5] = {1e-3, 0.5, 2, 7, 1e4};
  char msg[128];
  sl_status st;
  sl_objective *o = sl_obj_quadratic_eigs_new(5, eigs, NULL, 123, &st, msg, sizeof msg);
  ck_assert_ptr_nonnull(o);
  const double *A = sl_obj_quadratic_matrix(o);
  double H[25], w[5];
  memcpy(H, A, sizeof H);
  ck_assert_int_eq(LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'N', 'U', 5, H, 5, w), 0);
  for (int i = 0; i < 5; i++) ck_assert_double_eq_tol(w[i], eigs[i], 1e-11 * 1e4);
  /* the dense Hessian from HVPs is A */
  double x[5] = {1, 2, 3, 4, 5};
  ck_assert_int_eq(sl_obj_hessian(o, x, H), SL_OK);
  for (int i = 0; i < 25; i++) ck_assert_double_eq_tol(H[i], A[i], 1e-9);
  /* positive definite: the minimizer is A^-1 b = 0 for b = 0 */
  ck_assert_int_eq(sl_obj_quadratic_minimizer(o, x), SL_OK);
  for (int i = 0; i < 5; i++) ck_assert_double_eq_tol(x[i], 0.0, 1e-12);
  sl_obj_destroy(o);
}
END_TEST

START_TEST(test_quadratic_given) {
  double A[4] = {2, 1, 1, 3}, b[2] = {1, 1}, x[2], f, g[2];
  char msg[128];
  sl_status st;
  sl_objective *o = sl_obj_quadratic_new(2, A, b, &st, msg, sizeof msg);
  ck_assert_ptr_nonnull(o);
  ck_assert_int_eq(sl_obj_quadratic_minimizer(o, x), SL_OK);
  sl_obj_fg(o, x, &f, g);
  ck_assert_double_eq_tol(g[0], 0.0, 1e-15);
  ck_assert_double_eq_tol(g[1], 0.0, 1e-15);
  ck_assert_double_eq_tol(f, -0.5 * (b[0] * x[0] + b[1] * x[1]), 1e-15);
  double f2;
  sl_obj_fg(o, x, &f2, NULL); /* value alone agrees */
  ck_assert_double_eq(f, f2);
  sl_obj_destroy(o);

  double asym[4] = {1, 2, 3, 4};
  ck_assert_ptr_null(sl_obj_quadratic_new(2, asym, NULL, &st, msg, sizeof msg));
  ck_assert_int_eq(st, SL_EINVAL);
  ck_assert_ptr_nonnull(strstr(msg, "symmetric"));
  double nan_a[4] = {1, NAN, NAN, 1};
  ck_assert_ptr_null(sl_obj_quadratic_new(2, nan_a, NULL, &st, msg, sizeof msg));
  ck_assert_ptr_nonnull(strstr(msg, "NaN"));
  double indef[4] = {1, 0, 0, -1};
  o = sl_obj_quadratic_new(2, indef, NULL, &st, msg, sizeof msg);
  ck_assert_int_eq(sl_obj_quadratic_minimizer(o, x), SL_EINVAL);
  sl_obj_destroy(o);
  double e[2] = {1, INFINITY};
  ck_assert_ptr_null(sl_obj_quadratic_eigs_new(2, e, NULL, 0, &st, msg, sizeof msg));
  ck_assert_int_eq(st, SL_EINVAL);
  o = sl_obj_testfn_new("booth", 2, &st);
  ck_assert_ptr_null(sl_obj_quadratic_matrix(o));
  ck_assert_int_eq(sl_obj_quadratic_minimizer(o, x), SL_EUNSUPPORTED);
  sl_obj_destroy(o);
}
END_TEST

/* An objective whose gradient is wrong in coordinate 1: the check finds it. */
static sl_status wrong_fg(sl_objective *o, const double *x, double *f, double *g) {
  (void)o;
  *f = x[0] * x[0] + x[1] * x[1];
  if (g) {
    g[0] = 2 * x[0];
    g[1] = 3 * x[1];
  }
  return SL_OK;
}
static const sl_objective_ops wrong_ops = {"wrong", wrong_fg, NULL, NULL, NULL, NULL};

START_TEST(test_check_finds_wrong_gradient) {
  sl_objective *o = sl_obj_new(&wrong_ops, NULL, 2, 0);
  double x[2] = {1, 2}, a[2], num[2];
  sl_check_result res;
  ck_assert_int_eq(sl_check_grad(o, x, 0.0, 1, a, num, &res, NULL), SL_OK);
  ck_assert_uint_eq(res.worst, 1);
  ck_assert_double_eq_tol(res.max_rel_err, 2.0 / 6.0, 1e-8);
  ck_assert_double_eq_tol(res.max_abs_err, 2.0, 1e-8);
  /* the stop flag interrupts */
  sl_stopflag stop = 1;
  ck_assert_int_eq(sl_check_grad(o, x, 0.0, 1, a, num, &res, &stop), SL_EINTERRUPTED);
  sl_obj_destroy(o);
}
END_TEST

Suite *testfns_suite(void) {
  Suite *s = suite_create("testfns");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_derivatives_match_fd);
  tcase_add_test(tc, test_minima);
  tcase_add_test(tc, test_testfn_errors);
  tcase_add_test(tc, test_quadratic_eigs_spectrum);
  tcase_add_test(tc, test_quadratic_given);
  tcase_add_test(tc, test_check_finds_wrong_gradient);
  suite_add_tcase(s, tc);
  return s;
}
