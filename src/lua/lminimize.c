/*
** lminimize.c — slope.minimize(f, x0, opts) and slope.solver(f, x0, opts):
** the solver methods of the core (sl_min_methods[]: gd, cg, bfgs, lbfgs,
** newton_cg, trust_ncg) and any optimizer object (anything with
** step(self, x, g)) behind one step-wise solver; slope.minimize is a solver
** run to the end. The loop is the core's sl_solver_run_with; this file
** converts options, installs the hooks (lminimize_hooks.c), calls it and
** hands back the result (lminimize_result.c).
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "laux.h"
#include "lfd.h"
#include "llinesearch.h"
#include "lminimize.h"
#include "lobj.h"
#include "sl_minimize.h"

static lsolver *check_solver(lua_State *L, int arg) {
  lsolver *u = luaL_checkudata(L, arg, SL_SOLVER);
  if (u->closed || u->s == NULL) luaL_argerror(L, arg, "the solver is closed");
  return u;
}

static int solver_gc(lua_State *L) {
  lsolver *u = luaL_checkudata(L, 1, SL_SOLVER);
  sl_solver_free(u->s);
  u->s = NULL;
  u->closed = 1;
  return 0;
}

/* <close>: the method's memory goes now; x and g (which s.x and s.g views point
   into, and which the views keep alive through this userdata) go with __gc. */
static int solver_close(lua_State *L) {
  lsolver *u = luaL_checkudata(L, 1, SL_SOLVER);
  sl_solver_release(u->s);
  u->closed = 1;
  return 0;
}

static void set_uv(lua_State *L, int solver, int slot, int value) {
  lua_getiuservalue(L, solver, 1);
  lua_pushvalue(L, value);
  lua_rawseti(L, -2, slot);
  lua_pop(L, 1);
}

/* t[key] into the solver's uservalue slot */
static void set_uv_field(lua_State *L, int solver, int slot, int t, const char *key) {
  lua_getfield(L, t, key);
  set_uv(L, solver, slot, lua_gettop(L));
  lua_pop(L, 1);
}

/* ---- construction -------------------------------------------------------------- */

/* The userdata with its uservalue table (objective, callback, optimizer). */
static lsolver *push_userdata(lua_State *L, int objidx, int t, const lmin_opts *mo) {
  lsolver *u = lua_newuserdatauv(L, sizeof *u, 1);
  memset(u, 0, sizeof *u);
  luaL_setmetatable(L, SL_SOLVER);
  int sidx = lua_gettop(L);
  lua_createtable(L, UV_N, 0);
  lua_setiuservalue(L, sidx, 1);
  set_uv(L, sidx, UV_OBJ, objidx);
  set_uv_field(L, sidx, UV_CB, t, "callback");
  if (mo->is_opt) set_uv_field(L, sidx, UV_OPT, t, "method");
  u->history = mo->history;
  u->hist_x = mo->hist_x;
  u->disp = mo->disp;
  return u;
}

/* A placeholder until a run or a step installs the real one (sl_lmin_lua_stepper). */
static sl_status no_step(void *ctx, double *x, const double *g, size_t n, char *msg, size_t len) {
  (void)ctx, (void)x, (void)g, (void)n;
  snprintf(msg, len, "the optimizer object is not bound");
  return SL_EINVAL;
}

/* The core solver at x0; s.x and s.g as views of its point and gradient. */
static void make_core(lua_State *L, lsolver *u, int sidx, int t, sl_objective *o, const sl_vec *x0,
                      lmin_opts *mo, const char *fname) {
  sl_min_params p = mo->p;
  if (mo->lua_ls) {
    lua_getfield(L, t, "linesearch");
    set_uv(L, sidx, UV_LS, lua_gettop(L));
    u->luals.L = L;
    u->luals.fn = lua_gettop(L);
    sl_luals_setup(&p.ls, &u->luals);
    u->has_luals = 1;
  }
  lmin_run r = {L, u, sidx, 0, 0, 0, 0, 0, fname};
  if (mo->has_prox) { /* kept in the uservalue; called at x0 already */
    lua_getiuservalue(L, sidx, 1);
    lua_getfield(L, t, "prox");
    lua_setfield(L, -2, "prox");
    lua_pop(L, 1);
    p.prox = sl_lmin_lua_prox(&r);
  }
  if (mo->l1w_n && mo->l1w_n != o->dim)
    sl_error(L, fname, "l1 has %d weights, expected %d (one per coordinate of x0)", (int)mo->l1w_n,
             (int)o->dim);
  char msg[320];
  sl_status st;
  sl_min_stepper none = {no_step, NULL, NULL};
  u->s = sl_solver_new_stepper(o, x0->data, &p, &none, &st, msg, sizeof msg);
  if (u->s == NULL) sl_raise_status(L, fname, st, msg, SL_MSG_WHOLE);
  if (mo->lua_ls) {
    u->s->p.ls.ud = &u->luals; /* the copy inside the solver points at this userdata */
    lua_pop(L, 1);
  }
  sl_pushvecview(L, u->s->x, o->dim, sidx);
  set_uv(L, sidx, UV_X, lua_gettop(L));
  lua_pop(L, 1);
  sl_pushvecview(L, u->s->g, o->dim, sidx);
  set_uv(L, sidx, UV_G, lua_gettop(L));
  lua_pop(L, 1);
}

