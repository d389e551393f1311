/*
** lobj_testfns.c — slope.obj test functions (rosenbrock, beale, booth,
** himmelblau, rastrigin, ackley, styblinski_tang, saddle, monkey_saddle) and
** slope.obj.quadratic. Each objective carries its documented minimizers:
** f.fmin, f.minimizers (a list of vecs), f:minimizer(); a quadratic also has
** f:matrix(), f:rhs() and f.eigs (spectral form).
*/
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "laux.h"
#include "lobj.h"
#include "sl_testfns.h"

#define QUAD_MAX_DIM 10000 /* A is dense: 800 MB */

/* n from arg 1: an integer, or a table {n=} (alias dim=), or none for def. */
static size_t check_n(lua_State *L, const char *fname, lua_Integer def, lua_Integer lo) {
  lua_Integer n = def;
  if (lua_istable(L, 1)) {
    static const char *const keys[] = {"n", "dim", NULL};
    sl_checkkeys(L, 1, keys, fname);
    lua_getfield(L, 1, "n");
    lua_getfield(L, 1, "dim");
    int both = !lua_isnil(L, -1) && !lua_isnil(L, -2);
    lua_pop(L, 2);
    if (both)
      return (size_t)sl_error(L, fname, "give n or dim (the same: the dimension), not both");
    n = sl_optint(L, 1, "n", sl_optint(L, 1, "dim", def, lo, fname), lo, fname);
  } else if (!lua_isnoneornil(L, 1)) {
    int isint;
    n = lua_tointegerx(L, 1, &isint);
    if (!isint)
      return (size_t)sl_error(L, fname, "n must be an integer >= %I, got %s", lo,
                              sl_pushgot(L, 1)); /* "nan", not C's "-nan" */
  }
  if (n < lo) return (size_t)sl_error(L, fname, "n must be an integer >= %I, got %I", lo, n);
  if ((uint64_t)n > SL_MAX_ENTRIES) return (size_t)sl_error(L, fname, "n is too large");
  return (size_t)n;
}

/* ---- per-object methods --------------------------------------------------- */

static int m_minimizer(lua_State *L) {
  sl_objective *o = sl_checkobj(L, 1);
  if (sl_obj_is_quadratic(o)) {
    sl_vec *x = sl_newvec(L, o->dim);
    sl_status st = sl_quadratic_minimizer(o, x->data);
    if (st < 0) return sl_obj_error(L, "minimizer", o, st);
    return 1;
  }
  size_t k = (size_t)luaL_optinteger(L, 2, 1);
  size_t count = sl_testfn_minimizers(o, SIZE_MAX, NULL);
  if (count == 0)
    return sl_error(L, "minimizer", "%s has no minimizer (it is unbounded below)", o->ops->name);
  if (k < 1 || k > count)
    luaL_argerror(L, 2, lua_pushfstring(L, "expected 1..%I", (lua_Integer)count));
  sl_vec *x = sl_newvec(L, o->dim);
  sl_testfn_minimizers(o, k - 1, x->data);
  return 1;
}

static int m_matrix(lua_State *L) {
  sl_objective *o = sl_checkobj(L, 1);
  if (!sl_obj_is_quadratic(o)) return sl_error(L, "matrix", "%s is not a quadratic", o->ops->name);
  sl_mat *a = sl_newmat(L, o->dim, o->dim);
  memcpy(a->data, sl_quadratic_A(o), o->dim * o->dim * sizeof(double));
  return 1;
}

static int m_rhs(lua_State *L) {
  sl_objective *o = sl_checkobj(L, 1);
  if (!sl_obj_is_quadratic(o)) return sl_error(L, "rhs", "%s is not a quadratic", o->ops->name);
  sl_vec *b = sl_newvec(L, o->dim);
  memcpy(b->data, sl_quadratic_b(o), o->dim * sizeof(double));
  return 1;
}

static const sl_reg testfn_methods[] = {
    {"minimizer", m_minimizer, "f:minimizer([k]) -> vec",
     "The k-th documented minimizer (default 1) of a test function; for a quadratic A^{-1} b."},
    {"matrix", m_matrix, "f:matrix() -> mat", "A copy of a quadratic's matrix A."},
    {"rhs", m_rhs, "f:rhs() -> vec", "A copy of a quadratic's linear term b."},
    {NULL, NULL, NULL, NULL}};

