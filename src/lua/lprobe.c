/*
** lprobe.c — slope.probe, the C half: per-step statistics, gradient moments
** and the gradient noise scale, filter normalization of directions.
** The Lua half (sharpness, PL ratio, interpolation, slices, curve finding)
** is lua/slope/probe.lua. Numerics live in src/core/sl_probe.h.
*/
#include <math.h>
#include <string.h>

#include "laux.h"
#include "lobj.h"
#include "lrng.h"
#include "sl_probe.h"

static void setnum(lua_State *L, const char *k, double v) {
  lua_pushnumber(L, v);
  lua_setfield(L, -2, k);
}

static sl_rng *opt_rng(lua_State *L, int t, const char *fname) {
  if (lua_getfield(L, t, "rng") == LUA_TNIL) {
    sl_rng *def = sl_optrng(L, -1);
    lua_pop(L, 1);
    return def;
  }
  sl_rng *r = luaL_testudata(L, -1, SL_RNG);
  if (r == NULL) sl_error(L, fname, "rng must be a slope.rng, got %s", luaL_typename(L, -1));
  lua_pop(L, 1);
  return r;
}

static int probe_step_stats(lua_State *L) {
  const char *fname = "slope.probe.step_stats";
  if (!sl_testvec(L, 1) && !lua_istable(L, 1))
    return sl_error(L, fname, "x_before must be a vec or a table of numbers, got %s",
                    luaL_typename(L, 1));
  size_t n = sl_testvec(L, 1) ? sl_testvec(L, 1)->n : (size_t)lua_rawlen(L, 1);
  sl_vec *x0 = sl_checkpoint(L, 1, n, fname, "x_before");
  sl_vec *x1 = sl_checkpoint(L, 2, n, fname, "x_after");
  sl_vec *g = sl_checkpoint(L, 3, n, fname, "g");
  sl_vec *gp = lua_isnoneornil(L, 4) ? NULL : sl_checkpoint(L, 4, n, fname, "g_prev");
  sl_step_stats s;
  sl_probe_step_stats(x0->n, x0->data, x1->data, g->data, gp ? gp->data : NULL, &s);
  lua_createtable(L, 0, 5);
  setnum(L, "grad_norm", s.grad_norm);
  setnum(L, "update_norm", s.update_norm);
  setnum(L, "param_norm", s.param_norm);
  setnum(L, "update_ratio", s.update_ratio);
  setnum(L, "grad_cos", s.grad_cos);
  return 1;
}

/* A data objective with m sample positions: all of them (m = n) or a random
   subset of `samples` without replacement. Positions live in a userdata pushed. */
static size_t *sample_positions(lua_State *L, sl_objective *o, size_t samples, sl_rng *r,
                                size_t *m) {
  size_t n = o->n;
  size_t *pos = lua_newuserdatauv(L, (n ? n : 1) * sizeof *pos, 0);
  if (samples >= n) {
    for (size_t i = 0; i < n; i++) pos[i] = i;
    *m = n;
  } else {
    sl_rng_perm(r, n, pos);
    *m = samples;
  }
  return pos;
}

static sl_objective *check_data_obj(lua_State *L, const char *fname) {
  sl_objective *o = sl_checkobj_arg(L, 1, fname, "f");
  if (o->n_total == 0)
    sl_error(L, fname, "f must be a data objective: %s is not a data objective (it has no samples)",
             o->ops->name);
  return o;
}

