/*
** min_trust_ncg.c — the Steihaug-Toint trust-region Newton-CG: CG on the
** quadratic model inside the radius (N&W Alg. 7.2) within the trust-region
** loop of Alg. 4.1, with a Lanczos escape along negative curvature near a
** saddle. Inner CG to the forcing tolerance eps = min(0.5, sqrt|g|) |g|; the
** inner HVPs, all at x, run inside an sl_obj_hvp_begin window.
*/
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "sl_mat.h"
#include "sl_minimize.h"
#include "sl_vec.h"

typedef struct trust_mem {
  double radius;   /* the trust radius */
  int tr_rejected; /* the last step was rejected */
  double V[];      /* SL_LANCZOS_K Lanczos vectors (negative-curvature escape) */
} trust_mem;

static const sl_min_params defaults = {SL_MIN_SHARED_DEFAULTS, .radius0 = 1.0, .max_radius = 1000.0,
                                       .eta = 0.15};

static sl_status check(const sl_min_params *p, char *msg, size_t len) {
#define BAD(...) return (snprintf(msg, len, __VA_ARGS__), SL_EINVAL)
  sl_status st = sl_min_check_trust(p, msg, len);
  if (st != SL_OK) return st;
  if (p->inner_maxiter < 0)
    BAD("inner_maxiter must be a non-negative integer, got %ld", p->inner_maxiter);
  return SL_OK;
#undef BAD
}

static sl_status init(sl_solver *s) {
  size_t vn, bytes;
  if (sl_size_product(SL_LANCZOS_K, s->n ? s->n : 1, &vn) != SL_OK ||
      sl_size_product(vn, sizeof(double), &bytes) != SL_OK)
    return SL_ENOMEM;
  trust_mem *t = malloc(sizeof(trust_mem) + bytes);
  if (t == NULL) return SL_ENOMEM;
  t->radius = s->p.radius0;
  t->tr_rejected = 0;
  s->impl = t;
  return SL_OK;
}

/* tau >= 0 with |z + tau d| = radius (the positive root). */
static double to_boundary(size_t n, const double *z, const double *d, double radius) {
  double dd = sl_vec_dot(n, d, d), zd = sl_vec_dot(n, z, d), zz = sl_vec_dot(n, z, z);
  if (!(dd > 0.0)) return 0.0;
  double disc = zd * zd + dd * (radius * radius - zz);
  if (disc < 0.0) disc = 0.0;
  return (-zd + sqrt(disc)) / dd;
}

/*
** Alg. 7.2 (Steihaug): CG on the model m(p) = f + g'p + p'Hp/2 inside |p| <= radius,
** stopping at the boundary or along negative curvature. p into s->d; returns
** the model change m(p) - f in *pred (<= 0). Scratch: r = w1, dc = w2, Bd = w3.
*/
static sl_status steihaug(sl_solver *s, double radius, double *pred, int *on_boundary) {
  size_t n = s->n;
  double *z = s->d, *r = s->w[1], *dc = s->w[2], *bd = s->w[3];
  double eps = sl_min_forcing(s);
  sl_vec_fill(n, z, 0.0);
  sl_vec_copy(n, r, s->g);
  for (size_t i = 0; i < n; i++) dc[i] = -r[i];
  double rr = sl_vec_dot(n, r, r), q = 0.0;
  long budget = sl_min_inner_budget(s), j;
  *on_boundary = 0;
  s->info.inner_stop = "maxiter";
  for (j = 0; j < budget; j++) {
    sl_status st = sl_obj_hvp(s->o, s->x, dc, bd);
    if (st < 0) return st;
    double curv = sl_vec_dot(n, dc, bd);
    if (!isfinite(curv))
      return sl_min_fail(s, SL_ENONFINITE, "a Hessian-vector product is not finite");
    double rd = sl_vec_dot(n, r, dc); /* gradient of the model at z, along dc */
    if (curv <= 0.0) {
      double tau = to_boundary(n, z, dc, radius);
      sl_vec_axpy(n, z, tau, dc);
      q += tau * rd + 0.5 * tau * tau * curv;
      *on_boundary = 1;
      s->info.inner_stop = "negative curvature";
      j++;
      break;
    }
    double alpha = rr / curv;
    /* |z + alpha dc| >= radius: stop on the boundary */
    double zz = 0.0;
    for (size_t i = 0; i < n; i++) {
      double t = z[i] + alpha * dc[i];
      zz += t * t;
    }
    if (sqrt(zz) >= radius) {
      double tau = to_boundary(n, z, dc, radius);
      sl_vec_axpy(n, z, tau, dc);
      q += tau * rd + 0.5 * tau * tau * curv;
      *on_boundary = 1;
      s->info.inner_stop = "boundary";
      j++;
      break;
    }
    sl_vec_axpy(n, z, alpha, dc);
    q += alpha * rd + 0.5 * alpha * alpha * curv;
    sl_vec_axpy(n, r, alpha, bd);
    double rr2 = sl_vec_dot(n, r, r);
    if (sqrt(rr2) <= eps) {
      s->info.inner_stop = "converged";
      j++;
      break;
    }
    double beta = rr2 / rr;
    rr = rr2;
    for (size_t i = 0; i < n; i++) dc[i] = -r[i] + beta * dc[i];
  }
  s->info.inner_iters = j;
  *pred = q;
  return SL_OK;
}

