/*
** optim_groups.c — parameter groups, as torch.optim's param_groups: the
** entries of x are split into groups, each stepped by its own instance of
** one rule with its own hyperparameters (no weight decay on biases,
** layer-wise learning rates), or left alone (a frozen group: no update, no
** state). Every entry belongs to exactly one group. A group made of one
** contiguous range is stepped in place; any other is gathered into scratch,
** stepped and scattered back, so an elementwise rule gives the bits it gives
** over the whole vector.
**
** The groups' lr (hyperparameter 0) scales every group together, as torch's
** schedulers do: group k steps with lr_scale[k] * lr, lr_scale[k] being its
** lr over the default lr when the groups were made.
*/
#include <stdlib.h>
#include <string.h>

#include "sl_optim.h"

typedef struct group {
  sl_optimizer *opt; /* not owned; NULL: frozen */
  double lr_scale;
  size_t nr, size; /* ranges [lo[i], hi[i]) and their total length */
  size_t *lo, *hi;
} group;

typedef struct groups {
  size_t ng;
  group g[];
} groups;

static const sl_hpspec hp[] = {{"lr", 1e-3, SL_HP_NONNEG, NULL}};

static void destroy(sl_optimizer *o) {
  groups *gs = o->impl;
  if (gs == NULL) return;
  for (size_t k = 0; k < gs->ng; k++) free(gs->g[k].lo);
  free(gs);
}

/* At setdim and reset: every group's optimizer back to its start. */
static void init(sl_optimizer *o) {
  groups *gs = o->impl;
  for (size_t k = 0; gs && k < gs->ng; k++)
    if (gs->g[k].opt) sl_optim_reset(gs->g[k].opt);
}

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  groups *gs = o->impl;
  double *xs = o->scratch, *gsc = o->scratch + o->dim;
  for (size_t k = 0; k < gs->ng; k++) {
    group *p = &gs->g[k];
    if (p->opt == NULL) continue;
    p->opt->hp[0] = p->lr_scale * o->hp[0];
    sl_status st;
    if (p->nr == 1) {
      st = sl_optim_step(p->opt, x + p->lo[0], g + p->lo[0]);
    } else {
      size_t at = 0;
      for (size_t r = 0; r < p->nr; r++) {
        size_t len = p->hi[r] - p->lo[r];
        memcpy(xs + at, x + p->lo[r], len * sizeof *x);
        memcpy(gsc + at, g + p->lo[r], len * sizeof *g);
        at += len;
      }
      st = sl_optim_step(p->opt, xs, gsc);
      if (st >= 0)
        for (size_t r = 0, a = 0; r < p->nr; a += p->hi[r] - p->lo[r], r++)
          memcpy(x + p->lo[r], xs + a, (p->hi[r] - p->lo[r]) * sizeof *x);
    }
    if (st < 0) return sl_optim_fail(o, st, "group %zu: %s", k + 1, p->opt->msg);
  }
  return SL_OK;
}

const sl_optim_ops sl_optim_groups = {.name = "groups",
                                      .hp = hp,
                                      .nhp = 1,
                                      .nscratch = 2,
                                      .init = init,
                                      .destroy = destroy,
                                      .step = step};

sl_optimizer *sl_optim_groups_new(size_t ngroups) {
  if (ngroups == 0 || ngroups > SIZE_MAX / sizeof(group) - 1) return NULL;
  sl_optimizer *o = sl_optim_new(&sl_optim_groups);
  if (o == NULL) return NULL;
  groups *gs = calloc(1, sizeof *gs + ngroups * sizeof(group));
  if (gs == NULL) {
    sl_optim_destroy(o);
    return NULL;
  }
  gs->ng = ngroups;
  o->impl = gs;
  return o;
}

sl_status sl_optim_groups_set(sl_optimizer *o, size_t k, sl_optimizer *sub, const size_t *lo,
                              const size_t *hi, size_t nr, double lr_scale) {
  groups *gs = o->impl;
  if (o->ops != &sl_optim_groups || k >= gs->ng)
    return sl_optim_fail(o, SL_EINVAL, "no group %zu", k + 1);
  if (nr == 0) return sl_optim_fail(o, SL_EINVAL, "group %zu has no entries", k + 1);
  group *p = &gs->g[k];
  size_t *r = malloc(2 * nr * sizeof *r);
  if (r == NULL) return sl_optim_fail(o, SL_ENOMEM, "out of memory");
  size_t size = 0;
  for (size_t i = 0; i < nr; i++) {
    if (lo[i] >= hi[i]) {
      free(r);
      return sl_optim_fail(o, SL_EINVAL, "group %zu: empty range", k + 1);
    }
    r[i] = lo[i];
    r[nr + i] = hi[i];
    size += hi[i] - lo[i];
  }
  free(p->lo);
  *p = (group){.opt = sub, .lr_scale = lr_scale, .nr = nr, .size = size, .lo = r, .hi = r + nr};
  return SL_OK;
}

sl_status sl_optim_groups_finish(sl_optimizer *o, size_t dim) {
  groups *gs = o->impl;
  unsigned char *seen = calloc(dim ? dim : 1, 1);
  if (seen == NULL) return sl_optim_fail(o, SL_ENOMEM, "out of memory");
  sl_status st = SL_OK;
  for (size_t k = 0; k < gs->ng && st == SL_OK; k++) {
    const group *p = &gs->g[k];
    if (p->nr == 0) st = sl_optim_fail(o, SL_EINVAL, "group %zu was never set", k + 1);
    for (size_t r = 0; r < p->nr && st == SL_OK; r++)
      for (size_t i = p->lo[r]; i < p->hi[r] && st == SL_OK; i++) {
        if (i >= dim)
          st = sl_optim_fail(o, SL_EINVAL, "group %zu reaches entry %zu of a dim %zu vector", k + 1,
                             i + 1, dim);
        else if (seen[i])
          st = sl_optim_fail(o, SL_EINVAL, "entry %zu is in two groups (the second is group %zu)",
                             i + 1, k + 1);
        else
          seen[i] = 1;
      }
    if (st == SL_OK && p->opt && p->opt->dim != p->size)
      st = sl_optim_fail(o, SL_EDIM, "group %zu has %zu entries, its optimizer dim %zu", k + 1,
                         p->size, p->opt->dim);
  }
  for (size_t i = 0; i < dim && st == SL_OK; i++)
    if (!seen[i]) st = sl_optim_fail(o, SL_EINVAL, "entry %zu is in no group", i + 1);
  free(seen);
  return st == SL_OK ? sl_optim_setdim(o, dim) : st;
}