static int probe_noise_scale(lua_State *L) {
  const char *fname = "slope.probe.noise_scale";
  static const char *const keys[] = {"batch", "samples", "rng", NULL};
  sl_objective *o = check_data_obj(L, fname);
  sl_vec *x = sl_checkpoint(L, 2, o->dim, fname, "x");
  int t = sl_checkopts(L, 3, keys, fname);
  lua_Integer batch = sl_optint(L, t, "batch", 0, 1, fname);
  sl_rng *r = opt_rng(L, t, fname);
  double *work = lua_newuserdatauv(L, 2 * (o->dim ? o->dim : 1) * sizeof(double), 0);
  sl_noise ns;
  sl_status st;
  const char *method;
  sl_interrupt_clear();
  if (batch > 0) {
    lua_Integer nb = sl_optint(L, t, "samples", 16, 2, fname);
    if ((size_t)batch > o->n)
      return sl_error(L, fname, "batch %I is larger than the data (%I samples)", batch,
                      (lua_Integer)o->n);
    st = sl_probe_noise_batches(o, x->data, (size_t)batch, (size_t)nb, r, sl_interrupt_flag(), work,
                                &ns);
    method = "batches";
  } else {
    if (o->ops->sample_fg == NULL)
      return sl_error(L, fname,
                      "%s has no per-sample gradients: pass batch= to use minibatch gradients",
                      o->ops->name);
    lua_Integer samples = sl_optint(L, t, "samples", (lua_Integer)o->n, 2, fname);
    size_t m;
    size_t *pos = sample_positions(L, o, (size_t)samples, r, &m);
    st = sl_probe_noise_samples(o, x->data, pos, m, sl_interrupt_flag(), work, &ns);
    method = "per_sample";
  }
  if (st < 0) return sl_status_error(L, fname, st, o->msg);
  lua_createtable(L, 0, 7);
  setnum(L, "b_simple", ns.b_simple);
  setnum(L, "critical_batch", ns.b_simple);
  setnum(L, "trace_sigma", ns.trace_sigma);
  setnum(L, "grad_sq", ns.grad_sq);
  lua_pushinteger(L, (lua_Integer)ns.ngrad);
  lua_setfield(L, -2, "ngrad");
  lua_pushstring(L, method);
  lua_setfield(L, -2, "method");
  if (!(ns.grad_sq > 0.0)) {
    lua_pushliteral(L, "the estimate of |G|^2 is not positive: gradient noise dominates "
                       "(near a minimum), so B_simple is not meaningful");
    lua_setfield(L, -2, "note");
  }
  return 1;
}

static int probe_grad_variance(lua_State *L) {
  const char *fname = "slope.probe.grad_variance";
  static const char *const keys[] = {"batch", "samples", "rng", NULL};
  sl_objective *o = check_data_obj(L, fname);
  sl_vec *x = sl_checkpoint(L, 2, o->dim, fname, "x");
  int t = sl_checkopts(L, 3, keys, fname);
  lua_Integer batch = sl_optint(L, t, "batch", 1, 1, fname);
  lua_Integer samples = sl_optint(L, t, "samples", (lua_Integer)o->n, 2, fname);
  sl_rng *r = opt_rng(L, t, fname);
  if (o->ops->sample_fg == NULL)
    return sl_error(L, fname, "%s has no per-sample gradients", o->ops->name);
  size_t m;
  size_t *pos = sample_positions(L, o, (size_t)samples, r, &m);
  lua_createtable(L, 0, 5);
  sl_vec *mean = sl_newvec(L, o->dim);
  lua_setfield(L, -2, "mean");
  sl_vec *var = sl_newvec(L, o->dim);
  lua_setfield(L, -2, "variance");
  sl_interrupt_clear();
  sl_status st =
      sl_probe_grad_moments(o, x->data, pos, m, sl_interrupt_flag(), mean->data, var->data);
  if (st < 0) return sl_status_error(L, fname, st, o->msg);
  double tr = sl_vec_sum(o->dim, var->data);
  setnum(L, "trace", tr);
  setnum(L, "batch_trace", tr / (double)batch);
  lua_pushinteger(L, (lua_Integer)m);
  lua_setfield(L, -2, "samples");
  return 1;
}

/*
** Layers for filter normalization, from the list at arg: each entry {offset,
** size} (1-based; one block) or a record {offset=, size=[, shape=]} as
** f:layers() returns it, where a shape {rows, cols} (a weight matrix,
** row-major) stands for `rows` filters of `cols` entries each (Li et al. 2018:
** one filter per output unit) and any other shape for one block. Fills off/len
** when not NULL; returns the number of blocks, *filters = 1 when some entry was
** split into filters.
*/
static lua_Integer field_int(lua_State *L, int t, const char *k, lua_Integer i, int *ok) {
  if (lua_getfield(L, t, k) == LUA_TNIL) {
    lua_pop(L, 1);
    lua_geti(L, t, i);
  }
  lua_Integer v = lua_tointegerx(L, -1, ok);
  lua_pop(L, 1);
  return v;
}

