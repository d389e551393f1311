/*
** ldata.c — slope.data readers and writer: csv, libsvm, npy, save_npy, and
** dirs(), where load() looks for the shipped data sets.
** The core does the parsing; a guard userdata owns the core's result until
** each piece has been handed to a Lua object, so no Lua error (even out of
** memory) can leak it. Transforms are in ldata_ops.c, generators in
** ldata_synth.c, load() in lua/slope/data.lua.
*/
#define _GNU_SOURCE /* dladdr: the path of the module holding this code */
#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "laux.h"
#include "lmpi.h"
#include "lcsr.h"
#include "prefix.h" /* SL_DATADIR, generated from the Makefile's PREFIX */
#include "sl_data.h"

#define GUARD "slope.data.guard"

enum { G_CSV, G_LIBSVM, G_NPY };

typedef struct guard {
  int kind;
  union {
    sl_csv_result csv;
    sl_libsvm_result svm;
    sl_npy npy;
  } u;
} guard;

static int guard_gc(lua_State *L) {
  guard *g = luaL_checkudata(L, 1, GUARD);
  switch (g->kind) {
  case G_CSV: sl_csv_result_free(&g->u.csv); break;
  case G_LIBSVM: sl_libsvm_result_free(&g->u.svm); break;
  default: sl_npy_close(&g->u.npy); break;
  }
  return 0;
}

static guard *newguard(lua_State *L, int kind) {
  guard *g = lua_newuserdatauv(L, sizeof *g, 0);
  memset(g, 0, sizeof *g);
  g->kind = kind;
  luaL_setmetatable(L, GUARD);
  return g;
}

/* ---- csv ----------------------------------------------------------------- */

static int data_csv(lua_State *L) {
  static const char *const FN = "slope.data.csv";
  static const char *const keys[] = {"header", "target", "sep", NULL};
  const char *path = sl_checkpath(L, 1);
  int t = sl_opttable(L, 2);
  sl_checkkeys(L, t, keys, FN);
  sl_checknamed(L, t, FN, NULL, "header = false");
  sl_csv_opts o = sl_csv_opts_default();
  o.header = sl_optbool(L, t, "header", 1, FN);
  const char *sep = sl_optstr(L, t, "sep", ",", FN);
  if (strlen(sep) != 1 || sep[0] == '"' || sep[0] == '\n' || sep[0] == '\r')
    return sl_error(L, FN, "sep must be one character (not a quote or newline), got '%s'", sep);
  o.sep = sep[0];
  int ty = lua_getfield(L, t, "target");
  if (ty == LUA_TNIL) { /* default: the "target" column with a header, else the last column */
    o.target_name = o.header ? "target" : NULL;
    o.target_index = o.header ? 0 : -1;
  } else if (ty == LUA_TSTRING) {
    if (!o.header) return sl_error(L, FN, "target given by name needs header = true");
    o.target_name = lua_tostring(L, -1); /* kept alive by the options table */
  } else if (ty == LUA_TBOOLEAN && !lua_toboolean(L, -1)) {
    o.target_name = NULL;
    o.target_index = 0;
  } else {
    int isint;
    lua_Integer k = lua_tointegerx(L, -1, &isint);
    if (ty != LUA_TNUMBER || !isint || k == 0)
      return sl_error(L, FN,
                      "target must be a column name, a nonzero column index or false, got %s",
                      sl_pushgot(L, -1));
    o.target_name = NULL;
    o.target_index = (long)k;
  }
  lua_pop(L, 1);
  guard *g = newguard(L, G_CSV);
  char msg[SL_DATA_MSGLEN];
  sl_status st = sl_csv_read(path, &o, &g->u.csv, msg, sizeof msg);
  if (st != SL_OK) return sl_error(L, FN, "%s", msg);
  sl_csv_result *r = &g->u.csv;
  lua_createtable(L, 0, 4);
  sl_pushmat_take(L, r->X);
  r->X.data = NULL;
  lua_setfield(L, -2, "X");
  if (r->y) {
    sl_vec *y = sl_newvec(L, r->rows);
    if (r->rows) memcpy(y->data, r->y, r->rows * sizeof(double));
    lua_setfield(L, -2, "y");
  }
  if (r->names) {
    lua_createtable(L, (int)r->ncols, 0);
    for (size_t j = 0, k = 0; j < r->ncols; j++) {
      if (j == r->target) continue;
      lua_pushstring(L, r->names[j]);
      lua_rawseti(L, -2, (lua_Integer)++k);
    }
    lua_setfield(L, -2, "names");
  }
  if (r->target != (size_t)-1) {
    if (r->names)
      lua_pushstring(L, r->names[r->target]);
    else
      lua_pushinteger(L, (lua_Integer)r->target + 1);
    lua_setfield(L, -2, "target");
  }
  sl_csv_result_free(r);
  return 1;
}

