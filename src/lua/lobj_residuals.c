/*
** lobj_residuals.c — least-squares objectives from Lua: slope.obj.residuals{m,
** dim, r, J} (residuals and, optionally, the Jacobian as Lua functions; J by
** forward differences when absent), the Moré–Garbow–Hillstrom problems
** slope.obj.mgh(name or number [, {n, m}]) and slope.obj.mgh_list(). Each is
** an ordinary objective (value |r|^2, gradient 2 J'r, Gauss–Newton HVP) with
** f.m, f.hvp_kind = "gauss_newton", f.jac, f:residual(x), f:jacobian(x).
**
** The Lua functions are called under lua_pcall on the thread that last checked
** the objective; an error, a residual vector left unwritten (the -0.0/+0.0
** sentinel of lfd.h) or a result of the wrong size becomes SL_ECALLBACK with a
** sentence naming the function, raised by the binding.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "laux.h"
#include "lfd.h"
#include "lobj.h"
#include "sl_residuals.h"

#define FNAME "slope.obj.residuals"

typedef struct luares {
  lua_State *L;
  int ref_r, ref_J, ref_x, ref_rv, ref_Jm; /* functions, and the x, r, J passed to them */
  sl_vec *x, *rv;
  sl_mat *Jm;
  size_t m, n;
  char msg[256];
} luares;

/* Call fn(x, out) with x copied in; results left to the caller at top+1. */
static int lr_call(luares *u, int ref_fn, int ref_out, const double *x) {
  lua_State *L = u->L;
  if (!lua_checkstack(L, 4)) {
    snprintf(u->msg, sizeof u->msg, FNAME ": Lua stack overflow");
    return -1;
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, ref_fn);
  memcpy(u->x->data, x, u->n * sizeof *x);
  lua_rawgeti(L, LUA_REGISTRYINDEX, u->ref_x);
  lua_rawgeti(L, LUA_REGISTRYINDEX, ref_out);
  if (lua_pcall(L, 2, 1, 0) != LUA_OK) {
    const char *e = lua_tostring(L, -1);
    snprintf(u->msg, sizeof u->msg, "%s", e ? e : "(error object is not a string)");
    lua_pop(L, 1);
    return -1;
  }
  return 0;
}

/* r(x, r): fills r in place, or returns a vec/table of m numbers. */
static sl_status lr_r(void *ctx, const double *x, double *r) {
  luares *u = ctx;
  lua_State *L = u->L;
  size_t m = u->m;
  for (int pass = 0; pass < 2; pass++) {
    int top = lua_gettop(L);
    sl_gsent_fill(u->rv->data, m, pass);
    if (lr_call(u, u->ref_r, u->ref_rv, x) < 0) return SL_ECALLBACK;
    int t = lua_type(L, -1);
    sl_vec *ret = t == LUA_TUSERDATA ? sl_testvec(L, -1) : NULL;
    if (t == LUA_TNIL || ret == u->rv) {
      lua_settop(L, top);
      if (!sl_gsent_untouched(u->rv->data, m, pass)) {
        memcpy(r, u->rv->data, m * sizeof *r);
        return SL_OK;
      }
      continue; /* maybe all true zeros: the second pass tells */
    }
    if (ret && ret->n == m) {
      memcpy(r, ret->data, m * sizeof *r);
    } else if (t == LUA_TTABLE && lua_rawlen(L, -1) == m) {
      for (size_t i = 0; i < m; i++) {
        if (lua_rawgeti(L, -1, (lua_Integer)i + 1) != LUA_TNUMBER) {
          snprintf(u->msg, sizeof u->msg,
                   FNAME ": r returned a table whose entry %zu is %s, expected a number", i + 1,
                   luaL_typename(L, -1));
          lua_settop(L, top);
          return SL_ECALLBACK;
        }
        r[i] = lua_tonumber(L, -1);
        lua_pop(L, 1);
      }
    } else {
      snprintf(u->msg, sizeof u->msg,
               FNAME ": r returned %s, expected to fill r (%zu entries) or return %zu numbers",
               ret ? "a vec of the wrong length" : luaL_typename(L, -1), m, m);
      lua_settop(L, top);
      return SL_ECALLBACK;
    }
    lua_settop(L, top);
    return SL_OK;
  }
  snprintf(u->msg, sizeof u->msg,
           FNAME ": r(x, r) wrote nothing into r: fill r in place (r[i] = ...) or return a vec of "
                 "%zu numbers",
           m);
  return SL_ECALLBACK;
}

