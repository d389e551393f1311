/*
** main.c — the slope interpreter: `slope [options] [script [args]]`, with the
** stock lua command's options (lua.c is the model): -e stat, -l mod, -i, -v,
** -E (ignore SLOPE_DATA, LUA_PATH...), - reads stdin, -- stops option
** handling. With no script and a terminal, or with -i, it enters the REPL.
*/
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "cli.h"
#include "laux.h"
#include "lmpi.h"
#include "lslope.h"

const char *sl_progname = "slope";

/* Under mpirun: an uncaught error raised only because another rank failed
   (SL_MPI_REMOTE_MARK); that rank ends the job with its own message. */
static int remote_failure = 0;

static lua_State *globalL = NULL;

static void print_usage(const char *badoption) {
  fprintf(stderr, "%s: ", sl_progname);
  if (badoption[1] == 'e' || badoption[1] == 'l')
    fprintf(stderr, "'%s' needs argument\n", badoption);
  else
    fprintf(stderr, "unrecognized option '%s'\n", badoption);
  fprintf(stderr,
          "usage: %s [options] [script [args]]\n"
          "Available options are:\n"
          "  -e stat   execute string 'stat'\n"
          "  -i        enter interactive mode after executing 'script'\n"
          "  -l mod    require library 'mod' into global 'mod'\n"
          "  -v        show version information\n"
          "  -E        ignore environment variables (SLOPE_DATA, LUA_PATH, LUA_CPATH)\n"
          "  --        stop handling options\n"
          "  -         stop handling options and execute stdin\n",
          sl_progname);
}

int sl_report(lua_State *L, int status) {
  if (status != LUA_OK) {
    const char *msg = lua_tostring(L, -1);
    if (msg == NULL) msg = "(error object is not a string)";
    if (sl_mpi_size() > 1) {
      fprintf(stderr, "%s: rank %d: %s\n", sl_progname, sl_mpi_rank(), msg);
      if (strstr(msg, SL_MPI_REMOTE_MARK)) remote_failure = 1;
    } else {
      fprintf(stderr, "%s: %s\n", sl_progname, msg);
    }
    fflush(stderr);
    lua_pop(L, 1);
  }
  return status;
}

/* Hook set by the SIGINT handler: raises an error at the next Lua instruction. */
static void lstop(lua_State *L, lua_Debug *ar) {
  (void)ar;
  lua_sethook(L, NULL, 0, 0);
  luaL_error(L, "interrupted!");
}

static void laction(int i) {
  signal(i, SIG_DFL);       /* a second Ctrl-C kills the process */
  *sl_interrupt_flag() = 1; /* C loops poll this */
  lua_sethook(globalL, lstop, SL_INTERRUPT_HOOKMASK, SL_INTERRUPT_HOOKCOUNT);
}

static int msghandler(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (msg == NULL) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) return 1;
    msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  luaL_traceback(L, L, msg, 1);
  return 1;
}

int sl_docall(lua_State *L, int narg, int nres) {
  int base = lua_gettop(L) - narg;
  lua_pushcfunction(L, msghandler);
  lua_insert(L, base);
  globalL = L;
  sl_interrupt_clear();
  /* restore whatever handler was there (the REPL keeps its own between commands) */
  struct sigaction act, old;
  memset(&act, 0, sizeof act);
  act.sa_handler = laction;
  sigemptyset(&act.sa_mask);
  sigaction(SIGINT, &act, &old);
  int status = lua_pcall(L, narg, nres, base);
  sigaction(SIGINT, &old, NULL);
  lua_sethook(L, NULL, 0, 0);
  sl_interrupt_clear();
  lua_remove(L, base);
  return status;
}

static void print_version(void) {
  printf("slope 0.1 (%s) — numerical-optimization workbench\n", LUA_RELEASE);
  fflush(stdout);
}

static int dochunk(lua_State *L, int status) {
  if (status == LUA_OK) status = sl_docall(L, 0, 0);
  return sl_report(L, status);
}

static int dostring(lua_State *L, const char *s, const char *name) {
  return dochunk(L, luaL_loadbuffer(L, s, strlen(s), name));
}

static int dolibrary(lua_State *L, char *globname) {
  char *modname = strchr(globname, '=');
  if (modname == NULL)
    modname = globname;
  else
    *modname++ = '\0';
  lua_getglobal(L, "require");
  lua_pushstring(L, modname);
  int status = sl_docall(L, 1, 1);
  if (status == LUA_OK) lua_setglobal(L, globname);
  return sl_report(L, status);
}

static int pushargs(lua_State *L) {
  if (lua_getglobal(L, "arg") != LUA_TTABLE) luaL_error(L, "'arg' is not a table");
  int n = (int)luaL_len(L, -1);
  luaL_checkstack(L, n + 3, "too many arguments to script");
  int i;
  for (i = 1; i <= n; i++) lua_rawgeti(L, -i, i);
  lua_remove(L, -i);
  return n;
}

static int handle_script(lua_State *L, char **argv) {
  const char *fname = argv[0];
  if (strcmp(fname, "-") == 0 && strcmp(argv[-1], "--") != 0) fname = NULL; /* stdin */
  int status = luaL_loadfile(L, fname);
  if (status == LUA_OK) {
    int n = pushargs(L);
    status = sl_docall(L, n, LUA_MULTRET);
  }
  return sl_report(L, status);
}

