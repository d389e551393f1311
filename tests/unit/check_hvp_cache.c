/*
** check_hvp_cache.c — Hessian-vector products inside an sl_obj_hvp_begin
** window (cached curvature weights, probabilities, forward passes) against
** the plain HVP, for every data model with a cache: equal to 1e-14 (relative
** to the largest entry) for several v; still right after an fg (and a
** per-sample gradient) at another point inside the window, for a view when
** the parent holds the window and vice versa, for two views with windows at
** the same x, at another x pointer inside the window, and after end with x
** changed in place; and against finite differences of the gradient.
*/
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_slope.h"
#include "sl_mat.h"
#include "sl_minimize.h"
#include "sl_models.h"
#include "sl_objective.h"
#include "sl_rng.h"
#include "sl_toyobj.h"

#define NV 3

static char msg[256];

/* max |a - b| / max |b| */
static double maxrel(size_t n, const double *a, const double *b) {
  double d = 0, s = 0;
  for (size_t i = 0; i < n; i++) {
    d = fmax(d, fabs(a[i] - b[i]));
    s = fmax(s, fabs(b[i]));
  }
  return s > 0 ? d / s : d;
}

static void hvp(sl_objective *o, const double *x, const double *v, double *hv) {
  ck_assert_int_eq(sl_obj_hvp(o, x, v, hv), SL_OK);
}

#define SAME(n, a, b, ...)                                                                         \
  do {                                                                                             \
    double e_ = maxrel(n, a, b);                                                                   \
    ck_assert_msg(e_ <= 1e-14, __VA_ARGS__, e_);                                                   \
  } while (0)

/* Central difference of the analytic gradient along v. */
static void fd_hvp(sl_objective *o, const double *x0, const double *v, double *hv) {
  size_t n = o->dim;
  double *x = malloc(n * sizeof *x), *gp = malloc(n * sizeof *gp), *gm = malloc(n * sizeof *gm);
  double vn = 0, f;
  for (size_t j = 0; j < n; j++) vn += v[j] * v[j];
  double h = 1e-5 / sqrt(vn);
  for (size_t j = 0; j < n; j++) x[j] = x0[j] + h * v[j];
  ck_assert_int_eq(sl_obj_fg(o, x, &f, gp), SL_OK);
  for (size_t j = 0; j < n; j++) x[j] = x0[j] - h * v[j];
  ck_assert_int_eq(sl_obj_fg(o, x, &f, gm), SL_OK);
  for (size_t j = 0; j < n; j++) hv[j] = (gp[j] - gm[j]) / (2 * h);
  free(x);
  free(gp);
  free(gm);
}

typedef struct {
  size_t dim;
  double *x, *x2, *xm, *v[NV], *g, *h, *h2;
  double *ref[NV]; /* plain H(x) v_k of o */
  double *refm;    /* plain H(xm) v_0 of o (xm: x moved) */
  double *refa;    /* plain H(x) v_0 of view a, of view b */
  double *refb;
} bufs;

static double *vnew(size_t n) { return malloc((n ? n : 1) * sizeof(double)); }

static void bufs_init(bufs *b, sl_objective *o, sl_rng *r) {
  size_t n = o->dim;
  b->dim = n;
  b->x = vnew(n), b->x2 = vnew(n), b->xm = vnew(n), b->g = vnew(n), b->h = vnew(n);
  b->h2 = vnew(n), b->refm = vnew(n), b->refa = vnew(n), b->refb = vnew(n);
  if (o->ops->init)
    o->ops->init(o, r, b->x);
  else
    for (size_t j = 0; j < n; j++) b->x[j] = 0.5 * sl_rng_normal(r);
  for (size_t j = 0; j < n; j++) {
    b->x2[j] = b->x[j] + 0.3 * sl_rng_normal(r);
    b->xm[j] = b->x[j] + 0.2 * sl_rng_normal(r);
  }
  for (int k = 0; k < NV; k++) {
    b->v[k] = vnew(n);
    b->ref[k] = vnew(n);
    for (size_t j = 0; j < n; j++) b->v[k][j] = sl_rng_normal(r);
  }
}

