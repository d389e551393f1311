/*
** lcsr.c — slope.csr: sparse matrices in compressed sparse row form.
** Built from triplets or a dense mat; read from LIBSVM files by slope.data.
** S * x is a product; closing frees the arrays unless an objective borrowed
** them (sl_testcsr marks that), as for slope.mat.
*/
#include <stdlib.h>
#include <string.h>

#include "laux.h"
#include "lcsr.h"

/* The userdata: the matrix first (sl_testcsr's pointer is the userdata's). */
typedef struct lcsr {
  sl_csr m;
  int borrowed; /* an objective may point into the arrays: closing leaves them to __gc */
  int closed;
} lcsr;

sl_csr *sl_pushcsr_take(lua_State *L, sl_csr m) {
  lcsr *u = lua_newuserdatauv(L, sizeof *u, 0);
  memset(u, 0, sizeof *u);
  luaL_setmetatable(L, SL_CSR);
  u->m = m;
  return &u->m;
}

sl_csr *sl_testcsr(lua_State *L, int arg) {
  lcsr *u = luaL_testudata(L, arg, SL_CSR);
  if (u == NULL) return NULL;
  u->borrowed = 1;
  return &u->m;
}

sl_csr *sl_checkcsr(lua_State *L, int arg) {
  sl_csr *m = sl_testcsr(L, arg);
  if (m == NULL) sl_typeerror(L, arg, "slope.csr");
  return m;
}

/* The csr's own methods keep no pointer: no borrow mark. */
static sl_csr *checkcsr(lua_State *L, int arg) {
  lcsr *u = luaL_testudata(L, arg, SL_CSR);
  if (u == NULL) sl_typeerror(L, arg, "slope.csr");
  return &u->m;
}

static int csr_gc(lua_State *L) {
  lcsr *u = luaL_checkudata(L, 1, SL_CSR);
  sl_csr_free(&u->m); /* leaves it empty: idempotent */
  return 0;
}

static int csr_close(lua_State *L) {
  lcsr *u = luaL_checkudata(L, 1, SL_CSR);
  if (!u->borrowed) {
    csr_gc(L);
    u->closed = 1;
  }
  return 0;
}

typedef struct {
  size_t i, j;
  double v;
} triplet;

static int cmp_triplet(const void *a, const void *b) {
  const triplet *x = a, *y = b;
  if (x->i != y->i) return x->i < y->i ? -1 : 1;
  if (x->j != y->j) return x->j < y->j ? -1 : 1;
  return 0;
}

static size_t field_index(lua_State *L, int t, const char *key, size_t k, size_t hi) {
  lua_getfield(L, t, key);
  lua_geti(L, -1, (lua_Integer)k + 1);
  int isint;
  lua_Integer v = lua_tointegerx(L, -1, &isint);
  if (!isint || v < 1 || (size_t)v > hi)
    sl_error(L, "slope.csr", "%s[%I] must be an integer in 1..%I", key, (lua_Integer)k + 1,
             (lua_Integer)hi);
  lua_pop(L, 2);
  return (size_t)v - 1;
}

