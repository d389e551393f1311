/*
** lobj_models.c — constructors of the data objectives in slope.obj:
** least_squares, logistic, softmax (dense mat or sparse csr X), mlp and
** matrix_factorization. Argument and option checks only; the numerics live
** in src/core/obj_*.c. X is kept alive by the objective; labels are copied.
*/
#include <math.h>
#include <string.h>

#include "laux.h"
#include "lcsr.h"
#include "lobj.h"
#include "sl_models.h"

/* Field key of the options table t as X: pushes the mat/csr (a table of rows
   becomes a new mat) and returns it through Xd or Xs. */
static void get_x(lua_State *L, int t, const char *fname, int dense_only, const sl_mat **Xd,
                  const sl_csr **Xs) {
  *Xd = NULL;
  *Xs = NULL;
  int ty = lua_getfield(L, t, "X");
  if ((*Xd = sl_testmat(L, -1)) != NULL) return;
  if (!dense_only && (*Xs = sl_testcsr(L, -1)) != NULL) return;
  if (ty == LUA_TTABLE) {
    *Xd = sl_tomat(L, lua_gettop(L));
    return;
  }
  sl_error(L, fname, "X must be a %s, got %s", dense_only ? "slope.mat" : "slope.mat or slope.csr",
           luaL_typename(L, -1));
}

/* Field key as a vec (tables converted), pushed; error naming fname when absent. */
static sl_vec *get_vec(lua_State *L, int t, const char *key, const char *fname) {
  int ty = lua_getfield(L, t, key);
  sl_vec *v = sl_testvec(L, -1);
  if (v) return v;
  if (ty != LUA_TTABLE)
    sl_error(L, fname, "%s must be a vec or a table of numbers, got %s", key, luaL_typename(L, -1));
  lua_geti(L, -1, 1);
  int ok = lua_type(L, -1) == LUA_TNUMBER || lua_isnil(L, -1);
  lua_pop(L, 1);
  if (!ok) sl_error(L, fname, "%s must be a vec or a table of numbers", key);
  return sl_tovec(L, lua_gettop(L));
}

static void check_opts(lua_State *L, const char *fname, const char *const keys[]) {
  if (!lua_istable(L, 1)) sl_error(L, fname, "options table expected, got %s", luaL_typename(L, 1));
  sl_checkkeys(L, 1, keys, fname);
}

static int fail(lua_State *L, const char *fname, const char *msg) {
  return sl_error(L, fname, "%s", msg);
}

/* ---- linear models ------------------------------------------------------- */

static int linear_new(lua_State *L, int kind, const char *fname) {
  static const char *const keys[] = {"X", "y", "l2", "intercept", "classes", NULL};
  static const char *const keys2[] = {"X", "y", "l2", "intercept", NULL};
  check_opts(L, fname, kind == 2 ? keys : keys2);
  sl_linear_opts p;
  p.l2 = sl_optnonneg(L, 1, "l2", 0.0, fname);
  p.intercept = sl_optbool(L, 1, "intercept", 0, fname);
  lua_Integer classes = sl_optint(L, 1, "classes", 0, 2, fname);
  get_x(L, 1, fname, 0, &p.Xd, &p.Xs); /* stack: 2 = X */
  sl_vec *y = get_vec(L, 1, "y", fname);
  p.y = y->data;
  p.ny = y->n;
  char msg[256];
  sl_status st;
  sl_labels labels = SL_LABELS_01;
  sl_objective *o;
  if (kind == 0) {
    o = sl_obj_least_squares_new(&p, &st, msg, sizeof msg);
  } else if (kind == 1) {
    o = sl_obj_logistic_new(&p, &labels, &st, msg, sizeof msg);
  } else {
    if (classes == 0) { /* default: largest label + 1 */
      double mx = 1;
      for (size_t i = 0; i < y->n; i++)
        if (y->data[i] > mx && y->data[i] < 1e9) mx = y->data[i];
      classes = (lua_Integer)mx + 1;
    }
    o = sl_obj_softmax_new(&p, (size_t)classes, &st, msg, sizeof msg);
  }
  if (o == NULL)
    return st == SL_ENOMEM && !msg[0] ? luaL_error(L, "out of memory") : fail(L, fname, msg);
  lua_settop(L, 2);         /* X */
  lua_createtable(L, 0, 4); /* per-object fields and methods */
  if (kind == 1) {
    lua_pushstring(L, labels == SL_LABELS_PM1 ? "-1/+1" : "0/1");
    lua_setfield(L, -2, "labels");
  } else if (kind == 2) {
    lua_pushinteger(L, classes);
    lua_setfield(L, -2, "classes");
  }
  sl_obj_model_methods(L, -1, o);
  lua_insert(L, 2);
  sl_pushobj(L, o, 1, 2);
  return 1;
}

