/*
** obj_mgh.c — the 35 least-squares test problems of Moré, Garbow & Hillstrom,
** "Testing unconstrained optimization software", ACM TOMS 7(1) 1981, 17-41:
** residuals r_i(x), analytic Jacobians and the standard starting points, as
** residual objectives (sl_residuals.h). Numbering and formulas follow the
** paper's section 3; the variable-size problems take n (and m) within the
** paper's ranges, with the sizes of MINPACK-1's test drivers as defaults.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_residuals.h"

typedef void (*resfn)(size_t n, size_t m, const double *x, double *r);
typedef struct problem {
  sl_mgh_info info;
  resfn r, J; /* J writes into a zeroed m x n row-major array */
  void (*x0)(size_t n, double *x);
  /* sizes: n in [nlo, nhi] (step nstep), m = m_of(n) (mfree: any m in [n, mhi]) */
  size_t nlo, nhi, nstep;
  int mrule; /* M_FIXED, M_EQ_N, M_N_PLUS (m = n + mplus), M_2N, M_FREE */
  size_t mplus, mhi;
} problem;

enum { M_FIXED, M_EQ_N, M_N_PLUS, M_2N, M_FREE };

#define J_(i, j)  J[(size_t)(i)*n + (size_t)(j)]
#define UNUSED(a) (void)(a)

/* 1 Rosenbrock */
static void rosen_r(size_t n, size_t m, const double *x, double *r) {
  UNUSED(n), UNUSED(m);
  r[0] = 10.0 * (x[1] - x[0] * x[0]);
  r[1] = 1.0 - x[0];
}
static void rosen_J(size_t n, size_t m, const double *x, double *J) {
  UNUSED(m);
  J_(0, 0) = -20.0 * x[0], J_(0, 1) = 10.0, J_(1, 0) = -1.0;
}
static void rosen_x0(size_t n, double *x) {
  for (size_t i = 0; i < n; i++) x[i] = (i % 2 == 0) ? -1.2 : 1.0;
}

/* 2 Freudenstein and Roth */
static void fr_r(size_t n, size_t m, const double *x, double *r) {
  UNUSED(n), UNUSED(m);
  r[0] = -13.0 + x[0] + ((5.0 - x[1]) * x[1] - 2.0) * x[1];
  r[1] = -29.0 + x[0] + ((x[1] + 1.0) * x[1] - 14.0) * x[1];
}
static void fr_J(size_t n, size_t m, const double *x, double *J) {
  UNUSED(m);
  J_(0, 0) = 1.0, J_(0, 1) = x[1] * (10.0 - 3.0 * x[1]) - 2.0;
  J_(1, 0) = 1.0, J_(1, 1) = x[1] * (3.0 * x[1] + 2.0) - 14.0;
}
static void fr_x0(size_t n, double *x) { UNUSED(n), x[0] = 0.5, x[1] = -2.0; }

/* 3 Powell badly scaled */
static void pbs_r(size_t n, size_t m, const double *x, double *r) {
  UNUSED(n), UNUSED(m);
  r[0] = 1e4 * x[0] * x[1] - 1.0;
  r[1] = exp(-x[0]) + exp(-x[1]) - 1.0001;
}
static void pbs_J(size_t n, size_t m, const double *x, double *J) {
  UNUSED(m);
  J_(0, 0) = 1e4 * x[1], J_(0, 1) = 1e4 * x[0];
  J_(1, 0) = -exp(-x[0]), J_(1, 1) = -exp(-x[1]);
}
static void pbs_x0(size_t n, double *x) { UNUSED(n), x[0] = 0.0, x[1] = 1.0; }

/* 4 Brown badly scaled */
static void bbs_r(size_t n, size_t m, const double *x, double *r) {
  UNUSED(n), UNUSED(m);
  r[0] = x[0] - 1e6, r[1] = x[1] - 2e-6, r[2] = x[0] * x[1] - 2.0;
}
static void bbs_J(size_t n, size_t m, const double *x, double *J) {
  UNUSED(m);
  J_(0, 0) = 1.0, J_(1, 1) = 1.0, J_(2, 0) = x[1], J_(2, 1) = x[0];
}
static void ones_x0(size_t n, double *x) {
  for (size_t i = 0; i < n; i++) x[i] = 1.0;
}

/* 5 Beale */
static const double beale_y[3] = {1.5, 2.25, 2.625};
static void beale_r(size_t n, size_t m, const double *x, double *r) {
  UNUSED(n), UNUSED(m);
  for (int i = 0; i < 3; i++) r[i] = beale_y[i] - x[0] * (1.0 - pow(x[1], i + 1));
}
static void beale_J(size_t n, size_t m, const double *x, double *J) {
  UNUSED(m);
  for (int i = 0; i < 3; i++) {
    J_(i, 0) = -(1.0 - pow(x[1], i + 1));
    J_(i, 1) = x[0] * (i + 1) * pow(x[1], i);
  }
}

/* 6 Jennrich and Sampson */
static void js_r(size_t n, size_t m, const double *x, double *r) {
  UNUSED(n);
  for (size_t i = 0; i < m; i++) {
    double k = (double)(i + 1);
    r[i] = 2.0 + 2.0 * k - (exp(k * x[0]) + exp(k * x[1]));
  }
}
static void js_J(size_t n, size_t m, const double *x, double *J) {
  for (size_t i = 0; i < m; i++) {
    double k = (double)(i + 1);
    J_(i, 0) = -k * exp(k * x[0]), J_(i, 1) = -k * exp(k * x[1]);
  }
}
static void js_x0(size_t n, double *x) { UNUSED(n), x[0] = 0.3, x[1] = 0.4; }

