-- lsq_misuse_spec.lua — issue 15, least squares misuse: slope.obj.residuals{}
-- given wrong m/dim/types, r writing nothing or the wrong size, J of the wrong
-- shape, failing callbacks; slope.obj.mgh's name, number and sizes; the lm
-- option factor given each wrong type. Every error names the function and the
-- option, never "attempt to ...", never "-nan".

local function errs(fn, pattern)
  local ok, e = pcall(fn)
  check.truthy(not ok, "expected an error matching '" .. pattern .. "'")
  e = tostring(e)
  check.truthy(e:find(pattern, 1, true), "error '" .. e .. "' does not contain '" .. pattern .. "'")
  check.truthy(not e:find("attempt to", 1, true), e)
  check.truthy(not e:find("-nan", 1, true), e)
  check.truthy(not e:find("-0", 1, true) or pattern:find("-0", 1, true), e)
end

local function bad_values()
  return {
    {"-1", -1}, {"0", 0}, {"1.5", 1.5}, {"nan", 0/0}, {"-nan", -(0/0)}, {"inf", math.huge},
    {"string", "fast"}, {"true", true}, {"table", {}}, {"function", function() end}, {"vec", slope.vec{1, 2}},
  }
end

local function r2(x, r) r[1] = x[1] - 1; r[2] = x[2] + 1 end

describe("slope.obj.residuals misuse", function()
  it("refuses a missing or wrong m and dim", function()
    errs(function() slope.obj.residuals() end, "slope.obj.residuals: options table expected")
    errs(function() slope.obj.residuals(3) end, "slope.obj.residuals: options table expected")
    errs(function() slope.obj.residuals{dim = 2, r = r2} end, "slope.obj.residuals: m (an integer >= 1) is required")
    errs(function() slope.obj.residuals{m = 2, r = r2} end, "slope.obj.residuals: dim (an integer >= 1) is required")
    for _, key in ipairs{"m", "dim"} do
      for _, b in ipairs(bad_values()) do
        local opts = {m = 2, dim = 2, r = r2}
        opts[key] = b[2]
        errs(function() slope.obj.residuals(opts) end, "slope.obj.residuals: " .. key .. " must be an integer >= 1")
      end
    end
    errs(function() slope.obj.residuals{m = 2^40, dim = 2^40, r = r2} end, "slope.obj.residuals: m")
  end)

  it("refuses r and J that are not functions, and unknown keys", function()
    for _, b in ipairs(bad_values()) do
      if type(b[2]) ~= "function" then
        errs(function() slope.obj.residuals{m = 2, dim = 2, r = b[2]} end,
          "slope.obj.residuals: r must be a function(x, r)")
        errs(function() slope.obj.residuals{m = 2, dim = 2, r = r2, J = b[2]} end,
          "slope.obj.residuals: J must be a function(x, J)")
      end
    end
    errs(function() slope.obj.residuals{m = 2, dim = 2} end, "slope.obj.residuals: r must be a function")
    errs(function() slope.obj.residuals{m = 2, dim = 2, r = r2, jac = r2} end, "jac")
    errs(function() slope.obj.residuals{m = 2, dim = 2, r = r2, 5} end, "slope.obj.residuals")
  end)

  it("says when r writes nothing, the wrong size or not numbers, or raises", function()
    local function run(r, J, method)
      local f = slope.obj.residuals{m = 2, dim = 2, r = r, J = J}
      return slope.minimize(f, {0, 0}, {method = method or "lm"})
    end
    for _, method in ipairs{"lm", "gauss_newton", "lbfgs"} do
      errs(function() run(function() end, nil, method) end, "r(x, r) wrote nothing into r")
      errs(function() run(function() return slope.vec{1, 2, 3} end, nil, method) end, "r returned a vec of the wrong length")
      errs(function() run(function() return {1} end, nil, method) end, "r returned table")
      errs(function() run(function() return {1, "a"} end, nil, method) end, "entry 2 is string")
      errs(function() run(function() return "r" end, nil, method) end, "r returned string")
      errs(function() run(function() error("my residuals broke") end, nil, method) end, "my residuals broke")
      errs(function() run(r2, function() return slope.mat.zeros(3, 2) end, method) end,
        "J returned a 3 x 2 mat, expected 2 x 2 (m x dim)")
      errs(function() run(r2, function() return 7 end, method) end, "J returned number")
      errs(function() run(r2, function() error("my Jacobian broke") end, method) end, "my Jacobian broke")
    end
    -- true zeros written are not "nothing"
    local f = slope.obj.residuals{m = 2, dim = 2, r = function(_, r) r[1] = 0; r[2] = 0 end}
    check.eq(f:value({3, 4}), 0)
  end)

  it("checks the built-in forms' arguments", function()
    local X = slope.mat.zeros(3, 2)
    local y = slope.vec{1, 2, 3}
    errs(function() slope.obj.residuals(slope.obj.logistic{X = X, y = {0, 1, 0}}) end,
      "slope.obj.residuals: logistic has no residual form")
    errs(function() slope.obj.residuals{X = X, y = y, r = r2} end, "give either X and y (least squares) or m, dim, r")
    errs(function() slope.obj.residuals{y = y} end, "slope.obj.residuals: X must be a dense slope.mat (n x d), got nil")
    errs(function() slope.obj.residuals{X = slope.csr{rows = 3, cols = 2, i = {1}, j = {1}, v = {1}}, y = y} end,
      "X must be a dense slope.mat")
    errs(function() slope.obj.residuals{X = X} end, "slope.obj.residuals: y must be a vec of 3 targets, got nil")
    errs(function() slope.obj.residuals{X = X, y = {1, 2}} end, "y has 2 entries, expected 3")
    errs(function() slope.obj.residuals{X = X, y = {1, 0/0, 2}} end, "y[2] is not finite")
    for _, b in ipairs(bad_values()) do
      if type(b[2]) ~= "number" or not (b[2] >= 0 and b[2] < math.huge) then
        errs(function() slope.obj.residuals{X = X, y = y, l2 = b[2]} end, "slope.obj.residuals: l2")
      end
      if type(b[2]) ~= "boolean" then
        errs(function() slope.obj.residuals{X = X, y = y, intercept = b[2]} end, "slope.obj.residuals: intercept")
      end
    end
  end)

  it("checks the arguments of f:residual and f:jacobian", function()
    local f = slope.obj.residuals{m = 2, dim = 2, r = r2}
    errs(function() f:residual({1}) end, "residual: x has 1 entries, expected 2")
    errs(function() f:jacobian("x") end, "jacobian: x must be a vec of 2 numbers, got string")
    local g = slope.obj.rosenbrock()
    errs(function() slope.obj.mgh(1).residual(g, {1, 2}) end, "residual: rosenbrock is not a residual objective")
  end)
end)

