/*
** optim_adafactor.c — Adafactor (Shazeer & Stern 2018, "Adafactor: Adaptive
** Learning Rates with Sublinear Memory Cost", Alg. 4 (matrices) and 5
** (vectors)), with the defaults and step-size rule of the reference
** implementations (fairseq's / transformers' Adafactor), per layer of
** o->layout: a matrix layer (rows x cols, row-major) keeps a row and a column
** average of the squared gradients (rows + cols numbers), a vector layer a
** full one. Without a layout the whole vector is one vector layer. At step t,
** for each layer:
**   rho = min(lr, 1/sqrt(t)) if relative_step (min(1e-6 t, 1/sqrt t) with
**         warmup_init) else lr;   a = rho max(eps2, RMS(x_l)) if
**         scale_parameter else rho;   b2 = 1 - t^decay_rate;
**   G = g^2 + eps1;  matrix: R = b2 R + (1 - b2) rowmean(G),
**                            C = b2 C + (1 - b2) colmean(G),
**                            u_ij = g_ij / sqrt(R_i / mean(R)) / sqrt(C_j);
**                    vector: V = b2 V + (1 - b2) G,  u = g / sqrt(V);
**   u = a u / max(1, RMS(u) / clip_threshold);
**   beta1 > 0: m = beta1 m + (1 - beta1) u, u = m;
**   x_l = x_l - wd a x_l - u.
** The paper's relative step min(1e-2, 1/sqrt t) is lr = 1e-2 (the default),
** so a schedule on opt.lr scales its cap. beta1 = 0 is the reference's
** beta1=None (no first moment, no buffer); it cannot switch between 0 and
** > 0 after the first step (the buffer is sized then).
*/
#include <math.h>

#include "optim_reduce.h"
#include "sl_optim.h"
#include "sl_optim_priv.h"

enum { LR, EPS1, EPS2, CLIP, DECAY, B1, WD, SCALE, RELATIVE, WARMUP };

static const sl_hpspec hp[] = {
    {"lr", 1e-2, SL_HP_NONNEG, NULL},        {"eps1", 1e-30, SL_HP_NONNEG, NULL},
    {"eps2", 1e-3, SL_HP_NONNEG, NULL},      {"clip_threshold", 1.0, SL_HP_POS, NULL},
    {"decay_rate", -0.8, SL_HP_NUM, NULL},   {"beta1", 0, SL_HP_UNIT, NULL},
    {"weight_decay", 0, SL_HP_NONNEG, NULL}, {"scale_parameter", 1, SL_HP_BOOL, NULL},
    {"relative_step", 1, SL_HP_BOOL, NULL},  {"warmup_init", 0, SL_HP_BOOL, NULL}};
static const char *const bufs[] = {"exp_avg", "exp_avg_sq", NULL};

/* exp_avg: dim entries when beta1 > 0 at the first step, else none;
   exp_avg_sq: rows + cols per matrix layer, size per vector layer. */
static size_t buflen(const sl_optimizer *o, size_t k) {
  if (k == 0) return o->hp[B1] > 0 ? o->dim : 0;
  if (o->layout == NULL) return o->dim;
  size_t n = 0;
  for (size_t l = 0; l < o->layout->n; l++) {
    const sl_layer *y = &o->layout->layer[l];
    n += y->cols ? y->rows + y->cols : y->size;
  }
  return n;
}

static sl_status check(sl_optimizer *o) {
  if (!(o->hp[DECAY] < 0 && o->hp[DECAY] >= -1))
    return sl_optim_fail(o, SL_EINVAL, "decay_rate must be in [-1, 0), got %g", o->hp[DECAY]);
  if (o->dim && (o->hp[B1] > 0) != (o->buf[1] != o->buf[0]))
    return sl_optim_fail(o, SL_EINVAL,
                         "beta1 cannot switch between 0 (no first moment) and > 0 after the "
                         "first step");
  return SL_OK;
}

typedef struct ada_args {
  double *x, *m;
  const double *u;
  double b1, shrink, scale;
  int variant; /* (beta1 > 0) + 2 (wd != 0) */
} ada_args;

/* u (unclipped, unscaled) -> x, with the first moment when beta1 > 0. */
SL_OPTIM_INLINE void ada_loop(size_t lo, size_t hi, const ada_args *a, int mom, int decay) {
  double *restrict x = a->x, *restrict m = a->m;
  const double *restrict u = a->u;
  const double b1 = a->b1, shrink = a->shrink, scale = a->scale;
#pragma omp simd
  for (size_t i = lo; i < hi; i++) {
    double ui = u[i] * scale;
    if (mom) {
      ui = m[i] * b1 + (1 - b1) * ui;
      m[i] = ui;
    }
    double xi = x[i];
    if (decay) xi = xi + shrink * xi;
    x[i] = xi - ui;
  }
}

SL_OPTIM_CLONES
static void ada_kernel(size_t lo, size_t hi, const void *args) {
  const ada_args *a = args;
  switch (a->variant) {
  case 0: ada_loop(lo, hi, a, 0, 0); break;
  case 1: ada_loop(lo, hi, a, 1, 0); break;
  case 2: ada_loop(lo, hi, a, 0, 1); break;
  default: ada_loop(lo, hi, a, 1, 1);
  }
}

/* The unscaled update of one matrix layer into u; R, C its row and column
   averages. Returns sum u^2. The column sums go through u first. */
