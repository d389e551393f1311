/*
** optim_sophia.c — Sophia (Liu et al. 2023, "Sophia: A Scalable Stochastic
** Second-order Optimizer for Language Model Pre-training", Alg. 3):
**   m = b1 m + (1 - b1) g
**   every k steps (t = 1, k + 1, 2k + 1, ...): h = b2 h + (1 - b2) hhat, with
**     hhat = u (.) H u for one Rademacher u (Hutchinson, Alg. 1), H the
**     Hessian of the objective at x;
**   x *= 1 - lr wd                                   (decoupled weight decay)
**   x -= lr clip(m / max(rho h, eps), 1),  clip to [-1, 1] per entry.
** rho is the paper's gamma in this form (the authors' code writes rho*bs*h
** with the batch size folded in; here the estimate is of the mean loss's
** Hessian, so rho plays gamma's role directly). Entries where h <= 0 take a
** sign step (max(rho h, eps) = eps).
** estimator "gnb", Gauss-Newton-Bartlett (Alg. 2), for negative
** log-likelihood models (logistic, softmax, cross-entropy MLP): labels yhat_i
** drawn from the model's own predictive distribution at x (its predict_proba),
** ghat = the gradient of the mean loss over the B = n rows with labels yhat
** (no regularizer), hhat = B ghat (.) ghat. Since E[ghat] = 0, E[hhat] is
** the diagonal of the Gauss-Newton matrix of the mean loss. The objective is
** rebuilt over the same rows with the drawn labels (sl_gnb_model, o->impl).
*/
#include <stdlib.h>
#include <math.h>

#include "sl_optim.h"
#include "sl_optim_priv.h"
#include "sl_probe.h"

enum { LR, B1, B2, RHO, WD, K, EPS, ESTIMATOR };

static const char *const estimators[] = {"hutchinson", "gnb", NULL};
static const sl_hpspec hp[] = {
    {"lr", 1e-4, SL_HP_NONNEG, NULL},          {"beta1", 0.965, SL_HP_UNIT, NULL},
    {"beta2", 0.99, SL_HP_UNIT, NULL},         {"rho", 0.04, SL_HP_POS, NULL},
    {"weight_decay", 0.1, SL_HP_NONNEG, NULL}, {"k", 10, SL_HP_COUNT, NULL},
    {"eps", 1e-12, SL_HP_POS, NULL},           {"estimator", 0, SL_HP_CHOICE, estimators}};
static const char *const bufs[] = {"exp_avg", "hessian", NULL};

typedef struct sophia_args {
  double *x, *m;
  const double *g, *h;
  double b1, lr, rho, eps, shrink;
} sophia_args;

SL_OPTIM_CLONES
static void sophia_kernel(size_t lo, size_t hi, const void *args) {
  const sophia_args *a = args;
  double *restrict x = a->x, *restrict m = a->m;
  const double *restrict g = a->g, *restrict h = a->h;
  const double b1 = a->b1, lr = a->lr, rho = a->rho, eps = a->eps, shrink = a->shrink;
#pragma omp simd
  for (size_t i = lo; i < hi; i++) {
    const double mi = m[i] * b1 + (1 - b1) * g[i];
    m[i] = mi;
    const double rh = rho * h[i];
    const double r = mi / (rh > eps ? rh : eps);
    const double c = r > 1 ? 1.0 : r < -1 ? -1.0 : r; /* NaN passes on */
    x[i] = x[i] * shrink - lr * c;
  }
}

static sl_status check(sl_optimizer *o) {
  if (o->hp[ESTIMATOR] == 1 && o->impl == NULL)
    return sl_optim_fail(o, SL_EINVAL,
                         "estimator \"gnb\" (Gauss-Newton-Bartlett) needs a negative "
                         "log-likelihood model over its data (logistic, softmax, mlp with loss "
                         "xent) as f; %s is not one",
                         o->f ? o->f->ops->name : "no objective");
  return SL_OK;
}

static void destroy(sl_optimizer *o) { free(o->impl); }

