/*
** laux.h — helpers every binding uses: the vec and mat userdata, argument
** checks that raise errors naming the function, option-table readers, the
** help registry, and the interrupt flag that reaches C loops.
*/
#ifndef SL_LAUX_H
#define SL_LAUX_H

#include <lauxlib.h>
#include <lua.h>

#include "sl_mat.h"
#include "sl_status.h"
#include "sl_vec.h"

/* ---- registration with help ------------------------------------------ */

/* A Lua-facing function with its help: signature line and one or two lines of meaning. */
typedef struct sl_reg {
  const char *name;
  lua_CFunction func;
  const char *sig; /* "slope.vec.zeros(n) -> vec" */
  const char *doc; /* "A vector of n zeros." */
} sl_reg;

/* Set each function into the table at idx and record its help under prefix.name. */
void sl_setfuncs(lua_State *L, int idx, const sl_reg *r, const char *prefix);
/* The same, each function a closure sharing the nup values on top (popped). */
void sl_setfuncs_up(lua_State *L, int idx, const sl_reg *r, const char *prefix, int nup);
/* Record help for the value at idx (a function, or a metatable name for a type). */
void sl_sethelp(lua_State *L, int idx, const char *name, const char *sig, const char *doc);
/* Help for a type, keyed by its registry name ("slope.vec") and its metatable. */
void sl_settypehelp(lua_State *L, const char *tname, const char *sig, const char *doc);

/* Create metatable tname whose __index is the table at methods_idx (LPeg's way:
   module table doubles as method table) plus the given metamethods. Leaves nothing.
   Every class can be closed (`local x <close> = ...`): without a __close in meta,
   __close is meta's __gc (gc functions are idempotent), or a no-op for classes
   that own nothing outside their userdata. */
void sl_newclass(lua_State *L, const char *tname, int methods_idx, const luaL_Reg *meta);
/* The no-op __close of classes that hold no outside resources (vec, rng, schedule). */
int sl_noclose(lua_State *L);

/* ---- errors ------------------------------------------------------------ */

/* luaL_error prefixed with the function name: "slope.optim.adam: lr must be ..." */
int sl_error(lua_State *L, const char *fname, const char *fmt, ...);

/* How sl_raise_status words the core's message. */
enum {
  SL_MSG_DETAIL = 0, /* msg adds to the status: "fname: <status text>: msg" */
  SL_MSG_WHOLE = 1   /* msg is a whole sentence (a solver's): "fname: msg" */
};
/*
** Raise the Lua error for a failed core call: every binding's one way.
** msg is the core's message (an objective's o->msg, a solver's or
** optimizer's msg), NULL or "" when there is none.
**   SL_ECALLBACK     msg unchanged: the Lua callback's own error, which says
**                    where and names the function ("the objective function
**                    (defined at x.lua:3) returned nil"); "fname: callback
**                    failed" without one.
**   SL_EINTERRUPTED  "interrupted!", as the interpreter's Ctrl-C hook says
**                    (the flag is cleared).
**   anything else    as `how` says; "fname: <status text>" without msg.
*/
/* Drop the sign of "-nan" and of negative zeros ("-0", "-0.00e+00") in a message, in place. */
void sl_msg_clean(char *s);
int sl_raise_status(lua_State *L, const char *fname, sl_status st, const char *msg, int how);
/* sl_raise_status(L, fname, st, detail, SL_MSG_DETAIL): "fname: <status text>[: detail]". */
int sl_status_error(lua_State *L, const char *fname, sl_status st, const char *detail);

/* The type of the value at idx as a user knows it: "slope.vec", "slope.mat",
   "slope.optim"... for slope's userdata (their metatable's __name), else the Lua
   type ("number", "table"). */
const char *sl_typename(lua_State *L, int idx);
/* luaL_argerror with "<expected> expected, got <sl_typename>". */
int sl_typeerror(lua_State *L, int arg, const char *expected);
/* What a message's "got %s" shows for the value at idx: the number ("1.5",
   "nan", "inf": never C's "-nan"), else its type as sl_typename. Pushes it. */
