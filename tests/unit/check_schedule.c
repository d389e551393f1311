/*
** check_schedule.c — learning-rate schedules and reduce-on-plateau, from C.
*/
#include <check.h>
#include <math.h>
#include <string.h>

#include "check_slope.h"
#include "sl_schedule.h"

START_TEST(test_cosine_and_step) {
  sl_schedule c = {.kind = SL_SCHED_COSINE, .lr = 1.0, .min = 0.0, .steps = 4};
  ck_assert_int_eq(sl_schedule_check(&c, NULL, 0), SL_OK);
  ck_assert_double_eq(sl_schedule_lr(&c, 1), 1.0);
  ck_assert_double_eq_tol(sl_schedule_lr(&c, 3), 0.5, 1e-15);
  ck_assert_double_eq(sl_schedule_lr(&c, 5), 0.0);
  ck_assert_double_eq(sl_schedule_lr(&c, 99), 0.0);
  sl_schedule s = {.kind = SL_SCHED_STEP, .lr = 1.0, .gamma = 0.5, .every = 2};
  ck_assert_int_eq(sl_schedule_check(&s, NULL, 0), SL_OK);
  double v[5];
  sl_schedule_values(&s, 5, v);
  ck_assert_double_eq(v[0], 1.0);
  ck_assert_double_eq(v[1], 1.0);
  ck_assert_double_eq(v[2], 0.5);
  ck_assert_double_eq(v[4], 0.25);
}
END_TEST

START_TEST(test_join_and_warmup) {
  sl_schedule a = {.kind = SL_SCHED_CONSTANT, .lr = 2.0};
  sl_schedule b = {.kind = SL_SCHED_EXPONENTIAL, .lr = 1.0, .gamma = 0.5};
  ck_assert_int_eq(sl_schedule_check(&a, NULL, 0), SL_OK);
  ck_assert_int_eq(sl_schedule_check(&b, NULL, 0), SL_OK);
  const sl_schedule *kids[2] = {&a, &b};
  int64_t marks[1] = {2};
  sl_schedule j = {.kind = SL_SCHED_JOIN, .n = 1, .marks = marks, .child = kids};
  ck_assert_int_eq(sl_schedule_check(&j, NULL, 0), SL_OK);
  ck_assert_int_eq(j.depth, 2);
  ck_assert_double_eq(sl_schedule_lr(&j, 2), 2.0);
  ck_assert_double_eq(sl_schedule_lr(&j, 3), 1.0);
  ck_assert_double_eq(sl_schedule_lr(&j, 4), 0.5);
  const sl_schedule *wk[1] = {&j};
  sl_schedule w = {.kind = SL_SCHED_WARMUP, .steps = 4, .child = wk};
  ck_assert_int_eq(sl_schedule_check(&w, NULL, 0), SL_OK);
  ck_assert_double_eq(sl_schedule_lr(&w, 1), 0.5);
  ck_assert_double_eq(sl_schedule_lr(&w, 4), 2.0);
  ck_assert_double_eq(sl_schedule_lr(&w, 7), 1.0);
  char buf[256];
  int n = sl_schedule_format(&w, buf, sizeof buf);
  ck_assert_int_eq(n, (int)strlen(buf));
  ck_assert_str_eq(buf,
                   "warmup{steps=4, from=0, to=join{constant{lr=2}, exponential{lr=1, gamma=0.5}, "
                   "boundaries={2}}}");
  char small[8];
  ck_assert_int_eq(sl_schedule_format(&w, small, sizeof small), n); /* truncated, length reported */
  ck_assert_str_eq(small, "warmup{");
}
END_TEST

START_TEST(test_check_messages) {
  char msg[128];
  sl_schedule s = {.kind = SL_SCHED_STEP, .lr = 1.0, .gamma = -1.0, .every = 2};
  ck_assert_int_eq(sl_schedule_check(&s, msg, sizeof msg), SL_EINVAL);
  ck_assert_str_eq(msg, "gamma must be a positive number, got -1");
  int64_t marks[2] = {3, 3};
  sl_schedule m = {.kind = SL_SCHED_MULTISTEP, .lr = 1.0, .gamma = 0.1, .n = 2, .marks = marks};
  ck_assert_int_eq(sl_schedule_check(&m, msg, sizeof msg), SL_EINVAL);
  ck_assert_str_eq(msg, "milestones must be strictly increasing (3 after 3)");
  sl_schedule c = {.kind = SL_SCHED_COSINE, .lr = NAN, .steps = 3};
  ck_assert_int_eq(sl_schedule_check(&c, msg, sizeof msg), SL_EINVAL);
  sl_schedule w = {.kind = SL_SCHED_WARMUP, .steps = 3};
  ck_assert_int_eq(sl_schedule_check(&w, msg, sizeof msg), SL_EINVAL);
  ck_assert_str_eq(msg, "to must be a schedule");
}
END_TEST

