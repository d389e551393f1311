/*
** lmpi_obj.c — slope.mpi.objective(f_local): a data-parallel objective. Each
** rank holds a shard of the rows (f_local, a data objective over them); the
** wrapper is an ordinary sl_objective whose value, gradient and HVP are the
** mean over all rows of all shards:
**
**     f(x) = sum_r n_r f_r(x) / sum_r n_r        (f_r the mean over shard r)
**
** so every solver, probe, check and slope.train runs on it unchanged.
**
** One collective per call: the message [n_r f_r, n_r g_r (dim), n_r, failed]
** is summed over ranks. It is reduced to rank 0 and broadcast (MPI_Reduce then
** MPI_Bcast, sl_mpi_api.reduce_bcast) rather than MPI_Allreduce: MPI does not
** promise that an allreduce leaves the same bits on every rank (recursive
** doubling on a non-power-of-two count adds in different orders), while a sum
** computed once and copied does. Every rank then holds the same f and g, so
** optimizers fed from them stay identical on every rank (tested bit for bit
** in tests/mpi/objective_spec.lua).
**
** Rows are numbered rank by rank (rank 0's shard first): f.n is the total, a
** view f:batch(idx) takes global rows, and each rank evaluates the rows of the
** batch it holds (a local view of f_local), weighted by their count; sample k
** is computed by the rank holding it and broadcast from there. f:local_batch
** (idx) instead takes rows of this rank's shard: each rank its own minibatch,
** the step the count-weighted average over ranks (a global batch of K x the
** local one). A failure on one rank (a Lua error in f_local) travels in the
** message: every rank returns an error, the failing rank its own message.
*/
#include <stdlib.h>
#include <string.h>

#include "laux.h"
#include "lmpi.h"
#include "lobj.h"
#include "lrng.h"
#include "sl_rng.h"

typedef struct mpi_obj {
  sl_objective *local; /* the shard's objective (its userdata kept alive by ours) */
  sl_lobj *local_u;    /* for binding a Lua-defined local to the running state */
  int equal;           /* weight "ranks": each rank's mean weighs the same */
  int nranks, rank;
  size_t *offset; /* nranks + 1: global row offsets, rank by rank */
  int dynamic;    /* weights from each call's row counts (views, local batches) */
  double wroot;   /* this rank's weight for the whole data, n_r / N (1 / K for "ranks") */
  double *buf;    /* dim + 3 doubles: the message */
} mpi_obj;

/* Every Lua entry binds the objective first (sl_checkobj): the place to
   refuse a shard closed by the user (f:shard():close()) before C touches it. */
static void mpi_bind(void *impl, lua_State *L) {
  mpi_obj *m = impl;
  if (m->local_u->o != m->local)
    luaL_error(L, "slope.mpi.objective: the shard's objective was closed (f:shard():close())");
  if (m->local_u->bind) m->local_u->bind(m->local->impl, L);
}

static void mpi_destroy(void *impl) {
  mpi_obj *m = impl;
  free(m->offset);
  free(m->buf);
  free(m);
}

static void sum_over_ranks(double *buf, size_t n) {
  const sl_mpi_api *api = sl_mpi_get();
  if (api) api->reduce_bcast(buf, n, 0);
}

/* The local objective restricted to the rows of o's batch this rank holds
   (o itself unrestricted: the shard's objective). *count = those rows; a
   view to destroy is returned through *own. */
static sl_status local_part(sl_objective *o, sl_objective **part, sl_objective **own,
                            size_t *count) {
  mpi_obj *m = o->impl;
  *own = NULL;
  if (o->idx == NULL) {
    *part = m->local;
    *count = m->local->n_total ? m->local->n : 1;
    return SL_OK;
  }
  size_t lo = m->offset[m->rank], hi = m->offset[m->rank + 1], c = 0;
  for (size_t k = 0; k < o->n; k++)
    if (o->idx[k] >= lo && o->idx[k] < hi) c++;
  *count = c;
  *part = NULL;
  if (c == 0) return SL_OK;
  size_t *pos = malloc(c * sizeof *pos);
  if (pos == NULL) return SL_ENOMEM;
  c = 0;
  for (size_t k = 0; k < o->n; k++)
    if (o->idx[k] >= lo && o->idx[k] < hi) pos[c++] = o->idx[k] - lo;
  sl_status st;
  *own = sl_obj_view(m->local, pos, c, &st);
  free(pos);
  *part = *own;
  return *own ? SL_OK : st;
}

