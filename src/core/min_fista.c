/*
** min_fista.c — proximal gradient ("prox_gd", ISTA) and its accelerated form
** ("fista", Beck & Teboulle 2009) for F(x) = f(x) + h(x), h = sum_i
** lambda_i |x_i| (the prox is soft-thresholding) or a user's prox.
**
** One step from y (y = x for prox_gd; FISTA: y = x + (theta_k - 1) /
** theta_{k+1} (x - x_prev), theta_{k+1} = (1 + sqrt(1 + 4 theta_k^2)) / 2):
** x_t = prox_{t h}(y - t grad f(y)), accepted when f(x_t) <= f(y) + grad
** f(y)'(x_t - y) + |x_t - y|^2 / (2t) (Beck & Teboulle's backtracking,
** eq. 4.3 with eta = 2: t halves until it holds; t starts at 1 and never
** grows, so 1/t tracks a Lipschitz constant of grad f). FISTA restarts the
** momentum (theta = 1) when (y - x_t)'(x_t - x) > 0: the gradient scheme of
** O'Donoghue & Candes 2015, sec. 3.2 (adaptive_restart = false: never).
**
** gtol applies, with l1, to max_i of the minimum-norm subgradient of F at x
** (as owlqn); with a user's prox, to max_i |y - x_t| / t, the prox-gradient
** mapping of the last step (at x0 it is computed with t = 1).
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "min_prox.h"
#include "sl_mat.h"
#include "sl_minimize.h"
#include "sl_vec.h"

#define PROX_TRIALS 60 /* halvings of t before the step gives up */

typedef struct prox_mem {
  double *lam;    /* per-coordinate lambda_i (n) or NULL */
  double fs;      /* smooth f at x (s->f is F) */
  double t;       /* the step, 1/L */
  double theta;   /* FISTA's theta_k */
  double measure; /* the gtol measure at x */
  long restarts;  /* momentum restarts so far */
  double block[];
} prox_mem;

static const sl_min_params fista_defaults = {SL_MIN_SHARED_DEFAULTS, .adaptive_restart = 1};
static const sl_min_params prox_gd_defaults = {SL_MIN_SHARED_DEFAULTS};

static sl_status check(const sl_min_params *p, char *msg, size_t len) {
  if (!(p->l1 >= 0.0) || !isfinite(p->l1)) {
    snprintf(msg, len, "l1 must be a finite number >= 0, got %g", p->l1);
    return SL_EINVAL;
  }
  if (p->prox.fn && (p->l1 > 0.0 || p->l1w)) {
    snprintf(msg, len, "give l1 or prox, not both (a prox for f + l1 is soft-thresholding)");
    return SL_EINVAL;
  }
  if (p->l1 > 0.0 && p->l1w) {
    snprintf(msg, len, "give l1 as a number or as per-coordinate weights, not both");
    return SL_EINVAL;
  }
  return SL_OK;
}

static int accelerated(const sl_solver *s) { return s->m == &sl_min_fista; }

static sl_status init(sl_solver *s) {
  size_t n = s->p.l1w ? s->n : 0, bytes;
  if (sl_size_product(n, sizeof(double), &bytes) != SL_OK) return SL_ENOMEM;
  prox_mem *F = malloc(sizeof(prox_mem) + bytes);
  if (F == NULL) return SL_ENOMEM;
  F->lam = s->p.l1w ? F->block : NULL;
  if (F->lam) sl_vec_copy(n, F->lam, s->p.l1w);
  s->p.l1w = NULL; /* the caller's array need not outlive sl_solver_new */
  F->t = 1.0;
  F->theta = 1.0;
  F->restarts = 0;
  s->impl = F;
  return SL_OK;
}

static sl_l1 l1_of(const sl_solver *s) { return sl_l1_of(s, ((const prox_mem *)s->impl)->lam); }

/* x <- prox_{t h}(x): the user's, or soft-thresholding (nothing when h = 0). */
static sl_status prox(sl_solver *s, double *x, double t, char *msg, size_t len) {
  if (s->p.prox.fn) return sl_min_user_prox(&s->p, x, s->n, t, msg, len);
  sl_l1 l = l1_of(s);
  if (l.w || l.lam > 0.0) sl_l1_soft(l, s->n, x, t);
  return SL_OK;
}

