/*
** lcsr.h — the slope.csr userdata (compressed sparse rows), for readers
** (LIBSVM) and the linear models that accept sparse X.
*/
#ifndef SL_LCSR_H
#define SL_LCSR_H

#include <lua.h>

#include "sl_mat.h"

#define SL_CSR "slope.csr"

/* Push a csr taking ownership of m's arrays (malloc'd); __gc frees them. */
sl_csr *sl_pushcsr_take(lua_State *L, sl_csr m);
sl_csr *sl_checkcsr(lua_State *L, int arg);
sl_csr *sl_testcsr(lua_State *L, int arg);

#endif
