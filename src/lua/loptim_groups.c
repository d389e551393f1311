/*
** loptim_groups.c — slope.optim.groups{base = opt, layers = f, {...}, ...}:
** torch.optim's param_groups. Each group names entries of x (layers of the
** objective's layout, "weights"/"biases", or 1-based ranges) and overrides
** hyperparameters of the base rule; the entries no group names form the
** default group with the base's own; `frozen = true` leaves a group alone.
** The core (optim_groups.c) steps one optimizer of the base's rule per
** group; this file resolves names to ranges, makes those optimizers (kept in
** the groups' user value), and carries their states in opt:state()/load().
*/
#include <stdlib.h>
#include <string.h>

#include "laux.h"
#include "lobj.h"
#include "loptim.h"

#define FNAME      "slope.optim.groups"
#define MAX_GROUPS 64

/* The layout at index lay (a list of {name, offset, size, shape}) as entries
   [lo, hi) of layer k, or an error naming the group. */
typedef struct layer {
  const char *name;
  size_t lo, hi;
  int matrix; /* shape {rows, cols} */
} layer;

static size_t read_layout(lua_State *L, int lay, layer *out, size_t max, size_t *dim) {
  size_t n = (size_t)luaL_len(L, lay);
  if (n == 0 || n > max) sl_error(L, FNAME, "layers must list 1 to %d layers", (int)max);
  *dim = 0;
  for (size_t k = 0; k < n; k++) {
    lua_rawgeti(L, lay, (lua_Integer)k + 1);
    int e = lua_gettop(L);
    if (!lua_istable(L, e))
      sl_error(L, FNAME, "layers[%I] must be a table {name=, offset=, size=, shape=}, got %s",
               (lua_Integer)k + 1, luaL_typename(L, e));
    lua_getfield(L, e, "name");
    lua_getfield(L, e, "offset");
    lua_getfield(L, e, "size");
    lua_getfield(L, e, "shape");
    int isoff, issize;
    lua_Integer off = lua_tointegerx(L, e + 2, &isoff), size = lua_tointegerx(L, e + 3, &issize);
    if (lua_type(L, e + 1) != LUA_TSTRING || !isoff || !issize || off < 1 || size < 1 ||
        !lua_istable(L, e + 4))
      sl_error(L, FNAME,
               "layers[%I] must have a name, an offset >= 1, a size >= 1 and a shape "
               "(as f:layers() gives)",
               (lua_Integer)k + 1);
    out[k].name = lua_tostring(L, e + 1); /* kept alive by the layout table */
    out[k].lo = (size_t)off - 1;
    out[k].hi = out[k].lo + (size_t)size;
    out[k].matrix = luaL_len(L, e + 4) == 2;
    if (out[k].hi > *dim) *dim = out[k].hi;
    lua_settop(L, e - 1);
  }
  return n;
}

/* Mark the entries of one layer name (or "weights", "biases") in mark[] with
   group g + 1; raises on an unknown name. */
static void mark_layers(lua_State *L, const char *name, const layer *ly, size_t nl,
                        unsigned char *mark, size_t g) {
  int any = 0;
  for (size_t k = 0; k < nl; k++) {
    int hit = strcmp(name, ly[k].name) == 0 || (strcmp(name, "weights") == 0 && ly[k].matrix) ||
              (strcmp(name, "biases") == 0 && !ly[k].matrix);
    if (!hit) continue;
    any = 1;
    for (size_t i = ly[k].lo; i < ly[k].hi; i++) {
      if (mark[i] && mark[i] != g + 1)
        sl_error(L, FNAME, "group %I: layer %s is already in group %d", (lua_Integer)g + 1,
                 ly[k].name, (int)mark[i]);
      mark[i] = (unsigned char)(g + 1);
    }
  }
  if (!any) {
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (size_t k = 0; k < nl; k++) {
      luaL_addstring(&b, ly[k].name);
      luaL_addstring(&b, ", ");
    }
    luaL_addstring(&b, "weights, biases");
    luaL_pushresult(&b);
    sl_error(L, FNAME, "group %I: no layer '%s' (the layout has %s)", (lua_Integer)g + 1, name,
             lua_tostring(L, -1));
  }
}