static void bufs_free(bufs *b) {
  free(b->x), free(b->x2), free(b->xm), free(b->g), free(b->h), free(b->h2);
  free(b->refm), free(b->refa), free(b->refb);
  for (int k = 0; k < NV; k++) free(b->v[k]), free(b->ref[k]);
}

/* An objective, two views of it (a: every third row backwards, b: the first
   half), the buffers and the plain references. */
typedef struct win {
  sl_objective *o, *va, *vb;
  size_t *pa, *pb, n;
  bufs b;
  const char *what;
} win;

static void win_init(win *w, sl_objective *o, sl_rng *r, const char *what) {
  bufs *b = &w->b;
  bufs_init(b, o, r);
  size_t m = o->n, na = 0, nb = 0;
  w->o = o;
  w->n = o->dim;
  w->what = what;
  w->pa = malloc(m * sizeof *w->pa), w->pb = malloc(m * sizeof *w->pb);
  for (size_t k = m; k-- > 0;)
    if (k % 3 == 1) w->pa[na++] = k;
  for (size_t k = 0; k < m / 2 + 1; k++) w->pb[nb++] = k;
  sl_status st;
  w->va = sl_obj_view(o, w->pa, na, &st);
  w->vb = sl_obj_view(o, w->pb, nb, &st);
  ck_assert_ptr_nonnull(w->va);
  ck_assert_ptr_nonnull(w->vb);
  /* references, all without a window */
  for (int k = 0; k < NV; k++) hvp(o, b->x, b->v[k], b->ref[k]);
  hvp(o, b->xm, b->v[0], b->refm);
  hvp(w->va, b->x, b->v[0], b->refa);
  hvp(w->vb, b->x, b->v[0], b->refb);
}

/* Inside o's window: equal to the plain HVPs in any order, repeated, and to
   finite differences; still right after fg and sample_fg at another point
   and at another x pointer. The window stays open. */
static void win_parent(win *w) {
  bufs *b = &w->b;
  sl_objective *o = w->o;
  size_t n = w->n;
  const char *what = w->what;
  double f;
  ck_assert_int_eq(sl_obj_hvp_begin(o, b->x), SL_OK);
  for (int rep = 0; rep < 2; rep++)
    for (int k = NV; k-- > 0;) {
      hvp(o, b->x, b->v[k], b->h);
      SAME(n, b->h, b->ref[k], "%s: windowed HVP %d differs by %g", what, k);
    }
  fd_hvp(o, b->x, b->v[1], b->h2);
  hvp(o, b->x, b->v[1], b->h);
  double e = maxrel(n, b->h, b->h2);
  ck_assert_msg(e < 1e-6, "%s: windowed HVP vs finite differences %g", what, e);
  ck_assert_int_eq(sl_obj_fg(o, b->x2, &f, b->g), SL_OK);
  hvp(o, b->x, b->v[0], b->h);
  SAME(n, b->h, b->ref[0], "%s: HVP after fg inside the window differs by %g", what);
  ck_assert_int_eq(sl_obj_sample_fg(o, b->x2, 1, &f, b->g), SL_OK);
  hvp(o, b->x, b->v[2], b->h);
  SAME(n, b->h, b->ref[2], "%s: HVP after sample_fg inside the window differs by %g", what);
  hvp(o, b->xm, b->v[0], b->h);
  SAME(n, b->h, b->refm, "%s: HVP at another x inside the window differs by %g", what);
  hvp(o, b->x, b->v[1], b->h);
  SAME(n, b->h, b->ref[1], "%s: HVP at x after another x differs by %g", what);
}

/* With the parent's window open: a view without a window, then the views'
   own windows at the same x pointer, then their ends; closes the parent's. */
