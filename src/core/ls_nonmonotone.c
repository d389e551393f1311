/*
** ls_nonmonotone.c — the nonmonotone Armijo search of Grippo, Lampariello &
** Lucidi (1986, SIAM J. Numer. Anal. 23): backtrack a <- shrink a until
**     phi(a) <= max_{0 <= j < M} f(x_{k-j}) + c1 a phi'(0),
** the reference being the largest of phi(0) and the last M - 1 accepted values
** of f (ls->f_past, which the solver fills; without it, plain Armijo).
*/
#include <math.h>
#include <stdio.h>

#include "sl_linesearch.h"

sl_status sl_ls_nonmonotone(const sl_linesearch *ls, const sl_phi *phi, double a0, double phi0,
                            double dphi0, sl_ls_result *r);

sl_status sl_ls_nonmonotone(const sl_linesearch *ls, const sl_phi *phi, double a0, double phi0,
                            double dphi0, sl_ls_result *r) {
  double fref = phi0;
  int m = ls->memory - 1 < ls->n_past ? ls->memory - 1 : ls->n_past;
  for (int j = 0; j < m && ls->f_past; j++)
    if (isfinite(ls->f_past[j]) && ls->f_past[j] > fref) fref = ls->f_past[j];
  double a = a0, f = NAN, df;
  for (int k = 0; k <= ls->maxiter; k++) {
    sl_status st = phi->eval(phi->ctx, a, &f, &df);
    if (st < 0) return st;
    if (sl_ls_finite2(f, df) && f <= fref + ls->c1 * a * dphi0) {
      sl_ls_accept(r, a, f, df);
      return SL_OK;
    }
    a *= ls->shrink;
  }
  return sl_ls_fail(r, SL_ELINESEARCH,
                    "no step satisfies the nonmonotone sufficient-decrease condition after %d "
                    "reductions by %g: phi(a) stays above max(last %d f) + c1·a·phi'(0) = %g + "
                    "c1·a·phi'(0) (last a = %g, phi(a) = %g)",
                    ls->maxiter, ls->shrink, m + 1, fref, a / ls->shrink, f);
}

/* What it promises: the nonmonotone condition, which implies plain Armijo
   only when M = 1; armijo reports the plain condition (it may be false). */
static void verify(const sl_linesearch *ls, double phi0, double dphi0, sl_ls_result *r) {
  sl_ls_verify_armijo(ls, phi0, dphi0, r);
}

static sl_status check(const sl_linesearch *ls, char *msg, size_t len) {
  if (ls->memory < 1 || ls->memory > SL_LS_MAXMEMORY) {
    snprintf(msg, len, "memory must be an integer in 1..%d, got %d", SL_LS_MAXMEMORY, ls->memory);
    return SL_EINVAL;
  }
  return SL_OK;
}

static const sl_linesearch defaults = {SL_LS_COMMON_DEFAULTS, .c1 = 1e-4,   .c2 = 0.9,
                                       .grow = 2.0,           .amax = 1e10, .maxiter = 30,
                                       .memory = 10};
static const char *const keys[] = {"c1", "shrink", "a0", "maxiter", "memory", NULL};
static const char *const show[] = {"c1", "shrink", "a0", "memory", NULL};

const sl_ls_method sl_ls_method_nonmonotone = {
    .name = "nonmonotone",
    .defaults = &defaults,
    .flags = 0,
    .check = check,
    .run = sl_ls_nonmonotone,
    .verify = verify,
    .keys = keys,
    .show = show,
    .sig = "slope.linesearch.nonmonotone{c1=1e-4, shrink=0.5, a0=1, maxiter=30, memory=10} -> ls  "
           "|  (f, x, d [, opts]) -> a, info",
    .doc = "Nonmonotone backtracking (Grippo, Lampariello & Lucidi 1986): a <- shrink a until "
           "phi(a) <= max(f over the last memory iterates) + c1 a phi'(0), so f may rise for a "
           "while (helps on curved valleys such as Rosenbrock's). memory = 10 (M, 1..100; 1 is "
           "plain Armijo): the solver passes its last M - 1 values of f; run on its own (f, x, "
           "d) the search knows only phi(0) and is plain Armijo. c1 = 1e-4 in (0, 1); shrink = "
           "0.5 in (0, 1); maxiter = 30: reductions before giving up; info.armijo says whether "
           "the plain (monotone) condition also holds." SL_LS_DOC_A0 SL_LS_DOC_COMMON};