/* slope.csr{rows=, cols=, i={...}, j={...}, v={...}}: duplicates are summed. */
static int csr_new(lua_State *L) {
  static const char *const keys[] = {"rows", "cols", "i", "j", "v", NULL};
  if (!lua_istable(L, 1))
    return sl_error(L, "slope.csr", "options table {rows=, cols=, i=, j=, v=} expected, got %s",
                    sl_typename(L, 1));
  sl_checkkeys(L, 1, keys, "slope.csr");
  sl_checknamed(L, 1, "slope.csr", NULL, "rows = 2, cols = 3, i = {1}, j = {3}, v = {0.5}");
  size_t rows = (size_t)sl_optint(L, 1, "rows", -1, 0, "slope.csr");
  size_t cols = (size_t)sl_optint(L, 1, "cols", -1, 0, "slope.csr");
  if (lua_getfield(L, 1, "rows") == LUA_TNIL || lua_getfield(L, 1, "cols") == LUA_TNIL)
    sl_error(L, "slope.csr", "rows and cols are required");
  lua_pop(L, 2);
  if (rows > SL_MAX_ENTRIES || cols > SL_MAX_ENTRIES) sl_error(L, "slope.csr", "size too large");
  const char *f[3] = {"i", "j", "v"};
  size_t nnz = 0;
  for (int k = 0; k < 3; k++) {
    if (lua_getfield(L, 1, f[k]) != LUA_TTABLE)
      sl_error(L, "slope.csr", "%s must be a table", f[k]);
    size_t len = (size_t)luaL_len(L, -1);
    if (k == 0)
      nnz = len;
    else if (len != nnz)
      sl_error(L, "slope.csr", "i, j and v must have the same length (%I vs %I)", (lua_Integer)nnz,
               (lua_Integer)len);
    lua_pop(L, 1);
  }
  if (nnz > SL_MAX_ENTRIES) sl_error(L, "slope.csr", "too many entries");
  triplet *t = lua_newuserdatauv(L, (nnz ? nnz : 1) * sizeof *t, 0);
  for (size_t k = 0; k < nnz; k++) {
    t[k].i = field_index(L, 1, "i", k, rows);
    t[k].j = field_index(L, 1, "j", k, cols);
    lua_getfield(L, 1, "v");
    lua_geti(L, -1, (lua_Integer)k + 1);
    int isnum;
    t[k].v = lua_tonumberx(L, -1, &isnum);
    if (!isnum) sl_error(L, "slope.csr", "v[%I] must be a number", (lua_Integer)k + 1);
    lua_pop(L, 2);
  }
  qsort(t, nnz, sizeof *t, cmp_triplet);
  size_t uniq = 0;
  for (size_t k = 0; k < nnz; k++)
    if (k == 0 || t[k].i != t[k - 1].i || t[k].j != t[k - 1].j) uniq++;
  sl_csr m;
  if (sl_csr_alloc(&m, rows, cols, uniq) != SL_OK) return sl_error(L, "slope.csr", "out of memory");
  size_t p = 0;
  for (size_t k = 0; k < nnz; k++) {
    if (k > 0 && t[k].i == t[k - 1].i && t[k].j == t[k - 1].j) {
      m.values[p - 1] += t[k].v;
      continue;
    }
    m.indices[p] = t[k].j;
    m.values[p] = t[k].v;
    m.indptr[t[k].i + 1]++;
    p++;
  }
  for (size_t r = 0; r < rows; r++) m.indptr[r + 1] += m.indptr[r];
  sl_pushcsr_take(L, m);
  return 1;
}

static int csr_call(lua_State *L) {
  lua_remove(L, 1);
  return csr_new(L);
}

static int csr_from_dense(lua_State *L) {
  sl_mat *a = sl_testmat(L, 1);
  if (a == NULL) return sl_typeerror(L, 1, "slope.mat");
  size_t nnz = 0;
  for (size_t k = 0; k < a->rows * a->cols; k++) nnz += a->data[k] != 0.0;
  sl_csr m;
  if (sl_csr_alloc(&m, a->rows, a->cols, nnz) != SL_OK)
    return sl_error(L, "slope.csr.from_dense", "out of memory");
  size_t p = 0;
  for (size_t i = 0; i < a->rows; i++) {
    for (size_t j = 0; j < a->cols; j++) {
      double v = a->data[i * a->cols + j];
      if (v != 0.0) {
        m.indices[p] = j;
        m.values[p++] = v;
      }
    }
    m.indptr[i + 1] = p;
  }
  sl_pushcsr_take(L, m);
  return 1;
}

static int csr_todense(lua_State *L) {
  sl_csr *m = checkcsr(L, 1);
  sl_mat *a = sl_newmat(L, m->rows, m->cols);
  for (size_t i = 0; i < m->rows; i++)
    for (size_t k = m->indptr[i]; k < m->indptr[i + 1]; k++)
      a->data[i * m->cols + m->indices[k]] += m->values[k];
  return 1;
}

static int csr_shape(lua_State *L) {
  sl_csr *m = checkcsr(L, 1);
  lua_pushinteger(L, (lua_Integer)m->rows);
  lua_pushinteger(L, (lua_Integer)m->cols);
  return 2;
}

static int csr_nnz(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)checkcsr(L, 1)->nnz);
  return 1;
}

static int csr_mv(lua_State *L) {
  sl_csr *m = checkcsr(L, 1);
  sl_vec *x = sl_tovec(L, 2);
  sl_checkdim(L, 2, x, m->cols, "x");
  sl_vec *out = sl_outvec(L, 3, m->rows, "out", x);
  lua_settop(L, 3);
  sl_csr_mv(m, x->data, out->data);
  return 1;
}

