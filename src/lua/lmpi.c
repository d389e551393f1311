/*
** lmpi.c — slope.mpi: rank, size, allreduce, bcast, barrier, gather, abort.
**
** Open MPI is not linked into slope: its calls live in build/slope_mpi.so
** (src/mpi/sl_mpi_plugin.c, built when Open MPI is installed), which is
** dlopen'ed here only when the environment says mpirun started this process
** (OMPI_COMM_WORLD_SIZE, or PMIX_RANK for other PMIx launchers). A plain
** `slope script.lua` therefore never loads libmpi: start-up is unchanged and
** prints nothing, and it is rank 0 of 1 with every collective a no-op, so a
** script runs unchanged either way. MPI_Init runs once per process, at the
** first luaopen_slope; MPI_Finalize at exit (atexit).
*/
#define _GNU_SOURCE /* dladdr */
#include "lmpi.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "laux.h"

#define GETIT                                                                                      \
  "install Open MPI (`make deps` installs libopenmpi-dev and openmpi-bin on Debian) and "          \
  "rebuild with `make`, which then builds build/slope_mpi.so"
#define HOWTO "slope was built without Open MPI: " GETIT

static const sl_mpi_api *api = NULL;
static int world_rank = 0, world_size = 1;
static int started = 0;           /* the start-up below ran */
static char why_not[512] = HOWTO; /* why api is NULL under mpirun */

const sl_mpi_api *sl_mpi_get(void) { return api; }
int sl_mpi_rank(void) { return world_rank; }
int sl_mpi_size(void) { return world_size; }

void sl_mpi_abort_job(int code) {
  if (api) api->abort(code);
}

static int launched_by_mpirun(void) {
  return getenv("OMPI_COMM_WORLD_SIZE") != NULL || getenv("PMIX_RANK") != NULL;
}

static void finalize_at_exit(void) {
  if (api) api->finalize();
}

/* The plugin next to the object holding this code (build/slope or slope.so),
   or where `make install` puts it. */
static void *open_plugin(void) {
  char base[PATH_MAX] = "";
  Dl_info info;
  if (dladdr((void *)sl_mpi_get, &info) && info.dli_fname && strstr(info.dli_fname, ".so"))
    snprintf(base, sizeof base, "%s", info.dli_fname);
  else {
    ssize_t k = readlink("/proc/self/exe", base, sizeof base - 1);
    base[k > 0 ? k : 0] = '\0';
  }
  char *slash = strrchr(base, '/');
  if (slash)
    slash[1] = '\0';
  else
    strcpy(base, "./");
  static const char *const rel[] = {"slope_mpi.so", "../lib/slope/slope_mpi.so",
                                    "../../slope/slope_mpi.so"};
  char path[PATH_MAX + 64];
  why_not[0] = '\0';
  for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
    snprintf(path, sizeof path, "%s%s", base, rel[i]);
    if (access(path, R_OK) != 0) continue;
    /* RTLD_GLOBAL: Open MPI's own components (dlopen'ed by libmpi) need its symbols */
    void *h = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
    if (h) return h;
    snprintf(why_not, sizeof why_not, "cannot load %.300s: %.180s", path, dlerror());
    return NULL;
  }
  snprintf(why_not, sizeof why_not, "%s (no slope_mpi.so next to %s)", HOWTO, base);
  return NULL;
}

static void mpi_startup(void) {
  if (started) return;
  started = 1;
  if (!launched_by_mpirun()) return;
  void *h = open_plugin();
  if (h == NULL) {
    fprintf(stderr, "slope: started by mpirun, but %s; running as a single process\n", why_not);
    return;
  }
  const sl_mpi_api *(*get)(void) = (const sl_mpi_api *(*)(void))dlsym(h, "sl_mpi_plugin_api");
  const sl_mpi_api *a = get ? get() : NULL;
  if (a == NULL || a->version != SL_MPI_API_VERSION) {
    snprintf(why_not, sizeof why_not, "slope_mpi.so does not match this slope (rebuild it)");
    fprintf(stderr, "slope: %s; running as a single process\n", why_not);
    return;
  }
  char msg[256] = "";
  if (a->init(&world_rank, &world_size, msg, sizeof msg) != 0) {
    snprintf(why_not, sizeof why_not, "%s", msg);
    fprintf(stderr, "slope: %s; running as a single process\n", msg);
    world_rank = 0;
    world_size = 1;
    return;
  }
  api = a;
  atexit(finalize_at_exit);
}

