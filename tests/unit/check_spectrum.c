/*
** check_spectrum.c — Lanczos, power iteration, Hutchinson, SLQ and the dense
** eigensolver against known spectra; the noise scale and step statistics.
*/
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_slope.h"
#include "sl_probe.h"
#include "sl_rng.h"
#include "sl_spectrum.h"
#include "sl_toyobj.h"
#include "sl_vec.h"

/* A random symmetric n x n matrix (entries N(0,1), symmetrized). */
static double *random_sym(size_t n, uint64_t seed) {
  sl_rng r;
  sl_rng_seed(&r, seed);
  double *a = malloc(n * n * sizeof *a);
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = sl_rng_normal(&r);
  return a;
}

static double reldiff(double a, double b) { return fabs(a - b) / fmax(1.0, fabs(b)); }

START_TEST(test_lanczos_matches_dense) {
  size_t n = 40;
  double *a = random_sym(n, 7), w[40], top[3], bot[2], vec[3 * 40], hv[40];
  ck_assert_int_eq(sl_spectrum_eigs_dense(n, a, w, NULL), SL_OK);
  sl_objective *o = sl_toy_quadratic(n, a, NULL, 1);
  double x[40] = {0};
  sl_rng r;
  sl_rng_seed(&r, 1);
  sl_eig_opts opt = sl_eig_opts_default();
  opt.k = 3;
  opt.tol = 1e-10;
  opt.rng = &r;
  sl_eig_info info;
  ck_assert_int_eq(sl_spectrum_lanczos(o, x, &opt, top, vec, &info), SL_OK);
  for (int i = 0; i < 3; i++) {
    ck_assert_double_le(reldiff(top[i], w[n - 1 - i]), 1e-8);
    /* |H y - lambda y| small, |y| = 1 */
    sl_obj_hvp(o, x, vec + i * n, hv);
    sl_vec_axpy(n, hv, -top[i], vec + i * n);
    ck_assert_double_le(sl_vec_nrm2(n, hv), 1e-6 * fabs(top[i]));
    ck_assert_double_eq_tol(sl_vec_nrm2(n, vec + i * n), 1.0, 1e-12);
  }
  opt.k = 2;
  opt.which = SL_EIG_BOTTOM;
  ck_assert_int_eq(sl_spectrum_lanczos(o, x, &opt, bot, NULL, &info), SL_OK);
  ck_assert_double_le(reldiff(bot[0], w[0]), 1e-8);
  ck_assert_double_le(reldiff(bot[1], w[1]), 1e-8);
  ck_assert_double_lt(bot[0], 0.0); /* a random symmetric matrix is indefinite */
  sl_obj_destroy(o);
  free(a);
}
END_TEST

/* 500-dim diagonal quadratic: lambda_1 = 1, the rest clustered in [0.5, 0.98]. */
START_TEST(test_lanczos_beats_power_on_clustered_spectrum) {
  size_t n = 500;
  double *a = calloc(n * n, sizeof *a), *x = calloc(n, sizeof *x);
  sl_rng r;
  sl_rng_seed(&r, 3);
  a[0] = 1.0;
  for (size_t i = 1; i < n; i++) a[i * n + i] = 0.5 + 0.48 * sl_rng_uniform(&r);
  sl_objective *o = sl_toy_quadratic(n, a, NULL, 1);
  sl_eig_opts opt = sl_eig_opts_default();
  opt.rng = &r;
  sl_eig_info li, pi;
  double lv, pv;
  ck_assert_int_eq(sl_spectrum_lanczos(o, x, &opt, &lv, NULL, &li), SL_OK);
  /* power's stopping rule (change of the Rayleigh quotient) stops at an error
     of ~2e-5 with tol 1e-6 here: it needs tol 1e-8 to be 1e-6 accurate */
  opt.maxiter = 5000;
  opt.tol = 1e-8;
  ck_assert_int_eq(sl_spectrum_power(o, x, &opt, &pv, NULL, &pi), SL_OK);
  ck_assert_double_le(fabs(lv - 1.0), 1e-6);
  ck_assert_double_le(fabs(pv - 1.0), 1e-6);
  ck_assert_uint_le(li.nhvp, 60);
  ck_assert_uint_ge(pi.nhvp, 100);
  ck_assert_uint_ge(pi.nhvp, 5 * li.nhvp);
  sl_obj_destroy(o);
  free(a);
  free(x);
}
END_TEST

