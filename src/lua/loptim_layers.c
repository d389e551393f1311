/*
** loptim_layers.c — the `layers` option of layer- and matrix-aware
** optimizers read into an sl_layout (sl_layout.h), with errors naming the
** function, the option and the entry.
*/
#include "loptim_layers.h"

#include <string.h>

#include "laux.h"
#include "lobj.h"

/* Field k of the table at t, or its positional entry i when k is absent. */
static int field_or_index(lua_State *L, int t, const char *k, lua_Integer i) {
  if (lua_getfield(L, t, k) != LUA_TNIL) return lua_type(L, -1);
  lua_pop(L, 1);
  return lua_geti(L, t, i);
}

/* A positive integer at the top of the stack (popped), or an error naming what[l].key. */
static size_t pos_int(lua_State *L, const char *fname, const char *what, size_t l, const char *key,
                      lua_Integer lo) {
  int isint = 0;
  lua_Integer v = lua_tointegerx(L, -1, &isint);
  if (lua_type(L, -1) != LUA_TNUMBER || !isint || v < lo)
    sl_error(L, fname, "%s[%I].%s must be an integer >= %I, got %s", what, (lua_Integer)l + 1, key,
             lo, sl_pushgot(L, -1));
  lua_pop(L, 1);
  return (size_t)v;
}

/* Entry l (1-based on the Lua side) of the list at arg into y. */
static void read_layer(lua_State *L, int arg, size_t l, const char *fname, const char *what,
                       sl_layer *y) {
  if (lua_geti(L, arg, (lua_Integer)l + 1) != LUA_TTABLE)
    sl_error(L, fname,
             "%s[%I] must be a table {name=, offset=, size=, shape=} or {offset, size}, "
             "got %s",
             what, (lua_Integer)l + 1, sl_typename(L, -1));
  int e = lua_gettop(L);
  int ty = lua_getfield(L, e, "name");
  if (ty == LUA_TSTRING) {
    snprintf(y->name, sizeof y->name, "%s", lua_tostring(L, -1));
  } else if (ty == LUA_TNIL) {
    snprintf(y->name, sizeof y->name, "layer%zu", l + 1);
  } else {
    sl_error(L, fname, "%s[%I].name must be a string, got %s", what, (lua_Integer)l + 1,
             sl_typename(L, -1));
  }
  lua_pop(L, 1);
  field_or_index(L, e, "offset", 1);
  y->offset = pos_int(L, fname, what, l, "offset", 1) - 1;
  field_or_index(L, e, "size", 2);
  y->size = pos_int(L, fname, what, l, "size", 1);
  y->rows = y->size;
  y->cols = 0;
  ty = lua_getfield(L, e, "shape");
  if (ty == LUA_TTABLE) {
    lua_Integer ns = luaL_len(L, -1);
    int s = lua_gettop(L);
    if (ns != 1 && ns != 2)
      sl_error(L, fname, "%s[%I].shape must be {rows, cols} or {n}, got a table of %I entries",
               what, (lua_Integer)l + 1, ns);
    lua_geti(L, s, 1);
    size_t r = pos_int(L, fname, what, l, "shape[1]", 1), c = 0;
    if (ns == 2) {
      lua_geti(L, s, 2);
      c = pos_int(L, fname, what, l, "shape[2]", 1);
    }
    if (c ? (r > y->size / c || r * c != y->size) : r != y->size)
      sl_error(L, fname, "%s[%I].shape (%I%s%I) does not match its size %I", what,
               (lua_Integer)l + 1, (lua_Integer)r, c ? " x " : "", (lua_Integer)c,
               (lua_Integer)y->size);
    y->rows = r;
    y->cols = c;
  } else if (ty != LUA_TNIL) {
    sl_error(L, fname, "%s[%I].shape must be {rows, cols} or {n}, got %s", what, (lua_Integer)l + 1,
             sl_typename(L, -1));
  }
  lua_settop(L, e - 1);
}

sl_layout *sl_checklayout(lua_State *L, int arg, const char *fname, const char *what, size_t dim,
                          int cover) {
  arg = lua_absindex(L, arg);
  sl_objective *f = sl_testobj(L, arg);
  if (f) { /* an objective stands for its f:layers() */
    if (lua_getfield(L, arg, "layers") != LUA_TFUNCTION)
      sl_error(L, fname, "%s: the objective (%s) has no layer layout (no f:layers())", what,
               f->ops->name);
    lua_pushvalue(L, arg);
    lua_call(L, 1, 1);
    if (dim == 0) dim = f->dim;
    arg = lua_gettop(L);
  } else if (!lua_istable(L, arg)) {
    sl_error(L, fname, "%s must be f:layers(), a list of {offset, size} or an objective, got %s",
             what, sl_typename(L, arg));
  }
  lua_Integer n = luaL_len(L, arg);
  if (n < 1 || n > 1 << 20)
    sl_error(L, fname, "%s must be a non-empty list of layers, got %I entries", what, n);
  sl_layout *lay = lua_newuserdatauv(L, sl_layout_size((size_t)n), 0);
  memset(lay, 0, sl_layout_size((size_t)n));
  lay->n = (size_t)n;
  for (size_t l = 0; l < (size_t)n; l++) read_layer(L, arg, l, fname, what, &lay->layer[l]);
  sl_layout_finish(lay);
  char msg[200];
  if (sl_layout_check(lay, dim, cover, msg, sizeof msg) < 0)
    sl_error(L, fname, "%s: %s", what, msg);
  if (f) lua_remove(L, arg); /* the f:layers() table; the layout stays on top */
  return lay;
}