/* After the message went round: the failure flag says whether some rank
   failed; this rank's own failure keeps its message. */
static sl_status settle(sl_objective *o, sl_status mine, const sl_objective *part, double failed,
                        double total) {
  /* total: rows (or 1 per rank holding any) that contributed; the whole data always has some */
  if (mine < 0) {
    if (part && part->msg[0]) memcpy(o->msg, part->msg, sizeof o->msg);
    return mine;
  }
  if (failed > 0)
    return sl_obj_fail(o, SL_ECALLBACK,
                       "slope.mpi.objective: the objective " SL_MPI_REMOTE_MARK
                       " (that rank reports its error)");
  if (!(total > 0))
    return sl_obj_fail(o, SL_EINVAL, "slope.mpi.objective: the batch has no rows on any rank");
  return SL_OK;
}

/* This rank's weight and the divisor applied after the sum. The whole data:
   w = n_r / N known at construction, divisor 1 (so with one process the
   wrapper gives the shard's own bits). A batch: w = its rows here, divisor
   the rows over all ranks (b[1] after the sum). */
static double weight(const sl_objective *o, const mpi_obj *m, size_t count) {
  if (o->idx == NULL && !m->dynamic) return m->wroot;
  return m->equal || m->nranks == 1 ? 1.0 : (double)count;
}
static double divisor(const sl_objective *o, const mpi_obj *m, double total) {
  if ((o->idx == NULL && !m->dynamic) || m->nranks == 1) return 1.0;
  return total;
}

static sl_status mpi_fg(sl_objective *o, const double *x, double *f, double *g) {
  mpi_obj *m = o->impl;
  size_t d = o->dim, count;
  sl_objective *part, *own;
  sl_status st = local_part(o, &part, &own, &count);
  double *b = m->buf, fl = 0.0;
  /* layout: [f, count, failed, g...] (g only when asked for) */
  size_t len = g ? d + 3 : 3;
  memset(b, 0, len * sizeof *b);
  if (st >= 0 && part) {
    st = sl_obj_fg(part, x, &fl, g ? b + 3 : NULL);
    if (st >= 0) {
      double w = weight(o, m, count);
      b[0] = w * fl;
      b[1] = o->idx || m->dynamic ? w : 1.0;
      if (g)
        for (size_t i = 0; i < d; i++) b[3 + i] *= w;
    }
  }
  if (st < 0) memset(b, 0, len * sizeof *b), b[2] = 1.0;
  sum_over_ranks(b, len);
  st = settle(o, st, part ? part : m->local, b[2], b[1]);
  sl_obj_destroy(own);
  if (st < 0) return st;
  double q = divisor(o, m, b[1]);
  *f = q == 1.0 ? b[0] : b[0] / q;
  if (g && q != 1.0)
    for (size_t i = 0; i < d; i++) g[i] = b[3 + i] / q;
  else if (g)
    memcpy(g, b + 3, d * sizeof *g);
  return SL_OK;
}

static sl_status mpi_hvp(sl_objective *o, const double *x, const double *v, double *hv) {
  mpi_obj *m = o->impl;
  size_t d = o->dim, count;
  sl_objective *part, *own;
  sl_status st = local_part(o, &part, &own, &count);
  double *b = m->buf;
  memset(b, 0, (d + 3) * sizeof *b);
  if (st >= 0 && part) {
    st = sl_obj_hvp(part, x, v, b + 3);
    if (st >= 0) {
      double w = weight(o, m, count);
      b[1] = o->idx || m->dynamic ? w : 1.0;
      for (size_t i = 0; i < d; i++) b[3 + i] *= w;
    }
  }
  if (st < 0) memset(b, 0, (d + 3) * sizeof *b), b[2] = 1.0;
  sum_over_ranks(b, d + 3);
  st = settle(o, st, part ? part : m->local, b[2], b[1]);
  sl_obj_destroy(own);
  if (st < 0) return st;
  double q = divisor(o, m, b[1]);
  for (size_t i = 0; i < d; i++) hv[i] = q == 1.0 ? b[3 + i] : b[3 + i] / q;
  return SL_OK;
}

