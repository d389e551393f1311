/*
** lminimize_opts.c — the options of slope.minimize and slope.solver, checked
** before any evaluation: each error names the function and the option and
** shows the value the way slope prints numbers; and the help text that
** documents each of them.
*/
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "laux.h"
#include "llinesearch.h"
#include "lminimize.h"
#include "sl_vec.h"

/* The options every named method takes, then (sl_lmin_docs) those of the
   methods in table order; an optimizer object takes the run options only. */
static const char *const keys_shared[] = {"method", "linesearch", "gtol", "ftol", "xtol", "maxiter",
                                          "maxfev", "maxtime", "disp", "verbose", "callback",
                                          "history",
                                          /* i15 bounds */
                                          "lower", "upper", NULL};
static const char *const keys_opt[] = {"method", "gtol",    "maxiter",  "maxfev",  "maxtime",
                                       "disp",   "verbose", "callback", "history", NULL};
static const char *keys_min[64];

/* The method every slope.minimize uses unless told otherwise. */
#define DEFAULT_METHOD SL_MIN_LBFGS

/* ---- help: every option with its meaning and default ----------------------- */

static const char minimize_doc_head[] =
    "Minimize f from x0 (a vec or table). f is a slope.obj.*, or a Lua function f(x, g) -> value "
    "that fills g when g is given; a function that never writes g (function(x) return value "
    "end) is value-only: its gradient is taken by central differences (2 dim evaluations, "
    "h = cbrt(eps) max(1, |x_i|); Hessian-vector products for newton_cg and trust_ncg are then "
    "differences of those gradients) and res.jac_approx and res.message say so. "
    "Options: method = ";
static const char minimize_doc_tail[] =
    " | an optimizer object with step(self, x, g) that updates x in place (or "
    "returns the new x), such as slope.optim.adam{lr = 1e-2}; "
    "linesearch = a slope.linesearch object, a name or a function(phi, a0, phi0, dphi0) -> a "
    "(default strong Wolfe, c2 = 0.1 for cg; not for trust_ncg); "
    "gtol = 1e-5: stop when max|g_i| <= gtol; ftol = 0 (off): stop when the relative decrease "
    "of f is <= ftol; xtol = 0 (off): stop when max|step| <= xtol; maxiter = 1000 iterations; "
    "maxfev = 0 (no limit): stop once that many evaluations were made; maxtime = 0 (no limit): "
    "stop after that many seconds; disp = false (verbose is the same option): print one line "
    "per iteration (nit, f, max|g|, step) and the final message; callback = function(info) -> "
    "stop, called after each iteration with info = {nit, f, gnorm, step, status, x, g} (x and g "
    "are copies, safe to keep); history = false | true | {x = true}: record f, gnorm, step (and "
    "a copy of x) per iteration in res.history. "
    "Method options: m = 10 (lbfgs: pairs kept, 1..1000); beta = \"pr+\" (cg: \"fr\", \"pr+\" "
    "or \"hz\"); restart = 0 (cg: restart with -g every restart iterations; 0: 6 dim); lr (gd: a "
    "fixed step instead of a line search); radius = 1 and max_radius = 1000 (trust_ncg: first "
    "and largest trust radius); eta = 0.15 (trust_ncg: accept a step when actual/predicted "
    "decrease > eta, in [0, 0.25)); inner_maxiter = 0 (newton_cg, trust_ncg: CG iterations per "
    "step; 0: 20 dim); curv_eps = 1e-10 (bfgs, lbfgs: skip the update when y's <= curv_eps "
    "|y| |s|). "
    "Bounds (lbfgsb, gd and newton_cg; other methods refuse them by name): lower = -inf and upper "
    "= inf, "
    "each a number for every entry or a vec/table of dim numbers (+-inf for no bound; NaN and "
    "lower > upper are errors naming the index); x0 outside the box is projected into it and "
    "res.x0_projected counts the entries moved (the message says so); every iterate then lies "
    "in the box, gnorm (and gtol) is the projected gradient max|P(x - g) - x|, and the result "
    "adds proj_gnorm and nactive (entries on a bound); ftol is scipy's L-BFGS-B ftol (factr eps). "
    "lbfgsb is L-BFGS-B (Byrd, Lu, Nocedal & "
    "Zhu 1995: generalized Cauchy point, subspace minimization, line search inside the box; "
    "m and curv_eps as lbfgs; its steps are lbfgs's when no bound is finite); gd with bounds is "
    "projected gradient (x <- P(x - lr g), or a line search along -g with the entries held by "
    "an active bound removed); newton_cg with bounds is projected Newton-CG (Bertsekas 1982: CG "
    "on the variables no bound holds, Armijo backtracking along the arc P(x + a d) unless a "
    "linesearch is given). "
    "res = {x, f, fun (= f), jac (gradient at x), gnorm, nit, nfev, ngev, nhvp, skipped, status, "
    "success, message, method, jac_approx, history}; status is \"converged\", \"maxiter\", "
    "\"maxfev\", \"maxtime\", \"callback\", \"linesearch_failed\", \"nonfinite\" or "
    "\"interrupted\"; success is true for the converged ones.";
