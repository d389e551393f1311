/*
** sl_minimize.c — the solver shell shared by every method: parameters,
** allocation, one step with the tests after it, and the run loop with its
** progress callback (liblbfgs's) and budgets (NLopt's stopping struct).
** The methods themselves are rows of sl_min_methods[] (min_methods.c).
*/
#include "sl_minimize.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "min_bounds.h"
#include "sl_mat.h"
#include "sl_residuals.h"
#include "sl_vec.h"

static const char *const beta_names[] = {"fr", "pr+", "hz"};

const char *sl_min_name(sl_min_method m) { return m ? m->name : "unknown"; }

sl_min_method sl_min_method_from_name(const char *name) {
  for (const sl_min_method_ops *const *m = sl_min_methods; *m; m++)
    if (strcmp((*m)->name, name) == 0) return *m;
  return NULL;
}

const char *sl_cg_beta_name(sl_cg_beta b) {
  return (b >= SL_CG_FR && b <= SL_CG_HZ) ? beta_names[b] : "unknown";
}

void sl_min_defaults(sl_min_params *p, sl_min_method method) {
  *p = *method->defaults;
  p->method = method;
  sl_ls_defaults(&p->ls, SL_LS_STRONG_WOLFE);
  if (method->ls_c2 > 0.0) p->ls.c2 = method->ls_c2;
}

sl_status sl_min_check_trust(const sl_min_params *p, char *msg, size_t len) {
#define BAD(...) return (snprintf(msg, len, __VA_ARGS__), SL_EINVAL)
  if (!(p->radius0 > 0.0) || !isfinite(p->radius0))
    BAD("radius must be a positive number, got %g", p->radius0);
  if (!(p->max_radius >= p->radius0) || !isfinite(p->max_radius))
    BAD("max_radius must be a number >= radius, got %g", p->max_radius);
  if (!(p->eta >= 0.0 && p->eta < 0.25)) BAD("eta must be in [0, 0.25), got %g", p->eta);
  return SL_OK;
#undef BAD
}

sl_status sl_min_check(const sl_min_params *p, char *msg, size_t len) {
#define BAD(...) return (snprintf(msg, len, __VA_ARGS__), SL_EINVAL)
  if (p->method == NULL) BAD("no method");
  if (!(p->gtol >= 0.0) || !isfinite(p->gtol))
    BAD("gtol must be a non-negative number, got %g", p->gtol);
  if (!(p->ftol >= 0.0) || !isfinite(p->ftol))
    BAD("ftol must be a non-negative number, got %g", p->ftol);
  if (!(p->xtol >= 0.0) || !isfinite(p->xtol))
    BAD("xtol must be a non-negative number, got %g", p->xtol);
  if (p->maxiter < 0) BAD("maxiter must be a non-negative integer, got %ld", p->maxiter);
  if (p->maxfev < 0) BAD("maxfev must be a non-negative integer, got %ld", p->maxfev);
  if (!(p->maxtime >= 0.0) || !isfinite(p->maxtime))
    BAD("maxtime must be a non-negative number, got %g", p->maxtime);
  if ((p->lower || p->upper) && !(p->method->flags & SL_MINF_BOUNDS))
    BAD("method %s takes no bounds (%s)", p->method->name,
        p->method->no_bounds ? p->method->no_bounds
                             : "use method = \"lbfgsb\", \"gd\" or \"newton_cg\"");
#undef BAD
  if (p->lower || p->upper) {
    sl_status st = sl_bounds_check(p, msg, len);
    if (st != SL_OK) return st;
  }
  if (p->method->check) {
    sl_status st = p->method->check(p, msg, len);
    if (st != SL_OK) return st;
  }
  return sl_ls_check(&p->ls, msg, len);
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
  if (s == NULL || s->impl == NULL) return;
  if (s->m->release)
    s->m->release(s);
  else
    free(s->impl);
  s->impl = NULL;
}