/* Push the per-object table for o: minimizer method, fmin, minimizers. */
static void push_testfn_methods(lua_State *L, sl_objective *o) {
  lua_createtable(L, 0, 4);
  lua_getfield(L, lua_upvalueindex(1), "minimizer");
  lua_setfield(L, -2, "minimizer");
  double fmin = sl_testfn_fmin(o);
  if (!isnan(fmin)) {
    lua_pushnumber(L, fmin);
    lua_setfield(L, -2, "fmin");
  }
  size_t count = sl_testfn_minimizers(o, SIZE_MAX, NULL);
  if (o->dim > 2 && count) count = 1; /* n-dim functions: one minimizer */
  lua_createtable(L, (int)count, 0);
  for (size_t k = 0; k < count; k++) {
    sl_vec *x = sl_newvec(L, o->dim);
    sl_testfn_minimizers(o, k, x->data);
    lua_rawseti(L, -2, (lua_Integer)k + 1);
  }
  lua_setfield(L, -2, "minimizers");
}

static int push_testfn(lua_State *L, sl_objective *o) {
  if (o == NULL) return luaL_error(L, "out of memory creating an objective");
  push_testfn_methods(L, o);
  sl_pushobj(L, o, 0, -1);
  return 1;
}

static int l_rosenbrock(lua_State *L) {
  size_t n = check_n(L, "slope.obj.rosenbrock", 2, 2);
  return push_testfn(L, sl_obj_rosenbrock(n));
}
static int l_rastrigin(lua_State *L) {
  size_t n = check_n(L, "slope.obj.rastrigin", 2, 1);
  return push_testfn(L, sl_obj_rastrigin(n));
}
static int l_ackley(lua_State *L) {
  size_t n = check_n(L, "slope.obj.ackley", 2, 1);
  return push_testfn(L, sl_obj_ackley(n));
}
static int l_styblinski_tang(lua_State *L) {
  size_t n = check_n(L, "slope.obj.styblinski_tang", 2, 1);
  return push_testfn(L, sl_obj_styblinski_tang(n));
}

static void check_noargs(lua_State *L, const char *fname) {
  if (!lua_isnoneornil(L, 1) && !(lua_istable(L, 1) && (lua_pushnil(L), lua_next(L, 1) == 0)))
    sl_error(L, fname, "takes no arguments (the function is 2-dimensional)");
}

static int l_beale(lua_State *L) {
  check_noargs(L, "slope.obj.beale");
  return push_testfn(L, sl_obj_beale());
}
static int l_booth(lua_State *L) {
  check_noargs(L, "slope.obj.booth");
  return push_testfn(L, sl_obj_booth());
}
static int l_himmelblau(lua_State *L) {
  check_noargs(L, "slope.obj.himmelblau");
  return push_testfn(L, sl_obj_himmelblau());
}
static int l_saddle(lua_State *L) {
  check_noargs(L, "slope.obj.saddle");
  return push_testfn(L, sl_obj_saddle());
}
static int l_monkey_saddle(lua_State *L) {
  check_noargs(L, "slope.obj.monkey_saddle");
  return push_testfn(L, sl_obj_monkey_saddle());
}

/* ---- quadratic ------------------------------------------------------------ */

/* A (at 2) or eigs (at 3): its data, the dimension into *n (checked). */
static const double *quad_source(lua_State *L, const char *fname, int hasA, size_t *n) {
  const double *src;
  if (hasA) {
    if (!sl_testmat(L, 2) && !lua_istable(L, 2))
      sl_error(L, fname, "A must be a mat, got %s", luaL_typename(L, 2));
    sl_mat *A = sl_tomat(L, 2);
    if (A->rows != A->cols)
      sl_error(L, fname, "A must be square, got %I x %I", (lua_Integer)A->rows,
               (lua_Integer)A->cols);
    if (A->rows == 0) sl_error(L, fname, "A must not be empty");
    *n = A->rows;
    src = A->data;
  } else {
    if (!sl_testvec(L, 3) && !lua_istable(L, 3))
      sl_error(L, fname, "eigs must be a vec, got %s", luaL_typename(L, 3));
    sl_vec *e = sl_tovec(L, 3);
    if (e->n == 0) sl_error(L, fname, "eigs must not be empty");
    *n = e->n;
    src = e->data;
  }
  if (*n > QUAD_MAX_DIM)
    sl_error(L, fname, "n = %I is above the dense limit %d", (lua_Integer)*n, QUAD_MAX_DIM);
  return src;
}

