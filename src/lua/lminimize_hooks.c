/*
** lminimize_hooks.c — what the core's run loop calls back into Lua for: an
** optimizer object's step(self, x, g) (the "optimizer" method's stepper),
** and the progress callback after each iteration (history row, disp line,
** the user's callback, which can stop the run). Each runs under lua_pcall:
** an error is kept on the stack (run->err), the core is told to stop
** (SL_ECALLBACK, or a cancel), and the binding raises it once the core has
** returned — no longjmp across core frames.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "laux.h"
#include "lminimize.h"
#include "lobj.h"

int sl_lmin_get_uv(lua_State *L, int solver, int slot) {
  lua_getiuservalue(L, solver, 1);
  int t = lua_rawgeti(L, -1, slot);
  lua_remove(L, -2);
  return t;
}

void sl_lmin_rebind(lmin_run *r) {
  lua_State *L = r->L;
  lsolver *u = r->u;
  sl_lmin_get_uv(L, r->sidx, UV_OBJ);
  sl_testobj(L, -1); /* binds a Lua objective to L */
  lua_pop(L, 1);
  if (u->has_luals) {
    u->luals.L = L;
    u->luals.fn = r->ls;
  }
  if (u->s->m->flags & SL_MINF_STEPPER) u->s->stepper = sl_lmin_lua_stepper(r);
  if (u->s->p.prox.fn) u->s->p.prox = sl_lmin_lua_prox(r);
}

/* ---- an optimizer object as a stepper ----------------------------------------- */

/* (run, opt, x, g): opt:step(x, g); a step that returns a new x instead of
   updating it has it copied into x. */
static int opt_step_body(lua_State *L) {
  const lmin_run *r = lua_touserdata(L, 1);
  sl_vec *x = sl_testvec(L, 3);
  lua_getfield(L, 2, "step");
  lua_pushvalue(L, 2);
  lua_pushvalue(L, 3);
  lua_pushvalue(L, 4);
  lua_call(L, 3, 1);
  sl_vec *xr = sl_testvec(L, -1);
  if (xr && xr->data != x->data) {
    if (xr->n != x->n)
      return sl_error(L, r->fname, "the optimizer's step returned a vec of length %I, expected %I",
                      (lua_Integer)xr->n, (lua_Integer)x->n);
    sl_vec_copy(x->n, x->data, xr->data);
  }
  return 0;
}

static sl_status opt_step(void *ctx, double *x, const double *g, size_t n, char *msg, size_t len) {
  lmin_run *r = ctx;
  lua_State *L = r->L;
  (void)x; /* the views UV_X and UV_G are x and g */
  (void)g;
  (void)n;
  int top = lua_gettop(L);
  luaL_checkstack(L, 8, NULL);
  lua_pushcfunction(L, opt_step_body);
  lua_pushlightuserdata(L, r);
  sl_lmin_get_uv(L, r->sidx, UV_OPT);
  sl_lmin_get_uv(L, r->sidx, UV_X);
  sl_lmin_get_uv(L, r->sidx, UV_G);
  if (lua_pcall(L, 4, 0, 0) != LUA_OK) {
    r->err = lua_gettop(L);
    snprintf(msg, len, "the optimizer's step raised an error");
    return SL_ECALLBACK;
  }
  sl_lmin_rebind(r);
  lua_settop(L, top);
  return SL_OK;
}

/* s:state() of an optimizer-object solver: {optimizer = the object} */
static void opt_state(void *ctx, const sl_min_visit *v) {
  lmin_run *r = ctx;
  (void)v;
  sl_lmin_get_uv(r->L, r->sidx, UV_OPT);
  lua_setfield(r->L, -2, "optimizer");
}

sl_min_stepper sl_lmin_lua_stepper(lmin_run *r) {
  sl_min_stepper st = {opt_step, opt_state, r};
  return st;
}

/* ---- a user's proximal operator ------------------------------------------------ */

/* (run, prox, x, step): x is a copy of the point; prox(x, step) updates it in
   place (returning nothing) or returns a vec of the same length. Leaves the
   result vec on the stack. */
static int prox_body(lua_State *L) {
  const lmin_run *r = lua_touserdata(L, 1);
  sl_vec *x = sl_testvec(L, 3);
  lua_pushvalue(L, 2);
  lua_pushvalue(L, 3);
  lua_pushvalue(L, 4);
  if (lua_pcall(L, 2, 1, 0) != LUA_OK)
    return sl_error(L, r->fname, "prox raised an error: %s",
                    lua_tostring(L, -1) ? lua_tostring(L, -1) : "(not a string)");
  sl_vec *xr = lua_isnil(L, -1) ? x : sl_testvec(L, -1);
  if (xr == NULL)
    return sl_error(L, r->fname,
                    "prox must update x in place (returning nothing) or return a vec of length "
                    "%I, got %s",
                    (lua_Integer)x->n, sl_typename(L, -1));
  if (xr->n != x->n)
    return sl_error(L, r->fname, "prox returned a vec of length %I, expected %I",
                    (lua_Integer)xr->n, (lua_Integer)x->n);
  for (size_t i = 0; i < xr->n; i++)
    if (!isfinite(xr->data[i])) {
      sl_pushnumber_str(L, xr->data[i]);
      return sl_error(L, r->fname, "prox returned a non-finite entry x[%I] = %s",
                      (lua_Integer)(i + 1), lua_tostring(L, -1));
    }
  lua_pushvalue(L, xr == x ? 3 : -1);
  return 1;
}

