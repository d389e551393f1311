-- probe.lua — slope.probe, the Lua half: the descent lemma, the PL ratio,
-- sharpness and its tracker (edge of stability), linear interpolation between
-- solutions, 2-D loss slices, and curve finding between two solutions.
-- The C half (step_stats, noise_scale, grad_variance, filter_normalize) is
-- src/lua/lprobe.c; the eigen-solvers are slope.spectrum.
local slope = ...
local probe = slope.probe
local vec = slope.vec

local A = slope._args

-- helpers ------------------------------------------------------------------------

local function fail(fname, fmt, ...) A.fail(fname, fmt, ...) end

-- A positional argument checked like an option: "fname: name must be <what>, got v".
local function arg(fname, name, t, v)
  local ok, nv, hint = t.check(v)
  if not ok then fail(fname, "%s must be %s, got %s%s", name, t.what, A.show(v), hint or "") end
  return nv
end

local function checkobj(f, fname) return arg(fname, "f", A.objective, f) end

-- a point of f: a vec (or table of numbers) of f.dim entries
local function point(fname, name, x, f)
  x = arg(fname, name, A.vec, x)
  if #x ~= f.dim then
    fail(fname, "dimension mismatch: %s has %d entries, expected %d (f.dim)", name, #x, f.dim)
  end
  return x
end

local function help(fn, name, sig, doc, spec)
  return slope._doc(fn, name, sig, spec and (doc .. " " .. A.doc(spec)) or doc)
end

-- barrier of a loss profile over t in [0, 1]: the largest excess over the
-- straight line between the end losses (Frankle et al. 2020).
local function barrier(t, loss)
  local n = #loss
  local la, lb, b = loss[1], loss[n], 0.0
  for i = 1, n do
    local excess = loss[i] - ((1 - t[i]) * la + t[i] * lb)
    if excess > b then b = excess end
  end
  return b
end

-- descent lemma ------------------------------------------------------------------

local function descent_lemma(f_before, f_after, lr, gnorm, L)
  local fname = "slope.probe.descent_lemma"
  arg(fname, "f_before", A.number, f_before)
  arg(fname, "f_after", A.number, f_after)
  arg(fname, "lr", A.positive, lr)
  arg(fname, "gnorm", A.nonneg, gnorm)
  arg(fname, "L", A.nonneg, L)
  local bound = lr * (1 - L * lr / 2) * gnorm * gnorm
  local decrease = f_before - f_after
  return {
    decrease = decrease,
    bound = bound,
    holds = decrease >= bound - 1e-12 * math.max(1, math.abs(f_before)),
    ratio = bound ~= 0 and decrease / bound or 0 / 0,
    safe_lr = lr < 2 / L,
  }
end
probe.descent_lemma = help(descent_lemma, "slope.probe.descent_lemma",
  "slope.probe.descent_lemma(f_before, f_after, lr, gnorm, L) -> {decrease, bound, holds, ratio, safe_lr}",
  "Compares a gradient step's decrease with the L-smooth guarantee f(x+) <= f(x) - lr(1 - L lr/2)|g|^2: "
  .. "bound is that guaranteed decrease, holds whether it was met, safe_lr whether lr < 2/L. "
  .. "Arguments: f_before, f_after finite numbers; lr > 0; gnorm = |g| >= 0; L >= 0 (the smoothness constant).")

-- PL ratio -------------------------------------------------------------------------

local function pl_ratio(f, x, fstar)
  local fname = "slope.probe.pl_ratio"
  checkobj(f, fname)
  x = point(fname, "x", x, f)
  arg(fname, "fstar", A.number, fstar)
  local fx, g = f:fg(x)
  local gap = fx - fstar
  local g2 = g:dot(g)
  if gap < 0 then fail(fname, "f(x) = %s is below fstar = %s", A.show(fx), A.show(fstar)) end
  return g2 / (2 * gap), { f = fx, grad_sq = g2, gap = gap }
end
probe.pl_ratio = help(pl_ratio, "slope.probe.pl_ratio",
  "slope.probe.pl_ratio(f, x, fstar) -> ratio, {f, grad_sq, gap}",
  "|grad f(x)|^2 / (2 (f(x) - f*)): the Polyak-Lojasiewicz constant seen at x (>= lambda_min for a "
  .. "strongly convex quadratic); NaN at f(x) = f*. fstar: the minimum value (a finite number <= f(x)).")

-- sharpness --------------------------------------------------------------------------

local SHARP = A.spec("slope.probe.sharpness", {
  { "v0", A.vec, "starting vector of the eigen-solver (the previous result's vector tracks it in a few HVPs)" },
  { "tol", A.positive, "Lanczos residual tolerance", 1e-6 },
  { "maxiter", A.posint, "Lanczos iterations at most (default: the solver's)" },
  { "rng", A.rng, "random stream for the starting vector" },
})

local function sharpness_at(f, x, lr, o)
  if o.v0 ~= nil and #o.v0 ~= f.dim then
    fail("slope.probe.sharpness", "dimension mismatch: v0 has %d entries, expected %d (f.dim)", #o.v0, f.dim)
  end
  local r = slope.spectrum.top(f, x, { k = 1, v0 = o.v0, tol = o.tol, maxiter = o.maxiter, rng = o.rng })
  local lam = r.values[1]
  local res = {
    lambda_max = lam,
    vector = r.vectors[1],
    nhvp = r.nhvp,
    converged = r.converged,
    exact_hvp = r.exact_hvp,
  }
  if lr > 0 then
    res.ratio, res.threshold, res.stable = lam * lr / 2, 2 / lr, lam < 2 / lr
  else
    res.note = "lr = 0: no edge of stability to compare with (2/lr is infinite); ratio, threshold and stable are left empty"
  end
  return res
end

local function sharpness(f, x, lr, opts)
  local fname = "slope.probe.sharpness"
  checkobj(f, fname)
  x = point(fname, "x", x, f)
  arg(fname, "lr", A.nonneg, lr)
  return sharpness_at(f, x, lr, A.options(SHARP, opts))
end
probe.sharpness = help(sharpness, "slope.probe.sharpness",
  "slope.probe.sharpness(f, x, lr [, {v0, tol=1e-6, maxiter, rng}]) -> {lambda_max, ratio, threshold, stable, vector, nhvp, converged [, note]}",
  "Sharpness lambda_max of H(x) against the edge of stability 2/lr (Cohen et al. 2021): ratio = "
  .. "lr lambda_max / 2 is >= 1 beyond it. lr >= 0; at lr = 0 (a schedule's end or warm-up start) only "
  .. "lambda_max is given: ratio, threshold and stable are nil and note says why. Pass the last result's "
  .. "vector as v0 to track it in a few HVPs.", SHARP)

local TRACK = A.spec("slope.probe.sharpness_tracker", {
  { "lr", A.nonneg, "learning rate the sharpness is compared with (2/lr); 0: lambda_max only", 1 },
  { "every", A.posint, "compute on every `every`-th call of tracker:update (others return the last result)", 1 },
  { "tol", A.positive, "Lanczos residual tolerance of each estimate", 1e-4 },
  { "rng", A.rng, "random stream for the first starting vector" },
})

local Tracker = {}
Tracker.__index = Tracker

function Tracker:update(x)
  local fname = "slope.probe.sharpness_tracker:update"
  x = point(fname, "x", x, self.f)
  self.calls = self.calls + 1
  if self.last == nil or (self.calls - 1) % self.every == 0 then
    local r = sharpness_at(self.f, x, self.lr, { v0 = self.last and self.last.vector, tol = self.tol,
                                                 rng = self.rng })
    self.nhvp = self.nhvp + r.nhvp
    self.last = r
    self.history[#self.history + 1] = { call = self.calls, lambda_max = r.lambda_max, nhvp = r.nhvp }
  end
  return self.last
end

local function sharpness_tracker(f, opts)
  checkobj(f, "slope.probe.sharpness_tracker")
  local o = A.options(TRACK, opts)
  return setmetatable({
    f = f, lr = o.lr, every = o.every, tol = o.tol, rng = o.rng,
    calls = 0, nhvp = 0, history = {},
  }, Tracker)
end
probe.sharpness_tracker = help(sharpness_tracker, "slope.probe.sharpness_tracker",
  "slope.probe.sharpness_tracker(f [, {lr=1, every=1, tol=1e-4, rng}]) -> tracker; tracker:update(x) -> sharpness result",
  "Sharpness every `every` calls, each warm-started from the previous top eigenvector; tracker.history "
  .. "lists {call, lambda_max, nhvp} and tracker.nhvp the total HVPs.", TRACK)
slope._doc(Tracker.update, "slope.probe.sharpness_tracker:update", "tracker:update(x) -> sharpness result",
  "Counts a call; on every `every`-th (and the first) estimates lambda_max at x warm-started from the last "
  .. "vector, else returns the last result (slope.probe.sharpness's fields).")

-- interpolation --------------------------------------------------------------------------

local function profile(f, pt, t)
  local loss = vec.zeros(#t)
  for i = 1, #t do loss[i] = f:value(pt(t[i])) end
  return loss
end

local INTERP = A.spec("slope.probe.interpolate", {
  { "points", A.intabove(2), "number of alphas, evenly spaced in [0, 1]", 25 },
})

local function interpolate(f, xa, xb, opts)
  local fname = "slope.probe.interpolate"
  checkobj(f, fname)
  xa = point(fname, "xa", xa, f)
  xb = point(fname, "xb", xb, f)
  local points = A.options(INTERP, opts).points
  local z = vec.zeros(f.dim)
  local alpha = vec.linspace(0, 1, points)
  local loss = profile(f, function(a) return z:copy(xa):scale(1 - a):axpy(a, xb) end, alpha)
  return {
    alpha = alpha,
    loss = loss,
    barrier = barrier(alpha, loss),
    barrier_max = loss:max() - math.max(loss[1], loss[points]),
  }
end
probe.interpolate = help(interpolate, "slope.probe.interpolate",
  "slope.probe.interpolate(f, xa, xb [, {points=25}]) -> {alpha, loss, barrier, barrier_max}",
  "Loss along (1-a) xa + a xb (linear mode connectivity). barrier = max_a [loss(a) - ((1-a) f(xa) + a f(xb))] "
  .. "(Frankle et al. 2020), 0 for convex f; barrier_max = max loss - max(f(xa), f(xb)).", INTERP)

-- 2-D slices ---------------------------------------------------------------------------------

-- a layer entry: {offset, size} or a record {offset=, size= [, shape=]} as f:layers() gives
local LAYER = { what = "a layer {offset, size} or {offset=, size=, shape=}", check = function(v)
  if type(v) ~= "table" then return false end
  local off, size = v.offset or v[1], v.size or v[2]
  return math.type(off) == "integer" and math.type(size) == "integer" and off >= 1 and size >= 1, v
end }

local SLICE = A.spec("slope.probe.slice2d", {
  { "dirs", A.listof(A.vec), "two directions d1, d2 (default: random normal, then normalized)" },
  { "span", A.positive, "the grid covers [-span, span] along each direction", 1 },
  { "points", A.intabove(2), "grid points per direction", 21 },
  { "rng", A.rng, "random stream for the directions (default slope.rng(0))" },
  { "normalize", A.oneof("filter", "none"),
    "\"filter\": each filter (row of a weight matrix) and each other block of d rescaled to x's norm there (Li et al. 2018); \"none\": directions as given or drawn", "filter" },
  { "layers", A.listof(LAYER), "the blocks of x (default f:layers() when f has it, else the whole vector as one block)" },
})

local function slice2d(f, x, opts)
  local fname = "slope.probe.slice2d"
  checkobj(f, fname)
  x = point(fname, "x", x, f)
  local o = A.options(SLICE, opts)
  local rng = o.rng or slope.rng(0)
  local dirs = {}
  if o.dirs ~= nil then
    if #o.dirs ~= 2 then fail(fname, "dirs must be a list of two directions, got %d", #o.dirs) end
    for i = 1, 2 do
      if #o.dirs[i] ~= f.dim then
        fail(fname, "dimension mismatch: dirs[%d] has %d entries, expected %d (f.dim)", i, #o.dirs[i], f.dim)
      end
      dirs[i] = vec(o.dirs[i])
    end
  else
    for i = 1, 2 do dirs[i] = vec.randn(f.dim, rng) end
  end
  local how, note = "none", nil
  if o.normalize == "filter" then
    local layers = o.layers
    if layers ~= nil then
      for i, l in ipairs(layers) do
        local off, size = l.offset or l[1], l.size or l[2]
        if off + size - 1 > f.dim then
          fail(fname, "layers[%d] must be {offset, size} with offset + size - 1 <= %d (f.dim), got {%d, %d}",
            i, f.dim, off, size)
        end
      end
    end
    for i = 1, 2 do
      local _
      _, how = probe.filter_normalize(dirs[i], x, layers or f)
      if dirs[i]:norm() == 0 then -- x is zero on every block: fall back to unit directions
        dirs[i] = vec.randn(f.dim, rng)
        dirs[i]:scale(1 / dirs[i]:norm())
        how, note = "unit", "x is zero, so filter normalization was replaced by unit-norm directions"
      end
    end
    if how == "whole" then
      note = ("%s has no f:layers() and no layers were given: each direction was scaled to |x| as one block"):format(f.name)
    end
  end
  local alpha = vec.linspace(-o.span, o.span, o.points)
  local loss = slope.mat.zeros(o.points, o.points)
  local z = vec.zeros(f.dim)
  for i = 1, o.points do
    for j = 1, o.points do
      z:copy(x):axpy(alpha[i], dirs[1]):axpy(alpha[j], dirs[2])
      loss:set(i, j, f:value(z))
    end
  end
  return { alpha = alpha, beta = vec(alpha), loss = loss, dirs = dirs, normalization = how, note = note }
end
probe.slice2d = help(slice2d, "slope.probe.slice2d",
  "slope.probe.slice2d(f, x [, {dirs, span=1, points=21, rng, normalize=\"filter\", layers}]) -> {alpha, beta, loss, dirs, normalization [, note]}",
  "Loss on x + a d1 + b d2 over a points x points grid in [-span, span]^2 (loss:get(i, j) at alpha[i], beta[j]). "
  .. "Directions are filter-normalized (Li et al. 2018) by the blocks of layers or f:layers() (mlp, "
  .. "matrix_factorization); normalization says what was applied: \"filter\" (per row of each weight matrix, "
  .. "biases as their own block), \"layer\" (per block), \"whole\" (no layers: one block, and note says so), "
  .. "\"unit\" (x = 0) or \"none\".", SLICE)

-- curve finding ----------------------------------------------------------------------------------

local function binom(n, k)
  local c = 1
  for i = 1, k do c = c * (n - k + i) / i end
  return c
end

-- Bernstein weights of the degree-d Bezier curve at t into w[0..d].
local function bernstein(d, t, w)
  for k = 0, d do w[k] = binom(d, k) * t ^ k * (1 - t) ^ (d - k) end
end

local CONNECT = A.spec("slope.probe.connect", {
  { "bends", A.posint, "control points between xa and xb (1: a quadratic Bezier curve)", 1 },
  { "steps", A.nonnegint, "SGD steps on the control points", 1000 },
  { "lr", A.positive, "SGD learning rate", 0.05 },
  { "batch", A.posint, "minibatch size per step (data objectives; default: full batch)" },
  { "rng", A.rng, "random stream for t, the batches and the initial bends (default slope.rng(0))" },
  { "points", A.intabove(2), "points of the returned loss profiles", 25 },
})

local function connect(f, xa, xb, opts)
  local fname = "slope.probe.connect"
  checkobj(f, fname)
  xa = point(fname, "xa", xa, f)
  xb = point(fname, "xb", xb, f)
  local o = A.options(CONNECT, opts)
  local K, steps, lr, points, batch = o.bends, o.steps, o.lr, o.points, o.batch
  if batch and not f.n then fail(fname, "batch needs a data objective; %s has no samples", f.name) end
  local rng = o.rng or slope.rng(0)
  local d = K + 1
  -- control points P[0] = xa, P[d] = xb; bends start evenly on the segment plus a
  -- little noise (a symmetric problem would otherwise keep them on it)
  local P, scale = { [0] = xa, [d] = xb }, (xb - xa):norm() * 1e-3 / math.sqrt(f.dim)
  for k = 1, K do
    P[k] = vec(xa):scale(1 - k / d):axpy(k / d, xb):axpy(scale, vec.randn(f.dim, rng))
  end
  local w, z, g = {}, vec.zeros(f.dim), vec.zeros(f.dim)
  local function curve_point(t)
    bernstein(d, t, w)
    z:fill(0)
    for k = 0, d do z:axpy(w[k], P[k]) end
    return z
  end
  local idx = batch and {} or nil
  -- SGD on E_t f(phi(t)), t ~ U(0, 1): d/dP_k f(phi(t)) = b_k(t) grad f(phi(t)) (Garipov et al. 2018)
  for _ = 1, steps do
    local t = rng:uniform()
    curve_point(t)
    local obj = f
    if batch then
      for i = 1, batch do idx[i] = rng:int(f.n) end
      obj = f:batch(idx)
    end
    obj:grad(z, g)
    for k = 1, K do P[k]:axpy(-lr * w[k], g) end
  end
  local t = vec.linspace(0, 1, points)
  local loss = profile(f, curve_point, t)
  local seg = interpolate(f, xa, xb, { points = points })
  local bends = {}
  for k = 1, K do bends[k] = P[k] end
  return {
    t = t, loss = loss, segment = seg.loss,
    barrier = barrier(t, loss), segment_barrier = seg.barrier,
    bends = bends,
    curve = function(s) return vec(curve_point(s)) end,
  }
end
probe.connect = help(connect, "slope.probe.connect",
  "slope.probe.connect(f, xa, xb [, {bends=1, steps=1000, lr=0.05, batch, rng, points=25}]) -> {t, loss, segment, barrier, segment_barrier, bends, curve}",
  "Fits a Bezier curve from xa to xb (bends=1: phi(t) = (1-t)^2 xa + 2t(1-t) theta + t^2 xb) by SGD on E_t f(phi(t)) "
  .. "(Garipov et al. 2018); compares its loss profile and barrier with the straight segment's.", CONNECT)

return nil
