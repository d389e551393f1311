/*
** check_optim_groups.c — parameter groups from C: groups over the whole vector
** with the base's hyperparameters give the base's bits (contiguous and
** gathered groups), a frozen group is never touched, the lr scale, and the
** coverage checks of sl_optim_groups_finish.
*/
#include <check.h>
#include <string.h>

#include "check_slope.h"
#include "sl_optim.h"

enum { N = 10 };

static void grad(const double *x, double *g) {
  for (int i = 0; i < N; i++) g[i] = (i + 1) * x[i] + 0.1 * (i % 3) + 0.05 * x[i] * x[i] * x[i];
}

/* Groups {0..2, 7..9} (gathered), {3..4} and {5..6}, each an adam with lr scale 1. */
static sl_optimizer *three_groups(sl_optimizer **subs, int frozen_last) {
  sl_optimizer *o = sl_optim_groups_new(3);
  ck_assert_ptr_nonnull(o);
  o->hp[0] = 1e-2;
  const size_t lo0[] = {0, 7}, hi0[] = {3, 10}, lo1[] = {3}, hi1[] = {5}, lo2[] = {5}, hi2[] = {7};
  const size_t sizes[] = {6, 2, 2};
  for (int k = 0; k < 3; k++) {
    subs[k] = sl_optim_new(&sl_optim_adam);
    subs[k]->hp[0] = 1e-2;
    ck_assert_int_eq(sl_optim_setdim(subs[k], sizes[k]), SL_OK);
  }
  ck_assert_int_eq(sl_optim_groups_set(o, 0, subs[0], lo0, hi0, 2, 1.0), SL_OK);
  ck_assert_int_eq(sl_optim_groups_set(o, 1, subs[1], lo1, hi1, 1, 1.0), SL_OK);
  ck_assert_int_eq(sl_optim_groups_set(o, 2, frozen_last ? NULL : subs[2], lo2, hi2, 1, 1.0),
                   SL_OK);
  ck_assert_int_eq(sl_optim_groups_finish(o, N), SL_OK);
  return o;
}

START_TEST(test_groups_equal_base) {
  sl_optimizer *plain = sl_optim_new(&sl_optim_adam), *subs[3];
  plain->hp[0] = 1e-2;
  ck_assert_int_eq(sl_optim_setdim(plain, N), SL_OK);
  sl_optimizer *o = three_groups(subs, 0);
  double x[N], y[N], g[N];
  for (int i = 0; i < N; i++) x[i] = y[i] = 1.0 - 0.3 * i;
  for (int t = 0; t < 25; t++) {
    grad(x, g);
    ck_assert_int_eq(sl_optim_step(plain, x, g), SL_OK);
    grad(y, g);
    ck_assert_int_eq(sl_optim_step(o, y, g), SL_OK);
  }
  ck_assert_int_eq(memcmp(x, y, sizeof x), 0);
  sl_optim_reset(o);
  ck_assert_uint_eq(subs[0]->t, 0);
  sl_optim_destroy(o);
  for (int k = 0; k < 3; k++) sl_optim_destroy(subs[k]);
  sl_optim_destroy(plain);
}
END_TEST

START_TEST(test_frozen_and_scale) {
  sl_optimizer *subs[3];
  sl_optimizer *o = three_groups(subs, 1);
  double x[N], x0[N], g[N];
  for (int i = 0; i < N; i++) x0[i] = x[i] = 0.5 + 0.1 * i;
  grad(x, g);
  ck_assert_int_eq(sl_optim_step(o, x, g), SL_OK);
  ck_assert(x[5] == x0[5] && x[6] == x0[6]);
  ck_assert(x[0] != x0[0] && x[9] != x0[9]);
  ck_assert_uint_eq(subs[2]->t, 0);
  /* lr scale: group 1 at half the groups' lr */
  const size_t lo[] = {3}, hi[] = {5};
  ck_assert_int_eq(sl_optim_groups_set(o, 1, subs[1], lo, hi, 1, 0.5), SL_OK);
  o->hp[0] = 4e-2;
  ck_assert_int_eq(sl_optim_step(o, x, g), SL_OK);
  ck_assert_double_eq(subs[1]->hp[0], 2e-2);
  ck_assert_double_eq(subs[0]->hp[0], 4e-2);
  sl_optim_destroy(o);
  for (int k = 0; k < 3; k++) sl_optim_destroy(subs[k]);
}
END_TEST

START_TEST(test_finish_checks) {
  sl_optimizer *o = sl_optim_groups_new(2), *a = sl_optim_new(&sl_optim_sgd);
  ck_assert_int_eq(sl_optim_setdim(a, 3), SL_OK);
  const size_t lo[] = {0}, hi[] = {3}, lo2[] = {2}, hi2[] = {4}, e[] = {1};
  ck_assert_int_eq(sl_optim_groups_set(o, 0, a, lo, hi, 1, 1), SL_OK);
  ck_assert_int_eq(sl_optim_groups_finish(o, 4), SL_EINVAL); /* group 2 never set */
  ck_assert_ptr_nonnull(strstr(o->msg, "group 2 was never set"));
  ck_assert_int_eq(sl_optim_groups_set(o, 1, NULL, lo2, hi2, 1, 1), SL_OK);
  ck_assert_int_eq(sl_optim_groups_finish(o, 4), SL_EINVAL);
  ck_assert_ptr_nonnull(strstr(o->msg, "entry 3 is in two groups"));
  ck_assert_int_eq(sl_optim_groups_set(o, 1, NULL, e, e, 1, 1), SL_EINVAL); /* empty range */
  const size_t lo3[] = {3}, hi3[] = {5};
  ck_assert_int_eq(sl_optim_groups_set(o, 1, NULL, lo3, hi3, 1, 1), SL_OK);
  ck_assert_int_eq(sl_optim_groups_finish(o, 4), SL_EINVAL);
  ck_assert_ptr_nonnull(strstr(o->msg, "reaches entry 5"));
  const size_t lo4[] = {4}, hi4[] = {5};
  ck_assert_int_eq(sl_optim_groups_set(o, 1, NULL, lo4, hi4, 1, 1), SL_OK);
  ck_assert_int_eq(sl_optim_groups_finish(o, 5), SL_EINVAL);
  ck_assert_ptr_nonnull(strstr(o->msg, "entry 4 is in no group"));
  ck_assert_int_eq(sl_optim_groups_set(o, 9, NULL, lo3, hi3, 1, 1), SL_EINVAL);
  ck_assert_int_eq(sl_optim_groups_set(o, 1, NULL, lo3, hi3, 1, 1), SL_OK);
  ck_assert_int_eq(sl_optim_groups_finish(o, 5), SL_OK);
  sl_optim_destroy(o);
  sl_optim_destroy(a);
}
END_TEST

Suite *optim_groups_suite(void) {
  Suite *s = suite_create("optim_groups");
  TCase *tc = tcase_create("optim_groups");
  tcase_add_test(tc, test_groups_equal_base);
  tcase_add_test(tc, test_frozen_and_scale);
  tcase_add_test(tc, test_finish_checks);
  suite_add_tcase(s, tc);
  return s;
}
