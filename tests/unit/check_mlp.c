/*
** check_mlp.c — the multilayer perceptron: gradients and HVPs against central
** differences for every activation and loss, the linear net against softmax
** regression, the vectorized tanh against libm, the row-parallel passes
** (chunks, threads, views) against per-sample gradients, and bad options.
*/
#include <cblas.h>
#include <check.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "check_models.h"
#include "check_slope.h"
#include "sl_mat.h"
#include "sl_models.h"
#include "sl_objective.h"
#include "sl_rng.h"

static char msg[256];

/* ---- MLP ---------------------------------------------------------------- */

START_TEST(test_mlp_derivatives) {
  const sl_activation acts[3] = {SL_ACT_TANH, SL_ACT_RELU, SL_ACT_GELU};
  const char *names[3] = {"mlp tanh", "mlp relu", "mlp gelu"};
  for (int a = 0; a < 3; a++)
    for (int loss = 0; loss < 2; loss++) {
      sl_rng r;
      sl_rng_seed(&r, 200 + (uint64_t)(a * 2 + loss));
      size_t n = 12, d = 4, K = loss == 0 ? 3 : 2;
      sl_mat X = check_randmat(&r, n, d, 1.0);
      double y[24];
      for (size_t i = 0; i < (loss == 0 ? n : n * K); i++)
        y[i] = loss == 0 ? (double)sl_rng_below(&r, K) : sl_rng_normal(&r);
      size_t hidden[2] = {5, 3};
      sl_mlp_opts p = {&X,
                       y,
                       loss == 0 ? n : n * K,
                       (size_t)(a == 1 ? 1 : 2),
                       hidden,
                       acts[a],
                       loss == 0 ? SL_LOSS_XENT : SL_LOSS_MSE,
                       K,
                       a == 2 ? 0.1 : 0.0};
      sl_status st;
      sl_objective *o = sl_obj_mlp_new(&p, &st, msg, sizeof msg);
      ck_assert_msg(o != NULL, "%s", msg);
      size_t in, out, wo, bo, L = sl_mlp_layer(o, 0, &in, &out, &wo, &bo);
      ck_assert_uint_eq(in, d);
      ck_assert_uint_eq(out, 5);
      ck_assert_uint_eq(bo, 20);
      sl_mlp_layer(o, L - 1, &in, &out, &wo, &bo);
      ck_assert_uint_eq(bo + out, o->dim);
      check_model(o, &r, 0.7, names[a]);
      sl_obj_destroy(o);
      sl_mat_free(&X);
    }
}
END_TEST

/* No hidden layer + xent is softmax regression with W transposed and intercept. */
START_TEST(test_mlp_linear_equals_softmax) {
  sl_rng r;
  sl_rng_seed(&r, 31);
  size_t n = 15, d = 3, K = 4;
  sl_mat X = check_randmat(&r, n, d, 1.0);
  double x[16], W[16], f1, f2;
  sl_objective *a, *b;
  check_linear_pair(&r, &X, K, x, W, &a, &b);
  sl_obj_fg(a, x, &f1, NULL);
  sl_obj_fg(b, W, &f2, NULL);
  ck_assert_double_eq_tol(f1, f2, 1e-13);
  sl_obj_destroy(a);
  sl_obj_destroy(b);
  sl_mat_free(&X);
}
END_TEST

/* The vectorized tanh against libm: a 1-1-1 net with W1 = 1, W2 = 1, zero
   biases and mse loss against y = 0 has f = tanh(z)^2 / 2 for input z. */