/* 7 Helical valley: theta = atan(x2/x1)/(2 pi), + 1/2 when x1 < 0 */
static double helix_theta(const double *x) {
  const double tpi = 2.0 * M_PI;
  if (x[0] > 0.0) return atan(x[1] / x[0]) / tpi;
  if (x[0] < 0.0) return atan(x[1] / x[0]) / tpi + 0.5;
  return x[1] >= 0.0 ? 0.25 : -0.25;
}
static void helix_r(size_t n, size_t m, const double *x, double *r) {
  UNUSED(n), UNUSED(m);
  r[0] = 10.0 * (x[2] - 10.0 * helix_theta(x));
  r[1] = 10.0 * (sqrt(x[0] * x[0] + x[1] * x[1]) - 1.0);
  r[2] = x[2];
}
static void helix_J(size_t n, size_t m, const double *x, double *J) {
  UNUSED(m);
  double q = x[0] * x[0] + x[1] * x[1], s = sqrt(q), tpi = 2.0 * M_PI;
  J_(0, 0) = 100.0 * x[1] / (tpi * q), J_(0, 1) = -100.0 * x[0] / (tpi * q), J_(0, 2) = 10.0;
  J_(1, 0) = 10.0 * x[0] / s, J_(1, 1) = 10.0 * x[1] / s;
  J_(2, 2) = 1.0;
}
static void helix_x0(size_t n, double *x) { UNUSED(n), x[0] = -1.0, x[1] = 0.0, x[2] = 0.0; }

/* 8 Bard: u = i, v = 16 - i, w = min(u, v) */
static const double bard_y[15] = {0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39,
                                  0.37, 0.58, 0.73, 0.96, 1.34, 2.10, 4.39};
static void bard_r(size_t n, size_t m, const double *x, double *r) {
  UNUSED(n), UNUSED(m);
  for (int i = 0; i < 15; i++) {
    double u = i + 1, v = 15 - i, w = fmin(u, v);
    r[i] = bard_y[i] - (x[0] + u / (v * x[1] + w * x[2]));
  }
}
static void bard_J(size_t n, size_t m, const double *x, double *J) {
  UNUSED(m);
  for (int i = 0; i < 15; i++) {
    double u = i + 1, v = 15 - i, w = fmin(u, v), d = v * x[1] + w * x[2];
    J_(i, 0) = -1.0, J_(i, 1) = u * v / (d * d), J_(i, 2) = u * w / (d * d);
  }
}

/* 9 Gaussian: t = (8 - i)/2 */
static const double gauss_y[15] = {0.0009, 0.0044, 0.0175, 0.0540, 0.1295, 0.2420, 0.3521, 0.3989,
                                   0.3521, 0.2420, 0.1295, 0.0540, 0.0175, 0.0044, 0.0009};
static void gauss_r(size_t n, size_t m, const double *x, double *r) {
  UNUSED(n), UNUSED(m);
  for (int i = 0; i < 15; i++) {
    double t = (7.0 - i) / 2.0, d = t - x[2];
    r[i] = x[0] * exp(-0.5 * x[1] * d * d) - gauss_y[i];
  }
}
static void gauss_J(size_t n, size_t m, const double *x, double *J) {
  UNUSED(m);
  for (int i = 0; i < 15; i++) {
    double t = (7.0 - i) / 2.0, d = t - x[2], e = exp(-0.5 * x[1] * d * d);
    J_(i, 0) = e, J_(i, 1) = -0.5 * x[0] * e * d * d, J_(i, 2) = x[0] * e * x[1] * d;
  }
}
static void gauss_x0(size_t n, double *x) { UNUSED(n), x[0] = 0.4, x[1] = 1.0, x[2] = 0.0; }

/* 10 Meyer: t = 45 + 5i */
static const double meyer_y[16] = {34780, 28610, 23650, 19630, 16370, 13720, 11540, 9744,
                                   8261,  7030,  6005,  5147,  4427,  3820,  3307,  2872};
static void meyer_r(size_t n, size_t m, const double *x, double *r) {
  UNUSED(n), UNUSED(m);
  for (int i = 0; i < 16; i++) {
    double t = 45.0 + 5.0 * (i + 1);
    r[i] = x[0] * exp(x[1] / (t + x[2])) - meyer_y[i];
  }
}
static void meyer_J(size_t n, size_t m, const double *x, double *J) {
  UNUSED(m);
  for (int i = 0; i < 16; i++) {
    double t = 45.0 + 5.0 * (i + 1), d = t + x[2], e = exp(x[1] / d);
    J_(i, 0) = e, J_(i, 1) = x[0] * e / d, J_(i, 2) = -x[0] * e * x[1] / (d * d);
  }
}
static void meyer_x0(size_t n, double *x) { UNUSED(n), x[0] = 0.02, x[1] = 4000.0, x[2] = 250.0; }

/* 11 Gulf research and development: t = i/100, y = 25 + (-50 ln t)^(2/3) */
static void gulf_r(size_t n, size_t m, const double *x, double *r) {
  UNUSED(n);
  for (size_t i = 0; i < m; i++) {
    double t = (double)(i + 1) / 100.0, y = 25.0 + pow(-50.0 * log(t), 2.0 / 3.0);
    r[i] = exp(-pow(fabs(y - x[1]), x[2]) / x[0]) - t;
  }
}
static void gulf_J(size_t n, size_t m, const double *x, double *J) {
  for (size_t i = 0; i < m; i++) {
    double t = (double)(i + 1) / 100.0, y = 25.0 + pow(-50.0 * log(t), 2.0 / 3.0);
    double a = fabs(y - x[1]), p = pow(a, x[2]), e = exp(-p / x[0]);
    double sgn = (y - x[1]) > 0.0 ? 1.0 : ((y - x[1]) < 0.0 ? -1.0 : 0.0);
    J_(i, 0) = e * p / (x[0] * x[0]);
    J_(i, 1) = a > 0.0 ? e * x[2] * pow(a, x[2] - 1.0) * sgn / x[0] : 0.0;
    J_(i, 2) = a > 0.0 ? -e * p * log(a) / x[0] : 0.0;
  }
}
static void gulf_x0(size_t n, double *x) { UNUSED(n), x[0] = 5.0, x[1] = 2.5, x[2] = 0.15; }

