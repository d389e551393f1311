/*
** check_status.c — the status codes' descriptions and names (sl_status.h):
** every code has its own text, successes and stop reasons are >= 0, failures
** < 0, and a code outside the enum says "unknown".
*/
#include <check.h>
#include <string.h>

#include "check_slope.h"
#include "sl_status.h"

static const struct {
  sl_status st;
  const char *string, *name;
} codes[] = {
    {SL_OK, "success", "ok"},
    {SL_CONVERGED_GTOL, "converged: gradient below gtol", "converged"},
    {SL_CONVERGED_FTOL, "converged: relative decrease of f below ftol", "converged"},
    {SL_CONVERGED_XTOL, "converged: step below xtol", "converged"},
    {SL_MAXITER, "iteration limit reached", "maxiter"},
    {SL_EINVAL, "invalid argument", "invalid"},
    {SL_ENOMEM, "out of memory or size too large", "nomem"},
    {SL_EDIM, "dimension mismatch", "dimension"},
    {SL_ENONFINITE, "non-finite value (NaN or Inf)", "nonfinite"},
    {SL_ELINESEARCH, "line search failed", "linesearch_failed"},
    {SL_ECALLBACK, "callback failed", "callback_failed"},
    {SL_EINTERRUPTED, "interrupted", "interrupted"},
    {SL_EIO, "input/output error", "io"},
    {SL_EUNSUPPORTED, "operation not supported by this object", "unsupported"},
};
#define NCODES ((int)(sizeof codes / sizeof codes[0]))

/* One loop iteration per status code. */
START_TEST(test_status_string) {
  ck_assert_str_eq(sl_status_string(codes[_i].st), codes[_i].string);
  ck_assert_str_eq(sl_status_name(codes[_i].st), codes[_i].name);
  ck_assert_int_eq(codes[_i].st < 0, codes[_i].st <= SL_EINVAL);
}
END_TEST

/* Every code of the enum is in the table above, and the texts are distinct. */
START_TEST(test_status_all) {
  ck_assert_int_eq(NCODES, SL_MAXITER - SL_EUNSUPPORTED + 1);
  for (int s = SL_EUNSUPPORTED; s <= SL_MAXITER; s++) {
    ck_assert_str_ne(sl_status_string((sl_status)s), "unknown status");
    ck_assert_str_ne(sl_status_name((sl_status)s), "unknown");
    for (int t = SL_EUNSUPPORTED; t < s; t++)
      ck_assert_str_ne(sl_status_string((sl_status)s), sl_status_string((sl_status)t));
  }
  ck_assert_str_eq(sl_status_string((sl_status)42), "unknown status");
  ck_assert_str_eq(sl_status_string((sl_status)-42), "unknown status");
  ck_assert_str_eq(sl_status_name((sl_status)42), "unknown");
  ck_assert_str_eq(sl_status_name((sl_status)-42), "unknown");
}
END_TEST

/* The stop flag macro: NULL never stops. */
START_TEST(test_stopflag) {
  sl_stopflag flag = 0;
  ck_assert(!SL_STOPPED((sl_stopflag *)NULL));
  ck_assert(!SL_STOPPED(&flag));
  flag = 1;
  ck_assert(SL_STOPPED(&flag));
}
END_TEST

Suite *status_suite(void) {
  Suite *s = suite_create("status");
  TCase *tc = tcase_create("codes");
  tcase_add_loop_test(tc, test_status_string, 0, NCODES);
  tcase_add_test(tc, test_status_all);
  tcase_add_test(tc, test_stopflag);
  suite_add_tcase(s, tc);
  return s;
}
