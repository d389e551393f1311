/*
** min_newton_cg.c — truncated Newton with a line search (Newton-CG, Nocedal
** & Wright Alg. 7.1): H p = -g solved by conjugate gradients with
** Hessian-vector products to the forcing tolerance eps = min(0.5, sqrt|g|) |g|
** (N&W eq. 7.3). The inner HVPs, all at the current x, run inside an
** sl_obj_hvp_begin window, so data models reuse what does not depend on the
** direction.
**
** With bounds, projected Newton-CG (Bertsekas, "Projected Newton methods for
** optimization problems with simple constraints", SIAM J. Control Optim. 20,
** 1982): the variables held by a bound (on it, the gradient pushing outward)
** are fixed, CG runs on the reduced Hessian of the others (HVPs of vectors zero
** on the held set, the products masked likewise), components that would leave
** the box from a bound they sit on are dropped (that only adds descent), and
** the step is searched along the projection arc P(x + a d) (the solver's trial
** points are projected), by Armijo backtracking from a = 1 unless a line search
** is given. When that search fails, a projected-gradient step inside the box.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "min_bounds.h"
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

/* Alg. 7.1: p into z. Scratch: z = w0, r = w1, dc = w2, Bd = w3. With held (bounds:
   1 for a variable held by a bound) CG runs on the others' reduced Hessian. */
static sl_status inner_cg(sl_solver *s, double *z, const unsigned char *held) {
  size_t n = s->n;
  double *r = s->w[1], *dc = s->w[2], *bd = s->w[3];
  double eps = sl_min_forcing(s);
  sl_vec_fill(n, z, 0.0);
  sl_vec_copy(n, r, s->g);
  if (held) {
    for (size_t i = 0; i < n; i++)
      if (held[i]) r[i] = 0.0;
    double rn = sl_vec_nrm2(n, r);
    eps = fmin(0.5, sqrt(rn)) * rn; /* the forcing tolerance of the reduced gradient */
  }
  for (size_t i = 0; i < n; i++) dc[i] = -r[i];
  double rr = sl_vec_dot(n, r, r);
  long budget = sl_min_inner_budget(s), j;
  const char *why = "maxiter";
  sl_status st = SL_OK;
  (void)sl_obj_hvp_begin(s->o, s->x); /* failing only costs speed */
  for (j = 0; j < budget; j++) {
    if ((st = sl_obj_hvp(s->o, s->x, dc, bd)) < 0) break;
    if (held)
      for (size_t i = 0; i < n; i++)
        if (held[i]) bd[i] = 0.0;
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

/* bounds: the held set in s->impl */
static sl_status init(sl_solver *s) {
  if (s->lo == NULL) return SL_OK;
  s->impl = malloc(s->n ? s->n : 1);
  return s->impl ? SL_OK : SL_ENOMEM;
}

/* d = -g on the variables free to move (not pushing out of a bound they sit on). */
static double free_steepest(sl_solver *s) {
  double gd = 0.0;
  for (size_t i = 0; i < s->n; i++) {
    double di = -s->g[i];
    if ((di < 0.0 && s->x[i] <= s->lo[i]) || (di > 0.0 && s->x[i] >= s->hi[i])) di = 0.0;
    s->d[i] = di;
    gd += s->g[i] * di;
  }
  return gd;
}

static sl_status step_bounded(sl_solver *s) {
  size_t n = s->n;
  unsigned char *held = s->impl;
  double *z = s->w[0], *lo = s->lo, *hi = s->hi;
  for (size_t i = 0; i < n; i++)
    held[i] = (s->x[i] <= lo[i] && s->g[i] > 0.0) || (s->x[i] >= hi[i] && s->g[i] < 0.0);
  sl_status st = inner_cg(s, z, held);
  if (st < 0) return st;
  double gd = 0.0;
  for (size_t i = 0; i < n; i++) { /* no move out of a bound x sits on */
    double di = z[i];
    if ((di < 0.0 && s->x[i] <= lo[i]) || (di > 0.0 && s->x[i] >= hi[i])) di = 0.0;
    s->d[i] = di;
    gd += s->g[i] * di;
  }
  if (!(gd < 0.0)) {
    s->info.restarted = 1;
    if (!(free_steepest(s) < 0.0)) return SL_OK; /* the projected gradient is zero */
  }
  sl_linesearch ls = s->p.ls;
  if (!s->p.ls_given) sl_ls_defaults(&ls, SL_LS_ARMIJO);
  st = sl_min_linesearch_with(s, &ls, s->p.a0_given ? ls.a0 : 1.0);
  if (st == SL_ELINESEARCH) { /* a projected-gradient step inside the box */
    s->info.restarted = 1;
    gd = free_steepest(s);
    st = sl_bounds_linesearch(s, sl_min_guess_a0(s, gd),
                              sl_bounds_maxstep(n, s->x, s->d, s->lo, s->hi));
  }
  if (st < 0) return st;
  sl_min_accept_trial(s);
  return SL_OK;
}

static sl_status step(sl_solver *s) {
  size_t n = s->n;
  double *z = s->w[0];
  if (s->lo) return step_bounded(s);
  sl_status st = inner_cg(s, z, NULL);
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
    .flags = SL_MINF_LINESEARCH | SL_MINF_DIRECTION | SL_MINF_BOUNDS,
    .keys = keys,
    .check = check,
    .init = init,
    .step = step,
    .info = info,
};
