-- dfo_misuse_spec.lua — issue 15 (derivative-free and Newton variants): every new
-- option given each wrong type — nelder_mead's xatol, fatol, initial_simplex; the
-- dogleg's radius, max_radius, eta; more_thuente's ftol, gtol, xtol; nonmonotone's
-- memory; slope.minimize_scalar's bracket, bounds, method, xtol, xatol, maxiter,
-- maxfev — an error naming the function and the option, never "attempt to", never "-nan".

local function rosen_fg(x, g)
  local a, b = 1 - x[1], x[2] - x[1]^2
  if g then g[1] = -2*a - 400*x[1]*b; g[2] = 200*b end
  return a*a + 100*b*b
end
local objectives = {
  {"rosenbrock", slope.obj.rosenbrock(), {-1.2, 1}},
  {"obj.lua", slope.obj.lua{dim = 2, fg = rosen_fg}, {-1.2, 1}},
  {"function", rosen_fg, {-1.2, 1}},
}

local function fresh_bad()
  return {
    {"3", 3}, {"-1", -1}, {"0", 0}, {"1.5", 1.5}, {"nan", 0/0}, {"-nan", -(0/0)}, {"inf", math.huge},
    {"-inf", -math.huge}, {"string", "fast"}, {"true", true}, {"table", {}}, {"function", function() end},
    {"vec", slope.vec{1, 2}},
  }
end

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

describe("nelder_mead, newton and dogleg options", function()
  local accepts = {
    nelder_mead = {xatol = {["3"] = true, ["0"] = true, ["1.5"] = true},
                   fatol = {["3"] = true, ["0"] = true, ["1.5"] = true}, initial_simplex = {}},
    dogleg = {radius = {["3"] = true, ["1.5"] = true}, max_radius = {["3"] = true, ["1.5"] = true},
              eta = {["0"] = true}},
  }
  it("each option given each wrong type names the function and the option", function()
    local n = 0
    for method, opts in pairs(accepts) do
      for opt, ok in pairs(opts) do
        for _, bad in ipairs(fresh_bad()) do
          if not ok[bad[1]] then
            for _, fname in ipairs{"slope.minimize", "slope.solver"} do
              local fn = fname == "slope.minimize" and slope.minimize or slope.solver
              for _, c in ipairs(objectives) do
                must_fail(function() fn(c[2], c[3], {method = method, [opt] = bad[2]}) end, fname, opt,
                  ("%s %s on %s: %s = %s"):format(fname, method, c[1], opt, bad[1]))
                n = n + 1
              end
            end
          end
        end
      end
    end
    check.truthy(n > 150, "battery size " .. n)
  end)

  it("nelder_mead's options belong to it; it takes no linesearch; newton takes no radius", function()
    for _, m in ipairs{"gd", "lbfgs", "newton", "dogleg"} do
      for _, k in ipairs{"xatol", "fatol"} do
        must_fail(function() slope.minimize(rosen_fg, {-1.2, 1}, {method = m, [k] = 1e-3}) end, "slope.minimize", k, m .. " " .. k)
      end
      must_fail(function() slope.minimize(rosen_fg, {-1.2, 1}, {method = m, initial_simplex = {{0, 0}, {1, 0}, {0, 1}}}) end,
        "slope.minimize", "initial_simplex", m)
    end
    must_fail(function() slope.minimize(rosen_fg, {-1.2, 1}, {method = "nelder_mead", linesearch = "armijo"}) end,
      "slope.minimize", "linesearch", "nelder_mead linesearch")
    must_fail(function() slope.minimize(rosen_fg, {-1.2, 1}, {method = "dogleg", linesearch = "armijo"}) end,
      "slope.minimize", "linesearch", "dogleg linesearch")
    must_fail(function() slope.minimize(rosen_fg, {-1.2, 1}, {method = "newton", eta = 0.5}) end, "slope.minimize", "eta", "newton eta")
    -- newton accepts a line search, any of them
    for _, ls in ipairs{"armijo", "more_thuente", "nonmonotone", "hager_zhang"} do
      local r = slope.minimize(slope.obj.rosenbrock(), {-1.2, 1}, {method = "newton", linesearch = ls})
      check.eq(r.status, "converged", ls)
    end
  end)

  it("initial_simplex: shape, entries, types", function()
    local f = slope.obj.rosenbrock()
    local cases = {
      {{{0, 0}, {1, 0}}, "dim+1 = 3"},
      {{{0, 0}, {1, 0}, {0, 1}, {1, 1}}, "dim+1 = 3"},
      {{{0, 0}, {1}, {0, 1}}, "initial_simplex[2]"},
      {{{0, 0}, {1, "a"}, {0, 1}}, "initial_simplex[2][2]"},
      {{{0, 0}, {1, 0/0}, {0, 1}}, "finite"},
      {{{0, 0}, {1, math.huge}, {0, 1}}, "finite"},
      {{{0, 0}, slope.vec{1, 0, 0}, {0, 1}}, "initial_simplex[2]"},
      {{{0, 0}, 5, {0, 1}}, "initial_simplex[2]"},
      {slope.mat{{0, 0}, {1, 0}}, "dim+1 = 3"},
      {slope.mat{{0, 0, 1}, {1, 0, 1}, {0, 1, 1}}, "dim+1 = 3"},
      {slope.mat{{0, 0}, {1, 0/0}, {0, 1}}, "finite"},
      {"abc", "initial_simplex"}, {42, "initial_simplex"}, {true, "initial_simplex"},
    }
    for k, c in ipairs(cases) do
      local e = must_fail(function() slope.minimize(f, {1, 2}, {method = "nelder_mead", initial_simplex = c[1]}) end,
        "slope.minimize", c[2], "case " .. k)
      check.truthy(not e:find("nan", 1, true) or c[2] == "finite", e)
      must_fail(function() slope.solver(f, {1, 2}, {method = "nelder_mead", initial_simplex = c[1]}) end,
        "slope.solver", c[2], "solver case " .. k)
    end
  end)

  it("newton and dogleg refuse a dimension above 2000 by name, pointing at newton_cg", function()
    local f = slope.obj.rosenbrock(2001)
    for _, m in ipairs{"newton", "dogleg"} do
      local e = must_fail(function() slope.minimize(f, slope.vec.zeros(2001), {method = m}) end, "slope.minimize", m, m)
      check.truthy(e:find("dim = 2000", 1, true) and (e:find("newton_cg", 1, true) or e:find("trust_ncg", 1, true)), e)
    end
  end)
end)

