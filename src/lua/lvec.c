/*
** lvec.c — slope.vec: dense float64 vectors, 1-based in Lua.
** In-place methods (copy, fill, scale, axpy, mul, add) allocate nothing;
** arithmetic metamethods return new vectors; elementwise maps (abs, sqrt, exp,
** log, clamp, map) return a new vec or write into a given out (which may be x).
** x[i] past the end reads nil (ipairs stops there, as on a table); an index
** below 1 and any write out of range are errors. x:sub(i, j) is a view.
*/
#include <math.h>
#include <string.h>

#include "laux.h"
#include "lrng.h"

/*
** Every function here is a closure whose upvalue 1 is the vec metatable, so
** checking an argument is one metatable comparison (the hot path of
** `x:axpy(a, y)` inside a Lua loop); anything else goes through sl_checkvec
** for its error message.
*/
static inline sl_vec *checkvec(lua_State *L, int arg) {
  sl_lvec *u = lua_touserdata(L, arg);
  if (u != NULL && lua_getmetatable(L, arg)) {
    int same = lua_rawequal(L, -1, lua_upvalueindex(1));
    lua_pop(L, 1);
    if (same) return &u->v;
  }
  return sl_checkvec(L, arg);
}

/* ---- constructors ---------------------------------------------------- */

static int vec_new(lua_State *L) {
  if (lua_type(L, 1) == LUA_TNUMBER)
    return luaL_argerror(L, 1, "table of numbers expected (use slope.vec.zeros(n) for a size)");
  sl_vec *src = sl_testvec(L, 1);
  if (src) {
    sl_vec *v = sl_newvec(L, src->n);
    sl_vec_copy(src->n, v->data, src->data);
    return 1;
  }
  sl_tovec(L, 1);
  lua_settop(L, 1);
  return 1;
}

static int vec_call(lua_State *L) { /* slope.vec{...} */
  lua_remove(L, 1);
  return vec_new(L);
}

static int vec_zeros(lua_State *L) {
  sl_newvec(L, sl_checksize(L, 1, 0));
  return 1;
}

static int vec_ones(lua_State *L) {
  size_t n = sl_checksize(L, 1, 0);
  sl_vec *v = sl_newvec(L, n);
  sl_vec_fill(n, v->data, 1.0);
  return 1;
}

static int vec_full(lua_State *L) {
  size_t n = sl_checksize(L, 1, 0);
  double x = luaL_checknumber(L, 2);
  sl_vec *v = sl_newvec(L, n);
  sl_vec_fill(n, v->data, x);
  return 1;
}

static int vec_linspace(lua_State *L) {
  double a = sl_checkfinite(L, 1), b = sl_checkfinite(L, 2);
  size_t n = sl_checksize(L, 3, 0);
  sl_vec *v = sl_newvec(L, n);
  sl_vec_linspace(n, v->data, a, b);
  return 1;
}

static int vec_randn(lua_State *L) {
  size_t n = sl_checksize(L, 1, 0);
  sl_rng *r = sl_optrng(L, 2);
  sl_vec *v = sl_newvec(L, n);
  for (size_t i = 0; i < n; i++) v->data[i] = sl_rng_normal(r);
  return 1;
}

static int vec_rand(lua_State *L) {
  size_t n = sl_checksize(L, 1, 0);
  sl_rng *r = sl_optrng(L, 2);
  sl_vec *v = sl_newvec(L, n);
  for (size_t i = 0; i < n; i++) v->data[i] = sl_rng_uniform(r);
  return 1;
}

/* ---- element access ---------------------------------------------------- */

static lua_Integer index_integer(lua_State *L, int arg) {
  int isint;
  lua_Integer i = lua_tointegerx(L, arg, &isint);
  if (!isint) {
    luaL_error(L, "vec index must be an integer, got %s", sl_pushgot(L, arg));
  }
  return i;
}

static size_t check_index(lua_State *L, const sl_vec *v, int arg) {
  lua_Integer i = index_integer(L, arg);
  if (i < 1 || (size_t)i > v->n)
    luaL_error(L, "vec index %I out of range (1..%I)", i, (lua_Integer)v->n);
  return (size_t)i - 1;
}

