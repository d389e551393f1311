/*
** check_optim_curv.c — the layer layout, Hutchinson's diagonal and the
** curvature- and matrix-aware rules from C alone: layout validation, the
** probe exact on a diagonal Hessian and within its standard errors
** otherwise, the first steps of adahessian, sophia and shampoo in closed
** form, muon's Newton-Schulz output near-orthogonal, and the long (cloned,
** threaded) kernels of adahessian and sophia bit for bit the rule run on each
** entry alone.
*/
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_slope.h"
#include "sl_layout.h"
#include "sl_objective.h"
#include "sl_optim.h"
#include "sl_probe.h"
#include "sl_testfns.h"

/* ---- a separable objective: f = sum_i a_i x_i^2 / 2 + c x_i^4 / 4 over entries
   first .. first + dim - 1 of one long coefficient list, so that a dim-1 copy
   is entry i alone. Its Hessian is diagonal: a_i + 3 c x_i^2. */
typedef struct sep {
  size_t first;
} sep;
#define SEP_C 0.05
static double sep_a(size_t i) { return (double)(i % 7) * 0.5 - 1.2 + (double)(i % 3) * 0.01; }

static sl_status sep_fg(sl_objective *o, const double *x, double *f, double *g) {
  const size_t first = ((const sep *)o->impl)->first;
  double s = 0;
  for (size_t i = 0; i < o->dim; i++) {
    const double a = sep_a(first + i);
    s += a * x[i] * x[i] / 2 + SEP_C * x[i] * x[i] * x[i] * x[i] / 4;
    if (g) g[i] = a * x[i] + SEP_C * x[i] * x[i] * x[i];
  }
  *f = s;
  return SL_OK;
}

static sl_status sep_hvp(sl_objective *o, const double *x, const double *v, double *hv) {
  const size_t first = ((const sep *)o->impl)->first;
  for (size_t i = 0; i < o->dim; i++) hv[i] = (sep_a(first + i) + 3 * SEP_C * x[i] * x[i]) * v[i];
  return SL_OK;
}

static const sl_objective_ops sep_ops = {.name = "separable", .fg = sep_fg, .hvp = sep_hvp};

START_TEST(test_layout_check) {
  sl_layout *l = sl_layout_new(3);
  ck_assert_ptr_nonnull(l);
  char msg[200];
  l->layer[0] = (sl_layer){"W", 0, 6, 3, 2};
  l->layer[1] = (sl_layer){"b", 6, 3, 3, 0};
  l->layer[2] = (sl_layer){"v", 9, 2, 2, 0};
  sl_layout_finish(l);
  ck_assert_uint_eq(l->end, 11);
  ck_assert_uint_eq(sl_layout_nmatrix(l), 1);
  ck_assert_int_eq(sl_layout_check(l, 11, 1, msg, sizeof msg), SL_OK);
  ck_assert_int_eq(sl_layout_check(l, 12, 1, msg, sizeof msg), SL_EINVAL);
  ck_assert_str_eq(msg, "entries 12 to 12 are in no layer (x has 12 entries)");
  ck_assert_int_eq(sl_layout_check(l, 12, 0, msg, sizeof msg), SL_OK);
  ck_assert_int_eq(sl_layout_check(l, 10, 1, msg, sizeof msg), SL_EDIM);
  ck_assert_str_eq(msg, "layers[3] (v) ends at entry 11, past x's 10 entries");
  l->layer[2].offset = 8; /* overlaps b */
  ck_assert_int_eq(sl_layout_check(l, 0, 0, msg, sizeof msg), SL_EINVAL);
  ck_assert_str_eq(msg, "layers[2] (b) and layers[3] (v) overlap at entry 9");
  l->layer[2].offset = 9;
  l->layer[0].rows = 4; /* 4 x 2 != 6 */
  ck_assert_int_eq(sl_layout_check(l, 0, 0, msg, sizeof msg), SL_EINVAL);
  ck_assert_str_eq(msg, "layers[1] (W): shape 4 x 2 does not match its size 6");
  l->layer[0].rows = 3;
  /* order does not matter: the gap check sorts by offset */
  sl_layer t = l->layer[0];
  l->layer[0] = l->layer[2];
  l->layer[2] = t;
  ck_assert_int_eq(sl_layout_check(l, 11, 1, msg, sizeof msg), SL_OK);
  sl_layout *c = sl_layout_copy(l);
  ck_assert_ptr_nonnull(c);
  ck_assert_str_eq(c->layer[2].name, "W");
  free(c);
  free(l);
}
END_TEST

