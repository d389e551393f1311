/*
** lrng.h — the slope.rng userdata, for every binding that takes a generator.
*/
#ifndef SL_LRNG_H
#define SL_LRNG_H

#include <lua.h>

#include "sl_rng.h"

#define SL_RNG "slope.rng"

sl_rng *sl_checkrng(lua_State *L, int arg);
sl_rng *sl_optrng(lua_State *L, int arg); /* omitted: the state's default generator (seed 0) */
sl_rng *sl_pushrng(lua_State *L, uint64_t seed);

#endif
