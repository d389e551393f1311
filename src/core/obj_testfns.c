/*
** obj_testfns.c — classic optimization test functions with analytic
** gradients and Hessian-vector products (definitions and minima as in
** Jamil & Yang, "A literature survey of benchmark functions for global
** optimization problems", 2013; Rosenbrock in its chained form,
** Nocedal & Wright eq. 2.22 generalized).
*/
#include "sl_testfns.h"

#include <math.h>
#include <stdlib.h>

#include "sl_rng.h"
#include "sl_vec.h"

#define TWO_PI  6.283185307179586476925286766559
#define ST_XMIN (-2.903534027771177)
#define ST_FMIN (-39.16616570377141)

static void uniform_init(sl_rng *rng, double lo, double hi, size_t n, double *x) {
  sl_rng local;
  if (rng == NULL) {
    sl_rng_seed(&local, 0);
    rng = &local;
  }
  for (size_t i = 0; i < n; i++) x[i] = lo + (hi - lo) * sl_rng_uniform(rng);
}

/* ---- Rosenbrock (chained) ---------------------------------------------- */

static sl_status rosen_fg(sl_objective *o, const double *x, double *f, double *g) {
  size_t n = o->dim;
  double s = 0.0;
  if (g)
    for (size_t i = 0; i < n; i++) g[i] = 0.0;
  for (size_t i = 0; i + 1 < n; i++) {
    double t = x[i + 1] - x[i] * x[i], u = 1.0 - x[i];
    s += 100.0 * t * t + u * u;
    if (g) {
      g[i] += -400.0 * x[i] * t - 2.0 * u;
      g[i + 1] += 200.0 * t;
    }
  }
  *f = s;
  return SL_OK;
}

/* H is tridiagonal: per term i, d2/dxi2 = 1200 xi^2 - 400 x(i+1) + 2,
   d2/dxi dx(i+1) = -400 xi, d2/dx(i+1)2 = 200. */
static sl_status rosen_hvp(sl_objective *o, const double *x, const double *v, double *hv) {
  size_t n = o->dim;
  for (size_t i = 0; i < n; i++) hv[i] = 0.0;
  for (size_t i = 0; i + 1 < n; i++) {
    double a = 1200.0 * x[i] * x[i] - 400.0 * x[i + 1] + 2.0, c = -400.0 * x[i];
    hv[i] += a * v[i] + c * v[i + 1];
    hv[i + 1] += c * v[i] + 200.0 * v[i + 1];
  }
  return SL_OK;
}

static void rosen_init(sl_objective *o, sl_rng *rng, double *x) {
  (void)rng;
  for (size_t i = 0; i < o->dim; i++) x[i] = (i % 2 == 0) ? -1.2 : 1.0;
}

static const sl_objective_ops rosen_ops = {
    .name = "rosenbrock", .fg = rosen_fg, .hvp = rosen_hvp, .init = rosen_init};

sl_objective *sl_obj_rosenbrock(size_t n) { return sl_obj_new(&rosen_ops, NULL, n, 0); }

/* ---- Beale --------------------------------------------------------------- */

static const double beale_c[3] = {1.5, 2.25, 2.625};

/* r_k = c_k - x + x y^k; grad = 2 sum r_k dr_k; H = 2 sum (dr_k dr_k^T + r_k d2r_k). */
static sl_status beale_fg(sl_objective *o, const double *x, double *f, double *g) {
  (void)o;
  double s = 0.0, gx = 0.0, gy = 0.0, yk = 1.0;
  for (int k = 1; k <= 3; k++) {
    double ykm1 = yk;
    yk *= x[1];
    double r = beale_c[k - 1] - x[0] + x[0] * yk;
    s += r * r;
    gx += 2.0 * r * (yk - 1.0);
    gy += 2.0 * r * x[0] * k * ykm1;
  }
  *f = s;
  if (g) {
    g[0] = gx;
    g[1] = gy;
  }
  return SL_OK;
}

static sl_status beale_hvp(sl_objective *o, const double *x, const double *v, double *hv) {
  (void)o;
  double hxx = 0.0, hxy = 0.0, hyy = 0.0, ykm2 = 0.0, ykm1 = 1.0;
  for (int k = 1; k <= 3; k++) {
    double yk = ykm1 * x[1];
    double r = beale_c[k - 1] - x[0] + x[0] * yk;
    double rx = yk - 1.0, ry = x[0] * k * ykm1;
    double rxy = k * ykm1, ryy = x[0] * k * (k - 1) * ykm2;
    hxx += 2.0 * rx * rx;
    hxy += 2.0 * (rx * ry + r * rxy);
    hyy += 2.0 * (ry * ry + r * ryy);
    ykm2 = ykm1;
    ykm1 = yk;
  }
  hv[0] = hxx * v[0] + hxy * v[1];
  hv[1] = hxy * v[0] + hyy * v[1];
  return SL_OK;
}

