-- models_predict_spec.lua — the fitted models: f:predict, f:predict_proba,
-- f:accuracy, f:forward, f:layers against hand computations, against the
-- objective's own value (so intercepts and biases are placed as fg places
-- them), on real data, and with bad shapes; f:close and __close.

local function sigmoid(z) return 1 / (1 + math.exp(-z)) end

local X = slope.mat{ { 1, 2 }, { -1, 0.5 }, { 0.3, -2 }, { 2, 1 } }
local y01 = slope.vec{ 1, 0, 0, 1 }

describe("logistic and least squares predictions", function()
  it("predict_proba is sigma(x_i.w + b), the intercept last, and reproduces f:value", function()
    for _, XX in ipairs({ X, slope.csr.from_dense(X) }) do
      local f = slope.obj.logistic{ X = XX, y = y01, intercept = true }
      local x = slope.vec{ 0.7, -0.4, 0.25 }
      local p = f:predict_proba(x, XX)
      local loss = 0
      for i = 1, 4 do
        local z = X:get(i, 1) * 0.7 + X:get(i, 2) * -0.4 + 0.25
        check.near(p[i], sigmoid(z), 1e-15)
        loss = loss - (y01[i] * math.log(p[i]) + (1 - y01[i]) * math.log(1 - p[i]))
      end
      check.near(f:value(x), loss / 4, 1e-14)
      -- labels: 1 where z > 0
      local lab = f:predict(x, XX)
      for i = 1, 4 do check.eq(lab[i], p[i] > 0.5 and 1.0 or 0.0) end
      check.eq(f:accuracy(x, XX, y01), 0.75) -- z = 0.15, -0.65, 1.26, 1.25: row 3 wrong
    end
  end)

  it("predicts labels in the model's own convention (-1/+1)", function()
    local f = slope.obj.logistic{ X = X, y = { 1, -1, -1, 1 } }
    local lab = f:predict({ 1, 1 }, X) -- z = 3, -0.5, -1.7, 3
    check.veq(lab, { 1, -1, -1, 1 })
    check.eq(f:accuracy({ 1, 1 }, X, { 1, -1, -1, 1 }), 1.0)
    check.eq(f:accuracy({ 1, 1 }, X, { 1, 0, 0, 1 }), 1.0) -- either label convention is accepted
  end)

  it("least squares predicts X w + b, and 1/2 mean squared error is f:value", function()
    local yv = slope.vec{ 1, 2, 3, 4 }
    local f = slope.obj.least_squares{ X = X, y = yv, intercept = true }
    local x = slope.vec{ 0.5, 1.5, -1 }
    local pred = f:predict(x, X)
    local loss = 0
    for i = 1, 4 do
      local want = X:get(i, 1) * 0.5 + X:get(i, 2) * 1.5 - 1
      check.near(pred[i], want, 1e-15)
      loss = loss + 0.5 * (want - yv[i]) ^ 2
    end
    check.near(f:value(x), loss / 4, 1e-14)
    check.eq(f.predict_proba, nil)
    check.eq(f.accuracy, nil)
  end)

  it("logistic on breast_cancer after lbfgs: train accuracy > 0.95", function()
    local d = slope.data.load("breast_cancer")
    local Xs = slope.data.standardize(d.X)
    local f = slope.obj.logistic{ X = Xs, y = d.y, intercept = true, l2 = 1e-3 }
    local r = slope.minimize(f, f:init(), { method = "lbfgs" })
    local acc = f:accuracy(r.x, Xs, d.y)
    check.truthy(acc > 0.95, "accuracy " .. acc)
    -- the same number by hand from predict
    local lab, hit = f:predict(r.x, Xs), 0
    for i = 1, #lab do if lab[i] == d.y[i] then hit = hit + 1 end end
    check.near(acc, hit / #lab, 0)
  end)
end)

describe("softmax predictions", function()
  local yc = slope.vec{ 0, 2, 1, 2 }

  it("probabilities are softmax(W'[x; 1]) (intercept row last) and reproduce f:value", function()
    local f = slope.obj.softmax{ X = X, y = yc, classes = 3, intercept = true }
    local x = slope.vec{ 0.1, -0.2, 0.3, 0.4, 0.5, -0.6, 0.05, 0.0, -0.1 } -- 3 x 3, row-major
    local P = f:predict_proba(x, X)
    check.eq(select(2, P:shape()), 3)
    local loss = 0
    for i = 1, 4 do
      local z, s = {}, 0
      for k = 1, 3 do
        z[k] = X:get(i, 1) * x[k] + X:get(i, 2) * x[3 + k] + x[6 + k]
        s = s + math.exp(z[k])
      end
      local best = 1
      for k = 1, 3 do
        check.near(P:get(i, k), math.exp(z[k]) / s, 1e-15)
        if z[k] > z[best] then best = k end
      end
      check.eq(f:predict(x, X)[i], best - 1.0)
      loss = loss - math.log(P:get(i, yc[i] + 1))
    end
    check.near(f:value(x), loss / 4, 1e-14)
  end)

  it("iris: accuracy of a fitted softmax is high", function()
    local d = slope.data.load("iris")
    local f = slope.obj.softmax{ X = d.X, y = d.y, intercept = true, l2 = 1e-3 }
    local r = slope.minimize(f, f:init(), { method = "lbfgs" })
    check.truthy(f:accuracy(r.x, d.X, d.y) > 0.95)
  end)

  it("refuses bad shapes and labels with clear errors", function()
    local f = slope.obj.softmax{ X = X, y = yc, classes = 3 }
    local x = slope.vec.zeros(f.dim)
    check.errors(function() f:predict(x, slope.mat{ { 1, 2, 3 } }) end,
      "softmax:predict: X has 3 columns but the model has 2 features")
    check.errors(function() f:accuracy(x, X, { 0, 1 }) end, "softmax:accuracy: X has 4 rows but y has 2 labels")
    check.errors(function() f:accuracy(x, X, { 0, 1, 3, 1 }) end,
      "label of sample 3 is 3, expected an integer in 0..2")
    check.errors(function() f:accuracy(x, X, { 0, 1, 0.5, 1 }) end, "label of sample 3 is 0.5")
    check.errors(function() f:predict(X, x) end, "softmax:predict: x must be the parameters (a vec of 6 numbers), got a matrix")
    check.errors(function() f:predict({ 1, 2 }, X) end, "x has 2 entries but the model has 6 parameters")
    check.errors(function() f:predict(x, "X") end, "X must be a slope.mat")
    check.errors(function() f:accuracy(x, X, "y") end, "y must be a vec or a table of labels")
    check.errors(function() f:predict(x, slope.mat{ { 0 / 0, 1 } }) end, "X(1, 1) is not finite")
    local g = slope.obj.logistic{ X = X, y = y01 }
    check.errors(function() g:accuracy({ 0, 0 }, X, { 1, 2, 0, 1 }) end, "label of sample 2 is 2, expected 0/1 or -1/+1")
    check.errors(function() g:accuracy({ 0, 0 }, X, { 1, -1, 0, 1 }) end, "mixes 0/1 and -1/+1")
  end)
end)

describe("MLP forward, predict, accuracy, layers", function()
  local d = slope.data.load("iris")
  local f = slope.obj.mlp{ X = d.X, y = d.y, hidden = { 5 }, activation = "tanh" }
  local x = f:init(slope.rng(3))

  local function by_hand(i)
    local lay = f:unflatten(x)
    local h = lay[1].W:mv(d.X:row(i)):add(lay[1].b)
    for k = 1, #h do h[k] = math.tanh(h[k]) end -- luacheck: ignore 143 (Debian builds Lua with it)
    return lay[2].W:mv(h):add(lay[2].b)
  end

  it("forward gives the network's outputs and softmax probabilities; their loss is f:value", function()
    local out, P = f:forward(x, d.X)
    check.eq(out:shape(), 150)
    local loss = 0
    for _, i in ipairs({ 1, 51, 150 }) do
      local o = by_hand(i)
      for k = 1, 3 do check.near(out:get(i, k), o[k], 1e-13) end
    end
    for i = 1, 150 do loss = loss - math.log(P:get(i, d.y[i] + 1)) end
    check.near(f:value(x), loss / 150, 1e-13)
    local Pp = f:predict_proba(x, d.X)
    for k = 1, 3 do check.near(Pp:get(7, k), P:get(7, k), 0) end
    local lab = f:predict(x, d.X)
    check.eq(lab[51], by_hand(51):argmax() - 1.0)
  end)

  it("a trained MLP is accurate on iris", function()
    local r = slope.minimize(f, x, { method = "lbfgs", maxiter = 300 })
    check.truthy(f:accuracy(r.x, d.X, d.y) > 0.95)
  end)

  it("loss mse: predict gives the outputs, no probabilities or accuracy", function()
    local g = slope.obj.mlp{ X = d.X, y = slope.data.onehot(d.y, 3), hidden = { 4 }, loss = "mse" }
    local xg = g:init(slope.rng(1))
    local out = g:predict(xg, d.X)
    local o2 = g:forward(xg, d.X)
    check.eq(out:get(9, 2), o2:get(9, 2))
    check.eq(g.predict_proba, nil)
    check.eq(g.accuracy, nil)
    local r = slope.obj.mlp{ X = d.X, y = d.y, hidden = { 4 }, loss = "mse" }
    check.eq(getmetatable(r:predict(r:init(slope.rng(1)), d.X)).__name, "slope.vec") -- one output: a vec
    check.errors(function() f:forward(x, slope.csr.from_dense(d.X)) end, "an mlp takes dense rows")
  end)

  it("layers() lists W1, b1, W2, b2 with 1-based offsets and shapes that tile x", function()
    local L = f:layers()
    check.eq(#L, 4)
    local names, at = {}, 1
    for i, l in ipairs(L) do
      names[i] = l.name
      check.eq(l.offset, at)
      local size = 1
      for _, s in ipairs(l.shape) do size = size * s end
      check.eq(l.size, size)
      at = at + l.size
    end
    check.eq(at - 1, f.dim)
    check.eq(table.concat(names, " "), "W1 b1 W2 b2")
    check.eq(table.concat(L[1].shape, "x"), "5x4")
    check.eq(table.concat(L[3].shape, "x"), "3x5")
    check.eq(#L[2].shape, 1)
    -- agrees with f.layout
    check.eq(L[3].offset, f.layout[2].W)
    check.eq(L[4].offset, f.layout[2].b)
  end)

  it("matrix factorization has layers U and V", function()
    local m = slope.obj.matrix_factorization{ rows = 3, cols = 4, rank = 2, entries = { i = { 1, 2 }, j = { 1, 4 }, r = { 1, 0 } } }
    local L = m:layers()
    check.eq(#L, 2)
    check.eq(L[1].name, "U")
    check.eq(table.concat(L[1].shape, "x"), "3x2")
    check.eq(L[2].name, "V")
    check.eq(L[2].offset, 7)
    check.eq(table.concat(L[2].shape, "x"), "4x2")
    check.eq(m.predict, nil)
  end)

  it("objectives without layers have no f:layers", function()
    check.eq(slope.obj.rosenbrock(2).layers, nil)
    check.eq(slope.obj.logistic{ X = X, y = y01 }.layers, nil)
  end)
end)

describe("filter normalization by layers", function()
  it("works without layers (the documented default): one block", function()
    local d, x = slope.vec{ 3, 4 }, slope.vec{ 0, 10 }
    local r, how = slope.probe.filter_normalize(d, x)
    check.truthy(rawequal(r, d))
    check.eq(how, "whole")
    check.near(d:norm(), 10, 1e-14)
    check.veq(d, { 6, 8 }, 1e-14)
  end)

  it("normalizes each filter (row) of each weight matrix and each bias to x's", function()
    local d = slope.data.load("iris")
    local f = slope.obj.mlp{ X = d.X, y = d.y, hidden = { 5 } }
    local x = f:init(slope.rng(1))
    for i = 1, #x do x[i] = x[i] + 0.1 * i / #x end -- biases non-zero
    local dir = slope.vec.randn(f.dim, slope.rng(2))
    local _, how = slope.probe.filter_normalize(dir, x, f)
    check.eq(how, "filter")
    for _, l in ipairs(f:layers()) do
      local rows, cols = l.shape[1], l.shape[2] or l.shape[1]
      local nf = l.shape[2] and rows or 1
      for r = 0, nf - 1 do
        local a = l.offset + r * cols
        local nd, nx = 0, 0
        for j = a, a + cols - 1 do nd = nd + dir[j] ^ 2; nx = nx + x[j] ^ 2 end
        check.near(math.sqrt(nd), math.sqrt(nx), 1e-12, l.name .. " filter " .. r + 1)
      end
    end
    -- the layer list itself works the same, and plain {offset, size} blocks are "layer"
    local d2 = slope.vec.randn(f.dim, slope.rng(2))
    check.eq(select(2, slope.probe.filter_normalize(d2, x, f:layers())), "filter")
    check.veq(d2, dir, 1e-15)
    check.eq(select(2, slope.probe.filter_normalize(d2, x, { { 1, 4 }, { 5, f.dim - 4 } })), "layer")
  end)

  it("slice2d says which normalization it applied", function()
    local d = slope.data.load("iris")
    local f = slope.obj.mlp{ X = d.X, y = d.y, hidden = { 3 } }
    local s = slope.probe.slice2d(f, f:init(slope.rng(1)), { points = 3 })
    check.eq(s.normalization, "filter")
    check.eq(s.note, nil)
    local g = slope.obj.logistic{ X = X, y = y01 }
    local t = slope.probe.slice2d(g, { 1, 1 }, { points = 3 })
    check.eq(t.normalization, "whole")
    check.truthy(t.note:find("no f:layers()", 1, true))
    check.eq(slope.probe.slice2d(g, { 1, 1 }, { points = 3, normalize = "none" }).normalization, "none")
  end)
end)

describe("sharpness at lr = 0", function()
  it("gives lambda_max with the ratio left empty and a note", function()
    local f = slope.spectrum.toy.quadratic(slope.mat{ { 2, 0 }, { 0, 5 } })
    local s = slope.probe.sharpness(f, { 1, 1 }, 0)
    check.near(s.lambda_max, 5, 1e-8)
    check.eq(s.ratio, nil)
    check.eq(s.threshold, nil)
    check.eq(s.stable, nil)
    check.truthy(s.note:find("lr = 0", 1, true))
    check.errors(function() slope.probe.sharpness(f, { 1, 1 }, -0.1) end, "lr must be a non-negative number")
    check.errors(function() slope.probe.sharpness(f, { 1, 1 }, 0 / 0) end, "lr must be a non-negative number, got nan")
    local tr = slope.probe.sharpness_tracker(f, { lr = 0 })
    check.eq(tr:update({ 1, 1 }).ratio, nil)
  end)
end)

describe("closing objectives", function()
  it("f:close() and <close> free once; views keep working; later use is a clear error", function()
    local d = slope.data.load("iris")
    local view
    do
      local f <close> = slope.obj.softmax{ X = d.X, y = d.y }
      view = f:batch({ 1, 2, 3 })
    end
    collectgarbage()
    check.near(view:value(slope.vec.zeros(view.dim)), math.log(3), 1e-14)
    local g = slope.obj.rosenbrock(2)
    g:close()
    g:close()
    check.eq(tostring(g), "objective (closed)")
    check.errors(function() g:value({ 1, 1 }) end, "the objective is closed")
    check.truthy(getmetatable(g).__close == getmetatable(g).__gc)
  end)
end)
