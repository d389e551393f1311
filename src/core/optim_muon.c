/*
** optim_muon.c — Muon (Jordan et al. 2024, "Muon: An optimizer for hidden
** layers in neural networks", and the authors' reference muon.py,
** SingleDeviceMuonWithAuxAdam) over the layout's weight matrices:
**   m = m + (1 - mu)(g - m);  u = g + mu (m - g) (nesterov) or u = m
**   O = NS5(u): X = u / (|u|_F + 1e-7) (transposed when rows > cols), then
**       5 (ns_steps) times  A = X X^T;  B = b A + c A A;  X = a X + B X
**       with (a, b, c) = (3.4445, -4.7750, 2.0315), the quintic
**       Newton-Schulz iteration toward the orthogonal factor of u
**   x = x (1 - lr wd) - lr max(1, rows/cols)^(1/2) O.
** Every other layer (biases, vectors) takes the reference's auxiliary AdamW
** step with adam_lr, adam_beta1/2, adam_eps, adam_weight_decay:
**   m1 += (1 - b1)(g - m1);  m2 += (1 - b2)(g^2 - m2)
**   x = x (1 - alr awd) - alr (m1/(1 - b1^t)) / (sqrt(m2/(1 - b2^t)) + eps).
** Products through CBLAS dgemm, in double precision (the reference runs the
** iteration in bfloat16).
*/
#include <cblas.h>
#include <math.h>
#include <string.h>

#include "sl_optim.h"
#include "sl_optim_priv.h"
#include "sl_vec.h"

enum { LR, MOMENTUM, NESTEROV, NS_STEPS, WD, ALR, AB1, AB2, AEPS, AWD };

static const sl_hpspec hp[] = {
    {"lr", 0.02, SL_HP_NONNEG, NULL},        {"momentum", 0.95, SL_HP_UNIT, NULL},
    {"nesterov", 1, SL_HP_BOOL, NULL},       {"ns_steps", 5, SL_HP_COUNT, NULL},
    {"weight_decay", 0, SL_HP_NONNEG, NULL}, {"adam_lr", 3e-4, SL_HP_NONNEG, NULL},
    {"adam_beta1", 0.9, SL_HP_UNIT, NULL},   {"adam_beta2", 0.95, SL_HP_UNIT, NULL},
    {"adam_eps", 1e-10, SL_HP_NONNEG, NULL}, {"adam_weight_decay", 0, SL_HP_NONNEG, NULL}};
static const char *const bufs[] = {"momentum_buffer", "exp_avg", "exp_avg_sq", NULL};

#define NS_A 3.4445
#define NS_B (-4.7750)
#define NS_C 2.0315

/* The auxiliary AdamW step on entries [lo, hi) of a vector layer. */
typedef struct aux_args {
  double *x, *m, *v;
  const double *g;
  double b1, b2, eps, shrink, step_size, bc2;
} aux_args;

SL_OPTIM_CLONES
static void aux_kernel(size_t lo, size_t hi, const void *args) {
  const aux_args *a = args;
  double *restrict x = a->x, *restrict m = a->m, *restrict v = a->v;
  const double *restrict g = a->g;
  const double b1 = a->b1, b2 = a->b2, eps = a->eps, shrink = a->shrink;
  const double step_size = a->step_size, bc2 = a->bc2;
#pragma omp simd
  for (size_t i = lo; i < hi; i++) {
    const double gi = g[i];
    const double mi = m[i] + (1 - b1) * (gi - m[i]);
    const double vi = v[i] + (1 - b2) * (gi * gi - v[i]);
    m[i] = mi;
    v[i] = vi;
    x[i] = x[i] * shrink - step_size * (mi / (sqrt(vi / bc2) + eps));
  }
}

/* The momentum update of a matrix layer and its update direction u. */
typedef struct mom_args {
  double *m, *u;
  const double *g;
  double mu;
  int nesterov;
} mom_args;

