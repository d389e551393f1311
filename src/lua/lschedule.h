/*
** lschedule.h — the slope.schedule userdata, for bindings that take a
** learning rate that may be a schedule (optimizers, the training loop).
*/
#ifndef SL_LSCHEDULE_H
#define SL_LSCHEDULE_H

#include <lua.h>

#include "sl_schedule.h"

#define SL_SCHEDULE "slope.schedule"
#define SL_PLATEAU  "slope.schedule.plateau"

/* The schedule at idx, or NULL. The pointer stays valid while the userdata lives. */
const sl_schedule *sl_testschedule(lua_State *L, int idx);
/* The schedule at arg, or a "schedule expected" argument error. */
const sl_schedule *sl_checkschedule(lua_State *L, int arg);

#endif