/* b (at 4): n finite numbers, or NULL when absent. */
static const double *quad_rhs(lua_State *L, const char *fname, size_t n) {
  if (lua_isnil(L, 4)) return NULL;
  if (!sl_testvec(L, 4) && !lua_istable(L, 4))
    sl_error(L, fname, "b must be a vec, got %s", luaL_typename(L, 4));
  sl_vec *bv = sl_tovec(L, 4);
  if (bv->n != n)
    sl_error(L, fname, "b has %I entries, expected %I", (lua_Integer)bv->n, (lua_Integer)n);
  for (size_t i = 0; i < n; i++)
    if (!isfinite(bv->data[i])) sl_error(L, fname, "b[%I] is not finite", (lua_Integer)i + 1);
  return bv->data;
}

/* Why the core refused A: a non-finite entry, or asymmetry. */
static int quad_fail(lua_State *L, const char *fname, sl_status st, int hasA, size_t n,
                     const double *src) {
  if (st != SL_EINVAL || !hasA) return sl_status_error(L, fname, st, NULL);
  for (size_t i = 0; i < n * n; i++)
    if (!isfinite(src[i]))
      return sl_error(L, fname, "A[%I][%I] is not finite", (lua_Integer)(i / n) + 1,
                      (lua_Integer)(i % n) + 1);
  return sl_error(L, fname, "A must be symmetric");
}

/* The objective with its methods (minimizer, matrix, rhs) and, from eigs, f.eigs. */
static int push_quad(lua_State *L, sl_objective *o, int hasA, size_t n, const double *src) {
  lua_createtable(L, 0, 4);
  const char *names[] = {"minimizer", "matrix", "rhs"};
  for (int i = 0; i < 3; i++) {
    lua_getfield(L, lua_upvalueindex(1), names[i]);
    lua_setfield(L, -2, names[i]);
  }
  if (!hasA) {
    sl_vec *e = sl_newvec(L, n);
    memcpy(e->data, src, n * sizeof *src);
    lua_setfield(L, -2, "eigs");
  }
  sl_pushobj(L, o, 0, -1);
  return 1;
}

static int l_quadratic(lua_State *L) {
  static const char *fname = "slope.obj.quadratic";
  static const char *const keys[] = {"A", "b", "eigs", "seed", NULL};
  if (!lua_istable(L, 1))
    return sl_error(L, fname,
                    "options table expected ({A=mat [, b=vec]} or {eigs=vec [, seed=int]}), got %s",
                    luaL_typename(L, 1));
  lua_settop(L, 1);
  sl_checkkeys(L, 1, keys, fname);
  lua_getfield(L, 1, "A");    /* 2 */
  lua_getfield(L, 1, "eigs"); /* 3 */
  lua_getfield(L, 1, "b");    /* 4 */
  int hasA = !lua_isnil(L, 2), hasE = !lua_isnil(L, 3);
  if (hasA == hasE) return sl_error(L, fname, "give exactly one of A and eigs");
  lua_Integer seed = sl_optint(L, 1, "seed", 0, 0, fname);
  if (hasA && lua_getfield(L, 1, "seed") != LUA_TNIL)
    return sl_error(L, fname, "seed applies only with eigs");
  lua_settop(L, 4);
  size_t n;
  const double *src = quad_source(L, fname, hasA, &n);
  const double *b = quad_rhs(L, fname, n);
  if (!hasA)
    for (size_t i = 0; i < n; i++)
      if (!isfinite(src[i]))
        return sl_error(L, fname, "eigs[%I] is not finite", (lua_Integer)i + 1);
  sl_status st;
  sl_objective *o = hasA ? sl_obj_quadratic(n, src, b, &st)
                         : sl_obj_quadratic_eigs(n, src, b, (uint64_t)seed, &st);
  if (o == NULL) return quad_fail(L, fname, st, hasA, n, src);
  return push_quad(L, o, hasA, n, src);
}

