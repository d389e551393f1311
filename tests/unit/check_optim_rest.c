/*
** check_optim_rest.c — the i16-rest rules from C alone: the elementwise ones
** (adadelta, rprop, asgd, sf_sgd, sf_adamw) on a long vector (vectorized,
** cloned, threaded kernels) against the same rule run entry by entry, bit for
** bit; the per-layer ones (lamb, lars, adafactor's vector layers) with a
** layout against one optimizer per layer; prodigy and dadapt_adam finding the
** scale of a quadratic from d0 = 1e-6; the checks of the new kinds.
*/
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "check_slope.h"
#include "sl_layout.h"
#include "sl_optim.h"

typedef struct {
  const char *what;
  const sl_optim_ops *ops;
  const char *hp[4];
  double val[4];
} restcase;

static const restcase ELEMENTWISE[] = {
    {"adadelta", &sl_optim_adadelta, {"lr"}, {0.5}},
    {"adadelta wd max", &sl_optim_adadelta, {"weight_decay", "maximize", "rho"}, {0.1, 1, 0.8}},
    {"rprop", &sl_optim_rprop, {"lr"}, {0.05}},
    {"rprop max", &sl_optim_rprop, {"maximize", "etaminus", "step_size_max"}, {1, 0.3, 0.2}},
    {"asgd", &sl_optim_asgd, {"lr", "t0"}, {0.01, 3}},
    {"asgd wd max", &sl_optim_asgd, {"weight_decay", "maximize", "t0"}, {0.1, 1, 0}},
    {"sf_sgd", &sl_optim_sf_sgd, {"lr"}, {0.01}},
    {"sf_sgd wd warmup", &sl_optim_sf_sgd, {"lr", "weight_decay", "warmup_steps"}, {0.01, 0.1, 4}},
    {"sf_adamw", &sl_optim_sf_adamw, {"lr"}, {0.01}},
    {"sf_adamw wd r", &sl_optim_sf_adamw, {"weight_decay", "r", "warmup_steps"}, {0.1, 1, 3}},
    {"sf_adamw inner", &sl_optim_sf_adamw, {"inner_momentum", "weight_decay"}, {0.5, 0.01}},
};

#define LONG_N     (((size_t)1 << 16) + 2 * 8192 + 7) /* threaded, several blocks, odd tail */
#define LONG_STEPS 8

static void set_hps(sl_optimizer *o, const char *const *names, const double *vals, size_t n) {
  for (size_t k = 0; k < n && names[k]; k++) {
    int j = sl_optim_hpindex(o, names[k]);
    ck_assert_msg(j >= 0, "no hyperparameter %s", names[k]);
    ck_assert_int_eq(sl_optim_sethp(o, j, vals[k]), SL_OK);
  }
}

/* g_i at step t from x_i, with zeros, -0, a subnormal and a huge value */
static double grad_at(size_t i, int t, double x) {
  switch (i % 1009) {
  case 1: return 0.0;
  case 2: return t % 2 ? -0.0 : 1e-310;
  case 3: return t == 3 ? 1e200 : x;
  default:
    return (0.5 + (double)(i % 97) / 13) * x + (double)(i % 61) / 17 - 1.7 + 0.05 * x * x * x;
  }
}

static double x0_at(size_t i) { return (double)((i * 31) % 23) / 7 - 11.0 / 7; }

static int same_bits(double a, double b) {
  uint64_t p, q;
  memcpy(&p, &a, sizeof p);
  memcpy(&q, &b, sizeof q);
  return p == q;
}

