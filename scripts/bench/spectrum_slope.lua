-- spectrum_slope.lua DIR — slope's side of scripts/bench/50_spectrum.sh.
-- Builds the problems, writes what PyTorch needs to rebuild them bit for bit
-- (data, parameters per layer, the start vector, slope's loss and one HVP) as
-- .npy files in DIR, then times slope.spectrum.top (Lanczos and power iteration)
-- and prints one line per run:
--   problem method tol nhvp best_ms relative_error
-- Reference eigenvalues: LAPACK on the dense Hessian (logistic), exact (quad),
-- Lanczos with k = 4 and tol 1e-12 (MLP: error <= residual^2 / gap, far below 1e-6).
local dir = assert(arg[1], "usage: slope spectrum_slope.lua DIR")
local quick = os.getenv("SLOPE_QUICK") == "1"
local REPS = quick and 1 or 7

local function save(name, m) slope.data.save_npy(dir .. "/" .. name .. ".npy", m) end

local problems = {}

-- 1. L2-regularized logistic regression on breast_cancer at its optimum.
do
  local bc = slope.data.load("breast_cancer")
  local X = slope.data.standardize(bc.X)
  local f = slope.obj.logistic{X = X, y = bc.y, l2 = 1e-3, intercept = true}
  local res = slope.minimize(f, f:init(), {method = "lbfgs", gtol = 1e-10})
  assert(res.status == 0 or res.message:match("converged"), res.message)
  local ev = slope.spectrum.eigs(f:hessian(res.x), {order = "desc"})
  save("logreg_X", X); save("logreg_y", bc.y); save("logreg_x", res.x)
  problems[#problems + 1] = {name = "logreg", f = f, x = res.x, ref = ev[1], gap = ev[2] / ev[1]}
end

-- 2. MLP 64-64-10, tanh, softmax cross-entropy on digits; at its init point
-- (seed 1) and after 100 and 300 full-batch Adam steps (lr 1e-3) from there
-- (checkpoints of one run: the top two eigenvalues are close at 100 steps).
do
  local dg = slope.data.load("digits")
  local X = slope.data.standardize(dg.X)
  local f = slope.obj.mlp{X = X, y = dg.y, hidden = {64}, activation = "tanh", loss = "xent"}
  save("mlp_X", X); save("mlp_y", dg.y)
  local x0 = f:init(slope.rng(1))
  local x1 = x0:clone()
  local opt, g = slope.optim.adam{lr = 1e-3}, slope.vec.zeros(f.dim)
  for _ = 1, 100 do f:fg(x1, g); opt:step(x1, g) end
  local x2 = x1:clone()
  for _ = 101, 300 do f:fg(x2, g); opt:step(x2, g) end
  for _, p in ipairs{{"mlp_init", x0}, {"mlp_adam100", x1}, {"mlp_adam300", x2}} do
    local layers = f:unflatten(p[2])
    for l, layer in ipairs(layers) do
      save(("%s_W%d"):format(p[1], l), layer.W); save(("%s_b%d"):format(p[1], l), layer.b)
    end
    local e = slope.spectrum.top(f, p[2], {k = 4, tol = 1e-12, rng = slope.rng(3)})
    assert(e.converged, "reference Lanczos did not converge")
    problems[#problems + 1] = {name = p[1], f = f, x = p[2], ref = e.values[1],
                               gap = e.values[2] / e.values[1]}
  end
end

-- 3. The 500-dim quadratic with lambda_1 = 1 and 499 eigenvalues uniform in [0.5, 0.98].
do
  local r = slope.rng(2024)
  local m = 500
  local A = slope.mat.zeros(m, m)
  A:set(1, 1, 1.0)
  local second = 0
  for i = 2, m do
    local v = 0.5 + 0.48 * r:uniform()
    A:set(i, i, v)
    second = math.max(second, v)
  end
  save("quad_A", A)
  problems[#problems + 1] = {name = "quad", f = slope.spectrum.toy.quadratic(A),
                             x = slope.vec.zeros(m), ref = 1.0, gap = second}
end

-- The same start vector for every method on both sides; slope's value and one HVP for the check.
local info = assert(io.open(dir .. "/slope_info.txt", "w"))
for _, p in ipairs(problems) do
  local r = slope.rng(7)
  local v0 = slope.vec.zeros(p.f.dim)
  for i = 1, p.f.dim do v0[i] = r:normal() end
  p.v0 = v0
  save(p.name .. "_v0", v0)
  save(p.name .. "_hv", p.f:hvp(p.x, v0))
  info:write(("%s %d %.17g %.17g %s\n"):format(p.name, p.f.dim, p.f:value(p.x), p.ref,
                                               p.gap and ("%.4f"):format(p.gap) or "-"))
end
info:close()

-- method: "lanczos" (criterion "value": tol bounds the eigenvalue's estimated
-- error), "lanczos-res" (criterion "residual", the default: tol bounds
-- |Hy - ty| / |t|, so the eigenvector is accurate too) or "power".
local function run(p, method, tol)
  local best, r = math.huge, nil
  local opts = {tol = tol, v0 = p.v0}
  if method == "power" then
    opts.method, opts.maxiter = "power", 100000 -- power may take many HVPs
  else
    -- default Krylov budget for Lanczos (min(dim, 300))
    opts.criterion = method == "lanczos" and "value" or "residual"
  end
  -- best of at least REPS runs, more (up to 400) until 1 s is spent: the
  -- sub-millisecond runs need many tries to see one undisturbed by the VM
  local reps, spent = 0, 0
  while reps < REPS or (not quick and spent < 1.0 and reps < 400) do
    local t0 = slope.clock()
    r = slope.spectrum.top(p.f, p.x, opts)
    local t = slope.clock() - t0
    best, spent, reps = math.min(best, t), spent + t, reps + 1
  end
  local err = math.abs(r.values[1] - p.ref) / math.abs(p.ref)
  print(("%s %s %g %d %.6f %.3e"):format(p.name, method, tol, r.nhvp, best * 1e3, err))
  return err
end

for _, p in ipairs(problems) do
  run(p, "lanczos", 1e-6)
  run(p, "lanczos-res", 1e-6)
  -- Power iteration with PyHessian's tol 1e-6; when that stops short of 1e-6
  -- accuracy, tighten tol tenfold until it does (the equal-accuracy run).
  local tol = 1e-6
  while run(p, "power", tol) > 1e-6 and tol > 1e-13 do tol = tol / 10 end
end