/* ---- libsvm -------------------------------------------------------------- */

/* opts[key] as a pair of integers {a, b}: 0 when absent, 1 when given
   (into v), -1 when anything else. Leaves the stack as it was. */
static int opt_pair(lua_State *L, int t, const char *key, lua_Integer v[2]) {
  int ty = lua_getfield(L, t, key);
  if (ty == LUA_TNIL) {
    lua_pop(L, 1);
    return 0;
  }
  int ok = ty == LUA_TTABLE && lua_rawlen(L, -1) == 2;
  for (int i = 0; ok && i < 2; i++) {
    int isint = 0;
    if (lua_rawgeti(L, -1, i + 1) == LUA_TNUMBER) v[i] = lua_tointegerx(L, -1, &isint);
    lua_pop(L, 1);
    ok = isint;
  }
  lua_pop(L, 1);
  return ok ? 1 : -1;
}

/* opts.shard = {rank, size}: rank in 0..size-1; 0 when absent (*size = 1). */
static size_t opt_shard(lua_State *L, int t, const char *fname, size_t *size) {
  lua_Integer v[2] = {0, 1};
  int got = opt_pair(L, t, "shard", v);
  if (got < 0 || v[1] < 1 || v[0] < 0 || v[0] >= v[1])
    sl_error(L, fname,
             "shard must be {rank, size}: integers with 0 <= rank < size (e.g. "
             "{slope.mpi.rank(), slope.mpi.size()})");
  *size = (size_t)v[1];
  return (size_t)v[0];
}

static int data_libsvm(lua_State *L) {
  static const char *const FN = "slope.data.libsvm";
  static const char *const keys[] = {"features", "shard", NULL};
  const char *path = sl_checkpath(L, 1);
  int t = sl_opttable(L, 2);
  sl_checkkeys(L, t, keys, FN);
  sl_checknamed(L, t, FN, NULL, "features = 100");
  lua_Integer features = sl_optint(L, t, "features", 0, 1, FN);
  if ((lua_Unsigned)features > SL_MAX_ENTRIES) return sl_error(L, FN, "features is too large");
  size_t nparts, part = opt_shard(L, t, FN, &nparts);
  guard *g = newguard(L, G_LIBSVM);
  char msg[SL_DATA_MSGLEN];
  sl_status st =
      sl_libsvm_read_part(path, (size_t)features, part, nparts, &g->u.svm, msg, sizeof msg);
  /* Under mpirun with shard = {rank, size()}, the ranks agree on the column
     count (the largest index over every part, unless features fixes it): one
     allreduce, after which a failed read is raised (every rank took part). */
  const sl_mpi_api *api = sl_mpi_get();
  if (api && nparts > 1 && nparts == (size_t)sl_mpi_size() && features == 0) {
    double b[2] = {st == SL_OK ? (double)g->u.svm.X.cols : 0.0, st == SL_OK ? 0.0 : 1.0};
    api->allreduce(b, 2, SL_MPI_MAX);
    if (st == SL_OK && b[1] > 0)
      return sl_error(L, FN, "%s: the read failed on another rank", path);
    if (st == SL_OK) g->u.svm.X.cols = (size_t)b[0];
  }
  if (st != SL_OK) return sl_error(L, FN, "%s", msg);
  sl_libsvm_result *r = &g->u.svm;
  lua_createtable(L, 0, 2);
  sl_pushcsr_take(L, r->X);
  memset(&r->X, 0, sizeof r->X);
  lua_setfield(L, -2, "X");
  sl_vec *y = sl_newvec(L, r->rows);
  if (r->rows) memcpy(y->data, r->y, r->rows * sizeof(double));
  lua_setfield(L, -2, "y");
  sl_libsvm_result_free(r);
  return 1;
}