/* 12 Box three-dimensional: t = i/10 */
static void box_r(size_t n, size_t m, const double *x, double *r) {
  UNUSED(n);
  for (size_t i = 0; i < m; i++) {
    double t = 0.1 * (double)(i + 1);
    r[i] = exp(-t * x[0]) - exp(-t * x[1]) - x[2] * (exp(-t) - exp(-10.0 * t));
  }
}
static void box_J(size_t n, size_t m, const double *x, double *J) {
  for (size_t i = 0; i < m; i++) {
    double t = 0.1 * (double)(i + 1);
    J_(i, 0) = -t * exp(-t * x[0]), J_(i, 1) = t * exp(-t * x[1]);
    J_(i, 2) = -(exp(-t) - exp(-10.0 * t));
  }
}
static void box_x0(size_t n, double *x) { UNUSED(n), x[0] = 0.0, x[1] = 10.0, x[2] = 20.0; }

/* 13 Powell singular and 22 extended Powell singular (blocks of four) */
static void powell_r(size_t n, size_t m, const double *x, double *r) {
  UNUSED(m);
  for (size_t k = 0; k + 3 < n; k += 4) {
    const double *z = x + k;
    r[k] = z[0] + 10.0 * z[1];
    r[k + 1] = sqrt(5.0) * (z[2] - z[3]);
    r[k + 2] = (z[1] - 2.0 * z[2]) * (z[1] - 2.0 * z[2]);
    r[k + 3] = sqrt(10.0) * (z[0] - z[3]) * (z[0] - z[3]);
  }
}
static void powell_J(size_t n, size_t m, const double *x, double *J) {
  UNUSED(m);
  for (size_t k = 0; k + 3 < n; k += 4) {
    const double *z = x + k;
    double a = z[1] - 2.0 * z[2], b = z[0] - z[3];
    J_(k, k) = 1.0, J_(k, k + 1) = 10.0;
    J_(k + 1, k + 2) = sqrt(5.0), J_(k + 1, k + 3) = -sqrt(5.0);
    J_(k + 2, k + 1) = 2.0 * a, J_(k + 2, k + 2) = -4.0 * a;
    J_(k + 3, k) = 2.0 * sqrt(10.0) * b, J_(k + 3, k + 3) = -2.0 * sqrt(10.0) * b;
  }
}
static void powell_x0(size_t n, double *x) {
  static const double z[4] = {3.0, -1.0, 0.0, 1.0};
  for (size_t i = 0; i < n; i++) x[i] = z[i % 4];
}

/* 14 Wood */
static void wood_r(size_t n, size_t m, const double *x, double *r) {
  UNUSED(n), UNUSED(m);
  r[0] = 10.0 * (x[1] - x[0] * x[0]);
  r[1] = 1.0 - x[0];
  r[2] = sqrt(90.0) * (x[3] - x[2] * x[2]);
  r[3] = 1.0 - x[2];
  r[4] = sqrt(10.0) * (x[1] + x[3] - 2.0);
  r[5] = (x[1] - x[3]) / sqrt(10.0);
}
static void wood_J(size_t n, size_t m, const double *x, double *J) {
  UNUSED(m);
  J_(0, 0) = -20.0 * x[0], J_(0, 1) = 10.0;
  J_(1, 0) = -1.0;
  J_(2, 2) = -2.0 * sqrt(90.0) * x[2], J_(2, 3) = sqrt(90.0);
  J_(3, 2) = -1.0;
  J_(4, 1) = sqrt(10.0), J_(4, 3) = sqrt(10.0);
  J_(5, 1) = 1.0 / sqrt(10.0), J_(5, 3) = -1.0 / sqrt(10.0);
}
static void wood_x0(size_t n, double *x) {
  UNUSED(n), x[0] = -3.0, x[1] = -1.0, x[2] = -3.0, x[3] = -1.0;
}

/* 15 Kowalik and Osborne */
static const double ko_y[11] = {0.1957, 0.1947, 0.1735, 0.1600, 0.0844, 0.0627,
                                0.0456, 0.0342, 0.0323, 0.0235, 0.0246};
static const double ko_u[11] = {4.0,   2.0, 1.0,    0.5,    0.25,  0.167,
                                0.125, 0.1, 0.0833, 0.0714, 0.0625};
static void ko_r(size_t n, size_t m, const double *x, double *r) {
  UNUSED(n), UNUSED(m);
  for (int i = 0; i < 11; i++) {
    double u = ko_u[i];
    r[i] = ko_y[i] - x[0] * (u * u + u * x[1]) / (u * u + u * x[2] + x[3]);
  }
}
static void ko_J(size_t n, size_t m, const double *x, double *J) {
  UNUSED(m);
  for (int i = 0; i < 11; i++) {
    double u = ko_u[i], num = u * u + u * x[1], d = u * u + u * x[2] + x[3];
    J_(i, 0) = -num / d, J_(i, 1) = -x[0] * u / d;
    J_(i, 2) = x[0] * num * u / (d * d), J_(i, 3) = x[0] * num / (d * d);
  }
}
static void ko_x0(size_t n, double *x) {
  UNUSED(n), x[0] = 0.25, x[1] = 0.39, x[2] = 0.415, x[3] = 0.39;
}

/* 16 Brown and Dennis: t = i/5 */
static void bd_r(size_t n, size_t m, const double *x, double *r) {
  UNUSED(n);
  for (size_t i = 0; i < m; i++) {
    double t = (double)(i + 1) / 5.0;
    double a = x[0] + t * x[1] - exp(t), b = x[2] + x[3] * sin(t) - cos(t);
    r[i] = a * a + b * b;
  }
}
static void bd_J(size_t n, size_t m, const double *x, double *J) {
  for (size_t i = 0; i < m; i++) {
    double t = (double)(i + 1) / 5.0;
    double a = x[0] + t * x[1] - exp(t), b = x[2] + x[3] * sin(t) - cos(t);
    J_(i, 0) = 2.0 * a, J_(i, 1) = 2.0 * a * t, J_(i, 2) = 2.0 * b, J_(i, 3) = 2.0 * b * sin(t);
  }
}
static void bd_x0(size_t n, double *x) {
  UNUSED(n), x[0] = 25.0, x[1] = 5.0, x[2] = -5.0, x[3] = -1.0;
}

/* 17 Osborne 1: t = 10(i - 1) */
static const double os1_y[33] = {0.844, 0.908, 0.932, 0.936, 0.925, 0.908, 0.881, 0.850, 0.818,
                                 0.784, 0.751, 0.718, 0.685, 0.658, 0.628, 0.603, 0.580, 0.558,
                                 0.538, 0.522, 0.506, 0.490, 0.478, 0.467, 0.457, 0.448, 0.438,
                                 0.431, 0.424, 0.420, 0.414, 0.411, 0.406};
