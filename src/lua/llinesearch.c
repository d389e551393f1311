/*
** llinesearch.c — slope.linesearch.<name> for every row of the core's table
** sl_ls_methods (fixed, exact_quadratic, armijo, wolfe, strong_wolfe,
** hager_zhang, ...): one constructor, option reader, tostring and help
** derived from the entries. Each builds a line-search object from an options
** table (to give to solvers) or, given (f, x, d [, opts]), runs at once on
** phi(a) = f(x + a d) and returns a, info. Also the helpers lminimize.c shares:
** Lua line searches and the info table.
*/
#include "llinesearch.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "laux.h"
#include "lminimize.h"
#include "lobj.h"
#include "sl_vec.h"

static const char *errtext(lua_State *L, int idx) {
  const char *m = lua_tostring(L, idx);
  return m ? m : "(error object is not a string)";
}

/* ---- Lua line searches --------------------------------------------------- */

typedef struct phibox {
  const sl_phi *phi;
  const char *objmsg; /* the objective's message buffer, for errors inside phi */
  int valid;
} phibox;

static int phi_call(lua_State *L) {
  phibox *b = lua_touserdata(L, lua_upvalueindex(1));
  if (!b->valid) return luaL_error(L, "phi is only valid during the line search that received it");
  double a = luaL_checknumber(L, 1), f, df;
  sl_status st = b->phi->eval(b->phi->ctx, a, &f, &df);
  if (st < 0) {
    if (b->objmsg && b->objmsg[0]) return luaL_error(L, "%s", b->objmsg);
    return luaL_error(L, "phi(%f) failed: %s", a, sl_status_string(st));
  }
  lua_pushnumber(L, f);
  lua_pushnumber(L, df);
  return 2;
}

static sl_status luals_run(void *ud, const sl_phi *phi, double a0, double phi0, double dphi0,
                           sl_ls_result *r) {
  sl_luals *u = ud;
  lua_State *L = u->L;
  if (!lua_checkstack(L, 8))
    return sl_ls_fail(r, SL_ECALLBACK, "Lua stack overflow in the line search");
  int top = lua_gettop(L);
  lua_pushvalue(L, u->fn);
  phibox *b = lua_newuserdatauv(L, sizeof *b, 0);
  b->phi = phi;
  b->objmsg = NULL;
  b->valid = 1;
  lua_pushvalue(L, -1); /* keep the box alive below the call */
  lua_insert(L, -3);
  lua_pushcclosure(L, phi_call, 1);
  lua_pushnumber(L, a0);
  lua_pushnumber(L, phi0);
  lua_pushnumber(L, dphi0);
  int rc = lua_pcall(L, 4, 1, 0);
  b->valid = 0;
  if (rc != LUA_OK) {
    sl_ls_fail(r, SL_ECALLBACK, "the Lua line search raised an error: %s", errtext(L, -1));
    lua_settop(L, top);
    return SL_ECALLBACK;
  }
  int isnum;
  double a = lua_tonumberx(L, -1, &isnum);
  if (!isnum || isnan(a)) {
    sl_ls_fail(r, SL_ECALLBACK,
               "the Lua line search returned %s, expected a step length (a positive number)",
               isnum ? "nan" : lua_pushfstring(L, "a %s", luaL_typename(L, -1)));
    lua_settop(L, top);
    return SL_ECALLBACK;
  }
  lua_settop(L, top);
  r->a = a;
  return SL_OK;
}

void sl_luals_setup(sl_linesearch *ls, sl_luals *u) {
  sl_ls_defaults(ls, SL_LS_CUSTOM);
  ls->custom = luals_run;
  ls->ud = u;
}

/* ---- options ------------------------------------------------------------- */

/* Every option key a method may accept, in the order they are read (the first
   bad one is reported), with the field it sets and how it is checked. */
typedef enum { POS, NONNEG, ITER, UNIT } keykind; /* UNIT: in (0, 1) */
static const struct lskey {
  const char *key;
  size_t off;
  keykind kind;
} lskeys[] = {{"a", offsetof(sl_linesearch, a0), POS}, /* SL_LS_STEPOPT: the step */
              {"a0", offsetof(sl_linesearch, a0), POS},
              {"c1", offsetof(sl_linesearch, c1), POS},
              {"c2", offsetof(sl_linesearch, c2), POS},
              {"shrink", offsetof(sl_linesearch, shrink), POS},
              {"grow", offsetof(sl_linesearch, grow), POS},
              {"amax", offsetof(sl_linesearch, amax), POS},
              {"maxiter", offsetof(sl_linesearch, maxiter), ITER},
              {"epsilon", offsetof(sl_linesearch, hz_epsilon), NONNEG},
              {"theta", offsetof(sl_linesearch, hz_theta), POS},
              {"gamma", offsetof(sl_linesearch, hz_gamma), POS},
              /* issue 15: more_thuente (dcsrch's names for c1, c2) and nonmonotone */
              {"ftol", offsetof(sl_linesearch, c1), UNIT},
              {"gtol", offsetof(sl_linesearch, c2), UNIT},
              {"xtol", offsetof(sl_linesearch, xtol), NONNEG},
              {"memory", offsetof(sl_linesearch, memory), ITER}};

