/*
** lobj_testfns.c — slope.obj.rosenbrock, beale, booth, himmelblau, rastrigin,
** ackley, styblinski_tang, saddle, monkey_saddle and quadratic: constructors
** of the core test functions (src/core/obj_testfns.c, obj_quadratic.c).
** Opens after sl_open_obj and installs into its table.
*/
#include <stdio.h>
#include <string.h>

#include "laux.h"
#include "lobj.h"
#include "sl_testfns.h"

/* ---- test functions ------------------------------------------------------- */

/* Dimension argument: n, or {dim = n} / {n = n}; absent = 2. */
static size_t check_n(lua_State *L, const char *fname, size_t lo) {
  if (lua_istable(L, 1)) {
    static const char *const keys[] = {"dim", "n", NULL};
    sl_checkkeys(L, 1, keys, fname);
    lua_Integer d = sl_optint(L, 1, "dim", 0, 0, fname);
    lua_Integer n = sl_optint(L, 1, "n", d ? d : 2, 0, fname);
    if (d && n != d) sl_error(L, fname, "dim and n disagree (%I vs %I)", d, n);
    if (n < (lua_Integer)lo) sl_error(L, fname, "n must be an integer >= %I, got %I", (lua_Integer)lo, n);
    return (size_t)n;
  }
  if (lua_isnoneornil(L, 1)) return 2;
  if (lua_type(L, 1) == LUA_TNUMBER) {
    int isint;
    lua_Integer n = lua_tointegerx(L, 1, &isint);
    if (!isint) sl_error(L, fname, "n must be an integer, got %s", lua_tostring(L, 1));
    if (n < (lua_Integer)lo) sl_error(L, fname, "n must be an integer >= %I, got %I", (lua_Integer)lo, n);
    if ((size_t)n > SL_MAX_ENTRIES) sl_error(L, fname, "n is too large");
    return (size_t)n;
  }
  return sl_error(L, fname, "n must be an integer or {dim = n}, got %s", luaL_typename(L, 1));
}

/* Upvalue 1: index into sl_testfns. */
static int testfn_new(lua_State *L) {
  const sl_testfn_info *t = &sl_testfns[lua_tointeger(L, lua_upvalueindex(1))];
  char fname[64];
  snprintf(fname, sizeof fname, "slope.obj.%s", t->name);
  size_t n = t->fixed_dim;
  if (n == 0) {
    n = check_n(L, fname, t->min_dim);
  } else if (!lua_isnoneornil(L, 1)) {
    return sl_error(L, fname, "takes no arguments (the function is 2-dimensional), got %s",
                    luaL_typename(L, 1));
  }
  sl_status st;
  sl_objective *o = sl_obj_testfn_new(t->name, n, &st);
  if (o == NULL && st != SL_ENOMEM) return sl_status_error(L, fname, st, NULL);
  lua_settop(L, 0);
  sl_pushobj(L, o, 0, 0);
  return 1;
}

typedef struct testfn_doc {
  const char *name, *sig, *doc;
} testfn_doc;

static const testfn_doc testfn_docs[] = {
    {"rosenbrock", "slope.obj.rosenbrock([n=2]) -> objective",
     "Chained Rosenbrock sum_{i<n} 100(x_{i+1}-x_i^2)^2 + (1-x_i)^2, n >= 2 (or {dim=n}): minimum 0 at "
     "(1, ..., 1) (4 <= n <= 7 also has a local minimum near (-1, 1, ..., 1)). f:init() = (-1.2, 1, -1.2, 1, ...)."},
    {"beale", "slope.obj.beale() -> objective",
     "Beale (1.5-x+xy)^2 + (2.25-x+xy^2)^2 + (2.625-x+xy^3)^2: minimum 0 at (3, 0.5). f:init() = (1, 1)."},
    {"booth", "slope.obj.booth() -> objective",
     "Booth (x+2y-7)^2 + (2x+y-5)^2, a convex quadratic: minimum 0 at (1, 3). f:init() = (0, 0)."},
    {"himmelblau", "slope.obj.himmelblau() -> objective",
     "Himmelblau (x^2+y-11)^2 + (x+y^2-7)^2: four minima of value 0 at (3, 2), (-2.805118087, 3.131312518), "
     "(-3.779310253, -3.283185991), (3.584428340, -1.848126527); local max 181.6165 at (-0.270845, -0.923039). f:init() = (0, 0)."},
    {"rastrigin", "slope.obj.rastrigin([n=2]) -> objective",
     "Rastrigin 10n + sum x_i^2 - 10cos(2 pi x_i), a lattice of local minima: global minimum 0 at 0. "
     "f:init(rng) is uniform in [-5.12, 5.12]^n."},
    {"ackley", "slope.obj.ackley([n=2]) -> objective",
     "Ackley -20exp(-0.2 sqrt(|x|^2/n)) - exp(sum cos(2 pi x_i)/n) + 20 + e: minimum 0 at 0, where it is not "
     "differentiable (gradient and HVP of the sqrt term taken as 0 there). f:init(rng) is uniform in [-5, 5]^n."},
    {"styblinski_tang", "slope.obj.styblinski_tang([n=2]) -> objective",
     "Styblinski-Tang 1/2 sum x_i^4 - 16x_i^2 + 5x_i: minimum -39.16616570377142 n at x_i = -2.903534027771177 "
     "(2^n local minima, x_i in {-2.9035, 2.7468}). f:init(rng) is uniform in [-5, 5]^n."},
    {"saddle", "slope.obj.saddle() -> objective",
     "x^2 - y^2: unbounded below (no minimizer); its one critical point is a saddle at (0, 0), f = 0, "
     "Hessian diag(2, -2). f:init() = (1, 0.01)."},
    {"monkey_saddle", "slope.obj.monkey_saddle() -> objective",
     "Monkey saddle x^3 - 3xy^2: unbounded below (no minimizer); degenerate critical point at (0, 0), f = 0, "
     "zero Hessian, three descending valleys. f:init() = (1, 0.01)."},
    {NULL, NULL, NULL}};

