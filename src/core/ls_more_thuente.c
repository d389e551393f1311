/*
** ls_more_thuente.c — the line search of Moré & Thuente (1994, ACM TOMS 20,
** "Line search algorithms with guaranteed sufficient decrease"), as MINPACK-2's
** dcsrch/dcstep that liblbfgs and scipy use: a step satisfying the strong
** Wolfe conditions
**     phi(a) <= phi(0) + ftol a phi'(0),   |phi'(a)| <= gtol |phi'(0)|,
** found by keeping an interval of uncertainty [stx, sty] and choosing trial
** steps by safeguarded cubic and quadratic interpolation (dcstep's four
** cases); while no point with phi' >= 0 and sufficient decrease is known it
** works on the modified function psi(a) = phi(a) - phi(0) - ftol a phi'(0)
** (the paper's stage 1). ftol is c1, gtol is c2.
*/
#include <math.h>
#include <stdio.h>

#include "sl_linesearch.h"

sl_status sl_ls_more_thuente(const sl_linesearch *ls, const sl_phi *phi, double a0, double phi0,
                             double dphi0, sl_ls_result *r);

typedef struct {
  double x, f, d; /* step, value, derivative */
} mt_pt;

/* gamma of the cubic through (u.x, u.f, u.d) and (v.x, v.f, v.d): the
   sqrt((theta/s)^2 - (du/s)(dv/s)) term, scaled to avoid overflow. */
static double mt_gamma(double theta, double du, double dv, int clamp) {
  double s = fmax(fabs(theta), fmax(fabs(du), fabs(dv)));
  if (s == 0.0) return 0.0;
  double disc = (theta / s) * (theta / s) - (du / s) * (dv / s);
  if (clamp && disc < 0.0) disc = 0.0;
  return s * sqrt(disc < 0.0 ? 0.0 : disc);
}

/*
** dcstep: the next trial step from the best point x (lowest f), the other
** end y and the current trial t, and the updated interval. Cases 1-4 of Moré
** & Thuente section 4.
*/
static double mt_step(mt_pt *x, mt_pt *y, mt_pt t, int *brackt, double stmin, double stmax) {
  double sgnd = t.d * (x->d / fabs(x->d)), stpf;
  if (t.f > x->f) { /* case 1: higher value, the minimizer is bracketed */
    double theta = 3.0 * (x->f - t.f) / (t.x - x->x) + x->d + t.d;
    double gamma = mt_gamma(theta, x->d, t.d, 0);
    if (t.x < x->x) gamma = -gamma;
    double p = (gamma - x->d) + theta, q = ((gamma - x->d) + gamma) + t.d;
    double stpc = x->x + (p / q) * (t.x - x->x);
    double stpq = x->x + ((x->d / ((x->f - t.f) / (t.x - x->x) + x->d)) / 2.0) * (t.x - x->x);
    stpf = fabs(stpc - x->x) < fabs(stpq - x->x) ? stpc : stpc + (stpq - stpc) / 2.0;
    *brackt = 1;
  } else if (sgnd < 0.0) { /* case 2: derivatives of opposite sign, bracketed */
    double theta = 3.0 * (x->f - t.f) / (t.x - x->x) + x->d + t.d;
    double gamma = mt_gamma(theta, x->d, t.d, 0);
    if (t.x > x->x) gamma = -gamma;
    double p = (gamma - t.d) + theta, q = ((gamma - t.d) + gamma) + x->d;
    double stpc = t.x + (p / q) * (x->x - t.x);
    double stpq = t.x + (t.d / (t.d - x->d)) * (x->x - t.x);
    stpf = fabs(stpc - t.x) > fabs(stpq - t.x) ? stpc : stpq;
    *brackt = 1;
  } else if (fabs(t.d) < fabs(x->d)) { /* case 3: lower value, same sign, |phi'| decreases */
    double theta = 3.0 * (x->f - t.f) / (t.x - x->x) + x->d + t.d;
    double gamma = mt_gamma(theta, x->d, t.d, 1);
    if (t.x > x->x) gamma = -gamma;
    double p = (gamma - t.d) + theta, q = (gamma + (x->d - t.d)) + gamma, r = p / q, stpc;
    if (r < 0.0 && gamma != 0.0)
      stpc = t.x + r * (x->x - t.x);
    else
      stpc = t.x > x->x ? stmax : stmin;
    double stpq = t.x + (t.d / (t.d - x->d)) * (x->x - t.x);
    if (*brackt) {
      stpf = fabs(stpc - t.x) < fabs(stpq - t.x) ? stpc : stpq;
      stpf = t.x > x->x ? fmin(t.x + 0.66 * (y->x - t.x), stpf)
                        : fmax(t.x + 0.66 * (y->x - t.x), stpf);
    } else {
      stpf = fabs(stpc - t.x) > fabs(stpq - t.x) ? stpc : stpq;
      stpf = fmax(stmin, fmin(stmax, stpf));
    }
  } else { /* case 4: lower value, same sign, |phi'| does not decrease */
    if (*brackt) {
      double theta = 3.0 * (t.f - y->f) / (y->x - t.x) + y->d + t.d;
      double gamma = mt_gamma(theta, y->d, t.d, 0);
      if (t.x > y->x) gamma = -gamma;
      double p = (gamma - t.d) + theta, q = ((gamma - t.d) + gamma) + y->d;
      stpf = t.x + (p / q) * (y->x - t.x);
    } else {
      stpf = t.x > x->x ? stmax : stmin;
    }
  }
  if (t.f > x->f) {
    *y = t;
  } else {
    if (sgnd < 0.0) *y = *x;
    *x = t;
  }
  return stpf;
}

