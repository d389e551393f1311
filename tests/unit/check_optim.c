/*
** check_optim.c — the core optimizer interface from C alone: defaults and
** hyperparameter checks, setdim/step/reset, a wrapper, and svrg/saga/sam on a
** small least-squares objective with per-sample gradients written here;
** long steps (vectorized, cloned, threaded kernels) against the same rule run
** entry by entry, bit for bit.
*/
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_slope.h"
#include "sl_objective.h"
#include "sl_optim.h"

/* f(x) = (1/n) sum_i 1/2 (a_i . x - y_i)^2, dim 2, n 4 */
static const double AX[4][2] = {{1, 2}, {0.5, -1}, {2, 0.3}, {-1, 1}};
static const double AY[4] = {1, 0, 2, -1};

static sl_status ls_sample(sl_objective *o, const double *x, size_t k, double *f, double *g) {
  size_t r = sl_obj_row(o, k);
  double res = AX[r][0] * x[0] + AX[r][1] * x[1] - AY[r];
  *f = 0.5 * res * res;
  if (g) {
    g[0] = res * AX[r][0];
    g[1] = res * AX[r][1];
  }
  return SL_OK;
}

static sl_status ls_fg(sl_objective *o, const double *x, double *f, double *g) {
  double gi[2], fi;
  *f = 0;
  if (g) g[0] = g[1] = 0;
  for (size_t k = 0; k < o->n; k++) {
    ls_sample(o, x, k, &fi, gi);
    *f += fi / (double)o->n;
    if (g) {
      g[0] += gi[0] / (double)o->n;
      g[1] += gi[1] / (double)o->n;
    }
  }
  return SL_OK;
}

static const sl_objective_ops ls_ops = {.name = "ls", .fg = ls_fg, .sample_fg = ls_sample};

/* the minimizer from the normal equations */
static void ls_solution(double *xs) {
  double a11 = 0, a12 = 0, a22 = 0, b1 = 0, b2 = 0;
  for (int i = 0; i < 4; i++) {
    a11 += AX[i][0] * AX[i][0];
    a12 += AX[i][0] * AX[i][1];
    a22 += AX[i][1] * AX[i][1];
    b1 += AX[i][0] * AY[i];
    b2 += AX[i][1] * AY[i];
  }
  double det = a11 * a22 - a12 * a12;
  xs[0] = (a22 * b1 - a12 * b2) / det;
  xs[1] = (a11 * b2 - a12 * b1) / det;
}

START_TEST(test_defaults_and_checks) {
  sl_optimizer *o = sl_optim_new(&sl_optim_adam);
  ck_assert_ptr_nonnull(o);
  ck_assert_double_eq(sl_optim_lr(o), 1e-3);
  ck_assert_double_eq(o->hp[sl_optim_hpindex(o, "beta2")], 0.999);
  ck_assert_int_eq(sl_optim_sethp(o, 0, -1), SL_EINVAL);
  ck_assert_str_eq(o->msg, "lr must be a non-negative number, got -1");
  ck_assert_int_eq(sl_optim_sethp(o, 1, 1.0), SL_EINVAL);
  ck_assert_int_eq(sl_optim_sethp(o, 1, NAN), SL_EINVAL);
  ck_assert_double_eq(o->hp[1], 0.9);
  double x[2] = {1, 2}, g[2] = {1, 1};
  ck_assert_int_eq(sl_optim_step(o, x, g), SL_EINVAL); /* dim not fixed */
  ck_assert_int_eq(sl_optim_setdim(o, 2), SL_OK);
  ck_assert_int_eq(sl_optim_setdim(o, 3), SL_EDIM);
  ck_assert_int_eq(sl_optim_step(o, x, NULL), SL_EINVAL);
  ck_assert_int_eq(sl_optim_step(o, x, g), SL_OK);
  ck_assert_uint_eq(o->t, 1);
  ck_assert_double_eq_tol(x[0], 1 - 1e-3, 1e-10); /* first Adam step: lr sign(g) */
  sl_optim_reset(o);
  ck_assert_uint_eq(o->t, 0);
  ck_assert_double_eq(o->buf[0][0], 0.0);
  sl_optim_destroy(o);

  sl_optimizer *s = sl_optim_new(&sl_optim_sgd);
  ck_assert_int_eq(sl_optim_sethp(s, sl_optim_hpindex(s, "nesterov"), 1), SL_EINVAL);
  ck_assert_str_eq(s->msg, "nesterov requires momentum > 0 and dampening = 0");
  ck_assert_double_eq(s->hp[sl_optim_hpindex(s, "nesterov")], 0.0);
  sl_optim_destroy(s);
}
END_TEST

