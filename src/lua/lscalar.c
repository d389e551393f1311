/*
** lscalar.c — slope.minimize_scalar(f, opts): one-dimensional minimization
** (core: sl_scalar.c) of a Lua function f(x) -> number, as scipy's
** minimize_scalar: Brent's method or golden-section search from a bracket,
** Brent's bounded method on an interval.
*/
#include <math.h>
#include <string.h>

#include "laux.h"
#include "sl_scalar.h"

static const char *const FNAME = "slope.minimize_scalar";

typedef struct {
  lua_State *L;
  int fn;        /* stack index of f */
  char err[320]; /* f's error or bad result */
  int raised;    /* err holds f's own error (passed through unchanged) */
} lscal;

static sl_status call_f(void *ctx, double x, double *fx) {
  lscal *c = ctx;
  lua_State *L = c->L;
  lua_pushvalue(L, c->fn);
  lua_pushnumber(L, x);
  if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
    const char *m = lua_tostring(L, -1);
    snprintf(c->err, sizeof c->err, "%s", m ? m : "(error object is not a string)");
    c->raised = 1;
    lua_pop(L, 1);
    return SL_ECALLBACK;
  }
  if (lua_type(L, -1) != LUA_TNUMBER) {
    snprintf(c->err, sizeof c->err, "%s: f(%.17g) returned %s, expected a number", FNAME, x,
             luaL_typename(L, -1));
    lua_pop(L, 1);
    return SL_ECALLBACK;
  }
  *fx = lua_tonumber(L, -1);
  lua_pop(L, 1);
  return SL_OK;
}

static const char *const keys[] = {"bracket", "bounds",  "method", "xtol",
                                   "xatol",   "maxiter", "maxfev", NULL};

/* The table (2 or 3) holding key, or 0; a key in both is an error. */
static int where(lua_State *L, int t3, const char *key) {
  int in2 = lua_getfield(L, 2, key) != LUA_TNIL;
  int in3 = t3 && lua_getfield(L, t3, key) != LUA_TNIL;
  lua_pop(L, t3 ? 2 : 1);
  if (in2 && in3) sl_error(L, FNAME, "%s is given twice (in both option tables)", key);
  return in2 ? 2 : in3 ? t3 : 0;
}

