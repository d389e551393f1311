/*
** loptim.c — the slope.optim userdata and its methods: opt:step(x, g),
** opt:state(), opt:load(state), opt:reset(), opt:averaged(out), fields
** (opt.lr writable, opt.t, opt.dim, hyperparameters), tostring.
** Constructors are in loptim_new.c, Lua-defined optimizers in loptim_define.c.
*/
#include <stdint.h>
#include <string.h>

#include "laux.h"
#include "lobj.h"
#include "loptim.h"
#include "lrng.h"

#define UV_BASE SL_LOPTIM_UV_BASE
#define UV_F    SL_LOPTIM_UV_F

/* ---- the userdata ------------------------------------------------------ */

sl_loptim *sl_pushoptim(lua_State *L, sl_optimizer *o, int base_idx, int f_idx) {
  if (base_idx) base_idx = lua_absindex(L, base_idx);
  if (f_idx) f_idx = lua_absindex(L, f_idx);
  if (o == NULL) luaL_error(L, "out of memory creating an optimizer");
  sl_loptim *u = lua_newuserdatauv(L, sizeof *u, 3);
  u->o = o;
  u->bind = 0;
  u->borrowed = 0;
  u->hooks = NULL;
  luaL_setmetatable(L, SL_OPTIM);
  if (base_idx) {
    sl_loptim *b = lua_touserdata(L, base_idx);
    u->bind |= b->bind;
    lua_pushvalue(L, base_idx);
    lua_setiuservalue(L, -2, UV_BASE);
  }
  if (f_idx) {
    u->bind = 1;
    lua_pushvalue(L, f_idx);
    lua_setiuservalue(L, -2, UV_F);
  }
  return u;
}

static sl_loptim *testud(lua_State *L, int arg) {
  sl_loptim *u = luaL_testudata(L, arg, SL_OPTIM);
  return u && u->o ? u : NULL;
}

sl_optimizer *sl_testoptim(lua_State *L, int arg) {
  sl_loptim *u = testud(L, arg);
  if (u == NULL) return NULL;
  u->borrowed = 1;
  sl_optim_bind(L, arg);
  return u->o;
}

static const char *optim_expected(lua_State *L, int arg) {
  sl_loptim *u = luaL_testudata(L, arg, SL_OPTIM);
  if (u && u->o == NULL) return "an open optimizer expected, got a closed one";
  return lua_pushfstring(L, "optimizer expected (slope.optim.*), got %s", sl_typename(L, arg));
}

sl_optimizer *sl_checkoptim(lua_State *L, int arg) {
  sl_optimizer *o = sl_testoptim(L, arg);
  if (o == NULL) luaL_argerror(L, arg, optim_expected(L, arg));
  return o;
}

/* Methods are closures whose upvalue 1 is the metatable: a pointer compare. */
static sl_loptim *checkself(lua_State *L) {
  sl_loptim *u = lua_touserdata(L, 1);
  if (u && lua_getmetatable(L, 1)) {
    int same = lua_rawequal(L, -1, lua_upvalueindex(1));
    lua_pop(L, 1);
    if (same && u->o) return u;
  }
  luaL_argerror(L, 1, optim_expected(L, 1));
  return NULL;
}

void sl_optim_bind(lua_State *L, int arg) {
  sl_loptim *u = lua_touserdata(L, arg);
  if (u == NULL || !u->bind) return;
  arg = lua_absindex(L, arg);
  if (u->hooks && u->hooks->bind) u->hooks->bind(L, arg);
  if (lua_getiuservalue(L, arg, UV_F) == LUA_TUSERDATA) sl_testobj(L, -1);
  lua_pop(L, 1);
  if (lua_getiuservalue(L, arg, UV_BASE) == LUA_TUSERDATA) sl_optim_bind(L, -1);
  lua_pop(L, 1);
}

