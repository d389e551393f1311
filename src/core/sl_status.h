/*
** sl_status.h — status codes shared by the whole C core.
** Success and stop reasons are >= 0, failures are < 0 (NLopt's convention).
** The core never prints, exits or aborts: it returns one of these.
*/
#ifndef SL_STATUS_H
#define SL_STATUS_H

#include <signal.h>

typedef enum {
  SL_OK = 0,
  SL_CONVERGED_GTOL = 1, /* max |g_i| <= gtol */
  SL_CONVERGED_FTOL = 2, /* relative decrease of f <= ftol */
  SL_CONVERGED_XTOL = 3, /* step length <= xtol */
  SL_MAXITER = 4,        /* iteration budget used up */
  SL_EINVAL = -1,        /* invalid argument or parameter */
  SL_ENOMEM = -2,        /* allocation failed or size too large */
  SL_EDIM = -3,          /* dimension mismatch */
  SL_ENONFINITE = -4,    /* NaN or Inf where a finite number is needed */
  SL_ELINESEARCH = -5,   /* the line search found no acceptable step */
  SL_ECALLBACK = -6,     /* a user callback (Lua) failed; message kept by caller */
  SL_EINTERRUPTED = -7,  /* the stop flag was raised (Ctrl-C) */
  SL_EIO = -8,           /* file could not be read or written, or is malformed */
  SL_EUNSUPPORTED = -9   /* the object lacks the operation asked for */
} sl_status;

/* A short lower-case description ("converged (gtol)", "dimension mismatch"). */
const char *sl_status_string(sl_status s);

/* A machine-friendly name for results tables ("converged", "maxiter", "nonfinite"). */
const char *sl_status_name(sl_status s);

/*
** The stop flag a long-running core loop polls once per iteration (NLopt's
** force_stop). The CLI's SIGINT handler raises it; the bindings pass its
** address in. NULL means "never interrupted".
*/
typedef volatile sig_atomic_t sl_stopflag;

#define SL_STOPPED(flag) ((flag) != NULL && *(flag) != 0)

#endif
