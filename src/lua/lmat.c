/*
** lmat.c — slope.mat: dense row-major float64 matrices. A[i] is a row view
** (a vec that writes through), so A[i][j] reads and writes entries, and
** ipairs(A) walks the rows (A[rows + 1] is nil). A * x, A * B, A * s and
** s * A are products (CBLAS); closing a mat frees its memory unless a view or
** another object points into it (then the garbage collector frees it later).
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "laux.h"
#include "lcsr.h"

/* The mat's own methods do not keep its pointer: no borrow mark (laux's
   sl_checkmat marks, for bindings that do). */
static sl_mat *checkmat(lua_State *L, int arg) {
  sl_lmat *u = luaL_testudata(L, arg, SL_MAT);
  if (u == NULL) sl_typeerror(L, arg, "slope.mat");
  return &u->m;
}

static int mat_new(lua_State *L) {
  if (lua_type(L, 1) == LUA_TNUMBER)
    return luaL_argerror(L, 1,
                         "table of rows expected (use slope.mat.zeros(rows, cols) for a size)");
  sl_lmat *su = luaL_testudata(L, 1, SL_MAT);
  sl_mat *src = su ? &su->m : NULL;
  if (src) {
    sl_mat *m = sl_newmat(L, src->rows, src->cols);
    memcpy(m->data, src->data, src->rows * src->cols * sizeof(double));
    return 1;
  }
  sl_tomat(L, 1);
  lua_settop(L, 1);
  return 1;
}

static int mat_call(lua_State *L) {
  lua_remove(L, 1);
  return mat_new(L);
}

static int mat_zeros(lua_State *L) {
  size_t r = sl_checksize(L, 1, 0), c = sl_checksize(L, 2, 0);
  sl_newmat(L, r, c);
  return 1;
}

static int mat_eye(lua_State *L) {
  size_t n = sl_checksize(L, 1, 0);
  sl_mat *m = sl_newmat(L, n, n);
  for (size_t i = 0; i < n; i++) m->data[i * n + i] = 1.0;
  return 1;
}

static int mat_gc(lua_State *L) {
  sl_lmat *u = luaL_checkudata(L, 1, SL_MAT);
  if (u->owned) free(u->m.data);
  u->m.data = NULL;
  u->owned = 0;
  u->m.rows = u->m.cols = 0;
  return 0;
}

/* `local A <close> = ...`: free now what nobody else can reach; a mat that a
   row view or an objective points into stays whole until collected. */
static int mat_close(lua_State *L) {
  sl_lmat *u = luaL_checkudata(L, 1, SL_MAT);
  if (!u->borrowed) {
    mat_gc(L);
    u->closed = 1;
  }
  return 0;
}

static int mat_shape(lua_State *L) {
  sl_mat *m = checkmat(L, 1);
  lua_pushinteger(L, (lua_Integer)m->rows);
  lua_pushinteger(L, (lua_Integer)m->cols);
  return 2;
}

/* A 1-based row/column index at arg; errors are "bad argument" errors of the
   method (A:get), or plain ones for A[i] (an __index has no useful name). */
static size_t check_pos(lua_State *L, int arg, size_t n, const char *what) {
  int isint;
  lua_Integer i = lua_tointegerx(L, arg, &isint);
  const char *msg = NULL;
  if (!isint)
    msg = lua_pushfstring(L, "%s index must be an integer, got %s", what, sl_pushgot(L, arg));
  else if (i < 1 || (size_t)i > n)
    msg = lua_pushfstring(L, "%s index %I out of range (1..%I)", what, i, (lua_Integer)n);
  if (msg) luaL_argerror(L, arg, msg);
  return (size_t)i - 1;
}

static size_t check_row_index(lua_State *L, const sl_mat *m) {
  int isint;
  lua_Integer i = lua_tointegerx(L, 2, &isint);
  if (!isint) luaL_error(L, "mat row index must be an integer, got %s", sl_pushgot(L, 2));
  if (i < 1)
    luaL_error(L, "mat row index %I out of range (1..%I): indices start at 1", i,
               (lua_Integer)m->rows);
  return (size_t)i - 1;
}

