-- models_spec.lua — slope.obj data objectives: least_squares, logistic, softmax,
-- mlp, matrix_factorization. Gradients and HVPs against central differences,
-- batch views, per-sample gradients, threads, layouts and error messages.

local rng = slope.rng(42)

local function randmat(n, d, density)
  local rows = {}
  for i = 1, n do
    local r = {}
    for j = 1, d do
      local u = slope.vec.randn(2, rng)
      r[j] = (math.abs(u[1]) < 2 * (density or 1)) and u[2] or 0
    end
    rows[i] = r
  end
  return slope.mat(rows)
end

local function labels(n, K)
  local y = {}
  for i = 1, n do y[i] = (i * 7 + 3) % K end
  return y
end

local function relerr(a, b)
  local d = (a - b):norm()
  return d / math.max(a:norm(), b:norm(), 1e-8)
end

-- gradient by central differences of f:value
local function fd_grad(f, x)
  local g, xp = slope.vec.zeros(#x), x:clone()
  for j = 1, #x do
    local h = 1e-5 * math.max(1, math.abs(x[j]))
    xp[j] = x[j] + h; local fp = f:value(xp)
    xp[j] = x[j] - h; local fm = f:value(xp)
    xp[j] = x[j]
    g[j] = (fp - fm) / (2 * h)
  end
  return g
end

-- H v by central differences of f:grad
local function fd_hvp(f, x, v)
  local h = 1e-5 / v:norm()
  local gp = f:grad(x + v * h)
  local gm = f:grad(x - v * h)
  return (gp - gm) * (1 / (2 * h))
end

-- the proof for one objective at 3 random points
local function check_model(f, scale)
  for _ = 1, 3 do
    local x = slope.vec.randn(f.dim, rng) * (scale or 1)
    local v = slope.vec.randn(f.dim, rng)
    local val, g = f:fg(x)
    check.near(val, f:value(x), 1e-14, "fg value")
    check.truthy(relerr(g, fd_grad(f, x)) < 1e-6, "gradient vs central differences")
    check.truthy(relerr(f:hvp(x, v), fd_hvp(f, x, v)) < 1e-6, "HVP vs central differences")
    -- per-sample gradients average to the gradient
    local idx = {}
    for k = 1, f.n do idx[k] = k end
    local G = f:sample_grads(x, idx)
    local mean = slope.vec.zeros(f.dim)
    for k = 1, f.n do mean:add(G:row(k)) end
    mean:scale(1 / f.n)
    check.truthy(relerr(mean, g) < 1e-12, "sample grads average to grad")
    -- a view's value is the mean over its rows computed one by one
    local rows = {f.n, 1, (f.n + 1) // 2}
    local b = f:batch(rows)
    local sum = 0
    for _, k in ipairs(rows) do sum = sum + f:batch({k}):value(x) end
    check.near(b:value(x), sum / 3, 1e-12, "view value")
    check.truthy(relerr(b:grad(x), fd_grad(b, x)) < 1e-6, "view gradient")
    check.truthy(relerr(b:hvp(x, v), fd_hvp(b, x, v)) < 1e-6, "view HVP")
  end
end

describe("slope.obj.least_squares", function()
  it("gradient and HVP, dense and sparse, intercept and l2", function()
    local X = randmat(20, 4, 0.5)
    local y = slope.vec.randn(20, rng)
    for _, XX in ipairs({X, slope.csr.from_dense(X)}) do
      check_model(slope.obj.least_squares{X = XX, y = y})
      local f = slope.obj.least_squares{X = XX, y = y, intercept = true, l2 = 0.3}
      check.eq(f.dim, 5)
      check_model(f)
    end
  end)

  it("value matches the formula", function()
    local X = slope.mat{{1, 2}, {3, 4}, {0, 1}}
    local f = slope.obj.least_squares{X = X, y = {1, 0, 2}, l2 = 0.5, intercept = true}
    local x = slope.vec{0.5, -1, 2}
    local r = {1 * 0.5 - 2 + 2 - 1, 3 * 0.5 - 4 + 2 - 0, 0 - 1 + 2 - 2}
    local want = (r[1] ^ 2 + r[2] ^ 2 + r[3] ^ 2) / 6 + 0.25 * (0.25 + 1)
    check.near(f:value(x), want, 1e-15)
  end)

  it("gradient is zero at the normal-equations solution", function()
    -- X^T X w = X^T y for a 2-feature problem solved by hand (Cramer's rule)
    local X = slope.mat{{1, 0}, {1, 1}, {1, 2}, {1, 4}}
    local y = slope.vec{1, 2, 2, 5}
    local f = slope.obj.least_squares{X = X, y = y}
    local a, b, c = 4, 7, 21 -- X^T X = {{4, 7}, {7, 21}}
    local p, q = 10, 2 + 4 + 20 -- X^T y
    local det = a * c - b * b
    local w = slope.vec{(c * p - b * q) / det, (a * q - b * p) / det}
    check.truthy(f:grad(w):norm() < 1e-14, "gradient zero at the solution")
  end)

  it("rejects bad input naming the function", function()
    local X = slope.mat{{1, 2}, {3, 4}}
    check.errors(function() slope.obj.least_squares{X = X, y = {1}} end,
      "slope.obj.least_squares: X has 2 rows but y has 1 entries")
    check.errors(function() slope.obj.least_squares{X = X, y = {1, 0 / 0}} end,
      "slope.obj.least_squares: y[2] is not finite")
    check.errors(function() slope.obj.least_squares{X = slope.mat{{1, 0 / 0}}, y = {1}} end,
      "X(1, 2) is not finite")
    check.errors(function() slope.obj.least_squares{X = X, y = {1, 2}, l2 = -1} end,
      "l2 must be a non-negative number")
    check.errors(function() slope.obj.least_squares{X = X, y = {1, 2}, l2 = 0 / 0} end,
      "l2 must be a non-negative number")
    check.errors(function() slope.obj.least_squares{X = X, y = {1, 2}, lambda = 1} end,
      "unknown option 'lambda'")
    check.errors(function() slope.obj.least_squares{X = "X", y = {1, 2}} end,
      "X must be a slope.mat or slope.csr, got string")
    check.errors(function() slope.obj.least_squares{X = X, y = "y"} end,
      "y must be a vec or a table of numbers, got string")
    check.errors(function() slope.obj.least_squares{X = X, y = {1, 2}, intercept = 1} end,
      "intercept must be a boolean")
    check.errors(function() slope.obj.least_squares(5) end, "options table expected")
  end)
end)

describe("slope.obj.logistic", function()
  it("gradient and HVP, 0/1 and -1/+1 labels, dense and sparse", function()
    local X = randmat(24, 5, 0.6)
    local y01, ypm = {}, {}
    for i = 1, 24 do y01[i] = i % 3 == 0 and 1 or 0; ypm[i] = 2 * y01[i] - 1 end
    local a = slope.obj.logistic{X = X, y = y01, intercept = true, l2 = 0.1}
    local b = slope.obj.logistic{X = slope.csr.from_dense(X), y = ypm, intercept = true, l2 = 0.1}
    check.eq(a.labels, "0/1")
    check.eq(b.labels, "-1/+1")
    check_model(a)
    check_model(b)
    local x = slope.vec.randn(6, rng)
    check.near(a:value(x), b:value(x), 1e-14, "same loss for both label codings")
    check_model(slope.obj.logistic{X = X, y = y01})
  end)

  it("is stable at huge margins", function()
    local f = slope.obj.logistic{X = slope.mat{{1}, {-1}}, y = {1, 1}}
    local v = f:value({1e6})
    check.near(v, 0.5e6, 1e-12) -- log(1 + e^-1e6) ~ 0, log(1 + e^1e6) = 1e6
    check.near(f:value({0}), math.log(2), 1e-15)
  end)

  it("rejects labels other than 0/1 or -1/+1, naming the sample", function()
    local X = slope.mat{{1}, {2}, {3}}
    check.errors(function() slope.obj.logistic{X = X, y = {0, 1, 2}} end,
      "slope.obj.logistic: label of sample 3 is 2, expected 0/1 or -1/+1")
    check.errors(function() slope.obj.logistic{X = X, y = {0, -1, 1}} end,
      "label of sample 1 is 0 but other labels are -1")
  end)

  it("is deterministic and agrees across 1 and 2 threads", function()
    local n, d = 6000, 10
    local X = slope.mat.zeros(n, d)
    local y = slope.vec.zeros(n)
    local r = slope.rng(3)
    for i = 1, n do
      local row = slope.vec.randn(d, r)
      for j = 1, d do X:set(i, j, row[j]) end
      y[i] = row[1] + 0.5 * row[2] > 0 and 1 or 0
    end
    local f = slope.obj.logistic{X = X, y = y, l2 = 1e-3, intercept = true}
    local x, v = slope.vec.randn(d + 1, r), slope.vec.randn(d + 1, r)
    local before = slope.threads(2)
    local f2, g2 = f:fg(x)
    local h2 = f:hvp(x, v)
    local f2b, g2b = f:fg(x)
    check.eq(f2, f2b, "repeated calls are identical")
    check.veq(g2b, g2:totable(), 0)
    slope.threads(1)
    local f1, g1 = f:fg(x)
    local h1 = f:hvp(x, v)
    slope.threads(before)
    check.near(f1, f2, 1e-12)
    check.truthy(relerr(g1, g2) < 1e-12, "gradients for 1 and 2 threads")
    check.truthy(relerr(h1, h2) < 1e-12, "HVPs for 1 and 2 threads")
  end)
end)

describe("slope.obj.softmax", function()
  it("gradient and HVP, dense and sparse, intercept and l2", function()
    local X = randmat(18, 3, 0.6)
    local y = labels(18, 4)
    for _, XX in ipairs({X, slope.csr.from_dense(X)}) do
      local f = slope.obj.softmax{X = XX, y = y, classes = 4, intercept = true, l2 = 0.2}
      check.eq(f.dim, 16)
      check.eq(f.classes, 4)
      check_model(f)
      check_model(slope.obj.softmax{X = XX, y = y})
    end
  end)

  it("at W = 0 the loss is log K", function()
    local f = slope.obj.softmax{X = randmat(5, 2), y = {0, 1, 2, 3, 4}}
    check.eq(f.classes, 5)
    check.near(f:value(slope.vec.zeros(f.dim)), math.log(5), 1e-15)
  end)

  it("rejects labels out of range", function()
    check.errors(function() slope.obj.softmax{X = slope.mat{{1}, {2}}, y = {0, 3}, classes = 3} end,
      "slope.obj.softmax: label of sample 2 is 3, expected an integer in 0..2")
    check.errors(function() slope.obj.softmax{X = slope.mat{{1}, {2}}, y = {0, 0.5}} end,
      "label of sample 2 is 0.5")
    check.errors(function() slope.obj.softmax{X = slope.mat{{1}}, y = {0}, classes = 1} end,
      "classes must be an integer >= 2")
  end)
end)

describe("slope.obj.mlp", function()
  it("gradient and exact HVP for each activation and loss", function()
    local X = randmat(10, 3)
    for _, act in ipairs({"tanh", "relu", "gelu"}) do
      local f = slope.obj.mlp{X = X, y = labels(10, 3), hidden = {4, 3}, activation = act, l2 = 0.05}
      check.truthy(f.exact_hvp)
      check_model(f, 0.7)
      local Y = randmat(10, 2)
      check_model(slope.obj.mlp{X = X, y = Y, hidden = {5}, activation = act, loss = "mse"}, 0.7)
      check_model(slope.obj.mlp{X = X, y = slope.vec.randn(10, rng), hidden = {3}, activation = act,
                                loss = "mse"}, 0.7)
    end
  end)

  it("documents its layout and unflattens", function()
    local f = slope.obj.mlp{X = randmat(6, 3), y = labels(6, 2), hidden = {4}}
    check.eq(f.dim, 4 * 3 + 4 + 2 * 4 + 2)
    check.eq(#f.layout, 2)
    check.eq(f.layout[1].W, 1); check.eq(f.layout[1].b, 13)
    check.eq(f.layout[2].W, 17); check.eq(f.layout[2].b, 25)
    check.eq(f.layout[2].inputs, 4); check.eq(f.layout[2].outputs, 2)
    local x = slope.vec.linspace(1, f.dim, f.dim)
    local p = f:unflatten(x)
    check.eq(#p, 2)
    local r, c = p[1].W:shape()
    check.eq(r, 4); check.eq(c, 3)
    check.eq(p[1].W:get(2, 1), 4.0) -- row-major: W[2,1] is entry 4
    check.veq(p[1].b, {13, 14, 15, 16})
    check.veq(p[2].b, {25, 26})
    p[2].b[1] = 0
    check.eq(x[25], 25.0, "unflatten copies")
  end)

  it("init gives scaled weights and zero biases", function()
    local f = slope.obj.mlp{X = randmat(5, 20), y = labels(5, 2), hidden = {50}, activation = "relu"}
    local x = f:init(slope.rng(1))
    local p = f:unflatten(x)
    check.eq(p[1].b:norm(), 0.0)
    local w = p[1].W
    local ss = 0
    for i = 1, 50 do ss = ss + w:row(i):dot(w:row(i)) end
    local sd = math.sqrt(ss / (50 * 20))
    check.truthy(math.abs(sd - math.sqrt(2 / 20)) < 0.05, "He scaling, got sd " .. sd)
    check.veq(f:init(slope.rng(1)), x:totable(), 0)
  end)

  it("rejects bad shapes and names", function()
    local X = randmat(3, 2)
    check.errors(function() slope.obj.mlp{X = X, y = {0, 1}} end, "X has 3 rows but y has 2 labels")
    check.errors(function() slope.obj.mlp{X = X, y = {0, 1, 0}, hidden = {0}} end,
      "slope.obj.mlp: hidden[1] must be an integer >= 1, got 0")
    check.errors(function() slope.obj.mlp{X = X, y = {0, 1, 0}, hidden = 4} end, "hidden must be a table")
    check.errors(function() slope.obj.mlp{X = X, y = {0, 1, 0}, activation = "sigmoid"} end,
      "unknown activation 'sigmoid'")
    check.errors(function() slope.obj.mlp{X = X, y = {0, 1, 0}, loss = "hinge"} end, "unknown loss 'hinge'")
    check.errors(function() slope.obj.mlp{X = X, y = randmat(3, 2)} end, "y must be a vec of labels")
    check.errors(function() slope.obj.mlp{X = X, y = randmat(2, 2), loss = "mse"} end,
      "X has 3 rows but y has 2")
    check.errors(function() slope.obj.mlp{X = X, y = {0, 1, 5}, classes = 3} end,
      "label of sample 3 is 5, expected an integer in 0..2")
    check.errors(function() slope.obj.mlp{X = slope.csr.from_dense(X), y = {0, 1, 0}} end,
      "X must be a slope.mat")
    check.errors(function() slope.obj.mlp{X = X, y = {0, 1, 0}}:unflatten({1}) end, "dimension mismatch")
  end)
end)

describe("slope.obj.matrix_factorization", function()
  local E = slope.mat{{1, 1, 1.0}, {1, 3, -0.5}, {2, 2, 2.0}, {3, 1, 0.3}, {4, 3, 1.5}, {2, 3, 0.7}}

  it("gradient and HVP, from a mat or {i, j, r}", function()
    local f = slope.obj.matrix_factorization{rows = 4, cols = 3, rank = 2, entries = E, l2 = 0.1}
    check.eq(f.dim, (4 + 3) * 2)
    check.eq(f.n, 6)
    check_model(f)
    local g = slope.obj.matrix_factorization{rows = 4, cols = 3, rank = 2, l2 = 0.1,
      entries = {i = {1, 1, 2, 3, 4, 2}, j = {1, 3, 2, 1, 3, 3}, r = {1.0, -0.5, 2.0, 0.3, 1.5, 0.7}}}
    local x = f:init(slope.rng(5))
    check.near(f:value(x), g:value(x), 1e-15)
  end)

  it("value matches the formula", function()
    local f = slope.obj.matrix_factorization{rows = 1, cols = 1, rank = 1, entries = slope.mat{{1, 1, 3}}, l2 = 2}
    -- x = (u, v) = (1, 2): 1/2 (2 - 3)^2 + 1/2 * 2 * (1 + 4)
    check.near(f:value({1, 2}), 0.5 + 5, 1e-15)
  end)

  it("rejects bad entries", function()
    check.errors(function()
      slope.obj.matrix_factorization{rows = 2, cols = 2, rank = 1, entries = slope.mat{{1, 3, 1}}}
    end, "slope.obj.matrix_factorization: entry 1 has index (1, 3)")
    check.errors(function()
      slope.obj.matrix_factorization{rows = 2, cols = 2, rank = 1, entries = slope.mat{{1, 1}}}
    end, "entries must have 3 columns")
    check.errors(function()
      slope.obj.matrix_factorization{rows = 2, cols = 2, rank = 1, entries = {i = {1}, j = {1, 2}, r = {1}}}
    end, "must have the same length")
    check.errors(function()
      slope.obj.matrix_factorization{rows = 2, cols = 2, entries = slope.mat{{1, 1, 1}}}
    end, "rank is required")
    check.errors(function()
      slope.obj.matrix_factorization{rows = 2, cols = 2, rank = 1, entries = slope.mat{{1, 1, 0 / 0}}}
    end, "value of entry 1 is not finite")
    check.errors(function()
      slope.obj.matrix_factorization{rows = 2, cols = 2, rank = 1, entries = 5}
    end, "entries must be an n x 3 mat")
  end)
end)

describe("slope.obj.mlp on the digits data (the row-parallel passes)", function()
  it("gradient = mean of per-sample gradients, H v = differences of gradients, 1 = 2 threads", function()
    local D = slope.data.load("digits")
    local X = slope.data.standardize(D.X)
    local f = slope.obj.mlp{X = X, y = D.y, hidden = {16}, activation = "tanh", classes = 10, l2 = 1e-3}
    local r = slope.rng(7)
    local x = f:init(r)
    local v = slope.vec.randn(f.dim, r)
    local before = slope.threads(2)
    local val, g = f:fg(x)
    local hv = f:hvp(x, v)
    local idx = {}
    for k = 1, f.n do idx[k] = k end
    local G = f:sample_grads(x, idx) -- one row at a time: the plain, unchunked path
    local mean = slope.vec.zeros(f.dim)
    for k = 1, f.n do mean:add(G:row(k)) end
    mean:scale(1 / f.n)
    check.truthy(relerr(mean, g) < 1e-12, "gradient vs per-sample mean: " .. relerr(mean, g))
    check.truthy(relerr(hv, fd_hvp(f, x, v)) < 1e-6, "HVP vs differences of gradients")
    slope.threads(1)
    local val1, g1 = f:fg(x)
    local hv1 = f:hvp(x, v)
    slope.threads(before)
    check.near(val1, val, 1e-13)
    check.truthy(relerr(g1, g) < 1e-13, "gradients for 1 and 2 threads")
    check.truthy(relerr(hv1, hv) < 1e-13, "HVPs for 1 and 2 threads")
  end)
end)

describe("slope.obj.mlp options", function()
  it("refuses classes with the mse loss instead of ignoring it", function()
    check.errors(function()
      slope.obj.mlp{ X = slope.mat{ { 1, 2 }, { 3, 4 } }, y = slope.vec{ 1, 2 }, loss = "mse", classes = 10 }
    end, "classes applies to loss=\"xent\"")
  end)
end)
