/*
** lrng.c — slope.rng: seeded xoshiro256** generators with savable state.
*/
#include <string.h>

#include "laux.h"
#include "lrng.h"

#define FN "slope.rng"

sl_rng *sl_checkrng(lua_State *L, int arg) {
  sl_rng *r = luaL_testudata(L, arg, SL_RNG);
  if (r == NULL) sl_typeerror(L, arg, "slope.rng");
  return r;
}

sl_rng *sl_pushrng(lua_State *L, uint64_t seed) {
  sl_rng *r = lua_newuserdatauv(L, sizeof *r, 0);
  sl_rng_seed(r, seed);
  luaL_setmetatable(L, SL_RNG);
  return r;
}

/* The generator used when a function's rng argument is omitted: seeded with 0
   once per Lua state, kept in the registry, so scripts stay reproducible. */
sl_rng *sl_optrng(lua_State *L, int arg) {
  if (!lua_isnoneornil(L, arg)) return sl_checkrng(L, arg);
  if (lua_getfield(L, LUA_REGISTRYINDEX, "slope.rng.default") == LUA_TNIL) {
    lua_pop(L, 1);
    sl_pushrng(L, 0);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, "slope.rng.default");
  }
  sl_rng *r = lua_touserdata(L, -1);
  lua_pop(L, 1); /* kept alive by the registry */
  return r;
}

static int rng_new(lua_State *L) {
  lua_Integer seed = luaL_optinteger(L, 1, 0);
  sl_pushrng(L, (uint64_t)seed);
  return 1;
}

static int rng_call(lua_State *L) { /* slope.rng(seed): skip the module table */
  lua_remove(L, 1);
  return rng_new(L);
}

static int rng_uniform(lua_State *L) {
  sl_rng *r = sl_checkrng(L, 1);
  double u = sl_rng_uniform(r);
  if (lua_gettop(L) >= 3) { /* r:uniform(a, b) */
    double a = sl_checkfinite(L, 2), b = sl_checkfinite(L, 3);
    u = a + (b - a) * u;
  }
  lua_pushnumber(L, u);
  return 1;
}

static int rng_normal(lua_State *L) {
  sl_rng *r = sl_checkrng(L, 1);
  double mean = lua_isnoneornil(L, 2) ? 0.0 : sl_checkfinite(L, 2);
  double sd = lua_isnoneornil(L, 3) ? 1.0 : sl_checkfinite(L, 3);
  luaL_argcheck(L, sd >= 0, 3, "sd must be >= 0");
  lua_pushnumber(L, mean + sd * sl_rng_normal(r));
  return 1;
}

/* r:int(n) in 1..n, or r:int(a, b) in a..b (math.random's two forms). */
static int rng_int(lua_State *L) {
  sl_rng *r = sl_checkrng(L, 1);
  lua_Integer lo = 1, hi;
  if (lua_isnoneornil(L, 3)) {
    hi = luaL_checkinteger(L, 2);
    luaL_argcheck(L, hi >= 1, 2, "n must be >= 1");
  } else {
    lo = luaL_checkinteger(L, 2);
    hi = luaL_checkinteger(L, 3);
    luaL_argcheck(L, lo <= hi, 3, "interval is empty (a > b)");
  }
  uint64_t span = (uint64_t)hi - (uint64_t)lo + 1; /* 0 means the whole 64-bit range */
  uint64_t k = span == 0 ? sl_rng_next(r) : sl_rng_below(r, span);
  lua_pushinteger(L, (lua_Integer)((uint64_t)lo + k));
  return 1;
}

