/*
** fuzz_lua.h — what the Lua-driven harnesses share: one Lua state per process
** with slope loaded (luaopen_slope from the fuzz build's objects), a harness
** chunk that returns the function run per input, and the checkpoint checksum
** so an input can be made to pass it. The per-input function catches the
** errors it expects (a refusal is fine) and raises only for a finding; that
** raise, or any crash, leak or hang underneath, stops the fuzzer.
** SLOPE_FUZZ_STRICT=1 also makes an error that does not name the file (a raw
** Lua error such as "attempt to index a nil value") a finding.
*/
#ifndef FUZZ_LUA_H
#define FUZZ_LUA_H

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "fuzz_input.h"
#include "lslope.h"

static lua_State *fuzz_L;

/*
** Coverage of the Lua code. The interpreter is not instrumented, so without
** this the fuzzer would see only the C it reaches and be blind to the branches
** of checkpoint.lua and train_resume.lua. A line hook counts each step from one
** Lua line to the next (source, line pairs hashed, as AFL counts edges) in
** libFuzzer's extra counters, which it treats as coverage features.
*/
#define FUZZ_LUA_EDGES      (1u << 16)
#define FUZZ_EXTRA_COUNTERS __attribute__((used, section("__libfuzzer_extra_counters")))
static FUZZ_EXTRA_COUNTERS uint8_t fuzz_lua_edges[FUZZ_LUA_EDGES];
static uintptr_t fuzz_lua_prev;

static void fuzz_lua_hook(lua_State *L, lua_Debug *ar) {
  if (!lua_getinfo(L, "S", ar)) return;
  uintptr_t loc = (uintptr_t)ar->source * 0x9e3779b1u ^ (uintptr_t)ar->currentline * 0x85ebca6bu;
  uint8_t *c = &fuzz_lua_edges[(loc ^ fuzz_lua_prev) % FUZZ_LUA_EDGES];
  if (*c < 255) ++*c;
  fuzz_lua_prev = loc >> 1;
}

/* The chunk runs with (slope, strict, arg) and returns the per-input function. */
static inline void fuzz_lua_init(const char *chunk, const char *name, const char *arg) {
  lua_State *L = fuzz_L = luaL_newstate();
  if (!L) abort();
  luaL_openlibs(L);
  luaL_requiref(L, "slope", luaopen_slope, 1);
  const char *strict = getenv("SLOPE_FUZZ_STRICT");
  lua_pushboolean(L, strict && strcmp(strict, "1") == 0);
  lua_pushstring(L, arg);
  if (luaL_loadbuffer(L, chunk, strlen(chunk), name) != LUA_OK) {
    fprintf(stderr, "fuzz: %s\n", lua_tostring(L, -1));
    abort();
  }
  lua_insert(L, -4);
  if (lua_pcall(L, 3, 1, 0) != LUA_OK) {
    fprintf(stderr, "fuzz: %s\n", lua_tostring(L, -1));
    abort();
  }
  lua_setglobal(L, "fuzz_run");
  lua_sethook(L, fuzz_lua_hook, LUA_MASKLINE, 0);
}

static inline int fuzz_traceback(lua_State *L) {
  luaL_traceback(L, L, lua_tostring(L, 1), 1);
  return 1;
}

/* fuzz_run(path, flags); an error out of it is a finding. The heap is
   collected after each input so nothing of one run outlives it. */
static inline void fuzz_lua_run(const char *path, int flags) {
  lua_State *L = fuzz_L;
  lua_settop(L, 0);
  lua_pushcfunction(L, fuzz_traceback);
  lua_getglobal(L, "fuzz_run");
  lua_pushstring(L, path);
  lua_pushinteger(L, flags);
  if (lua_pcall(L, 2, 0, 1) != LUA_OK) {
    fprintf(stderr, "fuzz: finding: %s\n", lua_tostring(L, -1));
    abort();
  }
  lua_settop(L, 0);
  lua_gc(L, LUA_GCCOLLECT);
}

/* A scratch file under $TMPDIR for the harness's own writes, removed at exit. */
static char fuzz_scratch[4096];
static inline void fuzz_scratch_unlink(void) {
  unlink(fuzz_scratch);
  char tmp[4100];
  snprintf(tmp, sizeof tmp, "%s.tmp", fuzz_scratch);
  unlink(tmp);
}
static inline const char *fuzz_scratch_path(void) {
  const char *dir = getenv("TMPDIR");
  snprintf(fuzz_scratch, sizeof fuzz_scratch, "%s/slope-fuzz-out-XXXXXX",
           dir && *dir ? dir : "/tmp");
  int fd = mkstemp(fuzz_scratch);
  if (fd < 0) {
    perror("fuzz: no scratch file");
    abort();
  }
  close(fd);
  atexit(fuzz_scratch_unlink);
  return fuzz_scratch;
}

/* FNV-1a 32, as lua/slope/checkpoint.lua checks it over everything before "end". */
static inline uint32_t fuzz_fnv1a(const uint8_t *s, size_t n) {
  uint32_t h = 0x811c9dc5u;
  for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 0x01000193u;
  return h;
}

/* The checkpoint file for an input: with bit 0 of byte 0 set the rest is the
   body and a correct "end <checksum>" line is appended; else the rest is the file. */
static inline const char *fuzz_checkpoint_file(const uint8_t *data, size_t size) {
  if (size == 0) return fuzz_write(data, 0);
  if (!(data[0] & 1)) return fuzz_write(data + 1, size - 1);
  char end[16];
  snprintf(end, sizeof end, "end %08x\n", (unsigned)fuzz_fnv1a(data + 1, size - 1));
  return fuzz_write2(data + 1, size - 1, end, strlen(end));
}

#endif