/* F at x0 and the measure there (a user's prox: one call with t = 1). */
static sl_status start(sl_solver *s, char *msg, size_t len) {
  prox_mem *F = s->impl;
  size_t n = s->n;
  sl_status st = sl_l1_check_weights(F->lam, n, msg, len);
  if (st != SL_OK) return st;
  F->fs = s->f;
  if (s->p.prox.fn) {
    double *z = s->xt;
    for (size_t i = 0; i < n; i++) z[i] = s->x[i] - F->t * s->g[i];
    st = prox(s, z, F->t, msg, len);
    if (st < 0) return st;
    double m = 0.0;
    for (size_t i = 0; i < n; i++) m = fmax(m, fabs(s->x[i] - z[i]));
    F->measure = m / F->t;
  } else {
    s->f += sl_l1_value(l1_of(s), n, s->x);
    F->measure = sl_l1_measure(l1_of(s), n, s->x, s->g);
  }
  s->gnorm = F->measure;
  return SL_OK;
}

static double measure(const sl_solver *s) { return ((const prox_mem *)s->impl)->measure; }

/* y = x + beta (x - x_prev) with f and its gradient there (w[0], w[1]; the
   current ones when beta = 0). */
static sl_status extrapolate(sl_solver *s, double beta, double *fy) {
  prox_mem *F = s->impl;
  size_t n = s->n;
  double *y = s->w[0], *gy = s->w[1];
  const double *xp = s->w[2];
  if (beta == 0.0) {
    sl_vec_copy(n, y, s->x);
    sl_vec_copy(n, gy, s->g);
    *fy = F->fs;
    return SL_OK;
  }
  for (size_t i = 0; i < n; i++) y[i] = s->x[i] + beta * (s->x[i] - xp[i]);
  sl_status st = sl_obj_fg(s->o, y, fy, gy);
  if (st < 0) return st;
  if (!isfinite(*fy) || !sl_vec_isfinite(n, gy))
    return sl_min_fail(s, SL_ENONFINITE,
                       "f = %g or its gradient is not finite at the extrapolated point of "
                       "iteration %ld",
                       *fy, s->nit + 1);
  return SL_OK;
}

/* x_t = prox_{t h}(y - t gy), t halving until the quadratic bound holds. */
static sl_status backtrack(sl_solver *s, double fy, double *ft) {
  prox_mem *F = s->impl;
  size_t n = s->n;
  const double *y = s->w[0], *gy = s->w[1];
  char msg[sizeof s->msg];
  for (long k = 1; k <= PROX_TRIALS; k++) {
    double t = F->t;
    s->info.trials = k;
    for (size_t i = 0; i < n; i++) s->xt[i] = y[i] - t * gy[i];
    sl_status st = prox(s, s->xt, t, msg, sizeof msg);
    if (st < 0) return sl_min_fail(s, st, "%s", msg);
    st = sl_obj_fg(s->o, s->xt, ft, s->gt);
    if (st < 0) return st;
    double lin = 0.0, sq = 0.0;
    for (size_t i = 0; i < n; i++) {
      double di = s->xt[i] - y[i];
      lin += gy[i] * di;
      sq += di * di;
    }
    /* a relative slack of a few ulps: near the solution f(x_t) - f(y) is rounding */
    double bound = fy + lin + sq / (2.0 * t) + 8.0 * 2.2e-16 * fabs(fy);
    if (isfinite(*ft) && sl_vec_isfinite(n, s->gt) && *ft <= bound) return SL_OK;
    F->t = 0.5 * t;
  }
  return sl_min_fail(s, SL_ELINESEARCH,
                     "backtracking failed at iteration %ld: %d halvings of the step (now %.3g) "
                     "gave no sufficient decrease of f (does the gradient match f? "
                     "slope.check.grad compares them)",
                     s->nit + 1, PROX_TRIALS, F->t);
}