START_TEST(test_hessian_diag) {
  /* diagonal Hessian: exact, zero spread */
  sep s0 = {0};
  sl_objective *f = sl_obj_new(&sep_ops, &s0, 5, 0);
  double x[5] = {1, -1, 0.5, 2, 0}, work[10], d[5], se[5];
  sl_rng r;
  sl_rng_seed(&r, 3);
  size_t nh = 0;
  ck_assert_int_eq(sl_probe_hessian_diag(f, x, 4, &r, NULL, work, d, se, &nh), SL_OK);
  ck_assert_uint_eq(nh, 4);
  for (size_t i = 0; i < 5; i++) {
    ck_assert_double_eq(d[i], sep_a(i) + 3 * SEP_C * x[i] * x[i]);
    ck_assert_double_eq(se[i], 0);
  }
  ck_assert_int_eq(sl_probe_hessian_diag(f, x, 0, &r, NULL, work, d, se, &nh), SL_EINVAL);
  sl_obj_destroy(f);
  /* a dense quadratic: within 4 standard errors, which match sqrt(sum_{j!=i} A_ij^2 / s) */
  const double A[9] = {4, 1, -1, 1, 3, 2, -1, 2, 5};
  sl_status st;
  sl_objective *q = sl_obj_quadratic(3, A, NULL, &st);
  ck_assert_ptr_nonnull(q);
  const size_t s = 3000;
  ck_assert_int_eq(sl_probe_hessian_diag(q, x, s, &r, NULL, work, d, se, &nh), SL_OK);
  for (size_t i = 0; i < 3; i++) {
    double var = 0;
    for (size_t j = 0; j < 3; j++)
      if (j != i) var += A[i * 3 + j] * A[i * 3 + j];
    const double want = sqrt(var / (double)s);
    ck_assert_msg(fabs(se[i] - want) < 0.1 * want, "stderr %zu: %g vs %g", i, se[i], want);
    ck_assert_msg(fabs(d[i] - A[i * 4]) < 4 * se[i], "diag %zu: %g vs %g", i, d[i], A[i * 4]);
  }
  sl_obj_destroy(q);
}
END_TEST

/* a new rule on the separable objective f, hyperparameters by name */
static sl_optimizer *make(const sl_optim_ops *ops, sl_objective *f, const char *const *names,
                          const double *vals) {
  sl_optimizer *o = sl_optim_new(ops);
  o->f = f;
  sl_rng_seed(&o->rng, 17);
  for (size_t k = 0; names && names[k]; k++)
    ck_assert_int_eq(sl_optim_sethp(o, sl_optim_hpindex(o, names[k]), vals[k]), SL_OK);
  return o;
}

START_TEST(test_first_steps_closed_form) {
  sep s0 = {0};
  sl_objective *f = sl_obj_new(&sep_ops, &s0, 4, 0);
  const double x0[4] = {1, -2, 0.5, 3};
  double x[4], g[4], fv;
  /* adahessian, step 1, D exact: m = (1-b1) g, v = (1-b2) D^2; bias-corrected:
     x1 = x0 (1 - lr wd) - lr g / (|D| + eps) */
  const char *const ah_names[] = {"lr", "weight_decay", NULL};
  const double ah_vals[] = {0.3, 0.1};
  sl_optimizer *o = make(&sl_optim_adahessian, f, ah_names, ah_vals);
  ck_assert_int_eq(sl_optim_setdim(o, 4), SL_OK);
  memcpy(x, x0, sizeof x);
  ck_assert_int_eq(sl_optim_step(o, x, NULL), SL_OK);
  sep_fg(f, x0, &fv, g);
  for (size_t i = 0; i < 4; i++) {
    const double D = sep_a(i) + 3 * SEP_C * x0[i] * x0[i];
    const double want = x0[i] * (1 - 0.3 * 0.1) - 0.3 * g[i] / (fabs(D) + 1e-4);
    ck_assert_double_eq_tol(x[i], want, 1e-14);
  }
  ck_assert_double_eq_tol(o->buf[2][1], sep_a(1) + 3 * SEP_C * 4, 1e-15); /* D kept */
  sl_optim_destroy(o);
  /* sophia, step 1: h = (1-b2) D, m = (1-b1) g, x1 = x0 (1 - lr wd) - lr clip(m / max(rho h, eps))
   */
  o = make(&sl_optim_sophia, f, NULL, NULL);
  ck_assert_int_eq(sl_optim_setdim(o, 4), SL_OK);
  memcpy(x, x0, sizeof x);
  ck_assert_int_eq(sl_optim_step(o, x, g), SL_OK);
  for (size_t i = 0; i < 4; i++) {
    const double D = sep_a(i) + 3 * SEP_C * x0[i] * x0[i];
    const double h = (1 - 0.99) * D, m = (1 - 0.965) * g[i];
    double r = m / fmax(0.04 * h, 1e-12);
    r = r > 1 ? 1 : r < -1 ? -1 : r;
    ck_assert_double_eq_tol(x[i], x0[i] * (1 - 1e-4 * 0.1) - 1e-4 * r, 1e-15);
  }
  sl_optim_destroy(o);
  sl_obj_destroy(f);
}
END_TEST