/* The dimension argument of the n-dimensional test functions, for their help. */
#define DIM_DOC " The dimension n (an integer, or a table {n=} or {dim=}, dim an alias of n)."

static const sl_reg testfn_funcs[] = {
    {"rosenbrock", l_rosenbrock, "slope.obj.rosenbrock([n=2]) | {n=2} | {dim=2} -> objective",
     "Chained Rosenbrock sum_{i<n} 100(x_{i+1}-x_i^2)^2 + (1-x_i)^2, n >= 2: minimum 0 at "
     "(1,...,1); f:init() gives (-1.2, 1, -1.2, ...)." DIM_DOC},
    {"quadratic", l_quadratic,
     "slope.obj.quadratic{A=mat [, b=vec]} | {eigs=vec [, seed=0, b=vec]} -> objective",
     "1/2 x'Ax - b'x (A symmetric; b default 0); with eigs, A = Q diag(eigs) Q' for a seeded "
     "random orthogonal Q. Minimizer A^{-1}b (A positive definite): f:minimizer(); f:matrix(), "
     "f:rhs(), f.eigs; f:init(rng) is a normal draw."},
    {"beale", l_beale, "slope.obj.beale() -> objective",
     "Beale's function (1.5-x+xy)^2 + (2.25-x+xy^2)^2 + (2.625-x+xy^3)^2: minimum 0 at (3, 0.5); "
     "start (1, 1)."},
    {"booth", l_booth, "slope.obj.booth() -> objective",
     "(x+2y-7)^2 + (2x+y-5)^2: minimum 0 at (1, 3); start (0, 0)."},
    {"himmelblau", l_himmelblau, "slope.obj.himmelblau() -> objective",
     "(x^2+y-11)^2 + (x+y^2-7)^2: four minima of value 0 at (3, 2), (-2.805118, 3.131313), "
     "(-3.779310, -3.283186), (3.584428, -1.848127) (f.minimizers); start (0, 0)."},
    {"rastrigin", l_rastrigin, "slope.obj.rastrigin([n=2]) | {n=2} | {dim=2} -> objective",
     "10n + sum x_i^2 - 10 cos(2 pi x_i): many local minima, global minimum 0 at 0; f:init(rng) is "
     "uniform in [-5.12, 5.12]^n." DIM_DOC},
    {"ackley", l_ackley, "slope.obj.ackley([n=2]) | {n=2} | {dim=2} -> objective",
     "-20 exp(-0.2 sqrt(|x|^2/n)) - exp(mean cos(2 pi x_i)) + 20 + e: minimum 0 at 0 (a kink "
     "there; gradient 0 returned); f:init(rng) uniform in [-5, 5]^n." DIM_DOC},
    {"styblinski_tang", l_styblinski_tang,
     "slope.obj.styblinski_tang([n=2]) | {n=2} | {dim=2} -> objective",
     "1/2 sum x_i^4 - 16x_i^2 + 5x_i: minimum -39.16616570377141 n at x_i = -2.903534027771177; "
     "f:init(rng) uniform in [-5, 5]^n." DIM_DOC},
    {"saddle", l_saddle, "slope.obj.saddle() -> objective",
     "x^2 - y^2: a strict saddle at (0, 0), unbounded below (no minimizer); start (1, 0.001)."},
    {"monkey_saddle", l_monkey_saddle, "slope.obj.monkey_saddle() -> objective",
     "x^3 - 3xy^2: a degenerate saddle at (0, 0) (zero Hessian), unbounded below; start (1, "
     "0.001)."},
    {NULL, NULL, NULL, NULL}};

int sl_open_obj_testfns(lua_State *L, int slope) {
  lua_getfield(L, slope, "obj");
  int t = lua_gettop(L);
  lua_newtable(L);
  sl_setfuncs(L, lua_gettop(L), testfn_methods, "slope.obj.<testfn>");
  sl_setfuncs_up(L, t, testfn_funcs, "slope.obj", 1);
  lua_pop(L, 1);
  return 0;
}