static size_t layer_blocks(lua_State *L, int arg, size_t n, size_t *off, size_t *len,
                           int *filters) {
  const char *fname = "slope.probe.filter_normalize";
  size_t nl = (size_t)luaL_len(L, arg), nb = 0;
  if (nl == 0) sl_error(L, fname, "layers must be a non-empty list of {offset, size}");
  *filters = 0;
  for (size_t l = 0; l < nl; l++) {
    int ok1 = 0, ok2 = 0;
    lua_Integer o1 = 0, s1 = 0, rows = 1;
    if (lua_geti(L, arg, (lua_Integer)l + 1) == LUA_TTABLE) {
      int e = lua_gettop(L);
      o1 = field_int(L, e, "offset", 1, &ok1);
      s1 = field_int(L, e, "size", 2, &ok2);
      if (lua_getfield(L, e, "shape") == LUA_TTABLE && luaL_len(L, -1) == 2) {
        int okr, okc;
        lua_geti(L, -1, 1);
        lua_geti(L, -2, 2);
        lua_Integer r = lua_tointegerx(L, -2, &okr), c = lua_tointegerx(L, -1, &okc);
        lua_pop(L, 2);
        if (!okr || !okc || r < 1 || c < 1 || r * c != s1)
          sl_error(L, fname, "layers[%I].shape must be {rows, cols} with rows x cols = size (%I)",
                   (lua_Integer)l + 1, s1);
        rows = r;
      }
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
    if (!ok1 || !ok2 || o1 < 1 || s1 < 1 || (size_t)(o1 - 1) >= n ||
        (size_t)s1 > n - (size_t)(o1 - 1))
      sl_error(L, fname,
               "layers[%I] must be {offset, size} (or {offset=, size=}) with 1 <= offset and "
               "offset + size - 1 <= %I",
               (lua_Integer)l + 1, (lua_Integer)n);
    if (rows > 1) *filters = 1;
    size_t c = (size_t)(s1 / rows);
    for (lua_Integer r = 0; r < rows; r++, nb++)
      if (off) {
        off[nb] = (size_t)(o1 - 1) + (size_t)r * c;
        len[nb] = c;
      }
  }
  return nb;
}

/* filter_normalize(d, x [, layers | f]) -> d, how */
static int probe_filter_normalize(lua_State *L) {
  const char *fname = "slope.probe.filter_normalize";
  sl_vec *d = sl_testvec(L, 1);
  if (d == NULL)
    return sl_error(L, fname, "d must be a vec (the direction, rescaled in place), got %s",
                    luaL_typename(L, 1));
  sl_vec *x = sl_checkpoint(L, 2, d->n, fname, "x");
  lua_settop(L, 3);
  if (sl_testobj(L, 3)) { /* an objective: its f:layers(), if it has one */
    sl_objective *o = sl_testobj(L, 3);
    if (o->dim != d->n)
      return sl_error(L, fname, "layers: the objective has dim %I but d has %I entries",
                      (lua_Integer)o->dim, (lua_Integer)d->n);
    if (lua_getfield(L, 3, "layers") == LUA_TFUNCTION) {
      lua_pushvalue(L, 3);
      lua_call(L, 1, 1);
    } else {
      lua_pop(L, 1);
      lua_pushnil(L);
    }
    lua_replace(L, 3);
  } else if (!lua_isnil(L, 3) && !lua_istable(L, 3)) {
    return sl_error(L, fname,
                    "layers must be a list of {offset, size}, f:layers() or an objective, got %s",
                    luaL_typename(L, 3));
  }
  size_t nb = 1;
  int filters = 0, have = !lua_isnil(L, 3);
  if (have) nb = layer_blocks(L, 3, d->n, NULL, NULL, &filters);
  size_t *off = lua_newuserdatauv(L, 2 * nb * sizeof(size_t), 0), *len = off + nb;
  if (have) {
    layer_blocks(L, 3, d->n, off, len, &filters);
  } else {
    off[0] = 0;
    len[0] = d->n;
  }
  sl_probe_filter_normalize(d->n, d->data, x->data, nb, off, len);
  lua_pushvalue(L, 1);
  lua_pushstring(L, filters ? "filter" : have ? "layer" : "whole");
  return 2;
}

/* hessian_diag(f, x [, {samples=, rng=}]) -> {diag, stderr, nhvp, samples} */
static int probe_hessian_diag(lua_State *L) {
  const char *fname = "slope.probe.hessian_diag";
  static const char *const keys[] = {"samples", "rng", NULL};
  sl_objective *o = sl_checkobj_arg(L, 1, fname, "f");
  sl_vec *x = sl_checkpoint(L, 2, o->dim, fname, "x");
  int t = sl_checkopts(L, 3, keys, fname);
  lua_Integer samples = sl_optint(L, t, "samples", 16, 1, fname);
  sl_rng *r = opt_rng(L, t, fname);
  double *work = lua_newuserdatauv(L, 2 * (o->dim ? o->dim : 1) * sizeof(double), 0);
  lua_createtable(L, 0, 4);
  sl_vec *diag = sl_newvec(L, o->dim);
  lua_setfield(L, -2, "diag");
  sl_vec *se = sl_newvec(L, o->dim);
  lua_setfield(L, -2, "stderr");
  size_t nhvp = 0;
  sl_interrupt_clear();
  sl_status st = sl_probe_hessian_diag(o, x->data, (size_t)samples, r, sl_interrupt_flag(), work,
                                       diag->data, se->data, &nhvp);
  if (st < 0) return sl_status_error(L, fname, st, o->msg);
  lua_pushinteger(L, (lua_Integer)nhvp);
  lua_setfield(L, -2, "nhvp");
  lua_pushinteger(L, samples);
  lua_setfield(L, -2, "samples");
  return 1;
}

static const sl_reg probe_funcs[] = {
    {"step_stats", probe_step_stats,
     "slope.probe.step_stats(x_before, x_after, g [, g_prev]) -> {grad_norm, update_norm, "
     "param_norm, update_ratio, grad_cos}",
     "Health of one step: update_ratio = |dx|/|x| (about 1e-3 is healthy), grad_cos = cos(g, "
     "g_prev) "
     "(near -1: oscillation; NaN without g_prev)."},
    {"noise_scale", probe_noise_scale,
     "slope.probe.noise_scale(f, x [, {samples=n, batch, rng}]) -> {b_simple, critical_batch, "
     "trace_sigma, grad_sq, method}",
     "Gradient noise scale B_simple = tr(Sigma)/|G|^2 (McCandlish et al. 2018), an estimate of the "
     "critical "
     "batch size: from per-sample gradients, or with batch=b from `samples` minibatch gradients "
     "(their App. A)."},
    {"grad_variance", probe_grad_variance,
     "slope.probe.grad_variance(f, x [, {samples=n, batch=1, rng}]) -> {mean, variance, trace, "
     "batch_trace, samples}",
     "Per-coordinate mean and (unbiased) variance of per-sample gradients; batch_trace = "
     "trace/batch is "
     "the variance of a size-batch minibatch gradient."},
    {"filter_normalize", probe_filter_normalize,
     "slope.probe.filter_normalize(d, x [, layers | f]) -> d, how",
     "Filter normalization (Li et al. 2018), in place: each filter (row) of a weight matrix in d, "
     "and each other block, is rescaled to the norm of the same block of x. layers: f:layers() "
     "records {name, offset, size, shape} (a shape {rows, cols} is rows filters) or plain "
     "{offset, size} blocks (1-based); an objective f stands for f:layers(). Without layers (or "
     "for an objective without f:layers()) the whole vector is one block. how says which was "
     "applied: \"filter\", \"layer\" (blocks) or \"whole\"."},
    {"hessian_diag", probe_hessian_diag,
     "slope.probe.hessian_diag(f, x [, {samples=16, rng=}]) -> {diag, stderr, nhvp, samples}",
     "Hutchinson's estimate of the Hessian's diagonal (Bekas, Kokiopoulou & Saad 2007): diag = "
     "mean over `samples` Rademacher vectors z (drawn from rng, a slope.rng that advances; "
     "default the shared generator) of z .* H z, from f's HVPs at x; stderr the standard error "
     "of each entry (sample standard deviation / sqrt(samples); NaN for samples = 1). Exact for "
     "a diagonal Hessian; the estimator AdaHessian and Sophia use."},
    {NULL, NULL, NULL, NULL}};

int sl_open_probe(lua_State *L, int slope) {
  lua_newtable(L);
  sl_setfuncs(L, -1, probe_funcs, "slope.probe");
  sl_sethelp(L, -1, "slope.probe", "slope.probe.<fn>(...)",
             "Training diagnostics: step statistics, sharpness, noise scale, PL ratio, "
             "interpolation, slices, curves.");
  lua_setfield(L, slope, "probe");
  return 0;
}
