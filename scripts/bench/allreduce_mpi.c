/*
** allreduce_mpi.c — MPI_Allreduce (sum of doubles) latency and bandwidth, for
** 80_scaleout.sh. For each vector length n on the command line: warm-up calls,
** then rounds of `reps` calls timed with MPI_Wtime between barriers; prints
** "n seconds_per_call" (the median round) on rank 0.
*/
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  for (int a = 1; a < argc; a++) {
    long n = atol(argv[a]);
    double *v = malloc((size_t)n * sizeof *v);
    if (!v) MPI_Abort(MPI_COMM_WORLD, 2);
    for (long i = 0; i < n; i++) v[i] = 1.0 / (double)(i + 1 + rank);
    /* about 0.2 s of calls per size, at least 5 */
    int reps = n <= 1000 ? 2000 : n <= 100000 ? 200 : 20;
    enum { ROUNDS = 5 };
    double t[ROUNDS];
    for (int w = 0; w < reps / 4 + 1; w++)
      MPI_Allreduce(MPI_IN_PLACE, v, (int)n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    for (int r = 0; r < ROUNDS; r++) {
      MPI_Barrier(MPI_COMM_WORLD);
      double t0 = MPI_Wtime();
      for (int k = 0; k < reps; k++) {
        MPI_Allreduce(MPI_IN_PLACE, v, (int)n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
        v[0] *= 0.5; /* keep the values bounded */
      }
      t[r] = (MPI_Wtime() - t0) / reps;
    }
    qsort(t, ROUNDS, sizeof t[0], cmp);
    if (rank == 0) printf("%ld %.9g\n", n, t[ROUNDS / 2]);
    free(v);
  }
  MPI_Finalize();
  return 0;
}