START_TEST(test_mlp_tanh_accuracy) {
  sl_mat X;
  sl_mat_alloc(&X, 1, 1);
  double y[1] = {0}, x[4] = {1, 0, 1, 0}, f;
  size_t h[1] = {1};
  sl_mlp_opts p = {&X, y, 1, 1, h, SL_ACT_TANH, SL_LOSS_MSE, 1, 0.0};
  sl_status st;
  sl_objective *o = sl_obj_mlp_new(&p, &st, msg, sizeof msg);
  for (int i = -4000; i <= 4000; i++) {
    double z = i % 3 ? i / 97.0 : i * 1e-9, t = tanh(z);
    X.data[0] = z;
    sl_obj_fg(o, x, &f, NULL);
    double a = sqrt(2 * f);
    ck_assert_msg(fabs(a - fabs(t)) <= 1e-15 * fabs(t), "tanh(%g): %.17g vs %.17g", z, a, fabs(t));
  }
  sl_obj_destroy(o);
  sl_mat_free(&X);
}
END_TEST

/* The MLP of test_mlp_rows_threads: n rows, two hidden layers, y into *yp. */
static sl_objective *rows_mlp(sl_rng *r, sl_activation act, int loss, size_t n, sl_mat *X,
                              double **yp) {
  size_t d = 6, K = loss == 0 ? 4 : 3, ny = loss == 0 ? n : n * K;
  *X = check_randmat(r, n, d, 1.0);
  double *y = *yp = malloc(ny * sizeof *y);
  for (size_t i = 0; i < ny; i++) y[i] = loss == 0 ? (double)sl_rng_below(r, K) : sl_rng_normal(r);
  static size_t hidden[2] = {20, 7};
  sl_mlp_opts p = {X, y, ny, 2, hidden, act, loss == 0 ? SL_LOSS_XENT : SL_LOSS_MSE, K, 0.05};
  sl_status st;
  sl_objective *o = sl_obj_mlp_new(&p, &st, msg, sizeof msg);
  ck_assert_msg(o != NULL, "%s", msg);
  return o;
}

/* f and g of the rows of o (a view or the root) against the means of the
   per-sample values and gradients (the unchunked single-row path). */
static void rows_vs_samples(sl_objective *o, const double *x, double f, const double *g) {
  size_t dim = o->dim, m = o->n;
  double *gs = malloc(dim * sizeof *gs), *mean = calloc(dim, sizeof *mean), fs, fmean = 0;
  for (size_t k = 0; k < m; k++) {
    ck_assert_int_eq(sl_obj_sample_fg(o, x, k, &fs, gs), SL_OK);
    fmean += fs / (double)m;
    for (size_t j = 0; j < dim; j++) mean[j] += gs[j] / (double)m;
  }
  ck_assert_double_eq_tol(f, fmean, 1e-12 * fabs(f));
  ck_assert_msg(check_relerr(dim, g, mean) < 1e-12, "gradient vs rows %g",
                check_relerr(dim, g, mean));
  free(gs);
  free(mean);
}

/* fg: bitwise repeatable on 2 threads (OpenBLAS's threads restored), the
   per-sample means, the same bits at 1 and 3 threads. g1 receives the gradient. */
static void rows_fg(sl_objective *o, const double *x, double *g1) {
  size_t dim = o->dim;
  double *g2 = malloc(dim * sizeof *g2), f1, f2;
  omp_set_num_threads(2);
  int blas_threads = openblas_get_num_threads();
  ck_assert_int_eq(sl_obj_fg(o, x, &f1, g1), SL_OK);
  ck_assert_int_eq(openblas_get_num_threads(), blas_threads); /* restored after the pass */
  ck_assert_int_eq(sl_obj_fg(o, x, &f2, g2), SL_OK);
  ck_assert(f1 == f2 && memcmp(g1, g2, dim * sizeof *g1) == 0);
  rows_vs_samples(o, x, f1, g1);
  for (int t = 1; t <= 3; t += 2) {
    omp_set_num_threads(t);
    ck_assert_int_eq(sl_obj_fg(o, x, &f2, g2), SL_OK);
    ck_assert(memcmp(&f1, &f2, sizeof f1) == 0 && memcmp(g1, g2, dim * sizeof *g1) == 0);
  }
  omp_set_num_threads(2);
  free(g2);
}

