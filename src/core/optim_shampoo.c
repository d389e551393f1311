/*
** optim_shampoo.c — Shampoo (Gupta, Koren & Singer 2018, "Shampoo:
** Preconditioned Stochastic Tensor Optimization", Alg. 1 for matrices) over
** the layout's weight matrices, with layer-wise grafting (Agarwal et al.
** 2020, "Disentangling Adaptive Gradient Methods from Learning Rates"):
**   G = g (+ wd x, L2 weight decay) of an r x c layer;
**   L += G G^T, R += G^T G   (L, R start at epsilon I);
**   every precondition_frequency steps (t = 1, 1 + f, ...), by eigen-
**     decomposition (LAPACK dsyevd) L^(-1/4) = Q diag(max(lam, epsilon)^(-1/4)) Q^T,
**     and R^(-1/4) likewise, kept between recomputations;
**   D = L^(-1/4) G R^(-1/4);
**   graft "adagrad": A += G^2, P = G / (sqrt(A) + graft_eps); "sgd": P = G;
**   x -= lr (|P|_F / |D|_F) D  (graft: the step's norm from the graft rule,
**     its direction from Shampoo; "none": x -= lr D).
** Vector layers (biases) take the graft rule's step x -= lr P ("none": SGD).
** Products through CBLAS dgemm.
*/
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sl_optim.h"
#include "sl_vec.h"

enum { LR, EPSILON, FREQ, GRAFT, GRAFT_EPS, WD };
enum { GRAFT_ADAGRAD, GRAFT_SGD, GRAFT_NONE };

static const char *const grafts[] = {"adagrad", "sgd", "none", NULL};
static const sl_hpspec hp[] = {{"lr", 0.1, SL_HP_NONNEG, NULL},
                               {"epsilon", 1e-4, SL_HP_POS, NULL},
                               {"precondition_frequency", 1, SL_HP_COUNT, NULL},
                               {"graft", 0, SL_HP_CHOICE, grafts},
                               {"graft_eps", 1e-10, SL_HP_NONNEG, NULL},
                               {"weight_decay", 0, SL_HP_NONNEG, NULL}};
/* stats: L then R of each matrix layer in layout order; roots: their -1/4 powers */
static const char *const bufs[] = {"stats", "roots", "graft_sum", NULL};

static size_t stats_len(const sl_layout *lay) {
  size_t len = 0;
  for (size_t l = 0; lay && l < lay->n; l++)
    if (lay->layer[l].cols)
      len += lay->layer[l].rows * lay->layer[l].rows + lay->layer[l].cols * lay->layer[l].cols;
  return len;
}

static size_t buflen(const sl_optimizer *o, size_t k) {
  return k < 2 ? stats_len(o->layout) : o->dim;
}

/* stats = epsilon I per matrix; roots are set at the first step. */
static void init(sl_optimizer *o) {
  const sl_layout *lay = o->layout;
  double *s = o->buf[0];
  for (size_t l = 0; lay && l < lay->n; l++) {
    const size_t dims[2] = {lay->layer[l].rows, lay->layer[l].cols};
    if (dims[1] == 0) continue;
    for (int k = 0; k < 2; k++) {
      for (size_t i = 0; i < dims[k]; i++) s[i * dims[k] + i] = o->hp[EPSILON];
      s += dims[k] * dims[k];
    }
  }
}

static void destroy(sl_optimizer *o) { free(o->impl); }

