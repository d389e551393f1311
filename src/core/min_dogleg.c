/*
** min_dogleg.c — the trust-region dogleg method (Powell 1970; Nocedal &
** Wright, 2nd ed., sec. 4.1, within Alg. 4.1): with B the dense Hessian, the
** step is the full Newton step -B^{-1} g when it fits the radius, else the
** point where the path from the Cauchy point -(g'g / g'Bg) g to the Newton
** step meets the boundary (or -radius g/|g| when the Cauchy point is outside).
** The dogleg needs B positive definite: where H is not, B = H + tau I from
** Alg. 3.3 (info.tau > 0 says so). Refused above SL_MIN_DENSE_MAXDIM.
*/
#include <math.h>
#include <stdio.h>

#include "sl_minimize.h"
#include "sl_vec.h"

typedef struct dogleg_mem {
  double radius; /* the trust radius */
  int fresh;     /* m->l factors B at the current x (a rejected step keeps it) */
} dogleg_mem;

static const sl_min_params defaults = {SL_MIN_SHARED_DEFAULTS, .radius0 = 1.0, .max_radius = 1000.0,
                                       .eta = 0.15};

static dogleg_mem *mem(const sl_solver *s) {
  return (dogleg_mem *)(void *)((sl_min_dense *)s->impl + 1);
}

static sl_status init(sl_solver *s) {
  sl_status st = sl_min_dense_init(s, sizeof(dogleg_mem));
  if (st != SL_OK) return st;
  mem(s)->radius = s->p.radius0;
  mem(s)->fresh = 0;
  return SL_OK;
}

/* Bv = (H + tau I) v */
static void bmul(const sl_solver *s, const sl_min_dense *m, const double *v, double *out) {
  size_t n = s->n;
  for (size_t i = 0; i < n; i++) {
    double acc = m->tau * v[i];
    for (size_t j = 0; j < n; j++) acc += m->h[i * n + j] * v[j];
    out[i] = acc;
  }
}

/* The dogleg step into s->d; *boundary when it ends on the boundary. Scratch:
   pB = w2, pU = w3, Bv = w1. */
static void dogleg(sl_solver *s, sl_min_dense *m, double radius, int *boundary) {
  size_t n = s->n;
  double *pb = s->w[2], *pu = s->w[3], *bv = s->w[1];
  sl_min_dense_solve(s, m, pb);
  *boundary = 0;
  if (sl_vec_nrm2(n, pb) <= radius) {
    sl_vec_copy(n, s->d, pb);
    s->info.inner_stop = "newton";
    return;
  }
  *boundary = 1;
  bmul(s, m, s->g, bv);
  double gg = sl_vec_dot(n, s->g, s->g), gbg = sl_vec_dot(n, s->g, bv);
  double gn = sqrt(gg);
  if (!(gbg > 0.0) || gg / gbg * gn >= radius) { /* the Cauchy point is outside: -radius g/|g| */
    for (size_t i = 0; i < n; i++) s->d[i] = -radius * s->g[i] / gn;
    s->info.inner_stop = "cauchy";
    return;
  }
  for (size_t i = 0; i < n; i++) pu[i] = -(gg / gbg) * s->g[i];
  /* |pU + t (pB - pU)| = radius, t in [0, 1] (N&W eq. 4.16 with tau = 1 + t) */
  double aa = 0.0, ab = 0.0, bb = 0.0;
  for (size_t i = 0; i < n; i++) {
    double di = pb[i] - pu[i];
    aa += di * di;
    ab += pu[i] * di;
    bb += pu[i] * pu[i];
  }
  double disc = ab * ab - aa * (bb - radius * radius);
  double t = aa > 0.0 ? (-ab + sqrt(fmax(disc, 0.0))) / aa : 0.0;
  t = fmin(fmax(t, 0.0), 1.0);
  for (size_t i = 0; i < n; i++) s->d[i] = pu[i] + t * (pb[i] - pu[i]);
  s->info.inner_stop = "dogleg";
}

