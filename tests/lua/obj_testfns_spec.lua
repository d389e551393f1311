-- obj_testfns_spec.lua — slope.obj test functions and quadratics: analytic
-- derivatives against finite differences, documented minima and starts,
-- the spectrum of quadratic{eigs}, and argument errors.

local TOL = 1e-6

-- every test function, with the dimensions it is tried at
local cases = {
  {"rosenbrock", 2}, {"rosenbrock", 5}, {"beale"}, {"booth"}, {"himmelblau"},
  {"rastrigin", 1}, {"rastrigin", 3}, {"ackley", 2}, {"ackley", 4},
  {"styblinski_tang", 3}, {"saddle"}, {"monkey_saddle"},
}

local function randvec(rng, n, scale)
  local v = slope.vec.zeros(n)
  for i = 1, n do v[i] = scale * rng:normal() end
  return v
end

describe("test functions", function()
  it("have analytic gradients and HVPs that match finite differences", function()
    local rng = slope.rng(42)
    for _, c in ipairs(cases) do
      local f = slope.obj[c[1]](c[2])
      check.truthy(f.exact_hvp, c[1] .. " has an analytic HVP")
      for trial = 1, 6 do
        local x = randvec(rng, f.dim, 2)
        local v = randvec(rng, f.dim, 1)
        local rg = slope.check.grad(f, x)
        check.truthy(rg.max_rel_err < TOL, ("%s grad at trial %d: err %g"):format(c[1], trial, rg.max_rel_err))
        local rh = slope.check.hvp(f, x, v)
        check.truthy(rh.max_rel_err < TOL, ("%s hvp at trial %d: err %g"):format(c[1], trial, rh.max_rel_err))
      end
    end
  end)

  it("give their documented minima with a zero gradient", function()
    local st = -2.903534027771177
    local minima = {
      {slope.obj.rosenbrock(), {1, 1}, 0},
      {slope.obj.rosenbrock(6), {1, 1, 1, 1, 1, 1}, 0},
      {slope.obj.beale(), {3, 0.5}, 0},
      {slope.obj.booth(), {1, 3}, 0},
      {slope.obj.himmelblau(), {3, 2}, 0},
      {slope.obj.himmelblau(), {-2.805118086952745, 3.131312518250573}, 0},
      {slope.obj.himmelblau(), {-3.779310253377747, -3.283185991286170}, 0},
      {slope.obj.himmelblau(), {3.584428340330492, -1.848126526964404}, 0},
      {slope.obj.rastrigin(4), {0, 0, 0, 0}, 0},
      {slope.obj.ackley(3), {0, 0, 0}, 0},
      {slope.obj.styblinski_tang(3), {st, st, st}, -39.16616570377142 * 3},
      {slope.obj.saddle(), {0, 0}, 0},
      {slope.obj.monkey_saddle(), {0, 0}, 0},
    }
    for _, m in ipairs(minima) do
      local f, x, fmin = m[1], slope.vec(m[2]), m[3]
      local val, g = f:fg(x)
      check.near(val, fmin, 1e-12, f.name .. " minimum value")
      check.truthy(g:norm() < 1e-9, f.name .. " gradient at the minimum: " .. tostring(g))
    end
  end)

  it("have curvature of the documented kind at their critical points", function()
    local H = slope.obj.rosenbrock():hessian{1, 1}
    check.eq(H:get(1, 1), 802.0); check.eq(H:get(1, 2), -400.0); check.eq(H:get(2, 2), 200.0)
    local S = slope.obj.saddle():hessian{0, 0}
    check.eq(S:get(1, 1), 2.0); check.eq(S:get(2, 2), -2.0); check.eq(S:get(1, 2), 0.0)
    local M = slope.obj.monkey_saddle():hessian{0, 0}
    for i = 1, 2 do for j = 1, 2 do check.eq(M:get(i, j), 0.0) end end
    -- Himmelblau's local maximum
    local f = slope.obj.himmelblau()
    check.near(f:value{-0.2708445906673476, -0.9230385564799815}, 181.6165215225827, 1e-12)
  end)

  it("start where documented", function()
    check.veq(slope.obj.rosenbrock():init(), {-1.2, 1})
    check.veq(slope.obj.rosenbrock(5):init(), {-1.2, 1, -1.2, 1, -1.2})
    check.veq(slope.obj.beale():init(), {1, 1})
    check.veq(slope.obj.booth():init(), {0, 0})
    check.veq(slope.obj.himmelblau():init(), {0, 0})
    check.veq(slope.obj.saddle():init(), {1, 0.01})
    check.veq(slope.obj.monkey_saddle():init(), {1, 0.01})
    local boxes = {rastrigin = 5.12, ackley = 5, styblinski_tang = 5}
    for name, b in pairs(boxes) do
      local f = slope.obj[name](7)
      local x1, x2 = f:init(slope.rng(3)), f:init(slope.rng(3))
      check.veq(x1, x2, 0, name .. " start is reproducible from the seed")
      check.truthy(x1:max() <= b and x1:min() >= -b, name .. " start in the box")
      check.truthy(x1:max() ~= x1:min(), name .. " start is random")
    end
  end)

  it("take n as a number or {dim = n}, default 2", function()
    check.eq(slope.obj.rosenbrock().dim, 2)
    check.eq(slope.obj.rosenbrock(7).dim, 7)
    check.eq(slope.obj.rosenbrock{dim = 3}.dim, 3)
    check.eq(slope.obj.rastrigin{n = 4}.dim, 4)
    check.eq(slope.obj.ackley().dim, 2)
    check.eq(slope.obj.beale().dim, 2)
    check.eq(slope.obj.styblinski_tang(1).name, "styblinski_tang")
    check.eq(tostring(slope.obj.booth()), "objective booth (dim 2)")
  end)

  it("reject bad dimensions with errors naming the function", function()
    check.errors(function() slope.obj.rosenbrock(1) end, "slope.obj.rosenbrock: n must be an integer >= 2, got 1")
    check.errors(function() slope.obj.rastrigin(0) end, "slope.obj.rastrigin: n must be an integer >= 1, got 0")
    check.errors(function() slope.obj.ackley(-3) end, "slope.obj.ackley: n must be an integer >= 1")
    check.errors(function() slope.obj.styblinski_tang(2.5) end, "slope.obj.styblinski_tang: n must be an integer, got 2.5")
    check.errors(function() slope.obj.rastrigin(0 / 0) end, "slope.obj.rastrigin: n must be an integer")
    check.errors(function() slope.obj.rosenbrock("x") end, "slope.obj.rosenbrock: n must be an integer or {dim = n}, got string")
    check.errors(function() slope.obj.rosenbrock{dims = 3} end, "slope.obj.rosenbrock: unknown option 'dims'")
    check.errors(function() slope.obj.rosenbrock{dim = 3, n = 4} end, "dim and n disagree")
    check.errors(function() slope.obj.beale(3) end, "slope.obj.beale: takes no arguments")
    check.errors(function() slope.obj.saddle{} end, "slope.obj.saddle: takes no arguments")
  end)

  it("are not data objectives: batch and sample_grads refuse clearly", function()
    local f = slope.obj.rosenbrock()
    check.eq(f.n, nil)
    check.errors(function() f:batch{1} end, "batch: rosenbrock is not a data objective")
    check.errors(function() f:sample_grads({0, 0}, {1}) end, "sample_grads: rosenbrock has no per-sample gradients")
    local q = slope.obj.quadratic{eigs = {1, 2}}
    check.errors(function() q:batch{1} end, "quadratic is not a data objective")
  end)
end)

