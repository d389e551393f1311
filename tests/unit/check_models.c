/*
** check_models.c — data objectives: gradients and Hessian-vector products
** against central differences, minibatch views and per-sample losses against
** the full objective, thread determinism, least squares against LAPACK,
** predictions. The MLP's own tests are in check_mlp.c.
*/
#include <cblas.h>
#include <check.h>
#include <lapacke.h>
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

/* ---- helpers ---------------------------------------------------------- */

static double nrm(size_t n, const double *a) {
  double s = 0;
  for (size_t i = 0; i < n; i++) s += a[i] * a[i];
  return sqrt(s);
}

double check_relerr(size_t n, const double *a, const double *b) {
  double d = 0;
  for (size_t i = 0; i < n; i++) d += (a[i] - b[i]) * (a[i] - b[i]);
  double s = fmax(nrm(n, a), nrm(n, b));
  return sqrt(d) / (s > 1e-8 ? s : 1e-8);
}

static double fval(sl_objective *o, const double *x) {
  double f;
  ck_assert_int_eq(sl_obj_fg(o, x, &f, NULL), SL_OK);
  return f;
}

/* Gradient by central differences of f, step h per coordinate. */
static void fd_grad(sl_objective *o, const double *x0, double *g) {
  size_t n = o->dim;
  double *x = malloc(n * sizeof *x);
  memcpy(x, x0, n * sizeof *x);
  for (size_t j = 0; j < n; j++) {
    double h = 1e-5 * fmax(1.0, fabs(x0[j]));
    x[j] = x0[j] + h;
    double fp = fval(o, x);
    x[j] = x0[j] - h;
    double fm = fval(o, x);
    x[j] = x0[j];
    g[j] = (fp - fm) / (2 * h);
  }
  free(x);
}

/* H v by central differences of the analytic gradient. */
static void fd_hvp(sl_objective *o, const double *x0, const double *v, double *hv) {
  size_t n = o->dim;
  double *x = calloc(n, sizeof *x), *gp = malloc(n * sizeof *gp), *gm = malloc(n * sizeof *gm);
  double h = 1e-5 / fmax(1e-12, nrm(n, v)), f;
  for (size_t j = 0; j < n; j++) x[j] = x0[j] + h * v[j];
  ck_assert_int_eq(sl_obj_fg(o, x, &f, gp), SL_OK);
  for (size_t j = 0; j < n; j++) x[j] = x0[j] - h * v[j];
  ck_assert_int_eq(sl_obj_fg(o, x, &f, gm), SL_OK);
  for (size_t j = 0; j < n; j++) hv[j] = (gp[j] - gm[j]) / (2 * h);
  free(x);
  free(gp);
  free(gm);
}

