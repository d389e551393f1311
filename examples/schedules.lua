-- schedules.lua — learning-rate schedules, the LR range test and SVG plots.
-- Writes out/schedules.svg, out/lr_find.svg, out/loss.svg, out/contour.svg.
-- SLOPE_QUICK=1 runs a smaller version in well under a second.
local slope = require "slope"
local S = slope.schedule
local quick = os.getenv("SLOPE_QUICK") == "1"
local steps = quick and 200 or 2000

-- 1. Schedules are C functions of the step; compose them, print them, plot them.
local warm = S.warmup{steps = steps // 10, to = S.cosine{lr = 0.1, steps = steps - steps // 10, min = 1e-3}}
print(warm)
local series = {
  ["warmup+cosine"] = warm:values(steps),
  onecycle = S.onecycle{max = 0.1, steps = steps}:values(steps),
  sgdr = S.cosine_restarts{lr = 0.1, period = steps // 8, mult = 2}:values(steps),
  ["step (gamma 0.5)"] = S.step{lr = 0.1, every = steps // 4, gamma = 0.5}:values(steps),
}
print("onecycle  " .. slope.plot.spark(series.onecycle, 60))
print("sgdr      " .. slope.plot.spark(series.sgdr, 60))
print((slope.plot.lines{file = "out/schedules.svg", series = series, title = "learning-rate schedules",
  xlabel = "step", ylabel = "lr"}))

-- 2. A least-squares problem f(x) = 1/(2n) |A x - b|^2 written as a Lua objective
--    (anything with f:fg(x, g) works), minibatches through f:batch(idx).
local rng = slope.rng(42)
local n, d = quick and 200 or 2000, 20
local A, b = {}, {}
for i = 1, n do
  A[i] = {}
  local dot = 0
  for j = 1, d do A[i][j] = rng:normal() * (j <= 3 and 3 or 1); dot = dot + A[i][j] * (j % 3 - 1) end
  b[i] = dot + 0.1 * rng:normal()
end
local function lsq(rows)
  return {
    n = #rows,
    fg = function(self, x, g)
      local f = 0
      for j = 1, d do g[j] = 0 end
      for _, i in ipairs(rows) do
        local a, r = A[i], -b[i]
        for j = 1, d do r = r + a[j] * x[j] end
        f = f + 0.5 * r * r
        for j = 1, d do g[j] = g[j] + r * a[j] end
      end
      for j = 1, d do g[j] = g[j] / #rows end
      return f / #rows, g
    end,
    batch = function(self, idx)
      local sub = {}
      for k, p in ipairs(idx) do sub[k] = rows[p] end
      return lsq(sub)
    end,
  }
end
local all = {}
for i = 1, n do all[i] = i end
local f = lsq(all)
local function sgd(lr)
  return {lr = lr, step = function(self, x, g) x:axpy(-self.lr, g) end}
end

-- 3. The LR range test picks a rate; then train with warmup + cosine around it.
local res = slope.lr_find(f, slope.vec.zeros(d), sgd, {min_lr = 1e-5, max_lr = 10, steps = 100, batch = 32, rng = rng})
print(("lr_find: suggestion %.3g, loss blew up at lr %.3g"):format(res.suggestion or 0 / 0,
  res.stopped_at and res.lr[res.stopped_at] or 0 / 0))
print(slope.plot.lr_find(res, "out/lr_find.svg"))

local epochs = quick and 100 or 1000
local function train(sched)
  local x, g, opt, losses = slope.vec.zeros(d), slope.vec.zeros(d), sgd(0), {}
  for t = 1, epochs do
    local idx = {}
    for k = 1, 32 do idx[k] = rng:int(n) end
    opt.lr = sched(t)
    f:batch(idx):fg(x, g)
    opt:step(x, g)
    losses[t] = f:fg(x, g)
  end
  return losses
end
local peak = res.suggestion or 0.01
local lc = train(S.warmup{steps = epochs // 20, to = S.cosine{lr = peak, steps = epochs - epochs // 20}})
local lk = train(S.constant{lr = peak})
print(("final loss: warmup+cosine %.4g, constant %.4g"):format(lc[#lc], lk[#lk]))
print((slope.plot.lines{file = "out/loss.svg", series = {{name = "warmup + cosine", y = lc},
  {name = "constant", y = lk, dash = true}}, logy = true, smooth = 0.9, title = "least squares, minibatch SGD",
  xlabel = "step", ylabel = "loss"}))

-- 4. A 2-D landscape with gradient-descent paths at two rates.
local function rosen(x, y) return (1 - x) ^ 2 + 100 * (y - x * x) ^ 2 end
local paths = {}
for k, lr in ipairs{1e-3, 2e-3} do
  local x, y, px, py = -1.2, 1.0, {-1.2}, {1.0}
  for _ = 1, quick and 500 or 5000 do
    local gx, gy = -2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)
    x, y = x - lr * gx, y - lr * gy
    px[#px + 1], py[#py + 1] = x, y
  end
  paths[k] = {name = ("gd lr=%g"):format(lr), x = px, y = py}
end
print((slope.plot.contour{file = "out/contour.svg", f = rosen, xlim = {-2, 2}, ylim = {-1, 3}, paths = paths,
  title = "Rosenbrock", grid = quick and 60 or 150}))
