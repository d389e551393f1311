/*
** check_dfo.c — issue 15's derivative-free and Newton-variant pieces:
** Moré-Thuente against MINPACK-2's dcsrch (reference steps from
** tests/data/more_thuente_dcsrch.py) and the strong Wolfe conditions on random
** 1-D problems; the nonmonotone search's memory; Nelder-Mead on the 2-D test
** functions (values only); exact Newton and dogleg on quadratics and
** Rosenbrock; Brent, golden section and the bounded method on known minima.
*/
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_slope.h"
#include "sl_linesearch.h"
#include "sl_minimize.h"
#include "sl_rng.h"
#include "sl_scalar.h"
#include "sl_testfns.h"
#include "sl_vec.h"

/* ---- Moré-Thuente ------------------------------------------------------------ */

typedef struct {
  int fn;
  double b1, b2;
} mtfn;

static double gam(double b) { return sqrt(1.0 + b * b) - b; }

/* The six functions of Moré & Thuente (1994), sec. 6. */
static sl_status mt_phi(void *ctx, double a, double *f, double *df) {
  const mtfn *m = ctx;
  double b = m->b1;
  if (m->fn == 1) {
    *f = -a / (a * a + b);
    *df = (a * a - b) / ((a * a + b) * (a * a + b));
  } else if (m->fn == 2) {
    double t = a + b;
    *f = pow(t, 5) - 2.0 * pow(t, 4);
    *df = 5.0 * pow(t, 4) - 8.0 * pow(t, 3);
  } else if (m->fn == 3) {
    double l = 39.0, f0, d0;
    if (a <= 1.0 - b)
      f0 = 1.0 - a, d0 = -1.0;
    else if (a >= 1.0 + b)
      f0 = a - 1.0, d0 = 1.0;
    else
      f0 = (a - 1.0) * (a - 1.0) / (2.0 * b) + b / 2.0, d0 = (a - 1.0) / b;
    *f = f0 + 2.0 * (1.0 - b) / (l * M_PI) * sin(l * M_PI * a / 2.0);
    *df = d0 + (1.0 - b) * cos(l * M_PI * a / 2.0);
  } else {
    double b1 = m->b1, b2 = m->b2;
    double s1 = sqrt((1.0 - a) * (1.0 - a) + b2 * b2), s2 = sqrt(a * a + b1 * b1);
    *f = gam(b1) * s1 + gam(b2) * s2;
    *df = gam(b1) * (a - 1.0) / s1 + gam(b2) * a / s2;
  }
  return SL_OK;
}

static const struct {
  int fn;
  double b1, b2, ftol, gtol;
} mt_cases[6] = {{1, 2.0, 0, 0.001, 0.1},        {2, 0.004, 0, 0.1, 0.1},
                 {3, 0.01, 0, 0.1, 0.1},         {4, 0.001, 0.001, 0.001, 0.001},
                 {5, 0.01, 0.001, 0.001, 0.001}, {6, 0.001, 0.01, 0.001, 0.001}};

/* {function, a0, accepted step, evaluations} from dcsrch (more_thuente_dcsrch.py) */
static const struct {
  int fn;
  double a0, a;
  int nfev;
} dcsrch_ref[24] = {
    {1, 0.001, 1.365, 6},
    {1, 0.1, 1.4413720790892741, 3},
    {1, 10, 10, 1},
    {1, 1000, 36.887606963966618, 4},
    {2, 0.001, 1.596000000186075, 12},
    {2, 0.1, 1.5960000000049348, 8},
    {2, 10, 1.5959999997572032, 8},
    {2, 1000, 1.5959999988725311, 11},
    {3, 0.001, 0.9999996797968318, 12},
    {3, 0.1, 0.99999880335482083, 12},
    {3, 10, 0.99999998761780562, 10},
    {3, 1000, 0.99999990171463771, 13},
    {4, 0.001, 0.085000000000000006, 4},
    {4, 0.1, 0.10000000000000001, 1},
    {4, 10, 0.34910461641724572, 3},
    {4, 1000, 0.82940124316945552, 4},
    {5, 0.001, 0.075010870600068141, 6},
    {5, 0.1, 0.077510421978024088, 3},
    {5, 10, 0.073142011068949936, 7},
    {5, 1000, 0.076159273201410069, 8},
    {6, 0.001, 0.92790322863861385, 13},
    {6, 0.1, 0.92615001383800644, 11},
    {6, 10, 0.92478167343220596, 8},
    {6, 1000, 0.92439790675364153, 11},
};