/* ---- Lua API ------------------------------------------------------------ */

static int l_rank(lua_State *L) {
  lua_pushinteger(L, world_rank);
  return 1;
}

static int l_size(lua_State *L) {
  lua_pushinteger(L, world_size);
  return 1;
}

static int l_available(lua_State *L) {
  lua_pushboolean(L, api != NULL);
  if (api)
    lua_pushstring(L, api->library());
  else if (!launched_by_mpirun())
    lua_pushliteral(L, "not started by mpirun: one process (rank 0 of 1)");
  else
    lua_pushstring(L, why_not);
  return 2;
}

static int check_root(lua_State *L, int arg, const char *fname) {
  if (lua_isnoneornil(L, arg)) return 0;
  int isint;
  lua_Integer r = lua_type(L, arg) == LUA_TNUMBER ? lua_tointegerx(L, arg, &isint) : (isint = 0);
  if (!isint || r < 0 || r >= world_size) {
    const char *got = sl_pushgot(L, arg);
    return sl_error(L, fname, "root must be an integer rank in 0..%d, got %s", world_size - 1, got);
  }
  return (int)r;
}

/* Every rank must pass the same length: agreed with one small allreduce
   (max of n and of -n), so a mismatch is an error on every rank, not a hang. */
static void agree_length(lua_State *L, size_t n, const char *fname) {
  if (api == NULL) return;
  double b[2] = {(double)n, -(double)n};
  api->allreduce(b, 2, SL_MPI_MAX);
  if (b[0] != -b[1])
    sl_error(L, fname, "the vec has %I entries on rank %d but between %I and %I across ranks",
             (lua_Integer)n, world_rank, (lua_Integer)-b[1], (lua_Integer)b[0]);
}

static int l_allreduce(lua_State *L) {
  static const char *const names[] = {"sum", "max", "min", NULL};
  const char *fname = "slope.mpi.allreduce";
  int op = SL_MPI_SUM;
  if (!lua_isnoneornil(L, 2)) {
    if (lua_type(L, 2) != LUA_TSTRING)
      return sl_error(L, fname, "op must be \"sum\", \"max\" or \"min\", got %s", sl_pushgot(L, 2));
    op = -1;
    for (int i = 0; names[i]; i++)
      if (strcmp(lua_tostring(L, 2), names[i]) == 0) op = i;
    if (op < 0)
      return sl_error(L, fname, "op must be \"sum\", \"max\" or \"min\", got \"%s\"",
                      lua_tostring(L, 2));
  }
  if (lua_type(L, 1) == LUA_TNUMBER) {
    double v = lua_tonumber(L, 1);
    int isint = lua_isinteger(L, 1);
    agree_length(L, 1, fname); /* a vec on another rank: an error, not a hang */
    if (api) api->allreduce(&v, 1, op);
    /* integers stay integers while exact (a count summed over ranks) */
    if (isint && v == (double)(lua_Integer)v && v >= -9007199254740992.0 && v <= 9007199254740992.0)
      lua_pushinteger(L, (lua_Integer)v);
    else
      lua_pushnumber(L, v);
    return 1;
  }
  sl_vec *v = sl_testvec(L, 1);
  if (v == NULL)
    return sl_error(L, fname, "v must be a vec or a number, got %s", sl_typename(L, 1));
  agree_length(L, v->n, fname);
  if (api && v->n) api->allreduce(v->data, v->n, op);
  lua_settop(L, 1);
  return 1;
}

