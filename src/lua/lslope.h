/*
** lslope.h — the slope module: luaopen_slope and the generated lists of
** binding modules and embedded Lua files.
*/
#ifndef SL_LSLOPE_H
#define SL_LSLOPE_H

#include <stddef.h>

typedef struct sl_embedded {
  const char *name; /* "train" -> package.preload["slope.train"] */
  const char *path; /* "lua/slope/train.lua", for error messages */
  const char *src;
  size_t len;
} sl_embedded;

extern const sl_embedded sl_embedded_files[];

struct lua_State;
int luaopen_slope(struct lua_State *L);

/* The interpreter's first call (main): set slope's thread waiting policy
   (GOMP_SPINCOUNT=1000) and run again, unless the user set one. */
void sl_threads_startup(char **argv);

#endif