/* criterion SL_EIG_VALUE: tol bounds the eigenvalue's error (gap theorem with
   the Ritz gap), so on random, graded and clustered spectra the k extreme
   eigenvalues are within tol relative of LAPACK's, with fewer HVPs than the
   residual test needs. */
START_TEST(test_lanczos_value_criterion) {
  size_t n = 120;
  double *a = malloc(n * n * sizeof *a), *w = malloc(n * sizeof *w), *x = calloc(n, sizeof *x);
  double val[3];
  sl_rng r;
  sl_rng_seed(&r, 5);
  size_t hv_value = 0, hv_resid = 0;
  for (int trial = 0; trial < 24; trial++) {
    /* a diagonal spectrum: from a random start vector the Krylov process sees
       the same as in any orthonormal basis */
    memset(a, 0, n * n * sizeof *a);
    for (size_t i = 0; i < n; i++) {
      double u = sl_rng_uniform(&r);
      double s = trial % 3 == 0   ? sl_rng_normal(&r)                /* random, indefinite */
                 : trial % 3 == 1 ? pow(10.0, -4.0 * u)              /* graded, 1 .. 1e-4 */
                                  : (i == 0 ? 1.0 : 0.9 + 0.09 * u); /* clustered below 1 */
      a[i * n + i] = s;
    }
    ck_assert_int_eq(sl_spectrum_eigs_dense(n, a, w, NULL), SL_OK);
    sl_objective *o = sl_toy_quadratic(n, a, NULL, 1);
    for (int which = 0; which < 2; which++) {
      sl_eig_opts opt = sl_eig_opts_default();
      opt.k = 1 + (size_t)trial % 3;
      opt.tol = 1e-6;
      opt.rng = &r;
      opt.which = which ? SL_EIG_BOTTOM : SL_EIG_TOP;
      opt.criterion = SL_EIG_VALUE;
      sl_eig_info info;
      ck_assert_int_eq(sl_spectrum_lanczos(o, x, &opt, val, NULL, &info), SL_OK);
      hv_value += info.nhvp;
      for (size_t i = 0; i < opt.k; i++) {
        double ref = which ? w[i] : w[n - 1 - i];
        ck_assert_msg(fabs(val[i] - ref) <= 1e-6 * fabs(ref),
                      "trial %d which %d pair %zu: %.17g vs %.17g", trial, which, i, val[i], ref);
      }
      opt.criterion = SL_EIG_RESIDUAL;
      ck_assert_int_eq(sl_spectrum_lanczos(o, x, &opt, val, NULL, &info), SL_OK);
      hv_resid += info.nhvp;
    }
    sl_obj_destroy(o);
  }
  ck_assert_uint_lt(hv_value, hv_resid);
  free(a);
  free(w);
  free(x);
}
END_TEST

/* eigenvalue 5 twice and 1 once: k = 2 must give {5, 5} (restart after breakdown). */
START_TEST(test_lanczos_repeated_eigenvalue) {
  double a[9] = {5, 0, 0, 0, 1, 0, 0, 0, 5}, x[3] = {0}, v[2];
  sl_objective *o = sl_toy_quadratic(3, a, NULL, 1);
  sl_rng r;
  sl_rng_seed(&r, 11);
  sl_eig_opts opt = sl_eig_opts_default();
  opt.k = 2;
  opt.rng = &r;
  sl_eig_info info;
  ck_assert_int_eq(sl_spectrum_lanczos(o, x, &opt, v, NULL, &info), SL_OK);
  ck_assert_double_eq_tol(v[0], 5.0, 1e-12);
  ck_assert_double_eq_tol(v[1], 5.0, 1e-12);
  sl_obj_destroy(o);
}
END_TEST