static const char minimize_doc_composite[] =
    " Composite methods owlqn, fista and prox_gd minimize f(x) + h(x): l1 = lambda (a number "
    ">= 0 for every coordinate) or a vec of per-coordinate weights lambda_i >= 0 (0 leaves a "
    "coordinate such as an intercept unpenalized) gives h = sum_i lambda_i |x_i|; prox = "
    "function(x, step) (fista and prox_gd, instead of l1) is the proximal operator of step h: "
    "it updates the vec x in place (returning nothing) or returns a new vec; adaptive_restart = "
    "true (fista: reset the momentum when it points uphill, O'Donoghue & Candes 2015). owlqn "
    "is orthant-wise L-BFGS (Andrew & Gao 2007, as liblbfgs; m and curv_eps as lbfgs) with a "
    "backtracking search on f + h whose trials stay in the orthant of x; fista (Beck & "
    "Teboulle 2009) and prox_gd backtrack on the step (from 1, halving until f(x_new) is under "
    "the quadratic bound). None takes a linesearch; any other method refuses l1 and prox. Their "
    "res.f (and f in history and callbacks) is f + h (with a prox, whose h slope cannot "
    "evaluate, f alone), res.f_smooth is f, res.nnz counts the nonzero entries of x, res.lr "
    "(fista, prox_gd) the last step and res.restarts (fista) the momentum restarts; gnorm, "
    "and gtol, measure max|G|: the minimum-norm subgradient of f + l1 at x (owlqn's "
    "pseudo-gradient), or with a prox the prox-gradient mapping |y - x_new| / step of the last "
    "step.";
static const char minimize_doc_lsq[] =
    " Least squares (a residual objective: slope.obj.residuals, slope.obj.mgh): method = \"lm\" "
    "is Levenberg-Marquardt as MINPACK's lmder (More's scaling and trust region), its gtol, ftol "
    "and xtol MINPACK's (default 1e-8 each, as scipy least_squares): ftol bounds the actual and "
    "predicted relative reductions of |r|^2, xtol the trust radius relative to |D x|, gtol the "
    "largest cosine between r and a column of J; factor = 100 (lm: the first trust radius is "
    "factor |D x0|); x_scale = \"jac\" (lm: D from the Jacobian's column norms, More's scaling; "
    "a positive number s fixes D = I/s, scipy's default x_scale = 1); maxfev counts residual "
    "evaluations. method = \"gauss_newton\" takes the "
    "least-squares step min |J d + r| and a line search (the shared tolerances). Both refuse "
    "other objectives; res.njev counts Jacobian evaluations.";
static const char solver_doc_head[] =
    "A step-wise solver with the options of slope.minimize (method, linesearch, gtol, ftol, "
    "xtol, maxiter, maxfev, maxtime, disp, verbose, callback, history, m, beta, lr, restart, "
    "radius, max_radius, eta, inner_maxiter, curv_eps; factor, x_scale for lm; lower, upper for "
    "lbfgsb, gd and "
    "newton_cg; l1, prox, adaptive_restart for owlqn, fista and prox_gd): s:step() does one "
    "iteration and says "
    "what it did, s:run{...} continues to a stop reason, s:state() shows the method's memory. "
    "s.x and s.g are live views of the solver's point and gradient (they change as it steps: "
    "store s.x:copy(), info.x from s:step(), or use history = {x = true}); s.f, s.gnorm, s.nit, "
    "s.method, s.status, s.message. The solver is closed (memory freed) by <close> or the "
    "collector.";