/* A Lua number, string or boolean as bytes: a tag then the payload. */
static void push_packed(lua_State *L, int idx, const char *fname, const char *what) {
  luaL_Buffer b;
  switch (lua_type(L, idx)) {
  case LUA_TNUMBER:
    if (lua_isinteger(L, idx)) {
      lua_Integer i = lua_tointeger(L, idx);
      luaL_buffinit(L, &b);
      luaL_addchar(&b, 'i');
      luaL_addlstring(&b, (const char *)&i, sizeof i);
    } else {
      lua_Number d = lua_tonumber(L, idx);
      luaL_buffinit(L, &b);
      luaL_addchar(&b, 'n');
      luaL_addlstring(&b, (const char *)&d, sizeof d);
    }
    break;
  case LUA_TSTRING: {
    size_t len;
    const char *s = lua_tolstring(L, idx, &len);
    luaL_buffinit(L, &b);
    luaL_addchar(&b, 's');
    luaL_addlstring(&b, s, len);
    break;
  }
  case LUA_TBOOLEAN:
    luaL_buffinit(L, &b);
    luaL_addchar(&b, lua_toboolean(L, idx) ? 'T' : 'F');
    break;
  case LUA_TNIL:
    luaL_buffinit(L, &b);
    luaL_addchar(&b, '0');
    break;
  default:
    sl_error(L, fname, "%s must be a number, string, boolean or nil, got %s", what,
             sl_typename(L, idx));
    return;
  }
  luaL_pushresult(&b);
}

static void push_unpacked(lua_State *L, const char *p, size_t len) {
  if (len == 0) {
    lua_pushnil(L);
    return;
  }
  switch (p[0]) {
  case 'i': {
    lua_Integer i;
    memcpy(&i, p + 1, sizeof i);
    lua_pushinteger(L, i);
    break;
  }
  case 'n': {
    lua_Number d;
    memcpy(&d, p + 1, sizeof d);
    lua_pushnumber(L, d);
    break;
  }
  case 's': lua_pushlstring(L, p + 1, len - 1); break;
  case 'T': lua_pushboolean(L, 1); break;
  case 'F': lua_pushboolean(L, 0); break;
  default: lua_pushnil(L);
  }
}

static int l_bcast(lua_State *L) {
  const char *fname = "slope.mpi.bcast";
  luaL_checkany(L, 1);
  int root = check_root(L, 2, fname);
  sl_vec *v = sl_testvec(L, 1);
  /* every rank learns whether all passed a vec of the same length: -1 for a value */
  double n = v ? (double)v->n : -1.0;
  double b[2] = {n, -n};
  if (api) api->allreduce(b, 2, SL_MPI_MAX);
  if (b[0] != -b[1]) {
    if (b[1] > 0 || n < 0)
      return sl_error(L, fname, "a vec on some ranks and a plain value on others");
    return sl_error(L, fname,
                    "the vec has %I entries on rank %d but between %I and %I across ranks",
                    (lua_Integer)v->n, world_rank, (lua_Integer)-b[1], (lua_Integer)b[0]);
  }
  if (v) {
    if (api && v->n) api->bcast(v->data, v->n * sizeof(double), root);
    lua_settop(L, 1);
    return 1;
  }
  push_packed(L, 1, fname, "v");
  if (api == NULL) {
    lua_settop(L, 1);
    return 1;
  }
  size_t len;
  const char *s = lua_tolstring(L, -1, &len);
  unsigned long long m = len;
  api->bcast(&m, sizeof m, root);
  char *buf = lua_newuserdatauv(L, m ? m : 1, 0);
  if (world_rank == root) memcpy(buf, s, m);
  api->bcast(buf, m, root);
  push_unpacked(L, buf, m);
  return 1;
}

static int l_barrier(lua_State *L) {
  (void)L;
  if (api) api->barrier();
  return 0;
}

static int l_gather(lua_State *L) {
  const char *fname = "slope.mpi.gather";
  int root = check_root(L, 2, fname);
  push_packed(L, 1, fname, "value");
  size_t len;
  const char *s = lua_tolstring(L, -1, &len);
  if (len > INT_MAX) return sl_error(L, fname, "value is longer than 2^31 - 1 bytes");
  if (api == NULL) {
    lua_createtable(L, 1, 0);
    lua_pushvalue(L, 1);
    lua_rawseti(L, -2, 1);
    return 1;
  }
  long long *lens = lua_newuserdatauv(L, (size_t)world_size * sizeof *lens, 0);
  api->gather_ll((long long)len, lens, root);
  int *counts = NULL, *displs = NULL;
  char *buf = NULL;
  long long total = 0;
  if (world_rank == root) {
    counts = lua_newuserdatauv(L, (size_t)world_size * 2 * sizeof *counts, 0);
    displs = counts + world_size;
    for (int r = 0; r < world_size; r++) {
      counts[r] = (int)lens[r];
      displs[r] = (int)total;
      total += lens[r];
    }
    buf = lua_newuserdatauv(L, total ? (size_t)total : 1, 0);
  }
  api->gatherv(s, (int)len, buf, counts, displs, root);
  if (world_rank != root) {
    lua_pushnil(L);
    return 1;
  }
  lua_createtable(L, world_size, 0);
  for (int r = 0; r < world_size; r++) {
    push_unpacked(L, buf + displs[r], (size_t)counts[r]);
    lua_rawseti(L, -2, r + 1);
  }
  return 1;
}

