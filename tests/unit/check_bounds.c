/*
** check_bounds.c — bound-constrained minimization in the core: lbfgsb, gd's
** projected gradient and newton_cg's projected Newton on Rosenbrock with x1 <= 0.5 (solution (0.5,
*0.25)), on a
** box-constrained quadratic whose solution is built from its KKT conditions
** (bounds active on both sides, free entries with zero gradient), every
** iterate checked to lie in the box through the progress callback; lbfgsb
** with infinite bounds against lbfgs step for step; and the refusals (NaN,
** lower > upper, wrong length, methods without bounds).
*/
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check_slope.h"
#include "sl_minimize.h"

static sl_status rosen_fg(sl_objective *o, const double *x, double *f, double *g) {
  (void)o;
  double a = 1.0 - x[0], b = x[1] - x[0] * x[0];
  *f = a * a + 100.0 * b * b;
  if (g) {
    g[0] = -2.0 * a - 400.0 * x[0] * b;
    g[1] = 200.0 * b;
  }
  return SL_OK;
}
static const sl_objective_ops rosen_ops = {.name = "rosenbrock", .fg = rosen_fg};

/*
** f = 1/2 x'Ax - b'x, A = tridiag(-1, 4, -1) (n = 8, SPD). The solution xs is
** chosen: entries 0 and 5 on their lower bound, 2 and 7 on their upper bound,
** the rest strictly inside; its gradient gs is 0 on the free entries, > 0 on
** the lower-active ones, < 0 on the upper-active ones (KKT with multipliers
** |gs|), and b = A xs - gs. Strict convexity makes xs the only minimizer.
*/
#define KN 8
static const double klo[KN] = {0.5, -1, -2, -HUGE_VAL, -1, 1, -3, -1};
static const double khi[KN] = {2, 1, 0.25, 3, HUGE_VAL, 2, 3, -0.5};
static const double kxs[KN] = {0.5, 0.3, 0.25, -0.7, 1.5, 1, 0.2, -0.5};
static const double kgs[KN] = {2.0, 0, -1.5, 0, 0, 0.75, 0, -3.0};
static double kb[KN];

static void amul(const double *x, double *y) {
  for (int i = 0; i < KN; i++)
    y[i] = 4.0 * x[i] - (i > 0 ? x[i - 1] : 0.0) - (i + 1 < KN ? x[i + 1] : 0.0);
}
static sl_status kkt_fg(sl_objective *o, const double *x, double *f, double *g) {
  (void)o;
  double ax[KN];
  amul(x, ax);
  double s = 0.0;
  for (int i = 0; i < KN; i++) {
    s += 0.5 * x[i] * ax[i] - kb[i] * x[i];
    if (g) g[i] = ax[i] - kb[i];
  }
  *f = s;
  return SL_OK;
}
static const sl_objective_ops kkt_ops = {.name = "kkt_quadratic", .fg = kkt_fg};

static void kkt_setup(void) {
  amul(kxs, kb);
  for (int i = 0; i < KN; i++) kb[i] -= kgs[i];
}

/* every iterate inside the box (the progress callback sees each one) */
typedef struct feas {
  const double *lo, *hi;
  long checked, outside;
} feas;
static int check_feasible(void *ud, sl_solver *s, const sl_min_progress_info *it) {
  feas *fz = ud;
  (void)s;
  for (size_t i = 0; i < it->n; i++)
    if (it->x[i] < fz->lo[i] || it->x[i] > fz->hi[i]) fz->outside++;
  fz->checked++;
  return 0;
}

static sl_solver *run_bounded(sl_objective *o, sl_min_method m, const double *x0, const double *lo,
                              const double *hi, double gtol, feas *fz, sl_status *st) {
  sl_min_params p;
  sl_min_defaults(&p, m);
  p.lower = lo;
  p.upper = hi;
  p.nbounds = o->dim;
  p.gtol = gtol;
  p.maxiter = 100000;
  char msg[320];
  sl_solver *s = sl_solver_new(o, x0, &p, st, msg, sizeof msg);
  ck_assert_msg(s != NULL, "%s", msg);
  sl_min_run r;
  sl_min_run_init(&r, s);
  r.progress = check_feasible;
  r.ud = fz;
  *st = sl_solver_run_with(s, &r);
  return s;
}

static const sl_min_method bounded_methods[] = {SL_MIN_LBFGSB, SL_MIN_GD, SL_MIN_NEWTON_CG};

START_TEST(test_rosenbrock_bound) {
  sl_objective *o = sl_obj_new(&rosen_ops, NULL, 2, 0);
  const double lo[2] = {-HUGE_VAL, -HUGE_VAL}, hi[2] = {0.5, HUGE_VAL}, x0[2] = {-1.2, 1.0};
  feas fz = {lo, hi, 0, 0};
  sl_status st;
  sl_solver *s = run_bounded(o, bounded_methods[_i], x0, lo, hi, 1e-9, &fz, &st);
  ck_assert_msg(st == SL_CONVERGED_GTOL, "%s: %s", s->m->name, s->msg);
  ck_assert_double_eq(s->x[0], 0.5); /* on the bound exactly */
  ck_assert_double_eq_tol(s->x[1], 0.25, 1e-8);
  ck_assert(s->g[0] < 0.0); /* the multiplier: f would fall beyond the bound */
  ck_assert_int_eq(fz.outside, 0);
  ck_assert_int_eq(fz.checked, s->nit);
  ck_assert(strstr(s->msg, "max|proj g|") != NULL);
  sl_solver_free(s);
  sl_obj_destroy(o);
}
END_TEST

