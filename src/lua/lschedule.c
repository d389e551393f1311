/*
** lschedule.c — slope.schedule: learning-rate schedules as callable userdata
** (s(t), s:lr(t), s:values(n)), composable through warmup and join, evaluated
** in C (sl_schedule.c); and slope.schedule.plateau, reduce-on-plateau.
*/
#include "lschedule.h"

#include <math.h>
#include <string.h>

#include "laux.h"

/* A schedule userdata: the struct, then its children pointers and marks. The
   children's userdata are kept alive in user value 1 (a table). */
typedef struct lsched {
  sl_schedule s;
  const sl_schedule *kids[]; /* followed by int64_t marks[] */
} lsched;

const sl_schedule *sl_testschedule(lua_State *L, int idx) {
  lsched *u = luaL_testudata(L, idx, SL_SCHEDULE);
  return u ? &u->s : NULL;
}

const sl_schedule *sl_checkschedule(lua_State *L, int arg) {
  const sl_schedule *s = sl_testschedule(L, arg);
  if (s == NULL) sl_typeerror(L, arg, SL_SCHEDULE);
  return s;
}

/* ---- option helpers ---------------------------------------------------------- */

static double reqnum(lua_State *L, const char *key, const char *fname) {
  if (lua_getfield(L, 1, key) == LUA_TNIL) sl_error(L, fname, "%s is required", key);
  lua_pop(L, 1);
  return sl_optnum(L, 1, key, 0.0, fname);
}

static int64_t reqint(lua_State *L, const char *key, lua_Integer lo, const char *fname) {
  if (lua_getfield(L, 1, key) == LUA_TNIL) sl_error(L, fname, "%s is required", key);
  lua_pop(L, 1);
  return (int64_t)sl_optint(L, 1, key, 0, lo, fname);
}

/* Open the options table at 1 and reject unknown keys and (unless the
   schedule takes a list, as join does) positional values: `cosine{0.1, 100}`
   would otherwise be read as missing options. */
static void opts_list(lua_State *L, const char *const keys[], const char *fname, int list) {
  if (!lua_istable(L, 1))
    sl_error(L, fname, "expected a table of options, got %s", sl_typename(L, 1));
  sl_checkkeys(L, 1, keys, fname);
  if (!list) {
    char example[64];
    int given = lua_getfield(L, 1, keys[0]) != LUA_TNIL; /* then the value meant another key */
    lua_rawgeti(L, 1, 1);
    snprintf(example, sizeof example, "%s = %s", keys[0],
             lua_type(L, -1) == LUA_TNUMBER && !given ? sl_pushgot(L, -1) : "...");
    lua_settop(L, 1);
    sl_checknamed(L, 1, fname, NULL, example);
  }
}

static void opts(lua_State *L, const char *const keys[], const char *fname) {
  opts_list(L, keys, fname, 0);
}

/* A list of integers (milestones, boundaries) at options[key] into marks. */
static size_t marks_len(lua_State *L, const char *key, const char *fname) {
  int ty = lua_getfield(L, 1, key);
  if (ty != LUA_TTABLE)
    sl_error(L, fname, "%s must be a table of integers, got %s", key, luaL_typename(L, -1));
  lua_Integer n = luaL_len(L, -1);
  lua_pop(L, 1);
  if (n > 1000000) sl_error(L, fname, "%s has too many entries", key);
  return (size_t)n;
}

