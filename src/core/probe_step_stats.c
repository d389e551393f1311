/*
** probe_step_stats.c — statistics of one optimizer step: gradient, update and
** parameter norms, the update ratio, and the cosine between successive
** gradients (sl_probe.h).
*/
#include <math.h>

#include "sl_probe.h"
#include "sl_vec.h"

void sl_probe_step_stats(size_t n, const double *x0, const double *x1, const double *g,
                         const double *gprev, sl_step_stats *out) {
  double u2 = 0.0;
  for (size_t i = 0; i < n; i++) {
    double d = x1[i] - x0[i];
    u2 += d * d;
  }
  out->grad_norm = sl_vec_nrm2(n, g);
  out->update_norm = sqrt(u2);
  out->param_norm = sl_vec_nrm2(n, x0);
  out->update_ratio = out->param_norm > 0.0 ? out->update_norm / out->param_norm
                                            : (out->update_norm > 0.0 ? (double)INFINITY : 0.0);
  out->grad_cos = NAN;
  if (gprev) {
    double np = sl_vec_nrm2(n, gprev);
    if (np > 0.0 && out->grad_norm > 0.0)
      out->grad_cos = sl_vec_dot(n, g, gprev) / (out->grad_norm * np);
  }
}
