/*
** repl.c — the interactive loop on GNU Readline, shaped like lua.c's doREPL:
** expression-first evaluation (`return <line>`, then the line as a statement),
** multi-line input while the chunk is incomplete (a syntax error ending in
** <eof>), results pretty-printed (slope.pretty) through the global `print`
** and kept in `_`, a trailing `;`
** to stay quiet, `?name` for help, wall time of slow commands, history in
** ~/.slope_history. Readline runs in callback mode under pselect so that
** Ctrl-C at the prompt clears the line instead of killing the process, the way
** CPython's readline module does it.
*/
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include <lauxlib.h>
#include <lua.h>

#include "cli.h"

#define HISTORY_CAP      1000 /* entries kept in memory and in the history file */
#define SLOW_SECONDS     0.5  /* commands slower than this report their wall time */
#define TRACEBACK_FRAMES 8    /* frames of a traceback shown at the prompt */

typedef struct repl {
  lua_State *L;
  int color_out, color_err; /* ANSI colour on stdout / stderr */
  char history[4096];       /* history file, "" when there is none */
  int pretty;               /* registry refs: slope.pretty and slope.helptext */
  int helptext;
} repl;

/* ---- reading a line: Readline's callback interface under pselect ---------- */

static volatile sig_atomic_t got_sigint = 0;
static char *cb_line = NULL;
static int cb_done = 0;

static void on_sigint(int sig) {
  (void)sig;
  got_sigint = 1;
}

static void on_line(char *line) {
  cb_line = line;
  cb_done = 1;
  rl_callback_handler_remove();
}

/* Read one line with the given prompt. Returns 1 and the line (malloc'd) in
   *out, 0 at end of input, -1 when Ctrl-C abandoned the line. SIGINT stays
   blocked except inside pselect, so a Ctrl-C is never lost between the check
   and the wait. */
static int read_line(const char *prompt, char **out) {
  sigset_t block, orig, wait;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigprocmask(SIG_BLOCK, &block, &orig);
  wait = orig;
  sigdelset(&wait, SIGINT);
  /* got_sigint is not cleared here: a Ctrl-C that came after the last command
     finished and before this prompt was drawn still clears this line */
  cb_line = NULL;
  cb_done = 0;
  fflush(stdout);
  fflush(stderr);
  rl_callback_handler_install(prompt, on_line);
  int fd = fileno(rl_instream ? rl_instream : stdin);
  int rc = 1;
  while (!cb_done) {
    fd_set fds;
    FD_ZERO(&fds);
    FD_SET(fd, &fds);
    /* SIGINT is blocked here, so a Ctrl-C after this test waits for pselect */
    int r = got_sigint ? -1 : pselect(fd + 1, &fds, NULL, NULL, NULL, &wait);
    if (got_sigint) {
      got_sigint = 0;
      rl_point = rl_end; /* "^C" after what was typed, like a shell */
      rl_redisplay();
      fputs("^C", rl_outstream ? rl_outstream : stdout);
      rl_free_line_state();
      rl_callback_sigcleanup();
      rl_cleanup_after_signal();
      rl_callback_handler_remove();
      fputs("\n", rl_outstream ? rl_outstream : stdout);
      rc = -1;
      break;
    }
    if (r < 0 && errno == EINTR) {
      rl_check_signals(); /* e.g. a window resize */
      continue;
    }
    if (r < 0) { /* the input is gone */
      rl_callback_handler_remove();
      break;
    }
    rl_callback_read_char();
  }
  sigprocmask(SIG_SETMASK, &orig, NULL);
  if (rc < 0) return -1;
  *out = cb_line;
  return cb_line != NULL;
}

/* _PROMPT / _PROMPT2 when they are strings or numbers, else the defaults. */
static const char *get_prompt(lua_State *L, int first, char *buf, size_t size) {
  lua_getglobal(L, first ? "_PROMPT" : "_PROMPT2");
  const char *p = lua_isstring(L, -1) ? lua_tostring(L, -1) : (first ? "> " : ">> ");
  snprintf(buf, size, "%s", p);
  lua_pop(L, 1);
  return buf;
}

/* ---- history ---------------------------------------------------------------- */

