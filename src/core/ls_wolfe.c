/*
** ls_wolfe.c — weak Wolfe conditions by bisection and expansion (Lewis &
** Overton 2013, Alg. 4.6): keep [lo, hi] with lo satisfying sufficient
** decrease but not curvature.
*/
#include <math.h>

#include "sl_linesearch.h"

sl_status sl_ls_wolfe(const sl_linesearch *ls, const sl_phi *phi, double a0, double phi0,
                      double dphi0, sl_ls_result *r) {
  double lo = 0.0, hi = INFINITY, a = a0, f, df;
  for (int k = 0; k < ls->maxiter; k++) {
    sl_status st = phi->eval(phi->ctx, a, &f, &df);
    if (st < 0) return st;
    if (!sl_ls_finite2(f, df) || f > phi0 + ls->c1 * a * dphi0) {
      hi = a;
    } else if (df < ls->c2 * dphi0) {
      lo = a;
    } else {
      sl_ls_accept(r, a, f, df);
      return SL_OK;
    }
    if (isfinite(hi)) {
      a = 0.5 * (lo + hi);
    } else {
      a = ls->grow * a;
      if (a > ls->amax)
        return sl_ls_fail(r, SL_ELINESEARCH,
                          "phi keeps decreasing with slope below c2·phi'(0) up to amax = %g: "
                          "f may be unbounded below along d",
                          ls->amax);
    }
  }
  return sl_ls_fail(r, SL_ELINESEARCH,
                    "no step satisfies the weak Wolfe conditions after %d evaluations "
                    "(bracket [%g, %g])",
                    ls->maxiter, lo, hi);
}

static const char *const keys[] = {"c1", "c2", "a0", "grow", "amax", "maxiter", NULL};
static const char *const show[] = {"c1", "c2", "a0", NULL};

const sl_ls_method sl_ls_method_wolfe = {
    .name = "wolfe",
    .defaults = &sl_ls_wolfe_defaults,
    .check = sl_ls_check_c2,
    .run = sl_ls_wolfe,
    .verify = sl_ls_verify_wolfe,
    .keys = keys,
    .show = show,
    .sig = "slope.linesearch.wolfe{c1=1e-4, c2=0.9, a0=1, grow=2, amax=1e10, maxiter=40} -> ls  |  "
           "(f, x, d [, opts]) -> a, info",
    .doc = "Weak Wolfe conditions by bisection and expansion (Lewis & Overton). c1 = 1e-4: "
           "sufficient decrease phi(a) <= phi(0) + c1 a phi'(0); c2 = 0.9 (c1 <= c2 < 1): "
           "curvature phi'(a) >= c2 phi'(0)." SL_LS_DOC_A0 SL_LS_DOC_BRACKET SL_LS_DOC_COMMON};
