/*
** obj_testfns.c — the classic test functions of sl_testfns.h with analytic
** gradients and Hessian-vector products. None keeps data: the dimension is
** o->dim and impl is NULL. Formulas: Jamil & Yang (2013); More, Garbow &
** Hillstrom (1981) for the chained Rosenbrock function and its start.
*/
#include <math.h>
#include <string.h>

#include "sl_rng.h"
#include "sl_testfns.h"

#define TWO_PI 6.283185307179586476925286766559

/* ---- Rosenbrock (chained) -------------------------------------------------- */

static sl_status rosen_fg(sl_objective *o, const double *x, double *f, double *g) {
  size_t n = o->dim;
  double s = 0.0;
  if (g) memset(g, 0, n * sizeof *g);
  for (size_t i = 0; i + 1 < n; i++) {
    double a = x[i + 1] - x[i] * x[i], b = 1.0 - x[i];
    s += 100.0 * a * a + b * b;
    if (g) {
      g[i] += -400.0 * x[i] * a - 2.0 * b;
      g[i + 1] += 200.0 * a;
    }
  }
  *f = s;
  return SL_OK;
}

/* H_ii += 1200 x_i^2 - 400 x_{i+1} + 2, H_{i,i+1} = -400 x_i, H_{i+1,i+1} += 200. */
static sl_status rosen_hvp(sl_objective *o, const double *x, const double *v, double *hv) {
  size_t n = o->dim;
  memset(hv, 0, n * sizeof *hv);
  for (size_t i = 0; i + 1 < n; i++) {
    double d = 1200.0 * x[i] * x[i] - 400.0 * x[i + 1] + 2.0, c = -400.0 * x[i];
    hv[i] += d * v[i] + c * v[i + 1];
    hv[i + 1] += c * v[i] + 200.0 * v[i + 1];
  }
  return SL_OK;
}

/* (-1.2, 1, -1.2, 1, ...): the classic start (More, Garbow & Hillstrom). */
static void rosen_init(sl_objective *o, sl_rng *r, double *x) {
  (void)r;
  for (size_t i = 0; i < o->dim; i++) x[i] = (i % 2 == 0) ? -1.2 : 1.0;
}

/* ---- Beale ----------------------------------------------------------------- */

/* f = sum_k t_k^2, t_k = c_k - x + x y^k; grad = 2 sum t_k dt_k,
   H = 2 sum (dt_k dt_k^T + t_k d2t_k), d2t_k: xy = k y^(k-1), yy = k(k-1) x y^(k-2). */
static const double beale_c[3] = {1.5, 2.25, 2.625};

static void beale_terms(const double *x, int k, double *t, double *dx, double *dy, double *hxy,
                        double *hyy) {
  double X = x[0], Y = x[1];
  double yk = pow(Y, k), yk1 = pow(Y, k - 1), yk2 = k >= 2 ? pow(Y, k - 2) : 0.0;
  *t = beale_c[k - 1] - X + X * yk;
  *dx = yk - 1.0;
  *dy = k * X * yk1;
  *hxy = k * yk1;
  *hyy = k * (k - 1) * X * yk2;
}