/* x[i] outside 1..n: nil past the end (ipairs stops, as on a table), an error
   below 1 (slope is 1-based: x[0] is a bug, not a missing value). */
static int index_slow(lua_State *L, const sl_vec *v) {
  lua_Integer i = index_integer(L, 2);
  if (i < 1)
    return luaL_error(L, "vec index %I out of range (1..%I): indices start at 1", i,
                      (lua_Integer)v->n);
  lua_pushnil(L);
  return 1;
}

static int vec_index(lua_State *L) {
  if (lua_type(L, 2) == LUA_TSTRING) {
    lua_pushvalue(L, 2);
    lua_rawget(L, lua_upvalueindex(2));
    return 1;
  }
  sl_vec *v = checkvec(L, 1);
  int isint;
  lua_Integer i = lua_tointegerx(L, 2, &isint);
  if (isint && (lua_Unsigned)i - 1 < (lua_Unsigned)v->n) {
    lua_pushnumber(L, v->data[i - 1]);
    return 1;
  }
  return index_slow(L, v);
}

static int vec_newindex(lua_State *L) {
  sl_vec *v = checkvec(L, 1);
  size_t i = check_index(L, v, 2);
  int isnum;
  double x = lua_tonumberx(L, 3, &isnum);
  if (!isnum) luaL_error(L, "vec entries are numbers, got %s", sl_typename(L, 3));
  v->data[i] = x;
  return 0;
}

static int vec_len(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)checkvec(L, 1)->n);
  return 1;
}

static int vec_clone(lua_State *L) {
  sl_vec *v = checkvec(L, 1);
  sl_vec *c = sl_newvec(L, v->n);
  sl_vec_copy(v->n, c->data, v->data);
  return 1;
}