static void os1_r(size_t n, size_t m, const double *x, double *r) {
  UNUSED(n), UNUSED(m);
  for (int i = 0; i < 33; i++) {
    double t = 10.0 * i;
    r[i] = os1_y[i] - (x[0] + x[1] * exp(-t * x[3]) + x[2] * exp(-t * x[4]));
  }
}
static void os1_J(size_t n, size_t m, const double *x, double *J) {
  UNUSED(m);
  for (int i = 0; i < 33; i++) {
    double t = 10.0 * i, e4 = exp(-t * x[3]), e5 = exp(-t * x[4]);
    J_(i, 0) = -1.0, J_(i, 1) = -e4, J_(i, 2) = -e5;
    J_(i, 3) = t * x[1] * e4, J_(i, 4) = t * x[2] * e5;
  }
}
static void os1_x0(size_t n, double *x) {
  UNUSED(n), x[0] = 0.5, x[1] = 1.5, x[2] = -1.0, x[3] = 0.01, x[4] = 0.02;
}

/* 18 Biggs EXP6: t = i/10, y = e^-t - 5 e^-10t + 3 e^-4t */
static void biggs_r(size_t n, size_t m, const double *x, double *r) {
  UNUSED(n);
  for (size_t i = 0; i < m; i++) {
    double t = 0.1 * (double)(i + 1);
    double y = exp(-t) - 5.0 * exp(-10.0 * t) + 3.0 * exp(-4.0 * t);
    r[i] = x[2] * exp(-t * x[0]) - x[3] * exp(-t * x[1]) + x[5] * exp(-t * x[4]) - y;
  }
}
static void biggs_J(size_t n, size_t m, const double *x, double *J) {
  for (size_t i = 0; i < m; i++) {
    double t = 0.1 * (double)(i + 1);
    double e1 = exp(-t * x[0]), e2 = exp(-t * x[1]), e5 = exp(-t * x[4]);
    J_(i, 0) = -t * x[2] * e1, J_(i, 1) = t * x[3] * e2, J_(i, 2) = e1, J_(i, 3) = -e2;
    J_(i, 4) = -t * x[5] * e5, J_(i, 5) = e5;
  }
}
static void biggs_x0(size_t n, double *x) {
  UNUSED(n), x[0] = 1.0, x[1] = 2.0, x[2] = 1.0, x[3] = 1.0, x[4] = 1.0, x[5] = 1.0;
}

/* 19 Osborne 2: t = (i - 1)/10 */
static const double os2_y[65] = {
    1.366, 1.191, 1.112, 1.013, 0.991, 0.885, 0.831, 0.847, 0.786, 0.725, 0.746, 0.679, 0.608,
    0.655, 0.616, 0.606, 0.602, 0.626, 0.651, 0.724, 0.649, 0.649, 0.694, 0.644, 0.624, 0.661,
    0.612, 0.558, 0.533, 0.495, 0.500, 0.423, 0.395, 0.375, 0.372, 0.391, 0.396, 0.405, 0.428,
    0.429, 0.523, 0.562, 0.607, 0.653, 0.672, 0.708, 0.633, 0.668, 0.645, 0.632, 0.591, 0.559,
    0.597, 0.625, 0.739, 0.710, 0.729, 0.720, 0.636, 0.581, 0.428, 0.292, 0.162, 0.098, 0.054};
static void os2_r(size_t n, size_t m, const double *x, double *r) {
  UNUSED(n), UNUSED(m);
  for (int i = 0; i < 65; i++) {
    double t = 0.1 * i, a = t - x[8], b = t - x[9], c = t - x[10];
    r[i] = os2_y[i] - (x[0] * exp(-t * x[4]) + x[1] * exp(-a * a * x[5]) +
                       x[2] * exp(-b * b * x[6]) + x[3] * exp(-c * c * x[7]));
  }
}
static void os2_J(size_t n, size_t m, const double *x, double *J) {
  UNUSED(m);
  for (int i = 0; i < 65; i++) {
    double t = 0.1 * i, a = t - x[8], b = t - x[9], c = t - x[10];
    double e1 = exp(-t * x[4]), e2 = exp(-a * a * x[5]), e3 = exp(-b * b * x[6]),
           e4 = exp(-c * c * x[7]);
    J_(i, 0) = -e1, J_(i, 1) = -e2, J_(i, 2) = -e3, J_(i, 3) = -e4;
    J_(i, 4) = t * x[0] * e1, J_(i, 5) = x[1] * a * a * e2, J_(i, 6) = x[2] * b * b * e3;
    J_(i, 7) = x[3] * c * c * e4;
    J_(i, 8) = -2.0 * x[1] * x[5] * a * e2, J_(i, 9) = -2.0 * x[2] * x[6] * b * e3;
    J_(i, 10) = -2.0 * x[3] * x[7] * c * e4;
  }
}
static void os2_x0(size_t n, double *x) {
  static const double z[11] = {1.3, 0.65, 0.65, 0.7, 0.6, 3.0, 5.0, 7.0, 2.0, 4.5, 5.5};
  UNUSED(n);
  memcpy(x, z, sizeof z);
}

/* 20 Watson: t = i/29, i = 1..29; r_30 = x1, r_31 = x2 - x1^2 - 1 */
static void watson_r(size_t n, size_t m, const double *x, double *r) {
  UNUSED(m);
  for (int i = 0; i < 29; i++) {
    double t = (i + 1) / 29.0, s1 = 0.0, s2 = x[0], p = 1.0;
    for (size_t j = 1; j < n; j++) {
      s1 += (double)j * x[j] * p; /* (j-1) x_j t^(j-2), 1-based */
      p *= t;
      s2 += x[j] * p;
    }
    r[i] = s1 - s2 * s2 - 1.0;
  }
  r[29] = x[0];
  r[30] = x[1] - x[0] * x[0] - 1.0;
}
static void watson_J(size_t n, size_t m, const double *x, double *J) {
  UNUSED(m);
  for (int i = 0; i < 29; i++) {
    double t = (i + 1) / 29.0, s2 = x[0], p = 1.0;
    for (size_t j = 1; j < n; j++) p *= t, s2 += x[j] * p;
    double pj = 1.0, pjm1 = 0.0; /* t^j and t^(j-1) */
    for (size_t j = 0; j < n; j++) {
      J_(i, j) = (double)j * pjm1 - 2.0 * s2 * pj;
      pjm1 = pj, pj *= t;
    }
  }
  J_(29, 0) = 1.0;
  J_(30, 0) = -2.0 * x[0], J_(30, 1) = 1.0;
}
static void zeros_x0(size_t n, double *x) { memset(x, 0, n * sizeof *x); }