const char sl_lmin_run_doc[] =
    "Iterate until a stop reason; the result table of slope.minimize. Each option defaults to "
    "the solver's: maxiter is the iteration budget counted from the solver's start (nit stops "
    "at maxiter; a run after it was reached does nothing and says so), maxfev the evaluations "
    "of this solver, maxtime seconds of this run; disp (or verbose) prints a line per iteration; "
    "callback = function(info) -> stop gets copies of x and g; history = true | {x = true} "
    "records this run.";

static char minimize_doc[16000], method_names[256];
char sl_lmin_solver_doc[6000]; /* solver_doc_head and each method's keys_doc */
const char *sl_lmin_minimize_doc = minimize_doc;

static void cat(char *buf, size_t len, const char *s) {
  size_t n = strlen(buf);
  snprintf(buf + n, len - n, "%s", s);
}

static int is_named(const sl_min_method_ops *m) { return !(m->flags & SL_MINF_STEPPER); }

static void add_key(const char *k) {
  size_t n = 0;
  for (; keys_min[n]; n++)
    if (strcmp(keys_min[n], k) == 0) return;
  if (n + 1 < sizeof keys_min / sizeof keys_min[0]) keys_min[n] = k;
}

/* The accepted keys, the method names and the help, from sl_min_methods[]. */
void sl_lmin_docs(void) {
  if (keys_min[0]) return;
  for (size_t i = 0; keys_shared[i]; i++) keys_min[i] = keys_shared[i];
  minimize_doc[0] = method_names[0] = sl_lmin_solver_doc[0] = '\0';
  cat(minimize_doc, sizeof minimize_doc, minimize_doc_head);
  for (const sl_min_method_ops *const *m = sl_min_methods; *m; m++) {
    if (!is_named(*m)) continue;
    for (const char *const *k = (*m)->keys; k && *k; k++) add_key(*k);
    char one[64];
    snprintf(one, sizeof one, "%s\"%s\"%s", method_names[0] ? " | " : "", (*m)->name,
             *m == DEFAULT_METHOD ? " (default)" : "");
    cat(minimize_doc, sizeof minimize_doc, one);
    snprintf(one, sizeof one, "%s%s", method_names[0] ? ", " : "", (*m)->name);
    cat(method_names, sizeof method_names, one);
  }
  cat(minimize_doc, sizeof minimize_doc, minimize_doc_tail);
  cat(minimize_doc, sizeof minimize_doc, minimize_doc_composite);
  cat(minimize_doc, sizeof minimize_doc, minimize_doc_lsq);
  cat(sl_lmin_solver_doc, sizeof sl_lmin_solver_doc, solver_doc_head);
  for (const sl_min_method_ops *const *m = sl_min_methods; *m; m++) {
    if (!(*m)->keys_doc) continue;
    cat(minimize_doc, sizeof minimize_doc, " Method ");
    cat(minimize_doc, sizeof minimize_doc, (*m)->keys_doc);
    cat(sl_lmin_solver_doc, sizeof sl_lmin_solver_doc, " Method ");
    cat(sl_lmin_solver_doc, sizeof sl_lmin_solver_doc, (*m)->keys_doc);
  }
}

/* ---- checks ------------------------------------------------------------------ */

static void show(lua_State *L, int idx) {
  if (lua_type(L, idx) == LUA_TNUMBER)
    sl_pushnumber_str(L, lua_tonumber(L, idx));
  else if (lua_type(L, idx) == LUA_TSTRING)
    lua_pushfstring(L, "\"%s\"", lua_tostring(L, idx));
  else
    lua_pushstring(L, luaL_typename(L, idx));
}

long sl_lmin_int(lua_State *L, int t, const char *key, long def, long lo, const char *fname) {
  int ty = lua_getfield(L, t, key);
  if (ty == LUA_TNIL) {
    lua_pop(L, 1);
    return def;
  }
  int isint;
  lua_Integer v = lua_tointegerx(L, -1, &isint);
  if (ty != LUA_TNUMBER || !isint || v < lo) {
    show(L, -1);
    sl_error(L, fname, "%s must be an integer >= %d, got %s", key, (int)lo, lua_tostring(L, -1));
  }
  lua_pop(L, 1);
  return (long)v;
}