/* slope.solver(f, x0, opts) and the first half of slope.minimize. Pushes the solver. */
static lsolver *new_solver(lua_State *L, const char *fname) {
  sl_vec *x0 = sl_tovec(L, 2);
  int t = sl_opttable(L, 3);
  lua_settop(L, 3);
  sl_objective *o = sl_checkobjective(L, 1, x0->n, fname);
  int objidx = sl_testobj(L, 1) ? 1 : lua_gettop(L);
  sl_checkdim(L, 2, x0, o->dim, "x0");
  lmin_opts mo;
  sl_lmin_parse(L, t, &mo, fname);
  sl_lmin_bounds(L, t, &mo.p, o->dim, mo.is_opt, fname);
  sl_lmin_simplex(L, t, &mo, o->dim, fname);
  lsolver *u = push_userdata(L, objidx, t, &mo);
  make_core(L, u, lua_gettop(L), t, o, x0, &mo, fname);
  return u;
}

/* ---- stepping and running ----------------------------------------------------- */

/* Before a core call: the line search's function on the stack for the call, then
   everything pointed at this run (sl_lmin_rebind). */
static void bind(lmin_run *r) {
  if (r->u->has_luals) {
    sl_lmin_get_uv(r->L, r->sidx, UV_LS);
    r->ls = lua_gettop(r->L);
  }
  sl_lmin_rebind(r);
}

static int is_error(sl_status st) {
  return st < 0 && st != SL_ELINESEARCH && st != SL_ENONFINITE && st != SL_EINTERRUPTED;
}

/* After a core call: raise what a hook caught, then the failures that are
   errors (the others are results); clean the message. */
static void after_core(lua_State *L, lsolver *u, const lmin_run *r, int top, sl_status st) {
  if (r->err) {
    lua_pushvalue(L, r->err);
    lua_error(L);
  }
  lua_settop(L, top);
  sl_solver *s = u->s;
  sl_msg_clean(s->msg); /* results carry it too */
  if (!is_error(st)) return;
  /* a Lua objective's error passes through as it was raised; a Lua line search's
     failure is in the solver's own message: "fname: line search failed ..." */
  int from_obj = st == SL_ECALLBACK && s->o->msg[0];
  sl_raise_status(L, r->fname, from_obj || st != SL_ECALLBACK ? st : SL_EINVAL,
                  from_obj ? s->o->msg : s->msg, SL_MSG_WHOLE);
}

static int solver_step(lua_State *L) {
  static const char *fname = "slope.solver.step";
  lsolver *u = check_solver(L, 1);
  if (!lua_isnone(L, 2))
    return sl_error(L, fname,
                    "s:step() takes no arguments (got %s); s:run{maxiter = "
                    "n} runs several iterations",
                    luaL_typename(L, 2));
  lua_settop(L, 1);
  lmin_run r = {L, u, 1, 0, 0, 0, 0, 0, fname};
  bind(&r);
  sl_status st = sl_solver_step(u->s);
  after_core(L, u, &r, 1, st);
  sl_lmin_push_stepinfo(L, u, 1, st);
  return 1;
}

/* The run's message: the core's, a hint, and a note on approximate gradients. */
static void run_message(const sl_solver *s, sl_status st, char *buf, size_t len) {
  snprintf(buf, len, "%s%s", s->msg, sl_lmin_ls_hint(s, st));
  const char *approx = sl_obj_grad_approx(s->o);
  if (approx) {
    size_t n = strlen(buf);
    snprintf(buf + n, len - n,
             " (gradient by %s: the objective gives only its value; f(x, g) that fills g, "
             "or slope.obj.lua{grad = ...}, gives exact gradients; method = \"nelder_mead\" "
             "needs no gradient)",
             approx);
  }
  sl_msg_clean(buf);
}