/* 21 Extended Rosenbrock (pairs) */
static void xrosen_r(size_t n, size_t m, const double *x, double *r) {
  UNUSED(m);
  for (size_t k = 0; k + 1 < n; k += 2) {
    r[k] = 10.0 * (x[k + 1] - x[k] * x[k]);
    r[k + 1] = 1.0 - x[k];
  }
}
static void xrosen_J(size_t n, size_t m, const double *x, double *J) {
  UNUSED(m);
  for (size_t k = 0; k + 1 < n; k += 2) {
    J_(k, k) = -20.0 * x[k], J_(k, k + 1) = 10.0, J_(k + 1, k) = -1.0;
  }
}

/* 23 Penalty I: a = 1e-5 */
static void pen1_r(size_t n, size_t m, const double *x, double *r) {
  UNUSED(m);
  double s = 0.0;
  for (size_t j = 0; j < n; j++) r[j] = sqrt(1e-5) * (x[j] - 1.0), s += x[j] * x[j];
  r[n] = s - 0.25;
}
static void pen1_J(size_t n, size_t m, const double *x, double *J) {
  UNUSED(m);
  for (size_t j = 0; j < n; j++) J_(j, j) = sqrt(1e-5), J_(n, j) = 2.0 * x[j];
}
static void index_x0(size_t n, double *x) {
  for (size_t j = 0; j < n; j++) x[j] = (double)(j + 1);
}

/* 24 Penalty II: a = 1e-5, y_i = e^(i/10) + e^((i-1)/10) */
static void pen2_r(size_t n, size_t m, const double *x, double *r) {
  UNUSED(m);
  double sa = sqrt(1e-5), e1 = exp(-0.1), s = 0.0;
  r[0] = x[0] - 0.2;
  for (size_t i = 1; i < n; i++) {
    double y = exp((double)(i + 1) / 10.0) + exp((double)i / 10.0);
    r[i] = sa * (exp(x[i] / 10.0) + exp(x[i - 1] / 10.0) - y);
  }
  for (size_t i = 1; i < n; i++) r[n + i - 1] = sa * (exp(x[i] / 10.0) - e1);
  for (size_t j = 0; j < n; j++) s += (double)(n - j) * x[j] * x[j];
  r[2 * n - 1] = s - 1.0;
}
static void pen2_J(size_t n, size_t m, const double *x, double *J) {
  UNUSED(m);
  double sa = sqrt(1e-5);
  J_(0, 0) = 1.0;
  for (size_t i = 1; i < n; i++) {
    J_(i, i) = sa * exp(x[i] / 10.0) / 10.0;
    J_(i, i - 1) = sa * exp(x[i - 1] / 10.0) / 10.0;
    J_(n + i - 1, i) = sa * exp(x[i] / 10.0) / 10.0;
  }
  for (size_t j = 0; j < n; j++) J_(2 * n - 1, j) = 2.0 * (double)(n - j) * x[j];
}
static void half_x0(size_t n, double *x) {
  for (size_t j = 0; j < n; j++) x[j] = 0.5;
}

/* 25 Variably dimensioned */
static void vd_r(size_t n, size_t m, const double *x, double *r) {
  UNUSED(m);
  double s = 0.0;
  for (size_t j = 0; j < n; j++) r[j] = x[j] - 1.0, s += (double)(j + 1) * (x[j] - 1.0);
  r[n] = s, r[n + 1] = s * s;
}
static void vd_J(size_t n, size_t m, const double *x, double *J) {
  UNUSED(m);
  double s = 0.0;
  for (size_t j = 0; j < n; j++) s += (double)(j + 1) * (x[j] - 1.0);
  for (size_t j = 0; j < n; j++) {
    J_(j, j) = 1.0;
    J_(n, j) = (double)(j + 1), J_(n + 1, j) = 2.0 * s * (double)(j + 1);
  }
}
static void vd_x0(size_t n, double *x) {
  for (size_t j = 0; j < n; j++) x[j] = 1.0 - (double)(j + 1) / (double)n;
}

/* 26 Trigonometric */
static void trig_r(size_t n, size_t m, const double *x, double *r) {
  UNUSED(m);
  double sc = 0.0;
  for (size_t j = 0; j < n; j++) sc += cos(x[j]);
  for (size_t i = 0; i < n; i++)
    r[i] = (double)n - sc + (double)(i + 1) * (1.0 - cos(x[i])) - sin(x[i]);
}
static void trig_J(size_t n, size_t m, const double *x, double *J) {
  UNUSED(m);
  for (size_t i = 0; i < n; i++) {
    for (size_t j = 0; j < n; j++) J_(i, j) = sin(x[j]);
    J_(i, i) += (double)(i + 1) * sin(x[i]) - cos(x[i]);
  }
}
static void invn_x0(size_t n, double *x) {
  for (size_t j = 0; j < n; j++) x[j] = 1.0 / (double)n;
}

/* 27 Brown almost-linear */
static void bal_r(size_t n, size_t m, const double *x, double *r) {
  UNUSED(m);
  double s = 0.0, p = 1.0;
  for (size_t j = 0; j < n; j++) s += x[j], p *= x[j];
  for (size_t i = 0; i + 1 < n; i++) r[i] = x[i] + s - (double)(n + 1);
  r[n - 1] = p - 1.0;
}
static void bal_J(size_t n, size_t m, const double *x, double *J) {
  UNUSED(m);
  for (size_t i = 0; i + 1 < n; i++) {
    for (size_t j = 0; j < n; j++) J_(i, j) = 1.0;
    J_(i, i) = 2.0;
  }
  for (size_t j = 0; j < n; j++) {
    double p = 1.0;
    for (size_t k = 0; k < n; k++)
      if (k != j) p *= x[k];
    J_(n - 1, j) = p;
  }
}