static int l_least_squares(lua_State *L) { return linear_new(L, 0, "slope.obj.least_squares"); }
static int l_logistic(lua_State *L) { return linear_new(L, 1, "slope.obj.logistic"); }
static int l_softmax(lua_State *L) { return linear_new(L, 2, "slope.obj.softmax"); }

/* ---- MLP ----------------------------------------------------------------- */

/* f:unflatten(x) -> { {W=mat, b=vec}, ... } (copies). */
static int mlp_unflatten(lua_State *L) {
  sl_objective *o = sl_checkobj(L, 1);
  sl_vec *x = sl_tovec(L, 2);
  sl_checkdim(L, 2, x, o->dim, "x");
  size_t in, out, wo, bo, L0 = sl_mlp_layer(o, 0, &in, &out, &wo, &bo);
  if (L0 == 0) return sl_error(L, "unflatten", "not an mlp objective");
  lua_createtable(L, (int)L0, 0);
  for (size_t l = 0; l < L0; l++) {
    sl_mlp_layer(o, l, &in, &out, &wo, &bo);
    lua_createtable(L, 0, 2);
    sl_mat *W = sl_newmat(L, out, in);
    memcpy(W->data, x->data + wo, in * out * sizeof(double));
    lua_setfield(L, -2, "W");
    sl_vec *b = sl_newvec(L, out);
    memcpy(b->data, x->data + bo, out * sizeof(double));
    lua_setfield(L, -2, "b");
    lua_rawseti(L, -2, (lua_Integer)l + 1);
  }
  return 1;
}

/* opts.activation and opts.loss into p; returns the activation's name. */
static const char *mlp_kinds(lua_State *L, const char *fname, sl_mlp_opts *p) {
  const char *act = sl_optstr(L, 1, "activation", "tanh", fname);
  const char *loss = sl_optstr(L, 1, "loss", "xent", fname);
  if (strcmp(act, "tanh") == 0)
    p->act = SL_ACT_TANH;
  else if (strcmp(act, "relu") == 0)
    p->act = SL_ACT_RELU;
  else if (strcmp(act, "gelu") == 0)
    p->act = SL_ACT_GELU;
  else
    sl_error(L, fname, "unknown activation '%s' (expected tanh, relu or gelu)", act);
  if (strcmp(loss, "xent") == 0)
    p->loss = SL_LOSS_XENT;
  else if (strcmp(loss, "mse") == 0)
    p->loss = SL_LOSS_MSE;
  else
    sl_error(L, fname, "unknown loss '%s' (expected xent or mse)", loss);
  return act;
}

