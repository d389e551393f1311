/*
** sl_minimize.c — the solver shell shared by every method: parameters,
** allocation, the line search along d, stopping tests, and the run loop.
*/
#include "sl_minimize.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_mat.h"
#include "sl_vec.h"

static const char *const method_names[] = {"gd", "cg", "bfgs", "lbfgs", "newton_cg", "trust_ncg"};
static const char *const beta_names[] = {"fr", "pr+", "hz"};

const char *sl_min_name(sl_min_method m) {
  return (m >= SL_MIN_GD && m <= SL_MIN_TRUST_NCG) ? method_names[m] : "unknown";
}

int sl_min_method_from_name(const char *name) {
  for (int k = 0; k <= SL_MIN_TRUST_NCG; k++)
    if (strcmp(method_names[k], name) == 0) return k;
  return -1;
}

const char *sl_cg_beta_name(sl_cg_beta b) {
  return (b >= SL_CG_FR && b <= SL_CG_HZ) ? beta_names[b] : "unknown";
}

void sl_min_defaults(sl_min_params *p, sl_min_method method) {
  memset(p, 0, sizeof *p);
  p->method = method;
  sl_ls_defaults(&p->ls, SL_LS_STRONG_WOLFE);
  if (method == SL_MIN_CG) p->ls.c2 = 0.1;
  p->gtol = 1e-5;
  p->maxiter = 1000;
  p->m = 10;
  p->beta = SL_CG_PRP;
  p->radius0 = 1.0;
  p->max_radius = 1000.0;
  p->eta = 0.15;
  p->curv_eps = 1e-10;
}

sl_status sl_min_check(const sl_min_params *p, char *msg, size_t len) {
#define BAD(...) return (snprintf(msg, len, __VA_ARGS__), SL_EINVAL)
  if (p->method < SL_MIN_GD || p->method > SL_MIN_TRUST_NCG)
    BAD("unknown method %d", (int)p->method);
  if (!(p->gtol >= 0.0) || !isfinite(p->gtol))
    BAD("gtol must be a non-negative number, got %g", p->gtol);
  if (!(p->ftol >= 0.0) || !isfinite(p->ftol))
    BAD("ftol must be a non-negative number, got %g", p->ftol);
  if (!(p->xtol >= 0.0) || !isfinite(p->xtol))
    BAD("xtol must be a non-negative number, got %g", p->xtol);
  if (p->maxiter < 0) BAD("maxiter must be a non-negative integer, got %ld", p->maxiter);
  if (!(p->lr >= 0.0) || !isfinite(p->lr)) BAD("lr must be a positive number, got %g", p->lr);
  if (p->m < 1 || p->m > 1000) BAD("m must be in 1..1000, got %d", p->m);
  if (p->restart < 0) BAD("restart must be a non-negative integer, got %ld", p->restart);
  if (!(p->radius0 > 0.0) || !isfinite(p->radius0))
    BAD("radius must be a positive number, got %g", p->radius0);
  if (!(p->max_radius >= p->radius0) || !isfinite(p->max_radius))
    BAD("max_radius must be a number >= radius, got %g", p->max_radius);
  if (!(p->eta >= 0.0 && p->eta < 0.25)) BAD("eta must be in [0, 0.25), got %g", p->eta);
  if (p->inner_maxiter < 0)
    BAD("inner_maxiter must be a non-negative integer, got %ld", p->inner_maxiter);
  if (!(p->curv_eps >= 0.0 && p->curv_eps < 1.0))
    BAD("curv_eps must be in [0, 1), got %g", p->curv_eps);
  return sl_ls_check(&p->ls, msg, len);
#undef BAD
}

sl_status sl_min_fail(sl_solver *s, sl_status st, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(s->msg, sizeof s->msg, fmt, ap);
  va_end(ap);
  s->status = st;
  return st;
}

void sl_solver_release(sl_solver *s) {
  if (s == NULL) return;
  free(s->H);
  free(s->S);
  free(s->rho);
  free(s->V);
  s->H = s->S = s->rho = s->V = NULL;
}

void sl_solver_free(sl_solver *s) {
  if (s == NULL) return;
  sl_solver_release(s);
  free(s->x);
  free(s);
}

