/*
** lobj.c — the objective contract as Lua methods: f.dim, f.n, f:value(x),
** f:grad(x, g), f:fg(x, g), f:hvp(x, v, hv), f:hessian(x), f:batch(idx),
** f:sample_grads(x, idx), f:init(rng), f:counts().
** Constructors (slope.obj.rosenbrock, logistic, lua, ...) live in other files.
*/
#include <stdlib.h>
#include <string.h>

#include "laux.h"
#include "lobj.h"
#include "lrng.h"
#include "sl_rng.h"

#define HESSIAN_MAX_DIM 4096

sl_lobj *sl_pushobj(lua_State *L, sl_objective *o, int nkeep, int methods_idx) {
  if (methods_idx) methods_idx = lua_absindex(L, methods_idx);
  if (o == NULL) luaL_error(L, "out of memory creating an objective");
  int top = lua_gettop(L);
  sl_lobj *u = lua_newuserdatauv(L, sizeof *u, 2);
  u->o = o;
  u->bind = NULL;
  u->direct_fg = NULL;
  luaL_setmetatable(L, SL_OBJ);
  lua_createtable(L, nkeep, 0); /* keep-alive list */
  for (int i = 0; i < nkeep; i++) {
    lua_pushvalue(L, top - nkeep + 1 + i);
    lua_rawseti(L, -2, i + 1);
  }
  lua_setiuservalue(L, -2, 1);
  if (methods_idx) {
    lua_pushvalue(L, methods_idx);
    lua_setiuservalue(L, -2, 2);
  }
  /* drop the kept values, leave the userdata on top */
  if (nkeep > 0) {
    lua_replace(L, top - nkeep + 1);
    lua_settop(L, top - nkeep + 1);
  }
  return u;
}

/* The objective metatable under a light-userdata key: a check is a pointer-keyed
   lookup, not the interning of "slope.obj" (objectives are checked on every call). */
static const char obj_mt_key = 0;

static sl_lobj *testobj_fast(lua_State *L, int arg) {
  sl_lobj *u = lua_touserdata(L, arg);
  if (u == NULL || !lua_getmetatable(L, arg)) return NULL;
  lua_rawgetp(L, LUA_REGISTRYINDEX, &obj_mt_key);
  int same = lua_rawequal(L, -1, -2);
  lua_pop(L, 2);
  return same ? u : NULL;
}

sl_objective *sl_testobj(lua_State *L, int arg) {
  sl_lobj *u = testobj_fast(L, arg);
  if (u == NULL || u->o == NULL) return NULL;
  if (u->bind) u->bind(u->o->impl, L);
  return u->o;
}

sl_objective *sl_checkobj(lua_State *L, int arg) {
  sl_objective *o = sl_testobj(L, arg);
  if (o == NULL && testobj_fast(L, arg) != NULL)
    luaL_error(L, "slope.obj: the objective is closed (by f:close() or the end of its <close> "
                  "scope)");
  if (o == NULL) {
    const char *msg =
        lua_pushfstring(L, "objective expected (slope.obj.*), got %s", luaL_typename(L, arg));
    luaL_argerror(L, arg, msg);
  }
  return o;
}

sl_objective *sl_checkobj_arg(lua_State *L, int arg, const char *fname, const char *what) {
  sl_objective *o = sl_testobj(L, arg);
  if (o) return o;
  if (testobj_fast(L, arg)) sl_checkobj(L, arg); /* closed: says so */
  if (lua_type(L, arg) == LUA_TFUNCTION)
    sl_error(L, fname,
             "%s must be an objective (slope.obj.*), got a function (a constructor? call "
             "it: slope.obj.rosenbrock(2))",
             what);
  return (sl_objective *)(void *)(size_t)sl_error(
      L, fname, "%s must be an objective (slope.obj.*), got %s", what, luaL_typename(L, arg));
}

