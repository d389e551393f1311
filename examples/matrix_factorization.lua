-- matrix_factorization.lua — recovering a low-rank rating matrix from a
-- subset of noisy entries: R = U* V*' + noise (rank 5, noise sd 0.1), 25% of
-- the entries observed, 10% of them held out. Minibatch SGD through
-- slope.train on slope.obj.matrix_factorization (rank 5, small l2); the
-- held-out RMSE falls close to the noise floor sd = 0.1 (no method can predict
-- the noise), while the training RMSE goes below it (fitting the noise a
-- little). With p = (rows + cols - rank) rank free parameters and n training
-- entries, least squares leaves about sd sqrt(1 - p/n) on the training set and
-- sd sqrt(1 + p/n) on new entries.
-- Writes out/matrix_factorization.svg. Runs in under a second, so SLOPE_QUICK=1
-- changes nothing.
local slope = require "slope"
local rows, cols, rank = 300, 200, 5
local sd, frac = 0.1, 0.25

local r = slope.rng(1)
local U = slope.mat.zeros(rows, rank)
local V = slope.mat.zeros(cols, rank)
for i = 1, rows do for k = 1, rank do U:set(i, k, r:normal() / rank ^ 0.25) end end
for j = 1, cols do for k = 1, rank do V:set(j, k, r:normal() / rank ^ 0.25) end end
local R = U:mm(V:transpose()) -- true ratings, entries of variance about 1

-- observe each entry with probability frac; hold out 10% of the observed ones
local tr_e, te_e = {}, {}
for i = 1, rows do
  for j = 1, cols do
    if r:uniform() < frac then
      local e = {i, j, R:get(i, j) + sd * r:normal()}
      if r:uniform() < 0.1 then te_e[#te_e + 1] = e else tr_e[#tr_e + 1] = e end
    end
  end
end
local function entries(t)
  local m = slope.mat.zeros(#t, 3)
  for k, e in ipairs(t) do m:set(k, 1, e[1]); m:set(k, 2, e[2]); m:set(k, 3, e[3]) end
  return m
end
local Etr, Ete = entries(tr_e), entries(te_e)
local l2 = 1e-5
local function mf(E, reg) return slope.obj.matrix_factorization{rows = rows, cols = cols, rank = rank, entries = E, l2 = reg} end
local f = mf(Etr, l2)
local ftr0, fte0 = mf(Etr, 0), mf(Ete, 0) -- unregularized, for RMSE = sqrt(2 f)
print(("%d x %d matrix of rank %d, noise sd %g: %d training and %d held-out entries (%.0f%% observed)")
  :format(rows, cols, rank, sd, #tr_e, #te_e, 100 * (#tr_e + #te_e) / (rows * cols)))
local function rmse(o, x) return math.sqrt(2 * o:value(x)) end

-- a small random start (the origin is a saddle point of this objective)
local x0 = slope.vec.randn(f.dim, slope.rng(2)):scale(0.1)
local epochs = 40
local batch = 128
local per = math.ceil(f.n / batch)
local ep, rtr, rte = {0}, {rmse(ftr0, x0)}, {rmse(fte0, x0)}
print(("\n%6s %12s %12s"):format("epoch", "train RMSE", "test RMSE"))
print(("%6d %12.4f %12.4f"):format(0, rtr[1], rte[1]))
local run = slope.train{objective = f, optimizer = slope.optim.sgd{lr = 0.5, momentum = 0.9}, x = x0, epochs = epochs,
  batch = batch, rng = slope.rng(3), quiet = true,
  schedule = slope.schedule.cosine{lr = 0.5, steps = epochs * per, min = 0.01},
  on_step = function(row)
    if row.step % per == 0 then
      local e = row.step // per
      ep[#ep + 1], rtr[#rtr + 1], rte[#rte + 1] = e, rmse(ftr0, row.x), rmse(fte0, row.x)
      if e % math.max(1, epochs // 6) == 0 then print(("%6d %12.4f %12.4f"):format(e, rtr[#rtr], rte[#rte])) end
    end
  end}
local final_tr, final_te = rmse(ftr0, run.x), rmse(fte0, run.x)
print(("\nfinal: train RMSE %.4f, held-out RMSE %.4f, noise floor %.4f (ratio %.3f); predicting 0 gives %.4f")
  :format(final_tr, final_te, sd, final_te / sd, rmse(fte0, slope.vec.zeros(f.dim))))
local p = (rows + cols - rank) * rank
print(("degrees of freedom p = %d, n = %d: expected train RMSE ~ %.4f, held-out ~ %.4f"):format(p, f.n,
  sd * math.sqrt(1 - p / f.n), sd * math.sqrt(1 + p / f.n)))

os.execute("mkdir -p out")
print((slope.plot.lines{file = "out/matrix_factorization.svg", x = ep,
  series = {{name = "train RMSE", y = rtr}, {name = "held-out RMSE", y = rte}},
  hlines = {{y = sd, label = "noise floor"}}, logy = true,
  title = ("rank-%d factorization of a %dx%d matrix, SGD + momentum"):format(rank, rows, cols),
  xlabel = "epoch", ylabel = "RMSE"}))

if not (final_te < 1.3 * sd) then error(("held-out RMSE %.4f is not near the noise floor %g"):format(final_te, sd)) end
if not (final_te > 0.9 * sd) then error("held-out RMSE below the noise floor: something leaks") end
if not (final_tr < sd) then error("the training RMSE did not go below the noise floor") end
print("held-out RMSE is within 30% of the noise floor; the training RMSE is below it")