int sl_optim_error(lua_State *L, const char *fname, sl_optimizer *o, sl_status st) {
  if (st == SL_ECALLBACK) return luaL_error(L, "%s", o->msg);
  if (o->msg[0]) return sl_error(L, fname, "%s", o->msg);
  return sl_status_error(L, fname, st, NULL);
}

void sl_optim_lstep(lua_State *L, int arg, double *x, const double *g) {
  sl_loptim *u = lua_touserdata(L, arg);
  if (u->bind) sl_optim_bind(L, arg);
  sl_status st = sl_optim_step(u->o, x, g);
  if (st < 0) sl_optim_error(L, "slope.optim.step", u->o, st);
}

static int optim_gc(lua_State *L) {
  sl_loptim *u = luaL_checkudata(L, 1, SL_OPTIM);
  if (u->o) {
    if (u->hooks && u->hooks->gc) u->hooks->gc(L, 1);
    sl_optim_destroy(u->o);
    u->o = NULL;
  }
  return 0;
}

/* `local opt <close> = ...`: free now unless a wrapper or a run holds it. */
static int optim_close(lua_State *L) {
  sl_loptim *u = luaL_checkudata(L, 1, SL_OPTIM);
  if (!u->borrowed) optim_gc(L);
  return 0;
}

/* ---- step ------------------------------------------------------------- */

static int optim_step(lua_State *L) {
  /* the loop `opt:step(x, g)`: self, x and g checked against the upvalue
     metatables; their metatables stay below the result (no stack reset) */
  int top = lua_gettop(L);
  sl_loptim *u = sl_toudata_mt(L, 1, lua_topointer(L, lua_upvalueindex(1)));
  const void *vmt = lua_topointer(L, lua_upvalueindex(2));
  sl_lvec *xu = u ? sl_toudata_mt(L, 2, vmt) : NULL;
  sl_lvec *gu = xu ? sl_toudata_mt(L, 3, vmt) : NULL;
  if (gu && u->o && u->o->dim != 0 && xu->v.n == u->o->dim && gu->v.n == u->o->dim &&
      gu->v.data != xu->v.data) {
    if (u->bind) sl_optim_bind(L, 1);
    sl_status st = sl_optim_step(u->o, xu->v.data, gu->v.data);
    if (st < 0) return sl_optim_error(L, "slope.optim.step", u->o, st);
    lua_pushvalue(L, 2);
    return 1;
  }
  lua_settop(L, top);
  u = checkself(L);
  sl_optimizer *o = u->o;
  sl_vec *x = sl_testvec_up(L, 2, 2);
  if (x == NULL) x = sl_checkvec(L, 2);
  sl_vec *g = sl_testvec_up(L, 3, 2);
  if (g != NULL || !lua_isnoneornil(L, 3)) {
    if (g == NULL) g = sl_tovec(L, 3);
    if (g->data == x->data && g->n > 0) return luaL_argerror(L, 3, "g must not be x");
  } else if (!(o->ops->flags & (SL_OPTIM_NOGRAD | SL_OPTIM_OPTGRAD))) {
    return luaL_argerror(L, 3, "gradient vec expected, got no value");
  }
  if (o->dim == 0) {
    sl_status st = sl_optim_setdim(o, x->n);
    if (st < 0) return sl_optim_error(L, "slope.optim.step", o, st);
  }
  if (x->n != o->dim) sl_checkdim(L, 2, x, o->dim, "x");
  if (g && g->n != o->dim) sl_checkdim(L, 3, g, o->dim, "g");
  if (u->bind) sl_optim_bind(L, 1);
  sl_status st = sl_optim_step(o, x->data, g ? g->data : NULL);
  if (st < 0) return sl_optim_error(L, "slope.optim.step", o, st);
  lua_pushvalue(L, 2);
  return 1;
}

/* ---- state and load (loptim_state.c) --------------------------------------- */

static int optim_state(lua_State *L) {
  checkself(L);
  sl_optim_pushstate(L, 1);
  return 1;
}