sl_vec *sl_checkpoint(lua_State *L, int arg, size_t dim, const char *fname, const char *what) {
  if (!sl_testvec(L, arg)) {
    int ok = lua_istable(L, arg) && !lua_getmetatable(L, arg);
    if (ok) { /* a table of numbers */
      lua_Integer n = (lua_Integer)lua_rawlen(L, arg);
      for (lua_Integer i = 1; i <= n && ok; i++) {
        ok = lua_rawgeti(L, arg, i) == LUA_TNUMBER;
        lua_pop(L, 1);
      }
    }
    if (!ok)
      sl_error(L, fname, "%s must be a vec or a table of numbers, got %s", what,
               luaL_typename(L, arg));
  }
  sl_vec *x = sl_tovec(L, arg);
  if (x->n != dim)
    sl_error(L, fname, "dimension mismatch: %s has %I entries, expected %I (f.dim)", what,
             (lua_Integer)x->n, (lua_Integer)dim);
  return x;
}

int sl_checkopts(lua_State *L, int arg, const char *const allowed[], const char *fname) {
  if (lua_isnoneornil(L, arg)) return sl_opttable(L, arg);
  if (!lua_istable(L, arg))
    sl_error(L, fname, "options must be a table, got %s", luaL_typename(L, arg));
  sl_checkkeys(L, arg, allowed, fname);
  lua_pushnil(L);
  while (lua_next(L, arg)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TSTRING)
      sl_error(L, fname, "positional value in the options: options are named (key = value)");
  }
  return arg;
}

int sl_obj_error(lua_State *L, const char *fname, sl_objective *o, sl_status st) {
  if (st == SL_ECALLBACK) return luaL_error(L, "%s", o->msg);
  if (o->msg[0]) return sl_error(L, fname, "%s: %s", sl_status_string(st), o->msg);
  return sl_error(L, fname, "%s", sl_status_string(st));
}

/* __gc, __close and f:close(): free the objective once (its minibatch views
   keep the shared data alive in the core until they go too). */
static int obj_gc(lua_State *L) {
  sl_lobj *u = luaL_checkudata(L, 1, SL_OBJ);
  sl_obj_destroy(u->o);
  u->o = NULL;
  return 0;
}

/*
** The shared methods are closures with upvalue 1 = the objective metatable and
** upvalue 2 = the vec metatable: checking self and the vecs of `f:fg(x, g)` is
** a metatable comparison each; anything else takes the general path (and its
** error messages).
*/
static sl_objective *checkself(lua_State *L) {
  sl_lobj *u = lua_touserdata(L, 1);
  if (u != NULL && lua_getmetatable(L, 1)) {
    int same = lua_rawequal(L, -1, lua_upvalueindex(1));
    lua_pop(L, 1);
    if (same && u->o != NULL) {
      if (u->bind) u->bind(u->o->impl, L);
      return u->o;
    }
  }
  return sl_checkobj(L, 1);
}

static sl_vec *check_x(lua_State *L, sl_objective *o, int arg) {
  sl_vec *x = sl_testvec_up(L, arg, 2);
  if (x == NULL) x = sl_tovec(L, arg);
  if (x->n != o->dim) sl_checkdim(L, arg, x, o->dim, "x");
  return x;
}

/* sl_outvec with the fast check when g is a vec of the right size */
static sl_vec *check_g(lua_State *L, sl_objective *o, int arg, const sl_vec *x) {
  sl_vec *g = sl_testvec_up(L, arg, 2);
  if (g != NULL && g->n == o->dim && g->data != x->data) return g;
  return sl_outvec(L, arg, o->dim, "g", x);
}

static int obj_value(lua_State *L) {
  sl_objective *o = checkself(L);
  sl_vec *x = check_x(L, o, 2);
  double f;
  sl_status st = sl_obj_fg(o, x->data, &f, NULL);
  if (st < 0) return sl_obj_error(L, "value", o, st);
  lua_pushnumber(L, f);
  return 1;
}

static int obj_grad(lua_State *L) {
  sl_objective *o = checkself(L);
  sl_vec *x = check_x(L, o, 2);
  sl_vec *g = check_g(L, o, 3, x);
  double f;
  sl_status st = sl_obj_fg(o, x->data, &f, g->data);
  if (st < 0) return sl_obj_error(L, "grad", o, st);
  lua_settop(L, 3);
  return 1;
}