void sl_solver_free(sl_solver *s) {
  if (s == NULL) return;
  sl_solver_release(s);
  free(s->x);
  free(s);
}

/* The solver and its vectors x, g, d, xt, gt, w[0..3] (one block), x = x0;
   with bounds also lo, hi (their copies) and x0 projected into the box. */
static sl_solver *alloc_solver(sl_objective *o, const double *x0, const sl_min_params *p) {
  size_t n = o->dim, nn = n ? n : 1, tot;
  int bounded = p->lower || p->upper;
  if (sl_size_product(bounded ? 11 : 9, nn, &tot) != SL_OK) return NULL;
  sl_solver *s = calloc(1, sizeof *s);
  if (s == NULL) return NULL;
  s->x = calloc(tot, sizeof(double));
  if (s->x == NULL) {
    free(s);
    return NULL;
  }
  s->p = *p;
  s->m = p->method;
  s->o = o;
  s->n = n;
  s->g = s->x + nn;
  s->d = s->g + nn;
  s->xt = s->d + nn;
  s->gt = s->xt + nn;
  for (int k = 0; k < 4; k++) s->w[k] = s->gt + (size_t)(k + 1) * nn;
  sl_vec_copy(n, s->x, x0);
  if (bounded) {
    s->lo = s->w[3] + nn;
    s->hi = s->lo + nn;
    for (size_t i = 0; i < n; i++) {
      s->lo[i] = p->lower ? p->lower[i] : -HUGE_VAL;
      s->hi[i] = p->upper ? p->upper[i] : HUGE_VAL;
    }
    s->p.lower = s->lo;
    s->p.upper = s->hi;
    s->x0_projected = sl_bounds_project(n, s->x, s->lo, s->hi);
  }
  return s;
}

/* The gtol measure: the method's own (composite methods), with bounds the
   projected gradient's max|P(x - g) - x|, else max|g_i|; gname names it. */
static double grad_norm(const sl_solver *s) {
  if (s->m->measure) return s->m->measure(s);
  return s->lo ? sl_bounds_pgnorm(s->n, s->x, s->g, s->lo, s->hi) : sl_vec_nrminf(s->n, s->g);
}

/* f and g at the start, which must be finite. */
static sl_status first_eval(sl_solver *s, char *msg, size_t len) {
  s->o->msg[0] = '\0';
  int nograd = (s->m->flags & SL_MINF_NOGRAD) != 0;
  sl_status st = sl_obj_fg(s->o, s->x, &s->f, nograd ? NULL : s->g);
  if (st < 0) {
    snprintf(msg, len, "%s", s->o->msg[0] ? s->o->msg : sl_status_string(st));
    return st;
  }
  if (!isfinite(s->f) || (!nograd && !sl_vec_isfinite(s->n, s->g))) {
    snprintf(msg, len,
             "f(x0) = %g or its gradient is not finite: start from a point where f is defined",
             s->f);
    return SL_ENONFINITE;
  }
  if (nograd) {
    sl_vec_fill(s->n, s->g, NAN); /* never evaluated */
    s->gnorm = NAN;
    return SL_OK;
  }
  s->gnorm = grad_norm(s);
  return s->m->start ? s->m->start(s, msg, len) : SL_OK;
}

