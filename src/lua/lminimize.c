/*
** lminimize.c — slope.minimize(f, x0, opts) and slope.solver(f, x0, opts):
** full-batch methods of the core (gd, cg, bfgs, lbfgs, newton_cg, trust_ncg)
** and any optimizer object (anything with step(self, x, g)) behind one
** step-wise solver; slope.minimize is a solver run to the end.
** The loop runs in C; Lua is called only for a Lua objective, a Lua line
** search, an optimizer object, the callback and the history.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "laux.h"
#include "lfd.h"
#include "llinesearch.h"
#include "lminimize.h"
#include "lobj.h"
#include "sl_minimize.h"

#define SL_SOLVER "slope.solver"

/* uservalue slots of a solver */
enum { UV_OBJ = 1, UV_LS, UV_CB, UV_OPT, UV_X, UV_G, UV_XPREV, UV_N = UV_XPREV };

typedef struct lsolver {
  sl_solver *s; /* core solver; NULL for an optimizer object */
  int closed;   /* <close>d: no more steps; s.x/s.g views stay readable until __gc */
  sl_luals luals;
  int has_luals;
  int history, hist_x, disp;
  long maxiter, maxfev; /* nit and nfev limits (maxfev 0: none) */
  double maxtime;       /* seconds per run (0: none) */
  /* optimizer objects */
  sl_objective *o;
  sl_vec *x, *g, *xprev;
  double f, gnorm, gtol, step_norm, f_prev;
  long nit;
  unsigned long nfev0, ngev0, nhvp0;
  sl_status status;
  char msg[320];
} lsolver;

static lsolver *check_solver(lua_State *L, int arg) {
  lsolver *u = luaL_checkudata(L, arg, SL_SOLVER);
  if (u->closed || (u->s == NULL && u->o == NULL)) luaL_argerror(L, arg, "the solver is closed");
  return u;
}

static int solver_gc(lua_State *L) {
  lsolver *u = luaL_checkudata(L, 1, SL_SOLVER);
  sl_solver_free(u->s);
  u->s = NULL;
  u->o = NULL;
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

static int get_uv(lua_State *L, int solver, int slot) {
  lua_getiuservalue(L, solver, 1);
  int t = lua_rawgeti(L, -1, slot);
  lua_remove(L, -2);
  return t;
}

static int raise_failure(lua_State *L, const char *fname, sl_status st, const char *msg);

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
  sl_min_params p = mo.p;
  int is_opt = mo.is_opt, lua_ls = mo.lua_ls;
  lsolver *u = lua_newuserdatauv(L, sizeof *u, 1);
  memset(u, 0, sizeof *u);
  luaL_setmetatable(L, SL_SOLVER);
  int sidx = lua_gettop(L);
  lua_createtable(L, UV_N, 0);
  lua_setiuservalue(L, sidx, 1);
  set_uv(L, sidx, UV_OBJ, objidx);
  u->history = mo.history;
  u->hist_x = mo.hist_x;
  u->disp = mo.disp;
  u->maxiter = p.maxiter;
  u->maxfev = mo.maxfev;
  u->maxtime = mo.maxtime;
  lua_getfield(L, t, "callback");
  set_uv(L, sidx, UV_CB, lua_gettop(L));
  lua_pop(L, 1);
  if (is_opt) {
    lua_getfield(L, t, "method");
    set_uv(L, sidx, UV_OPT, lua_gettop(L));
    lua_pop(L, 1);
    u->o = o;
    u->gtol = p.gtol;
    u->nfev0 = o->nfev;
    u->ngev0 = o->ngev;
    u->nhvp0 = o->nhvp;
    sl_vec *vs[3];
    for (int k = 0; k < 3; k++) {
      vs[k] = sl_newvec(L, o->dim);
      set_uv(L, sidx, UV_X + k, lua_gettop(L));
      lua_pop(L, 1);
    }
    u->x = vs[0];
    u->g = vs[1];
    u->xprev = vs[2];
    sl_vec_copy(o->dim, u->x->data, x0->data);
    o->msg[0] = '\0';
    sl_status st = sl_obj_fg(o, u->x->data, &u->f, u->g->data);
    if (st < 0) raise_failure(L, fname, st, o->msg);
    if (!isfinite(u->f) || !sl_vec_isfinite(o->dim, u->g->data)) {
      sl_pushnumber_str(L, u->f);
      sl_error(L, fname,
               "f(x0) = %s or its gradient is not finite: start from a point where f is defined",
               lua_tostring(L, -1));
    }
    u->gnorm = sl_vec_nrminf(o->dim, u->g->data);
    return u;
  }
  if (lua_ls) {
    lua_getfield(L, t, "linesearch");
    set_uv(L, sidx, UV_LS, lua_gettop(L));
    u->luals.L = L;
    u->luals.fn = lua_gettop(L);
    sl_luals_setup(&p.ls, &u->luals);
    u->has_luals = 1;
  }
  char msg[320];
  sl_status st;
  u->s = sl_solver_new(o, x0->data, &p, &st, msg, sizeof msg);
  if (u->s == NULL) raise_failure(L, fname, st, msg);
  if (lua_ls) {
    u->s->p.ls.ud = &u->luals; /* the copy inside the solver points at this userdata */
    lua_pop(L, 1);
  }
  sl_pushvecview(L, u->s->x, o->dim, sidx);
  set_uv(L, sidx, UV_X, lua_gettop(L));
  lua_pop(L, 1);
  sl_pushvecview(L, u->s->g, o->dim, sidx);
  set_uv(L, sidx, UV_G, lua_gettop(L));
  lua_pop(L, 1);
  return u;
}

