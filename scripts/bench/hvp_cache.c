/*
** hvp_cache.c — time per Hessian-vector product of the data models at one
** point, uncached (plain sl_obj_hvp) and inside an sl_obj_hvp_begin window
** (the way Lanczos, power iteration and Newton-CG call it), and check that
** both give the same vector. Used by 60_hvp_cache.sh.
**   hvp_cache PROBLEM [N]   PROBLEM: logistic_bc | logistic_big | mlp_digits |
**                           softmax_digits; N: rows of logistic_big (1e6)
** Prints: problem dim rows us_uncached us_windowed us_begin max_rel_diff
*/
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_data.h"
#include "sl_mat.h"
#include "sl_models.h"
#include "sl_objective.h"
#include "sl_rng.h"

static double now(void) { return omp_get_wtime(); }

static sl_csv_result load(const char *name) {
  char path[512], msg[SL_DATA_MSGLEN];
  const char *dir = getenv("SLOPE_DATA");
  snprintf(path, sizeof path, "%s/%s.csv", dir && *dir ? dir : "examples/data", name);
  sl_csv_opts co = sl_csv_opts_default();
  sl_csv_result r;
  if (sl_csv_read(path, &co, &r, msg, sizeof msg) != SL_OK) {
    fprintf(stderr, "hvp_cache: %s\n", msg);
    exit(1);
  }
  double *mean = malloc(r.X.cols * sizeof *mean), *sc = malloc(r.X.cols * sizeof *sc);
  sl_data_colstats(&r.X, mean, sc);
  sl_data_standardize(&r.X, mean, sc, &r.X);
  free(mean);
  free(sc);
  return r;
}

/* Seconds per HVP, plain (t[0]) and windowed (t[1]): batches of at least
   0.05 s, alternating plain and windowed (so a busy machine slows both
   alike), best of `rounds` batches each. */
static void time_hvp(sl_objective *o, const double *x, const double *v, double *hv, int rounds,
                     double *t) {
  long reps = 1;
  for (;;) { /* calibrate */
    double t0 = now();
    for (long k = 0; k < reps; k++) sl_obj_hvp(o, x, v, hv);
    if (now() - t0 > 0.05) break;
    reps *= 2;
  }
  t[0] = t[1] = 1e30;
  for (int b = 0; b < 2 * rounds; b++) {
    int w = b & 1;
    if (w) sl_obj_hvp_begin(o, x);
    double t0 = now();
    for (long k = 0; k < reps; k++) sl_obj_hvp(o, x, v, hv);
    double dt = (now() - t0) / (double)reps;
    if (w) sl_obj_hvp_end(o);
    t[w] = dt < t[w] ? dt : t[w];
  }
}

int main(int argc, char **argv) {
  const char *prob = argc > 1 ? argv[1] : "logistic_bc";
  size_t nbig = argc > 2 ? (size_t)atof(argv[2]) : 1000000;
  char msg[256];
  sl_status st;
  sl_objective *o = NULL;
  sl_csv_result r = {0};
  sl_mat Xb = {0};
  double *yb = NULL;
  sl_rng rng0, *rng = &rng0;
  sl_rng_seed(rng, 42);
  if (strcmp(prob, "logistic_bc") == 0 || strcmp(prob, "softmax_digits") == 0 ||
      strcmp(prob, "mlp_digits") == 0) {
    r = load(prob[0] == 'l' ? "breast_cancer" : "digits");
    sl_linear_opts p = {.Xd = &r.X, .y = r.y, .ny = r.rows, .l2 = 1e-3, .intercept = 1};
    if (prob[0] == 'l') {
      o = sl_obj_logistic_new(&p, NULL, &st, msg, sizeof msg);
    } else if (prob[0] == 's') {
      o = sl_obj_softmax_new(&p, 10, &st, msg, sizeof msg);
    } else {
      size_t h = 64;
      sl_mlp_opts mp = {&r.X, r.y, r.rows, 1, &h, SL_ACT_TANH, SL_LOSS_XENT, 10, 0.0};
      o = sl_obj_mlp_new(&mp, &st, msg, sizeof msg);
    }
  } else if (strcmp(prob, "logistic_big") == 0) {
    sl_synth_opts so = {.n = nbig, .d = 100, .cond = 1, .scale = 4, .seed = 7};
    if (sl_mat_alloc(&Xb, nbig, 100) != SL_OK) return 1;
    yb = malloc(nbig * sizeof *yb);
    double w[100];
    if (sl_synth_logistic(&so, &Xb, yb, w) != SL_OK) return 1;
    sl_linear_opts p = {.Xd = &Xb, .y = yb, .ny = nbig, .l2 = 1e-3, .intercept = 1};
    o = sl_obj_logistic_new(&p, NULL, &st, msg, sizeof msg);
  } else {
    fprintf(stderr, "hvp_cache: unknown problem %s\n", prob);
    return 1;
  }
  if (o == NULL) {
    fprintf(stderr, "hvp_cache: %s\n", msg);
    return 1;
  }
  size_t n = o->dim;
  double *x = malloc(n * sizeof *x), *v = malloc(n * sizeof *v);
  double *h1 = malloc(n * sizeof *h1), *h2 = malloc(n * sizeof *h2);
  if (o->ops->init)
    o->ops->init(o, rng, x);
  else
    for (size_t j = 0; j < n; j++) x[j] = 0.3 * sl_rng_normal(rng);
  for (size_t j = 0; j < n; j++) v[j] = sl_rng_normal(rng);
  double t[2];
  time_hvp(o, x, v, h1, 7, t);
  sl_obj_hvp(o, x, v, h1);
  sl_obj_hvp_begin(o, x);
  sl_obj_hvp(o, x, v, h2);
  sl_obj_hvp_end(o);
  double tu = t[0], tw = t[1];
  double tb = 1e30;
  for (int k = 0; k < 5; k++) {
    double t0 = now();
    sl_obj_hvp_begin(o, x);
    double t = now() - t0;
    sl_obj_hvp_end(o);
    tb = t < tb ? t : tb;
  }
  double dm = 0, hm = 0;
  for (size_t j = 0; j < n; j++) {
    dm = fmax(dm, fabs(h1[j] - h2[j]));
    hm = fmax(hm, fabs(h1[j]));
  }
  printf("%s %zu %zu %.3f %.3f %.3f %.3g\n", prob, n, o->n, tu * 1e6, tw * 1e6, tb * 1e6,
         hm > 0 ? dm / hm : dm);
  sl_obj_destroy(o);
  sl_csv_result_free(&r);
  sl_mat_free(&Xb);
  free(yb);
  free(x);
  free(v);
  free(h1);
  free(h2);
  return 0;
}