static int is_step_object(lua_State *L, int idx) {
  int t = lua_type(L, idx);
  if (t != LUA_TTABLE && t != LUA_TUSERDATA) return 0;
  int ok = lua_getfield(L, idx, "step") == LUA_TFUNCTION;
  lua_pop(L, 1);
  return ok;
}

void sl_lmin_history(lua_State *L, int t, int *history, int *hist_x, const char *fname) {
  int ty = lua_getfield(L, t, "history");
  if (ty == LUA_TBOOLEAN) {
    *history = lua_toboolean(L, -1);
    *hist_x = 0;
  } else if (ty == LUA_TTABLE) {
    int h = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, h)) {
      lua_pop(L, 1);
      if (lua_type(L, -1) != LUA_TSTRING || strcmp(lua_tostring(L, -1), "x") != 0) {
        show(L, -1);
        sl_error(L, fname, "history: unknown field %s (history = {x = true} records the path)",
                 lua_tostring(L, -1));
      }
    }
    *history = 1;
    int xt = lua_getfield(L, h, "x");
    if (xt != LUA_TNIL && xt != LUA_TBOOLEAN) {
      show(L, -1);
      sl_error(L, fname, "history.x must be a boolean, got %s", lua_tostring(L, -1));
    }
    *hist_x = lua_toboolean(L, -1);
    lua_pop(L, 1);
  } else if (ty != LUA_TNIL) {
    sl_error(L, fname, "history must be a boolean or {x = true}, got %s", luaL_typename(L, -1));
  }
  lua_pop(L, 1);
}

static double opt_num(lua_State *L, int t, const char *key, double def, int positive,
                      const char *fname) {
  int ty = lua_getfield(L, t, key);
  if (ty == LUA_TNIL) {
    lua_pop(L, 1);
    return def;
  }
  double x = lua_tonumber(L, -1);
  if (ty != LUA_TNUMBER || !isfinite(x) || (positive ? !(x > 0.0) : !(x >= 0.0))) {
    show(L, -1);
    sl_error(L, fname, "%s must be a %s number, got %s", key,
             positive ? "positive" : "non-negative", lua_tostring(L, -1));
  }
  lua_pop(L, 1);
  return x;
}

int sl_lmin_bool(lua_State *L, int t, const char *key, int def, const char *fname) {
  int ty = lua_getfield(L, t, key);
  int b = ty == LUA_TNIL ? def : lua_toboolean(L, -1);
  if (ty != LUA_TNIL && ty != LUA_TBOOLEAN) {
    show(L, -1);
    sl_error(L, fname, "%s must be a boolean, got %s", key, lua_tostring(L, -1));
  }
  lua_pop(L, 1);
  return b;
}

double sl_lmin_num(lua_State *L, int t, const char *key, double def, const char *fname) {
  return opt_num(L, t, key, def, 0, fname);
}

/* method = a name of sl_min_methods[] or an optimizer object; NULL for an object. */
static sl_min_method parse_method(lua_State *L, int t, lmin_opts *o, const char *fname) {
  sl_min_method method = DEFAULT_METHOD;
  int mt = lua_getfield(L, t, "method");
  if (mt == LUA_TSTRING) {
    method = sl_min_method_from_name(lua_tostring(L, -1));
    if (method == NULL || !is_named(method))
      sl_error(L, fname,
               "unknown method '%s' (expected one of: %s, or an optimizer object with a step(self, "
               "x, g) method)",
               lua_tostring(L, -1), method_names);
  } else if (is_step_object(L, -1)) {
    o->is_opt = 1;
    method = SL_MIN_OPTIMIZER;
  } else if (mt != LUA_TNIL) {
    show(L, -1);
    sl_error(L, fname,
             "method must be a name (\"lbfgs\", ...) or an optimizer object with a step(self, x, "
             "g) method, got %s",
             lua_tostring(L, -1));
  }
  lua_pop(L, 1);
  return method;
}