/*
** The whole proof for one objective: at 3 random points, gradient and HVP
** against central differences (< 1e-6), fg's f equals fg-without-g's f, the
** f_i and their gradients average to f and g, a view's value equals the mean
** of its rows' f_i computed separately, and its gradient passes too.
*/
void check_model(sl_objective *o, sl_rng *r, double scale, const char *what) {
  size_t n = o->dim;
  double *x = malloc(n * sizeof *x), *g = malloc(n * sizeof *g), *gf = malloc(n * sizeof *gf);
  double *v = malloc(n * sizeof *v), *hv = malloc(n * sizeof *hv), *hf = malloc(n * sizeof *hf);
  double *gs = malloc(n * sizeof *gs), *gi = malloc(n * sizeof *gi);
  for (int trial = 0; trial < 3; trial++) {
    for (size_t j = 0; j < n; j++) {
      x[j] = scale * sl_rng_normal(r);
      v[j] = sl_rng_normal(r);
    }
    double f, f2;
    ck_assert_int_eq(sl_obj_fg(o, x, &f, g), SL_OK);
    f2 = fval(o, x);
    ck_assert_msg(fabs(f - f2) <= 1e-14 * fmax(1, fabs(f)), "%s: f with and without g", what);
    ck_assert_msg(isfinite(f), "%s: f finite", what);
    fd_grad(o, x, gf);
    double eg = check_relerr(n, g, gf);
    ck_assert_msg(eg < 1e-6, "%s: gradient relative error %g", what, eg);
    ck_assert_int_eq(sl_obj_hvp(o, x, v, hv), SL_OK);
    fd_hvp(o, x, v, hf);
    double eh = check_relerr(n, hv, hf);
    ck_assert_msg(eh < 1e-6, "%s: HVP relative error %g", what, eh);
    /* per-sample losses average to f */
    double fs = 0;
    memset(gs, 0, n * sizeof *gs);
    for (size_t k = 0; k < o->n; k++) {
      double fi;
      ck_assert_int_eq(sl_obj_sample_fg(o, x, k, &fi, gi), SL_OK);
      fs += fi;
      for (size_t j = 0; j < n; j++) gs[j] += gi[j];
    }
    fs /= (double)o->n;
    for (size_t j = 0; j < n; j++) gs[j] /= (double)o->n;
    ck_assert_msg(fabs(fs - f) <= 1e-12 * fmax(1, fabs(f)), "%s: mean f_i %g vs f %g", what, fs, f);
    ck_assert_msg(check_relerr(n, gs, g) < 1e-12, "%s: mean sample grads", what);
    /* a view over 3 rows */
    size_t pos[3] = {o->n - 1, 0, o->n / 2};
    sl_status st;
    sl_objective *b = sl_obj_view(o, pos, 3, &st);
    ck_assert_ptr_nonnull(b);
    double fb = fval(b, x), mean = 0;
    for (int k = 0; k < 3; k++) {
      double fi;
      ck_assert_int_eq(sl_obj_sample_fg(o, x, pos[k], &fi, NULL), SL_OK);
      mean += fi / 3;
    }
    ck_assert_msg(fabs(fb - mean) <= 1e-12 * fmax(1, fabs(mean)), "%s: view %g vs %g", what, fb,
                  mean);
    ck_assert_int_eq(sl_obj_fg(b, x, &f, g), SL_OK);
    fd_grad(b, x, gf);
    ck_assert_msg(check_relerr(n, g, gf) < 1e-6, "%s: view gradient", what);
    ck_assert_int_eq(sl_obj_hvp(b, x, v, hv), SL_OK);
    fd_hvp(b, x, v, hf);
    ck_assert_msg(check_relerr(n, hv, hf) < 1e-6, "%s: view HVP", what);
    sl_obj_destroy(b);
  }
  free(x), free(g), free(gf), free(v), free(hv), free(hf), free(gs), free(gi);
}

void check_linear_pair(sl_rng *r, const sl_mat *X, size_t K, double *x, double *W,
                       sl_objective **mlp, sl_objective **softmax) {
  size_t n = X->rows, d = X->cols;
  double *y = malloc(n * sizeof *y);
  for (size_t i = 0; i < n; i++) y[i] = (double)(i % K);
  for (size_t j = 0; j < K * d + K; j++) x[j] = sl_rng_normal(r);
  /* mlp: W (K x d) then b (K); softmax: (d+1) x K */
  for (size_t k = 0; k < K; k++) {
    for (size_t j = 0; j < d; j++) W[j * K + k] = x[k * d + j];
    W[d * K + k] = x[K * d + k];
  }
  sl_status st;
  sl_mlp_opts pm = {X, y, n, 0, NULL, SL_ACT_TANH, SL_LOSS_XENT, K, 0.0};
  sl_linear_opts ps = {X, NULL, y, n, 0.0, 1};
  *mlp = sl_obj_mlp_new(&pm, &st, msg, sizeof msg);
  *softmax = sl_obj_softmax_new(&ps, K, &st, msg, sizeof msg);
  ck_assert_ptr_nonnull(*mlp);
  ck_assert_ptr_nonnull(*softmax);
  free(y);
}

/* ---- linear models ------------------------------------------------------ */