static int rng_perm(lua_State *L) {
  sl_rng *r = sl_checkrng(L, 1);
  size_t n = sl_checksize(L, 2, 0);
  lua_createtable(L, (int)n, 0);
  for (size_t i = 0; i < n; i++) {
    lua_pushinteger(L, (lua_Integer)i + 1);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  /* Fisher-Yates on the Lua table, same draws as sl_rng_shuffle */
  for (size_t i = n; i > 1; i--) {
    lua_Integer j = (lua_Integer)sl_rng_below(r, i) + 1;
    lua_rawgeti(L, -1, (lua_Integer)i);
    lua_rawgeti(L, -2, j);
    lua_rawseti(L, -3, (lua_Integer)i);
    lua_rawseti(L, -2, j);
  }
  return 1;
}

static int rng_state(lua_State *L) {
  sl_rng *r = sl_checkrng(L, 1);
  lua_createtable(L, 4, 0);
  for (int i = 0; i < 4; i++) {
    lua_pushinteger(L, (lua_Integer)r->s[i]);
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

static int rng_set_state(lua_State *L) {
  sl_rng *r = sl_checkrng(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  uint64_t s[4];
  for (int i = 0; i < 4; i++) {
    int isint;
    lua_rawgeti(L, 2, i + 1);
    s[i] = (uint64_t)lua_tointegerx(L, -1, &isint);
    if (!isint) luaL_argerror(L, 2, "state must be a table of 4 integers (from r:state())");
    lua_pop(L, 1);
  }
  if ((s[0] | s[1] | s[2] | s[3]) == 0) luaL_argerror(L, 2, "state must not be all zeros");
  memcpy(r->s, s, sizeof s);
  lua_settop(L, 1);
  return 1;
}

static int rng_clone(lua_State *L) {
  sl_rng *r = sl_checkrng(L, 1);
  sl_rng *c = sl_pushrng(L, 0);
  *c = *r;
  return 1;
}

static int rng_tostring(lua_State *L) {
  sl_rng *r = sl_checkrng(L, 1);
  lua_pushfstring(L, "rng(xoshiro256**, state %p...)", (void *)(uintptr_t)r->s[0]);
  return 1;
}

static const sl_reg rng_funcs[] = {
    {"new", rng_new, "slope.rng([seed]) -> rng",
     "A generator (xoshiro256** seeded by splitmix64); seed is an integer (default 0, any 64-bit "
     "value); the same seed gives the same numbers everywhere."},
    {"uniform", rng_uniform, "r:uniform([a, b]) -> number",
     "A uniform number in [0, 1), or in [a, b)."},
    {"normal", rng_normal, "r:normal([mean, sd]) -> number",
     "A normal number (Marsaglia's polar method), standard unless mean and sd are given."},
    {"int", rng_int, "r:int(n) | r:int(a, b) -> integer",
     "A uniform integer in 1..n, or in a..b (unbiased)."},
    {"perm", rng_perm, "r:perm(n) -> table", "A random permutation of 1..n (Fisher-Yates)."},
    {"state", rng_state, "r:state() -> {s1, s2, s3, s4}",
     "The generator's whole state as four integers, to save and restore exactly."},
    {"set_state", rng_set_state, "r:set_state(s) -> r",
     "Restore a state from r:state(); the stream then continues exactly."},
    {"clone", rng_clone, "r:clone() -> rng", "An independent copy with the same state."},
    {NULL, NULL, NULL, NULL}};

/* no __gc: the state lives in the userdata; sl_newclass adds a no-op __close */
static const luaL_Reg rng_meta[] = {{"__tostring", rng_tostring}, {NULL, NULL}};

int sl_open_rng(lua_State *L, int slope) {
  lua_newtable(L);
  int t = lua_gettop(L);
  sl_setfuncs(L, t, rng_funcs, "slope.rng");
  sl_newclass(L, SL_RNG, t, rng_meta);
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, rng_call);
  lua_setfield(L, -2, "__call");
  lua_setmetatable(L, t);
  sl_sethelp(
      L, t, "slope.rng", "slope.rng(seed) -> rng",
      "Seeded random generator: uniform, normal, int, perm; state()/set_state() to resume runs.");
  sl_settypehelp(L, SL_RNG, "rng",
                 "A seeded generator: r:uniform(), r:normal(), r:int(n), r:perm(n), r:state().");
  lua_setfield(L, slope, "rng");
  return 0;
}