/* 28 Discrete boundary value: h = 1/(n+1), t_i = i h, x_0 = x_{n+1} = 0 */
static void dbv_r(size_t n, size_t m, const double *x, double *r) {
  UNUSED(m);
  double h = 1.0 / (double)(n + 1);
  for (size_t i = 0; i < n; i++) {
    double t = (double)(i + 1) * h, u = x[i] + t + 1.0;
    double lo = i > 0 ? x[i - 1] : 0.0, hi = i + 1 < n ? x[i + 1] : 0.0;
    r[i] = 2.0 * x[i] - lo - hi + h * h * u * u * u / 2.0;
  }
}
static void dbv_J(size_t n, size_t m, const double *x, double *J) {
  UNUSED(m);
  double h = 1.0 / (double)(n + 1);
  for (size_t i = 0; i < n; i++) {
    double t = (double)(i + 1) * h, u = x[i] + t + 1.0;
    J_(i, i) = 2.0 + 1.5 * h * h * u * u;
    if (i > 0) J_(i, i - 1) = -1.0;
    if (i + 1 < n) J_(i, i + 1) = -1.0;
  }
}
static void dbv_x0(size_t n, double *x) {
  double h = 1.0 / (double)(n + 1);
  for (size_t j = 0; j < n; j++) {
    double t = (double)(j + 1) * h;
    x[j] = t * (t - 1.0);
  }
}

/* 29 Discrete integral equation */
static void die_r(size_t n, size_t m, const double *x, double *r) {
  UNUSED(m);
  double h = 1.0 / (double)(n + 1);
  for (size_t i = 0; i < n; i++) {
    double ti = (double)(i + 1) * h, s1 = 0.0, s2 = 0.0;
    for (size_t j = 0; j < n; j++) {
      double tj = (double)(j + 1) * h, u = x[j] + tj + 1.0;
      if (j <= i)
        s1 += tj * u * u * u;
      else
        s2 += (1.0 - tj) * u * u * u;
    }
    r[i] = x[i] + h * ((1.0 - ti) * s1 + ti * s2) / 2.0;
  }
}
static void die_J(size_t n, size_t m, const double *x, double *J) {
  UNUSED(m);
  double h = 1.0 / (double)(n + 1);
  for (size_t i = 0; i < n; i++) {
    double ti = (double)(i + 1) * h;
    for (size_t j = 0; j < n; j++) {
      double tj = (double)(j + 1) * h, u = x[j] + tj + 1.0;
      double w = j <= i ? (1.0 - ti) * tj : ti * (1.0 - tj);
      J_(i, j) = 1.5 * h * w * u * u + (i == j ? 1.0 : 0.0);
    }
  }
}

/* 30 Broyden tridiagonal */
static void btri_r(size_t n, size_t m, const double *x, double *r) {
  UNUSED(m);
  for (size_t i = 0; i < n; i++) {
    double lo = i > 0 ? x[i - 1] : 0.0, hi = i + 1 < n ? x[i + 1] : 0.0;
    r[i] = (3.0 - 2.0 * x[i]) * x[i] - lo - 2.0 * hi + 1.0;
  }
}
static void btri_J(size_t n, size_t m, const double *x, double *J) {
  UNUSED(m);
  for (size_t i = 0; i < n; i++) {
    J_(i, i) = 3.0 - 4.0 * x[i];
    if (i > 0) J_(i, i - 1) = -1.0;
    if (i + 1 < n) J_(i, i + 1) = -2.0;
  }
}
static void minus1_x0(size_t n, double *x) {
  for (size_t j = 0; j < n; j++) x[j] = -1.0;
}

/* 31 Broyden banded: J_i = {j != i : max(1, i-5) <= j <= min(n, i+1)} */
static void bband_r(size_t n, size_t m, const double *x, double *r) {
  UNUSED(m);
  for (size_t i = 0; i < n; i++) {
    size_t lo = i >= 5 ? i - 5 : 0, hi = i + 1 < n ? i + 1 : n - 1;
    double s = 0.0;
    for (size_t j = lo; j <= hi; j++)
      if (j != i) s += x[j] * (1.0 + x[j]);
    r[i] = x[i] * (2.0 + 5.0 * x[i] * x[i]) + 1.0 - s;
  }
}
static void bband_J(size_t n, size_t m, const double *x, double *J) {
  UNUSED(m);
  for (size_t i = 0; i < n; i++) {
    size_t lo = i >= 5 ? i - 5 : 0, hi = i + 1 < n ? i + 1 : n - 1;
    for (size_t j = lo; j <= hi; j++)
      if (j != i) J_(i, j) = -(1.0 + 2.0 * x[j]);
    J_(i, i) = 2.0 + 15.0 * x[i] * x[i];
  }
}

/* 32 Linear function, full rank */
static void lfr_r(size_t n, size_t m, const double *x, double *r) {
  double s = 0.0;
  for (size_t j = 0; j < n; j++) s += x[j];
  for (size_t i = 0; i < m; i++) r[i] = (i < n ? x[i] : 0.0) - 2.0 * s / (double)m - 1.0;
}
static void lfr_J(size_t n, size_t m, const double *x, double *J) {
  UNUSED(x);
  for (size_t i = 0; i < m; i++)
    for (size_t j = 0; j < n; j++) J_(i, j) = (i == j ? 1.0 : 0.0) - 2.0 / (double)m;
}

/* 33 Linear function, rank 1 */
static void lr1_r(size_t n, size_t m, const double *x, double *r) {
  double s = 0.0;
  for (size_t j = 0; j < n; j++) s += (double)(j + 1) * x[j];
  for (size_t i = 0; i < m; i++) r[i] = (double)(i + 1) * s - 1.0;
}
static void lr1_J(size_t n, size_t m, const double *x, double *J) {
  UNUSED(x);
  for (size_t i = 0; i < m; i++)
    for (size_t j = 0; j < n; j++) J_(i, j) = (double)(i + 1) * (double)(j + 1);
}