static void history_open(repl *r) {
  const char *home = getenv("HOME");
  r->history[0] = '\0';
  stifle_history(HISTORY_CAP);
  /* timestamps delimit entries, so a multi-line chunk reads back as one entry */
  history_comment_char = '#'; /* timestamps are written as #<seconds> lines */
  history_write_timestamps = 1;
  history_multiline_entries = 1;
  if (home == NULL || *home == '\0') return;
  int n = snprintf(r->history, sizeof r->history, "%s/.slope_history", home);
  if (n < 0 || (size_t)n >= sizeof r->history) {
    r->history[0] = '\0';
    return;
  }
  int fd = open(r->history, O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (fd < 0) {
    r->history[0] = '\0'; /* unwritable: run without a history file */
    return;
  }
  close(fd);
  read_history(r->history);
}

/* Add a command (a whole multi-line chunk is one entry) and append it to the file
   at once, so the history survives os.exit and a killed terminal. */
static void history_add(repl *r, const char *chunk) {
  const char *s = chunk;
  while (*s == ' ' || *s == '\t' || *s == '\n') s++;
  if (*s == '\0') return;
  HIST_ENTRY *last = history_length > 0 ? history_get(history_base + history_length - 1) : NULL;
  if (last != NULL && strcmp(last->line, chunk) == 0) return;
  add_history(chunk);
  if (r->history[0]) append_history(1, r->history);
}

/* Cap the file: read it back into the stifled list (the newest HISTORY_CAP
   entries, other sessions' appends included) and rewrite it. Readline's
   history_truncate_file counts lines, splitting an entry from its timestamp. */
static void history_close(repl *r) {
  /* entries edited but not run keep their undo lists: free them before the list */
  for (int i = 0; i < history_length; i++) {
    HIST_ENTRY *e = history_get(history_base + i);
    if (e != NULL && e->data != NULL) {
      rl_undo_list = (UNDO_LIST *)e->data;
      rl_free_undo_list();
      e->data = NULL;
    }
  }
  if (!r->history[0]) return;
  clear_history();
  if (read_history(r->history) == 0) write_history(r->history);
}

/* ---- output ----------------------------------------------------------------- */

static int want_color(int fd) {
  const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
  if (nc != NULL && *nc != '\0') return 0; /* https://no-color.org */
  if (term != NULL && strcmp(term, "dumb") == 0) return 0;
  return isatty(fd);
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Print the values on the stack through the global `print` (as lua.c does, so
   a redefined print sees the results): strings as they are, the rest as
   slope.pretty (upvalue 1, or tostring when absent) with options upvalue 2
   writes them. Runs under sl_docall, so Ctrl-C stops the printing of a huge table. */
static int l_print_values(lua_State *L) {
  int n = lua_gettop(L);
  luaL_checkstack(L, n + 4, "too many results to print");
  lua_getglobal(L, "print");
  if (!lua_isfunction(L, -1)) {
    if (luaL_getmetafield(L, -1, "__call") == LUA_TNIL)
      return luaL_error(L, "error calling 'print' (a %s value)", luaL_typename(L, -1));
    lua_pop(L, 1); /* a callable table: called as it is */
  }
  for (int i = 1; i <= n; i++) {
    if (lua_type(L, i) == LUA_TSTRING) {
      lua_pushvalue(L, i);
    } else if (lua_isfunction(L, lua_upvalueindex(1))) {
      lua_pushvalue(L, lua_upvalueindex(1));
      lua_pushvalue(L, i);
      lua_pushvalue(L, lua_upvalueindex(2));
      lua_call(L, 2, 1);
      if (!lua_isstring(L, -1)) {
        lua_pop(L, 1);
        luaL_tolstring(L, i, NULL);
      }
    } else {
      luaL_tolstring(L, i, NULL);
    }
  }
  lua_call(L, n, 0);
  fflush(stdout);
  return 0;
}

/* Print an error: its message and a short traceback (the REPL's own frames
   dropped); for an interruption the message alone. */
static void report(repl *r, lua_State *L) {
  int top = lua_gettop(L) - 1; /* the error object goes */
  const char *msg = lua_tostring(L, -1);
  if (msg == NULL) msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, -1));
  const char *tb = strstr(msg, "\nstack traceback:");
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  if (tb == NULL) {
    luaL_addstring(&b, msg);
  } else {
    luaL_addlstring(&b, msg, (size_t)(tb - msg));
    if (strstr(msg, "interrupted!") == NULL || strstr(msg, "interrupted!") > tb) {
      /* frames are "\n\t..." lines; "[C]: in ?" is the REPL's own call */
      int frames = 0;
      for (const char *line = tb + strlen("\nstack traceback:"); *line == '\n';) {
        const char *end = strchr(line + 1, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (!(len == 11 && memcmp(line, "\n\t[C]: in ?", 11) == 0)) {
          if (frames == 0) luaL_addstring(&b, "\nstack traceback:");
          if (frames++ < TRACEBACK_FRAMES)
            luaL_addlstring(&b, line, len);
          else if (frames == TRACEBACK_FRAMES + 1)
            luaL_addstring(&b, "\n\t...");
        }
        line += len;
      }
    }
  }
  luaL_pushresult(&b);
  const char *out = lua_tostring(L, -1);
  if (r->color_err)
    fprintf(stderr, "\033[31m%s\033[0m\n", out);
  else
    fprintf(stderr, "%s\n", out);
  fflush(stderr);
  lua_settop(L, top);
}

/* ---- evaluation --------------------------------------------------------------- */

static int incomplete(lua_State *L, int status) {
  if (status == LUA_ERRSYNTAX) {
    size_t lmsg;
    const char *msg = lua_tolstring(L, -1, &lmsg);
    if (lmsg >= 5 && strcmp(msg + lmsg - 5, "<eof>") == 0) return 1;
  }
  return 0;
}

/* Run the function on top; print results (unless quiet), set `_`, report errors
   and the wall time of slow commands. */
static void run(repl *r, int quiet) {
  lua_State *L = r->L;
  int base = lua_gettop(L) - 1;
  double t0 = now();
  int status = sl_docall(L, 0, LUA_MULTRET);
  double dt = now() - t0;
  if (status == LUA_OK) {
    int n = lua_gettop(L) - base;
    if (n > 0) {
      lua_pushvalue(L, base + 1);
      lua_setglobal(L, "_");
      if (!quiet) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, r->pretty);
        lua_createtable(L, 0, 2);
        lua_pushboolean(L, r->color_out);
        lua_setfield(L, -2, "color");
        int rows = 0, cols = 0;
        rl_get_screen_size(&rows, &cols);
        lua_pushinteger(L, cols >= 40 ? cols - 1 : 79);
        lua_setfield(L, -2, "width");
        lua_pushcclosure(L, l_print_values, 2);
        lua_insert(L, base + 1);
        if (sl_docall(L, n, 0) != LUA_OK) report(r, L);
      }
    }
  } else {
    report(r, L);
  }
  if (dt > SLOW_SECONDS) {
    if (r->color_out)
      printf("\033[2m(%.2f s)\033[0m\n", dt);
    else
      printf("(%.2f s)\n", dt);
    fflush(stdout);
  }
  lua_settop(L, base);
}

