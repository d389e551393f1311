/*
** ldata_synth.c — slope.data.synthetic: regression and classification data
** with known true weights and a chosen conditioning (core: sl_synth.c).
*/
#include "laux.h"
#include "sl_data.h"

static sl_synth_opts read_opts(lua_State *L, const char *fn, const char *const keys[]) {
  luaL_checktype(L, 1, LUA_TTABLE);
  sl_checkkeys(L, 1, keys, fn);
  sl_checknamed(L, 1, fn, NULL, "n = 100, d = 5");
  sl_synth_opts o = {0};
  o.n = (size_t)sl_optint(L, 1, "n", 100, 1, fn);
  o.d = (size_t)sl_optint(L, 1, "d", 5, 1, fn);
  size_t nd;
  if (o.n > SL_MAX_ENTRIES || o.d > SL_MAX_ENTRIES || sl_size_product(o.n, o.d, &nd) != SL_OK ||
      sl_size_product(o.d, o.d, &nd) != SL_OK)
    sl_error(L, fn, "n x d = %I x %I is too large", (lua_Integer)o.n, (lua_Integer)o.d);
  o.cond = sl_optnum(L, 1, "cond", 1.0, fn);
  if (o.cond < 1.0) {
    sl_pushnumber_str(L, o.cond);
    sl_error(L, fn, "cond must be a number >= 1, got %s", lua_tostring(L, -1));
  }
  o.seed = (uint64_t)sl_optint(L, 1, "seed", 0, 0, fn);
  o.noise = 0.1;
  o.scale = 4.0;
  return o;
}

/* Push {X=, y=, w=} with storage for o; returns pointers through out args. */
static void push_result(lua_State *L, const sl_synth_opts *o, sl_mat **x, sl_vec **y, sl_vec **w) {
  lua_createtable(L, 0, 4);
  *x = sl_newmat(L, o->n, o->d);
  lua_setfield(L, -2, "X");
  *y = sl_newvec(L, o->n);
  lua_setfield(L, -2, "y");
  *w = sl_newvec(L, o->d);
  lua_setfield(L, -2, "w");
}

static int synth_linear(lua_State *L) {
  static const char *const FN = "slope.data.synthetic.linear";
  static const char *const keys[] = {"n", "d", "noise", "cond", "seed", "intercept", NULL};
  sl_synth_opts o = read_opts(L, FN, keys);
  o.noise = sl_optnonneg(L, 1, "noise", 0.1, FN);
  o.intercept = sl_optnum(L, 1, "intercept", 0.0, FN);
  sl_mat *x;
  sl_vec *y, *w;
  push_result(L, &o, &x, &y, &w);
  sl_status st = sl_synth_linear(&o, x, y->data, w->data);
  if (st != SL_OK) return sl_status_error(L, FN, st, NULL);
  lua_pushnumber(L, o.intercept);
  lua_setfield(L, -2, "b");
  return 1;
}

static int synth_logistic(lua_State *L) {
  static const char *const FN = "slope.data.synthetic.logistic";
  static const char *const keys[] = {"n", "d", "cond", "seed", "scale", NULL};
  sl_synth_opts o = read_opts(L, FN, keys);
  o.scale = sl_optnonneg(L, 1, "scale", 4.0, FN);
  sl_mat *x;
  sl_vec *y, *w;
  push_result(L, &o, &x, &y, &w);
  sl_status st = sl_synth_logistic(&o, x, y->data, w->data);
  if (st != SL_OK) return sl_status_error(L, FN, st, NULL);
  return 1;
}

static const sl_reg synth_funcs[] = {
    {"linear", synth_linear,
     "slope.data.synthetic.linear{n=100, d=5, noise=0.1, cond=1, seed=0, intercept=0} -> {X=, y=, "
     "w=, b=}",
     "y = X w + b + noise*N(0,1), w ~ N(0, I); X = Z diag(s) Q^T with log-spaced s so cov(X) has "
     "condition number cond (Q random orthogonal)."},
    {"logistic", synth_logistic,
     "slope.data.synthetic.logistic{n=100, d=5, cond=1, seed=0, scale=4} -> {X=, y=, w=}",
     "Features as in linear; w random with norm scale; y ~ Bernoulli(sigmoid(X w)) in {0, 1}."},
    {NULL, NULL, NULL, NULL}};

int sl_open_data_synth(lua_State *L, int slope) {
  lua_getfield(L, slope, "data");
  lua_newtable(L);
  sl_setfuncs(L, -1, synth_funcs, "slope.data.synthetic");
  sl_sethelp(L, -1, "slope.data.synthetic", "slope.data.synthetic",
             "Generators with known answers: linear{...}, logistic{...}.");
  lua_setfield(L, -2, "synthetic");
  lua_pop(L, 1);
  return 0;
}