static int optim_load(lua_State *L) {
  checkself(L);
  luaL_checktype(L, 2, LUA_TTABLE);
  sl_optim_bind(L, 1);
  sl_optim_loadstate(L, 1, 2);
  lua_settop(L, 1);
  return 1;
}

static void reset_chain(lua_State *L, int ud) {
  ud = lua_absindex(L, ud);
  sl_loptim *u = lua_touserdata(L, ud);
  if (u->hooks && u->hooks->reset) u->hooks->reset(L, ud);
  if (lua_getiuservalue(L, ud, UV_BASE) == LUA_TUSERDATA) reset_chain(L, -1);
  lua_pop(L, 1);
}

static int optim_reset(lua_State *L) {
  sl_loptim *u = checkself(L);
  sl_optim_reset(u->o);
  reset_chain(L, 1);
  lua_settop(L, 1);
  return 1;
}

static int asgd_averaged(lua_State *L, sl_optimizer *o);

static int optim_averaged(lua_State *L) {
  sl_loptim *u = checkself(L);
  sl_optimizer *o = u->o;
  if (o->ops == &sl_optim_asgd) return asgd_averaged(L, o);
  if (o->ops != &sl_optim_average)
    return sl_error(L, "slope.optim.averaged", "%s keeps no average (use slope.optim.average)",
                    o->name);
  if (o->dim == 0 || o->scal[0] == 0)
    return sl_error(L, "slope.optim.averaged", "no iterate averaged yet (step %I)",
                    (lua_Integer)o->t);
  sl_vec *out;
  if (lua_isnoneornil(L, 2)) {
    lua_settop(L, 1);
    out = sl_newvec(L, o->dim);
  } else {
    out = sl_checkvec(L, 2);
    sl_checkdim(L, 2, out, o->dim, "out");
    lua_settop(L, 2);
  }
  sl_optim_averaged(o, out->data);
  return 1;
}

/* ---- i16-rest: asgd's average, the schedule-free evaluation point ---------- */

/* out = the vec at index 2 (checked against dim) or a new one, left on top. */
static sl_vec *out_arg(lua_State *L, int arg, size_t dim) {
  sl_vec *out;
  if (lua_isnoneornil(L, arg)) {
    lua_settop(L, arg - 1);
    out = sl_newvec(L, dim);
  } else {
    out = sl_checkvec(L, arg);
    sl_checkdim(L, arg, out, dim, "out");
    lua_settop(L, arg);
  }
  return out;
}

static int asgd_averaged(lua_State *L, sl_optimizer *o) {
  if (o->dim == 0 || o->t == 0)
    return sl_error(L, "slope.optim.averaged", "no iterate averaged yet (step 0)");
  sl_vec *out = out_arg(L, 2, o->dim);
  sl_vec_copy(o->dim, out->data, o->buf[0]);
  return 1;
}

static int optim_eval_x(lua_State *L) {
  sl_loptim *u = checkself(L);
  sl_optimizer *o = u->o;
  while (o->ops != &sl_optim_sf_sgd && o->ops != &sl_optim_sf_adamw && o->base &&
         (o->ops->flags & SL_OPTIM_WRAPPER))
    o = o->base;
  if (o->ops != &sl_optim_sf_sgd && o->ops != &sl_optim_sf_adamw)
    return sl_error(L, "slope.optim.eval_x",
                    "%s is not schedule-free (eval_x is for sf_sgd and sf_adamw)", u->o->name);
  sl_vec *y = sl_checkvec(L, 2);
  if (o->dim == 0) {
    sl_vec *out = out_arg(L, 3, y->n);
    if (out->data != y->data) sl_vec_copy(y->n, out->data, y->data);
    return 1;
  }
  sl_checkdim(L, 2, y, o->dim, "x");
  sl_vec *out = out_arg(L, 3, o->dim);
  sl_optim_sf_eval(o, y->data, out->data);
  return 1;
}

/* ---- fields --------------------------------------------------------------- */