/* Shampoo's first step on a diagonal 2 x 2 gradient, graft none:
   L = eps I + G G', R = eps I + G'G, D = L^(-1/4) G R^(-1/4) = diag(a / sqrt(eps + a^2)). */
START_TEST(test_shampoo_diagonal) {
  sl_optimizer *o = sl_optim_new(&sl_optim_shampoo);
  o->layout = sl_layout_new(2);
  o->layout->layer[0] = (sl_layer){"W", 0, 4, 2, 2};
  o->layout->layer[1] = (sl_layer){"b", 4, 1, 1, 0};
  ck_assert_int_eq(sl_optim_sethp(o, sl_optim_hpindex(o, "graft"), 2), SL_OK);
  ck_assert_int_eq(sl_optim_setdim(o, 5), SL_OK);
  ck_assert_uint_eq(sl_optim_buflen(o, 0), 8);
  double x[5] = {0, 0, 0, 0, 1}, g[5] = {3, 0, 0, -0.5, 2};
  ck_assert_int_eq(sl_optim_step(o, x, g), SL_OK);
  const double eps = 1e-4;
  ck_assert_double_eq_tol(x[0], -0.1 * 3 / sqrt(eps + 9), 1e-14);
  ck_assert_double_eq_tol(x[3], 0.1 * 0.5 / sqrt(eps + 0.25), 1e-14);
  ck_assert_double_eq_tol(x[1], 0, 1e-15);
  ck_assert_double_eq_tol(x[4], 1 - 0.1 * 2, 1e-15); /* the bias: an SGD step */
  sl_optim_destroy(o);
  /* without a layout: refused */
  o = sl_optim_new(&sl_optim_shampoo);
  ck_assert_int_eq(sl_optim_setdim(o, 5), SL_OK);
  ck_assert_int_eq(sl_optim_step(o, x, g), SL_EINVAL);
  ck_assert_str_eq(o->msg, "shampoo needs layers (the weight matrices)");
  sl_optim_destroy(o);
}
END_TEST

/* One Muon step with momentum 0 on a 5 x 3 layer: x1 = x0 - lr sqrt(5/3) NS5(g); the
   singular values of NS5(g) lie near 1 (the quintic's fixed band, about [0.7, 1.2]). */
START_TEST(test_muon_orthogonal) {
  sl_optimizer *o = sl_optim_new(&sl_optim_muon);
  o->layout = sl_layout_new(1);
  o->layout->layer[0] = (sl_layer){"W", 0, 15, 5, 3};
  ck_assert_int_eq(sl_optim_sethp(o, sl_optim_hpindex(o, "momentum"), 0), SL_OK);
  ck_assert_int_eq(sl_optim_setdim(o, 15), SL_OK);
  double x[15] = {0}, g[15];
  for (int i = 0; i < 15; i++) g[i] = sin(1.3 * i + 0.2) * (1 + (i % 4));
  ck_assert_int_eq(sl_optim_step(o, x, g), SL_OK);
  double U[15], M[9] = {0};
  for (int i = 0; i < 15; i++) U[i] = -x[i] / (0.02 * sqrt(5.0 / 3.0));
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++)
      for (int r = 0; r < 5; r++) M[a * 3 + b] += U[r * 3 + a] * U[r * 3 + b];
  /* U'U near I: its eigenvalues (squared singular values) in [0.49, 1.44] */
  for (int a = 0; a < 3; a++) {
    ck_assert_msg(M[a * 4] > 0.49 && M[a * 4] < 1.44, "diag %d: %g", a, M[a * 4]);
    for (int b = 0; b < 3; b++)
      if (a != b) ck_assert_msg(fabs(M[a * 3 + b]) < 0.4, "off-diagonal %g", M[a * 3 + b]);
  }
  sl_optim_destroy(o);
}
END_TEST

/* SOAP's first step builds orthonormal bases (eigenvectors by decreasing
   eigenvalue) and leaves x alone; the second moves it. */
