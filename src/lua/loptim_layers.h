/*
** loptim_layers.h — the one reader of a layer layout given from Lua (the
** `layers` option of layer- and matrix-aware optimizers): f:layers()
** records, {offset, size} pairs, or an objective standing for its f:layers().
*/
#ifndef SL_LOPTIM_LAYERS_H
#define SL_LOPTIM_LAYERS_H

#include <lua.h>

#include "sl_layout.h"

/*
** The layout at stack index arg, parsed and checked (sizes, shapes, no
** overlap; with dim > 0 also inside [0, dim) and, with cover, covering it):
** an objective (its f:layers(); refused if it has none), or a non-empty list
** whose entries are records {name=, offset=, size=, shape={rows, cols} |
** {n}} as f:layers() returns them or pairs {offset, size}; offsets 1-based.
** A record without shape is a vector. The layout lives in a userdata pushed
** on the stack (so a later error frees it); copy it (sl_layout_copy) to keep
** it. Errors: "fname: layers[2].size must be ..." (what = "layers").
*/
sl_layout *sl_checklayout(lua_State *L, int arg, const char *fname, const char *what, size_t dim,
                          int cover);

#endif