static void win_views(win *w) {
  bufs *b = &w->b;
  sl_objective *o = w->o, *va = w->va, *vb = w->vb;
  size_t n = w->n;
  const char *what = w->what;
  hvp(va, b->x, b->v[0], b->h);
  SAME(n, b->h, b->refa, "%s: view HVP during the parent's window differs by %g", what);
  /* the view opens a window too (the parent's cache is no longer its own) */
  ck_assert_int_eq(sl_obj_hvp_begin(va, b->x), SL_OK);
  hvp(va, b->x, b->v[0], b->h);
  SAME(n, b->h, b->refa, "%s: view windowed HVP differs by %g", what);
  hvp(o, b->x, b->v[0], b->h);
  SAME(n, b->h, b->ref[0], "%s: parent HVP during the view's window differs by %g", what);
  /* a second view's window at the same x pointer: each view still right */
  ck_assert_int_eq(sl_obj_hvp_begin(vb, b->x), SL_OK);
  hvp(va, b->x, b->v[0], b->h);
  SAME(n, b->h, b->refa, "%s: view a during view b's window differs by %g", what);
  hvp(vb, b->x, b->v[0], b->h);
  SAME(n, b->h, b->refb, "%s: view b windowed differs by %g", what);
  sl_obj_hvp_end(vb);
  hvp(vb, b->x, b->v[0], b->h);
  SAME(n, b->h, b->refb, "%s: view b after its end differs by %g", what);
  hvp(va, b->x, b->v[0], b->h);
  SAME(n, b->h, b->refa, "%s: view a after view b's end differs by %g", what);
  sl_obj_hvp_end(va);
  hvp(o, b->x, b->v[2], b->h);
  SAME(n, b->h, b->ref[2], "%s: parent after the views' windows differs by %g", what);
  sl_obj_hvp_end(o);
}

/* After end, x changed in place: the HVP is at the new x, and so is a new
   window at the same pointer; then the nesting of a view's and the parent's
   windows. */
static void win_moved(win *w) {
  bufs *b = &w->b;
  sl_objective *o = w->o, *va = w->va;
  size_t n = w->n;
  const char *what = w->what;
  double *keep = vnew(n);
  memcpy(keep, b->x, n * sizeof *keep);
  ck_assert_int_eq(sl_obj_hvp_begin(o, b->x), SL_OK);
  hvp(o, b->x, b->v[0], b->h);
  sl_obj_hvp_end(o);
  memcpy(b->x, b->xm, n * sizeof *b->x);
  hvp(o, b->x, b->v[0], b->h);
  SAME(n, b->h, b->refm, "%s: HVP after end at x changed in place differs by %g", what);
  ck_assert_int_eq(sl_obj_hvp_begin(o, b->x), SL_OK);
  hvp(o, b->x, b->v[0], b->h);
  SAME(n, b->h, b->refm, "%s: new window at the same pointer differs by %g", what);
  sl_obj_hvp_end(o);
  memcpy(b->x, keep, n * sizeof *b->x);
  free(keep);
  /* begin on the view, then on the parent, end on the parent: the view's
     window still works */
  ck_assert_int_eq(sl_obj_hvp_begin(va, b->x), SL_OK);
  ck_assert_int_eq(sl_obj_hvp_begin(o, b->x), SL_OK);
  sl_obj_hvp_end(o);
  hvp(va, b->x, b->v[0], b->h);
  SAME(n, b->h, b->refa, "%s: view HVP after the parent's window closed differs by %g", what);
  sl_obj_hvp_end(va);
}

/* sl_obj_hessian (which opens its own window, or uses the caller's) equals
   the symmetrized plain HVPs of the unit vectors. */
static void win_hessian(win *w) {
  bufs *b = &w->b;
  sl_objective *o = w->o;
  size_t n = w->n;
  const char *what = w->what;
  double *H1 = vnew(n * n), *H2 = vnew(n * n), *e = calloc(n, sizeof *e);
  for (size_t j = 0; j < n; j++) {
    e[j] = 1.0;
    hvp(o, b->x, e, b->h);
    e[j] = 0.0;
    for (size_t i = 0; i < n; i++) H1[i * n + j] = b->h[i];
  }
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++)
      H1[i * n + j] = H1[j * n + i] = 0.5 * (H1[i * n + j] + H1[j * n + i]);
  ck_assert_int_eq(sl_obj_hessian(o, b->x, H2), SL_OK);
  SAME(n * n, H2, H1, "%s: Hessian differs by %g", what);
  ck_assert_ptr_null(o->hvp_x);
  ck_assert_int_eq(sl_obj_hvp_begin(o, b->x), SL_OK);
  ck_assert_int_eq(sl_obj_hessian(o, b->x, H2), SL_OK);
  if (o->ops->hvp_begin) ck_assert_ptr_eq(o->hvp_x, b->x); /* the caller's window stays open */
  sl_obj_hvp_end(o);
  SAME(n * n, H2, H1, "%s: Hessian in the caller's window differs by %g", what);
  free(H1);
  free(H2);
  free(e);
}