static void linear_case(int logistic, int sparse, int intercept, double l2, int pm1) {
  sl_rng r;
  sl_rng_seed(&r, 7 + (uint64_t)(logistic * 8 + sparse * 4 + intercept * 2 + pm1));
  size_t n = 30, d = 5;
  sl_mat X = check_randmat(&r, n, d, sparse ? 0.5 : 1.0);
  sl_csr S = check_tocsr(&X);
  double y[30];
  for (size_t i = 0; i < n; i++)
    y[i] = logistic ? (sl_rng_uniform(&r) < 0.5 ? (pm1 ? -1.0 : 0.0) : 1.0) : sl_rng_normal(&r);
  sl_linear_opts p = {sparse ? NULL : &X, sparse ? &S : NULL, y, n, l2, intercept};
  sl_status st;
  sl_labels lab = SL_LABELS_01;
  sl_objective *o = logistic ? sl_obj_logistic_new(&p, &lab, &st, msg, sizeof msg)
                             : sl_obj_least_squares_new(&p, &st, msg, sizeof msg);
  ck_assert_msg(o != NULL, "%s", msg);
  ck_assert_uint_eq(o->dim, d + (size_t)intercept);
  if (logistic) ck_assert_int_eq(lab, pm1 ? SL_LABELS_PM1 : SL_LABELS_01);
  check_model(o, &r, 1.0, logistic ? "logistic" : "least squares");
  sl_obj_destroy(o);
  sl_mat_free(&X);
  sl_csr_free(&S);
}

START_TEST(test_least_squares_derivatives) {
  for (int s = 0; s < 2; s++)
    for (int ic = 0; ic < 2; ic++) linear_case(0, s, ic, ic ? 0.3 : 0.0, 0);
}
END_TEST

START_TEST(test_logistic_derivatives) {
  for (int s = 0; s < 2; s++)
    for (int ic = 0; ic < 2; ic++) linear_case(1, s, ic, ic ? 0.1 : 0.0, s);
}
END_TEST

START_TEST(test_logistic_dense_equals_sparse_and_stable) {
  sl_rng r;
  sl_rng_seed(&r, 3);
  sl_mat X = check_randmat(&r, 40, 6, 0.4);
  sl_csr S = check_tocsr(&X);
  double y[40], x[7], g1[7], g2[7], f1, f2;
  for (int i = 0; i < 40; i++) y[i] = i % 2;
  for (int j = 0; j < 7; j++) x[j] = sl_rng_normal(&r);
  sl_status st;
  sl_linear_opts pd = {&X, NULL, y, 40, 0.2, 1}, ps = {NULL, &S, y, 40, 0.2, 1};
  sl_objective *a = sl_obj_logistic_new(&pd, NULL, &st, msg, sizeof msg);
  sl_objective *b = sl_obj_logistic_new(&ps, NULL, &st, msg, sizeof msg);
  sl_obj_fg(a, x, &f1, g1);
  sl_obj_fg(b, x, &f2, g2);
  ck_assert_double_eq_tol(f1, f2, 1e-14);
  ck_assert(check_relerr(7, g1, g2) < 1e-14);
  /* huge margins: the loss stays finite and equals |z| for the wrong sign */
  for (int j = 0; j < 7; j++) x[j] = 1e4;
  sl_obj_fg(a, x, &f1, g1);
  ck_assert(isfinite(f1) && f1 > 0);
  for (int j = 0; j < 7; j++) ck_assert(isfinite(g1[j]));
  sl_obj_destroy(a);
  sl_obj_destroy(b);
  sl_mat_free(&X);
  sl_csr_free(&S);
}
END_TEST

/* The dense pass's vector exp/log1p (blocks of four rows) against the scalar
   libm path (one-row samples): margins from 1e-12 to 800 of both signs, on
   the right and the wrong side; loss, gradient and curvature to a few ulp. */
