/*
** check_slope.h — prototypes of every suite (generated list) and test helpers.
*/
#ifndef CHECK_SLOPE_H
#define CHECK_SLOPE_H

#include <check.h>

#include "sl_mat.h"
#include "sl_rng.h"

#define SL_SUITE(f) Suite *f(void);
#include "suites.h"
#undef SL_SUITE

/* check_data_helpers.c: a rows x cols matrix whose entries are N(0,1) with
   probability density, else 0; the CSR copy of a (zeros left out). */
sl_mat check_randmat(sl_rng *r, size_t rows, size_t cols, double density);
sl_csr check_tocsr(const sl_mat *a);

#endif