sl_solver *sl_solver_new_stepper(sl_objective *o, const double *x0, const sl_min_params *p,
                                 const sl_min_stepper *stepper, sl_status *st, char *msg,
                                 size_t len) {
  *st = sl_min_check(p, msg, len);
  if (*st != SL_OK) return NULL;
  if ((p->method->flags & SL_MINF_STEPPER) && (stepper == NULL || stepper->step == NULL)) {
    snprintf(msg, len, "method %s needs an optimizer to step", p->method->name);
    *st = SL_EINVAL;
    return NULL;
  }
  if ((p->lower || p->upper) && p->nbounds != o->dim) {
    snprintf(msg, len, "the bounds have %zu entries, the objective's dimension is %zu", p->nbounds,
             o->dim);
    *st = SL_EINVAL;
    return NULL;
  }
  if (p->method->max_dim && o->dim > p->method->max_dim) {
    snprintf(msg, len, "method %s is refused above dim = %zu (dim = %zu): %s", p->method->name,
             p->method->max_dim, o->dim,
             p->method->max_dim_why ? p->method->max_dim_why : "too large");
    *st = SL_EINVAL;
    return NULL;
  }
  sl_solver *s = alloc_solver(o, x0, p);
  if (s && stepper) s->stepper = *stepper;
  sl_status ist = SL_OK;
  if (s && p->method->init && (ist = p->method->init(s)) == SL_EINVAL) { /* refused, with s->msg */
    snprintf(msg, len, "%s", s->msg);
    sl_solver_free(s);
    *st = SL_EINVAL;
    return NULL;
  }
  if (s == NULL || ist != SL_OK) {
    sl_solver_free(s);
    *st = SL_ENOMEM;
    snprintf(msg, len, "out of memory for a %s solver of dimension %zu", sl_min_name(p->method),
             o->dim);
    return NULL;
  }
  s->nfev0 = o->nfev;
  s->ngev0 = o->ngev;
  s->nhvp0 = o->nhvp;
  s->njev0 = sl_obj_is_residual(o) ? sl_res_njev(o) : 0;
  *st = first_eval(s, msg, len);
  if (*st != SL_OK) {
    sl_solver_free(s);
    return NULL;
  }
  s->status = SL_OK;
  return s;
}

sl_solver *sl_solver_new(sl_objective *o, const double *x0, const sl_min_params *p, sl_status *st,
                         char *msg, size_t len) {
  return sl_solver_new_stepper(o, x0, p, NULL, st, msg, len);
}

unsigned long sl_solver_nfev(const sl_solver *s) { return s->o->nfev - s->nfev0; }
unsigned long sl_solver_ngev(const sl_solver *s) { return s->o->ngev - s->ngev0; }
unsigned long sl_solver_nhvp(const sl_solver *s) { return s->o->nhvp - s->nhvp0; }
unsigned long sl_solver_njev(const sl_solver *s) {
  return sl_obj_is_residual(s->o) ? sl_res_njev(s->o) - s->njev0 : 0;
}

long sl_min_inner_budget(const sl_solver *s) {
  return s->p.inner_maxiter > 0 ? s->p.inner_maxiter : 20 * (long)(s->n ? s->n : 1);
}

double sl_min_forcing(const sl_solver *s) {
  double gn = sl_vec_nrm2(s->n, s->g);
  return fmin(0.5, sqrt(gn)) * gn;
}

void sl_min_state(const sl_solver *s, const sl_min_visit *v) {
  if (s->m->state) s->m->state(s, v);
}

void sl_min_info(const sl_solver *s, const sl_min_visit *v) {
  if (s->m->info) s->m->info(s, v);
}

void sl_min_report(const sl_solver *s, const sl_min_visit *v) {
  if (s->m->report) s->m->report(s, v);
}

/* What gnorm measures, for messages ("max|g|", or a composite method's). */
static const char *gname(const sl_solver *s) {
  if (s->m->gnorm_name) return s->m->gnorm_name;
  return s->lo ? "max|proj g|" : "max|g|";
}

/* ---- stepping --------------------------------------------------------------- */

int sl_solver_converged_at_start(sl_solver *s) {
  if (!(s->m->flags & (SL_MINF_OWNTOL | SL_MINF_NOGRAD)) && s->gnorm <= s->p.gtol) {
    sl_min_fail(s, SL_CONVERGED_GTOL, "converged: %s = %.3g <= gtol = %g at the start", gname(s),
                s->gnorm, s->p.gtol);
    return 1;
  }
  return 0;
}