static int raise_failure(lua_State *L, const char *fname, sl_status st, const char *msg) {
  if (st == SL_ECALLBACK) return luaL_error(L, "%s", msg && msg[0] ? msg : "a Lua callback failed");
  char buf[400];
  snprintf(buf, sizeof buf, "%s", msg ? msg : "");
  sl_msg_clean(buf);
  if (buf[0]) return sl_error(L, fname, "%s", buf);
  return sl_status_error(L, fname, st, NULL);
}

/* Before a core call: point Lua-calling parts at this state and frame. Pushes 1-2 values. */
static void bind(lua_State *L, lsolver *u, int sidx) {
  get_uv(L, sidx, UV_OBJ);
  sl_testobj(L, -1); /* binds a Lua objective to L */
  if (u->has_luals) {
    get_uv(L, sidx, UV_LS);
    u->luals.L = L;
    u->luals.fn = lua_gettop(L);
  }
}

static int is_error(sl_status st) {
  return st < 0 && st != SL_ELINESEARCH && st != SL_ENONFINITE && st != SL_EINTERRUPTED;
}

/* One iteration of either kind. Returns the status (errors raised). */
static sl_status do_step(lua_State *L, lsolver *u, int sidx, const char *fname) {
  int top = lua_gettop(L);
  if (u->s) {
    bind(L, u, sidx);
    sl_status st = sl_solver_step(u->s);
    lua_settop(L, top);
    if (st == SL_ECALLBACK && u->s->o->msg[0]) return luaL_error(L, "%s", u->s->o->msg);
    sl_msg_clean(u->s->msg);
    if (is_error(st)) sl_error(L, fname, "%s", u->s->msg);
    return st;
  }
  size_t n = u->o->dim;
  get_uv(L, sidx, UV_OPT);
  int opt = lua_gettop(L);
  lua_getfield(L, opt, "step");
  lua_pushvalue(L, opt);
  get_uv(L, sidx, UV_X);
  get_uv(L, sidx, UV_G);
  sl_vec_copy(n, u->xprev->data, u->x->data);
  lua_call(L, 3, 1);
  sl_vec *xr = sl_testvec(L, -1); /* a step that returns a new x instead of updating it */
  if (xr && xr->data != u->x->data) {
    if (xr->n != n)
      return sl_error(L, fname, "the optimizer's step returned a vec of length %I, expected %I",
                      (lua_Integer)xr->n, (lua_Integer)n);
    sl_vec_copy(n, u->x->data, xr->data);
  }
  lua_settop(L, top);
  bind(L, u, sidx);
  lua_settop(L, top);
  u->f_prev = u->f;
  u->o->msg[0] = '\0';
  sl_status st = sl_obj_fg(u->o, u->x->data, &u->f, u->g->data);
  if (st < 0) raise_failure(L, fname, st, u->o->msg);
  u->nit++;
  u->step_norm = 0.0;
  for (size_t i = 0; i < n; i++)
    u->step_norm = fmax(u->step_norm, fabs(u->x->data[i] - u->xprev->data[i]));
  u->msg[0] = '\0';
  if (!isfinite(u->f) || !sl_vec_isfinite(n, u->g->data)) {
    snprintf(u->msg, sizeof u->msg, "f = %g or its gradient is not finite after step %ld", u->f,
             u->nit);
    sl_msg_clean(u->msg);
    return u->status = SL_ENONFINITE;
  }
  u->gnorm = sl_vec_nrminf(n, u->g->data);
  if (u->gnorm <= u->gtol) {
    snprintf(u->msg, sizeof u->msg, "converged: max|g| = %.3g <= gtol = %g", u->gnorm, u->gtol);
    return u->status = SL_CONVERGED_GTOL;
  }
  return u->status = SL_OK;
}