START_TEST(test_errors_and_fd_hvp) {
  size_t n = 20;
  double *a = random_sym(n, 5), w[20], x[20] = {0}, v[21];
  sl_spectrum_eigs_dense(n, a, w, NULL);
  sl_objective *o = sl_toy_quadratic(n, a, NULL, 0); /* finite differences */
  ck_assert_int_eq(sl_obj_has_exact_hvp(o), 0);
  sl_rng r;
  sl_rng_seed(&r, 2);
  sl_eig_opts opt = sl_eig_opts_default();
  opt.rng = &r;
  sl_eig_info info;
  ck_assert_int_eq(sl_spectrum_lanczos(o, x, &opt, v, NULL, &info), SL_OK);
  ck_assert_double_le(reldiff(v[0], w[n - 1]), 1e-6);
  opt.k = 21;
  ck_assert_int_eq(sl_spectrum_lanczos(o, x, &opt, v, NULL, &info), SL_EINVAL);
  opt.k = 1;
  opt.which = SL_EIG_BOTTOM;
  ck_assert_int_eq(sl_spectrum_power(o, x, &opt, v, NULL, &info), SL_EINVAL);
  opt.which = SL_EIG_TOP;
  opt.rng = NULL;
  ck_assert_int_eq(sl_spectrum_lanczos(o, x, &opt, v, NULL, &info), SL_EINVAL);
  opt.rng = &r;
  sl_stopflag stop = 1;
  opt.stop = &stop;
  ck_assert_int_eq(sl_spectrum_lanczos(o, x, &opt, v, NULL, &info), SL_EINTERRUPTED);
  a[1] += 1.0; /* not symmetric */
  ck_assert_int_eq(sl_spectrum_eigs_dense(n, a, w, NULL), SL_EINVAL);
  sl_obj_destroy(o);
  free(a);
}
END_TEST

START_TEST(test_trace_within_three_stderr) {
  size_t n = 30;
  double *a = random_sym(n, 9), x[30] = {0}, tr = 0.0, est, se;
  for (size_t i = 0; i < n; i++) tr += a[i * n + i];
  sl_objective *o = sl_toy_quadratic(n, a, NULL, 1);
  sl_rng r;
  sl_rng_seed(&r, 4);
  size_t nhvp;
  ck_assert_int_eq(sl_spectrum_trace(o, x, 500, &r, NULL, &est, &se, &nhvp), SL_OK);
  ck_assert_uint_eq(nhvp, 500);
  ck_assert(se > 0.0);
  ck_assert_double_le(fabs(est - tr), 3.0 * se);
  sl_obj_destroy(o);
  free(a);
}
END_TEST

START_TEST(test_slq_nodes_are_eigenvalues) {
  size_t n = 12, probes = 4, count, nhvp;
  double *a = random_sym(n, 13), w[12], x[12] = {0}, nodes[48], weights[48], grid[50], dens[50];
  sl_spectrum_eigs_dense(n, a, w, NULL);
  sl_objective *o = sl_toy_quadratic(n, a, NULL, 1);
  sl_rng r;
  sl_rng_seed(&r, 6);
  ck_assert_int_eq(sl_spectrum_slq(o, x, 12, probes, &r, NULL, nodes, weights, &count, &nhvp),
                   SL_OK);
  double wsum = 0.0;
  for (size_t i = 0; i < count; i++) {
    double best = INFINITY;
    for (size_t j = 0; j < n; j++) best = fmin(best, fabs(nodes[i] - w[j]));
    ck_assert_double_le(best, 1e-8 * fmax(1.0, fabs(nodes[i])));
    wsum += weights[i];
  }
  ck_assert_double_eq_tol(wsum, 1.0, 1e-12);
  sl_spectrum_density(count, nodes, weights, 0.1, 50, grid, dens);
  double integral = 0.0;
  for (size_t g = 0; g < 50; g++) integral += dens[g] * (grid[1] - grid[0]);
  ck_assert_double_eq_tol(integral, 1.0, 0.05);
  sl_obj_destroy(o);
  free(a);
}
END_TEST

/* The ring (|x|^2-1)^2 at the origin: H = -4 I, a saddle. */
START_TEST(test_ring_saddle) {
  double x[5] = {0}, v;
  sl_objective *o = sl_toy_ring(5, 1);
  sl_rng r;
  sl_rng_seed(&r, 1);
  sl_eig_opts opt = sl_eig_opts_default();
  opt.rng = &r;
  opt.which = SL_EIG_BOTTOM;
  sl_eig_info info;
  ck_assert_int_eq(sl_spectrum_lanczos(o, x, &opt, &v, NULL, &info), SL_OK);
  ck_assert_double_eq_tol(v, -4.0, 1e-12);
  sl_obj_destroy(o);
}
END_TEST