describe("more_thuente and nonmonotone options", function()
  local keys = {
    more_thuente = {ftol = {["0"] = false}, gtol = {}, xtol = {["0"] = true}, a0 = {}, amax = {["3"] = true}, maxiter = {["3"] = true}},
    nonmonotone = {c1 = {}, shrink = {}, a0 = {["3"] = true, ["1.5"] = true}, maxiter = {["3"] = true}, memory = {["3"] = true}},
  }
  it("every option of the constructors, each wrong type", function()
    for name, opts in pairs(keys) do
      local fname = "slope.linesearch." .. name
      for k, ok in pairs(opts) do
        for _, bad in ipairs(fresh_bad()) do
          if not ok[bad[1]] then
            local fine = pcall(slope.linesearch[name], {[k] = bad[2]})
            if not fine then
              must_fail(function() slope.linesearch[name]{[k] = bad[2]} end, fname, k, fname .. " " .. k .. " = " .. bad[1])
              must_fail(function() slope.minimize(rosen_fg, {-1.2, 1}, {linesearch = slope.linesearch[name]{[k] = bad[2]}}) end,
                fname, k, "through minimize " .. k .. " = " .. bad[1])
            else
              check.truthy(type(bad[2]) == "number" and bad[2] == bad[2], fname .. " " .. k .. " accepted " .. bad[1])
            end
          end
        end
      end
      must_fail(function() slope.linesearch[name]{typo = 1} end, fname, "typo", fname .. " typo")
      must_fail(function() slope.linesearch[name]{c2 = 0.5, shrink = 0.5, memory = 3, ftol = 0.1} end, fname, nil, fname .. " foreign keys")
      must_fail(function() slope.linesearch[name](42) end, name, nil, fname .. "(42)")
    end
    must_fail(function() slope.linesearch.more_thuente{ftol = 0.5, gtol = 0.1} end, "more_thuente", "gtol", "gtol < ftol")
    must_fail(function() slope.linesearch.more_thuente{ftol = 1} end, "more_thuente", "ftol", "ftol = 1")
    must_fail(function() slope.linesearch.more_thuente{xtol = 1} end, "more_thuente", "xtol", "xtol = 1")
    must_fail(function() slope.linesearch.nonmonotone{memory = 0} end, "nonmonotone", "memory", "memory = 0")
    must_fail(function() slope.linesearch.nonmonotone{memory = 101} end, "nonmonotone", "memory", "memory = 101")
    must_fail(function() slope.linesearch.nonmonotone{memory = 2.5} end, "nonmonotone", "memory", "memory = 2.5")
    must_fail(function() slope.linesearch.armijo{ftol = 0.1} end, "armijo", "ftol", "armijo ftol")
    must_fail(function() slope.linesearch.strong_wolfe{memory = 3} end, "strong_wolfe", "memory", "strong_wolfe memory")
  end)
end)