SL_OPTIM_CLONES
static void mom_kernel(size_t lo, size_t hi, const void *args) {
  const mom_args *a = args;
  double *restrict m = a->m, *restrict u = a->u;
  const double *restrict g = a->g;
  const double mu = a->mu;
  if (a->nesterov) {
#pragma omp simd
    for (size_t i = lo; i < hi; i++) {
      const double mi = m[i] + (1 - mu) * (g[i] - m[i]);
      m[i] = mi;
      u[i] = g[i] + mu * (mi - g[i]);
    }
  } else {
#pragma omp simd
    for (size_t i = lo; i < hi; i++) {
      const double mi = m[i] + (1 - mu) * (g[i] - m[i]);
      m[i] = mi;
      u[i] = mi;
    }
  }
}

/*
** NS5 of the rows x cols matrix u (row-major) into o (same shape); work:
** X, Xn (rows*cols each), A, B (min(rows, cols)^2 each).
*/
static void newton_schulz(size_t rows, size_t cols, const double *u, double *o, size_t steps,
                          double *X, double *Xn, double *A, double *B) {
  const int tr = rows > cols;
  const size_t p = tr ? cols : rows, q = tr ? rows : cols; /* X is p x q, p <= q */
  const double scale = 1.0 / (sl_vec_nrm2(rows * cols, u) + 1e-7);
  for (size_t i = 0; i < rows; i++)
    for (size_t j = 0; j < cols; j++) {
      const double e = u[i * cols + j] * scale;
      if (tr)
        X[j * rows + i] = e;
      else
        X[i * cols + j] = e;
    }
  const int P = (int)p, Q = (int)q;
  for (size_t s = 0; s < steps; s++) {
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, P, P, Q, 1.0, X, Q, X, Q, 0.0, A, P);
    memcpy(B, A, p * p * sizeof *B); /* B = b A + c A A */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, P, P, P, NS_C, A, P, A, P, NS_B, B, P);
    memcpy(Xn, X, p * q * sizeof *Xn); /* X = a X + B X */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, P, Q, P, 1.0, B, P, X, Q, NS_A, Xn, Q);
    double *sw = X;
    X = Xn;
    Xn = sw;
  }
  for (size_t i = 0; i < rows; i++)
    for (size_t j = 0; j < cols; j++) o[i * cols + j] = tr ? X[j * rows + i] : X[i * cols + j];
}

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  const sl_layout *lay = o->layout;
  const size_t n = o->dim;
  if (lay == NULL) return sl_optim_fail(o, SL_EINVAL, "muon needs layers (the weight matrices)");
  double *U = o->scratch, *X = U + n, *Xn = X + n, *A = Xn + n, *B = A + n;
  const double lr = o->hp[LR], t = (double)o->t;
  const double ab1 = o->hp[AB1], ab2 = o->hp[AB2], alr = o->hp[ALR];
  for (size_t l = 0; l < lay->n; l++) {
    const sl_layer *y = &lay->layer[l];
    const size_t off = y->offset;
    if (y->cols == 0) {
      const aux_args a = {.x = x + off,
                          .m = o->buf[1] + off,
                          .v = o->buf[2] + off,
                          .g = g + off,
                          .b1 = ab1,
                          .b2 = ab2,
                          .eps = o->hp[AEPS],
                          .shrink = 1 - alr * o->hp[AWD],
                          .step_size = alr / (1 - pow(ab1, t)),
                          .bc2 = 1 - pow(ab2, t)};
      sl_optim_foreach(y->size, aux_kernel, &a);
      continue;
    }
    const mom_args ma = {.m = o->buf[0] + off,
                         .u = U,
                         .g = g + off,
                         .mu = o->hp[MOMENTUM],
                         .nesterov = o->hp[NESTEROV] != 0};
    sl_optim_foreach(y->size, mom_kernel, &ma);
    newton_schulz(y->rows, y->cols, U, U, (size_t)o->hp[NS_STEPS], X, Xn, A, B);
    const double ratio = (double)y->rows / (double)y->cols;
    const double step_size = lr * sqrt(ratio > 1 ? ratio : 1.0);
    const double shrink = 1 - lr * o->hp[WD];
    double *xl = x + off;
    for (size_t i = 0; i < y->size; i++) xl[i] = xl[i] * shrink - step_size * U[i];
  }
  return SL_OK;
}

const sl_optim_ops sl_optim_muon = {.name = "muon",
                                    .hp = hp,
                                    .nhp = sizeof hp / sizeof hp[0],
                                    .bufs = bufs,
                                    .nscratch = 5,
                                    .step = step};
