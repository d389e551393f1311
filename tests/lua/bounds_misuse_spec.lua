-- bounds_misuse_spec.lua — issue 15, bounds: lower/upper given each wrong type,
-- NaN, the wrong length, an empty box; methods that take no bounds; lbfgsb's
-- own options. Each error names the function and the option (and the index
-- for an entry), never "attempt to ...", never "-nan".

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

local function must_fail(fn, fname, what, where)
  local ok, err = pcall(fn)
  check.truthy(not ok, where .. ": expected an error")
  err = tostring(err)
  check.truthy(not err:find("attempt to", 1, true), where .. ": " .. err)
  check.truthy(not err:find("-nan", 1, true), where .. ": " .. err)
  check.truthy(err:find(fname, 1, true), where .. ": names " .. fname .. ": " .. err)
  for _, w in ipairs(type(what) == "table" and what or {what}) do
    check.truthy(err:find(w, 1, true), where .. ": names " .. w .. ": " .. err)
  end
  return err
end

-- a bad value for an objective of dimension n and the words its error must hold
local function bad_values(key, n)
  local short, long, withnan, withstr = {}, {}, {}, {}
  for i = 1, n - 1 do short[i] = 0 end
  for i = 1, n + 1 do long[i] = 0 end
  for i = 1, n do withnan[i] = -1; withstr[i] = -1 end
  withnan[2] = 0/0
  withstr[n] = "1"
  return {
    {"a string", "1", {key, "must be a number, a vec or a table", '"1"'}},
    {"a boolean", true, {key, "must be a number, a vec or a table", "boolean"}},
    {"a function", function() end, {key, "must be a number, a vec or a table", "function"}},
    {"nan", 0/0, {key, "must be a number", "got nan"}},
    {"-nan", -(0/0), {key, "got nan"}},
    {"a short table", short, {key, "has " .. (n - 1) .. " entries", "dimension is " .. n}},
    {"a long table", long, {key, "has " .. (n + 1) .. " entries"}},
    {"a short vec", slope.vec(short), {key, "has " .. (n - 1) .. " entries"}},
    {"a table holding nan", withnan, {key .. "[2] is nan"}},
    {"a vec holding nan", slope.vec(withnan), {key .. "[2] is nan"}},
    {"a table holding a string", withstr, {key .. "[" .. n .. "] must be a number", '"1"'}},
  }
end

describe("lower and upper misuse", function()
  it("each wrong value names the function, the option and the entry", function()
    local count = 0
    for _, c in ipairs(objectives) do
      local n = #c[3]
      for _, key in ipairs{"lower", "upper"} do
        for _, bad in ipairs(bad_values(key, n)) do
          for _, m in ipairs{"lbfgsb", "gd", "newton_cg"} do
            for _, fname in ipairs{"slope.minimize", "slope.solver"} do
              local fn = fname == "slope.minimize" and slope.minimize or slope.solver
              must_fail(function() fn(c[2], c[3], {method = m, [key] = bad[2]}) end, fname, bad[3],
                ("%s %s on %s: %s = %s"):format(fname, m, c[1], key, bad[1]))
              count = count + 1
            end
          end
        end
      end
    end
    check.truthy(count >= 4 * 2 * 11 * 3 * 2, "battery size " .. count)
  end)

  it("an empty box names the index; lower = inf or upper = -inf is refused", function()
    for _, c in ipairs(objectives) do
      local n = #c[3]
      local lo, hi = {}, {}
      for i = 1, n do lo[i], hi[i] = -1, 1 end
      lo[n] = 2
      must_fail(function() slope.minimize(c[2], c[3], {method = "lbfgsb", lower = lo, upper = hi}) end,
        "slope.minimize", {"lower[" .. n .. "] = 2 > upper[" .. n .. "] = 1", "empty"}, c[1])
      must_fail(function() slope.solver(c[2], c[3], {method = "gd", lower = 1, upper = 0}) end,
        "slope.solver", "lower[1] = 1 > upper[1] = 0", c[1])
      must_fail(function() slope.minimize(c[2], c[3], {method = "lbfgsb", lower = math.huge}) end,
        "slope.minimize", "lower[1] = inf leaves no finite point", c[1])
      must_fail(function() slope.minimize(c[2], c[3], {method = "lbfgsb", upper = -math.huge}) end,
        "slope.minimize", "upper[1] = -inf leaves no finite point", c[1])
    end
  end)

  it("methods without bounds refuse them by name and point at lbfgsb", function()
    for _, c in ipairs(objectives) do
      for _, m in ipairs{"cg", "bfgs", "lbfgs", "trust_ncg"} do
        for _, key in ipairs{"lower", "upper"} do
          local e = must_fail(function() slope.minimize(c[2], c[3], {method = m, [key] = 0}) end,
            "slope.minimize", {"method " .. m .. " takes no bounds", "lbfgsb"}, m .. " " .. key .. " on " .. c[1])
          if m == "trust_ncg" then
            check.truthy(not e:find('"gd"', 1, true), "names the reason, not gd: " .. e)
          end
        end
      end
      -- lbfgs is the default method: bounds without a method name it too
      must_fail(function() slope.minimize(c[2], c[3], {upper = 1}) end, "slope.minimize",
        "method lbfgs takes no bounds", "default method on " .. c[1])
    end
    local sgd = {step = function(self, x, g) x:axpy(-0.01, g) end}
    must_fail(function() slope.minimize(rosen_fg, {-1.2, 1}, {method = sgd, lower = 0}) end,
      "slope.minimize", {"optimizer object takes no bounds", "lbfgsb"}, "optimizer object")
  end)

  it("lbfgsb checks m and curv_eps as lbfgs does", function()
    for _, c in ipairs(objectives) do
      must_fail(function() slope.minimize(c[2], c[3], {method = "lbfgsb", m = 0}) end, "slope.minimize", "m must", c[1])
      must_fail(function() slope.minimize(c[2], c[3], {method = "lbfgsb", m = 1001}) end, "slope.minimize", "m must", c[1])
      must_fail(function() slope.minimize(c[2], c[3], {method = "lbfgsb", curv_eps = 1}) end, "slope.minimize", "curv_eps", c[1])
      must_fail(function() slope.minimize(c[2], c[3], {method = "lbfgsb", lr = 0.1}) end, "slope.minimize", "lr", c[1])
      must_fail(function() slope.minimize(c[2], c[3], {method = "lbfgsb", uper = 1}) end, "slope.minimize", "uper", c[1])
      local r = slope.minimize(c[2], c[3], {method = "lbfgsb", maxiter = 2, lower = -10, upper = 10})
      check.truthy(r.nit <= 2 and r.x and r.jac and r.nactive, c[1])
    end
  end)

  it("s:run takes no bounds (they belong to the solver)", function()
    local s = slope.solver(slope.obj.rosenbrock(), {-1.2, 1}, {method = "lbfgsb", upper = 0.5})
    must_fail(function() s:run{upper = 1} end, "slope.solver.run", "upper", "s:run")
  end)
end)
