/*
** sl_objective.h — the objective contract: one vtable that every built-in
** objective, data model and Lua-defined function fills, so every optimizer,
** line search and probe works on all of them.
**
** Data objectives are means over samples plus a regularizer:
**     f(x) = (1/n) sum_{k<n} f_{s(k)}(x),   s(k) = idx ? idx[k] : k,
** where f_i already includes the regularizer (so f is the mean of the f_i).
** A minibatch is a view: the same ops and impl with its own idx; no copy.
*/
#ifndef SL_OBJECTIVE_H
#define SL_OBJECTIVE_H

#include <stddef.h>

#include "sl_status.h"

typedef struct sl_objective sl_objective;
struct sl_rng;
struct sl_model_ops; /* sl_models.h */

typedef struct sl_objective_ops {
  const char *name; /* "rosenbrock", "logistic", "lua", ... */
  /* f(x) into *f and, if g != NULL, the gradient into g, in one pass. Required. */
  sl_status (*fg)(sl_objective *o, const double *x, double *f, double *g);
  /* hv = H(x) v, analytically. NULL: sl_obj_hvp uses a central difference of gradients. */
  sl_status (*hvp)(sl_objective *o, const double *x, const double *v, double *hv);
  /* 1: hvp is a model of H, not H (residual objectives: Gauss-Newton 2 J'J v), so
     sl_obj_has_exact_hvp says 0 and probes know their curvature is approximate. */
  int hvp_approx;
  /* Data objectives: loss f_i and (if g) gradient of the k-th active sample
     (0 <= k < o->n; the row is o->idx ? o->idx[k] : k). NULL otherwise. */
  sl_status (*sample_fg)(sl_objective *o, const double *x, size_t k, double *f, double *g);
  /* A sensible starting point into x (zeros for convex models, scaled random
     for MLPs). NULL: zeros. rng is an sl_rng * (sl_rng.h). */
  void (*init)(sl_objective *o, struct sl_rng *rng, double *x);
  /* Free impl. Called once, for the root objective only (never for views). */
  void (*destroy)(void *impl);
  /* Optional (see sl_obj_hvp_begin): precompute at x what H(x) v needs and
     v does not change (curvature weights, a network's forward pass), and
     release it. An objective keeping such a cache uses it in hvp only while
     o->hvp_x == x and the cache was made for this o (views share impl). */
  sl_status (*hvp_begin)(sl_objective *o, const double *x);
  void (*hvp_end)(sl_objective *o);
  /* Data models (sl_models.h): predictions on new rows, parameter blocks.
     NULL for everything else. */
  const struct sl_model_ops *model;
} sl_objective_ops;

struct sl_objective {
  const sl_objective_ops *ops;
  void *impl;      /* the objective's own data (matrices, labels, sizes) */
  size_t dim;      /* number of parameters */
  size_t n;        /* active samples; 0 when this is not a data objective */
  size_t n_total;  /* samples in the full data set */
  size_t *idx;     /* active samples of a view (0-based rows), NULL = 0..n-1 */
  int is_view;     /* 1: impl belongs to a parent; destroy frees only idx */
  double fd_eps;   /* relative step for the finite-difference HVP (default 1e-5) */
  double *scratch; /* 3*dim doubles for the finite-difference HVP, lazily allocated */
  unsigned long nfev, ngev, nhvp; /* counts kept by the sl_obj_* wrappers */
  char msg[256];                  /* why the last failing call failed (callback error text) */
  const double *hvp_x;            /* x of an open sl_obj_hvp_begin, else NULL */
  /* Lifetime of shared impl: a view holds its root (root->nviews counts them);
     sl_obj_destroy of a root with live views only marks it dead, and the last
     view's destroy frees it. Any destruction order is then safe. */
  sl_objective *root; /* views: the objective owning impl; NULL for a root */
  size_t nviews;      /* roots: views not yet destroyed */
  int dead;           /* roots: destroyed by the owner, kept for its views */
};

/* Allocate an objective shell; ops and impl filled by the caller. NULL on ENOMEM. */
sl_objective *sl_obj_new(const sl_objective_ops *ops, void *impl, size_t dim, size_t n);

/* A view of o restricted to its active samples pos[0..m-1] (0-based positions
   within o's active set; composes through views). NULL with *st set on error. */
sl_objective *sl_obj_view(sl_objective *o, const size_t *pos, size_t m, sl_status *st);

/* Free an objective or a view (a view never frees its root's impl; a root
   with live views is freed when the last of them is). */
void sl_obj_destroy(sl_objective *o);

/* Counting wrappers every caller uses. They check results for NaN/Inf only
   where told to: values are returned as computed. */
sl_status sl_obj_fg(sl_objective *o, const double *x, double *f, double *g);
sl_status sl_obj_hvp(sl_objective *o, const double *x, const double *v, double *hv);
sl_status sl_obj_sample_fg(sl_objective *o, const double *x, size_t k, double *f, double *g);

/*
** A series of HVPs at one point (Lanczos, power iteration, CG inside Newton):
** sl_obj_hvp_begin(o, x) lets the objective precompute what does not depend
** on v, the following sl_obj_hvp(o, x, ...) calls with this same pointer x
** reuse it, sl_obj_hvp_end(o) releases it. Between the two the caller must
** not change x, the data or o's view; fg calls in between are allowed (an
** objective whose fg overwrites its cache recomputes). Objectives without
** hvp_begin ignore both. Callers may ignore begin failing (SL_ENOMEM): the
** HVPs are then computed from scratch, as without begin.
*/
sl_status sl_obj_hvp_begin(sl_objective *o, const double *x);
void sl_obj_hvp_end(sl_objective *o);

/* 1 if the Hessian-vector product is exact (analytic), 0 if finite-differenced. */
int sl_obj_has_exact_hvp(const sl_objective *o);

/* Dense Hessian (dim x dim, row-major) by dim HVPs with unit vectors,
   symmetrized as (H + H^T)/2. */
sl_status sl_obj_hessian(sl_objective *o, const double *x, double *h);

/* Set o->msg (printf-style) and return st, for implementations. */
sl_status sl_obj_fail(sl_objective *o, sl_status st, const char *fmt, ...);

/* Row of the k-th active sample. */
static inline size_t sl_obj_row(const sl_objective *o, size_t k) { return o->idx ? o->idx[k] : k; }

#endif
