-- data_tour.lua — slope.data in one page: load a shipped data set, standardize
-- with training statistics, split, one-hot labels, minibatches, a synthetic
-- problem with known weights, and .npy files (written under out/).
local slope = require "slope"
local data = slope.data
local quick = os.getenv("SLOPE_QUICK") == "1"

local D = data.load("wine")
local n, d = D.X:shape()
print(("wine: %d samples, %d features (%s, ...), target '%s'"):format(n, d, D.names[1], D.target))

local train, test = data.split(D, 0.75, slope.rng(42))
local Xtr, mean, scale = data.standardize(train.X)
local Xte = data.standardize(test.X, {mean = mean, scale = scale})
print(("split 75/25: %d train, %d test rows; test column 1 after training scaling: %.3f .. %.3f")
  :format(#train.y, #test.y, Xte:transpose()[1]:min(), Xte:transpose()[1]:max()))

local Y = data.onehot(train.y, 3)
local counts = Y:tmv(slope.vec.ones(#train.y))
print("training labels per class: " .. tostring(counts))

local nb, seen = 0, 0
for idx in data.batches(#train.y, 32, slope.rng(1)) do nb = nb + 1; seen = seen + #idx end
print(("one epoch of batches of 32: %d batches, %d rows"):format(nb, seen))

-- A least-squares problem with condition number 1e4 and a known answer:
-- a few hundred plain gradient steps on the normal equations show the slow direction.
local S = data.synthetic.linear{n = quick and 200 or 2000, d = 5, cond = 1e4, noise = 0, seed = 3}
local w, g = slope.vec.zeros(5), slope.vec.zeros(5)
local steps = quick and 200 or 2000
local m = #S.y
for _ = 1, steps do
  local r = S.X:mv(w) - S.y
  S.X:tmv(r, g)
  w:axpy(-1.0 / m, g) -- step 1/L for features of unit top variance
end
print(("synthetic linear (cond 1e4): |w - w_true| = %.3g after %d gradient steps")
  :format((w - S.w):norm(), steps))

os.execute("mkdir -p out")
data.save_npy("out/wine_X_train.npy", Xtr)
local back = data.npy("out/wine_X_train.npy")
print(("out/wine_X_train.npy: %dx%d, entry (1,1) %.17g == %.17g"):format(
  select(1, back:shape()), select(2, back:shape()), back[1][1], Xtr[1][1]))