/* 34 Linear function, rank 1 with zero columns and rows */
static void lr1z_r(size_t n, size_t m, const double *x, double *r) {
  double s = 0.0;
  for (size_t j = 1; j + 1 < n; j++) s += (double)(j + 1) * x[j];
  for (size_t i = 0; i < m; i++) r[i] = (i == 0 || i == m - 1) ? -1.0 : (double)i * s - 1.0;
}
static void lr1z_J(size_t n, size_t m, const double *x, double *J) {
  UNUSED(x);
  for (size_t i = 1; i + 1 < m; i++)
    for (size_t j = 1; j + 1 < n; j++) J_(i, j) = (double)i * (double)(j + 1);
}

/* 35 Chebyquad: the shifted Chebyshev polynomials T_i(2x - 1) on [0, 1] */
static void cheb_r(size_t n, size_t m, const double *x, double *r) {
  for (size_t i = 0; i < m; i++) r[i] = 0.0;
  for (size_t j = 0; j < n; j++) {
    double y = 2.0 * x[j] - 1.0, t0 = 1.0, t1 = y;
    for (size_t i = 0; i < m; i++) {
      r[i] += t1 / (double)n;
      double t2 = 2.0 * y * t1 - t0;
      t0 = t1, t1 = t2;
    }
  }
  for (size_t i = 1; i < m; i += 2) r[i] += 1.0 / ((double)(i + 1) * (double)(i + 1) - 1.0);
}
static void cheb_J(size_t n, size_t m, const double *x, double *J) {
  for (size_t j = 0; j < n; j++) {
    double y = 2.0 * x[j] - 1.0, t0 = 1.0, t1 = y, d0 = 0.0, d1 = 1.0; /* T and dT/dy */
    for (size_t i = 0; i < m; i++) {
      J_(i, j) = 2.0 * d1 / (double)n;
      double t2 = 2.0 * y * t1 - t0, d2 = 2.0 * t1 + 2.0 * y * d1 - d0;
      t0 = t1, t1 = t2, d0 = d1, d1 = d2;
    }
  }
}
static void cheb_x0(size_t n, double *x) {
  for (size_t j = 0; j < n; j++) x[j] = (double)(j + 1) / (double)(n + 1);
}

#define BIG ((size_t)100000)
static const problem problems[SL_MGH_COUNT] = {
    {{1, "rosenbrock", 2, 2, "n = 2, m = 2"}, rosen_r, rosen_J, rosen_x0, 2, 2, 1, M_FIXED, 0, 0},
    {{2, "freudenstein_roth", 2, 2, "n = 2, m = 2"}, fr_r, fr_J, fr_x0, 2, 2, 1, M_FIXED, 0, 0},
    {{3, "powell_badly_scaled", 2, 2, "n = 2, m = 2"},
     pbs_r,
     pbs_J,
     pbs_x0,
     2,
     2,
     1,
     M_FIXED,
     0,
     0},
    {{4, "brown_badly_scaled", 2, 3, "n = 2, m = 3"},
     bbs_r,
     bbs_J,
     ones_x0,
     2,
     2,
     1,
     M_FIXED,
     0,
     0},
    {{5, "beale", 2, 3, "n = 2, m = 3"}, beale_r, beale_J, ones_x0, 2, 2, 1, M_FIXED, 0, 0},
    {{6, "jennrich_sampson", 2, 10, "n = 2, m >= 2"}, js_r, js_J, js_x0, 2, 2, 1, M_FREE, 0, BIG},
    {{7, "helical_valley", 3, 3, "n = 3, m = 3"},
     helix_r,
     helix_J,
     helix_x0,
     3,
     3,
     1,
     M_FIXED,
     0,
     0},
    {{8, "bard", 3, 15, "n = 3, m = 15"}, bard_r, bard_J, ones_x0, 3, 3, 1, M_FIXED, 0, 0},
    {{9, "gaussian", 3, 15, "n = 3, m = 15"}, gauss_r, gauss_J, gauss_x0, 3, 3, 1, M_FIXED, 0, 0},
    {{10, "meyer", 3, 16, "n = 3, m = 16"}, meyer_r, meyer_J, meyer_x0, 3, 3, 1, M_FIXED, 0, 0},
    {{11, "gulf", 3, 10, "n = 3, 3 <= m <= 100"}, gulf_r, gulf_J, gulf_x0, 3, 3, 1, M_FREE, 0, 100},
    {{12, "box3", 3, 10, "n = 3, m >= 3"}, box_r, box_J, box_x0, 3, 3, 1, M_FREE, 0, BIG},
    {{13, "powell_singular", 4, 4, "n = 4, m = 4"},
     powell_r,
     powell_J,
     powell_x0,
     4,
     4,
     1,
     M_FIXED,
     0,
     0},
    {{14, "wood", 4, 6, "n = 4, m = 6"}, wood_r, wood_J, wood_x0, 4, 4, 1, M_FIXED, 0, 0},
    {{15, "kowalik_osborne", 4, 11, "n = 4, m = 11"}, ko_r, ko_J, ko_x0, 4, 4, 1, M_FIXED, 0, 0},
    {{16, "brown_dennis", 4, 20, "n = 4, m >= 4"}, bd_r, bd_J, bd_x0, 4, 4, 1, M_FREE, 0, BIG},
    {{17, "osborne1", 5, 33, "n = 5, m = 33"}, os1_r, os1_J, os1_x0, 5, 5, 1, M_FIXED, 0, 0},
    {{18, "biggs_exp6", 6, 13, "n = 6, m >= 6"},
     biggs_r,
     biggs_J,
     biggs_x0,
     6,
     6,
     1,
     M_FREE,
     0,
     BIG},
    {{19, "osborne2", 11, 65, "n = 11, m = 65"}, os2_r, os2_J, os2_x0, 11, 11, 1, M_FIXED, 0, 0},
    {{20, "watson", 6, 31, "2 <= n <= 31, m = 31"},
     watson_r,
     watson_J,
     zeros_x0,
     2,
     31,
     1,
     M_FIXED,
     0,
     0},
    {{21, "extended_rosenbrock", 10, 10, "n even, m = n"},
     xrosen_r,
     xrosen_J,
     rosen_x0,
     2,
     BIG,
     2,
     M_EQ_N,
     0,
     0},
    {{22, "extended_powell", 12, 12, "n a multiple of 4, m = n"},
     powell_r,
     powell_J,
     powell_x0,
     4,
     BIG,
     4,
     M_EQ_N,
     0,
     0},
    {{23, "penalty1", 10, 11, "n >= 1, m = n + 1"},
     pen1_r,
     pen1_J,
     index_x0,
     1,
     BIG,
     1,
     M_N_PLUS,
     1,
     0},
    {{24, "penalty2", 10, 20, "n >= 1, m = 2n"}, pen2_r, pen2_J, half_x0, 1, BIG, 1, M_2N, 0, 0},
    {{25, "variably_dimensioned", 10, 12, "n >= 1, m = n + 2"},
     vd_r,
     vd_J,
     vd_x0,
     1,
     BIG,
     1,
     M_N_PLUS,
     2,
     0},
    {{26, "trigonometric", 10, 10, "n >= 1, m = n"},
     trig_r,
     trig_J,
     invn_x0,
     1,
     BIG,
     1,
     M_EQ_N,
     0,
     0},
    {{27, "brown_almost_linear", 10, 10, "n >= 1, m = n"},
     bal_r,
     bal_J,
     half_x0,
     1,
     BIG,
     1,
     M_EQ_N,
     0,
     0},
    {{28, "discrete_boundary", 10, 10, "n >= 1, m = n"},
     dbv_r,
     dbv_J,
     dbv_x0,
     1,
     BIG,
     1,
     M_EQ_N,
     0,
     0},
    {{29, "discrete_integral", 10, 10, "n >= 1, m = n"},
     die_r,
     die_J,
     dbv_x0,
     1,
     BIG,
     1,
     M_EQ_N,
     0,
     0},
    {{30, "broyden_tridiagonal", 10, 10, "n >= 1, m = n"},
     btri_r,
     btri_J,
     minus1_x0,
     1,
     BIG,
     1,
     M_EQ_N,
     0,
     0},
    {{31, "broyden_banded", 10, 10, "n >= 1, m = n"},
     bband_r,
     bband_J,
     minus1_x0,
     1,
     BIG,
     1,
     M_EQ_N,
     0,
     0},
    {{32, "linear_full_rank", 5, 10, "n >= 1, m >= n"},
     lfr_r,
     lfr_J,
     ones_x0,
     1,
     BIG,
     1,
     M_FREE,
     0,
     BIG},
    {{33, "linear_rank1", 5, 10, "n >= 1, m >= n"},
     lr1_r,
     lr1_J,
     ones_x0,
     1,
     BIG,
     1,
     M_FREE,
     0,
     BIG},
    {{34, "linear_rank1_zero", 5, 10, "n >= 3, m >= n"},
     lr1z_r,
     lr1z_J,
     ones_x0,
     3,
     BIG,
     1,
     M_FREE,
     0,
     BIG},
    {{35, "chebyquad", 8, 8, "n >= 1, m >= n"}, cheb_r, cheb_J, cheb_x0, 1, BIG, 1, M_FREE, 0, BIG},
};