describe("slope.obj.mgh misuse", function()
  it("refuses unknown names, numbers out of 1..35 and sizes outside the paper's ranges", function()
    errs(function() slope.obj.mgh("nope") end, "slope.obj.mgh: unknown problem 'nope'")
    for _, b in ipairs{{"0", 0}, {"36", 36}, {"1.5", 1.5}, {"nan", 0/0}, {"-1", -1}, {"inf", math.huge}} do
      errs(function() slope.obj.mgh(b[2]) end, "slope.obj.mgh: problem number must be an integer in 1..35")
    end
    for _, v in ipairs{true, {}, function() end} do
      errs(function() slope.obj.mgh(v) end, "slope.obj.mgh: problem name or number")
    end
    errs(function() slope.obj.mgh() end, "slope.obj.mgh: problem name or number")
    errs(function() slope.obj.mgh(1, 5) end, "slope.obj.mgh: options must be a table")
    errs(function() slope.obj.mgh(1, {size = 3}) end, "size")
    for _, b in ipairs(bad_values()) do
      errs(function() slope.obj.mgh(21, {n = b[2]}) end, "slope.obj.mgh: n")
      errs(function() slope.obj.mgh(6, {m = b[2]}) end, "slope.obj.mgh: m")
    end
    errs(function() slope.obj.mgh("rosenbrock", {n = 3}) end, "rosenbrock takes n = 2, m = 2, got n = 3")
    errs(function() slope.obj.mgh("bard", {m = 14}) end, "bard takes n = 3, m = 15")
    errs(function() slope.obj.mgh("extended_powell", {n = 6}) end, "n a multiple of 4")
    errs(function() slope.obj.mgh("penalty2", {n = 3, m = 5}) end, "m = 2n")
    errs(function() slope.obj.mgh("gulf", {m = 101}) end, "3 <= m <= 100")
    errs(function() slope.obj.mgh("chebyquad", {n = 8, m = 7}) end, "m >= n")
    errs(function() slope.obj.mgh("watson", {n = 32}) end, "2 <= n <= 31")
    errs(function() slope.obj.mgh(22, {n = 10^9}) end, "slope.obj.mgh: n and m must be at most")
  end)
end)

describe("lm and gauss_newton options misuse", function()
  it("gives factor each wrong type", function()
    local f = slope.obj.mgh("rosenbrock")
    for _, b in ipairs(bad_values()) do
      if b[1] ~= "1.5" then
        errs(function() slope.minimize(f, f.x0, {method = "lm", factor = b[2]}) end,
          "slope.minimize: factor must be a positive number, got")
        errs(function() slope.solver(f, f.x0, {method = "lm", factor = b[2]}) end,
          "slope.solver: factor must be a positive number, got")
      end
    end
    check.truthy(slope.minimize(f, f.x0, {method = "lm", factor = 1.5}).success)
    for _, b in ipairs(bad_values()) do
      if b[1] ~= "1.5" then
        errs(function() slope.minimize(f, f.x0, {method = "lm", x_scale = b[2]}) end,
          "slope.minimize: x_scale must be \"jac\" or a positive number, got")
      end
    end
    errs(function() slope.minimize(f, f.x0, {method = "lm", x_scale = "auto"}) end,
      "x_scale must be \"jac\" or a positive number, got \"auto\"")
    errs(function() slope.minimize(f, f.x0, {method = "bfgs", x_scale = 1}) end,
      "slope.minimize: x_scale is an option of method \"lm\"")
    errs(function() slope.minimize(f, f.x0, {method = "lbfgs", factor = 10}) end,
      "slope.minimize: factor is an option of method \"lm\"")
    errs(function() slope.minimize(f, f.x0, {method = "gauss_newton", factor = 10}) end,
      "factor is an option of method \"lm\"")
    errs(function() slope.minimize(f, f.x0, {method = "lm", linesearch = "armijo"}) end,
      "slope.minimize: lm takes no linesearch (it uses a trust region)")
    for _, key in ipairs{"gtol", "ftol", "xtol"} do
      for _, b in ipairs{{"-1", -1}, {"nan", 0/0}, {"string", "x"}, {"true", true}} do
        errs(function() slope.minimize(f, f.x0, {method = "lm", [key] = b[2]}) end,
          "slope.minimize: " .. key .. " must be a non-negative number")
      end
    end
  end)
end)