/* ---- npy ------------------------------------------------------------------- */

/* A mapped .npy file's data: unmapped when collected or closed. Mats and
   vecs made on it keep it alive through their user value. */
#define MAPPING "slope.data.mapping"

static int mapping_gc(lua_State *L) {
  sl_npy_unmap(luaL_checkudata(L, 1, MAPPING));
  return 0;
}

/* The data of the open file h as a mat or vec whose entries are the mapped
   file's bytes; false with nothing pushed when it cannot be mapped. */
static int push_mapped(lua_State *L, sl_npy *h, size_t lo, size_t n, char *msg, size_t msglen) {
  sl_npy_mapping *m = lua_newuserdatauv(L, sizeof *m, 0);
  memset(m, 0, sizeof *m);
  luaL_setmetatable(L, MAPPING);
  if (sl_npy_map(h, m, msg, msglen) != SL_OK) {
    lua_pop(L, 1);
    return 0;
  }
  if (h->ndim == 1) {
    sl_pushvecview(L, m->data + lo, n, -1);
  } else {
    sl_mat v = {n, h->shape[1], m->data + lo * h->shape[1]};
    sl_lmat *u = lua_newuserdatauv(L, sizeof(sl_lmat), 1);
    memset(u, 0, sizeof *u); /* owned = 0: the mapping owns the entries */
    luaL_setmetatable(L, SL_MAT);
    u->m = v;
    lua_pushvalue(L, -2);
    lua_setiuservalue(L, -2, 1);
  }
  lua_remove(L, -2); /* the mapping: reachable through the result only */
  return 1;
}

static int data_npy(lua_State *L) {
  static const char *const FN = "slope.data.npy";
  static const char *const keys[] = {"mmap", "rows", "shard", NULL};
  const char *path = sl_checkpath(L, 1);
  int t = sl_opttable(L, 2);
  sl_checkkeys(L, t, keys, FN);
  sl_checknamed(L, t, FN, NULL, "mmap = true");
  int map = sl_optbool(L, t, "mmap", 0, FN);
  size_t nparts, part = opt_shard(L, t, FN, &nparts);
  lua_Integer fl[2] = {1, 0}; /* rows = {first, last}, 1-based, inclusive */
  int has_rows = opt_pair(L, t, "rows", fl);
  if (has_rows < 0 || (has_rows && (fl[0] < 1 || fl[1] < fl[0] - 1)))
    return sl_error(L, FN,
                    "rows must be {first, last}: integers with 1 <= first <= last + 1 (1-based, "
                    "inclusive)");
  if (has_rows && nparts > 1) return sl_error(L, FN, "give rows or shard, not both");
  lua_Integer first = fl[0], last = fl[1];
  guard *g = newguard(L, G_NPY);
  char msg[SL_DATA_MSGLEN];
  sl_status st = sl_npy_open(path, &g->u.npy, msg, sizeof msg);
  if (st != SL_OK) return sl_error(L, FN, "%s", msg);
  sl_npy *h = &g->u.npy;
  size_t lo = 0, n = h->shape[0]; /* the rows to read */
  if (has_rows) {
    if ((lua_Unsigned)last > h->shape[0])
      return sl_error(L, FN, "rows {%I, %I} is past the file's %I rows", first, last,
                      (lua_Integer)h->shape[0]);
    lo = (size_t)first - 1;
    n = (size_t)(last - first + 1);
  } else if (nparts > 1) { /* slope.data.shard's contiguous block */
    size_t q = h->shape[0] / nparts, r = h->shape[0] % nparts;
    lo = q * part + r * part / nparts;
    n = q * (part + 1) + r * (part + 1) / nparts - lo;
  }
  if (map) {
    const char *why = sl_npy_why_copy(h);
    if (why == NULL && push_mapped(L, h, lo, n, msg, sizeof msg)) {
      sl_npy_close(h);
      lua_pushboolean(L, 1);
      return 2;
    }
    if (why == NULL) why = msg; /* mmap itself failed: copy, and say why */
    lua_pushfstring(L, "copied: %s (%s)", why, h->descr);
  }
  double *out;
  if (h->ndim == 2)
    out = sl_newmat(L, n, h->shape[1])->data;
  else
    out = sl_newvec(L, n)->data;
  st = n == h->shape[0] ? sl_npy_read_data(h, out, msg, sizeof msg)
                        : sl_npy_read_rows(h, lo, n, out, msg, sizeof msg);
  sl_npy_close(h);
  if (st != SL_OK) return sl_error(L, FN, "%s", msg);
  if (!map) return 1;
  lua_insert(L, -2); /* result, note */
  return 2;
}