/* Sample k: computed by the rank holding its row, broadcast from there. */
static sl_status mpi_sample_fg(sl_objective *o, const double *x, size_t k, double *f, double *g) {
  mpi_obj *m = o->impl;
  size_t row = sl_obj_row(o, k), d = o->dim;
  int owner = 0;
  while (owner + 1 < m->nranks && row >= m->offset[owner + 1]) owner++;
  double *b = m->buf;
  memset(b, 0, (d + 3) * sizeof *b);
  sl_status st = SL_OK;
  if (owner == m->rank) {
    st = sl_obj_sample_fg(m->local, x, row - m->offset[owner], b, g ? b + 3 : NULL);
    if (st < 0) b[2] = 1.0;
  }
  /* the owner's failure flag travels too: the other ranks learn it (b[1] = 1: a row) */
  b[1] = 1.0;
  const sl_mpi_api *api = sl_mpi_get();
  if (api) api->bcast(b, (d + 3) * sizeof *b, owner);
  st = settle(o, st, m->local, b[2], 1.0);
  if (st < 0) return st;
  *f = b[0];
  if (g) memcpy(g, b + 3, d * sizeof *g);
  return SL_OK;
}

/* The same starting point on every rank: rank 0's, broadcast. */
static void mpi_init(sl_objective *o, struct sl_rng *rng, double *x) {
  mpi_obj *m = o->impl;
  if (m->local->ops->init)
    m->local->ops->init(m->local, rng, x);
  else
    memset(x, 0, o->dim * sizeof *x);
  const sl_mpi_api *api = sl_mpi_get();
  if (api) api->bcast(x, o->dim * sizeof *x, 0);
}

/* A series of HVPs at x on the whole data: the shard's own window (views of
   the wrapper compute each HVP afresh). */
static sl_status mpi_hvp_begin(sl_objective *o, const double *x) {
  mpi_obj *m = o->impl;
  if (o->idx == NULL) (void)sl_obj_hvp_begin(m->local, x);
  return SL_OK;
}

static void mpi_hvp_end(sl_objective *o) {
  mpi_obj *m = o->impl;
  if (o->idx == NULL) sl_obj_hvp_end(m->local);
}

static const sl_objective_ops mpi_ops = {.name = "mpi",
                                         .fg = mpi_fg,
                                         .hvp = mpi_hvp,
                                         .sample_fg = mpi_sample_fg,
                                         .init = mpi_init,
                                         .destroy = mpi_destroy,
                                         .hvp_begin = mpi_hvp_begin,
                                         .hvp_end = mpi_hvp_end};
/* The same without an analytic HVP, for a local objective without one: the
   core's difference of gradients then runs on the wrapper (collective fg). */
static const sl_objective_ops mpi_ops_fd = {.name = "mpi",
                                            .fg = mpi_fg,
                                            .sample_fg = mpi_sample_fg,
                                            .init = mpi_init,
                                            .destroy = mpi_destroy};
static const sl_objective_ops mpi_ops_nosample = {.name = "mpi",
                                                  .fg = mpi_fg,
                                                  .hvp = mpi_hvp,
                                                  .init = mpi_init,
                                                  .destroy = mpi_destroy,
                                                  .hvp_begin = mpi_hvp_begin,
                                                  .hvp_end = mpi_hvp_end};
static const sl_objective_ops mpi_ops_fd_nosample = {
    .name = "mpi", .fg = mpi_fg, .init = mpi_init, .destroy = mpi_destroy};

static const sl_objective_ops *ops_for(const sl_objective *local, int global_rows) {
  int exact = sl_obj_has_exact_hvp(local);
  int sample = global_rows && local->ops->sample_fg != NULL;
  return exact ? (sample ? &mpi_ops : &mpi_ops_nosample)
               : (sample ? &mpi_ops_fd : &mpi_ops_fd_nosample);
}

/* ---- Lua side ------------------------------------------------------------ */

/* Per-object methods (user value 2 of the objective userdata): shard,
   local_batch, layers, and the fields n_local, rows. */
static int m_shard(lua_State *L) {
  sl_checkobj(L, 1);
  lua_getiuservalue(L, 1, 1); /* keep-alive list: {f_local} */
  lua_rawgeti(L, -1, 1);
  return 1;
}

static int m_layers(lua_State *L) {
  m_shard(L);
  int shard = lua_gettop(L);
  if (lua_getfield(L, shard, "layers") == LUA_TNIL)
    return sl_error(L, "layers", "the shard's objective has no f:layers()");
  lua_pushvalue(L, shard);
  lua_call(L, 1, 1);
  return 1;
}

