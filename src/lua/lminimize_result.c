/*
** lminimize_result.c — the tables slope.minimize and a solver hand back: the
** result of a run (scipy's fields too), s:step()'s record, s:state() and the
** history. What a method reports beyond the shared fields comes through the
** core's visitor (sl_min_info, sl_min_state), so no list of methods here.
*/
#include <stdio.h>
#include <string.h>

#include "laux.h"
#include "lfd.h"
#include "lminimize.h"
#include "min_bounds.h"
#include "sl_residuals.h"

void sl_lmin_push_copy(lua_State *L, const double *d, size_t n) {
  sl_vec *v = sl_newvec(L, n);
  sl_vec_copy(n, v->data, d);
}

const char *sl_lmin_status_name(sl_status st) { return st == SL_OK ? "ok" : sl_status_name(st); }

const char *sl_lmin_ls_hint(const sl_solver *s, sl_status st) {
  if (st != SL_ELINESEARCH || s->nit != 0 || sl_obj_grad_approx(s->o)) return "";
  return " (a line search that fails at the first iteration usually means that the gradient "
         "does not match f: compare them with slope.check.grad(f, x0))";
}

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

/* ---- the core's visitor, writing into the table on top of the stack ------------- */

typedef struct lvisit {
  lua_State *L;
  const char *list; /* name of the list being filled */
  lua_Integer k;    /* its length so far */
} lvisit;

/* the value on top goes to field name, or appended to the open list */
static void put(lvisit *lv, const char *name) {
  if (name)
    lua_setfield(lv->L, -2, name);
  else
    lua_rawseti(lv->L, -2, ++lv->k);
}

static void v_num(void *c, const char *name, double v) {
  lua_pushnumber(((lvisit *)c)->L, v);
  put(c, name);
}
static void v_int(void *c, const char *name, long v) {
  lua_pushinteger(((lvisit *)c)->L, v);
  put(c, name);
}
static void v_bool(void *c, const char *name, int v) {
  lua_pushboolean(((lvisit *)c)->L, v);
  put(c, name);
}
static void v_str(void *c, const char *name, const char *v) {
  lua_pushstring(((lvisit *)c)->L, v);
  put(c, name);
}
static void v_vec(void *c, const char *name, const double *v, size_t n) {
  sl_lmin_push_copy(((lvisit *)c)->L, v, n);
  put(c, name);
}
static void v_mat(void *c, const char *name, const double *a, size_t rows, size_t cols) {
  sl_mat *m = sl_newmat(((lvisit *)c)->L, rows, cols);
  memcpy(m->data, a, rows * cols * sizeof(double));
  put(c, name);
}
static void v_list(void *c, const char *name, size_t count) {
  lvisit *lv = c;
  lua_createtable(lv->L, (int)count, 0);
  lv->list = name;
  lv->k = 0;
}
static void v_end(void *c) {
  lvisit *lv = c;
  lua_setfield(lv->L, -2, lv->list);
  lv->list = NULL;
}

static sl_min_visit visitor(lvisit *lv, lua_State *L) {
  lv->L = L;
  lv->list = NULL;
  lv->k = 0;
  sl_min_visit v = {lv, v_num, v_int, v_bool, v_str, v_vec, v_mat, v_list, v_end};
  return v;
}

/* ---- tables ------------------------------------------------------------------------ */

void sl_lmin_push_stepinfo(lua_State *L, lsolver *u, int sidx, sl_status st) {
  const sl_solver *s = u->s;
  const sl_step_info *in = &s->info;
  (void)sidx;
  lua_createtable(L, 0, 16);
  setint(L, "nit", s->nit);
  setnum(L, "f", s->f);
  if (!(s->m->flags & SL_MINF_NOGRAD)) setnum(L, "gnorm", s->gnorm);
  setstr(L, "status", sl_lmin_status_name(st));
  lua_pushfstring(L, "%s%s", s->msg, sl_lmin_ls_hint(s, st));
  lua_setfield(L, -2, "message");
  setnum(L, "step_norm", in->step_norm);
  sl_lmin_push_copy(L, s->x, s->n);
  lua_setfield(L, -2, "x");
  setnum(L, "f_prev", in->f_prev);
  if (!(s->m->flags &
        SL_MINF_DIRECTION)) { /* no direction: only the method's own record (lm, nelder_mead) */
    lvisit lv0;
    sl_min_visit v0 = visitor(&lv0, L);
    sl_min_info(s, &v0);
    return;
  }
  setnum(L, "step", in->a);
  setnum(L, "gd", in->gd);
  sl_lmin_push_copy(L, s->d, s->n);
  lua_setfield(L, -2, "direction");
  if (in->ls_used) {
    sl_push_lsinfo(L, &in->ls);
    lua_setfield(L, -2, "linesearch");
  }
  setbool(L, "restarted", in->restarted);
  setbool(L, "skipped", in->skipped);
  lvisit lv;
  sl_min_visit v = visitor(&lv, L);
  sl_min_info(s, &v);
}