/* A key only another method takes (lr for gd) is an error that names it. */
static void check_only(lua_State *L, int t, sl_min_method method, const char *fname) {
  for (const sl_min_method_ops *const *m = sl_min_methods; *m; m++) {
    if (*m == method) continue;
    for (const char *const *k = (*m)->only; k && *k; k++) {
      int given = lua_getfield(L, t, *k) != LUA_TNIL;
      lua_pop(L, 1);
      if (given)
        sl_error(L, fname, "%s is an option of method \"%s\" (%s)", *k, (*m)->name,
                 (*m)->only_why ? (*m)->only_why : "only");
    }
  }
}

/* beta = "fr" | "pr+" (or "prp", "pr") | "hz" */
static void parse_beta(lua_State *L, int t, sl_min_params *p, const char *fname) {
  int bt = lua_getfield(L, t, "beta");
  if (bt != LUA_TNIL) {
    const char *beta = bt == LUA_TSTRING ? lua_tostring(L, -1) : "";
    if (strcmp(beta, "fr") == 0)
      p->beta = SL_CG_FR;
    else if (strcmp(beta, "pr+") == 0 || strcmp(beta, "prp") == 0 || strcmp(beta, "pr") == 0)
      p->beta = SL_CG_PRP;
    else if (strcmp(beta, "hz") == 0)
      p->beta = SL_CG_HZ;
    else {
      show(L, -1);
      sl_error(L, fname, "beta must be \"fr\", \"pr+\" or \"hz\", got %s", lua_tostring(L, -1));
    }
  }
  lua_pop(L, 1);
}

/* The methods' own numbers (each checked when given, whatever the method). */
static void parse_method_numbers(lua_State *L, int t, sl_min_params *p, const char *fname) {
  p->m = (int)sl_lmin_int(L, t, "m", p->m, 1, fname);
  if (p->m > 1000) sl_error(L, fname, "m must be an integer in 1..1000, got %d", p->m);
  p->restart = sl_lmin_int(L, t, "restart", p->restart, 0, fname);
  p->radius0 = opt_num(L, t, "radius", p->radius0, 1, fname);
  p->max_radius = opt_num(L, t, "max_radius", fmax(p->max_radius, p->radius0), 1, fname);
  p->eta = opt_num(L, t, "eta", p->eta, 0, fname);
  p->inner_maxiter = sl_lmin_int(L, t, "inner_maxiter", p->inner_maxiter, 0, fname);
  p->curv_eps = opt_num(L, t, "curv_eps", p->curv_eps, 0, fname);
  parse_beta(L, t, p, fname);
  p->factor = opt_num(L, t, "factor", p->factor, 1, fname); /* lm */
  if (lua_getfield(L, t, "x_scale") == LUA_TSTRING && strcmp(lua_tostring(L, -1), "jac") == 0)
    p->x_scale = 0.0;
  else if (!lua_isnil(L, -1)) {
    double v = lua_tonumber(L, -1);
    if (lua_type(L, -1) != LUA_TNUMBER || !isfinite(v) || !(v > 0.0)) {
      show(L, -1);
      sl_error(L, fname, "x_scale must be \"jac\" or a positive number, got %s",
               lua_tostring(L, -1));
    }
    p->x_scale = v;
  }
  lua_pop(L, 1);
  p->xatol = opt_num(L, t, "xatol", p->xatol, 0, fname); /* nelder_mead */
  p->fatol = opt_num(L, t, "fatol", p->fatol, 0, fname);
}

/* lr (gd's fixed step) or a linesearch, not both. */
static void parse_step_rule(lua_State *L, int t, lmin_opts *o, const char *fname) {
  sl_min_params *p = &o->p;
  lua_getfield(L, t, "lr");
  int has_lr = !lua_isnil(L, -1);
  lua_pop(L, 1);
  if (has_lr) p->lr = opt_num(L, t, "lr", 0.0, 1, fname);
  if (lua_getfield(L, t, "linesearch") != LUA_TNIL) {
    if (!(p->method->flags & SL_MINF_LINESEARCH))
      sl_error(L, fname, "%s takes no linesearch (%s)", p->method->name,
               p->method->no_linesearch ? p->method->no_linesearch : "it steps without one");
    if (has_lr) sl_error(L, fname, "give either lr (a fixed step) or linesearch, not both");
    o->lua_ls = sl_tolinesearch(L, lua_gettop(L), &p->ls, &p->a0_given, fname);
    p->ls_given = 1;
  }
  lua_pop(L, 1);
}

