/*
** ls_hager_zhang.c — the approximate-Wolfe line search of CG_DESCENT
** (Hager & Zhang, SIAM J. Optim. 16 (2005) 170-192, sec. 4; ACM TOMS 32 (2006)
** 113-137, "Algorithm 851"): bracket, then secant^2 steps with bisection
** when the interval does not shrink by gamma.
**
** Accepts c when either the Wolfe conditions hold (delta = c1, sigma = c2):
**     phi(c) - phi(0) <= delta c phi'(0),  phi'(c) >= sigma phi'(0)
** or the approximate Wolfe conditions (T2 in the paper):
**     (2 delta - 1) phi'(0) >= phi'(c) >= sigma phi'(0),  phi(c) <= phi(0) + eps_k,
** with eps_k = epsilon |phi(0)|.
*/
#include <math.h>
#include <stdio.h>

#include "sl_linesearch.h"

typedef struct {
  double a, f, df;
} pt;

typedef struct {
  const sl_linesearch *ls;
  const sl_phi *phi;
  sl_ls_result *r;
  double phi0, dphi0, epsk;
  int left; /* evaluations left */
  int done; /* an acceptable point was found (stored in r) */
} hz;

static int acceptable(const hz *h, pt c) {
  const sl_linesearch *ls = h->ls;
  if (!sl_ls_finite2(c.f, c.df)) return 0;
  if (c.df < ls->c2 * h->dphi0) return 0;
  if (c.f - h->phi0 <= ls->c1 * c.a * h->dphi0) return 1;
  return (2.0 * ls->c1 - 1.0) * h->dphi0 >= c.df && c.f <= h->phi0 + h->epsk;
}

/* Evaluate at a; a non-finite value reads as "far past the minimizer". */
static sl_status eval(hz *h, double a, pt *p) {
  if (h->left <= 0) return SL_ELINESEARCH;
  h->left--;
  p->a = a;
  sl_status st = h->phi->eval(h->phi->ctx, a, &p->f, &p->df);
  if (st < 0) return st;
  if (!sl_ls_finite2(p->f, p->df)) {
    p->f = INFINITY;
    p->df = INFINITY;
  }
  if (acceptable(h, *p)) {
    h->r->a = a;
    h->r->phi = p->f;
    h->r->dphi = p->df;
    h->done = 1;
  }
  return SL_OK;
}

/* Secant step through (a, phi'(a)) and (b, phi'(b)); midpoint when degenerate. */
static double secant(pt a, pt b) {
  double den = b.df - a.df;
  double c = (a.a * b.df - b.a * a.df) / den;
  if (!isfinite(c) || den == 0.0) return 0.5 * (a.a + b.a);
  return c;
}

/* U3 of the update: shrink [a, b] where phi'(b) < 0 and phi(b) > phi0 + eps_k. */
static sl_status bisect_update(hz *h, pt *a, pt *b) {
  while (!h->done) {
    pt d;
    sl_status st = eval(h, (1.0 - h->ls->hz_theta) * a->a + h->ls->hz_theta * b->a, &d);
    if (st < 0 || h->done) return st;
    if (d.df >= 0.0) {
      *b = d;
      return SL_OK;
    }
    if (d.f <= h->phi0 + h->epsk)
      *a = d;
    else
      *b = d;
  }
  return SL_OK;
}

/* The update procedure U0-U3: new bracket from [a, b] and a point c. */
static sl_status update(hz *h, pt *a, pt *b, pt c) {
  if (!(c.a > a->a && c.a < b->a)) return SL_OK; /* U0 */
  if (c.df >= 0.0) {                             /* U1 */
    *b = c;
    return SL_OK;
  }
  if (c.f <= h->phi0 + h->epsk) { /* U2 */
    *a = c;
    return SL_OK;
  }
  *b = c; /* U3 */
  return bisect_update(h, a, b);
}

/* secant^2 (S1-S4): a secant step, and a second one from the side that moved. */
static sl_status secant2(hz *h, pt *a, pt *b) {
  pt A = *a, B = *b, c, cb;
  double ca = secant(*a, *b);
  if (!(ca > a->a && ca < b->a)) ca = 0.5 * (a->a + b->a);
  sl_status st = eval(h, ca, &c);
  if (st < 0 || h->done) return st;
  st = update(h, &A, &B, c);
  if (st < 0 || h->done) return st;
  int moved = 0;
  double cba = 0.0;
  if (B.a == c.a) {
    cba = secant(*b, B);
    moved = 1;
  } else if (A.a == c.a) {
    cba = secant(*a, A);
    moved = 1;
  }
  if (moved && cba > A.a && cba < B.a) {
    st = eval(h, cba, &cb);
    if (st < 0 || h->done) return st;
    st = update(h, &A, &B, cb);
    if (st < 0 || h->done) return st;
  }
  *a = A;
  *b = B;
  return SL_OK;
}