START_TEST(test_soap_first_step) {
  sl_optimizer *o = sl_optim_new(&sl_optim_soap);
  o->layout = sl_layout_new(2);
  o->layout->layer[0] = (sl_layer){"W", 0, 6, 2, 3};
  o->layout->layer[1] = (sl_layer){"b", 6, 2, 2, 0};
  ck_assert_int_eq(sl_optim_setdim(o, 8), SL_OK);
  ck_assert_uint_eq(sl_optim_buflen(o, 3), 4 + 9);
  double x[8] = {1, 2, 3, 4, 5, 6, 7, 8}, g[8] = {1, -2, 0.5, 3, 1, -1, 0.2, 0.1};
  ck_assert_int_eq(sl_optim_step(o, x, g), SL_OK);
  for (int i = 0; i < 8; i++) ck_assert_double_eq(x[i], i + 1);
  const double *QL = o->buf[3], *S = o->buf[2];
  for (int a = 0; a < 2; a++)
    for (int b = 0; b < 2; b++) {
      const double d = QL[a] * QL[b] + QL[2 + a] * QL[2 + b];
      ck_assert_double_eq_tol(d, a == b, 1e-14);
    }
  /* q1' L q1 >= q2' L q2 */
  double e[2];
  for (int k = 0; k < 2; k++) {
    const double q0 = QL[k], q1 = QL[2 + k];
    e[k] = q0 * (S[0] * q0 + S[1] * q1) + q1 * (S[2] * q0 + S[3] * q1);
  }
  ck_assert_double_ge(e[0], e[1]);
  ck_assert_int_eq(sl_optim_step(o, x, g), SL_OK);
  ck_assert_double_ne(x[0], 1);
  ck_assert_double_ne(x[7], 8);
  sl_optim_destroy(o);
}
END_TEST

/* the long kernels: a vector of n entries against each entry alone (dim 1) */
#define LONG_N     (((size_t)1 << 17) + 5)
#define LONG_STEPS 4
static const sl_optim_ops *const LONG_OPS[] = {&sl_optim_adahessian, &sl_optim_sophia};

START_TEST(test_long_entrywise) {
  const sl_optim_ops *ops = LONG_OPS[_i];
  const size_t n = LONG_N;
  const char *const names[] = {"lr", "weight_decay", NULL};
  const double vals[] = {0.05, 0.01};
  sep s0 = {0};
  sl_objective *f = sl_obj_new(&sep_ops, &s0, n, 0);
  double *x = malloc(n * sizeof *x), *traj = malloc(LONG_STEPS * n * sizeof *traj);
  ck_assert_ptr_nonnull(traj);
  sl_optimizer *o = make(ops, f, names, vals);
  ck_assert_int_eq(sl_optim_setdim(o, n), SL_OK);
  for (size_t i = 0; i < n; i++) x[i] = cos((double)i * 0.37);
  for (int t = 0; t < LONG_STEPS; t++) {
    ck_assert_int_eq(sl_optim_step(o, x, NULL), SL_OK);
    memcpy(traj + (size_t)t * n, x, n * sizeof *x);
  }
  sl_optim_destroy(o);
  size_t bad = n;
  int failed = 0, bad_t = 0;
  for (size_t i = 0; i < n && bad == n; i += (i % 1009 < 8 ? 1 : 17)) {
    sep s1 = {i};
    sl_objective *f1 = sl_obj_new(&sep_ops, &s1, 1, 0);
    sl_optimizer *o1 = make(ops, f1, names, vals);
    failed |= sl_optim_setdim(o1, 1) != SL_OK;
    double x1 = cos((double)i * 0.37);
    for (int t = 0; t < LONG_STEPS && bad == n; t++) {
      failed |= sl_optim_step(o1, &x1, NULL) != SL_OK;
      uint64_t a, b;
      memcpy(&a, &x1, sizeof a);
      memcpy(&b, traj + (size_t)t * n + i, sizeof b);
      if (a != b) bad = i, bad_t = t;
    }
    sl_optim_destroy(o1);
    sl_obj_destroy(f1);
  }
  ck_assert_msg(!failed, "%s: a dim-1 step failed", ops->name);
  ck_assert_msg(bad == n, "%s: entry %zu differs at step %d", ops->name, bad, bad_t + 1);
  sl_obj_destroy(f);
  free(x);
  free(traj);
}
END_TEST

Suite *optim_curv_suite(void) {
  Suite *s = suite_create("optim_curv");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_layout_check);
  tcase_add_test(tc, test_hessian_diag);
  tcase_add_test(tc, test_first_steps_closed_form);
  tcase_add_test(tc, test_shampoo_diagonal);
  tcase_add_test(tc, test_muon_orthogonal);
  tcase_add_test(tc, test_soap_first_step);
  suite_add_tcase(s, tc);
  TCase *tl = tcase_create("long");
  tcase_set_timeout(tl, 60);
  tcase_add_loop_test(tl, test_long_entrywise, 0, (int)(sizeof LONG_OPS / sizeof LONG_OPS[0]));
  suite_add_tcase(s, tl);
  return s;
}
