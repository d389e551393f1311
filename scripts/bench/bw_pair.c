/* Pairs of (read every byte of X, logistic loss+gradient over X) back to back;
   the ratio of each pair's times is the pass's fraction of the read bandwidth
   at that moment. Prints the median and best of the ratios and the best times. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include "sl_models.h"
#include "sl_rng.h"
static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}
static double read_all(const double *a, size_t n) {
  double c0 = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0, c5 = 0, c6 = 0, c7 = 0;
#pragma omp parallel for schedule(static) reduction(+ : c0, c1, c2, c3, c4, c5, c6, c7)
  for (size_t i = 0; i < n; i += 8) {
    c0 += a[i];
    c1 += a[i + 1];
    c2 += a[i + 2];
    c3 += a[i + 3];
    c4 += a[i + 4];
    c5 += a[i + 5];
    c6 += a[i + 6];
    c7 += a[i + 7];
  }
  return ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7));
}
int main(int argc, char **argv) {
  size_t n = argc > 1 ? (size_t)atol(argv[1]) : 1000000, d = 100;
  int reps = argc > 2 ? atoi(argv[2]) : 21;
  sl_mat X;
  sl_rng r;
  sl_rng_seed(&r, 1);
  if (sl_mat_alloc(&X, n, d) != SL_OK) return 1;
  double *y = malloc(n * sizeof *y), w[100], g[100], f, sink = 0;
#pragma omp parallel for schedule(static)
  for (size_t k = 0; k < n * d; k++) X.data[k] = (double)((k * 2654435761u) % 1000) / 500.0 - 1.0;
  for (size_t i = 0; i < n; i++) y[i] = X.data[i * d] > 0;
  for (size_t j = 0; j < d; j++) w[j] = 0.1 * sl_rng_normal(&r);
  sl_linear_opts p = {&X, NULL, y, n, 1e-4, 0};
  char msg[256];
  sl_status st;
  sl_objective *o = sl_obj_logistic_new(&p, NULL, &st, msg, sizeof msg);
  if (o == NULL) return 1;
  double *ratio = malloc(reps * sizeof *ratio), best_r = 1e9, best_f = 1e9;
  sl_obj_fg(o, w, &f, g);
  sink += read_all(X.data, n * d);
  for (int k = 0; k < reps; k++) {
    double t0 = omp_get_wtime();
    sink += read_all(X.data, n * d);
    double t1 = omp_get_wtime();
    sl_obj_fg(o, w, &f, g);
    double t2 = omp_get_wtime();
    ratio[k] = (t1 - t0) / (t2 - t1);
    if (t1 - t0 < best_r) best_r = t1 - t0;
    if (t2 - t1 < best_f) best_f = t2 - t1;
  }
  qsort(ratio, reps, sizeof *ratio, cmp);
  double gb = 8.0 * (double)(n * d) / 1e9;
  printf("pair %zu %.4f %.4f %.3f %.3f %g\n", n, ratio[reps / 2], ratio[reps - 1], gb / best_r,
         gb / best_f, sink + f);
  return 0;
}