static sl_status beale_fg(sl_objective *o, const double *x, double *f, double *g) {
  (void)o;
  double s = 0.0, gx = 0.0, gy = 0.0;
  for (int k = 1; k <= 3; k++) {
    double t, dx, dy, hxy, hyy;
    beale_terms(x, k, &t, &dx, &dy, &hxy, &hyy);
    s += t * t;
    gx += 2.0 * t * dx;
    gy += 2.0 * t * dy;
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
  double hxx = 0.0, hxy = 0.0, hyy = 0.0;
  for (int k = 1; k <= 3; k++) {
    double t, dx, dy, txy, tyy;
    beale_terms(x, k, &t, &dx, &dy, &txy, &tyy);
    hxx += 2.0 * dx * dx;
    hxy += 2.0 * (dx * dy + t * txy);
    hyy += 2.0 * (dy * dy + t * tyy);
  }
  hv[0] = hxx * v[0] + hxy * v[1];
  hv[1] = hxy * v[0] + hyy * v[1];
  return SL_OK;
}

static void beale_init(sl_objective *o, sl_rng *r, double *x) {
  (void)o, (void)r;
  x[0] = 1.0;
  x[1] = 1.0;
}

/* ---- Booth ------------------------------------------------------------------ */

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

/* ---- Himmelblau -------------------------------------------------------------- */

static sl_status himmel_fg(sl_objective *o, const double *x, double *f, double *g) {
  (void)o;
  double a = x[0] * x[0] + x[1] - 11.0, b = x[0] + x[1] * x[1] - 7.0;
  *f = a * a + b * b;
  if (g) {
    g[0] = 4.0 * a * x[0] + 2.0 * b;
    g[1] = 2.0 * a + 4.0 * b * x[1];
  }
  return SL_OK;
}

/* H = 2 (da da^T + a diag(2, 0) + db db^T + b diag(0, 2)), da = (2x, 1), db = (1, 2y). */
static sl_status himmel_hvp(sl_objective *o, const double *x, const double *v, double *hv) {
  (void)o;
  double X = x[0], Y = x[1];
  double a = X * X + Y - 11.0, b = X + Y * Y - 7.0;
  double hxx = 2.0 * (4.0 * X * X + 2.0 * a + 1.0);
  double hxy = 2.0 * (2.0 * X + 2.0 * Y);
  double hyy = 2.0 * (1.0 + 4.0 * Y * Y + 2.0 * b);
  hv[0] = hxx * v[0] + hxy * v[1];
  hv[1] = hxy * v[0] + hyy * v[1];
  return SL_OK;
}

/* zeros for booth and himmelblau: the default (ops->init NULL). */

/* ---- Rastrigin -------------------------------------------------------------- */

static sl_status rastrigin_fg(sl_objective *o, const double *x, double *f, double *g) {
  size_t n = o->dim;
  double s = 10.0 * (double)n;
  for (size_t i = 0; i < n; i++) {
    s += x[i] * x[i] - 10.0 * cos(TWO_PI * x[i]);
    if (g) g[i] = 2.0 * x[i] + 10.0 * TWO_PI * sin(TWO_PI * x[i]);
  }
  *f = s;
  return SL_OK;
}

static sl_status rastrigin_hvp(sl_objective *o, const double *x, const double *v, double *hv) {
  for (size_t i = 0; i < o->dim; i++)
    hv[i] = (2.0 + 10.0 * TWO_PI * TWO_PI * cos(TWO_PI * x[i])) * v[i];
  return SL_OK;
}

/* Uniform in the usual search box [-5.12, 5.12]^n. */
static void rastrigin_init(sl_objective *o, sl_rng *r, double *x) {
  sl_rng local;
  if (r == NULL) sl_rng_seed(r = &local, 0);
  for (size_t i = 0; i < o->dim; i++) x[i] = -5.12 + 10.24 * sl_rng_uniform(r);
}

/* ---- Ackley ----------------------------------------------------------------- */

/*
** f = T1 + T2 + 20 + e, T1 = -20 exp(-0.2 r), r = sqrt(|x|^2 / n),
** T2 = -exp(c / n), c = sum cos(2 pi x_i).
** grad T1 = 4 exp(-0.2 r) x / (n r);  grad T2 = (2 pi / n) exp(c/n) sin(2 pi x).
** H T1 v = 4 e^{-0.2r} [ -0.2 (dr.v) dr + v / (n r) - x (x.v) / (n^2 r^3) ], dr = x/(n r);
** H T2 v = (2 pi / n) e^{c/n} [ 2 pi cos(2 pi x) * v - (2 pi / n) s (s.v) ], s = sin(2 pi x).
** At x = 0 (r = 0) T1 is not differentiable: its gradient and HVP are taken as 0.
*/
static sl_status ackley_fg(sl_objective *o, const double *x, double *f, double *g) {
  size_t n = o->dim;
  double nn = (double)n, ss = 0.0, c = 0.0;
  for (size_t i = 0; i < n; i++) {
    ss += x[i] * x[i];
    c += cos(TWO_PI * x[i]);
  }
  double r = sqrt(ss / nn), e1 = exp(-0.2 * r), e2 = exp(c / nn);
  *f = -20.0 * e1 - e2 + 20.0 + M_E;
  if (g) {
    double a = r > 0.0 ? 4.0 * e1 / (nn * r) : 0.0, b = TWO_PI / nn * e2;
    for (size_t i = 0; i < n; i++) g[i] = a * x[i] + b * sin(TWO_PI * x[i]);
  }
  return SL_OK;
}

static sl_status ackley_hvp(sl_objective *o, const double *x, const double *v, double *hv) {
  size_t n = o->dim;
  double nn = (double)n, ss = 0.0, c = 0.0, xv = 0.0, sv = 0.0;
  for (size_t i = 0; i < n; i++) {
    double s = sin(TWO_PI * x[i]);
    ss += x[i] * x[i];
    c += cos(TWO_PI * x[i]);
    xv += x[i] * v[i];
    sv += s * v[i];
  }
  double r = sqrt(ss / nn), e1 = exp(-0.2 * r), e2 = exp(c / nn);
  double b = TWO_PI / nn * e2;
  double p = 0.0, q = 0.0, w = 0.0; /* T1 part: p v + q x  (q absorbs both x terms) */
  if (r > 0.0) {
    double drv = xv / (nn * r); /* dr . v */
    p = 4.0 * e1 / (nn * r);
    q = 4.0 * e1 * (-0.2 * drv / (nn * r) - xv / (nn * nn * r * r * r));
  }
  w = b * TWO_PI / nn * sv;
  for (size_t i = 0; i < n; i++)
    hv[i] = p * v[i] + q * x[i] + b * TWO_PI * cos(TWO_PI * x[i]) * v[i] - w * sin(TWO_PI * x[i]);
  return SL_OK;
}

/* Uniform in [-5, 5]^n. */
static void box5_init(sl_objective *o, sl_rng *r, double *x) {
  sl_rng local;
  if (r == NULL) sl_rng_seed(r = &local, 0);
  for (size_t i = 0; i < o->dim; i++) x[i] = -5.0 + 10.0 * sl_rng_uniform(r);
}

/* ---- Styblinski-Tang ---------------------------------------------------------- */

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

/* ---- saddles ----------------------------------------------------------------- */

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

static sl_status monkey_fg(sl_objective *o, const double *x, double *f, double *g) {
  (void)o;
  double X = x[0], Y = x[1];
  *f = X * X * X - 3.0 * X * Y * Y;
  if (g) {
    g[0] = 3.0 * X * X - 3.0 * Y * Y;
    g[1] = -6.0 * X * Y;
  }
  return SL_OK;
}

static sl_status monkey_hvp(sl_objective *o, const double *x, const double *v, double *hv) {
  (void)o;
  double X = x[0], Y = x[1];
  hv[0] = 6.0 * X * v[0] - 6.0 * Y * v[1];
  hv[1] = -6.0 * Y * v[0] - 6.0 * X * v[1];
  return SL_OK;
}

/* (1, 0.01): just off the unstable direction, so descent has to escape. */
static void saddle_init(sl_objective *o, sl_rng *r, double *x) {
  (void)o, (void)r;
  x[0] = 1.0;
  x[1] = 0.01;
}

/* ---- the table ------------------------------------------------------------------ */

static const sl_objective_ops testfn_ops[] = {
    {"rosenbrock", rosen_fg, rosen_hvp, NULL, rosen_init, NULL},
    {"beale", beale_fg, beale_hvp, NULL, beale_init, NULL},
    {"booth", booth_fg, booth_hvp, NULL, NULL, NULL},
    {"himmelblau", himmel_fg, himmel_hvp, NULL, NULL, NULL},
    {"rastrigin", rastrigin_fg, rastrigin_hvp, NULL, rastrigin_init, NULL},
    {"ackley", ackley_fg, ackley_hvp, NULL, box5_init, NULL},
    {"styblinski_tang", st_fg, st_hvp, NULL, box5_init, NULL},
    {"saddle", saddle_fg, saddle_hvp, NULL, saddle_init, NULL},
    {"monkey_saddle", monkey_fg, monkey_hvp, NULL, saddle_init, NULL},
};

const sl_testfn_info sl_testfns[] = {
    {"rosenbrock", 0, 2},      {"beale", 2, 2},  {"booth", 2, 2},
    {"himmelblau", 2, 2},      {"rastrigin", 0, 1}, {"ackley", 0, 1},
    {"styblinski_tang", 0, 1}, {"saddle", 2, 2}, {"monkey_saddle", 2, 2},
    {NULL, 0, 0},
};

sl_objective *sl_obj_testfn_new(const char *name, size_t n, sl_status *st) {
  for (size_t k = 0; sl_testfns[k].name; k++) {
    const sl_testfn_info *t = &sl_testfns[k];
    if (strcmp(t->name, name) != 0) continue;
    if (t->fixed_dim) n = t->fixed_dim;
    if (n < t->min_dim) {
      *st = SL_EINVAL;
      return NULL;
    }
    sl_objective *o = sl_obj_new(&testfn_ops[k], NULL, n, 0);
    *st = o ? SL_OK : SL_ENOMEM;
    return o;
  }
  *st = SL_EINVAL;
  return NULL;
}