sl_solver *sl_solver_new(sl_objective *o, const double *x0, const sl_min_params *p, sl_status *st,
                         char *msg, size_t len) {
  *st = sl_min_check(p, msg, len);
  if (*st != SL_OK) return NULL;
  size_t n = o->dim, nn = n ? n : 1, tot;
  if (sl_size_product(9, nn, &tot) != SL_OK) {
    *st = SL_ENOMEM;
    return NULL;
  }
  sl_solver *s = calloc(1, sizeof *s);
  if (s == NULL) {
    *st = SL_ENOMEM;
    return NULL;
  }
  s->p = *p;
  s->o = o;
  s->n = n;
  s->x = malloc(tot * sizeof(double));
  int ok = s->x != NULL;
  if (ok && p->method == SL_MIN_BFGS) {
    size_t hn;
    ok = sl_size_product(nn, nn, &hn) == SL_OK && (s->H = calloc(hn, sizeof(double))) != NULL;
  }
  if (ok && p->method == SL_MIN_LBFGS) {
    size_t mn;
    ok = sl_size_product((size_t)p->m * 2, nn, &mn) == SL_OK &&
         (s->S = malloc(mn * sizeof(double))) != NULL &&
         (s->rho = malloc(2 * (size_t)p->m * sizeof(double))) != NULL;
    if (ok) {
      s->Y = s->S + (size_t)p->m * n;
      s->alpha = s->rho + p->m;
    }
  }
  if (ok && p->method == SL_MIN_TRUST_NCG) {
    size_t vn;
    ok = sl_size_product(SL_LANCZOS_K, nn, &vn) == SL_OK &&
         (s->V = malloc(vn * sizeof(double))) != NULL;
  }
  if (!ok) {
    sl_solver_free(s);
    *st = SL_ENOMEM;
    snprintf(msg, len, "out of memory for a %s solver of dimension %zu", sl_min_name(p->method), n);
    return NULL;
  }
  memset(s->x, 0, tot * sizeof(double));
  s->g = s->x + nn;
  s->d = s->g + nn;
  s->xt = s->d + nn;
  s->gt = s->xt + nn;
  for (int k = 0; k < 4; k++) s->w[k] = s->gt + (size_t)(k + 1) * nn;
  sl_vec_copy(n, s->x, x0);
  s->nfev0 = o->nfev;
  s->ngev0 = o->ngev;
  s->nhvp0 = o->nhvp;
  s->radius = p->radius0;
  s->o->msg[0] = '\0';
  *st = sl_obj_fg(o, s->x, &s->f, s->g);
  if (*st < 0) {
    snprintf(msg, len, "%s", o->msg[0] ? o->msg : sl_status_string(*st));
    sl_solver_free(s);
    return NULL;
  }
  if (!isfinite(s->f) || !sl_vec_isfinite(n, s->g)) {
    snprintf(msg, len,
             "f(x0) = %g or its gradient is not finite: start from a point where f is defined",
             s->f);
    sl_solver_free(s);
    *st = SL_ENONFINITE;
    return NULL;
  }
  s->gnorm = sl_vec_nrminf(n, s->g);
  s->status = SL_OK;
  return s;
}

unsigned long sl_solver_nfev(const sl_solver *s) { return s->o->nfev - s->nfev0; }
unsigned long sl_solver_ngev(const sl_solver *s) { return s->o->ngev - s->ngev0; }
unsigned long sl_solver_nhvp(const sl_solver *s) { return s->o->nhvp - s->nhvp0; }

void sl_min_reset_memory(sl_solver *s) {
  s->mlen = s->mhead = 0;
  s->H_init = 0;
  s->have_d = 0;
  s->since_restart = 0;
  if (s->H) {
    memset(s->H, 0, s->n * s->n * sizeof(double));
    for (size_t i = 0; i < s->n; i++) s->H[i * s->n + i] = 1.0;
  }
}

/* ---- phi(a) = f(x + a d) for the line search ------------------------------ */

