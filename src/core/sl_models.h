/*
** sl_models.h — data objectives: least squares, logistic regression,
** softmax regression, multilayer perceptrons, matrix factorization.
**
** Every model is a mean over samples plus a regularizer (sl_objective.h):
**     f(x) = (1/n) sum_i loss_i(x) + (l2/2) |x_reg|^2,
** where x_reg leaves out intercepts and biases. Each sample's f_i (sample_fg)
** is loss_i + the same regularizer, so the f_i average to f.
**
** The data (X, entries) is borrowed: the caller keeps it alive and unchanged
** as long as the objective; labels are copied and validated at creation.
** Constructors return NULL with *st set and a message in msg on bad input
** ("label of sample 3 is 0.5, expected 0/1 or -1/+1").
**
** Threads: rows are split into one contiguous block per OpenMP thread, with
** per-thread accumulators combined in thread order, so a result is
** deterministic for a fixed thread count (omp_set_num_threads).
*/
#ifndef SL_MODELS_H
#define SL_MODELS_H

#include <stddef.h>

#include "sl_mat.h"
#include "sl_objective.h"
#include "sl_status.h"

/* Labels seen by a logistic model. */
typedef enum { SL_LABELS_01 = 0, SL_LABELS_PM1 = 1 } sl_labels;

/* Options shared by the linear models. X is dense (Xd) or sparse (Xs), the other NULL. */
typedef struct sl_linear_opts {
  const sl_mat *Xd;
  const sl_csr *Xs;
  const double *y; /* n labels / targets (copied) */
  size_t ny;       /* must equal the rows of X */
  double l2;       /* >= 0, default 0 */
  int intercept;   /* 1: the last parameter is an intercept (not regularized) */
} sl_linear_opts;

/* f = (1/2n) |X w + b - y|^2 + (l2/2)|w|^2; dim = d (+1 with intercept). */
sl_objective *sl_obj_least_squares_new(const sl_linear_opts *p, sl_status *st, char *msg,
                                       size_t msglen);

/* f = (1/n) sum_i log(1 + exp(-s_i z_i)) + (l2/2)|w|^2 with z_i = x_i.w + b and
   s_i = +-1 (labels 0/1 map to -1/+1). *labels says which kind was seen. */
sl_objective *sl_obj_logistic_new(const sl_linear_opts *p, sl_labels *labels, sl_status *st,
                                  char *msg, size_t msglen);

/* Multinomial logistic regression with K classes, labels 0..K-1. Parameters: a
   d x K (or (d+1) x K with intercept, intercept row last) matrix W flattened
   row-major: W[j*K + k] multiplies feature j for class k. */
sl_objective *sl_obj_softmax_new(const sl_linear_opts *p, size_t classes, sl_status *st, char *msg,
                                 size_t msglen);

/* ---- multilayer perceptron ------------------------------------------------ */

typedef enum { SL_ACT_TANH = 0, SL_ACT_RELU = 1, SL_ACT_GELU = 2 } sl_activation;
typedef enum { SL_LOSS_XENT = 0, SL_LOSS_MSE = 1 } sl_mlp_loss;

#define SL_MLP_MAX_LAYERS 32

typedef struct sl_mlp_opts {
  const sl_mat *X;      /* n x d, dense */
  const double *y;      /* xent: n labels 0..classes-1; mse: n x outputs targets (copied) */
  size_t ny;            /* number of entries in y: n for xent, n*outputs for mse */
  size_t nhidden;       /* number of hidden layers (0 allowed: a linear model) */
  const size_t *hidden; /* their widths, each >= 1 */
  sl_activation act;
  sl_mlp_loss loss;
  size_t outputs; /* xent: number of classes (>= 2); mse: output width (>= 1) */
  double l2;      /* on weights only, not on biases */
} sl_mlp_opts;

/* Parameters: for each layer l = 1..L (in order), W_l (out x in, row-major)
   then b_l (out); sl_mlp_layout gives the offsets. Loss xent: mean softmax
   cross-entropy over `outputs` classes; mse: mean of 1/2 |out - y|^2. */
sl_objective *sl_obj_mlp_new(const sl_mlp_opts *p, sl_status *st, char *msg, size_t msglen);

/* Layer l (0-based) of an MLP objective: sizes and 0-based offsets of W and b.
   Returns the number of layers, or 0 if l is out of range / o is not an MLP. */
size_t sl_mlp_layer(const sl_objective *o, size_t l, size_t *in, size_t *out, size_t *w_off,
                    size_t *b_off);

/* ---- matrix factorization ------------------------------------------------ */

typedef struct sl_mf_opts {
  size_t rows, cols, rank;
  size_t n;        /* observed entries */
  const double *i; /* n 1-based row indices (copied) */
  const double *j; /* n 1-based column indices */
  const double *r; /* n values */
  size_t stride;   /* distance between consecutive entries of i, j, r (1, or 3 for an n x 3 mat) */
  double l2;
} sl_mf_opts;

