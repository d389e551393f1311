/*
** obj_mlp.c — a small fully connected network as a data objective:
** construction, activations (a vectorized tanh), and the plain forward and
** backward passes over a batch of rows through CBLAS dgemm:
**     Z_l = A_{l-1} W_l^T + 1 b_l^T,   A_l = act(Z_l)  (l < L),  Z_L = outputs;
**     D_L = dloss/dZ_L,  grad W_l = D_l^T A_{l-1},  grad b_l = 1^T D_l,
**     D_{l-1} = (D_l W_l) .* act'(Z_{l-1})          (Rumelhart et al. 1986).
** The plain passes serve one-sample gradients; the objective's loss and
** gradient run row-parallel in cache-sized chunks (obj_mlp_fg.c), and so does
** the Hessian-vector product (Pearlmutter's R-operator, obj_mlp_hvp.c).
** Parameters, per layer in order: W_l (out x in, row-major) then b_l.
*/
#include <cblas.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obj_data.h"
#include "obj_exp.h"
#include "obj_mlp.h"
#include "sl_rng.h"
#include "sl_vec.h"

static void mlp_destroy(void *impl) {
  mlp *m = impl;
  if (m == NULL) return;
  free(m->lab);
  free(m->Y);
  free(m->A0);
  for (size_t l = 0; l < m->L; l++) {
    free(m->Z[l]);
    free(m->A[l]);
  }
  free(m->D);
  free(m->Dn);
  sl_mlp_hvp_free(m);
  sl_tacc_free(&m->acc);
  free(m);
}

/* gelu(z) = z Phi(z) (Hendrycks & Gimpel 2016, exact erf form);
   gelu' = Phi + z phi, gelu'' = phi (2 - z^2). */
static inline double Phi(double z) { return 0.5 * erfc(-z * M_SQRT1_2); }
static inline double phi(double z) { return exp(-0.5 * z * z) * (0.5 * M_2_SQRTPI * M_SQRT1_2); }

double sl_mlp_d1(sl_activation act, double z, double a) {
  switch (act) {
  case SL_ACT_TANH: return 1.0 - a * a;
  case SL_ACT_RELU: return z > 0 ? 1.0 : 0.0;
  default: return Phi(z) + z * phi(z);
  }
}

double sl_mlp_d2(sl_activation act, double z, double a) {
  switch (act) {
  case SL_ACT_TANH: return -2.0 * a * (1.0 - a * a);
  case SL_ACT_RELU: return 0.0;
  default: return phi(z) * (2.0 - z * z);
  }
}

/* The elementwise kernels: 8 lanes in the AVX-512 clone, 4 in AVX2, and
   fused multiply-adds where the clone has them (-std=c11 turns contraction
   off; FMA halves tanh's cost and only improves its rounding). */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__) &&                             \
    !defined(__SANITIZE_ADDRESS__)
#define SL_MLP_CLONES                                                                              \
  __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"))) SL_MLP_FMA
#define SL_MLP_FMA __attribute__((optimize("fp-contract=fast")))
#else
#define SL_MLP_FMA
#define SL_MLP_CLONES
#endif

/* tanh z = sign(z) (1 - e) / (1 + e) = -sign(z) em1 / (2 + em1) with
   em1 = e^-2|z| - 1 (the exp kernel of obj_exp.h, vectorizable); |z| >= 20
   gives +-1 as libm does. */
SL_MLP_FMA static inline double tanh1(double z) {
  double t = fabs(z);
  t = t < 20.0 ? t : 20.0;
  double em1 = sl_expm1_neg(2.0 * t), q = -em1 / (2.0 + em1);
  return z < 0 ? -q : q;
}

SL_MLP_CLONES
static void tanh_rows(size_t cnt, const double *z, double *a) {
#pragma omp simd
  for (size_t k = 0; k < cnt; k++) a[k] = tanh1(z[k]);
}

/* Z += 1 b^T then A = tanh(Z), row by row (r rows of width w). */
SL_MLP_CLONES
static void tanh_bias(size_t r, size_t w, const double *b, double *Z, double *A) {
  for (size_t k = 0; k < r; k++) {
    double *z = Z + k * w, *a = A + k * w;
#pragma omp simd
    for (size_t j = 0; j < w; j++) {
      double zz = z[j] + b[j];
      z[j] = zz;
      a[j] = tanh1(zz);
    }
  }
}