START_TEST(test_elementwise_long_vs_entry) {
  const restcase *c = &ELEMENTWISE[_i];
  const size_t n = LONG_N;
  double *x = malloc(n * sizeof *x), *g = malloc(n * sizeof *g);
  double *traj = malloc(LONG_STEPS * n * sizeof *traj);
  ck_assert_ptr_nonnull(traj);
  sl_optimizer *o = sl_optim_new(c->ops);
  set_hps(o, c->hp, c->val, 4);
  ck_assert_int_eq(sl_optim_setdim(o, n), SL_OK);
  for (size_t i = 0; i < n; i++) x[i] = x0_at(i);
  for (int t = 0; t < LONG_STEPS; t++) {
    for (size_t i = 0; i < n; i++) g[i] = grad_at(i, t, x[i]);
    ck_assert_int_eq(sl_optim_step(o, x, g), SL_OK);
    memcpy(traj + (size_t)t * n, x, n * sizeof *x);
  }
  sl_optim_destroy(o);
  size_t bad = n, checked = 0;
  int bad_t = 0, failed = 0;
  for (size_t i = 0; i < n && bad == n; i += (i % 1009 < 5 ? 1 : 13)) {
    sl_optimizer *o1 = sl_optim_new(c->ops);
    set_hps(o1, c->hp, c->val, 4);
    failed |= sl_optim_setdim(o1, 1) != SL_OK;
    double x1 = x0_at(i);
    for (int t = 0; t < LONG_STEPS && bad == n; t++) {
      double g1 = grad_at(i, t, x1);
      failed |= sl_optim_step(o1, &x1, &g1) != SL_OK;
      if (!same_bits(x1, traj[(size_t)t * n + i])) bad = i, bad_t = t;
    }
    sl_optim_destroy(o1);
    checked++;
  }
  ck_assert_msg(!failed, "%s: a step of dim 1 failed", c->what);
  ck_assert_msg(bad == n, "%s: entry %zu, step %d differs alone and in a vector of %zu", c->what,
                bad, bad_t + 1, n);
  ck_assert_uint_gt(checked, n / 14);
  free(traj);
  free(x);
  free(g);
}
END_TEST

/* Layers of 3 sizes (one past the threading threshold): a per-layer rule with
   the layout is one optimizer per layer, bit for bit. */
static const sl_optim_ops *const PER_LAYER[] = {&sl_optim_lamb, &sl_optim_lars,
                                                &sl_optim_adafactor};
static const size_t LSIZE[3] = {37, ((size_t)1 << 16) + 101, 5};

START_TEST(test_layout_is_independent_layers) {
  const sl_optim_ops *ops = PER_LAYER[_i];
  const size_t n = LSIZE[0] + LSIZE[1] + LSIZE[2];
  sl_layout *lay = sl_layout_new(3);
  ck_assert_ptr_nonnull(lay);
  size_t off = 0;
  for (size_t l = 0; l < 3; l++) {
    lay->layer[l].offset = off;
    lay->layer[l].size = lay->layer[l].rows = LSIZE[l];
    lay->layer[l].cols = 0;
    off += LSIZE[l];
  }
  sl_layout_finish(lay);
  double *x = malloc(n * sizeof *x), *g = malloc(n * sizeof *g), *y = malloc(n * sizeof *y);
  sl_optimizer *o = sl_optim_new(ops), *part[3];
  o->layout = lay; /* owned by o */
  ck_assert_int_eq(sl_optim_setdim(o, n), SL_OK);
  for (size_t l = 0; l < 3; l++) {
    part[l] = sl_optim_new(ops);
    ck_assert_int_eq(sl_optim_setdim(part[l], LSIZE[l]), SL_OK);
  }
  for (size_t i = 0; i < n; i++) x[i] = y[i] = x0_at(i);
  for (int t = 0; t < LONG_STEPS; t++) {
    for (size_t i = 0; i < n; i++) /* smooth: no specials */
      g[i] = (0.5 + (double)(i % 97) / 13) * x[i] + (double)(i % 61) / 17 - 1.7;
    ck_assert_int_eq(sl_optim_step(o, x, g), SL_OK);
    size_t at = 0;
    for (size_t l = 0; l < 3; l++) {
      ck_assert_int_eq(sl_optim_step(part[l], y + at, g + at), SL_OK);
      at += LSIZE[l];
    }
  }
  size_t bad = n;
  for (size_t i = 0; i < n && bad == n; i++)
    if (!same_bits(x[i], y[i]) || !isfinite(x[i])) bad = i;
  ck_assert_msg(bad == n, "%s: entry %zu: %.17g with the layout, %.17g per layer", ops->name, bad,
                bad < n ? x[bad] : 0.0, bad < n ? y[bad] : 0.0);
  double moved = 0;
  for (size_t i = 0; i < n; i++) moved += fabs(x[i] - x0_at(i));
  ck_assert_msg(moved > 0, "%s did not move", ops->name);
  for (size_t l = 0; l < 3; l++) sl_optim_destroy(part[l]);
  sl_optim_destroy(o);
  free(x);
  free(g);
  free(y);
}
END_TEST

