/*
** probe_filter_normalize.c — filter normalization of a direction (Li et al.
** 2018, sec. 4): each block of d scaled to the norm of the same block of x,
** for loss-surface slices.
*/
#include "sl_probe.h"
#include "sl_vec.h"

sl_status sl_probe_filter_normalize(size_t n, double *d, const double *x, size_t nblocks,
                                    const size_t *off, const size_t *len) {
  for (size_t l = 0; l < nblocks; l++)
    if (off[l] > n || len[l] > n - off[l]) return SL_EINVAL;
  for (size_t l = 0; l < nblocks; l++) {
    double nd = sl_vec_nrm2(len[l], d + off[l]), nx = sl_vec_nrm2(len[l], x + off[l]);
    if (nd > 0.0) sl_vec_scale(len[l], d + off[l], nx / nd);
  }
  return SL_OK;
}