static sl_status step(sl_solver *s) {
  prox_mem *F = s->impl;
  size_t n = s->n;
  double beta = 0.0, fy, ft;
  double theta1 = F->theta;
  if (accelerated(s)) {
    theta1 = 0.5 * (1.0 + sqrt(1.0 + 4.0 * F->theta * F->theta));
    beta = (F->theta - 1.0) / theta1;
  }
  sl_status st = extrapolate(s, beta, &fy);
  if (st < 0) return st;
  st = backtrack(s, fy, &ft);
  if (st < 0) return st;
  const double *y = s->w[0], *gy = s->w[1];
  double *xp = s->w[2], t = F->t, restart = 0.0, snorm = 0.0, gm = 0.0, gd = 0.0;
  for (size_t i = 0; i < n; i++) {
    double dx = s->xt[i] - s->x[i], di = (s->xt[i] - y[i]) / t;
    restart += (y[i] - s->xt[i]) * dx;
    snorm = fmax(snorm, fabs(dx));
    gm = fmax(gm, fabs(di));
    s->d[i] = di; /* x_t = y + t d: d is minus the prox-gradient mapping */
    gd += gy[i] * di;
  }
  F->theta = theta1;
  if (accelerated(s) && s->p.adaptive_restart && restart > 0.0) {
    F->theta = 1.0;
    F->restarts++;
    s->info.restarted = 1;
  }
  s->info.a = t;
  s->info.gd = gd;
  s->info.step_norm = snorm;
  sl_vec_copy(n, xp, s->x);
  sl_vec_copy(n, s->x, s->xt);
  sl_vec_copy(n, s->g, s->gt);
  F->fs = ft;
  if (s->p.prox.fn) {
    s->f = ft;
    F->measure = gm;
  } else {
    s->f = ft + sl_l1_value(l1_of(s), n, s->x);
    F->measure = sl_l1_measure(l1_of(s), n, s->x, s->g);
  }
  s->last_decrease = s->info.f_prev - s->f;
  return SL_OK;
}

static void report(const sl_solver *s, const sl_min_visit *v) {
  const prox_mem *F = s->impl;
  v->num(v->ctx, "f_smooth", F->fs);
  v->integer(v->ctx, "nnz", (long)(s->n - sl_l1_zeros(s->n, s->x)));
  v->num(v->ctx, "lr", F->t);
  if (accelerated(s)) v->integer(v->ctx, "restarts", F->restarts);
}

static void info(const sl_solver *s, const sl_min_visit *v) {
  report(s, v);
  v->integer(v->ctx, "trials", s->info.trials);
}

/* the step t = 1/L, FISTA's theta and restarts, the weights */
static void state(const sl_solver *s, const sl_min_visit *v) {
  const prox_mem *F = s->impl;
  v->num(v->ctx, "lr", F->t);
  if (accelerated(s)) {
    v->num(v->ctx, "theta", F->theta);
    v->integer(v->ctx, "restarts", F->restarts);
  }
  if (F->lam)
    v->vec(v->ctx, "l1", F->lam, s->n);
  else if (!s->p.prox.fn)
    v->num(v->ctx, "l1", s->p.l1);
}

static const char *const fista_keys[] = {"l1", "prox", "adaptive_restart", NULL};
static const char *const prox_gd_keys[] = {"l1", "prox", NULL};
static const char *const fista_only[] = {"adaptive_restart", NULL};

#define PROX_METHOD(NAME, DEFAULTS, KEYS)                                                          \
  .name = NAME, .defaults = &DEFAULTS,                                                             \
  .flags = SL_MINF_DIRECTION | SL_MINF_COMPOSITE | SL_MINF_PROX, .keys = KEYS,                     \
  .no_linesearch = "it backtracks on the step of the proximal gradient (Beck & Teboulle)",         \
  .check = check, .init = init, .step = step, .state = state, .info = info, .start = start,        \
  .measure = measure, .report = report

const sl_min_method_ops sl_min_fista = {
    PROX_METHOD("fista", fista_defaults, fista_keys),
    .only = fista_only,
    .only_why = "momentum restarts",
    .gnorm_name = "max|G|",
};

const sl_min_method_ops sl_min_prox_gd = {
    PROX_METHOD("prox_gd", prox_gd_defaults, prox_gd_keys),
    .gnorm_name = "max|G|",
};
