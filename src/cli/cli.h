/*
** cli.h — what main.c and repl.c share: protected calls with tracebacks,
** the SIGINT handling, and the REPL entry point.
*/
#ifndef SL_CLI_H
#define SL_CLI_H

#include <lua.h>

/* Run the function on top (with narg args below it) under a traceback handler,
   with Ctrl-C turned into an "interrupted!" error. Returns a lua status. */
int sl_docall(lua_State *L, int narg, int nres);
/* Print the error message on top to stderr (prefixed by progname) and pop it. */
int sl_report(lua_State *L, int status);
/* The interactive loop (GNU Readline), repl.c. */
void sl_repl(lua_State *L);
/* Tab completion of globals, fields, methods, `?name` and file names (complete.c):
   installs Readline's hooks, which look values up in L by raw accesses (an
   __index function only under a protected call and an instruction budget). */
void sl_complete_init(lua_State *L);

extern const char *sl_progname;

#endif
