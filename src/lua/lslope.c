/*
** lslope.c — luaopen_slope: builds the slope table from every binding module,
** in the start-up order written down below (the generated list in modules.h
** only declares them and counts them), and runs the embedded pure-Lua parts.
*/
#include "lslope.h"

#include <cblas.h>
#include <lauxlib.h>
#include <lua.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "laux.h"
#include "obj_data.h"

static int l_clock(lua_State *L) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  lua_pushnumber(L, (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9);
  return 1;
}

static int l_threads(lua_State *L) {
  int before = omp_get_max_threads();
  if (!lua_isnoneornil(L, 1)) {
    size_t n = sl_checksize(L, 1, 1);
    if (n > 1024) luaL_argerror(L, 1, "at most 1024 threads");
    omp_set_num_threads((int)n);
  }
  lua_pushinteger(L, before);
  return 1;
}

/* slope.cpu_kernel(): the kernels' clone and OpenBLAS's core, e.g.
   "x86-64-v3; OpenBLAS Haswell" (results can differ in the last bits
   between two of these, never between thread counts). */
static int l_cpu_kernel(lua_State *L) {
  const char *k = sl_cpu_kernel();
  const char *blas = openblas_get_corename();
  lua_pushfstring(L, "%s; OpenBLAS %s", k, blas && *blas ? blas : "unknown");
  return 1;
}

/*
** The waiting policy of the threads. libgomp spins 300000 rounds (milliseconds)
** before a waiting thread sleeps: on a busy machine a descheduled thread then
** holds the team up a whole time slice per parallel region (issue 13: 2
** threads ~2x slower than 1 under one busy process on 2 cores). With 1000
** rounds (libgomp's own figure for an oversubscribed machine) a waiting thread
** sleeps within microseconds, its core goes to whoever can run, and on an idle
** machine the data passes (>= 2^18 flops-ish per region) are as fast. libgomp
** reads its settings once, when it is loaded, before main: so the interpreter
** sets GOMP_SPINCOUNT and runs itself again, unless the user chose a policy
** (OMP_WAIT_POLICY or GOMP_SPINCOUNT set, even empty). The Lua module cannot:
** under plain lua5.4, set GOMP_SPINCOUNT=1000 in the environment.
*/
void sl_threads_startup(char **argv) {
  if (getenv("OMP_WAIT_POLICY") || getenv("GOMP_SPINCOUNT") || argv == NULL) return;
  if (setenv("GOMP_SPINCOUNT", "1000", 1) != 0) return;
  execv("/proc/self/exe", argv);
  /* no /proc: go on with libgomp's defaults (the variable stays for children) */
}

/* slope.isatty(file): whether a Lua file handle (io.stdout...) is a terminal. */
static int l_isatty(lua_State *L) {
  luaL_Stream *p = luaL_checkudata(L, 1, LUA_FILEHANDLE);
  lua_pushboolean(L, p->f != NULL && isatty(fileno(p->f)));
  return 1;
}

/* slope._doc(value, name, sig, doc): help for functions written in Lua. */
static int l_doc(lua_State *L) {
  luaL_checkany(L, 1);
  const char *name = luaL_checkstring(L, 2);
  const char *sig = luaL_optstring(L, 3, name);
  const char *doc = luaL_optstring(L, 4, "");
  sl_sethelp(L, 1, name, sig, doc);
  lua_settop(L, 1);
  return 1;
}

static const sl_reg slope_funcs[] = {
    {"clock", l_clock, "slope.clock() -> seconds",
     "Monotonic wall-clock time in seconds, sub-microsecond resolution (os.clock is CPU time)."},
    {"threads", l_threads, "slope.threads([n]) -> previous",
     "Set the number of threads data objectives use (OpenMP); returns the previous count. Results "
     "are the same bits at any count: rows are cut into blocks by the problem's size alone and "
     "the blocks summed in order. Passes under ~2^18 flops (small minibatches) run on one "
     "thread. The slope interpreter sets GOMP_SPINCOUNT=1000 (waiting threads sleep soon: no "
     "slowdown on a busy machine) unless OMP_WAIT_POLICY or GOMP_SPINCOUNT is set."},
    {"cpu_kernel", l_cpu_kernel, "slope.cpu_kernel() -> string",
     "The code path the numeric kernels run on this CPU, e.g. \"x86-64-v3; OpenBLAS Haswell\": "
     "the clone of slope's hot loops (x86-64-v3 = AVX2+FMA, x86-64 = baseline SSE2, portable = "
     "no clones) and OpenBLAS's core. Two machines with different values may differ in the last "
     "bits; thread counts never change results. Checkpoints record it."},
    {"isatty", l_isatty, "slope.isatty(file) -> boolean",
     "Whether a Lua file handle (io.stdout, io.stderr) is a terminal: progress bars and colour use "
     "it."},
    {"_doc", l_doc, "slope._doc(value, name, sig, doc) -> value",
     "Attach help text to a value (used by slope's Lua parts and by users' own functions)."},
    {NULL, NULL, NULL, NULL}};