static sl_status phi_eval(void *ctx, double a, double *phi, double *dphi) {
  sl_solver *s = ctx;
  size_t n = s->n;
  for (size_t i = 0; i < n; i++) s->xt[i] = s->x[i] + a * s->d[i];
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
** Line search along s->d from a0; on success x, g, f move to the accepted
** point and info.step_norm is set. A failure leaves x unchanged.
*/
sl_status sl_min_linesearch(sl_solver *s, double a0) {
  sl_phi phi = {phi_eval, phi_curv, s};
  sl_step_info *in = &s->info;
  const sl_linesearch *ls = &s->p.ls;
  sl_linesearch fixed;
  if (s->p.method == SL_MIN_GD && s->p.lr > 0.0) {
    sl_ls_defaults(&fixed, SL_LS_FIXED);
    fixed.a0 = s->p.lr;
    ls = &fixed;
    a0 = s->p.lr;
  } else if (s->p.a0_given) {
    a0 = ls->a0;
  }
  in->ls_used = 1;
  in->gd = sl_vec_dot(s->n, s->g, s->d);
  s->o->msg[0] = '\0';
  sl_status st = sl_ls_run(ls, &phi, s->f, in->gd, a0, &in->ls);
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

/* ---- stepping --------------------------------------------------------------- */

int sl_solver_converged_at_start(sl_solver *s) {
  if (s->gnorm <= s->p.gtol) {
    sl_min_fail(s, SL_CONVERGED_GTOL, "converged: max|g| = %.3g <= gtol = %g", s->gnorm, s->p.gtol);
    return 1;
  }
  return 0;
}

sl_status sl_solver_step(sl_solver *s) {
  memset(&s->info, 0, sizeof s->info);
  s->info.f_prev = s->f;
  s->info.inner_stop = "";
  s->msg[0] = '\0';
  sl_status st;
  switch (s->p.method) {
  case SL_MIN_GD: st = sl_min_gd_step(s); break;
  case SL_MIN_CG: st = sl_min_cg_step(s); break;
  case SL_MIN_BFGS: st = sl_min_bfgs_step(s); break;
  case SL_MIN_LBFGS: st = sl_min_lbfgs_step(s); break;
  case SL_MIN_NEWTON_CG: st = sl_min_newton_cg_step(s); break;
  case SL_MIN_TRUST_NCG: st = sl_min_trust_ncg_step(s); break;
  default: st = sl_min_fail(s, SL_EINVAL, "unknown method");
  }
  if (st < 0) {
    s->status = st;
    if (s->msg[0] == '\0') {
      if (st == SL_ECALLBACK && s->o->msg[0])
        snprintf(s->msg, sizeof s->msg, "%s", s->o->msg);
      else if (s->info.ls_used && s->info.ls.reason[0])
        snprintf(s->msg, sizeof s->msg, "line search failed at iteration %ld: %s", s->nit + 1,
                 s->info.ls.reason);
      else if (s->o->msg[0])
        snprintf(s->msg, sizeof s->msg, "%s", s->o->msg);
      else
        snprintf(s->msg, sizeof s->msg, "%s", sl_status_string(st));
    }
    return st;
  }
  s->nit++;
  s->gnorm = sl_vec_nrminf(s->n, s->g);
  if (s->gnorm <= s->p.gtol)
    return sl_min_fail(s, SL_CONVERGED_GTOL, "converged: max|g| = %.3g <= gtol = %g", s->gnorm,
                       s->p.gtol);
  double fp = s->info.f_prev;
  int moved = s->p.method != SL_MIN_TRUST_NCG || s->info.accepted;
  if (moved && s->p.ftol > 0.0 && fp - s->f <= s->p.ftol * fmax(fmax(fabs(fp), fabs(s->f)), 1.0))
    return sl_min_fail(s, SL_CONVERGED_FTOL, "converged: relative decrease of f %.3g <= ftol = %g",
                       (fp - s->f) / fmax(fmax(fabs(fp), fabs(s->f)), 1.0), s->p.ftol);
  if (moved && s->p.xtol > 0.0 && s->info.step_norm <= s->p.xtol)
    return sl_min_fail(s, SL_CONVERGED_XTOL, "converged: max|step| = %.3g <= xtol = %g",
                       s->info.step_norm, s->p.xtol);
  s->status = SL_OK;
  return SL_OK;
}

sl_status sl_solver_run(sl_solver *s, long maxiter, sl_stopflag *stop) {
  if (sl_solver_converged_at_start(s)) return s->status;
  while (s->nit < maxiter) {
    if (SL_STOPPED(stop))
      return sl_min_fail(s, SL_EINTERRUPTED, "interrupted at iteration %ld", s->nit);
    sl_status st = sl_solver_step(s);
    if (st != SL_OK) return st;
  }
  return sl_min_fail(s, SL_MAXITER,
                     "stopped at maxiter = %ld iterations with max|g| = %.3g > gtol = %g", maxiter,
                     s->gnorm, s->p.gtol);
}

void sl_min_accept_trial(sl_solver *s) {
  s->last_decrease = s->f - s->t_f;
  sl_vec_copy(s->n, s->x, s->xt);
  sl_vec_copy(s->n, s->g, s->gt);
  s->f = s->t_f;
  s->t_valid = 0;
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