/* H v: bitwise repeatable, against central differences of the gradient
   (not for relu, whose kinks make them useless), the mean of one-row views'
   H v (a single chunk of one row each), and the same bits at 1, 2, 3 threads. */
static void rows_hvp(sl_objective *o, sl_rng *r, const double *x, int check_fd) {
  size_t dim = o->dim, n = o->n;
  double *v = malloc(dim * sizeof *v), *h1 = malloc(dim * sizeof *h1);
  double *h2 = malloc(dim * sizeof *h2), *xp = malloc(dim * sizeof *xp);
  double *gp = malloc(dim * sizeof *gp), *gm = malloc(dim * sizeof *gm), eps = 1e-5;
  for (size_t j = 0; j < dim; j++) v[j] = sl_rng_normal(r);
  ck_assert_int_eq(sl_obj_hvp(o, x, v, h1), SL_OK);
  ck_assert_int_eq(sl_obj_hvp(o, x, v, h2), SL_OK);
  ck_assert(memcmp(h1, h2, dim * sizeof *h1) == 0);
  for (size_t j = 0; j < dim; j++) xp[j] = x[j] + eps * v[j];
  sl_obj_fg(o, xp, NULL, gp);
  for (size_t j = 0; j < dim; j++) xp[j] = x[j] - eps * v[j];
  sl_obj_fg(o, xp, NULL, gm);
  for (size_t j = 0; j < dim; j++) h2[j] = (gp[j] - gm[j]) / (2 * eps);
  if (check_fd)
    ck_assert_msg(check_relerr(dim, h1, h2) < 1e-6, "HVP vs FD %g", check_relerr(dim, h1, h2));
  memset(h2, 0, dim * sizeof *h2);
  sl_status st;
  for (size_t k = 0; k < n; k++) {
    sl_objective *one = sl_obj_view(o, &k, 1, &st);
    ck_assert_int_eq(sl_obj_hvp(one, x, v, xp), SL_OK);
    for (size_t j = 0; j < dim; j++) h2[j] += xp[j] / (double)n;
    sl_obj_destroy(one);
  }
  ck_assert_msg(check_relerr(dim, h1, h2) < 1e-12, "HVP vs rows %g", check_relerr(dim, h1, h2));
  for (int t = 1; t <= 3; t += 2) {
    omp_set_num_threads(t);
    ck_assert_int_eq(sl_obj_hvp(o, x, v, h2), SL_OK);
    ck_assert(memcmp(h1, h2, dim * sizeof *h1) == 0);
  }
  omp_set_num_threads(2);
  free(v), free(h1), free(h2), free(xp), free(gp), free(gm);
}

/* The row-parallel passes (many chunks, two threads, a shuffled view): the
   gradient against the mean of per-sample gradients, which run the unchunked
   single-row path, H v against central differences of the gradient; both
   bitwise repeatable at a fixed thread count, and 1 vs 2 threads agree. */
START_TEST(test_mlp_rows_threads) {
  const sl_activation acts[3] = {SL_ACT_TANH, SL_ACT_RELU, SL_ACT_GELU};
  for (int a = 0; a < 3; a++)
    for (int loss = 0; loss < 2; loss++) {
      sl_rng r;
      sl_rng_seed(&r, 900 + (uint64_t)(a * 2 + loss));
      size_t n = 1000;
      sl_mat X;
      double *y;
      sl_objective *o = rows_mlp(&r, acts[a], loss, n, &X, &y);
      size_t dim = o->dim;
      double *x = malloc(dim * sizeof *x), *g = malloc(dim * sizeof *g), f;
      for (size_t j = 0; j < dim; j++) x[j] = 0.5 * sl_rng_normal(&r);
      rows_fg(o, x, g);
      rows_hvp(o, &r, x, acts[a] != SL_ACT_RELU);
      /* a view over 777 shuffled rows */
      size_t m = 777, *pos = malloc(m * sizeof *pos);
      for (size_t k = 0; k < m; k++) pos[k] = (k * 389 + 11) % n;
      sl_status st;
      sl_objective *b = sl_obj_view(o, pos, m, &st);
      ck_assert_ptr_nonnull(b);
      ck_assert_int_eq(sl_obj_fg(b, x, &f, g), SL_OK);
      rows_vs_samples(b, x, f, g);
      sl_obj_destroy(b);
      free(pos), free(x), free(g), free(y);
      sl_obj_destroy(o);
      sl_mat_free(&X);
    }
}
END_TEST