/* {i, j} at idx (1-based, inclusive) into mark[]. */
static void mark_range(lua_State *L, int idx, size_t dim, unsigned char *mark, size_t g,
                       const char *what) {
  idx = lua_absindex(L, idx);
  lua_Integer ij[2] = {0, 0};
  int ok = lua_istable(L, idx) && luaL_len(L, idx) == 2;
  for (int k = 0; ok && k < 2; k++) {
    lua_rawgeti(L, idx, k + 1);
    int isint;
    ij[k] = lua_tointegerx(L, -1, &isint);
    ok = isint;
    lua_pop(L, 1);
  }
  if (!ok)
    sl_error(L, FNAME, "group %I: %s must be {i, j} (1-based, inclusive)", (lua_Integer)g + 1,
             what);
  if (ij[0] < 1 || ij[1] < ij[0] || (size_t)ij[1] > dim)
    sl_error(L, FNAME, "group %I: %s {%I, %I} is not within 1..%I", (lua_Integer)g + 1, what, ij[0],
             ij[1], (lua_Integer)dim);
  for (size_t i = (size_t)ij[0] - 1; i < (size_t)ij[1]; i++) {
    if (mark[i] && mark[i] != g + 1)
      sl_error(L, FNAME, "group %I: entry %I is already in group %d", (lua_Integer)g + 1,
               (lua_Integer)i + 1, (int)mark[i]);
    mark[i] = (unsigned char)(g + 1);
  }
}

/* The ranges of entries marked tag, into lo/hi (malloc'd by the caller, dim each). */
static size_t ranges_of(const unsigned char *mark, size_t dim, unsigned char tag, size_t *lo,
                        size_t *hi) {
  size_t nr = 0;
  for (size_t i = 0; i < dim;) {
    if (mark[i] != tag) {
      i++;
      continue;
    }
    size_t j = i;
    while (j < dim && mark[j] == tag) j++;
    lo[nr] = i;
    hi[nr++] = j;
    i = j;
  }
  return nr;
}

/* A new optimizer of the base's rule with its hyperparameters, then the
   group's overrides (the table at gt, or none), pushed. */
static sl_optimizer *push_member(lua_State *L, const sl_optimizer *base, int gt, size_t g) {
  sl_optimizer *o = sl_optim_new(base->ops);
  sl_pushoptim(L, o, 0, 0);
  memcpy(o->hp, base->hp, sizeof o->hp);
  if (gt == 0) return o;
  char fname[64];
  snprintf(fname, sizeof fname, FNAME ": group %d", (int)g + 1);
  if (sl_optim_hpindex(o, "beta1") >= 0) {
    if (lua_getfield(L, gt, "betas") != LUA_TNIL) sl_optim_setbetas(L, o, -1, fname);
    lua_pop(L, 1);
  }
  for (size_t k = 0; k < o->ops->nhp; k++) {
    const char *name = o->ops->hp[k].name;
    if (strcmp(name, "beta1") == 0 || strcmp(name, "beta2") == 0) continue;
    if (lua_getfield(L, gt, name) != LUA_TNIL) sl_optim_sethp_from(L, o, (int)k, -1, fname);
    lua_pop(L, 1);
  }
  if (sl_optim_check(o) < 0) sl_error(L, fname, "%s", o->msg);
  return o;
}

/* The keys a group accepts: its selectors and the base rule's hyperparameters. */
static void group_keys(const sl_optimizer *base, const char **keys) {
  size_t n = 0;
  static const char *const sel[] = {"name", "layers", "range", "ranges", "frozen"};
  for (size_t k = 0; k < sizeof sel / sizeof sel[0]; k++) keys[n++] = sel[k];
  for (size_t k = 0; k < base->ops->nhp; k++) {
    const char *hp = base->ops->hp[k].name;
    if (strcmp(hp, "beta1") == 0)
      keys[n++] = "betas";
    else if (strcmp(hp, "beta2") != 0)
      keys[n++] = hp;
  }
  keys[n] = NULL;
}

