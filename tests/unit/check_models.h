/*
** check_models.h — helpers shared by the model tests (check_models.c).
*/
#ifndef CHECK_MODELS_H
#define CHECK_MODELS_H

#include <stddef.h>

#include "sl_mat.h"
#include "sl_objective.h"
#include "sl_rng.h"

/* |a - b| / max(|a|, |b|, 1e-8) in the 2-norm. */
double check_relerr(size_t n, const double *a, const double *b);

/* The whole proof for one data objective: at 3 random points (entries
   scale N(0,1)) gradient and HVP against central differences, fg with and
   without g, per-sample losses and gradients averaging to f and g, and a
   view's value, gradient and HVP. */
void check_model(sl_objective *o, sl_rng *r, double scale, const char *what);

/* The same linear model twice: the MLP without hidden layer (xent, K
   classes) and softmax regression with intercept on X, labels i % K; x (K d
   + K entries, drawn from r) are the MLP's parameters, W the same weights in
   softmax's (d + 1) x K layout. */
void check_linear_pair(sl_rng *r, const sl_mat *X, size_t K, double *x, double *W,
                       sl_objective **mlp, sl_objective **softmax);

#endif
