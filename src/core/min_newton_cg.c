/*
** min_newton_cg.c — truncated Newton with a line search (Newton-CG, Nocedal
** & Wright Alg. 7.1): H p = -g solved by conjugate gradients with
** Hessian-vector products to the forcing tolerance eps = min(0.5, sqrt|g|) |g|
** (N&W eq. 7.3). The inner HVPs, all at the current x, run inside an
** sl_obj_hvp_begin window, so data models reuse what does not depend on the
** direction.
*/
#include <math.h>
#include <stdio.h>

#include "sl_minimize.h"
#include "sl_vec.h"

static const sl_min_params defaults = {SL_MIN_SHARED_DEFAULTS};

static sl_status check(const sl_min_params *p, char *msg, size_t len) {
  if (p->inner_maxiter < 0) {
    snprintf(msg, len, "inner_maxiter must be a non-negative integer, got %ld", p->inner_maxiter);
    return SL_EINVAL;
  }
  return SL_OK;
}

/* Alg. 7.1: p into z. Scratch: z = w0, r = w1, dc = w2, Bd = w3. */
static sl_status inner_cg(sl_solver *s, double *z) {
  size_t n = s->n;
  double *r = s->w[1], *dc = s->w[2], *bd = s->w[3];
  double eps = sl_min_forcing(s);
  sl_vec_fill(n, z, 0.0);
  sl_vec_copy(n, r, s->g);
  for (size_t i = 0; i < n; i++) dc[i] = -r[i];
  double rr = sl_vec_dot(n, r, r);
  long budget = sl_min_inner_budget(s), j;
  const char *why = "maxiter";
  sl_status st = SL_OK;
  (void)sl_obj_hvp_begin(s->o, s->x); /* failing only costs speed */
  for (j = 0; j < budget; j++) {
    if ((st = sl_obj_hvp(s->o, s->x, dc, bd)) < 0) break;
    double curv = sl_vec_dot(n, dc, bd);
    if (!isfinite(curv)) {
      st = sl_min_fail(s, SL_ENONFINITE, "a Hessian-vector product is not finite");
      break;
    }
    if (curv <= 1e-14 * sl_vec_dot(n, dc, dc)) { /* negative (or no) curvature */
      why = "negative curvature";
      if (j == 0) sl_vec_copy(n, z, dc); /* steepest descent */
      break;
    }
    double alpha = rr / curv;
    sl_vec_axpy(n, z, alpha, dc);
    sl_vec_axpy(n, r, alpha, bd);
    double rr2 = sl_vec_dot(n, r, r);
    if (sqrt(rr2) <= eps) {
      why = "converged";
      j++;
      break;
    }
    double beta = rr2 / rr;
    rr = rr2;
    for (size_t i = 0; i < n; i++) dc[i] = -r[i] + beta * dc[i];
  }
  sl_obj_hvp_end(s->o);
  if (st < 0) return st;
  s->info.inner_iters = j;
  s->info.inner_stop = why;
  return SL_OK;
}

static sl_status step(sl_solver *s) {
  size_t n = s->n;
  double *z = s->w[0];
  sl_status st = inner_cg(s, z);
  if (st < 0) return st;
  sl_vec_copy(n, s->d, z);
  if (!(sl_vec_dot(n, s->g, s->d) < 0.0)) {
    sl_min_steepest(s);
    s->info.restarted = 1;
  }
  st = sl_min_linesearch(s, 1.0);
  if (st < 0) return st;
  sl_min_accept_trial(s);
  return SL_OK;
}

static void info(const sl_solver *s, const sl_min_visit *v) {
  v->integer(v->ctx, "inner_iters", s->info.inner_iters);
  v->string(v->ctx, "inner_stop", s->info.inner_stop);
}

static const char *const keys[] = {"inner_maxiter", NULL};

const sl_min_method_ops sl_min_newton_cg = {
    .name = "newton_cg",
    .defaults = &defaults,
    .flags = SL_MINF_LINESEARCH | SL_MINF_DIRECTION,
    .keys = keys,
    .check = check,
    .step = step,
    .info = info,
    .no_bounds = "a projected Newton step needs an active-set reduced Hessian that it does not "
                 "build: use method = \"lbfgsb\"",
};