/* The base: a plain rule (its steps see only the group's entries). */
static sl_optimizer *check_base(lua_State *L) {
  lua_getfield(L, 1, "base");
  sl_optimizer *b = sl_testoptim(L, -1);
  if (b == NULL)
    sl_error(L, FNAME, "base must be an optimizer (e.g. slope.optim.adamw{lr = 1e-3}), got %s",
             luaL_typename(L, -1));
  sl_loptim *u = lua_touserdata(L, -1);
  if (b->base || b->f || u->hooks || b->impl || b->layout || (b->ops->flags & ~SL_OPTIM_OPTGRAD))
    sl_error(L, FNAME,
             "base must be a plain rule (sgd, adam, adamw, rmsprop, ...), got %s: wrappers go "
             "around the groups (slope.optim.clip{base = groups, ...}), and rules that hold an "
             "objective or a layout need the whole vector",
             b->name);
  lua_pop(L, 1);
  return b;
}

/* layers = f (an objective with f:layers()) or f:layers()'s table: pushed
   as the table, or nothing pushed (returns 0) when absent. */
static int push_layout(lua_State *L) {
  int t = lua_getfield(L, 1, "layers");
  if (t == LUA_TNIL) {
    lua_pop(L, 1);
    return 0;
  }
  if (sl_testobj(L, -1)) {
    if (lua_getfield(L, -1, "layers") != LUA_TFUNCTION)
      sl_error(L, FNAME, "layers: the objective has no layout (f:layers(): mlp, mf)");
    lua_pushvalue(L, -2);
    lua_call(L, 1, 1);
    lua_remove(L, -2);
  } else if (t != LUA_TTABLE) {
    sl_error(L, FNAME, "layers must be an objective with f:layers() or its table, got %s",
             luaL_typename(L, -1));
  }
  return 1;
}

/* ---- the groups' state: each member's, in order ({} for a frozen group) -- */

static void groups_state(lua_State *L, int ud, int out) {
  lua_getiuservalue(L, ud, SL_LOPTIM_UV_EXTRA);
  int m = lua_gettop(L);
  lua_Integer n = luaL_len(L, m);
  lua_createtable(L, (int)n, 0);
  for (lua_Integer i = 1; i <= n; i++) {
    lua_rawgeti(L, m, i);
    if (lua_getfield(L, -1, "opt") == LUA_TUSERDATA)
      sl_optim_pushstate(L, -1);
    else
      lua_newtable(L);
    lua_rawseti(L, m + 1, i);
    lua_pop(L, 2);
  }
  lua_setfield(L, out, "groups");
  lua_settop(L, m - 1);
}

/* members at 1, states at 2: load each (each validated before it is written). */
static int load_members(lua_State *L) {
  for (lua_Integer i = 1, n = luaL_len(L, 1); i <= n; i++) {
    lua_rawgeti(L, 1, i);
    if (lua_getfield(L, -1, "opt") == LUA_TUSERDATA) {
      lua_rawgeti(L, 2, i);
      sl_optim_loadstate(L, -2, -1);
    }
    lua_settop(L, 2);
  }
  return 0;
}

/* state.groups: one state per group; all loaded or, on a bad one, none. */
static void groups_load(lua_State *L, int ud, int st) {
  int top = lua_gettop(L);
  lua_getiuservalue(L, ud, SL_LOPTIM_UV_EXTRA);
  int m = lua_gettop(L);
  lua_Integer n = luaL_len(L, m);
  if (lua_getfield(L, st, "groups") != LUA_TTABLE || luaL_len(L, -1) != n)
    sl_error(L, "slope.optim.load", "state.groups must be a list of %I group states, got %s", n,
             lua_istable(L, -1) ? "another number of them" : luaL_typename(L, -1));
  int given = lua_gettop(L);
  for (lua_Integer i = 1; i <= n; i++)
    if (lua_rawgeti(L, given, i) != LUA_TTABLE)
      sl_error(L, "slope.optim.load", "state.groups[%I] must be a table, got %s", i,
               luaL_typename(L, -1));
  lua_settop(L, given);
  lua_newtable(L);
  groups_state(L, ud, lua_gettop(L)); /* the current states, to put back if one fails */
  lua_getfield(L, -1, "groups");
  int saved = lua_gettop(L);
  lua_pushcfunction(L, load_members);
  lua_pushvalue(L, m);
  lua_pushvalue(L, given);
  if (lua_pcall(L, 2, 0, 0) != LUA_OK) {
    lua_pushcfunction(L, load_members);
    lua_pushvalue(L, m);
    lua_pushvalue(L, saved);
    lua_call(L, 2, 0);
    lua_error(L); /* the first failure's message, still on the stack below */
  }
  lua_settop(L, top);
}

