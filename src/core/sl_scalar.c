/*
** sl_scalar.c — one-dimensional minimization (scipy's minimize_scalar):
** a downhill bracket search (golden-ratio expansion with a limited parabolic
** extrapolation, as scipy's bracket and Numerical Recipes' mnbrak), then
** Brent's method (Brent 1973, ch. 5: golden section with parabolic
** interpolation through the three best points, never closer than tol to a
** known point) or plain golden-section search; and Brent's method on a
** bounded interval (scipy's fminbound).
*/
#include "sl_scalar.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define GOLD       1.618033988749895  /* expansion ratio of the bracket search */
#define CGOLD      0.3819660112501051 /* (3 - sqrt 5) / 2 */
#define GROW_LIMIT 110.0              /* largest parabolic extrapolation (scipy) */
#define SQRT_EPS   1.4901161193847656e-08

void sl_scalar_defaults(sl_scalar_opts *o, sl_scalar_method m) {
  o->method = m;
  o->xtol = m == SL_SCALAR_BOUNDED ? 1e-5 : 1.48e-8;
  o->maxiter = m == SL_SCALAR_GOLDEN ? 5000 : 500;
  o->maxfev = 0;
}

sl_status sl_scalar_check(const sl_scalar_opts *o, char *msg, size_t len) {
#define BAD(...) return (snprintf(msg, len, __VA_ARGS__), SL_EINVAL)
  if (!isfinite(o->a) || !isfinite(o->b) || (o->nbracket == 3 && !isfinite(o->c)))
    BAD("%s must hold finite numbers", o->method == SL_SCALAR_BOUNDED ? "bounds" : "bracket");
  if (o->method == SL_SCALAR_BOUNDED) {
    if (!(o->a < o->b)) BAD("bounds = {lo, hi} needs lo < hi, got {%g, %g}", o->a, o->b);
  } else if (o->nbracket == 3) {
    if (!((o->a < o->b && o->b < o->c) || (o->a > o->b && o->b > o->c)))
      BAD("bracket = {a, b, c} needs b strictly between a and c, got {%g, %g, %g}", o->a, o->b,
          o->c);
  } else if (o->nbracket == 2) {
    if (o->a == o->b) BAD("bracket = {a, b} needs two different points, got a = b = %g", o->a);
  } else {
    BAD("bracket must have 2 or 3 points, got %d", o->nbracket);
  }
  if (!(o->xtol > 0.0) || !isfinite(o->xtol))
    BAD("%s must be a positive number, got %g", o->method == SL_SCALAR_BOUNDED ? "xatol" : "xtol",
        o->xtol);
  if (o->maxiter < 1) BAD("maxiter must be an integer >= 1, got %ld", o->maxiter);
  if (o->maxfev < 0) BAD("maxfev must be a non-negative integer, got %ld", o->maxfev);
  return SL_OK;
#undef BAD
}

typedef struct {
  sl_scalar_fn f;
  void *ctx;
  const sl_scalar_opts *o;
  sl_scalar_result *r;
} scal;

static sl_status fin(sl_scalar_result *r, sl_status st, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->msg, sizeof r->msg, fmt, ap);
  va_end(ap);
  r->status = st;
  return st;
}

/* f(x), counted, the best point kept; NaN counts as +inf. */
static sl_status eval(scal *s, double x, double *fx) {
  sl_scalar_result *r = s->r;
  if (SL_STOPPED(s->o->stop))
    return fin(r, SL_EINTERRUPTED, "interrupted after %ld evaluations", r->nfev);
  if (s->o->maxfev > 0 && r->nfev >= s->o->maxfev) {
    r->budget = 1;
    return fin(r, SL_MAXITER, "stopped after %ld evaluations (maxfev = %ld) at x = %.10g", r->nfev,
               s->o->maxfev, r->x);
  }
  sl_status st = s->f(s->ctx, x, fx);
  r->nfev++;
  if (st < 0) return fin(r, st, "%s", sl_status_string(st));
  if (isnan(*fx)) *fx = INFINITY;
  if (r->nfev == 1 || *fx < r->f) {
    r->x = x;
    r->f = *fx;
  }
  return SL_OK;
}

