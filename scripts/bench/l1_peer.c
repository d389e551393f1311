/*
** l1_peer.c — benchmark driver for scripts/bench/46_l1.sh: L1-regularized
** logistic regression F(w) = (1/n) sum_i log(1 + exp(-y_i x_i'w)) + lambda |w|_1
** (the last column of X is the intercept's 1, penalized like the others, as
** LIBLINEAR -s 6 -B 1 does), minimized by slope's owlqn and fista (the C core,
** sl_solver) and by liblbfgs's OWL-QN (orthantwise_c = lambda, backtracking),
** all on one C objective (CBLAS dgemv). Each run records, through its progress
** callback, the time at which F first reached the target.
** usage: l1_peer X.bin y.bin n d lambda target
** prints per solver: name F_final nit nfev seconds_to_target seconds_total nnz
** (times best of 3; -1: the target was not reached)
*/
#include <cblas.h>
#include <lbfgs.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sl_minimize.h"

typedef struct {
  const double *X, *y;
  size_t n, d;
  double *z, *r;
  long nfev;
  double t0, target, t_hit, lambda;
  double fbest; /* the least F the progress callback saw */
  int reps;     /* runs per solver: 3, or 1 when no target is given (a first pass for F*) */
} logreg;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* the smooth part: f = (1/n) sum log(1 + exp(-y_i x_i'w)) and its gradient */
static double logreg_fg(logreg *p, const double *w, double *g) {
  size_t n = p->n, d = p->d;
  p->nfev++;
  cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)d, 1.0, p->X, (int)d, w, 1, 0.0, p->z, 1);
  double f = 0.0;
  for (size_t i = 0; i < n; i++) {
    double m = -p->y[i] * p->z[i];
    f += m > 0 ? m + log1p(exp(-m)) : log1p(exp(m));
    p->r[i] = -p->y[i] / (1.0 + exp(-m)) / (double)n;
  }
  cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)d, 1.0, p->X, (int)d, p->r, 1, 0.0, g, 1);
  return f / (double)n;
}

static sl_status slope_fg(sl_objective *o, const double *x, double *f, double *g) {
  logreg *p = o->impl;
  static double tmp[4096];
  *f = logreg_fg(p, x, g ? g : tmp);
  return SL_OK;
}
static const sl_objective_ops ops = {"logreg", slope_fg, NULL, NULL, NULL, NULL};

static void hit(logreg *p, double F) {
  if (F < p->fbest) p->fbest = F;
  if (p->t_hit < 0 && F <= p->target) p->t_hit = now() - p->t0;
}

static int slope_progress(void *ud, sl_solver *s, const sl_min_progress_info *it) {
  (void)s;
  hit(ud, it->f);
  return 0;
}

static lbfgsfloatval_t lb_eval(void *inst, const lbfgsfloatval_t *x, lbfgsfloatval_t *g,
                               const int n, const lbfgsfloatval_t step) {
  (void)n, (void)step;
  return logreg_fg(inst, x, g);
}

static int lb_progress(void *inst, const lbfgsfloatval_t *x, const lbfgsfloatval_t *g,
                       const lbfgsfloatval_t fx, const lbfgsfloatval_t xnorm,
                       const lbfgsfloatval_t gnorm, const lbfgsfloatval_t step, int n, int k,
                       int ls) {
  (void)x, (void)g, (void)xnorm, (void)gnorm, (void)step, (void)n, (void)k, (void)ls;
  hit(inst, fx); /* liblbfgs's fx includes orthantwise_c |x|_1 */
  return 0;
}

static double *readbin(const char *path, size_t count) {
  FILE *f = fopen(path, "rb");
  double *v = malloc(count * sizeof *v);
  if (!f || !v || fread(v, sizeof *v, count, f) != count) {
    fprintf(stderr, "cannot read %zu doubles from %s\n", count, path);
    exit(1);
  }
  fclose(f);
  return v;
}

static void report(const char *name, double F, long nit, long nfev, double thit, double t,
                   const double *x, size_t d) {
  size_t nz = 0;
  for (size_t j = 0; j < d; j++) nz += x[j] != 0.0;
  printf("%s %.17g %ld %ld %.6f %.6f %zu\n", name, F, nit, nfev, thit, t, nz);
}