START_TEST(test_more_thuente_dcsrch) {
  int c = dcsrch_ref[_i].fn - 1;
  mtfn m = {mt_cases[c].fn, mt_cases[c].b1, mt_cases[c].b2};
  sl_phi phi = {mt_phi, NULL, &m};
  sl_linesearch ls;
  sl_ls_defaults(&ls, (sl_ls_kind)sl_ls_kind_from_name("more_thuente"));
  ls.c1 = mt_cases[c].ftol;
  ls.c2 = mt_cases[c].gtol;
  char msg[160];
  ck_assert_int_eq(sl_ls_check(&ls, msg, sizeof msg), SL_OK);
  double phi0, dphi0;
  mt_phi(&m, 0.0, &phi0, &dphi0);
  sl_ls_result r;
  sl_ls_run(&ls, &phi, phi0, dphi0, dcsrch_ref[_i].a0, &r);
  ck_assert_msg(r.status == SL_OK, "function %d: %s", m.fn, r.reason);
  ck_assert_msg(fabs(r.a - dcsrch_ref[_i].a) <= 1e-9 * dcsrch_ref[_i].a,
                "function %d a0 %g: a = %.17g, dcsrch %.17g", m.fn, dcsrch_ref[_i].a0, r.a,
                dcsrch_ref[_i].a);
  ck_assert_int_eq(r.nfev, dcsrch_ref[_i].nfev);
  ck_assert_int_eq(r.armijo, 1);
  ck_assert_int_eq(r.curvature, 1);
}
END_TEST

/* phi(a) = h/2 (a - m)^2 + amp sin(w a + p): bounded below, many local minima. */
typedef struct {
  double h, m, amp, w, p;
} wavy;

static sl_status wavy_phi(void *ctx, double a, double *f, double *df) {
  const wavy *q = ctx;
  *f = 0.5 * q->h * (a - q->m) * (a - q->m) + q->amp * sin(q->w * a + q->p);
  *df = q->h * (a - q->m) + q->amp * q->w * cos(q->w * a + q->p);
  return SL_OK;
}

START_TEST(test_more_thuente_random) {
  sl_rng r;
  sl_rng_seed(&r, 15);
  int kind = sl_ls_kind_from_name("more_thuente"), runs = 0;
  for (int k = 0; k < 2000 && runs < 500; k++) {
    wavy q = {exp(4.0 * sl_rng_uniform(&r) - 2.0), 10.0 * sl_rng_uniform(&r), sl_rng_uniform(&r),
              exp(3.0 * sl_rng_uniform(&r)), 6.3 * sl_rng_uniform(&r)};
    sl_phi phi = {wavy_phi, NULL, &q};
    double phi0, dphi0;
    wavy_phi(&q, 0.0, &phi0, &dphi0);
    if (!(dphi0 < 0.0)) continue;
    runs++;
    sl_linesearch ls;
    sl_ls_defaults(&ls, (sl_ls_kind)kind);
    ls.c2 = 0.1 + 0.8 * sl_rng_uniform(&r);
    double a0 = exp(6.0 * sl_rng_uniform(&r) - 3.0);
    sl_ls_result res;
    sl_ls_run(&ls, &phi, phi0, dphi0, a0, &res);
    ck_assert_msg(res.status == SL_OK, "run %d: %s", runs, res.reason);
    double f, df;
    wavy_phi(&q, res.a, &f, &df);
    ck_assert(f <= phi0 + ls.c1 * res.a * dphi0);
    ck_assert_msg(fabs(df) <= ls.c2 * fabs(dphi0), "run %d: |phi'(a)| = %g > %g", runs, fabs(df),
                  ls.c2 * fabs(dphi0));
    ck_assert_int_eq(res.armijo, 1);
    ck_assert_int_eq(res.curvature, 1);
  }
  ck_assert_int_eq(runs, 500);
}
END_TEST

/* ---- nonmonotone ---------------------------------------------------------------- */

/* phi(a) = 1 - a + a^2: phi(0) = 1, phi'(0) = -1, phi(2) = 3. */
static sl_status bowl(void *ctx, double a, double *f, double *df) {
  (void)ctx;
  *f = 1.0 - a + a * a;
  *df = -1.0 + 2.0 * a;
  return SL_OK;
}