/* A triple xa, xb, xc with f(xb) below f(xa) and f(xc), downhill from (a, b). */
static sl_status bracket(scal *s, double *x, double *fx) {
  const sl_scalar_opts *o = s->o;
  double xa = o->a, xb = o->b, xc, fa, fb, fc, w, fw;
  sl_status st;
  if (o->nbracket == 3) {
    xc = o->c;
    if ((st = eval(s, xa, &fa)) || (st = eval(s, xb, &fb)) || (st = eval(s, xc, &fc))) return st;
    if (!(fb < fa && fb < fc))
      return fin(s->r, SL_EINVAL,
                 "bracket = {a, b, c} needs f(b) below f(a) and f(c), got f = %g, %g, %g (give "
                 "two points to search downhill for a bracket)",
                 fa, fb, fc);
    goto done;
  }
  if ((st = eval(s, xa, &fa)) || (st = eval(s, xb, &fb))) return st;
  if (fa < fb) { /* go downhill from a to b */
    double t = xa;
    xa = xb, xb = t, t = fa, fa = fb, fb = t;
  }
  xc = xb + GOLD * (xb - xa);
  if ((st = eval(s, xc, &fc))) return st;
  for (long it = 0; !(fc > fb); it++) {
    if (it >= 1000 || !isfinite(xc) || fabs(xc) > 1e300)
      return fin(s->r, SL_ELINESEARCH,
                 "no bracket found: f keeps decreasing downhill (last x = %g, f = %g); f may be "
                 "unbounded below, or give a bracket {a, b, c}",
                 xc, fc);
    if (fc == fb && fb == fa)
      return fin(s->r, SL_ELINESEARCH, "no bracket found: f is constant (%g) at %g, %g and %g", fb,
                 xa, xb, xc);
    /* the parabola through the three points, its step limited to GROW_LIMIT times the last */
    double t1 = (xb - xa) * (fb - fc), t2 = (xb - xc) * (fb - fa), val = t2 - t1;
    double den = fabs(val) < 1e-21 ? 2e-21 : 2.0 * val;
    w = xb - ((xb - xc) * t2 - (xb - xa) * t1) / den;
    double wlim = xb + GROW_LIMIT * (xc - xb);
    if ((w - xc) * (xb - w) > 0.0) { /* between b and c */
      if ((st = eval(s, w, &fw))) return st;
      if (fw < fc) {
        xa = xb, fa = fb, xb = w, fb = fw;
        break;
      }
      if (fw > fb) {
        xc = w, fc = fw;
        break;
      }
      w = xc + GOLD * (xc - xb);
      if ((st = eval(s, w, &fw))) return st;
    } else if ((w - wlim) * (wlim - xc) >= 0.0) { /* beyond the limit */
      w = wlim;
      if ((st = eval(s, w, &fw))) return st;
    } else if ((w - wlim) * (xc - w) > 0.0) { /* between c and the limit */
      if ((st = eval(s, w, &fw))) return st;
      if (fw < fc) {
        xb = xc, fb = fc, xc = w, fc = fw;
        w = xc + GOLD * (xc - xb);
        if ((st = eval(s, w, &fw))) return st;
      }
    } else {
      w = xc + GOLD * (xc - xb);
      if ((st = eval(s, w, &fw))) return st;
    }
    xa = xb, fa = fb, xb = xc, fb = fc, xc = w, fc = fw;
  }
done:
  x[0] = xa, x[1] = xb, x[2] = xc;
  fx[0] = fa, fx[1] = fb, fx[2] = fc;
  s->r->bracket[0] = xa, s->r->bracket[1] = xb, s->r->bracket[2] = xc;
  return SL_OK;
}

