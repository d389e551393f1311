-- minimize_fd_spec.lua — issue 10: value-only objectives, gradients Lua code
-- never wrote, live views vs copies, scipy's result fields, stop budgets and
-- messages of slope.minimize / slope.solver / slope.check.grad.

local function rosen_value(x) return (1 - x[1])^2 + 100*(x[2] - x[1]^2)^2 end
local function rosen_fg(x, g)
  local a, b = 1 - x[1], x[2] - x[1]^2
  if g then g[1] = -2*a - 400*x[1]*b; g[2] = 200*b end
  return a*a + 100*b*b
end
local A, B = {1, 3, 5}, {1, -1, 2}
local function quad_value(x)
  local s = 0
  for i = 1, 3 do s = s + 0.5*A[i]*x[i]^2 - B[i]*x[i] end
  return s
end

describe("value-only objectives", function()
  it("a scipy-style function(x) return value end converges with a finite-difference gradient", function()
    for _, m in ipairs{"lbfgs", "bfgs"} do
      local r = slope.minimize(rosen_value, {-1.2, 1}, {method = m})
      check.eq(r.status, "converged", m .. ": " .. r.message)
      check.eq(r.success, true)
      check.veq(r.x, {1, 1}, 1e-5, m)
      check.eq(r.jac_approx, "finite differences")
      check.truthy(r.message:find("finite differences", 1, true), r.message)
      check.truthy(r.nfev > 4*r.nit, "nfev counts the difference evaluations: " .. r.nfev)
    end
    local q = slope.minimize(quad_value, {0, 0, 0}, {gtol = 1e-8})
    check.eq(q.status, "converged", q.message)
    for i = 1, 3 do check.near(q.x[i], B[i]/A[i], 1e-6) end
  end)

  it("newton_cg works on a value-only function (HVPs from differences of gradients)", function()
    local q = slope.minimize(quad_value, {0, 0, 0}, {method = "newton_cg", gtol = 1e-6})
    check.eq(q.status, "converged", q.message)
    for i = 1, 3 do check.near(q.x[i], B[i]/A[i], 1e-5) end
  end)

  it("a function that fills g keeps its exact gradient, also when it accumulates into g", function()
    local r = slope.minimize(rosen_fg, {-1.2, 1}, {gtol = 1e-8})
    check.eq(r.jac_approx, nil)
    check.truthy(not r.message:find("finite", 1, true))
    local acc = function(x, g)
      if g then for i = 1, 3 do g[i] = g[i] + A[i]*x[i]; g[i] = g[i] - B[i] end end
      return quad_value(x)
    end
    local q = slope.minimize(acc, {0, 0, 0}, {gtol = 1e-10})
    check.eq(q.status, "converged"); check.eq(q.jac_approx, nil)
    for i = 1, 3 do check.near(q.x[i], B[i]/A[i], 1e-9) end
    -- returning f, g counts as writing it
    local ret = function(x, g) local gg = slope.vec{0, 0}; rosen_fg(x, gg); return rosen_value(x), gg end
    check.eq(slope.minimize(ret, {-1.2, 1}).jac_approx, nil)
  end)

  it("a gradient a function wrote before and then stops writing is an error naming it", function()
    local calls = 0
    local f = function(x, g)
      calls = calls + 1
      if g and calls < 3 then rosen_fg(x, g) end
      return rosen_value(x)
    end
    local err = check.errors(function() slope.minimize(f, {-1.2, 1}) end, "left it unwritten")
    check.truthy(err:find("minimize_fd_spec.lua", 1, true), "names where the function is defined: " .. err)
  end)

  it("an obj.lua whose fg forgets g or rebinds it is caught and named", function()
    local forgets = slope.obj.lua{dim = 2, name = "forgetful", fg = function(x, g) return rosen_value(x) end}
    check.errors(function() slope.minimize(forgets, {-1.2, 1}) end, "slope.obj.lua 'forgetful': fg never wrote g")
    local rebinds = slope.obj.lua{dim = 2, fg = function(x, g) g = slope.vec{1, 2}; return rosen_value(x) end} -- luacheck: ignore 232
    check.errors(function() rebinds:grad{1, 2} end, "fg never wrote g")
    local grad_forgets = slope.obj.lua{dim = 2, value = rosen_value, grad = function(x, g) end}
    check.errors(function() grad_forgets:grad{1, 2} end, "grad never wrote g")
    local hvp_forgets = slope.obj.lua{dim = 2, fg = rosen_fg, hvp = function(x, v, hv) end}
    check.errors(function() hvp_forgets:hvp({1, 2}, {1, 0}) end, "hvp never wrote hv")
    -- accumulating into g (g starts at zero) keeps working
    local acc = slope.obj.lua{dim = 2, fg = function(x, g)
      local t = slope.vec.zeros(2); rosen_fg(x, t)
      for i = 1, 2 do g[i] = g[i] + t[i] end
      return rosen_value(x)
    end}
    check.veq(acc:grad{0.5, 0.5}, slope.obj.rosenbrock():grad{0.5, 0.5}, 1e-15)
    -- a true zero gradient (at the optimum) is not mistaken for "never written"
    check.veq(slope.obj.lua{dim = 2, fg = rosen_fg}:grad{1, 1}, {0, 0})
    local zero = function(x, g) if g then g[1] = -0.0 * x[1]; g[2] = -0.0 end return 0 end
    check.eq(slope.minimize(zero, {1, 1}).jac_approx, nil)
  end)

  it("slope.check.grad refuses a value-only objective instead of matching differences with themselves", function()
    check.errors(function() slope.check.grad(rosen_value, {1, 2}) end, "slope.check.grad: the objective has no analytic gradient")
    check.errors(function() slope.check.grad(slope.obj.lua{dim = 2, value = rosen_value}, {1, 2}) end, "no analytic gradient")
    local ok = slope.check.grad(rosen_fg, {1, 2})
    check.truthy(ok.ok and ok.max_rel_err < 1e-6)
    local wrong = function(x, g) if g then g[1] = -2*x[1]; g[2] = -2*x[2] end return x[1]^2 + x[2]^2 end
    local bad = slope.check.grad(wrong, {1, 2})
    check.eq(bad.ok, false)
  end)
end)

