-- probe.lua — slope.probe, the Lua half: the descent lemma, the PL ratio,
-- sharpness and its tracker (edge of stability), linear interpolation between
-- solutions, 2-D loss slices, and curve finding between two solutions.
-- The C half (step_stats, noise_scale, grad_variance, filter_normalize) is
-- src/lua/lprobe.c; the eigen-solvers are slope.spectrum.
local slope = ...
local probe = slope.probe
local vec = slope.vec

-- helpers ------------------------------------------------------------------------

local function fail(fname, fmt, ...)
  error(fname .. ": " .. fmt:format(...), 3)
end

local function checkkeys(opts, allowed, fname)
  local ok = {}
  for _, k in ipairs(allowed) do ok[k] = true end
  for k in pairs(opts) do
    if type(k) == "string" and not ok[k] then
      fail(fname, "unknown option '%s' (expected one of: %s)", k, table.concat(allowed, ", "))
    end
  end
end

local function checkobj(f, fname)
  if not (getmetatable(f) and getmetatable(f).__name == "slope.obj") then
    fail(fname, "objective expected (slope.obj.*) as argument #1, got %s", type(f))
  end
end

local function tovec(x, fname, what, dim)
  if type(x) == "table" then x = vec(x) end
  if not (getmetatable(x) and getmetatable(x).__name == "slope.vec") then
    fail(fname, "%s must be a vec or a table of numbers, got %s", what, type(x))
  end
  if dim and #x ~= dim then
    fail(fname, "dimension mismatch: %s has %d entries, expected %d", what, #x, dim)
  end
  return x
end

local function finite(v) return type(v) == "number" and v == v and v ~= math.huge and v ~= -math.huge end

local function optnum(opts, key, def, fname, cond, what)
  local v = opts[key]
  if v == nil then return def end
  if not finite(v) or (cond and not cond(v)) then
    fail(fname, "%s must be %s, got %s", key, what or "a finite number", tostring(v))
  end
  return v
end

local function pos(v) return v > 0 end
local function int_ge(lo) return function(v) return math.type(v) == "integer" and v >= lo end end
local function optrng(opts, fname)
  local r = opts.rng
  if r == nil then return slope.rng(0) end
  if not (getmetatable(r) and getmetatable(r).__name == "slope.rng") then
    fail(fname, "rng must be a slope.rng, got %s", type(r))
  end
  return r
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
  for i, v in ipairs({f_before, f_after, lr, gnorm, L}) do
    if not finite(v) then fail(fname, "argument #%d must be a finite number, got %s", i, tostring(v)) end
  end
  if lr <= 0 then fail(fname, "lr must be positive, got %s", tostring(lr)) end
  if L < 0 then fail(fname, "L must be non-negative, got %s", tostring(L)) end
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
probe.descent_lemma = slope._doc(descent_lemma, "slope.probe.descent_lemma",
  "slope.probe.descent_lemma(f_before, f_after, lr, gnorm, L) -> {decrease, bound, holds, ratio, safe_lr}",
  "Compares a gradient step's decrease with the L-smooth guarantee f(x+) <= f(x) - lr(1 - L lr/2)|g|^2: "
  .. "bound is that guaranteed decrease, holds whether it was met, safe_lr whether lr < 2/L.")

-- PL ratio -------------------------------------------------------------------------

local function pl_ratio(f, x, fstar)
  local fname = "slope.probe.pl_ratio"
  checkobj(f, fname)
  x = tovec(x, fname, "x", f.dim)
  if not finite(fstar) then fail(fname, "fstar must be a finite number, got %s", tostring(fstar)) end
  local fx, g = f:fg(x)
  local gap = fx - fstar
  local g2 = g:dot(g)
  if gap < 0 then fail(fname, "f(x) = %.17g is below fstar = %.17g", fx, fstar) end
  return g2 / (2 * gap), { f = fx, grad_sq = g2, gap = gap }
end
probe.pl_ratio = slope._doc(pl_ratio, "slope.probe.pl_ratio",
  "slope.probe.pl_ratio(f, x, fstar) -> ratio, {f, grad_sq, gap}",
  "|grad f(x)|^2 / (2 (f(x) - f*)): the Polyak-Lojasiewicz constant seen at x (>= lambda_min for a "
  .. "strongly convex quadratic); NaN at f(x) = f*.")

-- sharpness --------------------------------------------------------------------------

local function sharpness(f, x, lr, opts)
  local fname = "slope.probe.sharpness"
  checkobj(f, fname)
  x = tovec(x, fname, "x", f.dim)
  if not finite(lr) or lr <= 0 then fail(fname, "lr must be a positive number, got %s", tostring(lr)) end
  opts = opts or {}
  checkkeys(opts, { "v0", "tol", "maxiter", "rng" }, fname)
  local r = slope.spectrum.top(f, x, { k = 1, v0 = opts.v0, tol = opts.tol, maxiter = opts.maxiter,
                                       rng = opts.rng })
  local lam = r.values[1]
  return {
    lambda_max = lam,
    ratio = lam * lr / 2,
    threshold = 2 / lr,
    stable = lam < 2 / lr,
    vector = r.vectors[1],
    nhvp = r.nhvp,
    converged = r.converged,
    exact_hvp = r.exact_hvp,
  }
end
probe.sharpness = slope._doc(sharpness, "slope.probe.sharpness",
  "slope.probe.sharpness(f, x, lr [, {v0, tol=1e-6, maxiter, rng}]) -> {lambda_max, ratio, threshold, stable, vector, nhvp}",
  "Sharpness lambda_max of H(x) against the edge of stability 2/lr (Cohen et al. 2021): ratio = "
  .. "lr lambda_max / 2 is >= 1 beyond it. Pass the last result's vector as v0 to track it in a few HVPs.")

local Tracker = {}
Tracker.__index = Tracker

function Tracker:update(x)
  self.calls = self.calls + 1
  if self.last == nil or (self.calls - 1) % self.every == 0 then
    local r = sharpness(self.f, x, self.lr, { v0 = self.last and self.last.vector, tol = self.tol,
                                              rng = self.rng })
    self.nhvp = self.nhvp + r.nhvp
    self.last = r
    self.history[#self.history + 1] = { call = self.calls, lambda_max = r.lambda_max, nhvp = r.nhvp }
  end
  return self.last
end

local function sharpness_tracker(f, opts)
  local fname = "slope.probe.sharpness_tracker"
  checkobj(f, fname)
  opts = opts or {}
  checkkeys(opts, { "lr", "every", "tol", "rng" }, fname)
  return setmetatable({
    f = f,
    lr = optnum(opts, "lr", 1, fname, pos, "a positive number"),
    every = optnum(opts, "every", 1, fname, int_ge(1), "an integer >= 1"),
    tol = optnum(opts, "tol", 1e-4, fname, pos, "a positive number"),
    rng = opts.rng, calls = 0, nhvp = 0, history = {},
  }, Tracker)
end
probe.sharpness_tracker = slope._doc(sharpness_tracker, "slope.probe.sharpness_tracker",
  "slope.probe.sharpness_tracker(f [, {lr=1, every=1, tol=1e-4, rng}]) -> tracker; tracker:update(x) -> sharpness result",
  "Sharpness every `every` calls, each warm-started from the previous top eigenvector; tracker.history "
  .. "lists {call, lambda_max, nhvp} and tracker.nhvp the total HVPs.")

-- interpolation --------------------------------------------------------------------------

local function profile(f, point, t)
  local loss = vec.zeros(#t)
  for i = 1, #t do loss[i] = f:value(point(t[i])) end
  return loss
end

local function interpolate(f, xa, xb, opts)
  local fname = "slope.probe.interpolate"
  checkobj(f, fname)
  xa = tovec(xa, fname, "xa", f.dim)
  xb = tovec(xb, fname, "xb", f.dim)
  opts = opts or {}
  checkkeys(opts, { "points" }, fname)
  local points = optnum(opts, "points", 25, fname, int_ge(2), "an integer >= 2")
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
probe.interpolate = slope._doc(interpolate, "slope.probe.interpolate",
  "slope.probe.interpolate(f, xa, xb [, {points=25}]) -> {alpha, loss, barrier, barrier_max}",
  "Loss along (1-a) xa + a xb (linear mode connectivity). barrier = max_a [loss(a) - ((1-a) f(xa) + a f(xb))] "
  .. "(Frankle et al. 2020), 0 for convex f; barrier_max = max loss - max(f(xa), f(xb)).")

-- 2-D slices ---------------------------------------------------------------------------------

local function layers_of(f, opts)
  if opts.layers ~= nil then return opts.layers end
  local ok, l = pcall(function() return f.layers and f:layers() end)
  if ok and type(l) == "table" then return l end
  return nil
end

local function slice2d(f, x, opts)
  local fname = "slope.probe.slice2d"
  checkobj(f, fname)
  x = tovec(x, fname, "x", f.dim)
  opts = opts or {}
  checkkeys(opts, { "dirs", "span", "points", "rng", "normalize", "layers" }, fname)
  local span = optnum(opts, "span", 1, fname, pos, "a positive number")
  local points = optnum(opts, "points", 21, fname, int_ge(2), "an integer >= 2")
  local normalize = opts.normalize or "filter"
  if normalize ~= "filter" and normalize ~= "none" then
    fail(fname, "normalize must be \"filter\" or \"none\", got %s", tostring(normalize))
  end
  local rng = optrng(opts, fname)
  local dirs = {}
  if opts.dirs ~= nil then
    if type(opts.dirs) ~= "table" or #opts.dirs ~= 2 then fail(fname, "dirs must be a list of two directions") end
    for i = 1, 2 do dirs[i] = vec(tovec(opts.dirs[i], fname, "dirs[" .. i .. "]", f.dim)) end
  else
    for i = 1, 2 do dirs[i] = vec.randn(f.dim, rng) end
  end
  local note
  if normalize == "filter" then
    local layers = layers_of(f, opts)
    for i = 1, 2 do
      probe.filter_normalize(dirs[i], x, layers)
      if dirs[i]:norm() == 0 then -- x is zero on every block: fall back to unit directions
        dirs[i] = vec.randn(f.dim, rng)
        dirs[i]:scale(1 / dirs[i]:norm())
        note = "x is zero, so filter normalization was replaced by unit-norm directions"
      end
    end
  end
  local alpha = vec.linspace(-span, span, points)
  local loss = slope.mat.zeros(points, points)
  local z = vec.zeros(f.dim)
  for i = 1, points do
    for j = 1, points do
      z:copy(x):axpy(alpha[i], dirs[1]):axpy(alpha[j], dirs[2])
      loss:set(i, j, f:value(z))
    end
  end
  return { alpha = alpha, beta = vec(alpha), loss = loss, dirs = dirs, note = note }
end
probe.slice2d = slope._doc(slice2d, "slope.probe.slice2d",
  "slope.probe.slice2d(f, x [, {dirs, span=1, points=21, rng, normalize=\"filter\", layers}]) -> {alpha, beta, loss, dirs}",
  "Loss on x + a d1 + b d2 over a points x points grid in [-span, span]^2 (loss:get(i, j) at alpha[i], beta[j]); "
  .. "random directions filter-normalized per layer {offset, size} (Li et al. 2018), from layers or f:layers().")

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

local function connect(f, xa, xb, opts)
  local fname = "slope.probe.connect"
  checkobj(f, fname)
  xa = tovec(xa, fname, "xa", f.dim)
  xb = tovec(xb, fname, "xb", f.dim)
  opts = opts or {}
  checkkeys(opts, { "bends", "steps", "lr", "batch", "rng", "points" }, fname)
  local K = optnum(opts, "bends", 1, fname, int_ge(1), "an integer >= 1")
  local steps = optnum(opts, "steps", 1000, fname, int_ge(0), "an integer >= 0")
  local lr = optnum(opts, "lr", 0.05, fname, pos, "a positive number")
  local points = optnum(opts, "points", 25, fname, int_ge(2), "an integer >= 2")
  local batch = optnum(opts, "batch", nil, fname, int_ge(1), "an integer >= 1")
  if batch and not f.n then fail(fname, "batch needs a data objective; %s has no samples", f.name) end
  local rng = optrng(opts, fname)
  local d = K + 1
  -- control points P[0] = xa, P[d] = xb; bends start evenly on the segment plus a
  -- little noise (a symmetric problem would otherwise keep them on it)
  local P, scale = { [0] = xa, [d] = xb }, (xb - xa):norm() * 1e-3 / math.sqrt(f.dim)
  for k = 1, K do
    P[k] = vec(xa):scale(1 - k / d):axpy(k / d, xb):axpy(scale, vec.randn(f.dim, rng))
  end
  local w, z, g = {}, vec.zeros(f.dim), vec.zeros(f.dim)
  local function point(t)
    bernstein(d, t, w)
    z:fill(0)
    for k = 0, d do z:axpy(w[k], P[k]) end
    return z
  end
  local idx = batch and {} or nil
  -- SGD on E_t f(phi(t)), t ~ U(0, 1): d/dP_k f(phi(t)) = b_k(t) grad f(phi(t)) (Garipov et al. 2018)
  for _ = 1, steps do
    local t = rng:uniform()
    point(t)
    local obj = f
    if batch then
      for i = 1, batch do idx[i] = rng:int(f.n) end
      obj = f:batch(idx)
    end
    obj:grad(z, g)
    for k = 1, K do P[k]:axpy(-lr * w[k], g) end
  end
  local t = vec.linspace(0, 1, points)
  local loss = profile(f, point, t)
  local seg = interpolate(f, xa, xb, { points = points })
  local bends = {}
  for k = 1, K do bends[k] = P[k] end
  return {
    t = t, loss = loss, segment = seg.loss,
    barrier = barrier(t, loss), segment_barrier = seg.barrier,
    bends = bends,
    curve = function(s) return vec(point(s)) end,
  }
end
probe.connect = slope._doc(connect, "slope.probe.connect",
  "slope.probe.connect(f, xa, xb [, {bends=1, steps=1000, lr=0.05, batch, rng, points=25}]) -> {t, loss, segment, barrier, segment_barrier, bends, curve}",
  "Fits a Bezier curve from xa to xb (bends=1: phi(t) = (1-t)^2 xa + 2t(1-t) theta + t^2 xb) by SGD on E_t f(phi(t)) "
  .. "(Garipov et al. 2018); compares its loss profile and barrier with the straight segment's.")

return nil
