-- sam_flatness.lua — sharpness-aware minimization (SAM, Foret et al. 2021)
-- against plain gradient descent on a tanh MLP (digits, MSE loss), same step
-- size, same start. GD at this lr climbs toward the edge of stability
-- (lambda_max -> 2/lr); SAM, which descends with the gradient at the worst nearby point
-- x + rho g/|g|, ends at a flatter point, the flatter the larger rho (Bartlett
-- et al. 2023 analyse SAM's own, lower, stability limit). Both run full-batch:
-- slope.optim.sam takes its ascent gradient from the objective it was built
-- with, so inside slope.train with minibatches it would mix a minibatch descent
-- gradient with a full-batch ascent. MSE on one-hot targets keeps the
-- sharpness from collapsing as the loss goes to 0 (it does with cross-entropy).
-- Writes out/sam_sharpness.svg and out/sam_loss.svg. SLOPE_QUICK=1: fewer steps.
local slope = require "slope"
local quick = os.getenv("SLOPE_QUICK") == "1"
local steps = quick and 100 or 1000
local lr = 0.35

local D = slope.data.load("digits")
D.X = slope.data.standardize(D.X)
local tr, va = slope.data.split(D, quick and 0.3 or 0.7, slope.rng(0))
local function mlp(d)
  return slope.obj.mlp{X = d.X, y = slope.data.onehot(d.y, 10), hidden = {32}, activation = "tanh", loss = "mse"}
end
local f, fva = mlp(tr), mlp(va)
local x0 = f:init(slope.rng(1))
print(("tanh MLP 64-32-10, MSE loss, %d train / %d validation digits; lr = %g (2/lr = %g), %d full-batch steps")
  :format(f.n, fva.n, lr, 2 / lr, steps))

-- the network's 10 outputs (f:predict runs its forward pass): the class is the largest
local function accuracy(x, d)
  local out, correct = f:predict(x, d.X), 0
  for i = 1, d.X:shape() do
    if out:row(i):argmax() - 1 == d.y[i] then correct = correct + 1 end
  end
  return correct / d.X:shape()
end

local configs = {
  {name = "GD", make = function() return slope.optim.sgd{lr = lr} end},
  {name = "SAM rho=0.05", make = function() return slope.optim.sam{base = slope.optim.sgd{lr = lr}, f = f, rho = 0.05} end},
  {name = "SAM rho=0.1", make = function() return slope.optim.sam{base = slope.optim.sgd{lr = lr}, f = f, rho = 0.1} end},
}
print(("\n%-14s %10s %10s %8s %10s %10s %8s"):format("optimizer", "train loss", "val loss", "val acc",
  "lambda_max", "lambda*lr", "HVPs"))
local sharp, losses, res = {}, {}, {}
for _, c in ipairs(configs) do
  local run = slope.train{objective = f, optimizer = c.make(), x = x0:clone(), steps = steps, quiet = true,
    probes = {"sharpness"}, probe_every = quick and 20 or 25}
  local s = slope.probe.sharpness(f, run.x, lr, {tol = 1e-8, rng = slope.rng(9)})
  res[c.name] = {train = f:value(run.x), val = fva:value(run.x), lmax = s.lambda_max}
  print(("%-14s %10.4f %10.4f %8.3f %10.4f %10.4f %8d"):format(c.name, res[c.name].train, res[c.name].val,
    accuracy(run.x, va), s.lambda_max, s.lambda_max * lr, s.nhvp))
  local sx, sy = {}, {}
  for i, v in ipairs(run.history.sharpness) do
    if v == v then sx[#sx + 1], sy[#sy + 1] = run.history.step[i], v end
  end
  sharp[#sharp + 1] = {name = c.name, x = sx, y = sy}
  losses[#losses + 1] = {name = c.name, y = run.history.loss}
end

os.execute("mkdir -p out")
print((slope.plot.lines{file = "out/sam_sharpness.svg", series = sharp, hlines = {{y = 2 / lr, label = "2/lr"}},
  title = "sharpness during training: GD vs SAM (same lr)", xlabel = "step", ylabel = "lambda_max"}))
print((slope.plot.lines{file = "out/sam_loss.svg", series = losses, logy = true,
  title = "training loss: GD vs SAM (same lr)", xlabel = "step", ylabel = "training loss (MSE)"}))

if not quick then
  for _, name in ipairs{"SAM rho=0.05", "SAM rho=0.1"} do
    if not (res[name].lmax < 0.8 * res.GD.lmax) then
      error(("%s is not flatter than GD: lambda_max %.3f vs %.3f"):format(name, res[name].lmax, res.GD.lmax))
    end
  end
  if not (res["SAM rho=0.1"].lmax < res["SAM rho=0.05"].lmax) then error("a larger rho did not end flatter") end
  print(("SAM ends flatter: lambda_max %.2f (rho 0.05) and %.2f (rho 0.1) vs %.2f for GD"):format(
    res["SAM rho=0.05"].lmax, res["SAM rho=0.1"].lmax, res.GD.lmax))
  local better = 0
  for _, name in ipairs{"SAM rho=0.05", "SAM rho=0.1"} do if res[name].val < res.GD.val then better = better + 1 end end
  print(("validation loss: GD %.4f, SAM %.4f and %.4f: %s"):format(res.GD.val, res["SAM rho=0.05"].val,
    res["SAM rho=0.1"].val, better == 2 and "SAM generalizes better here too" or
    "flatter did not mean lower validation loss here (flatness is no guarantee of it)"))
end