/* J(x, J): fills the m x dim mat J in place, or returns such a mat. */
static sl_status lr_J(void *ctx, const double *x, double *J) {
  luares *u = ctx;
  lua_State *L = u->L;
  size_t mn = u->m * u->n;
  int top = lua_gettop(L);
  memset(u->Jm->data, 0, mn * sizeof *J);
  if (lr_call(u, u->ref_J, u->ref_Jm, x) < 0) return SL_ECALLBACK;
  sl_mat *ret = lua_isnil(L, -1) ? u->Jm : sl_testmat(L, -1);
  if (ret == NULL || ret->rows != u->m || ret->cols != u->n) {
    if (ret)
      snprintf(u->msg, sizeof u->msg,
               FNAME ": J returned a %zu x %zu mat, expected %zu x %zu (m x dim)", ret->rows,
               ret->cols, u->m, u->n);
    else
      snprintf(u->msg, sizeof u->msg,
               FNAME ": J returned %s, expected to fill J (a %zu x %zu mat) or return such a mat",
               luaL_typename(L, -1), u->m, u->n);
    lua_settop(L, top);
    return SL_ECALLBACK;
  }
  memcpy(J, ret->data, mn * sizeof *J);
  lua_settop(L, top);
  return SL_OK;
}

static void lr_destroy(void *ctx) {
  luares *u = ctx;
  if (u == NULL) return;
  int refs[] = {u->ref_r, u->ref_J, u->ref_x, u->ref_rv, u->ref_Jm};
  for (int k = 0; k < 5; k++) luaL_unref(u->L, LUA_REGISTRYINDEX, refs[k]);
  free(u);
}

static const char *lr_why(void *ctx) { return ((luares *)ctx)->msg; }

static void lr_bind(void *impl, lua_State *L) { ((luares *)sl_res_impl_ctx(impl))->L = L; }

/* ---- per-object members ---------------------------------------------------- */

static sl_objective *check_res(lua_State *L, const char *fname) {
  sl_objective *o = sl_checkobj(L, 1);
  if (!sl_obj_is_residual(o)) sl_error(L, fname, "%s is not a residual objective", o->ops->name);
  return o;
}

static sl_vec *check_x(lua_State *L, sl_objective *o, const char *fname) {
  if (!sl_testvec(L, 2) && !lua_istable(L, 2))
    sl_error(L, fname, "x must be a vec of %I numbers, got %s", (lua_Integer)o->dim,
             luaL_typename(L, 2));
  sl_vec *x = sl_tovec(L, 2);
  if (x->n != o->dim)
    sl_error(L, fname, "x has %I entries, expected %I", (lua_Integer)x->n, (lua_Integer)o->dim);
  return x;
}

static int m_residuals(lua_State *L) {
  sl_objective *o = check_res(L, "residual");
  sl_vec *x = check_x(L, o, "residual");
  sl_vec *r = sl_newvec(L, sl_res_m(o));
  o->msg[0] = '\0';
  sl_status st = sl_res_eval(o, x->data, r->data);
  if (st < 0) return sl_obj_error(L, "residual", o, st);
  return 1;
}

static int m_jacobian(lua_State *L) {
  sl_objective *o = check_res(L, "jacobian");
  sl_vec *x = check_x(L, o, "jacobian");
  sl_mat *J = sl_newmat(L, sl_res_m(o), o->dim);
  o->msg[0] = '\0';
  sl_status st = sl_res_jac(o, x->data, J->data);
  if (st < 0) return sl_obj_error(L, "jacobian", o, st);
  return 1;
}