-- trace(A^k) = sum_i eig_i^k for k = 1..n determines the eigenvalues (Newton's identities)
local function power_traces(A, n)
  local P, out = A:clone(), {}
  for k = 1, n do
    local t = 0
    for i = 1, n do t = t + P:get(i, i) end
    out[k] = t
    P = P:mm(A)
  end
  return out
end

describe("slope.obj.quadratic", function()
  it("{A, b}: f = x'Ax/2 - b'x, gradient Ax - b, Hessian A, minimizer A^-1 b", function()
    local A = slope.mat{{4, 1, 0}, {1, 3, -1}, {0, -1, 2}}
    local b = slope.vec{1, -2, 0.5}
    local f = slope.obj.quadratic{A = A, b = b}
    local x = slope.vec{0.3, -0.7, 2}
    local Ax = A:mv(x)
    check.near(f:value(x), 0.5 * x:dot(Ax) - b:dot(x), 1e-14)
    check.veq(f:grad(x), (Ax - b):totable(), 1e-14)
    check.veq(f:hvp(x, {1, 0, 0}), {4, 1, 0})
    local H = f:hessian(x)
    for i = 1, 3 do for j = 1, 3 do check.eq(H:get(i, j), A:get(i, j)) end end
    local xs = f:minimizer()
    check.truthy(f:grad(xs):norm() < 1e-14, "zero gradient at the minimizer")
    check.near(f:value(xs), -0.5 * b:dot(xs), 1e-14, "documented minimum value")
    check.veq(f:rhs(), {1, -2, 0.5})
    check.veq(f:init(), {0, 0, 0})
    check.eq(f:matrix():get(2, 3), -1.0)
    -- b defaults to zero, tables are accepted for A
    local g = slope.obj.quadratic{A = {{2, 0}, {0, 8}}}
    check.eq(g:value{1, 1}, 5.0)
    check.veq(g:minimizer(), {0, 0})
  end)

  it("{eigs, seed}: A has exactly those eigenvalues", function()
    local eigs = {1, 10, 100, 1000}
    local f = slope.obj.quadratic{eigs = eigs, seed = 7}
    local A = f:matrix()
    local want = {0, 0, 0, 0}
    for k = 1, 4 do for _, e in ipairs(eigs) do want[k] = want[k] + e ^ k end end
    local got = power_traces(A, 4)
    for k = 1, 4 do check.near(got[k], want[k], 1e-11, "trace(A^" .. k .. ")") end
    -- the Hessian is A, symmetric
    local H = f:hessian{1, 2, 3, 4}
    for i = 1, 4 do for j = 1, 4 do
      check.eq(H:get(i, j), H:get(j, i))
      check.near(H:get(i, j), A:get(i, j), 1e-13)
    end end
    -- Rayleigh quotients lie in [min eig, max eig]
    local rng = slope.rng(1)
    for _ = 1, 20 do
      local v = randvec(rng, 4, 1)
      local r = v:dot(f:hvp({0, 0, 0, 0}, v)) / v:dot(v)
      check.truthy(r >= 1 - 1e-12 and r <= 1000 * (1 + 1e-12), "Rayleigh quotient " .. r)
    end
    -- the smallest eigenvalue is 1: A - 0.9 I is positive definite, A - 1.1 I is not
    local function shifted(s)
      local S = A:totable()
      for i = 1, 4 do S[i][i] = S[i][i] - s end
      return slope.obj.quadratic{A = S}
    end
    check.truthy(shifted(0.9):minimizer())
    check.errors(function() shifted(1.1):minimizer() end, "not positive definite")
  end)

  it("is reproducible from its seed and varies with it", function()
    local a = slope.obj.quadratic{eigs = {1, 2, 3}, seed = 5}:matrix()
    local b = slope.obj.quadratic{eigs = {1, 2, 3}, seed = 5}:matrix()
    local c = slope.obj.quadratic{eigs = {1, 2, 3}, seed = 6}:matrix()
    local same, differ = true, false
    for i = 1, 3 do for j = 1, 3 do
      same = same and a:get(i, j) == b:get(i, j)
      differ = differ or a:get(i, j) ~= c:get(i, j)
    end end
    check.truthy(same, "same seed, same A")
    check.truthy(differ, "another seed, another A")
  end)

  it("sets conditioning: gradient descent is slow exactly when eigs are spread", function()
    local f = slope.obj.quadratic{eigs = {1, 1e6}, seed = 2, b = {1, 1}}
    local xs = f:minimizer()
    check.truthy(f:grad(xs):norm() < 1e-9)
    local rg = slope.check.grad(f, {3, -4})
    check.truthy(rg.max_rel_err < TOL, "grad check " .. rg.max_rel_err)
  end)

  it("refuses bad matrices and options with errors naming it", function()
    local Q = slope.obj.quadratic
    check.errors(function() Q() end, "slope.obj.quadratic: options table expected")
    check.errors(function() Q{} end, "slope.obj.quadratic: give exactly one of A and eigs")
    check.errors(function() Q{A = {{1}}, eigs = {1}} end, "give exactly one of A and eigs")
    check.errors(function() Q{A = {{1, 2}, {3, 4}}} end, "slope.obj.quadratic: A must be symmetric")
    check.errors(function() Q{A = {{1, 2, 3}, {2, 1, 0}}} end, "slope.obj.quadratic: A must be square, got 2 x 3")
    check.errors(function() Q{A = {}} end, "slope.obj.quadratic: A must not be empty")
    check.errors(function() Q{eigs = {}} end, "slope.obj.quadratic: eigs must not be empty")
    check.errors(function() Q{A = {{1, 0 / 0}, {0 / 0, 1}}} end, "slope.obj.quadratic: A has a NaN or Inf entry at (1, 2)")
    check.errors(function() Q{A = {{1, 2}, {2, "x"}}} end, "slope.obj.quadratic: A: entry (2, 2) is string, expected a number")
    check.errors(function() Q{A = {{1, 2}, {2}}} end, "slope.obj.quadratic: A: ragged rows")
    check.errors(function() Q{A = 3} end, "slope.obj.quadratic: A must be a mat or a table of rows, got number")
    check.errors(function() Q{A = {{1, 0}, {0, 1}}, b = {1}} end, "slope.obj.quadratic: dimension mismatch: b has 1 entries, expected 2")
    check.errors(function() Q{A = {{1, 0}, {0, 1}}, b = {1, math.huge}} end, "slope.obj.quadratic: b has a NaN or Inf entry")
    check.errors(function() Q{A = {{1, 0}, {0, 1}}, b = "b"} end, "slope.obj.quadratic: b must be a vec or a table of numbers, got string")
    check.errors(function() Q{eigs = {1, 0 / 0}} end, "slope.obj.quadratic: eigs has a NaN or Inf entry at 2")
    check.errors(function() Q{eigs = {1, 2}, seed = -1} end, "slope.obj.quadratic: seed must be an integer >= 0")
    check.errors(function() Q{eigs = {1, 2}, seed = 1.5} end, "slope.obj.quadratic: seed must be an integer")
    check.errors(function() Q{A = {{1}}, seed = 1} end, "slope.obj.quadratic: seed is only used with eigs")
    check.errors(function() Q{eig = {1}} end, "slope.obj.quadratic: unknown option 'eig'")
    check.errors(function() Q{eigs = {-1, 2}}:minimizer() end, "minimizer: A is not positive definite")
    local f = Q{eigs = {1}}
    check.errors(function() f.matrix(slope.obj.rosenbrock()) end, "quadratic objective expected")
    check.errors(function() f.minimizer(slope.obj.rosenbrock()) end, "quadratic objective expected")
    check.errors(function() f.rhs(slope.obj.rosenbrock()) end, "quadratic objective expected")
    check.eq(slope.obj.rosenbrock().matrix, nil, "only quadratics have matrix()")
  end)
end)