START_TEST(test_nonmonotone_memory) {
  sl_phi phi = {bowl, NULL, NULL};
  sl_linesearch ls;
  sl_ls_defaults(&ls, (sl_ls_kind)sl_ls_kind_from_name("nonmonotone"));
  char msg[160];
  ck_assert_int_eq(sl_ls_check(&ls, msg, sizeof msg), SL_OK);
  ck_assert_int_eq(ls.memory, 10);
  sl_ls_result r;
  /* no past values: plain Armijo, a = 2 -> 1 -> 0.5 (phi(1) = phi(0) fails) */
  sl_ls_run(&ls, &phi, 1.0, -1.0, 2.0, &r);
  ck_assert_int_eq(r.status, SL_OK);
  ck_assert(r.a == 0.5);
  ck_assert_int_eq(r.nfev, 3);
  /* a past value 4 > phi(2) = 3: the rise is accepted at once */
  double past[3] = {2.0, 4.0, 9.0};
  ls.f_past = past;
  ls.n_past = 2;
  sl_ls_run(&ls, &phi, 1.0, -1.0, 2.0, &r);
  ck_assert(r.a == 2.0);
  ck_assert_int_eq(r.armijo, 0); /* the plain condition does not hold there */
  /* memory 2 sees only the newest past value 2 < phi(2): back to a = 1 (phi(1) = 1 <= 2) */
  ls.memory = 2;
  sl_ls_run(&ls, &phi, 1.0, -1.0, 2.0, &r);
  ck_assert(r.a == 1.0);
  ls.memory = 0;
  ck_assert_int_eq(sl_ls_check(&ls, msg, sizeof msg), SL_EINVAL);
  ck_assert(strstr(msg, "memory") != NULL);
}
END_TEST

static sl_min_params params(const char *method) {
  sl_min_params p;
  sl_min_defaults(&p, sl_min_method_from_name(method));
  return p;
}

START_TEST(test_nonmonotone_rosenbrock) {
  sl_objective *o = sl_obj_rosenbrock(2);
  double x0[2] = {-1.2, 1.0};
  const char *methods[2] = {"lbfgs", "gd"};
  for (int k = 0; k < 2; k++) {
    sl_min_params p = params(methods[k]);
    sl_ls_defaults(&p.ls, (sl_ls_kind)sl_ls_kind_from_name("nonmonotone"));
    p.ls_given = 1;
    p.maxiter = 20000;
    p.gtol = 1e-6;
    char msg[320];
    sl_status st;
    sl_solver *s = sl_solver_new(o, x0, &p, &st, msg, sizeof msg);
    ck_assert_ptr_nonnull(s);
    st = sl_solver_run(s, p.maxiter, NULL);
    ck_assert_msg(st == SL_CONVERGED_GTOL, "%s: %s", methods[k], s->msg);
    ck_assert(fabs(s->x[0] - 1.0) < 1e-5 && fabs(s->x[1] - 1.0) < 1e-5);
    ck_assert_int_ge(s->n_past, 1);
    sl_solver_free(s);
  }
  sl_obj_destroy(o);
}
END_TEST

/* ---- Nelder-Mead -------------------------------------------------------------- */

START_TEST(test_nelder_mead_testfns) {
  sl_objective *fns[3] = {sl_obj_rosenbrock(2), sl_obj_beale(), sl_obj_himmelblau()};
  double starts[3][2] = {{-1.2, 1.0}, {1.0, 1.0}, {0.0, 0.0}};
  for (int k = 0; k < 3; k++) {
    sl_objective *o = fns[k];
    sl_min_params p = params("nelder_mead");
    p.xatol = 1e-8;
    p.fatol = 1e-12;
    char msg[320];
    sl_status st;
    sl_solver *s = sl_solver_new(o, starts[k], &p, &st, msg, sizeof msg);
    ck_assert_ptr_nonnull(s);
    st = sl_solver_run(s, 2000, NULL);
    ck_assert_msg(st == SL_CONVERGED_XTOL, "%s: %s", o->ops->name, s->msg);
    ck_assert(isnan(s->gnorm));
    ck_assert_int_eq(sl_solver_ngev(s), 0); /* values only */
    ck_assert_int_eq(sl_solver_nhvp(s), 0);
    /* the nearest documented minimizer */
    double best = INFINITY, m[2];
    size_t count = sl_testfn_minimizers(o, SIZE_MAX, NULL);
    for (size_t j = 0; j < count; j++) {
      sl_testfn_minimizers(o, j, m);
      best = fmin(best, fmax(fabs(m[0] - s->x[0]), fabs(m[1] - s->x[1])));
    }
    ck_assert_msg(best < 1e-6, "%s: %g from a minimizer", o->ops->name, best);
    ck_assert(fabs(s->f - sl_testfn_fmin(o)) < 1e-10);
    sl_solver_free(s);
    sl_obj_destroy(o);
  }
}
END_TEST

