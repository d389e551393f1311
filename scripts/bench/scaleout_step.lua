-- scaleout_step.lua BATCH — one training step of 80_scaleout.sh's cost model,
-- measured in one process: an MLP 64-512-512-10 (tanh, 301,066 parameters) on
-- digits, the loss and gradient of a minibatch of BATCH rows and an Adam step.
-- Prints "seconds_per_step dim" (median of 5 rounds of 20 steps).
local slope = require "slope"
local batch = tonumber(arg[1])
local D = slope.data.load("digits")
D.X = slope.data.standardize(D.X)
local f = slope.obj.mlp{X = D.X, y = D.y, hidden = {512, 512}, activation = "tanh", classes = 10}
local x, g = f:init(slope.rng(1)), slope.vec.zeros(f.dim)
local opt = slope.optim.adam{lr = 1e-3}
local rng = slope.rng(2)
local function step()
  local idx = {}
  for k = 1, batch do idx[k] = rng:int(f.n) end
  f:batch(idx):fg(x, g)
  opt:step(x, g)
end
for _ = 1, 3 do step() end
local rounds = {}
for r = 1, 5 do
  local t0 = slope.clock()
  for _ = 1, 20 do step() end
  rounds[r] = (slope.clock() - t0) / 20
end
table.sort(rounds)
print(("%.9g %d"):format(rounds[3], f.dim))
