/*
** min_newton.c — Hessian-free Newton methods: truncated Newton with a line
** search (Newton-CG, Nocedal & Wright Alg. 7.1) and the Steihaug-Toint
** trust-region CG (N&W Alg. 7.2 inside the trust-region loop of Alg. 4.1).
** Both solve H p = -g by conjugate gradients with Hessian-vector products
** to a forcing tolerance eps = min(0.5, sqrt|g|) |g| (N&W eq. 7.3).
** The inner HVPs, all at the current x, run inside an sl_obj_hvp_begin
** window, so data models reuse what does not depend on the direction.
*/
#include <lapacke.h>
#include <math.h>

#include "sl_minimize.h"
#include "sl_vec.h"

static long inner_budget(const sl_solver *s) {
  return s->p.inner_maxiter > 0 ? s->p.inner_maxiter : 20 * (long)(s->n ? s->n : 1);
}

/* Alg. 7.1: p into s->d. Scratch: z = w0, r = w1, dc = w2, Bd = w3. */
sl_status sl_min_newton_cg_step(sl_solver *s) {
  size_t n = s->n;
  double *z = s->w[0], *r = s->w[1], *dc = s->w[2], *bd = s->w[3];
  double gn = sl_vec_nrm2(n, s->g);
  double eps = fmin(0.5, sqrt(gn)) * gn;
  sl_vec_fill(n, z, 0.0);
  sl_vec_copy(n, r, s->g);
  for (size_t i = 0; i < n; i++) dc[i] = -r[i];
  double rr = sl_vec_dot(n, r, r);
  long budget = inner_budget(s), j;
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
  sl_vec_copy(n, s->d, z);
  if (!(sl_vec_dot(n, s->g, s->d) < 0.0)) {
    for (size_t i = 0; i < n; i++) s->d[i] = -s->g[i];
    s->info.restarted = 1;
  }
  st = sl_min_linesearch(s, 1.0);
  if (st < 0) return st;
  sl_min_accept_trial(s);
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
  double gn = sl_vec_nrm2(n, s->g);
  double eps = fmin(0.5, sqrt(gn)) * gn;
  sl_vec_fill(n, z, 0.0);
  sl_vec_copy(n, r, s->g);
  for (size_t i = 0; i < n; i++) dc[i] = -r[i];
  double rr = sl_vec_dot(n, r, r), q = 0.0;
  long budget = inner_budget(s), j;
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
  double gn = sl_vec_nrm2(n, s->g);
  *lambda = 0.0;
  if (kmax == 0) return SL_OK;
  double *v0 = s->V;
  if (gn > 0.0) {
    for (size_t i = 0; i < n; i++) v0[i] = s->g[i] / gn;
  } else {
    sl_vec_fill(n, v0, 1.0 / sqrt((double)n));
  }
  for (m = 0; m < kmax;) {
    double *vm = s->V + (size_t)m * n;
    sl_status st = sl_obj_hvp(s->o, s->x, vm, w);
    if (st < 0) return st;
    al[m] = sl_vec_dot(n, vm, w);
    m++;
    if (m == kmax) break;
    for (int r = 0; r < 2; r++) /* full reorthogonalization, twice */
      for (int i = 0; i < m; i++)
        sl_vec_axpy(n, w, -sl_vec_dot(n, s->V + (size_t)i * n, w), s->V + (size_t)i * n);
    double b = sl_vec_nrm2(n, w);
    if (!(b > 1e-10 * (fabs(al[m - 1]) + 1e-300))) break;
    be[m - 1] = b;
    double *vn = s->V + (size_t)m * n;
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
  for (int i = 0; i < m; i++) sl_vec_axpy(n, u, z[i], s->V + (size_t)i * n);
  double un = sl_vec_nrm2(n, u);
  if (!(un > 0.0)) {
    *lambda = 0.0;
    return SL_OK;
  }
  sl_vec_scale(n, u, (sl_vec_dot(n, u, s->g) > 0.0 ? -1.0 : 1.0) / un);
  return SL_OK;
}

/* Alg. 4.1: one trust-region iteration (accepted or not). */
sl_status sl_min_trust_ncg_step(sl_solver *s) {
  size_t n = s->n;
  double radius = s->radius, q = 0.0;
  int boundary = 0;
  s->info.radius = radius;
  (void)sl_obj_hvp_begin(s->o, s->x); /* every HVP below is at x */
  sl_status st = steihaug(s, radius, &q, &boundary);
  if (st < 0) {
    sl_obj_hvp_end(s->o);
    return st;
  }
  if (s->info.inner_iters == 1 &&
      (s->info.inner_stop[0] == 'n' || (s->tr_rejected && s->info.inner_stop[0] == 'b'))) {
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
  double pnorm = sl_vec_nrm2(n, s->d);
  for (size_t i = 0; i < n; i++) s->xt[i] = s->x[i] + s->d[i];
  double ft;
  s->o->msg[0] = '\0';
  st = sl_obj_fg(s->o, s->xt, &ft, s->gt);
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
    s->radius = 0.25 * (boundary ? radius : fmin(radius, pnorm));
  else if (rho > 0.75 && boundary)
    s->radius = fmin(2.0 * radius, s->p.max_radius);
  s->tr_rejected = !(rho > s->p.eta);
  if (rho > s->p.eta) {
    double snorm = sl_vec_nrminf(n, s->d);
    s->t_f = ft;
    sl_min_accept_trial(s);
    s->info.accepted = 1;
    s->info.a = 1.0;
    s->info.step_norm = snorm;
  }
  if (!(s->radius > 1e-15 * fmax(1.0, sl_vec_nrm2(n, s->x))))
    return sl_min_fail(s, SL_ELINESEARCH,
                       "the trust radius shrank to %g without an acceptable step "
                       "(the model does not predict f near x)",
                       s->radius);
  return SL_OK;
}