/* A placeholder until the binding installs the Lua prox (sl_lmin_lua_prox). */
static sl_status prox_unbound(void *ctx, double *x, size_t n, double step, char *msg, size_t len) {
  (void)ctx, (void)x, (void)n, (void)step;
  snprintf(msg, len, "the prox function is not bound");
  return SL_EINVAL;
}

/* l1 = number | vec of per-coordinate weights, prox = function(x, step),
   adaptive_restart = boolean: only for the composite methods. */
static void parse_composite(lua_State *L, int t, lmin_opts *o, const char *fname) {
  sl_min_params *p = &o->p;
  static const char *const ck[] = {"l1", "prox", NULL};
  for (const char *const *k = ck; *k; k++) {
    int given = lua_getfield(L, t, *k) != LUA_TNIL;
    lua_pop(L, 1);
    if (given && !(p->method->flags & SL_MINF_COMPOSITE))
      sl_error(L, fname,
               "%s is an option of methods owlqn, fista and prox_gd (f + an L1 penalty or a "
               "prox); method %s minimizes f alone",
               *k, p->method->name);
  }
  int ty = lua_getfield(L, t, "l1");
  if (ty == LUA_TNUMBER) {
    double v = lua_tonumber(L, -1);
    if (!(v >= 0.0) || !isfinite(v)) {
      show(L, -1);
      sl_error(L, fname, "l1 must be a finite number >= 0 or a vec of them, got %s",
               lua_tostring(L, -1));
    }
    p->l1 = v;
  } else if (ty != LUA_TNIL) {
    sl_vec *w = sl_testvec(L, -1);
    if (w == NULL)
      sl_error(L, fname, "l1 must be a number >= 0 or a vec of per-coordinate weights, got %s",
               sl_typename(L, -1));
    for (size_t i = 0; i < w->n; i++)
      if (!(w->data[i] >= 0.0) || !isfinite(w->data[i])) {
        sl_pushnumber_str(L, w->data[i]);
        sl_error(L, fname, "l1[%d] must be a finite number >= 0, got %s", (int)(i + 1),
                 lua_tostring(L, -1));
      }
    p->l1w = w->data; /* the options table keeps w alive until the solver copies it */
    o->l1w_n = w->n;
  }
  lua_pop(L, 1);
  ty = lua_getfield(L, t, "prox");
  if (ty != LUA_TNIL && ty != LUA_TFUNCTION)
    sl_error(L, fname, "prox must be a function(x, step) that updates x or returns a vec, got %s",
             sl_typename(L, -1));
  lua_pop(L, 1);
  if (ty == LUA_TFUNCTION) {
    o->has_prox = 1;
    p->prox.fn = prox_unbound;
  }
  if (p->method->flags & SL_MINF_PROX)
    p->adaptive_restart = sl_lmin_bool(L, t, "adaptive_restart", p->adaptive_restart, fname);
  else
    sl_lmin_bool(L, t, "adaptive_restart", 0, fname);
}

static void raise_check(lua_State *L, char *msg, const char *fname) {
  sl_msg_clean(msg);
  sl_error(L, fname, "%s", msg);
}

/* An option of another method is checked as that method would check it
   (eta = 0.5 is refused whatever the method). */
static void check_other_methods(lua_State *L, int t, sl_min_method method, const char *fname) {
  for (const sl_min_method_ops *const *m = sl_min_methods; *m; m++) {
    if (*m == method || !is_named(*m) || (*m)->check == NULL) continue;
    int given = 0;
    for (const char *const *k = (*m)->keys; k && *k && !given; k++) {
      given = lua_getfield(L, t, *k) != LUA_TNIL;
      lua_pop(L, 1);
    }
    if (!given) continue;
    sl_min_params q;
    sl_min_defaults(&q, *m);
    parse_method_numbers(L, t, &q, fname);
    char msg[200];
    if ((*m)->check(&q, msg, sizeof msg) != SL_OK) raise_check(L, msg, fname);
  }
}