START_TEST(test_kkt_quadratic) {
  kkt_setup();
  sl_objective *o = sl_obj_new(&kkt_ops, NULL, KN, 0);
  double x0[KN] = {0};
  feas fz = {klo, khi, 0, 0};
  sl_status st;
  sl_solver *s = run_bounded(o, bounded_methods[_i], x0, klo, khi, 1e-10, &fz, &st);
  ck_assert_msg(st == SL_CONVERGED_GTOL, "%s: %s", s->m->name, s->msg);
  for (int i = 0; i < KN; i++) {
    if (kgs[i] != 0.0)
      ck_assert_msg(s->x[i] == kxs[i], "%s: x[%d] = %.17g not on its bound %g", s->m->name, i,
                    s->x[i], kxs[i]);
    else
      ck_assert_double_eq_tol(s->x[i], kxs[i], 1e-9);
    ck_assert_double_eq_tol(s->g[i], kgs[i], 1e-8);
  }
  ck_assert_int_eq(fz.outside, 0);
  ck_assert_double_eq(x0[0], 0.0);      /* the caller's x0 is left alone */
  ck_assert_int_eq(s->x0_projected, 3); /* 0 is outside the box for entries 0, 5 and 7 */
  sl_solver_free(s);
  sl_obj_destroy(o);
}
END_TEST

/* with every bound infinite, lbfgsb takes lbfgs's steps (same iterations and
   evaluations, points equal to rounding) */
START_TEST(test_infinite_bounds_are_lbfgs) {
  sl_objective *o = sl_obj_new(&rosen_ops, NULL, 2, 0);
  const double lo[2] = {-HUGE_VAL, -HUGE_VAL}, hi[2] = {HUGE_VAL, HUGE_VAL}, x0[2] = {-1.2, 1.0};
  sl_status st, st2;
  sl_min_params p, q;
  sl_min_defaults(&p, SL_MIN_LBFGS);
  p.gtol = 1e-8;
  q = p;
  q.method = SL_MIN_LBFGSB;
  q.lower = lo;
  q.upper = hi;
  q.nbounds = 2;
  char msg[320];
  sl_solver *l = sl_solver_new(o, x0, &p, &st2, msg, sizeof msg);
  sl_objective *o2 = sl_obj_new(&rosen_ops, NULL, 2, 0); /* its own evaluation count */
  sl_solver *b = sl_solver_new(o2, x0, &q, &st, msg, sizeof msg);
  ck_assert_ptr_nonnull(l);
  ck_assert_ptr_nonnull(b);
  for (int k = 0; k < 200; k++) {
    st = sl_solver_step(b);
    st2 = sl_solver_step(l);
    if (k == 0) ck_assert_int_eq(b->nit, 1);
    ck_assert_int_eq(st, st2);
    for (int i = 0; i < 2; i++)
      ck_assert_msg(fabs(b->x[i] - l->x[i]) <= 1e-9 * fmax(1.0, fabs(l->x[i])),
                    "step %d: %.17g vs %.17g", k, b->x[i], l->x[i]);
    if (st != SL_OK) break;
  }
  ck_assert_int_eq(st, SL_CONVERGED_GTOL);
  ck_assert_int_eq(b->nit, l->nit);
  ck_assert_int_eq(sl_solver_nfev(b), sl_solver_nfev(l));
  sl_solver_free(b);
  sl_solver_free(l);
  sl_obj_destroy(o);
  sl_obj_destroy(o2);
}
END_TEST