static int csr_tmv(lua_State *L) {
  sl_csr *m = checkcsr(L, 1);
  sl_vec *x = sl_tovec(L, 2);
  sl_checkdim(L, 2, x, m->rows, "x");
  sl_vec *out = sl_outvec(L, 3, m->cols, "out", x);
  lua_settop(L, 3);
  sl_csr_tmv(m, x->data, out->data);
  return 1;
}

/* S * x (a vec or table of numbers): a new vec. */
static int csr_m_mul(lua_State *L) {
  if (luaL_testudata(L, 1, SL_CSR) == NULL)
    return luaL_error(L, "csr *: cannot multiply a %s by a slope.csr (x^T S is S:tmv(x))",
                      sl_typename(L, 1));
  sl_csr *m = checkcsr(L, 1);
  sl_vec *x = sl_testvec(L, 2);
  if (x == NULL && !lua_istable(L, 2))
    return luaL_error(L, "csr *: expected a slope.vec or a table of numbers, got %s",
                      sl_typename(L, 2));
  lua_settop(L, 2);
  if (x == NULL) x = sl_tovec(L, 2);
  if (x->n != m->cols)
    return luaL_error(L, "csr * vec: dimension mismatch: S is %Ix%I, x has %I entries",
                      (lua_Integer)m->rows, (lua_Integer)m->cols, (lua_Integer)x->n);
  sl_vec *out = sl_newvec(L, m->rows);
  sl_csr_mv(m, x->data, out->data);
  return 1;
}

static int csr_tostring(lua_State *L) {
  sl_csr *m = checkcsr(L, 1);
  if (((lcsr *)m)->closed) {
    lua_pushliteral(L, "csr (closed)");
    return 1;
  }
  lua_pushfstring(L, "csr[%Ix%I, %I nonzeros]", (lua_Integer)m->rows, (lua_Integer)m->cols,
                  (lua_Integer)m->nnz);
  return 1;
}

static const sl_reg csr_funcs[] = {
    {"new", csr_new, "slope.csr{rows=, cols=, i={...}, j={...}, v={...}} -> csr",
     "A sparse matrix from triplets: rows and cols (required) give the shape; i, j and v are "
     "equally long tables of 1-based row indices, column indices and values (entry k is "
     "S[i[k]][j[k]] = v[k]; duplicates are summed)."},
    {"from_dense", csr_from_dense, "slope.csr.from_dense(A) -> csr",
     "The nonzeros of a dense mat."},
    {"todense", csr_todense, "S:todense() -> mat", "A dense copy."},
    {"shape", csr_shape, "S:shape() -> rows, cols", "The number of rows and columns."},
    {"nnz", csr_nnz, "S:nnz() -> integer", "The number of stored nonzeros."},
    {"mv", csr_mv, "S:mv(x [, out]) -> out", "out = S x (also S * x, a new vec)."},
    {"tmv", csr_tmv, "S:tmv(x [, out]) -> out", "out = S^T x."},
    {NULL, NULL, NULL, NULL}};

int sl_open_csr(lua_State *L, int slope) {
  lua_newtable(L);
  int t = lua_gettop(L);
  sl_setfuncs(L, t, csr_funcs, "slope.csr");
  const luaL_Reg meta[] = {{"__gc", csr_gc},
                           {"__close", csr_close},
                           {"__mul", csr_m_mul},
                           {"__tostring", csr_tostring},
                           {NULL, NULL}};
  sl_newclass(L, SL_CSR, t, meta);
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, csr_call);
  lua_setfield(L, -2, "__call");
  lua_setmetatable(L, t);
  sl_sethelp(L, t, "slope.csr", "slope.csr{rows=, cols=, i=, j=, v=} -> csr",
             "Sparse matrices (compressed sparse rows), e.g. from slope.data.libsvm: rows, cols "
             "the shape; i, j, v the 1-based triplets (duplicates summed).");
  /* one entry for the module and the type (both are named slope.csr) */
  sl_settypehelp(L, SL_CSR, "slope.csr{rows=, cols=, i=, j=, v=} -> csr",
                 "A sparse matrix (compressed sparse rows), e.g. from slope.data.libsvm; built "
                 "from triplets: rows, cols the shape; i, j, v the 1-based row indices, column "
                 "indices and values (duplicates summed). S:shape(), S:nnz(), S * x, S:mv(x), "
                 "S:tmv(x), S:todense(). Closing it frees its arrays unless an objective still "
                 "uses them.");
  lua_setfield(L, slope, "csr");
  return 0;
}
