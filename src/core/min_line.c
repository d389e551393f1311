/*
** min_line.c — what the line-search methods share: phi(a) = f(x + a d) and
** its curvature for the line search, the search along d, accepting the
** trial point, and the first trial step.
*/
#include <math.h>
#include <stdio.h>

#include "min_bounds.h"
#include "sl_minimize.h"
#include "sl_vec.h"

static sl_status phi_eval(void *ctx, double a, double *phi, double *dphi) {
  sl_solver *s = ctx;
  size_t n = s->n;
  for (size_t i = 0; i < n; i++) s->xt[i] = s->x[i] + a * s->d[i];
  if (s->lo) sl_bounds_project(n, s->xt, s->lo, s->hi); /* every trial point in the box */
  s->t_valid = 0;
  sl_status st = sl_obj_fg(s->o, s->xt, phi, s->gt);
  if (st < 0) return st;
  *dphi = sl_vec_dot(n, s->gt, s->d);
  s->t_a = a;
  s->t_f = *phi;
  s->t_valid = 1;
  return SL_OK;
}

static sl_status phi_curv(void *ctx, double *dhd) {
  sl_solver *s = ctx;
  sl_status st = sl_obj_hvp(s->o, s->x, s->d, s->w[3]);
  if (st < 0) return st;
  *dhd = sl_vec_dot(s->n, s->d, s->w[3]);
  return SL_OK;
}

/*
** Line search ls along s->d from a0; on success xt, gt, t_f hold the accepted
** point (sl_min_accept_trial moves there) and info.step_norm is set. A
** failure leaves x unchanged.
*/
sl_status sl_min_linesearch_with(sl_solver *s, const sl_linesearch *ls, double a0) {
  sl_phi phi = {phi_eval, phi_curv, s};
  sl_step_info *in = &s->info;
  in->ls_used = 1;
  in->gd = sl_vec_dot(s->n, s->g, s->d);
  s->o->msg[0] = '\0';
  sl_linesearch lsk = *ls; /* with the solver's past values of f (nonmonotone) */
  lsk.f_past = s->f_past;
  lsk.n_past = s->n_past;
  sl_status st = sl_ls_run(&lsk, &phi, s->f, in->gd, a0, &in->ls);
  if (st < 0) return st;
  double a = in->ls.a;
  if (!s->t_valid || s->t_a != a) {
    double dphi;
    st = phi_eval(s, a, &s->t_f, &dphi);
    if (st < 0) return st;
  }
  if (!isfinite(s->t_f) || !sl_vec_isfinite(s->n, s->gt)) {
    in->ls.status = SL_ENONFINITE;
    snprintf(in->ls.reason, sizeof in->ls.reason,
             "the gradient is not finite at the accepted step a = %g", a);
    return SL_ENONFINITE;
  }
  double snorm = 0.0;
  for (size_t i = 0; i < s->n; i++) {
    double di = fabs(s->xt[i] - s->x[i]);
    if (di > snorm) snorm = di;
  }
  in->a = a;
  in->step_norm = snorm;
  s->prev_a = a;
  s->prev_gd = in->gd;
  return SL_OK;
}

/* The solver's line search from a0 (or from ls.a0 when the caller gave it). */
sl_status sl_min_linesearch(sl_solver *s, double a0) {
  return sl_min_linesearch_with(s, &s->p.ls, s->p.a0_given ? s->p.ls.a0 : a0);
}

void sl_min_accept_trial(sl_solver *s) {
  s->last_decrease = s->f - s->t_f;
  /* the nonmonotone search's memory: f at the point being left, newest first */
  int np = s->n_past < SL_LS_MAXMEMORY ? s->n_past + 1 : SL_LS_MAXMEMORY;
  for (int k = np - 1; k > 0; k--) s->f_past[k] = s->f_past[k - 1];
  s->f_past[0] = s->f;
  s->n_past = np;
  sl_vec_copy(s->n, s->x, s->xt);
  sl_vec_copy(s->n, s->g, s->gt);
  s->f = s->t_f;
  s->t_valid = 0;
}

void sl_min_steepest(sl_solver *s) {
  for (size_t i = 0; i < s->n; i++) s->d[i] = -s->g[i];
}

/*
** First trial step for gd and cg (N&W eq. 3.60 in the form scipy uses):
** a0 = 2.02 (f_{k-1} - f_k) / (-g'd), at most 1; 1.01/|g| on the first step.
*/
double sl_min_guess_a0(const sl_solver *s, double gd) {
  double a0;
  if (s->nit == 0 || !(s->last_decrease > 0.0))
    a0 = 1.01 / fmax(sl_vec_nrm2(s->n, s->g), 1e-300);
  else
    a0 = 2.02 * s->last_decrease / -gd;
  if (!(a0 > 0.0) || !isfinite(a0) || a0 > 1.0) a0 = 1.0;
  return a0;
}
