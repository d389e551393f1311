/*
** ls_strong_wolfe.c — strong Wolfe line search: bracketing then zoom with
** safeguarded cubic interpolation (Nocedal & Wright, 2nd ed., Alg. 3.5 and 3.6,
** interpolation formula 3.59).
*/
#include <float.h>
#include <math.h>

#include "sl_linesearch.h"

typedef struct {
  double a, f, df;
} pt;

/*
** Minimizer of the cubic interpolating (a, fa, da) and (b, fb, db)
** (N&W eq. 3.59), kept inside [lo + 0.1 w, hi - 0.1 w] of the interval;
** bisection when the cubic has no real minimizer or a value is not finite.
*/
static double cubic_step(pt p, pt q) {
  double lo = fmin(p.a, q.a), hi = fmax(p.a, q.a), w = hi - lo;
  double mid = 0.5 * (lo + hi);
  if (!sl_ls_finite2(p.f, p.df) || !sl_ls_finite2(q.f, q.df)) return mid;
  double d1 = p.df + q.df - 3.0 * (p.f - q.f) / (p.a - q.a);
  double disc = d1 * d1 - p.df * q.df;
  if (!(disc >= 0.0)) return mid;
  double d2 = copysign(sqrt(disc), q.a - p.a);
  double den = q.df - p.df + 2.0 * d2;
  if (den == 0.0) return mid;
  double a = q.a - (q.a - p.a) * (q.df + d2 - d1) / den;
  if (!isfinite(a)) return mid;
  double lo2 = lo + 0.1 * w, hi2 = hi - 0.1 * w;
  if (a < lo2) a = lo2;
  if (a > hi2) a = hi2;
  return a;
}

/* Alg. 3.6: lo satisfies sufficient decrease and has the lowest phi seen; the
   interval between lo and hi contains strong Wolfe points. */
/* f differences at the noise level of phi(0) are not trusted: decide on phi'
   there. A sum over 1e5 samples carries ~1e-14 relative rounding noise, far
   above 4 eps, so the threshold is 1e-11 |phi(0)| (Hager & Zhang's
   approximate-Wolfe idea: near a minimizer only derivatives are reliable). */
static double noise(double phi0) { return 1e-11 * fabs(phi0); }

static sl_status zoom(const sl_linesearch *ls, const sl_phi *phi, double phi0, double dphi0, pt lo,
                      pt hi, int budget, sl_ls_result *r) {
  double epsf = noise(phi0);
  for (int k = 0; k < budget; k++) {
    double w = fabs(hi.a - lo.a);
    if (w <= 1e-16 * fmax(1.0, fabs(lo.a)) || w == 0.0) break;
    pt t;
    t.a = cubic_step(lo, hi);
    sl_status st = phi->eval(phi->ctx, t.a, &t.f, &t.df);
    if (st < 0) return st;
    if (!sl_ls_finite2(t.f, t.df)) {
      t.f = t.df = INFINITY; /* too far: becomes the upper end, next step bisects */
      hi = t;
      continue;
    }
    if (t.f > phi0 + ls->c1 * t.a * dphi0 + epsf || t.f > lo.f + epsf) { /* ties: use phi' */
      hi = t;
    } else {
      if (fabs(t.df) <= -ls->c2 * dphi0) {
        r->a = t.a;
        r->phi = t.f;
        r->dphi = t.df;
        return SL_OK;
      }
      if (t.df * (hi.a - lo.a) >= 0.0) hi = lo;
      lo = t;
    }
  }
  return sl_ls_fail(r, SL_ELINESEARCH,
                    "no step satisfies the strong Wolfe conditions after %d evaluations: "
                    "the bracket [%g, %g] shrank without phi'(a) falling below c2·|phi'(0)|",
                    r->nfev, fmin(lo.a, hi.a), fmax(lo.a, hi.a));
}

