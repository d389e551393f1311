/*
** loptim_state.c — opt:state() and opt:load(state): an optimizer's step
** count, state buffers, scalars and sampling stream as a Lua table (with the
** wrapped optimizer's state under base), and that table validated and loaded
** back, so that a run continues bit for bit.
*/
#include <stdint.h>
#include <string.h>

#include "laux.h"
#include "loptim.h"

#define LOADNAME "slope.optim.load"

void sl_optim_pushstate(lua_State *L, int ud) {
  ud = lua_absindex(L, ud);
  sl_loptim *u = lua_touserdata(L, ud);
  sl_optimizer *o = u->o;
  lua_newtable(L);
  int out = lua_gettop(L);
  lua_pushstring(L, o->name); /* so that load can say "state is from adam" */
  lua_setfield(L, out, "kind");
  lua_pushinteger(L, (lua_Integer)o->t);
  lua_setfield(L, out, "t");
  if (o->dim) {
    lua_pushinteger(L, (lua_Integer)o->dim);
    lua_setfield(L, out, "dim");
    size_t nb = sl_optim_nbufs(o), ns = sl_optim_nscals(o);
    for (size_t k = 0; k < nb; k++) {
      size_t len = sl_optim_buflen(o, k);
      sl_vec *v = sl_newvec(L, len);
      sl_vec_copy(len, v->data, o->buf[k]);
      lua_setfield(L, out, o->ops->bufs[k]);
    }
    for (size_t k = 0; k < ns; k++) {
      lua_pushnumber(L, o->scal[k]);
      lua_setfield(L, out, o->ops->scals[k]);
    }
  }
  if (o->ops->flags & SL_OPTIM_RNG) {
    lua_createtable(L, 4, 0);
    for (int k = 0; k < 4; k++) {
      lua_pushinteger(L, (lua_Integer)o->rng.s[k]);
      lua_rawseti(L, -2, k + 1);
    }
    lua_setfield(L, out, "rng");
  }
  if (u->hooks && u->hooks->state) u->hooks->state(L, ud, out);
  if (lua_getiuservalue(L, ud, SL_LOPTIM_UV_BASE) == LUA_TUSERDATA) {
    sl_optim_pushstate(L, -1);
    lua_setfield(L, out, "base");
  }
  lua_pop(L, 1);
}

static lua_Integer state_int(lua_State *L, int st, const char *key, lua_Integer lo, int required) {
  int ty = lua_getfield(L, st, key);
  int isint;
  lua_Integer v = lua_tointegerx(L, -1, &isint);
  if (ty == LUA_TNIL && !required) {
    lua_pop(L, 1);
    return -1;
  }
  if (ty != LUA_TNUMBER || !isint || v < lo)
    sl_error(L, LOADNAME, "state.%s must be an integer >= %I, got %s", key, lo, sl_pushgot(L, -1));
  lua_pop(L, 1);
  return v;
}

/* state.kind: the optimizer that saved it (states saved before kinds existed have none). */
static void check_kind(lua_State *L, int st, const sl_optimizer *o) {
  int kty = lua_getfield(L, st, "kind");
  if (kty != LUA_TNIL && kty != LUA_TSTRING)
    sl_error(L, LOADNAME, "state.kind must be a string (the optimizer's name), got %s",
             sl_typename(L, -1));
  if (kty == LUA_TSTRING && strcmp(lua_tostring(L, -1), o->name) != 0)
    sl_error(L, LOADNAME, "state is from %s, this optimizer is %s", lua_tostring(L, -1), o->name);
  lua_pop(L, 1);
}

/* No key but kind, t, dim, the buffers, scalars, rng, base and the hooks' keys. */
static void check_keys(lua_State *L, int st, const sl_loptim *u, int has_base) {
  const sl_optimizer *o = u->o;
  const char *allowed[32];
  size_t na = 0, nb = sl_optim_nbufs(o), ns = sl_optim_nscals(o);
  allowed[na++] = "kind";
  allowed[na++] = "t";
  allowed[na++] = "dim";
  for (size_t k = 0; k < nb; k++) allowed[na++] = o->ops->bufs[k];
  for (size_t k = 0; k < ns; k++) allowed[na++] = o->ops->scals[k];
  if (o->ops->flags & SL_OPTIM_RNG) allowed[na++] = "rng";
  if (has_base) allowed[na++] = "base";
  if (u->hooks && u->hooks->keys)
    for (const char *const *k = u->hooks->keys; *k && na < 31; k++) allowed[na++] = *k;
  allowed[na] = NULL;
  sl_checkfields(L, st, allowed, LOADNAME, "state"); /* a state, not options: not recorded */
}

/* Push the state's buffers (vecs of the right lengths) and scalars (numbers),
   in order, for write_state. */