/* f = 1/2 sum a_i (x_i - 3)^2 from 0: d grows from 1e-6 to the scale of the
   distance (|x0 - x*| = 3 per entry) and the run converges. */
START_TEST(test_d_adaptation_finds_the_scale) {
  const sl_optim_ops *ops = _i == 0 ? &sl_optim_prodigy : &sl_optim_dadapt_adam;
  enum { D = 10 };
  double x[D] = {0}, g[D];
  sl_optimizer *o = sl_optim_new(ops);
  ck_assert_int_eq(sl_optim_setdim(o, D), SL_OK);
  for (int t = 0; t < 3000; t++) {
    for (int i = 0; i < D; i++) g[i] = (1 + i) * (x[i] - 3);
    ck_assert_int_eq(sl_optim_step(o, x, g), SL_OK);
  }
  ck_assert_msg(o->scal[0] > 0.1 && o->scal[0] < 100, "%s: d = %g", ops->name, o->scal[0]);
  for (int i = 0; i < D; i++)
    ck_assert_msg(fabs(x[i] - 3) < 1e-2, "%s x[%d] = %g", ops->name, i, x[i]);
  sl_optim_destroy(o);
}
END_TEST

START_TEST(test_kinds_and_cross_checks) {
  sl_optimizer *p = sl_optim_new(&sl_optim_prodigy);
  int k = sl_optim_hpindex(p, "growth_rate");
  ck_assert_double_eq(p->hp[k], INFINITY);
  ck_assert_int_eq(sl_optim_sethp(p, k, 1.02), SL_OK);
  ck_assert_int_eq(sl_optim_sethp(p, k, INFINITY), SL_OK);
  ck_assert_int_lt(sl_optim_sethp(p, k, NAN), 0);
  ck_assert_str_eq(p->msg, "growth_rate must be a positive number (inf allowed), got nan");
  ck_assert_int_lt(sl_optim_sethp(p, k, 0), 0);
  ck_assert_int_lt(sl_optim_sethp(p, k, -INFINITY), 0);
  ck_assert_double_eq(p->hp[k], INFINITY);
  k = sl_optim_hpindex(p, "beta3");
  ck_assert_int_lt(sl_optim_sethp(p, k, -0.5), 0);
  ck_assert_int_eq(sl_optim_sethp(p, k, 0.5), SL_OK);
  sl_optim_destroy(p);
  sl_optimizer *r = sl_optim_new(&sl_optim_rprop);
  ck_assert_int_lt(sl_optim_sethp(r, sl_optim_hpindex(r, "etaplus"), 1.0), 0);
  ck_assert_int_lt(sl_optim_sethp(r, sl_optim_hpindex(r, "step_size_min"), 60), 0);
  sl_optim_destroy(r);
  sl_optimizer *s = sl_optim_new(&sl_optim_sf_sgd);
  ck_assert_int_lt(sl_optim_sethp(s, sl_optim_hpindex(s, "momentum"), 0), 0);
  sl_optim_destroy(s);
  sl_optimizer *a = sl_optim_new(&sl_optim_adafactor);
  ck_assert_int_lt(sl_optim_sethp(a, sl_optim_hpindex(a, "decay_rate"), 0), 0);
  ck_assert_int_lt(sl_optim_sethp(a, sl_optim_hpindex(a, "decay_rate"), -1.5), 0);
  ck_assert_int_eq(sl_optim_setdim(a, 4), SL_OK);
  ck_assert_int_lt(sl_optim_sethp(a, sl_optim_hpindex(a, "beta1"), 0.9), 0);
  ck_assert_int_eq(sl_optim_buflen(a, 0), 0);
  ck_assert_int_eq(sl_optim_buflen(a, 1), 4);
  sl_optim_destroy(a);
}
END_TEST