/* Noise scale of least squares, by hand from per-sample gradients. */
START_TEST(test_noise_scale_least_squares) {
  double X[8] = {1, 0, 0, 1, 1, 1, 2, -1}, y[4] = {1, 2, 2, 0}, x[2] = {0.3, -0.2};
  sl_objective *o = sl_toy_least_squares(4, 2, X, y, 1);
  double g[4][2], G[2] = {0, 0}, tr = 0.0;
  for (int i = 0; i < 4; i++) {
    double r = X[2 * i] * x[0] + X[2 * i + 1] * x[1] - y[i];
    g[i][0] = r * X[2 * i];
    g[i][1] = r * X[2 * i + 1];
    G[0] += g[i][0] / 4;
    G[1] += g[i][1] / 4;
  }
  for (int i = 0; i < 4; i++)
    tr += ((g[i][0] - G[0]) * (g[i][0] - G[0]) + (g[i][1] - G[1]) * (g[i][1] - G[1])) / 4;
  size_t pos[4] = {0, 1, 2, 3};
  double work[4];
  sl_noise ns;
  ck_assert_int_eq(sl_probe_noise_samples(o, x, pos, 4, NULL, work, &ns), SL_OK);
  ck_assert_double_eq_tol(ns.trace_sigma, tr, 1e-12);
  ck_assert_double_eq_tol(ns.grad_sq, G[0] * G[0] + G[1] * G[1], 1e-12);
  ck_assert_double_eq_tol(ns.b_simple, tr / (G[0] * G[0] + G[1] * G[1]), 1e-10);
  double mean[2], var[2];
  ck_assert_int_eq(sl_probe_grad_moments(o, x, pos, 4, NULL, mean, var), SL_OK);
  ck_assert_double_eq_tol(mean[0], G[0], 1e-12);
  ck_assert_double_eq_tol((var[0] + var[1]) * 3.0 / 4.0, tr, 1e-12);
  sl_obj_destroy(o);
}
END_TEST

START_TEST(test_step_stats_and_filter) {
  double x0[2] = {3, 4}, x1[2] = {3, 4.5}, g[2] = {1, 0}, gp[2] = {-1, 0};
  sl_step_stats s;
  sl_probe_step_stats(2, x0, x1, g, gp, &s);
  ck_assert_double_eq(s.grad_norm, 1.0);
  ck_assert_double_eq(s.update_norm, 0.5);
  ck_assert_double_eq(s.update_ratio, 0.1);
  ck_assert_double_eq(s.grad_cos, -1.0);
  double d[4] = {1, 0, 0, 2}, x[4] = {3, 4, 0, 1};
  size_t off[2] = {0, 2}, len[2] = {2, 2};
  ck_assert_int_eq(sl_probe_filter_normalize(4, d, x, 2, off, len), SL_OK);
  ck_assert_double_eq(d[0], 5.0);
  ck_assert_double_eq(d[3], 1.0);
  len[1] = 3;
  ck_assert_int_eq(sl_probe_filter_normalize(4, d, x, 2, off, len), SL_EINVAL);
}
END_TEST

Suite *spectrum_suite(void) {
  Suite *s = suite_create("spectrum");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_lanczos_matches_dense);
  tcase_add_test(tc, test_lanczos_beats_power_on_clustered_spectrum);
  tcase_add_test(tc, test_lanczos_repeated_eigenvalue);
  tcase_add_test(tc, test_lanczos_value_criterion);
  tcase_add_test(tc, test_errors_and_fd_hvp);
  tcase_add_test(tc, test_trace_within_three_stderr);
  tcase_add_test(tc, test_slq_nodes_are_eigenvalues);
  tcase_add_test(tc, test_ring_saddle);
  tcase_add_test(tc, test_noise_scale_least_squares);
  tcase_add_test(tc, test_step_stats_and_filter);
  suite_add_tcase(s, tc);
  return s;
}