static const struct lskey *findkey(const char *key) {
  for (size_t i = 0; i < sizeof lskeys / sizeof lskeys[0]; i++)
    if (strcmp(lskeys[i].key, key) == 0) return &lskeys[i];
  return NULL;
}

static double getkey(const sl_linesearch *ls, const struct lskey *k) {
  const char *p = (const char *)ls + k->off;
  return k->kind == ITER ? (double)*(const int *)(const void *)p : *(const double *)(const void *)p;
}

static void readkey(lua_State *L, int t, sl_linesearch *ls, const struct lskey *k,
                    const char *fname) {
  char *p = (char *)ls + k->off;
  if (k->kind == ITER) {
    int *v = (int *)(void *)p;
    *v = (int)sl_lmin_int(L, t, k->key, *v, 1, fname);
    if (*v > 100000) sl_error(L, fname, "%s must be at most 100000, got %d", k->key, *v);
    return;
  }
  double *v = (double *)(void *)p;
  *v = k->kind == NONNEG ? sl_optnonneg(L, t, k->key, *v, fname)
                         : sl_optpos(L, t, k->key, *v, fname);
  int given = lua_getfield(L, t, k->key) != LUA_TNIL;
  lua_pop(L, 1);
  if (k->kind == UNIT && given && !(*v < 1.0)) {
    sl_pushnumber_str(L, *v);
    sl_error(L, fname, "%s must be in (0, 1), got %s", k->key, lua_tostring(L, -1));
  }
}

/* fixed{0.5}: the step given positionally (SL_LS_STEPOPT methods). */
static void positional_step(lua_State *L, int t, sl_linesearch *ls, const char *fname) {
  if (lua_geti(L, t, 1) != LUA_TNIL) {
    int isnum;
    double a = lua_tonumberx(L, -1, &isnum);
    if (!isnum || !(a > 0.0) || !isfinite(a)) {
      if (isnum)
        sl_pushnumber_str(L, a);
      else
        lua_pushstring(L, luaL_typename(L, -1));
      sl_error(L, fname, "a must be a positive number, got %s", lua_tostring(L, -1));
    }
    ls->a0 = a;
  }
  lua_pop(L, 1);
}

/* The options table at t (0: none) for method kind into out: the method's
   keys only, each checked as it is read, then the core's sl_ls_check. */
static void parse_opts(lua_State *L, int t, int kind, sl_lls *out, const char *fname) {
  const sl_ls_method *m = sl_ls_method_of(kind);
  sl_linesearch *ls = &out->ls;
  sl_ls_defaults(ls, (sl_ls_kind)kind);
  out->a0_given = 0;
  if (t == 0 || lua_isnoneornil(L, t)) return;
  out->a0_given = (m->flags & SL_LS_STEPOPT) != 0;
  if (!lua_istable(L, t))
    sl_error(L, fname, "options must be a table, got %s", luaL_typename(L, t));
  sl_checkkeys(L, t, m->keys, fname);
  if (m->flags & SL_LS_STEPOPT) positional_step(L, t, ls, fname);
  if (lua_getfield(L, t, "a0") != LUA_TNIL) out->a0_given = 1;
  lua_pop(L, 1);
  for (size_t i = 0; i < sizeof lskeys / sizeof lskeys[0]; i++)
    readkey(L, t, ls, &lskeys[i], fname);
  char msg[200];
  if (sl_ls_check(ls, msg, sizeof msg) != SL_OK) {
    sl_msg_clean(msg);
    sl_error(L, fname, "%s", msg);
  }
}

/* ---- info table ------------------------------------------------------------ */

static void setnum(lua_State *L, const char *k, double v) {
  lua_pushnumber(L, v);
  lua_setfield(L, -2, k);
}

static void setflag(lua_State *L, const char *k, int v) {
  if (v < 0) return;
  lua_pushboolean(L, v);
  lua_setfield(L, -2, k);
}