const char *sl_pushgot(lua_State *L, int idx);

/* ---- vectors ----------------------------------------------------------- */

#define SL_VEC "slope.vec"
#define SL_MAT "slope.mat"

/* Vec userdata: v.data points at buf (owned) or into another object kept
   alive through the userdata's user value (a view). */
typedef struct sl_lvec {
  sl_vec v;
  double buf[];
} sl_lvec;

sl_vec *sl_newvec(lua_State *L, size_t n);
void sl_vec_register_mt(lua_State *L);
/* once, after the vec metatable exists */ /* pushes a zeroed vec */
/* (A view into a mat's rows must mark the mat borrowed: closing it then keeps the rows.) */
sl_vec *sl_pushvecview(lua_State *L, double *data, size_t n, int owner_idx);
/* Transient views: vecs lent to a Lua callback for one call (a define'd
   optimizer's x and g), emptied (n = 0) after it. sl_pushtransient pushes the
   marker to pass as their owner; views made from them (x:sub) are transient
   too and recorded, and sl_transient_end empties them all after the call. */
void sl_pushtransient(lua_State *L);
int sl_istransient(lua_State *L, int idx);
void sl_transient_add(lua_State *L, int idx);          /* record a view made from a transient one */
lua_Integer sl_transient_mark(lua_State *L);           /* before the call */
void sl_transient_end(lua_State *L, lua_Integer mark); /* empties those recorded since mark */
sl_vec *sl_checkvec(lua_State *L, int arg);
sl_vec *sl_testvec(lua_State *L, int arg);
/* A vec, or a table of numbers converted into a new vec that replaces the
   argument on the stack (so it stays alive). */
sl_vec *sl_tovec(lua_State *L, int arg);
/* Hot-path check for closures that carry the vec metatable (sl_push_vec_mt)
   as upvalue `up`: one metatable comparison; NULL when arg is not a vec (the
   caller then falls back to sl_checkvec / sl_tovec for the error message). */
static inline sl_vec *sl_testvec_up(lua_State *L, int arg, int up) {
  sl_lvec *u = (sl_lvec *)lua_touserdata(L, arg);
  if (u != NULL && lua_getmetatable(L, arg)) {
    int same = lua_rawequal(L, -1, lua_upvalueindex(up));
    lua_pop(L, 1);
    if (same) return &u->v;
  }
  return NULL;
}
/* The userdata at arg when its metatable is the table at address mt (from
   lua_topointer on an upvalue, once per call), else NULL. Leaves the
   metatable (if any) on the stack: hot methods check all their arguments this
   way and return their results above (or reset the stack with lua_settop). */
static inline void *sl_toudata_mt(lua_State *L, int arg, const void *mt) {
  void *u = lua_touserdata(L, arg);
  if (u == NULL || !lua_getmetatable(L, arg)) return NULL;
  return lua_topointer(L, -1) == mt ? u : NULL;
}
/* Pushes the vec metatable, creating it if no opener has yet (for upvalues). */
void sl_push_vec_mt(lua_State *L);
/* The output vec at arg (checked to have length n and not to share memory with
   `input`, which may be NULL), or a new one put at arg when arg is none/nil.
   Leaves the output at stack index arg. */
sl_vec *sl_outvec(lua_State *L, int arg, size_t n, const char *what, const sl_vec *input);
/* Error unless a and b have length n: "dimension mismatch: x has 3, expected 4". */
void sl_checkdim(lua_State *L, int arg, const sl_vec *v, size_t n, const char *what);

/* ---- matrices ---------------------------------------------------------- */

typedef struct sl_lmat {
  sl_mat m;
  int owned;    /* 1: m.data is malloc'd and freed by __gc */
  int borrowed; /* another object (a row view, an objective) may point into m.data:
                   closing then leaves the memory to __gc */
  int closed;   /* closed (local A <close>): 0 x 0, data freed */
} sl_lmat;