/* Brent's bookkeeping after evaluating f(u) = fu (Brent 1973, ch. 5, as
   scipy): [a, b] shrinks to the side of the better point, and x, w, v stay
   the best, second-best and previous w. Shared by brent and bounded. */
static void brent_keep(double u, double fu, double *a, double *b, double *x, double *fx, double *w,
                       double *fw, double *v, double *fv) {
  if (fu <= *fx) {
    if (u >= *x)
      *a = *x;
    else
      *b = *x;
    *v = *w, *fv = *fw, *w = *x, *fw = *fx, *x = u, *fx = fu;
  } else {
    if (u < *x)
      *a = u;
    else
      *b = u;
    if (fu <= *fw || *w == *x) {
      *v = *w, *fv = *fw, *w = u, *fw = fu;
    } else if (fu <= *fv || *v == *x || *v == *w) {
      *v = u, *fv = fu;
    }
  }
}

/* Brent 1973, ch. 5 (localmin) on the bracket [a, c] from its middle point b. */
static sl_status brent(scal *s, const double *br, const double *fbr) {
  sl_scalar_result *r = s->r;
  double a = fmin(br[0], br[2]), b = fmax(br[0], br[2]);
  double x = br[1], w = x, v = x, fx = fbr[1], fw = fx, fv = fx, d = 0.0, e = 0.0, u, fu;
  sl_status st;
  for (r->nit = 0; r->nit < s->o->maxiter; r->nit++) {
    double xm = 0.5 * (a + b), tol1 = s->o->xtol * fabs(x) + 1e-11, tol2 = 2.0 * tol1;
    if (fabs(x - xm) <= tol2 - 0.5 * (b - a))
      return fin(r, SL_CONVERGED_XTOL,
                 "converged: the bracket [%.10g, %.10g] is within xtol = %g (relative) of x", a, b,
                 s->o->xtol);
    int golden = 1;
    if (fabs(e) > tol1) { /* a parabola through x, w, v */
      double t1 = (x - w) * (fx - fv), t2 = (x - v) * (fx - fw);
      double p = (x - v) * t2 - (x - w) * t1, q = 2.0 * (t2 - t1);
      if (q > 0.0) p = -p;
      q = fabs(q);
      double etemp = e;
      /* accepted when inside (a, b) and less than half the step before last */
      if (fabs(p) < fabs(0.5 * q * etemp) && p > q * (a - x) && p < q * (b - x)) {
        e = d;
        d = p / q;
        u = x + d;
        if (u - a < tol2 || b - u < tol2) d = xm >= x ? tol1 : -tol1;
        golden = 0;
      }
    }
    if (golden) {
      e = x >= xm ? a - x : b - x;
      d = CGOLD * e;
    }
    u = fabs(d) >= tol1 ? x + d : x + (d >= 0.0 ? tol1 : -tol1);
    if ((st = eval(s, u, &fu))) return st;
    brent_keep(u, fu, &a, &b, &x, &fx, &w, &fw, &v, &fv);
  }
  return fin(r, SL_MAXITER, "stopped at maxiter = %ld iterations (bracket [%.10g, %.10g])",
             s->o->maxiter, a, b);
}