static void push_hp(lua_State *L, const sl_optimizer *o, int k) {
  const sl_hpspec *s = &o->ops->hp[k];
  if (s->kind == SL_HP_BOOL)
    lua_pushboolean(L, o->hp[k] != 0);
  else if (s->kind == SL_HP_CHOICE)
    lua_pushstring(L, s->choices[(int)o->hp[k]]);
  else if (s->kind == SL_HP_COUNT || s->kind == SL_HP_INDEX)
    lua_pushinteger(L, (lua_Integer)o->hp[k]);
  else
    lua_pushnumber(L, o->hp[k]);
}

void sl_optim_sethp_from(lua_State *L, sl_optimizer *o, int k, int vidx, const char *fname) {
  const sl_hpspec *s = &o->ops->hp[k];
  double v = 0;
  if (s->kind == SL_HP_BOOL) {
    if (lua_type(L, vidx) != LUA_TBOOLEAN)
      sl_error(L, fname, "%s must be a boolean, got %s", s->name, luaL_typename(L, vidx));
    v = lua_toboolean(L, vidx);
  } else if (s->kind == SL_HP_CHOICE) {
    const char *str = lua_type(L, vidx) == LUA_TSTRING ? lua_tostring(L, vidx) : NULL;
    int found = -1;
    for (int i = 0; str && s->choices[i]; i++)
      if (strcmp(s->choices[i], str) == 0) found = i;
    if (found < 0) {
      luaL_Buffer b;
      luaL_buffinit(L, &b);
      for (int i = 0; s->choices[i]; i++) {
        if (i) luaL_addstring(&b, ", ");
        luaL_addstring(&b, s->choices[i]);
      }
      luaL_pushresult(&b);
      sl_error(L, fname, "%s must be one of %s, got %s", s->name, lua_tostring(L, -1),
               str ? str : luaL_typename(L, vidx));
    }
    v = found;
  } else {
    if (lua_type(L, vidx) != LUA_TNUMBER)
      sl_error(L, fname, "%s must be a number, got %s", s->name, luaL_typename(L, vidx));
    v = lua_tonumber(L, vidx);
  }
  sl_status st = sl_optim_sethp(o, k, v);
  if (st < 0) sl_error(L, fname, "%s", o->msg);
}

void sl_optim_setbetas(lua_State *L, sl_optimizer *o, int vidx, const char *fname) {
  vidx = lua_absindex(L, vidx);
  int k1 = sl_optim_hpindex(o, "beta1"), k2 = sl_optim_hpindex(o, "beta2");
  if (!lua_istable(L, vidx) || luaL_len(L, vidx) != 2)
    sl_error(L, fname, "betas must be a table of two numbers {beta1, beta2}, got %s",
             luaL_typename(L, vidx));
  double b[2];
  for (int i = 0; i < 2; i++) {
    lua_rawgeti(L, vidx, i + 1);
    if (lua_type(L, -1) != LUA_TNUMBER)
      sl_error(L, fname, "betas[%d] must be a number, got %s", i + 1, luaL_typename(L, -1));
    b[i] = lua_tonumber(L, -1);
    lua_pop(L, 1);
  }
  const int ks[2] = {k1, k2};
  for (int i = 0; i < 2; i++)
    if (sl_optim_sethp(o, ks[i], b[i]) < 0) {
      sl_pushnumber_str(L, b[i]);
      sl_error(L, fname, "betas[%d] must be in [0, 1), got %s", i + 1, lua_tostring(L, -1));
    }
}

