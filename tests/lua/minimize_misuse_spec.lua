-- minimize_misuse_spec.lua — issue 10: every option of slope.minimize,
-- slope.solver (and s:step/s:run/s:state), the line searches (constructors and
-- ls:run) and slope.check.grad given each wrong type: an error that names the
-- function and the option, never "attempt to ...", never "-nan".

local D = slope.data.load("breast_cancer")
local logistic = slope.obj.logistic{X = slope.data.standardize(D.X), y = D.y, l2 = 1e-3}
local function rosen_fg(x, g)
  local a, b = 1 - x[1], x[2] - x[1]^2
  if g then g[1] = -2*a - 400*x[1]*b; g[2] = 200*b end
  return a*a + 100*b*b
end
local objectives = {
  {"rosenbrock", slope.obj.rosenbrock(), {-1.2, 1}},
  {"logistic", logistic, slope.vec.zeros(logistic.dim)},
  {"obj.lua", slope.obj.lua{dim = 2, fg = rosen_fg}, {-1.2, 1}},
  {"function", rosen_fg, {-1.2, 1}},
}

local function fresh_bad()
  return {
    {"3", 3}, {"-1", -1}, {"0", 0}, {"1.5", 1.5}, {"nan", 0/0}, {"-nan", -(0/0)}, {"inf", math.huge},
    {"string", "fast"}, {"true", true}, {"table", {}}, {"function", function() end}, {"vec", slope.vec{1, 2}},
  }
end

-- which of the bad values each option accepts (by label)
local accepts = {
  method = {}, linesearch = {["function"] = true}, beta = {},
  gtol = {["3"] = true, ["0"] = true, ["1.5"] = true}, ftol = {["3"] = true, ["0"] = true, ["1.5"] = true},
  xtol = {["3"] = true, ["0"] = true, ["1.5"] = true}, maxtime = {["3"] = true, ["0"] = true, ["1.5"] = true},
  maxiter = {["3"] = true, ["0"] = true}, maxfev = {["3"] = true, ["0"] = true},
  restart = {["3"] = true, ["0"] = true}, inner_maxiter = {["3"] = true, ["0"] = true},
  m = {["3"] = true}, radius = {["3"] = true, ["1.5"] = true}, max_radius = {["3"] = true, ["1.5"] = true},
  eta = {["0"] = true}, curv_eps = {["0"] = true},
  disp = {["true"] = true}, verbose = {["true"] = true}, history = {["true"] = true, table = true},
  callback = {["function"] = true}, lr = {["3"] = true, ["1.5"] = true},
}

local function clean(err, where)
  check.truthy(not err:find("attempt to", 1, true), where .. ": " .. err)
  check.truthy(not err:find("-nan", 1, true), where .. ": " .. err)
  check.truthy(not err:find("-0.00", 1, true), where .. ": " .. err)
end

local function must_fail(fn, fname, opt, where)
  local ok, err = pcall(fn)
  check.truthy(not ok, where .. ": expected an error")
  err = tostring(err)
  clean(err, where)
  check.truthy(err:find(fname, 1, true), where .. ": names " .. fname .. ": " .. err)
  if opt then check.truthy(err:find(opt, 1, true), where .. ": names " .. opt .. ": " .. err) end
  return err
end