/* What a line search failing at the first iteration most often means. */
static const char *ls_hint(const lsolver *u, sl_status st) {
  if (st != SL_ELINESEARCH || u->s == NULL || u->s->nit != 0 || sl_obj_grad_approx(u->s->o))
    return "";
  return " (a line search that fails at the first iteration usually means that the gradient "
         "does not match f: compare them with slope.check.grad(f, x0))";
}

static double cur_f(const lsolver *u) { return u->s ? u->s->f : u->f; }
static double cur_gnorm(const lsolver *u) { return u->s ? u->s->gnorm : u->gnorm; }
static long cur_nit(const lsolver *u) { return u->s ? u->s->nit : u->nit; }
static const char *cur_msg(const lsolver *u) { return u->s ? u->s->msg : u->msg; }
static double cur_step(const lsolver *u) { return u->s ? u->s->info.step_norm : u->step_norm; }

/* A fresh vec holding a copy of n doubles (callbacks and histories keep
   their own: s.x is a live view, stored views would all show the last point). */
static void push_copy(lua_State *L, const double *d, size_t n) {
  sl_vec *v = sl_newvec(L, n);
  sl_vec_copy(n, v->data, d);
}

static size_t cur_n(const lsolver *u) { return u->s ? u->s->n : u->o->dim; }
static const double *cur_x(const lsolver *u) { return u->s ? u->s->x : u->x->data; }
static const double *cur_g(const lsolver *u) { return u->s ? u->s->g : u->g->data; }
static sl_objective *cur_obj(const lsolver *u) { return u->s ? u->s->o : u->o; }
static double cur_gtol(const lsolver *u) { return u->s ? u->s->p.gtol : u->gtol; }
static unsigned long cur_nfev(const lsolver *u) {
  return u->s ? sl_solver_nfev(u->s) : u->o->nfev - u->nfev0;
}
static double cur_a(const lsolver *u) { return u->s ? u->s->info.a : cur_step(u); }

static void setnum(lua_State *L, const char *k, double v) {
  lua_pushnumber(L, v);
  lua_setfield(L, -2, k);
}
static void setint(lua_State *L, const char *k, long v) {
  lua_pushinteger(L, v);
  lua_setfield(L, -2, k);
}
static void setbool(lua_State *L, const char *k, int v) {
  lua_pushboolean(L, v);
  lua_setfield(L, -2, k);
}
static void setstr(lua_State *L, const char *k, const char *v) {
  lua_pushstring(L, v);
  lua_setfield(L, -2, k);
}

static const char *status_name(sl_status st) { return st == SL_OK ? "ok" : sl_status_name(st); }