static int mat_get(lua_State *L) {
  sl_mat *m = checkmat(L, 1);
  size_t i = check_pos(L, 2, m->rows, "row"), j = check_pos(L, 3, m->cols, "column");
  lua_pushnumber(L, m->data[i * m->cols + j]);
  return 1;
}

static int mat_set(lua_State *L) {
  sl_mat *m = checkmat(L, 1);
  size_t i = check_pos(L, 2, m->rows, "row"), j = check_pos(L, 3, m->cols, "column");
  m->data[i * m->cols + j] = luaL_checknumber(L, 4);
  lua_settop(L, 1);
  return 1;
}

static int mat_index(lua_State *L) {
  if (lua_type(L, 2) == LUA_TSTRING) {
    lua_pushvalue(L, 2);
    lua_rawget(L, lua_upvalueindex(1));
    return 1;
  }
  sl_mat *m = checkmat(L, 1);
  int isint;
  lua_Integer i = lua_tointegerx(L, 2, &isint);
  if (isint && i > 0 && (size_t)i > m->rows) { /* past the last row: nil, so ipairs stops */
    lua_pushnil(L);
    return 1;
  }
  size_t r = check_row_index(L, m);
  ((sl_lmat *)m)->borrowed = 1; /* the view points into the rows: closing must keep them */
  sl_pushvecview(L, m->data + r * m->cols, m->cols, 1);
  return 1;
}

static int mat_row(lua_State *L) {
  sl_mat *m = checkmat(L, 1);
  size_t i = check_pos(L, 2, m->rows, "row");
  sl_vec *v = sl_newvec(L, m->cols);
  memcpy(v->data, m->data + i * m->cols, m->cols * sizeof(double));
  return 1;
}

static int mat_len(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)checkmat(L, 1)->rows);
  return 1;
}

/* out = A x, out allocated when omitted. */
static int mat_mv(lua_State *L) {
  sl_mat *m = checkmat(L, 1);
  sl_vec *x = sl_tovec(L, 2);
  sl_checkdim(L, 2, x, m->cols, "x");
  sl_vec *out = sl_outvec(L, 3, m->rows, "out", x);
  lua_settop(L, 3);
  sl_mat_mv(m, x->data, out->data);
  return 1;
}

static int mat_tmv(lua_State *L) {
  sl_mat *m = checkmat(L, 1);
  sl_vec *x = sl_tovec(L, 2);
  sl_checkdim(L, 2, x, m->rows, "x");
  sl_vec *out = sl_outvec(L, 3, m->cols, "out", x);
  lua_settop(L, 3);
  sl_mat_tmv(m, x->data, out->data);
  return 1;
}

static int mat_mm(lua_State *L) {
  sl_mat *a = checkmat(L, 1);
  sl_mat *b = luaL_testudata(L, 2, SL_MAT) ? checkmat(L, 2) : sl_tomat(L, 2);
  if (a->cols != b->rows) {
    const char *msg =
        lua_pushfstring(L, "dimension mismatch: %Ix%I times %Ix%I", (lua_Integer)a->rows,
                        (lua_Integer)a->cols, (lua_Integer)b->rows, (lua_Integer)b->cols);
    luaL_argerror(L, 2, msg);
  }
  sl_mat *c = sl_newmat(L, a->rows, b->cols);
  sl_mat_mm(a, b, c);
  return 1;
}

