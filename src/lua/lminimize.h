/*
** lminimize.h — private to the slope.minimize / slope.solver bindings: the
** options both take (checked up front, lminimize_opts.c) and message hygiene.
*/
#ifndef SL_LMINIMIZE_H
#define SL_LMINIMIZE_H

#include <lua.h>

#include "sl_minimize.h"

typedef struct lmin_opts {
  sl_min_params p;
  int is_opt;     /* method is an optimizer object (anything with step(self, x, g)) */
  int lua_ls;     /* linesearch is a Lua function */
  long maxfev;    /* stop once this many evaluations were made (0: no limit) */
  double maxtime; /* stop after this many seconds (0: no limit) */
  int disp;       /* print one line per iteration */
  int history;    /* record f, gnorm, step per iteration */
  int hist_x;     /* ... and a copy of x */
} lmin_opts;

/* The options table at t (absolute) of slope.minimize / slope.solver. Raises
   "fname: <option> must be ..., got ..." for anything wrong. */
void sl_lmin_parse(lua_State *L, int t, lmin_opts *o, const char *fname);
/* history = true | false | {x = true}: sets *history, *hist_x (defaults kept). */
void sl_lmin_history(lua_State *L, int t, int *history, int *hist_x, const char *fname);
/* A non-negative integer option, naming NaN, fractions and types without "-nan". */
long sl_lmin_int(lua_State *L, int t, const char *key, long def, long lo, const char *fname);

/* A finite non-negative number option; a boolean option. */
double sl_lmin_num(lua_State *L, int t, const char *key, double def, const char *fname);
int sl_lmin_bool(lua_State *L, int t, const char *key, int def, const char *fname);

/* Help texts (lminimize_opts.c, next to the checks they describe). */
extern const char sl_lmin_minimize_doc[], sl_lmin_solver_doc[], sl_lmin_run_doc[];

/* Messages as slope writes numbers: "-nan" -> "nan", "-0" / "-0.00e+00" -> "0" / "0.00e+00". */
void sl_msg_clean(char *s);

#endif
