/*
** ls_fixed.c — the fixed step: a = a0 every time, evaluated once; a
** non-finite phi there halves the step.
*/
#include <math.h>

#include "sl_linesearch.h"

#define NONFINITE_SHRINKS 60 /* halvings allowed when phi is NaN/Inf at a trial */

sl_status sl_ls_fixed(const sl_linesearch *ls, const sl_phi *phi, double a0, double phi0,
                      double dphi0, sl_ls_result *r) {
  (void)ls;
  (void)phi0;
  (void)dphi0;
  double a = a0, f, df;
  for (int k = 0; k <= NONFINITE_SHRINKS; k++) {
    sl_status st = phi->eval(phi->ctx, a, &f, &df);
    if (st < 0) return st;
    if (sl_ls_finite2(f, df)) {
      sl_ls_accept(r, a, f, df);
      return SL_OK;
    }
    a *= 0.5;
  }
  return sl_ls_fail(r, SL_ENONFINITE, "phi stays non-finite after %d halvings of the fixed step %g",
                    NONFINITE_SHRINKS, a0);
}

static const sl_linesearch defaults = {SL_LS_COMMON_DEFAULTS,
                                       .c1 = 1e-4,
                                       .c2 = 0.9,
                                       .grow = 2.0,
                                       .amax = INFINITY /* the step is a, however large */,
                                       .maxiter = 40};
static const char *const keys[] = {"a", "a0", NULL};
static const char *const show[] = {"a", NULL};

const sl_ls_method sl_ls_method_fixed = {
    .name = "fixed",
    .defaults = &defaults,
    .flags = SL_LS_NODESCENT | SL_LS_STEPOPT,
    .run = sl_ls_fixed,
    .keys = keys,
    .show = show,
    .sig = "slope.linesearch.fixed{a=1} -> ls  |  (f, x, d, {a=}) -> a, info",
    .doc = "The step a every time (a0 is the same option; also fixed{0.5}); halved while f is "
           "NaN/Inf there." SL_LS_DOC_COMMON};