/* ---- quadratic ------------------------------------------------------------- */

/* Convert the option field key into a vec or mat at stack slot `slot`, turning
   sl_tovec/sl_tomat's argument errors into "fname: key: ..." messages. */
static int conv_vec(lua_State *L) { sl_tovec(L, 1); return 1; }
static int conv_mat(lua_State *L) { sl_tomat(L, 1); return 1; }

static void *field_conv(lua_State *L, int t, const char *key, int ismat, const char *fname) {
  int ty = lua_getfield(L, t, key);
  if (ty == LUA_TNIL) {
    lua_pop(L, 1);
    return NULL;
  }
  if (ismat ? sl_testmat(L, -1) != NULL : sl_testvec(L, -1) != NULL)
    return ismat ? (void *)sl_testmat(L, -1) : (void *)sl_testvec(L, -1);
  if (ty != LUA_TTABLE)
    sl_error(L, fname, "%s must be a %s, got %s", key, ismat ? "mat or a table of rows" : "vec or a table of numbers",
             luaL_typename(L, -1));
  lua_pushcfunction(L, ismat ? conv_mat : conv_vec);
  lua_insert(L, -2);
  if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
    /* "bad argument #1 to '?' (entry 2 is string, expected a number)" -> the part in parentheses */
    const char *m = lua_tostring(L, -1);
    const char *p = m ? strchr(m, '(') : NULL;
    size_t len = p ? strlen(p + 1) : 0;
    if (p && len > 0 && p[len] == ')') lua_pushlstring(L, p + 1, len - 1);
    else lua_pushstring(L, m ? m : "invalid value");
    sl_error(L, fname, "%s: %s", key, lua_tostring(L, -1));
  }
  return ismat ? (void *)sl_testmat(L, -1) : (void *)sl_testvec(L, -1);
}

static int quad_matrix(lua_State *L) {
  sl_objective *o = sl_checkobj(L, 1);
  const double *A = sl_obj_quadratic_matrix(o);
  if (A == NULL) return luaL_argerror(L, 1, "quadratic objective expected");
  sl_mat *m = sl_newmat(L, o->dim, o->dim);
  memcpy(m->data, A, o->dim * o->dim * sizeof *A);
  return 1;
}

static int quad_rhs(lua_State *L) {
  sl_objective *o = sl_checkobj(L, 1);
  const double *b = sl_obj_quadratic_rhs(o);
  if (b == NULL) return luaL_argerror(L, 1, "quadratic objective expected");
  sl_vec *v = sl_newvec(L, o->dim);
  memcpy(v->data, b, o->dim * sizeof *b);
  return 1;
}

static int quad_minimizer(lua_State *L) {
  sl_objective *o = sl_checkobj(L, 1);
  if (sl_obj_quadratic_matrix(o) == NULL) return luaL_argerror(L, 1, "quadratic objective expected");
  sl_vec *x = sl_newvec(L, o->dim);
  sl_status st = sl_obj_quadratic_minimizer(o, x->data);
  if (st == SL_EINVAL)
    return sl_error(L, "minimizer", "A is not positive definite: the quadratic has no minimizer");
  if (st < 0) return sl_status_error(L, "minimizer", st, NULL);
  return 1;
}