/* scipy 1.10 minimize(rosen, [-1.2, 1], method="Nelder-Mead", options={"adaptive": True})
   stops at nit = 85, nfev = 159, x = (1.00002202, 1.00004222). */
START_TEST(test_nelder_mead_as_scipy) {
  sl_objective *o = sl_obj_rosenbrock(2);
  double x0[2] = {-1.2, 1.0};
  sl_min_params p = params("nelder_mead");
  char msg[320];
  sl_status st;
  sl_solver *s = sl_solver_new(o, x0, &p, &st, msg, sizeof msg);
  st = sl_solver_run(s, 1000, NULL);
  ck_assert_int_eq(st, SL_CONVERGED_XTOL);
  ck_assert_int_eq(sl_solver_nfev(s), 159);
  ck_assert_int_eq(s->nit, 85);
  ck_assert(fabs(s->x[0] - 1.00002202) < 1e-8 && fabs(s->x[1] - 1.00004222) < 1e-8);
  /* maxfev ends a run in words, without a gradient norm */
  sl_solver_free(s);
  p.maxfev = 30;
  s = sl_solver_new(o, x0, &p, &st, msg, sizeof msg);
  sl_min_run r;
  sl_min_run_init(&r, s);
  st = sl_solver_run_with(s, &r);
  ck_assert_int_eq(st, SL_MAXITER);
  ck_assert_int_eq(s->stop, SL_STOP_MAXFEV);
  ck_assert(strstr(s->msg, "max|g|") == NULL && strstr(s->msg, "with f =") != NULL);
  sl_solver_free(s);
  sl_obj_destroy(o);
}
END_TEST

/* ---- newton and dogleg ---------------------------------------------------------- */

START_TEST(test_newton_dogleg_quadratic) {
  double eigs[4] = {0.5, 2.0, 30.0, 400.0}, b[4] = {1.0, -2.0, 3.0, 0.5}, xs[4];
  sl_status st;
  sl_objective *o = sl_obj_quadratic_eigs(4, eigs, b, 7, &st);
  ck_assert_int_eq(sl_quadratic_minimizer(o, xs), SL_OK);
  double x0[4] = {0.1, 0.2, 0.3, 0.4};
  const char *names[2] = {"newton", "dogleg"};
  for (int k = 0; k < 2; k++) {
    sl_min_params p = params(names[k]);
    p.radius0 = 100.0; /* dogleg: the Newton step fits the first radius */
    p.gtol = 1e-10;
    char msg[320];
    sl_solver *s = sl_solver_new(o, x0, &p, &st, msg, sizeof msg);
    ck_assert_ptr_nonnull(s);
    st = sl_solver_run(s, 50, NULL);
    ck_assert_msg(st == SL_CONVERGED_GTOL, "%s: %s", names[k], s->msg);
    ck_assert_int_eq(s->nit, 1); /* one exact Newton step */
    ck_assert(s->info.tau == 0.0);
    for (int i = 0; i < 4; i++) ck_assert(fabs(s->x[i] - xs[i]) < 1e-10 * fmax(1, fabs(xs[i])));
    sl_solver_free(s);
  }
  sl_obj_destroy(o);
}
END_TEST

START_TEST(test_newton_dogleg_rosenbrock) {
  sl_objective *o = sl_obj_rosenbrock(3); /* one minimizer for n = 3 (two from n = 4) */
  double x0[3] = {-1.2, 1, -1.2};
  const char *names[2] = {"newton", "dogleg"};
  for (int k = 0; k < 2; k++) {
    sl_min_params p = params(names[k]);
    char msg[320];
    sl_status st;
    sl_solver *s = sl_solver_new(o, x0, &p, &st, msg, sizeof msg);
    st = sl_solver_run(s, 500, NULL);
    ck_assert_msg(st == SL_CONVERGED_GTOL, "%s: %s", names[k], s->msg);
    for (int i = 0; i < 3; i++) ck_assert(fabs(s->x[i] - 1.0) < 1e-5);
    sl_solver_free(s);
  }
  sl_obj_destroy(o);
}
END_TEST

/* Near Himmelblau's local maximum H is negative definite: the shift tau I
   makes the step a descent step and the run ends at a minimum. */
