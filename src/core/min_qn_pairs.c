/*
** min_qn_pairs.c — the limited-memory pairs of lbfgs and owlqn (min_qn_pairs.h).
*/
#include "min_qn_pairs.h"

#include <math.h>
#include <stdio.h>

#include "sl_mat.h"
#include "sl_vec.h"

sl_status sl_qn_check(const sl_min_params *p, char *msg, size_t len) {
  if (p->m < 1 || p->m > 1000) {
    snprintf(msg, len, "m must be in 1..1000, got %d", p->m);
    return SL_EINVAL;
  }
  if (!(p->curv_eps >= 0.0 && p->curv_eps < 1.0)) {
    snprintf(msg, len, "curv_eps must be in [0, 1), got %g", p->curv_eps);
    return SL_EINVAL;
  }
  return SL_OK;
}

size_t sl_qn_pairs_size(int m, size_t n) {
  size_t mm = (size_t)m, mn;
  if (sl_size_product(mm * 2, n ? n : 1, &mn) != SL_OK || mn > (size_t)-1 / 16 - 2 * mm) return 0;
  return mn + 2 * mm;
}

void sl_qn_pairs_init(sl_qn_pairs *p, double *mem, int m, size_t n) {
  size_t mm = (size_t)m, nn = n ? n : 1;
  p->S = mem;
  p->Y = p->S + mm * nn;
  p->rho = p->Y + mm * nn;
  p->alpha = p->rho + mm;
  p->n = n;
  p->m = m;
  p->mlen = p->mhead = 0;
}

void sl_qn_pairs_reset(sl_qn_pairs *p) { p->mlen = p->mhead = 0; }

void sl_qn_two_loop(sl_qn_pairs *p, const double *g, double *d) {
  size_t n = p->n;
  int m = p->m;
  double *q = d;
  sl_vec_copy(n, q, g);
  for (int k = 0; k < p->mlen; k++) {
    int j = (p->mhead - 1 - k + m) % m;
    const double *sj = p->S + (size_t)j * n, *yj = p->Y + (size_t)j * n;
    double a = p->rho[j] * sl_vec_dot(n, sj, q);
    p->alpha[j] = a;
    sl_vec_axpy(n, q, -a, yj);
  }
  if (p->mlen > 0) {
    int j = (p->mhead - 1 + m) % m;
    const double *yj = p->Y + (size_t)j * n;
    sl_vec_scale(n, q, 1.0 / (p->rho[j] * sl_vec_dot(n, yj, yj)));
  }
  for (int k = p->mlen - 1; k >= 0; k--) {
    int j = (p->mhead - 1 - k + m) % m;
    const double *sj = p->S + (size_t)j * n, *yj = p->Y + (size_t)j * n;
    double b = p->rho[j] * sl_vec_dot(n, yj, q);
    sl_vec_axpy(n, q, p->alpha[j] - b, sj);
  }
  sl_vec_scale(n, q, -1.0);
}

int sl_qn_pairs_push(sl_qn_pairs *p, const double *xt, const double *x, const double *gt,
                     const double *g, double curv_eps) {
  size_t n = p->n;
  double ys = 0.0, ss = 0.0, yy = 0.0;
  for (size_t i = 0; i < n; i++) {
    double si = xt[i] - x[i], yi = gt[i] - g[i];
    ys += yi * si;
    ss += si * si;
    yy += yi * yi;
  }
  if (!(ys > curv_eps * sqrt(yy) * sqrt(ss))) return 0;
  int j = p->mhead;
  double *sj = p->S + (size_t)j * n, *yj = p->Y + (size_t)j * n;
  for (size_t i = 0; i < n; i++) {
    sj[i] = xt[i] - x[i];
    yj[i] = gt[i] - g[i];
  }
  p->rho[j] = 1.0 / sl_vec_dot(n, yj, sj);
  p->mhead = (p->mhead + 1) % p->m;
  if (p->mlen < p->m) p->mlen++;
  return 1;
}

void sl_qn_pairs_state(const sl_qn_pairs *p, const sl_min_visit *v) {
  size_t n = p->n;
  int m = p->m;
  const char *names[2] = {"s", "y"};
  const double *base[2] = {p->S, p->Y};
  for (int w = 0; w < 3; w++) {
    v->list(v->ctx, w < 2 ? names[w] : "rho", (size_t)p->mlen);
    for (int k = 0; k < p->mlen; k++) {
      int j = (p->mhead - p->mlen + k + m) % m;
      if (w < 2)
        v->vec(v->ctx, NULL, base[w] + (size_t)j * n, n);
      else
        v->num(v->ctx, NULL, p->rho[j]);
    }
    v->end_list(v->ctx);
  }
  v->integer(v->ctx, "m", m);
}
