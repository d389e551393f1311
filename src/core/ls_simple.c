/*
** ls_simple.c — the simple line searches: fixed step, exact step on a
** quadratic, Armijo backtracking, and weak Wolfe by bisection/expansion.
*/
#include <math.h>

#include "sl_linesearch.h"

#define NONFINITE_SHRINKS 60 /* halvings allowed when phi is NaN/Inf at a trial */

static void accept(sl_ls_result *r, double a, double phi, double dphi) {
  r->a = a;
  r->phi = phi;
  r->dphi = dphi;
}

/* a = a0, evaluated once; a non-finite value halves the step. */
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
      accept(r, a, f, df);
      return SL_OK;
    }
    a *= 0.5;
  }
  return sl_ls_fail(r, SL_ENONFINITE, "phi stays non-finite after %d halvings of the fixed step %g",
                    NONFINITE_SHRINKS, a0);
}

/*
** Exact minimizer of phi when f is quadratic: phi(a) = phi0 + a phi'(0) + a^2/2 d^T H d,
** so a* = -phi'(0) / d^T H d (one Hessian-vector product).
*/
sl_status sl_ls_exact_quadratic(const sl_linesearch *ls, const sl_phi *phi, double a0, double phi0,
                                double dphi0, sl_ls_result *r) {
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
  (void)ls;
  double a = -dphi0 / dhd, f, df;
  st = phi->eval(phi->ctx, a, &f, &df);
  if (st < 0) return st;
  if (!sl_ls_finite2(f, df))
    return sl_ls_fail(r, SL_ENONFINITE, "phi(a) = %g is not finite at the exact step a = %g", f, a);
  accept(r, a, f, df);
  return SL_OK;
}

/* Backtracking (Nocedal & Wright, Alg. 3.1): a <- shrink a until phi(a) <= phi0 + c1 a phi'(0). */
sl_status sl_ls_armijo(const sl_linesearch *ls, const sl_phi *phi, double a0, double phi0,
                       double dphi0, sl_ls_result *r) {
  double a = a0, f = NAN, df;
  for (int k = 0; k <= ls->maxiter; k++) {
    sl_status st = phi->eval(phi->ctx, a, &f, &df);
    if (st < 0) return st;
    if (sl_ls_finite2(f, df) && f <= phi0 + ls->c1 * a * dphi0) {
      accept(r, a, f, df);
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

/*
** Weak Wolfe by bisection and expansion (Lewis & Overton 2013, Alg. 4.6):
** keep [lo, hi] with lo satisfying sufficient decrease but not curvature.
*/
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
      accept(r, a, f, df);
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