sl_status sl_ls_more_thuente(const sl_linesearch *ls, const sl_phi *phi, double a0, double phi0,
                             double dphi0, sl_ls_result *r) {
  const double xtrapl = 1.1, xtrapu = 4.0, stpmin = 0.0, stpmax = ls->amax;
  double gtest = ls->c1 * dphi0, width = stpmax - stpmin, width1 = 2.0 * width;
  double stp = fmin(a0, stpmax), stmin = 0.0, stmax = stp + xtrapu * stp;
  mt_pt x = {0.0, phi0, dphi0}, y = {0.0, phi0, dphi0};
  int brackt = 0, stage = 1;
  double f = NAN, g = NAN;
  for (int k = 0; k < ls->maxiter; k++) {
    sl_status st = phi->eval(phi->ctx, stp, &f, &g);
    if (st < 0) return st;
    if (!sl_ls_finite2(f, g)) { /* too far: back toward the best point */
      if (k + 1 >= ls->maxiter) break;
      stp = x.x + 0.5 * (stp - x.x);
      if (!brackt) stmax = stp + xtrapu * (stp - x.x);
      continue;
    }
    double ftest = phi0 + stp * gtest;
    if (stage == 1 && f <= ftest && g >= 0.0) stage = 2;
    if (f <= ftest && fabs(g) <= -ls->c2 * dphi0) {
      sl_ls_accept(r, stp, f, g);
      return SL_OK;
    }
    if (brackt && (stp <= stmin || stp >= stmax))
      return sl_ls_fail(r, SL_ELINESEARCH,
                        "rounding errors prevent progress (More-Thuente: the trial step %g left "
                        "the interval of uncertainty [%g, %g])",
                        stp, stmin, stmax);
    if (brackt && stmax - stmin <= ls->xtol * stmax)
      return sl_ls_fail(r, SL_ELINESEARCH,
                        "the interval of uncertainty [%g, %g] is narrower than xtol = %g "
                        "(relative) without a strong Wolfe point",
                        stmin, stmax, ls->xtol);
    if (stp == stpmax && f <= ftest && g <= gtest)
      return sl_ls_fail(
          r, SL_ELINESEARCH,
          "phi still decreases steeply at amax = %g: f may be unbounded below along d", stpmax);
    mt_pt t = {stp, f, g};
    if (stage == 1 && f <= x.f && f > ftest) {
      /* stage 1 on psi(a) = phi(a) - a gtest (the paper's modified function) */
      mt_pt xm = {x.x, x.f - x.x * gtest, x.d - gtest}, ym = {y.x, y.f - y.x * gtest, y.d - gtest};
      mt_pt tm = {t.x, t.f - t.x * gtest, t.d - gtest};
      stp = mt_step(&xm, &ym, tm, &brackt, stmin, stmax);
      x = (mt_pt){xm.x, xm.f + xm.x * gtest, xm.d + gtest};
      y = (mt_pt){ym.x, ym.f + ym.x * gtest, ym.d + gtest};
    } else {
      stp = mt_step(&x, &y, t, &brackt, stmin, stmax);
    }
    if (brackt) { /* force a sufficient decrease of the interval */
      if (fabs(y.x - x.x) >= 0.66 * width1) stp = x.x + 0.5 * (y.x - x.x);
      width1 = width;
      width = fabs(y.x - x.x);
      stmin = fmin(x.x, y.x);
      stmax = fmax(x.x, y.x);
    } else {
      stmin = stp + xtrapl * (stp - x.x);
      stmax = stp + xtrapu * (stp - x.x);
    }
    stp = fmax(stpmin, fmin(stpmax, stp));
    if ((brackt && (stp <= stmin || stp >= stmax)) ||
        (brackt && stmax - stmin <= ls->xtol * stmax) || !isfinite(stp) || stp <= 0.0)
      stp = x.x > 0.0 ? x.x : 0.5 * fmin(a0, stpmax); /* the best point so far */
  }
  return sl_ls_fail(r, SL_ELINESEARCH,
                    "no step satisfies the strong Wolfe conditions after %d evaluations "
                    "(More-Thuente; interval [%g, %g], last a = %g)",
                    r->nfev, fmin(x.x, y.x), fmax(x.x, y.x), stp);
}