static sl_status step(sl_solver *s) {
  size_t n = s->n;
  sl_min_dense *m = s->impl;
  dogleg_mem *t = mem(s);
  sl_status st;
  if (!t->fresh) {
    if ((st = sl_min_dense_hessian(s, m)) < 0) return st;
    if ((st = sl_min_dense_modchol(s, m)) < 0) return st;
    t->fresh = 1;
  }
  double radius = t->radius;
  int boundary;
  s->info.radius = radius;
  s->info.tau = m->tau;
  dogleg(s, m, radius, &boundary);
  /* predicted change q = g'p + p'Bp / 2, actual from f at x + p (Alg. 4.1) */
  bmul(s, m, s->d, s->w[1]);
  double q = sl_vec_dot(n, s->g, s->d) + 0.5 * sl_vec_dot(n, s->d, s->w[1]);
  for (size_t i = 0; i < n; i++) s->xt[i] = s->x[i] + s->d[i];
  double ft;
  s->o->msg[0] = '\0';
  if ((st = sl_obj_fg(s->o, s->xt, &ft, s->gt)) < 0) return st;
  double tiny = 1e-14 * fmax(1.0, fabs(s->f)), rho, pnorm = sl_vec_nrm2(n, s->d);
  if (!isfinite(ft) || !sl_vec_isfinite(n, s->gt))
    rho = -INFINITY;
  else if (-q <= tiny) /* a predicted decrease at rounding level: judge by f and |g| */
    rho = (ft <= s->f + tiny && sl_vec_nrminf(n, s->gt) < s->gnorm) ? 1.0 : -1.0;
  else
    rho = (ft - s->f) / q;
  s->info.rho = rho;
  if (rho < 0.25)
    t->radius = 0.25 * fmin(radius, pnorm);
  else if (rho > 0.75 && boundary)
    t->radius = fmin(2.0 * radius, s->p.max_radius);
  if (rho > s->p.eta) {
    s->info.step_norm = sl_vec_nrminf(n, s->d);
    s->t_f = ft;
    sl_min_accept_trial(s);
    s->info.accepted = 1;
    s->info.a = 1.0;
    t->fresh = 0;
  }
  if (!(t->radius > 1e-15 * fmax(1.0, sl_vec_nrm2(n, s->x))))
    return sl_min_fail(s, SL_ELINESEARCH,
                       "the trust radius shrank to %g without an acceptable step "
                       "(the quadratic model does not predict f near x)",
                       t->radius);
  return SL_OK;
}

static void state(const sl_solver *s, const sl_min_visit *v) {
  v->num(v->ctx, "radius", mem(s)->radius);
}

static void info(const sl_solver *s, const sl_min_visit *v) {
  v->num(v->ctx, "radius", s->info.radius);
  v->num(v->ctx, "rho", s->info.rho);
  v->boolean(v->ctx, "accepted", s->info.accepted);
  v->num(v->ctx, "tau", s->info.tau);
  v->string(v->ctx, "inner_stop", s->info.inner_stop);
}

static const char *const keys[] = {"radius", "max_radius", "eta", NULL};

const sl_min_method_ops sl_min_dogleg = {
    .name = "dogleg",
    .defaults = &defaults,
    .flags = SL_MINF_DIRECTION | SL_MINF_MAYSTAY,
    .keys = keys,
    .no_linesearch = "it uses a trust region",
    .check = sl_min_check_trust,
    .init = init,
    .step = step,
    .state = state,
    .info = info,
    .max_dim = SL_MIN_DENSE_MAXDIM,
    .max_dim_why = "it forms and factors the dense Hessian; trust_ncg is the trust region with "
                   "Hessian-vector products only",
    .keys_doc = "dogleg (trust-region dogleg, Nocedal & Wright sec. 4.1, on the dense Hessian "
                "from dim Hessian-vector products; where H is not positive definite it uses "
                "H + tau I, Alg. 3.3, and info.tau says so; refused above dim = 2000): radius = "
                "1, max_radius = 1000 and eta = 0.15 as trust_ncg; info.inner_stop is \"newton\", "
                "\"dogleg\" or \"cauchy\".",
};