static int m_njev(lua_State *L) {
  sl_objective *o = check_res(L, "njev");
  lua_pushinteger(L, (lua_Integer)sl_res_njev(o));
  return 1;
}

static const sl_reg res_methods[] = {
    {"residual", m_residuals, "f:residual(x) -> vec",
     "The m residuals r(x) of a residual objective (f(x) = |r(x)|^2)."},
    {"jacobian", m_jacobian, "f:jacobian(x) -> mat",
     "The m x dim Jacobian J(x) of a residual objective (analytic, or forward differences when "
     "f.jac says so)."},
    {"njev", m_njev, "f:njev() -> integer",
     "Jacobian evaluations made so far on a residual objective (f.nfev-style count)."},
    {NULL, NULL, NULL, NULL}};

/* The members table of o (methods from upvalue 1) plus m, hvp_kind, jac. */
static void push_members(lua_State *L, sl_objective *o) {
  lua_createtable(L, 0, 8);
  for (const sl_reg *r = res_methods; r->name; r++) {
    lua_getfield(L, lua_upvalueindex(1), r->name);
    lua_setfield(L, -2, r->name);
  }
  lua_pushinteger(L, (lua_Integer)sl_res_m(o));
  lua_setfield(L, -2, "m");
  lua_pushstring(L, sl_res_hvp_kind(o));
  lua_setfield(L, -2, "hvp_kind");
  lua_pushstring(L, sl_res_jac_approx(o) ? "forward differences" : "analytic");
  lua_setfield(L, -2, "jac");
}

/* ---- slope.obj.residuals{...} ---------------------------------------------- */

static size_t need_size(lua_State *L, const char *key) {
  int t = lua_getfield(L, 1, key);
  int isint = 0;
  lua_Integer v = lua_tointegerx(L, -1, &isint);
  if (t == LUA_TNIL) sl_error(L, FNAME, "%s (an integer >= 1) is required", key);
  if (t != LUA_TNUMBER || !isint || v < 1)
    sl_error(L, FNAME, "%s must be an integer >= 1, got %s", key, sl_pushgot(L, -1));
  if ((lua_Unsigned)v > SL_MAX_ENTRIES) sl_error(L, FNAME, "%s is too large", key);
  lua_pop(L, 1);
  return (size_t)v;
}

/* slope.obj.residuals(f): the residual form of a test function that is a sum of squares. */
static int residuals_of(lua_State *L, sl_objective *f) {
  sl_status st;
  sl_objective *o = sl_obj_residuals_testfn(f->ops->name, f->dim, &st);
  if (o == NULL && st == SL_EINVAL)
    return sl_error(L, FNAME,
                    "%s has no residual form (built in: rosenbrock, beale, booth, himmelblau; "
                    "least squares: slope.obj.residuals{X =, y =}; any other: {m =, dim =, r =})",
                    f->ops->name);
  if (o == NULL) return sl_status_error(L, FNAME, st, NULL);
  push_members(L, o);
  sl_pushobj(L, o, 0, -1);
  return 1;
}

