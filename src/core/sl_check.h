/*
** sl_check.h — derivative checks: an objective's analytic gradient and
** Hessian-vector product against central finite differences.
**
** Gradient: numeric_i = (f(x + h_i e_i) - f(x - h_i e_i)) / (2 h_i),
**   h_i = h max(1, |x_i|), h default eps^(1/3) ~ 6.06e-6 (truncation O(h^2)
**   balanced against rounding O(eps/h); Nocedal & Wright sec. 8.1).
** HVP: numeric = (g(x + t v) - g(x - t v)) / (2t), t = h max(1, |x|) / |v|.
** The error of coordinate i is |a_i - n_i| / max(1, |a_i|, |n_i|): absolute for
** small entries, relative for large ones. The worst coordinate is reported.
*/
#ifndef SL_CHECK_H
#define SL_CHECK_H

#include <stddef.h>

#include "sl_objective.h"
#include "sl_status.h"

typedef struct sl_check_result {
  double max_rel_err; /* max over coordinates of the error above */
  size_t worst;       /* 0-based coordinate where it is reached */
} sl_check_result;

/* Default relative step: cbrt(DBL_EPSILON). */
double sl_check_default_h(void);

/* analytic, numeric: dim entries each (filled). h <= 0: default. Polls stop
   between coordinates (SL_EINTERRUPTED). Objective failures pass through. */
sl_status sl_check_grad(sl_objective *o, const double *x, double h, double *analytic,
                        double *numeric, sl_check_result *r, sl_stopflag *stop);
sl_status sl_check_hvp(sl_objective *o, const double *x, const double *v, double h,
                       double *analytic, double *numeric, sl_check_result *r);

/*
** A gradient by central differences of a value-only function:
**   g_i = (f(x + h_i e_i) - f(x - h_i e_i)) / (2 h_i),  h_i = h max(1, |x_i|)
** (h <= 0: the default cbrt(eps); 2 n calls of value). xwork: n doubles of
** scratch (x is never written). The steps actually taken (x_i + h_i rounded)
** are the divisors. A failing call ends the loop and its status is returned.
*/
typedef sl_status (*sl_value_fn)(void *ctx, const double *x, double *f);
sl_status sl_fd_grad(sl_value_fn value, void *ctx, size_t n, const double *x, double h,
                     double *xwork, double *g);

#endif