static void read_marks(lua_State *L, const char *key, size_t n, int64_t *marks, const char *fname) {
  lua_getfield(L, 1, key);
  for (size_t k = 0; k < n; k++) {
    int isint;
    lua_geti(L, -1, (lua_Integer)k + 1);
    lua_Integer m = lua_tointegerx(L, -1, &isint);
    if (!isint)
      sl_error(L, fname, "%s[%I] must be an integer, got %s", key, (lua_Integer)k + 1,
               sl_pushgot(L, -1));
    marks[k] = (int64_t)m;
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

/* Push a new schedule userdata with room for nkids children and nmarks marks
   (and an empty table of children as its user value). */
static lsched *newsched(lua_State *L, sl_schedule_kind kind, size_t nkids, size_t nmarks) {
  size_t size = sizeof(lsched) + nkids * sizeof(const sl_schedule *) + nmarks * sizeof(int64_t);
  lsched *u = lua_newuserdatauv(L, size, 1);
  memset(u, 0, size);
  u->s.kind = kind;
  u->s.n = nmarks;
  u->s.child = nkids ? u->kids : NULL;
  u->s.marks = nmarks ? (const int64_t *)(u->kids + nkids) : NULL;
  luaL_setmetatable(L, SL_SCHEDULE);
  lua_createtable(L, (int)nkids, 0);
  lua_setiuservalue(L, -2, 1);
  return u;
}

static int64_t *marks_of(lsched *u, size_t nkids) { return (int64_t *)(u->kids + nkids); }

/* Store the schedule at stack idx as child k of the userdata at top. */
static void setkid(lua_State *L, lsched *u, size_t k, int idx, const char *what,
                   const char *fname) {
  idx = lua_absindex(L, idx);
  const sl_schedule *c = sl_testschedule(L, idx);
  if (c == NULL) sl_error(L, fname, "%s must be a schedule, got %s", what, luaL_typename(L, idx));
  u->kids[k] = c;
  lua_getiuservalue(L, -1, 1);
  lua_pushvalue(L, idx);
  lua_rawseti(L, -2, (lua_Integer)k + 1);
  lua_pop(L, 1);
}

/* Validate the schedule at the top of the stack; leave it there. */
static int finish(lua_State *L, lsched *u, const char *fname) {
  char msg[200];
  if (sl_schedule_check(&u->s, msg, sizeof msg) != SL_OK) return sl_error(L, fname, "%s", msg);
  return 1;
}

/* ---- constructors --------------------------------------------------------------- */

static int sched_constant(lua_State *L) {
  static const char *const keys[] = {"lr", NULL};
  const char *fn = "slope.schedule.constant";
  opts(L, keys, fn);
  lsched *u = newsched(L, SL_SCHED_CONSTANT, 0, 0);
  u->s.lr = reqnum(L, "lr", fn);
  return finish(L, u, fn);
}

static int sched_step(lua_State *L) {
  static const char *const keys[] = {"lr", "every", "gamma", NULL};
  const char *fn = "slope.schedule.step";
  opts(L, keys, fn);
  lsched *u = newsched(L, SL_SCHED_STEP, 0, 0);
  u->s.lr = reqnum(L, "lr", fn);
  u->s.every = reqint(L, "every", 1, fn);
  u->s.gamma = sl_optnum(L, 1, "gamma", 0.1, fn);
  return finish(L, u, fn);
}

static int sched_multistep(lua_State *L) {
  static const char *const keys[] = {"lr", "milestones", "gamma", NULL};
  const char *fn = "slope.schedule.multistep";
  opts(L, keys, fn);
  size_t n = marks_len(L, "milestones", fn);
  lsched *u = newsched(L, SL_SCHED_MULTISTEP, 0, n);
  read_marks(L, "milestones", n, marks_of(u, 0), fn);
  u->s.lr = reqnum(L, "lr", fn);
  u->s.gamma = sl_optnum(L, 1, "gamma", 0.1, fn);
  return finish(L, u, fn);
}

static int sched_exponential(lua_State *L) {
  static const char *const keys[] = {"lr", "gamma", NULL};
  const char *fn = "slope.schedule.exponential";
  opts(L, keys, fn);
  lsched *u = newsched(L, SL_SCHED_EXPONENTIAL, 0, 0);
  u->s.lr = reqnum(L, "lr", fn);
  u->s.gamma = reqnum(L, "gamma", fn);
  return finish(L, u, fn);
}

static int sched_cosine(lua_State *L) {
  static const char *const keys[] = {"lr", "steps", "min", NULL};
  const char *fn = "slope.schedule.cosine";
  opts(L, keys, fn);
  lsched *u = newsched(L, SL_SCHED_COSINE, 0, 0);
  u->s.lr = reqnum(L, "lr", fn);
  u->s.steps = reqint(L, "steps", 1, fn);
  u->s.min = sl_optnum(L, 1, "min", 0.0, fn);
  return finish(L, u, fn);
}

static int sched_cosine_restarts(lua_State *L) {
  static const char *const keys[] = {"lr", "period", "mult", "min", NULL};
  const char *fn = "slope.schedule.cosine_restarts";
  opts(L, keys, fn);
  lsched *u = newsched(L, SL_SCHED_COSINE_RESTARTS, 0, 0);
  u->s.lr = reqnum(L, "lr", fn);
  u->s.t0 = reqint(L, "period", 1, fn);
  u->s.mult = (int64_t)sl_optint(L, 1, "mult", 1, 1, fn);
  u->s.min = sl_optnum(L, 1, "min", 0.0, fn);
  return finish(L, u, fn);
}

static int sched_linear(lua_State *L) {
  static const char *const keys[] = {"from", "to", "steps", NULL};
  const char *fn = "slope.schedule.linear";
  opts(L, keys, fn);
  lsched *u = newsched(L, SL_SCHED_LINEAR, 0, 0);
  u->s.from = reqnum(L, "from", fn);
  u->s.to = reqnum(L, "to", fn);
  u->s.steps = reqint(L, "steps", 1, fn);
  return finish(L, u, fn);
}

static int sched_warmup(lua_State *L) {
  static const char *const keys[] = {"steps", "to", "from", NULL};
  const char *fn = "slope.schedule.warmup";
  opts(L, keys, fn);
  lsched *u = newsched(L, SL_SCHED_WARMUP, 1, 0);
  u->s.steps = reqint(L, "steps", 1, fn);
  u->s.from = sl_optnum(L, 1, "from", 0.0, fn);
  lua_getfield(L, 1, "to");
  lua_insert(L, -2); /* keep the child below the new userdata */
  setkid(L, u, 0, -2, "to", fn);
  lua_remove(L, -2);
  return finish(L, u, fn);
}

static int sched_inverse_sqrt(lua_State *L) {
  static const char *const keys[] = {"lr", "warmup", NULL};
  const char *fn = "slope.schedule.inverse_sqrt";
  opts(L, keys, fn);
  lsched *u = newsched(L, SL_SCHED_INVERSE_SQRT, 0, 0);
  u->s.lr = reqnum(L, "lr", fn);
  u->s.warmup = (int64_t)sl_optint(L, 1, "warmup", 0, 0, fn);
  return finish(L, u, fn);
}

static int sched_polynomial(lua_State *L) {
  static const char *const keys[] = {"lr", "steps", "power", "min", NULL};
  const char *fn = "slope.schedule.polynomial";
  opts(L, keys, fn);
  lsched *u = newsched(L, SL_SCHED_POLYNOMIAL, 0, 0);
  u->s.lr = reqnum(L, "lr", fn);
  u->s.steps = reqint(L, "steps", 1, fn);
  u->s.power = sl_optnum(L, 1, "power", 1.0, fn);
  u->s.min = sl_optnum(L, 1, "min", 0.0, fn);
  return finish(L, u, fn);
}

static int sched_onecycle(lua_State *L) {
  static const char *const keys[] = {
      "max", "steps", "pct_start", "div_factor", "final_div_factor", "anneal", NULL};
  const char *fn = "slope.schedule.onecycle";
  opts(L, keys, fn);
  lsched *u = newsched(L, SL_SCHED_ONECYCLE, 0, 0);
  u->s.lr = reqnum(L, "max", fn);
  if (!(u->s.lr >= 0)) { /* the core calls it lr */
    sl_pushnumber_str(L, u->s.lr);
    sl_error(L, fn, "max must be a non-negative number, got %s", lua_tostring(L, -1));
  }
  u->s.steps = reqint(L, "steps", 2, fn);
  u->s.pct_start = sl_optnum(L, 1, "pct_start", 0.3, fn);
  u->s.div_factor = sl_optnum(L, 1, "div_factor", 25.0, fn);
  u->s.final_div_factor = sl_optnum(L, 1, "final_div_factor", 1e4, fn);
  const char *a = sl_optstr(L, 1, "anneal", "cos", fn);
  if (strcmp(a, "cos") == 0)
    u->s.anneal_cos = 1;
  else if (strcmp(a, "linear") == 0)
    u->s.anneal_cos = 0;
  else
    sl_error(L, fn, "anneal must be \"cos\" or \"linear\", got \"%s\"", a);
  return finish(L, u, fn);
}

static int sched_robbins_monro(lua_State *L) {
  static const char *const keys[] = {"a", "b", "p", NULL};
  const char *fn = "slope.schedule.robbins_monro";
  opts(L, keys, fn);
  lsched *u = newsched(L, SL_SCHED_ROBBINS_MONRO, 0, 0);
  u->s.a = reqnum(L, "a", fn);
  u->s.b = sl_optnum(L, 1, "b", 0.0, fn);
  u->s.p = sl_optnum(L, 1, "p", 1.0, fn);
  return finish(L, u, fn);
}

static int sched_cyclic(lua_State *L) {
  static const char *const keys[] = {"low", "high", "period", NULL};
  const char *fn = "slope.schedule.cyclic";
  opts(L, keys, fn);
  lsched *u = newsched(L, SL_SCHED_CYCLIC, 0, 0);
  u->s.low = reqnum(L, "low", fn);
  u->s.high = reqnum(L, "high", fn);
  u->s.period = reqnum(L, "period", fn);
  return finish(L, u, fn);
}

static int sched_join(lua_State *L) {
  static const char *const keys[] = {"boundaries", NULL};
  const char *fn = "slope.schedule.join";
  opts_list(L, keys, fn, 1);
  size_t nk = (size_t)luaL_len(L, 1);
  if (nk == 0) sl_error(L, fn, "expected schedules {s1, s2, ..., boundaries={...}}");
  if (nk > 100000) sl_error(L, fn, "too many schedules");
  size_t nb = marks_len(L, "boundaries", fn);
  if (nb != nk - 1)
    sl_error(L, fn, "%I schedules need %I boundaries, got %I", (lua_Integer)nk, (lua_Integer)nk - 1,
             (lua_Integer)nb);
  lsched *u = newsched(L, SL_SCHED_JOIN, nk, nb);
  read_marks(L, "boundaries", nb, marks_of(u, nk), fn);
  for (size_t k = 0; k < nk; k++) {
    char what[32];
    snprintf(what, sizeof what, "entry %zu", k + 1);
    lua_geti(L, 1, (lua_Integer)k + 1);
    lua_insert(L, -2);
    setkid(L, u, k, -2, what, fn);
    lua_remove(L, -2);
  }
  return finish(L, u, fn);
}

/* ---- methods ------------------------------------------------------------------------ */

static lsched *checksched(lua_State *L, int arg) {
  lsched *u = luaL_testudata(L, arg, SL_SCHEDULE);
  if (u == NULL) sl_typeerror(L, arg, SL_SCHEDULE);
  return u;
}

static int sched_lr(lua_State *L) {
  lsched *u = checksched(L, 1);
  lua_pushnumber(L, sl_schedule_lr(&u->s, (int64_t)sl_checksize(L, 2, 1)));
  return 1;
}

static int sched_values(lua_State *L) {
  lsched *u = checksched(L, 1);
  size_t n = sl_checksize(L, 2, 0);
  sl_vec *v = sl_newvec(L, n);
  sl_schedule_values(&u->s, n, v->data);
  return 1;
}

static int sched_kind(lua_State *L) {
  lua_pushstring(L, sl_schedule_name(checksched(L, 1)->s.kind));
  return 1;
}

static int sched_tostring(lua_State *L) {
  lsched *u = checksched(L, 1);
  int n = sl_schedule_format(&u->s, NULL, 0);
  luaL_Buffer b;
  char *p = luaL_buffinitsize(L, &b, (size_t)n + 1);
  sl_schedule_format(&u->s, p, (size_t)n + 1);
  luaL_pushresultsize(&b, (size_t)n);
  lua_pushfstring(L, "schedule.%s", lua_tostring(L, -1));
  return 1;
}

/* ---- plateau -------------------------------------------------------------------------- */

static sl_plateau *checkplateau(lua_State *L, int arg) {
  sl_plateau *p = luaL_testudata(L, arg, SL_PLATEAU);
  if (p == NULL) sl_typeerror(L, arg, SL_PLATEAU);
  return p;
}

static int plateau_new(lua_State *L) {
  static const char *const keys[] = {"lr",   "factor",   "patience", "threshold", "threshold_mode",
                                     "mode", "cooldown", "min_lr",   "eps",       NULL};
  const char *fn = "slope.schedule.plateau";
  opts(L, keys, fn);
  sl_plateau *p = lua_newuserdatauv(L, sizeof *p, 0);
  sl_plateau_init(p, reqnum(L, "lr", fn));
  luaL_setmetatable(L, SL_PLATEAU);
  p->factor = sl_optnum(L, 1, "factor", p->factor, fn);
  p->patience = (int64_t)sl_optint(L, 1, "patience", p->patience, 0, fn);
  p->threshold = sl_optnum(L, 1, "threshold", p->threshold, fn);
  p->cooldown = (int64_t)sl_optint(L, 1, "cooldown", p->cooldown, 0, fn);
  p->min_lr = sl_optnum(L, 1, "min_lr", p->min_lr, fn);
  p->eps = sl_optnum(L, 1, "eps", p->eps, fn);
  const char *m = sl_optstr(L, 1, "mode", "min", fn);
  if (strcmp(m, "min") == 0)
    p->mode_max = 0;
  else if (strcmp(m, "max") == 0)
    p->mode_max = 1;
  else
    sl_error(L, fn, "mode must be \"min\" or \"max\", got \"%s\"", m);
  const char *tm = sl_optstr(L, 1, "threshold_mode", "rel", fn);
  if (strcmp(tm, "rel") == 0)
    p->threshold_abs = 0;
  else if (strcmp(tm, "abs") == 0)
    p->threshold_abs = 1;
  else
    sl_error(L, fn, "threshold_mode must be \"rel\" or \"abs\", got \"%s\"", tm);
  sl_plateau_reset(p);
  char msg[200];
  if (sl_plateau_check(p, msg, sizeof msg) != SL_OK) sl_error(L, fn, "%s", msg);
  return 1;
}

static int plateau_update(lua_State *L) {
  sl_plateau *p = checkplateau(L, 1);
  double metric = luaL_checknumber(L, 2); /* NaN allowed: it never improves */
  lua_pushnumber(L, sl_plateau_update(p, metric));
  return 1;
}

static int plateau_state(lua_State *L) {
  sl_plateau *p = checkplateau(L, 1);
  lua_createtable(L, 0, 6);
  lua_pushnumber(L, p->lr), lua_setfield(L, -2, "lr");
  lua_pushnumber(L, p->best), lua_setfield(L, -2, "best");
  lua_pushinteger(L, p->num_bad), lua_setfield(L, -2, "num_bad");
  lua_pushinteger(L, p->cooldown_counter), lua_setfield(L, -2, "cooldown_counter");
  lua_pushinteger(L, p->last_epoch), lua_setfield(L, -2, "last_epoch");
  lua_pushinteger(L, p->num_reductions), lua_setfield(L, -2, "num_reductions");
  return 1;
}

static double state_num(lua_State *L, const char *key, const char *fn) {
  if (lua_getfield(L, 2, key) != LUA_TNUMBER)
    sl_error(L, fn, "state.%s must be a number, got %s", key, sl_typename(L, -1));
  double x = lua_tonumber(L, -1);
  lua_pop(L, 1);
  return x;
}

static int64_t state_int(lua_State *L, const char *key, const char *fn) {
  int isint;
  lua_getfield(L, 2, key);
  lua_Integer v = lua_tointegerx(L, -1, &isint);
  if (!isint || v < 0) sl_error(L, fn, "state.%s must be an integer >= 0", key);
  lua_pop(L, 1);
  return (int64_t)v;
}

static int plateau_load(lua_State *L) {
  static const char *const keys[] = {"lr",         "best",           "num_bad", "cooldown_counter",
                                     "last_epoch", "num_reductions", NULL};
  const char *fn = "slope.schedule.plateau.load";
  sl_plateau *p = checkplateau(L, 1);
  if (!lua_istable(L, 2)) sl_error(L, fn, "state must be a table, got %s", sl_typename(L, 2));
  sl_checkfields(L, 2, keys, fn, "state"); /* a state from p:state(), not options */
  sl_plateau q = *p;
  q.lr = state_num(L, "lr", fn);
  q.best = state_num(L, "best", fn);
  q.num_bad = state_int(L, "num_bad", fn);
  q.cooldown_counter = state_int(L, "cooldown_counter", fn);
  q.last_epoch = state_int(L, "last_epoch", fn);
  q.num_reductions = state_int(L, "num_reductions", fn);
  char msg[200];
  if (sl_plateau_check(&q, msg, sizeof msg) != SL_OK) sl_error(L, fn, "%s", msg);
  *p = q;
  lua_settop(L, 1);
  return 1;
}

static int plateau_reset(lua_State *L) {
  sl_plateau_reset(checkplateau(L, 1));
  lua_settop(L, 1);
  return 1;
}

static int plateau_index(lua_State *L) {
  sl_plateau *p = checkplateau(L, 1);
  const char *k = lua_tostring(L, 2);
  if (k && strcmp(k, "lr") == 0) return lua_pushnumber(L, p->lr), 1;
  if (k && strcmp(k, "best") == 0) return lua_pushnumber(L, p->best), 1;
  if (k && strcmp(k, "num_bad") == 0) return lua_pushinteger(L, p->num_bad), 1;
  if (k && strcmp(k, "num_reductions") == 0) return lua_pushinteger(L, p->num_reductions), 1;
  lua_pushvalue(L, 2);
  lua_rawget(L, lua_upvalueindex(1));
  return 1;
}

static int plateau_call(lua_State *L) {
  lua_pushnumber(L, checkplateau(L, 1)->lr);
  return 1;
}

static int plateau_tostring(lua_State *L) {
  sl_plateau *p = checkplateau(L, 1);
  lua_pushfstring(
      L, "schedule.plateau{lr=%f, factor=%f, patience=%I, mode=\"%s\", best=%f, num_bad=%I}", p->lr,
      p->factor, (lua_Integer)p->patience, p->mode_max ? "max" : "min", p->best,
      (lua_Integer)p->num_bad);
  return 1;
}

/* ---- registration ---------------------------------------------------------------------- */

#define T_NOTE " t counts from 1 (torch's last_epoch = t - 1)."

static const sl_reg sched_funcs[] = {
    {"constant", sched_constant, "slope.schedule.constant{lr} -> schedule", "lr at every step."},
    {"step", sched_step, "slope.schedule.step{lr, every, gamma=0.1} -> schedule",
     "lr * gamma^floor((t-1)/every): steps 1..every use lr (torch StepLR)." T_NOTE},
    {"multistep", sched_multistep,
     "slope.schedule.multistep{lr, milestones={m1, ...}, gamma=0.1} -> schedule",
     "lr * gamma^(number of milestones < t): after m steps the rate drops (torch MultiStepLR)."},
    {"exponential", sched_exponential, "slope.schedule.exponential{lr, gamma} -> schedule",
     "lr * gamma^(t-1) (torch ExponentialLR)."},
    {"cosine", sched_cosine, "slope.schedule.cosine{lr, steps, min=0} -> schedule",
     "min + (lr-min)(1+cos(pi (t-1)/steps))/2 for t <= steps+1, then min (torch CosineAnnealingLR, "
     "T_max=steps, eta_min=min; torch's would rise again after)."},
    {"cosine_restarts", sched_cosine_restarts,
     "slope.schedule.cosine_restarts{lr, period, mult=1, min=0} -> schedule",
     "SGDR (Loshchilov & Hutter 2017): cosine from lr to min over `period` steps, restarting at "
     "lr; "
     "each period `mult` times longer (torch CosineAnnealingWarmRestarts, T_0=period, "
     "T_mult=mult)."},
    {"linear", sched_linear, "slope.schedule.linear{from, to, steps} -> schedule",
     "from + (to-from) min(t-1, steps)/steps: reaches `to` at t = steps+1 (torch LinearLR)."},
    {"warmup", sched_warmup, "slope.schedule.warmup{steps, to=schedule, from=0} -> schedule",
     "from + (to(1)-from) t/steps for t <= steps (reaching to(1) at t = steps), then to(t - "
     "steps)."},
    {"inverse_sqrt", sched_inverse_sqrt, "slope.schedule.inverse_sqrt{lr, warmup=0} -> schedule",
     "lr t/warmup for t <= warmup, then lr sqrt(warmup/t); with warmup=0, lr/sqrt(t) (fairseq's)."},
    {"polynomial", sched_polynomial,
     "slope.schedule.polynomial{lr, steps, power=1, min=0} -> schedule",
     "min + (lr-min)(1 - min(t-1, steps)/steps)^power (torch PolynomialLR when min=0)."},
    {"onecycle", sched_onecycle,
     "slope.schedule.onecycle{max, steps, pct_start=0.3, div_factor=25, final_div_factor=1e4, "
     "anneal=\"cos\"} -> schedule",
     "Smith's 1cycle as torch OneCycleLR: max/div_factor up to max by step pct_start*steps, then "
     "down to "
     "max/(div_factor*final_div_factor) at t = steps; held after. anneal=\"cos\" or \"linear\"."},
    {"robbins_monro", sched_robbins_monro, "slope.schedule.robbins_monro{a, b=0, p=1} -> schedule",
     "a/(b+t)^p. Only p in (0.5, 1] meets the Robbins-Monro conditions (sum lr = inf, sum lr^2 < "
     "inf); "
     "other p > 0 are accepted but give no such guarantee."},
    {"cyclic", sched_cyclic, "slope.schedule.cyclic{low, high, period} -> schedule",
     "Triangular cycle (torch CyclicLR, step_size_up = period/2): low at t=1, high at "
     "t=1+period/2, "
     "low again at t=1+period."},
    {"join", sched_join, "slope.schedule.join{s1, s2, ..., boundaries={b1, ...}} -> schedule",
     "s1 for t <= b1, s2 for b1 < t <= b2, ...; each sees the step counted from its own start "
     "(s2 gets t - b1)."},
    {"plateau", plateau_new,
     "slope.schedule.plateau{lr, factor=0.1, patience=10, threshold=1e-4, mode=\"min\", "
     "cooldown=0, min_lr=0, threshold_mode=\"rel\", eps=1e-8} -> plateau",
     "Reduce on plateau (torch ReduceLROnPlateau), driven by p:update(metric) -> lr after each "
     "evaluation; p.lr, p(t) the current rate. lr: the starting rate (required). mode: \"min\" "
     "(a lower metric is better) or \"max\". threshold, threshold_mode: an improvement beats "
     "best by the relative margin best*threshold (\"rel\") or the absolute margin threshold "
     "(\"abs\"). patience: evaluations without improvement tolerated; after more, the rate "
     "becomes max(lr*factor, min_lr), factor in (0, 1). cooldown: evaluations ignored after a "
     "reduction. min_lr: the floor. eps: reductions smaller than eps are skipped. Methods: "
     "p:update(metric), p:state(), p:load(state), p:reset(); fields p.lr, p.best, p.num_bad, "
     "p.num_reductions."},
    {"lr", sched_lr, "s:lr(t) -> number", "The rate at step t >= 1 (same as s(t))."},
    {"values", sched_values, "s:values(n) -> vec", "The rates of steps 1..n, e.g. for plotting."},
    {"kind", sched_kind, "s:kind() -> string",
     "The schedule's kind (\"cosine\", \"warmup\", ...)."},
    {NULL, NULL, NULL, NULL}};

static const sl_reg plateau_methods[] = {
    {"update", plateau_update, "p:update(metric) -> lr",
     "One evaluation (e.g. validation loss); returns the possibly reduced rate. NaN never "
     "improves."},
    {"state", plateau_state, "p:state() -> table",
     "The state {lr, best, num_bad, cooldown_counter, last_epoch, num_reductions}, for "
     "checkpoints: the current rate, the best metric so far, evaluations since it, evaluations "
     "left to ignore, evaluations seen, reductions made."},
    {"load", plateau_load, "p:load(state) -> p",
     "Restore a state from p:state(): its fields lr, best, num_bad, cooldown_counter, "
     "last_epoch and num_reductions are all required and checked (unknown fields refused); "
     "the options (factor, patience...) stay this p's."},
    {"reset", plateau_reset, "p:reset() -> p", "Forget the best value and counters (keeps lr)."},
    {NULL, NULL, NULL, NULL}};

static int sched_call(lua_State *L) { return sched_lr(L); }

int sl_open_schedule(lua_State *L, int slope) {
  lua_newtable(L);
  int t = lua_gettop(L);
  sl_setfuncs(L, t, sched_funcs, "slope.schedule");
  const luaL_Reg meta[] = {{"__call", sched_call}, {"__tostring", sched_tostring}, {NULL, NULL}};
  sl_newclass(L, SL_SCHEDULE, t, meta);
  sl_settypehelp(
      L, SL_SCHEDULE, "schedule",
      "A learning rate as a function of the step t = 1, 2, ...: s(t), s:lr(t), s:values(n).");
  /* plateau: its own methods table, fields through __index */
  lua_newtable(L);
  int pm = lua_gettop(L);
  sl_setfuncs(L, pm, plateau_methods, "slope.schedule.plateau");
  luaL_newmetatable(L, SL_PLATEAU);
  lua_pushvalue(L, pm);
  lua_pushcclosure(L, plateau_index, 1);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, plateau_call);
  lua_setfield(L, -2, "__call");
  lua_pushcfunction(L, plateau_tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pushcfunction(L, sl_noclose); /* all state is in the userdata */
  lua_setfield(L, -2, "__close");
  lua_pushvalue(L, pm);
  lua_setfield(L, -2, "__methods");
  lua_pushliteral(L, "lr best num_bad num_reductions"); /* what plateau_index answers */
  lua_setfield(L, -2, "__fields");
  lua_pop(L, 2);
  /* the type's help is the constructor's (both are named slope.schedule.plateau) */
  lua_setfield(L, slope, "schedule");
  return 0;
}
