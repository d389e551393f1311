/*
** obj_toy.c — the objectives of sl_toyobj.h: the real quadratic, least
** squares and ring (obj_quadratic.c, obj_linear.c, obj_testfns.c) behind one
** wrapper. The wrapper owns the model and the copy of the data the model
** borrows; it forwards fg and per-sample gradients (a view of the wrapper
** evaluates the model on the view's rows) and forwards the exact HVP only
** when asked to: withheld, sl_obj_hvp falls back to central differences of
** gradients. Nothing else shows through: no start (zeros), no predictions,
** no HVP window.
*/
#include <stdlib.h>
#include <string.h>

#include "sl_mat.h"
#include "sl_models.h"
#include "sl_testfns.h"
#include "sl_toyobj.h"

typedef struct toy {
  sl_objective *inner; /* the real model, owned */
  sl_mat X;            /* least squares: the copy of X the model borrows */
} toy;

static void toy_destroy(void *impl) {
  toy *t = impl;
  if (t == NULL) return;
  sl_obj_destroy(t->inner);
  free(t->X.data);
  free(t);
}

/* The wrapper's views share one inner model: for each call the model takes
   the rows of the objective called (lend), gets its own back and passes a
   failure's message on (settle). */
typedef struct lent {
  size_t *idx, n;
} lent;

static sl_objective *lend(sl_objective *o, lent *own) {
  sl_objective *in = ((toy *)o->impl)->inner;
  own->idx = in->idx;
  own->n = in->n;
  in->idx = o->idx;
  in->n = o->n;
  return in;
}

static sl_status settle(sl_objective *o, const lent *own, sl_status st) {
  sl_objective *in = ((toy *)o->impl)->inner;
  in->idx = own->idx;
  in->n = own->n;
  if (st < 0) memcpy(o->msg, in->msg, sizeof o->msg);
  return st;
}

static sl_status fwd_fg(sl_objective *o, const double *x, double *f, double *g) {
  lent own;
  sl_objective *in = lend(o, &own);
  return settle(o, &own, in->ops->fg(in, x, f, g));
}

static sl_status fwd_hvp(sl_objective *o, const double *x, const double *v, double *hv) {
  lent own;
  sl_objective *in = lend(o, &own);
  return settle(o, &own, in->ops->hvp(in, x, v, hv));
}

static sl_status fwd_sample_fg(sl_objective *o, const double *x, size_t k, double *f, double *g) {
  lent own;
  sl_objective *in = lend(o, &own);
  return settle(o, &own, in->ops->sample_fg(in, x, k, f, g));
}

#define TOY_OPS(nm, hvp_fn, sample_fn)                                                             \
  { .name = nm, .fg = fwd_fg, .hvp = hvp_fn, .sample_fg = sample_fn, .destroy = toy_destroy }

/* [exact_hvp]: withheld, kept */
static const sl_objective_ops quad_ops[2] = {TOY_OPS("quadratic", NULL, NULL),
                                             TOY_OPS("quadratic", fwd_hvp, NULL)};
static const sl_objective_ops ls_ops[2] = {TOY_OPS("least_squares", NULL, fwd_sample_fg),
                                           TOY_OPS("least_squares", fwd_hvp, fwd_sample_fg)};
static const sl_objective_ops ring_ops[2] = {TOY_OPS("ring", NULL, NULL),
                                             TOY_OPS("ring", fwd_hvp, NULL)};

/* Wrap inner (and the data t holds for it); everything is freed on failure. */
static sl_objective *wrap(const sl_objective_ops *ops, toy *t, sl_objective *inner) {
  if (t == NULL || inner == NULL) {
    sl_obj_destroy(inner);
    toy_destroy(t);
    return NULL;
  }
  t->inner = inner;
  sl_objective *o = sl_obj_new(ops, t, inner->dim, inner->n);
  if (o == NULL) toy_destroy(t);
  return o;
}

/* A is made exactly symmetric, (A + A^T)/2 (a symmetric A is unchanged), as
   the real quadratic wants it. */
sl_objective *sl_toy_quadratic(size_t n, const double *A, const double *b, int exact_hvp) {
  size_t nn;
  if (sl_size_product(n, n, &nn) != SL_OK) return NULL;
  double *S = malloc((nn ? nn : 1) * sizeof *S);
  if (S == NULL) return NULL;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++) S[i * n + j] = 0.5 * (A[i * n + j] + A[j * n + i]);
  sl_status st;
  sl_objective *q = sl_obj_quadratic(n, S, b, &st);
  free(S);
  return wrap(&quad_ops[exact_hvp != 0], calloc(1, sizeof(toy)), q);
}

sl_objective *sl_toy_least_squares(size_t rows, size_t cols, const double *X, const double *y,
                                   int exact_hvp) {
  size_t nx;
  toy *t = calloc(1, sizeof *t);
  if (t == NULL || sl_size_product(rows, cols, &nx) != SL_OK ||
      (t->X.data = malloc((nx ? nx : 1) * sizeof(double))) == NULL)
    return wrap(NULL, t, NULL);
  memcpy(t->X.data, X, nx * sizeof(double));
  t->X.rows = rows;
  t->X.cols = cols;
  sl_linear_opts p = {.Xd = &t->X, .y = y, .ny = rows};
  sl_status st;
  char msg[128];
  sl_objective *ls = sl_obj_least_squares_new(&p, &st, msg, sizeof msg);
  return wrap(&ls_ops[exact_hvp != 0], t, ls);
}

sl_objective *sl_toy_ring(size_t n, int exact_hvp) {
  return wrap(&ring_ops[exact_hvp != 0], calloc(1, sizeof(toy)), sl_obj_ring(n));
}