/* A failed step's status in words, from what knows most: the objective's
   callback, the line search, the objective. */
static sl_status step_failed(sl_solver *s, sl_status st) {
  s->status = st;
  if (s->msg[0] != '\0') return st;
  if (st == SL_ECALLBACK && s->o->msg[0])
    snprintf(s->msg, sizeof s->msg, "%s", s->o->msg);
  else if (s->info.ls_used && s->info.ls.reason[0])
    snprintf(s->msg, sizeof s->msg, "line search failed at iteration %ld: %s", s->nit + 1,
             s->info.ls.reason);
  else if (s->o->msg[0])
    snprintf(s->msg, sizeof s->msg, "%s", s->o->msg);
  else
    snprintf(s->msg, sizeof s->msg, "%s", sl_status_string(st));
  return st;
}

/* The tests after a step: finite values, gtol, then (when x moved) ftol and xtol. */
static sl_status after_step(sl_solver *s) {
  int nograd = (s->m->flags & SL_MINF_NOGRAD) != 0;
  if (!isfinite(s->f) || (!nograd && !sl_vec_isfinite(s->n, s->g)))
    return sl_min_fail(s, SL_ENONFINITE, "f = %g or its gradient is not finite after step %ld",
                       s->f, s->nit);
  if (!nograd) s->gnorm = grad_norm(s);
  if (s->m->flags & SL_MINF_OWNTOL) return s->status = SL_OK;
  if (!nograd && s->gnorm <= s->p.gtol)
    return sl_min_fail(s, SL_CONVERGED_GTOL, "converged: %s = %.3g <= gtol = %g", gname(s),
                       s->gnorm, s->p.gtol);
  double fp = s->info.f_prev;
  int moved = !(s->m->flags & SL_MINF_MAYSTAY) || s->info.accepted;
  double scale = fmax(fmax(fabs(fp), fabs(s->f)), 1.0);
  if (moved && s->p.ftol > 0.0 && fp - s->f <= s->p.ftol * scale)
    return sl_min_fail(s, SL_CONVERGED_FTOL, "converged: relative decrease of f %.3g <= ftol = %g",
                       (fp - s->f) / scale, s->p.ftol);
  if (moved && s->p.xtol > 0.0 && s->info.step_norm <= s->p.xtol)
    return sl_min_fail(s, SL_CONVERGED_XTOL, "converged: max|step| = %.3g <= xtol = %g",
                       s->info.step_norm, s->p.xtol);
  s->status = SL_OK;
  return SL_OK;
}

sl_status sl_solver_step(sl_solver *s) {
  memset(&s->info, 0, sizeof s->info);
  s->info.f_prev = s->f;
  s->info.inner_stop = "";
  s->msg[0] = '\0';
  s->stop = SL_STOP_NONE;
  sl_status st = s->m->step(s);
  if (st < 0) return step_failed(s, st);
  /* composite methods return a stop before moving (owlqn at rounding; s->msg set) */
  if (st > 0 && (s->m->flags & SL_MINF_COMPOSITE)) return s->status = st;
  s->nit++;
  /* a method's own stop (SL_MINF_OWNTOL: lm; SL_MINF_NOGRAD: nelder_mead), s->msg set */
  if (st > 0 && (st != SL_MAXITER || (s->m->flags & SL_MINF_OWNTOL)) && isfinite(s->f)) {
    s->status = st;
    return st;
  }
  return after_step(s);
}

/* ---- the run loop ------------------------------------------------------------- */

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void sl_min_run_init(sl_min_run *r, const sl_solver *s) {
  memset(r, 0, sizeof *r);
  r->maxiter = s->p.maxiter;
  r->maxfev = s->p.maxfev;
  r->maxtime = s->p.maxtime;
}

