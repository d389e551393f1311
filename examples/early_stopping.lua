-- early_stopping.lua — an over-parameterized MLP on a small training split
-- of breast_cancer: the training loss keeps falling while the validation loss
-- turns up (overfitting). slope.train evaluates the validation objective every
-- epoch, stops after `patience` evaluations without improvement and, with
-- restore_best = true, hands back the parameters of the best evaluation.
-- Writes out/early_stopping.svg and out/early_stopping.csv (the run's log).
-- It takes a fraction of a second, so SLOPE_QUICK=1 changes nothing.
local slope = require "slope"

local D = slope.data.load("breast_cancer")
local tr, rest = slope.data.split(D, 0.25, slope.rng(3)) -- a small training set overfits quickly
local va = slope.data.split(rest, 0.5, slope.rng(4))
local Xtr, mu, sd = slope.data.standardize(tr.X)
local Xva = slope.data.standardize(va.X, {mean = mu, scale = sd})
local hidden = {128, 128}
local f = slope.obj.mlp{X = Xtr, y = tr.y, hidden = hidden, activation = "tanh", classes = 2}
local fva = slope.obj.mlp{X = Xva, y = va.y, hidden = hidden, activation = "tanh", classes = 2}
print(("tanh MLP 30-%s-2, %d parameters; %d training and %d validation samples"):format(
  table.concat(hidden, "-"), f.dim, f.n, fva.n))

local patience = 20
local per = math.ceil(f.n / 16) -- steps per epoch; validation runs at each epoch's end
os.execute("mkdir -p out")
local xs, trl, val = {}, {}, {}
local run = slope.train{objective = f, validation = fva, optimizer = slope.optim.adam{lr = 3e-4},
  x = f:init(slope.rng(5)), epochs = 1000, batch = 16, rng = slope.rng(6),
  early_stopping = {patience = patience, restore_best = true}, log = "out/early_stopping.csv", quiet = true,
  on_step = function(row) -- the full training loss next to each validation evaluation
    if row.val_loss then
      xs[#xs + 1], val[#val + 1], trl[#trl + 1] = row.step / per, row.val_loss, f:value(row.x)
    end
  end}
local last = #val
print(("status %s: %s"):format(run.status, run.message))
print(("\n%8s %8s %12s %12s"):format("epoch", "step", "train", "validation"))
local every = math.max(1, last // 8)
for k = 1, last do
  if k % every == 0 or k == last or val[k] == run.best.value then
    print(("%8d %8d %12.5f %12.5f%s"):format(xs[k], xs[k] * per, trl[k], val[k],
      val[k] == run.best.value and "   <- best" or ""))
  end
end
local restored = fva:value(run.x)
print(("\nbest validation loss %.6f at step %d; the returned x has validation loss %.6f"):format(run.best.value,
  run.best.step, restored))
print(("it stopped %d steps later; the last evaluation's validation loss was %.6f, train loss of x %.5f")
  :format(run.steps - run.best.step, val[last], f:value(run.x)))

print((slope.plot.lines{file = "out/early_stopping.svg", x = xs,
  series = {{name = "training", y = trl}, {name = "validation", y = val}},
  logy = true, vlines = {{x = run.best.step / per, label = "best (restored)"}},
  title = "early stopping with restore_best", xlabel = "epoch", ylabel = "cross-entropy"}))

if run.status ~= "early_stopped" then error("the run did not stop early: " .. run.status) end
if restored ~= run.best.value then
  error(("restore_best returned x with validation loss %.17g, not the best %.17g"):format(restored, run.best.value))
end
if not (val[last] > run.best.value * 1.05) then error("no overfitting visible at the stop") end
print("restored point's validation loss == best (bit for bit)")
