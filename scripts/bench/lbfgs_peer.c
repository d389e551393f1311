/*
** lbfgs_peer.c — benchmark driver for scripts/bench/40_lbfgs.sh: L2-regularized
** logistic regression on a data file, minimized by slope's L-BFGS (the C core,
** sl_solver) and by liblbfgs, with one C objective (CBLAS dgemv) for both.
** usage: lbfgs_peer X.bin y.bin n d lambda gtol outprefix
** prints: name f nit nfev seconds (best of 3 runs), writes outprefix_<name>.bin (w)
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
  double lambda;
  double *z, *r;
  long nfev;
} logreg;

/* f = (1/n) sum log(1 + exp(-y_i x_i'w)) + lambda/2 |w|^2 */
static double logreg_fg(logreg *p, const double *w, double *g) {
  size_t n = p->n, d = p->d;
  p->nfev++;
  cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)d, 1.0, p->X, (int)d, w, 1, 0.0, p->z, 1);
  double f = 0.0;
  for (size_t i = 0; i < n; i++) {
    double m = -p->y[i] * p->z[i];
    f += m > 0 ? m + log1p(exp(-m)) : log1p(exp(m));
    double s = 1.0 / (1.0 + exp(-m)); /* sigma(m) */
    p->r[i] = -p->y[i] * s / (double)n;
  }
  cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)d, 1.0, p->X, (int)d, p->r, 1, 0.0, g, 1);
  double ww = 0.0;
  for (size_t j = 0; j < d; j++) {
    g[j] += p->lambda * w[j];
    ww += w[j] * w[j];
  }
  return f / (double)n + 0.5 * p->lambda * ww;
}

static sl_status slope_fg(sl_objective *o, const double *x, double *f, double *g) {
  logreg *p = o->impl;
  double tmp[4096];
  *f = logreg_fg(p, x, g ? g : tmp);
  return SL_OK;
}
static const sl_objective_ops ops = {"logreg", slope_fg, NULL, NULL, NULL, NULL};

static lbfgsfloatval_t lb_eval(void *inst, const lbfgsfloatval_t *x, lbfgsfloatval_t *g,
                               const int n, const lbfgsfloatval_t step) {
  (void)n;
  (void)step;
  return logreg_fg(inst, x, g);
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
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

static void writebin(const char *prefix, const char *name, const double *w, size_t d) {
  char path[512];
  snprintf(path, sizeof path, "%s_%s.bin", prefix, name);
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(w, sizeof *w, d, f) != d) exit(1);
  fclose(f);
}

int main(int argc, char **argv) {
  if (argc != 8) return 2;
  size_t n = strtoul(argv[3], NULL, 10), d = strtoul(argv[4], NULL, 10);
  if (d > 4096) return 2;
  logreg p = {readbin(argv[1], n * d),    readbin(argv[2], n),        n, d, atof(argv[5]),
              malloc(n * sizeof(double)), malloc(n * sizeof(double)), 0};
  double gtol = atof(argv[6]);
  double *w = calloc(d, sizeof *w), *x0 = calloc(d, sizeof *x0);

  /* slope: the core solver, as slope.minimize runs it */
  double best = 1e30, f = 0;
  long nit = 0, nfev = 0;
  for (int rep = 0; rep < 3; rep++) {
    sl_objective *o = sl_obj_new(&ops, &p, d, 0);
    sl_min_params mp;
    sl_min_defaults(&mp, SL_MIN_LBFGS);
    mp.gtol = gtol;
    mp.maxiter = 10000;
    char msg[256];
    sl_status st;
    p.nfev = 0;
    double t0 = now();
    sl_solver *s = sl_solver_new(o, x0, &mp, &st, msg, sizeof msg);
    if (getenv("LBFGS_TRACE")) {
      while ((st = sl_solver_step(s)) == SL_OK)
        fprintf(stderr, "it %ld ls nfev %d a %g f %.17g\n", s->nit, s->info.ls.nfev, s->info.a,
                s->f);
    } else {
      st = sl_solver_run(s, mp.maxiter, NULL);
    }
    double t = now() - t0;
    if (t < best) best = t;
    f = s->f;
    nit = s->nit;
    nfev = p.nfev;
    for (size_t j = 0; j < d; j++) w[j] = s->x[j];
    if (st != SL_CONVERGED_GTOL) fprintf(stderr, "slope: %s\n", s->msg);
    sl_solver_free(s);
    sl_obj_destroy(o);
  }
  printf("slope %.17g %ld %ld %.6f\n", f, nit, nfev, best);
  writebin(argv[7], "slope", w, d);

  /* liblbfgs: m = 10, More-Thuente line search, stop on |g|/max(1,|x|) <= eps */
  best = 1e30;
  for (int rep = 0; rep < 3; rep++) {
    lbfgs_parameter_t lp;
    lbfgs_parameter_init(&lp);
    lp.m = 10;
    lp.epsilon = gtol; /* a 2-norm test, stricter than max|g| <= gtol when |x| < sqrt(d) */
    lp.max_iterations = 10000;
    lbfgsfloatval_t *x = lbfgs_malloc((int)d), fx;
    for (size_t j = 0; j < d; j++) x[j] = 0.0;
    p.nfev = 0;
    double t0 = now();
    int ret = lbfgs((int)d, x, &fx, lb_eval, NULL, &p, &lp);
    double t = now() - t0;
    if (t < best) best = t;
    if (ret < 0 && ret != LBFGSERR_ROUNDING_ERROR) fprintf(stderr, "liblbfgs: status %d\n", ret);
    f = fx;
    nfev = p.nfev;
    for (size_t j = 0; j < d; j++) w[j] = x[j];
    lbfgs_free(x);
  }
  printf("liblbfgs %.17g - %ld %.6f\n", f, nfev, best);
  writebin(argv[7], "liblbfgs", w, d);
  return 0;
}