static void beale_init(sl_objective *o, sl_rng *rng, double *x) {
  (void)o, (void)rng;
  x[0] = 1.0;
  x[1] = 1.0;
}

static const sl_objective_ops beale_ops = {
    .name = "beale", .fg = beale_fg, .hvp = beale_hvp, .init = beale_init};

sl_objective *sl_obj_beale(void) { return sl_obj_new(&beale_ops, NULL, 2, 0); }

/* ---- Booth --------------------------------------------------------------- */

static sl_status booth_fg(sl_objective *o, const double *x, double *f, double *g) {
  (void)o;
  double a = x[0] + 2.0 * x[1] - 7.0, b = 2.0 * x[0] + x[1] - 5.0;
  *f = a * a + b * b;
  if (g) {
    g[0] = 2.0 * a + 4.0 * b;
    g[1] = 4.0 * a + 2.0 * b;
  }
  return SL_OK;
}

static sl_status booth_hvp(sl_objective *o, const double *x, const double *v, double *hv) {
  (void)o, (void)x;
  hv[0] = 10.0 * v[0] + 8.0 * v[1];
  hv[1] = 8.0 * v[0] + 10.0 * v[1];
  return SL_OK;
}

static void zero2_init(sl_objective *o, sl_rng *rng, double *x) {
  (void)o, (void)rng;
  x[0] = 0.0;
  x[1] = 0.0;
}

static const sl_objective_ops booth_ops = {
    .name = "booth", .fg = booth_fg, .hvp = booth_hvp, .init = zero2_init};

sl_objective *sl_obj_booth(void) { return sl_obj_new(&booth_ops, NULL, 2, 0); }

/* ---- Himmelblau ---------------------------------------------------------- */

static sl_status himmel_fg(sl_objective *o, const double *x, double *f, double *g) {
  (void)o;
  double a = x[0] * x[0] + x[1] - 11.0, b = x[0] + x[1] * x[1] - 7.0;
  *f = a * a + b * b;
  if (g) {
    g[0] = 4.0 * x[0] * a + 2.0 * b;
    g[1] = 2.0 * a + 4.0 * x[1] * b;
  }
  return SL_OK;
}

static sl_status himmel_hvp(sl_objective *o, const double *x, const double *v, double *hv) {
  (void)o;
  double a = x[0] * x[0] + x[1] - 11.0, b = x[0] + x[1] * x[1] - 7.0;
  double hxx = 4.0 * a + 8.0 * x[0] * x[0] + 2.0, hxy = 4.0 * (x[0] + x[1]);
  double hyy = 2.0 + 4.0 * b + 8.0 * x[1] * x[1];
  hv[0] = hxx * v[0] + hxy * v[1];
  hv[1] = hxy * v[0] + hyy * v[1];
  return SL_OK;
}

static const sl_objective_ops himmel_ops = {
    .name = "himmelblau", .fg = himmel_fg, .hvp = himmel_hvp, .init = zero2_init};

sl_objective *sl_obj_himmelblau(void) { return sl_obj_new(&himmel_ops, NULL, 2, 0); }

/* ---- Rastrigin ----------------------------------------------------------- */

static sl_status rastrigin_fg(sl_objective *o, const double *x, double *f, double *g) {
  size_t n = o->dim;
  double s = 10.0 * (double)n;
  for (size_t i = 0; i < n; i++) {
    double w = TWO_PI * x[i];
    s += x[i] * x[i] - 10.0 * cos(w);
    if (g) g[i] = 2.0 * x[i] + 10.0 * TWO_PI * sin(w);
  }
  *f = s;
  return SL_OK;
}

static sl_status rastrigin_hvp(sl_objective *o, const double *x, const double *v, double *hv) {
  for (size_t i = 0; i < o->dim; i++)
    hv[i] = (2.0 + 10.0 * TWO_PI * TWO_PI * cos(TWO_PI * x[i])) * v[i];
  return SL_OK;
}

static void rastrigin_init(sl_objective *o, sl_rng *rng, double *x) {
  uniform_init(rng, -5.12, 5.12, o->dim, x);
}

static const sl_objective_ops rastrigin_ops = {
    .name = "rastrigin", .fg = rastrigin_fg, .hvp = rastrigin_hvp, .init = rastrigin_init};

