-- check_spec.lua — slope.check.grad and slope.check.hvp: they pass correct
-- derivatives, find the wrong coordinate of wrong ones, and check arguments.

local function wrong_grad_obj()
  -- f = x1^2 + 3 x2^2 + x3^4 with the gradient's second entry wrong (4 x2 instead of 6 x2)
  return slope.obj.lua{dim = 3,
    value = function(x) return x[1] ^ 2 + 3 * x[2] ^ 2 + x[3] ^ 4 end,
    grad = function(x, g) g[1] = 2 * x[1]; g[2] = 4 * x[2]; g[3] = 4 * x[3] ^ 3 end,
    hvp = function(x, v, hv) hv[1] = 2 * v[1]; hv[2] = 6 * v[2]; hv[3] = 12 * x[3] ^ 2 * v[3] * 1.01 end}
end

describe("slope.check", function()
  it("passes correct derivatives and reports analytic and numeric values", function()
    local f = slope.obj.rosenbrock(4)
    local x = slope.vec{0.5, -0.3, 1.2, 2}
    local r = slope.check.grad(f, x)
    check.truthy(r.ok)
    check.truthy(r.max_rel_err < 1e-8, "err " .. r.max_rel_err)
    check.truthy(r.max_abs_err >= 0)
    check.truthy(r.worst >= 1 and r.worst <= 4)
    check.veq(r.analytic, f:grad(x):totable(), 0)
    check.veq(r.numeric, f:grad(x):totable(), 1e-7)
    check.near(r.h, 6.0554544523933395e-06, 1e-12)
    local v = slope.vec{1, 0, -1, 2}
    local h = slope.check.hvp(f, x, v)
    check.truthy(h.ok and h.max_rel_err < 1e-7, "hvp err " .. h.max_rel_err)
    check.veq(h.analytic, f:hvp(x, v):totable(), 0)
    -- v = 0 gives exact zeros
    local z = slope.check.hvp(f, x, {0, 0, 0, 0})
    check.eq(z.max_rel_err, 0.0)
  end)

  it("finds the wrong coordinate of a wrong gradient or HVP", function()
    local f = wrong_grad_obj()
    local x = slope.vec{1, 2, 0.5}
    local r = slope.check.grad(f, x)
    check.eq(r.ok, false)
    check.eq(r.worst, 2)
    -- analytic 8, numeric 12: err = 4 / 12
    check.near(r.max_rel_err, 4 / 12, 1e-8)
    check.near(r.numeric[2], 12, 1e-8)
    check.eq(r.analytic[2], 8.0)
    local h = slope.check.hvp(f, x, {0, 0, 1})
    check.eq(h.worst, 3)
    check.near(h.max_rel_err, 0.03 / 3.03, 1e-7)
    -- a loose tolerance accepts it
    check.truthy(slope.check.hvp(f, x, {0, 0, 1}, {tol = 0.1}).ok)
  end)

  it("measures error relative above 1 and absolute below", function()
    -- f = 1e6 x^2 + 1e-9 x with gradient off by 1e-3 absolute: relative error tiny
    local f = slope.obj.lua{dim = 1, value = function(x) return 1e6 * x[1] ^ 2 end,
                            grad = function(x, g) g[1] = 2e6 * x[1] + 1e-3 end}
    local r = slope.check.grad(f, {1})
    check.truthy(r.max_rel_err < 1e-8 and r.max_abs_err > 5e-4, r.max_rel_err .. " " .. r.max_abs_err)
  end)

  it("takes a step override, relative or absolute", function()
    local f = slope.obj.lua{dim = 1, value = function(x) return x[1] ^ 3 end,
                            grad = function(x, g) g[1] = 3 * x[1] ^ 2 end}
    -- central difference of x^3 has error exactly h^2 (from the third derivative 6 / 6)
    local r = slope.check.grad(f, {2}, {h = 1e-2, abs = true})
    check.eq(r.h, 1e-2)
    check.near(r.numeric[1], 12 + 1e-4, 1e-9)
    local rr = slope.check.grad(f, {2}, {h = 1e-2}) -- relative: h_i = 1e-2 * 2
    check.near(rr.numeric[1], 12 + 4e-4, 1e-9)
    local hv = slope.check.hvp(f, {2}, {1}, {h = 1e-3, abs = true})
    check.near(hv.numeric[1], 12, 1e-6)
  end)

  it("checks its arguments", function()
    local f = slope.obj.rosenbrock()
    check.errors(function() slope.check.grad({}, {1, 2}) end, "objective expected")
    check.errors(function() slope.check.grad(f, {1, 2, 3}) end, "dimension mismatch: x has 3 entries, expected 2")
    check.errors(function() slope.check.grad(f, {1, 0 / 0}) end, "x has a NaN or Inf entry")
    check.errors(function() slope.check.grad(f, {1, 2}, {h = -1}) end, "slope.check.grad: h must be a positive number")
    check.errors(function() slope.check.grad(f, {1, 2}, {h = 0 / 0}) end, "slope.check.grad: h must be a positive number")
    check.errors(function() slope.check.grad(f, {1, 2}, {step = 1}) end, "slope.check.grad: unknown option 'step'")
    check.errors(function() slope.check.grad(f, {1, 2}, 3) end, "slope.check.grad: options must be a table")
    check.errors(function() slope.check.grad(f, {1, 2}, {abs = 1}) end, "slope.check.grad: abs must be a boolean")
    check.errors(function() slope.check.hvp(f, {1, 2}) end, "vec or table of numbers expected, got no value")
    check.errors(function() slope.check.hvp(f, {1, 2}, {1}) end, "dimension mismatch: v has 1 entries, expected 2")
    check.errors(function() slope.check.hvp(f, {1, 2}, {1, math.huge}) end, "v has a NaN or Inf entry")
    check.errors(function() slope.check.hvp(f, {1, 2}, {1, 0}, {tol = 0}) end, "slope.check.hvp: tol must be a positive number")
    local bad = slope.obj.lua{dim = 2, value = function(x) return x[1] end,
                              grad = function() error("grad exploded") end}
    check.errors(function() slope.check.grad(bad, {1, 2}) end, "grad exploded")
    check.errors(function() slope.check.hvp(bad, {1, 2}, {1, 0}) end, "grad exploded")
  end)
end)