void sl_push_lsinfo(lua_State *L, const sl_ls_result *r) {
  lua_createtable(L, 0, 10);
  int ok = r->status == SL_OK;
  if (ok) {
    setnum(L, "a", r->a);
    setnum(L, "phi", r->phi);
    setnum(L, "dphi", r->dphi);
  }
  lua_pushinteger(L, r->nfev);
  lua_setfield(L, -2, "nfev");
  lua_createtable(L, r->ntrials, 0);
  for (int i = 0; i < r->ntrials; i++) {
    lua_createtable(L, 0, 3);
    setnum(L, "a", r->trials[i].a);
    setnum(L, "phi", r->trials[i].phi);
    setnum(L, "dphi", r->trials[i].dphi);
    lua_rawseti(L, -2, i + 1);
  }
  lua_setfield(L, -2, "trials");
  setflag(L, "armijo", r->armijo);
  setflag(L, "curvature", r->curvature);
  lua_pushboolean(L, ok);
  lua_setfield(L, -2, "ok");
  if (!ok) {
    char reason[sizeof r->reason];
    memcpy(reason, r->reason, sizeof reason);
    reason[sizeof reason - 1] = '\0';
    sl_msg_clean(reason);
    lua_pushstring(L, reason);
    lua_setfield(L, -2, "reason");
  }
  lua_pushstring(L, ok ? "ok" : sl_status_name(r->status));
  lua_setfield(L, -2, "status");
}

/* ---- the userdata ------------------------------------------------------------ */

static sl_lls *check_lls(lua_State *L, int arg) { return luaL_checkudata(L, arg, SL_LINESEARCH); }

static sl_lls *push_lls(lua_State *L) {
  sl_lls *u = lua_newuserdatauv(L, sizeof *u, 0);
  memset(u, 0, sizeof *u);
  luaL_setmetatable(L, SL_LINESEARCH);
  return u;
}

/* phi(a) = f(x + a d) over an objective, for the standalone run */
typedef struct {
  sl_objective *o;
  const double *x, *d;
  double *xt, *gt, *hv;
} lphi;

static sl_status lphi_eval(void *ctx, double a, double *phi, double *dphi) {
  lphi *p = ctx;
  size_t n = p->o->dim;
  for (size_t i = 0; i < n; i++) p->xt[i] = p->x[i] + a * p->d[i];
  sl_status st = sl_obj_fg(p->o, p->xt, phi, p->gt);
  if (st < 0) return st;
  *dphi = sl_vec_dot(n, p->gt, p->d);
  return SL_OK;
}

static sl_status lphi_curv(void *ctx, double *dhd) {
  lphi *p = ctx;
  sl_status st = sl_obj_hvp(p->o, p->x, p->d, p->hv);
  if (st < 0) return st;
  *dhd = sl_vec_dot(p->o->dim, p->d, p->hv);
  return SL_OK;
}

/* Run the search in ls on f at stack slots fa (objective), fa+1 (x), fa+2 (d);
   a0 <= 0: the search's own. Pushes a (nil on failure), info. */
static int run_search(lua_State *L, sl_linesearch *ls, int fa, double a0, const char *fname) {
  sl_vec *x = sl_tovec(L, fa + 1);
  sl_vec *d = sl_tovec(L, fa + 2);
  sl_objective *o = sl_checkobjective(L, fa, x->n, fname);
  sl_checkdim(L, fa + 1, x, o->dim, "x");
  sl_checkdim(L, fa + 2, d, o->dim, "d");
  sl_vec *xt = sl_newvec(L, o->dim);
  sl_vec *gt = sl_newvec(L, o->dim);
  sl_vec *hv = sl_newvec(L, o->dim);
  lphi ctx = {o, x->data, d->data, xt->data, gt->data, hv->data};
  sl_phi phi = {lphi_eval, lphi_curv, &ctx};
  double phi0, dphi0;
  o->msg[0] = '\0';
  sl_status st = sl_obj_fg(o, x->data, &phi0, gt->data);
  if (st < 0) return sl_status_error(L, fname, st, o->msg);
  dphi0 = sl_vec_dot(o->dim, gt->data, d->data);
  sl_ls_result *r = lua_newuserdatauv(L, sizeof *r, 0); /* large: not on the C stack */
  sl_ls_run(ls, &phi, phi0, dphi0, a0, r);
  /* a Lua line search's error, named as such; then the objective's failure
     (a Lua objective's own error passes through unchanged) */
  if (r->status == SL_ECALLBACK && (ls->kind == SL_LS_CUSTOM || !o->msg[0]))
    return sl_error(L, fname, "%s", r->reason[0] ? r->reason : o->msg);
  if (r->status < 0 && o->msg[0] && r->status != SL_ELINESEARCH && r->status != SL_ENONFINITE)
    return sl_status_error(L, fname, r->status, o->msg);
  if (r->status == SL_OK)
    lua_pushnumber(L, r->a);
  else
    lua_pushnil(L);
  sl_push_lsinfo(L, r);
  return 2;
}