static double matrix_update(const double *g, double *u, double *R, double *C, size_t rows,
                            size_t cols, double b2, double eps1) {
  for (size_t j = 0; j < cols; j++) u[j] = 0;
  double rsum = 0;
  for (size_t i = 0; i < rows; i++) {
    const double *gi = g + i * cols;
    double s = 0;
    for (size_t j = 0; j < cols; j++) {
      const double q = gi[j] * gi[j] + eps1;
      s += q;
      u[j] += q;
    }
    R[i] = b2 * R[i] + (1 - b2) * (s / (double)cols);
    rsum += R[i];
  }
  for (size_t j = 0; j < cols; j++) C[j] = b2 * C[j] + (1 - b2) * (u[j] / (double)rows);
  const double rmean = rsum / (double)rows;
  double ss = 0;
  for (size_t i = 0; i < rows; i++) {
    const double rf = 1 / sqrt(R[i] / rmean);
    const double *gi = g + i * cols;
    double *ui = u + i * cols;
    for (size_t j = 0; j < cols; j++) {
      const double v = rf * (1 / sqrt(C[j])) * gi[j];
      ui[j] = v;
      ss += v * v;
    }
  }
  return ss;
}

/* A vector layer: V and u, and per chunk sum u^2 (threaded, optim_reduce.h). */
typedef struct vec_args {
  const double *g;
  double *u, *V, *part;
  double b2, eps1;
} vec_args;

SL_OPTIM_CLONES
static void vector_kernel(size_t lo, size_t hi, const void *args) {
  const vec_args *a = args;
  const double *restrict g = a->g;
  double *restrict u = a->u, *restrict V = a->V;
  const double b2 = a->b2, eps1 = a->eps1;
  for (size_t c = lo; c < hi; c += SL_RED_CHUNK) {
    const size_t e = c + SL_RED_CHUNK < hi ? c + SL_RED_CHUNK : hi;
    double ss = 0;
    for (size_t i = c; i < e; i++) {
      const double vi = b2 * V[i] + (1 - b2) * (g[i] * g[i] + eps1);
      V[i] = vi;
      const double v = 1 / sqrt(vi) * g[i];
      u[i] = v;
      ss += v * v;
    }
    a->part[c / SL_RED_CHUNK] = ss;
  }
}

static int vector_update(const double *g, double *u, double *V, size_t n, double b2, double eps1,
                         double *ss) {
  double buf[SL_RED_STACK];
  const size_t k = sl_red_nchunks(n);
  double *part = sl_red_space(buf, k);
  if (part == NULL) return -1;
  const vec_args a = {.g = g, .u = u, .V = V, .part = part, .b2 = b2, .eps1 = eps1};
  sl_optim_foreach(n, vector_kernel, &a);
  *ss = sl_red_total(part, k);
  sl_red_free(buf, part);
  return 0;
}

static sl_status step(sl_optimizer *o, double *x, const double *g) {
  const double t = (double)o->t, eps1 = o->hp[EPS1], eps2 = o->hp[EPS2];
  double rho = o->hp[LR];
  if (o->hp[RELATIVE] != 0) {
    const double cap = o->hp[WARMUP] != 0 ? 1e-6 * t : o->hp[LR];
    rho = fmin(cap, 1 / sqrt(t));
  }
  const double b2 = 1 - pow(t, o->hp[DECAY]), b1 = o->hp[B1], wd = o->hp[WD];
  const size_t nl = o->layout ? o->layout->n : 1;
  double *state = o->buf[1], *u = o->scratch;
  for (size_t l = 0; l < nl; l++) {
    const sl_layer *y = o->layout ? &o->layout->layer[l] : NULL;
    const size_t off = y ? y->offset : 0, n = y ? y->size : o->dim;
    double a = rho;
    if (o->hp[SCALE] != 0) {
      double xs;
      if (sl_red_sumsq(n, x + off, &xs) < 0)
        return sl_optim_fail(o, SL_ENOMEM, "no memory for the sums");
      a = rho * fmax(eps2, sqrt(xs) / sqrt((double)n));
    }
    double ss;
    if (y && y->cols) {
      ss = matrix_update(g + off, u + off, state, state + y->rows, y->rows, y->cols, b2, eps1);
      state += y->rows + y->cols;
    } else {
      if (vector_update(g + off, u + off, state, n, b2, eps1, &ss) < 0)
        return sl_optim_fail(o, SL_ENOMEM, "no memory for the sums");
      state += n;
    }
    const double clip = fmax(1.0, sqrt(ss) / sqrt((double)n) / o->hp[CLIP]);
    const ada_args args = {.x = x + off,
                           .m = o->buf[0] + (b1 > 0 ? off : 0),
                           .u = u + off,
                           .b1 = b1,
                           .shrink = -wd * a,
                           .scale = a / clip,
                           .variant = (b1 > 0) + 2 * (wd != 0)};
    sl_optim_foreach(n, ada_kernel, &args);
  }
  return SL_OK;
}

const sl_optim_ops sl_optim_adafactor = {.name = "adafactor",
                                         .hp = hp,
                                         .nhp = sizeof hp / sizeof hp[0],
                                         .bufs = bufs,
                                         .nscratch = 1,
                                         .check = check,
                                         .buflen = buflen,
                                         .step = step};
