/*
** ls_armijo.c — backtracking (Nocedal & Wright, Alg. 3.1): a <- shrink a
** until phi(a) <= phi(0) + c1 a phi'(0).
*/
#include <math.h>

#include "sl_linesearch.h"

sl_status sl_ls_armijo(const sl_linesearch *ls, const sl_phi *phi, double a0, double phi0,
                       double dphi0, sl_ls_result *r) {
  double a = a0, f = NAN, df;
  for (int k = 0; k <= ls->maxiter; k++) {
    sl_status st = phi->eval(phi->ctx, a, &f, &df);
    if (st < 0) return st;
    if (sl_ls_finite2(f, df) && f <= phi0 + ls->c1 * a * dphi0) {
      sl_ls_accept(r, a, f, df);
      return SL_OK;
    }
    a *= ls->shrink;
  }
  if (ls->shrink == 0.5)
    return sl_ls_fail(
        r, SL_ELINESEARCH,
        "no step satisfies the sufficient-decrease condition after %d halvings: "
        "phi(a) stays above phi(0) + c1·a·phi'(0) (last a = %g, phi(a) = %g, phi(0) = %g)",
        ls->maxiter, a / ls->shrink, f, phi0);
  return sl_ls_fail(
      r, SL_ELINESEARCH,
      "no step satisfies the sufficient-decrease condition after %d reductions by %g: "
      "phi(a) stays above phi(0) + c1·a·phi'(0) (last a = %g, phi(a) = %g, phi(0) = %g)",
      ls->maxiter, ls->shrink, a / ls->shrink, f, phi0);
}

static const sl_linesearch defaults = {SL_LS_COMMON_DEFAULTS, .c1 = 1e-4,   .c2 = 0.9, .grow = 2.0,
                                       .amax = 1e10,          .maxiter = 20 /* reductions */};
static const char *const keys[] = {"c1", "shrink", "a0", "maxiter", NULL};
static const char *const show[] = {"c1", "shrink", "a0", NULL};

const sl_ls_method sl_ls_method_armijo = {
    .name = "armijo",
    .defaults = &defaults,
    .run = sl_ls_armijo,
    .verify = sl_ls_verify_armijo,
    .keys = keys,
    .show = show,
    .sig = "slope.linesearch.armijo{c1=1e-4, shrink=0.5, a0=1, maxiter=20} -> ls  |  (f, x, d [, "
           "opts]) -> a, info",
    .doc = "Backtracking (Nocedal & Wright Alg. 3.1): a <- shrink a until phi(a) <= phi(0) + c1 a "
           "phi'(0). c1 = 1e-4 in (0, 1): sufficient decrease; shrink = 0.5 in (0, 1): "
           "backtracking factor; maxiter = 20: reductions before giving up." SL_LS_DOC_A0
               SL_LS_DOC_COMMON};