sl_objective *sl_obj_rastrigin(size_t n) { return sl_obj_new(&rastrigin_ops, NULL, n, 0); }

/* ---- Ackley -------------------------------------------------------------- */

/* f = -20 e^{-0.2 r} - E + 20 + e, r = sqrt(|x|^2/n), E = exp(sum cos(2 pi x_i)/n).
   grad = a x + E (2pi/n) sin(2 pi x), a = 4 e^{-0.2r} / (n r). */
static sl_status ackley_fg(sl_objective *o, const double *x, double *f, double *g) {
  size_t n = o->dim;
  double s2 = 0.0, c = 0.0, dn = (double)n;
  for (size_t i = 0; i < n; i++) {
    s2 += x[i] * x[i];
    c += cos(TWO_PI * x[i]);
  }
  double r = sqrt(s2 / dn), er = exp(-0.2 * r), E = exp(c / dn);
  *f = -20.0 * er - E + 20.0 + M_E;
  if (g) {
    double a = r > 0.0 ? 4.0 * er / (dn * r) : 0.0;
    for (size_t i = 0; i < n; i++) g[i] = a * x[i] + E * (TWO_PI / dn) * sin(TWO_PI * x[i]);
  }
  return SL_OK;
}

/* H v = a v + (da/dr)(x.v)/(n r) x + E (4 pi^2/n) cos(2 pi x) v - E (2 pi/n)^2 s (s.v),
   da/dr = -4 e^{-0.2 r} (0.2 r + 1) / (n r^2), s = sin(2 pi x). */
static sl_status ackley_hvp(sl_objective *o, const double *x, const double *v, double *hv) {
  size_t n = o->dim;
  double s2 = 0.0, c = 0.0, xv = 0.0, sv = 0.0, dn = (double)n;
  for (size_t i = 0; i < n; i++) {
    s2 += x[i] * x[i];
    c += cos(TWO_PI * x[i]);
    xv += x[i] * v[i];
    sv += sin(TWO_PI * x[i]) * v[i];
  }
  double r = sqrt(s2 / dn), er = exp(-0.2 * r), E = exp(c / dn);
  double a = 0.0, bx = 0.0;
  if (r > 0.0) {
    a = 4.0 * er / (dn * r);
    bx = -4.0 * er * (0.2 * r + 1.0) / (dn * r * r) * xv / (dn * r);
  }
  double k = TWO_PI / dn;
  for (size_t i = 0; i < n; i++) {
    double w = TWO_PI * x[i];
    hv[i] = a * v[i] + bx * x[i] + E * k * TWO_PI * cos(w) * v[i] - E * k * k * sin(w) * sv;
  }
  return SL_OK;
}

static void ackley_init(sl_objective *o, sl_rng *rng, double *x) {
  uniform_init(rng, -5.0, 5.0, o->dim, x);
}

static const sl_objective_ops ackley_ops = {
    .name = "ackley", .fg = ackley_fg, .hvp = ackley_hvp, .init = ackley_init};

sl_objective *sl_obj_ackley(size_t n) { return sl_obj_new(&ackley_ops, NULL, n, 0); }

/* ---- Styblinski-Tang ----------------------------------------------------- */

static sl_status st_fg(sl_objective *o, const double *x, double *f, double *g) {
  double s = 0.0;
  for (size_t i = 0; i < o->dim; i++) {
    double t = x[i], t2 = t * t;
    s += t2 * t2 - 16.0 * t2 + 5.0 * t;
    if (g) g[i] = 2.0 * t2 * t - 16.0 * t + 2.5;
  }
  *f = 0.5 * s;
  return SL_OK;
}

static sl_status st_hvp(sl_objective *o, const double *x, const double *v, double *hv) {
  for (size_t i = 0; i < o->dim; i++) hv[i] = (6.0 * x[i] * x[i] - 16.0) * v[i];
  return SL_OK;
}

static const sl_objective_ops st_ops = {
    .name = "styblinski_tang", .fg = st_fg, .hvp = st_hvp, .init = ackley_init};

sl_objective *sl_obj_styblinski_tang(size_t n) { return sl_obj_new(&st_ops, NULL, n, 0); }

/* ---- saddles ------------------------------------------------------------- */

static sl_status saddle_fg(sl_objective *o, const double *x, double *f, double *g) {
  (void)o;
  *f = x[0] * x[0] - x[1] * x[1];
  if (g) {
    g[0] = 2.0 * x[0];
    g[1] = -2.0 * x[1];
  }
  return SL_OK;
}

