/*
** lschedule.c — slope.schedule: learning-rate schedules as callable userdata
** (s(t), s:lr(t), s:values(n)), composable through warmup and join, evaluated
** in C. One constructor serves every row of the core's table sl_sched_kinds
** (sl_schedule.h): options, key checks and help come from the kind's entry.
** Also slope.schedule.plateau, reduce-on-plateau.
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

/* ---- options, read as the kind's entry lists them ---------------------------- */

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

/* Push a new schedule userdata of kind ki with room for nkids children and
   nmarks marks (and an empty table of children as its user value). */
static lsched *newsched(lua_State *L, int kind, size_t nkids, size_t nmarks) {
  size_t size = sizeof(lsched) + nkids * sizeof(const sl_schedule *) + nmarks * sizeof(int64_t);
  lsched *u = lua_newuserdatauv(L, size, 1);
  memset(u, 0, size);
  u->s = *sl_sched_kind(kind)->defaults;
  u->s.kind = (sl_schedule_kind)kind;
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

/* Child k from the value at options[key] (key a string) or options[k + 1]. */
static void getkid(lua_State *L, lsched *u, size_t k, const char *key, const char *what,
                   const char *fname) {
  if (key)
    lua_getfield(L, 1, key);
  else
    lua_geti(L, 1, (lua_Integer)k + 1);
  lua_insert(L, -2); /* keep the child below the new userdata */
  setkid(L, u, k, -2, what, fname);
  lua_remove(L, -2);
}

/* The field of s that key k sets. */
static void *field(sl_schedule *s, const sl_sched_key *k) { return (char *)s + k->off; }

/* A scalar option (NUM, RATE, INT, CHOICE) into the userdata's struct. */
static void read_key(lua_State *L, sl_schedule *s, const sl_sched_key *k, const char *fname) {
  switch (k->type) {
  case SL_SK_NUM:
  case SL_SK_RATE: {
    double *v = field(s, k);
    *v = k->required ? reqnum(L, k->name, fname) : sl_optnum(L, 1, k->name, *v, fname);
    if (k->type == SL_SK_RATE && !(*v >= 0)) {
      sl_pushnumber_str(L, *v);
      sl_error(L, fname, "%s must be a non-negative number, got %s", k->name, lua_tostring(L, -1));
    }
    break;
  }
  case SL_SK_INT: {
    int64_t *v = field(s, k);
    *v = k->required ? reqint(L, k->name, k->lo, fname)
                     : (int64_t)sl_optint(L, 1, k->name, *v, k->lo, fname);
    break;
  }
  case SL_SK_CHOICE: {
    int *v = field(s, k);
    const char *c = sl_optstr(L, 1, k->name, k->choices[*v], fname);
    for (int i = 0; k->choices[i]; i++)
      if (strcmp(c, k->choices[i]) == 0) {
        *v = i;
        return;
      }
    luaL_Buffer b; /* anneal must be "cos" or "linear" */
    luaL_buffinit(L, &b);
    for (int i = 0; k->choices[i]; i++) {
      lua_pushfstring(L, "%s\"%s\"",
                      i == 0              ? ""
                      : k->choices[i + 1] ? ", "
                                          : " or ",
                      k->choices[i]);
      luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    sl_error(L, fname, "%s must be %s, got \"%s\"", k->name, lua_tostring(L, -1), c);
    break;
  }
  default: break; /* MARKS and CHILD: sized or read by the constructor */
  }
}

/* join{s1, s2, ..., boundaries = {...}}: the number of positional children
   and of marks (key mk), which must be one fewer. */
static size_t list_len(lua_State *L, const char *mk, size_t *nb, const char *fname) {
  size_t nk = (size_t)luaL_len(L, 1);
  if (nk == 0) sl_error(L, fname, "expected schedules {s1, s2, ..., %s={...}}", mk);
  if (nk > 100000) sl_error(L, fname, "too many schedules");
  *nb = marks_len(L, mk, fname);
  if (*nb != nk - 1)
    sl_error(L, fname, "%I schedules need %I %s, got %I", (lua_Integer)nk, (lua_Integer)nk - 1, mk,
             (lua_Integer)*nb);
  return nk;
}

/* ---- the constructor ------------------------------------------------------------ */

#define MAXKEYS 16

/*
** slope.schedule.<name>{...}, a closure over the kind: the options as the
** entry lists them, the marks list first (it sizes the userdata), then the
** scalars in order, then children; the core's check last.
*/
static int sched_new(lua_State *L) {
  int kind = (int)lua_tointeger(L, lua_upvalueindex(1));
  const char *fn = lua_tostring(L, lua_upvalueindex(2));
  const sl_sched_kindinfo *ki = sl_sched_kind(kind);
  const char *names[MAXKEYS + 1];
  const sl_sched_key *marks = NULL;
  size_t nk = 0, nb = 0, nkeys = 0;
  for (const sl_sched_key *k = ki->keys; k->name && nkeys < MAXKEYS; k++) {
    names[nkeys++] = k->name;
    if (k->type == SL_SK_MARKS) marks = k;
    if (k->type == SL_SK_CHILD) nk = 1;
  }
  names[nkeys] = NULL;
  int list = (ki->flags & SL_SCHED_LIST) != 0;
  opts_list(L, names, fn, list);
  if (list)
    nk = list_len(L, marks ? marks->name : "boundaries", &nb, fn);
  else if (marks)
    nb = marks_len(L, marks->name, fn);
  lsched *u = newsched(L, kind, nk, nb);
  if (marks) read_marks(L, marks->name, nb, marks_of(u, nk), fn);
  for (const sl_sched_key *k = ki->keys; k->name; k++) read_key(L, &u->s, k, fn);
  for (const sl_sched_key *k = ki->keys; k->name; k++)
    if (k->type == SL_SK_CHILD) getkid(L, u, 0, k->name, k->name, fn);
  for (size_t k = 0; list && k < nk; k++) {
    char what[32];
    snprintf(what, sizeof what, "entry %zu", k + 1);
    getkid(L, u, k, NULL, what, fn);
  }
  char msg[200];
  if (sl_schedule_check(&u->s, msg, sizeof msg) != SL_OK) return sl_error(L, fn, "%s", msg);
  return 1;
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

static const sl_reg sched_funcs[] = {
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
  for (int k = 0; k < sl_sched_nkinds; k++) {
    const sl_sched_kindinfo *ki = sl_sched_kinds[k];
    char fname[96];
    snprintf(fname, sizeof fname, "slope.schedule.%s", ki->name);
    lua_pushinteger(L, k);
    lua_pushstring(L, fname);
    lua_pushcclosure(L, sched_new, 2);
    sl_sethelp(L, -1, fname, ki->sig, ki->doc);
    lua_setfield(L, t, ki->name);
  }
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
