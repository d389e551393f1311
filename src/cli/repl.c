/*
** repl.c — the interactive loop on GNU Readline: expression-first evaluation
** (lua.c's addreturn), multi-line input while the chunk is incomplete.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <readline/history.h>
#include <readline/readline.h>

#include <lauxlib.h>
#include <lua.h>

#include "cli.h"

static int incomplete(lua_State *L, int status) {
  if (status == LUA_ERRSYNTAX) {
    size_t lmsg;
    const char *msg = lua_tolstring(L, -1, &lmsg);
    if (lmsg >= 5 && strcmp(msg + lmsg - 5, "<eof>") == 0) {
      lua_pop(L, 1);
      return 1;
    }
  }
  return 0;
}

void sl_repl(lua_State *L) {
  char *line;
  while ((line = readline("> ")) != NULL) {
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, line);
    if (*line) add_history(line);
    free(line);
    luaL_pushresult(&b);
    const char *chunk = lua_tostring(L, -1);
    const char *ret = lua_pushfstring(L, "return %s;", chunk);
    int status = luaL_loadbuffer(L, ret, strlen(ret), "=stdin");
    lua_remove(L, -2);
    if (status != LUA_OK) {
      lua_pop(L, 1);
      for (;;) {
        status = luaL_loadbuffer(L, lua_tostring(L, -1), lua_rawlen(L, -1), "=stdin");
        if (!incomplete(L, status)) break;
        char *more = readline(">> ");
        if (more == NULL) break;
        lua_pushliteral(L, "\n");
        lua_pushstring(L, more);
        free(more);
        lua_concat(L, 3);
      }
    }
    lua_remove(L, -2);
    if (status == LUA_OK) status = sl_docall(L, 0, LUA_MULTRET);
    if (status == LUA_OK) {
      int n = lua_gettop(L);
      if (n > 0) {
        lua_getglobal(L, "print");
        lua_insert(L, 1);
        lua_pcall(L, n, 0, 0);
      }
    } else {
      sl_report(L, status);
    }
    lua_settop(L, 0);
  }
  putchar('\n');
}