/* Every rule of the window for objective o (a root with at least 12 rows). */
static void check_window(sl_objective *o, sl_rng *r, const char *what) {
  win w;
  win_init(&w, o, r, what);
  win_parent(&w);
  win_views(&w);
  win_moved(&w);
  if (w.n <= 64) win_hessian(&w);
  /* a view destroyed with its window open leaves the parent right */
  bufs *b = &w.b;
  ck_assert_int_eq(sl_obj_hvp_begin(w.vb, b->x), SL_OK);
  sl_obj_destroy(w.vb);
  hvp(o, b->x, b->v[1], b->h);
  SAME(w.n, b->h, b->ref[1], "%s: parent after a view died in its window differs by %g", what);
  sl_obj_destroy(w.va);
  free(w.pa);
  free(w.pb);
  bufs_free(b);
}

/* ---- data ----------------------------------------------------------------- */

/* Linear models (kind 0 least squares, 1 logistic, 2 softmax with 3
   classes), dense and CSR, n rows (the large one runs on all threads). */
static void linear_case(int kind, size_t n, size_t d, int intercept, uint64_t seed) {
  sl_rng r;
  sl_rng_seed(&r, seed);
  sl_mat X = check_randmat(&r, n, d, 0.6);
  sl_csr S = check_tocsr(&X);
  double *y = malloc(n * sizeof *y);
  for (size_t i = 0; i < n; i++)
    y[i] = kind == 0 ? sl_rng_normal(&r) : (double)sl_rng_below(&r, kind == 2 ? 3 : 2);
  const char *names[3] = {"least squares", "logistic", "softmax"};
  for (int sparse = 0; sparse < 2; sparse++) {
    sl_linear_opts p = {sparse ? NULL : &X, sparse ? &S : NULL, y, n, 1e-2, intercept};
    sl_status st;
    sl_objective *o = kind == 0   ? sl_obj_least_squares_new(&p, &st, msg, sizeof msg)
                      : kind == 1 ? sl_obj_logistic_new(&p, NULL, &st, msg, sizeof msg)
                                  : sl_obj_softmax_new(&p, 3, &st, msg, sizeof msg);
    ck_assert_msg(o != NULL, "%s", msg);
    char what[96];
    snprintf(what, sizeof what, "%s %s n=%zu", names[kind], sparse ? "CSR" : "dense", n);
    check_window(o, &r, what);
    sl_obj_destroy(o);
  }
  sl_csr_free(&S);
  sl_mat_free(&X);
  free(y);
}

START_TEST(test_least_squares_window) {
  linear_case(0, 37, 7, 1, 11);
  linear_case(0, 3001, 13, 0, 12);
}
END_TEST

START_TEST(test_logistic_window) {
  linear_case(1, 37, 9, 1, 21);
  linear_case(1, 50, 30, 0, 22);
  linear_case(1, 3001, 13, 1, 23);
}
END_TEST

START_TEST(test_softmax_window) {
  linear_case(2, 41, 6, 1, 31);
  linear_case(2, 2003, 11, 0, 32);
}
END_TEST

/* MLPs: activation, hidden widths, loss; n rows of d inputs. */
static void mlp_case(sl_activation act, size_t nh, const size_t *hidden, sl_mlp_loss loss, size_t n,
                     uint64_t seed, const char *what) {
  sl_rng r;
  sl_rng_seed(&r, seed);
  size_t d = 5, K = 3;
  sl_mat X = check_randmat(&r, n, d, 1.0);
  size_t ny = loss == SL_LOSS_XENT ? n : n * K;
  double *y = malloc(ny * sizeof *y);
  for (size_t i = 0; i < ny; i++)
    y[i] = loss == SL_LOSS_XENT ? (double)sl_rng_below(&r, K) : sl_rng_normal(&r);
  sl_mlp_opts p = {&X, y, ny, nh, hidden, act, loss, K, 1e-3};
  sl_status st;
  sl_objective *o = sl_obj_mlp_new(&p, &st, msg, sizeof msg);
  ck_assert_msg(o != NULL, "%s", msg);
  check_window(o, &r, what);
  sl_obj_destroy(o);
  sl_mat_free(&X);
  free(y);
}

