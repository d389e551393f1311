/*
** lminimize.h — private to the slope.minimize / slope.solver bindings:
** the solver userdata, the options both take (lminimize_opts.c), the hooks
** the core loop calls back (lminimize_hooks.c: the Lua optimizer object as a
** stepper, the progress callback that prints, records and calls the user's
** callback), the tables handed back (lminimize_result.c) and message hygiene.
*/
#ifndef SL_LMINIMIZE_H
#define SL_LMINIMIZE_H

#include <lua.h>

#include "llinesearch.h"
#include "sl_minimize.h"

#define SL_SOLVER "slope.solver"

/* uservalue slots of a solver */
enum { UV_OBJ = 1, UV_LS, UV_CB, UV_OPT, UV_X, UV_G, UV_N = UV_G };

typedef struct lsolver {
  sl_solver *s; /* NULL once collected */
  int closed;   /* <close>d: no more steps; s.x/s.g views stay readable until __gc */
  sl_luals luals;
  int has_luals;
  int history, hist_x, disp;
} lsolver;

typedef struct lmin_opts {
  sl_min_params p; /* method, tolerances, budgets (maxiter, maxfev, maxtime), method options */
  int is_opt;      /* method is an optimizer object (anything with step(self, x, g)) */
  int lua_ls;      /* linesearch is a Lua function */
  int disp;        /* print one line per iteration */
  int history;     /* record f, gnorm, step per iteration */
  int hist_x;      /* ... and a copy of x */
  /* owlqn, fista, prox_gd */
  size_t l1w_n; /* l1 = a vec: its length (p.l1w points into it); 0: none */
  int has_prox; /* prox = a function (kept in the solver's uservalue as "prox") */
} lmin_opts;

/* What one run does besides the core loop (the progress callback's context). */
typedef struct lmin_run {
  lua_State *L;
  lsolver *u;
  int sidx;          /* stack index of the solver */
  int hist;          /* stack index of the history table (0: none) */
  int disp;          /* print a line per iteration */
  int cb;            /* stack index of the user's callback (0: none) */
  int err;           /* stack index of an error a hook caught (0: none) */
  int ls;            /* stack index of a Lua line search for this run (0: none) */
  const char *fname; /* for messages */
} lmin_run;

/* ---- lminimize_opts.c ---- */

/* The options table at t (absolute) of slope.minimize / slope.solver. Raises
   "fname: <option> must be ..., got ..." for anything wrong. */
void sl_lmin_parse(lua_State *L, int t, lmin_opts *o, const char *fname);
/* lower/upper at t for dimension n into p (a vec left on the stack holds them until the
   solver copies them); an optimizer object (is_opt) refuses them. */
void sl_lmin_bounds(lua_State *L, int t, sl_min_params *p, size_t n, int is_opt, const char *fname);
/* history = true | false | {x = true}: sets *history, *hist_x (defaults kept). */
void sl_lmin_history(lua_State *L, int t, int *history, int *hist_x, const char *fname);
/* A non-negative integer option, naming NaN, fractions and types without "-nan". */
long sl_lmin_int(lua_State *L, int t, const char *key, long def, long lo, const char *fname);
/* A finite non-negative number option; a boolean option. */
double sl_lmin_num(lua_State *L, int t, const char *key, double def, const char *fname);
int sl_lmin_bool(lua_State *L, int t, const char *key, int def, const char *fname);
/* Help texts; the method list of slope.minimize's is built from sl_min_methods[]
   by sl_lmin_docs (once, at luaopen), with the accepted keys. */
extern const char *sl_lmin_minimize_doc;
extern char sl_lmin_solver_doc[]; /* built by sl_lmin_docs */
extern const char sl_lmin_run_doc[];
void sl_lmin_docs(void);
/* nelder_mead's initial_simplex (a mat or dim+1 points) checked against dim: pushes a
   mat that must stay on the stack until the solver is made (it copies it). */
void sl_lmin_simplex(lua_State *L, int t, lmin_opts *o, size_t dim, const char *fname);
/* Messages as slope writes numbers: "-nan" -> "nan", "-0" / "-0.00e+00" -> "0" / "0.00e+00". */

/* ---- lminimize_hooks.c ---- */

/* The stepper over the Lua optimizer object in the solver's UV_OPT (ctx: the run). */
sl_min_stepper sl_lmin_lua_stepper(lmin_run *r);
/* The progress callback: history, disp line, the user's callback (ud: the run). */
int sl_lmin_progress(void *ud, sl_solver *s, const sl_min_progress_info *it);
/* Before a core call, and again after Lua code ran inside one (which may have
   stepped this solver or run its objective elsewhere): point the objective,
   a Lua line search and an optimizer object's stepper at this run. */
void sl_lmin_rebind(lmin_run *r);
int sl_lmin_get_uv(lua_State *L, int solver, int slot);
/* A user's prox (the function in the solver's uservalue field "prox") as the
   core's sl_min_prox (ctx: the run). */
sl_min_prox sl_lmin_lua_prox(lmin_run *r);

/* ---- lminimize_result.c ---- */

/* A fresh vec holding a copy of n doubles. */
void sl_lmin_push_copy(lua_State *L, const double *d, size_t n);
/* The table s:step() returns; the result table of a run (scipy's fields too);
   s:state(); the history table with its first row; one history row. */
void sl_lmin_push_stepinfo(lua_State *L, lsolver *u, int sidx, sl_status st);
void sl_lmin_push_result(lua_State *L, lsolver *u, int hist, const char *msg);
void sl_lmin_push_state(lua_State *L, lsolver *u, int sidx);
int sl_lmin_new_history(lua_State *L, lsolver *u, int hist_x);
void sl_lmin_push_hist(lua_State *L, int hist, const sl_solver *s, double step);
/* "ok" for SL_OK, else sl_solver_status_name / sl_status_name. */
const char *sl_lmin_status_name(sl_status st);
/* What a line search failing at the first iteration most often means ("" otherwise). */
const char *sl_lmin_ls_hint(const sl_solver *s, sl_status st);

#endif