/* root = S^(-1/4) for the n x n symmetric S; work: 2 n^2 + n doubles. */
static sl_status inv_fourth_root(size_t n, const double *S, double *root, double floor_,
                                 double *work) {
  double *Q = work, *Qs = Q + n * n, *w = Qs + n * n;
  memcpy(Q, S, n * n * sizeof *Q);
  if (LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', (lapack_int)n, Q, (lapack_int)n, w) != 0)
    return SL_ENONFINITE;
  for (size_t j = 0; j < n; j++) {
    if (!isfinite(w[j])) return SL_ENONFINITE;
    w[j] = pow(w[j] > floor_ ? w[j] : floor_, -0.25);
  }
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++) Qs[i * n + j] = Q[i * n + j] * w[j];
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)n, (int)n, 1.0, Qs, (int)n, Q,
              (int)n, 0.0, root, (int)n);
  return SL_OK;
}

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  const sl_layout *lay = o->layout;
  const size_t n = o->dim;
  if (lay == NULL) return sl_optim_fail(o, SL_EINVAL, "shampoo needs layers (the weight matrices)");
  if (o->impl == NULL) { /* work: G, two r x c products, and the eigensolver's 2 m^2 + m */
    size_t m = 0;
    for (size_t l = 0; l < lay->n; l++) {
      if (lay->layer[l].rows > m) m = lay->layer[l].rows;
      if (lay->layer[l].cols > m) m = lay->layer[l].cols;
    }
    o->impl = malloc((3 * n + 2 * m * m + m) * sizeof(double));
    if (o->impl == NULL) return sl_optim_fail(o, SL_ENOMEM, "no memory for shampoo's work");
  }
  double *G = o->impl, *T = G + n, *D = T + n, *eig = D + n;
  double *S = o->buf[0], *Rt = o->buf[1], *acc = o->buf[2];
  const double lr = o->hp[LR], wd = o->hp[WD], geps = o->hp[GRAFT_EPS];
  const int graft = (int)o->hp[GRAFT];
  const int refresh = (o->t - 1) % (unsigned long)o->hp[FREQ] == 0;
  for (size_t i = 0; i < n; i++) G[i] = g[i] + wd * x[i];
  if (graft == GRAFT_ADAGRAD)
    for (size_t i = 0; i < n; i++) acc[i] += G[i] * G[i];
  for (size_t l = 0; l < lay->n; l++) {
    const sl_layer *y = &lay->layer[l];
    const size_t off = y->offset, r = y->rows, c = y->cols;
    const double *Gl = G + off;
    double *xl = x + off, *P = T + off; /* the graft direction of this layer */
    for (size_t i = 0; i < y->size; i++)
      P[i] = graft == GRAFT_ADAGRAD ? Gl[i] / (sqrt(acc[off + i]) + geps) : Gl[i];
    if (c == 0) {
      for (size_t i = 0; i < y->size; i++) xl[i] -= lr * P[i];
      continue;
    }
    double *Ls = S, *Rs = S + r * r, *Lr = Rt, *Rr = Rt + r * r;
    S += r * r + c * c;
    Rt += r * r + c * c;
    const int R_ = (int)r, C_ = (int)c;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, R_, R_, C_, 1.0, Gl, C_, Gl, C_, 1.0, Ls,
                R_);
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, C_, C_, R_, 1.0, Gl, C_, Gl, C_, 1.0, Rs,
                C_);
    if (refresh) {
      if (inv_fourth_root(r, Ls, Lr, o->hp[EPSILON], eig) < 0 ||
          inv_fourth_root(c, Rs, Rr, o->hp[EPSILON], eig) < 0)
        return sl_optim_fail(o, SL_ENONFINITE,
                             "the eigendecomposition of layer %s's statistics failed (non-finite "
                             "gradient?)",
                             y->name);
    }
    double *Dl = D + off, *tmp = eig; /* tmp = L^(-1/4) G (r c <= m^2), D = tmp R^(-1/4) */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, R_, C_, R_, 1.0, Lr, R_, Gl, C_, 0.0,
                tmp, C_);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, R_, C_, C_, 1.0, tmp, C_, Rr, C_, 0.0,
                Dl, C_);
    double scale = 1.0;
    if (graft != GRAFT_NONE) {
      const double dn = sl_vec_nrm2(y->size, Dl), pn = sl_vec_nrm2(y->size, P);
      scale = dn > 0 ? pn / dn : 0.0;
    }
    for (size_t i = 0; i < y->size; i++) xl[i] -= lr * scale * Dl[i];
  }
  return SL_OK;
}

const sl_optim_ops sl_optim_shampoo = {.name = "shampoo",
                                       .hp = hp,
                                       .nhp = sizeof hp / sizeof hp[0],
                                       .bufs = bufs,
                                       .buflen = buflen,
                                       .init = init,
                                       .step = step,
                                       .destroy = destroy};