describe("slope.minimize and slope.solver misuse", function()
  it("each option given each wrong type names the function and the option", function()
    local n = 0
    for opt, ok in pairs(accepts) do
      for _, bad in ipairs(fresh_bad()) do
        if not ok[bad[1]] then
          local o = {[opt] = bad[2]}
          if opt == "lr" then o.method = "gd" end
          for _, fname in ipairs{"slope.minimize", "slope.solver"} do
            local fn = fname == "slope.minimize" and slope.minimize or slope.solver
            must_fail(function() fn(slope.obj.rosenbrock(), {-1.2, 1}, o) end, fname, opt,
              fname .. " " .. opt .. " = " .. bad[1])
            n = n + 1
          end
        end
      end
    end
    check.truthy(n > 200, "battery size " .. n)
  end)

  it("each method checks its options, on every kind of objective", function()
    for _, m in ipairs{"gd", "cg", "bfgs", "lbfgs", "newton_cg", "trust_ncg"} do
      for _, c in ipairs(objectives) do
        local where = m .. " on " .. c[1]
        must_fail(function() slope.minimize(c[2], c[3], {method = m, gtol = -1}) end, "slope.minimize", "gtol", where)
        must_fail(function() slope.minimize(c[2], c[3], {method = m, maxiter = 0.5}) end, "slope.minimize", "maxiter", where)
        must_fail(function() slope.minimize(c[2], c[3], {method = m, m = "ten"}) end, "slope.minimize", "m must", where)
        must_fail(function() slope.minimize(c[2], c[3], {method = m, eta = 0.5}) end, "slope.minimize", "eta", where)
        must_fail(function() slope.minimize(c[2], c[3], {method = m, radius = 0}) end, "slope.minimize", "radius", where)
        must_fail(function() slope.minimize(c[2], c[3], {method = m, typo = 1}) end, "slope.minimize", "typo", where)
        if m ~= "gd" then
          must_fail(function() slope.minimize(c[2], c[3], {method = m, lr = 0.1}) end, "slope.minimize", "lr", where)
        end
        if m == "trust_ncg" then
          must_fail(function() slope.minimize(c[2], c[3], {method = m, linesearch = "armijo"}) end, "slope.minimize", "linesearch", where)
        end
        local r = slope.minimize(c[2], c[3], {method = m, maxiter = 2})
        check.truthy(r.nit <= 2 and r.x and r.jac, where)
      end
    end
  end)

  it("optimizer objects: options of the other methods are refused by name", function()
    local sgd = {step = function(self, x, g) x:axpy(-0.01, g) end}
    for _, k in ipairs{"m", "linesearch", "beta", "radius"} do
      must_fail(function() slope.minimize(rosen_fg, {-1.2, 1}, {method = sgd, [k] = 1}) end, "slope.minimize", k, k)
    end
    must_fail(function() slope.minimize(rosen_fg, {-1.2, 1}, {method = sgd, maxfev = -1}) end, "slope.minimize", "maxfev", "maxfev")
    check.eq(slope.minimize(rosen_fg, {-1.2, 1}, {method = sgd, maxfev = 4, gtol = 0}).status, "maxfev")
  end)

  it("x0 as a table or vec of the right dimension, and else an error naming x0", function()
    for _, c in ipairs(objectives) do
      local x0 = c[3]
      local t = {}
      for i = 1, #x0 do t[i] = x0[i] end
      check.truthy(slope.minimize(c[2], t, {maxiter = 1}).nit <= 1, c[1])
      check.truthy(slope.minimize(c[2], slope.vec(t), {maxiter = 1}).nit <= 1, c[1])
      if c[1] ~= "function" then
        local e = must_fail(function() slope.minimize(c[2], {1, 2, 3}) end, "minimize", "x0", c[1] .. " wrong dim")
        check.truthy(e:find("dimension mismatch", 1, true), e)
      end
      for _, bad in ipairs{"x", 3, true, function() end, {1, "a"}} do
        must_fail(function() slope.minimize(c[2], bad) end, "minimize", nil, c[1] .. " x0 = " .. tostring(bad))
        must_fail(function() slope.solver(c[2], bad) end, "solver", nil, c[1] .. " x0 = " .. tostring(bad))
      end
    end
    must_fail(function() slope.minimize(rosen_fg, {}) end, "minimize", "empty", "empty x0")
    must_fail(function() slope.minimize(rosen_fg, {1, 2}, 5) end, "minimize", "table expected", "opts = 5")
    must_fail(function() slope.minimize(rosen_fg, {1, 2}, {history = {x = "yes"}}) end, "slope.minimize", "history.x", "history.x")
  end)

  it("f as an objective, a function, a table with fg (pointed at slope.obj.lua) or garbage", function()
    must_fail(function() slope.minimize({fg = rosen_fg}, {1, 2}) end, "minimize", "slope.obj.lua", "table with fg")
    for _, bad in ipairs{3, "rosen", true, slope.vec{1, 2}} do
      must_fail(function() slope.minimize(bad, {1, 2}) end, "minimize", "objective expected", tostring(bad))
      must_fail(function() slope.solver(bad, {1, 2}) end, "solver", "objective expected", tostring(bad))
    end
    must_fail(function() slope.minimize(function(x) return "v" end, {1, 2}) end, "slope.minimize", "returned string", "string value")
    must_fail(function() slope.minimize(function(x, g) return 1, 42 end, {1, 2}) end, "slope.minimize", "as its gradient", "number gradient")
    must_fail(function() slope.minimize(function(x, g) return 1, slope.vec{1} end, {1, 2}) end, "slope.minimize", "length 1", "short gradient")
    must_fail(function() slope.minimize(function(x, g) return 1, {1, "a"} end, {1, 2}) end, "slope.minimize", "entry 2", "table gradient")
  end)

  it("solver methods: s:step, s:run, s:state", function()
    for _, c in ipairs(objectives) do
      local s = slope.solver(c[2], c[3])
      must_fail(function() s:step(5) end, "slope.solver.step", nil, c[1] .. " step(5)")
      must_fail(function() s.step() end, "step", nil, c[1] .. " s.step()")
      must_fail(function() s.run(42) end, "run", nil, c[1] .. " s.run(42)")
      must_fail(function() s.state("x") end, "state", nil, c[1] .. " s.state('x')")
      must_fail(function() s:run(5) end, "slope.solver.run", "options", c[1] .. " run(5)")
      for opt, ok in pairs{maxiter = accepts.maxiter, maxfev = accepts.maxfev, maxtime = accepts.maxtime,
                           disp = accepts.disp, verbose = accepts.verbose, history = accepts.history,
                           callback = accepts.callback} do
        for _, bad in ipairs(fresh_bad()) do
          if not ok[bad[1]] then
            must_fail(function() s:run{[opt] = bad[2]} end, "slope.solver.run", opt, c[1] .. " run " .. opt .. " = " .. bad[1])
          end
        end
      end
      must_fail(function() s:run{gtol = 1} end, "slope.solver.run", "gtol", c[1] .. " run gtol")
      check.truthy(s:step().nit == 1, c[1])
      check.eq(type(s:state()), "table")
      local r = s:run{maxiter = 3}
      check.eq(r.nit, 3, c[1])
    end
  end)
end)