/* ls:run(f, x, d [, a0]) and ls(f, x, d [, a0]) */
static int lls_run(lua_State *L) {
  sl_lls *u = check_lls(L, 1);
  double a0 = lua_isnoneornil(L, 5) ? 0.0 : sl_checkfinite(L, 5);
  if (!lua_isnoneornil(L, 5) && !(a0 > 0.0)) luaL_argerror(L, 5, "a0 must be positive");
  lua_settop(L, 4);
  sl_linesearch ls = u->ls;
  return run_search(L, &ls, 2, a0, "slope.linesearch.run");
}

/* A line search owns no memory: __gc and __close only mark it (idempotent). */
static int lls_gc(lua_State *L) {
  (void)check_lls(L, 1);
  return 0;
}

/* "linesearch armijo{c1=0.0001, shrink=0.5, a0=1}": the keys the entry shows. */
static int lls_tostring(lua_State *L) {
  const sl_linesearch *ls = &check_lls(L, 1)->ls;
  const sl_ls_method *m = sl_ls_method_of((int)ls->kind);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  luaL_addstring(&b, "linesearch ");
  luaL_addstring(&b, sl_ls_name(ls->kind));
  luaL_addchar(&b, '{');
  for (const char *const *k = m && m->show ? m->show : NULL; k && *k; k++) {
    const struct lskey *key = findkey(*k);
    lua_pushfstring(L, "%s%s=%f", k == m->show ? "" : ", ", *k, key ? getkey(ls, key) : 0.0);
    luaL_addvalue(&b);
  }
  luaL_addchar(&b, '}');
  luaL_pushresult(&b);
  return 1;
}

static int lls_index(lua_State *L) {
  sl_lls *u = check_lls(L, 1);
  const char *k = luaL_checkstring(L, 2);
  const sl_linesearch *ls = &u->ls;
  if (strcmp(k, "kind") == 0)
    lua_pushstring(L, sl_ls_name(ls->kind));
  else if (strcmp(k, "c1") == 0)
    lua_pushnumber(L, ls->c1);
  else if (strcmp(k, "c2") == 0)
    lua_pushnumber(L, ls->c2);
  else if (strcmp(k, "a0") == 0 || strcmp(k, "a") == 0)
    lua_pushnumber(L, ls->a0);
  else if (strcmp(k, "shrink") == 0)
    lua_pushnumber(L, ls->shrink);
  else if (strcmp(k, "maxiter") == 0)
    lua_pushinteger(L, ls->maxiter);
  else if (strcmp(k, "run") == 0)
    lua_pushcfunction(L, lls_run);
  else
    lua_pushnil(L);
  return 1;
}

/* slope.linesearch.<name>, a closure over the method's kind and its name:
   (opts) -> object; (f, x, d [, opts]) -> a, info. */
static int ls_new(lua_State *L) {
  int kind = (int)lua_tointeger(L, lua_upvalueindex(1));
  const char *fname = lua_tostring(L, lua_upvalueindex(2));
  if (lua_isnoneornil(L, 1) || (lua_istable(L, 1) && !sl_testobj(L, 1))) {
    sl_lls tmp;
    parse_opts(L, lua_isnoneornil(L, 1) ? 0 : 1, kind, &tmp, fname);
    sl_lls *u = push_lls(L);
    *u = tmp;
    return 1;
  }
  if (!sl_testobj(L, 1) && lua_type(L, 1) != LUA_TFUNCTION)
    return sl_error(L, fname,
                    "expected an options table (to make a line search) or f, x, d [, opts] (to run "
                    "one), got %s",
                    luaL_typename(L, 1));
  sl_lls tmp;
  parse_opts(L, lua_isnoneornil(L, 4) ? 0 : 4, kind, &tmp, fname);
  lua_settop(L, 3);
  return run_search(L, &tmp.ls, 1, 0.0, fname);
}

/* The kind of one of our constructors given uncalled (slope.linesearch.armijo), or -1. */
static int ctor_kind(lua_State *L, int arg) {
  if (lua_tocfunction(L, arg) != ls_new || lua_getupvalue(L, arg, 1) == NULL) return -1;
  int kind = (int)lua_tointeger(L, -1);
  lua_pop(L, 1);
  return kind;
}