static int optim_index(lua_State *L) {
  /* methods first: `opt:step(x, g)` in a loop should cost one table lookup */
  lua_pushvalue(L, 2);
  if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL) return 1;
  lua_pop(L, 1);
  sl_loptim *u = lua_touserdata(L, 1);
  const char *k = lua_tostring(L, 2);
  if (k && u && u->o) {
    sl_optimizer *o = u->o;
    if (strcmp(k, "lr") == 0) {
      double lr = sl_optim_lr(o);
      if (lr != lr)
        lua_pushnil(L);
      else
        lua_pushnumber(L, lr);
      return 1;
    }
    if (strcmp(k, "t") == 0) {
      lua_pushinteger(L, (lua_Integer)o->t);
      return 1;
    }
    if (strcmp(k, "dim") == 0) {
      if (o->dim)
        lua_pushinteger(L, (lua_Integer)o->dim);
      else
        lua_pushnil(L);
      return 1;
    }
    if (strcmp(k, "name") == 0) {
      lua_pushstring(L, o->name);
      return 1;
    }
    if (strcmp(k, "base") == 0) {
      lua_getiuservalue(L, 1, UV_BASE);
      return 1;
    }
    if (strcmp(k, "f") == 0) {
      lua_getiuservalue(L, 1, UV_F);
      return 1;
    }
    if (strcmp(k, "betas") == 0 && sl_optim_hpindex(o, "beta2") >= 0) {
      lua_createtable(L, 2, 0);
      lua_pushnumber(L, o->hp[sl_optim_hpindex(o, "beta1")]);
      lua_rawseti(L, -2, 1);
      lua_pushnumber(L, o->hp[sl_optim_hpindex(o, "beta2")]);
      lua_rawseti(L, -2, 2);
      return 1;
    }
    int i = sl_optim_hpindex(o, k);
    if (i >= 0) {
      push_hp(L, o, i);
      return 1;
    }
    if (u->hooks && u->hooks->index && u->hooks->index(L, 1, k)) return 1;
  }
  lua_pushvalue(L, 2);
  lua_rawget(L, lua_upvalueindex(1));
  return 1;
}

static int optim_newindex(lua_State *L) {
  sl_loptim *u = lua_touserdata(L, 1);
  const char *k = lua_tostring(L, 2);
  if (u == NULL || u->o == NULL || k == NULL || lua_type(L, 2) != LUA_TSTRING)
    return luaL_error(L, "slope.optim: cannot set field %s (fields are named: opt.lr = 0.1)",
                      lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : sl_typename(L, 2));
  sl_optimizer *o = u->o;
  char fname[96];
  snprintf(fname, sizeof fname, "slope.optim.%s", o->name);
  if (strcmp(k, "lr") == 0) {
    if (lua_type(L, 3) != LUA_TNUMBER)
      return sl_error(L, fname, "lr must be a number, got %s", luaL_typename(L, 3));
    sl_status st = sl_optim_set_lr(o, lua_tonumber(L, 3));
    if (st < 0) return sl_error(L, fname, "%s", o->msg);
    return 0;
  }
  if (strcmp(k, "betas") == 0 && sl_optim_hpindex(o, "beta2") >= 0) {
    sl_optim_setbetas(L, o, 3, fname);
    return 0;
  }
  int i = sl_optim_hpindex(o, k);
  if (i >= 0) {
    sl_optim_sethp_from(L, o, i, 3, fname);
    return 0;
  }
  if (u->hooks && u->hooks->newindex && u->hooks->newindex(L, 1, k)) return 0;
  return sl_error(L, fname, "cannot set field '%s' (read-only or unknown)", k);
}

static int optim_tostring(lua_State *L) {
  sl_loptim *u = luaL_checkudata(L, 1, SL_OPTIM);
  if (u->o == NULL) {
    lua_pushliteral(L, "optimizer (closed)");
    return 1;
  }
  sl_optimizer *o = u->o;
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  luaL_addstring(&b, "optimizer ");
  for (sl_optimizer *p = o; p; p = p->base) {
    luaL_addstring(&b, p->name);
    if (p->base) luaL_addchar(&b, '(');
  }
  for (sl_optimizer *p = o; p->base; p = p->base) luaL_addchar(&b, ')');
  luaL_addstring(&b, " (lr ");
  sl_pushnumber_str(L, sl_optim_lr(o));
  luaL_addvalue(&b);
  lua_pushfstring(L, ", t %I", (lua_Integer)o->t);
  luaL_addvalue(&b);
  if (o->dim) {
    lua_pushfstring(L, ", dim %I", (lua_Integer)o->dim);
    luaL_addvalue(&b);
  }
  luaL_addchar(&b, ')');
  luaL_pushresult(&b);
  return 1;
}

