/*
** min_bounds.h — what the bounded methods (lbfgsb, gd) share: the box
** l <= x <= u (+-inf entries allowed), the projection onto it, the projected
** gradient, the largest feasible step along a direction, and a line search
** that never leaves the box.
*/
#ifndef SL_MIN_BOUNDS_H
#define SL_MIN_BOUNDS_H

#include <stddef.h>

#include "sl_minimize.h"

/* Check the bounds of p (NaN entries, lower > upper); SL_EINVAL with a sentence naming
   the index (1-based, as Lua) in msg. */
sl_status sl_bounds_check(const sl_min_params *p, char *msg, size_t len);
/* x <- P(x) = min(max(x, lo), hi); returns the number of entries moved. */
size_t sl_bounds_project(size_t n, double *x, const double *lo, const double *hi);
/* max_i |P(x - g)_i - x_i| (the projected gradient of Byrd et al. 1995, sec. 6). */
double sl_bounds_pgnorm(size_t n, const double *x, const double *g, const double *lo,
                        const double *hi);
/* Entries of x on one of their (finite) bounds. */
size_t sl_bounds_nactive(size_t n, const double *x, const double *lo, const double *hi);
/* The largest a >= 0 with lo <= x + a d <= hi (INFINITY when no bound is met). */
double sl_bounds_maxstep(size_t n, const double *x, const double *d, const double *lo,
                         const double *hi);
/*
** The solver's line search along s->d restricted to (0, amax] (the trial points
** are projected onto the box by the solver's phi, so rounding never leaves it):
** the step amax itself is accepted when the search stops there with sufficient
** decrease but phi still falling (the box ends the line first; as dcsrch's
** stpmax in L-BFGS-B). Same contract as sl_min_linesearch.
*/
sl_status sl_bounds_linesearch(sl_solver *s, double a0, double amax);

#endif
