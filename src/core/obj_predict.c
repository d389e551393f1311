/*
** obj_predict.c — the fitted model applied to new rows: one entry point
** (sl_model_predict) over the models' own kernels (their sl_model_ops), the
** checks they share (X's width, which outputs a model has, label ranges),
** and the accuracy of a classifier (sklearn's score: the fraction of rows
** whose predicted label is the true one).
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "sl_models.h"

static const char *kind_name(sl_model_kind k) {
  switch (k) {
  case SL_MODEL_LEAST_SQUARES: return "least_squares";
  case SL_MODEL_LOGISTIC: return "logistic";
  case SL_MODEL_SOFTMAX: return "softmax";
  case SL_MODEL_MLP: return "mlp";
  case SL_MODEL_MF: return "matrix_factorization";
  default: return "objective";
  }
}

sl_status sl_model_info_of(const sl_objective *o, sl_model_info *info) {
  info->kind = SL_MODEL_NONE;
  info->features = info->outputs = info->classes = 0;
  info->labels = SL_LABELS_01;
  if (o == NULL || o->ops->model == NULL || o->ops->model->info == NULL) return SL_EUNSUPPORTED;
  o->ops->model->info(o, info);
  return SL_OK;
}

size_t sl_model_predict_cols(const sl_model_info *info, sl_predict_what what) {
  if (info->kind == SL_MODEL_NONE || info->kind == SL_MODEL_MF) return 0;
  switch (what) {
  case SL_PREDICT_SCORES: return info->outputs;
  case SL_PREDICT_PROBA: return info->classes == 0 ? 0 : info->outputs;
  case SL_PREDICT_LABELS: return info->classes == 0 ? 0 : 1;
  }
  return 0;
}

static sl_status check_rows(const sl_objective *o, const sl_model_info *info, const sl_mat *Xd,
                            const sl_csr *Xs, sl_predict_what what, char *msg, size_t msglen) {
  if (info->kind == SL_MODEL_NONE || info->kind == SL_MODEL_MF || o->ops->model->predict == NULL) {
    snprintf(msg, msglen, "%s makes no predictions on rows", kind_name(info->kind));
    return SL_EUNSUPPORTED;
  }
  if (sl_model_predict_cols(info, what) == 0) {
    snprintf(msg, msglen,
             "%s is a regression: it has outputs (predict), not labels or "
             "probabilities",
             info->kind == SL_MODEL_MLP ? "an mlp with loss mse" : kind_name(info->kind));
    return SL_EUNSUPPORTED;
  }
  if ((Xd == NULL) == (Xs == NULL)) {
    snprintf(msg, msglen, "X must be a dense or a sparse matrix");
    return SL_EINVAL;
  }
  if (Xs && info->kind == SL_MODEL_MLP) {
    snprintf(msg, msglen, "an mlp takes dense rows (a slope.mat), not a csr");
    return SL_EINVAL;
  }
  size_t cols = Xd ? Xd->cols : Xs->cols;
  if (cols != info->features) {
    snprintf(msg, msglen, "X has %zu columns but the model has %zu features", cols, info->features);
    return SL_EDIM;
  }
  const double *v = Xd ? Xd->data : Xs->values;
  size_t cnt = Xd ? Xd->rows * Xd->cols : Xs->nnz;
  for (size_t k = 0; k < cnt; k++)
    if (!isfinite(v[k])) {
      if (Xd)
        snprintf(msg, msglen, "X(%zu, %zu) is not finite", k / Xd->cols + 1, k % Xd->cols + 1);
      else
        snprintf(msg, msglen, "X holds a value that is not finite");
      return SL_ENONFINITE;
    }
  return SL_OK;
}

sl_status sl_model_predict(sl_objective *o, const double *x, const sl_mat *Xd, const sl_csr *Xs,
                           sl_predict_what what, double *out, char *msg, size_t msglen) {
  msg[0] = '\0';
  sl_model_info info;
  sl_model_info_of(o, &info);
  sl_status st = check_rows(o, &info, Xd, Xs, what, msg, msglen);
  if (st != SL_OK) return st;
  st = o->ops->model->predict(o, x, Xd, Xs, what, out);
  if (st == SL_ENOMEM && !msg[0]) snprintf(msg, msglen, "out of memory");
  return st;
}

sl_status sl_model_accuracy(sl_objective *o, const double *x, const sl_mat *Xd, const sl_csr *Xs,
                            const double *y, size_t ny, double *acc, char *msg, size_t msglen) {
  msg[0] = '\0';
  sl_model_info info;
  sl_model_info_of(o, &info);
  sl_status st = check_rows(o, &info, Xd, Xs, SL_PREDICT_LABELS, msg, msglen);
  if (st != SL_OK) return st;
  size_t rows = Xd ? Xd->rows : Xs->rows;
  if (ny != rows) {
    snprintf(msg, msglen, "X has %zu rows but y has %zu labels", rows, ny);
    return SL_EDIM;
  }
  if (rows == 0) {
    snprintf(msg, msglen, "X has no rows");
    return SL_EINVAL;
  }
  int pm1 = 0, zero = 0;
  for (size_t i = 0; i < ny; i++) {
    double v = y[i];
    if (info.kind == SL_MODEL_LOGISTIC) {
      if (v != 0.0 && v != 1.0 && v != -1.0) {
        snprintf(msg, msglen, "label of sample %zu is %g, expected 0/1 or -1/+1", i + 1, v);
        return SL_EINVAL;
      }
      pm1 |= v == -1.0;
      zero |= v == 0.0;
      if (pm1 && zero) {
        snprintf(msg, msglen, "label of sample %zu mixes 0/1 and -1/+1 labels", i + 1);
        return SL_EINVAL;
      }
    } else if (!(v >= 0 && v <= (double)(info.classes - 1)) || v != floor(v)) {
      snprintf(msg, msglen, "label of sample %zu is %g, expected an integer in 0..%zu", i + 1, v,
               info.classes - 1);
      return SL_EINVAL;
    }
  }
  double *lab = malloc(rows * sizeof *lab);
  if (lab == NULL) {
    snprintf(msg, msglen, "out of memory");
    return SL_ENOMEM;
  }
  st = o->ops->model->predict(o, x, Xd, Xs, SL_PREDICT_LABELS, lab);
  if (st == SL_OK) {
    size_t hit = 0;
    for (size_t i = 0; i < rows; i++) {
      /* logistic: compare classes (1, or 0/-1), whichever labels either side uses */
      int same = info.kind == SL_MODEL_LOGISTIC ? (lab[i] > 0.5) == (y[i] > 0.5) : lab[i] == y[i];
      hit += (size_t)same;
    }
    *acc = (double)hit / (double)rows;
  }
  free(lab);
  return st;
}

size_t sl_model_blocks(const sl_objective *o, sl_param_block *b, size_t max) {
  if (o == NULL || o->ops->model == NULL || o->ops->model->blocks == NULL) return 0;
  return o->ops->model->blocks(o, b, max);
}