/* A NaN hyperparameter is refused with "got nan", never the C library's "-nan". */
START_TEST(test_nan_message) {
  sl_optimizer *o = sl_optim_new(&sl_optim_sgd);
  ck_assert_ptr_nonnull(o);
  volatile double zero = 0.0;
  ck_assert_int_eq(sl_optim_sethp(o, 0, -(zero / zero)), SL_EINVAL);
  ck_assert_str_eq(o->msg, "lr must be a finite number, got nan");
  ck_assert_int_eq(sl_optim_sethp(o, 0, -1.0), SL_EINVAL);
  ck_assert_ptr_nonnull(strstr(o->msg, "got -1"));
  sl_optim_destroy(o);
}
END_TEST

START_TEST(test_wrapper_and_lr) {
  sl_optimizer *base = sl_optim_new(&sl_optim_sgd);
  sl_optimizer *w = sl_optim_new(&sl_optim_clip);
  w->base = base;
  ck_assert_int_eq(sl_optim_sethp(w, 0, 1.0), SL_OK); /* max_norm */
  ck_assert_int_eq(sl_optim_set_lr(w, 1.0), SL_OK);
  ck_assert_double_eq(base->hp[0], 1.0);
  ck_assert_int_eq(sl_optim_setdim(w, 2), SL_OK);
  ck_assert_uint_eq(base->dim, 2);
  double x[2] = {0, 0}, g[2] = {3, 4};
  ck_assert_int_eq(sl_optim_step(w, x, g), SL_OK);
  ck_assert_double_eq_tol(x[0], -3 / (5 + 1e-6), 1e-15);
  ck_assert_double_eq(g[0], 3.0);
  ck_assert_int_eq(sl_optim_set_lr(w, -2), SL_EINVAL);
  sl_optim_destroy(w);
  sl_optim_destroy(base);
}
END_TEST

static sl_objective *ls_new(void) { return sl_obj_new(&ls_ops, NULL, 2, 4); }

START_TEST(test_svrg_saga_converge) {
  const sl_optim_ops *rules[2] = {&sl_optim_svrg, &sl_optim_saga};
  double xs[2];
  ls_solution(xs);
  for (int r = 0; r < 2; r++) {
    sl_objective *f = ls_new();
    sl_optimizer *o = sl_optim_new(rules[r]);
    o->f = f;
    sl_rng_seed(&o->rng, 11);
    ck_assert_int_eq(sl_optim_sethp(o, 0, 0.1), SL_OK);
    ck_assert_int_eq(sl_optim_setdim(o, 2), SL_OK);
    double x[2] = {0, 0};
    for (int k = 0; k < 2000; k++) ck_assert_int_eq(sl_optim_step(o, x, NULL), SL_OK);
    ck_assert_double_eq_tol(x[0], xs[0], 1e-9);
    ck_assert_double_eq_tol(x[1], xs[1], 1e-9);
    if (rules[r] == &sl_optim_saga) ck_assert_uint_eq(sl_optim_buflen(o, 0), 8);
    sl_optim_destroy(o);
    sl_obj_destroy(f);
  }
}
END_TEST

/* Copying the state (buffers, scalars, rng, t) continues a run bit for bit. */
START_TEST(test_state_copy_continues) {
  sl_objective *f = ls_new();
  sl_optimizer *a = sl_optim_new(&sl_optim_saga), *b = sl_optim_new(&sl_optim_saga);
  a->f = b->f = f;
  sl_rng_seed(&a->rng, 3);
  sl_optim_setdim(a, 2);
  sl_optim_setdim(b, 2);
  double x[2] = {0.3, -0.7};
  for (int k = 0; k < 5; k++) sl_optim_step(a, x, NULL);
  for (size_t k = 0; k < sl_optim_nbufs(a); k++)
    memcpy(b->buf[k], a->buf[k], sl_optim_buflen(a, k) * sizeof(double));
  b->rng = a->rng;
  b->t = a->t;
  double y[2] = {x[0], x[1]};
  for (int k = 0; k < 5; k++) {
    sl_optim_step(a, x, NULL);
    sl_optim_step(b, y, NULL);
    ck_assert(x[0] == y[0] && x[1] == y[1]);
  }
  sl_optim_destroy(a);
  sl_optim_destroy(b);
  sl_obj_destroy(f);
}
END_TEST

