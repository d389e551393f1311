/*
** triad.c — memory bandwidth the way STREAM measures it: the triad
** a[i] = b[i] + s*c[i], and the in-place update a[i] += s*c[i] (axpy's access
** pattern: read two arrays, write one back, no write-allocate traffic), over n
** doubles, best of several repetitions, counted as 24 bytes per element.
** Threads follow OMP_NUM_THREADS. Used by scripts/bench/10_vec.sh.
** Prints: triad_GBs inplace_GBs
*/
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 10000000L;
  int reps = argc > 2 ? atoi(argv[2]) : 20;
  double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b), *c = malloc(n * sizeof *c);
  if (!a || !b || !c) return 1;
#pragma omp parallel for schedule(static)
  for (long i = 0; i < n; i++) {
    a[i] = 0.0;
    b[i] = 1.0;
    c[i] = 2.0;
  }
  double triad = 1e30, inplace = 1e30, s = 3.0;
  for (int r = 0; r < reps; r++) {
    double t0 = now();
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++) a[i] = b[i] + s * c[i];
    double t1 = now();
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++) b[i] += 1e-3 * c[i];
    double t2 = now();
    if (t1 - t0 < triad) triad = t1 - t0;
    if (t2 - t1 < inplace) inplace = t2 - t1;
  }
  int bad = a[n / 2] == 0.0 || b[n / 2] == 0.0; /* keeps the loops alive */
  printf("%.2f %.2f\n", 24.0 * (double)n / triad / 1e9, 24.0 * (double)n / inplace / 1e9);
  free(a);
  free(b);
  free(c);
  return bad;
}
