/*
** check_optim.c — the core optimizer interface from C alone: defaults and
** hyperparameter checks, setdim/step/reset, a wrapper, and svrg/saga/sam on a
** small least-squares objective with per-sample gradients written here.
*/
#include <check.h>
#include <math.h>
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
  return s;
}