/* sf_sgd's evaluation point: x = y + (1 - 1/beta)(z - y) is the average of the
   z iterates (r = 0, no warmup, constant lr: uniform weights). */
START_TEST(test_sf_eval_is_the_average_of_z) {
  enum { D = 3, T = 25 };
  double y[D] = {1, -2, 0.5}, g[D], zsum[D] = {0}, out[D];
  sl_optimizer *o = sl_optim_new(&sl_optim_sf_sgd);
  ck_assert_int_eq(sl_optim_sethp(o, 0, 0.05), SL_OK);
  ck_assert_int_eq(sl_optim_setdim(o, D), SL_OK);
  for (int t = 0; t < T; t++) {
    for (int i = 0; i < D; i++) g[i] = (2 + i) * y[i] + 0.3;
    ck_assert_int_eq(sl_optim_step(o, y, g), SL_OK);
    for (int i = 0; i < D; i++) zsum[i] += o->buf[0][i];
  }
  ck_assert_int_eq(sl_optim_sf_eval(o, y, out), SL_OK);
  for (int i = 0; i < D; i++)
    ck_assert_msg(fabs(out[i] - zsum[i] / T) < 1e-12, "x[%d] = %.17g, mean z = %.17g", i, out[i],
                  zsum[i] / T);
  sl_optim_destroy(o);
}
END_TEST

/* Rules with sums over the entries: the same bits on 1 thread and on 3. */
static const sl_optim_ops *const REDUCING[] = {&sl_optim_prodigy, &sl_optim_dadapt_adam,
                                               &sl_optim_lamb, &sl_optim_lars, &sl_optim_adafactor};

static void run_threads(const sl_optim_ops *ops, int threads, double *x, size_t n) {
#ifdef _OPENMP
  omp_set_num_threads(threads);
#else
  (void)threads;
#endif
  double *g = malloc(n * sizeof *g);
  sl_optimizer *o = sl_optim_new(ops);
  ck_assert_int_eq(sl_optim_setdim(o, n), SL_OK);
  for (size_t i = 0; i < n; i++) x[i] = x0_at(i);
  for (int t = 0; t < LONG_STEPS; t++) {
    for (size_t i = 0; i < n; i++)
      g[i] = (0.5 + (double)(i % 97) / 13) * x[i] + (double)(i % 61) / 17 - 1.7;
    ck_assert_int_eq(sl_optim_step(o, x, g), SL_OK);
  }
  sl_optim_destroy(o);
  free(g);
}

START_TEST(test_sums_same_bits_any_threads) {
  const sl_optim_ops *ops = REDUCING[_i];
  const size_t n = LONG_N;
  double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
  run_threads(ops, 1, a, n);
  run_threads(ops, 3, b, n);
#ifdef _OPENMP
  omp_set_num_threads(omp_get_num_procs());
#endif
  size_t bad = n;
  for (size_t i = 0; i < n && bad == n; i++)
    if (!same_bits(a[i], b[i])) bad = i;
  ck_assert_msg(bad == n, "%s: entry %zu differs between 1 and 3 threads", ops->name, bad);
  free(a);
  free(b);
}
END_TEST

Suite *optim_rest_suite(void) {
  Suite *s = suite_create("optim_rest");
  TCase *tc = tcase_create("rules");
  tcase_add_test(tc, test_kinds_and_cross_checks);
  tcase_add_test(tc, test_sf_eval_is_the_average_of_z);
  tcase_add_loop_test(tc, test_d_adaptation_finds_the_scale, 0, 2);
  suite_add_tcase(s, tc);
  TCase *tl = tcase_create("long");
  tcase_set_timeout(tl, 60);
  tcase_add_loop_test(tl, test_elementwise_long_vs_entry, 0,
                      (int)(sizeof ELEMENTWISE / sizeof ELEMENTWISE[0]));
  tcase_add_loop_test(tl, test_layout_is_independent_layers, 0,
                      (int)(sizeof PER_LAYER / sizeof PER_LAYER[0]));
  tcase_add_loop_test(tl, test_sums_same_bits_any_threads, 0,
                      (int)(sizeof REDUCING / sizeof REDUCING[0]));
  suite_add_tcase(s, tl);
  return s;
}