static sl_status stopped(sl_solver *s, sl_min_stop why, sl_status st, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(s->msg, sizeof s->msg, fmt, ap);
  va_end(ap);
  s->stop = why;
  s->status = st;
  return st;
}

/* " with max|g| = 0.01" (" with f = 3.2" for a method without gradients) */
static const char *where(const sl_solver *s, char *buf, size_t len) {
  if (s->m->flags & SL_MINF_NOGRAD)
    snprintf(buf, len, " with f = %.6g", s->f);
  else
    snprintf(buf, len, " with %s = %.3g", gname(s), s->gnorm);
  return buf;
}

/* The tests before a step: maxiter, maxfev, maxtime, the stop flag. SL_OK: step. */
static sl_status budget(sl_solver *s, const sl_min_run *r, long nit0, double t0) {
  char w[64];
  if (s->nit >= r->maxiter) {
    if (s->nit == nit0 && nit0 > 0)
      return stopped(
          s, SL_STOP_NONE, SL_MAXITER,
          "maxiter = %ld was already reached (nit = %ld): give a larger maxiter to go on",
          r->maxiter, s->nit);
    if (s->m->flags & SL_MINF_NOGRAD)
      return stopped(s, SL_STOP_NONE, SL_MAXITER, "stopped at maxiter = %ld iterations%s",
                     r->maxiter, where(s, w, sizeof w));
    return stopped(s, SL_STOP_NONE, SL_MAXITER,
                   "stopped at maxiter = %ld iterations with %s = %.3g > gtol = %g", r->maxiter,
                   gname(s), s->gnorm, s->p.gtol);
  }
  if (r->maxfev > 0 && sl_solver_nfev(s) >= (unsigned long)r->maxfev)
    return stopped(s, SL_STOP_MAXFEV, SL_MAXITER,
                   "stopped after %lu evaluations (maxfev = %ld) at iteration %ld%s",
                   sl_solver_nfev(s), r->maxfev, s->nit, where(s, w, sizeof w));
  if (r->maxtime > 0) {
    double t = now() - t0;
    if (t >= r->maxtime)
      return stopped(s, SL_STOP_MAXTIME, SL_MAXITER,
                     "stopped after %.3g s (maxtime = %g) at iteration %ld%s", t, r->maxtime,
                     s->nit, where(s, w, sizeof w));
  }
  if (SL_STOPPED(r->stop))
    return stopped(s, SL_STOP_FLAG, SL_EINTERRUPTED, "interrupted at iteration %ld", s->nit);
  return SL_OK;
}

sl_status sl_solver_run_with(sl_solver *s, const sl_min_run *r) {
  long nit0 = s->nit;
  double t0 = now();
  s->stop = SL_STOP_NONE;
  if (sl_solver_converged_at_start(s)) return s->status;
  for (;;) {
    sl_status st = budget(s, r, nit0, t0);
    if (st != SL_OK) return st;
    st = sl_solver_step(s);
    if (r->progress) {
      sl_min_progress_info it = {s->nit, s->f, s->gnorm, s->info.a, s->x, s->g, s->n, st};
      int cancel = r->progress(r->ud, s, &it);
      if (cancel && st == SL_OK)
        return stopped(s, SL_STOP_CALLBACK, SL_MAXITER, "stopped by the callback at iteration %ld",
                       s->nit);
    }
    if (st != SL_OK) return st;
  }
}

sl_status sl_solver_run(sl_solver *s, long maxiter, sl_stopflag *stop) {
  sl_min_run r;
  sl_min_run_init(&r, s);
  r.maxiter = maxiter;
  r.stop = stop;
  return sl_solver_run_with(s, &r);
}

const char *sl_solver_status_name(const sl_solver *s) {
  switch (s->stop) {
  case SL_STOP_MAXFEV: return "maxfev";
  case SL_STOP_MAXTIME: return "maxtime";
  case SL_STOP_CALLBACK: return "callback";
  default: return sl_status_name(s->status);
  }
}