static int obj_fg(lua_State *L) {
  /* the loop `f:fg(x, g)`: self, x and g checked against the upvalue
     metatables; their metatables stay below the results (no stack reset) */
  int top = lua_gettop(L);
  sl_lobj *u = sl_toudata_mt(L, 1, lua_topointer(L, lua_upvalueindex(1)));
  const void *vmt = lua_topointer(L, lua_upvalueindex(2));
  sl_lvec *xu = u ? sl_toudata_mt(L, 2, vmt) : NULL;
  sl_lvec *gu = xu ? sl_toudata_mt(L, 3, vmt) : NULL;
  if (gu && u->o && xu->v.n == u->o->dim && gu->v.n == u->o->dim && gu->v.data != xu->v.data) {
    if (u->direct_fg) return u->direct_fg(L, u);
    sl_objective *o = u->o;
    if (u->bind) u->bind(o->impl, L);
    double f;
    sl_status st = sl_obj_fg(o, xu->v.data, &f, gu->v.data);
    if (st < 0) return sl_obj_error(L, "fg", o, st);
    lua_pushnumber(L, f);
    lua_pushvalue(L, 3);
    return 2;
  }
  lua_settop(L, top);
  sl_objective *o = checkself(L);
  sl_vec *x = check_x(L, o, 2);
  sl_vec *g = check_g(L, o, 3, x);
  double f;
  sl_status st = sl_obj_fg(o, x->data, &f, g->data);
  if (st < 0) return sl_obj_error(L, "fg", o, st);
  lua_pushnumber(L, f);
  lua_pushvalue(L, 3);
  return 2;
}

static int obj_hvp(lua_State *L) {
  sl_objective *o = sl_checkobj(L, 1);
  sl_vec *x = check_x(L, o, 2);
  sl_vec *v = sl_tovec(L, 3);
  sl_checkdim(L, 3, v, o->dim, "v");
  sl_vec *hv = sl_outvec(L, 4, o->dim, "hv", x);
  if (hv->data == v->data) luaL_argerror(L, 4, "hv must not be v");
  sl_status st = sl_obj_hvp(o, x->data, v->data, hv->data);
  if (st < 0) return sl_obj_error(L, "hvp", o, st);
  lua_settop(L, 4);
  return 1;
}

static int obj_hessian(lua_State *L) {
  sl_objective *o = sl_checkobj(L, 1);
  sl_vec *x = check_x(L, o, 2);
  if (o->dim > HESSIAN_MAX_DIM)
    return sl_error(L, "hessian",
                    "dim %I is above the dense limit %d (use f:hvp or slope.spectrum instead)",
                    (lua_Integer)o->dim, HESSIAN_MAX_DIM);
  sl_mat *h = sl_newmat(L, o->dim, o->dim);
  sl_status st = sl_obj_hessian(o, x->data, h->data);
  if (st < 0) return sl_obj_error(L, "hessian", o, st);
  return 1;
}

/* 1-based sample positions from a vec or table into a malloc'd 0-based array. */
static size_t *check_positions(lua_State *L, int arg, size_t n, size_t *m) {
  sl_vec *v = sl_testvec(L, arg);
  if (!v && !lua_istable(L, arg)) {
    const char *msg = lua_pushfstring(
        L, "indices expected (vec or table of 1-based integers), got %s", luaL_typename(L, arg));
    luaL_argerror(L, arg, msg);
  }
  size_t k = v ? v->n : (size_t)luaL_len(L, arg);
  size_t *pos = lua_newuserdatauv(L, (k ? k : 1) * sizeof *pos, 0); /* freed by the GC */
  for (size_t i = 0; i < k; i++) {
    double d;
    if (v) {
      d = v->data[i];
    } else {
      lua_geti(L, arg, (lua_Integer)i + 1);
      int isnum;
      d = lua_tonumberx(L, -1, &isnum);
      lua_pop(L, 1);
      if (!isnum) {
        const char *msg = lua_pushfstring(L, "index %I is not a number", (lua_Integer)i + 1);
        luaL_argerror(L, arg, msg);
      }
    }
    if (!(d >= 1 && d <= (double)n) || d != (double)(size_t)d) {
      sl_pushnumber_str(L, d); /* "nan", "2.5": as slope prints numbers */
      const char *msg = lua_pushfstring(L, "index %I is %s, expected an integer in 1..%I",
                                        (lua_Integer)i + 1, lua_tostring(L, -1), (lua_Integer)n);
      luaL_argerror(L, arg, msg);
    }
    pos[i] = (size_t)d - 1;
  }
  *m = k;
  return pos;
}