static int data_save_npy(lua_State *L) {
  static const char *const FN = "slope.data.save_npy";
  /* a real, non-empty string: a number would silently name a file "1e+12" */
  if (lua_type(L, 1) != LUA_TSTRING || lua_rawlen(L, 1) == 0)
    return luaL_argerror(L, 1, "path must be a non-empty string");
  const char *path = lua_tostring(L, 1);
  char msg[SL_DATA_MSGLEN];
  sl_status st;
  sl_mat *m = sl_testmat(L, 2);
  if (m) {
    st = sl_npy_write(path, 2, m->rows, m->cols, m->data, msg, sizeof msg);
  } else {
    sl_vec *v = sl_testvec(L, 2);
    if (!v) {
      const char *e = lua_pushfstring(L, "mat or vec expected, got %s", luaL_typename(L, 2));
      return luaL_argerror(L, 2, e);
    }
    st = sl_npy_write(path, 1, v->n, 1, v->data, msg, sizeof msg);
  }
  if (st != SL_OK) return sl_error(L, FN, "%s", msg);
  lua_settop(L, 2);
  return 1;
}

/* ---- where the shipped data sets are ---------------------------------------- */

/* Append dir/rel (when dir is known) to the list at the top of the stack. */
static void add_dir(lua_State *L, const char *dir, const char *rel) {
  if (dir == NULL || *dir == '\0') return;
  if (rel)
    lua_pushfstring(L, "%s/%s", dir, rel);
  else
    lua_pushstring(L, dir);
  char real[PATH_MAX]; /* "/opt/slope/share/...", not "/opt/slope/bin/../share/..." */
  if (rel && realpath(lua_tostring(L, -1), real)) {
    lua_pop(L, 1);
    lua_pushstring(L, real);
  }
  lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
}

/* The directory part of an absolute path (in place); NULL when it has none. */
static char *dirname_of(char *path) {
  char *slash = strrchr(path, '/');
  if (slash == NULL) return NULL;
  *slash = '\0';
  return path;
}

/* slope.data.dirs(): $SLOPE_DATA (unless the interpreter runs with -E, which
   sets the registry's LUA_NOENV as lua.c does), then next to the running
   program (/proc/self/exe: ../examples/data in a build tree, ../share/slope/data
   when installed), next to the module (slope.so loaded by lua5.4), the install
   prefix baked at build time, and examples/data under the working directory. */