sl_mat *sl_newmat(lua_State *L, size_t rows, size_t cols); /* pushes a zeroed mat */
/* Push a mat taking ownership of m->data (malloc'd). Frees it and errors on failure. */
sl_mat *sl_pushmat_take(lua_State *L, sl_mat m);
sl_mat *sl_checkmat(lua_State *L, int arg);
sl_mat *sl_testmat(lua_State *L, int arg);
/* A mat, or a table of rows converted into a new mat replacing the argument. */
sl_mat *sl_tomat(lua_State *L, int arg);

/* ---- numbers and option tables ---------------------------------------- */

/* A file name: a string, not a number Lua would coerce ("-nan", "1e+20" as paths). */
const char *sl_checkpath(lua_State *L, int arg);
/* A count >= lo (e.g. a size), erroring with the function name on floats/negatives. */
size_t sl_checksize(lua_State *L, int arg, size_t lo);
/* A finite number. */
double sl_checkfinite(lua_State *L, int arg);

/* Fields of an options table at t (absent/nil -> default). Each checks type and
   finiteness and raises "fname: key must be ..., got ...". */
double sl_optnum(lua_State *L, int t, const char *key, double def, const char *fname);
double sl_optpos(lua_State *L, int t, const char *key, double def, const char *fname); /* > 0 */
double sl_optnonneg(lua_State *L, int t, const char *key, double def, const char *fname);
lua_Integer sl_optint(lua_State *L, int t, const char *key, lua_Integer def, lua_Integer lo,
                      const char *fname);
int sl_optbool(lua_State *L, int t, const char *key, int def, const char *fname);
const char *sl_optstr(lua_State *L, int t, const char *key, const char *def, const char *fname);
/* Reject keys not in allowed (NULL-terminated): catches typos like `learning_rate`.
   Records allowed as fname's options (slope._optkeys, checked against its help). */
void sl_checkkeys(lua_State *L, int t, const char *const allowed[], const char *fname);
/* The same for a table that is data, not options (a saved state): records
   nothing; "fname: <what> has unknown field 'k' (expected one of: ...)". */
void sl_checkfields(lua_State *L, int t, const char *const allowed[], const char *fname,
                    const char *what);
/* Refuse positional entries in the options table at t (`slope.optim.sgd{0.1}`):
   "fname: positional value 0.1: options are named, e.g. {<example>}". */
void sl_checknamed(lua_State *L, int t, const char *fname, const char *what, const char *example);
/* Like luaL_opt for a table argument: if arg is none/nil push an empty table there. */
int sl_opttable(lua_State *L, int arg);

/* ---- interruption ----------------------------------------------------- */

/* The flag SIGINT raises; C loops poll it (core takes an sl_stopflag *). */
sl_stopflag *sl_interrupt_flag(void);
/* Clear before a long C call; after it, raise "interrupted!" if set. */
void sl_interrupt_clear(void);
int sl_interrupt_check(lua_State *L);

/* The hook the CLI's SIGINT handler installs with the flag, raising
   "interrupted!" at the next instruction (lua.c's laction): its mask and count,
   by which sl_interrupt_consumed recognises it. */
#define SL_INTERRUPT_HOOKMASK  (LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT)
#define SL_INTERRUPT_HOOKCOUNT 1
/* After a C loop honoured the interrupt flag (returning status "interrupted"),
   clear the flag and drop that one-shot hook, so the result reaches the REPL. */
void sl_interrupt_consumed(lua_State *L);

/* ---- module openers (generated list: every binding file's sl_open_<name>) -- */

#define SL_MODULE(f) int f(lua_State *L, int slope);
#include "modules.h"
#undef SL_MODULE

/* ---- misc ------------------------------------------------------------- */

/* Format a double the way slope prints numbers ("%.17g" shortened: 5.0, 0.1, 1e-08). */
void sl_pushnumber_str(lua_State *L, double v);
/* "%.6g" into buf, but "nan" for any NaN (the C library writes "-nan" for some). */
void sl_fmt6(char *buf, size_t size, double v);

#endif