static int obj_batch(lua_State *L) {
  sl_objective *o = sl_checkobj(L, 1);
  if (o->n_total == 0) return sl_error(L, "batch", "%s is not a data objective", o->ops->name);
  size_t m;
  size_t *pos = check_positions(L, 2, o->n, &m);
  if (m == 0) luaL_argerror(L, 2, "empty batch");
  sl_status st;
  sl_objective *v = sl_obj_view(o, pos, m, &st);
  if (v == NULL) return sl_status_error(L, "batch", st, NULL);
  sl_lobj *parent = lua_touserdata(L, 1);
  lua_getiuservalue(L, 1, 2); /* share the parent's extra methods */
  int methods = lua_istable(L, -1) ? lua_gettop(L) : 0;
  lua_pushvalue(L, 1); /* the view keeps its parent alive */
  sl_lobj *u = sl_pushobj(L, v, 1, methods);
  u->bind = parent->bind;
  return 1;
}

static int obj_sample_grads(lua_State *L) {
  sl_objective *o = sl_checkobj(L, 1);
  sl_vec *x = check_x(L, o, 2);
  if (o->n_total == 0 || o->ops->sample_fg == NULL)
    return sl_error(L, "sample_grads", "%s has no per-sample gradients", o->ops->name);
  size_t m;
  size_t *pos = check_positions(L, 3, o->n, &m);
  sl_mat *G = sl_newmat(L, m, o->dim);
  for (size_t k = 0; k < m; k++) {
    double f;
    sl_status st = sl_obj_sample_fg(o, x->data, pos[k], &f, G->data + k * o->dim);
    if (st < 0) return sl_obj_error(L, "sample_grads", o, st);
  }
  return 1;
}

static int obj_init(lua_State *L) {
  sl_objective *o = sl_checkobj(L, 1);
  sl_rng *r = sl_optrng(L, 2);
  sl_vec *x = sl_newvec(L, o->dim);
  if (o->ops->init) o->ops->init(o, r, x->data);
  return 1;
}

static int obj_counts(lua_State *L) {
  sl_objective *o = sl_checkobj(L, 1);
  lua_createtable(L, 0, 3);
  lua_pushinteger(L, (lua_Integer)o->nfev);
  lua_setfield(L, -2, "nfev");
  lua_pushinteger(L, (lua_Integer)o->ngev);
  lua_setfield(L, -2, "ngev");
  lua_pushinteger(L, (lua_Integer)o->nhvp);
  lua_setfield(L, -2, "nhvp");
  if (lua_toboolean(L, 2)) o->nfev = o->ngev = o->nhvp = 0;
  return 1;
}

static int obj_tostring(lua_State *L) {
  sl_lobj *u = luaL_checkudata(L, 1, SL_OBJ);
  if (u->o == NULL) {
    lua_pushliteral(L, "objective (closed)");
    return 1;
  }
  sl_objective *o = sl_checkobj(L, 1);
  if (o->n_total)
    lua_pushfstring(L, "objective %s (dim %I, n %I%s)", o->ops->name, (lua_Integer)o->dim,
                    (lua_Integer)o->n, o->is_view ? ", batch view" : "");
  else
    lua_pushfstring(L, "objective %s (dim %I)", o->ops->name, (lua_Integer)o->dim);
  return 1;
}

/* Fields first (dim, n, name, exact_hvp), then this object's extra methods,
   then the shared methods. */
static int obj_index(lua_State *L) {
  /* shared methods first: `f:fg(x, g)` in a loop should cost one table lookup
     (fields and per-objective methods never shadow them) */
  lua_pushvalue(L, 2);
  if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL) return 1;
  lua_pop(L, 1);
  sl_lobj *u = luaL_checkudata(L, 1, SL_OBJ);
  const char *k = lua_tostring(L, 2);
  if (k && u->o) {
    if (strcmp(k, "dim") == 0) {
      lua_pushinteger(L, (lua_Integer)u->o->dim);
      return 1;
    }
    if (strcmp(k, "n") == 0) {
      if (u->o->n_total == 0)
        lua_pushnil(L);
      else
        lua_pushinteger(L, (lua_Integer)u->o->n);
      return 1;
    }
    if (strcmp(k, "name") == 0) {
      lua_pushstring(L, u->o->ops->name);
      return 1;
    }
    if (strcmp(k, "exact_hvp") == 0) {
      lua_pushboolean(L, sl_obj_has_exact_hvp(u->o));
      return 1;
    }
  }
  if (lua_getiuservalue(L, 1, 2) == LUA_TTABLE) {
    lua_pushvalue(L, 2);
    if (lua_rawget(L, -2) != LUA_TNIL) return 1;
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  lua_pushvalue(L, 2);
  lua_rawget(L, lua_upvalueindex(1));
  return 1;
}