static sl_status saddle_hvp(sl_objective *o, const double *x, const double *v, double *hv) {
  (void)o, (void)x;
  hv[0] = 2.0 * v[0];
  hv[1] = -2.0 * v[1];
  return SL_OK;
}

static void saddle_init(sl_objective *o, sl_rng *rng, double *x) {
  (void)o, (void)rng;
  x[0] = 1.0;
  x[1] = 1e-3;
}

static const sl_objective_ops saddle_ops = {
    .name = "saddle", .fg = saddle_fg, .hvp = saddle_hvp, .init = saddle_init};

sl_objective *sl_obj_saddle(void) { return sl_obj_new(&saddle_ops, NULL, 2, 0); }

static sl_status monkey_fg(sl_objective *o, const double *x, double *f, double *g) {
  (void)o;
  *f = x[0] * x[0] * x[0] - 3.0 * x[0] * x[1] * x[1];
  if (g) {
    g[0] = 3.0 * (x[0] * x[0] - x[1] * x[1]);
    g[1] = -6.0 * x[0] * x[1];
  }
  return SL_OK;
}

static sl_status monkey_hvp(sl_objective *o, const double *x, const double *v, double *hv) {
  (void)o;
  hv[0] = 6.0 * x[0] * v[0] - 6.0 * x[1] * v[1];
  hv[1] = -6.0 * x[1] * v[0] - 6.0 * x[0] * v[1];
  return SL_OK;
}

static const sl_objective_ops monkey_ops = {
    .name = "monkey_saddle", .fg = monkey_fg, .hvp = monkey_hvp, .init = saddle_init};

sl_objective *sl_obj_monkey_saddle(void) { return sl_obj_new(&monkey_ops, NULL, 2, 0); }

/* ---- ring ---------------------------------------------------------------- */

/* f = s^2 with s = |x|^2 - 1: grad = 4 s x, H = 4 s I + 8 x x^T. */
static sl_status ring_fg(sl_objective *o, const double *x, double *f, double *g) {
  size_t n = o->dim;
  double s = sl_vec_dot(n, x, x) - 1.0;
  *f = s * s;
  if (g)
    for (size_t i = 0; i < n; i++) g[i] = 4.0 * s * x[i];
  return SL_OK;
}

static sl_status ring_hvp(sl_objective *o, const double *x, const double *v, double *hv) {
  size_t n = o->dim;
  double s = sl_vec_dot(n, x, x) - 1.0, xv = sl_vec_dot(n, x, v);
  for (size_t i = 0; i < n; i++) hv[i] = 4.0 * s * v[i] + 8.0 * xv * x[i];
  return SL_OK;
}

static const sl_objective_ops ring_ops = {.name = "ring", .fg = ring_fg, .hvp = ring_hvp};

sl_objective *sl_obj_ring(size_t n) { return sl_obj_new(&ring_ops, NULL, n, 0); }

double sl_testfn_fmin(const sl_objective *o) {
  const sl_objective_ops *p = o->ops;
  if (p == &st_ops) return ST_FMIN * (double)o->dim;
  if (p == &rosen_ops || p == &beale_ops || p == &booth_ops || p == &himmel_ops ||
      p == &rastrigin_ops || p == &ackley_ops)
    return 0.0;
  return NAN;
}

static const double himmel_min[4][2] = {{3.0, 2.0},
                                        {-2.805118086952745, 3.131312518250573},
                                        {-3.779310253377747, -3.2831859912861696},
                                        {3.5844283403304917, -1.8481265269644036}};

size_t sl_testfn_minimizers(const sl_objective *o, size_t k, double *x) {
  const sl_objective_ops *p = o->ops;
  size_t n = o->dim, count = 1;
  double c = 0.0;
  if (p == &himmel_ops) {
    if (k < 4) x[0] = himmel_min[k][0], x[1] = himmel_min[k][1];
    return 4;
  }
  if (p == &beale_ops) {
    if (k == 0) x[0] = 3.0, x[1] = 0.5;
    return 1;
  }
  if (p == &booth_ops) {
    if (k == 0) x[0] = 1.0, x[1] = 3.0;
    return 1;
  }
  if (p == &rosen_ops)
    c = 1.0;
  else if (p == &st_ops)
    c = ST_XMIN;
  else if (p == &rastrigin_ops || p == &ackley_ops)
    c = 0.0;
  else
    return 0;
  if (k < count)
    for (size_t i = 0; i < n; i++) x[i] = c;
  return count;
}
