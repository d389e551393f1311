-- tour.lua — what `make run` shows: optimizers racing, a loss curve, a Hessian
-- spectrum and the edge of stability, each in a few seconds, with the plots in out/.
local slope = require "slope"
local quick = os.getenv("SLOPE_QUICK") == "1"
local spark = slope.plot.spark
local function log10s(t) -- for sparklines of losses that fall by decades
  local r = {}
  for i, v in ipairs(t) do r[i] = math.log(v, 10) end
  return r
end
local t_start = slope.clock()
os.execute("mkdir -p out")

local function section(title) print(("\n== %s %s"):format(title, ("="):rep(70 - #title))) end
print(slope.version .. " — objectives with analytic gradients and Hessian-vector products in C,")
print("optimizers, line searches, schedules and curvature probes, driven from Lua.")

-- 1. Optimizers race ---------------------------------------------------------
section("1. Optimizers race on Rosenbrock from (-1.2, 1)")
local rosen = slope.obj.rosenbrock(2)
local steps = 3000
local contenders = {
  { "gd lr=1e-3", slope.optim.sgd{ lr = 1e-3 } },
  { "heavy ball lr=1e-3 m=0.9", slope.optim.sgd{ lr = 1e-3, momentum = 0.9 } },
  { "rmsprop lr=1e-3", slope.optim.rmsprop{ lr = 1e-3 } },
  { "adam lr=2e-2", slope.optim.adam{ lr = 2e-2 } },
}
local paths = {}
local g = slope.vec.zeros(2)
print(("%-26s %12s %10s  %s"):format("optimizer", "f after " .. steps, "|x - x*|", "log10 f over the run"))
for _, c in ipairs(contenders) do
  local name, opt = c[1], c[2]
  local x = rosen:init()
  local px, py, trace = { x[1] }, { x[2] }, {}
  for t = 1, steps do
    local f = rosen:fg(x, g)
    opt:step(x, g)
    if t % 10 == 0 then px[#px + 1], py[#py + 1] = x[1], x[2] end
    if t % 60 == 0 then trace[#trace + 1] = math.log(f + 1e-300, 10) end
  end
  paths[#paths + 1] = { name = name, x = px, y = py }
  print(("%-26s %12.3e %10.2e  %s"):format(name, rosen:value(x), (x - slope.vec{ 1, 1 }):norm(), spark(trace, 40)))
end
local res = slope.minimize(rosen, rosen:init(), { method = "lbfgs", gtol = 1e-10 })
print(("%-26s %12.3e %10.2e  (%d iterations, %d evaluations: a quasi-Newton method)"):format(
  "lbfgs (slope.minimize)", res.f, (res.x - slope.vec{ 1, 1 }):norm(), res.nit, res.nfev))
print("plot: " .. slope.plot.contour{ file = "out/tour_race.svg", f = rosen, xlim = { -1.5, 1.5 },
  ylim = { -0.5, 1.5 }, levels = 20, logscale = true, paths = paths, title = "optimizers on Rosenbrock" })

-- 2. A loss curve -----------------------------------------------------------
section("2. Training logistic regression on breast cancer data (569 x 30)")
local D = slope.data.load("breast_cancer")
local train, val = slope.data.split(D, 0.8, slope.rng(0))
local Xtr, mean, scale = slope.data.standardize(train.X)
local Xva = slope.data.standardize(val.X, { mean = mean, scale = scale })
local f = slope.obj.logistic{ X = Xtr, y = train.y, l2 = 1e-3, intercept = true }
local fval = slope.obj.logistic{ X = Xva, y = val.y, l2 = 1e-3, intercept = true }
local epochs = quick and 5 or 30
local run = slope.train{
  objective = f, validation = fval, optimizer = slope.optim.adam{ lr = 0.05 },
  schedule = slope.schedule.warmup{ steps = 10, to = slope.schedule.cosine{ lr = 0.05, steps = epochs * 8 } },
  epochs = epochs, batch = 64, eval_every = 4, rng = slope.rng(1), quiet = true,
  probes = { "grad_norm", "update_ratio" }, log = "out/tour_train.csv",
}
local h = run.history
local vx, vy = {}, {}
for i = 1, #h.step do
  if h.val_loss[i] == h.val_loss[i] then vx[#vx + 1], vy[#vy + 1] = h.step[i], h.val_loss[i] end
end
print(("adam + warmup/cosine, %d epochs of minibatches of 64: %d steps"):format(epochs, run.steps))
print(("train loss %.4f -> %.4f   log10: %s"):format(h.loss[1], h.loss[#h.loss], spark(log10s(h.loss), 40)))
print(("val loss   %.4f -> %.4f   update/parameter ratio at the end %.1e (healthy ~1e-3)"):format(
  vy[1], vy[#vy], h.update_ratio[#h.update_ratio]))
local exact = slope.minimize(f, slope.vec.zeros(f.dim), { method = "newton_cg", gtol = 1e-10 })
print(("the optimum by newton_cg: %.6f in %d iterations; adam ended %.1e above it"):format(
  exact.f, exact.nit, f:value(run.x) - exact.f))
print("plot: " .. slope.plot.lines{ file = "out/tour_loss.svg", logy = true, smooth = 0.8,
  series = { { name = "train (minibatch)", x = h.step, y = h.loss }, { name = "validation", x = vx, y = vy } },
  hlines = { { y = exact.f, label = "optimum" } }, title = "logistic regression, Adam", xlabel = "step", ylabel = "loss" })

-- 3. The spectrum of the Hessian ----------------------------------------------
section("3. The Hessian spectrum at the optimum (31 parameters)")
local top = slope.spectrum.top(f, exact.x, { k = 3 })
local bottom = slope.spectrum.bottom(f, exact.x, { k = 1 })
local dense = slope.spectrum.eigs(f:hessian(exact.x), { order = "desc" })
print(("Lanczos: top eigenvalues %.6f %.6f %.6f in %d Hessian-vector products"):format(
  top.values[1], top.values[2], top.values[3], top.nhvp))
print(("dense eigendecomposition (LAPACK): %.6f %.6f %.6f; smallest %.2e (Lanczos %.2e)"):format(
  dense[1], dense[2], dense[3], dense[#dense], bottom.values[1]))
print(("condition number %.0f: why plain gradient descent crawls here and Newton-type methods do not"):format(
  top.values[1] / bottom.values[1]))
local dens = slope.spectrum.density(f, exact.x, { steps = 30, probes = 10, rng = slope.rng(3) })
print("plot: " .. slope.plot.histogram{ file = "out/tour_spectrum.svg", grid = dens.grid, density = dens.density,
  title = "Hessian eigenvalue density (stochastic Lanczos quadrature)", xlabel = "eigenvalue" })

-- 4. The edge of stability ------------------------------------------------------
section("4. Edge of stability: full-batch GD on a small MLP")
local digits = slope.data.load("digits")
digits.X = slope.data.standardize(digits.X)
local sub = slope.data.split(digits, 300 / digits.X:shape(), slope.rng(0))
local mlp = slope.obj.mlp{ X = sub.X, y = sub.y, hidden = { 32 }, activation = "tanh", loss = "mse" }
local lr = 0.2
local x = mlp:init(slope.rng(1))
local gm = slope.vec.zeros(mlp.dim)
local tracker = slope.probe.sharpness_tracker(mlp, { lr = lr, every = 10, rng = slope.rng(2) })
local n_steps = quick and 150 or 600
local sx, sy, losses = {}, {}, {}
for t = 1, n_steps do
  losses[t] = mlp:fg(x, gm)
  x:axpy(-lr, gm)
  local s = tracker:update(x)
  if (t - 1) % 10 == 0 then sx[#sx + 1], sy[#sy + 1] = t, s.lambda_max end
end
print(("tanh MLP (%d parameters) on %d digits, lr = %g: GD is stable while lambda_max < 2/lr = %g"):format(
  mlp.dim, mlp.n, lr, 2 / lr))
print(("lambda_max %s  %.2f -> %.2f (%d HVPs in all)"):format(spark(sy, 40), sy[1], sy[#sy], tracker.nhvp))
print(("log10 loss %s  %.4f -> %.4f: it keeps falling, not monotonically"):format(spark(log10s(losses), 40),
  losses[1], losses[#losses]))
print("plot: " .. slope.plot.lines{ file = "out/tour_eos.svg", series = { { name = "lambda_max", x = sx, y = sy } },
  hlines = { { y = 2 / lr, label = "2/lr" } }, title = "sharpness rises to 2/lr and hovers (Cohen et al. 2021)",
  xlabel = "step", ylabel = "lambda_max" })

section("Next")
print("Open the SVGs in out/ in a browser. More in examples/ (edge_of_stability, saddle_escape,")
print("mode_connectivity, variance_reduction, ...). build/slope opens the REPL; help() lists everything.")
print(("(tour ran in %.1f s)"):format(slope.clock() - t_start))