/* Golden-section search on the bracket, keeping the lower interior point. */
static sl_status golden(scal *s, const double *br, const double *fbr) {
  sl_scalar_result *r = s->r;
  double x0 = br[0], x3 = br[2], x1, x2, f1, f2;
  sl_status st;
  if (fabs(br[2] - br[1]) > fabs(br[1] - br[0])) {
    x1 = br[1], f1 = fbr[1];
    x2 = br[1] + CGOLD * (br[2] - br[1]);
    if ((st = eval(s, x2, &f2))) return st;
  } else {
    x2 = br[1], f2 = fbr[1];
    x1 = br[1] - CGOLD * (br[1] - br[0]);
    if ((st = eval(s, x1, &f1))) return st;
  }
  for (r->nit = 0; r->nit < s->o->maxiter; r->nit++) {
    if (fabs(x3 - x0) <= s->o->xtol * (fabs(x1) + fabs(x2)))
      return fin(r, SL_CONVERGED_XTOL,
                 "converged: the bracket [%.10g, %.10g] is within xtol = %g (relative)",
                 fmin(x0, x3), fmax(x0, x3), s->o->xtol);
    if (f2 < f1) {
      x0 = x1, x1 = x2, f1 = f2;
      x2 = (1.0 - CGOLD) * x1 + CGOLD * x3;
      if ((st = eval(s, x2, &f2))) return st;
    } else {
      x3 = x2, x2 = x1, f2 = f1;
      x1 = (1.0 - CGOLD) * x2 + CGOLD * x0;
      if ((st = eval(s, x1, &f1))) return st;
    }
  }
  return fin(r, SL_MAXITER, "stopped at maxiter = %ld iterations (bracket [%.10g, %.10g])",
             s->o->maxiter, fmin(x0, x3), fmax(x0, x3));
}

/* Brent's method on [lo, hi] (scipy's fminbound): tol1 = sqrt(eps)|x| + xatol/3. */
static sl_status bounded(scal *s) {
  sl_scalar_result *r = s->r;
  double a = s->o->a, b = s->o->b, x = a + CGOLD * (b - a), fx, u, fu;
  sl_status st;
  if ((st = eval(s, x, &fx))) return st;
  double w = x, v = x, fw = fx, fv = fx, d = 0.0, e = 0.0;
  for (r->nit = 0; r->nit < s->o->maxiter; r->nit++) {
    double xm = 0.5 * (a + b), tol1 = SQRT_EPS * fabs(x) + s->o->xtol / 3.0, tol2 = 2.0 * tol1;
    if (fabs(x - xm) <= tol2 - 0.5 * (b - a))
      return fin(r, SL_CONVERGED_XTOL,
                 "converged: x is within xatol = %g of the minimizer in [%.10g, %.10g]", s->o->xtol,
                 a, b);
    int golden_step = 1;
    if (fabs(e) > tol1) {
      double t1 = (x - w) * (fx - fv), t2 = (x - v) * (fx - fw);
      double p = (x - v) * t2 - (x - w) * t1, q = 2.0 * (t2 - t1);
      if (q > 0.0) p = -p;
      q = fabs(q);
      double etemp = e;
      if (fabs(p) < fabs(0.5 * q * etemp) && p > q * (a - x) && p < q * (b - x)) {
        e = d;
        d = p / q;
        u = x + d;
        if (u - a < tol2 || b - u < tol2) d = xm >= x ? tol1 : -tol1;
        golden_step = 0;
      }
    }
    if (golden_step) {
      e = x >= xm ? a - x : b - x;
      d = CGOLD * e;
    }
    u = x + (fabs(d) >= tol1 ? d : (d >= 0.0 ? tol1 : -tol1));
    if ((st = eval(s, u, &fu))) return st;
    brent_keep(u, fu, &a, &b, &x, &fx, &w, &fw, &v, &fv);
  }
  return fin(r, SL_MAXITER, "stopped at maxiter = %ld iterations (interval [%.10g, %.10g])",
             s->o->maxiter, a, b);
}

sl_status sl_minimize_scalar(const sl_scalar_opts *o, sl_scalar_fn f, void *ctx,
                             sl_scalar_result *r) {
  memset(r, 0, sizeof *r);
  r->x = r->f = NAN;
  if (sl_scalar_check(o, r->msg, sizeof r->msg) != SL_OK) return r->status = SL_EINVAL;
  scal s = {f, ctx, o, r};
  if (o->method == SL_SCALAR_BOUNDED) return bounded(&s);
  double br[3] = {0, 0, 0}, fbr[3] = {0, 0, 0};
  sl_status st = bracket(&s, br, fbr);
  if (st != SL_OK) return st;
  return o->method == SL_SCALAR_GOLDEN ? golden(&s, br, fbr) : brent(&s, br, fbr);
}
