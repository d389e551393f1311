/*
** llinesearch.h — helpers shared by the line-search and minimize bindings:
** the slope.linesearch userdata, Lua line searches (function(phi, a0, phi0,
** dphi0) -> a) run from C, and the conversion of a line-search record into a
** Lua table. (Objectives given as plain Lua functions: sl_checkobjective in
** lobj.h; the interrupt hook: sl_interrupt_consumed in laux.h.)
*/
#ifndef SL_LLINESEARCH_H
#define SL_LLINESEARCH_H

#include <lua.h>

#include "sl_linesearch.h"

#define SL_LINESEARCH "slope.linesearch"

typedef struct sl_lls {
  sl_linesearch ls;
  int a0_given; /* the user set a0: solvers use it instead of their own guess */
} sl_lls;

/* A Lua line search called from the core: the function sits at stack index fn
   of the running binding frame (set before each core call). */
typedef struct sl_luals {
  lua_State *L;
  int fn;
} sl_luals;

/* Make ls a custom line search calling the Lua function of u. */
void sl_luals_setup(sl_linesearch *ls, sl_luals *u);

/* Resolve a line-search argument: a slope.linesearch object, a name
   ("strong_wolfe"), a constructor (slope.linesearch.armijo) or a Lua function.
   Fills out (and *a0_given); returns 1 for a Lua function (the caller sets it up
   with sl_luals_setup), 0 otherwise. Raises "fname: ..." on anything else. */
int sl_tolinesearch(lua_State *L, int arg, sl_linesearch *out, int *a0_given, const char *fname);

/* Push the record of a line search as {a, phi, dphi, nfev, trials, armijo, curvature, ok, reason}.
 */
void sl_push_lsinfo(lua_State *L, const sl_ls_result *r);

#endif
