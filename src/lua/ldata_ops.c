/*
** ldata_ops.c — slope.data transforms: split, standardize, onehot, batches.
** Installed into the slope.data table that ldata.c creates (this opener's
** name sorts after sl_open_data).
*/
#include <math.h>
#include <string.h>

#include "laux.h"
#include "lcsr.h"
#include "lrng.h"
#include "sl_data.h"

/* A scratch array of n size_t that the GC frees (left on the stack). */
static size_t *scratch(lua_State *L, size_t n) {
  return lua_newuserdatauv(L, (n ? n : 1) * sizeof(size_t), 0);
}

/* ---- split ------------------------------------------------------------------ */

/* Push rows idx[0..m) of the data set's X (mat or csr) and y (if any) as a new table. */
static void push_subset(lua_State *L, int D, const size_t *idx, size_t m) {
  lua_createtable(L, 0, 4);
  lua_getfield(L, D, "X");
  sl_mat *x = sl_testmat(L, -1);
  if (x) {
    sl_mat *o = sl_newmat(L, m, x->cols);
    sl_data_gather_rows(x, idx, m, o);
  } else {
    sl_csr *c = sl_checkcsr(L, -1), o;
    if (sl_data_gather_csr(c, idx, m, &o) != SL_OK)
      sl_error(L, "slope.data.split", "out of memory");
    sl_pushcsr_take(L, o);
  }
  lua_setfield(L, -3, "X");
  lua_pop(L, 1);
  if (lua_getfield(L, D, "y") != LUA_TNIL) {
    sl_vec *y = sl_checkvec(L, -1), *o = sl_newvec(L, m);
    for (size_t r = 0; r < m; r++) o->data[r] = y->data[idx[r]];
    lua_setfield(L, -3, "y");
  }
  lua_pop(L, 1);
  const char *keep[] = {"names", "target"};
  for (int k = 0; k < 2; k++) {
    lua_getfield(L, D, keep[k]);
    lua_setfield(L, -2, keep[k]);
  }
}

/* The rows of the data set D at 1: D.X a mat or csr, D.y (optional) a vec of
   as many entries; raises naming fname otherwise. */
static size_t data_rows(lua_State *L, const char *fname) {
  size_t n;
  lua_getfield(L, 1, "X");
  sl_mat *x = sl_testmat(L, -1);
  sl_csr *c = x ? NULL : sl_testcsr(L, -1);
  if (!x && !c) sl_error(L, fname, "D.X must be a mat or csr, got %s", sl_typename(L, -1));
  n = x ? x->rows : c->rows;
  lua_pop(L, 1);
  if (lua_getfield(L, 1, "y") != LUA_TNIL) {
    sl_vec *y = sl_testvec(L, -1);
    if (!y) sl_error(L, fname, "D.y must be a vec, got %s", sl_typename(L, -1));
    if (y->n != n)
      sl_error(L, fname, "D.y has %I entries but D.X has %I rows", (lua_Integer)y->n,
               (lua_Integer)n);
  }
  lua_pop(L, 1);
  return n;
}

static int data_split(lua_State *L) {
  static const char *const FN = "slope.data.split";
  luaL_checktype(L, 1, LUA_TTABLE);
  double frac = luaL_checknumber(L, 2);
  if (!(frac > 0.0 && frac < 1.0))
    return sl_error(L, FN, "frac (the training fraction) must be in (0, 1), got %s",
                    sl_pushgot(L, 2));
  sl_rng *r = sl_optrng(L, 3);
  size_t n = data_rows(L, FN);
  size_t *p = scratch(L, n);
  sl_rng_perm(r, n, p);
  size_t ntrain = (size_t)floor(frac * (double)n + 0.5);
  if (ntrain > n) ntrain = n;
  push_subset(L, 1, p, ntrain);
  push_subset(L, 1, p + ntrain, n - ntrain);
  return 2;
}

/* ---- shard ------------------------------------------------------------------ */

/* slope.data.shard(D, rank, size [, {mode}]): the rows of one rank of size.
   "contiguous": rows floor(n r / K) .. floor(n (r+1) / K) - 1 (sizes differ
   by at most one); "strided": rows r, r + K, r + 2K, ... (0-based). */