/* opt.param_groups: a copy of the members ({name, size, frozen, opt}), in order. */
static int groups_index(lua_State *L, int ud, const char *key) {
  if (strcmp(key, "param_groups") != 0) return 0;
  lua_getiuservalue(L, ud, SL_LOPTIM_UV_EXTRA);
  int m = lua_gettop(L);
  lua_Integer n = luaL_len(L, m);
  lua_createtable(L, (int)n, 0);
  for (lua_Integer i = 1; i <= n; i++) {
    lua_rawgeti(L, m, i);
    lua_createtable(L, 0, 4);
    static const char *const f[] = {"name", "size", "frozen", "opt"};
    for (int k = 0; k < 4; k++) {
      lua_getfield(L, -2, f[k]);
      lua_setfield(L, -2, f[k]);
    }
    lua_rawseti(L, m + 1, i);
    lua_pop(L, 1);
  }
  lua_remove(L, m);
  return 1;
}

static const char *const state_keys[] = {"groups", NULL};
static const sl_loptim_hooks hooks = {
    .state = groups_state, .load = groups_load, .keys = state_keys, .index = groups_index};

static int l_groups(lua_State *L) {
  if (!lua_istable(L, 1))
    return sl_error(L, FNAME,
                    "options table expected ({base = opt, layers = f, {...}, ...}), "
                    "got %s",
                    luaL_typename(L, 1));
  lua_settop(L, 1);
  static const char *const keys[] = {"base", "layers", "dim", NULL};
  sl_checkkeys(L, 1, keys, FNAME);
  sl_optimizer *base = check_base(L);
  layer ly[256];
  size_t nl = 0, dim = 0;
  int lay = push_layout(L) ? lua_gettop(L) : 0;
  if (lay) nl = read_layout(L, lay, ly, sizeof ly / sizeof ly[0], &dim);
  if (lua_getfield(L, 1, "dim") != LUA_TNIL) {
    lua_Integer d = sl_optint(L, 1, "dim", 0, 1, FNAME);
    if (lay && (size_t)d != dim)
      sl_error(L, FNAME, "dim = %I but the layout covers %I entries", d, (lua_Integer)dim);
    dim = (size_t)d;
  }
  lua_pop(L, 1);
  if (dim == 0) return sl_error(L, FNAME, "give layers (an objective or f:layers()) or dim");
  size_t ng = (size_t)luaL_len(L, 1);
  if (ng == 0 || ng > MAX_GROUPS)
    return sl_error(L, FNAME,
                    "give 1 to %d groups as the list part ({base = opt, {layers = "
                    "\"biases\", weight_decay = 0}, ...})",
                    MAX_GROUPS);
  const char *gkeys[SL_OPTIM_MAXHP + 8];
  group_keys(base, gkeys);
  unsigned char *mark = lua_newuserdatauv(L, dim, 0); /* group + 1 of each entry, 0: default */
  memset(mark, 0, dim);
  char what[32];
  for (size_t g = 0; g < ng; g++) {
    int gt = (lua_rawgeti(L, 1, (lua_Integer)g + 1), lua_gettop(L));
    if (!lua_istable(L, gt))
      sl_error(L, FNAME, "group %I must be a table ({layers = ..., lr = ...}), got %s",
               (lua_Integer)g + 1, luaL_typename(L, gt));
    snprintf(what, sizeof what, "group %d", (int)g + 1);
    sl_checkfields(L, gt, gkeys, FNAME, what);
    int sel = 0;
    int t = lua_getfield(L, gt, "layers");
    if (t != LUA_TNIL) {
      if (!lay) sl_error(L, FNAME, "group %I names layers: give layers = f", (lua_Integer)g + 1);
      if (t == LUA_TSTRING) {
        mark_layers(L, lua_tostring(L, -1), ly, nl, mark, g);
      } else if (t == LUA_TTABLE && luaL_len(L, -1) > 0) {
        int lt = lua_gettop(L);
        for (lua_Integer i = 1, nlay = luaL_len(L, lt); i <= nlay; i++) {
          if (lua_rawgeti(L, lt, i) != LUA_TSTRING)
            sl_error(L, FNAME, "group %I: layers must be names (strings)", (lua_Integer)g + 1);
          mark_layers(L, lua_tostring(L, -1), ly, nl, mark, g);
          lua_pop(L, 1);
        }
      } else {
        sl_error(L, FNAME, "group %I: layers must be a name or a list of names, got %s",
                 (lua_Integer)g + 1, luaL_typename(L, -1));
      }
      sel = 1;
    }
    lua_pop(L, 1);
    if (lua_getfield(L, gt, "range") != LUA_TNIL) {
      mark_range(L, -1, dim, mark, g, "range");
      sel = 1;
    }
    lua_pop(L, 1);
    if (lua_getfield(L, gt, "ranges") != LUA_TNIL) {
      if (!lua_istable(L, -1) || luaL_len(L, -1) == 0)
        sl_error(L, FNAME, "group %I: ranges must be a list of {i, j}", (lua_Integer)g + 1);
      for (lua_Integer i = 1; i <= luaL_len(L, -1); i++) {
        lua_rawgeti(L, -1, i);
        mark_range(L, -1, dim, mark, g, "each of ranges");
        lua_pop(L, 1);
      }
      sel = 1;
    }
    lua_pop(L, 1);
    if (!sel)
      sl_error(L, FNAME, "group %I selects no entries: give layers, range or ranges",
               (lua_Integer)g + 1);
    t = lua_getfield(L, gt, "frozen");
    if (t != LUA_TNIL && t != LUA_TBOOLEAN)
      sl_error(L, FNAME, "group %I: frozen must be a boolean, got %s", (lua_Integer)g + 1,
               luaL_typename(L, -1));
    t = lua_getfield(L, gt, "name");
    if (t != LUA_TNIL && t != LUA_TSTRING)
      sl_error(L, FNAME, "group %I: name must be a string, got %s", (lua_Integer)g + 1,
               luaL_typename(L, -1));
    lua_settop(L, gt - 1);
  }
  size_t ndef = 0;
  for (size_t i = 0; i < dim; i++) ndef += mark[i] == 0;
  size_t total = ng + (ndef > 0);
  sl_optimizer *o = sl_optim_groups_new(total);
  sl_loptim *u = sl_pushoptim(L, o, 0, 0);
  int ud = lua_gettop(L);
  o->hp[0] = base->hp[0];
  lua_createtable(L, (int)total, 0); /* the members: {opt=, name=, size=, frozen=} */
  int members = lua_gettop(L);
  size_t *lo = lua_newuserdatauv(L, 2 * dim * sizeof *lo, 0), *hi = lo + dim;
  for (size_t g = 0; g < total; g++) {
    int is_def = g == ng;
    int gt = 0;
    if (!is_def) gt = (lua_rawgeti(L, 1, (lua_Integer)g + 1), lua_gettop(L));
    size_t nr = ranges_of(mark, dim, is_def ? 0 : (unsigned char)(g + 1), lo, hi);
    int frozen = gt && (lua_getfield(L, gt, "frozen"), lua_toboolean(L, -1));
    if (gt) lua_pop(L, 1);
    lua_createtable(L, 0, 4);
    int m = lua_gettop(L);
    if (gt && lua_getfield(L, gt, "name") == LUA_TSTRING)
      lua_setfield(L, m, "name");
    else {
      if (gt) lua_pop(L, 1);
      if (is_def)
        lua_pushliteral(L, "default");
      else
        lua_pushfstring(L, "group %d", (int)g + 1);
      lua_setfield(L, m, "name");
    }
    size_t size = 0;
    for (size_t r = 0; r < nr; r++) size += hi[r] - lo[r];
    lua_pushinteger(L, (lua_Integer)size);
    lua_setfield(L, m, "size");
    lua_pushboolean(L, frozen);
    lua_setfield(L, m, "frozen");
    sl_optimizer *sub = NULL;
    double scale = 1;
    if (!frozen && nr > 0) {
      sub = push_member(L, base, gt, g);
      ((sl_loptim *)lua_touserdata(L, -1))->borrowed = 1; /* the groups hold it */
      if (sl_optim_setdim(sub, size) < 0) return sl_optim_error(L, FNAME, sub, SL_ENOMEM);
      lua_setfield(L, m, "opt");
      if (base->hp[0] > 0)
        scale = sub->hp[0] / base->hp[0];
      else if (sub->hp[0] != 0)
        return sl_error(L, FNAME,
                        "group %I sets lr but the base's lr is 0 (group lrs scale "
                        "with the base's)",
                        (lua_Integer)g + 1);
    }
    if (nr == 0) { /* a group whose layers are all taken by earlier groups */
      return sl_error(L, FNAME, "group %I has no entries of its own", (lua_Integer)g + 1);
    }
    if (sl_optim_groups_set(o, g, sub, lo, hi, nr, scale) < 0)
      return sl_error(L, FNAME, "%s", o->msg);
    lua_rawseti(L, members, (lua_Integer)g + 1);
    if (gt) lua_pop(L, 1);
  }
  lua_pop(L, 1); /* lo/hi */
  lua_pushvalue(L, members);
  lua_setiuservalue(L, ud, SL_LOPTIM_UV_EXTRA);
  u->hooks = &hooks;
  if (sl_optim_groups_finish(o, dim) < 0) return sl_error(L, FNAME, "%s", o->msg);
  lua_settop(L, ud);
  return 1;
}

