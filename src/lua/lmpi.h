/*
** lmpi.h — the process's place in an MPI job, for the bindings and the CLI.
** Open MPI is reached through build/slope_mpi.so (src/mpi/sl_mpi_api.h),
** loaded only when the process was started by mpirun; otherwise this process
** is rank 0 of 1 and every collective is a no-op.
*/
#ifndef SL_LMPI_H
#define SL_LMPI_H

#include "sl_mpi_api.h"

/* The loaded API when this process is one of several (or mpirun -np 1), else NULL. */
const sl_mpi_api *sl_mpi_get(void);
int sl_mpi_rank(void);
int sl_mpi_size(void);
/* End the whole job (MPI_Abort) when running under MPI; returns otherwise. */
void sl_mpi_abort_job(int code);
/* The text marking an error raised on a rank because another rank failed
   (the failing rank reports its own message; main.c lets it speak first). */
#define SL_MPI_REMOTE_MARK "failed on another rank"

#endif
