/*
** check_main.c — runs every Check suite (the generated list in suites.h).
*/
#include <check.h>
#include <stdlib.h>

#include "check_slope.h"

int main(void) {
  SRunner *sr = srunner_create(NULL);
#define SL_SUITE(f) srunner_add_suite(sr, f());
#include "suites.h"
#undef SL_SUITE
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