/* A * x (vec or table: dgemv), A * B (dgemm), A * s and s * A (scaled copy). */
static int mat_m_mul(lua_State *L) {
  sl_lmat *ua = luaL_testudata(L, 1, SL_MAT);
  if (ua == NULL) { /* s * A */
    int isnum;
    double s = lua_tonumberx(L, 1, &isnum);
    if (!isnum)
      return luaL_error(L, "mat *: cannot multiply a %s by a slope.mat (x^T A is A:tmv(x))",
                        sl_typename(L, 1));
    lua_insert(L, 1);
    lua_settop(L, 2);
    lua_pushnumber(L, s);
    lua_replace(L, 2);
  }
  sl_mat *a = checkmat(L, 1);
  if (lua_type(L, 2) == LUA_TNUMBER) {
    double s = lua_tonumber(L, 2);
    sl_mat *c = sl_newmat(L, a->rows, a->cols);
    for (size_t k = 0; k < a->rows * a->cols; k++) c->data[k] = s * a->data[k];
    return 1;
  }
  sl_vec *x = sl_testvec(L, 2);
  /* a table of numbers is a vector, a table of rows a matrix */
  if (x || (lua_istable(L, 2) && (lua_rawlen(L, 2) == 0 || lua_rawgeti(L, 2, 1) == LUA_TNUMBER))) {
    lua_settop(L, 2);
    if (x == NULL) x = sl_tovec(L, 2);
    if (x->n != a->cols)
      return luaL_error(L, "mat * vec: dimension mismatch: A is %Ix%I, x has %I entries",
                        (lua_Integer)a->rows, (lua_Integer)a->cols, (lua_Integer)x->n);
    sl_vec *out = sl_newvec(L, a->rows);
    sl_mat_mv(a, x->data, out->data);
    return 1;
  }
  lua_settop(L, 2);
  if (luaL_testudata(L, 2, SL_MAT) || lua_istable(L, 2)) {
    sl_mat *b = luaL_testudata(L, 2, SL_MAT) ? checkmat(L, 2) : sl_tomat(L, 2);
    if (a->cols != b->rows)
      return luaL_error(L, "mat * mat: dimension mismatch: %Ix%I times %Ix%I", (lua_Integer)a->rows,
                        (lua_Integer)a->cols, (lua_Integer)b->rows, (lua_Integer)b->cols);
    sl_mat *c = sl_newmat(L, a->rows, b->cols);
    sl_mat_mm(a, b, c);
    return 1;
  }
  return luaL_error(L, "mat *: expected a slope.vec, slope.mat or number, got %s",
                    sl_typename(L, 2));
}

static int mat_transpose(lua_State *L) {
  sl_mat *a = checkmat(L, 1);
  sl_mat *t = sl_newmat(L, a->cols, a->rows);
  for (size_t i = 0; i < a->rows; i++)
    for (size_t j = 0; j < a->cols; j++) t->data[j * a->rows + i] = a->data[i * a->cols + j];
  return 1;
}

static int mat_clone(lua_State *L) {
  sl_mat *a = checkmat(L, 1);
  sl_mat *c = sl_newmat(L, a->rows, a->cols);
  memcpy(c->data, a->data, a->rows * a->cols * sizeof(double));
  return 1;
}

