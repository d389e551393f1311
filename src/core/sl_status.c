/*
** sl_status.c — names and descriptions of status codes.
*/
#include "sl_status.h"

const char *sl_status_string(sl_status s) {
  switch (s) {
  case SL_OK: return "success";
  case SL_CONVERGED_GTOL: return "converged: gradient below gtol";
  case SL_CONVERGED_FTOL: return "converged: relative decrease of f below ftol";
  case SL_CONVERGED_XTOL: return "converged: step below xtol";
  case SL_MAXITER: return "iteration limit reached";
  case SL_EINVAL: return "invalid argument";
  case SL_ENOMEM: return "out of memory or size too large";
  case SL_EDIM: return "dimension mismatch";
  case SL_ENONFINITE: return "non-finite value (NaN or Inf)";
  case SL_ELINESEARCH: return "line search failed";
  case SL_ECALLBACK: return "callback failed";
  case SL_EINTERRUPTED: return "interrupted";
  case SL_EIO: return "input/output error";
  case SL_EUNSUPPORTED: return "operation not supported by this object";
  }
  return "unknown status";
}

const char *sl_status_name(sl_status s) {
  switch (s) {
  case SL_OK: return "ok";
  case SL_CONVERGED_GTOL:
  case SL_CONVERGED_FTOL:
  case SL_CONVERGED_XTOL: return "converged";
  case SL_MAXITER: return "maxiter";
  case SL_EINVAL: return "invalid";
  case SL_ENOMEM: return "nomem";
  case SL_EDIM: return "dimension";
  case SL_ENONFINITE: return "nonfinite";
  case SL_ELINESEARCH: return "linesearch_failed";
  case SL_ECALLBACK: return "callback_failed";
  case SL_EINTERRUPTED: return "interrupted";
  case SL_EIO: return "io";
  case SL_EUNSUPPORTED: return "unsupported";
  }
  return "unknown";
}