static const sl_reg groups_funcs[] = {
    {"groups", l_groups,
     "slope.optim.groups{base=opt, layers=f | f:layers(), dim=, {layers=, range=, ranges=, "
     "frozen=, name=, <hyperparameters>}, ...} -> optimizer",
     "Parameter groups, as torch.optim's param_groups: each group (the list part) selects "
     "entries of x by layers (names from the objective's layout f:layers(), a name or a list; "
     "\"weights\" means every matrix, \"biases\" every vector), range = {i, j} or ranges = "
     "{{i, j}, ...} (1-based, inclusive), and overrides hyperparameters of base (a plain rule "
     "such as slope.optim.adamw{...}: lr, weight_decay, betas, momentum, ... by its own names), or "
     "is frozen (frozen = true: never updated, no state); name labels it. Entries no group "
     "selects form the default group with base's hyperparameters. Each group is stepped by its "
     "own optimizer of base's rule over its entries (an elementwise rule gives the same bits as "
     "over the whole vector). opt.lr scales every group as torch's schedulers do: a group steps "
     "with lr = opt.lr * (its lr / base's lr), so schedules work unchanged; opt.param_groups lists "
     "{name, size, frozen, opt} (torch's name; set a group's other hyperparameters on its opt). "
     "Wrappers go "
     "around the groups (slope.optim.clip{base = groups, ...}); opt:state() holds each group's "
     "state under groups, and load/reset/checkpoints cover them. dim (the length of x) is taken "
     "from the layout, or given."},
    {NULL, NULL, NULL, NULL}};

int sl_open_optim_groups(lua_State *L, int slope) {
  lua_getfield(L, slope, "optim");
  sl_setfuncs(L, lua_gettop(L), groups_funcs, "slope.optim");
  lua_pop(L, 1);
  return 0;
}