/* slope.obj.residuals{X =, y = [, l2 =, intercept =]}: least squares as residuals. */
static int residuals_linear(lua_State *L) {
  static const char *const bad[] = {"m", "dim", "r", "J"};
  for (int k = 0; k < 4; k++)
    if (lua_getfield(L, 1, bad[k]) != LUA_TNIL)
      return sl_error(L, FNAME, "give either X and y (least squares) or m, dim, r [, J], not both");
  lua_settop(L, 1);
  lua_getfield(L, 1, "X"); /* 2 */
  sl_mat *X = sl_testmat(L, 2);
  if (X == NULL)
    return sl_error(L, FNAME, "X must be a dense slope.mat (n x d), got %s", sl_typename(L, 2));
  if (X->rows == 0 || X->cols == 0) return sl_error(L, FNAME, "X must not be empty");
  lua_getfield(L, 1, "y"); /* 3 */
  if (!sl_testvec(L, 3) && !lua_istable(L, 3))
    return sl_error(L, FNAME, "y must be a vec of %I targets, got %s", (lua_Integer)X->rows,
                    luaL_typename(L, 3));
  sl_vec *y = sl_tovec(L, 3);
  if (y->n != X->rows)
    return sl_error(L, FNAME, "y has %I entries, expected %I (the rows of X)", (lua_Integer)y->n,
                    (lua_Integer)X->rows);
  for (size_t i = 0; i < y->n; i++)
    if (!isfinite(y->data[i])) return sl_error(L, FNAME, "y[%I] is not finite", (lua_Integer)i + 1);
  double l2 = sl_optnonneg(L, 1, "l2", 0.0, FNAME);
  int intercept = sl_optbool(L, 1, "intercept", 0, FNAME);
  size_t rows = X->rows + (l2 > 0.0 ? X->cols : 0), mn;
  if (sl_size_product(rows, X->cols + 1, &mn) != SL_OK || mn > SL_MAX_ENTRIES)
    return sl_error(L, FNAME, "the Jacobian of X (%I x %I) is too large", (lua_Integer)X->rows,
                    (lua_Integer)X->cols);
  sl_status st;
  sl_objective *o = sl_obj_residuals_linear(X, y->data, y->n, l2, intercept, &st);
  if (o == NULL) return sl_status_error(L, FNAME, st, NULL);
  push_members(L, o);  /* 4 */
  lua_pushvalue(L, 2); /* X is borrowed: kept alive with the objective */
  sl_pushobj(L, o, 1, 4);
  return 1;
}

