-- spectrum_spec.lua — slope.spectrum against dense eigendecompositions.

local S = slope.spectrum

-- a random symmetric n x n mat (seeded)
local function randsym(n, seed)
  local r = slope.rng(seed)
  local A = slope.mat.zeros(n, n)
  for i = 1, n do
    for j = 1, i do
      local v = r:normal()
      A:set(i, j, v); A:set(j, i, v)
    end
  end
  return A
end

local function rel(a, b) return math.abs(a - b) / math.max(1, math.abs(b)) end

describe("slope.spectrum.top and bottom", function()
  local n = 30
  local A = randsym(n, 42)
  local f = S.toy.quadratic(A)
  local x = slope.vec.zeros(n)
  local w = S.eigs(A) -- ascending

  it("agree with the dense eigendecomposition to 1e-8", function()
    local t = S.top(f, x, { k = 3, tol = 1e-10, rng = slope.rng(1) })
    check.truthy(t.converged)
    check.eq(t.method, "lanczos")
    check.truthy(t.exact_hvp)
    for i = 1, 3 do check.near(t.values[i], w[n + 1 - i], 1e-8) end
    local b = S.bottom(f, x, { k = 2, tol = 1e-10, rng = slope.rng(2) })
    check.near(b.values[1], w[1], 1e-8)
    check.near(b.values[2], w[2], 1e-8)
    check.truthy(b.values[1] < 0, "a random symmetric matrix is indefinite")
  end)

  it("returns unit eigenvectors", function()
    local t = S.top(f, x, { k = 2, tol = 1e-10 })
    for i = 1, 2 do
      local y = t.vectors[i]
      check.near(y:norm(), 1, 1e-12)
      local r = f:hvp(x, y) - y * t.values[i]
      check.truthy(r:norm() < 1e-7 * math.abs(t.values[i]), "residual " .. r:norm())
    end
  end)

  it("power iteration agrees on a positive definite Hessian", function()
    local B = A:mm(A) -- PSD, eigenvalues w_i^2
    local g = S.toy.quadratic(B)
    local p = S.top(g, x, { method = "power", tol = 1e-12, maxiter = 20000 })
    local l = S.top(g, x)
    check.eq(p.method, "power")
    check.near(p.values[1], l.values[1], 1e-6)
  end)

  it("Lanczos needs a few dozen HVPs where power iteration needs hundreds", function()
    local m = 500
    local D = slope.mat.zeros(m, m)
    local r = slope.rng(3)
    D:set(1, 1, 1.0)
    for i = 2, m do D:set(i, i, 0.5 + 0.48 * r:uniform()) end
    local q = S.toy.quadratic(D)
    local z = slope.vec.zeros(m)
    local l = S.top(q, z, { rng = slope.rng(4) })
    local p = S.top(q, z, { method = "power", tol = 1e-8, maxiter = 5000, rng = slope.rng(4) })
    check.near(l.values[1], 1, 1e-6)
    check.near(p.values[1], 1, 1e-6)
    check.truthy(l.nhvp <= 60, "lanczos used " .. l.nhvp)
    check.truthy(p.nhvp >= 5 * l.nhvp, ("power %d vs lanczos %d"):format(p.nhvp, l.nhvp))
  end)

  it("criterion \"value\" bounds the eigenvalue's error with fewer HVPs", function()
    local m = 500
    local D = slope.mat.zeros(m, m)
    local r = slope.rng(3)
    D:set(1, 1, 1.0)
    for i = 2, m do D:set(i, i, 0.5 + 0.48 * r:uniform()) end
    local q = S.toy.quadratic(D)
    local z = slope.vec.zeros(m)
    local res = S.top(q, z, { rng = slope.rng(4), tol = 1e-6 })
    local val = S.top(q, z, { rng = slope.rng(4), tol = 1e-6, criterion = "value" })
    check.truthy(val.converged)
    check.truthy(math.abs(val.values[1] - 1) <= 1e-6, "error " .. math.abs(val.values[1] - 1))
    check.truthy(val.nhvp < res.nhvp, ("value %d vs residual %d HVPs"):format(val.nhvp, res.nhvp))
    -- the residual is not what was asked for: it is about sqrt(tol * gap) here
    check.truthy(val.residuals[1] > 1e-6, "residual " .. val.residuals[1])
    local b = S.bottom(f, x, { k = 2, tol = 1e-9, criterion = "value", rng = slope.rng(5) })
    check.truthy(rel(b.values[1], w[1]) <= 1e-9 and rel(b.values[2], w[2]) <= 1e-9)
    local lo = math.huge
    for i = 1, m do lo = math.min(lo, D:get(i, i)) end
    local c = S.condition(q, z, { criterion = "value", tol = 1e-10 })
    check.truthy(c.converged)
    check.truthy(rel(c.lambda_min, lo) <= 1e-10, "lambda_min " .. c.lambda_min .. " vs " .. lo)
    check.truthy(rel(c.condition, 1 / lo) <= 1e-9, "condition " .. c.condition)
  end)

  it("warm-starts from v0", function()
    local t = S.top(f, x, { tol = 1e-10 })
    local again = S.top(f, x, { v0 = t.vectors[1], tol = 1e-6 })
    check.truthy(again.nhvp <= 3, "nhvp " .. again.nhvp)
    check.near(again.values[1], t.values[1], 1e-8)
  end)

  it("finds a saddle's direction of negative curvature", function()
    local ring = S.toy.ring(4)
    local b = S.bottom(ring, slope.vec.zeros(4))
    check.near(b.values[1], -4, 1e-10)
    -- on the circle of minima H = 8 x x^T: eigenvalues 8 and 0
    local on = slope.vec{ 1, 0, 0, 0 }
    check.near(S.top(ring, on).values[1], 8, 1e-10)
    local bb = S.bottom(ring, on)
    check.truthy(math.abs(bb.values[1]) < 1e-10)
    check.truthy(math.abs(bb.vectors[1][1]) < 1e-8, "null direction is orthogonal to x")
  end)

  it("works without an analytic HVP and says so", function()
    local g = S.toy.quadratic(A, { exact_hvp = false })
    check.eq(g.exact_hvp, false)
    local t = S.top(g, x)
    check.eq(t.exact_hvp, false)
    check.near(t.values[1], w[n], 1e-6)
  end)

  it("rejects bad arguments and options", function()
    check.errors(function() S.top(f, x, { k = 31 }) end, "slope.spectrum.top: k = 31 exceeds the dimension 30")
    check.errors(function() S.top(f, x, { k = 0 }) end, "k must be an integer >= 1")
    check.errors(function() S.top(f, x, { tol = -1 }) end, "tol must be a positive number")
    check.errors(function() S.top(f, x, { tol = 0 / 0 }) end, "tol must be a positive number")
    check.errors(function() S.top(f, x, { kk = 1 }) end, "unknown option 'kk'")
    check.errors(function() S.top(f, x, { method = "arnoldi" }) end, "method must be \"lanczos\" or \"power\"")
    check.errors(function() S.bottom(f, x, { method = "power" }) end, "largest |eigenvalues| only")
    check.errors(function() S.top(f, x, { criterion = "eigenvalue" }) end,
                 "slope.spectrum.top: criterion must be \"residual\" or \"value\", got \"eigenvalue\"")
    check.errors(function() S.top(f, x, { method = "power", criterion = "value" }) end,
                 "criterion applies to method \"lanczos\"")
    check.errors(function() S.condition(f, x, { criterion = 1 }) end, "slope.spectrum.condition: criterion")
    check.errors(function() S.top(f, x, { v0 = { 1, 2 } }) end, "v0 has 2 entries, expected 30")
    check.errors(function() S.top(f, x, { v0 = slope.vec.zeros(n) }) end, "v0 must not be zero")
    check.errors(function() S.top(f, x, { rng = 3 }) end, "rng must be a slope.rng")
    check.errors(function() S.top(f, slope.vec.zeros(3)) end, "dimension mismatch")
    check.errors(function() S.top({}, x) end, "f must be an objective (slope.obj.*), got table")
    check.errors(function() S.top(f, x, { maxiter = 1.5 }) end, "maxiter must be an integer")
    local ring = S.toy.ring(2)
    check.errors(function() S.top(ring, { 0 / 0, 0 }) end, "slope.spectrum.top: non-finite")
    check.errors(function() S.trace(ring, { 0 / 0, 0 }) end, "Hessian-vector product is not finite")
    check.errors(function() S.density(ring, { 0 / 0, 0 }) end, "Hessian-vector product is not finite")
  end)
end)