/*
** The most negative curvature direction in the Krylov space K_k(H, g), k <= SL_LANCZOS_K:
** Lanczos with full reorthogonalization, then the eigenvector of the small
** tridiagonal T (LAPACK dstev). Steihaug's CG sees only CG directions, which can
** all have zero curvature at a saddle (g along (1, -1) for x^2 - y^2), while
** the Krylov space holds a negative one (Gould, Lucidi, Roma & Toint 1999, GLTR).
** Unit direction into w0 (oriented downhill), its curvature into *lambda.
*/
static sl_status lanczos_min(sl_solver *s, double *lambda) {
  size_t n = s->n;
  int kmax = (int)(n < SL_LANCZOS_K ? n : SL_LANCZOS_K), m = 0;
  double al[SL_LANCZOS_K], be[SL_LANCZOS_K], z[SL_LANCZOS_K * SL_LANCZOS_K];
  double *w = s->w[1], *u = s->w[0];
  double gn = sl_vec_nrm2(n, s->g), *V = ((trust_mem *)s->impl)->V;
  *lambda = 0.0;
  if (kmax == 0) return SL_OK;
  double *v0 = V;
  if (gn > 0.0) {
    for (size_t i = 0; i < n; i++) v0[i] = s->g[i] / gn;
  } else {
    sl_vec_fill(n, v0, 1.0 / sqrt((double)n));
  }
  for (m = 0; m < kmax;) {
    double *vm = V + (size_t)m * n;
    sl_status st = sl_obj_hvp(s->o, s->x, vm, w);
    if (st < 0) return st;
    al[m] = sl_vec_dot(n, vm, w);
    m++;
    if (m == kmax) break;
    for (int r = 0; r < 2; r++) /* full reorthogonalization, twice */
      for (int i = 0; i < m; i++)
        sl_vec_axpy(n, w, -sl_vec_dot(n, V + (size_t)i * n, w), V + (size_t)i * n);
    double b = sl_vec_nrm2(n, w);
    if (!(b > 1e-10 * (fabs(al[m - 1]) + 1e-300))) break;
    be[m - 1] = b;
    double *vn = V + (size_t)m * n;
    for (size_t i = 0; i < n; i++) vn[i] = w[i] / b;
  }
  double d[SL_LANCZOS_K], e[SL_LANCZOS_K];
  for (int i = 0; i < m; i++) {
    d[i] = al[i];
    e[i] = i + 1 < m ? be[i] : 0.0;
  }
  if (LAPACKE_dstev(LAPACK_COL_MAJOR, 'V', m, d, e, z, m) != 0) return SL_OK;
  *lambda = d[0]; /* ascending */
  sl_vec_fill(n, u, 0.0);
  for (int i = 0; i < m; i++) sl_vec_axpy(n, u, z[i], V + (size_t)i * n);
  double un = sl_vec_nrm2(n, u);
  if (!(un > 0.0)) {
    *lambda = 0.0;
    return SL_OK;
  }
  sl_vec_scale(n, u, (sl_vec_dot(n, u, s->g) > 0.0 ? -1.0 : 1.0) / un);
  return SL_OK;
}

/* The step p in d has model change q: try x + p, judge it by
   rho = actual / predicted reduction, resize the radius, move when rho > eta. */