START_TEST(test_bounds_refused) {
  sl_min_params p;
  char msg[320];
  sl_min_defaults(&p, SL_MIN_LBFGSB);
  double lo[2] = {0, NAN}, hi[2] = {1, 1};
  p.lower = lo;
  p.upper = hi;
  p.nbounds = 2;
  ck_assert_int_eq(sl_min_check(&p, msg, sizeof msg), SL_EINVAL);
  ck_assert_str_eq(msg, "lower[2] is nan: bounds must be numbers (+-inf for none)");
  lo[1] = 2;
  ck_assert_int_eq(sl_min_check(&p, msg, sizeof msg), SL_EINVAL);
  ck_assert_str_eq(msg, "lower[2] = 2 > upper[2] = 1: the box is empty");
  lo[1] = -1;
  ck_assert_int_eq(sl_min_check(&p, msg, sizeof msg), SL_OK);
  hi[0] = -HUGE_VAL;
  lo[0] = -HUGE_VAL;
  ck_assert_int_eq(sl_min_check(&p, msg, sizeof msg), SL_EINVAL);
  ck_assert_str_eq(msg, "upper[1] = -inf leaves no finite point");
  hi[0] = 1;
  /* wrong length for the objective */
  sl_objective *o = sl_obj_new(&kkt_ops, NULL, KN, 0);
  double x0[KN] = {0};
  sl_status st;
  ck_assert_ptr_null(sl_solver_new(o, x0, &p, &st, msg, sizeof msg));
  ck_assert_int_eq(st, SL_EINVAL);
  ck_assert_str_eq(msg, "the bounds have 2 entries, the objective's dimension is 8");
  /* a method without bounds says so and names the one that has them */
  sl_min_params q;
  sl_min_defaults(&q, SL_MIN_BFGS);
  q.upper = hi;
  q.nbounds = 2;
  ck_assert_int_eq(sl_min_check(&q, msg, sizeof msg), SL_EINVAL);
  ck_assert_str_eq(
      msg, "method bfgs takes no bounds (use method = \"lbfgsb\", \"gd\" or \"newton_cg\")");
  sl_min_defaults(&q, SL_MIN_TRUST_NCG);
  q.lower = lo;
  q.nbounds = 2;
  ck_assert_int_eq(sl_min_check(&q, msg, sizeof msg), SL_EINVAL);
  ck_assert(strstr(msg, "method trust_ncg takes no bounds") == msg);
  sl_obj_destroy(o);
}
END_TEST

/* gd's fixed step is x <- P(x - lr g): on the quadratic it reaches the KKT point */
START_TEST(test_gd_fixed_projected) {
  kkt_setup();
  sl_objective *o = sl_obj_new(&kkt_ops, NULL, KN, 0);
  double x0[KN] = {1, 0, 0, 0, 0, 1.5, 0, -0.75};
  sl_min_params p;
  sl_min_defaults(&p, SL_MIN_GD);
  p.lr = 0.15; /* < 2 / lambda_max(A) = 2 / 6 */
  p.lower = klo;
  p.upper = khi;
  p.nbounds = KN;
  p.gtol = 1e-10;
  p.maxiter = 10000;
  sl_status st;
  char msg[320];
  sl_solver *s = sl_solver_new(o, x0, &p, &st, msg, sizeof msg);
  ck_assert_ptr_nonnull(s);
  ck_assert_int_eq(s->x0_projected, 0);
  feas fz = {klo, khi, 0, 0};
  sl_min_run r;
  sl_min_run_init(&r, s);
  r.progress = check_feasible;
  r.ud = &fz;
  st = sl_solver_run_with(s, &r);
  ck_assert_msg(st == SL_CONVERGED_GTOL, "%s", s->msg);
  for (int i = 0; i < KN; i++) ck_assert_double_eq_tol(s->x[i], kxs[i], 1e-9);
  ck_assert_int_eq(fz.outside, 0);
  sl_solver_free(s);
  sl_obj_destroy(o);
}
END_TEST

/* Ctrl-C: the run loop's stop flag, raised during the run (by the progress
   callback here, by the SIGINT handler in the interpreter), stops lbfgsb
   between iterations with x feasible */
static sl_stopflag stop_flag;
static int raise_flag(void *ud, sl_solver *s, const sl_min_progress_info *it) {
  (void)s, (void)ud;
  if (it->nit == 2) stop_flag = 1;
  return 0;
}

START_TEST(test_interrupted) {
  kkt_setup();
  sl_objective *o = sl_obj_new(&kkt_ops, NULL, KN, 0);
  double x0[KN] = {0};
  sl_min_params p;
  sl_min_defaults(&p, SL_MIN_LBFGSB);
  p.lower = klo;
  p.upper = khi;
  p.nbounds = KN;
  sl_status st;
  char msg[320];
  sl_solver *s = sl_solver_new(o, x0, &p, &st, msg, sizeof msg);
  ck_assert_ptr_nonnull(s);
  stop_flag = 0;
  sl_min_run r;
  sl_min_run_init(&r, s);
  r.stop = &stop_flag;
  r.progress = raise_flag;
  ck_assert_int_eq(sl_solver_run_with(s, &r), SL_EINTERRUPTED);
  ck_assert_int_eq(s->nit, 2);
  ck_assert_str_eq(s->msg, "interrupted at iteration 2");
  for (int i = 0; i < KN; i++) ck_assert(s->x[i] >= klo[i] && s->x[i] <= khi[i]);
  sl_solver_free(s);
  sl_obj_destroy(o);
}
END_TEST

Suite *bounds_suite(void) {
  Suite *s = suite_create("bounds");
  TCase *tc = tcase_create("box");
  tcase_set_timeout(tc, 60);
  tcase_add_loop_test(tc, test_rosenbrock_bound, 0, 3);
  tcase_add_loop_test(tc, test_kkt_quadratic, 0, 3);
  tcase_add_test(tc, test_infinite_bounds_are_lbfgs);
  tcase_add_test(tc, test_bounds_refused);
  tcase_add_test(tc, test_gd_fixed_projected);
  tcase_add_test(tc, test_interrupted);
  suite_add_tcase(s, tc);
  return s;
}