static const sl_reg optim_methods[] = {
    {"step", optim_step, "opt:step(x [, g]) -> x",
     "Update x in place from the gradient g (not modified). svrg/saga take no g (they sample "
     "gradients from f); sam computes g through f when omitted. The first step fixes the dim."},
    {"state", optim_state, "opt:state() -> table",
     "A copy of the optimizer's state: kind (its name, e.g. \"adam\"), t, dim, its buffers as "
     "vecs (e.g. exp_avg, exp_avg_sq), scalars (e.g. mu_product), rng, and base = the wrapped "
     "optimizer's state. Hyperparameters are not part of it."},
    {"load", optim_load, "opt:load(state) -> opt",
     "Restore a state from opt:state() of the same kind of optimizer (validated: kind, fields, "
     "sizes, dim); the run continues bit for bit. A state from another optimizer is refused "
     "(\"state is from adam, this optimizer is sgd\")."},
    {"reset", optim_reset, "opt:reset() -> opt",
     "Back to step 0 with fresh buffers (wrapped optimizers too); hyperparameters are kept."},
    {"averaged", optim_averaged, "opt:averaged([out]) -> vec",
     "slope.optim.average and slope.optim.asgd (its ax): the averaged iterate, into out or a "
     "new vec."},
    /* i16-rest */
    {"eval_x", optim_eval_x, "opt:eval_x(x [, out]) -> vec",
     "sf_sgd and sf_adamw (also under wrappers): the averaged point to evaluate and validate "
     "at, from x, the vec being stepped (it holds the interpolated point y); into out (may be "
     "x itself, then x is overwritten) or a new vec. Before the first step: a copy of x."},
    {NULL, NULL, NULL, NULL}};

int sl_open_optim(lua_State *L, int slope) {
  lua_newtable(L);
  int t = lua_gettop(L);
  luaL_newmetatable(L, SL_OPTIM);
  int mt = lua_gettop(L);
  lua_pushvalue(L, mt);
  sl_push_vec_mt(L); /* methods: upvalue 1 = optimizer mt, 2 = vec mt */
  sl_setfuncs_up(L, t, optim_methods, "slope.optim", 2);
  lua_pushvalue(L, t);
  lua_pushcclosure(L, optim_index, 1);
  lua_setfield(L, mt, "__index");
  const luaL_Reg meta[] = {{"__gc", optim_gc},
                           {"__close", optim_close},
                           {"__newindex", optim_newindex},
                           {"__tostring", optim_tostring},
                           {NULL, NULL}};
  luaL_setfuncs(L, meta, 0);
  lua_pushvalue(L, t);
  lua_setfield(L, mt, "__methods");
  /* what optim_index answers besides each rule's own hyperparameters */
  lua_pushliteral(L, "lr t dim name base f betas");
  lua_setfield(L, mt, "__fields");
  lua_pop(L, 1);
  sl_sethelp(L, t, "slope.optim", "slope.optim.<name>{...} -> optimizer",
             "Stateful update rules (torch.optim names and defaults), wrappers that compose "
             "(clip, accumulate, average, lookahead, sam) and Lua-defined rules (define).");
  sl_settypehelp(L, SL_OPTIM, "optimizer",
                 "opt:step(x, g) updates x in place; opt.lr (writable), opt.t, opt.dim, "
                 "opt.name, hyperparameters as fields; opt:state(), opt:load(s), opt:reset(). "
                 "Hyperparameters are named ({lr = 0.1}, never positional). `local opt <close>` "
                 "frees it at the end of the block unless a wrapper or a run still uses it.");
  lua_setfield(L, slope, "optim");
  return 0;
}