const sl_mgh_info *sl_mgh_get(int k) {
  return (k >= 0 && k < SL_MGH_COUNT) ? &problems[k].info : NULL;
}

int sl_mgh_find(const char *name) {
  for (int k = 0; k < SL_MGH_COUNT; k++)
    if (strcmp(problems[k].info.name, name) == 0) return k;
  return -1;
}

sl_status sl_mgh_sizes(int k, size_t *n, size_t *m, char *msg, size_t len) {
  const problem *p = &problems[k];
  int ngiven = *n != 0, mgiven = *m != 0;
  if (!ngiven) *n = p->info.n;
  if (*n < p->nlo || *n > p->nhi || *n % p->nstep != 0) {
    snprintf(msg, len, "%s takes %s, got n = %zu", p->info.name, p->info.sizes, *n);
    return SL_EINVAL;
  }
  size_t want;
  switch (p->mrule) {
  case M_FIXED: want = p->info.m; break;
  case M_EQ_N: want = *n; break;
  case M_N_PLUS: want = *n + p->mplus; break;
  case M_2N: want = 2 * *n; break;
  default: /* M_FREE */
    if (!mgiven) *m = ngiven ? (*n > p->info.m ? *n : p->info.m) : p->info.m;
    if (*m < *n || *m > p->mhi) {
      snprintf(msg, len, "%s takes %s, got n = %zu, m = %zu", p->info.name, p->info.sizes, *n, *m);
      return SL_EINVAL;
    }
    return SL_OK;
  }
  if (mgiven && *m != want) {
    snprintf(msg, len, "%s takes %s, got n = %zu, m = %zu", p->info.name, p->info.sizes, *n, *m);
    return SL_EINVAL;
  }
  *m = want;
  return SL_OK;
}

typedef struct mghctx {
  const problem *p;
  size_t n, m;
} mghctx;

static sl_status mgh_r(void *ctx, const double *x, double *r) {
  mghctx *c = ctx;
  c->p->r(c->n, c->m, x, r);
  return SL_OK;
}
static sl_status mgh_J(void *ctx, const double *x, double *J) {
  mghctx *c = ctx;
  c->p->J(c->n, c->m, x, J);
  return SL_OK;
}

sl_objective *sl_obj_mgh(int k, size_t n, size_t m, double *x0, sl_status *st) {
  mghctx *c = malloc(sizeof *c);
  if (c == NULL) {
    *st = SL_ENOMEM;
    return NULL;
  }
  c->p = &problems[k], c->n = n, c->m = m;
  static const sl_residual_fns fns = {"mgh", mgh_r, mgh_J, free, NULL};
  sl_objective *o = sl_obj_residuals(m, n, &fns, c, st);
  if (o == NULL) return NULL;
  char name[64];
  snprintf(name, sizeof name, "mgh %s", c->p->info.name);
  sl_res_set_name(o, name);
  if (x0) c->p->x0(n, x0);
  return o;
}
