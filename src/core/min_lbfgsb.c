/*
** min_lbfgsb.c — L-BFGS-B: limited-memory BFGS inside the box l <= x <= u
** (Byrd, Lu, Nocedal & Zhu, "A limited memory algorithm for bound constrained
** optimization", SIAM J. Sci. Comput. 16(5), 1995; the 3.0 update of Morales
** & Nocedal 2011 for the subspace step). Each iteration:
**
**   1. the generalized Cauchy point x_c: the first local minimizer of the
**      quadratic model m(x) = g'(x - x_k) + (x - x_k)'B(x - x_k)/2 along the
**      projected steepest-descent path P(x_k - t g), segment by segment
**      between the sorted breakpoints (Alg. CP, sec. 4);
**   2. subspace minimization over the variables free at x_c (direct primal
**      method, sec. 5.1, eqs. 5.4-5.11, through Sherman-Morrison-Woodbury),
**      projected back into the box (3.0), or truncated to it when the
**      projection is not a descent direction;
**   3. a line search along d = xbar - x_k on (0, amax], amax the largest step
**      inside the box, so every trial point and iterate is feasible.
**
** B = theta I - W M W' is the compact form (eqs. 3.2-3.4): W = [Y, theta S],
** M = [[-D, L'], [L, theta S'S]]^-1, D = diag(s_i'y_i), L_ij = s_i'y_j (i > j),
** theta = y'y / s'y of the newest pair. S'S and S'Y are kept up to date (one
** row and column per new pair) and the 2m x 2m middle matrix is LU-factored
** once per iteration. A pair whose curvature y's is not safely positive is
** skipped (curv_eps, as lbfgs); a failed line search or a direction that is
** not downhill forgets the pairs and restarts from the projected gradient.
** Without bounds (or with infinite ones) the steps are those of lbfgs.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "min_bounds.h"
#include "min_qn_pairs.h"
#include "sl_mat.h"
#include "sl_minimize.h"
#include "sl_vec.h"

typedef struct breakpoint {
  double t;
  size_t i;
} breakpoint;

typedef struct lbfgsb_mem {
  int m, mlen, mhead; /* pairs kept, stored, next ring slot */
  double theta;       /* B0 = theta I */
  double *S, *Y;      /* ring of m pairs, each of length n */
  double *SS, *SY;    /* m x m, logical order (0 = oldest): s_a's_b, s_a'y_b */
  double *K, *N, *MA; /* 2m x 2m: middle matrix (LU), subspace matrix (LU), scratch */
  int *pk, *pn;       /* their pivots */
  double *p, *c, *Mp, *Mc, *wb, *Mwb, *v; /* 2m vectors */
  double *xcp, *r, *dh;  /* n vectors: Cauchy point, reduced gradient, subspace step */
  unsigned char *fixed;  /* n: 1 when the variable is held by a bound at x_c */
  breakpoint *bp;        /* n */
  long nbreak, nfree;    /* last step: breakpoints passed, free variables at x_c */
  int boxed;             /* every variable has two finite bounds */
  int constrained;       /* some bound is finite */
  const double *lo, *hi; /* the solver's bounds, or own +-inf entries without bounds */
  double *inf;           /* those entries (NULL with bounds) */
} lbfgsb_mem;

static const sl_min_params defaults = {SL_MIN_SHARED_DEFAULTS, .m = 10, .curv_eps = 1e-10};

static void release(sl_solver *s) {
  lbfgsb_mem *l = s->impl;
  if (l == NULL) return;
  free(l->S);
  free(l->SS);
  free(l->pk);
  free(l->xcp);
  free(l->fixed);
  free(l->bp);
  free(l->inf);
  free(l);
  s->impl = NULL;
}