void sl_lmin_push_state(lua_State *L, lsolver *u, int sidx) {
  sl_solver *s = u->s;
  lua_createtable(L, 0, 4);
  lmin_run r = {L, u, sidx, 0, 0, 0, 0, 0, "slope.solver.state"};
  if (s->m->flags & SL_MINF_STEPPER)
    s->stepper = sl_lmin_lua_stepper(&r);
  else
    setstr(L, "method", s->m->name);
  lvisit lv;
  sl_min_visit v = visitor(&lv, L);
  sl_min_state(s, &v);
  if (!(s->m->flags & SL_MINF_STEPPER)) setint(L, "skipped", s->skipped);
}

void sl_lmin_push_hist(lua_State *L, int hist, const sl_solver *s, double step) {
  lua_getfield(L, hist, "f");
  lua_Integer k = (lua_Integer)lua_rawlen(L, -1) + 1;
  lua_pop(L, 1);
  const char *names[3] = {"f", "gnorm", "step"};
  double v[3] = {s->f, s->gnorm, step};
  for (int i = 0; i < 3; i++) {
    lua_getfield(L, hist, names[i]);
    lua_pushnumber(L, v[i]);
    lua_rawseti(L, -2, k);
    lua_pop(L, 1);
  }
  if (lua_getfield(L, hist, "x") == LUA_TTABLE) {
    sl_lmin_push_copy(L, s->x, s->n);
    lua_rawseti(L, -2, k);
  }
  lua_pop(L, 1);
}

int sl_lmin_new_history(lua_State *L, lsolver *u, int hist_x) {
  lua_createtable(L, 0, 4);
  int hist = lua_gettop(L);
  const char *cols[4] = {"f", "gnorm", "step", "x"};
  for (int i = 0; i < (hist_x ? 4 : 3); i++) {
    lua_newtable(L);
    lua_setfield(L, hist, cols[i]);
  }
  sl_lmin_push_hist(L, hist, u->s, 0.0);
  return hist;
}

void sl_lmin_push_result(lua_State *L, lsolver *u, int hist, const char *msg) {
  const sl_solver *s = u->s;
  const char *approx = sl_obj_grad_approx(s->o);
  const char *status = sl_solver_status_name(s);
  lua_createtable(L, 0, 20);
  sl_lmin_push_copy(L, s->x, s->n);
  lua_setfield(L, -2, "x");
  setnum(L, "f", s->f);
  setnum(L, "fun", s->f);
  if (!(s->m->flags & SL_MINF_NOGRAD)) { /* nelder_mead: no gradient */
    sl_lmin_push_copy(L, s->g, s->n);
    lua_setfield(L, -2, "jac");
    setnum(L, "gnorm", s->gnorm);
  }
  if (approx) setstr(L, "jac_approx", approx);
  setint(L, "nit", s->nit);
  setint(L, "nfev", (long)sl_solver_nfev(s));
  setint(L, "ngev", (long)sl_solver_ngev(s));
  setint(L, "nhvp", (long)sl_solver_nhvp(s));
  setint(L, "skipped", s->skipped);
  setstr(L, "status", status);
  setbool(L, "success", strncmp(status, "converged", 9) == 0);
  setstr(L, "message", msg);
  setstr(L, "method", s->m->name);
  if (s->lo) { /* i15 bounds */
    setnum(L, "proj_gnorm", s->gnorm);
    setint(L, "nactive", (long)sl_bounds_nactive(s->n, s->x, s->lo, s->hi));
    setint(L, "x0_projected", (long)s->x0_projected);
    if (s->x0_projected) {
      lua_pushfstring(L, "%s (x0 was outside the box: %d entries moved onto their bounds)", msg,
                      (int)s->x0_projected);
      lua_setfield(L, -2, "message");
    }
  }
  lvisit lv;
  sl_min_visit v = visitor(&lv, L);
  sl_min_report(s, &v);           /* composite methods: f_smooth, nnz */
  if (sl_obj_is_residual(s->o)) { /* least squares: Jacobians, and scipy's cost |r|^2 / 2 */
    setint(L, "njev", (long)sl_solver_njev(s));
    setnum(L, "cost", 0.5 * s->f);
    if (sl_res_jac_approx(s->o)) setstr(L, "jac_approx", "forward differences (Jacobian)");
  }
  if (hist) {
    lua_pushvalue(L, hist);
    lua_setfield(L, -2, "history");
  }
}
