-- sweep_batch_lr.lua — the batch-size / learning-rate study of large-batch
-- training (McCandlish et al. 2018, "An Empirical Model of Large-Batch
-- Training"; Goyal et al. 2017) as one slope.sweep: SGD with momentum on
-- softmax regression of digits for every (batch, lr, seed), each run trained on
-- the same number of samples, its final loss and the steps it took to reach a
-- target loss. Below the critical batch size a larger batch at a larger lr
-- reaches the target in proportionally fewer steps; past it, more samples per
-- step buy few fewer steps. The gradient noise scale B_simple, measured with
-- slope.probe.noise_scale on the way, predicts where that happens.
--
--   build/slope examples/sweep_batch_lr.lua            2 local processes (procs = 2)
--   mpirun -np 4 build/slope examples/sweep_batch_lr.lua   the runs spread over 4 ranks
--
-- Writes out/sweep_batch_lr.csv (one row per run), out/sweep_batch_lr.svg (final
-- loss over lr, one line per batch, mean over seeds) and out/sweep_steps.svg
-- (steps to the target at each batch's best lr, with B_simple marked).
-- SLOPE_QUICK=1 sweeps 2 batch sizes x 2 rates, one seed.
local slope = require "slope"
local quick = os.getenv("SLOPE_QUICK") == "1"
local rank = slope.mpi.rank()

local D = slope.data.load("digits")
D.X = slope.data.standardize(D.X)
local f = slope.obj.softmax{X = D.X, y = D.y, classes = 10, l2 = 1e-3}
local target = 0.35

-- B_simple where the runs cross the target: a point from a short full-batch run
local x_probe = slope.vec.zeros(f.dim)
slope.train{objective = f, optimizer = slope.optim.sgd{lr = 0.5, momentum = 0.9}, x = x_probe,
  steps = 100, quiet = true, on_step = function(r) return f:value(r.x) < target end}
local ns = slope.probe.noise_scale(f, x_probe)
if rank == 0 then
  print(("B_simple = %.0f at loss %.3f (per-sample gradients over %d rows)"):format(ns.b_simple,
    f:value(x_probe), f.n))
end

local samples = (quick and 2 or 6) * f.n -- every run sees as many samples
local rows = slope.sweep{
  grid = quick and {batch = {16, 256}, lr = {0.05, 0.4}, seed = {1}}
    or {batch = {4, 16, 64, 256, 1024}, lr = {0.0125, 0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6}, seed = {1, 2}},
  procs = 2,
  csv = "out/sweep_batch_lr.csv",
  plot = {file = "out/sweep_batch_lr.svg", x = "lr", series = "batch", y = "loss", logy = true,
    title = ("final loss after %d samples (mean over seeds)"):format(samples)},
  run = function(cfg)
    local x = slope.vec.zeros(f.dim)
    local reached
    local res = slope.train{objective = f, optimizer = slope.optim.sgd{lr = cfg.lr, momentum = 0.9}, x = x,
      batch = cfg.batch, steps = math.ceil(samples / cfg.batch), rng = slope.rng(cfg.seed), quiet = true,
      on_step = function(r)
        if not reached and r.step % math.max(1, 256 // cfg.batch) == 0 and f:value(r.x) < target then
          reached = r.step
        end
      end, on_nonfinite = "stop"}
    local loss = f:value(res.x)
    if res.status == "nonfinite" or loss ~= loss then error("diverged: " .. res.message) end
    return {loss = loss, steps_to_target = reached or 0 / 0}
  end,
}

-- each batch size at its best rate (the fewest steps to the target, mean over seeds)
if rank == 0 then
  local best = {}
  for _, r in ipairs(rows) do
    local k = r.batch .. "/" .. r.lr
    best[k] = best[k] or {batch = r.batch, lr = r.lr, sum = 0, n = 0}
    local s = r.steps_to_target
    if s and s == s then best[k].sum, best[k].n = best[k].sum + s, best[k].n + 1 end
  end
  local per = {}
  for _, b in pairs(best) do
    if b.n > 0 then
      local m = b.sum / b.n
      if not per[b.batch] or m < per[b.batch].steps then per[b.batch] = {steps = m, lr = b.lr} end
    end
  end
  local bs, st = {}, {}
  print("batch   best lr   steps to loss " .. target .. "   samples")
  for _, b in ipairs(quick and {16, 256} or {4, 16, 64, 256, 1024}) do
    local p = per[b]
    if p then
      print(("%5d   %7g   %8.0f   %13.0f"):format(b, p.lr, p.steps, p.steps * b))
      bs[#bs + 1], st[#st + 1] = b, p.steps
    else
      print(("%5d   (no rate reached the target)"):format(b))
    end
  end
  local failed = 0
  for _, r in ipairs(rows) do if r.error then failed = failed + 1 end end
  print(("%d runs, %d diverged (their rows hold the message)"):format(#rows, failed))
  if #bs >= 2 then
    slope.plot.lines{file = "out/sweep_steps.svg", x = bs, series = {["steps at the best lr"] = st},
      logx = true, logy = true, vlines = {{x = ns.b_simple, label = "B_simple"}},
      title = "steps to the target loss against the batch size", xlabel = "batch", ylabel = "steps"}
  end
  print("wrote out/sweep_batch_lr.csv, out/sweep_batch_lr.svg, out/sweep_steps.svg")
end