START_TEST(test_mlp_window) {
  size_t h1[1] = {6}, h2[2] = {7, 4}, h3[3] = {4, 5, 3};
  mlp_case(SL_ACT_TANH, 1, h1, SL_LOSS_XENT, 40, 41, "mlp tanh {6} xent");
  mlp_case(SL_ACT_TANH, 2, h2, SL_LOSS_MSE, 41, 42, "mlp tanh {7,4} mse");
  mlp_case(SL_ACT_RELU, 1, h1, SL_LOSS_MSE, 39, 43, "mlp relu {6} mse");
  mlp_case(SL_ACT_RELU, 2, h2, SL_LOSS_XENT, 42, 44, "mlp relu {7,4} xent");
  mlp_case(SL_ACT_GELU, 3, h3, SL_LOSS_XENT, 38, 45, "mlp gelu {4,5,3} xent");
  mlp_case(SL_ACT_TANH, 0, NULL, SL_LOSS_XENT, 36, 46, "mlp linear xent");
  /* enough rows for several threads and several chunks per thread */
  mlp_case(SL_ACT_TANH, 2, h2, SL_LOSS_XENT, 3001, 47, "mlp tanh {7,4} xent n=3001");
  mlp_case(SL_ACT_RELU, 1, h1, SL_LOSS_MSE, 2999, 48, "mlp relu {6} mse n=2999");
}
END_TEST

/* The toy least squares (sl_toyobj.h): the real model behind a wrapper whose
   views lend their rows to it, with the exact HVP kept or withheld. */
START_TEST(test_toy_wrapper_window) {
  sl_rng r;
  sl_rng_seed(&r, 9);
  size_t n = 24, d = 4;
  sl_mat X = check_randmat(&r, n, d, 1.0);
  double y[24];
  for (size_t i = 0; i < n; i++) y[i] = sl_rng_normal(&r);
  for (int exact = 0; exact < 2; exact++) {
    sl_objective *o = sl_toy_least_squares(n, d, X.data, y, exact);
    ck_assert_ptr_nonnull(o);
    ck_assert_int_eq(sl_obj_has_exact_hvp(o), exact);
    check_window(o, &r, exact ? "toy least squares" : "toy least squares (fd)");
    sl_obj_destroy(o);
  }
  sl_mat_free(&X);
}
END_TEST

/* Objectives without a cache ignore begin/end; begin on a non-data objective is fine. */
START_TEST(test_window_without_cache) {
  sl_rng r;
  sl_rng_seed(&r, 5);
  size_t n = 30, d = 4;
  sl_mat X = check_randmat(&r, n, d, 1.0);
  double y[30];
  for (size_t i = 0; i < n; i++) y[i] = sl_rng_normal(&r);
  sl_linear_opts p = {&X, NULL, y, n, 0.0, 1};
  sl_status st;
  sl_objective *o = sl_obj_least_squares_new(&p, &st, msg, sizeof msg);
  ck_assert_ptr_nonnull(o);
  double x[5] = {0.1, -0.2, 0.3, 0.4, 0.5}, v[5] = {1, 2, 3, 4, 5}, h1[5], h2[5];
  hvp(o, x, v, h1);
  /* end without begin, twice begin */
  sl_obj_hvp_end(o);
  ck_assert_int_eq(sl_obj_hvp_begin(o, x), SL_OK);
  ck_assert_int_eq(sl_obj_hvp_begin(o, x), SL_OK);
  ck_assert_ptr_eq(o->hvp_x, x);
  hvp(o, x, v, h2);
  SAME(5, h2, h1, "least squares twice begun differs by %g");
  sl_obj_hvp_end(o);
  ck_assert_ptr_null(o->hvp_x);
  sl_obj_destroy(o);
  sl_mat_free(&X);
}
END_TEST