/* "fixed, exact_quadratic, ...": the names a string may give. Pushes it. */
static const char *push_names(lua_State *L) {
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (int k = 0, first = 1; k < sl_ls_nmethods; k++) {
    if (sl_ls_methods[k]->flags & SL_LS_INTERNAL) continue;
    if (!first) luaL_addstring(&b, ", ");
    luaL_addstring(&b, sl_ls_methods[k]->name);
    first = 0;
  }
  luaL_pushresult(&b);
  return lua_tostring(L, -1);
}

int sl_tolinesearch(lua_State *L, int arg, sl_linesearch *out, int *a0_given, const char *fname) {
  sl_lls *u = luaL_testudata(L, arg, SL_LINESEARCH);
  *a0_given = 0;
  if (u) {
    *out = u->ls;
    *a0_given = u->a0_given;
    return 0;
  }
  if (lua_type(L, arg) == LUA_TSTRING) {
    int k = sl_ls_kind_from_name(lua_tostring(L, arg));
    if (k < 0)
      sl_error(L, fname, "linesearch: unknown line search '%s' (expected one of: %s)",
               lua_tostring(L, arg), push_names(L));
    sl_ls_defaults(out, (sl_ls_kind)k);
    return 0;
  }
  int k = ctor_kind(L, arg);
  if (k >= 0) {
    sl_ls_defaults(out, (sl_ls_kind)k);
    return 0;
  }
  if (lua_type(L, arg) == LUA_TFUNCTION) return 1;
  return sl_error(L, fname,
                  "linesearch must be a slope.linesearch object, a name or a function(phi, a0, "
                  "phi0, dphi0) -> a, got %s",
                  luaL_typename(L, arg));
}

static const sl_reg ls_methods[] = {
    {"run", lls_run, "ls:run(f, x, d [, a0]) -> a, info",
     "Run this line search on phi(a) = f(x + a d) (also ls(f, x, d [, a0])): f a slope.obj.* or "
     "a function f(x [, g]) -> value, x and d vecs or tables of its dimension, a0 (default: the "
     "search's own a0) a positive first trial step. a is nil when the search fails; info = {a, "
     "phi, dphi, nfev, trials = {{a, phi, dphi}, ...}, armijo, curvature, ok, status, reason}."},
    {NULL, NULL, NULL, NULL}};

int sl_open_linesearch(lua_State *L, int slope) {
  lua_newtable(L);
  int t = lua_gettop(L);
  for (int k = 0; k < sl_ls_nmethods; k++) {
    const sl_ls_method *m = sl_ls_methods[k];
    if (m->flags & SL_LS_INTERNAL) continue;
    char fname[96];
    snprintf(fname, sizeof fname, "slope.linesearch.%s", m->name);
    lua_pushinteger(L, k);
    lua_pushstring(L, fname);
    lua_pushcclosure(L, ls_new, 2);
    sl_sethelp(L, -1, fname, m->sig, m->doc);
    lua_setfield(L, t, m->name);
  }
  lua_newtable(L);
  int methods = lua_gettop(L);
  sl_setfuncs(L, methods, ls_methods, "slope.linesearch");
  luaL_newmetatable(L, SL_LINESEARCH);
  const luaL_Reg meta[] = {{"__index", lls_index},       {"__call", lls_run},
                           {"__tostring", lls_tostring}, {"__gc", lls_gc},
                           {"__close", lls_gc},          {NULL, NULL}};
  luaL_setfuncs(L, meta, 0);
  lua_pushvalue(L, methods);
  lua_setfield(L, -2, "__methods");                   /* completion and help list ls:run */
  lua_pushliteral(L, "kind c1 c2 a0 shrink maxiter"); /* what lls_index answers */
  lua_setfield(L, -2, "__fields");
  lua_pop(L, 2);
  sl_sethelp(L, t, "slope.linesearch", "slope.linesearch.<name>{opts} -> ls",
             "Step-length rules over phi(a) = f(x + a d); give one to slope.minimize or call it on "
             "(f, x, d). "
             "info = {nfev, trials, armijo, curvature, ok, reason}.");
  sl_settypehelp(L, SL_LINESEARCH, "linesearch",
                 "ls.kind, ls.c1, ls.c2, ls.a0; ls:run(f, x, d [, a0]) -> a, info; ls(f, x, d).");
  lua_setfield(L, slope, "linesearch");
  return 0;
}
