/*
** min_optimizer.c — the "optimizer" method: any optimizer with a step that
** updates x from g (slope.optim.adam, a Lua table with step(self, x, g)) as a
** solver method, reached through an sl_min_stepper, so the run loop, its
** budgets, stop tests and progress callback are the same as for lbfgs.
** One iteration: step x, evaluate f and g at the new x.
*/
#include <math.h>
#include <stdio.h>

#include "sl_minimize.h"
#include "sl_optim.h"
#include "sl_vec.h"

static const sl_min_params defaults = {SL_MIN_SHARED_DEFAULTS};

static sl_status step(sl_solver *s) {
  size_t n = s->n;
  double *xprev = s->w[0];
  sl_vec_copy(n, xprev, s->x);
  sl_status st = s->stepper.step(s->stepper.ctx, s->x, s->g, n, s->msg, sizeof s->msg);
  if (st < 0) return st;
  s->o->msg[0] = '\0';
  st = sl_obj_fg(s->o, s->x, &s->f, s->g);
  if (st < 0) return st;
  double snorm = 0.0;
  for (size_t i = 0; i < n; i++) snorm = fmax(snorm, fabs(s->x[i] - xprev[i]));
  s->info.step_norm = snorm;
  s->info.a = snorm;
  return SL_OK;
}

static void state(const sl_solver *s, const sl_min_visit *v) {
  if (s->stepper.state) s->stepper.state(s->stepper.ctx, v);
}

const sl_min_method_ops sl_min_optimizer = {
    .name = "optimizer",
    .defaults = &defaults,
    .flags = SL_MINF_STEPPER,
    .step = step,
    .state = state,
};

/* ---- a core sl_optimizer as a stepper ------------------------------------- */

static sl_status optim_step(void *ctx, double *x, const double *g, size_t n, char *msg,
                            size_t len) {
  sl_optimizer *o = ctx;
  sl_status st = o->dim == n ? SL_OK : sl_optim_setdim(o, n);
  if (st == SL_OK) st = sl_optim_step(o, x, g);
  if (st < 0) snprintf(msg, len, "%s", o->msg[0] ? o->msg : sl_status_string(st));
  return st;
}

static void optim_state(void *ctx, const sl_min_visit *v) {
  const sl_optimizer *o = ctx;
  v->string(v->ctx, "optimizer", o->name);
  v->integer(v->ctx, "t", (long)o->t);
}

sl_min_stepper sl_min_optim_stepper(sl_optimizer *opt) {
  sl_min_stepper st = {optim_step, optim_state, opt};
  return st;
}
