-- probe_spec.lua — slope.probe on problems with answers in closed form.

local P, S = slope.probe, slope.spectrum

-- least squares data: 4 samples, 2 parameters
local X = slope.mat{ { 1, 0 }, { 0, 1 }, { 1, 1 }, { 2, -1 } }
local y = slope.vec{ 1, 2, 2, 0 }

-- per-sample gradients by hand: g_i = (a_i.x - y_i) a_i
local function by_hand(x)
  local gs, G = {}, slope.vec.zeros(2)
  for i = 1, 4 do
    local a = X:row(i)
    local r = a:dot(x) - y[i]
    gs[i] = a * r
    G:axpy(1 / 4, gs[i])
  end
  local tr = 0
  for i = 1, 4 do local d = gs[i] - G; tr = tr + d:dot(d) / 4 end
  return tr, G:dot(G)
end

describe("slope.probe.sharpness", function()
  local A = slope.mat{ { 3, 1, 0 }, { 1, 2, 0 }, { 0, 0, 1 } }
  local f = S.toy.quadratic(A)
  local lmax = S.eigs(A, { order = "desc" })[1]

  it("is the largest eigenvalue of a quadratic, against 2/lr", function()
    local s = P.sharpness(f, { 1, 1, 1 }, 0.1)
    check.near(s.lambda_max, lmax, 1e-8)
    check.near(s.ratio, lmax * 0.1 / 2, 1e-8)
    check.near(s.threshold, 20, 1e-15)
    check.truthy(s.stable)
    check.eq(P.sharpness(f, { 1, 1, 1 }, 1.0).stable, false)
    -- warm start from the previous eigenvector: a handful of HVPs
    local again = P.sharpness(f, { 1, 1, 1 }, 0.1, { v0 = s.vector })
    check.truthy(again.nhvp <= 2, "nhvp " .. again.nhvp)
  end)

  it("tracks sharpness every few steps", function()
    local tr = P.sharpness_tracker(f, { lr = 0.1, every = 3 })
    for _ = 1, 7 do tr:update({ 0, 0, 0 }) end
    check.eq(#tr.history, 3) -- calls 1, 4, 7
    check.eq(tr.history[2].call, 4)
    check.near(tr.last.lambda_max, lmax, 1e-6)
    check.errors(function() P.sharpness_tracker(f, { every = 0 }) end, "every must be a positive integer, got 0")
  end)

  it("rejects bad input", function()
    check.errors(function() P.sharpness(f, { 1, 1, 1 }, -1) end, "slope.probe.sharpness: lr must be a non-negative number")
    check.errors(function() P.sharpness(f, { 1, 1, 1 }, 0 / 0) end, "lr must be a non-negative number")
    check.errors(function() P.sharpness(f, { 1, 1 }, 0.1) end, "dimension mismatch: x has 2 entries, expected 3")
    check.errors(function() P.sharpness(f, { 1, 1, 1 }, 0.1, { tolerance = 1 }) end, "unknown option 'tolerance'")
    check.errors(function() P.sharpness(42, { 1 }, 0.1) end, "f must be an objective (slope.obj.*), got 42")
  end)
end)

describe("slope.probe.noise_scale and grad_variance", function()
  local f = S.toy.least_squares(X, y)

  it("matches the hand computation from per-sample gradients", function()
    local x = slope.vec{ 0.3, -0.2 }
    local tr, g2 = by_hand(x)
    local r = P.noise_scale(f, x)
    check.eq(r.method, "per_sample")
    check.near(r.trace_sigma, tr, 1e-12)
    check.near(r.grad_sq, g2, 1e-12)
    check.near(r.b_simple, tr / g2, 1e-10)
    check.eq(r.critical_batch, r.b_simple)
  end)

  it("at the optimum the gradient vanishes and the noise does not", function()
    -- normal equations X'X x = X'y
    local XtX = X:transpose():mm(X)
    local b = X:tmv(y)
    local det = XtX:get(1, 1) * XtX:get(2, 2) - XtX:get(1, 2) * XtX:get(2, 1)
    local xs = slope.vec{ (XtX:get(2, 2) * b[1] - XtX:get(1, 2) * b[2]) / det,
                          (XtX:get(1, 1) * b[2] - XtX:get(2, 1) * b[1]) / det }
    check.truthy(f:grad(xs):norm() < 1e-14)
    local tr = by_hand(xs)
    local r = P.noise_scale(f, xs)
    check.near(r.trace_sigma, tr, 1e-12)
    check.truthy(tr > 0.1)
    check.truthy(r.b_simple > 1e20 or r.b_simple ~= r.b_simple, "B_simple blows up at the optimum")
  end)

  it("estimates the same from minibatch gradients (McCandlish App. A)", function()
    local x = slope.vec{ 0.3, -0.2 }
    local tr, g2 = by_hand(x)
    local r = P.noise_scale(f, x, { batch = 1, samples = 4000, rng = slope.rng(9) })
    check.eq(r.method, "batches")
    check.truthy(math.abs(r.trace_sigma - tr) < 0.1 * tr, "tr " .. r.trace_sigma .. " vs " .. tr)
    check.truthy(math.abs(r.grad_sq - g2) < 0.15 * g2, "|G|^2 " .. r.grad_sq .. " vs " .. g2)
  end)

  it("gives per-coordinate gradient moments", function()
    local x = slope.vec{ 0.3, -0.2 }
    local v = P.grad_variance(f, x, { batch = 2 })
    check.veq(v.mean, f:grad(x), 1e-14)
    local tr = by_hand(x)
    check.near(v.trace * 3 / 4, tr, 1e-12) -- unbiased (n-1) vs population (n)
    check.near(v.batch_trace, v.trace / 2, 1e-15)
    check.eq(v.samples, 4)
  end)

  it("rejects objectives without samples and bad options", function()
    local q = S.toy.quadratic(slope.mat{ { 1 } })
    check.errors(function() P.noise_scale(q, { 0 }) end,
      "slope.probe.noise_scale: f must be a data objective: quadratic is not a data objective")
    check.errors(function() P.noise_scale(f, { 0, 0 }, { batch = 5 }) end, "batch 5 is larger than the data")
    check.errors(function() P.noise_scale(f, { 0, 0 }, { samples = 1 }) end, "samples must be an integer >= 2")
    check.errors(function() P.noise_scale(f, { 0, 0 }, { batchsize = 1 }) end, "unknown option 'batchsize'")
    check.errors(function() P.grad_variance(q, { 0 }) end, "not a data objective")
  end)
end)

describe("slope.probe.pl_ratio, step_stats, descent_lemma", function()
  local A = slope.mat{ { 4, 1 }, { 1, 2 } }
  local b = slope.vec{ 1, -1 }
  local f = S.toy.quadratic(A, b)
  local w = S.eigs(A)
  -- minimizer A x* = b, f* = -b'x*/2
  local det = 4 * 2 - 1
  local xs = slope.vec{ (2 * b[1] - b[2]) / det, (4 * b[2] - b[1]) / det }
  local fstar = -0.5 * b:dot(xs)

  it("PL ratio of a strongly convex quadratic is at least lambda_min", function()
    local r = slope.rng(4)
    for _ = 1, 20 do
      local x = slope.vec.randn(2, r)
      local ratio, info = P.pl_ratio(f, x, fstar)
      check.truthy(ratio >= w[1] - 1e-12 and ratio <= w[2] + 1e-12, "ratio " .. ratio)
      check.truthy(info.gap > 0)
    end
    check.errors(function() P.pl_ratio(f, { 0, 0 }, 10) end, "is below fstar")
    check.errors(function() P.pl_ratio(f, { 0, 0 }, 0 / 0) end, "fstar must be a finite number")
  end)

  it("step statistics of one gradient step", function()
    local x0 = slope.vec{ 3, 4 }
    local g = f:grad(x0)
    local x1 = x0 - g * 0.1
    local s = P.step_stats(x0, x1, g)
    check.near(s.grad_norm, g:norm(), 1e-15)
    check.near(s.update_norm, 0.1 * g:norm(), 1e-14)
    check.near(s.update_ratio, 0.1 * g:norm() / 5, 1e-14)
    check.truthy(s.grad_cos ~= s.grad_cos, "NaN without g_prev")
    check.near(P.step_stats(x0, x1, g, g * -2).grad_cos, -1, 1e-15)
    check.errors(function() P.step_stats(x0, { 1 }, g) end, "dimension mismatch: x_after has 1 entries")
  end)

  it("the descent lemma holds below 2/L and can fail above", function()
    local L = w[2]
    local x0 = slope.vec{ 3, 4 }
    local f0, g = f:fg(x0)
    for _, lr in ipairs({ 0.5 / L, 1 / L, 1.9 / L }) do
      local d = P.descent_lemma(f0, f:value(x0 - g * lr), lr, g:norm(), L)
      check.truthy(d.holds and d.safe_lr, "lr " .. lr)
    end
    local lr = 2.5 / L
    local d = P.descent_lemma(f0, f:value(x0 - g * lr), lr, g:norm(), L)
    check.eq(d.safe_lr, false)
    check.truthy(d.bound < 0)
    check.errors(function() P.descent_lemma(1, 0, -1, 1, 1) end, "lr must be a positive number")
    check.errors(function() P.descent_lemma(1, 0 / 0, 1, 1, 1) end, "f_after must be a finite number, got nan")
  end)
end)

describe("slope.probe.interpolate, slice2d, connect", function()
  it("two minima of a convex function have barrier 0", function()
    -- duplicated column: a line of minimizers x1 + x2 = c
    local Xd = slope.mat{ { 1, 1 }, { 2, 2 }, { -1, -1 } }
    local f = S.toy.least_squares(Xd, { 1, 2, -1 })
    local i = P.interpolate(f, { 1, 0 }, { -3, 4 }, { points = 11 })
    check.eq(#i.alpha, 11)
    check.truthy(math.abs(i.barrier) < 1e-14, "barrier " .. i.barrier)
    check.truthy(i.loss:max() < 1e-20)
  end)

  it("the ring has barrier 1 on the segment through its centre", function()
    local f = S.toy.ring(2)
    local i = P.interpolate(f, { -1, 0 }, { 1, 0 })
    check.near(i.barrier, 1, 1e-14)
    check.near(i.barrier_max, 1, 1e-14)
    check.errors(function() P.interpolate(f, { 1, 0 }, { 1 }) end, "dimension mismatch: xb has 1 entries")
    check.errors(function() P.interpolate(f, { 1, 0 }, { 0, 1 }, { points = 1 }) end, "points must be an integer >= 2")
  end)

  it("connect finds a low curve around the barrier", function()
    local f = S.toy.ring(2)
    local r = P.connect(f, { -1, 0 }, { 1, 0 }, { rng = slope.rng(1), steps = 1000 })
    check.near(r.segment_barrier, 1, 1e-14)
    check.truthy(r.barrier < 0.1, "curve barrier " .. r.barrier)
    check.veq(r.curve(0), { -1, 0 }, 1e-15)
    check.veq(r.curve(1), { 1, 0 }, 1e-15)
    check.truthy(math.abs(r.bends[1][2]) > 1, "the bend left the segment")
    check.eq(#r.loss, 25)
    check.errors(function() P.connect(f, { -1, 0 }, { 1, 0 }, { bends = 0 }) end, "bends must be a positive integer")
    check.errors(function() P.connect(f, { -1, 0 }, { 1, 0 }, { batch = 2 }) end, "batch needs a data objective")
  end)

  it("connect with minibatches and two bends", function()
    local f = S.toy.least_squares(X, y)
    local r = P.connect(f, { 0, 0 }, { 1, 1 }, { batch = 2, bends = 2, steps = 50, rng = slope.rng(2) })
    check.eq(#r.bends, 2)
    check.near(r.loss[1], f:value({ 0, 0 }), 1e-14)
  end)

  it("slice2d evaluates a grid around x along filter-normalized directions", function()
    local f = S.toy.ring(4)
    local x = slope.vec{ 1, 2, 0, 3 }
    local s = P.slice2d(f, x, { points = 5, span = 0.5, layers = { { 1, 2 }, { 3, 2 } }, rng = slope.rng(3) })
    check.eq(#s.alpha, 5)
    check.near(s.loss:get(3, 3), f:value(x), 1e-14) -- the centre is x itself
    local d = s.dirs[1]
    check.near(math.sqrt(d[1] ^ 2 + d[2] ^ 2), math.sqrt(5), 1e-12)
    check.near(math.sqrt(d[3] ^ 2 + d[4] ^ 2), 3, 1e-12)
    local z = x + s.dirs[1] * s.alpha[1] + s.dirs[2] * s.beta[5]
    check.near(s.loss:get(1, 5), f:value(z), 1e-12)
    local u = P.slice2d(f, x, { points = 3, normalize = "none", dirs = { { 1, 0, 0, 0 }, { 0, 1, 0, 0 } } })
    check.near(u.loss:get(3, 1), f:value({ 2, 1, 0, 3 }), 1e-14)
    check.errors(function() P.slice2d(f, x, { normalize = "layer" }) end, "normalize must be one of \"filter\", \"none\"")
    check.errors(function() P.slice2d(f, x, { layers = { { 4, 2 } } }) end, "layers[1] must be {offset, size}")
    check.errors(function() P.slice2d(f, x, { dirs = { { 1 } } }) end, "dirs must be a list of two directions")
  end)

  it("every function has help", function()
    for _, k in ipairs({ "step_stats", "noise_scale", "grad_variance", "filter_normalize", "descent_lemma",
                         "pl_ratio", "sharpness", "sharpness_tracker", "interpolate", "slice2d", "connect" }) do
      check.truthy(slope._helpdb[P[k]], k)
    end
  end)
end)