static int push_wrapper(lua_State *L, int local_idx, int equal, int global_rows,
                        const size_t *offset, int nranks);

/* f:local_batch(idx): each rank's own rows of its shard (1-based within it). */
static int m_local_batch(lua_State *L) {
  sl_objective *o = sl_checkobj(L, 1);
  if (o->ops->fg != mpi_fg) return sl_error(L, "local_batch", "not a slope.mpi.objective");
  mpi_obj *m = o->impl;
  m_shard(L);
  int shard = lua_gettop(L);
  if (m->local->n_total == 0)
    return sl_error(L, "local_batch", "the shard's objective %s has no rows", m->local->ops->name);
  lua_getfield(L, shard, "batch");
  lua_pushvalue(L, shard);
  lua_pushvalue(L, 2);
  lua_call(L, 2, 1); /* the shard's own argument checks and view */
  return push_wrapper(L, lua_gettop(L), m->equal, 0, NULL, m->nranks);
}

static const sl_reg obj_methods[] = {
    {"shard", m_shard, "f:shard() -> objective",
     "The objective over this rank's rows (the f_local given to slope.mpi.objective): "
     "predictions, accuracy and per-rank reports use it."},
    {"local_batch", m_local_batch, "f:local_batch(idx) -> objective",
     "A minibatch of this rank's own rows idx (1-based within the shard, each rank its own): "
     "its value and gradient are the average over ranks weighted by each rank's batch size — "
     "a global batch of K x #idx. (f:batch(idx) takes global rows, numbered rank by rank.)"},
    {"layers", m_layers, "f:layers() -> table",
     "The shard's parameter blocks (mlp, matrix factorization), for filter normalization."},
    {NULL, NULL, NULL, NULL}};

/* Push the wrapper over the objective at local_idx (kept alive by it). */
static int push_wrapper(lua_State *L, int local_idx, int equal, int global_rows,
                        const size_t *offset, int nranks) {
  local_idx = lua_absindex(L, local_idx);
  sl_objective *local = sl_checkobj(L, local_idx);
  mpi_obj *m = calloc(1, sizeof *m);
  if (m) {
    m->buf = malloc((local->dim + 3) * sizeof *m->buf);
    m->offset = malloc(((size_t)nranks + 1) * sizeof *m->offset);
  }
  if (m == NULL || m->buf == NULL || m->offset == NULL) {
    if (m) mpi_destroy(m);
    return luaL_error(L, "out of memory creating an objective");
  }
  m->local = local;
  m->local_u = lua_touserdata(L, local_idx);
  m->equal = equal;
  m->nranks = nranks;
  m->rank = sl_mpi_rank();
  size_t n = 0;
  m->wroot = equal ? 1.0 / nranks : 1.0;
  m->dynamic = offset == NULL;
  if (offset) {
    memcpy(m->offset, offset, ((size_t)nranks + 1) * sizeof *offset);
    n = offset[nranks];
    if (!equal && nranks > 1)
      m->wroot = (double)(offset[m->rank + 1] - offset[m->rank]) / (double)n;
  } else {
    memset(m->offset, 0, ((size_t)nranks + 1) * sizeof *m->offset);
  }
  sl_objective *o = sl_obj_new(ops_for(local, global_rows), m, local->dim, n);
  if (o == NULL) {
    mpi_destroy(m);
    return luaL_error(L, "out of memory creating an objective");
  }
  /* per-object methods and fields */
  lua_createtable(L, 0, 6);
  int t = lua_gettop(L);
  lua_getfield(L, LUA_REGISTRYINDEX, "slope.mpi.obj_methods");
  for (const sl_reg *r = obj_methods; r->name; r++) {
    if (strcmp(r->name, "layers") == 0 && lua_getfield(L, local_idx, "layers") == LUA_TNIL) {
      lua_pop(L, 1);
      continue;
    }
    if (strcmp(r->name, "layers") == 0) lua_pop(L, 1);
    lua_getfield(L, -1, r->name);
    lua_setfield(L, t, r->name);
  }
  lua_pop(L, 1);
  lua_pushinteger(L, local->n_total ? (lua_Integer)local->n : 0);
  lua_setfield(L, t, "n_local");
  if (offset) {
    lua_createtable(L, nranks, 0);
    for (int r = 0; r < nranks; r++) {
      lua_pushinteger(L, (lua_Integer)(offset[r + 1] - offset[r]));
      lua_rawseti(L, -2, r + 1);
    }
    lua_setfield(L, t, "rows");
  }
  lua_pushvalue(L, local_idx);
  sl_lobj *u = sl_pushobj(L, o, 1, t);
  u->bind = mpi_bind;
  return 1;
}

