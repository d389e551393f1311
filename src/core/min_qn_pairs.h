/*
** min_qn_pairs.h — the limited-memory pairs shared by lbfgs and owlqn: a ring
** of the last m steps s = x_new - x and gradient changes y = g_new - g with
** rho = 1/(y's), the two-loop recursion over them (Nocedal & Wright, Alg. 7.4;
** H0 = (s'y / y'y) I, eq. 7.20), and the curvature test that decides whether
** a pair is kept.
*/
#ifndef MIN_QN_PAIRS_H
#define MIN_QN_PAIRS_H

#include "sl_minimize.h"

typedef struct sl_qn_pairs {
  double *S, *Y;       /* m pairs (ring), each of length n */
  double *rho, *alpha; /* 1/(y's), two-loop scratch */
  size_t n;
  int m, mlen, mhead; /* capacity, pairs stored, next slot */
} sl_qn_pairs;

/* m in 1..1000, curv_eps in [0, 1): the checks of both methods' shared keys. */
sl_status sl_qn_check(const sl_min_params *p, char *msg, size_t len);
/* Doubles the pairs of m vectors of length n need (S, Y, rho, alpha); 0 on overflow. */
size_t sl_qn_pairs_size(int m, size_t n);
/* Lay the pairs out in mem (sl_qn_pairs_size(m, n) doubles), empty. */
void sl_qn_pairs_init(sl_qn_pairs *p, double *mem, int m, size_t n);
/* Forget every pair. */
void sl_qn_pairs_reset(sl_qn_pairs *p);
/* d = -H g by the two-loop recursion (d = -g with no pair). */
void sl_qn_two_loop(sl_qn_pairs *p, const double *g, double *d);
/* Store (xt - x, gt - g) when y's > curv_eps |y| |s|: 1 stored, 0 skipped.
   The test comes first, so a skipped pair leaves the ring as it was (with
   the memory full, slot mhead still holds the oldest pair). */
int sl_qn_pairs_push(sl_qn_pairs *p, const double *xt, const double *x, const double *gt,
                     const double *g, double curv_eps);
/* The pairs s, y and rho, oldest first, and m, for s:state(). */
void sl_qn_pairs_state(const sl_qn_pairs *p, const sl_min_visit *v);

#endif