/* What one run takes beyond the core's limits. */
typedef struct runopts {
  sl_min_run lim; /* maxiter, maxfev, maxtime */
  int history, hist_x, disp;
  int cb; /* stack index of the callback, 0: none */
} runopts;

/* Iterate until a stop reason (the core's loop); push the result table. */
static int run(lua_State *L, lsolver *u, int sidx, runopts *ro, const char *fname) {
  lmin_run r = {L, u, sidx, 0, ro->disp, ro->cb, 0, 0, fname};
  if (ro->history) r.hist = sl_lmin_new_history(L, u, ro->hist_x);
  ro->lim.stop = sl_interrupt_flag();
  sl_interrupt_clear();
  ro->lim.progress = sl_lmin_progress;
  ro->lim.ud = &r;
  int top = lua_gettop(L);
  bind(&r);
  sl_status st = sl_solver_run_with(u->s, &ro->lim);
  after_core(L, u, &r, top, st);
  if (u->s->stop == SL_STOP_FLAG) sl_interrupt_consumed(L);
  char buf[720];
  run_message(u->s, st, buf, sizeof buf);
  sl_lmin_push_result(L, u, r.hist, buf);
  if (ro->disp) {
    lua_getglobal(L, "print");
    lua_pushstring(L, buf);
    lua_call(L, 1, 0);
  }
  return 1;
}

/* The run options of a solver: its own unless t overrides them. */
static void run_defaults(runopts *ro, const lsolver *u) {
  sl_min_run_init(&ro->lim, u->s);
  ro->history = u->history;
  ro->hist_x = u->hist_x;
  ro->disp = u->disp;
  ro->cb = 0;
}

static int solver_run(lua_State *L) {
  static const char *fname = "slope.solver.run";
  lsolver *u = check_solver(L, 1);
  if (!lua_isnoneornil(L, 2) && !lua_istable(L, 2))
    return sl_error(L, fname, "options must be a table {maxiter=, ...}, got %s",
                    luaL_typename(L, 2));
  int t = sl_opttable(L, 2);
  static const char *const keys[] = {"maxiter", "maxfev",   "maxtime", "disp",
                                     "verbose", "callback", "history", NULL};
  sl_checkkeys(L, t, keys, fname);
  runopts ro;
  run_defaults(&ro, u);
  ro.lim.maxiter = sl_lmin_int(L, t, "maxiter", ro.lim.maxiter, 0, fname);
  ro.lim.maxfev = sl_lmin_int(L, t, "maxfev", ro.lim.maxfev, 0, fname);
  ro.lim.maxtime = sl_lmin_num(L, t, "maxtime", ro.lim.maxtime, fname);
  ro.disp = sl_lmin_bool(L, t, "disp", u->disp, fname);
  ro.disp = sl_lmin_bool(L, t, "verbose", ro.disp, fname);
  sl_lmin_history(L, t, &ro.history, &ro.hist_x, fname);
  lua_settop(L, 2);
  lua_getfield(L, 2, "callback");
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    sl_lmin_get_uv(L, 1, UV_CB);
  }
  if (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TFUNCTION)
    return sl_error(L, fname, "callback must be a function(info) -> stop, got %s",
                    luaL_typename(L, -1));
  ro.cb = lua_isnil(L, -1) ? 0 : lua_gettop(L);
  return run(L, u, 1, &ro, fname);
}

static int l_minimize(lua_State *L) {
  lsolver *u = new_solver(L, "slope.minimize");
  int sidx = lua_gettop(L);
  sl_lmin_get_uv(L, sidx, UV_CB);
  runopts ro;
  run_defaults(&ro, u);
  ro.cb = lua_isnil(L, -1) ? 0 : lua_gettop(L);
  return run(L, u, sidx, &ro, "slope.minimize");
}

static int l_solver(lua_State *L) {
  new_solver(L, "slope.solver");
  return 1;
}

/* s:state(): the method's memory */
static int solver_state(lua_State *L) {
  lsolver *u = check_solver(L, 1);
  lua_settop(L, 1);
  sl_lmin_push_state(L, u, 1);
  return 1;
}