static sl_status init(sl_solver *s) {
  size_t m = (size_t)s->p.m, n = s->n, nn = n ? n : 1, mn, mm = 2 * m;
  if (sl_size_product(2 * m, nn, &mn) != SL_OK || mn > ((size_t)-1) / sizeof(double) ||
      nn > ((size_t)-1) / (3 * sizeof(double)) || nn > ((size_t)-1) / sizeof(breakpoint))
    return SL_ENOMEM;
  lbfgsb_mem *l = calloc(1, sizeof *l);
  if (l == NULL) return SL_ENOMEM;
  s->impl = l;
  l->m = (int)m;
  l->S = malloc(mn * sizeof(double));
  l->SS = malloc((2 * m * m + 3 * mm * mm + 7 * mm) * sizeof(double));
  l->pk = malloc(2 * mm * sizeof(int));
  l->xcp = malloc(3 * nn * sizeof(double));
  l->fixed = malloc(nn);
  l->bp = malloc(nn * sizeof(breakpoint));
  if (!l->S || !l->SS || !l->pk || !l->xcp || !l->fixed || !l->bp) return SL_ENOMEM;
  l->Y = l->S + m * n;
  l->SY = l->SS + m * m;
  l->K = l->SY + m * m;
  l->N = l->K + mm * mm;
  l->MA = l->N + mm * mm;
  double *v2 = l->MA + mm * mm;
  double **vecs[7] = {&l->p, &l->c, &l->Mp, &l->Mc, &l->wb, &l->Mwb, &l->v};
  for (int k = 0; k < 7; k++) *vecs[k] = v2 + (size_t)k * mm;
  l->pn = l->pk + mm;
  l->r = l->xcp + nn;
  l->dh = l->r + nn;
  l->theta = 1.0;
  l->lo = s->lo;
  l->hi = s->hi;
  if (s->lo == NULL) {
    if ((l->inf = malloc(2 * nn * sizeof(double))) == NULL) return SL_ENOMEM;
    for (size_t i = 0; i < n; i++) l->inf[i] = -(l->inf[nn + i] = HUGE_VAL);
    l->lo = l->inf;
    l->hi = l->inf + nn;
  }
  l->boxed = 1;
  for (size_t i = 0; i < n; i++) {
    if (!(isfinite(l->lo[i]) && isfinite(l->hi[i]))) l->boxed = 0;
    if (isfinite(l->lo[i]) || isfinite(l->hi[i])) l->constrained = 1;
  }
  return SL_OK;
}

/* ---- small dense algebra (2m x 2m, row-major) ----------------------------------- */

/* LU with partial pivoting in place; 1 when singular. */
static int lu_factor(int n, double *a, int *piv) {
  for (int k = 0; k < n; k++) {
    int p = k;
    for (int i = k + 1; i < n; i++)
      if (fabs(a[i * n + k]) > fabs(a[p * n + k])) p = i;
    piv[k] = p;
    if (!(a[p * n + k] != 0.0) || !isfinite(a[p * n + k])) return 1;
    if (p != k)
      for (int j = 0; j < n; j++) {
        double t = a[k * n + j];
        a[k * n + j] = a[p * n + j];
        a[p * n + j] = t;
      }
    for (int i = k + 1; i < n; i++) {
      double f = a[i * n + k] /= a[k * n + k];
      for (int j = k + 1; j < n; j++) a[i * n + j] -= f * a[k * n + j];
    }
  }
  return 0;
}

static void lu_solve(int n, const double *a, const int *piv, double *b) {
  for (int k = 0; k < n; k++) {
    double t = b[k];
    b[k] = b[piv[k]];
    b[piv[k]] = t;
  }
  for (int i = 1; i < n; i++)
    for (int j = 0; j < i; j++) b[i] -= a[i * n + j] * b[j];
  for (int i = n - 1; i >= 0; i--) {
    for (int j = i + 1; j < n; j++) b[i] -= a[i * n + j] * b[j];
    b[i] /= a[i * n + i];
  }
}

static double dot2(int n, const double *a, const double *b) {
  double t = 0.0;
  for (int i = 0; i < n; i++) t += a[i] * b[i];
  return t;
}

/* ring slot of logical pair a (0 = oldest) */
static int slot(const lbfgsb_mem *l, int a) { return (l->mhead - l->mlen + a + l->m) % l->m; }

