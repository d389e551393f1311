/*
** sl_mpi_plugin.c — build/slope_mpi.so: the sl_mpi_api table over Open MPI
** (see sl_mpi_api.h). Built with `mpicc --showme` flags only when Open MPI is
** installed; loaded by src/lua/lmpi.c under mpirun. MPI's counts are ints, so
** long buffers go in chunks of 2^30 elements.
*/
#include <mpi.h>
#include <stdio.h>
#include <string.h>

#include "sl_mpi_api.h"

#define CHUNK ((size_t)1 << 30)

static int initialized = 0;

static int p_init(int *rank, int *size, char *msg, size_t len) {
  int flag = 0;
  MPI_Initialized(&flag);
  if (!flag) {
    int provided = 0;
    if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
      snprintf(msg, len, "MPI_Init_thread failed");
      return -1;
    }
    initialized = 1;
  }
  MPI_Comm_rank(MPI_COMM_WORLD, rank);
  MPI_Comm_size(MPI_COMM_WORLD, size);
  return 0;
}

static void p_finalize(void) {
  int fin = 0;
  MPI_Finalized(&fin);
  if (initialized && !fin) MPI_Finalize();
  initialized = 0;
}

static MPI_Op mpi_op(int op) {
  return op == SL_MPI_MAX ? MPI_MAX : op == SL_MPI_MIN ? MPI_MIN : MPI_SUM;
}

static void p_allreduce(double *buf, size_t n, int op) {
  for (size_t lo = 0; lo < n; lo += CHUNK) {
    size_t m = n - lo < CHUNK ? n - lo : CHUNK;
    MPI_Allreduce(MPI_IN_PLACE, buf + lo, (int)m, MPI_DOUBLE, mpi_op(op), MPI_COMM_WORLD);
  }
}

static void p_reduce_bcast(double *buf, size_t n, int root) {
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  for (size_t lo = 0; lo < n; lo += CHUNK) {
    size_t m = n - lo < CHUNK ? n - lo : CHUNK;
    if (rank == root)
      MPI_Reduce(MPI_IN_PLACE, buf + lo, (int)m, MPI_DOUBLE, MPI_SUM, root, MPI_COMM_WORLD);
    else
      MPI_Reduce(buf + lo, NULL, (int)m, MPI_DOUBLE, MPI_SUM, root, MPI_COMM_WORLD);
    MPI_Bcast(buf + lo, (int)m, MPI_DOUBLE, root, MPI_COMM_WORLD);
  }
}

static void p_bcast(void *buf, size_t nbytes, int root) {
  for (size_t lo = 0; lo < nbytes; lo += CHUNK) {
    size_t m = nbytes - lo < CHUNK ? nbytes - lo : CHUNK;
    MPI_Bcast((char *)buf + lo, (int)m, MPI_BYTE, root, MPI_COMM_WORLD);
  }
}

static void p_barrier(void) { MPI_Barrier(MPI_COMM_WORLD); }

static void p_gather_ll(long long v, long long *recv, int root) {
  MPI_Gather(&v, 1, MPI_LONG_LONG, recv, 1, MPI_LONG_LONG, root, MPI_COMM_WORLD);
}

static void p_gatherv(const void *send, int n, void *recv, const int *counts, const int *displs,
                      int root) {
  MPI_Gatherv(send, n, MPI_BYTE, recv, counts, displs, MPI_BYTE, root, MPI_COMM_WORLD);
}

static void p_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }

static double p_wtime(void) { return MPI_Wtime(); }

static const char *p_library(void) {
  static char v[MPI_MAX_LIBRARY_VERSION_STRING];
  int len = 0;
  MPI_Get_library_version(v, &len);
  v[strcspn(v, ",\n")] = '\0';
  return v;
}

static const sl_mpi_api api = {
    .version = SL_MPI_API_VERSION,
    .init = p_init,
    .finalize = p_finalize,
    .allreduce = p_allreduce,
    .reduce_bcast = p_reduce_bcast,
    .bcast = p_bcast,
    .barrier = p_barrier,
    .gather_ll = p_gather_ll,
    .gatherv = p_gatherv,
    .abort = p_abort,
    .wtime = p_wtime,
    .library = p_library,
};

const sl_mpi_api *sl_mpi_plugin_api(void) { return &api; }
