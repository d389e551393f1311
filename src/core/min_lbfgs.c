/*
** min_lbfgs.c — limited-memory BFGS: the two-loop recursion over the last m
** pairs (Nocedal & Wright, Alg. 7.4 and 7.5; H0 = (s'y / y'y) I, eq. 7.20).
** A pair whose curvature y's is not safely positive is skipped and counted.
*/
#include <stdlib.h>

#include "min_qn_pairs.h"
#include "sl_mat.h"
#include "sl_minimize.h"
#include "sl_vec.h"

typedef struct lbfgs_mem {
  sl_qn_pairs pairs;
  double block[];
} lbfgs_mem;

static const sl_min_params defaults = {SL_MIN_SHARED_DEFAULTS, .m = 10, .curv_eps = 1e-10};

static sl_status init(sl_solver *s) {
  size_t tot = sl_qn_pairs_size(s->p.m, s->n), bytes;
  if (tot == 0 || sl_size_product(tot, sizeof(double), &bytes) != SL_OK) return SL_ENOMEM;
  lbfgs_mem *l = malloc(sizeof(lbfgs_mem) + bytes);
  if (l == NULL) return SL_ENOMEM;
  sl_qn_pairs_init(&l->pairs, l->block, s->p.m, s->n);
  s->impl = l;
  return SL_OK;
}

/* forget the pairs, step along -g */
static void restart(sl_solver *s, lbfgs_mem *l) {
  sl_qn_pairs_reset(&l->pairs);
  sl_min_steepest(s);
  s->info.restarted = 1;
}

static sl_status step(sl_solver *s) {
  size_t n = s->n;
  lbfgs_mem *l = s->impl;
  sl_qn_two_loop(&l->pairs, s->g, s->d);
  if (!(sl_vec_dot(n, s->g, s->d) < 0.0)) restart(s, l);
  double a0 =
      l->pairs.mlen > 0 ? 1.0 : 1.0 / sl_vec_nrm2(n, s->g) /* 1/|g|, as liblbfgs and L-BFGS-B */;
  sl_status st = sl_min_linesearch(s, a0);
  if (st == SL_ELINESEARCH && l->pairs.mlen > 0) { /* forget the pairs, retry along -g */
    restart(s, l);
    st = sl_min_linesearch(s, 1.0 / sl_vec_nrm2(n, s->g) /* 1/|g|, as liblbfgs and L-BFGS-B */);
  }
  if (st < 0) return st;
  int kept = sl_qn_pairs_push(&l->pairs, s->xt, s->x, s->gt, s->g, s->p.curv_eps);
  sl_min_accept_trial(s);
  if (!kept) {
    s->skipped++;
    s->info.skipped = 1;
  }
  return SL_OK;
}

/* the pairs s, y and rho, oldest first, and m */
static void state(const sl_solver *s, const sl_min_visit *v) {
  sl_qn_pairs_state(&((const lbfgs_mem *)s->impl)->pairs, v);
}

static const char *const keys[] = {"m", "curv_eps", NULL};

const sl_min_method_ops sl_min_lbfgs = {
    .name = "lbfgs",
    .defaults = &defaults,
    .flags = SL_MINF_LINESEARCH | SL_MINF_DIRECTION,
    .keys = keys,
    .check = sl_qn_check,
    .init = init,
    .step = step,
    .state = state,
};