static int vec_totable(lua_State *L) {
  sl_vec *v = checkvec(L, 1);
  lua_createtable(L, (int)v->n, 0);
  for (size_t i = 0; i < v->n; i++) {
    lua_pushnumber(L, v->data[i]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

/* vec[3]{1.5, 2, 3}; long vectors show their head and tail. */
static int vec_tostring(lua_State *L) {
  sl_vec *v = checkvec(L, 1);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  lua_pushfstring(L, "vec[%I]{", (lua_Integer)v->n);
  luaL_addvalue(&b);
  size_t head = v->n > 10 ? 6 : v->n;
  for (size_t i = 0; i < v->n; i++) {
    if (i == head && v->n > 10) {
      luaL_addstring(&b, ", ...");
      i = v->n - 3;
    }
    if (i > 0) luaL_addstring(&b, ", ");
    char buf[32];
    sl_fmt6(buf, sizeof buf, v->data[i]);
    luaL_addstring(&b, buf);
  }
  luaL_addchar(&b, '}');
  luaL_pushresult(&b);
  return 1;
}

/* ---- views ---------------------------------------------------------------- */

/* A position for sub: 1..n, or negative counting from the end (-1 is the last). */
static lua_Integer sub_pos(lua_State *L, int arg, lua_Integer def, lua_Integer n) {
  if (lua_isnoneornil(L, arg)) return def;
  int isint;
  lua_Integer i = lua_tointegerx(L, arg, &isint);
  if (!isint)
    return luaL_argerror(L, arg,
                         lua_type(L, arg) == LUA_TNUMBER
                             ? "integer expected, got a non-integral number"
                             : lua_pushfstring(L, "integer expected, got %s", sl_typename(L, arg)));
  return i < 0 ? n + 1 + i : i;
}

/* x:sub(i, j): entries i..j as a vec sharing x's memory (the view keeps x alive). */
static int vec_sub(lua_State *L) {
  sl_vec *x = checkvec(L, 1);
  lua_Integer n = (lua_Integer)x->n;
  lua_Integer i = sub_pos(L, 2, 1, n), j = sub_pos(L, 3, n, n);
  if (i < 1 || i > n + 1 || j < i - 1 || j > n) {
    const char *msg = lua_pushfstring(L, "range %I..%I is outside 1..%I", i, j, n);
    return luaL_argerror(L, i < 1 || i > n + 1 ? 2 : 3, msg);
  }
  if (sl_istransient(L, 1)) { /* a view of a define'd step's x: emptied with it */
    sl_pushtransient(L);
    sl_pushvecview(L, x->data + (i - 1), (size_t)(j - i + 1), -1);
    sl_transient_add(L, -1);
    return 1;
  }
  sl_pushvecview(L, x->data + (i - 1), (size_t)(j - i + 1), 1);
  return 1;
}

/* ---- elementwise maps ------------------------------------------------------- */

typedef void (*mapfn)(size_t, double *, const double *);

/* out at arg: a vec of x's length (x itself for in place) or a new vec when absent. */
static sl_vec *map_out(lua_State *L, int arg, const sl_vec *x) {
  if (lua_isnoneornil(L, arg)) {
    lua_settop(L, arg - 1);
    return sl_newvec(L, x->n);
  }
  sl_vec *out = checkvec(L, arg);
  sl_checkdim(L, arg, out, x->n, "out");
  if (out->data != x->data && out->data < x->data + x->n && x->data < out->data + out->n)
    luaL_argerror(L, arg, "out overlaps x without being x (views of one vec, shifted)");
  lua_settop(L, arg);
  return out;
}

static int map_with(lua_State *L, mapfn f) {
  sl_vec *x = checkvec(L, 1);
  sl_vec *out = map_out(L, 2, x);
  f(x->n, out->data, x->data);
  return 1;
}

static int vec_abs(lua_State *L) { return map_with(L, sl_vec_abs); }
static int vec_sqrt(lua_State *L) { return map_with(L, sl_vec_sqrt); }
static int vec_exp(lua_State *L) { return map_with(L, sl_vec_exp); }
static int vec_log(lua_State *L) { return map_with(L, sl_vec_log); }

/* A bound for clamp: a number (not NaN), or nil for none (def = -inf / inf). */
static double clamp_bound(lua_State *L, int arg, double def) {
  if (lua_isnoneornil(L, arg)) return def;
  int isnum;
  double b = lua_tonumberx(L, arg, &isnum);
  if (lua_type(L, arg) != LUA_TNUMBER || !isnum)
    return luaL_argerror(L, arg,
                         lua_pushfstring(L, "number or nil expected, got %s", sl_typename(L, arg)));
  if (b != b) luaL_argerror(L, arg, "bound must not be NaN");
  return b;
}

static int vec_clamp(lua_State *L) {
  sl_vec *x = checkvec(L, 1);
  double lo = clamp_bound(L, 2, -HUGE_VAL), hi = clamp_bound(L, 3, HUGE_VAL);
  if (lo > hi) {
    sl_pushnumber_str(L, lo);
    sl_pushnumber_str(L, hi);
    return luaL_argerror(L, 3,
                         lua_pushfstring(L, "empty interval: lo = %s > hi = %s",
                                         lua_tostring(L, -2), lua_tostring(L, -1)));
  }
  sl_vec *out = map_out(L, 4, x);
  sl_vec_clamp(x->n, out->data, x->data, lo, hi);
  return 1;
}

/* x:map(fn [, out]): out[i] = fn(x[i], i), a Lua call per entry. */
static int vec_map(lua_State *L) {
  sl_vec *x = checkvec(L, 1);
  if (lua_type(L, 2) != LUA_TFUNCTION && !luaL_getmetafield(L, 2, "__call"))
    return sl_typeerror(L, 2, "function");
  lua_settop(L, 3);
  sl_vec *out = map_out(L, 3, x);
  for (size_t i = 0; i < x->n; i++) {
    lua_pushvalue(L, 2);
    lua_pushnumber(L, x->data[i]);
    lua_pushinteger(L, (lua_Integer)i + 1);
    lua_call(L, 2, 1);
    int isnum;
    double v = lua_tonumberx(L, -1, &isnum);
    if (!isnum || lua_type(L, -1) != LUA_TNUMBER)
      return luaL_error(L, "slope.vec.map: fn returned %s for entry %I, expected a number",
                        sl_typename(L, -1), (lua_Integer)i + 1);
    lua_pop(L, 1);
    out->data[i] = v; /* out's length was checked and a vec's never changes */
  }
  return 1;
}

/* ---- in place ----------------------------------------------------------- */

static sl_vec *check_same(lua_State *L, sl_vec *x, int arg) {
  sl_vec *y = checkvec(L, arg);
  if (y->n != x->n) {
    const char *msg =
        lua_pushfstring(L, "dimension mismatch: %I vs %I", (lua_Integer)x->n, (lua_Integer)y->n);
    luaL_argerror(L, arg, msg);
  }
  return y;
}

static int vec_copy(lua_State *L) {
  sl_vec *x = checkvec(L, 1);
  sl_vec *y = check_same(L, x, 2);
  if (x->data != y->data) memmove(x->data, y->data, x->n * sizeof(double));
  lua_settop(L, 1);
  return 1;
}

static int vec_fill(lua_State *L) {
  sl_vec *x = checkvec(L, 1);
  sl_vec_fill(x->n, x->data, luaL_checknumber(L, 2));
  lua_settop(L, 1);
  return 1;
}

static int vec_scale(lua_State *L) {
  sl_vec *x = checkvec(L, 1);
  sl_vec_scale(x->n, x->data, luaL_checknumber(L, 2));
  lua_settop(L, 1);
  return 1;
}

static int vec_axpy(lua_State *L) {
  sl_vec *x = checkvec(L, 1);
  double a = luaL_checknumber(L, 2);
  sl_vec *y = check_same(L, x, 3);
  sl_vec_axpy(x->n, x->data, a, y->data);
  lua_settop(L, 1);
  return 1;
}

static int vec_mul(lua_State *L) {
  sl_vec *x = checkvec(L, 1);
  sl_vec *y = check_same(L, x, 2);
  sl_vec_mul(x->n, x->data, y->data);
  lua_settop(L, 1);
  return 1;
}

static int vec_add(lua_State *L) {
  sl_vec *x = checkvec(L, 1);
  sl_vec *y = check_same(L, x, 2);
  sl_vec_add(x->n, x->data, y->data);
  lua_settop(L, 1);
  return 1;
}

/* ---- reductions ------------------------------------------------------------ */

static int vec_dot(lua_State *L) {
  sl_vec *x = checkvec(L, 1);
  sl_vec *y = check_same(L, x, 2);
  lua_pushnumber(L, sl_vec_dot(x->n, x->data, y->data));
  return 1;
}

static int vec_norm(lua_State *L) {
  sl_vec *x = checkvec(L, 1);
  double p = luaL_optnumber(L, 2, 2.0);
  luaL_argcheck(L, p >= 1.0, 2, "p must be >= 1 (or math.huge)");
  lua_pushnumber(L, sl_vec_nrmp(x->n, x->data, p));
  return 1;
}

static int vec_sum(lua_State *L) {
  sl_vec *x = checkvec(L, 1);
  lua_pushnumber(L, sl_vec_sum(x->n, x->data));
  return 1;
}

static sl_vec *check_nonempty(lua_State *L) {
  sl_vec *x = checkvec(L, 1);
  luaL_argcheck(L, x->n > 0, 1, "empty vec");
  return x;
}

static int vec_min(lua_State *L) {
  sl_vec *x = check_nonempty(L);
  lua_pushnumber(L, sl_vec_min(x->n, x->data));
  return 1;
}

static int vec_max(lua_State *L) {
  sl_vec *x = check_nonempty(L);
  lua_pushnumber(L, sl_vec_max(x->n, x->data));
  return 1;
}

static int vec_argmax(lua_State *L) {
  sl_vec *x = check_nonempty(L);
  lua_pushinteger(L, (lua_Integer)sl_vec_argmax(x->n, x->data) + 1);
  return 1;
}

/* ---- arithmetic metamethods ---------------------------------------------- */

typedef double (*binop)(double, double);
static double op_add(double a, double b) { return a + b; }
static double op_sub(double a, double b) { return a - b; }
static double op_mul(double a, double b) { return a * b; }
static double op_div(double a, double b) { return a / b; }

/* The message for an operand that is neither a vec nor a number. */
static int arith_error(lua_State *L, const char *name, int bad) {
  const char *t = sl_typename(L, bad);
  if (strcmp(t, SL_MAT) == 0 || strcmp(t, "slope.csr") == 0)
    return luaL_error(L,
                      "vec %s %s: not defined (for a matrix-vector product write A * x, "
                      "or A:tmv(x) for x^T A)",
                      name, t);
  return luaL_error(L, "vec %s: expected a slope.vec or a number, got %s", name, t);
}

/* vec (op) vec elementwise, vec (op) number and number (op) vec. */
static int arith(lua_State *L, binop op, const char *name) {
  sl_vec *a = sl_testvec(L, 1), *b = sl_testvec(L, 2);
  if (a && b) {
    if (a->n != b->n)
      return luaL_error(L, "vec %s: dimension mismatch: %I vs %I", name, (lua_Integer)a->n,
                        (lua_Integer)b->n);
    sl_vec *c = sl_newvec(L, a->n);
    for (size_t i = 0; i < a->n; i++) c->data[i] = op(a->data[i], b->data[i]);
    return 1;
  }
  int isnum;
  if (a) {
    double s = lua_tonumberx(L, 2, &isnum);
    if (!isnum) return arith_error(L, name, 2);
    sl_vec *c = sl_newvec(L, a->n);
    for (size_t i = 0; i < a->n; i++) c->data[i] = op(a->data[i], s);
    return 1;
  }
  double s = lua_tonumberx(L, 1, &isnum);
  if (!isnum) return arith_error(L, name, 1);
  sl_vec *c = sl_newvec(L, b->n);
  for (size_t i = 0; i < b->n; i++) c->data[i] = op(s, b->data[i]);
  return 1;
}

static int vec_m_add(lua_State *L) { return arith(L, op_add, "+"); }
static int vec_m_sub(lua_State *L) { return arith(L, op_sub, "-"); }
static int vec_m_mul(lua_State *L) { return arith(L, op_mul, "*"); }
static int vec_m_div(lua_State *L) { return arith(L, op_div, "/"); }

static int vec_unm(lua_State *L) {
  sl_vec *a = checkvec(L, 1);
  sl_vec *c = sl_newvec(L, a->n);
  for (size_t i = 0; i < a->n; i++) c->data[i] = -a->data[i];
  return 1;
}

static int vec_eq(lua_State *L) {
  sl_vec *a = sl_testvec(L, 1), *b = sl_testvec(L, 2);
  int eq = a && b && a->n == b->n;
  for (size_t i = 0; eq && i < a->n; i++) eq = a->data[i] == b->data[i];
  lua_pushboolean(L, eq);
  return 1;
}

static const sl_reg vec_funcs[] = {
    {"new", vec_new, "slope.vec{x1, x2, ...} -> vec",
     "A vector from a table of numbers (or a copy of a vec)."},
    {"zeros", vec_zeros, "slope.vec.zeros(n) -> vec", "A vector of n zeros."},
    {"ones", vec_ones, "slope.vec.ones(n) -> vec", "A vector of n ones."},
    {"full", vec_full, "slope.vec.full(n, v) -> vec", "A vector of n entries equal to v."},
    {"linspace", vec_linspace, "slope.vec.linspace(a, b, n) -> vec",
     "n evenly spaced points from a to b, both included (numpy.linspace)."},
    {"randn", vec_randn, "slope.vec.randn(n [, rng]) -> vec",
     "n standard normal numbers from rng (default: the state's generator, seed 0)."},
    {"rand", vec_rand, "slope.vec.rand(n [, rng]) -> vec", "n uniform numbers in [0, 1) from rng."},
    {"clone", vec_clone, "x:clone() -> vec", "A new vector with the same entries."},
    {"totable", vec_totable, "x:totable() -> table", "The entries as a Lua table of numbers."},
    {"copy", vec_copy, "x:copy(y) -> x", "Copy y's entries into x, in place (same length)."},
    {"fill", vec_fill, "x:fill(v) -> x", "Set every entry to v, in place."},
    {"scale", vec_scale, "x:scale(a) -> x", "x = a*x, in place."},
    {"axpy", vec_axpy, "x:axpy(a, y) -> x", "x = x + a*y, in place, allocating nothing."},
    {"mul", vec_mul, "x:mul(y) -> x", "x = x .* y (elementwise), in place."},
    {"add", vec_add, "x:add(y) -> x", "x = x + y, in place."},
    {"dot", vec_dot, "x:dot(y) -> number", "The inner product sum x_i y_i."},
    {"norm", vec_norm, "x:norm([p]) -> number",
     "The p-norm: 2 by default (overflow-safe), 1, or math.huge for max |x_i|."},
    {"sum", vec_sum, "x:sum() -> number", "The sum of the entries."},
    {"min", vec_min, "x:min() -> number", "The smallest entry (NaN if any entry is NaN)."},
    {"max", vec_max, "x:max() -> number", "The largest entry (NaN if any entry is NaN)."},
    {"argmax", vec_argmax, "x:argmax() -> integer",
     "The 1-based index of the first largest entry."},
    {"sub", vec_sub, "x:sub(i [, j]) -> vec",
     "Entries i..j (j defaults to #x; negative i, j count from the end, -1 the last) as a view: "
     "a vec sharing x's memory, so writes go through both ways; it keeps x alive. Out-of-range "
     "i or j is an error (an empty view when j = i - 1)."},
    {"abs", vec_abs, "x:abs([out]) -> vec",
     "|x_i| elementwise, into a new vec, or into out (a vec of x's length; x itself for in "
     "place)."},
    {"sqrt", vec_sqrt, "x:sqrt([out]) -> vec",
     "sqrt(x_i) elementwise (new vec, or into out); IEEE rules: sqrt of a negative is NaN."},
    {"exp", vec_exp, "x:exp([out]) -> vec", "exp(x_i) elementwise (new vec, or into out)."},
    {"log", vec_log, "x:log([out]) -> vec",
     "The natural log elementwise (new vec, or into out); log(0) = -inf, log of a negative is "
     "NaN."},
    {"clamp", vec_clamp, "x:clamp(lo, hi [, out]) -> vec",
     "min(max(x_i, lo), hi) elementwise (new vec, or into out); lo or hi nil means no bound; "
     "lo > hi is an error; NaN entries stay NaN."},
    {"map", vec_map, "x:map(fn [, out]) -> vec",
     "fn(x_i, i) for each entry (it must return a number), into a new vec or into out (x "
     "itself for in place)."},
    {NULL, NULL, NULL, NULL}};

int sl_open_vec(lua_State *L, int slope) {
  lua_newtable(L);
  int t = lua_gettop(L);
  luaL_newmetatable(L, SL_VEC);
  int mt = lua_gettop(L);
  sl_vec_register_mt(L);
  lua_pushvalue(L, mt);
  sl_setfuncs_up(L, t, vec_funcs, "slope.vec", 1);
  lua_pushvalue(L, mt);
  lua_pushvalue(L, t);
  lua_pushcclosure(L, vec_index, 2);
  lua_setfield(L, mt, "__index");
  const luaL_Reg meta[] = {{"__newindex", vec_newindex},
                           {"__len", vec_len},
                           {"__tostring", vec_tostring},
                           {"__add", vec_m_add},
                           {"__sub", vec_m_sub},
                           {"__mul", vec_m_mul},
                           {"__div", vec_m_div},
                           {"__unm", vec_unm},
                           {"__eq", vec_eq},
                           {"__close", sl_noclose}, /* a vec owns no outside memory */
                           {NULL, NULL}};
  lua_pushvalue(L, mt);
  luaL_setfuncs(L, meta, 1);
  lua_pushvalue(L, t);
  lua_setfield(L, mt, "__methods");
  lua_settop(L, t);
  lua_createtable(L, 0, 1);
  luaL_getmetatable(L, SL_VEC);
  lua_pushcclosure(L, vec_call, 1);
  lua_setfield(L, -2, "__call");
  lua_setmetatable(L, t);
  sl_sethelp(L, t, "slope.vec", "slope.vec{...} -> vec",
             "Dense float64 vectors: zeros, ones, full, linspace, randn, rand; in-place axpy, "
             "scale, copy; views x:sub(i, j); elementwise abs, sqrt, exp, log, clamp, map; "
             "x + y, x * 2 (new vecs).");
  sl_settypehelp(L, SL_VEC, "vec",
                 "A dense float64 vector, 1-based: #x, x[i] (nil past the end, so ipairs(x) "
                 "works), x:axpy(a, y), x:dot(y), x:norm(), x:sub(i, j), x:exp().");
  lua_setfield(L, slope, "vec");
  return 0;
}