static void activate(sl_activation act, size_t cnt, const double *z, double *a) {
  switch (act) {
  case SL_ACT_TANH: tanh_rows(cnt, z, a); break;
  case SL_ACT_RELU:
    for (size_t k = 0; k < cnt; k++) a[k] = z[k] > 0 ? z[k] : 0.0;
    break;
  default:
    for (size_t k = 0; k < cnt; k++) a[k] = z[k] * Phi(z[k]);
  }
}

void sl_mlp_bias_act(sl_activation act, size_t r, size_t w, const double *b, double *Z, double *A) {
  if (act == SL_ACT_TANH) {
    tanh_bias(r, w, b, Z, A);
    return;
  }
  for (size_t k = 0; k < r; k++) sl_daxpy(w, Z + k * w, 1.0, b);
  activate(act, r * w, Z, A);
}

void sl_mlp_dact(sl_activation act, size_t cnt, const double *Z, const double *A, double *D) {
  if (act == SL_ACT_TANH) {
#pragma omp simd
    for (size_t e = 0; e < cnt; e++) D[e] *= 1.0 - A[e] * A[e];
  } else {
    for (size_t e = 0; e < cnt; e++) D[e] *= sl_mlp_d1(act, Z[e], A[e]);
  }
}

const double *sl_mlp_input(sl_objective *o, mlp *m) {
  if (o->idx == NULL) return m->X;
  for (size_t k = 0; k < o->n; k++)
    memcpy(m->A0 + k * m->d, m->X + o->idx[k] * m->d, m->d * sizeof(double));
  return m->A0;
}

void sl_mlp_affine(size_t r, size_t in, size_t out, const double *A, const double *W,
                   const double *b, double *Z) {
  for (size_t k = 0; k < r; k++) memcpy(Z + k * out, b, out * sizeof *Z);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)r, (int)out, (int)in, 1.0, A, (int)in,
              W, (int)in, 1.0, Z, (int)out);
}

void sl_mlp_colsum(size_t r, size_t c, const double *D, double *out) {
  memset(out, 0, c * sizeof *out);
  for (size_t k = 0; k < r; k++) {
    const double *d = D + k * c;
#pragma omp simd
    for (size_t j = 0; j < c; j++) out[j] += d[j];
  }
}

double sl_mlp_forward(mlp *m, const double *A0, size_t r, const double *x, const size_t *rows) {
  const double *Ain = A0;
  size_t L = m->L;
  for (size_t l = 0; l < L; l++) {
    size_t in = m->size[l], out = m->size[l + 1];
    sl_mlp_affine(r, in, out, Ain, x + m->woff[l], x + m->boff[l], m->Z[l]);
    if (l + 1 < L) {
      activate(m->act, r * out, m->Z[l], m->A[l]);
      Ain = m->A[l];
    }
  }
  size_t K = m->size[L];
  const double *Zo = m->Z[L - 1];
  double loss = 0.0;
  if (m->loss == SL_LOSS_XENT) {
    double *P = m->A[L - 1];
    for (size_t k = 0; k < r; k++) {
      const double *z = Zo + k * K;
      loss += sl_softmax(K, z, P + k * K) - z[m->lab[sl_mlp_row(rows, k)]];
    }
  } else {
    for (size_t k = 0; k < r; k++) {
      const double *z = Zo + k * K, *y = m->Y + sl_mlp_row(rows, k) * K;
      for (size_t c = 0; c < K; c++) loss += 0.5 * (z[c] - y[c]) * (z[c] - y[c]);
    }
  }
  return loss;
}

void sl_mlp_out_delta(mlp *m, size_t r, const size_t *rows) {
  size_t K = m->size[m->L];
  const double *Zo = m->Z[m->L - 1];
  if (m->loss == SL_LOSS_XENT) {
    memcpy(m->D, m->A[m->L - 1], r * K * sizeof(double));
    for (size_t k = 0; k < r; k++) m->D[k * K + m->lab[sl_mlp_row(rows, k)]] -= 1.0;
  } else {
    for (size_t k = 0; k < r; k++) {
      const double *y = m->Y + sl_mlp_row(rows, k) * K;
      for (size_t c = 0; c < K; c++) m->D[k * K + c] = Zo[k * K + c] - y[c];
    }
  }
}