describe("line search misuse", function()
  local names = {"fixed", "exact_quadratic", "armijo", "wolfe", "strong_wolfe", "hager_zhang"}
  local keys = {
    fixed = {"a", "a0"}, exact_quadratic = {"c1", "c2"}, armijo = {"c1", "shrink", "a0", "maxiter"},
    wolfe = {"c1", "c2", "a0", "grow", "amax", "maxiter"}, strong_wolfe = {"c1", "c2", "a0", "grow", "amax", "maxiter"},
    hager_zhang = {"c1", "c2", "a0", "grow", "amax", "maxiter", "epsilon", "theta", "gamma"},
  }
  it("every option of every constructor, each wrong type", function()
    for _, name in ipairs(names) do
      local fname = "slope.linesearch." .. name
      for _, k in ipairs(keys[name]) do
        for _, bad in ipairs(fresh_bad()) do
          local ok = pcall(slope.linesearch[name], {[k] = bad[2]})
          if not ok then
            must_fail(function() slope.linesearch[name]{[k] = bad[2]} end, fname, k, fname .. " " .. k .. " = " .. bad[1])
          else
            check.truthy(type(bad[2]) == "number", fname .. " " .. k .. " accepted " .. bad[1])
          end
        end
      end
      must_fail(function() slope.linesearch[name]{typo = 1} end, fname, "typo", fname .. " typo")
      must_fail(function() slope.linesearch[name](42) end, name, nil, fname .. "(42)")
    end
  end)

  it("ls:run and the direct form on every kind of objective", function()
    for _, c in ipairs(objectives) do
      local x = slope.vec(c[3])
      local d = slope.vec.zeros(#x); d[1] = 1e-3
      for _, name in ipairs{"armijo", "strong_wolfe"} do
        local ls = slope.linesearch[name]{}
        must_fail(function() ls:run(c[2], x) end, "", nil, c[1] .. " no d")
        must_fail(function() ls:run(c[2], x, {1}) end, "", "dimension mismatch", c[1] .. " short d")
        must_fail(function() ls:run(c[2], x, d, -1) end, "", "a0", c[1] .. " a0 = -1")
        must_fail(function() ls:run(c[2], x, d, 0/0) end, "", nil, c[1] .. " a0 = nan")
        must_fail(function() ls:run(c[2], x, d, "big") end, "", nil, c[1] .. " a0 = string")
        must_fail(function() ls.run(42) end, "", nil, c[1] .. " ls.run(42)")
        local g = slope.vec.zeros(#x)
        if type(c[2]) == "function" then c[2](x, g) else c[2]:grad(x, g) end
        local _, info = ls:run(c[2], x, -1 * g)
        check.truthy(info and info.nfev >= 1, c[1])
      end
      must_fail(function() slope.linesearch.armijo(c[2], x, d, {c1 = -1}) end, "slope.linesearch.armijo", "c1", c[1])
    end
  end)
end)

describe("slope.check.grad misuse", function()
  it("options, points and objectives", function()
    for _, c in ipairs(objectives) do
      for _, bad in ipairs(fresh_bad()) do
        for _, k in ipairs{"h", "tol"} do
          if not (bad[1] == "3" or bad[1] == "1.5") then
            must_fail(function() slope.check.grad(c[2], c[3], {[k] = bad[2]}) end, "slope.check.grad", k, c[1] .. " " .. k .. " = " .. bad[1])
          end
        end
      end
      must_fail(function() slope.check.grad(c[2], c[3], {eps = 1}) end, "slope.check.grad", "eps", c[1])
      must_fail(function() slope.check.grad(c[2], c[3], 5) end, "slope.check.grad", "options", c[1])
      must_fail(function() slope.check.grad(c[2], "x") end, "grad", nil, c[1])
    end
    must_fail(function() slope.check.grad(42, {1, 2}) end, "grad", "objective expected", "42")
    must_fail(function() slope.check.grad(slope.obj.rosenbrock(), {1, 2, 3}) end, "grad", "dimension mismatch", "dim")
  end)
end)

describe("slope.flow misuse", function()
  it("each option given each wrong type; value-only functions flow on differences", function()
    local ok_for = {t = {["3"] = true, ["0"] = true, ["1.5"] = true}, rtol = {["3"] = true, ["1.5"] = true},
                    atol = {["3"] = true, ["1.5"] = true}, max_steps = {["3"] = true}, path = {["true"] = true}}
    for opt, ok in pairs(ok_for) do
      for _, bad in ipairs(fresh_bad()) do
        if not ok[bad[1]] then
          must_fail(function() slope.flow(rosen_fg, {-1.2, 1}, {[opt] = bad[2]}) end, "slope.flow", opt, "flow " .. opt .. " = " .. bad[1])
        end
      end
    end
    must_fail(function() slope.flow(rosen_fg, {-1.2, 1}, {dt = 1}) end, "slope.flow", "dt", "flow dt")
    local r = slope.flow(function(x) return 0.5*(x[1]^2 + 3*x[2]^2) end, {1, 1}, {t = 1, rtol = 1e-9})
    check.near(r.x[1], math.exp(-1), 1e-6); check.near(r.x[2], math.exp(-3), 1e-6)
  end)
end)
