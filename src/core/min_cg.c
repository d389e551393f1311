/*
** min_cg.c — nonlinear conjugate gradients (Fletcher-Reeves, Polak-Ribiere+,
** Hager-Zhang beta) with restarts every `restart` iterations (6 dim, as
** CG_DESCENT), along -g when d is not a descent direction or the search fails.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "sl_minimize.h"
#include "sl_vec.h"

typedef struct cg_mem {
  int have_d;         /* d already holds the next direction */
  long since_restart; /* iterations since -g */
  double beta;        /* last beta */
} cg_mem;

static const sl_min_params defaults = {SL_MIN_SHARED_DEFAULTS, .beta = SL_CG_PRP};

static sl_status check(const sl_min_params *p, char *msg, size_t len) {
  if (p->restart < 0) {
    snprintf(msg, len, "restart must be a non-negative integer, got %ld", p->restart);
    return SL_EINVAL;
  }
  return SL_OK;
}

static sl_status init(sl_solver *s) {
  s->impl = calloc(1, sizeof(cg_mem));
  return s->impl ? SL_OK : SL_ENOMEM;
}

/*
** beta for the next direction d+ = -g+ + beta d, from y = g+ - g:
**   FR  (Fletcher & Reeves 1964):  |g+|^2 / |g|^2
**   PR+ (Polak-Ribiere, Gilbert & Nocedal 1992): max(0, g+'y / |g|^2)
**   HZ  (Hager & Zhang 2005, eq. 1.5 with the truncation 2.4):
**       (y - 2 d |y|^2/(d'y))' g+ / (d'y), at least -1 / (|d| min(0.01, |g|)).
*/
static double cg_beta(const sl_solver *s, const double *gprev) {
  size_t n = s->n;
  const double *g = s->g, *d = s->d;
  double gg_prev = sl_vec_dot(n, gprev, gprev);
  if (!(gg_prev > 0.0)) return 0.0;
  switch (s->p.beta) {
  case SL_CG_FR: return sl_vec_dot(n, g, g) / gg_prev;
  case SL_CG_PRP: {
    double gy = 0.0;
    for (size_t i = 0; i < n; i++) gy += g[i] * (g[i] - gprev[i]);
    return fmax(0.0, gy / gg_prev);
  }
  case SL_CG_HZ: {
    double dy = 0.0, yy = 0.0, yg = 0.0, dg = 0.0;
    for (size_t i = 0; i < n; i++) {
      double y = g[i] - gprev[i];
      dy += d[i] * y;
      yy += y * y;
      yg += y * g[i];
      dg += d[i] * g[i];
    }
    if (!(fabs(dy) > 0.0)) return 0.0;
    double b = (yg - 2.0 * yy / dy * dg) / dy;
    double eta = -1.0 / (sl_vec_nrm2(n, d) * fmin(0.01, sqrt(gg_prev)));
    return fmax(b, eta);
  }
  }
  return 0.0;
}

/* d = -g, counted as a restart when `restarted`. */
static void restart(sl_solver *s, cg_mem *c, int restarted) {
  sl_min_steepest(s);
  c->since_restart = 0;
  if (restarted) s->info.restarted = 1;
}

static sl_status step(sl_solver *s) {
  size_t n = s->n;
  cg_mem *c = s->impl;
  double *gprev = s->w[0];
  if (!c->have_d) restart(s, c, 0);
  double gd = sl_vec_dot(n, s->g, s->d);
  if (!(gd < 0.0)) { /* not a descent direction: restart */
    restart(s, c, 1);
    gd = -sl_vec_dot(n, s->g, s->g);
  }
  sl_status st = sl_min_linesearch(s, sl_min_guess_a0(s, gd));
  if (st == SL_ELINESEARCH && c->since_restart > 0) { /* retry along -g */
    restart(s, c, 1);
    st = sl_min_linesearch(s, sl_min_guess_a0(s, -sl_vec_dot(n, s->g, s->g)));
  }
  if (st < 0) return st;
  sl_vec_copy(n, gprev, s->g);
  sl_min_accept_trial(s);
  double beta = cg_beta(s, gprev);
  c->since_restart++;
  long period = s->p.restart > 0 ? s->p.restart : 6 * (long)(n ? n : 1); /* CG_DESCENT: 6n */
  if (c->since_restart >= period || !isfinite(beta)) {
    beta = 0.0;
    c->since_restart = 0;
  }
  for (size_t i = 0; i < n; i++) s->d[i] = -s->g[i] + beta * s->d[i];
  c->beta = beta;
  s->info.beta = beta;
  c->have_d = 1;
  return SL_OK;
}

static void state(const sl_solver *s, const sl_min_visit *v) {
  const cg_mem *c = s->impl;
  v->num(v->ctx, "beta", c->beta);
  v->string(v->ctx, "beta_rule", sl_cg_beta_name(s->p.beta));
  v->integer(v->ctx, "since_restart", c->since_restart);
}

static void info(const sl_solver *s, const sl_min_visit *v) {
  v->num(v->ctx, "beta", s->info.beta);
}

static const char *const keys[] = {"beta", "restart", NULL};

const sl_min_method_ops sl_min_cg = {
    .name = "cg",
    .defaults = &defaults,
    .ls_c2 = 0.1,
    .flags = SL_MINF_LINESEARCH | SL_MINF_DIRECTION,
    .keys = keys,
    .check = check,
    .init = init,
    .step = step,
    .state = state,
    .info = info,
};
