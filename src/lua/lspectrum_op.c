/*
** lspectrum_op.c — slope.spectrum.operator(f, x): the Hessian H(x) as an
** object for Lua-written curvature probes (a power iteration, a custom
** Lanczos, CG). It copies x and holds an HVP window on f at the copy
** (sl_obj_hvp_begin), so every H:mul(v) reuses what the model precomputed
** at x (curvature weights, the MLP's forward pass), as slope.spectrum.top
** does internally and as PyTorch's retained graph does.
*/
#include <string.h>

#include "laux.h"
#include "lobj.h"

#define SL_HESSOP "slope.spectrum.operator"

typedef struct hessop {
  size_t dim;
  unsigned long nhvp;
  int closed;
  double x[]; /* the point, copied: its address keys the window */
} hessop;

static hessop *check_op(lua_State *L, int arg) { return luaL_checkudata(L, arg, SL_HESSOP); }

/* The objective of op (kept as the userdata's user value), bound to L;
   NULL once the objective has been collected (only during lua_close). */
static sl_objective *op_obj(lua_State *L, int arg) {
  lua_getiuservalue(L, arg, 1);
  sl_lobj *u = luaL_testudata(L, -1, SL_OBJ);
  sl_objective *o = u && u->o ? sl_checkobj(L, lua_gettop(L)) : NULL;
  lua_pop(L, 1);
  return o;
}

static void op_release(lua_State *L, int arg, hessop *h) {
  if (h->closed) return;
  h->closed = 1;
  sl_objective *o = op_obj(L, arg);
  if (o && o->hvp_x == h->x) sl_obj_hvp_end(o);
}

static int op_new(lua_State *L) {
  const char *fname = "slope.spectrum.operator";
  sl_objective *o = sl_checkobj_arg(L, 1, fname, "f");
  sl_vec *x = sl_checkpoint(L, 2, o->dim, fname, "x");
  if (!sl_vec_isfinite(x->n, x->data)) return sl_error(L, fname, "x must be finite");
  hessop *h = lua_newuserdatauv(L, sizeof *h + o->dim * sizeof(double), 1);
  h->dim = o->dim;
  h->nhvp = 0;
  h->closed = 0;
  memcpy(h->x, x->data, o->dim * sizeof(double));
  lua_pushvalue(L, 1);
  lua_setiuservalue(L, -2, 1);
  luaL_setmetatable(L, SL_HESSOP);
  sl_obj_hvp_begin(o, h->x); /* failure only means uncached products */
  return 1;
}

static int op_mul(lua_State *L) {
  hessop *h = check_op(L, 1);
  sl_objective *o = h->closed ? NULL : op_obj(L, 1);
  if (o == NULL) return sl_error(L, "slope.spectrum.operator:mul", "the operator is closed");
  sl_vec *v = sl_checkpoint(L, 2, h->dim, "slope.spectrum.operator:mul", "v");
  sl_vec *hv = sl_outvec(L, 3, h->dim, "hv", v);
  /* Re-open the window when another call (slope.spectrum.top on the same f)
     closed it; leave it to whoever holds one now (plain products, no thrash). */
  if (o->hvp_x == NULL) sl_obj_hvp_begin(o, h->x);
  sl_status st = sl_obj_hvp(o, h->x, v->data, hv->data);
  h->nhvp++;
  if (st < 0) return sl_obj_error(L, "slope.spectrum.operator:mul", o, st);
  lua_settop(L, 3);
  return 1;
}

static int op_point(lua_State *L) {
  hessop *h = check_op(L, 1);
  sl_vec *x = sl_newvec(L, h->dim);
  memcpy(x->data, h->x, h->dim * sizeof(double));
  return 1;
}

static int op_close(lua_State *L) {
  op_release(L, 1, check_op(L, 1));
  return 0;
}

static int op_tostring(lua_State *L) {
  hessop *h = check_op(L, 1);
  lua_pushfstring(L, "slope.spectrum.operator(dim %I, %I HVPs%s)", (lua_Integer)h->dim,
                  (lua_Integer)h->nhvp, h->closed ? ", closed" : "");
  return 1;
}

/* Fields dim, nhvp, closed; methods from the table in upvalue 1. */
static int op_index(lua_State *L) {
  hessop *h = check_op(L, 1);
  const char *k = lua_tostring(L, 2);
  if (k && strcmp(k, "dim") == 0) {
    lua_pushinteger(L, (lua_Integer)h->dim);
  } else if (k && strcmp(k, "nhvp") == 0) {
    lua_pushinteger(L, (lua_Integer)h->nhvp);
  } else if (k && strcmp(k, "closed") == 0) {
    lua_pushboolean(L, h->closed);
  } else {
    lua_pushvalue(L, 2);
    lua_gettable(L, lua_upvalueindex(1));
  }
  return 1;
}

static const sl_reg op_methods[] = {
    {"mul", op_mul, "H:mul(v [, hv]) -> hv",
     "H(x) v for the x the operator was made at (also H(v)); hv is written in place when given."},
    {"point", op_point, "H:point() -> x", "A copy of the point x."},
    {"close", op_close, "H:close()",
     "Release the window on f now (also on garbage collection and at the end of a `local H "
     "<close>` scope); mul then fails."},
    {NULL, NULL, NULL, NULL}};

static const sl_reg op_funcs[] = {
    {"operator", op_new, "slope.spectrum.operator(f, x) -> H",
     "The Hessian of f at x (copied) as an operator: H:mul(v) or H(v), H.dim, H.nhvp. It keeps "
     "an HVP window open on f, so products reuse what the model computed at x; f's data must not "
     "change while H is in use."},
    {NULL, NULL, NULL, NULL}};

int sl_open_spectrum_op(lua_State *L, int slope) {
  lua_newtable(L);
  int mt = lua_gettop(L);
  sl_setfuncs(L, mt, op_methods, SL_HESSOP);
  luaL_newmetatable(L, SL_HESSOP);
  lua_pushvalue(L, mt);
  lua_pushcclosure(L, op_index, 1);
  lua_setfield(L, -2, "__index");
  const luaL_Reg meta[] = {{"__call", op_mul},
                           {"__gc", op_close},
                           {"__close", op_close},
                           {"__tostring", op_tostring},
                           {NULL, NULL}};
  luaL_setfuncs(L, meta, 0);
  lua_pushvalue(L, mt);
  lua_setfield(L, -2, "__methods");
  lua_pushliteral(L, "dim nhvp closed"); /* what op_index answers */
  lua_setfield(L, -2, "__fields");
  lua_pop(L, 2);
  sl_settypehelp(L, SL_HESSOP, "operator",
                 "The Hessian at a point: H:mul(v), H(v), H.dim, H.nhvp, H:point(), H:close().");
  lua_getfield(L, slope, "spectrum");
  sl_setfuncs(L, lua_gettop(L), op_funcs, "slope.spectrum");
  lua_pop(L, 1);
  return 0;
}