void sl_mlp_backward(mlp *m, const double *A0, size_t r, const double *x, double *g) {
  double *D = m->D, *Dn = m->Dn;
  for (size_t l = m->L; l-- > 0;) {
    size_t in = m->size[l], out = m->size[l + 1];
    const double *Ain = l == 0 ? A0 : m->A[l - 1];
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)out, (int)in, (int)r, 1.0, D,
                (int)out, Ain, (int)in, 0.0, g + m->woff[l], (int)in);
    sl_mlp_colsum(r, out, D, g + m->boff[l]);
    if (l == 0) break;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)r, (int)in, (int)out, 1.0, D,
                (int)out, x + m->woff[l], (int)in, 0.0, Dn, (int)in);
    sl_mlp_dact(m->act, r * in, m->Z[l - 1], m->A[l - 1], Dn);
    double *t = D;
    D = Dn;
    Dn = t;
  }
}

void sl_mlp_finish(const mlp *m, size_t r, const double *x, double loss, double *f, double *g) {
  double inv = 1.0 / (double)r, reg = 0.0;
  for (size_t l = 0; l < m->L; l++) {
    size_t nw = m->size[l] * m->size[l + 1];
    const double *w = x + m->woff[l];
    if (f && m->l2 > 0) reg += sl_vec_dot(nw, w, w);
    if (g) {
      double *gw = g + m->woff[l], *gb = g + m->boff[l];
      for (size_t k = 0; k < nw; k++) gw[k] = gw[k] * inv + m->l2 * w[k];
      for (size_t k = 0; k < m->size[l + 1]; k++) gb[k] *= inv;
    }
  }
  if (f) *f = loss * inv + 0.5 * m->l2 * reg;
}

static sl_status mlp_sample_fg(sl_objective *o, const double *x, size_t k, double *f, double *g) {
  mlp *m = o->impl;
  size_t i = sl_obj_row(o, k);
  memcpy(m->A0, m->X + i * m->d, m->d * sizeof(double));
  double loss = sl_mlp_forward(m, m->A0, 1, x, &i);
  if (g) {
    sl_mlp_out_delta(m, 1, &i);
    sl_mlp_backward(m, m->A0, 1, x, g);
  }
  sl_mlp_finish(m, 1, x, loss, f, g);
  return SL_OK;
}

/* Glorot normal (std sqrt(2/(in+out))) for tanh layers and the output layer,
   He normal (std sqrt(2/in)) for relu/gelu hidden layers; biases zero. */
static void mlp_init(sl_objective *o, struct sl_rng *rng, double *x) {
  mlp *m = o->impl;
  for (size_t l = 0; l < m->L; l++) {
    size_t in = m->size[l], out = m->size[l + 1];
    int he = m->act != SL_ACT_TANH && l + 1 < m->L;
    double sd = he ? sqrt(2.0 / (double)in) : sqrt(2.0 / (double)(in + out));
    for (size_t k = 0; k < in * out; k++) x[m->woff[l] + k] = sd * sl_rng_normal(rng);
    for (size_t k = 0; k < out; k++) x[m->boff[l] + k] = 0.0;
  }
}

/* ---- the fitted model ---------------------------------------------------- */

static void mlp_info(const sl_objective *o, sl_model_info *info) {
  const mlp *m = o->impl;
  info->kind = SL_MODEL_MLP;
  info->features = m->d;
  info->outputs = m->size[m->L];
  info->classes = m->loss == SL_LOSS_XENT ? m->size[m->L] : 0;
}

/*
** The forward pass over new rows (sl_model_predict checked X: dense, d
** columns) in chunks of C rows through two buffers that take turns as a
** layer's input and output: the same affine maps and activations as the
** training pass, then scores, probabilities (the one softmax) or labels.
*/
static sl_status mlp_predict(sl_objective *o, const double *x, const sl_mat *Xd, const sl_csr *Xs,
                             sl_predict_what what, double *out) {
  (void)Xs;
  const mlp *m = o->impl;
  size_t r = Xd->rows, L = m->L, K = m->size[L], C = 256;
  double *buf = malloc(2 * C * m->maxw * sizeof *buf);
  if (buf == NULL) return SL_ENOMEM;
  for (size_t k0 = 0; k0 < r; k0 += C) {
    size_t c = r - k0 < C ? r - k0 : C;
    const double *Ain = Xd->data + k0 * m->d;
    double *Z = buf;
    for (size_t l = 0; l < L; l++) {
      Z = buf + (l % 2) * C * m->maxw;
      sl_mlp_affine(c, m->size[l], m->size[l + 1], Ain, x + m->woff[l], x + m->boff[l], Z);
      if (l + 1 < L) activate(m->act, c * m->size[l + 1], Z, Z);
      Ain = Z;
    }
    for (size_t k = 0; k < c; k++) {
      double *z = Z + k * K;
      if (what == SL_PREDICT_LABELS)
        out[k0 + k] = (double)sl_argmax(K, z);
      else if (what == SL_PREDICT_PROBA)
        sl_softmax(K, z, out + (k0 + k) * K);
      else
        memcpy(out + (k0 + k) * K, z, K * sizeof *z);
    }
  }
  free(buf);
  return SL_OK;
}