START_TEST(test_newton_indefinite) {
  sl_objective *o = sl_obj_himmelblau();
  double x0[2] = {-0.27, -0.92}; /* near the local maximum: H negative definite */
  const char *names[2] = {"newton", "dogleg"};
  for (int k = 0; k < 2; k++) {
    sl_min_params p = params(names[k]);
    char msg[320];
    sl_status st;
    sl_solver *s = sl_solver_new(o, x0, &p, &st, msg, sizeof msg);
    double f0 = s->f;
    st = sl_solver_step(s);
    ck_assert_int_ge(st, 0);
    ck_assert(s->info.tau > 0.0);
    st = sl_solver_run(s, 200, NULL);
    ck_assert_msg(st == SL_CONVERGED_GTOL, "%s: %s", names[k], s->msg);
    ck_assert(s->f < f0 && s->f < 1e-12);
    sl_solver_free(s);
  }
  sl_obj_destroy(o);
}
END_TEST

START_TEST(test_newton_refused_above_maxdim) {
  sl_objective *o = sl_obj_rosenbrock(SL_MIN_DENSE_MAXDIM + 1);
  double *x0 = calloc(SL_MIN_DENSE_MAXDIM + 1, sizeof *x0);
  const char *names[2] = {"newton", "dogleg"};
  for (int k = 0; k < 2; k++) {
    sl_min_params p = params(names[k]);
    char msg[320];
    sl_status st;
    sl_solver *s = sl_solver_new(o, x0, &p, &st, msg, sizeof msg);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(st, SL_EINVAL);
    ck_assert_msg(strstr(msg, "dim = 2000") && strstr(msg, names[k]), "%s", msg);
  }
  free(x0);
  sl_obj_destroy(o);
}
END_TEST

/* ---- minimize_scalar ---------------------------------------------------------- */

static sl_status f_cos(void *ctx, double x, double *fx) {
  (*(int *)ctx)++;
  *fx = cos(x);
  return SL_OK;
}
/* (x - 2)^2 (x + 1)^2 + x: local minima near -1.0527 (global) and 1.9410 */
static sl_status f_quart(void *ctx, double x, double *fx) {
  (void)ctx;
  *fx = (x - 2) * (x - 2) * (x + 1) * (x + 1) + x;
  return SL_OK;
}
static sl_status f_kink(void *ctx, double x, double *fx) {
  (void)ctx;
  *fx = fabs(x - 0.3);
  return SL_OK;
}
static sl_status f_line(void *ctx, double x, double *fx) {
  (void)ctx;
  *fx = -x;
  return SL_OK;
}