/* The table s:step() returns. */
static void push_stepinfo(lua_State *L, lsolver *u, sl_status st) {
  lua_createtable(L, 0, 16);
  setint(L, "nit", cur_nit(u));
  setnum(L, "f", cur_f(u));
  setnum(L, "gnorm", cur_gnorm(u));
  setstr(L, "status", status_name(st));
  lua_pushfstring(L, "%s%s", cur_msg(u), ls_hint(u, st));
  lua_setfield(L, -2, "message");
  setnum(L, "step_norm", cur_step(u));
  push_copy(L, cur_x(u), cur_n(u));
  lua_setfield(L, -2, "x");
  if (u->s == NULL) {
    setnum(L, "f_prev", u->f_prev);
    return;
  }
  const sl_step_info *in = &u->s->info;
  size_t n = u->s->n;
  setnum(L, "f_prev", in->f_prev);
  setnum(L, "step", in->a);
  setnum(L, "gd", in->gd);
  sl_vec *d = sl_newvec(L, n);
  sl_vec_copy(n, d->data, u->s->d);
  lua_setfield(L, -2, "direction");
  if (in->ls_used) {
    sl_push_lsinfo(L, &in->ls);
    lua_setfield(L, -2, "linesearch");
  }
  setbool(L, "restarted", in->restarted);
  setbool(L, "skipped", in->skipped);
  switch (u->s->p.method) {
  case SL_MIN_CG: setnum(L, "beta", in->beta); break;
  case SL_MIN_TRUST_NCG:
    setnum(L, "radius", in->radius);
    setnum(L, "rho", in->rho);
    setbool(L, "accepted", in->accepted);
    /* fallthrough */
  case SL_MIN_NEWTON_CG:
    setint(L, "inner_iters", in->inner_iters);
    setstr(L, "inner_stop", in->inner_stop);
    break;
  default: break;
  }
}

static int solver_step(lua_State *L) {
  lsolver *u = check_solver(L, 1);
  if (!lua_isnone(L, 2))
    return sl_error(L, "slope.solver.step",
                    "s:step() takes no arguments (got %s); s:run{maxiter = "
                    "n} runs several iterations",
                    luaL_typename(L, 2));
  lua_settop(L, 1);
  sl_status st = do_step(L, u, 1, "slope.solver.step");
  push_stepinfo(L, u, st);
  return 1;
}

static void push_hist(lua_State *L, int hist, const lsolver *u, double step) {
  lua_getfield(L, hist, "f");
  lua_Integer k = (lua_Integer)lua_rawlen(L, -1) + 1;
  lua_pop(L, 1);
  const char *names[3] = {"f", "gnorm", "step"};
  double v[3] = {cur_f(u), cur_gnorm(u), step};
  for (int i = 0; i < 3; i++) {
    lua_getfield(L, hist, names[i]);
    lua_pushnumber(L, v[i]);
    lua_rawseti(L, -2, k);
    lua_pop(L, 1);
  }
  if (lua_getfield(L, hist, "x") == LUA_TTABLE) {
    push_copy(L, cur_x(u), cur_n(u));
    lua_rawseti(L, -2, k);
  }
  lua_pop(L, 1);
}

/* One line per iteration through the global print (so the REPL and
   redirections see it): "nit  f  max|g|  step". */
