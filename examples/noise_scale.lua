-- noise_scale.lua — the gradient noise scale B_simple = tr(Sigma)/|G|^2
-- (McCandlish et al. 2018, "An Empirical Model of Large-Batch Training") of
-- softmax regression on digits, measured from exact per-sample gradients
-- along an SGD run: it grows as the loss falls (the gradient shrinks, its
-- noise does not). Then the experiment it predicts: steps to reach a target
-- loss, each batch size at its best learning rate, follow
-- S(B) = S_min (1 + B_crit / B); past the critical batch size B_crit more
-- samples per step buy few fewer steps. The fitted B_crit is compared with
-- B_simple measured on the way to the target.
-- Writes out/noise_scale.svg and out/steps_vs_batch.svg.
-- SLOPE_QUICK=1 sweeps two batch sizes only.
local slope = require "slope"
local quick = os.getenv("SLOPE_QUICK") == "1"

local D = slope.data.load("digits")
D.X = slope.data.standardize(D.X)
local f = slope.obj.softmax{X = D.X, y = D.y, classes = 10, l2 = 1e-3}
local n = f.n
local lmax = slope.probe.sharpness(f, slope.vec.zeros(f.dim), 1).lambda_max
print(("softmax regression on %d digits, %d parameters, lambda_max at 0 = %.4f"):format(n, f.dim, lmax))

-- 1. B_simple along an SGD run (batch 32, lr 1/lambda_max) ----------------------
local per = math.ceil(n / 32)
local epochs = quick and 2 or 10
local ep, loss, bs = {}, {}, {}
local function probe(t, x)
  local ns = slope.probe.noise_scale(f, x)
  ep[#ep + 1], loss[#loss + 1], bs[#bs + 1] = t / per, f:value(x), ns.b_simple
end
probe(0, slope.vec.zeros(f.dim))
slope.train{objective = f, optimizer = slope.optim.sgd{lr = 1 / lmax}, x = slope.vec.zeros(f.dim),
  epochs = epochs, batch = 32, rng = slope.rng(1), quiet = true,
  on_step = function(row) if row.step % (per // 4) == 0 then probe(row.step, row.x) end end}
print(("\n%8s %10s %10s"):format("epoch", "loss", "B_simple"))
for k = 1, #ep, math.max(1, #ep // 8) do print(("%8.2f %10.4f %10.1f"):format(ep[k], loss[k], bs[k])) end
print(("%8.2f %10.4f %10.1f"):format(ep[#ep], loss[#loss], bs[#bs]))

-- 2. steps to a target loss vs batch size -----------------------------------
local target = 0.2
local batches = quick and {16, 256} or {4, 8, 16, 32, 64, 128, 256, 512, 1024}
local mults = {4, 2, 1, 0.5, 0.25, 0.125, 0.0625, 1 / 32} -- lr = mult / lambda_max, largest first
local maxsteps = 3000
local f0 = f:value(slope.vec.zeros(f.dim))
local function steps_to_target(B, lr, cap)
  local hit
  slope.train{objective = f, optimizer = slope.optim.sgd{lr = lr}, x = slope.vec.zeros(f.dim), steps = cap,
    batch = B, rng = slope.rng(7), quiet = true,
    on_step = function(row)
      local v = f:value(row.x)
      if v <= target then hit = row.step; return true end
      if not (v < f0) then return true end -- diverging: give up on this lr
    end}
  return hit
end
print(("\nsteps to loss %.2f, each batch size at its best lr in {4, 2, 1, ..., 1/32} / lambda_max:"):format(target))
print(("%6s %8s %10s %10s"):format("batch", "steps", "lr", "epochs"))
local invB, S, Bs, Ep = {}, {}, {}, {}
local cap = maxsteps -- a larger batch at its best lr needs no more steps than a smaller one
for _, B in ipairs(batches) do
  local best, bestlr = math.huge, nil
  for _, m in ipairs(mults) do
    local s = steps_to_target(B, m / lmax, math.min(cap, best == math.huge and cap or 2 * best))
    if s and s < best then best, bestlr = s, m / lmax
    elseif best < math.huge then break end -- slower than a larger lr: smaller ones are slower still
  end
  if best < math.huge then
    invB[#invB + 1], S[#S + 1], Bs[#Bs + 1], Ep[#Ep + 1] = 1 / B, best, B, best * B / n
    print(("%6d %8d %10.4f %10.3f"):format(B, best, bestlr, best * B / n))
    cap = best
  else
    print(("%6d %8s"):format(B, "> " .. maxsteps))
  end
end

-- fit S = a + b / B (a = S_min, b = S_min B_crit) by least squares on relative
-- residuals (S - a - b/B) / S, i.e. weights 1/S^2, so small and large B count alike
local m = #S
local sw, sx, sy, sxx, sxy = 0, 0, 0, 0, 0
for k = 1, m do
  local w = 1 / S[k] ^ 2
  sw, sx, sy = sw + w, sx + w * invB[k], sy + w * S[k]
  sxx, sxy = sxx + w * invB[k] ^ 2, sxy + w * invB[k] * S[k]
end
local slope_b = (sw * sxy - sx * sy) / (sw * sxx - sx * sx)
local smin = (sy - slope_b * sx) / sw
local bcrit = slope_b / smin
-- B_simple while the loss was between its start and the target
local lo, hi = math.huge, 0
for k = 1, #loss do if loss[k] >= target then lo, hi = math.min(lo, bs[k]), math.max(hi, bs[k]) end end
print(("\nfit S(B) = S_min (1 + B_crit/B): S_min = %.1f steps, B_crit = %.0f"):format(smin, bcrit))
print(("B_simple measured on the way to loss %.2f: %.0f .. %.0f"):format(target, lo, hi))

os.execute("mkdir -p out")
print((slope.plot.lines{file = "out/noise_scale.svg", x = ep, series = {{name = "B_simple", y = bs}},
  logy = true, title = "gradient noise scale along SGD (softmax on digits)", xlabel = "epoch",
  ylabel = "B_simple = tr(Sigma) / |G|^2"}))
local fitS = {}
for k = 1, m do fitS[k] = smin * (1 + bcrit * invB[k]) end
print((slope.plot.lines{file = "out/steps_vs_batch.svg", x = Bs, logx = true, logy = true,
  series = {{name = "measured (best lr)", y = S}, {name = "S_min (1 + B_crit/B)", y = fitS, dash = true}},
  vlines = {{x = bcrit, label = "B_crit"}},
  title = ("steps to loss %.2f vs batch size"):format(target), xlabel = "batch size", ylabel = "steps"}))

if not quick then
  if not (bs[#bs] > 5 * bs[1]) then error("B_simple did not grow during training") end
  if not (S[1] > 10 * S[#S]) then error("small batches did not need many more steps") end
  if not (bcrit >= lo and bcrit <= hi) then
    error(("the fitted B_crit %.0f is outside the measured B_simple range %.0f..%.0f"):format(bcrit, lo, hi))
  end
  print("the fitted critical batch lies within the range of B_simple measured on the way to the target")
end