static int l_objective(lua_State *L) {
  const char *fname = "slope.mpi.objective";
  static const char *const keys[] = {"weight", NULL};
  sl_objective *local = sl_checkobj_arg(L, 1, fname, "f_local");
  int opts = sl_checkopts(L, 2, keys, fname);
  const char *w = sl_optstr(L, opts, "weight", "rows", fname);
  int equal = strcmp(w, "ranks") == 0;
  if (!equal && strcmp(w, "rows") != 0)
    return sl_error(L, fname, "weight must be \"rows\" or \"ranks\", got \"%s\"", w);
  int K = sl_mpi_size(), rank = sl_mpi_rank();
  int data = local->n_total > 0;
  if (!data && !equal)
    return sl_error(L, fname,
                    "f_local (%s) has no rows to weigh the ranks by: give a data objective, or "
                    "{weight = \"ranks\"}",
                    local->ops->name);
  /* One allreduce (max) agrees on everything: [dim, -dim, data, -data, rows of each rank]. */
  double *b = lua_newuserdatauv(L, ((size_t)K + 4) * sizeof *b, 0);
  memset(b, 0, ((size_t)K + 4) * sizeof *b);
  b[0] = (double)local->dim;
  b[1] = -(double)local->dim;
  b[2] = data;
  b[3] = -data;
  b[4 + rank] = data ? (double)local->n : 0.0;
  const sl_mpi_api *api = sl_mpi_get();
  if (api) api->allreduce(b, (size_t)K + 4, SL_MPI_MAX);
  if (b[0] != -b[1])
    return sl_error(L, fname,
                    "dimension mismatch across ranks: f_local.dim is %I on rank %d, between %I "
                    "and %I over the ranks",
                    (lua_Integer)local->dim, rank, (lua_Integer)-b[1], (lua_Integer)b[0]);
  if (b[2] != -b[3])
    return sl_error(L, fname, "f_local is a data objective on some ranks and not on others");
  size_t *offset = lua_newuserdatauv(L, ((size_t)K + 1) * sizeof *offset, 0);
  offset[0] = 0;
  for (int r = 0; r < K; r++) offset[r + 1] = offset[r] + (size_t)b[4 + r];
  if (data && offset[K] == 0) return sl_error(L, fname, "no rank has any rows");
  return push_wrapper(L, 1, equal, data, data ? offset : NULL, K);
}

static const sl_reg mpi_obj_funcs[] = {
    {"objective", l_objective, "slope.mpi.objective(f_local [, {weight = \"rows\"}]) -> objective",
     "A data-parallel objective: f_local is this rank's objective over its shard of the rows "
     "(slope.data.shard, or a reader's shard option); value, gradient and HVP are the mean over "
     "all rows of every rank (weight \"rows\": each shard by its row count; \"ranks\": each "
     "rank's mean equally, e.g. for federated averaging of unequal shards or objectives without "
     "rows), the same bits on every rank (summed once on rank 0 and broadcast: one reduce and "
     "one broadcast per call, value and gradient in one message). Every solver, probe, "
     "slope.check and slope.train take it; f.n is the total row count (rows numbered rank by "
     "rank; f.rows the count per rank, f.n_local this rank's), f:batch(idx) a batch of global "
     "rows, f:local_batch(idx) each rank's own minibatch, f:shard() the local objective. "
     "Construction checks that dim agrees on every rank (an error on all ranks otherwise). "
     "Every rank must make the same calls in the same order."},
    {NULL, NULL, NULL, NULL}};

int sl_open_mpi_obj(lua_State *L, int slope) {
  lua_newtable(L);
  sl_setfuncs(L, lua_gettop(L), obj_methods, "slope.mpi.objective(...)");
  lua_setfield(L, LUA_REGISTRYINDEX, "slope.mpi.obj_methods");
  lua_getfield(L, slope, "mpi");
  sl_setfuncs(L, lua_gettop(L), mpi_obj_funcs, "slope.mpi");
  lua_pop(L, 1);
  return 0;
}