/* Newton-CG and trust-region Newton-CG open a window around their inner
   HVPs: the iterates equal those of the same objective without a cache
   (ops copied without hvp_begin, sharing impl), and every window is closed. */
static void newton_same(sl_objective *o, sl_min_method method, const char *what) {
  sl_objective_ops plain = *o->ops;
  plain.hvp_begin = NULL;
  plain.hvp_end = NULL;
  sl_objective *q = sl_obj_new(&plain, o->impl, o->dim, o->n);
  ck_assert_ptr_nonnull(q);
  q->is_view = 1; /* never frees o's impl */
  double *x0 = calloc(o->dim, sizeof *x0);
  sl_rng r;
  sl_rng_seed(&r, 9);
  if (o->ops->init) o->ops->init(o, &r, x0);
  sl_min_params p;
  sl_min_defaults(&p, method);
  sl_status st;
  sl_solver *a = sl_solver_new(o, x0, &p, &st, msg, sizeof msg);
  sl_solver *b = sl_solver_new(q, x0, &p, &st, msg, sizeof msg);
  ck_assert_ptr_nonnull(a);
  ck_assert_ptr_nonnull(b);
  for (int k = 0; k < 6; k++) {
    sl_status sa = sl_solver_step(a), sb = sl_solver_step(b);
    ck_assert_int_eq(sa, sb);
    ck_assert_ptr_null(o->hvp_x);
    SAME(o->dim, a->x, b->x, "%s: iterate %d with windows differs by %g", what, k);
    if (sa != SL_OK) break;
  }
  ck_assert_msg(o->nhvp > 0, "%s: no HVPs", what);
  sl_solver_free(a);
  sl_solver_free(b);
  sl_obj_destroy(q);
  free(x0);
}

START_TEST(test_newton_windows) {
  sl_rng r;
  sl_rng_seed(&r, 3);
  size_t n = 200, d = 6;
  sl_mat X = check_randmat(&r, n, d, 1.0);
  double *y = malloc(n * sizeof *y);
  for (size_t i = 0; i < n; i++) y[i] = (double)sl_rng_below(&r, 3);
  sl_linear_opts p = {&X, NULL, y, n, 1e-3, 1};
  sl_status st;
  for (int meth = 0; meth < 2; meth++) {
    sl_min_method mm = meth ? SL_MIN_TRUST_NCG : SL_MIN_NEWTON_CG;
    sl_objective *o = sl_obj_softmax_new(&p, 3, &st, msg, sizeof msg);
    ck_assert_ptr_nonnull(o);
    newton_same(o, mm, meth ? "softmax trust-ncg" : "softmax newton-cg");
    sl_obj_destroy(o);
    size_t h = 5;
    sl_mlp_opts mp = {&X, y, n, 1, &h, SL_ACT_TANH, SL_LOSS_XENT, 3, 1e-3};
    o = sl_obj_mlp_new(&mp, &st, msg, sizeof msg);
    ck_assert_ptr_nonnull(o);
    newton_same(o, mm, meth ? "mlp trust-ncg" : "mlp newton-cg");
    sl_obj_destroy(o);
    for (size_t i = 0; i < n; i++) y[i] = y[i] > 0 ? 1.0 : 0.0;
    o = sl_obj_logistic_new(&p, NULL, &st, msg, sizeof msg);
    ck_assert_ptr_nonnull(o);
    newton_same(o, mm, meth ? "logistic trust-ncg" : "logistic newton-cg");
    sl_obj_destroy(o);
    for (size_t i = 0; i < n; i++) y[i] = (double)sl_rng_below(&r, 3);
  }
  sl_mat_free(&X);
  free(y);
}
END_TEST

Suite *hvp_cache_suite(void) {
  Suite *s = suite_create("hvp_cache");
  TCase *tc = tcase_create("window");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_least_squares_window);
  tcase_add_test(tc, test_logistic_window);
  tcase_add_test(tc, test_softmax_window);
  tcase_add_test(tc, test_mlp_window);
  tcase_add_test(tc, test_window_without_cache);
  tcase_add_test(tc, test_toy_wrapper_window);
  tcase_add_test(tc, test_newton_windows);
  suite_add_tcase(s, tc);
  return s;
}