describe("copies and live views", function()
  it("a path stored from the callback is the real path", function()
    local path, gs = {}, {}
    local r = slope.minimize(rosen_fg, {-1.2, 1}, {callback = function(info)
      path[#path + 1] = info.x; gs[#gs + 1] = info.g
    end})
    check.eq(#path, r.nit)
    check.veq(path[#path], r.x)
    check.truthy(path[1][1] ~= path[#path][1], "the first stored point is not the last")
    local distinct = 0
    for k = 2, #path do if path[k][1] ~= path[k - 1][1] then distinct = distinct + 1 end end
    check.truthy(distinct > r.nit / 2)
    check.veq(gs[#gs], r.jac)
  end)

  it("history = {x = true} records the path; s:step() returns a copy of x; s.x stays a live view", function()
    local r = slope.minimize(rosen_fg, {-1.2, 1}, {history = {x = true}})
    check.eq(#r.history.x, r.nit + 1)
    check.veq(r.history.x[1], {-1.2, 1})
    check.veq(r.history.x[#r.history.x], r.x)
    local s = slope.solver(rosen_fg, {-1.2, 1})
    local i1 = s:step(); local i2 = s:step()
    check.truthy(i1.x[1] ~= i2.x[1])
    check.veq(i2.x, s.x)
    check.truthy(rawequal(s.x, s.x))
    check.errors(function() slope.minimize(rosen_fg, {1, 2}, {history = {y = true}}) end, "history: unknown field")
  end)
end)

describe("scipy's result fields and budgets", function()
  it("has success, fun, jac, message next to the existing fields", function()
    local r = slope.minimize(slope.obj.rosenbrock(), {-1.2, 1})
    check.eq(r.success, true); check.eq(r.fun, r.f)
    check.veq(r.jac, slope.obj.rosenbrock():grad(r.x), 1e-15)
    check.truthy(r.gnorm and r.nit and r.nfev and r.ngev and r.nhvp and r.skipped and r.method)
    check.eq(type(r.message), "string")
    local m = slope.minimize(slope.obj.rosenbrock(), {-1.2, 1}, {maxiter = 3})
    check.eq(m.success, false); check.eq(m.status, "maxiter"); check.eq(m.nit, 3)
  end)

  it("maxfev and maxtime stop with their own status", function()
    local r = slope.minimize(rosen_fg, {-1.2, 1}, {maxfev = 10, gtol = 0})
    check.eq(r.status, "maxfev"); check.eq(r.success, false)
    check.truthy(r.nfev >= 10 and r.nfev < 25, r.nfev)
    check.truthy(r.message:find("maxfev = 10", 1, true), r.message)
    local slow = function(x, g) local t = os.clock(); while os.clock() - t < 0.002 do end return rosen_fg(x, g) end
    local t = slope.minimize(slow, {-1.2, 1}, {maxtime = 0.02, gtol = 0, maxiter = 100000})
    check.eq(t.status, "maxtime")
    check.truthy(t.message:find("maxtime = 0.02", 1, true), t.message)
    local s = slope.solver(rosen_fg, {-1.2, 1}, {gtol = 0})
    check.eq(s:run{maxfev = 5}.status, "maxfev")
  end)

  it("disp / verbose print one line per iteration and the message", function()
    local lines = {}
    local saved = print
    print = function(s) lines[#lines + 1] = s end -- luacheck: ignore 121
    local ok, r = pcall(slope.minimize, rosen_fg, {-1.2, 1}, {disp = true, maxiter = 4})
    local ok2 = pcall(slope.minimize, rosen_fg, {-1.2, 1}, {verbose = true, maxiter = 2})
    print = saved -- luacheck: ignore 121
    check.truthy(ok and ok2, tostring(r))
    check.eq(#lines, 4 + 1 + 2 + 1)
    check.truthy(lines[1]:find("^%s+1  f = "), lines[1])
    check.truthy(lines[1]:find("max|g| = ", 1, true) and lines[1]:find("step = ", 1, true))
    check.eq(lines[5], r.message)
  end)
end)

describe("messages", function()
  it("a wrong-signed gradient failing at iteration 1 hints at slope.check.grad", function()
    local wrong = function(x, g) if g then g[1] = -2*x[1]; g[2] = -2*x[2] end return x[1]^2 + x[2]^2 end
    local r = slope.minimize(wrong, {1, 2})
    check.eq(r.status, "linesearch_failed")
    check.truthy(r.message:find("slope.check.grad(f, x0)", 1, true), r.message)
    local s = slope.solver(wrong, {1, 2})
    check.truthy(s:step().message:find("slope.check.grad", 1, true))
  end)

  it("s:run{maxiter = 5} after one step stops at nit = 5 and says so", function()
    local s = slope.solver(slope.obj.rosenbrock(), {-1.2, 1})
    s:step()
    local r = s:run{maxiter = 5}
    check.eq(r.nit, 5); check.eq(r.status, "maxiter")
    check.truthy(r.message:find("maxiter = 5", 1, true), r.message)
    local again = s:run{maxiter = 5}
    check.eq(again.nit, 5)
    check.truthy(again.message:find("already reached", 1, true), again.message)
    check.eq(s:run{maxiter = 200}.status, "converged")
  end)

  it("no -nan or -0 in messages", function()
    local f = function(x, g) if g then g[1] = 0/0 end return -(0/0) end
    local err = check.errors(function() slope.minimize(f, {1}) end, "not finite")
    check.truthy(not err:find("-nan", 1, true), err)
    for _, k in ipairs{"maxiter", "m", "gtol", "radius", "maxfev"} do
      local e = check.errors(function() slope.minimize(slope.obj.rosenbrock(), {1, 2}, {[k] = -(0/0)}) end, k)
      check.truthy(not e:find("-nan", 1, true), e)
      e = check.errors(function() slope.minimize(slope.obj.rosenbrock(), {1, 2}, {[k] = 0/0}) end, k)
      check.truthy(not e:find("-nan", 1, true), e)
    end
    local sink = function(x, g) if g then g[1] = 1 end return 0/0 * x[1] end
    local _, e = pcall(slope.minimize, sink, {0})
    check.truthy(not tostring(e):find("-nan", 1, true), tostring(e))
  end)

  it("the objective function returning nil names the function and slope.minimize", function()
    local e = check.errors(function() slope.minimize(function(x) end, {1, 2}) end, "slope.minimize: the objective function (defined at")
    check.truthy(e:find("returned nil", 1, true), e)
    check.errors(function() slope.solver(function(x) return {} end, {1, 2}) end, "slope.solver: the objective function")
  end)
end)

describe("__close", function()
  it("solver, line search and flow state close like they collect", function()
    do local s <close> = slope.solver(rosen_fg, {-1.2, 1}) end -- luacheck: ignore 211
    do local ls <close> = slope.linesearch.armijo{} end -- luacheck: ignore 211
    local s = slope.solver(rosen_fg, {-1.2, 1})
    local close = getmetatable(s).__close
    close(s); close(s)
    check.errors(function() return s:step() end, "the solver is closed")
    check.truthy(getmetatable(slope.linesearch.wolfe{}).__close)
  end)
  it("s.x and s.g (and views of them) kept past <close> still read the last point", function()
    local x, g, x1
    do
      local s <close> = slope.solver(slope.obj.rosenbrock(2), {-1.2, 1})
      s:step(); s:step()
      x, g, x1 = s.x, s.g, s.x:sub(1, 1)
    end
    collectgarbage(); collectgarbage()
    local want = slope.vec.zeros(2)
    slope.obj.rosenbrock(2):fg(x, want)
    check.veq(g, want, 1e-15)
    check.eq(x1[1], x[1])
    check.truthy(x[1] ~= -1.2 and x[1] == x[1], "the point after two steps")
  end)
end)

describe("optimizer objects", function()
  it("a step that returns a new x instead of updating it in place is followed", function()
    local pure = {step = function(self, x, g) return x - 0.1 * g end}
    local r = slope.minimize(function(x, g) if g then g[1] = x[1] - 1 end return 0.5*(x[1] - 1)^2 end, {0},
                             {method = pure, maxiter = 500, gtol = 1e-8})
    check.eq(r.status, "converged"); check.near(r.x[1], 1, 1e-7)
    check.errors(function() slope.minimize(rosen_fg, {1, 2}, {method = {step = function() return slope.vec{1} end}}) end,
      "slope.minimize: the optimizer's step returned a vec of length 1, expected 2")
  end)
end)

describe("slope.check.hvp", function()
  it("says when f:hvp is itself differences of gradients", function()
    local r = slope.check.hvp(rosen_fg, {1, 2}, {1, 0})
    check.eq(r.exact_hvp, false); check.truthy(r.note:find("two difference schemes", 1, true))
    local e = slope.check.hvp(slope.obj.rosenbrock(), {1, 2}, {1, 0})
    check.eq(e.exact_hvp, true); check.eq(e.note, nil); check.truthy(e.ok)
  end)
end)

describe("closed objectives", function()
  it("minimize and the line searches say the objective is closed", function()
    local f = slope.obj.rosenbrock(2)
    f:close()
    check.errors(function() slope.minimize(f, { 1, 2 }) end, "the objective is closed")
    check.errors(function() slope.linesearch.armijo{}:run(f, { 1, 2 }, { -1, 0 }) end, "the objective is closed")
  end)
end)