static int data_shard(lua_State *L) {
  static const char *const FN = "slope.data.shard";
  static const char *const keys[] = {"mode", NULL};
  if (!lua_istable(L, 1))
    return sl_error(L, FN, "D must be a data set {X=mat|csr, y=vec}, got %s", sl_typename(L, 1));
  int isint;
  lua_Integer K = lua_type(L, 3) == LUA_TNUMBER ? lua_tointegerx(L, 3, &isint) : (isint = 0);
  if (!isint || K < 1)
    return sl_error(L, FN, "size must be an integer >= 1 (slope.mpi.size()), got %s",
                    sl_pushgot(L, 3));
  lua_Integer r = lua_type(L, 2) == LUA_TNUMBER ? lua_tointegerx(L, 2, &isint) : (isint = 0);
  if (!isint || r < 0 || r >= K)
    return sl_error(L, FN, "rank must be an integer in 0..size-1 (slope.mpi.rank()), got %s",
                    sl_pushgot(L, 2));
  if (!lua_isnoneornil(L, 4) && !lua_istable(L, 4))
    return sl_error(L, FN, "options must be a table, got %s", sl_typename(L, 4));
  int t = sl_opttable(L, 4);
  sl_checkkeys(L, t, keys, FN);
  sl_checknamed(L, t, FN, NULL, "mode = \"strided\"");
  const char *mode = sl_optstr(L, t, "mode", "contiguous", FN);
  int strided = strcmp(mode, "strided") == 0;
  if (!strided && strcmp(mode, "contiguous") != 0)
    return sl_error(L, FN, "mode must be \"contiguous\" or \"strided\", got \"%s\"", mode);
  size_t n = data_rows(L, FN);
  size_t k = (size_t)K, rk = (size_t)r, lo, m;
  if (strided) {
    lo = rk;
    m = n > rk ? (n - rk + k - 1) / k : 0;
  } else {
    /* n r / K without overflow: n = q K + s */
    size_t q = n / k, s0 = n % k;
    lo = q * rk + s0 * rk / k;
    size_t hi = q * (rk + 1) + s0 * (rk + 1) / k;
    m = hi - lo;
  }
  size_t *p = scratch(L, m);
  for (size_t i = 0; i < m; i++) p[i] = strided ? lo + i * k : lo + i;
  push_subset(L, 1, p, m);
  return 1;
}

/* ---- standardize ------------------------------------------------------------ */

static int data_standardize(lua_State *L) {
  static const char *const FN = "slope.data.standardize";
  static const char *const keys[] = {"mean", "scale", NULL};
  sl_mat *x = sl_checkmat(L, 1);
  int t = sl_opttable(L, 2);
  sl_checkkeys(L, t, keys, FN);
  sl_checknamed(L, t, FN, NULL, "mean = m, scale = s");
  size_t d = x->cols;
  int hm = lua_getfield(L, t, "mean") != LUA_TNIL;
  int hs = lua_getfield(L, t, "scale") != LUA_TNIL;
  if (hm != hs) return sl_error(L, FN, "mean and scale must be given together");
  sl_vec *mean, *scale;
  if (hm) {
    mean = sl_tovec(L, -2);
    scale = sl_tovec(L, -1);
    if (mean->n != d)
      return sl_error(L, FN, "mean has %I entries, X has %I columns", (lua_Integer)mean->n,
                      (lua_Integer)d);
    if (scale->n != d)
      return sl_error(L, FN, "scale has %I entries, X has %I columns", (lua_Integer)scale->n,
                      (lua_Integer)d);
    for (size_t j = 0; j < d; j++)
      if (!(scale->data[j] > 0.0) || !isfinite(scale->data[j]))
        return sl_error(L, FN, "scale[%I] must be a positive finite number", (lua_Integer)j + 1);
  } else {
    lua_pop(L, 2);
    mean = sl_newvec(L, d);
    scale = sl_newvec(L, d);
    sl_data_colstats(x, mean->data, scale->data);
  }
  int im = lua_gettop(L) - 1;
  sl_mat *o = sl_newmat(L, x->rows, d);
  sl_data_standardize(x, mean->data, scale->data, o);
  lua_pushvalue(L, im);
  lua_pushvalue(L, im + 1);
  return 3;
}

/* ---- onehot ------------------------------------------------------------------- */