/* The model of f rebuilt with labels y (0-based classes, 0/1 for logistic), no l2. */
static sl_objective *relabeled(const sl_gnb_model *m, const double *y, size_t n, sl_status *st,
                               char *msg, size_t len) {
  if (m->kind == SL_MODEL_MLP) {
    sl_mlp_opts p = {.X = m->Xd,
                     .y = y,
                     .ny = n,
                     .nhidden = m->nhidden,
                     .hidden = m->hidden,
                     .act = m->act,
                     .loss = SL_LOSS_XENT,
                     .outputs = m->classes,
                     .l2 = 0};
    return sl_obj_mlp_new(&p, st, msg, len);
  }
  sl_linear_opts p = {
      .Xd = m->Xd, .Xs = m->Xs, .y = y, .ny = n, .l2 = 0, .intercept = m->intercept};
  if (m->kind == SL_MODEL_SOFTMAX) return sl_obj_softmax_new(&p, m->classes, st, msg, len);
  sl_labels kind;
  return sl_obj_logistic_new(&p, &kind, st, msg, len);
}

/* hhat = n ghat (.) ghat, ghat the mean-loss gradient at labels drawn from the model at x. */
static sl_status gnb_estimate(sl_optimizer *o, const double *x, double *hhat) {
  const sl_gnb_model *m = o->impl;
  const size_t n = m->Xd ? m->Xd->rows : m->Xs->rows;
  const size_t nk = m->kind == SL_MODEL_LOGISTIC ? 1 : m->classes;
  double *P = malloc(n * (nk + 1) * sizeof *P), *y = P + n * nk;
  if (P == NULL) return sl_optim_fail(o, SL_ENOMEM, "no memory for the GNB estimate");
  char msg[200];
  sl_status st = sl_model_predict(o->f, x, m->Xd, m->Xs, SL_PREDICT_PROBA, P, msg, sizeof msg);
  if (st < 0) {
    free(P);
    return sl_optim_fail(o, st, "gnb: %s", msg[0] ? msg : sl_status_string(st));
  }
  for (size_t i = 0; i < n; i++) { /* inverse CDF of one uniform per row */
    const double u = sl_rng_uniform(&o->rng);
    if (nk == 1) {
      y[i] = u < P[i] ? 1.0 : 0.0;
      continue;
    }
    size_t c = 0;
    double cum = P[i * nk];
    while (c + 1 < nk && u >= cum) cum += P[i * nk + ++c];
    y[i] = (double)c;
  }
  sl_objective *twin = relabeled(m, y, n, &st, msg, sizeof msg);
  free(P);
  if (twin == NULL) return sl_optim_fail(o, st, "gnb: %s", msg[0] ? msg : sl_status_string(st));
  double fv;
  st = sl_obj_fg(twin, x, &fv, hhat);
  sl_obj_destroy(twin);
  if (st < 0) return sl_optim_fail(o, st, "gnb: %s", sl_status_string(st));
  for (size_t i = 0; i < o->dim; i++) hhat[i] = (double)n * hhat[i] * hhat[i];
  return SL_OK;
}

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  const size_t n = o->dim;
  double *h = o->buf[1], *hhat = o->scratch + 2 * n, *gbuf = o->scratch + 3 * n;
  sl_status st;
  if (o->f == NULL) return sl_optim_fail(o, SL_EINVAL, "sophia needs an objective");
  if (g == NULL) {
    double fv;
    if ((st = sl_obj_fg(o->f, x, &fv, gbuf)) < 0) return sl_optim_objfail(o, st);
    g = gbuf;
  }
  if ((o->t - 1) % (unsigned long)o->hp[K] == 0) {
    size_t nh;
    if (o->hp[ESTIMATOR] == 1) {
      if ((st = gnb_estimate(o, x, hhat)) < 0) return st;
    } else {
      st = sl_probe_hessian_diag(o->f, x, 1, &o->rng, NULL, o->scratch, hhat, NULL, &nh);
      if (st < 0) return sl_optim_objfail(o, st);
    }
    const double b2 = o->hp[B2];
    for (size_t i = 0; i < n; i++) h[i] = b2 * h[i] + (1 - b2) * hhat[i];
  }
  const double lr = o->hp[LR];
  const sophia_args a = {.x = x,
                         .m = o->buf[0],
                         .g = g,
                         .h = h,
                         .b1 = o->hp[B1],
                         .lr = lr,
                         .rho = o->hp[RHO],
                         .eps = o->hp[EPS],
                         .shrink = 1 - lr * o->hp[WD]};
  sl_optim_foreach(n, sophia_kernel, &a);
  return SL_OK;
}

const sl_optim_ops sl_optim_sophia = {.name = "sophia",
                                      .hp = hp,
                                      .nhp = sizeof hp / sizeof hp[0],
                                      .bufs = bufs,
                                      .nscratch = 4,
                                      .flags = SL_OPTIM_RNG | SL_OPTIM_OPTGRAD,
                                      .check = check,
                                      .step = step,
                                      .destroy = destroy};
