/*
** loptim.h — the slope.optim userdata: one type for every optimizer (built-in
** rules, wrappers, variance-reduced methods, Lua-defined rules), for other
** bindings (training loop, minimize) that take an optimizer.
*/
#ifndef SL_LOPTIM_H
#define SL_LOPTIM_H

#include <lua.h>

#include "sl_optim.h"

#define SL_OPTIM "slope.optim"

/* User values of the userdata: the base optimizer and the objective it holds. */
#define SL_LOPTIM_UV_BASE 1
#define SL_LOPTIM_UV_F    2
/* A table a kind keeps alive with it (groups: its groups' optimizers). */
#define SL_LOPTIM_UV_EXTRA 3

/* Per-kind behaviour of a userdata beyond the core (Lua-defined optimizers). */
typedef struct sl_loptim_hooks {
  void (*bind)(lua_State *L, int ud);                     /* before a step through the core */
  void (*state)(lua_State *L, int ud, int out);           /* add fields to the state table at out */
  void (*load)(lua_State *L, int ud, int st);             /* validate + load (raises) */
  const char *const *keys;                                /* extra state keys, NULL-terminated */
  int (*index)(lua_State *L, int ud, const char *key);    /* push a field; 0 if unknown */
  int (*newindex)(lua_State *L, int ud, const char *key); /* value at 3; 0 if unknown */
  void (*reset)(lua_State *L, int ud);
  void (*gc)(lua_State *L, int ud);
} sl_loptim_hooks;

typedef struct sl_loptim {
  sl_optimizer *o;              /* NULL once closed */
  int bind;                     /* the chain calls Lua: rebind L before stepping */
  int borrowed;                 /* another object (a wrapper, a run) holds o: closing
                                   leaves it to __gc */
  const sl_loptim_hooks *hooks; /* NULL for C optimizers */
} sl_loptim;

/* Push a userdata owning o (freed by __gc). base_idx / f_idx: stack indices of
   the base optimizer and objective userdata kept alive with it (0 = none);
   their core objects must already be o->base / o->f. */
sl_loptim *sl_pushoptim(lua_State *L, sl_optimizer *o, int base_idx, int f_idx);
/* The optimizer at arg (marked borrowed: callers keep the pointer), or NULL. */
sl_optimizer *sl_testoptim(lua_State *L, int arg);
sl_optimizer *sl_checkoptim(lua_State *L, int arg);
/* Make every Lua callback reachable from the optimizer at arg use L. */
void sl_optim_bind(lua_State *L, int arg);
/* Raise for a failed core call: "fname: <msg>" (a Lua callback's text as is). */
int sl_optim_error(lua_State *L, const char *fname, sl_optimizer *o, sl_status st);
/* Step from C bindings: checks nothing, binds the chain, raises on failure. */
void sl_optim_lstep(lua_State *L, int arg, double *x, const double *g);
/* opt:state() of the optimizer userdata at ud, pushed (loptim_state.c). */
void sl_optim_pushstate(lua_State *L, int ud);
/* opt:load(state) of the table at st into the userdata at ud: everything is
   validated first (the base's state too), then written; raises
   "slope.optim.load: ..." and leaves the optimizer unchanged on a bad state. */
void sl_optim_loadstate(lua_State *L, int ud, int st);
/* Set hyperparameter k from the value at vidx (type-checked by its kind),
   raising "fname: key must be ..." on a bad value. */
void sl_optim_sethp_from(lua_State *L, sl_optimizer *o, int k, int vidx, const char *fname);
/* betas = {b1, b2} at vidx into hyperparameters beta1, beta2 (raises). */
void sl_optim_setbetas(lua_State *L, sl_optimizer *o, int vidx, const char *fname);

#endif
