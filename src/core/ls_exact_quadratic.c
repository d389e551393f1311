/*
** ls_exact_quadratic.c — the exact step on a quadratic:
** phi(a) = phi0 + a phi'(0) + a^2/2 d^T H d, so a* = -phi'(0) / d^T H d
** (one Hessian-vector product).
*/
#include <math.h>

#include "sl_linesearch.h"

sl_status sl_ls_exact_quadratic(const sl_linesearch *ls, const sl_phi *phi, double a0, double phi0,
                                double dphi0, sl_ls_result *r) {
  (void)ls;
  (void)a0;
  (void)phi0;
  double dhd;
  sl_status st = phi->curv ? phi->curv(phi->ctx, &dhd) : SL_EUNSUPPORTED;
  if (st == SL_EUNSUPPORTED)
    return sl_ls_fail(
        r, st, "exact_quadratic needs Hessian-vector products, which this phi does not give");
  if (st < 0) return st;
  if (!isfinite(dhd))
    return sl_ls_fail(r, SL_ENONFINITE, "the curvature d'Hd along d is not finite (%g)", dhd);
  if (!(dhd > 0.0))
    return sl_ls_fail(r, SL_ELINESEARCH,
                      "exact_quadratic needs positive curvature along d, but d'Hd = %g <= 0 "
                      "(f is not convex along d, so phi has no minimizer)",
                      dhd);
  double a = -dphi0 / dhd, f, df;
  st = phi->eval(phi->ctx, a, &f, &df);
  if (st < 0) return st;
  if (!sl_ls_finite2(f, df))
    return sl_ls_fail(r, SL_ENONFINITE, "phi(a) = %g is not finite at the exact step a = %g", f, a);
  sl_ls_accept(r, a, f, df);
  return SL_OK;
}

static const char *const keys[] = {"c1", "c2", NULL};
static const char *const show[] = {NULL};

const sl_ls_method sl_ls_method_exact_quadratic = {
    .name = "exact_quadratic",
    .defaults = &sl_ls_wolfe_defaults,
    .run = sl_ls_exact_quadratic,
    .verify = sl_ls_verify_strong_wolfe,
    .keys = keys,
    .show = show,
    .sig = "slope.linesearch.exact_quadratic{c1=1e-4, c2=0.9} -> ls  |  (f, x, d) -> a, info",
    .doc = "a = -g'd / d'Hd through one Hessian-vector product: exact on quadratics; fails when "
           "d'Hd <= 0. c1 and c2 only set the sufficient-decrease and curvature tests reported in "
           "info (armijo, curvature); the step is not changed by them." SL_LS_DOC_COMMON};
