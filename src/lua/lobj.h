/*
** lobj.h — the slope.obj userdata: one type for every objective (built-in,
** data model, Lua-defined, minibatch view). Constructors live in their own
** binding files and end with sl_pushobj.
*/
#ifndef SL_LOBJ_H
#define SL_LOBJ_H

#include <lua.h>

#include "sl_objective.h"
#include "sl_vec.h"

#define SL_OBJ "slope.obj"

/* Called by sl_checkobj with the calling Lua state, so that objectives that
   call back into Lua (slope.obj.lua) always use the running thread. */
typedef void (*sl_obj_bindfn)(void *impl, lua_State *L);

typedef struct sl_lobj sl_lobj;

/* `f:fg(x, g)` called from Lua on a Lua-written objective: self, x and g (the
   caller's vecs, checked: dim entries each, g not x) at 1..3; pushes f and g
   and returns 2, or raises. */
typedef int (*sl_obj_directfn)(lua_State *L, sl_lobj *u);

struct sl_lobj {
  sl_objective *o;
  sl_obj_bindfn bind;        /* NULL for objectives that never call Lua */
  sl_obj_directfn direct_fg; /* NULL: f:fg goes through the objective's ops */
};

/* Push a userdata owning o (freed by __gc). The values at the top `nkeep`
   stack slots (data matrices, Lua functions, a parent objective) are popped and
   kept alive as long as the objective. Optional `methods`: a table at
   methods_idx (0 = none) of extra methods for this objective (e.g. unflatten).
   On o == NULL raises "out of memory". Returns the userdata struct. */
sl_lobj *sl_pushobj(lua_State *L, sl_objective *o, int nkeep, int methods_idx);

sl_objective *sl_checkobj(lua_State *L, int arg);
/* An objective argument: a slope.obj, or a plain Lua function f(x [, g]) ->
   value that fills g when given (wrapped in a new userdata pushed on the
   stack; value-only functions get central-difference gradients, lfnobj.c).
   dim sizes the wrapper. Raises "fname: ..." on anything else. */
sl_objective *sl_checkobjective(lua_State *L, int arg, size_t dim, const char *fname);
sl_objective *sl_testobj(lua_State *L, int arg);

/* Raise the Lua error for a failed call on o: "fname: <status>: <o->msg>".
   A Lua callback's error message is passed through unchanged. */
int sl_obj_error(lua_State *L, const char *fname, sl_objective *o, sl_status st);

/* Checks of the probes and spectrum functions, raising "fname: what must be
   ...": the objective argument (what = "f"), a point of o (a vec or table of
   o->dim numbers, converted in place), and the options table at arg (absent
   -> an empty table put there; not a table, positional entries and keys not
   in allowed refused). */
sl_objective *sl_checkobj_arg(lua_State *L, int arg, const char *fname, const char *what);
sl_vec *sl_checkpoint(lua_State *L, int arg, size_t dim, const char *fname, const char *what);
int sl_checkopts(lua_State *L, int arg, const char *const allowed[], const char *fname);

/* The data models' own methods (lobj_predict.c): set into the per-object
   methods table at t those o has (predict, predict_proba, accuracy, forward,
   layers); sl_obj_model_methods_init makes them once, at start-up. */
void sl_obj_model_methods(lua_State *L, int t, sl_objective *o);
void sl_obj_model_methods_init(lua_State *L);

#endif
