/*
** sl_layout.h — the layer layout of a parameter vector: which entries form
** which weight matrix or vector. The MLP and matrix-factorization objectives
** give it (f:layers(), sl_model_blocks); layer- and matrix-aware optimizers
** (adahessian's spatial averaging, shampoo, muon, and the trust-ratio rules)
** read it through this one type, parsed and validated in one place
** (loptim_layers.c for the Lua side).
*/
#ifndef SL_LAYOUT_H
#define SL_LAYOUT_H

#include <stddef.h>

#include "sl_status.h"

/* One layer: entries [offset, offset + size) of x, a rows x cols matrix
   (row-major) when cols > 0, else a vector of size = rows entries. */
typedef struct sl_layer {
  char name[32];     /* "W1", "b1", "U", or "layer3" when the user gave none */
  size_t offset;     /* 0-based */
  size_t size;       /* rows * cols for a matrix, rows for a vector */
  size_t rows, cols; /* cols = 0: a vector */
} sl_layer;

/* n layers, in the order given (not necessarily by offset). One allocation
   (sl_layout_size bytes), so a copy is a memcpy and free() releases it. */
typedef struct sl_layout {
  size_t n;
  size_t end; /* max over layers of offset + size: the dimension it describes */
  sl_layer layer[];
} sl_layout;

/* Bytes of a layout with n layers. */
size_t sl_layout_size(size_t n);
/* A malloc'd layout of n zeroed layers (NULL on ENOMEM); free() it. */
sl_layout *sl_layout_new(size_t n);
/* A malloc'd copy (NULL on ENOMEM or when l is NULL). */
sl_layout *sl_layout_copy(const sl_layout *l);
/* Set l->end from the layers. */
void sl_layout_finish(sl_layout *l);

/* Check the layers of l: sizes >= 1, size = rows * cols for a matrix, no two
   layers overlapping, and, with dim > 0, every layer inside [0, dim) and
   (cover != 0) every entry of [0, dim) in some layer. SL_EINVAL / SL_EDIM
   with a sentence in msg ("layers 2 (b1) and 3 (W2) overlap at entry 41"). */
sl_status sl_layout_check(const sl_layout *l, size_t dim, int cover, char *msg, size_t len);

/* Number of matrix layers (cols > 0). */
size_t sl_layout_nmatrix(const sl_layout *l);

#endif