/* w_i = (y_0[i], ..., y_{k-1}[i], theta s_0[i], ..., theta s_{k-1}[i]): row i of W */
static void w_row(const sl_solver *s, const lbfgsb_mem *l, size_t i, double *w) {
  int k = l->mlen;
  for (int a = 0; a < k; a++) {
    size_t j = (size_t)slot(l, a) * s->n + i;
    w[a] = l->Y[j];
    w[k + a] = l->theta * l->S[j];
  }
}

/* The middle matrix K = M^-1 = [[-D, L'], [L, theta S'S]] (eq. 3.4), LU-factored. */
static int factor_middle(lbfgsb_mem *l) {
  int k = l->mlen, mm = 2 * k, m = l->m;
  double *K = l->K;
  for (int a = 0; a < k; a++)
    for (int b = 0; b < k; b++) {
      K[a * mm + b] = a == b ? -l->SY[a * m + a] : 0.0;
      K[a * mm + k + b] = b > a ? l->SY[b * m + a] : 0.0;
      K[(k + a) * mm + b] = a > b ? l->SY[a * m + b] : 0.0;
      K[(k + a) * mm + k + b] = l->theta * l->SS[a * m + b];
    }
  return lu_factor(mm, K, l->pk);
}

/* ---- the generalized Cauchy point (Byrd et al., Alg. CP) ------------------------ */

static int by_t(const void *a, const void *b) {
  double ta = ((const breakpoint *)a)->t, tb = ((const breakpoint *)b)->t;
  return (ta > tb) - (ta < tb);
}

/* x_c into l->xcp, c = W'(x_c - x) into l->c (and M c into l->Mc); l->fixed marks
   the variables that reached a bound. */
static void cauchy(sl_solver *s, lbfgsb_mem *l) {
  size_t n = s->n, nb = 0;
  int k = l->mlen, mm = 2 * k;
  const double *x = s->x, *g = s->g, *lo = l->lo, *hi = l->hi;
  double *d = s->d, *xc = l->xcp, th = l->theta;
  for (int a = 0; a < mm; a++) l->p[a] = l->c[a] = l->Mc[a] = 0.0;
  double fp = 0.0;
  for (size_t i = 0; i < n; i++) {
    double t = HUGE_VAL;
    if (g[i] < 0.0)
      t = (x[i] - hi[i]) / g[i];
    else if (g[i] > 0.0)
      t = (x[i] - lo[i]) / g[i];
    xc[i] = x[i];
    l->fixed[i] = 0;
    d[i] = t > 0.0 ? -g[i] : 0.0; /* the path's direction until i meets its bound */
    if (t <= 0.0) l->fixed[i] = x[i] == lo[i] || x[i] == hi[i];
    if (d[i] != 0.0) {
      fp -= d[i] * d[i];
      if (k > 0) {
        w_row(s, l, i, l->wb);
        for (int a = 0; a < mm; a++) l->p[a] += l->wb[a] * d[i];
      }
      if (t < HUGE_VAL) l->bp[nb++] = (breakpoint){t, i};
    }
  }
  l->nbreak = 0;
  if (fp == 0.0) return; /* the projected gradient is zero: x_c = x */
  for (int a = 0; a < mm; a++) l->Mp[a] = l->p[a];
  if (k > 0) lu_solve(mm, l->K, l->pk, l->Mp);
  double fpp = -th * fp - dot2(mm, l->p, l->Mp), fpp0 = fpp;
  double dtm = -fp / fpp, told = 0.0;
  qsort(l->bp, nb, sizeof *l->bp, by_t);
  for (size_t j = 0; j < nb; j++) {
    size_t b = l->bp[j].i;
    double dt = l->bp[j].t - told;
    if (dtm < dt) break;
    /* variable b reaches its bound: the next segment's f' and f'' (eqs. 4.9-4.10) */
    double gb = g[b], xb = d[b] > 0.0 ? hi[b] : lo[b], zb = xb - x[b];
    xc[b] = xb;
    l->fixed[b] = 1;
    d[b] = 0.0;
    told = l->bp[j].t;
    l->nbreak++;
    double wMc = 0.0, wMp = 0.0, wMw = 0.0;
    if (k > 0) {
      w_row(s, l, b, l->wb);
      for (int a = 0; a < mm; a++) {
        l->c[a] += dt * l->p[a];
        l->Mc[a] += dt * l->Mp[a];
        l->Mwb[a] = l->wb[a];
      }
      lu_solve(mm, l->K, l->pk, l->Mwb);
      wMc = dot2(mm, l->wb, l->Mc);
      wMp = dot2(mm, l->wb, l->Mp);
      wMw = dot2(mm, l->wb, l->Mwb);
      for (int a = 0; a < mm; a++) {
        l->p[a] += gb * l->wb[a];
        l->Mp[a] += gb * l->Mwb[a];
      }
    }
    fp += dt * fpp + gb * gb + th * gb * zb - gb * wMc;
    fpp += -th * gb * gb - 2.0 * gb * wMp - gb * gb * wMw;
    fpp = fmax(fpp, 2.220446049250313e-16 * fpp0); /* keep the model convex along the path */
    dtm = -fp / fpp;
    if (fp >= 0.0) {
      dtm = 0.0;
      break;
    }
  }
  dtm = fmax(dtm, 0.0);
  told += dtm;
  for (size_t i = 0; i < n; i++)
    if (d[i] != 0.0) {
      double v = x[i] + told * d[i];
      xc[i] = v < lo[i] ? lo[i] : v > hi[i] ? hi[i] : v;
    }
  for (int a = 0; a < mm; a++) {
    l->c[a] += dtm * l->p[a];
    l->Mc[a] += dtm * l->Mp[a];
  }
}

