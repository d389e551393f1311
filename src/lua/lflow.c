/*
** lflow.c — slope.flow(f, x0, {t=, rtol=, atol=, max_steps=, path=}):
** gradient flow dx/dt = -grad f(x) by Dormand-Prince 5(4), the
** continuous-time reference that gradient descent with a small step follows.
*/
#include <math.h>
#include <string.h>

#include "laux.h"
#include "llinesearch.h"
#include "lminimize.h"
#include "lobj.h"
#include "sl_flow.h"

#define SL_FLOWUD "slope.flow.state"

typedef struct {
  sl_flow *fl;
} lflow;

static int flow_gc(lua_State *L) {
  lflow *u = luaL_checkudata(L, 1, SL_FLOWUD);
  sl_flow_free(u->fl);
  u->fl = NULL;
  return 0;
}

static void push_point(lua_State *L, int path, const sl_flow *fl, lua_Integer k) {
  lua_getfield(L, path, "t");
  lua_pushnumber(L, fl->t);
  lua_rawseti(L, -2, k);
  lua_pop(L, 1);
  lua_getfield(L, path, "x");
  sl_vec *v = sl_newvec(L, fl->n);
  sl_vec_copy(fl->n, v->data, fl->x);
  lua_rawseti(L, -2, k);
  lua_pop(L, 1);
}

/* The options of slope.flow. */
typedef struct flowopts {
  double tend, rtol, atol;
  long max_steps;
  int want_path;
} flowopts;

static void parse_opts(lua_State *L, int t, flowopts *fo, const char *fname) {
  static const char *const keys[] = {"t", "rtol", "atol", "max_steps", "path", NULL};
  sl_checkkeys(L, t, keys, fname);
  fo->tend = sl_optnonneg(L, t, "t", 1.0, fname);
  fo->rtol = sl_optpos(L, t, "rtol", 1e-6, fname);
  fo->atol = sl_optpos(L, t, "atol", 1e-9, fname);
  fo->max_steps = sl_lmin_int(L, t, "max_steps", 100000, 1, fname);
  fo->want_path = sl_lmin_bool(L, t, "path", 0, fname);
}

/* path = {t = {t0}, x = {x0}} at the top of the stack; its index. */
static int new_path(lua_State *L, const sl_flow *fl) {
  lua_createtable(L, 0, 2);
  int path = lua_gettop(L);
  lua_newtable(L);
  lua_setfield(L, path, "t");
  lua_newtable(L);
  lua_setfield(L, path, "x");
  push_point(L, path, fl, 1);
  return path;
}

/* The core's loop calls this after each step: the point joins the path,
   under lua_pcall (an error stops the loop and is raised after it). */
typedef struct flowrun {
  lua_State *L;
  int path, err;
} flowrun;

static int path_body(lua_State *L) {
  const sl_flow *fl = lua_touserdata(L, 1);
  push_point(L, 2, fl, (lua_Integer)fl->steps + 1);
  return 0;
}

static int each_step(void *ud, const sl_flow *fl) {
  flowrun *r = ud;
  lua_State *L = r->L;
  if (r->path == 0) return 0;
  luaL_checkstack(L, 4, NULL);
  lua_pushcfunction(L, path_body);
  lua_pushlightuserdata(L, (void *)fl);
  lua_pushvalue(L, r->path);
  if (lua_pcall(L, 2, 0, 0) != LUA_OK) {
    r->err = lua_gettop(L);
    return 1;
  }
  return 0;
}

/* {x, t, steps, rejected, nfev, status, message, path} */
static void push_result(lua_State *L, const sl_flow *fl, unsigned long nfev, const char *status,
                        int path) {
  lua_createtable(L, 0, 8);
  sl_vec *x = sl_newvec(L, fl->n);
  sl_vec_copy(fl->n, x->data, fl->x);
  lua_setfield(L, -2, "x");
  lua_pushnumber(L, fl->t);
  lua_setfield(L, -2, "t");
  lua_pushinteger(L, fl->steps);
  lua_setfield(L, -2, "steps");
  lua_pushinteger(L, fl->rejected);
  lua_setfield(L, -2, "rejected");
  lua_pushinteger(L, (lua_Integer)nfev);
  lua_setfield(L, -2, "nfev");
  lua_pushstring(L, status);
  lua_setfield(L, -2, "status");
  if (strcmp(status, "ok") != 0) {
    lua_pushstring(L, fl->msg);
    lua_setfield(L, -2, "message");
  }
  if (path) {
    lua_pushvalue(L, path);
    lua_setfield(L, -2, "path");
  }
}

/* The status the result reports; failures that are errors are raised. */
static const char *flow_status(lua_State *L, const flowrun *r, sl_status st, const sl_objective *o,
                               const sl_flow *fl, const char *fname) {
  if (r->err) {
    lua_pushvalue(L, r->err);
    lua_error(L);
  }
  switch (st) {
  case SL_OK: return "ok";
  case SL_MAXITER: return "max_steps";
  case SL_EINTERRUPTED: sl_interrupt_consumed(L); return "interrupted";
  case SL_ENONFINITE: return "nonfinite";
  default:
    sl_raise_status(L, fname, st, st == SL_ECALLBACK && o->msg[0] ? o->msg : fl->msg, SL_MSG_WHOLE);
    return NULL;
  }
}

static int l_flow(lua_State *L) {
  const char *fname = "slope.flow";
  sl_vec *x0 = sl_tovec(L, 2);
  int t = sl_opttable(L, 3);
  lua_settop(L, 3);
  flowopts fo;
  parse_opts(L, t, &fo, fname);
  sl_objective *o = sl_checkobjective(L, 1, x0->n, fname);
  sl_checkdim(L, 2, x0, o->dim, "x0");
  if (sl_testobj(L, 1) == NULL) sl_testobj(L, lua_gettop(L)); /* bind a Lua-function objective */
  lflow *u = lua_newuserdatauv(L, sizeof *u, 0);
  u->fl = NULL;
  luaL_setmetatable(L, SL_FLOWUD);
  sl_status st;
  u->fl = sl_flow_new(o, x0->data, fo.rtol, fo.atol, &st);
  if (u->fl == NULL) return sl_status_error(L, fname, st, NULL);
  sl_flow *fl = u->fl;
  unsigned long nfev0 = o->nfev;
  flowrun r = {L, fo.want_path ? new_path(L, fl) : 0, 0};
  sl_stopflag *flag = sl_interrupt_flag();
  sl_interrupt_clear();
  st = sl_flow_run_with(fl, fo.tend, fo.max_steps, flag, each_step, &r);
  const char *status = flow_status(L, &r, st, o, fl, fname);
  push_result(L, fl, o->nfev - nfev0, status, r.path);
  return 1;
}

static const sl_reg flow_funcs[] = {
    {"flow", l_flow,
     "slope.flow(f, x0, {t=1, rtol=1e-6, atol=1e-9, max_steps=1e5, path=false}) -> {x, t, steps, "
     "nfev, status, path}",
     "Integrate gradient flow dx/dt = -grad f(x) to time t (Dormand-Prince 5(4), error control); "
     "path = {t={...}, x={vec...}}."},
    {NULL, NULL, NULL, NULL}};

int sl_open_minimize_flow(lua_State *L, int slope) {
  luaL_newmetatable(L, SL_FLOWUD);
  lua_pushcfunction(L, flow_gc);
  lua_setfield(L, -2, "__gc");
  lua_pushcfunction(L, flow_gc);
  lua_setfield(L, -2, "__close");
  lua_pop(L, 1);
  sl_setfuncs(L, slope, flow_funcs, "slope");
  return 0;
}