/* opts.hidden (default {64}) into hidden[], their number into p->nhidden. */
static void mlp_hidden(lua_State *L, const char *fname, sl_mlp_opts *p, size_t *hidden) {
  int ht = lua_getfield(L, 1, "hidden");
  p->hidden = hidden;
  if (ht == LUA_TNIL) {
    p->nhidden = 1;
    hidden[0] = 64;
  } else if (ht != LUA_TTABLE) {
    sl_error(L, fname, "hidden must be a table of layer widths, got %s", luaL_typename(L, -1));
  } else {
    lua_Integer nh = luaL_len(L, -1);
    if (nh >= SL_MLP_MAX_LAYERS)
      sl_error(L, fname, "at most %d hidden layers", SL_MLP_MAX_LAYERS - 1);
    p->nhidden = (size_t)nh;
    for (lua_Integer k = 1; k <= nh; k++) {
      lua_geti(L, -1, k);
      int isint;
      lua_Integer w = lua_tointegerx(L, -1, &isint);
      if (!isint || w < 1 || w > (1 << 20))
        sl_error(L, fname, "hidden[%I] must be an integer >= 1, got %s", k,
                 luaL_tolstring(L, -1, NULL));
      hidden[k - 1] = (size_t)w;
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
}

/* opts.y into p: a mat of targets (mse, one output per column) or a vec of
   labels (xent: classes given or 1 + the largest label) or targets (mse, one
   output). Pushes y. */
static void mlp_targets(lua_State *L, const char *fname, sl_mlp_opts *p, lua_Integer classes) {
  lua_getfield(L, 1, "y");
  sl_mat *Ym = sl_testmat(L, -1);
  lua_pop(L, 1);
  if (p->loss != SL_LOSS_XENT && classes != 0)
    sl_error(L, fname,
             "classes applies to loss=\"xent\"; with loss=\"mse\" the outputs are y's columns "
             "(a vec y is one output; for one-hot targets pass slope.data.onehot(y, K))");
  if (Ym) {
    if (p->loss == SL_LOSS_XENT)
      sl_error(L, fname, "y must be a vec of labels for loss xent, got a mat");
    lua_getfield(L, 1, "y");
    p->y = Ym->data;
    p->ny = Ym->rows * Ym->cols;
    p->outputs = Ym->cols;
    if (Ym->rows != p->X->rows)
      sl_error(L, fname, "X has %I rows but y has %I", (lua_Integer)p->X->rows,
               (lua_Integer)Ym->rows);
    return;
  }
  sl_vec *y = get_vec(L, 1, "y", fname);
  p->y = y->data;
  p->ny = y->n;
  p->outputs = 1;
  if (p->loss != SL_LOSS_XENT) return;
  if (classes == 0) {
    double mx = 1;
    for (size_t i = 0; i < y->n; i++)
      if (y->data[i] > mx && y->data[i] < 1e6) mx = y->data[i];
    classes = (lua_Integer)mx + 1;
  }
  p->outputs = (size_t)classes;
}

/* f.layout: per layer {inputs, outputs, W, b} (1-based offsets into x). */
static void push_layout(lua_State *L, const sl_objective *o) {
  size_t in, out, wo, bo, nl = sl_mlp_layer(o, 0, &in, &out, &wo, &bo);
  lua_createtable(L, (int)nl, 0);
  for (size_t l = 0; l < nl; l++) {
    sl_mlp_layer(o, l, &in, &out, &wo, &bo);
    lua_createtable(L, 0, 4);
    lua_pushinteger(L, (lua_Integer)in);
    lua_setfield(L, -2, "inputs");
    lua_pushinteger(L, (lua_Integer)out);
    lua_setfield(L, -2, "outputs");
    lua_pushinteger(L, (lua_Integer)wo + 1);
    lua_setfield(L, -2, "W");
    lua_pushinteger(L, (lua_Integer)bo + 1);
    lua_setfield(L, -2, "b");
    lua_rawseti(L, -2, (lua_Integer)l + 1);
  }
}

static int l_mlp(lua_State *L) {
  static const char *const fname = "slope.obj.mlp";
  static const char *const keys[] = {"X",    "y",  "hidden",  "activation",
                                     "loss", "l2", "classes", NULL};
  check_opts(L, fname, keys);
  sl_mlp_opts p;
  p.l2 = sl_optnonneg(L, 1, "l2", 0.0, fname);
  lua_Integer classes = sl_optint(L, 1, "classes", 0, 2, fname);
  const char *act = mlp_kinds(L, fname, &p);
  size_t hidden[SL_MLP_MAX_LAYERS];
  mlp_hidden(L, fname, &p, hidden);
  const sl_csr *Xs;
  get_x(L, 1, fname, 1, &p.X, &Xs); /* 2 = X */
  mlp_targets(L, fname, &p, classes);
  char msg[256];
  sl_status st;
  sl_objective *o = sl_obj_mlp_new(&p, &st, msg, sizeof msg);
  if (o == NULL)
    return st == SL_ENOMEM && !msg[0] ? luaL_error(L, "out of memory") : fail(L, fname, msg);
  lua_settop(L, 2);
  /* per-object fields and methods: unflatten, layout, classes / outputs */
  lua_createtable(L, 0, 4);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_setfield(L, -2, "unflatten");
  push_layout(L, o);
  lua_setfield(L, -2, "layout");
  lua_pushinteger(L, (lua_Integer)p.outputs);
  lua_setfield(L, -2, p.loss == SL_LOSS_XENT ? "classes" : "outputs");
  lua_pushstring(L, act);
  lua_setfield(L, -2, "activation");
  sl_obj_model_methods(L, -1, o);
  lua_insert(L, 2);
  sl_pushobj(L, o, 1, 2);
  return 1;
}

/* ---- matrix factorization -------------------------------------------------- */

static int l_mf(lua_State *L) {
  static const char *const fname = "slope.obj.matrix_factorization";
  static const char *const keys[] = {"rows", "cols", "entries", "rank", "l2", NULL};
  check_opts(L, fname, keys);
  sl_mf_opts p;
  memset(&p, 0, sizeof p);
  const char *req[3] = {"rows", "cols", "rank"};
  for (int k = 0; k < 3; k++) {
    lua_getfield(L, 1, req[k]);
    if (lua_isnil(L, -1)) return sl_error(L, fname, "%s is required", req[k]);
    lua_pop(L, 1);
  }
  p.rows = (size_t)sl_optint(L, 1, "rows", 1, 1, fname);
  p.cols = (size_t)sl_optint(L, 1, "cols", 1, 1, fname);
  p.rank = (size_t)sl_optint(L, 1, "rank", 1, 1, fname);
  p.l2 = sl_optnonneg(L, 1, "l2", 0.0, fname);
  int ty = lua_getfield(L, 1, "entries"); /* 2 */
  sl_mat *E = sl_testmat(L, 2);
  if (E) {
    if (E->cols != 3)
      return sl_error(L, fname, "entries must have 3 columns (i, j, r), got %I",
                      (lua_Integer)E->cols);
    p.n = E->rows;
    p.i = E->data;
    p.j = E->data + 1;
    p.r = E->data + 2;
    p.stride = 3;
  } else if (ty == LUA_TTABLE) {
    sl_vec *vi = get_vec(L, 2, "i", fname), *vj = get_vec(L, 2, "j", fname),
           *vr = get_vec(L, 2, "r", fname);
    if (vi->n != vj->n || vi->n != vr->n)
      return sl_error(L, fname, "entries.i, .j and .r must have the same length (%I, %I, %I)",
                      (lua_Integer)vi->n, (lua_Integer)vj->n, (lua_Integer)vr->n);
    p.n = vi->n;
    p.i = vi->data;
    p.j = vj->data;
    p.r = vr->data;
    p.stride = 1;
  } else {
    return sl_error(L, fname, "entries must be an n x 3 mat or a table {i=, j=, r=}, got %s",
                    luaL_typename(L, 2));
  }
  char msg[256];
  sl_status st;
  sl_objective *o = sl_obj_mf_new(&p, &st, msg, sizeof msg);
  if (o == NULL)
    return st == SL_ENOMEM && !msg[0] ? luaL_error(L, "out of memory") : fail(L, fname, msg);
  lua_settop(L, 1);
  lua_createtable(L, 0, 3);
  lua_pushinteger(L, (lua_Integer)p.rows);
  lua_setfield(L, -2, "rows");
  lua_pushinteger(L, (lua_Integer)p.cols);
  lua_setfield(L, -2, "cols");
  lua_pushinteger(L, (lua_Integer)p.rank);
  lua_setfield(L, -2, "rank");
  sl_obj_model_methods(L, -1, o);
  sl_pushobj(L, o, 0, 2); /* entries were copied: nothing to keep alive */
  return 1;
}

static const sl_reg model_funcs[] = {
    {"least_squares", l_least_squares,
     "slope.obj.least_squares{X=, y=, l2=0, intercept=false} -> objective",
     "f = (1/2n)|Xw + b - y|^2 + (l2/2)|w|^2 over a dense mat or sparse csr X; with intercept, b "
     "is the last entry of x. f:predict(x, X) gives X w + b."},
    {"logistic", l_logistic, "slope.obj.logistic{X=, y=, l2=0, intercept=false} -> objective",
     "Mean binary cross-entropy log(1 + exp(-s z)) + (l2/2)|w|^2; labels 0/1 or -1/+1 (f.labels "
     "says which); X mat or csr; with intercept, b is the last entry of x. f:predict(x, X) "
     "(labels), f:predict_proba(x, X), f:accuracy(x, X, y)."},
    {"softmax", l_softmax,
     "slope.obj.softmax{X=, y=, classes=K, l2=0, intercept=false} -> objective",
     "Multinomial logistic regression, labels 0..K-1 (K defaults to max label + 1); x is W, d x K "
     "(or (d+1) x K, intercept row last), row-major. f:predict(x, X) (labels), "
     "f:predict_proba(x, X), f:accuracy(x, X, y)."},
    {"matrix_factorization", l_mf,
     "slope.obj.matrix_factorization{rows=, cols=, entries=, rank=, l2=0} -> objective",
     "f = (1/n) sum 1/2 (u_i.v_j - r)^2 + (l2/2)(|U|^2 + |V|^2); entries an n x 3 mat (i, j, r; "
     "1-based) or {i=, j=, r=}; x = U (rows x rank) then V (cols x rank), row-major; f:layers()."},
    {NULL, NULL, NULL, NULL}};

int sl_open_obj_models(lua_State *L, int slope) {
  lua_getfield(L, slope, "obj");
  int t = lua_gettop(L);
  sl_setfuncs(L, t, model_funcs, "slope.obj");
  sl_obj_model_methods_init(L);
  lua_pushcfunction(L, mlp_unflatten);
  sl_sethelp(L, -1, "slope.obj.mlp.unflatten", "f:unflatten(x) -> { {W=mat, b=vec}, ... }",
             "The MLP's parameters per layer as copies: W (outputs x inputs) and b; f.layout and "
             "f:layers() give 1-based offsets.");
  lua_pushcclosure(L, l_mlp, 1);
  sl_sethelp(L, -1, "slope.obj.mlp",
             "slope.obj.mlp{X=, y=, hidden={64}, activation=\"tanh\"|\"relu\"|\"gelu\", "
             "loss=\"xent\"|\"mse\", l2=0, classes=} -> objective",
             "A feed-forward net; exact HVP by Pearlmutter's R-operator. x holds, per layer, W "
             "(out x in, row-major) then b; l2 on W only; f:unflatten(x), f.layout, f:layers(), "
             "f:init(rng); f:forward(x, X), f:predict(x, X), f:predict_proba(x, X) and "
             "f:accuracy(x, X, y) (loss xent) run the network on new rows.");
  lua_setfield(L, t, "mlp");
  lua_pop(L, 1);
  return 0;
}