static int data_dirs(lua_State *L) {
  lua_newtable(L);
  lua_getfield(L, LUA_REGISTRYINDEX, "LUA_NOENV");
  int noenv = lua_toboolean(L, -1);
  lua_pop(L, 1);
  if (!noenv) add_dir(L, getenv("SLOPE_DATA"), NULL);
  char exe[PATH_MAX], mod[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  exe[n > 0 ? n : 0] = '\0';
  char *exedir = n > 0 ? dirname_of(exe) : NULL;
  add_dir(L, exedir, "../examples/data");
  add_dir(L, exedir, "../share/slope/data");
  Dl_info info;
  if (dladdr((void *)data_dirs, &info) && info.dli_fname && realpath(info.dli_fname, mod)) {
    char *moddir = dirname_of(mod);
    if (moddir && (exedir == NULL || strcmp(moddir, exedir) != 0)) {
      add_dir(L, moddir, "../examples/data");          /* build/slope.so */
      add_dir(L, moddir, "../../../share/slope/data"); /* PREFIX/lib/lua/5.4/slope.so */
    }
  }
  add_dir(L, SL_DATADIR, NULL);
  add_dir(L, "examples/data", NULL);
  return 1;
}

static const sl_reg data_funcs[] = {
    {"dirs", data_dirs, "slope.data.dirs() -> {dir, ...}",
     "Where slope.data.load looks, in order: $SLOPE_DATA (ignored under slope -E), next to the "
     "running program (../examples/data, ../share/slope/data), next to the slope module, the "
     "install prefix (" SL_DATADIR "), then examples/data under the working directory."},
    {"csv", data_csv, "slope.data.csv(path [, {header=true, target=\"target\", sep=\",\"}]) -> D",
     "Read a numeric CSV into D = {X=mat, y=vec, names=, target=}; target: header name, column "
     "index (negative from the end) or false. Without a header the default target is the last "
     "column. Numbers read as C's strtod reads them (same doubles). Limits: 1048576 columns, "
     "4096 bytes a field or name. Large files are parsed on slope.threads() threads."},
    {"libsvm", data_libsvm,
     "slope.data.libsvm(path [, {features=, shard={rank, size}}]) -> {X=csr, y=vec}",
     "Read LIBSVM/svmlight lines 'label idx:val ...' (1-based ascending indices); features fixes "
     "the column count. Labels and values read as C's strtod reads them, 4096 bytes at most. "
     "Large files are parsed on slope.threads() threads. shard = {rank, size} reads only the "
     "lines starting in bytes [n rank / size, n (rank + 1) / size) of the n-byte file (every "
     "line in exactly one shard, in file order); under mpirun with size = slope.mpi.size() and no "
     "features, the ranks agree on the column count (collective: every rank calls it)."},
    {"npy", data_npy,
     "slope.data.npy(path [, {mmap=false, rows={first, last}, shard={rank, size}}]) -> mat | vec "
     "[, mapped]",
     "Read a NumPy .npy file (1-D -> vec, 2-D -> mat; f8 f4 i8 i4 i2 i1 u8 u4 u2 u1 b1, C order, "
     "versions 1-3). mmap = true maps float64 data in the host's byte order instead of copying "
     "it: the result's entries are the file's pages (copy-on-write: writing to them never changes "
     "the file; the mapping lives as long as the result or a view of it) and mapped is true; "
     "other dtypes are copied and mapped is a note saying why (\"copied: its dtype is converted "
     "to float64 (<f4)\"). A mapped file that another program truncates can crash the process. "
     "rows = {first, last} (1-based, inclusive) reads only those rows (entries of a 1-D file); "
     "shard = {rank, size} the rows slope.data.shard(D, rank, size) would hold (a contiguous "
     "block): each MPI rank reads only its part of a large file."},
    {"save_npy", data_save_npy, "slope.data.save_npy(path, m) -> m",
     "Write a mat or vec as .npy (version 1.0, '<f8', C order), through a temporary file and a "
     "rename."},
    {NULL, NULL, NULL, NULL}};

int sl_open_data(lua_State *L, int slope) {
  luaL_newmetatable(L, MAPPING);
  lua_pushcfunction(L, mapping_gc);
  lua_setfield(L, -2, "__gc");
  lua_pop(L, 1);
  luaL_newmetatable(L, GUARD);
  lua_pushcfunction(L, guard_gc);
  lua_setfield(L, -2, "__gc");
  lua_pushcfunction(L, guard_gc); /* idempotent: the core's frees leave empty results */
  lua_setfield(L, -2, "__close");
  lua_pop(L, 1);
  lua_newtable(L);
  int t = lua_gettop(L);
  sl_setfuncs(L, t, data_funcs, "slope.data");
  sl_sethelp(L, t, "slope.data", "slope.data",
             "Data sets: csv, libsvm, npy readers, save_npy; split, standardize, onehot, batches; "
             "synthetic generators; load(name) for the shipped sets.");
  lua_setfield(L, slope, "data");
  return 0;
}