static void disp_line(lua_State *L, const lsolver *u) {
  char buf[160];
  snprintf(buf, sizeof buf, "%6ld  f = %-14.8g  max|g| = %-10.4g  step = %.4g", cur_nit(u),
           cur_f(u), cur_gnorm(u), cur_a(u));
  sl_msg_clean(buf);
  lua_getglobal(L, "print");
  lua_pushstring(L, buf);
  lua_call(L, 1, 0);
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct runopts {
  long maxiter, maxfev; /* nit and evaluation limits (maxfev 0: none) */
  double maxtime;       /* seconds (0: none) */
  int history, hist_x, disp;
  int cb; /* stack index of the callback, 0: none */
} runopts;

/* Iterate until a stop reason; push the result table (scipy's fields too). */
static int run(lua_State *L, lsolver *u, int sidx, const runopts *ro, const char *fname) {
  int hist = 0;
  if (ro->history) {
    lua_createtable(L, 0, 4);
    hist = lua_gettop(L);
    const char *cols[4] = {"f", "gnorm", "step", "x"};
    for (int i = 0; i < (ro->hist_x ? 4 : 3); i++) {
      lua_newtable(L);
      lua_setfield(L, hist, cols[i]);
    }
    push_hist(L, hist, u, 0.0);
  }
  sl_stopflag *flag = sl_interrupt_flag();
  sl_interrupt_clear();
  sl_status st = SL_OK;
  const char *stopname = NULL; /* a stop reason the core has no status for */
  char buf[720];
  buf[0] = '\0';
  double t0 = now();
  long nit0 = cur_nit(u);
  if (cur_gnorm(u) <= cur_gtol(u)) {
    st = SL_CONVERGED_GTOL;
    snprintf(buf, sizeof buf, "converged: max|g| = %.3g <= gtol = %g at the start", cur_gnorm(u),
             cur_gtol(u));
  }
  while (st == SL_OK) {
    if (cur_nit(u) >= ro->maxiter) {
      st = SL_MAXITER;
      if (cur_nit(u) == nit0 && nit0 > 0)
        snprintf(buf, sizeof buf,
                 "maxiter = %ld was already reached (nit = %ld): give a larger maxiter to go on",
                 ro->maxiter, cur_nit(u));
      else
        snprintf(buf, sizeof buf,
                 "stopped at maxiter = %ld iterations with max|g| = %.3g > gtol = %g", ro->maxiter,
                 cur_gnorm(u), cur_gtol(u));
      break;
    }
    if (ro->maxfev > 0 && cur_nfev(u) >= (unsigned long)ro->maxfev) {
      stopname = "maxfev";
      snprintf(buf, sizeof buf,
               "stopped after %lu evaluations (maxfev = %ld) at iteration %ld with max|g| = %.3g",
               cur_nfev(u), ro->maxfev, cur_nit(u), cur_gnorm(u));
      break;
    }
    if (ro->maxtime > 0 && now() - t0 >= ro->maxtime) {
      stopname = "maxtime";
      snprintf(buf, sizeof buf,
               "stopped after %.3g s (maxtime = %g) at iteration %ld with max|g| = %.3g",
               now() - t0, ro->maxtime, cur_nit(u), cur_gnorm(u));
      break;
    }
    if (SL_STOPPED(flag)) {
      sl_interrupt_consumed(L);
      st = SL_EINTERRUPTED;
      snprintf(buf, sizeof buf, "interrupted at iteration %ld", cur_nit(u));
      break;
    }
    st = do_step(L, u, sidx, fname);
    if (ro->history) push_hist(L, hist, u, cur_a(u));
    if (ro->disp) disp_line(L, u);
    if (ro->cb) {
      lua_pushvalue(L, ro->cb);
      lua_createtable(L, 0, 7);
      setint(L, "nit", cur_nit(u));
      setnum(L, "f", cur_f(u));
      setnum(L, "gnorm", cur_gnorm(u));
      setnum(L, "step", cur_a(u));
      setstr(L, "status", status_name(st));
      push_copy(L, cur_x(u), cur_n(u));
      lua_setfield(L, -2, "x");
      push_copy(L, cur_g(u), cur_n(u));
      lua_setfield(L, -2, "g");
      if (lua_pcall(L, 1, 1, 0) != LUA_OK)
        return sl_error(L, fname, "callback raised an error: %s",
                        lua_tostring(L, -1) ? lua_tostring(L, -1) : "(not a string)");
      int stop = lua_toboolean(L, -1);
      lua_pop(L, 1);
      if (stop && st == SL_OK) {
        stopname = "callback";
        snprintf(buf, sizeof buf, "stopped by the callback at iteration %ld", cur_nit(u));
        break;
      }
    }
  }
  if (buf[0] == '\0') snprintf(buf, sizeof buf, "%s%s", cur_msg(u), ls_hint(u, st));
  const char *approx = sl_obj_grad_approx(cur_obj(u));
  if (approx) {
    size_t len = strlen(buf);
    snprintf(buf + len, sizeof buf - len,
             " (gradient by %s: the objective gives only its value; f(x, g) that fills g, "
             "or slope.obj.lua{grad = ...}, gives exact gradients)",
             approx);
  }
  sl_msg_clean(buf);
  /* result */
  size_t n = cur_n(u);
  sl_objective *o = cur_obj(u);
  const char *status = stopname ? stopname : sl_status_name(st);
  lua_createtable(L, 0, 20);
  push_copy(L, cur_x(u), n);
  lua_setfield(L, -2, "x");
  setnum(L, "f", cur_f(u));
  setnum(L, "fun", cur_f(u));
  push_copy(L, cur_g(u), n);
  lua_setfield(L, -2, "jac");
  if (approx) setstr(L, "jac_approx", approx);
  setnum(L, "gnorm", cur_gnorm(u));
  setint(L, "nit", cur_nit(u));
  setint(L, "nfev", (long)cur_nfev(u));
  setint(L, "ngev", (long)(u->s ? sl_solver_ngev(u->s) : o->ngev - u->ngev0));
  setint(L, "nhvp", (long)(u->s ? sl_solver_nhvp(u->s) : o->nhvp - u->nhvp0));
  setint(L, "skipped", u->s ? u->s->skipped : 0);
  setstr(L, "status", status);
  setbool(L, "success", strncmp(status, "converged", 9) == 0);
  setstr(L, "message", buf);
  setstr(L, "method", u->s ? sl_min_name(u->s->p.method) : "optimizer");
  if (ro->history) {
    lua_pushvalue(L, hist);
    lua_setfield(L, -2, "history");
  }
  if (ro->disp) {
    lua_getglobal(L, "print");
    lua_pushstring(L, buf);
    lua_call(L, 1, 0);
  }
  return 1;
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
  runopts ro = {u->maxiter, u->maxfev, u->maxtime, u->history, u->hist_x, u->disp, 0};
  ro.maxiter = sl_lmin_int(L, t, "maxiter", u->maxiter, 0, fname);
  ro.maxfev = sl_lmin_int(L, t, "maxfev", u->maxfev, 0, fname);
  ro.maxtime = sl_lmin_num(L, t, "maxtime", u->maxtime, fname);
  ro.disp = sl_lmin_bool(L, t, "disp", u->disp, fname);
  ro.disp = sl_lmin_bool(L, t, "verbose", ro.disp, fname);
  sl_lmin_history(L, t, &ro.history, &ro.hist_x, fname);
  lua_settop(L, 2);
  lua_getfield(L, 2, "callback");
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    get_uv(L, 1, UV_CB);
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
  get_uv(L, sidx, UV_CB);
  runopts ro = {u->maxiter, u->maxfev, u->maxtime, u->history, u->hist_x, u->disp, 0};
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
  lua_createtable(L, 0, 4);
  if (u->s == NULL) {
    get_uv(L, 1, UV_OPT);
    lua_setfield(L, -2, "optimizer");
    return 1;
  }
  sl_solver *s = u->s;
  size_t n = s->n;
  setstr(L, "method", sl_min_name(s->p.method));
  switch (s->p.method) {
  case SL_MIN_LBFGS: {
    lua_createtable(L, s->mlen, 0);
    lua_createtable(L, s->mlen, 0);
    lua_createtable(L, s->mlen, 0);
    for (int k = 0; k < s->mlen; k++) { /* oldest first */
      int j = (s->mhead - s->mlen + k + s->p.m) % s->p.m;
      sl_vec *sv = sl_newvec(L, n);
      sl_vec_copy(n, sv->data, s->S + (size_t)j * n);
      lua_rawseti(L, -4, k + 1);
      sl_vec *yv = sl_newvec(L, n);
      sl_vec_copy(n, yv->data, s->Y + (size_t)j * n);
      lua_rawseti(L, -3, k + 1);
      lua_pushnumber(L, s->rho[j]);
      lua_rawseti(L, -2, k + 1);
    }
    lua_setfield(L, -4, "rho");
    lua_setfield(L, -3, "y");
    lua_setfield(L, -2, "s");
    setint(L, "m", s->p.m);
    break;
  }
  case SL_MIN_BFGS: {
    sl_mat *h = sl_newmat(L, n, n);
    memcpy(h->data, s->H, n * n * sizeof(double));
    lua_setfield(L, -2, "H");
    setbool(L, "scaled", s->H_init);
    break;
  }
  case SL_MIN_CG:
    setnum(L, "beta", s->beta);
    setstr(L, "beta_rule", sl_cg_beta_name(s->p.beta));
    setint(L, "since_restart", s->since_restart);
    break;
  case SL_MIN_TRUST_NCG: setnum(L, "radius", s->radius); break;
  case SL_MIN_GD:
    if (s->p.lr > 0) setnum(L, "lr", s->p.lr);
    break;
  default: break;
  }
  setint(L, "skipped", s->skipped);
  return 1;
}

static int solver_index(lua_State *L) {
  lsolver *u = check_solver(L, 1);
  const char *k = luaL_checkstring(L, 2);
  if (strcmp(k, "x") == 0) {
    get_uv(L, 1, UV_X);
    return 1;
  }
  if (strcmp(k, "g") == 0) {
    get_uv(L, 1, UV_G);
    return 1;
  }
  if (strcmp(k, "f") == 0) {
    lua_pushnumber(L, cur_f(u));
    return 1;
  }
  if (strcmp(k, "gnorm") == 0) {
    lua_pushnumber(L, cur_gnorm(u));
    return 1;
  }
  if (strcmp(k, "nit") == 0) {
    lua_pushinteger(L, cur_nit(u));
    return 1;
  }
  if (strcmp(k, "method") == 0) {
    lua_pushstring(L, u->s ? sl_min_name(u->s->p.method) : "optimizer");
    return 1;
  }
  if (strcmp(k, "status") == 0) {
    lua_pushstring(L, status_name(u->s ? u->s->status : u->status));
    return 1;
  }
  if (strcmp(k, "message") == 0) {
    lua_pushstring(L, cur_msg(u));
    return 1;
  }
  lua_pushvalue(L, 2);
  lua_rawget(L, lua_upvalueindex(1));
  return 1;
}

static int solver_tostring(lua_State *L) {
  lsolver *u = check_solver(L, 1);
  lua_pushfstring(L, "solver %s (nit %I, f %f, max|g| %f)",
                  u->s ? sl_min_name(u->s->p.method) : "optimizer", (lua_Integer)cur_nit(u),
                  cur_f(u), cur_gnorm(u));
  return 1;
}

static const sl_reg min_funcs[] = {
    {"minimize", l_minimize,
     "slope.minimize(f, x0 [, {method=\"lbfgs\", gtol=1e-5, maxiter=1000, ...}]) -> res",
     sl_lmin_minimize_doc},
    {"solver", l_solver, "slope.solver(f, x0 [, opts]) -> s", sl_lmin_solver_doc},
    {NULL, NULL, NULL, NULL}};

static const sl_reg solver_methods[] = {
    {"step", solver_step, "s:step() -> info",
     "One iteration (no arguments): info = {nit, f, f_prev, gnorm, step, step_norm, x (a copy of "
     "the new point), direction, gd, linesearch (its record, with trials), restarted, skipped, "
     "status, message; cg: beta; trust_ncg: radius, rho, accepted; newton_cg, trust_ncg: "
     "inner_iters, inner_stop}."},
    {"run", solver_run,
     "s:run{maxiter=, maxfev=, maxtime=, disp=, verbose=, callback=, history=} -> res",
     sl_lmin_run_doc},
    {"state", solver_state, "s:state() -> table",
     "The method's memory: lbfgs pairs s, y and rho (oldest first) and m; bfgs the inverse "
     "Hessian approximation H and scaled; cg beta, beta_rule and since_restart; trust_ncg "
     "radius; gd lr when fixed; skipped (quasi-Newton updates skipped). An optimizer-object "
     "solver returns {optimizer}."},
    {NULL, NULL, NULL, NULL}};

int sl_open_minimize(lua_State *L, int slope) {
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
