/*
** sl_scalar.h — minimizing a function of one variable (scipy's
** minimize_scalar): Brent's method (Brent 1973, "Algorithms for Minimization
** without Derivatives", ch. 5) from a bracket, golden-section search from a
** bracket, and Brent's bounded method on an interval (scipy's fminbound).
** The function is a callback; the core never allocates.
*/
#ifndef SL_SCALAR_H
#define SL_SCALAR_H

#include <stddef.h>

#include "sl_status.h"

/* f(x) into *fx; a failure (< 0) ends the search with that status. */
typedef sl_status (*sl_scalar_fn)(void *ctx, double x, double *fx);

typedef enum { SL_SCALAR_BRENT = 0, SL_SCALAR_GOLDEN, SL_SCALAR_BOUNDED } sl_scalar_method;

typedef struct sl_scalar_opts {
  sl_scalar_method method;
  double a, b, c;    /* brent/golden: bracket (a, b) or the triple (a, b, c); bounded: [a, b] */
  int nbracket;      /* brent/golden: 2 or 3 points given */
  double xtol;       /* brent/golden: relative tolerance on x (1.48e-8); bounded: absolute (1e-5) */
  long maxiter;      /* iterations (brent, bounded: 500; golden: 5000) */
  long maxfev;       /* evaluations (0: no limit) */
  sl_stopflag *stop; /* Ctrl-C (NULL: never) */
} sl_scalar_opts;

typedef struct sl_scalar_result {
  double x, f;       /* the best point found and its value */
  double bracket[3]; /* the bracket the search started from (brent, golden) */
  long nfev, nit;
  sl_status status; /* SL_CONVERGED_XTOL, SL_MAXITER, or a failure (< 0) */
  int budget;       /* 1: maxfev ended it (status SL_MAXITER) */
  char msg[256];    /* the outcome in words */
} sl_scalar_result;

/* Defaults of a method (xtol, maxiter) into o, keeping the bracket. */
void sl_scalar_defaults(sl_scalar_opts *o, sl_scalar_method m);
/* Check the options; SL_EINVAL with a sentence in msg. */
sl_status sl_scalar_check(const sl_scalar_opts *o, char *msg, size_t len);
/* Run; returns r->status. */
sl_status sl_minimize_scalar(const sl_scalar_opts *o, sl_scalar_fn f, void *ctx,
                             sl_scalar_result *r);

#endif
