-- lsq_spec.lua — issue 15, least squares: residual objectives (slope.obj.residuals,
-- slope.obj.mgh), their Jacobians against finite differences, method "lm"
-- against MINPACK (tests/data/mgh_minpack.txt, scripts/reference/mgh_minpack.py)
-- and a curve fit against scipy's curve_fit (tests/data/lsq_curve_fit.txt),
-- "gauss_newton" on zero-residual problems, and both through slope.solver.

local function datafile(name)
  for _, d in ipairs{"tests/data/", "../tests/data/"} do
    local fh = io.open(d .. name)
    if fh then return fh end
  end
  error("cannot open tests/data/" .. name)
end

local function read_minpack()
  local rows = {}
  for line in datafile("mgh_minpack.txt"):lines() do
    if not line:match("^#") then
      local w = {}
      for v in line:gmatch("%S+") do w[#w + 1] = v end
      local row = {number = tonumber(w[1]), name = w[2], n = tonumber(w[3]), m = tonumber(w[4])}
      -- with Moré's scaling (x_scale = "jac"), and scipy's default x_scale = 1 (suffix 1)
      for k, key in ipairs{"cost", "nfev", "njev", "status", "cost1", "nfev1", "njev1", "status1"} do
        row[key] = tonumber(w[4 + k])
      end
      rows[#rows + 1] = row
    end
  end
  return rows
end

-- the point x0 moved off the special values of the starting points
local function off(x)
  local y = x:clone()
  for i = 1, #y do y[i] = y[i] + 0.01 * (i % 3 + 1) end
  return y
end

-- central differences of the residuals, worst relative error against J
local function jac_error(f, x)
  local J, worst = f:jacobian(x), 0
  for j = 1, f.dim do
    local h = 1e-6 * math.max(1, math.abs(x[j]))
    local a, b = x:clone(), x:clone()
    a[j], b[j] = x[j] + h, x[j] - h
    local ra, rb = f:residual(a), f:residual(b)
    for i = 1, f.m do
      local fd = (ra[i] - rb[i]) / (2 * h)
      worst = math.max(worst, math.abs(fd - J[i][j]) / math.max(1, math.abs(J[i][j])))
    end
  end
  return worst
end

-- the exponential decay of scripts/reference/lsq_curve_fit.py
local T, Y = {}, {}
for i = 1, 50 do
  T[i] = 4 * (i - 1) / 49
  Y[i] = 3 * math.exp(-1.3 * T[i]) + 0.5 + 0.05 * math.sin(13 * T[i] + 0.7)
end
local function decay_r(x, r)
  for i = 1, 50 do r[i] = x[1] * math.exp(-x[2] * T[i]) + x[3] - Y[i] end
end
local function decay_J(x, J)
  for i = 1, 50 do
    local e = math.exp(-x[2] * T[i])
    J[i][1], J[i][2], J[i][3] = e, -x[1] * T[i] * e, 1
  end
end

describe("slope.obj.mgh", function()
  it("lists the 35 problems, each with its sizes, x0 and a Jacobian matching finite differences", function()
    local list = slope.obj.mgh_list()
    check.eq(#list, 35)
    for k, p in ipairs(list) do
      check.eq(p.number, k)
      local f = slope.obj.mgh(p.name)
      check.eq(f.dim, p.n, p.name)
      check.eq(f.m, p.m, p.name)
      check.eq(#f.x0, p.n, p.name)
      check.eq(f.problem, p.name)
      check.eq(f.number, k)
      check.eq(f.hvp_kind, "gauss_newton")
      check.eq(f.jac, "analytic")
      local err = jac_error(f, off(f.x0))
      -- Brown badly scaled has x = 1e6: differences there keep ~5 digits
      check.truthy(err < (p.name == "brown_badly_scaled" and 1e-3 or 1e-6),
        ("%s: Jacobian error %.3g"):format(p.name, err))
    end
  end)

  it("is |r|^2 with gradient 2 J'r (checked by slope.check.grad) and the Gauss-Newton HVP 2 J'J v", function()
    for k = 1, 35 do
      local f = slope.obj.mgh(k)
      local x = off(f.x0)
      local r, J = f:residual(x), f:jacobian(x)
      check.near(f:value(x), r:dot(r), 1e-12 * math.max(1, r:dot(r)), f.problem)
      local cg = slope.check.grad(f, x)
      check.truthy(cg.max_rel_err < 1e-5 or f.problem == "brown_badly_scaled",
        f.problem .. " grad error " .. cg.max_rel_err)
      local v = slope.vec.zeros(f.dim)
      for i = 1, f.dim do v[i] = math.sin(i) end
      local hv = f:hvp(x, v)
      for j = 1, f.dim do
        local s = 0
        for i = 1, f.m do
          local jv = 0
          for l = 1, f.dim do jv = jv + J[i][l] * v[l] end
          s = s + 2 * J[i][j] * jv
        end
        check.near(hv[j], s, 1e-10 * math.max(1, math.abs(s)), f.problem .. " hvp")
      end
    end
  end)

  it("takes n and m within the paper's ranges", function()
    local f = slope.obj.mgh("extended_rosenbrock", {n = 20})
    check.eq(f.dim, 20); check.eq(f.m, 20)
    check.eq(slope.obj.mgh("penalty2", {n = 4}).m, 8)
    check.eq(slope.obj.mgh("watson", {n = 9}).dim, 9)
    check.eq(slope.obj.mgh("gulf", {m = 99}).m, 99)
    check.eq(slope.obj.mgh(35, {n = 9, m = 9}).m, 9)
    -- the documented minima of the paper at other sizes
    local g = slope.obj.mgh("penalty1", {n = 4})
    local res = slope.minimize(g, g.x0, {method = "lm"})
    check.near(res.f, 2.24997e-5, 1e-9)
    check.errors(function() slope.obj.mgh("extended_rosenbrock", {n = 3}) end, "n even")
  end)

  it("works with the other methods as an ordinary objective", function()
    for _, m in ipairs{"lbfgs", "bfgs", "newton_cg", "trust_ncg"} do
      local f = slope.obj.mgh("rosenbrock")
      local res = slope.minimize(f, f.x0, {method = m, maxiter = 2000})
      check.truthy(res.success, m .. ": " .. res.message)
      check.truthy(res.f < 1e-10, m)
      -- one Jacobian per gradient; Newton methods' HVPs (2 J'J v) may need J at x too
      if m:match("bfgs") then check.eq(res.njev, res.ngev, m) else check.truthy(res.njev >= res.ngev, m) end
    end
  end)
end)

describe("method lm", function()
  it("solves the MGH problems as MINPACK's lmder does: as many, to the same cost, with the same evaluations", function()
    local ref = read_minpack()
    check.eq(#ref, 35)
    local solved, ref_solved, nfev, ref_nfev = 0, 0, 0, 0
    for _, p in ipairs(ref) do
      local f = slope.obj.mgh(p.number)
      local res = slope.minimize(f, f.x0, {method = "lm", maxfev = 100 * f.dim})
      local ok = res.success
      if ok then solved = solved + 1 end
      if p.status > 0 then ref_solved = ref_solved + 1 end
      if p.status > 0 then
        check.truthy(ok, p.name .. ": " .. res.message)
        -- the same cost: relative 1e-6, or both at zero to rounding
        check.truthy(math.abs(res.cost - p.cost) <= 1e-6 * p.cost + 1e-20,
          ("%s: cost %.17g, MINPACK %.17g"):format(p.name, res.cost, p.cost))
        nfev, ref_nfev = nfev + res.nfev, ref_nfev + p.nfev
      end
      check.near(res.cost, res.f / 2, 0)
    end
    check.truthy(solved >= ref_solved, ("lm solved %d, MINPACK %d"):format(solved, ref_solved))
    check.eq(ref_solved, 34)
    -- the same algorithm: residual evaluations within 5 % of MINPACK's in total
    check.truthy(math.abs(nfev - ref_nfev) <= 0.05 * ref_nfev, ("nfev %d vs MINPACK %d"):format(nfev, ref_nfev))
  end)

  it("with x_scale = 1 follows scipy's default (lmder without scaling)", function()
    local solved, ref_solved, nfev, ref_nfev = 0, 0, 0, 0
    for _, p in ipairs(read_minpack()) do
      local f = slope.obj.mgh(p.number)
      local res = slope.minimize(f, f.x0, {method = "lm", x_scale = 1, maxfev = 100 * f.dim})
      if res.success then solved = solved + 1 end
      if p.status1 > 0 then
        ref_solved = ref_solved + 1
        check.truthy(res.success, p.name .. ": " .. res.message)
        check.truthy(math.abs(res.cost - p.cost1) <= 1e-6 * p.cost1 + 1e-20,
          ("%s: cost %.17g, MINPACK %.17g"):format(p.name, res.cost, p.cost1))
        nfev, ref_nfev = nfev + res.nfev, ref_nfev + p.nfev1
      end
    end
    check.truthy(solved >= ref_solved, ("lm solved %d, MINPACK %d"):format(solved, ref_solved))
    check.truthy(math.abs(nfev - ref_nfev) <= 0.05 * ref_nfev, ("nfev %d vs MINPACK %d"):format(nfev, ref_nfev))
    local f = slope.obj.mgh("rosenbrock")
    local a = slope.minimize(f, f.x0, {method = "lm", x_scale = "jac"})
    local b = slope.minimize(f, f.x0, {method = "lm"})
    check.eq(a.nfev, b.nfev, "x_scale = \"jac\" is the default")
  end)

  it("fits an exponential decay to scipy's curve_fit values, with and without J", function()
    local want = {}
    for line in datafile("lsq_curve_fit.txt"):lines() do
      local k, v = line:match("^(%a+) (%S+)$")
      if k then want[k] = tonumber(v) end
    end
    for _, withJ in ipairs{true, false} do
      local f = slope.obj.residuals{m = 50, dim = 3, r = decay_r, J = withJ and decay_J or nil}
      check.eq(f.jac, withJ and "analytic" or "forward differences")
      local res = slope.minimize(f, {1, 1, 0}, {method = "lm", ftol = 1e-14, xtol = 1e-14, gtol = 1e-14})
      check.truthy(res.success, res.message)
      check.near(res.x[1], want.a, 1e-6); check.near(res.x[2], want.b, 1e-6); check.near(res.x[3], want.c, 1e-6)
      check.near(res.cost, want.cost, 1e-12)
      check.truthy(res.njev >= 1 and res.nfev > res.njev)
      if withJ then check.eq(res.jac_approx, nil) else check.eq(res.jac_approx, "forward differences (Jacobian)") end
    end
  end)

  it("steps through slope.solver with the result of slope.minimize, callback, history and budgets", function()
    local f = slope.obj.mgh("osborne1")
    local full = slope.minimize(f, f.x0, {method = "lm"})
    local s = slope.solver(f, f.x0, {method = "lm"})
    local info = s:step()
    check.eq(s.nit, 1)
    check.truthy(info.trials >= 1 and info.par ~= nil and info.ratio ~= nil, "lm's step record")
    local res = s:run()
    check.eq(res.nit, full.nit)
    check.veq(res.x, full.x, 0)
    check.truthy(s:state().delta > 0)
    local seen = 0
    local r2 = slope.minimize(f, f.x0, {method = "lm", history = true, callback = function(it)
      seen = seen + 1; return it.nit == 3 end})
    check.eq(r2.status, "callback"); check.eq(seen, 3); check.eq(#r2.history.f, 4)
    local r3 = slope.minimize(f, f.x0, {method = "lm", maxiter = 2})
    check.eq(r3.status, "maxiter"); check.eq(r3.nit, 2)
    local r4 = slope.minimize(f, f.x0, {method = "lm", maxfev = 5})
    check.eq(r4.status, "maxfev"); check.truthy(r4.nfev <= 6)
    check.truthy(slope._helpdb["slope.minimize"].doc:find("factor", 1, true))
  end)

  it("takes factor, the first trust radius factor |D x0|", function()
    local f = slope.obj.mgh("box3")
    local a = slope.minimize(f, f.x0, {method = "lm", factor = 100})
    local b = slope.minimize(f, f.x0, {method = "lm", factor = 0.01})
    check.truthy(a.success and b.success)
    check.truthy(a.cost < 1e-25 and b.cost < 1e-25)
    check.truthy(a.nfev ~= b.nfev, "a different path")
  end)
end)

describe("method gauss_newton", function()
  it("reaches zero on zero-residual problems", function()
    for _, name in ipairs{"rosenbrock", "helical_valley", "box3", "beale", "extended_rosenbrock",
                          "discrete_boundary", "discrete_integral", "broyden_tridiagonal",
                          "broyden_banded", "brown_almost_linear", "variably_dimensioned"} do
      local f = slope.obj.mgh(name)
      local res = slope.minimize(f, f.x0, {method = "gauss_newton", maxiter = 500})
      check.truthy(res.success, name .. ": " .. res.message)
      check.truthy(res.f < 1e-12, name .. " f = " .. res.f)
    end
  end)

  it("fits the decay from Lua residuals and steps through slope.solver", function()
    local f = slope.obj.residuals{m = 50, dim = 3, r = decay_r, J = decay_J}
    local res = slope.minimize(f, {1, 1, 0}, {method = "gauss_newton", gtol = 1e-10})
    local lm = slope.minimize(f, {1, 1, 0}, {method = "lm"})
    check.near(res.f, lm.f, 1e-9)
    local s = slope.solver(f, {1, 1, 0}, {method = "gauss_newton"})
    check.eq(s:step().rank, 3)
    check.truthy(s:run().success)
  end)

  it("refuses objectives without residuals, naming the method", function()
    local D = slope.data.load("breast_cancer")
    local logistic = slope.obj.logistic{X = slope.data.standardize(D.X), y = D.y, l2 = 1e-3}
    for _, m in ipairs{"lm", "gauss_newton"} do
      check.errors(function() slope.minimize(logistic, slope.vec.zeros(logistic.dim), {method = m}) end,
        "method '" .. m .. "' needs a residual objective (slope.obj.residuals")
      check.errors(function() slope.minimize(slope.obj.rosenbrock(), {-1.2, 1}, {method = m}) end,
        "needs a residual objective")
      check.errors(function() slope.minimize(function(x) return x[1]^2 end, {1}, {method = m}) end,
        "needs a residual objective")
      check.errors(function() slope.minimize(slope.obj.lua{dim = 1, value = function(x) return x[1]^2 end}, {1}, {method = m}) end,
        "needs a residual objective")
      check.errors(function() slope.solver(logistic, slope.vec.zeros(logistic.dim), {method = m}) end,
        "needs a residual objective")
    end
    -- lm wants m >= dim, as MINPACK
    local under = slope.obj.residuals{m = 1, dim = 2, r = function(x, r) r[1] = x[1] + x[2] - 1 end}
    check.errors(function() slope.minimize(under, {0, 0}, {method = "lm"}) end, "at least as many residuals")
    local gn = slope.minimize(under, {0, 0}, {method = "gauss_newton"})
    check.truthy(gn.f < 1e-20, "gauss_newton takes the minimum-norm step")
  end)
end)

describe("slope.obj.residuals", function()
  it("accepts r filling in place or returning a vec or table, J filling or returning a mat", function()
    local variants = {
      {function(x, r) r[1] = x[1] - 1; r[2] = 10 * (x[2] - x[1]^2) end},
      {function(x) return slope.vec{x[1] - 1, 10 * (x[2] - x[1]^2)} end},
      {function(x) return {x[1] - 1, 10 * (x[2] - x[1]^2)} end},
      {function(x, r) r[1] = x[1] - 1; r[2] = 10 * (x[2] - x[1]^2) end,
       function(x, J) J[1][1] = 1; J[2][1] = -20 * x[1]; J[2][2] = 10 end},
      {function(x, r) r[1] = x[1] - 1; r[2] = 10 * (x[2] - x[1]^2) end,
       function(x) local J = slope.mat.zeros(2, 2); J[1][1] = 1; J[2][1] = -20 * x[1]; J[2][2] = 10; return J end},
    }
    for k, v in ipairs(variants) do
      local f = slope.obj.residuals{m = 2, dim = 2, r = v[1], J = v[2]}
      local res = slope.minimize(f, {-1.2, 1}, {method = "lm"})
      check.truthy(res.success, k .. ": " .. res.message)
      check.veq(res.x, {1, 1}, 1e-7, "variant " .. k)
      local cg = slope.check.grad(f, {0.3, -0.4})
      check.truthy(cg.max_rel_err < 1e-5, "variant " .. k .. " gradient " .. cg.max_rel_err)
    end
  end)

  it("counts residual and Jacobian evaluations (forward differences: dim residuals per Jacobian)", function()
    local calls = 0
    local f = slope.obj.residuals{m = 50, dim = 3, r = function(x, r) calls = calls + 1; decay_r(x, r) end}
    local res = slope.minimize(f, {1, 1, 0}, {method = "lm"})
    check.eq(calls, res.nfev)
    check.eq(f:njev(), res.njev)
    local g = slope.obj.residuals{m = 50, dim = 3, r = function(x, r) calls = calls + 1; decay_r(x, r) end, J = decay_J}
    calls = 0
    local res2 = slope.minimize(g, {1, 1, 0}, {method = "lm"})
    check.eq(calls, res2.nfev)
    check.eq(res.nfev - res2.nfev, 3 * res.njev, "3 differences per Jacobian")
  end)

  it("has built-in forms: the sum-of-squares test functions, with their value and gradient", function()
    local r = slope.rng(15)
    for _, c in ipairs{{"rosenbrock", 6}, {"beale"}, {"booth"}, {"himmelblau"}} do
      local f = slope.obj[c[1]](c[2])
      local g = slope.obj.residuals(f)
      check.eq(g.dim, f.dim); check.eq(g.hvp_kind, "gauss_newton")
      for _ = 1, 4 do
        local x = slope.vec.zeros(f.dim)
        for i = 1, f.dim do x[i] = r:normal(0, 1.5) end
        check.near(g:value(x), f:value(x), 1e-12 * math.max(1, f:value(x)), c[1])
        check.truthy((g:grad(x) - f:grad(x)):norm() <= 1e-10 * math.max(1, f:grad(x):norm()), c[1] .. " gradient")
        check.truthy(jac_error(g, x) < 1e-6, c[1] .. " Jacobian")
      end
      local x0 = c[1] == "rosenbrock" and f:init() or slope.vec{1, 1}
      local res = slope.minimize(g, x0, {method = "lm"})
      check.truthy(res.success and res.f < 1e-20, c[1] .. ": " .. res.message)
    end
    check.errors(function() slope.obj.residuals(slope.obj.rastrigin()) end,
      "slope.obj.residuals: rastrigin has no residual form")
  end)

  it("has a built-in form of least squares, {X =, y =}: slope.obj.least_squares' value, solved in one step", function()
    local D = slope.data.load("diabetes")
    local X = slope.data.standardize(D.X)
    local ref = {}
    for line in datafile("ref_ls_diabetes_1e-1.txt"):lines() do
      local k, v = line:match("^(%a+) (%S+)$")
      if k then ref[k] = tonumber(v) end
    end
    local ls = slope.obj.least_squares{X = X, y = D.y, l2 = 0.1, intercept = true}
    local f = slope.obj.residuals{X = X, y = D.y, l2 = 0.1, intercept = true}
    check.eq(f.dim, 11); check.eq(f.m, #D.y + 10)
    local w = slope.vec.zeros(11)
    for i = 1, 11 do w[i] = math.sin(i) end
    check.near(f:value(w), ls:value(w), 1e-12 * ls:value(w))
    check.truthy((f:grad(w) - ls:grad(w)):norm() < 1e-9 * ls:grad(w):norm())
    for _, m in ipairs{"lm", "gauss_newton"} do
      local res = slope.minimize(f, slope.vec.zeros(11), {method = m})
      check.truthy(res.success, m .. ": " .. res.message)
      check.near(res.f, ref.f, 1e-12 * ref.f, m .. " reaches scripts/reference/datasets.py's optimum")
    end
    local gn = slope.minimize(f, slope.vec.zeros(11), {method = "gauss_newton"})
    check.eq(gn.nit, 1, "a linear problem: one Gauss-Newton step")
    local f0 = slope.obj.residuals{X = X, y = D.y}
    check.eq(f0.m, #D.y)
  end)

  it("works with every gradient method, as a plain objective", function()
    local f = slope.obj.residuals{m = 50, dim = 3, r = decay_r, J = decay_J}
    local ref = slope.minimize(f, {1, 1, 0}, {method = "lm"})
    for _, m in ipairs{"gd", "cg", "bfgs", "lbfgs", "newton_cg", "trust_ncg"} do
      local res = slope.minimize(f, {1, 1, 0}, {method = m, maxiter = 20000, gtol = 1e-8})
      check.truthy(math.abs(res.f - ref.f) < 1e-7, m .. " f = " .. res.f)
    end
  end)
end)

describe("residual objectives' curvature", function()
  it("is flagged as a model: exact_hvp is false, hvp_kind says gauss_newton", function()
    local f = slope.obj.mgh(1)
    check.eq(f.exact_hvp, false); check.eq(f.hvp_kind, "gauss_newton")
    check.eq(slope.obj.rosenbrock(2).exact_hvp, true)
  end)
end)