/* The table of kinds: every row named and complete; out-of-range kinds refused. */
START_TEST(test_kind_table) {
  ck_assert_int_ge(sl_sched_nkinds, SL_SCHED_JOIN + 1); /* the built-ins, then any new rows */
  for (int k = 0; k < sl_sched_nkinds; k++) {
    const sl_sched_kindinfo *ki = sl_sched_kind(k);
    ck_assert_ptr_nonnull(ki);
    ck_assert_str_eq(sl_schedule_name((sl_schedule_kind)k), ki->name);
    ck_assert_ptr_nonnull(ki->defaults);
    ck_assert_ptr_nonnull(ki->keys);
    ck_assert_ptr_nonnull(ki->keys[0].name);
    ck_assert_ptr_nonnull(ki->check);
    ck_assert_ptr_nonnull(ki->lr);
    ck_assert_ptr_nonnull(ki->sig);
  }
  ck_assert_ptr_null(sl_sched_kind(-1));
  ck_assert_ptr_null(sl_sched_kind(sl_sched_nkinds));
  sl_schedule u = {.kind = (sl_schedule_kind)99};
  char msg[128];
  ck_assert_str_eq(sl_schedule_name(u.kind), "?");
  ck_assert_int_eq(sl_schedule_check(&u, msg, sizeof msg), SL_EINVAL);
  ck_assert_str_eq(msg, "unknown schedule kind 99");
  ck_assert(isnan(sl_schedule_lr(&u, 1)));
  /* printing follows the keys: a choice quoted, the name Lua uses (max) */
  sl_schedule o = {.kind = SL_SCHED_ONECYCLE,
                   .lr = 1.0,
                   .steps = 10,
                   .pct_start = 0.3,
                   .div_factor = 25,
                   .final_div_factor = 1e4,
                   .anneal = 1};
  ck_assert_int_eq(sl_schedule_check(&o, msg, sizeof msg), SL_OK);
  char buf[200];
  sl_schedule_format(&o, buf, sizeof buf);
  ck_assert_str_eq(buf, "onecycle{max=1, steps=10, pct_start=0.3, div_factor=25, "
                        "final_div_factor=10000, anneal=\"linear\"}");
  ck_assert_double_eq(sl_schedule_lr(&o, 1), 0.04);
}
END_TEST

START_TEST(test_plateau) {
  sl_plateau p;
  sl_plateau_init(&p, 1.0);
  p.patience = 1;
  p.factor = 0.5;
  ck_assert_int_eq(sl_plateau_check(&p, NULL, 0), SL_OK);
  ck_assert_double_eq(sl_plateau_update(&p, 5.0), 1.0);
  ck_assert_double_eq(sl_plateau_update(&p, 5.0), 1.0);
  ck_assert_double_eq(sl_plateau_update(&p, 5.0), 0.5);
  ck_assert_double_eq(sl_plateau_update(&p, 1.0), 0.5);
  ck_assert_int_eq(p.num_reductions, 1);
  ck_assert_int_eq(p.last_epoch, 4);
  p.factor = 1.5;
  ck_assert_int_eq(sl_plateau_check(&p, NULL, 0), SL_EINVAL);
}
END_TEST

Suite *schedule_suite(void) {
  Suite *s = suite_create("schedule");
  TCase *tc = tcase_create("schedule");
  tcase_add_test(tc, test_cosine_and_step);
  tcase_add_test(tc, test_join_and_warmup);
  tcase_add_test(tc, test_check_messages);
  tcase_add_test(tc, test_plateau);
  tcase_add_test(tc, test_kind_table);
  suite_add_tcase(s, tc);
  return s;
}