/* W1, b1, W2, b2, ...: each W_l out x in (row-major), then b_l. */
static size_t mlp_blocks(const sl_objective *o, sl_param_block *b, size_t max) {
  const mlp *m = o->impl;
  size_t nb = 0;
  for (size_t l = 0; l < m->L; l++)
    for (int bias = 0; bias < 2; bias++, nb++) {
      if (nb >= max) continue;
      snprintf(b[nb].name, sizeof b[nb].name, "%c%u", bias ? 'b' : 'W', (unsigned)(l + 1));
      b[nb].offset = bias ? m->boff[l] : m->woff[l];
      b[nb].rows = m->size[l + 1];
      b[nb].cols = bias ? 0 : m->size[l];
    }
  return nb;
}

static const sl_model_ops mlp_model = {
    .info = mlp_info, .predict = mlp_predict, .blocks = mlp_blocks};

static const sl_objective_ops mlp_ops = {.name = "mlp",
                                         .model = &mlp_model,
                                         .fg = sl_mlp_fg,
                                         .hvp = sl_mlp_hvp,
                                         .sample_fg = mlp_sample_fg,
                                         .init = mlp_init,
                                         .destroy = mlp_destroy,
                                         .hvp_begin = sl_mlp_hvp_begin,
                                         .hvp_end = sl_mlp_hvp_end};

size_t sl_mlp_layer(const sl_objective *o, size_t l, size_t *in, size_t *out, size_t *w_off,
                    size_t *b_off) {
  if (o == NULL || o->ops != &mlp_ops) return 0;
  const mlp *m = o->impl;
  if (l >= m->L) return 0;
  *in = m->size[l];
  *out = m->size[l + 1];
  *w_off = m->woff[l];
  *b_off = m->boff[l];
  return m->L;
}

static double *alloc_rows(size_t n, size_t w, int *fail) {
  size_t cnt;
  if (sl_size_product(n, w ? w : 1, &cnt) != SL_OK) {
    *fail = 1;
    return NULL;
  }
  double *p = malloc(cnt * sizeof *p);
  if (p == NULL) *fail = 1;
  return p;
}

/* Write the message, return st. */
__attribute__((format(printf, 4, 5))) static sl_status bad(char *msg, size_t msglen, sl_status st,
                                                           const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, msglen, fmt, ap);
  va_end(ap);
  return st;
}

/* The shape options: X, layers, activation, outputs, l2; SL_OK or the status
   with msg saying what is wrong. */
static sl_status check_shape(const sl_mlp_opts *p, char *msg, size_t msglen) {
  const sl_mat *X = p->X;
  if (X == NULL || X->rows == 0 || X->cols == 0)
    return bad(msg, msglen, SL_EINVAL, "X must be a non-empty dense matrix");
  if (p->nhidden + 1 > SL_MLP_MAX_LAYERS)
    return bad(msg, msglen, SL_EINVAL, "at most %d hidden layers", SL_MLP_MAX_LAYERS - 1);
  for (size_t l = 0; l < p->nhidden; l++)
    if (p->hidden[l] < 1 || p->hidden[l] > (1u << 20))
      return bad(msg, msglen, SL_EINVAL, "hidden[%zu] must be an integer in 1..%u, got %zu", l + 1,
                 1u << 20, p->hidden[l]);
  if (p->act != SL_ACT_TANH && p->act != SL_ACT_RELU && p->act != SL_ACT_GELU)
    return bad(msg, msglen, SL_EINVAL, "unknown activation");
  if (p->loss == SL_LOSS_XENT && p->outputs < 2)
    return bad(msg, msglen, SL_EINVAL, "classes must be >= 2");
  if (p->outputs < 1) return bad(msg, msglen, SL_EINVAL, "outputs must be >= 1");
  if (p->outputs > (1u << 20) || X->cols > (1u << 24) || X->rows > (1u << 30))
    return bad(msg, msglen, SL_EINVAL, "sizes too large");
  if (!(p->l2 >= 0) || !isfinite(p->l2))
    return bad(msg, msglen, SL_EINVAL, "l2 must be a finite number >= 0");
  return SL_OK;
}

