/*
** sl_objective.c — objective shells, minibatch views, counting wrappers,
** the finite-difference HVP fallback and the dense Hessian.
*/
#include "sl_objective.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_mat.h"

sl_objective *sl_obj_new(const sl_objective_ops *ops, void *impl, size_t dim, size_t n) {
  sl_objective *o = calloc(1, sizeof *o);
  if (o == NULL) return NULL;
  o->ops = ops;
  o->impl = impl;
  o->dim = dim;
  o->n = n;
  o->n_total = n;
  o->fd_eps = 1e-5;
  return o;
}

sl_objective *sl_obj_view(sl_objective *o, const size_t *pos, size_t m, sl_status *st) {
  *st = SL_OK;
  if (o->n_total == 0) {
    *st = SL_EUNSUPPORTED;
    return NULL;
  }
  for (size_t k = 0; k < m; k++)
    if (pos[k] >= o->n) {
      *st = SL_EINVAL;
      return NULL;
    }
  sl_objective *v = calloc(1, sizeof *v);
  size_t *idx = malloc((m ? m : 1) * sizeof *idx);
  if (v == NULL || idx == NULL) {
    free(v);
    free(idx);
    *st = SL_ENOMEM;
    return NULL;
  }
  for (size_t k = 0; k < m; k++) idx[k] = sl_obj_row(o, pos[k]);
  v->root = o->is_view ? o->root : o;
  v->root->nviews++;
  v->ops = o->ops;
  v->impl = o->impl;
  v->dim = o->dim;
  v->n = m;
  v->n_total = o->n_total;
  v->idx = idx;
  v->is_view = 1;
  v->fd_eps = o->fd_eps;
  return v;
}

static void obj_free(sl_objective *o) {
  if (!o->is_view && o->ops->destroy) o->ops->destroy(o->impl);
  free(o->idx);
  free(o->scratch);
  free(o);
}

void sl_obj_destroy(sl_objective *o) {
  if (o == NULL) return;
  sl_obj_hvp_end(o);
  if (!o->is_view) {
    if (o->nviews > 0) {
      o->dead = 1; /* the last view frees it */
      return;
    }
    obj_free(o);
    return;
  }
  sl_objective *r = o->root;
  obj_free(o);
  if (r && --r->nviews == 0 && r->dead) obj_free(r);
}

sl_status sl_obj_fail(sl_objective *o, sl_status st, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(o->msg, sizeof o->msg, fmt, ap);
  va_end(ap);
  return st;
}

sl_status sl_obj_fg(sl_objective *o, const double *x, double *f, double *g) {
  o->nfev++;
  if (g) o->ngev++;
  return o->ops->fg(o, x, f, g);
}

sl_status sl_obj_sample_fg(sl_objective *o, const double *x, size_t k, double *f, double *g) {
  if (o->ops->sample_fg == NULL)
    return sl_obj_fail(o, SL_EUNSUPPORTED, "%s has no per-sample gradients", o->ops->name);
  if (k >= o->n) return sl_obj_fail(o, SL_EINVAL, "sample %zu out of range", k);
  return o->ops->sample_fg(o, x, k, f, g);
}

sl_status sl_obj_hvp_begin(sl_objective *o, const double *x) {
  sl_obj_hvp_end(o);
  if (o->ops->hvp == NULL || o->ops->hvp_begin == NULL) return SL_OK;
  o->hvp_x = x;
  sl_status st = o->ops->hvp_begin(o, x);
  if (st < 0) o->hvp_x = NULL;
  return st;
}

void sl_obj_hvp_end(sl_objective *o) {
  if (o->hvp_x && o->ops->hvp_end) o->ops->hvp_end(o);
  o->hvp_x = NULL;
}

int sl_obj_has_exact_hvp(const sl_objective *o) {
  return o->ops->hvp != NULL && !o->ops->hvp_approx;
}

/*
** Central difference of gradients: Hv ~ (g(x + h v) - g(x - h v)) / (2h),
** h = eps (1 + |x|) / |v|, error O(h^2) (Nocedal & Wright, sec. 8.1).
*/
static sl_status fd_hvp(sl_objective *o, const double *x, const double *v, double *hv) {
  size_t n = o->dim;
  if (o->scratch == NULL) {
    o->scratch = malloc(3 * (n ? n : 1) * sizeof(double));
    if (o->scratch == NULL) return SL_ENOMEM;
  }
  double *xp = o->scratch, *gp = o->scratch + n, *gm = o->scratch + 2 * n;
  double vn = 0.0, xn = 0.0, f;
  for (size_t i = 0; i < n; i++) {
    vn += v[i] * v[i];
    xn += x[i] * x[i];
  }
  vn = sqrt(vn);
  if (vn == 0.0) {
    for (size_t i = 0; i < n; i++) hv[i] = 0.0;
    return SL_OK;
  }
  double h = o->fd_eps * (1.0 + sqrt(xn)) / vn;
  for (size_t i = 0; i < n; i++) xp[i] = x[i] + h * v[i];
  sl_status st = o->ops->fg(o, xp, &f, gp);
  if (st < 0) return st;
  for (size_t i = 0; i < n; i++) xp[i] = x[i] - h * v[i];
  st = o->ops->fg(o, xp, &f, gm);
  if (st < 0) return st;
  for (size_t i = 0; i < n; i++) hv[i] = (gp[i] - gm[i]) / (2.0 * h);
  return SL_OK;
}

sl_status sl_obj_hvp(sl_objective *o, const double *x, const double *v, double *hv) {
  o->nhvp++;
  if (o->ops->hvp) return o->ops->hvp(o, x, v, hv);
  return fd_hvp(o, x, v, hv);
}

sl_status sl_obj_hessian(sl_objective *o, const double *x, double *h) {
  size_t n = o->dim, nn;
  if (sl_size_product(n, n, &nn) != SL_OK) return SL_ENOMEM;
  double *e = calloc(n ? n : 1, sizeof *e);
  double *col = malloc((n ? n : 1) * sizeof *col);
  sl_status st = SL_OK;
  if (e == NULL || col == NULL) {
    st = SL_ENOMEM;
    goto done;
  }
  /* n HVPs at one x: a window of our own unless the caller holds one (at x:
     used; elsewhere: left alone, the HVPs are then uncached); a failed
     begin only costs speed */
  int own = o->hvp_x == NULL;
  if (own) (void)sl_obj_hvp_begin(o, x);
  for (size_t j = 0; j < n; j++) {
    e[j] = 1.0;
    st = sl_obj_hvp(o, x, e, col);
    e[j] = 0.0;
    if (st < 0) break;
    for (size_t i = 0; i < n; i++) h[i * n + j] = col[i];
  }
  if (own) sl_obj_hvp_end(o);
  if (st < 0) goto done;
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++) {
      double s = 0.5 * (h[i * n + j] + h[j * n + i]);
      h[i * n + j] = h[j * n + i] = s;
    }
done:
  free(e);
  free(col);
  return st;
}