void sl_lmin_parse(lua_State *L, int t, lmin_opts *o, const char *fname) {
  sl_min_params *p = &o->p;
  memset(o, 0, sizeof *o);
  sl_lmin_docs();
  sl_min_method method = parse_method(L, t, o, fname);
  if (o->is_opt) sl_lmin_bounds(L, t, p, 0, 1, fname); /* refused by name (i15 bounds) */
  sl_checkkeys(L, t, o->is_opt ? keys_opt : keys_min, fname);
  sl_min_defaults(p, method);
  p->gtol = opt_num(L, t, "gtol", p->gtol, 0, fname);
  p->ftol = opt_num(L, t, "ftol", p->ftol, 0, fname);
  p->xtol = opt_num(L, t, "xtol", p->xtol, 0, fname);
  p->maxiter = sl_lmin_int(L, t, "maxiter", p->maxiter, 0, fname);
  p->maxfev = sl_lmin_int(L, t, "maxfev", 0, 0, fname);
  p->maxtime = opt_num(L, t, "maxtime", 0.0, 0, fname);
  o->disp = sl_lmin_bool(L, t, "disp", 0, fname);
  o->disp = sl_lmin_bool(L, t, "verbose", o->disp, fname);
  sl_lmin_history(L, t, &o->history, &o->hist_x, fname);
  parse_method_numbers(L, t, p, fname);
  check_only(L, t, method, fname);
  parse_step_rule(L, t, o, fname);
  if (lua_getfield(L, t, "callback") != LUA_TNIL && lua_type(L, -1) != LUA_TFUNCTION)
    sl_error(L, fname, "callback must be a function(info) -> stop, got %s", luaL_typename(L, -1));
  lua_pop(L, 1);
  parse_composite(L, t, o, fname);
  check_other_methods(L, t, method, fname);
  char msg[200];
  if (sl_min_check(p, msg, sizeof msg) != SL_OK) raise_check(L, msg, fname);
}

/* ---- bounds (i15): lower = number | vec | table, upper likewise ------------------ */

/* key's value into v[0..n): a number for every entry, or n numbers; NaN refused. */
static int read_bound(lua_State *L, int t, const char *key, double *v, size_t n, double def,
                      const char *fname) {
  int ty = lua_getfield(L, t, key);
  int given = ty != LUA_TNIL;
  if (ty == LUA_TNIL || ty == LUA_TNUMBER) {
    double x = ty == LUA_TNIL ? def : lua_tonumber(L, -1);
    if (isnan(x)) sl_error(L, fname, "%s must be a number (+-inf for none), got nan", key);
    for (size_t i = 0; i < n; i++) v[i] = x;
  } else if (sl_testvec(L, -1) || ty == LUA_TTABLE) {
    const sl_vec *b = sl_testvec(L, -1);
    size_t len = b ? b->n : (size_t)lua_rawlen(L, -1);
    if (len != n)
      sl_error(L, fname, "%s has %d entries, the objective's dimension is %d", key, (int)len,
               (int)n);
    for (size_t i = 0; i < n; i++) {
      double x;
      if (b)
        x = b->data[i];
      else {
        int et = lua_rawgeti(L, -1, (lua_Integer)i + 1);
        if (et != LUA_TNUMBER) {
          show(L, -1);
          sl_error(L, fname, "%s[%d] must be a number, got %s", key, (int)i + 1,
                   lua_tostring(L, -1));
        }
        x = lua_tonumber(L, -1);
        lua_pop(L, 1);
      }
      if (isnan(x))
        sl_error(L, fname, "%s[%d] is nan: bounds must be numbers (+-inf for none)", key,
                 (int)i + 1);
      v[i] = x;
    }
  } else {
    show(L, -1);
    sl_error(L, fname, "%s must be a number, a vec or a table of numbers, got %s", key,
             lua_tostring(L, -1));
  }
  lua_pop(L, 1);
  return given;
}

