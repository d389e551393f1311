/*
** sl_linesearch.c — line-search defaults, parameter checks, names, and the run
** wrapper that records trials and evaluates the promised conditions.
*/
#include "sl_linesearch.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const names[] = {"fixed",        "exact_quadratic", "armijo", "wolfe",
                                    "strong_wolfe", "hager_zhang",     "custom"};

const char *sl_ls_name(sl_ls_kind kind) {
  return (kind >= SL_LS_FIXED && kind <= SL_LS_CUSTOM) ? names[kind] : "unknown";
}

int sl_ls_kind_from_name(const char *name) {
  for (int k = SL_LS_FIXED; k < SL_LS_CUSTOM; k++)
    if (strcmp(names[k], name) == 0) return k;
  return -1;
}

void sl_ls_defaults(sl_linesearch *ls, sl_ls_kind kind) {
  memset(ls, 0, sizeof *ls);
  ls->kind = kind;
  ls->a0 = 1.0;
  ls->c1 = 1e-4;
  ls->c2 = 0.9;
  ls->shrink = 0.5;
  ls->grow = 2.0;
  ls->amax = 1e10;
  ls->maxiter = 40;
  ls->hz_epsilon = 1e-6;
  ls->hz_theta = 0.5;
  ls->hz_gamma = 0.66;
  if (kind == SL_LS_ARMIJO) ls->maxiter = 20;
  if (kind == SL_LS_HAGER_ZHANG) {
    ls->c1 = 0.1;   /* delta */
    ls->grow = 5.0; /* rho */
    ls->maxiter = 50;
  }
}

sl_status sl_ls_check(const sl_linesearch *ls, char *msg, size_t len) {
#define BAD(...) return (snprintf(msg, len, __VA_ARGS__), SL_EINVAL)
  if (!(ls->a0 > 0.0) || !isfinite(ls->a0)) BAD("a0 must be a positive number, got %g", ls->a0);
  if (!(ls->c1 > 0.0 && ls->c1 < 1.0)) BAD("c1 must be in (0, 1), got %g", ls->c1);
  if (ls->kind == SL_LS_WOLFE || ls->kind == SL_LS_STRONG_WOLFE || ls->kind == SL_LS_HAGER_ZHANG) {
    if (!(ls->c2 >= ls->c1 && ls->c2 < 1.0))
      BAD("c2 must satisfy c1 <= c2 < 1, got c1 = %g, c2 = %g", ls->c1, ls->c2);
  }
  if (ls->kind == SL_LS_HAGER_ZHANG && !(ls->c1 < 0.5))
    BAD("c1 (delta) must be below 0.5 for hager_zhang, got %g", ls->c1);
  if (!(ls->shrink > 0.0 && ls->shrink < 1.0)) BAD("shrink must be in (0, 1), got %g", ls->shrink);
  if (!(ls->grow > 1.0) || !isfinite(ls->grow)) BAD("grow must be a number > 1, got %g", ls->grow);
  if (!(ls->amax >= ls->a0)) BAD("amax must be >= a0, got %g", ls->amax);
  if (ls->maxiter < 1 || ls->maxiter > 10000)
    BAD("maxiter must be in 1..10000, got %d", ls->maxiter);
  if (!(ls->hz_epsilon >= 0.0) || !isfinite(ls->hz_epsilon))
    BAD("epsilon must be a non-negative number, got %g", ls->hz_epsilon);
  if (!(ls->hz_theta > 0.0 && ls->hz_theta < 1.0))
    BAD("theta must be in (0, 1), got %g", ls->hz_theta);
  if (!(ls->hz_gamma > 0.0 && ls->hz_gamma < 1.0))
    BAD("gamma must be in (0, 1), got %g", ls->hz_gamma);
  if (ls->kind == SL_LS_CUSTOM && ls->custom == NULL) BAD("custom line search without a function");
#undef BAD
  return SL_OK;
}

sl_status sl_ls_fail(sl_ls_result *r, sl_status st, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->reason, sizeof r->reason, fmt, ap);
  va_end(ap);
  r->status = st;
  return st;
}

int sl_ls_finite2(double phi, double dphi) { return isfinite(phi) && isfinite(dphi); }

/* The recording wrapper every method evaluates phi through. */
typedef struct {
  const sl_phi *inner;
  sl_ls_result *r;
} recorder;

static sl_status rec_eval(void *ctx, double a, double *phi, double *dphi) {
  recorder *rc = ctx;
  sl_ls_result *r = rc->r;
  *phi = NAN;
  *dphi = NAN;
  sl_status st = rc->inner->eval(rc->inner->ctx, a, phi, dphi);
  r->nfev++;
  if (st < 0) return st;
  if (r->ntrials < SL_LS_MAXTRIALS) {
    sl_ls_trial *t = &r->trials[r->ntrials++];
    t->a = a;
    t->phi = *phi;
    t->dphi = *dphi;
  }
  return st;
}