describe("slope.minimize_scalar misuse", function()
  local fname = "slope.minimize_scalar"
  local f = function(x) return (x - 1)^2 end
  it("f, the tables and each option given each wrong type", function()
    for _, bad in ipairs{3, "f", true, {}, slope.vec{1}} do
      must_fail(function() slope.minimize_scalar(bad, {bracket = {0, 1}}) end, fname, "f must", tostring(bad))
    end
    must_fail(function() slope.minimize_scalar(f) end, fname, "bracket", "no table")
    must_fail(function() slope.minimize_scalar(f, 5) end, fname, "bracket", "opts = 5")
    must_fail(function() slope.minimize_scalar(f, {}) end, fname, "bracket", "empty")
    must_fail(function() slope.minimize_scalar(f, {bracket = {0, 1}}, 5) end, fname, "options", "opts2 = 5")
    must_fail(function() slope.minimize_scalar(f, {bracket = {0, 1}, typo = 1}) end, fname, "typo", "typo")
    must_fail(function() slope.minimize_scalar(f, {bracket = {0, 1}}, {typo = 1}) end, fname, "typo", "typo 2")
    must_fail(function() slope.minimize_scalar(f, {bracket = {0, 1}, xtol = 1e-3}, {xtol = 1e-4}) end, fname, "twice", "twice")
    must_fail(function() slope.minimize_scalar(f, {bracket = {0, 1}, bounds = {0, 1}}) end, fname, "not both", "both")
    local where = {
      bracket = {{0}, {0, 1, 2, 3}, {0, 0}, {0, "a"}, {0, 0/0}, {0, math.huge}, {0, 5, 2}, "ab", 3, true},
      bounds = {{0}, {0, 1, 2}, {1, 0}, {1, 1}, {0, "a"}, {0, -(0/0)}, {-math.huge, 1}, "ab", 3, true},
    }
    for key, bads in pairs(where) do
      for k, b in ipairs(bads) do
        must_fail(function() slope.minimize_scalar(f, {[key] = b}) end, fname, key, key .. " case " .. k)
      end
    end
    local opts = {
      xtol = {{"3", true}, {"1.5", true}}, maxiter = {{"3", true}}, maxfev = {{"3", true}, {"0", true}},
      method = {},
    }
    for opt, okl in pairs(opts) do
      local ok = {}
      for _, o in ipairs(okl) do ok[o[1]] = true end
      for _, bad in ipairs(fresh_bad()) do
        if not ok[bad[1]] then
          must_fail(function() slope.minimize_scalar(f, {bracket = {0, 1}, [opt] = bad[2]}) end, fname, opt, opt .. " = " .. bad[1])
          must_fail(function() slope.minimize_scalar(f, {bracket = {0, 1}}, {[opt] = bad[2]}) end, fname, opt, opt .. " (2) = " .. bad[1])
        end
      end
    end
    for _, bad in ipairs(fresh_bad()) do
      if not (bad[1] == "3" or bad[1] == "1.5") then
        must_fail(function() slope.minimize_scalar(f, {bounds = {0, 2}, xatol = bad[2]}) end, fname, "xatol", "xatol = " .. bad[1])
      end
    end
    must_fail(function() slope.minimize_scalar(f, {bounds = {0, 2}, xtol = 1e-3}) end, fname, "xatol", "xtol with bounds")
    must_fail(function() slope.minimize_scalar(f, {bracket = {0, 2}, xatol = 1e-3}) end, fname, "xtol", "xatol with bracket")
    must_fail(function() slope.minimize_scalar(f, {bracket = {0, 2}, method = "bounded"}) end, fname, "bounds", "bounded without bounds")
    must_fail(function() slope.minimize_scalar(f, {bounds = {0, 2}, method = "golden"}) end, fname, "bounds", "golden with bounds")
    must_fail(function() slope.minimize_scalar(f, {bracket = {0, 2}, method = "newton"}) end, fname, "method", "method newton")
    must_fail(function() slope.minimize_scalar(f, {bracket = {2, 3, 4}}) end, fname, "f(b)", "bad triple")
  end)
end)