void sl_lmin_bounds(lua_State *L, int t, sl_min_params *p, size_t n, int is_opt,
                    const char *fname) {
  int given = 0;
  for (int k = 0; k < 2; k++) {
    given |= lua_getfield(L, t, k ? "upper" : "lower") != LUA_TNIL;
    lua_pop(L, 1);
  }
  if (!given) return;
  if (is_opt)
    sl_error(L, fname,
             "an optimizer object takes no bounds (lower/upper): use method = "
             "\"lbfgsb\", \"gd\" or \"newton_cg\"");
  sl_vec *b = sl_newvec(L, 2 * (n ? n : 1)); /* stays on the stack until the solver copied it */
  read_bound(L, t, "lower", b->data, n, -HUGE_VAL, fname);
  read_bound(L, t, "upper", b->data + n, n, HUGE_VAL, fname);
  p->lower = b->data;
  p->upper = b->data + n;
  p->nbounds = n;
  char msg[200];
  if (sl_min_check(p, msg, sizeof msg) != SL_OK) raise_check(L, msg, fname);
}

/* ---- nelder_mead's initial_simplex ------------------------------------------ */

/* Row k (0-based) of the simplex from the value on top: a vec or a table of dim numbers. */
static void simplex_row(lua_State *L, double *row, size_t dim, lua_Integer k, const char *fname) {
  sl_vec *v = sl_testvec(L, -1);
  if (v) {
    if (v->n != dim)
      sl_error(L, fname, "initial_simplex[%d] has %d entries, expected dim = %d", (int)k + 1,
               (int)v->n, (int)dim);
    sl_vec_copy(dim, row, v->data);
  } else if (lua_istable(L, -1) && lua_rawlen(L, -1) == dim) {
    for (size_t i = 0; i < dim; i++) {
      int isnum;
      lua_rawgeti(L, -1, (lua_Integer)i + 1);
      row[i] = lua_tonumberx(L, -1, &isnum);
      if (!isnum || lua_type(L, -1) != LUA_TNUMBER) {
        show(L, -1);
        sl_error(L, fname, "initial_simplex[%d][%d] must be a number, got %s", (int)k + 1,
                 (int)i + 1, lua_tostring(L, -1));
      }
      lua_pop(L, 1);
    }
  } else {
    sl_error(L, fname, "initial_simplex[%d] must be a vec or a table of dim = %d numbers, got %s",
             (int)k + 1, (int)dim,
             lua_istable(L, -1) ? "a table of another length" : luaL_typename(L, -1));
  }
  for (size_t i = 0; i < dim; i++)
    if (!isfinite(row[i]))
      sl_error(L, fname, "initial_simplex[%d][%d] must be finite, got %s", (int)k + 1, (int)i + 1,
               isnan(row[i]) ? "nan" : (row[i] > 0 ? "inf" : "-inf"));
}

void sl_lmin_simplex(lua_State *L, int t, lmin_opts *o, size_t dim, const char *fname) {
  if (lua_getfield(L, t, "initial_simplex") == LUA_TNIL) {
    lua_pop(L, 1);
    return;
  }
  int src = lua_gettop(L);
  sl_mat *m = sl_testmat(L, src);
  size_t rows = m ? m->rows : (lua_istable(L, src) ? (size_t)lua_rawlen(L, src) : 0);
  if (m == NULL && !lua_istable(L, src))
    sl_error(L, fname,
             "initial_simplex must be a (dim+1) x dim slope.mat or a table of dim+1 "
             "points, got %s",
             luaL_typename(L, src));
  if (rows != dim + 1 || (m && m->cols != dim))
    sl_error(L, fname, "initial_simplex must have dim+1 = %d points of dim = %d entries, got %d%s",
             (int)dim + 1, (int)dim, (int)rows, m ? " rows" : " points");
  sl_mat *out = sl_newmat(L, dim + 1, dim); /* stays on the stack until the solver copied it */
  for (size_t k = 0; k <= dim; k++) {
    if (m) {
      for (size_t i = 0; i < dim; i++) out->data[k * dim + i] = m->data[k * m->cols + i];
      for (size_t i = 0; i < dim; i++)
        if (!isfinite(out->data[k * dim + i]))
          sl_error(L, fname, "initial_simplex[%d][%d] must be finite", (int)k + 1, (int)i + 1);
    } else {
      lua_rawgeti(L, src, (lua_Integer)k + 1);
      simplex_row(L, out->data + k * dim, dim, (lua_Integer)k, fname);
      lua_pop(L, 1);
    }
  }
  lua_remove(L, src);
  o->p.simplex0 = out->data;
}