START_TEST(test_logistic_vector_math) {
  size_t n = 4 * 200;
  sl_mat X;
  sl_mat_alloc(&X, n, 1);
  double *y = malloc(n * sizeof *y), w[1] = {1.0}, v[1] = {1.0};
  /* blocks 2k and 2k+1 share a magnitude; in block 2k every row is on the
     right side (loss = log1p(e^-|z|) alone, down to 1e-300), in 2k+1 wrong */
  for (size_t i = 0; i < n; i++) {
    size_t B = i / 4;
    double mag = pow(10.0, -12.0 + 14.9 * (double)(B / 2) / 100.0);
    X.data[i] = (i % 2 ? -1.0 : 1.0) * mag;
    y[i] = (X.data[i] > 0) == (B % 2 == 0);
  }
  sl_linear_opts p = {&X, NULL, y, n, 0.0, 0};
  sl_status st;
  sl_objective *o = sl_obj_logistic_new(&p, NULL, &st, msg, sizeof msg);
  ck_assert_ptr_nonnull(o);
  for (size_t b = 0; b < n; b += 4) {
    size_t pos[4] = {b, b + 1, b + 2, b + 3};
    sl_objective *blk = sl_obj_view(o, pos, 4, &st);
    double f4, g4, h4, fs, gs, f = 0, g = 0, h = 0;
    sl_obj_fg(blk, w, &f4, &g4);
    sl_obj_hvp(blk, w, v, &h4);
    for (int t = 0; t < 4; t++) {
      sl_objective *one = sl_obj_view(o, pos + t, 1, &st);
      sl_obj_fg(one, w, &fs, &gs);
      f += fs / 4;
      g += gs / 4;
      sl_obj_hvp(one, w, v, &fs);
      h += fs / 4;
      sl_obj_destroy(one);
    }
    ck_assert_msg(fabs(f4 - f) <= 4e-16 * f, "rows %zu..: loss %.17g vs %.17g", b + 1, f4, f);
    ck_assert_msg(fabs(g4 - g) <= 4e-16 * fabs(X.data[b]) + 1e-300,
                  "rows %zu..: grad %.17g vs %.17g", b + 1, g4, g);
    ck_assert_msg(fabs(h4 - h) <= 1e-15 * h + 1e-300, "rows %zu..: hvp %.17g vs %.17g", b + 1, h4,
                  h);
    sl_obj_destroy(blk);
  }
  sl_obj_destroy(o);
  free(y);
  sl_mat_free(&X);
}
END_TEST

START_TEST(test_linear_errors) {
  sl_mat X;
  sl_mat_alloc(&X, 3, 2);
  double y[3] = {0, 1, 0.5};
  sl_status st;
  sl_linear_opts p = {&X, NULL, y, 3, 0.0, 0};
  ck_assert_ptr_null(sl_obj_logistic_new(&p, NULL, &st, msg, sizeof msg));
  ck_assert_int_eq(st, SL_EINVAL);
  ck_assert_str_eq(msg, "label of sample 3 is 0.5, expected 0/1 or -1/+1");
  y[2] = -1;
  ck_assert_ptr_null(sl_obj_logistic_new(&p, NULL, &st, msg, sizeof msg));
  ck_assert_ptr_nonnull(strstr(msg, "mixed"));
  p.ny = 2;
  ck_assert_ptr_null(sl_obj_least_squares_new(&p, &st, msg, sizeof msg));
  ck_assert_int_eq(st, SL_EDIM);
  ck_assert_str_eq(msg, "X has 3 rows but y has 2 entries");
  p.ny = 3;
  X.data[3] = NAN;
  ck_assert_ptr_null(sl_obj_least_squares_new(&p, &st, msg, sizeof msg));
  ck_assert_int_eq(st, SL_ENONFINITE);
  ck_assert_str_eq(msg, "X(2, 2) is not finite");
  X.data[3] = 0;
  ck_assert_ptr_null(sl_obj_softmax_new(&p, 2, &st, msg, sizeof msg));
  ck_assert_str_eq(msg, "label of sample 3 is -1, expected an integer in 0..1");
  sl_mat_free(&X);
}
END_TEST

/* Least squares at LAPACK's dgels solution: gradient zero, value minimal. */
START_TEST(test_least_squares_optimum_lapack) {
  sl_rng r;
  sl_rng_seed(&r, 11);
  size_t n = 50, d = 4;
  sl_mat X = check_randmat(&r, n, d, 1.0);
  double y[50], A[50 * 5], b[50], g[5], f, w[5];
  for (size_t i = 0; i < n; i++) {
    y[i] = 1.0 + 2.0 * X.data[i * d] - X.data[i * d + 3] + 0.3 * sl_rng_normal(&r);
    for (size_t j = 0; j < d; j++) A[i * (d + 1) + j] = X.data[i * d + j];
    A[i * (d + 1) + d] = 1.0;
    b[i] = y[i];
  }
  ck_assert_int_eq(LAPACKE_dgels(LAPACK_ROW_MAJOR, 'N', (int)n, (int)d + 1, 1, A, (int)d + 1, b, 1),
                   0);
  sl_status st;
  sl_linear_opts p = {&X, NULL, y, n, 0.0, 1};
  sl_objective *o = sl_obj_least_squares_new(&p, &st, msg, sizeof msg);
  ck_assert_int_eq(sl_obj_fg(o, b, &f, g), SL_OK);
  ck_assert(nrm(d + 1, g) < 1e-12);
  for (int k = 0; k < 5; k++) {
    for (size_t j = 0; j <= d; j++) w[j] = b[j] + 1e-3 * sl_rng_normal(&r);
    ck_assert(fval(o, w) > f);
  }
  ck_assert_double_eq_tol(b[d], 1.0, 0.3); /* intercept near the true 1 */
  ck_assert_double_eq_tol(b[0], 2.0, 0.3);
  sl_obj_destroy(o);
  sl_mat_free(&X);
}
END_TEST