static sl_status check(const sl_linesearch *ls, char *msg, size_t len) {
  if (!(ls->c2 >= ls->c1 && ls->c2 < 1.0)) {
    snprintf(msg, len, "gtol must satisfy ftol <= gtol < 1, got ftol = %g, gtol = %g", ls->c1,
             ls->c2);
    return SL_EINVAL;
  }
  if (!(ls->xtol >= 0.0 && ls->xtol < 1.0)) {
    snprintf(msg, len, "xtol must be in [0, 1), got %g", ls->xtol);
    return SL_EINVAL;
  }
  return SL_OK;
}

static const sl_linesearch defaults = {SL_LS_COMMON_DEFAULTS, .c1 = 1e-4,   .c2 = 0.9,
                                       .grow = 2.0,           .amax = 1e10, .maxiter = 40,
                                       .xtol = 1e-14};
static const char *const keys[] = {"ftol", "gtol", "xtol", "a0", "amax", "maxiter", NULL};
static const char *const show[] = {"ftol", "gtol", "xtol", "a0", NULL};

const sl_ls_method sl_ls_method_more_thuente = {
    .name = "more_thuente",
    .defaults = &defaults,
    .check = check,
    .run = sl_ls_more_thuente,
    .verify = sl_ls_verify_strong_wolfe,
    .keys = keys,
    .show = show,
    .sig = "slope.linesearch.more_thuente{ftol=1e-4, gtol=0.9, xtol=1e-14, a0=1, amax=1e10, "
           "maxiter=40} -> ls  |  (f, x, d [, opts]) -> a, info",
    .doc = "Moré & Thuente (1994) as MINPACK-2's dcsrch (liblbfgs, scipy): strong Wolfe by "
           "safeguarded cubic/quadratic interpolation on an interval of uncertainty. ftol = 1e-4 "
           "in (0, 1): sufficient decrease phi(a) <= phi(0) + ftol a phi'(0) (c1); gtol = 0.9 "
           "(ftol <= gtol < 1): |phi'(a)| <= gtol |phi'(0)| (c2); xtol = 1e-14 in [0, 1): stop "
           "when the interval is relatively narrower; amax = 1e10: largest step; maxiter = 40: "
           "evaluations of phi." SL_LS_DOC_A0 SL_LS_DOC_COMMON};
