-- testfns_spec.lua — slope.obj test functions, slope.obj.quadratic and
-- slope.check: derivatives against finite differences, documented minima,
-- the quadratic's spectrum, error messages.

local names = {"rosenbrock", "beale", "booth", "himmelblau", "rastrigin", "ackley",
               "styblinski_tang", "saddle", "monkey_saddle"}
local ndim = {rosenbrock = 5, rastrigin = 4, ackley = 3, styblinski_tang = 3}

local function randvec(r, n, s)
  local x = slope.vec.zeros(n)
  for i = 1, n do x[i] = r:normal(0, s or 1) end
  return x
end

describe("slope.obj test functions", function()
  it("have gradients and HVPs matching finite differences at random points", function()
    local r = slope.rng(11)
    for _, name in ipairs(names) do
      local f = slope.obj[name](ndim[name])
      check.truthy(f.exact_hvp, name .. " has an analytic hvp")
      for _ = 1, 6 do
        local x, v = randvec(r, f.dim, 2), randvec(r, f.dim)
        local cg = slope.check.grad(f, x)
        check.truthy(cg.max_rel_err < 1e-6, name .. " grad error " .. cg.max_rel_err)
        local ch = slope.check.hvp(f, x, v)
        check.truthy(ch.max_rel_err < 1e-6, name .. " hvp error " .. ch.max_rel_err)
        check.truthy(cg.ok and ch.ok)
      end
    end
  end)

  it("reach the documented minimum with zero gradient at each documented minimizer", function()
    for _, name in ipairs(names) do
      local f = slope.obj[name](ndim[name])
      for k, m in ipairs(f.minimizers) do
        check.near(f:value(m), f.fmin, 1e-12, name .. " minimum " .. k)
        check.truthy(f:grad(m):norm() < 1e-10, name .. " gradient at minimizer " .. k)
        check.veq(f:minimizer(k), m, 0, name)
        -- a local minimum: the Hessian there is positive semidefinite along random directions
        local r = slope.rng(k)
        local v = randvec(r, f.dim)
        check.truthy(v:dot(f:hvp(m, v)) >= 0, name .. " curvature")
      end
    end
    check.eq(#slope.obj.himmelblau().minimizers, 4)
    check.veq(slope.obj.rosenbrock(4):minimizer(), {1, 1, 1, 1})
    check.veq(slope.obj.beale():minimizer(), {3, 0.5})
    check.veq(slope.obj.booth():minimizer(), {1, 3})
    check.near(slope.obj.styblinski_tang(3).fmin, -3 * 39.16616570377141, 1e-14)
    check.veq(slope.obj.styblinski_tang(2):minimizer(), {-2.903534027771177, -2.903534027771177}, 1e-15)
    check.eq(slope.obj.ackley(2).fmin, 0.0)
    check.near(slope.obj.ackley(3):value{0, 0, 0}, 0, 1e-15)
  end)

  it("has exact small values", function()
    check.near(slope.obj.rosenbrock():value{-1.2, 1}, 24.2, 1e-14)
    check.near(slope.obj.rosenbrock(3):value{0, 0, 0}, 2)
    check.eq(slope.obj.booth():value{0, 0}, 74)
    check.eq(slope.obj.himmelblau():value{0, 0}, 170)
    check.eq(slope.obj.rastrigin(3):value{0, 0, 0}, 0)
    check.near(slope.obj.rastrigin(1):value{0.5}, 20.25)
    check.eq(slope.obj.saddle():value{3, 2}, 5)
    check.eq(slope.obj.monkey_saddle():value{1, 1}, -2)
    check.veq(slope.obj.monkey_saddle():hvp({0, 0}, {1, 1}), {0, 0})
    check.veq(slope.obj.saddle():hvp({5, 5}, {1, 1}), {2, -2})
    -- the rosenbrock Hessian at the minimum is [[802, -400], [-400, 200]]
    local H = slope.obj.rosenbrock():hessian{1, 1}
    check.eq(H[1][1], 802); check.eq(H[1][2], -400); check.eq(H[2][2], 200)
    check.eq(slope.obj.rosenbrock{dim = 3}.dim, 3)
    check.eq(slope.obj.rastrigin{n = 7}.dim, 7)
  end)

  it("give documented starting points", function()
    check.veq(slope.obj.rosenbrock():init(), {-1.2, 1})
    check.veq(slope.obj.rosenbrock(5):init(), {-1.2, 1, -1.2, 1, -1.2})
    check.veq(slope.obj.beale():init(), {1, 1})
    check.veq(slope.obj.saddle():init(), {1, 1e-3})
    local x1 = slope.obj.rastrigin(50):init(slope.rng(3))
    local x2 = slope.obj.rastrigin(50):init(slope.rng(3))
    check.veq(x1, x2)
    local lo, hi = math.huge, -math.huge
    for i = 1, #x1 do lo = math.min(lo, x1[i]); hi = math.max(hi, x1[i]) end
    check.truthy(lo >= -5.12 and hi <= 5.12 and hi - lo > 5, "uniform in [-5.12, 5.12]")
  end)

  it("reject bad arguments naming the function", function()
    check.errors(function() slope.obj.rosenbrock(1) end, "slope.obj.rosenbrock: n must be an integer >= 2, got 1")
    check.errors(function() slope.obj.rastrigin(0) end, "slope.obj.rastrigin: n must be an integer >= 1, got 0")
    check.errors(function() slope.obj.ackley(2.5) end, "slope.obj.ackley: n must be an integer >= 1, got 2.5")
    check.errors(function() slope.obj.styblinski_tang("x") end, "slope.obj.styblinski_tang: n must be an integer >= 1, got string")
    check.errors(function() slope.obj.rastrigin{m = 3} end, "slope.obj.rastrigin")
    check.errors(function() slope.obj.rastrigin{n = -1} end, "n must be an integer >= 1")
    check.errors(function() slope.obj.beale(3) end, "slope.obj.beale: takes no arguments")
    check.errors(function() slope.obj.saddle():minimizer() end, "saddle has no minimizer")
    check.errors(function() slope.obj.himmelblau():minimizer(5) end, "expected 1..4")
    check.errors(function() slope.obj.booth():value{1, 2, 3} end, "dimension mismatch")
    check.eq(slope.obj.booth().matrix, nil)
  end)

  it("are not data objectives: batch and sample_grads fail clearly", function()
    local f = slope.obj.rosenbrock()
    check.eq(f.n, nil)
    check.errors(function() f:batch{1} end, "rosenbrock is not a data objective")
    check.errors(function() f:sample_grads({0, 0}, {1}) end, "rosenbrock has no per-sample gradients")
  end)
end)

-- C = A B for n x n mats
local function matmul(A, B, n)
  local C = slope.mat.zeros(n, n)
  for i = 1, n do
    for j = 1, n do
      local s = 0
      for k = 1, n do s = s + A[i][k] * B[k][j] end
      C[i][j] = s
    end
  end
  return C
end

describe("slope.obj.quadratic", function()
  it("from A and b: value, gradient, minimizer", function()
    local f = slope.obj.quadratic{A = {{4, 1}, {1, 3}}, b = {1, 2}}
    check.eq(f.dim, 2)
    check.eq(f:value{1, 1}, 0.5 * (4 + 2 + 3) - 3)
    check.veq(f:grad{1, 1}, {4, 2})
    check.veq(f:hvp({7, 7}, {1, 0}), {4, 1})
    local xs = f:minimizer()
    check.veq(xs, {1 / 11, 7 / 11}, 1e-14)
    check.truthy(f:grad(xs):norm() < 1e-14)
    check.veq(f:rhs(), {1, 2})
    check.eq(f:matrix()[1][2], 1)
    check.veq(slope.obj.quadratic{A = {{2, 0}, {0, 2}}}:grad{1, 1}, {2, 2})
    check.truthy(slope.check.grad(f, {0.3, -2}).ok)
  end)

  it("from eigs has exactly those eigenvalues", function()
    local eigs = {1, 3, 10, 100, 1000}
    local f = slope.obj.quadratic{eigs = eigs, seed = 7}
    local H = f:hessian(slope.vec.zeros(5))
    local A = f:matrix()
    local tr, fro, fro_e = 0, 0, 0
    for i = 1, 5 do
      tr = tr + H[i][i]
      for j = 1, 5 do
        fro = fro + H[i][j] ^ 2
        check.near(H[i][j], A[i][j], 1e-12)
        check.eq(A[i][j], A[j][i])
      end
      fro_e = fro_e + eigs[i] ^ 2
    end
    check.near(tr, 1114, 1e-12)
    check.near(fro, fro_e, 1e-12)
    -- tr(H^k) = sum eig^k for k = 1..5 fixes all five eigenvalues (Newton's identities)
    local P = H
    for k = 2, 5 do
      P = matmul(P, H, 5)
      local t, te = 0, 0
      for i = 1, 5 do t = t + P[i][i]; te = te + eigs[i] ^ k end
      check.near(t, te, 1e-11, "tr(H^" .. k .. ")")
    end
    check.veq(f.eigs, eigs)
    -- the same seed gives the same matrix, another seed another one
    local g = slope.obj.quadratic{eigs = eigs, seed = 7}:matrix()
    local h = slope.obj.quadratic{eigs = eigs, seed = 8}:matrix()
    check.eq(g[2][3], A[2][3])
    check.truthy(h[2][3] ~= A[2][3])
    -- Rayleigh quotients stay within the spectrum
    local r = slope.rng(4)
    for _ = 1, 10 do
      local v = randvec(r, 5)
      local q = v:dot(f:hvp(v, v)) / v:dot(v)
      check.truthy(q >= 1 - 1e-12 and q <= 1000 + 1e-9)
    end
    local fb = slope.obj.quadratic{eigs = {2, 5}, b = {1, 1}, seed = 1}
    check.truthy(fb:grad(fb:minimizer()):norm() < 1e-14)
  end)

  it("rejects bad matrices and options", function()
    local q = slope.obj.quadratic
    check.errors(function() q{A = {{1, 2}, {3, 4}}} end, "slope.obj.quadratic: A must be symmetric")
    check.errors(function() q{A = {{1, 2, 3}, {2, 4, 5}}} end, "slope.obj.quadratic: A must be square, got 2 x 3")
    check.errors(function() q{A = {{1, 0 / 0}, {0 / 0, 1}}} end, "A[1][2] is not finite")
    check.errors(function() q{A = {{1, 0}, {0, 1}}, b = {1}} end, "b has 1 entries, expected 2")
    check.errors(function() q{A = {{1, 0}, {0, 1}}, b = {1, 0 / 0}} end, "b[2] is not finite")
    check.errors(function() q{eigs = {1, 0 / 0}} end, "eigs[2] is not finite")
    check.errors(function() q{eigs = {}} end, "eigs must not be empty")
    check.errors(function() q{} end, "give exactly one of A and eigs")
    check.errors(function() q{A = {{1}}, eigs = {1}} end, "give exactly one of A and eigs")
    check.errors(function() q{eigs = {1}, seed = -1} end, "seed must be an integer >= 0")
    check.errors(function() q{A = {{1}}, seed = 2} end, "seed applies only with eigs")
    check.errors(function() q{A = "x"} end, "A must be a mat, got string")
    check.errors(function() q{eigs = {1}, sed = 1} end, "slope.obj.quadratic")
    check.errors(function() q(3) end, "options table expected")
    check.errors(function() q{eigs = slope.vec.ones(10001)} end, "n = 10001 is above the dense limit 10000")
    check.errors(function() q{A = {{1, 1}, {1, 1}}}:minimizer() end, "A is singular")
  end)
end)

describe("slope.check", function()
  it("finds a wrong gradient and names the worst coordinate", function()
    local bad = slope.obj.lua and slope.obj.lua{dim = 3,
      value = function(x) return x[1] ^ 2 + x[2] ^ 2 + x[3] ^ 2 end,
      grad = function(x, g) g[1] = 2 * x[1]; g[2] = 2 * x[2]; g[3] = 3 * x[3] end}
    if bad then
      local r = slope.check.grad(bad, {1, 1, 1})
      check.eq(r.worst, 3)
      check.near(r.max_rel_err, 1 / 3, 1e-6)
      check.truthy(not r.ok)
      check.near(r.numeric[3], 2, 1e-8)
      check.eq(r.analytic[3], 3)
    end
    local f = slope.obj.booth()
    local r = slope.check.hvp(f, {0, 0}, {0, 0})
    check.eq(r.max_rel_err, 0)
    check.eq(slope.check.grad(f, {1, 1}, {h = 1e-3}).h, 1e-3)
  end)

  it("rejects bad arguments", function()
    local f = slope.obj.booth()
    check.errors(function() slope.check.grad(f, {1, 2, 3}) end, "dimension mismatch")
    check.errors(function() slope.check.hvp(f, {1, 2}, {1}) end, "dimension mismatch")
    check.errors(function() slope.check.grad({}, {1}) end, "objective expected")
    check.errors(function() slope.check.grad(f, {1, 2}, {h = -1}) end, "slope.check.grad: h must be")
    check.errors(function() slope.check.grad(f, {1, 2}, {h = 0 / 0}) end, "slope.check.grad: h must be")
    check.errors(function() slope.check.hvp(f, {1, 2}, {1, 2}, {step = 1}) end, "slope.check.hvp")
    check.errors(function() slope.check.grad(f, {1, 2}, 5) end, "options must be a table")
  end)
end)
