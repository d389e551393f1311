/*
** check_vec.c — vector kernels, matrices and the generator.
*/
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "check_slope.h"
#include "sl_mat.h"
#include "sl_rng.h"
#include "sl_status.h"
#include "sl_vec.h"

START_TEST(test_axpy_dot_norms) {
  double x[3] = {1, 2, 3}, y[3] = {4, -5, 6};
  sl_vec_axpy(3, x, 2.0, y);
  ck_assert_double_eq(x[0], 9.0);
  ck_assert_double_eq(x[1], -8.0);
  ck_assert_double_eq(x[2], 15.0);
  ck_assert_double_eq(sl_vec_dot(3, x, y), 36.0 + 40.0 + 90.0);
  double v[2] = {3, 4};
  ck_assert_double_eq(sl_vec_nrm2(2, v), 5.0);
  ck_assert_double_eq(sl_vec_nrm1(2, v), 7.0);
  ck_assert_double_eq(sl_vec_nrminf(2, v), 4.0);
  ck_assert_double_eq_tol(sl_vec_nrmp(2, v, 3.0), cbrt(27.0 + 64.0), 1e-14);
}
END_TEST

START_TEST(test_nrm2_no_overflow) {
  double v[2] = {3e200, 4e200};
  ck_assert_double_eq_tol(sl_vec_nrm2(2, v) / 5e200, 1.0, 1e-15);
  double w[2] = {3e-200, 4e-200};
  ck_assert_double_eq_tol(sl_vec_nrm2(2, w) / 5e-200, 1.0, 1e-15);
}
END_TEST

START_TEST(test_reductions) {
  double x[5] = {2, -1, 7, 7, 0};
  ck_assert_double_eq(sl_vec_sum(5, x), 15.0);
  ck_assert_double_eq(sl_vec_min(5, x), -1.0);
  ck_assert_double_eq(sl_vec_max(5, x), 7.0);
  ck_assert_uint_eq(sl_vec_argmax(5, x), 2);
  ck_assert_int_eq(sl_vec_isfinite(5, x), 1);
  x[1] = NAN;
  ck_assert_int_eq(sl_vec_isfinite(5, x), 0);
  ck_assert(isnan(sl_vec_max(5, x)));
}
END_TEST

START_TEST(test_linspace) {
  double x[5];
  sl_vec_linspace(5, x, 0.0, 1.0);
  ck_assert_double_eq(x[0], 0.0);
  ck_assert_double_eq(x[2], 0.5);
  ck_assert_double_eq(x[4], 1.0);
}
END_TEST

START_TEST(test_mat_products) {
  sl_mat a;
  ck_assert_int_eq(sl_mat_alloc(&a, 2, 3), SL_OK);
  for (int i = 0; i < 6; i++) a.data[i] = i + 1; /* [[1 2 3] [4 5 6]] */
  double x[3] = {1, 0, -1}, out[2], y[2] = {1, 1}, outt[3];
  sl_mat_mv(&a, x, out);
  ck_assert_double_eq(out[0], -2.0);
  ck_assert_double_eq(out[1], -2.0);
  sl_mat_tmv(&a, y, outt);
  ck_assert_double_eq(outt[0], 5.0);
  ck_assert_double_eq(outt[2], 9.0);
  sl_mat_free(&a);
  size_t n;
  ck_assert_int_eq(sl_size_product((size_t)1 << 40, (size_t)1 << 40, &n), SL_ENOMEM);
}
END_TEST

/* Reference values of xoshiro256** seeded by splitmix64(0), from the authors' C code. */
START_TEST(test_rng_reproducible) {
  sl_rng r, s;
  sl_rng_seed(&r, 42);
  sl_rng_seed(&s, 42);
  for (int i = 0; i < 100; i++) ck_assert_uint_eq(sl_rng_next(&r), sl_rng_next(&s));
  sl_rng_seed(&r, 0);
  /* splitmix64 from 0 gives 0xe220a8397b1dcdaf as its first output */
  ck_assert_uint_eq(r.s[0], 0xe220a8397b1dcdafULL);
}
END_TEST

START_TEST(test_rng_moments) {
  sl_rng r;
  sl_rng_seed(&r, 7);
  double s = 0, s2 = 0, u = 0;
  int n = 200000;
  for (int i = 0; i < n; i++) {
    double z = sl_rng_normal(&r);
    s += z;
    s2 += z * z;
    u += sl_rng_uniform(&r);
  }
  ck_assert_double_eq_tol(s / n, 0.0, 0.01);
  ck_assert_double_eq_tol(s2 / n, 1.0, 0.02);
  ck_assert_double_eq_tol(u / n, 0.5, 0.005);
}
END_TEST

START_TEST(test_rng_perm) {
  sl_rng r;
  sl_rng_seed(&r, 3);
  size_t p[50];
  int seen[50] = {0};
  sl_rng_perm(&r, 50, p);
  for (int i = 0; i < 50; i++) seen[p[i]]++;
  for (int i = 0; i < 50; i++) ck_assert_int_eq(seen[i], 1);
  for (int i = 0; i < 1000; i++) ck_assert_uint_lt(sl_rng_below(&r, 3), 3);
}
END_TEST

/* The elementwise maps: IEEE domain rules (no errors), out may be x, NaN survives clamp. */
START_TEST(test_elementwise_maps) {
  double x[4] = {-4, 0, 1, 9}, out[4];
  sl_vec_abs(4, out, x);
  ck_assert_double_eq(out[0], 4.0);
  ck_assert_double_eq(out[3], 9.0);
  sl_vec_sqrt(4, out, x);
  ck_assert(isnan(out[0]));
  ck_assert_double_eq(out[1], 0.0);
  ck_assert_double_eq(out[3], 3.0);
  sl_vec_log(4, out, x);
  ck_assert(isnan(out[0]));
  ck_assert(isinf(out[1]) && out[1] < 0);
  ck_assert_double_eq(out[2], 0.0);
  sl_vec_exp(4, out, x);
  ck_assert_double_eq(out[1], 1.0);
  ck_assert_double_eq_tol(out[2], exp(1.0), 1e-15);
  double y[5] = {-2, 0.5, 3, NAN, -INFINITY};
  sl_vec_clamp(5, y, y, -1, 1); /* in place */
  ck_assert_double_eq(y[0], -1.0);
  ck_assert_double_eq(y[1], 0.5);
  ck_assert_double_eq(y[2], 1.0);
  ck_assert(isnan(y[3]));
  ck_assert_double_eq(y[4], -1.0);
  sl_vec_abs(4, x, x); /* in place */
  ck_assert_double_eq(x[0], 4.0);
}
END_TEST

Suite *vec_suite(void) {
  Suite *s = suite_create("vec");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_axpy_dot_norms);
  tcase_add_test(tc, test_elementwise_maps);
  tcase_add_test(tc, test_nrm2_no_overflow);
  tcase_add_test(tc, test_reductions);
  tcase_add_test(tc, test_linspace);
  tcase_add_test(tc, test_mat_products);
  tcase_add_test(tc, test_rng_reproducible);
  tcase_add_test(tc, test_rng_moments);
  tcase_add_test(tc, test_rng_perm);
  suite_add_tcase(s, tc);
  return s;
}