/* Alg. 3.5: increase a until a bracket is found, then zoom. */
sl_status sl_ls_strong_wolfe(const sl_linesearch *ls, const sl_phi *phi, double a0, double phi0,
                             double dphi0, sl_ls_result *r) {
  pt prev = {0.0, phi0, dphi0}, cur;
  cur.a = fmin(a0, ls->amax);
  int k = 0, first = 1;
  while (k < ls->maxiter) {
    sl_status st = phi->eval(phi->ctx, cur.a, &cur.f, &cur.df);
    k++;
    if (st < 0) return st;
    if (!sl_ls_finite2(cur.f, cur.df)) {
      /* shrink toward the last good point and try again */
      cur.a = prev.a + 0.5 * (cur.a - prev.a);
      continue;
    }
    if (cur.f > phi0 + ls->c1 * cur.a * dphi0 + noise(phi0) ||
        (!first && cur.f > prev.f + noise(phi0)))
      return zoom(ls, phi, phi0, dphi0, prev, cur, ls->maxiter - k, r);
    if (fabs(cur.df) <= -ls->c2 * dphi0) {
      r->a = cur.a;
      r->phi = cur.f;
      r->dphi = cur.df;
      return SL_OK;
    }
    if (cur.df >= 0.0) return zoom(ls, phi, phi0, dphi0, cur, prev, ls->maxiter - k, r);
    if (cur.a >= ls->amax)
      return sl_ls_fail(
          r, SL_ELINESEARCH,
          "phi still decreases steeply at amax = %g: f may be unbounded below along d", ls->amax);
    /* extrapolate as Moré & Thuente's dcstep (1994, case 3, not yet bracketed)
       from prev (a = 0 on the first trial: phi(0) and phi'(0) are known): the
       farther of the cubic's minimizer beyond cur and the secant step on phi',
       kept within [cur + 1.1 (cur - prev), cur + 4 (cur - prev)]; the upper
       bound when neither lies beyond cur */
    double w = cur.a - prev.a, d1 = prev.df + cur.df - 3.0 * (prev.f - cur.f) / (prev.a - cur.a);
    double disc = d1 * d1 - prev.df * cur.df, c = NAN, q = NAN;
    if (disc >= 0.0) {
      double d2 = sqrt(disc), den = cur.df - prev.df + 2.0 * d2;
      if (den != 0.0) c = cur.a - w * (cur.df + d2 - d1) / den;
    }
    if (cur.df != prev.df) q = cur.a - w * cur.df / (cur.df - prev.df);
    if (!(isfinite(c) && c > cur.a)) c = cur.a + 4.0 * w;
    if (isfinite(q) && q > c) c = q;
    double next = fmin(fmax(c, cur.a + 1.1 * w), cur.a + 4.0 * w);
    prev = cur;
    first = 0;
    cur.a = fmin(next, ls->amax);
  }
  return sl_ls_fail(r, SL_ELINESEARCH,
                    "no step satisfies the strong Wolfe conditions after %d evaluations "
                    "(no bracket found; last a = %g)",
                    r->nfev, cur.a);
}

static const char *const keys[] = {"c1", "c2", "a0", "grow", "amax", "maxiter", NULL};
static const char *const show[] = {"c1", "c2", "a0", NULL};

const sl_ls_method sl_ls_method_strong_wolfe = {
    .name = "strong_wolfe",
    .defaults = &sl_ls_wolfe_defaults,
    .check = sl_ls_check_c2,
    .run = sl_ls_strong_wolfe,
    .verify = sl_ls_verify_strong_wolfe,
    .keys = keys,
    .show = show,
    .sig = "slope.linesearch.strong_wolfe{c1=1e-4, c2=0.9, a0=1, grow=2, amax=1e10, maxiter=40} -> "
           "ls  |  (f, x, d [, opts]) -> a, info",
    .doc = "Strong Wolfe: bracketing and zoom with safeguarded cubic interpolation (Nocedal & "
           "Wright 3.5/3.6). c1 = 1e-4: sufficient decrease; c2 = 0.9 (c1 <= c2 < 1): |phi'(a)| "
           "<= c2 |phi'(0)|." SL_LS_DOC_A0 SL_LS_DOC_BRACKET SL_LS_DOC_COMMON};