/* ---- subspace minimization (direct primal method, sec. 5.1) --------------------- */

/* xbar into s->d as the direction xbar - x; 0 when it is not downhill. */
static int subspace(sl_solver *s, lbfgsb_mem *l) {
  size_t n = s->n;
  int k = l->mlen, mm = 2 * k;
  const double *x = s->x, *g = s->g, *lo = l->lo, *hi = l->hi, *xc = l->xcp;
  double th = l->theta, *r = l->r, *dh = l->dh, *v = l->v;
  l->nfree = 0;
  for (int a = 0; a < mm; a++) v[a] = 0.0;
  for (int a = 0; a < mm * mm; a++) l->MA[a] = 0.0;
  /* reduced gradient r = Z'(g + theta (x_c - x) - W M c) (eq. 5.4), W'Z r and W'ZZ'W */
  for (size_t i = 0; i < n; i++) {
    if (l->fixed[i] || xc[i] <= lo[i] || xc[i] >= hi[i]) {
      l->fixed[i] = 1;
      continue;
    }
    l->nfree++;
    double ri = g[i] + th * (xc[i] - x[i]);
    if (k > 0) {
      w_row(s, l, i, l->wb);
      ri -= dot2(mm, l->wb, l->Mc);
      for (int a = 0; a < mm; a++) {
        v[a] += l->wb[a] * ri;
        for (int b = a; b < mm; b++) l->MA[a * mm + b] += l->wb[a] * l->wb[b];
      }
    }
    r[i] = ri;
  }
  if (l->nfree > 0 && k > 0) {
    /* N = I - M (W'ZZ'W) / theta; v = M W'Z r; dh = -r/theta - Z'W N^-1 v / theta^2 (5.10-5.11) */
    double *A = l->MA, *N = l->N;
    for (int a = 0; a < mm; a++)
      for (int b = 0; b < a; b++) A[a * mm + b] = A[b * mm + a];
    lu_solve(mm, l->K, l->pk, v);
    for (int b = 0; b < mm; b++) { /* column b of M A */
      for (int a = 0; a < mm; a++) l->wb[a] = A[a * mm + b];
      lu_solve(mm, l->K, l->pk, l->wb);
      for (int a = 0; a < mm; a++) N[a * mm + b] = (a == b) - l->wb[a] / th;
    }
    if (lu_factor(mm, N, l->pn)) return 0;
    lu_solve(mm, N, l->pn, v);
  }
  for (size_t i = 0; i < n; i++) {
    if (l->fixed[i]) continue;
    double t = -r[i] / th;
    if (k > 0) {
      w_row(s, l, i, l->wb);
      t -= dot2(mm, l->wb, v) / (th * th);
    }
    dh[i] = t;
  }
  /* xbar: x_c + dh projected into the box (L-BFGS-B 3.0); when that is not downhill,
     x_c + a* dh with a* <= 1 the largest step inside the box (the 1995 rule) */
  double gd = 0.0;
  for (size_t i = 0; i < n; i++) {
    double xb = xc[i];
    if (!l->fixed[i]) {
      xb += dh[i];
      xb = xb < lo[i] ? lo[i] : xb > hi[i] ? hi[i] : xb;
    }
    s->d[i] = xb - x[i];
    gd += g[i] * s->d[i];
  }
  if (!(gd < 0.0) && l->nfree > 0) {
    double amax = 1.0;
    for (size_t i = 0; i < n; i++) {
      if (l->fixed[i]) continue;
      if (dh[i] < 0.0 && lo[i] > -HUGE_VAL) amax = fmin(amax, (lo[i] - xc[i]) / dh[i]);
      if (dh[i] > 0.0 && hi[i] < HUGE_VAL) amax = fmin(amax, (hi[i] - xc[i]) / dh[i]);
    }
    amax = fmax(amax, 0.0);
    gd = 0.0;
    for (size_t i = 0; i < n; i++) {
      s->d[i] = xc[i] + (l->fixed[i] ? 0.0 : amax * dh[i]) - x[i];
      gd += g[i] * s->d[i];
    }
  }
  return gd < 0.0;
}