describe("slope.spectrum.trace, density, condition", function()
  local n = 25
  local A = randsym(n, 7)
  local f = S.toy.quadratic(A)
  local x = slope.vec.zeros(n)
  local tr = 0
  for i = 1, n do tr = tr + A:get(i, i) end

  it("Hutchinson's estimate is within 3 standard errors", function()
    local t = S.trace(f, x, { samples = 400, rng = slope.rng(5) })
    check.eq(t.samples, 400)
    check.eq(t.nhvp, 400)
    check.truthy(t.stderr > 0)
    check.truthy(math.abs(t.trace - tr) <= 3 * t.stderr, ("%g vs %g (se %g)"):format(t.trace, tr, t.stderr))
    -- a diagonal Hessian has zero-variance Rademacher estimates
    local d = S.trace(S.toy.quadratic(slope.mat{ { 2, 0 }, { 0, 5 } }), { 0, 0 }, { samples = 3 })
    check.near(d.trace, 7, 1e-14)
    check.errors(function() S.trace(f, x, { samples = 0 }) end, "samples must be an integer >= 1")
  end)

  it("SLQ nodes are eigenvalues and the density integrates to 1", function()
    local w = S.eigs(A)
    local d = S.density(f, x, { steps = n, probes = 3, rng = slope.rng(6), grid = 400 })
    check.eq(#d.grid, 400)
    check.near(d.weights:sum(), 1, 1e-12)
    for i = 1, #d.nodes do
      local best = math.huge
      for j = 1, n do best = math.min(best, math.abs(d.nodes[i] - w[j])) end
      check.truthy(best < 1e-8, "node " .. d.nodes[i] .. " is not an eigenvalue")
    end
    local h = d.grid[2] - d.grid[1]
    check.near(d.density:sum() * h, 1, 0.02)
    -- SLQ's trace estimate is unbiased; loose check with 3 probes
    check.truthy(math.abs(d.trace - tr) < 0.5 * n, "slq trace " .. d.trace .. " vs " .. tr)
    check.errors(function() S.density(f, x, { sigma = -1 }) end, "sigma must be a positive number")
    check.errors(function() S.density(f, x, { grid = 1 }) end, "grid must be an integer >= 2")
  end)

  it("condition of a positive definite Hessian, NaN with a note otherwise", function()
    local B = slope.mat{ { 4, 1, 0 }, { 1, 3, 0 }, { 0, 0, 0.5 } }
    local w = S.eigs(B)
    local c = S.condition(S.toy.quadratic(B), { 0, 0, 0 })
    check.near(c.condition, w[3] / w[1], 1e-8)
    check.near(c.lambda_min, 0.5, 1e-10)
    local bad = S.condition(f, x)
    check.truthy(bad.condition ~= bad.condition, "NaN")
    check.truthy(bad.note:find("not positive definite", 1, true))
  end)
end)

describe("slope.spectrum.eigs", function()
  it("decomposes a symmetric mat, ascending or descending", function()
    local A = slope.mat{ { 2, 1 }, { 1, 2 } }
    local w, V = S.eigs(A)
    check.veq(w, { 1, 3 }, 1e-14)
    local wd, Vd = S.eigs(A, { order = "desc" })
    check.veq(wd, { 3, 1 }, 1e-14)
    for i = 1, 2 do -- column i of V is the eigenvector of w[i]
      local v = slope.vec{ Vd:get(1, i), Vd:get(2, i) }
      check.veq(A:mv(v), v * wd[i], 1e-14)
      local u = slope.vec{ V:get(1, i), V:get(2, i) }
      check.veq(A:mv(u), u * w[i], 1e-14)
    end
  end)

  it("rejects non-square, non-symmetric and bad options", function()
    check.errors(function() S.eigs(slope.mat{ { 1, 2, 3 } }) end, "square matrix expected, got 1 x 3")
    check.errors(function() S.eigs(slope.mat{ { 1, 2 }, { 0, 1 } }) end, "symmetric finite matrix expected")
    check.errors(function() S.eigs(slope.mat{ { 0 / 0 } }) end, "symmetric finite matrix expected")
    check.errors(function() S.eigs(slope.mat{ { 1 } }, { order = "up" }) end, "order must be \"asc\" or \"desc\"")
    check.errors(function() S.eigs("x") end, "mat or table of rows expected")
  end)

  it("toy objectives check their input", function()
    check.errors(function() S.toy.quadratic(slope.mat{ { 1, 2 } }) end, "square matrix expected")
    check.errors(function() S.toy.quadratic(slope.mat{ { 1, 2 }, { 0, 1 } }) end, "symmetric finite matrix expected")
    check.errors(function() S.toy.quadratic(slope.mat{ { 1 } }, { exact = true }) end, "unknown option 'exact'")
    check.errors(function() S.toy.least_squares(slope.mat{ { 1 } }, { 1, 2 }) end, "dimension mismatch")
    check.errors(function() S.toy.ring(0) end, "expected an integer >= 1")
    check.errors(function() S.toy.quadratic(slope.mat{ { 0 / 0 } }) end, "symmetric finite matrix expected")
    check.errors(function() S.toy.quadratic(slope.mat{ { 1 } }, { 1 / 0 }) end, "finite entries expected")
    check.errors(function() S.toy.least_squares(slope.mat{ { 1 }, { 0 / 0 } }, { 1, 2 }) end, "finite matrix expected")
    check.errors(function() S.toy.least_squares(slope.mat{ { 1 }, { 2 } }, { 1, 0 / 0 }) end, "finite entries expected")
  end)

  it("toy objectives are the real models, with the exact HVP kept or withheld", function()
    local X = slope.mat{ { 1, 0, 2 }, { 0, 1, 1 }, { 1, 1, 1 }, { 2, -1, 0 }, { 0, 3, 1 } }
    local y = { 1, 2, 2, 0, -1 }
    local ex, fd = S.toy.least_squares(X, y), S.toy.least_squares(X, y, { exact_hvp = false })
    local lsq = slope.obj.least_squares{ X = X, y = y }
    local x, v = slope.vec{ 0.5, -1, 2 }, slope.vec{ 1, 2, -1 }
    check.eq(ex.exact_hvp, true)
    check.eq(fd.exact_hvp, false)
    check.eq(ex:value(x), lsq:value(x))
    check.veq(ex:hvp(x, v), lsq:hvp(x, v), 0)
    check.veq(fd:hvp(x, v), lsq:hvp(x, v), 1e-6)
    -- a batch evaluates the model on its own rows
    local bl, be, bf = lsq:batch{ 2, 4 }, ex:batch{ 2, 4 }, fd:batch{ 2, 4 }
    check.eq(be:value(x), bl:value(x))
    check.veq(be:grad(x), bl:grad(x), 0)
    check.veq(bf:hvp(x, v), bl:hvp(x, v), 1e-6)
    local Ge, Gl = be:sample_grads(x, { 1, 2 }), bl:sample_grads(x, { 1, 2 })
    for i = 1, 2 do for j = 1, 3 do check.eq(Ge:get(i, j), Gl:get(i, j)) end end
    check.eq(ex:value(x), lsq:value(x), "the whole set again after the batches")
    local q = S.toy.quadratic(slope.mat{ { 2, 1 }, { 1, 3 } }, { 1, -1 }, { exact_hvp = false })
    check.veq(q:hvp({ 0, 0 }, { 1, 0 }), { 2, 1 }, 1e-8)
    check.veq(q:init(), { 0, 0 })
    check.veq(S.toy.ring(2):hvp({ 1, 0 }, { 1, 1 }), { 8, 0 }, 0)
  end)

  it("every function has help", function()
    for _, name in ipairs({ "top", "bottom", "trace", "density", "condition", "eigs" }) do
      check.truthy(slope._helpdb[S[name]], name)
    end
    for _, name in ipairs({ "quadratic", "least_squares", "ring" }) do
      check.truthy(slope._helpdb[S.toy[name]], name)
    end
    check.truthy(slope.helptext(S.top):find("Lanczos", 1, true))
  end)
end)

describe("slope.spectrum.operator", function()
  local rng = slope.rng(21)
  local X = slope.mat.zeros(40, 5)
  for i = 1, 40 do for j = 1, 5 do X:set(i, j, rng:normal()) end end
  local y, b = {}, {}
  for i = 1, 40 do y[i], b[i] = (i * 7 + 3) % 3, i % 2 end
  local models = {
    mlp = slope.obj.mlp{X = X, y = y, hidden = {6}, activation = "tanh"},
    logistic = slope.obj.logistic{X = X, y = b, l2 = 0.1},
  }

  it("multiplies by the Hessian at its point, as f:hvp does, bit for bit", function()
    for name, f in pairs(models) do
      local x = f:init(slope.rng(2))
      local H = S.operator(f, x)
      check.eq(H.dim, f.dim)
      local v, hv = slope.vec.randn(f.dim, rng), slope.vec.zeros(f.dim)
      for _ = 1, 3 do
        check.veq(H:mul(v), f:hvp(x, v), 0, name)
        check.veq(H(v), f:hvp(x, v), 0, name)
        check.truthy(rawequal(H:mul(v, hv), hv))
        check.veq(hv, f:hvp(x, v), 0, name)
        v = slope.vec.randn(f.dim, rng)
      end
      check.eq(H.nhvp, 9)
    end
  end)

  it("keeps its own copy of x, and survives other windows and a second operator", function()
    local f = models.mlp
    local x = f:init(slope.rng(3))
    local x0 = x:clone()
    local H = S.operator(f, x)
    x:fill(0.5) -- the caller's x changes; H's does not
    check.veq(H:point(), x0)
    local v = slope.vec.randn(f.dim, rng)
    check.veq(H:mul(v), f:hvp(x0, v))
    S.top(f, x, { tol = 1e-3 }) -- opens and closes its own window on f
    check.veq(H:mul(v), f:hvp(x0, v))
    local G = S.operator(f, x) -- a second point, same f
    for _ = 1, 2 do
      check.veq(G:mul(v), f:hvp(x, v))
      check.veq(H:mul(v), f:hvp(x0, v))
    end
    f:fg(x) -- fg elsewhere inside the window
    check.veq(H:mul(v), f:hvp(x0, v))
  end)

  it("closes, by hand or at the end of a <close> scope", function()
    local f = models.logistic
    local x = f:init()
    local v = slope.vec.randn(f.dim, rng)
    local H = S.operator(f, x)
    H:close()
    check.eq(H.closed, true)
    check.errors(function() H:mul(v) end, "slope.spectrum.operator:mul: the operator is closed")
    H:close() -- twice is fine
    local G
    do
      local K <close> = S.operator(f, x)
      G = K
      check.veq(K(v), f:hvp(x, v))
    end
    check.eq(G.closed, true)
    check.truthy(tostring(G):find("closed", 1, true))
  end)

  it("works on Lua-defined objectives and rejects bad input", function()
    local g = slope.obj.lua{dim = 2, value = function(x) return x[1] ^ 2 + 3 * x[1] * x[2] end}
    local H = S.operator(g, { 1, 2 })
    local hv = H:mul(slope.vec{ 1, 0 })
    check.near(hv[1], 2, 1e-5)
    check.near(hv[2], 3, 1e-5)
    local f = models.mlp
    check.errors(function() S.operator({}, { 1 }) end, "f must be an objective (slope.obj.*), got table")
    check.errors(function() S.operator(f, slope.vec.zeros(3)) end, "dimension mismatch")
    local bad = slope.vec.zeros(f.dim)
    bad[1] = 0 / 0
    check.errors(function() S.operator(f, bad) end, "slope.spectrum.operator: x must be finite")
    local Hf = S.operator(f, slope.vec.zeros(f.dim))
    check.errors(function() Hf:mul(slope.vec.zeros(3)) end, "dimension mismatch")
    check.errors(function() Hf:mul("v") end, "")
    check.truthy(slope._helpdb[S.operator])
  end)
end)
