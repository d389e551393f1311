/*
** min_prox.h — what owlqn, fista and prox_gd share about the composite
** objective F(x) = f(x) + sum_i lambda_i |x_i|: the weights, the L1 value,
** soft-thresholding (the prox of t lambda |.|), the minimum-norm subgradient
** (OWL-QN's pseudo-gradient, Andrew & Gao 2007 sec. 3.1), and a user's prox.
*/
#ifndef SL_MIN_PROX_H
#define SL_MIN_PROX_H

#include <stddef.h>

#include "sl_minimize.h"

/* lambda_i: w[i] when per-coordinate weights were given, else lam. */
typedef struct sl_l1 {
  const double *w; /* length n or NULL */
  double lam;
} sl_l1;

/* The solver's L1 term (weights copied into its memory: w may point there). */
sl_l1 sl_l1_of(const sl_solver *s, const double *w);
/* sum_i lambda_i |x_i| */
double sl_l1_value(sl_l1 l, size_t n, const double *x);
/* x_i <- sign(x_i) max(|x_i| - t lambda_i, 0) */
void sl_l1_soft(sl_l1 l, size_t n, double *x, double t);
/* pg = the minimum-norm element of g + lambda d|x|_1 at x (zero where 0 is in it). */
void sl_l1_pseudo_grad(sl_l1 l, size_t n, const double *x, const double *g, double *pg);
/* max_i |minimum-norm subgradient|_i without storing it. */
double sl_l1_measure(sl_l1 l, size_t n, const double *x, const double *g);
/* entries that are exactly zero */
size_t sl_l1_zeros(size_t n, const double *x);
/* the weights must be finite and >= 0 (SL_EINVAL with msg) */
sl_status sl_l1_check_weights(const double *w, size_t n, char *msg, size_t len);
/* x <- prox_{t h}(x) through p->prox (its failure's sentence in msg), then
   x must be finite. */
sl_status sl_min_user_prox(const sl_min_params *p, double *x, size_t n, double t, char *msg,
                           size_t len);

#endif