static void run_slope(logreg *p, sl_min_method m, const char *name) {
  double best = 1e30, bhit = 1e30, F = 0;
  long nit = 0, nfev = 0;
  double *x0 = calloc(p->d, sizeof *x0), *xf = calloc(p->d, sizeof *xf);
  for (int rep = 0; rep < p->reps; rep++) {
    sl_objective *o = sl_obj_new(&ops, p, p->d, 0);
    sl_min_params mp;
    sl_min_defaults(&mp, m);
    mp.l1 = p->lambda;
    mp.gtol = m == SL_MIN_OWLQN ? 1e-9 : 1e-8; /* FISTA's measure stalls near 4e-9 here */
    mp.maxiter = 20000;
    char msg[256];
    sl_status st;
    p->nfev = 0;
    p->t_hit = -1;
    p->t0 = now();
    sl_solver *s = sl_solver_new(o, x0, &mp, &st, msg, sizeof msg);
    sl_min_run r;
    sl_min_run_init(&r, s);
    r.progress = slope_progress;
    r.ud = p;
    st = sl_solver_run_with(s, &r);
    double t = now() - p->t0;
    if (st != SL_CONVERGED_GTOL) fprintf(stderr, "slope %s: %s\n", name, s->msg);
    best = fmin(best, t);
    bhit = fmin(bhit, p->t_hit < 0 ? 1e30 : p->t_hit);
    F = s->f;
    nit = s->nit;
    nfev = p->nfev;
    for (size_t j = 0; j < p->d; j++) xf[j] = s->x[j];
    sl_solver_free(s);
    sl_obj_destroy(o);
  }
  report(name, F, nit, nfev, bhit >= 1e30 ? -1 : bhit, best, xf, p->d);
  free(x0);
  free(xf);
}

static void run_liblbfgs(logreg *p) {
  double best = 1e30, bhit = 1e30, F = 0, *xf = calloc(p->d, sizeof *xf);
  long nfev = 0;
  int d = (int)p->d;
  for (int rep = 0; rep < p->reps; rep++) {
    lbfgs_parameter_t lp;
    lbfgs_parameter_init(&lp);
    lp.m = 10;
    lp.epsilon = 1e-10;
    lp.max_iterations = 20000;
    lp.orthantwise_c = p->lambda;
    lp.orthantwise_start = 0;
    lp.orthantwise_end = d;
    lp.linesearch = LBFGS_LINESEARCH_BACKTRACKING; /* OWL-QN needs it */
    lbfgsfloatval_t *x = lbfgs_malloc(d), fx;
    for (int j = 0; j < d; j++) x[j] = 0.0;
    p->nfev = 0;
    p->t_hit = -1;
    p->fbest = INFINITY;
    p->t0 = now();
    int ret = lbfgs(d, x, &fx, lb_eval, lb_progress, p, &lp);
    double t = now() - p->t0;
    if (ret < 0 && ret != LBFGSERR_ROUNDING_ERROR)
      fprintf(stderr, "liblbfgs: status %d (fx %.17g)\n", ret, fx);
    best = fmin(best, t);
    bhit = fmin(bhit, p->t_hit < 0 ? 1e30 : p->t_hit);
    F = p->fbest; /* on a failed last line search liblbfgs's fx is not the point's */
    nfev = p->nfev;
    for (int j = 0; j < d; j++) xf[j] = x[j];
    lbfgs_free(x);
  }
  report("liblbfgs_owlqn", F, -1, nfev, bhit >= 1e30 ? -1 : bhit, best, xf, p->d);
  free(xf);
}

int main(int argc, char **argv) {
  if (argc != 7) return 2;
  size_t n = strtoul(argv[3], NULL, 10), d = strtoul(argv[4], NULL, 10);
  if (d > 4096) return 2;
  logreg p = {readbin(argv[1], n * d),
              readbin(argv[2], n),
              n,
              d,
              malloc(n * sizeof(double)),
              malloc(n * sizeof(double)),
              0,
              0,
              atof(argv[6]),
              -1,
              atof(argv[5]),
              INFINITY,
              1};
  p.reps = p.target > 0 ? 3 : 1;
  run_slope(&p, SL_MIN_OWLQN, "slope_owlqn");
  fflush(stdout);
  run_slope(&p, SL_MIN_FISTA, "slope_fista");
  fflush(stdout);
  run_liblbfgs(&p);
  return 0;
}
