/*
** lfd.h — gradients that Lua code writes. Before each call the output vec is
** filled with a sentinel that reads as zero (-0.0), so code that accumulates
** into g keeps working; a vec still holding it in every entry was probably
** never written, and a second call with +0.0 tells "never written" from "a
** true zero" (a deterministic function writes the same bits both times).
** Objectives whose gradient is finite differences say so here.
*/
#ifndef SL_LFD_H
#define SL_LFD_H

#include <stddef.h>

#include "sl_objective.h"

#define SL_FD_WHAT "finite differences"

/* pass 0: -0.0, pass 1: +0.0 in every entry */
void sl_gsent_fill(double *g, size_t n, int pass);
/* 1 if every entry still holds the fill of that pass (bit for bit) */
int sl_gsent_untouched(const double *g, size_t n, int pass);

/* SL_FD_WHAT when o's gradient is finite differences (a value-only Lua
   function once it has been called with a gradient, slope.obj.lua with value
   only), NULL when it is analytic or not yet known. */
const char *sl_obj_grad_approx(const sl_objective *o);
const char *sl_luaobj_grad_approx(const sl_objective *o); /* lobj_lua.c */

#endif
