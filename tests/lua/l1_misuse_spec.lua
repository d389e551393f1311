-- l1_misuse_spec.lua — issue 15: the options of the composite methods (l1,
-- prox, adaptive_restart) given each wrong type, on each kind of objective;
-- the other methods refusing them by name; a prox that raises, or returns
-- junk; never "attempt to", never "-nan".

local D = slope.data.load("breast_cancer")
local logistic = slope.obj.logistic{X = slope.data.standardize(D.X), y = D.y, intercept = true}
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
local METHODS = {"owlqn", "fista", "prox_gd"}

local function clean(err, where)
  check.truthy(not err:find("attempt to", 1, true), where .. ": " .. err)
  check.truthy(not err:find("-nan", 1, true), where .. ": " .. err)
end

local function must_fail(fn, fname, words, where)
  local ok, err = pcall(fn)
  check.truthy(not ok, where .. ": expected an error")
  err = tostring(err)
  clean(err, where)
  check.truthy(err:find(fname, 1, true), where .. ": names " .. fname .. ": " .. err)
  for _, w in ipairs(words) do
    check.truthy(err:find(w, 1, true), where .. ": says " .. w .. ": " .. err)
  end
  return err
end

local function bad_values()
  return {
    {"-1", -1}, {"nan", 0/0}, {"-nan", -(0/0)}, {"inf", math.huge}, {"-inf", -math.huge},
    {"string", "0.1"}, {"true", true}, {"table", {0.1}}, {"function", function() end},
  }
end

