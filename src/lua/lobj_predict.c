/*
** lobj_predict.c — the data models' own methods: f:predict(x, X),
** f:predict_proba(x, X), f:accuracy(x, X, y), f:forward(x, X) (MLP) and
** f:layers() (MLP, matrix factorization). Argument checks and result shapes
** only; the numerics are the core's (sl_model_predict, sl_model_accuracy,
** sl_model_blocks in src/core/obj_predict.c and the models' files).
*/
#include <string.h>

#include "laux.h"
#include "lcsr.h"
#include "lobj.h"
#include "sl_models.h"

/* "logistic:predict": the model's name and the method, for messages (the
   string stays on the stack, above the arguments, for the call). */
static const char *mname(lua_State *L, sl_objective *o, const char *method) {
  return lua_pushfstring(L, "%s:%s", o->ops->name, method);
}

/* self, and the parameters x at arg 2 (a vec or table of f.dim numbers). */
static sl_objective *check_model(lua_State *L, const char *method, sl_model_info *info,
                                 const char **fname) {
  sl_objective *o = sl_checkobj(L, 1);
  lua_settop(L, 4);
  *fname = mname(L, o, method); /* at 5 */
  sl_model_info_of(o, info);
  sl_mat *Xm = sl_testmat(L, 2);
  if (Xm || sl_testcsr(L, 2))
    sl_error(L, *fname,
             "x must be the parameters (a vec of %I numbers), got a matrix: write f:%s(x, X)",
             (lua_Integer)o->dim, method);
  if (!sl_testvec(L, 2) && !lua_istable(L, 2))
    sl_error(L, *fname, "x must be the parameters (a vec of %I numbers), got %s",
             (lua_Integer)o->dim, luaL_typename(L, 2));
  sl_vec *x = sl_tovec(L, 2);
  if (x->n != o->dim)
    sl_error(L, *fname, "x has %I entries but the model has %I parameters", (lua_Integer)x->n,
             (lua_Integer)o->dim);
  return o;
}

/* X at arg: a mat, a table of rows (made a mat in place) or a csr. */
static void check_X(lua_State *L, int arg, const char *fname, const sl_mat **Xd,
                    const sl_csr **Xs) {
  *Xd = sl_testmat(L, arg);
  *Xs = *Xd ? NULL : sl_testcsr(L, arg);
  if (*Xd || *Xs) return;
  if (!lua_istable(L, arg))
    sl_error(L, fname, "X must be a slope.mat (rows are samples) or a slope.csr, got %s",
             luaL_typename(L, arg));
  *Xd = sl_tomat(L, arg);
}

static size_t nrows(const sl_mat *Xd, const sl_csr *Xs) { return Xd ? Xd->rows : Xs->rows; }

static void run(lua_State *L, sl_objective *o, const char *fname, const sl_mat *Xd,
                const sl_csr *Xs, sl_predict_what what, double *out) {
  char msg[256];
  sl_status st = sl_model_predict(o, sl_testvec(L, 2)->data, Xd, Xs, what, out, msg, sizeof msg);
  if (st < 0) sl_error(L, fname, "%s", msg[0] ? msg : sl_status_string(st));
}

/* The predictions for `what`, pushed: a vec (one value per row) or a rows x k mat. */
static int push_predict(lua_State *L, const char *method, int proba) {
  sl_model_info info;
  const char *fname;
  sl_objective *o = check_model(L, method, &info, &fname);
  sl_predict_what what = proba          ? SL_PREDICT_PROBA
                         : info.classes ? SL_PREDICT_LABELS
                                        : SL_PREDICT_SCORES;
  const sl_mat *Xd;
  const sl_csr *Xs;
  check_X(L, 3, fname, &Xd, &Xs);
  size_t cols = sl_model_predict_cols(&info, what), r = nrows(Xd, Xs);
  if (cols == 0) cols = 1; /* sl_model_predict says why */
  int mat = info.kind == SL_MODEL_SOFTMAX || info.kind == SL_MODEL_MLP ? cols > 1 || proba : 0;
  double *out = mat ? sl_newmat(L, r, cols)->data : sl_newvec(L, r)->data;
  run(L, o, fname, Xd, Xs, what, out);
  return 1;
}

static int m_predict(lua_State *L) { return push_predict(L, "predict", 0); }
static int m_predict_proba(lua_State *L) { return push_predict(L, "predict_proba", 1); }

/* f:forward(x, X) -> outputs [, probabilities] */
static int m_forward(lua_State *L) {
  sl_model_info info;
  const char *fname;
  sl_objective *o = check_model(L, "forward", &info, &fname);
  const sl_mat *Xd;
  const sl_csr *Xs;
  check_X(L, 3, fname, &Xd, &Xs);
  size_t r = nrows(Xd, Xs), K = info.outputs;
  run(L, o, fname, Xd, Xs, SL_PREDICT_SCORES, sl_newmat(L, r, K)->data);
  if (info.classes == 0) return 1;
  run(L, o, fname, Xd, Xs, SL_PREDICT_PROBA, sl_newmat(L, r, K)->data);
  return 2;
}