static sl_status lua_prox(void *ctx, double *x, size_t n, double step, char *msg, size_t len) {
  lmin_run *r = ctx;
  lua_State *L = r->L;
  int top = lua_gettop(L);
  luaL_checkstack(L, 8, NULL);
  lua_pushcfunction(L, prox_body);
  lua_pushlightuserdata(L, r);
  lua_getiuservalue(L, r->sidx, 1);
  lua_getfield(L, -1, "prox");
  lua_remove(L, -2);
  sl_lmin_push_copy(L, x, n);
  lua_pushnumber(L, step);
  if (lua_pcall(L, 4, 1, 0) != LUA_OK) {
    r->err = lua_gettop(L);
    snprintf(msg, len, "%s", lua_tostring(L, -1) ? lua_tostring(L, -1) : "prox failed");
    return SL_ECALLBACK;
  }
  sl_vec_copy(n, x, ((sl_vec *)lua_touserdata(L, -1))->data);
  if (r->u->s) sl_lmin_rebind(r);
  lua_settop(L, top);
  return SL_OK;
}

sl_min_prox sl_lmin_lua_prox(lmin_run *r) {
  sl_min_prox p = {lua_prox, r};
  return p;
}

/* ---- the progress callback -------------------------------------------------------- */

static void setnum(lua_State *L, const char *k, double v) {
  lua_pushnumber(L, v);
  lua_setfield(L, -2, k);
}

/* One line per iteration through the global print (so the REPL and
   redirections see it): "nit  f  max|g|  step". */
static void disp_line(lua_State *L, const sl_min_progress_info *it) {
  char buf[160];
  if (isnan(it->gnorm)) /* a method without gradients (nelder_mead) */
    snprintf(buf, sizeof buf, "%6ld  f = %-14.8g  step = %.4g", it->nit, it->f, it->step);
  else
    snprintf(buf, sizeof buf, "%6ld  f = %-14.8g  max|g| = %-10.4g  step = %.4g", it->nit, it->f,
             it->gnorm, it->step);
  sl_msg_clean(buf);
  lua_getglobal(L, "print");
  lua_pushstring(L, buf);
  lua_call(L, 1, 0);
}

/* callback(info) -> stop, info = {nit, f, gnorm, step, status, x, g} (copies) */
static int call_user(lua_State *L, int cb, const lmin_run *r, const sl_min_progress_info *it) {
  lua_pushvalue(L, cb);
  lua_createtable(L, 0, 7);
  lua_pushinteger(L, it->nit);
  lua_setfield(L, -2, "nit");
  setnum(L, "f", it->f);
  if (!isnan(it->gnorm)) setnum(L, "gnorm", it->gnorm); /* nelder_mead: no gradient */
  setnum(L, "step", it->step);
  lua_pushstring(L, sl_lmin_status_name(it->status));
  lua_setfield(L, -2, "status");
  sl_lmin_push_copy(L, it->x, it->n);
  lua_setfield(L, -2, "x");
  if (!isnan(it->gnorm)) {
    sl_lmin_push_copy(L, it->g, it->n);
    lua_setfield(L, -2, "g");
  }
  if (lua_pcall(L, 1, 1, 0) != LUA_OK)
    return sl_error(L, r->fname, "callback raised an error: %s",
                    lua_tostring(L, -1) ? lua_tostring(L, -1) : "(not a string)");
  int stop = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return stop;
}

/* (run, info, callback or nil, history or nil) -> stop */
static int progress_body(lua_State *L) {
  const lmin_run *r = lua_touserdata(L, 1);
  const sl_min_progress_info *it = lua_touserdata(L, 2);
  if (!lua_isnil(L, 4)) sl_lmin_push_hist(L, 4, r->u->s, it->step);
  if (r->disp) disp_line(L, it);
  lua_pushboolean(L, !lua_isnil(L, 3) && call_user(L, 3, r, it));
  return 1;
}

/* Failures the binding raises (the others are results: linesearch_failed, ...). */
static int is_error(sl_status st) {
  return st < 0 && st != SL_ELINESEARCH && st != SL_ENONFINITE && st != SL_EINTERRUPTED;
}

int sl_lmin_progress(void *ud, sl_solver *s, const sl_min_progress_info *it) {
  lmin_run *r = ud;
  lua_State *L = r->L;
  (void)s;
  if (r->err) return 1;               /* a hook failed: stop, the binding raises */
  if (is_error(it->status)) return 0; /* raised by the binding, before any output */
  if (!r->hist && !r->disp && !r->cb) return 0;
  int top = lua_gettop(L);
  luaL_checkstack(L, 8, NULL);
  lua_pushcfunction(L, progress_body);
  lua_pushlightuserdata(L, r);
  lua_pushlightuserdata(L, (void *)it);
  if (r->cb)
    lua_pushvalue(L, r->cb);
  else
    lua_pushnil(L);
  if (r->hist)
    lua_pushvalue(L, r->hist);
  else
    lua_pushnil(L);
  if (lua_pcall(L, 4, 1, 0) != LUA_OK) {
    r->err = lua_gettop(L);
    return 1;
  }
  int stop = lua_toboolean(L, -1);
  sl_lmin_rebind(r);
  lua_settop(L, top);
  return stop;
}
