-- optimizer_zoo.lua — the optimizers of the last few years side by side on one
-- problem: a tanh MLP 64-32-10 (cross-entropy) on the digits, minibatches of 64,
-- each optimizer at its suggested settings (the constructors' defaults, taken
-- from the papers and reference implementations), same start, same batches.
-- Sophia and AdaHessian estimate the Hessian diagonal with Rademacher HVPs of
-- the full training loss (every k = 10 steps for Sophia, every step for
-- AdaHessian); Shampoo and Muon precondition each weight matrix of the layout
-- f:layers(); schedule-free AdamW is evaluated at its averaged point
-- opt:eval_x. Prints final train loss, validation accuracy, the sharpness
-- (lambda_max of the training loss's Hessian) each ends at, and the cost of one
-- opt:step; writes out/optimizer_zoo.svg (train loss per epoch).
-- SLOPE_QUICK=1: 2 epochs on a smaller split.
local slope = require "slope"
local quick = os.getenv("SLOPE_QUICK") == "1"
local epochs, batch = quick and 2 or 30, 64

local D = slope.data.load("digits")
D.X = slope.data.standardize(D.X)
local tr, va = slope.data.split(D, quick and 0.3 or 0.8, slope.rng(0))
local function mlp(d) return slope.obj.mlp{X = d.X, y = d.y, hidden = {32}, activation = "tanh", classes = 10} end
local f, fva = mlp(tr), mlp(va)
local x0 = f:init(slope.rng(1))
print(("MLP 64-32-10 (tanh, cross-entropy), dim %d; %d train / %d validation digits; %d epochs of batch %d")
  :format(f.dim, f.n, fva.n, epochs, batch))

local zoo = {
  {"Adam", function() return slope.optim.adam{} end},
  {"AdamW", function() return slope.optim.adamw{} end},
  {"Lion", function() return slope.optim.lion{} end},
  {"Sophia", function() return slope.optim.sophia{f = f, rng = slope.rng(7)} end},
  {"AdaHessian", function() return slope.optim.adahessian{f = f, layers = f, rng = slope.rng(7)} end},
  {"Shampoo", function() return slope.optim.shampoo{layers = f} end},
  {"Muon", function() return slope.optim.muon{layers = f} end},
  {"schedule-free AdamW", function() return slope.optim.sf_adamw{} end},
}

-- one run: the same permutations (rng seed 3) for every optimizer
local function train(make)
  local opt, x, g = make(), x0:clone(), slope.vec.zeros(f.dim)
  local rng, curve = slope.rng(3), {}
  local eval_point = opt.name == "sf_adamw" and function() return opt:eval_x(x) end or function() return x end
  local t_step, steps = 0, 0
  for e = 1, epochs do
    local perm = rng:perm(f.n)
    for lo = 1, f.n, batch do
      local idx = {}
      for i = lo, math.min(lo + batch - 1, f.n) do idx[#idx + 1] = perm[i] end
      f:batch(idx):fg(x, g)
      local t0 = slope.clock()
      opt:step(x, g)
      t_step, steps = t_step + slope.clock() - t0, steps + 1
    end
    curve[e] = f:value(eval_point())
  end
  local xe = eval_point()
  return {curve = curve, x = xe, acc = fva:accuracy(xe, va.X, va.y), us = t_step / steps * 1e6,
          lambda = slope.probe.sharpness(f, xe, 0).lambda_max}
end

local series, final = {}, {}
local start = f:value(x0)
print(("%-20s %12s %10s %12s %14s"):format("optimizer", "train loss", "val acc", "lambda_max", "us per step"))
for _, z in ipairs(zoo) do
  local r = train(z[2])
  print(("%-20s %12.4g %9.1f%% %12.4g %14.1f"):format(z[1], r.curve[epochs], 100 * r.acc, r.lambda, r.us))
  series[#series + 1] = {name = z[1], y = r.curve}
  final[z[1]] = r.curve[epochs]
end
print("(us per step: opt:step alone, the Hessian estimators' HVPs included; the gradient is not.)")
os.execute("mkdir -p out")
slope.plot.lines{file = "out/optimizer_zoo.svg", series = series, logy = true, xlabel = "epoch",
  ylabel = "train loss (full batch)", title = "digits MLP, batch 64: suggested settings"}
print("wrote out/optimizer_zoo.svg")
if not quick then -- the claims of the table above
  for name, v in pairs(final) do assert(v < start, name .. " did not lower the training loss") end
  for _, name in ipairs{"AdaHessian", "Shampoo", "Muon"} do
    assert(final[name] < final.Adam, name .. " was expected below Adam's training loss at these settings")
  end
  print("checked: every optimizer lowered the loss; AdaHessian, Shampoo and Muon end below Adam")
end