/* bracket = {a, b [, c]} or bounds = {lo, hi}: numbers into o. */
static void read_points(lua_State *L, int t, const char *key, int lo, int hi, sl_scalar_opts *o) {
  lua_getfield(L, t, key);
  if (!lua_istable(L, -1))
    sl_error(L, FNAME, "%s must be a table of %s numbers, got %s", key, lo == hi ? "2" : "2 or 3",
             luaL_typename(L, -1));
  int n = (int)lua_rawlen(L, -1);
  if (n < lo || n > hi)
    sl_error(L, FNAME, "%s must have %s numbers, got %d", key, lo == hi ? "2" : "2 or 3", n);
  double v[3] = {0, 0, 0};
  for (int i = 0; i < n; i++) {
    lua_rawgeti(L, -1, i + 1);
    if (lua_type(L, -1) != LUA_TNUMBER || !isfinite(lua_tonumber(L, -1))) {
      if (lua_type(L, -1) == LUA_TNUMBER)
        sl_pushnumber_str(L, lua_tonumber(L, -1));
      else
        lua_pushstring(L, luaL_typename(L, -1));
      sl_error(L, FNAME, "%s[%d] must be a finite number, got %s", key, i + 1, lua_tostring(L, -1));
    }
    v[i] = lua_tonumber(L, -1);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  o->a = v[0], o->b = v[1], o->c = v[2];
  o->nbracket = n;
}

static void setnum(lua_State *L, const char *k, double v) {
  lua_pushnumber(L, v);
  lua_setfield(L, -2, k);
}

static const char *status_name(const sl_scalar_result *r) {
  if (r->budget) return "maxfev";
  switch (r->status) {
  case SL_CONVERGED_XTOL: return "converged";
  case SL_MAXITER: return "maxiter";
  case SL_ELINESEARCH: return "no_bracket";
  case SL_EINTERRUPTED: return "interrupted";
  default: return sl_status_name(r->status);
  }
}

static int l_minimize_scalar(lua_State *L) {
  if (lua_type(L, 1) != LUA_TFUNCTION && !luaL_getmetafield(L, 1, "__call"))
    return sl_error(L, FNAME, "f must be a function f(x) -> number, got %s", sl_typename(L, 1));
  lua_settop(L, 3);
  if (!lua_istable(L, 2))
    return sl_error(L, FNAME,
                    "expected an options table with bracket = {a, b [, c]} or bounds = {lo, hi}, "
                    "got %s",
                    luaL_typename(L, 2));
  int t3 = 0;
  if (!lua_isnil(L, 3)) {
    if (!lua_istable(L, 3))
      return sl_error(L, FNAME, "options must be a table, got %s", luaL_typename(L, 3));
    t3 = 3;
    sl_checkkeys(L, 3, keys, FNAME);
  }
  sl_checkkeys(L, 2, keys, FNAME);
  int tb = where(L, t3, "bracket"), tn = where(L, t3, "bounds"), tm = where(L, t3, "method");
  if (tb && tn) return sl_error(L, FNAME, "give either bracket or bounds, not both");
  sl_scalar_method m = tn ? SL_SCALAR_BOUNDED : SL_SCALAR_BRENT;
  if (tm) {
    const char *name = sl_optstr(L, tm, "method", "brent", FNAME);
    if (strcmp(name, "brent") == 0)
      m = SL_SCALAR_BRENT;
    else if (strcmp(name, "golden") == 0)
      m = SL_SCALAR_GOLDEN;
    else if (strcmp(name, "bounded") == 0)
      m = SL_SCALAR_BOUNDED;
    else
      return sl_error(L, FNAME, "method must be \"brent\", \"golden\" or \"bounded\", got \"%s\"",
                      name);
  }
  if (m == SL_SCALAR_BOUNDED && !tn)
    return sl_error(L, FNAME, "method \"bounded\" needs bounds = {lo, hi}");
  if (m != SL_SCALAR_BOUNDED && tn)
    return sl_error(L, FNAME,
                    "bounds = {lo, hi} is for method \"bounded\" (brent and golden "
                    "take bracket = {a, b [, c]})");
  if (m != SL_SCALAR_BOUNDED && !tb)
    return sl_error(L, FNAME,
                    "give bracket = {a, b [, c]} (brent, golden) or bounds = {lo, hi} "
                    "(bounded)");
  sl_scalar_opts o;
  memset(&o, 0, sizeof o);
  sl_scalar_defaults(&o, m);
  if (tn)
    read_points(L, tn, "bounds", 2, 2, &o);
  else
    read_points(L, tb, "bracket", 2, 3, &o);
  int tx = where(L, t3, "xtol"), ta = where(L, t3, "xatol");
  if (m == SL_SCALAR_BOUNDED && tx)
    return sl_error(L, FNAME, "xtol is for brent and golden (relative); bounded takes xatol");
  if (m != SL_SCALAR_BOUNDED && ta)
    return sl_error(L, FNAME, "xatol is for method \"bounded\"; brent and golden take xtol");
  if (tx) o.xtol = sl_optpos(L, tx, "xtol", o.xtol, FNAME);
  if (ta) o.xtol = sl_optpos(L, ta, "xatol", o.xtol, FNAME);
  int ti = where(L, t3, "maxiter"), tf = where(L, t3, "maxfev");
  if (ti) o.maxiter = (long)sl_optint(L, ti, "maxiter", o.maxiter, 1, FNAME);
  if (tf) o.maxfev = (long)sl_optint(L, tf, "maxfev", 0, 0, FNAME);
  char msg[256];
  if (sl_scalar_check(&o, msg, sizeof msg) != SL_OK) return sl_error(L, FNAME, "%s", msg);
  lscal c = {L, 1, "", 0};
  o.stop = sl_interrupt_flag();
  sl_interrupt_clear();
  sl_scalar_result *r = lua_newuserdatauv(L, sizeof *r, 0); /* large: not on the C stack */
  sl_minimize_scalar(&o, call_f, &c, r);
  if (r->status == SL_ECALLBACK) {
    lua_pushstring(L, c.err);
    return lua_error(L); /* f's own error, or the sentence naming the function */
  }
  if (r->status == SL_EINVAL) return sl_error(L, FNAME, "%s", r->msg);
  if (r->status == SL_EINTERRUPTED) sl_interrupt_consumed(L);
  static const char *const names[] = {"brent", "golden", "bounded"};
  sl_msg_clean(r->msg);
  lua_createtable(L, 0, 12);
  setnum(L, "x", r->x);
  setnum(L, "f", r->f);
  setnum(L, "fun", r->f);
  lua_pushinteger(L, r->nfev);
  lua_setfield(L, -2, "nfev");
  lua_pushinteger(L, r->nit);
  lua_setfield(L, -2, "nit");
  lua_pushstring(L, status_name(r));
  lua_setfield(L, -2, "status");
  lua_pushboolean(L, r->status == SL_CONVERGED_XTOL);
  lua_setfield(L, -2, "success");
  lua_pushstring(L, r->msg);
  lua_setfield(L, -2, "message");
  lua_pushstring(L, names[m]);
  lua_setfield(L, -2, "method");
  if (m != SL_SCALAR_BOUNDED && r->nfev >= 3 && r->status != SL_ELINESEARCH) {
    lua_createtable(L, 3, 0);
    for (int i = 0; i < 3; i++) {
      lua_pushnumber(L, r->bracket[i]);
      lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "bracket");
  }
  return 1;
}

static const sl_reg funcs[] = {
    {"minimize_scalar", l_minimize_scalar,
     "slope.minimize_scalar(f, {bracket = {a, b [, c]} | bounds = {lo, hi}, ...} [, opts]) -> res",
     "Minimize a function of one variable f(x) -> number, as scipy's minimize_scalar. "
     "bracket = {a, b}: search downhill from a to b for a bracket (golden-ratio steps with "
     "parabolic extrapolation), or {a, b, c} with f(b) below f(a) and f(c); then method = "
     "\"brent\" (default: Brent 1973, golden section with parabolic interpolation) or "
     "\"golden\" (golden-section search). bounds = {lo, hi}: method \"bounded\" (Brent's method "
     "on the interval, scipy's fminbound; chosen by bounds). xtol = 1.48e-8 (brent, golden): "
     "relative tolerance on x; xatol = 1e-5 (bounded): absolute tolerance on x; maxiter = 500 "
     "(golden 5000) iterations; maxfev = 0 (no limit) evaluations. The options may sit in the "
     "first table or in a second one. Ctrl-C stops the search with status \"interrupted\". "
     "res = {x, f, fun (= f), nfev, nit, status, success, message, method, bracket (the triple "
     "the search started from)}; status is \"converged\", \"maxiter\", \"maxfev\", "
     "\"no_bracket\" (f kept decreasing: unbounded below?) or \"interrupted\"."},
    {NULL, NULL, NULL, NULL}};

int sl_open_scalar(lua_State *L, int slope) {
  sl_setfuncs(L, slope, funcs, "slope");
  return 0;
}