/*
** Start-up order. vec first: its metatable is an upvalue of obj's and optim's
** methods (sl_push_vec_mt would create it otherwise). Then each module before
** the ones that add functions to its table: data before data_ops and
** data_synth, obj before obj_*, optim before optim_new and optim_define,
** minimize before minimize_flow, spectrum before spectrum_op and spectrum_toy.
*/
typedef int (*opener)(lua_State *L, int slope);
static const opener openers[] = {
    sl_open_vec,          sl_open_mat,           sl_open_csr,          sl_open_rng,
    sl_open_schedule,     sl_open_data,          sl_open_data_ops,     sl_open_data_synth,
    sl_open_obj,          sl_open_obj_testfns,   sl_open_obj_models,   sl_open_obj_lua,
    sl_open_optim,        sl_open_optim_new,     sl_open_optim_define, sl_open_linesearch,
    sl_open_minimize,     sl_open_minimize_flow, sl_open_check,        sl_open_probe,
    sl_open_spectrum,     sl_open_spectrum_op,   sl_open_spectrum_toy, sl_open_file,
    sl_open_optim_groups, sl_open_mpi,           sl_open_mpi_obj,      sl_open_obj_residuals,
    sl_open_scalar};

/* Every binding file's sl_open_<name> (modules.h, generated) must be in the list. */
#define SL_MODULE(f) +1
enum {
  NMODULES = 0
#include "modules.h"
};
#undef SL_MODULE
_Static_assert(sizeof openers / sizeof openers[0] == NMODULES,
               "a binding module (int sl_open_<name>) is missing from openers[] in lslope.c");

/* Every slope class can be a to-be-closed variable. Classes made with
   sl_newclass have a __close already (their __gc, or a no-op); any other slope
   metatable without one gets a no-op: its memory is released by __gc, since
   others may point into it (an objective inside an optimizer) and only the
   class itself can know when freeing early is safe. */
static void close_everything(lua_State *L) {
  lua_pushnil(L);
  while (lua_next(L, LUA_REGISTRYINDEX)) { /* key mt */
    int is_class = 0;
    if (lua_type(L, -2) == LUA_TSTRING && strncmp(lua_tostring(L, -2), "slope.", 6) == 0 &&
        lua_istable(L, -1)) {
      is_class = lua_getfield(L, -1, "__name") == LUA_TSTRING;
      lua_pop(L, 1);
    }
    if (is_class && lua_getfield(L, -1, "__close") == LUA_TNIL) {
      lua_pushcfunction(L, sl_noclose);
      lua_setfield(L, -3, "__close");
    }
    lua_settop(L, lua_gettop(L) - (is_class ? 2 : 1)); /* keep the key */
  }
}

static void run_embedded(lua_State *L, int slope) {
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  int loaded = lua_gettop(L);
  for (const sl_embedded *e = sl_embedded_files; e->name; e++) {
    lua_pushfstring(L, "@%s", e->path);
    if (luaL_loadbufferx(L, e->src, e->len, lua_tostring(L, -1), "t") != LUA_OK) lua_error(L);
    lua_pushvalue(L, slope);
    lua_call(L, 1, 1);
    if (!lua_isnil(L, -1)) {
      lua_pushfstring(L, "slope.%s", e->name);
      lua_insert(L, -2);
      lua_settable(L, loaded);
    } else {
      lua_pop(L, 1);
    }
    lua_pop(L, 1); /* chunk name */
  }
  lua_pop(L, 1);
}

/* Each module table (and the tables in it, to depth levels) as package.loaded
   ["slope.vec"], ["slope.data.synthetic"]...: require"slope.vec" works, and
   luaL_argerror names "slope.vec.zeros" even when the call site has no name
   (pcall(slope.vec.zeros, -1)). */
static void register_modules(lua_State *L, int loaded, int t, const char *prefix, int depth) {
  lua_pushnil(L);
  while (lua_next(L, t)) { /* key value */
    if (lua_type(L, -2) == LUA_TSTRING && lua_istable(L, -1) && *lua_tostring(L, -2) != '_') {
      const char *name = lua_pushfstring(L, "%s.%s", prefix, lua_tostring(L, -2));
      int value = lua_gettop(L) - 1;
      if (lua_getfield(L, loaded, name) == LUA_TNIL) {
        lua_pushvalue(L, value);
        lua_setfield(L, loaded, name);
        if (depth > 1) register_modules(L, loaded, value, name, depth - 1);
      }
      lua_pop(L, 2);
    }
    lua_pop(L, 1);
  }
}

int luaopen_slope(lua_State *L) {
  lua_newtable(L);
  int slope = lua_gettop(L);
  sl_setfuncs(L, slope, slope_funcs, "slope");
  lua_pushliteral(L, "slope 0.1");
  lua_setfield(L, slope, "version");
  for (size_t k = 0; k < sizeof openers / sizeof openers[0]; k++) openers[k](L, slope);
  close_everything(L);
  lua_getfield(L, LUA_REGISTRYINDEX, "slope.help");
  lua_setfield(L, slope, "_helpdb");
  luaL_getsubtable(L, LUA_REGISTRYINDEX, "slope.optkeys"); /* filled by sl_checkkeys */
  lua_setfield(L, slope, "_optkeys");
  /* register slope itself as loaded before the Lua parts run, so they can require it */
  lua_pushvalue(L, slope);
  lua_setfield(L, LUA_REGISTRYINDEX, "slope.module");
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  lua_pushvalue(L, slope);
  lua_setfield(L, -2, "slope");
  register_modules(L, lua_gettop(L), slope, "slope", 2);
  lua_pop(L, 1);
  run_embedded(L, slope);
  lua_settop(L, slope);
  return 1;
}
