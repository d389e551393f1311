/*
** sl_flow.h — gradient flow dx/dt = -grad f(x) by Dormand-Prince 5(4) with
** error control (Hairer, Norsett & Wanner, Solving ODEs I, sec. II.4-5; FSAL,
** PI-free step control): the continuous-time path that gradient descent with
** a small step follows.
*/
#ifndef SL_FLOW_H
#define SL_FLOW_H

#include <stddef.h>

#include "sl_objective.h"
#include "sl_status.h"

typedef struct sl_flow {
  sl_objective *o;
  size_t n;
  double *x, *k[7], *xt, *err;
  double t, h, rtol, atol;
  long steps, rejected;
  int fsal; /* k[0] holds -grad at x */
  char msg[256];
} sl_flow;

sl_flow *sl_flow_new(sl_objective *o, const double *x0, double rtol, double atol, sl_status *st);
void sl_flow_free(sl_flow *fl);
/* One accepted step, not past t_end. Returns SL_OK, or a failure with fl->msg. */
sl_status sl_flow_step(sl_flow *fl, double t_end);
/* Called after each accepted step; non-zero stops the run with SL_ECALLBACK. */
typedef int (*sl_flow_progress)(void *ud, const sl_flow *fl);

/* Integrate to t_end in at most max_steps accepted steps (SL_MAXITER when not
   reached, SL_EINTERRUPTED when *stop is raised), fl->msg saying which; a
   failed step's status with fl->msg. each (NULL: none) after every step. */
sl_status sl_flow_run_with(sl_flow *fl, double t_end, long max_steps, sl_stopflag *stop,
                           sl_flow_progress each, void *ud);
sl_status sl_flow_run(sl_flow *fl, double t_end, long max_steps, sl_stopflag *stop);

#endif