static int l_abort(lua_State *L) {
  const char *fname = "slope.mpi.abort";
  if (!lua_isnoneornil(L, 1) && lua_type(L, 1) != LUA_TSTRING)
    return sl_error(L, fname, "msg must be a string, got %s", sl_typename(L, 1));
  const char *msg = luaL_optstring(L, 1, "aborted");
  int isint = 1;
  lua_Integer code = lua_isnoneornil(L, 2)           ? 1
                     : lua_type(L, 2) == LUA_TNUMBER ? lua_tointegerx(L, 2, &isint)
                                                     : (isint = 0);
  if (!isint || code < 1 || code > 255)
    return sl_error(L, fname, "code must be an integer in 1..255, got %s", sl_pushgot(L, 2));
  if (world_size > 1)
    fprintf(stderr, "slope: rank %d: %s\n", world_rank, msg);
  else
    fprintf(stderr, "slope: %s\n", msg);
  fflush(stderr);
  if (api) api->abort((int)code);
  exit((int)code);
}

static const sl_reg mpi_funcs[] = {
    {"rank", l_rank, "slope.mpi.rank() -> integer",
     "This process's rank in the MPI job, 0..size()-1; 0 without mpirun."},
    {"size", l_size, "slope.mpi.size() -> integer",
     "The number of processes in the job (mpirun -np K); 1 without mpirun."},
    {"available", l_available, "slope.mpi.available() -> boolean, string",
     "Whether this process talks to Open MPI (started by mpirun and build/slope_mpi.so loaded), "
     "and the library's version or why not."},
    {"allreduce", l_allreduce, "slope.mpi.allreduce(v [, op]) -> v | number",
     "Reduce over all ranks with op \"sum\" (default), \"max\" or \"min\": a vec in place "
     "(returned), or a number (the reduced number returned). Every rank must pass the same "
     "length (checked: an error on every rank otherwise). No-op with one process."},
    {"bcast", l_bcast, "slope.mpi.bcast(v [, root]) -> v | value",
     "Rank root's (default 0) value to every rank: a vec in place (same length everywhere, "
     "checked), or a number, string, boolean or nil (root's value is returned)."},
    {"barrier", l_barrier, "slope.mpi.barrier()", "Wait until every rank reaches the barrier."},
    {"gather", l_gather, "slope.mpi.gather(value [, root]) -> table | nil",
     "Every rank's value (a number, string, boolean or nil) in a table indexed by rank + 1, "
     "on root (default 0); nil on the other ranks. For reports: one line per rank."},
    {"abort", l_abort, "slope.mpi.abort([msg [, code]])",
     "Print \"slope: rank r: msg\" on stderr and end the whole job (MPI_Abort) with exit code "
     "code (default 1); without mpirun, print and exit."},
    {NULL, NULL, NULL, NULL}};

int sl_open_mpi(lua_State *L, int slope) {
  mpi_startup();
  lua_newtable(L);
  int t = lua_gettop(L);
  sl_setfuncs(L, t, mpi_funcs, "slope.mpi");
  sl_sethelp(
      L, t, "slope.mpi",
      "slope.mpi.rank(), size(), allreduce, bcast, barrier, gather, abort, objective",
      "Data parallelism over Open MPI: run `mpirun -np K slope script.lua`; each process "
      "runs the script with its own rank. Without mpirun a script runs unchanged as rank "
      "0 of 1 (collectives are no-ops). Open MPI is optional at build time; to use it, " GETIT
      ". slope.mpi.available() says whether this process uses it.");
  lua_setfield(L, slope, "mpi");
  return 0;
}
