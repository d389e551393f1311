/*
** sl_mpi_api.h — the calls slope makes into Open MPI, as a table of function
** pointers. The table lives in build/slope_mpi.so (sl_mpi_plugin.c, built with
** Open MPI's compiler flags when Open MPI is installed); the interpreter and
** slope.so load that plugin with dlopen only when the process was started by
** mpirun, so a single-process run never loads libmpi (no start-up cost, no
** MPI messages) and slope builds without Open MPI. No MPI header here.
*/
#ifndef SL_MPI_API_H
#define SL_MPI_API_H

#include <stddef.h>

#define SL_MPI_API_VERSION 1

enum { SL_MPI_SUM = 0, SL_MPI_MAX = 1, SL_MPI_MIN = 2 };

typedef struct sl_mpi_api {
  int version; /* SL_MPI_API_VERSION */
  /* MPI_Init_thread (FUNNELED: only the main thread calls MPI) and the world's
     rank and size. 0 on success, else -1 with a message in msg. */
  int (*init)(int *rank, int *size, char *msg, size_t len);
  void (*finalize)(void); /* MPI_Finalize, once; a no-op if not initialized */
  /* In place over all ranks (MPI_Allreduce with MPI_IN_PLACE), n doubles. */
  void (*allreduce)(double *buf, size_t n, int op);
  /* In place: the sum over ranks computed once at root (MPI_Reduce) and sent to
     every rank (MPI_Bcast), so every rank holds the same bits. */
  void (*reduce_bcast)(double *buf, size_t n, int root);
  void (*bcast)(void *buf, size_t nbytes, int root);
  void (*barrier)(void);
  /* MPI_Gather of one long long per rank into recv (size entries) at root. */
  void (*gather_ll)(long long v, long long *recv, int root);
  /* MPI_Gatherv of bytes: counts/displs (size entries) used at root only. */
  void (*gatherv)(const void *send, int n, void *recv, const int *counts, const int *displs,
                  int root);
  void (*abort)(int code); /* MPI_Abort(MPI_COMM_WORLD, code): does not return */
  double (*wtime)(void);
  const char *(*library)(void); /* MPI_Get_library_version's first line */
} sl_mpi_api;

/* The plugin's one exported symbol. */
const sl_mpi_api *sl_mpi_plugin_api(void);

#endif