static const sl_reg quad_methods[] = {
    {"matrix", quad_matrix, "f:matrix() -> mat", "A copy of the quadratic's symmetric matrix A (its Hessian)."},
    {"rhs", quad_rhs, "f:rhs() -> vec", "A copy of the quadratic's linear term b."},
    {"minimizer", quad_minimizer, "f:minimizer() -> vec",
     "x* = A^{-1} b by Cholesky; an error when A is not positive definite."},
    {NULL, NULL, NULL, NULL}};

/* Upvalue 1: the methods table of quadratic objectives. */
static int quadratic_new(lua_State *L) {
  const char *fname = "slope.obj.quadratic";
  static const char *const keys[] = {"A", "b", "eigs", "seed", NULL};
  if (!lua_istable(L, 1))
    return sl_error(L, fname, "options table expected ({A = mat} or {eigs = vec, seed = int}), got %s",
                    luaL_typename(L, 1));
  lua_settop(L, 1);
  sl_checkkeys(L, 1, keys, fname);
  sl_mat *A = field_conv(L, 1, "A", 1, fname);   /* slot 2 if present */
  int hasA = A != NULL;
  if (!hasA) lua_pushnil(L);
  sl_vec *eigs = field_conv(L, 1, "eigs", 0, fname); /* slot 3 */
  if (!eigs) lua_pushnil(L);
  sl_vec *b = field_conv(L, 1, "b", 0, fname); /* slot 4 */
  if (!b) lua_pushnil(L);
  if (hasA == (eigs != NULL)) return sl_error(L, fname, "give exactly one of A and eigs");
  lua_Integer seed = sl_optint(L, 1, "seed", 0, 0, fname);
  if (hasA && lua_getfield(L, 1, "seed") != LUA_TNIL)
    return sl_error(L, fname, "seed is only used with eigs");
  lua_settop(L, 4);
  size_t n = hasA ? A->rows : eigs->n;
  if (hasA && A->rows != A->cols)
    return sl_error(L, fname, "A must be square, got %I x %I", (lua_Integer)A->rows, (lua_Integer)A->cols);
  if (n == 0) return sl_error(L, fname, "%s must not be empty", hasA ? "A" : "eigs");
  if (b && b->n != n)
    return sl_error(L, fname, "dimension mismatch: b has %I entries, expected %I", (lua_Integer)b->n,
                    (lua_Integer)n);
  char msg[256] = "";
  sl_status st;
  sl_objective *o = hasA ? sl_obj_quadratic_new(n, A->data, b ? b->data : NULL, &st, msg, sizeof msg)
                         : sl_obj_quadratic_eigs_new(n, eigs->data, b ? b->data : NULL, (uint64_t)seed,
                                                     &st, msg, sizeof msg);
  if (o == NULL && st != SL_ENOMEM) return sl_error(L, fname, "%s", msg[0] ? msg : sl_status_string(st));
  lua_settop(L, 0);
  sl_pushobj(L, o, 0, lua_upvalueindex(1));
  return 1;
}

int sl_open_obj_testfns(lua_State *L, int slope) {
  lua_getfield(L, slope, "obj");
  int t = lua_gettop(L);
  for (size_t k = 0; sl_testfns[k].name; k++) {
    const testfn_doc *d = testfn_docs;
    while (d->name && strcmp(d->name, sl_testfns[k].name) != 0) d++;
    lua_pushinteger(L, (lua_Integer)k);
    lua_pushcclosure(L, testfn_new, 1);
    char name[64];
    snprintf(name, sizeof name, "slope.obj.%s", sl_testfns[k].name);
    sl_sethelp(L, -1, name, d->sig, d->doc);
    lua_setfield(L, t, sl_testfns[k].name);
  }
  lua_newtable(L);
  sl_setfuncs(L, -1, quad_methods, "slope.obj.quadratic");
  lua_pushcclosure(L, quadratic_new, 1);
  sl_sethelp(L, -1, "slope.obj.quadratic",
             "slope.obj.quadratic{A = mat [, b = vec]} or {eigs = vec [, seed = 0] [, b = vec]} -> objective",
             "f = x'Ax/2 - b'x (b default 0); with eigs, A = Q diag(eigs) Q' for a Haar-random orthogonal Q from seed. "
             "Minimizer A^{-1}b (f:minimizer(), when A > 0) with value -b'A^{-1}b/2; f:matrix() is A; f:init() = 0.");
  lua_setfield(L, t, "quadratic");
  lua_pop(L, 1);
  return 0;
}