/* Same results on repeated calls, and the same bits at 1, 2 and 3 threads
   (row blocks fixed by the sizes, summed in block order): n large enough for
   several blocks and a parallel pass. */
START_TEST(test_threads_deterministic) {
  sl_rng r;
  sl_rng_seed(&r, 5);
  size_t n = 40000, d = 8;
  sl_mat X = check_randmat(&r, n, d, 1.0);
  double *y = malloc(n * sizeof *y), x[9], v[9], f1, f2, f3;
  for (size_t i = 0; i < n; i++) y[i] = sl_rng_uniform(&r) < 0.5;
  for (int j = 0; j < 9; j++) x[j] = 0.3 * sl_rng_normal(&r), v[j] = sl_rng_normal(&r);
  sl_status st;
  sl_linear_opts p = {&X, NULL, y, n, 0.01, 1};
  for (int kind = 0; kind < 3; kind++) {
    sl_objective *o = kind == 1   ? sl_obj_logistic_new(&p, NULL, &st, msg, sizeof msg)
                      : kind == 2 ? sl_obj_least_squares_new(&p, &st, msg, sizeof msg)
                                  : sl_obj_softmax_new(&p, 2, &st, msg, sizeof msg);
    size_t dim = o->dim;
    double *X1 = calloc(dim, sizeof *X1), *G1 = calloc(dim, sizeof *G1),
           *G2 = calloc(dim, sizeof *G2);
    double *V1 = calloc(dim, sizeof *V1), *H1 = calloc(dim, sizeof *H1),
           *H2 = calloc(dim, sizeof *H2);
    for (size_t j = 0; j < dim; j++) X1[j] = x[j % 9], V1[j] = v[j % 9];
    omp_set_num_threads(2);
    sl_obj_fg(o, X1, &f1, G1);
    sl_obj_hvp(o, X1, V1, H1);
    sl_obj_fg(o, X1, &f3, H2);
    ck_assert(f1 == f3); /* bitwise repeatable */
    for (int t = 1; t <= 3; t += 2) {
      omp_set_num_threads(t);
      sl_obj_fg(o, X1, &f2, G2);
      ck_assert(memcmp(&f1, &f2, sizeof f1) == 0);
      ck_assert(memcmp(G1, G2, dim * sizeof *G1) == 0);
      sl_obj_hvp(o, X1, V1, H2);
      ck_assert(memcmp(H1, H2, dim * sizeof *H1) == 0);
    }
    free(X1), free(G1), free(G2), free(V1), free(H1), free(H2);
    sl_obj_destroy(o);
  }
  omp_set_num_threads(2);
  free(y);
  sl_mat_free(&X);
}
END_TEST

/* ---- softmax ------------------------------------------------------------ */

START_TEST(test_softmax_derivatives) {
  for (int s = 0; s < 2; s++)
    for (int ic = 0; ic < 2; ic++) {
      sl_rng r;
      sl_rng_seed(&r, 100 + (uint64_t)(s * 2 + ic));
      size_t n = 25, d = 4, K = 3;
      sl_mat X = check_randmat(&r, n, d, s ? 0.5 : 1.0);
      sl_csr S = check_tocsr(&X);
      double y[25];
      for (size_t i = 0; i < n; i++) y[i] = (double)sl_rng_below(&r, K);
      sl_linear_opts p = {s ? NULL : &X, s ? &S : NULL, y, n, ic ? 0.2 : 0.0, ic};
      sl_status st;
      sl_objective *o = sl_obj_softmax_new(&p, K, &st, msg, sizeof msg);
      ck_assert_msg(o != NULL, "%s", msg);
      ck_assert_uint_eq(o->dim, (d + (size_t)ic) * K);
      check_model(o, &r, 1.0, "softmax");
      sl_obj_destroy(o);
      sl_mat_free(&X);
      sl_csr_free(&S);
    }
}
END_TEST