/* The data: X finite, y of the right length, finite, labels in 0..K-1 (xent). */
static sl_status check_data(const sl_mlp_opts *p, char *msg, size_t msglen) {
  const sl_mat *X = p->X;
  for (size_t k = 0; k < X->rows * X->cols; k++)
    if (!isfinite(X->data[k]))
      return bad(msg, msglen, SL_ENONFINITE, "X(%zu, %zu) is not finite", k / X->cols + 1,
                 k % X->cols + 1);
  size_t n = X->rows, K = p->outputs;
  size_t want = p->loss == SL_LOSS_XENT ? n : n * K;
  if (p->ny != want && p->loss == SL_LOSS_XENT)
    return bad(msg, msglen, SL_EDIM, "X has %zu rows but y has %zu labels", n, p->ny);
  if (p->ny != want)
    return bad(msg, msglen, SL_EDIM, "y must hold %zu x %zu targets, got %zu entries", n, K, p->ny);
  for (size_t i = 0; i < p->ny; i++) {
    double y = p->y[i];
    if (!isfinite(y)) return bad(msg, msglen, SL_ENONFINITE, "y[%zu] is not finite", i + 1);
    if (p->loss == SL_LOSS_XENT && (y < 0 || y > (double)(K - 1) || y != floor(y)))
      return bad(msg, msglen, SL_EINVAL, "label of sample %zu is %g, expected an integer in 0..%zu",
                 i + 1, y, K - 1);
  }
  return SL_OK;
}

/* Layer sizes, parameter offsets (W_l then b_l per layer) and the rest of the
   options into m. */
static void layout(mlp *m, const sl_mlp_opts *p) {
  m->L = p->nhidden + 1;
  m->size[0] = p->X->cols;
  for (size_t l = 0; l < p->nhidden; l++) m->size[l + 1] = p->hidden[l];
  m->size[m->L] = p->outputs;
  size_t off = 0;
  m->maxw = 0;
  for (size_t l = 0; l < m->L; l++) {
    m->woff[l] = off;
    off += m->size[l] * m->size[l + 1];
    m->boff[l] = off;
    off += m->size[l + 1];
    if (m->size[l + 1] > m->maxw) m->maxw = m->size[l + 1];
  }
  m->dim = off;
  m->act = p->act;
  m->loss = p->loss;
  m->X = p->X->data;
  m->n = p->X->rows;
  m->d = p->X->cols;
  m->l2 = p->l2;
}

/* The copied labels or targets and the batch buffers; 0 on ENOMEM. */
static int alloc_buffers(mlp *m, const sl_mlp_opts *p) {
  size_t n = m->n, K = p->outputs;
  int fail = 0;
  if (p->loss == SL_LOSS_XENT) {
    m->lab = malloc(n * sizeof *m->lab);
    if (m->lab == NULL)
      fail = 1;
    else
      for (size_t i = 0; i < n; i++) m->lab[i] = (size_t)p->y[i];
  } else {
    m->Y = malloc(n * K * sizeof *m->Y);
    if (m->Y == NULL)
      fail = 1;
    else
      memcpy(m->Y, p->y, n * K * sizeof *m->Y);
  }
  m->A0 = alloc_rows(n, m->d, &fail);
  for (size_t l = 0; l < m->L && !fail; l++) {
    m->Z[l] = alloc_rows(n, m->size[l + 1], &fail);
    m->A[l] = alloc_rows(n, m->size[l + 1], &fail);
  }
  m->D = alloc_rows(n, m->maxw, &fail);
  m->Dn = alloc_rows(n, m->maxw, &fail);
  return !fail;
}

sl_objective *sl_obj_mlp_new(const sl_mlp_opts *p, sl_status *st, char *msg, size_t msglen) {
  msg[0] = '\0';
  if ((*st = check_shape(p, msg, msglen)) != SL_OK) return NULL;
  if ((*st = check_data(p, msg, msglen)) != SL_OK) return NULL;
  *st = SL_ENOMEM;
  mlp *m = calloc(1, sizeof *m);
  if (m == NULL) return NULL;
  layout(m, p);
  sl_objective *o = alloc_buffers(m, p) ? sl_obj_new(&mlp_ops, m, m->dim, m->n) : NULL;
  if (o == NULL) {
    mlp_destroy(m);
    return NULL;
  }
  *st = SL_OK;
  return o;
}