/* f = (1/n) sum_s 1/2 (u_i . v_j - r_s)^2 + (l2/2)(|U|^2 + |V|^2); each observed
   entry is a sample whose f_s carries the whole regularizer. Parameters U
   (rows x rank, row-major) then V (cols x rank). */
sl_objective *sl_obj_mf_new(const sl_mf_opts *p, sl_status *st, char *msg, size_t msglen);

/* ---- the fitted model: predictions on new rows, parameter blocks ---------- */

typedef enum {
  SL_MODEL_NONE = 0, /* not a data model */
  SL_MODEL_LEAST_SQUARES,
  SL_MODEL_LOGISTIC,
  SL_MODEL_SOFTMAX,
  SL_MODEL_MLP,
  SL_MODEL_MF
} sl_model_kind;

typedef struct sl_model_info {
  sl_model_kind kind;
  size_t features;  /* columns a row of X must have (0: the model takes no rows, MF) */
  size_t outputs;   /* scores per row: 1 (least squares, logistic), K (softmax, MLP) */
  size_t classes;   /* classifiers: 2 (logistic) or K; 0 for regressions */
  sl_labels labels; /* logistic: the labels it was given (predictions use the same) */
} sl_model_info;

/* What sl_model_predict writes per row. */
typedef enum {
  SL_PREDICT_SCORES = 0, /* outputs numbers: least squares Xw + b, logistic margins z,
                            softmax scores W'[x; 1], the MLP's output layer (logits, or the
                            regression outputs of loss mse) */
  SL_PREDICT_PROBA = 1,  /* classifiers: logistic P(y = 1) (1 per row), softmax probabilities
                            (K per row, rows sum to 1) */
  SL_PREDICT_LABELS = 2  /* classifiers: one label per row: logistic 1 when z > 0 else 0 (or -1
                            with -1/+1 labels), softmax/MLP the first largest score's class
                            0..K-1 (sklearn's predict) */
} sl_predict_what;

/* A contiguous block of parameters: a weight matrix (rows x cols, row-major)
   or a vector (cols = 0, rows entries). */
typedef struct sl_param_block {
  char name[16];     /* "W1", "b1", ..., "U", "V" */
  size_t offset;     /* 0-based into x */
  size_t rows, cols; /* matrix shape; a vector: rows entries, cols = 0 */
} sl_param_block;

/* What a model objective adds to its ops (sl_objective_ops.model). */
typedef struct sl_model_ops {
  void (*info)(const sl_objective *o, sl_model_info *info);
  /* out for the rows of X at parameters x (X checked: features columns, finite). */
  sl_status (*predict)(sl_objective *o, const double *x, const sl_mat *Xd, const sl_csr *Xs,
                       sl_predict_what what, double *out);
  /* The parameter blocks in order into b (at most max); returns their number. NULL: none. */
  size_t (*blocks)(const sl_objective *o, sl_param_block *b, size_t max);
} sl_model_ops;

/* info->kind = SL_MODEL_NONE (and SL_EUNSUPPORTED) when o is not a data model. */
sl_status sl_model_info_of(const sl_objective *o, sl_model_info *info);

/* Predictions for the rows of X (dense Xd or sparse Xs; the MLP takes dense
   rows only) at parameters x into out (rows x outputs for scores and softmax
   probabilities, rows otherwise). SL_EDIM when X's columns are not the
   model's features, SL_EUNSUPPORTED when o is not a model or `what` needs a
   classifier, SL_ENONFINITE for NaN/Inf in X; msg says which. */
sl_status sl_model_predict(sl_objective *o, const double *x, const sl_mat *Xd, const sl_csr *Xs,
                           sl_predict_what what, double *out, char *msg, size_t msglen);

/* Values per row that sl_model_predict writes for `what` (0: not available). */
size_t sl_model_predict_cols(const sl_model_info *info, sl_predict_what what);

/* Fraction of the rows of X whose predicted label equals y[i] (ny = rows).
   Labels are checked first: logistic 0/1 or -1/+1 (either, not mixed),
   softmax/MLP integers 0..K-1; SL_EINVAL with msg naming the first bad one. */
sl_status sl_model_accuracy(sl_objective *o, const double *x, const sl_mat *Xd, const sl_csr *Xs,
                            const double *y, size_t ny, double *acc, char *msg, size_t msglen);

/* The parameter blocks of a model that has them (MLP: W1, b1, W2, b2, ...;
   matrix factorization: U, V) into b (at most max); returns their number, 0
   for objectives without blocks. */
size_t sl_model_blocks(const sl_objective *o, sl_param_block *b, size_t max);

#endif