/* Two classes: softmax with W = [w/2, -w/2]... equals logistic on z = w.x. */
START_TEST(test_softmax_two_classes_is_logistic) {
  sl_rng r;
  sl_rng_seed(&r, 9);
  sl_mat X = check_randmat(&r, 20, 3, 1.0);
  double y[20], w[3], W[6], f1, f2;
  for (int i = 0; i < 20; i++) y[i] = i % 3 == 0;
  for (int j = 0; j < 3; j++) {
    w[j] = sl_rng_normal(&r);
    W[j * 2] = 0;
    W[j * 2 + 1] = w[j];
  }
  sl_status st;
  sl_linear_opts p = {&X, NULL, y, 20, 0.0, 0};
  sl_objective *a = sl_obj_logistic_new(&p, NULL, &st, msg, sizeof msg);
  sl_objective *b = sl_obj_softmax_new(&p, 2, &st, msg, sizeof msg);
  sl_obj_fg(a, w, &f1, NULL);
  sl_obj_fg(b, W, &f2, NULL);
  ck_assert_double_eq_tol(f1, f2, 1e-13);
  sl_obj_destroy(a);
  sl_obj_destroy(b);
  sl_mat_free(&X);
}
END_TEST

/* Predictions on new rows: a linear MLP and softmax regression with the same
   weights give the same probabilities and labels; shapes, kinds and
   parameter blocks are checked. */
START_TEST(test_predict) {
  sl_rng r;
  sl_rng_seed(&r, 32);
  size_t n = 12, d = 3, K = 4, m = 7;
  sl_mat X = check_randmat(&r, n, d, 1.0), X2 = check_randmat(&r, m, d, 1.0);
  sl_mat Xbad = check_randmat(&r, m, d + 1, 1.0);
  double x[16], W[16], Pa[28], Pb[28], La[7], Lb[7], acc;
  sl_status st;
  sl_objective *a, *b;
  check_linear_pair(&r, &X, K, x, W, &a, &b);
  ck_assert_int_eq(sl_model_predict(a, x, &X2, NULL, SL_PREDICT_PROBA, Pa, msg, sizeof msg), SL_OK);
  ck_assert_int_eq(sl_model_predict(b, W, &X2, NULL, SL_PREDICT_PROBA, Pb, msg, sizeof msg), SL_OK);
  sl_model_predict(a, x, &X2, NULL, SL_PREDICT_LABELS, La, msg, sizeof msg);
  sl_model_predict(b, W, &X2, NULL, SL_PREDICT_LABELS, Lb, msg, sizeof msg);
  for (size_t i = 0; i < m; i++) {
    double s = 0.0;
    size_t best = 0;
    for (size_t k = 0; k < K; k++) {
      ck_assert_double_eq_tol(Pa[i * K + k], Pb[i * K + k], 1e-14);
      s += Pa[i * K + k];
      if (Pa[i * K + k] > Pa[i * K + best]) best = k;
    }
    ck_assert_double_eq_tol(s, 1.0, 1e-14);
    ck_assert_double_eq(La[i], (double)best);
    ck_assert_double_eq(Lb[i], (double)best);
  }
  ck_assert_int_eq(sl_model_predict(a, x, &Xbad, NULL, SL_PREDICT_PROBA, Pa, msg, sizeof msg),
                   SL_EDIM);
  ck_assert_str_eq(msg, "X has 4 columns but the model has 3 features");
  ck_assert_int_eq(sl_model_accuracy(b, W, &X2, NULL, La, m, &acc, msg, sizeof msg), SL_OK);
  ck_assert_double_eq(acc, 1.0);
  La[2] = 4.0;
  ck_assert_int_eq(sl_model_accuracy(b, W, &X2, NULL, La, m, &acc, msg, sizeof msg), SL_EINVAL);
  /* parameter blocks of the MLP: W1 (K x d), b1 */
  sl_param_block blk[4];
  ck_assert_uint_eq(sl_model_blocks(a, blk, 4), 2);
  ck_assert_str_eq(blk[1].name, "b1");
  ck_assert_uint_eq(blk[1].offset, K * d);
  ck_assert_uint_eq(sl_model_blocks(b, blk, 4), 0);
  /* a view outlives its root: the root's destroy waits for it */
  size_t pos[2] = {0, 3};
  sl_objective *v = sl_obj_view(b, pos, 2, &st);
  sl_obj_destroy(b);
  double f1;
  ck_assert_int_eq(sl_obj_fg(v, W, &f1, NULL), SL_OK);
  sl_obj_destroy(v);
  sl_obj_destroy(a);
  sl_mat_free(&X);
  sl_mat_free(&X2);
  sl_mat_free(&Xbad);
}
END_TEST

