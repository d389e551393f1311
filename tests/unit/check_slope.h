/*
** check_slope.h — prototypes of every suite (generated list) and test helpers.
*/
#ifndef CHECK_SLOPE_H
#define CHECK_SLOPE_H

#include <check.h>

#define SL_SUITE(f) Suite *f(void);
#include "suites.h"
#undef SL_SUITE

#endif
