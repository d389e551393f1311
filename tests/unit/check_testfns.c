/*
** check_testfns.c — test functions, the quadratic (its spectrum by LAPACK's
** dsyev) and the derivative checks of sl_check.c.
*/
#include <check.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>

#include "check_slope.h"
#include "sl_check.h"
#include "sl_rng.h"
#include "sl_testfns.h"

static sl_objective *make(int k) {
  switch (k) {
  case 0: return sl_obj_rosenbrock(6);
  case 1: return sl_obj_beale();
  case 2: return sl_obj_booth();
  case 3: return sl_obj_himmelblau();
  case 4: return sl_obj_rastrigin(5);
  case 5: return sl_obj_ackley(4);
  case 6: return sl_obj_styblinski_tang(3);
  case 7: return sl_obj_saddle();
  default: return sl_obj_monkey_saddle();
  }
}

START_TEST(test_derivatives_match_fd) {
  sl_objective *o = make(_i);
  ck_assert_ptr_nonnull(o);
  ck_assert(sl_obj_has_exact_hvp(o));
  size_t n = o->dim;
  double x[8], v[8], a[8], num[8];
  sl_rng r;
  sl_rng_seed(&r, 100 + (uint64_t)_i);
  for (int t = 0; t < 10; t++) {
    for (size_t i = 0; i < n; i++) x[i] = 2.0 * sl_rng_normal(&r), v[i] = sl_rng_normal(&r);
    sl_check_result res;
    ck_assert_int_eq(sl_check_grad(o, x, 0.0, a, num, &res, NULL), SL_OK);
    ck_assert_msg(res.max_rel_err < 1e-6, "%s grad %g", o->ops->name, res.max_rel_err);
    ck_assert_int_eq(sl_check_hvp(o, x, v, 0.0, a, num, &res), SL_OK);
    ck_assert_msg(res.max_rel_err < 1e-6, "%s hvp %g", o->ops->name, res.max_rel_err);
  }
  size_t count = sl_testfn_minimizers(o, SIZE_MAX, NULL);
  for (size_t k = 0; k < count; k++) {
    double f, g[8];
    sl_testfn_minimizers(o, k, x);
    ck_assert_int_eq(sl_obj_fg(o, x, &f, g), SL_OK);
    ck_assert_double_eq_tol(f, sl_testfn_fmin(o), 1e-12 * fmax(1.0, fabs(f)));
    for (size_t i = 0; i < n; i++) ck_assert_double_eq_tol(g[i], 0.0, 1e-10);
  }
  sl_obj_destroy(o);
}
END_TEST

START_TEST(test_check_detects_error) {
  /* a quadratic whose gradient is right, checked with a perturbed analytic value */
  double A[4] = {2, 0, 0, 2}, x[2] = {1, -1}, a[2], num[2];
  sl_status st;
  sl_objective *o = sl_obj_quadratic(2, A, NULL, &st);
  sl_check_result r;
  ck_assert_int_eq(sl_check_grad(o, x, 0.0, a, num, &r, NULL), SL_OK);
  ck_assert_double_eq_tol(num[0], 2.0, 1e-9);
  ck_assert_double_eq_tol(num[1], -2.0, 1e-9);
  ck_assert(r.max_rel_err < 1e-9);
  sl_stopflag stop = 1;
  ck_assert_int_eq(sl_check_grad(o, x, 0.0, a, num, &r, &stop), SL_EINTERRUPTED);
  sl_obj_destroy(o);
}
END_TEST

START_TEST(test_quadratic_spectrum) {
  enum { N = 6 };
  double eigs[N] = {0.5, 1, 2, 10, 100, 1e4}, w[N], H[N * N], x[N] = {0};
  double b[N] = {1, -2, 3, -4, 5, -6};
  sl_status st;
  sl_objective *o = sl_obj_quadratic_eigs(N, eigs, b, 42, &st);
  ck_assert_ptr_nonnull(o);
  ck_assert(sl_obj_is_quadratic(o));
  ck_assert_int_eq(sl_obj_hessian(o, x, H), SL_OK);
  ck_assert_int_eq(LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'N', 'U', N, H, N, w), 0);
  for (int i = 0; i < N; i++) ck_assert_double_eq_tol(w[i], eigs[i], 1e-11 * eigs[N - 1]);
  ck_assert_int_eq(sl_quadratic_minimizer(o, x), SL_OK);
  double f, g[N];
  sl_obj_fg(o, x, &f, g);
  for (int i = 0; i < N; i++) ck_assert_double_eq_tol(g[i], 0.0, 1e-10);
  sl_obj_destroy(o);
}
END_TEST

START_TEST(test_quadratic_rejects) {
  double A[4] = {1, 2, 3, 4}, S[4] = {1, 1, 1, 1}, x[2];
  sl_status st;
  ck_assert_ptr_null(sl_obj_quadratic(2, A, NULL, &st));
  ck_assert_int_eq(st, SL_EINVAL);
  A[1] = NAN, A[2] = NAN;
  ck_assert_ptr_null(sl_obj_quadratic(2, A, NULL, &st));
  ck_assert_int_eq(st, SL_EINVAL);
  double e[2] = {1, INFINITY};
  ck_assert_ptr_null(sl_obj_quadratic_eigs(2, e, NULL, 1, &st));
  ck_assert_int_eq(st, SL_EINVAL);
  sl_objective *o = sl_obj_quadratic(2, S, NULL, &st);
  ck_assert_int_eq(sl_quadratic_minimizer(o, x), SL_EINVAL);
  sl_obj_destroy(o);
}
END_TEST

Suite *testfns_suite(void) {
  Suite *s = suite_create("testfns");
  TCase *tc = tcase_create("core");
  tcase_add_loop_test(tc, test_derivatives_match_fd, 0, 9);
  tcase_add_test(tc, test_check_detects_error);
  tcase_add_test(tc, test_quadratic_spectrum);
  tcase_add_test(tc, test_quadratic_rejects);
  suite_add_tcase(s, tc);
  return s;
}