/* Logistic probabilities are sigma(z); least squares has scores only. */
START_TEST(test_predict_linear) {
  sl_rng r;
  sl_rng_seed(&r, 33);
  size_t n = 12, d = 3, m = 7;
  sl_mat X = check_randmat(&r, n, d, 1.0), X2 = check_randmat(&r, m, d, 1.0);
  sl_status st;
  /* logistic: P(y = 1) = sigma(x.w + b); least squares has no probabilities */
  double y01[12], P1[7], w[4] = {0.5, -1.0, 2.0, 0.25};
  for (size_t i = 0; i < n; i++) y01[i] = (double)(i % 2);
  sl_linear_opts pl = {&X, NULL, y01, n, 0.0, 1};
  sl_objective *c = sl_obj_logistic_new(&pl, NULL, &st, msg, sizeof msg);
  ck_assert_int_eq(sl_model_predict(c, w, &X2, NULL, SL_PREDICT_PROBA, P1, msg, sizeof msg), SL_OK);
  for (size_t i = 0; i < m; i++) {
    double z = w[3];
    for (size_t j = 0; j < d; j++) z += X2.data[i * d + j] * w[j];
    ck_assert_double_eq_tol(P1[i], 1.0 / (1.0 + exp(-z)), 1e-15);
  }
  sl_objective *e = sl_obj_least_squares_new(&pl, &st, msg, sizeof msg);
  ck_assert_int_eq(sl_model_predict(e, w, &X2, NULL, SL_PREDICT_PROBA, P1, msg, sizeof msg),
                   SL_EUNSUPPORTED);
  ck_assert_int_eq(sl_model_predict(e, w, &X2, NULL, SL_PREDICT_SCORES, P1, msg, sizeof msg),
                   SL_OK);
  sl_obj_destroy(c);
  sl_obj_destroy(e);
  sl_mat_free(&X);
  sl_mat_free(&X2);
}
END_TEST

/* ---- matrix factorization ------------------------------------------------ */

START_TEST(test_mf_derivatives) {
  sl_rng r;
  sl_rng_seed(&r, 77);
  double e[3 * 20];
  for (int s = 0; s < 20; s++) {
    e[3 * s] = (double)(1 + sl_rng_below(&r, 5));
    e[3 * s + 1] = (double)(1 + sl_rng_below(&r, 4));
    e[3 * s + 2] = sl_rng_normal(&r);
  }
  sl_mf_opts p = {5, 4, 2, 20, e, e + 1, e + 2, 3, 0.05};
  sl_status st;
  sl_objective *o = sl_obj_mf_new(&p, &st, msg, sizeof msg);
  ck_assert_msg(o != NULL, "%s", msg);
  ck_assert_uint_eq(o->dim, (5 + 4) * 2);
  check_model(o, &r, 1.0, "matrix factorization");
  sl_obj_destroy(o);
  e[3] = 6;
  e[4] = 1;
  ck_assert_ptr_null(sl_obj_mf_new(&p, &st, msg, sizeof msg));
  ck_assert_str_eq(msg, "entry 2 has index (6, 1), expected integers in 1..5, 1..4");
}
END_TEST

Suite *models_suite(void) {
  Suite *s = suite_create("models");
  TCase *tc = tcase_create("models");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_least_squares_derivatives);
  tcase_add_test(tc, test_logistic_derivatives);
  tcase_add_test(tc, test_logistic_dense_equals_sparse_and_stable);
  tcase_add_test(tc, test_logistic_vector_math);
  tcase_add_test(tc, test_linear_errors);
  tcase_add_test(tc, test_least_squares_optimum_lapack);
  tcase_add_test(tc, test_threads_deterministic);
  tcase_add_test(tc, test_softmax_derivatives);
  tcase_add_test(tc, test_softmax_two_classes_is_logistic);
  tcase_add_test(tc, test_mf_derivatives);
  tcase_add_test(tc, test_predict);
  tcase_add_test(tc, test_predict_linear);
  suite_add_tcase(s, tc);
  return s;
}