static int mat_totable(lua_State *L) {
  sl_mat *a = checkmat(L, 1);
  lua_createtable(L, (int)a->rows, 0);
  for (size_t i = 0; i < a->rows; i++) {
    lua_createtable(L, (int)a->cols, 0);
    for (size_t j = 0; j < a->cols; j++) {
      lua_pushnumber(L, a->data[i * a->cols + j]);
      lua_rawseti(L, -2, (lua_Integer)j + 1);
    }
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

static int mat_tostring(lua_State *L) {
  sl_mat *a = checkmat(L, 1);
  if (((sl_lmat *)a)->closed) {
    lua_pushliteral(L, "mat (closed)");
    return 1;
  }
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  lua_pushfstring(L, "mat[%Ix%I]{", (lua_Integer)a->rows, (lua_Integer)a->cols);
  luaL_addvalue(&b);
  size_t rshow = a->rows > 8 ? 5 : a->rows;
  for (size_t i = 0; i < a->rows; i++) {
    if (i == rshow && a->rows > 8) {
      luaL_addstring(&b, "\n  ...");
      i = a->rows - 2;
    }
    luaL_addstring(&b, "\n  {");
    size_t cshow = a->cols > 10 ? 6 : a->cols;
    for (size_t j = 0; j < a->cols; j++) {
      if (j == cshow && a->cols > 10) {
        luaL_addstring(&b, ", ...");
        j = a->cols - 3;
      }
      if (j > 0) luaL_addstring(&b, ", ");
      char buf[32];
      sl_fmt6(buf, sizeof buf, a->data[i * a->cols + j]);
      luaL_addstring(&b, buf);
    }
    luaL_addchar(&b, '}');
  }
  luaL_addstring(&b, a->rows ? "\n}" : "}");
  luaL_pushresult(&b);
  return 1;
}

static const sl_reg mat_funcs[] = {
    {"new", mat_new, "slope.mat{{a, b}, {c, d}} -> mat",
     "A dense matrix from a table of rows (or a copy of a mat)."},
    {"zeros", mat_zeros, "slope.mat.zeros(rows, cols) -> mat", "A rows x cols matrix of zeros."},
    {"eye", mat_eye, "slope.mat.eye(n) -> mat", "The n x n identity matrix."},
    {"shape", mat_shape, "A:shape() -> rows, cols", "The number of rows and columns."},
    {"get", mat_get, "A:get(i, j) -> number", "Entry (i, j), 1-based."},
    {"set", mat_set, "A:set(i, j, v) -> A", "Set entry (i, j) to v."},
    {"row", mat_row, "A:row(i) -> vec", "A copy of row i (A[i] is a view that writes through)."},
    {"mv", mat_mv, "A:mv(x [, out]) -> out",
     "out = A x through CBLAS dgemv; out is allocated if omitted."},
    {"tmv", mat_tmv, "A:tmv(x [, out]) -> out", "out = A^T x through CBLAS dgemv."},
    {"mm", mat_mm, "A:mm(B) -> mat", "The product A B through CBLAS dgemm."},
    {"transpose", mat_transpose, "A:transpose() -> mat", "A new matrix, the transpose of A."},
    {"clone", mat_clone, "A:clone() -> mat", "A copy of A."},
    {"totable", mat_totable, "A:totable() -> table", "The entries as a table of row tables."},
    {NULL, NULL, NULL, NULL}};

int sl_open_mat(lua_State *L, int slope) {
  lua_newtable(L);
  int t = lua_gettop(L);
  sl_setfuncs(L, t, mat_funcs, "slope.mat");
  luaL_newmetatable(L, SL_MAT);
  lua_pushvalue(L, t);
  lua_pushcclosure(L, mat_index, 1);
  lua_setfield(L, -2, "__index");
  const luaL_Reg meta[] = {{"__gc", mat_gc},     {"__close", mat_close},       {"__len", mat_len},
                           {"__mul", mat_m_mul}, {"__tostring", mat_tostring}, {NULL, NULL}};
  luaL_setfuncs(L, meta, 0);
  lua_pushvalue(L, t);
  lua_setfield(L, -2, "__methods");
  lua_pop(L, 1);
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, mat_call);
  lua_setfield(L, -2, "__call");
  lua_setmetatable(L, t);
  sl_sethelp(L, t, "slope.mat", "slope.mat{{...}, ...} -> mat",
             "Dense row-major float64 matrices: zeros, eye; A[i][j], A:mv(x), A:tmv(x), A:mm(B); "
             "A * x, A * B, 2 * A.");
  sl_settypehelp(L, SL_MAT, "mat",
                 "A dense row-major matrix: A:shape(), #A rows, A[i] a row view (nil past the last "
                 "row, so ipairs(A) walks the rows), A[i][j], A * x (a new vec), A * B, A * s, "
                 "A:mv(x, out), A:tmv(x, out). Closing it (local A <close>) frees its memory "
                 "unless a row view or an objective still points into it.");
  lua_setfield(L, slope, "mat");
  return 0;
}