static int l_residuals(lua_State *L) {
  static const char *const keys[] = {"m", "dim", "r", "J", "X", "y", "l2", "intercept", NULL};
  sl_objective *f = sl_testobj(L, 1);
  if (f) return residuals_of(L, f);
  if (!lua_istable(L, 1))
    return sl_error(L, FNAME,
                    "options table expected ({m =, dim =, r = function(x, r) [, J = "
                    "function(x, J)]} or {X =, y =}) or a test function, got %s",
                    luaL_typename(L, 1));
  lua_settop(L, 1);
  sl_checknamed(L, 1, FNAME, NULL, "m = 50, dim = 3, r = function(x, r) ... end");
  sl_checkkeys(L, 1, keys, FNAME);
  int linear = lua_getfield(L, 1, "X") != LUA_TNIL || lua_getfield(L, 1, "y") != LUA_TNIL ||
               lua_getfield(L, 1, "l2") != LUA_TNIL || lua_getfield(L, 1, "intercept") != LUA_TNIL;
  lua_settop(L, 1);
  if (linear) return residuals_linear(L);
  size_t m = need_size(L, "m"), n = need_size(L, "dim");
  size_t mn;
  if (sl_size_product(m, n, &mn) != SL_OK || mn > SL_MAX_ENTRIES)
    return sl_error(L, FNAME, "m x dim = %I x %I is too large", (lua_Integer)m, (lua_Integer)n);
  if (lua_getfield(L, 1, "r") != LUA_TFUNCTION) /* 2 */
    return sl_error(L, FNAME, "r must be a function(x, r) filling the %I residuals, got %s",
                    (lua_Integer)m, luaL_typename(L, 2));
  int tJ = lua_getfield(L, 1, "J"); /* 3 */
  if (tJ != LUA_TNIL && tJ != LUA_TFUNCTION)
    return sl_error(L, FNAME, "J must be a function(x, J) filling the %I x %I Jacobian, got %s",
                    (lua_Integer)m, (lua_Integer)n, luaL_typename(L, 3));
  luares *u = calloc(1, sizeof *u);
  if (u == NULL) return luaL_error(L, "out of memory");
  u->L = L, u->m = m, u->n = n;
  u->ref_r = u->ref_J = u->ref_x = u->ref_rv = u->ref_Jm = LUA_NOREF;
  static const sl_residual_fns with_J = {"residuals", lr_r, lr_J, lr_destroy, lr_why};
  static const sl_residual_fns without_J = {"residuals", lr_r, NULL, lr_destroy, lr_why};
  sl_status st;
  sl_objective *o = sl_obj_residuals(m, n, tJ == LUA_TFUNCTION ? &with_J : &without_J, u, &st);
  if (o == NULL) return sl_status_error(L, FNAME, st, NULL); /* u freed by the core */
  push_members(L, o);                                        /* 4 */
  lua_pushvalue(L, 2);
  lua_pushvalue(L, 3);                  /* kept alive with the objective */
  sl_lobj *lo = sl_pushobj(L, o, 2, 4); /* 5: owns o from here */
  lo->bind = lr_bind;
  lua_pushvalue(L, 2);
  u->ref_r = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_pushvalue(L, 3);
  u->ref_J = luaL_ref(L, LUA_REGISTRYINDEX);
  u->x = sl_newvec(L, n);
  u->ref_x = luaL_ref(L, LUA_REGISTRYINDEX);
  u->rv = sl_newvec(L, m);
  u->ref_rv = luaL_ref(L, LUA_REGISTRYINDEX);
  if (tJ == LUA_TFUNCTION) {
    u->Jm = sl_newmat(L, m, n);
    u->ref_Jm = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  return 1;
}

/* ---- the MGH set ----------------------------------------------------------- */

#define MGH "slope.obj.mgh"

static int l_mgh(lua_State *L) {
  int k = -1;
  if (lua_type(L, 1) == LUA_TSTRING) {
    k = sl_mgh_find(lua_tostring(L, 1));
    if (k < 0)
      return sl_error(L, MGH, "unknown problem '%s' (slope.obj.mgh_list() lists the 35)",
                      lua_tostring(L, 1));
  } else if (lua_type(L, 1) == LUA_TNUMBER) {
    int isint;
    lua_Integer v = lua_tointegerx(L, 1, &isint);
    if (!isint || v < 1 || v > SL_MGH_COUNT)
      return sl_error(L, MGH, "problem number must be an integer in 1..%d, got %s", SL_MGH_COUNT,
                      sl_pushgot(L, 1));
    k = (int)v - 1;
  } else {
    return sl_error(L, MGH, "problem name or number (1..%d) expected, got %s", SL_MGH_COUNT,
                    luaL_typename(L, 1));
  }
  size_t n = 0, m = 0;
  if (!lua_isnoneornil(L, 2)) {
    static const char *const keys[] = {"n", "m", NULL};
    if (!lua_istable(L, 2))
      return sl_error(L, MGH, "options must be a table {n =, m =}, got %s", luaL_typename(L, 2));
    sl_checknamed(L, 2, MGH, NULL, "n = 20");
    sl_checkkeys(L, 2, keys, MGH);
    n = (size_t)sl_optint(L, 2, "n", 0, 1, MGH);
    m = (size_t)sl_optint(L, 2, "m", 0, 1, MGH);
    if (n > 100000 || m > 100000) return sl_error(L, MGH, "n and m must be at most 100000");
  }
  char msg[200];
  if (sl_mgh_sizes(k, &n, &m, msg, sizeof msg) != SL_OK) return sl_error(L, MGH, "%s", msg);
  lua_settop(L, 2);
  sl_vec *x0 = sl_newvec(L, n); /* 3 */
  sl_status st;
  sl_objective *o = sl_obj_mgh(k, n, m, x0->data, &st);
  if (o == NULL) return sl_status_error(L, MGH, st, NULL);
  push_members(L, o); /* 4 */
  lua_pushvalue(L, 3);
  lua_setfield(L, 4, "x0");
  const sl_mgh_info *in = sl_mgh_get(k);
  lua_pushstring(L, in->name);
  lua_setfield(L, 4, "problem");
  lua_pushinteger(L, in->number);
  lua_setfield(L, 4, "number");
  sl_pushobj(L, o, 0, 4);
  return 1;
}

static int l_mgh_list(lua_State *L) {
  lua_createtable(L, SL_MGH_COUNT, 0);
  for (int k = 0; k < SL_MGH_COUNT; k++) {
    const sl_mgh_info *in = sl_mgh_get(k);
    lua_createtable(L, 0, 5);
    lua_pushinteger(L, in->number);
    lua_setfield(L, -2, "number");
    lua_pushstring(L, in->name);
    lua_setfield(L, -2, "name");
    lua_pushinteger(L, (lua_Integer)in->n);
    lua_setfield(L, -2, "n");
    lua_pushinteger(L, (lua_Integer)in->m);
    lua_setfield(L, -2, "m");
    lua_pushstring(L, in->sizes);
    lua_setfield(L, -2, "sizes");
    lua_rawseti(L, -2, k + 1);
  }
  return 1;
}

static const sl_reg res_funcs[] = {
    {"residuals", l_residuals,
     "slope.obj.residuals{m = int, dim = int, r = function(x, r) [, J = function(x, J)]} | {X = "
     "mat, y = vec [, l2 = 0, intercept = false]} | (testfn) -> objective",
     "A least-squares objective f(x) = |r(x)|^2 (the plain sum of squares; scipy's cost is half "
     "of it) with gradient 2 J'r and the Gauss-Newton Hessian-vector product 2 J'(J v) "
     "(f.hvp_kind = \"gauss_newton\": not the exact Hessian). r(x, r) fills the m residuals in "
     "place (or returns a vec or table of m numbers); J(x, J), optional, fills the m x dim "
     "Jacobian mat J (or returns such a mat); without J the Jacobian is taken by forward "
     "differences (dim residual evaluations, f.jac = \"forward differences\"). Works with every "
     "slope.minimize method; method = \"lm\" and \"gauss_newton\" use r and J directly. Members: "
     "f.m, f.jac, f.hvp_kind, f:residual(x), f:jacobian(x), f:njev(). Built-in forms: {X = mat, "
     "y = vec [, l2 = 0, intercept = false]} is slope.obj.least_squares (the same value "
     "(1/2n)|Xw + b - y|^2 + (l2/2)|w|^2) with r = [(Xw + b - y)/sqrt(2n); sqrt(l2/2) w], X a "
     "dense mat kept alive with the objective; slope.obj.residuals(f) for f = "
     "slope.obj.rosenbrock(n) (r = 10(x_{i+1} - x_i^2), 1 - x_i), beale, booth or himmelblau "
     "gives their terms as residuals, with the same value."},
    {"mgh", l_mgh, "slope.obj.mgh(name | number [, {n = int, m = int}]) -> objective",
     "Problem 1..35 of the More-Garbow-Hillstrom test set (ACM TOMS 7, 1981) as a residual "
     "objective with its analytic Jacobian: f.x0 its standard starting point, f.problem, "
     "f.number, f.m; the variable-size problems take n (and m) within the paper's ranges "
     "(slope.obj.mgh_list() says which), the defaults being those of MINPACK's tests."},
    {"mgh_list", l_mgh_list, "slope.obj.mgh_list() -> {{number, name, n, m, sizes}, ...}",
     "The 35 More-Garbow-Hillstrom problems: number, name, default n and m, and the sizes each "
     "accepts, in words."},
    {NULL, NULL, NULL, NULL}};

int sl_open_obj_residuals(lua_State *L, int slope) {
  lua_getfield(L, slope, "obj");
  int t = lua_gettop(L);
  lua_newtable(L);
  sl_setfuncs(L, lua_gettop(L), res_methods, "slope.obj.<residuals>");
  sl_setfuncs_up(L, t, res_funcs, "slope.obj", 1);
  lua_pop(L, 1);
  return 0;
}