static int data_onehot(lua_State *L) {
  static const char *const FN = "slope.data.onehot";
  sl_vec *y = sl_tovec(L, 1);
  size_t k;
  if (lua_isnoneornil(L, 2)) {
    double mx = -1.0;
    for (size_t i = 0; i < y->n; i++) {
      double v = y->data[i];
      if (!(v >= 0.0 && v < 65536.0 && v == floor(v))) {
        sl_pushnumber_str(L, v);
        return sl_error(L, FN, "sample %I has label %s, expected an integer in 0..65535",
                        (lua_Integer)i + 1, lua_tostring(L, -1));
      }
      if (v > mx) mx = v;
    }
    k = (size_t)(mx + 1.0);
  } else {
    k = sl_checksize(L, 2, 1);
  }
  sl_mat *o = sl_newmat(L, y->n, k);
  size_t bad = 0;
  if (sl_data_onehot(y->n, y->data, k, o, &bad) != SL_OK) {
    sl_pushnumber_str(L, y->data[bad]);
    return sl_error(L, FN, "sample %I has label %s, expected an integer in 0..%I",
                    (lua_Integer)bad + 1, lua_tostring(L, -1), (lua_Integer)k - 1);
  }
  return 1;
}

/* ---- batches ------------------------------------------------------------------ */

typedef struct batcher {
  size_t n, size, pos, count;
  int drop_last;
  size_t perm[];
} batcher;

static int batches_next(lua_State *L) {
  batcher *b = lua_touserdata(L, lua_upvalueindex(1));
  size_t left = b->n - b->pos;
  if (left == 0 || (b->drop_last && left < b->size)) return 0;
  size_t m = left < b->size ? left : b->size;
  sl_vec *v = sl_newvec(L, m);
  for (size_t k = 0; k < m; k++) v->data[k] = (double)(b->perm[b->pos + k] + 1);
  b->pos += m;
  lua_pushinteger(L, (lua_Integer)++b->count);
  return 2;
}

static int data_batches(lua_State *L) {
  static const char *const FN = "slope.data.batches";
  static const char *const keys[] = {"drop_last", NULL};
  size_t n = sl_checksize(L, 1, 0), size = sl_checksize(L, 2, 1);
  sl_rng *r = sl_optrng(L, 3);
  int t = sl_opttable(L, 4);
  sl_checkkeys(L, t, keys, FN);
  sl_checknamed(L, t, FN, NULL, "drop_last = true");
  int drop = sl_optbool(L, t, "drop_last", 0, FN);
  batcher *b = lua_newuserdatauv(L, sizeof(batcher) + (n ? n : 1) * sizeof(size_t), 0);
  b->n = n;
  b->size = size;
  b->pos = b->count = 0;
  b->drop_last = drop;
  sl_rng_perm(r, n, b->perm);
  lua_pushcclosure(L, batches_next, 1);
  return 1;
}

static const sl_reg ops_funcs[] = {
    {"split", data_split, "slope.data.split(D, frac [, rng]) -> train, test",
     "Shuffle the rows of D = {X=mat|csr, y=vec} with rng and split them: round(frac*n) rows to "
     "train, the rest to test."},
    {"shard", data_shard, "slope.data.shard(D, rank, size [, {mode = \"contiguous\"}]) -> D_rank",
     "The rows of D = {X=mat|csr, y=vec} that rank (0..size-1) of size holds: mode "
     "\"contiguous\" (default) a block of consecutive rows, block sizes differing by at most one, "
     "in rank order; \"strided\" rows rank+1, rank+1+size, ... (1-based). For "
     "slope.mpi.objective: shard(D, slope.mpi.rank(), slope.mpi.size())."},
    {"standardize", data_standardize,
     "slope.data.standardize(X [, {mean=, scale=}]) -> Xs, mean, scale",
     "Xs = (X - mean) / scale per column (population std; constant columns get scale 1). Pass "
     "the training mean/scale to transform validation data alike."},
    {"onehot", data_onehot, "slope.data.onehot(y [, K]) -> mat",
     "An n x K matrix of 0/1 rows from labels 0..K-1 (K defaults to max(y) + 1)."},
    {"batches", data_batches, "slope.data.batches(n, size [, rng, {drop_last=false}]) -> iterator",
     "One epoch of shuffled minibatches: `for idx, b in ...` gives vecs of 1-based row indices "
     "covering 1..n once; the last may be smaller unless drop_last."},
    {NULL, NULL, NULL, NULL}};

int sl_open_data_ops(lua_State *L, int slope) {
  lua_getfield(L, slope, "data");
  sl_setfuncs(L, -1, ops_funcs, "slope.data");
  lua_pop(L, 1);
  return 0;
}
