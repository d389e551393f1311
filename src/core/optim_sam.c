/*
** optim_sam.c — sharpness-aware minimization (Foret et al. 2021, Alg. 1) as a
** wrapper: with g = grad f(x) (given, or computed through o->f),
**   e = rho g / (|g| + 1e-12)  (adaptive, ASAM of Kwon et al. 2021:
**   e = rho x^2 g / (|x g| + 1e-12)),
** then the base optimizer steps x with grad f(x + e).
*/
#include <math.h>

#include "sl_optim.h"
#include "sl_vec.h"

enum { RHO, ADAPTIVE };

static const sl_hpspec hp[] = {{"rho", 0.05, SL_HP_NONNEG, NULL},
                               {"adaptive", 0, SL_HP_BOOL, NULL}};
static const char *const bufs[] = {NULL};

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  sl_objective *f = o->f;
  const size_t dim = o->dim;
  double *g0 = o->scratch, *xe = o->scratch + dim, *ge = o->scratch + 2 * dim;
  double fv;
  sl_status st;
  if (f == NULL) return sl_optim_fail(o, SL_EINVAL, "sam needs an objective");
  if (g == NULL) {
    if ((st = sl_obj_fg(f, x, &fv, g0)) < 0) return sl_optim_objfail(o, st);
    g = g0;
  }
  const int adaptive = o->hp[ADAPTIVE] != 0;
  double norm;
  if (adaptive) {
    for (size_t i = 0; i < dim; i++) xe[i] = fabs(x[i]) * g[i];
    norm = sl_vec_nrm2(dim, xe);
  } else {
    norm = sl_vec_nrm2(dim, g);
  }
  const double scale = o->hp[RHO] / (norm + 1e-12);
  if (adaptive)
    for (size_t i = 0; i < dim; i++) xe[i] = x[i] + x[i] * x[i] * g[i] * scale;
  else
    for (size_t i = 0; i < dim; i++) xe[i] = x[i] + g[i] * scale;
  if ((st = sl_obj_fg(f, xe, &fv, ge)) < 0) return sl_optim_objfail(o, st);
  if ((st = sl_optim_step(o->base, x, ge)) < 0) return sl_optim_fail(o, st, "%s", o->base->msg);
  return SL_OK;
}

const sl_optim_ops sl_optim_sam = {.name = "sam",
                                   .hp = hp,
                                   .nhp = sizeof hp / sizeof hp[0],
                                   .bufs = bufs,
                                   .nscratch = 3,
                                   .flags = SL_OPTIM_WRAPPER | SL_OPTIM_OPTGRAD,
                                   .step = step};