static void push_buffers(lua_State *L, int st, const sl_optimizer *o) {
  size_t nb = sl_optim_nbufs(o), ns = sl_optim_nscals(o);
  for (size_t k = 0; k < nb; k++) {
    lua_getfield(L, st, o->ops->bufs[k]);
    sl_vec *v = sl_testvec(L, -1);
    size_t len = sl_optim_buflen(o, k);
    if (v == NULL || v->n != len)
      sl_error(L, LOADNAME, "state.%s must be a vec of %I entries, got %s", o->ops->bufs[k],
               (lua_Integer)len, v ? "a vec of another length" : luaL_typename(L, -1));
  }
  for (size_t k = 0; k < ns; k++) {
    if (lua_getfield(L, st, o->ops->scals[k]) != LUA_TNUMBER)
      sl_error(L, LOADNAME, "state.%s must be a number, got %s", o->ops->scals[k],
               luaL_typename(L, -1));
  }
}

/* state.rng: four integers, not all zero. */
static void read_rng(lua_State *L, int st, uint64_t rng[4]) {
  lua_getfield(L, st, "rng");
  int ok = lua_istable(L, -1) && luaL_len(L, -1) == 4;
  for (int k = 0; ok && k < 4; k++) {
    lua_rawgeti(L, -1, k + 1);
    int isint;
    rng[k] = (uint64_t)lua_tointegerx(L, -1, &isint);
    ok = isint && lua_type(L, -1) == LUA_TNUMBER;
    lua_pop(L, 1);
  }
  if (!ok || (rng[0] | rng[1] | rng[2] | rng[3]) == 0)
    sl_error(L, LOADNAME, "state.rng must be a table of 4 integers, not all zero");
  lua_pop(L, 1);
}

/* Validated: the buffers and scalars pushed from `first` on, rng, t into o. */
static void write_state(lua_State *L, sl_optimizer *o, int first, const uint64_t rng[4],
                        lua_Integer t) {
  size_t nb = sl_optim_nbufs(o), ns = sl_optim_nscals(o);
  for (size_t k = 0; k < nb; k++) {
    sl_vec *v = lua_touserdata(L, first + (int)k);
    sl_vec_copy(v->n, o->buf[k], v->data);
  }
  for (size_t k = 0; k < ns; k++) o->scal[k] = lua_tonumber(L, first + (int)(nb + k));
  if (o->ops->flags & SL_OPTIM_RNG) memcpy(o->rng.s, rng, 4 * sizeof *rng);
  o->t = (unsigned long)t;
}

/* A state without dim (t = 0): back to the start. */
static void load_fresh(lua_State *L, int ud, const sl_loptim *u, lua_Integer t) {
  if (t != 0) sl_error(L, LOADNAME, "state has t = %I but no dim", t);
  sl_optim_reset(u->o);
  if (u->hooks && u->hooks->reset) u->hooks->reset(L, ud);
}

/* The optimizer's dim fixed to, or checked against, state.dim. */
static void fix_dim(lua_State *L, sl_optimizer *o, lua_Integer dim) {
  if (o->dim == 0) {
    sl_status s = sl_optim_setdim(o, (size_t)dim);
    if (s < 0) sl_optim_error(L, LOADNAME, o, s);
  } else if (o->dim != (size_t)dim) {
    sl_error(L, LOADNAME, "state is for dim %I, this optimizer has dim %I", dim,
             (lua_Integer)o->dim);
  }
}

/* Validate everything first, load the base, then write: a bad state leaves o unchanged. */
void sl_optim_loadstate(lua_State *L, int ud, int st) {
  ud = lua_absindex(L, ud);
  st = lua_absindex(L, st);
  sl_loptim *u = lua_touserdata(L, ud);
  sl_optimizer *o = u->o;
  if (!lua_istable(L, st))
    sl_error(L, LOADNAME, "state must be a table, got %s", luaL_typename(L, st));
  check_kind(L, st, o);
  int has_base = lua_getiuservalue(L, ud, SL_LOPTIM_UV_BASE) == LUA_TUSERDATA;
  int base = lua_gettop(L);
  check_keys(L, st, u, has_base);
  lua_Integer t = state_int(L, st, "t", 0, 1);
  lua_Integer dim = state_int(L, st, "dim", 1, 0);
  if (dim < 0) {
    load_fresh(L, ud, u, t);
    lua_settop(L, base - 1);
    return;
  }
  fix_dim(L, o, dim);
  int first = lua_gettop(L) + 1; /* buffers, scalars at first.. */
  push_buffers(L, st, o);
  uint64_t rng[4] = {0, 0, 0, 0};
  if (o->ops->flags & SL_OPTIM_RNG) read_rng(L, st, rng);
  if (u->hooks && u->hooks->load) u->hooks->load(L, ud, st);
  if (has_base) {
    if (lua_getfield(L, st, "base") != LUA_TTABLE)
      sl_error(L, LOADNAME, "state.base must be a table (the base optimizer's state), got %s",
               luaL_typename(L, -1));
    sl_optim_loadstate(L, base, -1);
    lua_pop(L, 1);
  }
  write_state(L, o, first, rng, t);
  lua_settop(L, base - 1);
}