static int m_accuracy(lua_State *L) {
  sl_model_info info;
  const char *fname;
  sl_objective *o = check_model(L, "accuracy", &info, &fname);
  const sl_mat *Xd;
  const sl_csr *Xs;
  check_X(L, 3, fname, &Xd, &Xs);
  if (!sl_testvec(L, 4) && !lua_istable(L, 4))
    return sl_error(L, fname, "y must be a vec or a table of labels, got %s", luaL_typename(L, 4));
  sl_vec *y = sl_tovec(L, 4);
  double acc = 0.0;
  char msg[256];
  sl_status st =
      sl_model_accuracy(o, sl_testvec(L, 2)->data, Xd, Xs, y->data, y->n, &acc, msg, sizeof msg);
  if (st < 0) return sl_error(L, fname, "%s", msg[0] ? msg : sl_status_string(st));
  lua_pushnumber(L, acc);
  return 1;
}

/* f:layers() -> { {name=, offset=, size=, shape={rows, cols} | {n}}, ... } */
static int m_layers(lua_State *L) {
  sl_objective *o = sl_checkobj(L, 1);
  sl_param_block b[2 * SL_MLP_MAX_LAYERS + 2];
  size_t nb = sl_model_blocks(o, b, sizeof b / sizeof b[0]);
  lua_createtable(L, (int)nb, 0);
  for (size_t k = 0; k < nb; k++) {
    size_t size = b[k].cols ? b[k].rows * b[k].cols : b[k].rows;
    lua_createtable(L, 0, 4);
    lua_pushstring(L, b[k].name);
    lua_setfield(L, -2, "name");
    lua_pushinteger(L, (lua_Integer)b[k].offset + 1);
    lua_setfield(L, -2, "offset");
    lua_pushinteger(L, (lua_Integer)size);
    lua_setfield(L, -2, "size");
    lua_createtable(L, 2, 0);
    lua_pushinteger(L, (lua_Integer)b[k].rows);
    lua_rawseti(L, -2, 1);
    if (b[k].cols) {
      lua_pushinteger(L, (lua_Integer)b[k].cols);
      lua_rawseti(L, -2, 2);
    }
    lua_setfield(L, -2, "shape");
    lua_rawseti(L, -2, (lua_Integer)k + 1);
  }
  return 1;
}

static const sl_reg model_methods[] = {
    {"predict", m_predict, "f:predict(x, X) -> labels | outputs",
     "The model at parameters x on the rows of X (a mat, a table of rows, or a csr for the linear "
     "models; X's columns are the features): labels for classifiers (logistic 0/1 or -1/+1 as "
     "f.labels, 1 when x_i.w + b > 0; softmax and mlp the class 0..K-1 of the largest score), a "
     "vec of X w (+ b) for least squares, the outputs (vec for one output, else a mat) for an mlp "
     "with loss mse (sklearn's predict)."},
    {"predict_proba", m_predict_proba, "f:predict_proba(x, X) -> probabilities",
     "Class probabilities on the rows of X: logistic a vec of P(y = 1) = sigma(x_i.w + b) "
     "(sklearn's predict_proba(X)[:, 1]); softmax and mlp (loss xent) a rows x K mat of "
     "softmax(scores), each row summing to 1. Refused for regressions."},
    {"accuracy", m_accuracy, "f:accuracy(x, X, y) -> fraction",
     "The fraction of rows of X whose predicted label (f:predict) equals y (a vec or table of "
     "labels: logistic 0/1 or -1/+1, softmax/mlp integers 0..K-1, checked), sklearn's score. "
     "Classifiers only."},
    {"forward", m_forward, "f:forward(x, X) -> outputs [, probabilities]",
     "The MLP's forward pass on the rows of X (a mat): the last layer's outputs as a rows x K mat "
     "(logits for loss xent, the predictions for loss mse) and, for xent, the softmax "
     "probabilities as a second mat. Replaces hand-written loops over f:unflatten(x)."},
    {"layers", m_layers, "f:layers() -> { {name, offset, size, shape}, ... }",
     "The parameter blocks of x in order, for per-layer probes: mlp W1, b1, W2, b2, ... (W_l "
     "shape {outputs, inputs}, row-major; b_l shape {outputs}); matrix_factorization U {rows, "
     "rank} and V {cols, rank}. offset is 1-based (x[offset .. offset + size - 1]); a shape {r, "
     "c} is r filters (rows) of c entries for slope.probe.filter_normalize."},
    {NULL, NULL, NULL, NULL}};

void sl_obj_model_methods(lua_State *L, int t, sl_objective *o) {
  t = lua_absindex(L, t);
  sl_model_info info;
  if (sl_model_info_of(o, &info) != SL_OK) return;
  for (const sl_reg *r = model_methods; r->name; r++) {
    int has = 0;
    if (strcmp(r->name, "predict") == 0) has = info.kind != SL_MODEL_MF;
    if (strcmp(r->name, "predict_proba") == 0 || strcmp(r->name, "accuracy") == 0)
      has = info.classes > 0;
    if (strcmp(r->name, "forward") == 0) has = info.kind == SL_MODEL_MLP;
    if (strcmp(r->name, "layers") == 0) has = sl_model_blocks(o, NULL, 0) > 0;
    if (!has) continue;
    lua_getfield(L, LUA_REGISTRYINDEX, "slope.obj.model_methods");
    lua_getfield(L, -1, r->name);
    lua_setfield(L, t, r->name);
    lua_pop(L, 1);
  }
}

/* The method functions, made once (one help entry each) and kept in the registry. */
void sl_obj_model_methods_init(lua_State *L) {
  lua_newtable(L);
  sl_setfuncs(L, lua_gettop(L), model_methods, "slope.obj.<model>");
  lua_setfield(L, LUA_REGISTRYINDEX, "slope.obj.model_methods");
}