START_TEST(test_sam_step) {
  sl_objective *f = ls_new();
  sl_optimizer *base = sl_optim_new(&sl_optim_sgd), *s = sl_optim_new(&sl_optim_sam);
  s->base = base;
  s->f = f;
  sl_optim_sethp(base, 0, 0.05);
  ck_assert_int_eq(sl_optim_setdim(s, 2), SL_OK);
  double x[2] = {0.3, -0.7}, g[2], ge[2], xe[2], fv;
  ls_fg(f, x, &fv, g);
  double nrm = sqrt(g[0] * g[0] + g[1] * g[1]), sc = 0.05 / (nrm + 1e-12);
  xe[0] = x[0] + g[0] * sc;
  xe[1] = x[1] + g[1] * sc;
  ls_fg(f, xe, &fv, ge);
  double want0 = x[0] - 0.05 * ge[0], want1 = x[1] - 0.05 * ge[1];
  ck_assert_int_eq(sl_optim_step(s, x, NULL), SL_OK);
  ck_assert_double_eq_tol(x[0], want0, 1e-15);
  ck_assert_double_eq_tol(x[1], want1, 1e-15);
  ck_assert_uint_eq(base->t, 1);
  sl_optim_destroy(s);
  sl_optim_destroy(base);
  sl_obj_destroy(f);
}
END_TEST

START_TEST(test_objective_dim_mismatch) {
  sl_objective *f = ls_new();
  sl_optimizer *o = sl_optim_new(&sl_optim_svrg);
  o->f = f;
  ck_assert_int_eq(sl_optim_setdim(o, 3), SL_EDIM);
  ck_assert_uint_eq(o->dim, 0);
  ck_assert_int_eq(sl_optim_setdim(o, 2), SL_OK);
  sl_optim_destroy(o);
  sl_obj_destroy(f);
}
END_TEST

/* ---- long vectors: the kernels against the rule entry by entry ------------- */

/* A rule (or a wrapper around a base) with some hyperparameters by name. */
typedef struct {
  const char *what;
  const sl_optim_ops *ops;
  const char *hp[4];
  double val[4];
  const sl_optim_ops *base;
  const char *bhp[3];
  double bval[3];
} longcase;