static sl_status judge(sl_solver *s, trust_mem *t, double radius, double q, int boundary) {
  size_t n = s->n;
  double pnorm = sl_vec_nrm2(n, s->d);
  for (size_t i = 0; i < n; i++) s->xt[i] = s->x[i] + s->d[i];
  double ft;
  s->o->msg[0] = '\0';
  sl_status st = sl_obj_fg(s->o, s->xt, &ft, s->gt);
  if (st < 0) return st;
  double rho;
  double tiny = 1e-14 * fmax(1.0, fabs(s->f)); /* f differences at rounding level */
  if (!isfinite(ft) || !sl_vec_isfinite(n, s->gt))
    rho = -INFINITY;   /* shrink, never stop */
  else if (-q <= tiny) /* the model predicts less than rounding: judge by f and |g| */
    rho = (ft <= s->f + tiny && sl_vec_nrminf(n, s->gt) < s->gnorm) ? 1.0 : -1.0;
  else if (q < 0.0)
    rho = (ft - s->f) / q;
  else
    rho = ft < s->f ? 1.0 : -1.0;
  s->info.rho = rho;
  if (rho < 0.25)
    t->radius = 0.25 * (boundary ? radius : fmin(radius, pnorm));
  else if (rho > 0.75 && boundary)
    t->radius = fmin(2.0 * radius, s->p.max_radius);
  t->tr_rejected = !(rho > s->p.eta);
  if (rho > s->p.eta) {
    double snorm = sl_vec_nrminf(n, s->d);
    s->t_f = ft;
    sl_min_accept_trial(s);
    s->info.accepted = 1;
    s->info.a = 1.0;
    s->info.step_norm = snorm;
  }
  return SL_OK;
}

/* Alg. 4.1: one trust-region iteration (accepted or not). */
static sl_status step(sl_solver *s) {
  size_t n = s->n;
  trust_mem *t = s->impl;
  double radius = t->radius, q = 0.0;
  int boundary = 0;
  s->info.radius = radius;
  (void)sl_obj_hvp_begin(s->o, s->x); /* every HVP below is at x */
  sl_status st = steihaug(s, radius, &q, &boundary);
  if (st < 0) {
    sl_obj_hvp_end(s->o);
    return st;
  }
  if (s->info.inner_iters == 1 &&
      (s->info.inner_stop[0] == 'n' || (t->tr_rejected && s->info.inner_stop[0] == 'b'))) {
    /* non-positive curvature along -g at once, or a rejected step to the boundary
       along -g: look for a negative-curvature direction (near a saddle) */
    double lambda;
    st = lanczos_min(s, &lambda);
    sl_obj_hvp_end(s->o);
    if (st < 0) return st;
    if (lambda < 0.0) {
      double q2 = radius * sl_vec_dot(n, s->g, s->w[0]) + 0.5 * radius * radius * lambda;
      if (q2 < q) {
        for (size_t i = 0; i < n; i++) s->d[i] = radius * s->w[0][i];
        q = q2;
        s->info.inner_stop = "negative curvature (Lanczos)";
        s->info.inner_iters += SL_LANCZOS_K;
      }
    }
  }
  sl_obj_hvp_end(s->o);
  st = judge(s, t, radius, q, boundary);
  if (st < 0) return st;
  if (!(t->radius > 1e-15 * fmax(1.0, sl_vec_nrm2(n, s->x))))
    return sl_min_fail(s, SL_ELINESEARCH,
                       "the trust radius shrank to %g without an acceptable step "
                       "(the model does not predict f near x)",
                       t->radius);
  return SL_OK;
}

static void state(const sl_solver *s, const sl_min_visit *v) {
  v->num(v->ctx, "radius", ((const trust_mem *)s->impl)->radius);
}

static void info(const sl_solver *s, const sl_min_visit *v) {
  v->num(v->ctx, "radius", s->info.radius);
  v->num(v->ctx, "rho", s->info.rho);
  v->boolean(v->ctx, "accepted", s->info.accepted);
  v->integer(v->ctx, "inner_iters", s->info.inner_iters);
  v->string(v->ctx, "inner_stop", s->info.inner_stop);
}

static const char *const keys[] = {"radius", "max_radius", "eta", "inner_maxiter", NULL};

const sl_min_method_ops sl_min_trust_ncg = {
    .name = "trust_ncg",
    .defaults = &defaults,
    .flags = SL_MINF_DIRECTION | SL_MINF_MAYSTAY,
    .keys = keys,
    .no_linesearch = "it uses a trust region",
    .check = check,
    .init = init,
    .step = step,
    .state = state,
    .info = info,
    .no_bounds = "its trust-region step is not kept inside a box: use method = \"lbfgsb\"",
};