/* ---- the iteration ------------------------------------------------------------- */

static void forget(sl_solver *s, lbfgsb_mem *l) {
  l->mlen = l->mhead = 0;
  l->theta = 1.0;
  s->info.restarted = 1;
}

/* d = xbar - x from the current memory; 0 when no downhill direction was found. */
static int direction(sl_solver *s, lbfgsb_mem *l) {
  if (l->mlen > 0 && factor_middle(l)) return 0;
  cauchy(s, l);
  if (subspace(s, l)) return 1;
  /* the Cauchy point itself decreases the model whenever the projected gradient is
     not zero */
  double gd = 0.0;
  for (size_t i = 0; i < s->n; i++) {
    s->d[i] = l->xcp[i] - s->x[i];
    gd += s->g[i] * s->d[i];
  }
  return gd < 0.0;
}

/* The new pair s = x+ - x, y = g+ - g into the ring and into S'S, S'Y. */
static void add_pair(sl_solver *s, lbfgsb_mem *l, double ys, double yy) {
  size_t n = s->n;
  int m = l->m;
  if (l->mlen == m) { /* drop the oldest: shift S'S and S'Y up and left */
    for (int a = 0; a + 1 < m; a++)
      for (int b = 0; b + 1 < m; b++) {
        l->SS[a * m + b] = l->SS[(a + 1) * m + b + 1];
        l->SY[a * m + b] = l->SY[(a + 1) * m + b + 1];
      }
    l->mlen--;
  }
  l->mhead = (l->mhead + 1) % m;
  l->mlen++;
  int k = l->mlen, nw = k - 1;
  const double *sn = l->S + (size_t)slot(l, nw) * n, *yn = l->Y + (size_t)slot(l, nw) * n;
  for (int b = 0; b < k; b++) {
    const double *sb = l->S + (size_t)slot(l, b) * n, *yb = l->Y + (size_t)slot(l, b) * n;
    double ss = sl_vec_dot(n, sn, sb);
    l->SS[nw * m + b] = l->SS[b * m + nw] = ss;
    l->SY[nw * m + b] = sl_vec_dot(n, sn, yb);
    l->SY[b * m + nw] = sl_vec_dot(n, sb, yn);
  }
  l->SY[nw * m + nw] = ys;
  l->theta = yy / ys;
}

