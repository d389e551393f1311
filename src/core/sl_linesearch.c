/*
** sl_linesearch.c — the table of line-search methods (one file ls_<name>.c
** each) and what they share: defaults and names looked up in the table, the
** parameter checks, the run wrapper that records trials and evaluates the
** promised conditions, and the helpers of the method files.
*/
#include "sl_linesearch.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The table of methods, indexed by kind. A new line search: its file
   ls_<name>.c and one row at the end. */
const sl_linesearch sl_ls_wolfe_defaults = {SL_LS_COMMON_DEFAULTS, .c1 = 1e-4,   .c2 = 0.9,
                                            .grow = 2.0,           .amax = 1e10, .maxiter = 40};

const sl_ls_method *const sl_ls_methods[] = {
    [SL_LS_FIXED] = &sl_ls_method_fixed,
    [SL_LS_EXACT_QUADRATIC] = &sl_ls_method_exact_quadratic,
    [SL_LS_ARMIJO] = &sl_ls_method_armijo,
    [SL_LS_WOLFE] = &sl_ls_method_wolfe,
    [SL_LS_STRONG_WOLFE] = &sl_ls_method_strong_wolfe,
    [SL_LS_HAGER_ZHANG] = &sl_ls_method_hager_zhang,
    [SL_LS_CUSTOM] = &sl_ls_method_custom,
    &sl_ls_method_more_thuente,
    &sl_ls_method_nonmonotone,
};
const int sl_ls_nmethods = (int)(sizeof sl_ls_methods / sizeof sl_ls_methods[0]);

const sl_ls_method *sl_ls_method_of(int kind) {
  return kind >= 0 && kind < sl_ls_nmethods ? sl_ls_methods[kind] : NULL;
}

const char *sl_ls_name(sl_ls_kind kind) {
  const sl_ls_method *m = sl_ls_method_of((int)kind);
  return m ? m->name : "unknown";
}

int sl_ls_kind_from_name(const char *name) {
  for (int k = 0; k < sl_ls_nmethods; k++)
    if (!(sl_ls_methods[k]->flags & SL_LS_INTERNAL) && strcmp(sl_ls_methods[k]->name, name) == 0)
      return k;
  return -1;
}

void sl_ls_defaults(sl_linesearch *ls, sl_ls_kind kind) {
  const sl_ls_method *m = sl_ls_method_of((int)kind);
  if (m) {
    *ls = *m->defaults;
  } else {
    memset(ls, 0, sizeof *ls);
  }
  ls->kind = kind;
}

#define BAD(...) return (snprintf(msg, len, __VA_ARGS__), SL_EINVAL)

sl_status sl_ls_check_c2(const sl_linesearch *ls, char *msg, size_t len) {
  if (!(ls->c2 >= ls->c1 && ls->c2 < 1.0))
    BAD("c2 must satisfy c1 <= c2 < 1, got c1 = %g, c2 = %g", ls->c1, ls->c2);
  return SL_OK;
}

sl_status sl_ls_check(const sl_linesearch *ls, char *msg, size_t len) {
  const sl_ls_method *m = sl_ls_method_of((int)ls->kind);
  if (m == NULL) BAD("unknown line search kind %d", (int)ls->kind);
  if (!(ls->a0 > 0.0) || !isfinite(ls->a0)) BAD("a0 must be a positive number, got %g", ls->a0);
  if (!(ls->c1 > 0.0 && ls->c1 < 1.0)) BAD("c1 must be in (0, 1), got %g", ls->c1);
  if (m->check) {
    sl_status st = m->check(ls, msg, len);
    if (st != SL_OK) return st;
  }
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
  return SL_OK;
}
#undef BAD

sl_status sl_ls_fail(sl_ls_result *r, sl_status st, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->reason, sizeof r->reason, fmt, ap);
  va_end(ap);
  r->status = st;
  return st;
}

int sl_ls_finite2(double phi, double dphi) { return isfinite(phi) && isfinite(dphi); }

void sl_ls_accept(sl_ls_result *r, double a, double phi, double dphi) {
  r->a = a;
  r->phi = phi;
  r->dphi = dphi;
}

void sl_ls_verify_armijo(const sl_linesearch *ls, double phi0, double dphi0, sl_ls_result *r) {
  r->armijo = r->phi <= phi0 + ls->c1 * r->a * dphi0;
}

void sl_ls_verify_wolfe(const sl_linesearch *ls, double phi0, double dphi0, sl_ls_result *r) {
  sl_ls_verify_armijo(ls, phi0, dphi0, r);
  r->curvature = r->dphi >= ls->c2 * dphi0;
}

void sl_ls_verify_strong_wolfe(const sl_linesearch *ls, double phi0, double dphi0,
                               sl_ls_result *r) {
  sl_ls_verify_armijo(ls, phi0, dphi0, r);
  r->curvature = fabs(r->dphi) <= ls->c2 * fabs(dphi0);
}

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

sl_status sl_ls_run(const sl_linesearch *ls, const sl_phi *phi, double phi0, double dphi0,
                    double a0, sl_ls_result *r) {
  r->a = 0.0;
  r->phi = phi0;
  r->dphi = dphi0;
  r->nfev = r->ntrials = 0;
  r->armijo = r->curvature = -1;
  r->status = SL_OK;
  r->reason[0] = '\0';
  const sl_ls_method *m = sl_ls_method_of((int)ls->kind);
  if (m == NULL) return sl_ls_fail(r, SL_EINVAL, "unknown line search kind %d", (int)ls->kind);
  if (a0 <= 0.0 || !isfinite(a0)) a0 = ls->a0;
  if (!sl_ls_finite2(phi0, dphi0))
    return sl_ls_fail(r, SL_ENONFINITE, "phi(0) = %g and phi'(0) = %g must be finite", phi0, dphi0);
  if (!(m->flags & SL_LS_NODESCENT) && !(dphi0 < 0.0))
    return sl_ls_fail(r, SL_ELINESEARCH, "d is not a descent direction: phi'(0) = %g %s 0", dphi0,
                      dphi0 > 0 ? ">" : "=");
  recorder rc = {phi, r};
  sl_phi wrapped = {rec_eval, rec_curv, &rc};
  sl_status st = m->run(ls, &wrapped, a0, phi0, dphi0, r);
  if (st < 0) {
    r->status = st;
    if (r->reason[0] == '\0') snprintf(r->reason, sizeof r->reason, "%s", sl_status_string(st));
    r->a = 0.0;
    return st;
  }
  if (m->verify) m->verify(ls, phi0, dphi0, r);
  r->status = SL_OK;
  return SL_OK;
}