START_TEST(test_scalar_known_minima) {
  sl_scalar_opts o;
  sl_scalar_result r;
  int calls = 0;
  for (int m = SL_SCALAR_BRENT; m <= SL_SCALAR_GOLDEN; m++) {
    memset(&o, 0, sizeof o);
    sl_scalar_defaults(&o, (sl_scalar_method)m);
    o.a = 2, o.b = 3, o.c = 4, o.nbracket = 3;
    calls = 0;
    ck_assert_int_eq(sl_minimize_scalar(&o, f_cos, &calls, &r), SL_CONVERGED_XTOL);
    ck_assert_msg(fabs(r.x - M_PI) < 1e-7, "%.17g", r.x);
    ck_assert_int_eq(r.nfev, calls);
    o.a = 0, o.b = 1, o.nbracket = 2; /* downhill to the bracket of the global minimum */
    ck_assert_int_eq(sl_minimize_scalar(&o, f_quart, NULL, &r), SL_CONVERGED_XTOL);
    /* the minimizer solves 2(x-2)(x+1)(2x-1) + 1 = 0 (found by scipy's brent too) */
    ck_assert_msg(fabs(r.x - (-1.052741308154248)) < 1e-7, "%.17g", r.x);
  }
  /* scipy's counts for brent: cos on (2, 3, 4): nfev 11, nit 8 */
  sl_scalar_defaults(&o, SL_SCALAR_BRENT);
  o.a = 2, o.b = 3, o.c = 4, o.nbracket = 3;
  calls = 0;
  sl_minimize_scalar(&o, f_cos, &calls, &r);
  ck_assert_int_eq(r.nfev, 11);
  ck_assert_int_eq(r.nit, 8);
  /* bounded: the local minimum inside, a kink (golden steps), a boundary minimum */
  memset(&o, 0, sizeof o);
  sl_scalar_defaults(&o, SL_SCALAR_BOUNDED);
  o.a = 0, o.b = 5, o.nbracket = 2;
  ck_assert_int_eq(sl_minimize_scalar(&o, f_quart, NULL, &r), SL_CONVERGED_XTOL);
  ck_assert(fabs(r.x - 1.9410100871591847) < 1e-5);
  o.a = 0, o.b = 1;
  ck_assert_int_eq(sl_minimize_scalar(&o, f_kink, NULL, &r), SL_CONVERGED_XTOL);
  ck_assert(fabs(r.x - 0.3) < 1e-5);
  o.a = -1, o.b = 2;
  ck_assert_int_eq(sl_minimize_scalar(&o, f_line, NULL, &r), SL_CONVERGED_XTOL);
  ck_assert(r.x <= 2.0 && 2.0 - r.x < 1e-5);
  /* failures and budgets in words */
  sl_scalar_defaults(&o, SL_SCALAR_BRENT);
  o.a = 0, o.b = 1, o.nbracket = 2;
  ck_assert_int_eq(sl_minimize_scalar(&o, f_line, NULL, &r), SL_ELINESEARCH);
  ck_assert(strstr(r.msg, "unbounded") != NULL);
  o.maxfev = 5;
  o.a = 0, o.b = 1;
  ck_assert_int_eq(sl_minimize_scalar(&o, f_quart, NULL, &r), SL_MAXITER);
  ck_assert_int_eq(r.budget, 1);
  ck_assert_int_eq(r.nfev, 5);
  o.maxfev = 0;
  o.maxiter = 2;
  ck_assert_int_eq(sl_minimize_scalar(&o, f_quart, NULL, &r), SL_MAXITER);
  o.a = 1, o.b = 1;
  ck_assert_int_eq(sl_minimize_scalar(&o, f_quart, NULL, &r), SL_EINVAL);
  o.a = 2, o.b = 3, o.c = 3.2, o.nbracket = 3, o.maxiter = 500; /* f(b) not below f(c) */
  ck_assert_int_eq(sl_minimize_scalar(&o, f_cos, &calls, &r), SL_EINVAL);
  ck_assert(strstr(r.msg, "f(b)") != NULL);
}
END_TEST

/* Ctrl-C: the run loop's flag stops nelder_mead, newton and minimize_scalar. */
START_TEST(test_stop_flag) {
  sl_stopflag flag = 1;
  sl_objective *o = sl_obj_rosenbrock(2);
  double x0[2] = {-1.2, 1.0};
  const char *names[3] = {"nelder_mead", "newton", "dogleg"};
  for (int k = 0; k < 3; k++) {
    sl_min_params p = params(names[k]);
    char msg[320];
    sl_status st;
    sl_solver *s = sl_solver_new(o, x0, &p, &st, msg, sizeof msg);
    ck_assert_int_eq(sl_solver_run(s, 100, &flag), SL_EINTERRUPTED);
    ck_assert_int_eq(s->nit, 0);
    ck_assert(strstr(s->msg, "interrupted") != NULL);
    sl_solver_free(s);
  }
  sl_obj_destroy(o);
  sl_scalar_opts so;
  memset(&so, 0, sizeof so);
  sl_scalar_defaults(&so, SL_SCALAR_BRENT);
  so.a = 0, so.b = 1, so.nbracket = 2, so.stop = &flag;
  sl_scalar_result r;
  ck_assert_int_eq(sl_minimize_scalar(&so, f_quart, NULL, &r), SL_EINTERRUPTED);
  ck_assert_int_eq(r.nfev, 0);
}
END_TEST

Suite *dfo_suite(void) {
  Suite *s = suite_create("dfo");
  TCase *tc = tcase_create("linesearch");
  tcase_add_loop_test(tc, test_more_thuente_dcsrch, 0, 24);
  tcase_add_test(tc, test_more_thuente_random);
  tcase_add_test(tc, test_nonmonotone_memory);
  tcase_add_test(tc, test_nonmonotone_rosenbrock);
  suite_add_tcase(s, tc);
  TCase *tm = tcase_create("methods");
  tcase_add_test(tm, test_nelder_mead_testfns);
  tcase_add_test(tm, test_nelder_mead_as_scipy);
  tcase_add_test(tm, test_newton_dogleg_quadratic);
  tcase_add_test(tm, test_newton_dogleg_rosenbrock);
  tcase_add_test(tm, test_newton_indefinite);
  tcase_add_test(tm, test_newton_refused_above_maxdim);
  tcase_add_test(tm, test_scalar_known_minima);
  tcase_add_test(tm, test_stop_flag);
  suite_add_tcase(s, tm);
  return s;
}