static const longcase LONG_CASES[] = {
    {"sgd", &sl_optim_sgd, {"lr"}, {0.03}, NULL, {0}, {0}},
    {"sgd wd max",
     &sl_optim_sgd,
     {"lr", "weight_decay", "maximize"},
     {0.03, 0.1, 1},
     NULL,
     {0},
     {0}},
    {"sgd momentum dampening wd",
     &sl_optim_sgd,
     {"momentum", "dampening", "weight_decay"},
     {0.8, 0.3, 0.05},
     NULL,
     {0},
     {0}},
    {"sgd nesterov", &sl_optim_sgd, {"momentum", "nesterov"}, {0.7, 1}, NULL, {0}, {0}},
    {"adagrad",
     &sl_optim_adagrad,
     {"lr_decay", "weight_decay", "initial_accumulator_value"},
     {0.01, 0.1, 0.2},
     NULL,
     {0},
     {0}},
    {"rmsprop", &sl_optim_rmsprop, {"lr"}, {0.01}, NULL, {0}, {0}},
    {"rmsprop centered momentum wd",
     &sl_optim_rmsprop,
     {"centered", "momentum", "weight_decay"},
     {1, 0.5, 0.1},
     NULL,
     {0},
     {0}},
    {"adam", &sl_optim_adam, {"lr"}, {0.01}, NULL, {0}, {0}},
    {"adam amsgrad wd max",
     &sl_optim_adam,
     {"amsgrad", "weight_decay", "maximize"},
     {1, 0.1, 1},
     NULL,
     {0},
     {0}},
    {"adamw amsgrad", &sl_optim_adamw, {"amsgrad"}, {1}, NULL, {0}, {0}},
    {"nadam wd", &sl_optim_nadam, {"weight_decay"}, {0.1}, NULL, {0}, {0}},
    {"radam wd", &sl_optim_radam, {"weight_decay"}, {0.1}, NULL, {0}, {0}},
    {"adamax wd max", &sl_optim_adamax, {"weight_decay", "maximize"}, {0.1, 1}, NULL, {0}, {0}},
    {"lion wd", &sl_optim_lion, {"weight_decay"}, {0.1}, NULL, {0}, {0}},
    {"ftrl l1 l2", &sl_optim_ftrl, {"alpha", "l1", "l2"}, {0.5, 0.3, 0.1}, NULL, {0}, {0}},
    {"clip max_value", &sl_optim_clip, {"max_value"}, {0.5}, &sl_optim_adam, {"lr"}, {0.01}},
    {"accumulate 3", &sl_optim_accumulate, {"steps"}, {3}, &sl_optim_adamw, {"lr"}, {0.01}},
    {"average ema",
     &sl_optim_average,
     {"kind", "decay", "start"},
     {1, 0.9, 2},
     &sl_optim_sgd,
     {"momentum"},
     {0.5}},
    {"average polyak", &sl_optim_average, {"kind"}, {0}, &sl_optim_sgd, {0}, {0}},
    {"lookahead", &sl_optim_lookahead, {"k", "alpha"}, {3, 0.5}, &sl_optim_adam, {"lr"}, {0.01}},
};

#define LONG_N     (((size_t)1 << 16) + 2 * 8192 + 7) /* threaded, several blocks, odd tail */
#define LONG_STEPS 8                                  /* radam rectifies from step 6 */

static void set_hps(sl_optimizer *o, const char *const *names, const double *vals, size_t n) {
  for (size_t k = 0; k < n && names[k]; k++) {
    int j = sl_optim_hpindex(o, names[k]);
    ck_assert_msg(j >= 0, "no hyperparameter %s", names[k]);
    ck_assert_int_eq(sl_optim_sethp(o, j, vals[k]), SL_OK);
  }
}

/* the optimizer of case c and its base (or NULL) */
static sl_optimizer *long_new(const longcase *c, sl_optimizer **base) {
  sl_optimizer *o = sl_optim_new(c->ops);
  *base = NULL;
  if (c->base) {
    *base = sl_optim_new(c->base);
    set_hps(*base, c->bhp, c->bval, 3);
    o->base = *base;
  }
  set_hps(o, c->hp, c->val, 4);
  return o;
}

/* g_i at step t from x_i, with zeros, -0, a subnormal, a huge value, inf and NaN */
static double long_grad(size_t i, int t, double x) {
  switch (i % 1009) {
  case 1: return 0.0;
  case 2: return t % 2 ? -0.0 : 1e-310;
  case 3: return t == 3 ? 1e200 : x;
  case 4: return t == 4 ? (double)INFINITY : x;
  case 5: return t == 5 ? (double)NAN : x;
  default:
    return (0.5 + (double)(i % 97) / 13) * x + (double)(i % 61) / 17 - 1.7 + 0.05 * x * x * x;
  }
}

static double long_x0(size_t i) { return (double)((i * 31) % 23) / 7 - 11.0 / 7; }

