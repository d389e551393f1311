/*
** ls_custom.c — a caller-supplied rule (a Lua function through the binding):
** ls->custom returns a step; it is checked to be a positive finite number and
** phi is evaluated there unless a trial already did.
*/
#include <math.h>
#include <stdio.h>

#include "sl_linesearch.h"

/* The last recorded trial at exactly a, or NULL. */
static const sl_ls_trial *trial_at(const sl_ls_result *r, double a) {
  for (int i = r->ntrials - 1; i >= 0; i--)
    if (r->trials[i].a == a) return &r->trials[i];
  return NULL;
}

static sl_status run(const sl_linesearch *ls, const sl_phi *phi, double a0, double phi0,
                     double dphi0, sl_ls_result *r) {
  sl_status st = ls->custom(ls->ud, phi, a0, phi0, dphi0, r);
  if (st < 0) return st;
  if (!(r->a > 0.0) || !isfinite(r->a))
    return sl_ls_fail(r, SL_ELINESEARCH,
                      "the line search returned a = %g: a step must be a positive finite number",
                      r->a);
  const sl_ls_trial *t = trial_at(r, r->a);
  if (t) {
    r->phi = t->phi;
    r->dphi = t->dphi;
  } else {
    st = phi->eval(phi->ctx, r->a, &r->phi, &r->dphi);
    if (st < 0) return sl_ls_fail(r, st, "evaluating phi at the returned step failed");
  }
  if (!isfinite(r->phi))
    return sl_ls_fail(r, SL_ENONFINITE, "phi(a) = %g at the returned step a = %g", r->phi, r->a);
  return SL_OK;
}

static sl_status check(const sl_linesearch *ls, char *msg, size_t len) {
  if (ls->custom != NULL) return SL_OK;
  snprintf(msg, len, "custom line search without a function");
  return SL_EINVAL;
}

const sl_ls_method sl_ls_method_custom = {.name = "custom",
                                          .defaults = &sl_ls_wolfe_defaults,
                                          .flags = SL_LS_NODESCENT | SL_LS_INTERNAL,
                                          .check = check,
                                          .run = run};