/* `x:name` names the method x.name; any other text is left as it is. */
static void method_to_field(char *expr) {
  char *colon = strrchr(expr, ':');
  if (colon == NULL || colon == expr || colon[-1] == ':' || colon[1] == ':') return;
  for (char *p = colon + 1; *p; p++)
    if (!(*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
          (*p >= '0' && *p <= '9')))
      return;
  *colon = '.';
}

/* helptext (upvalue 1) of the value the compiled expression (arg 1) gives;
   arg 2 is the text, for "nil" answers. */
static int l_help(lua_State *L) {
  lua_pushvalue(L, 1);
  lua_call(L, 0, 1);
  if (lua_isnil(L, -1)) return luaL_error(L, "no help: %s is nil", lua_tostring(L, 2));
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, -2);
  lua_call(L, 1, 1);
  return 1;
}

/* `?expr`: print the help of the value expr names; `?` alone lists the modules. */
static void do_help(repl *r, const char *text) {
  lua_State *L = r->L;
  int base = lua_gettop(L);
  while (*text == ' ' || *text == '\t') text++;
  size_t len = strlen(text);
  while (len > 0 && strchr(" \t;", text[len - 1])) len--;
  char *expr = malloc(len + 1);
  if (expr == NULL) return;
  memcpy(expr, text, len);
  expr[len] = '\0';
  method_to_field(expr);
  lua_pushstring(L, expr);
  free(expr);
  lua_rawgeti(L, LUA_REGISTRYINDEX, r->helptext);
  int status;
  if (!lua_isfunction(L, -1)) {
    lua_pushliteral(L, "help is not available");
    status = LUA_ERRRUN;
  } else if (len == 0) {
    status = sl_docall(L, 0, 1);
  } else {
    lua_pushcclosure(L, l_help, 1);
    const char *chunk = lua_pushfstring(L, "return %s", lua_tostring(L, base + 1));
    status = luaL_loadbuffer(L, chunk, strlen(chunk), "=stdin");
    lua_remove(L, -2);
    if (status == LUA_OK) {
      lua_pushvalue(L, base + 1);
      status = sl_docall(L, 2, 1);
    }
  }
  if (status == LUA_OK) {
    const char *h = lua_tostring(L, -1);
    puts(h ? h : "");
    fflush(stdout);
  } else {
    report(r, L);
  }
  lua_settop(L, base);
}

