-- dfo_spec.lua — issue 15, derivative-free and Newton variants: nelder_mead on the 2-D
-- test functions and on value-only Lua functions (never a gradient), more_thuente and
-- nonmonotone through slope.minimize, newton and dogleg (quadratics, Rosenbrock,
-- logistic regression on breast_cancer), slope.minimize_scalar against known minima.
-- Reference numbers from scipy 1.10 (Debian) are named where used.

local D = slope.data.load("breast_cancer")
local logistic = slope.obj.logistic{X = slope.data.standardize(D.X), y = D.y, l2 = 1e-2}

local function nearest(f, x)
  local best = math.huge
  for _, m in ipairs(f.minimizers) do best = math.min(best, (x - m):abs():max()) end
  return best
end

describe("nelder_mead", function()
  it("reaches a documented minimizer of the 2-D test functions without a gradient", function()
    local starts = {rosenbrock = {-1.2, 1}, beale = {1, 1}, booth = {0, 0}, himmelblau = {0, 0},
                    styblinski_tang = {-2, -2}}
    for name, x0 in pairs(starts) do
      local f = name == "styblinski_tang" and slope.obj[name](2) or slope.obj[name]()
      local r = slope.minimize(f, x0, {method = "nelder_mead", xatol = 1e-9, fatol = 1e-12, maxiter = 5000})
      check.eq(r.status, "converged", name .. ": " .. r.message)
      check.truthy(r.success)
      check.truthy(nearest(f, r.x) < 1e-6, name .. " x " .. tostring(r.x))
      check.near(r.f, f.fmin, 1e-9, name)
      check.eq(r.ngev, 0, name)
      check.eq(r.nhvp, 0, name)
      check.eq(r.jac, nil, name)
      check.eq(r.gnorm, nil, name)
      check.eq(r.method, "nelder_mead")
    end
  end)

  it("matches scipy's adaptive Nelder-Mead step for step on Rosenbrock", function()
    -- scipy.optimize.minimize(rosen, [-1.2, 1], method="Nelder-Mead",
    --   options={"adaptive": True}): nit 85, nfev 159, x = [1.00002202, 1.00004222]
    local r = slope.minimize(slope.obj.rosenbrock(2), {-1.2, 1}, {method = "nelder_mead"})
    check.eq(r.nit, 85); check.eq(r.nfev, 159)
    check.near(r.x[1], 1.00002202, 1e-8); check.near(r.x[2], 1.00004222, 1e-8)
  end)

  it("calls a plain Lua function for values only: no g, no finite differences", function()
    local calls, with_g = 0, 0
    local function f(x, g)
      calls = calls + 1
      if g then with_g = with_g + 1 end
      return (x[1] - 1)^2 + 10 * (x[2] + 2)^2 + (x[3] - 0.5)^4
    end
    local r = slope.minimize(f, {0, 0, 0}, {method = "nelder_mead", xatol = 1e-8, fatol = 1e-14, maxiter = 5000})
    check.eq(with_g, 0)
    check.eq(r.nfev, calls)
    check.eq(r.jac_approx, nil)
    check.near(r.x[1], 1, 1e-6); check.near(r.x[2], -2, 1e-6); check.near(r.x[3], 0.5, 2e-3)
    -- the same function through slope.obj.lua with a value only
    local o = slope.obj.lua{dim = 3, value = function(x) return f(x) end}
    calls, with_g = 0, 0
    r = slope.minimize(o, {0, 0, 0}, {method = "nelder_mead"})
    check.eq(r.status, "converged"); check.eq(with_g, 0); check.eq(r.ngev, 0)
  end)

  it("a value-only function under lbfgs points at nelder_mead", function()
    local r = slope.minimize(function(x) return (x[1] - 3)^2 end, {0}, {method = "lbfgs"})
    check.truthy(r.message:find('method = "nelder_mead" needs no gradient', 1, true), r.message)
    local r2 = slope.minimize(slope.obj.rosenbrock(2), {-1.2, 1}, {method = "lbfgs"})
    check.truthy(not r2.message:find("nelder_mead", 1, true), r2.message)
  end)

  it("steps, runs, records history, calls back, keeps budgets and an initial simplex", function()
    local f = slope.obj.rosenbrock(2)
    local s = slope.solver(f, {-1.2, 1}, {method = "nelder_mead", initial_simplex = {{-1.2, 1}, {-1, 1}, {-1.2, 1.3}}})
    local i1 = s:step()
    check.eq(i1.operation, "initial simplex"); check.eq(i1.nit, 1); check.eq(i1.gnorm, nil)
    local st = s:state()
    check.eq(#st.simplex, 3); check.eq(st.fsim[1], i1.f)
    check.veq(st.simplex[2], {-1.2, 1.3}, 0) -- sorted by value: f(-1.2, 1.3) < f(-1, 1)
    local i2 = s:step()
    check.truthy(({reflect = 1, expand = 1, ["contract outside"] = 1, ["contract inside"] = 1, shrink = 1})[i2.operation], i2.operation)
    check.truthy(i2.f <= i1.f)
    local seen = 0
    local r = s:run{maxiter = 2000, history = true, callback = function(info)
      seen = seen + 1
      check.truthy(info.f and info.x and info.g == nil and info.gnorm == nil)
    end}
    check.eq(r.status, "converged"); check.eq(#r.history.f, seen + 1)
    for k = 2, #r.history.f do check.truthy(r.history.f[k] <= r.history.f[k - 1]) end
    check.truthy(nearest(f, r.x) < 1e-3)
    -- budgets and the callback stop in words
    local rm = slope.minimize(f, {-1.2, 1}, {method = "nelder_mead", maxfev = 40})
    check.eq(rm.status, "maxfev"); check.truthy(rm.nfev >= 40 and rm.nfev <= 44, rm.nfev)
    check.truthy(rm.message:find("with f = ", 1, true) and not rm.message:find("nan"), rm.message)
    local ri = slope.minimize(f, {-1.2, 1}, {method = "nelder_mead", maxiter = 7})
    check.eq(ri.status, "maxiter"); check.eq(ri.nit, 7)
    local rc = slope.minimize(f, {-1.2, 1}, {method = "nelder_mead", callback = function(info) return info.nit >= 3 end})
    check.eq(rc.status, "callback"); check.eq(rc.nit, 3)
    local rt = slope.minimize(f, {-1.2, 1}, {method = "nelder_mead", maxtime = 1e-9})
    check.eq(rt.status, "maxtime")
    -- a slope.mat initial simplex is the same as the table
    local m = slope.mat{{-1.2, 1}, {-1, 1}, {-1.2, 1.3}}
    local a = slope.minimize(f, {9, 9}, {method = "nelder_mead", initial_simplex = m})
    local b = slope.minimize(f, {-1.2, 1}, {method = "nelder_mead", initial_simplex = {{-1.2, 1}, {-1, 1}, {-1.2, 1.3}}})
    check.eq(a.nfev, b.nfev); check.veq(a.x, b.x, 0)
  end)

  it("minimizes a data objective (logistic regression) to lbfgs's value", function()
    -- the first four standardized features: a 4-parameter data objective
    local XS, rows = slope.data.standardize(D.X), {}
    for i = 1, #XS do rows[i] = {XS[i][1], XS[i][2], XS[i][3], XS[i][4]} end
    local small = slope.obj.logistic{X = slope.mat(rows), y = D.y, l2 = 1e-2}
    local ref = slope.minimize(small, slope.vec.zeros(small.dim), {gtol = 1e-9})
    local r = slope.minimize(small, slope.vec.zeros(small.dim), {method = "nelder_mead", maxiter = 200000, maxfev = 200000, xatol = 1e-7, fatol = 1e-12})
    check.eq(r.ngev, 0)
    check.truthy(r.f - ref.f < 1e-3 * math.abs(ref.f), ("%g vs %g (%s)"):format(r.f, ref.f, r.message))
  end)
end)

describe("more_thuente and nonmonotone through slope.minimize", function()
  it("lbfgs with more_thuente converges where the default does, at about its cost", function()
    local total_d, total_m = 0, 0
    local probs = {{slope.obj.rosenbrock(2), {-1.2, 1}}, {slope.obj.rosenbrock(10), nil},
                   {slope.obj.beale(), {1, 1}}, {slope.obj.himmelblau(), {0, 0}},
                   {slope.obj.styblinski_tang(5), {0.5, -0.5, 0.5, -0.5, 0.5}},
                   {logistic, slope.vec.zeros(logistic.dim)}}
    for k, p in ipairs(probs) do
      local x0 = p[2] or (function() local v = slope.vec.zeros(p[1].dim); for i = 1, #v do v[i] = i % 2 == 1 and -1.2 or 1 end return v end)()
      local d = slope.minimize(p[1], x0, {method = "lbfgs"})
      local m = slope.minimize(p[1], x0, {method = "lbfgs", linesearch = slope.linesearch.more_thuente{}})
      check.eq(m.status, d.status, "problem " .. k)
      check.near(m.f, d.f, 1e-6 * math.max(1, math.abs(d.f)), "problem " .. k)
      total_d, total_m = total_d + d.nfev, total_m + m.nfev
    end
    check.truthy(total_m <= 1.15 * total_d, ("more_thuente %d vs default %d evaluations"):format(total_m, total_d))
  end)

  it("each step of more_thuente satisfies strong Wolfe (ftol, gtol) in the step records", function()
    local s = slope.solver(slope.obj.rosenbrock(4), {-1.2, 1, -1.2, 1},
                           {method = "lbfgs", linesearch = slope.linesearch.more_thuente{ftol = 1e-3, gtol = 0.5}})
    for _ = 1, 20 do
      local info = s:step()
      if info.status ~= "ok" then break end
      local ls = info.linesearch
      check.truthy(ls.armijo and ls.curvature, "step " .. info.nit)
      check.truthy(math.abs(ls.dphi) <= 0.5 * math.abs(info.gd) + 1e-15, "step " .. info.nit)
    end
  end)

  it("nonmonotone converges on Rosenbrock with gd and lbfgs, and accepts rises of f", function()
    for _, m in ipairs{"gd", "lbfgs"} do
      local r = slope.minimize(slope.obj.rosenbrock(2), {-1.2, 1},
                               {method = m, linesearch = slope.linesearch.nonmonotone{memory = 10}, maxiter = 50000, gtol = 1e-6, history = true})
      check.eq(r.status, "converged", m .. ": " .. r.message)
      check.near(r.x[1], 1, 1e-5, m); check.near(r.x[2], 1, 1e-5, m)
      if m == "gd" then
        local rises = 0
        for k = 2, #r.history.f do if r.history.f[k] > r.history.f[k - 1] then rises = rises + 1 end end
        check.truthy(rises > 0, "nonmonotone gd never let f rise")
        -- bounded by the max of the last 10 values (GLL)
        for k = 11, #r.history.f do
          local mx = -math.huge
          for j = k - 10, k - 1 do mx = math.max(mx, r.history.f[j]) end
          check.truthy(r.history.f[k] <= mx, "step " .. k)
        end
      end
    end
    -- memory = 1 is monotone Armijo
    local r1 = slope.minimize(slope.obj.rosenbrock(2), {-1.2, 1}, {method = "gd", linesearch = slope.linesearch.nonmonotone{memory = 1}, maxiter = 300, history = true})
    for k = 2, #r1.history.f do check.truthy(r1.history.f[k] <= r1.history.f[k - 1]) end
  end)

  it("standalone runs: more_thuente gives a strong Wolfe step, nonmonotone plain Armijo", function()
    local f = slope.obj.rosenbrock(2)
    local x = slope.vec{-1.2, 1}
    local d = -1 * f:grad(x)
    local a, info = slope.linesearch.more_thuente(f, x, d)
    check.truthy(a and info.armijo and info.curvature)
    local a2 = slope.linesearch.nonmonotone(f, x, d, {a0 = 1})
    local a3 = slope.linesearch.armijo(f, x, d, {a0 = 1})
    check.eq(a2, a3)
    check.truthy(tostring(slope.linesearch.more_thuente{}):find("ftol=", 1, true))
    check.truthy(tostring(slope.linesearch.nonmonotone{}):find("memory=10", 1, true))
  end)
end)

describe("newton and dogleg", function()
  it("newton solves a quadratic in one step, dogleg too when the radius allows", function()
    local q = slope.obj.quadratic{eigs = {0.5, 3, 40, 900}, seed = 3}
    for _, m in ipairs{"newton", "dogleg"} do
      local r = slope.minimize(q, {1, -1, 2, 0.5}, {method = m, radius = 1e3, max_radius = 1e4, gtol = 1e-9})
      check.eq(r.status, "converged", m); check.eq(r.nit, 1, m)
      check.truthy(r.f < 1e-20, m)
    end
    local s = slope.solver(q, {1, -1, 2, 0.5}, {method = "dogleg", radius = 1e-2})
    local i = s:step()
    check.eq(i.inner_stop, "cauchy"); check.near(i.step_norm <= 1e-2 and 1 or 0, 1, 0)
  end)

  it("reach Rosenbrock's minimizer and the logistic optimum of lbfgs", function()
    for _, m in ipairs{"newton", "dogleg"} do
      local r = slope.minimize(slope.obj.rosenbrock(3), {-1.2, 1, -1.2}, {method = m})
      check.eq(r.status, "converged", m .. ": " .. r.message)
      check.veq(r.x, {1, 1, 1}, 1e-5)
      local ref = slope.minimize(logistic, slope.vec.zeros(logistic.dim), {gtol = 1e-8})
      local rl = slope.minimize(logistic, slope.vec.zeros(logistic.dim), {method = m, gtol = 1e-8})
      check.eq(rl.status, "converged", m)
      check.near(rl.f, ref.f, 1e-10, m)
      check.truthy(rl.nit < 30, m .. " nit " .. rl.nit)
    end
  end)

  it("on Lua objectives: fg with exact gradients and a plain function", function()
    local function fg(x, g)
      local a, b = 1 - x[1], x[2] - x[1]^2
      if g then g[1] = -2*a - 400*x[1]*b; g[2] = 200*b end
      return a*a + 100*b*b
    end
    for _, m in ipairs{"newton", "dogleg"} do
      local r = slope.minimize(slope.obj.lua{dim = 2, fg = fg}, {-1.2, 1}, {method = m})
      check.eq(r.status, "converged", m); check.veq(r.x, {1, 1}, 1e-4)
      local r2 = slope.minimize(fg, {-1.2, 1}, {method = m})
      check.eq(r2.status, "converged", m); check.veq(r2.x, {1, 1}, 1e-4)
    end
  end)

  it("shift an indefinite Hessian and say so (info.tau)", function()
    for _, m in ipairs{"newton", "dogleg"} do
      local s = slope.solver(slope.obj.himmelblau(), {-0.27, -0.92}, {method = m})
      local i = s:step()
      check.truthy(i.tau > 0, m)
      local r = s:run()
      check.eq(r.status, "converged", m); check.truthy(r.f < 1e-10, m)
    end
  end)
end)

describe("slope.minimize_scalar", function()
  local function quart(x) return (x - 2)^2 * (x + 1)^2 + x end
  it("brent and golden from a bracket, as scipy", function()
    -- scipy minimize_scalar(quart, bracket=(0, 1)): x -1.052741308154248, nfev 15, nit 11
    local r = slope.minimize_scalar(quart, {bracket = {0, 1}})
    check.near(r.x, -1.052741308154248, 1e-8); check.eq(r.nfev, 15); check.eq(r.nit, 11)
    check.eq(r.status, "converged"); check.truthy(r.success); check.eq(r.method, "brent")
    check.eq(#r.bracket, 3); check.eq(r.fun, r.f)
    local g = slope.minimize_scalar(quart, {bracket = {0, 1}, method = "golden"})
    check.near(g.x, -1.052741308154248, 1e-7); check.eq(g.method, "golden")
    local c = slope.minimize_scalar(math.cos, {bracket = {2, 3, 4}}, {xtol = 1e-10})
    check.near(c.x, math.pi, 1e-9)
    local n = 0
    local e = slope.minimize_scalar(function(x) n = n + 1; return math.exp(x) - 2 * x end, {bracket = {-5, -4}})
    check.near(e.x, math.log(2), 1e-7); check.eq(e.nfev, n)
  end)

  it("bounded on an interval: inside, at a kink, at a bound", function()
    -- scipy minimize_scalar(quart, bounds=(-3, 5), method="bounded"): x 1.9410100871591847, nfev 13
    local r = slope.minimize_scalar(quart, {bounds = {-3, 5}})
    check.near(r.x, 1.9410100871591847, 1e-5); check.eq(r.nfev, 13); check.eq(r.method, "bounded")
    check.near(slope.minimize_scalar(function(x) return math.abs(x - 0.3) end, {bounds = {0, 1}}).x, 0.3, 1e-5)
    local b = slope.minimize_scalar(function(x) return x end, {bounds = {1, 2}}, {xatol = 1e-8})
    check.truthy(b.x >= 1 and b.x - 1 < 1e-7, b.x)
  end)

  it("stops in words: maxiter, maxfev, no bracket; f's errors pass through", function()
    local r = slope.minimize_scalar(quart, {bracket = {0, 1}, maxiter = 2})
    check.eq(r.status, "maxiter"); check.truthy(not r.success)
    r = slope.minimize_scalar(quart, {bracket = {0, 1}}, {maxfev = 6})
    check.eq(r.status, "maxfev"); check.eq(r.nfev, 6)
    r = slope.minimize_scalar(function(x) return -x end, {bracket = {0, 1}})
    check.eq(r.status, "no_bracket"); check.truthy(r.message:find("unbounded", 1, true))
    check.errors(function() slope.minimize_scalar(function() error("boom") end, {bracket = {0, 1}}) end, "boom")
    check.errors(function() slope.minimize_scalar(function() return "x" end, {bracket = {0, 1}}) end,
      "slope.minimize_scalar: f(0) returned string, expected a number")
  end)
end)
