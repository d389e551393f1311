-- minimize_spec.lua — slope.minimize, slope.solver and slope.flow on small
-- objectives written here as Lua functions f(x, g) -> value.

local function rosen(x, g)
  local a, b = 1 - x[1], x[2] - x[1]^2
  if g then g[1] = -2*a - 400*x[1]*b; g[2] = 200*b end
  return a*a + 100*b*b
end

-- f = 1/2 sum a_i x_i^2 - b'x
local A, B = {1, 3, 5, 7, 10}, {1, -1, 2, 0.5, -3}
local function quad(x, g)
  local s = 0
  for i = 1, #A do
    s = s + 0.5*A[i]*x[i]^2 - B[i]*x[i]
    if g then g[i] = A[i]*x[i] - B[i] end
  end
  return s
end

-- f = x^4/4 - x^2/2 + y^2/2: saddle at 0, minima (+-1, 0)
local function saddle(x, g)
  if g then g[1] = x[1]^3 - x[1]; g[2] = x[2] end
  return x[1]^4/4 - x[1]^2/2 + x[2]^2/2
end

describe("slope.minimize", function()
  it("lbfgs solves Rosenbrock from (-1.2, 1) to max|g| < 1e-8 in few iterations", function()
    local res = slope.minimize(rosen, {-1.2, 1}, {method = "lbfgs", gtol = 1e-8})
    check.eq(res.status, "converged")
    check.truthy(res.gnorm < 1e-8)
    check.truthy(res.nit < 60, "nit " .. res.nit)
    check.veq(res.x, {1, 1}, 1e-7)
    check.truthy(res.nfev >= res.nit and res.ngev == res.nfev)
    check.eq(res.skipped, 0)
  end)

  it("every method reaches the optimum of Rosenbrock and of a quadratic", function()
    local cases = {
      {method = "bfgs"}, {method = "cg", beta = "fr"}, {method = "cg", beta = "pr+"}, {method = "cg", beta = "hz"},
      {method = "cg", beta = "hz", linesearch = "hager_zhang"}, {method = "newton_cg"}, {method = "trust_ncg"},
      {method = "lbfgs", linesearch = slope.linesearch.wolfe{}}, {method = "bfgs", linesearch = slope.linesearch.armijo},
      {method = "gd", linesearch = slope.linesearch.strong_wolfe{c2 = 0.5}},
    }
    for _, c in ipairs(cases) do
      local name = c.method .. " " .. tostring(c.beta or c.linesearch or "")
      if c.method ~= "gd" then
        c.gtol, c.maxiter = 1e-6, 5000
        local r = slope.minimize(rosen, {-1.2, 1}, c)
        check.eq(r.status, "converged", name .. ": " .. r.message)
        check.veq(r.x, {1, 1}, 1e-4, name)
      end
      c.gtol, c.maxiter = 1e-9, 3000
      local q = slope.minimize(quad, {0, 0, 0, 0, 0}, c)
      check.eq(q.status, "converged", name .. " (quadratic): " .. q.message)
      for i = 1, 5 do check.near(q.x[i], B[i]/A[i], 1e-7, name) end
    end
  end)

  it("gd with lr = 1/L on a quadratic follows the closed-form contraction", function()
    local x0 = {2, 2, 2, 2, 2}
    local res = slope.minimize(quad, x0, {method = "gd", lr = 1/10, gtol = 0, maxiter = 30, history = true})
    check.eq(res.status, "maxiter")
    check.eq(res.nit, 30)
    for i = 1, 5 do
      local xs = B[i]/A[i]
      check.near(res.x[i], xs + (1 - A[i]/10)^30 * (x0[i] - xs), 1e-12)
    end
    check.eq(#res.history.f, 31)
    check.eq(res.history.step[2], 0.1)
    for k = 2, 31 do check.truthy(res.history.f[k] <= res.history.f[k-1]) end
  end)

  it("trust_ncg leaves a saddle started 1e-8 away", function()
    local res = slope.minimize(saddle, {1e-8, 1e-8}, {method = "trust_ncg", gtol = 1e-10})
    check.eq(res.status, "converged", res.message)
    check.near(math.abs(res.x[1]), 1, 1e-6)
    check.near(res.f, -0.25, 1e-10)
    -- and on x^2 - y^2 (unbounded below) it runs away from the saddle
    local hyper = function(x, g) if g then g[1] = 2*x[1]; g[2] = -2*x[2] end return x[1]^2 - x[2]^2 end
    local r2 = slope.minimize(hyper, {1e-8, 1e-8}, {method = "trust_ncg", gtol = 1e-12, maxiter = 10})
    check.truthy(math.abs(r2.x[2]) > 1, "left along y: " .. tostring(r2.x))
    check.truthy(r2.f < -1)
  end)

  it("shrinks the step where f is NaN instead of stopping", function()
    local f = function(x, g)
      for i = 1, 5 do if math.abs(x[i]) > 3 then if g then for k = 1, 5 do g[k] = 0/0 end end return 0/0 end end
      return quad(x, g)
    end
    for _, m in ipairs{"cg", "bfgs", "lbfgs", "newton_cg"} do
      local r = slope.minimize(f, {0, 0, 0, 0, 0}, {method = m, gtol = 1e-8, linesearch = slope.linesearch.armijo{a0 = 100}})
      check.eq(r.status, "converged", m .. ": " .. r.message)
    end
    local r = slope.minimize(f, {0, 0, 0, 0, 0}, {method = "trust_ncg", radius = 100, gtol = 1e-8})
    check.eq(r.status, "converged", r.message)
    local g = slope.minimize(f, {2.9, 0, 0, 0, 0}, {method = "gd", lr = 1e3, maxiter = 3, gtol = 0})
    check.truthy(g.f == g.f, "gd with a huge lr stays finite")
  end)

  it("accepts a Lua line search function(phi, a0, phi0, dphi0)", function()
    local calls = 0
    local bt = function(phi, a0, phi0, dphi0)
      calls = calls + 1
      local a = a0
      while phi(a) > phi0 + 1e-4*a*dphi0 do a = a/2 end
      return a
    end
    local r = slope.minimize(quad, {0, 0, 0, 0, 0}, {method = "lbfgs", linesearch = bt, gtol = 1e-8})
    check.eq(r.status, "converged", r.message)
    check.eq(calls, r.nit)
  end)

  it("stops when the callback returns true and passes what it did", function()
    local seen = {}
    local r = slope.minimize(rosen, {-1.2, 1}, {callback = function(info)
      seen[#seen + 1] = info.f
      check.eq(#info.x, 2)
      return info.nit >= 3
    end})
    check.eq(r.status, "callback")
    check.eq(r.nit, 3)
    check.eq(#seen, 3)
  end)

  it("runs optimizer objects (anything with step(self, x, g))", function()
    local sgd = {lr = 0.05, step = function(self, x, g) x:axpy(-self.lr, g) end}
    local r = slope.minimize(quad, {0, 0, 0, 0, 0}, {method = sgd, maxiter = 500, gtol = 1e-9})
    check.eq(r.status, "converged")
    for i = 1, 5 do check.near(r.x[i], B[i]/A[i], 1e-8) end
    check.eq(r.method, "optimizer")
    local r2 = slope.minimize(quad, {0, 0, 0, 0, 0}, {method = sgd, maxiter = 7, gtol = 0})
    check.eq(r2.status, "maxiter"); check.eq(r2.nit, 7); check.eq(r2.nfev, 8)
    if slope.optim and slope.optim.adam then
      local r3 = slope.minimize(quad, {0, 0, 0, 0, 0}, {method = slope.optim.adam{lr = 0.05}, maxiter = 3000, gtol = 1e-6})
      check.eq(r3.status, "converged")
    end
  end)

  it("runs every method through one loop: hooks, errors and the solver's status", function()
    -- an optimizer's error reaches the caller as raised
    local bad = {step = function() error("step broke") end}
    check.errors(function() slope.minimize(quad, {0, 0, 0, 0, 0}, {method = bad}) end, "step broke")
    check.errors(function() slope.minimize(quad, {0, 0, 0, 0, 0}, {method = "bfgs", callback = function() error("cb broke") end}) end,
      "slope.minimize: callback raised an error: ")
    -- a callback that steps the same solver: the run goes on with its own hooks
    for _, m in ipairs{"lbfgs", {step = function(self, x, g) x:axpy(-0.05, g) end}} do
      local s = slope.solver(quad, {0, 0, 0, 0, 0}, {method = m})
      local inner = 0
      local r = s:run{maxiter = 20, callback = function(info)
        if info.nit % 3 == 0 and inner < 3 then inner = inner + 1; s:step() end
      end}
      check.truthy(r.nit <= 20 and r.nit >= 1, r.message)
      check.eq(inner >= 1 or r.status == "converged", true)
    end
    -- the solver's status and message after a run are the run's
    local s = slope.solver(rosen, {-1.2, 1}, {method = "gd"})
    local r = s:run{maxiter = 3}
    check.eq(s.status, "maxiter"); check.eq(s.message, r.message)
    r = s:run{maxiter = 30, callback = function(info) return info.nit >= 5 end}
    check.eq(r.status, "callback"); check.eq(s.status, "callback"); check.eq(s.nit, 5)
    local info = s:step()
    check.eq(info.status, "ok"); check.eq(s.status, "ok")
  end)

  it("documents every option it accepts (the keys come from the method table)", function()
    local ok, err = pcall(slope.minimize, quad, {0, 0, 0, 0, 0}, {no_such_option = 1})
    check.truthy(not ok)
    local list = tostring(err):match("expected one of: (.*)%)")
    check.truthy(list, tostring(err))
    local mdoc, sdoc = slope._helpdb["slope.minimize"].doc, slope._helpdb["slope.solver"].doc
    local n = 0
    for key in list:gmatch("[%w_]+") do
      n = n + 1
      check.truthy(mdoc:find(key, 1, true), "slope.minimize's help names " .. key)
      check.truthy(sdoc:find(key, 1, true), "slope.solver's help names " .. key)
    end
    check.truthy(n >= 21, list)
    -- "optimizer" is the method of optimizer objects, not a name to give
    -- (the list goes on with the methods added after trust_ncg; "optimizer" is not in it)
    check.errors(function() slope.minimize(quad, {0, 0, 0, 0, 0}, {method = "optimizer"}) end,
      "unknown method 'optimizer' (expected one of: gd, cg, bfgs, lbfgs, newton_cg, trust_ncg, ")
    local _, merr = pcall(slope.minimize, quad, {0, 0, 0, 0, 0}, {method = "optimizer"})
    check.truthy(not tostring(merr):match("expected one of: [^)]*optimizer,"), tostring(merr))
    for _, m in ipairs{"gd", "cg", "bfgs", "lbfgs", "newton_cg", "trust_ncg"} do
      check.truthy(mdoc:find('"' .. m .. '"', 1, true), m)
    end
  end)

  it("reports errors in words", function()
    check.errors(function() slope.minimize(rosen, {-1.2, 1}, {method = "newton_raphson"}) end,
      "slope.minimize: unknown method 'newton_raphson' (expected one of: gd, cg, bfgs, lbfgs, newton_cg, trust_ncg")
    check.errors(function() slope.minimize(rosen, {-1.2, 1}, {gtol = -1}) end, "gtol must be a non-negative number, got -1")
    check.errors(function() slope.minimize(rosen, {-1.2, 1}, {gtol = 0/0}) end, "gtol must be a non-negative number")
    check.errors(function() slope.minimize(rosen, {-1.2, 1}, {maxiter = 1.5}) end, "maxiter must be an integer")
    check.errors(function() slope.minimize(rosen, {-1.2, 1}, {maxiter = -2}) end, "maxiter must be an integer >= 0")
    check.errors(function() slope.minimize(rosen, {-1.2, 1}, {tol = 1}) end, "unknown option 'tol'")
    check.errors(function() slope.minimize(rosen, {-1.2, 1}, {linesearch = 42}) end,
      "linesearch must be a slope.linesearch object, a name or a function")
    check.errors(function() slope.minimize(rosen, {-1.2, 1}, {linesearch = "backtrack"}) end, "unknown line search 'backtrack'")
    check.errors(function() slope.minimize(rosen, {-1.2, 1}, {method = "cg", beta = "xx"}) end, "beta must be")
    check.errors(function() slope.minimize(rosen, {-1.2, 1}, {method = "lbfgs", lr = 0.1}) end, "lr is an option of method \"gd\"")
    check.errors(function() slope.minimize(rosen, {-1.2, 1}, {method = "trust_ncg", linesearch = "armijo"}) end, "trust_ncg takes no linesearch")
    check.errors(function() slope.minimize(rosen, {-1.2, 1}, {callback = 3}) end, "callback must be a function")
    check.errors(function() slope.minimize(rosen, {-1.2, 1}, {callback = function() error("cb went wrong") end}) end,
      "slope.minimize: callback raised an error: ")
    check.errors(function() slope.minimize(rosen, {-1.2, 1}, {callback = function() error("cb went wrong") end}) end, "cb went wrong")
    check.errors(function() slope.minimize(rosen, {-1.2, 1}, {linesearch = function() return "far" end}) end,
      "slope.minimize: line search failed at iteration 1: the Lua line search returned a string, expected a step length")
    check.errors(function() slope.minimize(rosen, {-1.2, 1}, {linesearch = function() return 0/0 end}) end,
      "the Lua line search returned nan")
    check.errors(function() slope.minimize(rosen, {-1.2, 1}, {linesearch = function() error("ls broke") end}) end, "ls broke")
    check.errors(function() slope.minimize(function() error("objective broke") end, {1, 2}) end, "objective broke")
    check.errors(function() slope.minimize(function() return "x" end, {1, 2}) end, "returned string, expected a number")
    check.errors(function() slope.minimize(quad, {1, 2}) end, "") -- quad reads x[3]: vec index out of range
    check.errors(function() slope.minimize(function(x) return 0/0 end, {1, 2}) end, "not finite")
    check.errors(function() slope.minimize(rosen, "x") end, "bad argument #2")
    local r = slope.minimize(rosen, {-1.2, 1}, {linesearch = function() return -1 end})
    check.eq(r.status, "linesearch_failed")
    check.truthy(r.message:find("a = -1: a step must be a positive finite number", 1, true), r.message)
  end)

  it("works on C objectives (slope.obj) and checks x0's length against them", function()
    -- f = 1/2 x'Ax - b'x with A = {{3, 1}, {1, 2}}, b = {1, 1}: x* = A^-1 b = (0.2, 0.4)
    local f = slope.spectrum.toy.quadratic({{3, 1}, {1, 2}}, {1, 1})
    check.errors(function() slope.minimize(f, {1, 2, 3}) end,
      "(dimension mismatch: x0 has 3 entries, expected 2)")
    check.errors(function() slope.solver(f, {1}) end, "dimension mismatch")
    local r = slope.minimize(f, {0, 0}, {method = "gd", linesearch = "exact_quadratic", gtol = 1e-12})
    check.eq(r.status, "converged")
    check.veq(r.x, {0.2, 0.4}, 1e-11)
    check.eq(r.nhvp, r.nit) -- one Hessian-vector product per exact step
    for _, m in ipairs{"newton_cg", "trust_ncg"} do
      local q = slope.minimize(f, {5, -5}, {method = m, gtol = 1e-12})
      check.eq(q.status, "converged"); check.veq(q.x, {0.2, 0.4}, 1e-10)
      check.truthy(q.nit <= 10, m .. " on a 2-D quadratic: " .. q.nit)
    end
    local t = slope.solver(f, {0, 0}, {method = "lbfgs"})
    check.eq(rawequal(t.x, t.x), true)
    t:run{maxiter = 50}
    check.veq(t.x, {0.2, 0.4}, 1e-6) -- s.x is a live view of the solver's point
  end)
end)

describe("slope.solver", function()
  it("steps one iteration at a time and says what it did", function()
    local s = slope.solver(rosen, {-1.2, 1}, {method = "lbfgs", m = 5})
    check.eq(s.nit, 0)
    check.near(s.f, 24.2, 1e-14)
    local info = s:step()
    check.eq(info.nit, 1); check.eq(s.nit, 1)
    check.truthy(info.f < info.f_prev)
    check.eq(#info.direction, 2)
    check.truthy(info.linesearch.ok)
    check.truthy(#info.linesearch.trials >= 1)
    check.eq(info.linesearch.trials[#info.linesearch.trials].a, info.step)
    check.near(s.f, rosen(s.x), 1e-15)
    for _ = 1, 6 do s:step() end
    local st = s:state()
    check.eq(#st.s, 5); check.eq(#st.y, 5); check.eq(st.m, 5)
    check.truthy(st.s[5]:dot(st.y[5]) > 0)
    local res = s:run{maxiter = 200}
    check.eq(res.status, "converged")
    check.veq(res.x, {1, 1}, 1e-4)
    check.truthy(tostring(s):find("solver lbfgs", 1, true))
  end)

  it("exposes each method's state", function()
    local b = slope.solver(quad, {0, 0, 0, 0, 0}, {method = "bfgs"}); b:step(); b:step()
    check.eq(select(1, b:state().H:shape()), 5)
    local H = b:state().H
    check.truthy(H:get(5, 5) > 0 and H:get(5, 5) < 0.2, "H approximates the inverse Hessian")
    local c = slope.solver(quad, {0, 0, 0, 0, 0}, {method = "cg", beta = "fr"}); c:step()
    check.eq(c:state().beta_rule, "fr")
    check.truthy(c:state().beta > 0)
    local t = slope.solver(saddle, {0.5, 0.5}, {method = "trust_ncg", radius = 0.3})
    check.eq(t:state().radius, 0.3)
    local info = t:step()
    check.eq(info.radius, 0.3); check.truthy(info.rho ~= nil); check.truthy(info.inner_stop ~= nil)
  end)
end)

describe("slope.flow", function()
  it("matches x(t) = x* + exp(-A t)(x0 - x*) on a quadratic", function()
    local x0 = {2, -1, 0.5, 3, 1}
    local r = slope.flow(quad, x0, {t = 0.8, rtol = 1e-10, atol = 1e-12, path = true})
    check.eq(r.status, "ok")
    check.eq(r.t, 0.8)
    for i = 1, 5 do
      local xs = B[i]/A[i]
      check.near(r.x[i], xs + math.exp(-A[i]*0.8)*(x0[i] - xs), 1e-8)
    end
    check.eq(#r.path.t, r.steps + 1)
    check.eq(#r.path.x, r.steps + 1)
    check.eq(r.path.t[1], 0.0)
    check.truthy(r.nfev >= 6*r.steps)
  end)

  it("agrees with gd at a small step", function()
    local lr, n = 1e-3, 500
    local g = slope.minimize(quad, {1, 1, 1, 1, 1}, {method = "gd", lr = lr, maxiter = n, gtol = 0})
    local fl = slope.flow(quad, {1, 1, 1, 1, 1}, {t = lr*n})
    for i = 1, 5 do check.near(g.x[i], fl.x[i], 1e-2) end
  end)

  it("rejects bad options and stops at max_steps", function()
    check.errors(function() slope.flow(quad, {1, 1, 1, 1, 1}, {t = -1}) end, "slope.flow: t must be a non-negative number")
    check.errors(function() slope.flow(quad, {1, 1, 1, 1, 1}, {rtol = 0}) end, "rtol must be a positive number")
    check.errors(function() slope.flow(quad, {1, 1, 1, 1, 1}, {dt = 1}) end, "unknown option 'dt'")
    check.errors(function() slope.flow(function() error("flow objective broke") end, {1}) end, "flow objective broke")
    local r = slope.flow(quad, {1, 1, 1, 1, 1}, {t = 100, max_steps = 3})
    check.eq(r.status, "max_steps"); check.eq(r.steps, 3)
    check.truthy(r.message:find("max_steps = 3", 1, true))
  end)
end)