#define has_error 1
#define has_i     2
#define has_v     4
#define has_e     8
#define has_E     16

/* lua.c's collectargs: returns the flags and sets *first to the script's index. */
static int collectargs(char **argv, int *first) {
  int args = 0, i;
  if (argv[0] != NULL) {
    if (argv[0][0]) sl_progname = argv[0];
  } else {
    *first = -1;
    return 0;
  }
  for (i = 1; argv[i] != NULL; i++) {
    *first = i;
    if (argv[i][0] != '-') return args;
    switch (argv[i][1]) {
    case '-':
      if (argv[i][2] != '\0') return has_error;
      *first = i + 1;
      return args;
    case '\0': return args;
    case 'E':
      if (argv[i][2] != '\0') return has_error;
      args |= has_E;
      break;
    case 'W':
      if (argv[i][2] != '\0') return has_error;
      break;
    case 'i':
      args |= has_i;
      /* -i implies -v */
      /* fall through */
    case 'v':
      if (argv[i][2] != '\0') return has_error;
      args |= has_v;
      break;
    case 'e':
      args |= has_e;
      /* fall through */
    case 'l':
      if (argv[i][2] == '\0') {
        i++;
        if (argv[i] == NULL || argv[i][0] == '-') return has_error;
      }
      break;
    default: return has_error;
    }
  }
  *first = i;
  return args;
}

static int runargs(lua_State *L, char **argv, int n) {
  for (int i = 1; i < n; i++) {
    int option = argv[i][1];
    if (option == 'e' || option == 'l') {
      char *extra = argv[i] + 2;
      if (*extra == '\0') extra = argv[++i];
      int status = option == 'e' ? dostring(L, extra, "=(command line)") : dolibrary(L, extra);
      if (status != LUA_OK) return 0;
    }
  }
  return 1;
}

static void createargtable(lua_State *L, char **argv, int argc, int script) {
  if (script == argc) script = 0;
  int narg = argc - (script + 1);
  lua_createtable(L, narg, script + 1);
  for (int i = 0; i < argc; i++) {
    lua_pushstring(L, argv[i]);
    lua_rawseti(L, -2, i - script);
  }
  lua_setglobal(L, "arg");
}

/* Open the standard libraries and slope, as the global `slope` and require"slope". */
static void openlibs(lua_State *L) {
  luaL_openlibs(L);
  luaL_requiref(L, "slope", luaopen_slope, 1);
  lua_getfield(L, -1, "_install_globals"); /* help() and friends, from lua/slope */
  if (lua_isfunction(L, -1))
    lua_call(L, 0, 0);
  else
    lua_pop(L, 1);
  lua_pop(L, 1);
}

static int pmain(lua_State *L) {
  int argc = (int)lua_tointeger(L, 1);
  char **argv = (char **)lua_touserdata(L, 2);
  int script;
  int args = collectargs(argv, &script);
  luaL_checkversion(L);
  if (args == has_error) {
    print_usage(argv[script]);
    return 0;
  }
  if (args & has_E) { /* as lua.c: the signal for libraries (package, slope.data) */
    lua_pushboolean(L, 1);
    lua_setfield(L, LUA_REGISTRYINDEX, "LUA_NOENV");
  }
  openlibs(L);
  createargtable(L, argv, argc, script);
  if (args & has_v && !(args & has_i)) print_version();
  if (!runargs(L, argv, script)) return 0;
  if (script > 0 && argv[script] != NULL) {
    if (handle_script(L, argv + script) != LUA_OK) return 0;
  }
  if (args & has_i) {
    sl_repl(L);
  } else if (script < 1 || argv[script] == NULL) {
    if (!(args & (has_e | has_v))) {
      if (isatty(0)) {
        sl_repl(L);
      } else {
        dochunk(L, luaL_loadfile(L, NULL));
      }
    }
  }
  lua_pushboolean(L, 1);
  return 1;
}

int main(int argc, char **argv) {
  sl_threads_startup(argv); /* may run the program again with GOMP_SPINCOUNT set */
  lua_State *L = luaL_newstate();
  if (L == NULL) {
    fprintf(stderr, "%s: cannot create state: not enough memory\n", argv[0]);
    return EXIT_FAILURE;
  }
  lua_gc(L, LUA_GCGEN, 0, 0);
  lua_pushcfunction(L, pmain);
  lua_pushinteger(L, argc);
  lua_pushlightuserdata(L, argv);
  int status = lua_pcall(L, 2, 1, 0);
  int result = lua_toboolean(L, -1);
  sl_report(L, status);
  if (!(result && status == LUA_OK) && sl_mpi_size() > 1) {
    /* An error on one rank ends the whole job (the others may wait in a
       collective forever). A rank that failed only because another did gives
       that rank up to 2 s to abort with its own message first. */
    if (remote_failure) sleep(2);
    sl_mpi_abort_job(EXIT_FAILURE);
  }
  lua_close(L);
  return (result && status == LUA_OK) ? EXIT_SUCCESS : EXIT_FAILURE;
}
