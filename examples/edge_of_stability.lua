-- edge_of_stability.lua — full-batch gradient descent on a tanh MLP (MSE loss,
-- regressing the value 0..9 of 500 digits from their pixels): the sharpness
-- lambda_max of the training loss Hessian rises during training (progressive
-- sharpening) until it reaches 2/lr, the stability limit of GD on a quadratic,
-- and then hovers there while the loss
-- keeps decreasing, non-monotonically (Cohen et al. 2021, "Gradient Descent on
-- Neural Networks Typically Occurs at the Edge of Stability"). Sharpness is
-- tracked every few steps by slope.probe.sharpness_tracker, warm-started from
-- the last top eigenvector (a handful of HVPs each time).
-- Writes out/eos_loss.svg and out/eos_sharpness.svg. SLOPE_QUICK=1: fewer steps.
local slope = require "slope"
local quick = os.getenv("SLOPE_QUICK") == "1"
local steps = quick and 300 or 3000
local every = 10

local D = slope.data.load("digits")
D.X = slope.data.standardize(D.X)
local sub = slope.data.split(D, 500 / D.X:shape(), slope.rng(0)) -- 500 random digits
-- a scalar regression: predict the digit's value 0..9 from its pixels (a vec y with
-- loss = "mse" gives one output); it sharpens more than MSE on one-hot targets
local f = slope.obj.mlp{X = sub.X, y = sub.y, hidden = {32}, activation = "tanh", loss = "mse"}
local x0 = f:init(slope.rng(1))
local s0 = slope.probe.sharpness(f, x0, 1)
print(("tanh MLP 64-32-1 regressing the digit value (MSE), %d digits, %d parameters; lambda_max at init %.3f"):format(f.n, f.dim,
  s0.lambda_max))

local lrs = {0.1, 0.2}
local loss_series, sharp_series, hlines = {}, {}, {}
local summary = {}
for _, lr in ipairs(lrs) do
  local x, g = x0:clone(), slope.vec.zeros(f.dim)
  local tracker = slope.probe.sharpness_tracker(f, {lr = lr, every = every, rng = slope.rng(2)})
  local ls, ss, sx = {}, {}, {}
  local ups = 0
  print(("\nlr = %g, 2/lr = %g"):format(lr, 2 / lr))
  print(("%6s %12s %10s %10s"):format("step", "loss", "lambda_max", "lambda*lr"))
  local first_cross
  for t = 1, steps do
    local v = f:fg(x, g)
    ls[t] = v
    if t > 1 and v > ls[t - 1] then ups = ups + 1 end
    x:axpy(-lr, g)
    local s = tracker:update(x)
    if (t - 1) % every == 0 then
      sx[#sx + 1], ss[#ss + 1] = t, s.lambda_max
      if not first_cross and s.lambda_max * lr >= 1.9 then first_cross = t end
    end
    if t == 1 or t % (steps // 10) == 0 then
      print(("%6d %12.5f %10.4f %10.4f"):format(t, v, s.lambda_max, s.lambda_max * lr))
    end
  end
  -- the sharpness over the second half of the run
  local lo, hi, mean, k = math.huge, -math.huge, 0, 0
  for i = 1, #sx do
    if sx[i] > steps / 2 then
      local r = ss[i] * lr
      lo, hi, mean, k = math.min(lo, r), math.max(hi, r), mean + r, k + 1
    end
  end
  mean = mean / k
  summary[#summary + 1] = {lr = lr, lo = lo, hi = hi, mean = mean, ups = ups, cross = first_cross,
    final = ls[steps], nhvp = tracker.nhvp}
  loss_series[#loss_series + 1] = {name = ("lr = %g"):format(lr), y = ls}
  sharp_series[#sharp_series + 1] = {name = ("lr = %g"):format(lr), x = sx, y = ss}
  hlines[#hlines + 1] = {y = 2 / lr, label = ("2/lr = %g"):format(2 / lr)}
end

print(("\n%6s %14s %22s %12s %10s %8s"):format("lr", "reached 1.9/lr", "lambda*lr, 2nd half", "loss rises",
  "final", "HVPs"))
for _, s in ipairs(summary) do
  print(("%6g %14s %8.3f [%.3f, %.3f] %12d %10.5f %8d"):format(s.lr, s.cross and ("step " .. s.cross) or "never",
    s.mean, s.lo, s.hi, s.ups, s.final, s.nhvp))
end

os.execute("mkdir -p out")
print((slope.plot.lines{file = "out/eos_loss.svg", series = loss_series, logy = true,
  title = "full-batch GD on a tanh MLP: training loss", xlabel = "step", ylabel = "loss (MSE)"}))
print((slope.plot.lines{file = "out/eos_sharpness.svg", series = sharp_series, hlines = hlines,
  title = "sharpness rises to 2/lr and hovers there (edge of stability)", xlabel = "step",
  ylabel = "lambda_max of the Hessian"}))

if not quick then
  for _, s in ipairs(summary) do
    if not (s.mean > 1.85 and s.mean < 2.15) then
      error(("lr %g: lambda*lr averages %.3f over the second half, not about 2"):format(s.lr, s.mean))
    end
    if s.ups == 0 then error(("lr %g: the loss never rose; no edge-of-stability oscillation"):format(s.lr)) end
  end
  if not (s0.lambda_max * lrs[1] < 1.5) then error("the smaller lr did not start well below 2/lr") end
  print(("progressive sharpening: at lr %g, lambda_max went from %.2f to about 2/lr = %g"):format(lrs[1],
    s0.lambda_max, 2 / lrs[1]))
end