START_TEST(test_long_step_is_entrywise) {
  const longcase *c = &LONG_CASES[_i];
  const size_t n = LONG_N;
  double *x = malloc(n * sizeof *x), *g = malloc(n * sizeof *g);
  double *traj = malloc(LONG_STEPS * n * sizeof *traj);
  ck_assert_ptr_nonnull(traj);
  sl_optimizer *base, *o = long_new(c, &base);
  ck_assert_int_eq(sl_optim_setdim(o, n), SL_OK);
  for (size_t i = 0; i < n; i++) x[i] = long_x0(i);
  for (int t = 0; t < LONG_STEPS; t++) {
    for (size_t i = 0; i < n; i++) g[i] = long_grad(i, t, x[i]);
    ck_assert_int_eq(sl_optim_step(o, x, g), SL_OK);
    memcpy(traj + (size_t)t * n, x, n * sizeof *x);
  }
  sl_optim_destroy(o);
  sl_optim_destroy(base);
  /* each entry alone (dim 1: the kernels' scalar tails), every 13th entry and the
     specials; asserted once (a passing ck_assert is a write to Check's log) */
  size_t bad = n, checked = 0;
  int bad_t = 0, failed = 0;
  double bad_x = 0;
  for (size_t i = 0; i < n && bad == n; i += (i % 1009 < 8 ? 1 : 13)) {
    sl_optimizer *b1, *o1 = long_new(c, &b1);
    failed |= sl_optim_setdim(o1, 1) != SL_OK;
    double x1 = long_x0(i);
    for (int t = 0; t < LONG_STEPS && bad == n; t++) {
      double g1 = long_grad(i, t, x1);
      failed |= sl_optim_step(o1, &x1, &g1) != SL_OK;
      uint64_t a, b;
      memcpy(&a, &x1, sizeof a);
      memcpy(&b, traj + (size_t)t * n + i, sizeof b);
      if (a != b) bad = i, bad_t = t, bad_x = x1;
    }
    sl_optim_destroy(o1);
    sl_optim_destroy(b1);
    checked++;
  }
  ck_assert_msg(!failed, "%s: a step of dim 1 failed", c->what);
  ck_assert_msg(bad == n, "%s: entry %zu, step %d: %.17g alone, %.17g in a vector of %zu", c->what,
                bad, bad_t + 1, bad_x, bad < n ? traj[(size_t)bad_t * n + bad] : 0.0, n);
  ck_assert_uint_gt(checked, n / 14);
  free(traj);
  free(x);
  free(g);
}
END_TEST

/* clip by norm couples the entries: against the scaled gradient written out */
START_TEST(test_long_clip_norm) {
  const size_t n = LONG_N;
  double *x = calloc(n, sizeof *x), *g = malloc(n * sizeof *g);
  sl_optimizer *base = sl_optim_new(&sl_optim_sgd), *w = sl_optim_new(&sl_optim_clip);
  w->base = base;
  ck_assert_int_eq(sl_optim_sethp(w, 0, 1.0), SL_OK);  /* max_norm */
  ck_assert_int_eq(sl_optim_sethp(w, 1, 1e-3), SL_OK); /* max_value */
  ck_assert_int_eq(sl_optim_set_lr(w, 1.0), SL_OK);
  ck_assert_int_eq(sl_optim_setdim(w, n), SL_OK);
  double ss = 0;
  for (size_t i = 0; i < n; i++) {
    g[i] = long_grad(i + 8, 0, long_x0(i)); /* no specials: i + 8 skips them */
    ss += g[i] * g[i];
  }
  const double scale = 1.0 / (sqrt(ss) + 1e-6);
  ck_assert_int_eq(sl_optim_step(w, x, g), SL_OK);
  size_t bad = n;
  for (size_t i = 0; i < n && bad == n; i++) {
    double v = g[i] * scale;
    v = v > 1e-3 ? 1e-3 : (v < -1e-3 ? -1e-3 : v);
    if (x[i] != 0.0 + -1.0 * v) bad = i;
  }
  ck_assert_msg(bad == n, "entry %zu of %zu differs", bad, n);
  sl_optim_destroy(w);
  sl_optim_destroy(base);
  free(x);
  free(g);
}
END_TEST

Suite *optim_suite(void) {
  Suite *s = suite_create("optim");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_defaults_and_checks);
  tcase_add_test(tc, test_nan_message);
  tcase_add_test(tc, test_wrapper_and_lr);
  tcase_add_test(tc, test_svrg_saga_converge);
  tcase_add_test(tc, test_state_copy_continues);
  tcase_add_test(tc, test_sam_step);
  tcase_add_test(tc, test_objective_dim_mismatch);
  suite_add_tcase(s, tc);
  TCase *tl = tcase_create("long");
  tcase_set_timeout(tl, 60);
  tcase_add_loop_test(tl, test_long_step_is_entrywise, 0,
                      (int)(sizeof LONG_CASES / sizeof LONG_CASES[0]));
  tcase_add_test(tl, test_long_clip_norm);
  suite_add_tcase(s, tl);
  return s;
}