describe("composite options misuse", function()
  it("l1 given each wrong value, for each composite method and entry point", function()
    local n = 0
    for _, m in ipairs(METHODS) do
      for _, bad in ipairs(bad_values()) do
        for _, fname in ipairs{"slope.minimize", "slope.solver"} do
          local fn = fname == "slope.minimize" and slope.minimize or slope.solver
          must_fail(function() fn(slope.obj.rosenbrock(), {-1.2, 1}, {method = m, l1 = bad[2]}) end,
            fname, {"l1"}, m .. " l1 = " .. bad[1])
          n = n + 1
        end
      end
      -- a vec of weights: the right length, each finite and >= 0
      local n2 = {-1.2, 1}
      must_fail(function() slope.minimize(rosen_fg, n2, {method = m, l1 = slope.vec{1, 2, 3}}) end,
        "slope.minimize", {"l1 has 3 weights, expected 2"}, m .. " l1 length")
      must_fail(function() slope.minimize(rosen_fg, n2, {method = m, l1 = slope.vec{1, 0/0}}) end,
        "slope.minimize", {"l1[2]", "nan"}, m .. " l1 nan entry")
      must_fail(function() slope.minimize(rosen_fg, n2, {method = m, l1 = slope.vec{-1, 0}}) end,
        "slope.minimize", {"l1[1]", "-1"}, m .. " l1 negative entry")
      must_fail(function() slope.minimize(rosen_fg, n2, {method = m, l1 = slope.vec{math.huge, 0}}) end,
        "slope.minimize", {"l1[1]", "inf"}, m .. " l1 inf entry")
    end
    check.truthy(n >= 50, "battery " .. n)
  end)

  it("prox and adaptive_restart given each wrong type", function()
    for _, m in ipairs{"fista", "prox_gd"} do
      for _, bad in ipairs{3, "soft", true, {}, slope.vec{1, 2}} do
        must_fail(function() slope.minimize(rosen_fg, {1, 2}, {method = m, prox = bad}) end,
          "slope.minimize", {"prox must be a function"}, m .. " prox = " .. tostring(bad))
        must_fail(function() slope.solver(rosen_fg, {1, 2}, {method = m, prox = bad}) end,
          "slope.solver", {"prox must be a function"}, m .. " prox = " .. tostring(bad))
      end
    end
    for _, bad in ipairs{3, 0, "yes", {}, function() end, 0/0} do
      must_fail(function() slope.minimize(rosen_fg, {1, 2}, {method = "fista", adaptive_restart = bad}) end,
        "slope.minimize", {"adaptive_restart must be a boolean"}, "adaptive_restart = " .. tostring(bad))
    end
    -- adaptive_restart belongs to fista alone
    for _, m in ipairs{"prox_gd", "owlqn", "lbfgs"} do
      must_fail(function() slope.minimize(rosen_fg, {1, 2}, {method = m, adaptive_restart = true}) end,
        "slope.minimize", {"adaptive_restart", "fista"}, m .. " adaptive_restart")
    end
  end)

  it("the other methods refuse l1 and prox by name, pointing at the composite ones", function()
    for _, m in ipairs{"gd", "cg", "bfgs", "lbfgs", "newton_cg", "trust_ncg"} do
      for _, k in ipairs{"l1", "prox"} do
        local v = k == "l1" and 0.1 or function() end
        local e = must_fail(function() slope.minimize(rosen_fg, {1, 2}, {method = m, [k] = v}) end,
          "slope.minimize", {k, "owlqn, fista and prox_gd", "method " .. m}, m .. " " .. k)
        check.truthy(not e:find("unknown option", 1, true), e)
      end
    end
    -- an optimizer object takes the run options only
    local sgd = {step = function(self, x, g) x:axpy(-0.01, g) end}
    must_fail(function() slope.minimize(rosen_fg, {1, 2}, {method = sgd, l1 = 0.1}) end, "slope.minimize", {"l1"}, "optimizer l1")
    -- owlqn takes no prox; l1 and prox together; l1 vec and prox
    must_fail(function() slope.minimize(rosen_fg, {1, 2}, {method = "owlqn", prox = function() end}) end,
      "slope.minimize", {"owlqn takes l1, not prox", "fista"}, "owlqn prox")
    must_fail(function() slope.minimize(rosen_fg, {1, 2}, {method = "fista", l1 = 0.1, prox = function() end}) end,
      "slope.minimize", {"give l1 or prox, not both"}, "l1 and prox")
    must_fail(function() slope.minimize(rosen_fg, {1, 2}, {method = "prox_gd", l1 = slope.vec{1, 1}, prox = function() end}) end,
      "slope.minimize", {"give l1 or prox, not both"}, "l1 vec and prox")
    -- none of them takes a line search
    for _, m in ipairs(METHODS) do
      must_fail(function() slope.minimize(rosen_fg, {1, 2}, {method = m, linesearch = "armijo"}) end,
        "slope.minimize", {m .. " takes no linesearch", "backtrack"}, m .. " linesearch")
    end
  end)

  it("a prox that raises, or returns junk, is named; at the start and in a step", function()
    local calls = 0
    local function after(k, f) return function(x, t) calls = calls + 1; if calls > k then return f(x, t) end end end
    local junk = {
      {"raises", function() error("boom") end, {"prox raised an error", "boom"}},
      {"raises a table", function() error({}) end, {"prox raised an error"}},
      {"string", function() return "x" end, {"prox must update x in place", "got string"}},
      {"number", function() return 3 end, {"prox must update x in place", "got number"}},
      {"table", function() return {1, 2} end, {"prox must update x in place", "got table"}},
      {"short vec", function() return slope.vec{1} end, {"prox returned a vec of length 1, expected 2"}},
      {"nan", function(x) x[2] = 0/0 end, {"prox returned a non-finite entry x[2]"}},
      {"nan vec", function() return slope.vec{1, 0/0} end, {"prox returned a non-finite entry x[2]"}},
    }
    for _, m in ipairs{"fista", "prox_gd"} do
      for _, c in ipairs(objectives) do
        if c[1] ~= "logistic" then
          for _, j in ipairs(junk) do
            local where = m .. " on " .. c[1] .. ": prox " .. j[1]
            -- at x0 (the start measure calls it once)
            must_fail(function() slope.minimize(c[2], c[3], {method = m, prox = j[2]}) end, "slope.minimize", j[3], where)
            must_fail(function() slope.solver(c[2], c[3], {method = m, prox = j[2]}) end, "slope.solver", j[3], where)
            -- in a later step, through s:step() and s:run()
            calls = 0
            local s = slope.solver(c[2], c[3], {method = m, prox = after(3, j[2])})
            local ok, err = pcall(function() for _ = 1, 10 do s:step() end end)
            check.truthy(not ok, where .. " in a step")
            clean(tostring(err), where)
            for _, w in ipairs(j[3]) do check.truthy(tostring(err):find(w, 1, true), where .. ": " .. tostring(err)) end
            calls = 0
            s = slope.solver(c[2], c[3], {method = m, prox = after(3, j[2])})
            must_fail(function() s:run() end, "slope.solver.run", j[3], where .. " in s:run")
          end
        end
      end
    end
  end)

  it("each composite method runs and checks its options on every kind of objective", function()
    for _, m in ipairs(METHODS) do
      for _, c in ipairs(objectives) do
        local where = m .. " on " .. c[1]
        must_fail(function() slope.minimize(c[2], c[3], {method = m, gtol = -1}) end, "slope.minimize", {"gtol"}, where)
        must_fail(function() slope.minimize(c[2], c[3], {method = m, l1 = -1}) end, "slope.minimize", {"l1"}, where)
        must_fail(function() slope.minimize(c[2], c[3], {method = m, typo = 1}) end, "slope.minimize", {"typo"}, where)
        must_fail(function() slope.minimize(c[2], c[3], {method = m, lr = 0.1}) end, "slope.minimize", {"lr"}, where)
        local r = slope.minimize(c[2], c[3], {method = m, l1 = 0.01, maxiter = 3})
        check.truthy(r.nit <= 3 and r.x and r.jac and r.nnz and r.f_smooth, where)
        check.eq(r.method, m)
        local s = slope.solver(c[2], c[3], {method = m, l1 = 0.01})
        check.eq(s:step().status, "ok", where)
        check.truthy(s:run{maxiter = 4}.nit <= 4, where)
      end
    end
  end)
end)