static const sl_reg obj_methods[] = {
    {"value", obj_value, "f:value(x) -> number", "The objective's value at x."},
    {"grad", obj_grad, "f:grad(x [, g]) -> g",
     "Fill g with the gradient at x (allocated when omitted)."},
    {"fg", obj_fg, "f:fg(x [, g]) -> f, g",
     "Value and gradient in one pass (the call every optimizer makes); g is filled in place."},
    {"hvp", obj_hvp, "f:hvp(x, v [, hv]) -> hv",
     "Hessian-vector product H(x) v; analytic for built-ins (f.exact_hvp), else a central "
     "difference of gradients."},
    {"hessian", obj_hessian, "f:hessian(x) -> mat",
     "The dense Hessian from dim HVPs, symmetrized; refused above dim 4096."},
    {"batch", obj_batch, "f:batch(idx) -> objective",
     "A view over the samples idx (1-based vec or table), sharing the data: a minibatch."},
    {"sample_grads", obj_sample_grads, "f:sample_grads(x, idx) -> mat",
     "Row k is the gradient of sample idx[k]'s loss (regularizer included), for noise probes."},
    {"init", obj_init, "f:init([rng]) -> vec",
     "A sensible starting point: zeros for convex models, scaled random for MLPs."},
    {"counts", obj_counts, "f:counts([reset]) -> {nfev, ngev, nhvp}",
     "Evaluations made so far through this objective; reset them when reset is true."},
    {"close", obj_gc, "f:close()",
     "Free the objective now (also on garbage collection and at the end of a `local f <close>` "
     "scope); its minibatch views stay usable. Any later use of f is an error."},
    {NULL, NULL, NULL, NULL}};

int sl_open_obj(lua_State *L, int slope) {
  lua_newtable(L);
  int t = lua_gettop(L);
  luaL_newmetatable(L, SL_OBJ);
  sl_push_vec_mt(L);
  sl_setfuncs_up(L, t, obj_methods, "slope.obj", 2); /* pops both metatables */
  luaL_newmetatable(L, SL_OBJ);
  lua_pushvalue(L, -1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &obj_mt_key);
  lua_pushvalue(L, t);
  lua_pushcclosure(L, obj_index, 1);
  lua_setfield(L, -2, "__index");
  const luaL_Reg meta[] = {
      {"__gc", obj_gc}, {"__close", obj_gc}, {"__tostring", obj_tostring}, {NULL, NULL}};
  luaL_setfuncs(L, meta, 0);
  lua_pushvalue(L, t);
  lua_setfield(L, -2, "__methods");
  lua_pushliteral(L, "dim n name exact_hvp"); /* what obj_index answers: completion, help */
  lua_setfield(L, -2, "__fields");
  lua_pushinteger(L, 2); /* user value 2: this objective's own methods and fields */
  lua_setfield(L, -2, "__members");
  lua_pop(L, 1);
  sl_sethelp(L, t, "slope.obj", "slope.obj.<name>{...} -> objective",
             "Objectives with analytic gradients and Hessian-vector products: test functions and "
             "models over data.");
  sl_settypehelp(
      L, SL_OBJ, "objective",
      "f.dim, f.n, f.name, f.exact_hvp; f:value(x), f:grad(x, g), f:fg(x, g), "
      "f:hvp(x, v, hv), f:hessian(x), f:batch(idx), f:sample_grads(x, idx), f:init(rng), "
      "f:counts(), f:close(). Data models add f:predict(x, X), f:predict_proba(x, X), "
      "f:accuracy(x, X, y); the MLP f:forward(x, X), f:unflatten(x), f:layers(), "
      "f.layout; matrix factorization f:layers().");
  lua_setfield(L, slope, "obj");
  return 0;
}