sl_status sl_ls_hager_zhang(const sl_linesearch *ls, const sl_phi *phi, double a0, double phi0,
                            double dphi0, sl_ls_result *r) {
  hz h = {ls, phi, r, phi0, dphi0, ls->hz_epsilon * fabs(phi0), ls->maxiter, 0};
  pt a = {0.0, phi0, dphi0}, b = a, c;
  sl_status st;
  /* bracket (B0-B3): expand c by rho until phi' >= 0 or phi rises past phi0 + eps_k */
  double ca = fmin(a0, ls->amax);
  for (;;) {
    st = eval(&h, ca, &c);
    if (st == SL_ELINESEARCH) goto fail;
    if (st < 0 || h.done) return st;
    if (c.df >= 0.0) { /* B1: [last good, c] */
      b = c;
      break;
    }
    if (c.f > phi0 + h.epsk) { /* B2: phi' < 0 but phi too high: bisect [0, c] */
      b = c;
      st = bisect_update(&h, &a, &b);
      if (st == SL_ELINESEARCH) goto fail;
      if (st < 0 || h.done) return st;
      break;
    }
    a = c; /* B3 */
    if (ca >= ls->amax)
      return sl_ls_fail(r, SL_ELINESEARCH,
                        "phi still decreases at amax = %g: f may be unbounded below along d",
                        ls->amax);
    ca = fmin(ls->grow * ca, ls->amax);
  }
  /* L1-L3: secant^2, bisection when the interval shrinks too little */
  for (;;) {
    double w = b.a - a.a;
    if (!(w > 1e-16 * fmax(1.0, b.a))) break;
    st = secant2(&h, &a, &b);
    if (st == SL_ELINESEARCH) goto fail;
    if (st < 0 || h.done) return st;
    if (b.a - a.a > ls->hz_gamma * w) {
      pt m;
      st = eval(&h, 0.5 * (a.a + b.a), &m);
      if (st == SL_ELINESEARCH) goto fail;
      if (st < 0 || h.done) return st;
      st = update(&h, &a, &b, m);
      if (st == SL_ELINESEARCH) goto fail;
      if (st < 0 || h.done) return st;
    }
  }
fail:
  return sl_ls_fail(r, SL_ELINESEARCH,
                    "no step satisfies the Wolfe or approximate Wolfe conditions (Hager-Zhang) "
                    "after %d evaluations (bracket [%g, %g])",
                    r->nfev, a.a, b.a);
}

/* c2 as the Wolfe family, and delta (c1) below 1/2 (Hager & Zhang 2005, eq. 2.3). */
static sl_status check(const sl_linesearch *ls, char *msg, size_t len) {
  sl_status st = sl_ls_check_c2(ls, msg, len);
  if (st != SL_OK) return st;
  if (!(ls->c1 < 0.5)) {
    snprintf(msg, len, "c1 (delta) must be below 0.5 for hager_zhang, got %g", ls->c1);
    return SL_EINVAL;
  }
  return SL_OK;
}

/* Wolfe, or approximate Wolfe: (2 delta - 1) phi'(0) >= phi'(a) and phi(a) <= phi(0) + eps_k. */
static void verify(const sl_linesearch *ls, double phi0, double dphi0, sl_ls_result *r) {
  double epsk = ls->hz_epsilon * fabs(phi0);
  int approx = (2.0 * ls->c1 - 1.0) * dphi0 >= r->dphi && r->phi <= phi0 + epsk;
  sl_ls_verify_wolfe(ls, phi0, dphi0, r);
  r->armijo = r->armijo || approx;
}

static const sl_linesearch defaults = {SL_LS_COMMON_DEFAULTS, .c1 = 0.1 /* delta */,
                                       .c2 = 0.9 /* sigma */, .grow = 5.0 /* rho */,
                                       .amax = 1e10,          .maxiter = 50};
static const char *const keys[] = {"c1",      "c2",      "a0",    "grow",  "amax",
                                   "maxiter", "epsilon", "theta", "gamma", NULL};
static const char *const show[] = {"c1", "c2", "a0", NULL};

const sl_ls_method sl_ls_method_hager_zhang = {
    .name = "hager_zhang",
    .defaults = &defaults,
    .check = check,
    .run = sl_ls_hager_zhang,
    .verify = verify,
    .keys = keys,
    .show = show,
    .sig = "slope.linesearch.hager_zhang{c1=0.1, c2=0.9, epsilon=1e-6, theta=0.5, gamma=0.66, "
           "a0=1, grow=5, amax=1e10, maxiter=50} -> ls  |  (f, x, d [, opts]) -> a, info",
    .doc =
        "Approximate Wolfe conditions, secant^2 steps (Hager & Zhang 2005/2006, CG_DESCENT). "
        "c1 = 0.1 (delta, below 0.5) and c2 = 0.9 (sigma): the Wolfe constants; epsilon = "
        "1e-6: the approximate-Wolfe tolerance on phi, epsilon |phi(0)|; theta = 0.5: "
        "bisection weight of the interval update; gamma = 0.66: required shrink of the "
        "interval per secant^2 step, else a bisection; grow = 5 (rho): expansion factor of the "
        "initial bracket; amax = 1e10: largest step; maxiter = 50: evaluations of phi." SL_LS_DOC_A0
            SL_LS_DOC_COMMON};
