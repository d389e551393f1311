-- spectrum.lua — curvature and training diagnostics on objectives whose answers
-- are known: top/bottom eigenvalues, trace and density of a random quadratic,
-- a saddle's escape direction, sharpness tracking against 2/lr during gradient
-- descent, the gradient noise scale, and a curve around a loss barrier.
-- Writes out/spectrum_density.csv. SLOPE_QUICK=1 makes it smaller.
local slope = require "slope"
local S, P = slope.spectrum, slope.probe
local quick = os.getenv("SLOPE_QUICK") == "1"
local n = quick and 60 or 300

-- a random symmetric positive definite matrix: A = M M^T / n + 0.1 I
local r = slope.rng(1)
local M = slope.mat.zeros(n, n)
for i = 1, n do for j = 1, n do M:set(i, j, r:normal()) end end
local A = M:mm(M:transpose())
for i = 1, n do for j = 1, n do A:set(i, j, A:get(i, j) / n + (i == j and 0.1 or 0)) end end
local f = S.toy.quadratic(A)
local x = slope.vec.zeros(n)

local w = S.eigs(A, { order = "desc" })
local top = S.top(f, x, { k = 3 })
print(("top eigenvalues   %.8f %.8f %.8f  (%d HVPs)"):format(top.values[1], top.values[2], top.values[3], top.nhvp))
print(("dense LAPACK      %.8f %.8f %.8f"):format(w[1], w[2], w[3]))
local pw = S.top(f, x, { method = "power", tol = 1e-8, maxiter = 20000 })
print(("power iteration   %.8f  (%d HVPs)"):format(pw.values[1], pw.nhvp))
local c = S.condition(f, x)
print(("condition number  %.3f (lambda_min %.4f)"):format(c.condition, c.lambda_min))
local tr = S.trace(f, x, { samples = quick and 50 or 200, rng = slope.rng(2) })
local exact = 0
for i = 1, n do exact = exact + A:get(i, i) end
print(("trace (Hutchinson) %.3f +- %.3f, exact %.3f"):format(tr.trace, tr.stderr, exact))
local d = S.density(f, x, { steps = quick and 30 or 80, probes = quick and 3 or 10, rng = slope.rng(3) })
print(("density: %d Ritz nodes, SLQ trace %.3f"):format(#d.nodes, d.trace))
os.execute("mkdir -p out")
local fh = assert(io.open("out/spectrum_density.csv", "w"))
fh:write("lambda,density\n")
for i = 1, #d.grid do fh:write(("%.6g,%.6g\n"):format(d.grid[i], d.density[i])) end
fh:close()

-- gradient descent with lr = 1.9 / lambda_max: sharpness stays below 2/lr
local lr = 1.9 / w[1]
local g = S.toy.quadratic(A, slope.vec.ones(n))
local tracker = P.sharpness_tracker(g, { lr = lr, every = 5 })
local xk, grad = slope.vec.zeros(n), slope.vec.zeros(n)
for step = 1, quick and 20 or 100 do
  g:grad(xk, grad)
  xk:axpy(-lr, grad)
  local s = tracker:update(xk)
  if step % (quick and 10 or 25) == 0 then
    print(("step %3d  |g| %.3e  sharpness %.5f  lr*lambda/2 %.3f"):format(step, grad:norm(), s.lambda_max, s.ratio))
  end
end
print(("sharpness tracked with %d HVPs in all (warm-started)"):format(tracker.nhvp))

-- a saddle: the ring (|x|^2 - 1)^2 at the origin
local ring = S.toy.ring(3)
local b = S.bottom(ring, { 0, 0, 0 })
print(("ring at 0: lambda_min %.3f, escape direction %s"):format(b.values[1], tostring(b.vectors[1])))
local seg = P.interpolate(ring, { -1, 0, 0 }, { 1, 0, 0 })
local curve = P.connect(ring, { -1, 0, 0 }, { 1, 0, 0 }, { rng = slope.rng(4), steps = quick and 1500 or 3000 })
print(("ring minima (-1,0,0) and (1,0,0): segment barrier %.3f, Bezier curve barrier %.3f"):format(seg.barrier, curve.barrier))

-- the gradient noise scale of least squares
local m = quick and 200 or 2000
local X = slope.mat.zeros(m, 5)
local y = slope.vec.zeros(m)
for i = 1, m do
  local s = 0
  for j = 1, 5 do local v = r:normal(); X:set(i, j, v); s = s + j * v end
  y[i] = s + 0.5 * r:normal()
end
local ls = S.toy.least_squares(X, y)
local ns = P.noise_scale(ls, slope.vec.zeros(5))
local nb = P.noise_scale(ls, slope.vec.zeros(5), { batch = 8, samples = 50, rng = slope.rng(5) })
print(("noise scale at 0: B_simple %.2f (per-sample), %.2f (from minibatches)"):format(ns.b_simple, nb.b_simple))