/* The vectorized tanh in the body of its loop (a wide hidden layer) against
   libm: X = 1, W1 = z, zero biases, one output with W2 = e_j and mse against
   0 gives f = tanh(z_j)^2 / 2. */
START_TEST(test_mlp_tanh_wide) {
  size_t H = 1001;
  sl_mat X;
  sl_mat_alloc(&X, 1, 1);
  X.data[0] = 1.0;
  double y[1] = {0}, f, *x = calloc(3 * H + 1, sizeof *x);
  sl_mlp_opts p = {&X, y, 1, 1, &H, SL_ACT_TANH, SL_LOSS_MSE, 1, 0.0};
  sl_status st;
  sl_objective *o = sl_obj_mlp_new(&p, &st, msg, sizeof msg);
  ck_assert_msg(o != NULL, "%s", msg);
  /* layout: W1 (H x 1), b1 (H), W2 (1 x H), b2 (1) */
  for (size_t j = 0; j < H; j++) {
    long i = (long)j - 500;
    x[j] = i % 3 ? (double)i / 23.0 : (double)i * 1e-9;
  }
  for (size_t j = 0; j < H; j++) {
    x[2 * H + j] = 1.0;
    ck_assert_int_eq(sl_obj_fg(o, x, &f, NULL), SL_OK);
    x[2 * H + j] = 0.0;
    double t = fabs(tanh(x[j])), a = sqrt(2 * f);
    ck_assert_msg(fabs(a - t) <= 1e-15 * t, "tanh(%g): %.17g vs %.17g", x[j], a, t);
  }
  free(x);
  sl_obj_destroy(o);
  sl_mat_free(&X);
}
END_TEST

START_TEST(test_mlp_errors) {
  sl_mat X;
  sl_mat_alloc(&X, 2, 2);
  double y[2] = {0, 3};
  size_t h[1] = {0};
  sl_status st;
  sl_mlp_opts p = {&X, y, 2, 1, h, SL_ACT_TANH, SL_LOSS_XENT, 3, 0.0};
  ck_assert_ptr_null(sl_obj_mlp_new(&p, &st, msg, sizeof msg));
  ck_assert_ptr_nonnull(strstr(msg, "hidden[1] must be"));
  h[0] = 2;
  ck_assert_ptr_null(sl_obj_mlp_new(&p, &st, msg, sizeof msg));
  ck_assert_str_eq(msg, "label of sample 2 is 3, expected an integer in 0..2");
  p.loss = SL_LOSS_MSE;
  p.outputs = 2;
  ck_assert_ptr_null(sl_obj_mlp_new(&p, &st, msg, sizeof msg));
  ck_assert_str_eq(msg, "y must hold 2 x 2 targets, got 2 entries");
  sl_mat_free(&X);
}
END_TEST

Suite *mlp_suite(void) {
  Suite *s = suite_create("mlp");
  TCase *tc = tcase_create("mlp");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_mlp_derivatives);
  tcase_add_test(tc, test_mlp_linear_equals_softmax);
  tcase_add_test(tc, test_mlp_errors);
  tcase_add_test(tc, test_mlp_tanh_accuracy);
  tcase_add_test(tc, test_mlp_tanh_wide);
  tcase_add_test(tc, test_mlp_rows_threads);
  suite_add_tcase(s, tc);
  return s;
}