static sl_status rec_curv(void *ctx, double *dhd) {
  recorder *rc = ctx;
  if (rc->inner->curv == NULL) return SL_EUNSUPPORTED;
  return rc->inner->curv(rc->inner->ctx, dhd);
}

/* The last recorded trial at exactly a, or NULL. */
static const sl_ls_trial *trial_at(const sl_ls_result *r, double a) {
  for (int i = r->ntrials - 1; i >= 0; i--)
    if (r->trials[i].a == a) return &r->trials[i];
  return NULL;
}

sl_status sl_ls_run(const sl_linesearch *ls, const sl_phi *phi, double phi0, double dphi0,
                    double a0, sl_ls_result *r) {
  r->a = 0.0;
  r->phi = phi0;
  r->dphi = dphi0;
  r->nfev = r->ntrials = 0;
  r->armijo = r->curvature = -1;
  r->status = SL_OK;
  r->reason[0] = '\0';
  if (a0 <= 0.0 || !isfinite(a0)) a0 = ls->a0;
  if (!sl_ls_finite2(phi0, dphi0))
    return sl_ls_fail(r, SL_ENONFINITE, "phi(0) = %g and phi'(0) = %g must be finite", phi0, dphi0);
  if (ls->kind != SL_LS_FIXED && ls->kind != SL_LS_CUSTOM && !(dphi0 < 0.0))
    return sl_ls_fail(r, SL_ELINESEARCH, "d is not a descent direction: phi'(0) = %g %s 0", dphi0,
                      dphi0 > 0 ? ">" : "=");
  recorder rc = {phi, r};
  sl_phi wrapped = {rec_eval, rec_curv, &rc};
  sl_status st;
  switch (ls->kind) {
  case SL_LS_FIXED: st = sl_ls_fixed(ls, &wrapped, a0, phi0, dphi0, r); break;
  case SL_LS_EXACT_QUADRATIC: st = sl_ls_exact_quadratic(ls, &wrapped, a0, phi0, dphi0, r); break;
  case SL_LS_ARMIJO: st = sl_ls_armijo(ls, &wrapped, a0, phi0, dphi0, r); break;
  case SL_LS_WOLFE: st = sl_ls_wolfe(ls, &wrapped, a0, phi0, dphi0, r); break;
  case SL_LS_STRONG_WOLFE: st = sl_ls_strong_wolfe(ls, &wrapped, a0, phi0, dphi0, r); break;
  case SL_LS_HAGER_ZHANG: st = sl_ls_hager_zhang(ls, &wrapped, a0, phi0, dphi0, r); break;
  case SL_LS_CUSTOM: st = ls->custom(ls->ud, &wrapped, a0, phi0, dphi0, r); break;
  default: st = sl_ls_fail(r, SL_EINVAL, "unknown line search kind %d", (int)ls->kind);
  }
  if (st < 0) {
    r->status = st;
    if (r->reason[0] == '\0') snprintf(r->reason, sizeof r->reason, "%s", sl_status_string(st));
    r->a = 0.0;
    return st;
  }
  if (ls->kind == SL_LS_CUSTOM) {
    if (!(r->a > 0.0) || !isfinite(r->a))
      return sl_ls_fail(r, SL_ELINESEARCH,
                        "the line search returned a = %g: a step must be a positive finite number",
                        r->a);
    const sl_ls_trial *t = trial_at(r, r->a);
    if (t) {
      r->phi = t->phi;
      r->dphi = t->dphi;
    } else {
      st = wrapped.eval(wrapped.ctx, r->a, &r->phi, &r->dphi);
      if (st < 0) return sl_ls_fail(r, st, "evaluating phi at the returned step failed");
    }
    if (!isfinite(r->phi))
      return sl_ls_fail(r, SL_ENONFINITE, "phi(a) = %g at the returned step a = %g", r->phi, r->a);
  }
  /* the conditions each method promises, at the returned step */
  double a = r->a;
  int armijo = r->phi <= phi0 + ls->c1 * a * dphi0;
  switch (ls->kind) {
  case SL_LS_ARMIJO: r->armijo = armijo; break;
  case SL_LS_WOLFE:
    r->armijo = armijo;
    r->curvature = r->dphi >= ls->c2 * dphi0;
    break;
  case SL_LS_STRONG_WOLFE:
  case SL_LS_EXACT_QUADRATIC:
    r->armijo = armijo;
    r->curvature = fabs(r->dphi) <= ls->c2 * fabs(dphi0);
    break;
  case SL_LS_HAGER_ZHANG: {
    /* Wolfe, or approximate Wolfe: (2 delta - 1) phi'(0) >= phi'(a) and phi(a) <= phi(0) + eps_k */
    double epsk = ls->hz_epsilon * fabs(phi0);
    int approx = (2.0 * ls->c1 - 1.0) * dphi0 >= r->dphi && r->phi <= phi0 + epsk;
    r->armijo = armijo || approx;
    r->curvature = r->dphi >= ls->c2 * dphi0;
    break;
  }
  default: break;
  }
  r->status = SL_OK;
  return SL_OK;
}