static int solver_index(lua_State *L) {
  lsolver *u = check_solver(L, 1);
  const sl_solver *s = u->s;
  const char *k = luaL_checkstring(L, 2);
  if (strcmp(k, "x") == 0)
    sl_lmin_get_uv(L, 1, UV_X);
  else if (strcmp(k, "g") == 0)
    sl_lmin_get_uv(L, 1, UV_G);
  else if (strcmp(k, "f") == 0)
    lua_pushnumber(L, s->f);
  else if (strcmp(k, "gnorm") == 0)
    lua_pushnumber(L, s->gnorm);
  else if (strcmp(k, "nit") == 0)
    lua_pushinteger(L, s->nit);
  else if (strcmp(k, "method") == 0)
    lua_pushstring(L, s->m->name);
  else if (strcmp(k, "status") == 0)
    lua_pushstring(L, sl_solver_status_name(s));
  else if (strcmp(k, "message") == 0)
    lua_pushstring(L, s->msg);
  else {
    lua_pushvalue(L, 2);
    lua_rawget(L, lua_upvalueindex(1));
  }
  return 1;
}

static int solver_tostring(lua_State *L) {
  lsolver *u = check_solver(L, 1);
  lua_pushfstring(L, "solver %s (nit %I, f %f, max|g| %f)", u->s->m->name, (lua_Integer)u->s->nit,
                  u->s->f, u->s->gnorm);
  return 1;
}

static const sl_reg solver_methods[] = {
    {"step", solver_step, "s:step() -> info",
     "One iteration (no arguments): info = {nit, f, f_prev, gnorm, step, step_norm, x (a copy of "
     "the new point), direction, gd, linesearch (its record, with trials), restarted, skipped, "
     "status, message; cg: beta; trust_ncg: radius, rho, accepted; newton_cg, trust_ncg: "
     "inner_iters, inner_stop; owlqn, fista, prox_gd: f_smooth, nnz, trials (backtracking), "
     "lr and restarts (fista, prox_gd: step is the step t, direction the step over t); lm (no "
     "direction): par, ratio, gcos, trials; gauss_newton: rank}."},
    {"run", solver_run,
     "s:run{maxiter=, maxfev=, maxtime=, disp=, verbose=, callback=, history=} -> res",
     sl_lmin_run_doc},
    {"state", solver_state, "s:state() -> table",
     "The method's memory: lbfgs pairs s, y and rho (oldest first) and m; bfgs the inverse "
     "Hessian approximation H and scaled; cg beta, beta_rule and since_restart; trust_ncg "
     "radius; gd lr when fixed; owlqn its pairs, m, pseudo_grad and l1; fista and prox_gd lr "
     "(the step), theta and restarts (fista), l1; lm delta, par and diag; skipped (quasi-Newton "
     "updates skipped). An "
     "optimizer-object "
     "solver returns {optimizer}."},
    {NULL, NULL, NULL, NULL}};

int sl_open_minimize(lua_State *L, int slope) {
  sl_lmin_docs();
  const sl_reg min_funcs[] = {
      {"minimize", l_minimize,
       "slope.minimize(f, x0 [, {method=\"lbfgs\", gtol=1e-5, maxiter=1000, ...}]) -> res",
       sl_lmin_minimize_doc},
      {"solver", l_solver, "slope.solver(f, x0 [, opts]) -> s", sl_lmin_solver_doc},
      {NULL, NULL, NULL, NULL}};
  sl_setfuncs(L, slope, min_funcs, "slope");
  lua_newtable(L);
  int m = lua_gettop(L);
  sl_setfuncs(L, m, solver_methods, "slope.solver");
  luaL_newmetatable(L, SL_SOLVER);
  lua_pushvalue(L, m);
  lua_pushcclosure(L, solver_index, 1);
  lua_setfield(L, -2, "__index");
  const luaL_Reg meta[] = {{"__gc", solver_gc},
                           {"__close", solver_close},
                           {"__tostring", solver_tostring},
                           {NULL, NULL}};
  luaL_setfuncs(L, meta, 0);
  lua_pushvalue(L, m);
  lua_setfield(L, -2, "__methods");
  lua_pushliteral(L, "x g f gnorm nit method status message"); /* what solver_index answers */
  lua_setfield(L, -2, "__fields");
  lua_pop(L, 2);
  sl_settypehelp(L, SL_SOLVER, "slope.solver(f, x0 [, opts]) -> s", sl_lmin_solver_doc);
  return 0;
}