static sl_status step(sl_solver *s) {
  size_t n = s->n;
  lbfgsb_mem *l = s->impl;
  sl_status st = SL_ELINESEARCH;
  for (int attempt = 0; attempt < 2; attempt++) {
    if (!direction(s, l) && (l->mlen == 0 || (forget(s, l), !direction(s, l)))) {
      if (sl_bounds_pgnorm(n, s->x, s->g, l->lo, l->hi) == 0.0)
        return SL_OK; /* nothing to do: the run loop reports convergence */
      return sl_min_fail(s, SL_ELINESEARCH,
                         "no downhill direction inside the box at iteration %ld (max|proj g| = "
                         "%.3g): the gradient may not match f",
                         s->nit + 1, sl_bounds_pgnorm(n, s->x, s->g, l->lo, l->hi));
    }
    double amax = sl_bounds_maxstep(n, s->x, s->d, l->lo, l->hi), a0 = 1.0;
    /* the first step goes at most to xbar when a bound is finite, and starts at
       1/|d| unless every variable is boxed (as L-BFGS-B's lnsrlb; 1/|g| as lbfgs) */
    if (s->nit == 0 && l->constrained) amax = fmin(amax, 1.0);
    if (l->mlen == 0 && !l->boxed) a0 = 1.0 / sl_vec_nrm2(n, s->d);
    st = sl_bounds_linesearch(s, fmin(a0, amax), amax);
    if (st != SL_ELINESEARCH || l->mlen == 0) break;
    forget(s, l); /* forget the pairs, retry from the projected gradient */
  }
  if (st < 0) return st;
  double *sj = s->w[0], *yj = s->w[1]; /* the pair, kept only when its curvature is safe */
  for (size_t i = 0; i < n; i++) {
    sj[i] = s->xt[i] - s->x[i];
    yj[i] = s->gt[i] - s->g[i];
  }
  sl_min_accept_trial(s);
  double ys = sl_vec_dot(n, yj, sj), yn = sl_vec_nrm2(n, yj);
  if (!(ys > s->p.curv_eps * yn * sl_vec_nrm2(n, sj))) {
    s->skipped++;
    s->info.skipped = 1;
    return SL_OK;
  }
  sl_vec_copy(n, l->S + (size_t)l->mhead * n, sj);
  sl_vec_copy(n, l->Y + (size_t)l->mhead * n, yj);
  add_pair(s, l, ys, yn * yn);
  return SL_OK;
}

/* the pairs s, y (oldest first), theta and m */
static void state(const sl_solver *s, const sl_min_visit *v) {
  const lbfgsb_mem *l = s->impl;
  const char *names[2] = {"s", "y"};
  const double *base[2] = {l->S, l->Y};
  for (int w = 0; w < 2; w++) {
    v->list(v->ctx, names[w], (size_t)l->mlen);
    for (int a = 0; a < l->mlen; a++)
      v->vec(v->ctx, NULL, base[w] + (size_t)slot(l, a) * s->n, s->n);
    v->end_list(v->ctx);
  }
  v->num(v->ctx, "theta", l->theta);
  v->integer(v->ctx, "m", l->m);
}

static void info(const sl_solver *s, const sl_min_visit *v) {
  const lbfgsb_mem *l = s->impl;
  v->integer(v->ctx, "breakpoints", l->nbreak);
  v->integer(v->ctx, "free", l->nfree);
  v->integer(v->ctx, "nactive", (long)sl_bounds_nactive(s->n, s->x, l->lo, l->hi));
}

static const char *const keys[] = {"m", "curv_eps", NULL};

const sl_min_method_ops sl_min_lbfgsb = {
    .name = "lbfgsb",
    .defaults = &defaults,
    .flags = SL_MINF_LINESEARCH | SL_MINF_DIRECTION | SL_MINF_BOUNDS,
    .keys = keys,
    .check = sl_qn_check, /* m and curv_eps, as lbfgs */
    .init = init,
    .step = step,
    .release = release,
    .state = state,
    .info = info,
};