/* Read one command (more lines while the chunk is incomplete) and run it.
   Returns 0 at end of input. */
static int one_command(repl *r) {
  lua_State *L = r->L;
  int base = lua_gettop(L);
  char prompt[256], *line = NULL;
  int rc = read_line(get_prompt(L, 1, prompt, sizeof prompt), &line);
  if (rc <= 0) return rc == 0 ? 0 : 1;
  lua_pushstring(L, line);
  free(line);
  const char *s = lua_tostring(L, -1);
  const char *p = s;
  while (*p == ' ' || *p == '\t') p++;
  if (*p == '\0') {
    lua_settop(L, base);
    return 1;
  }
  if (*p == '?') {
    history_add(r, s);
    do_help(r, p + 1);
    lua_settop(L, base);
    return 1;
  }
  /* expression first: `return <line>`, without a trailing `;` */
  size_t len = strlen(s);
  while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t')) len--;
  int quiet = len > 0 && s[len - 1] == ';';
  lua_pushliteral(L, "return ");
  lua_pushlstring(L, s, quiet ? len - 1 : len);
  lua_concat(L, 2);
  size_t clen;
  const char *ret = lua_tolstring(L, -1, &clen);
  int status = luaL_loadbuffer(L, ret, clen, "=stdin");
  lua_remove(L, -2); /* the `return` text */
  if (status != LUA_OK) {
    lua_pop(L, 1);
    /* a statement, read on while incomplete */
    for (;;) {
      size_t n;
      const char *chunk = lua_tolstring(L, base + 1, &n);
      status = luaL_loadbuffer(L, chunk, n, "=stdin");
      if (!incomplete(L, status)) break;
      lua_pop(L, 1);
      rc = read_line(get_prompt(L, 0, prompt, sizeof prompt), &line);
      if (rc < 0) { /* Ctrl-C abandons the chunk */
        lua_settop(L, base);
        return 1;
      }
      if (rc == 0) { /* end of input inside a chunk: report it, then stop */
        status = luaL_loadbuffer(L, chunk, n, "=stdin");
        history_add(r, lua_tostring(L, base + 1));
        report(r, L);
        lua_settop(L, base);
        return 0;
      }
      lua_pushliteral(L, "\n");
      lua_pushstring(L, line);
      free(line);
      lua_concat(L, 3);
    }
    len = lua_rawlen(L, base + 1);
    const char *chunk = lua_tostring(L, base + 1);
    while (len > 0 && strchr(" \t\n", chunk[len - 1])) len--;
    quiet = len > 0 && chunk[len - 1] == ';';
  }
  history_add(r, lua_tostring(L, base + 1));
  if (status == LUA_OK)
    run(r, quiet);
  else
    report(r, L);
  lua_settop(L, base);
  return 1;
}

/* ---- the loop --------------------------------------------------------------------- */

static int ref_slope_field(lua_State *L, const char *name) {
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  lua_getfield(L, -1, "slope");
  if (lua_istable(L, -1))
    lua_getfield(L, -1, name);
  else
    lua_pushnil(L);
  int ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_pop(L, 2);
  return ref;
}

void sl_repl(lua_State *L) {
  repl r;
  memset(&r, 0, sizeof r);
  r.L = L;
  r.color_out = want_color(1);
  r.color_err = want_color(2);
  r.pretty = ref_slope_field(L, "pretty");
  r.helptext = ref_slope_field(L, "helptext");
  rl_readline_name = "slope";
  rl_catch_signals = 0; /* SIGINT is ours: it clears the line (read_line) */
  rl_initialize();
  sl_complete_init(L);
  history_open(&r);

  struct sigaction act, old;
  memset(&act, 0, sizeof act);
  act.sa_handler = on_sigint;
  sigemptyset(&act.sa_mask);
  sigaction(SIGINT, &act, &old);

  printf("slope 0.1 (%s) — help() for help, ?name for a function's help, Ctrl-D to exit\n",
         LUA_RELEASE);
  while (one_command(&r)) {
  }
  putchar('\n');
  fflush(stdout);
  sigaction(SIGINT, &old, NULL);
  history_close(&r);
  luaL_unref(L, LUA_REGISTRYINDEX, r.pretty);
  luaL_unref(L, LUA_REGISTRYINDEX, r.helptext);
}
