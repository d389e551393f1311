-- obj_lua_spec.lua — slope.obj.lua in all its partial forms, against the
-- built-in Rosenbrock; derived pieces, errors from callbacks, use by solvers.

local R = slope.obj.rosenbrock()
local function rv(x) local a, b = 1 - x[1], x[2] - x[1] ^ 2 return a * a + 100 * b * b end
local function rg(x, g)
  local a, b = 1 - x[1], x[2] - x[1] ^ 2
  g[1] = -2 * a - 400 * x[1] * b; g[2] = 200 * b
end
local function rhvp(x, v, hv)
  local hxx, hxy = 1200 * x[1] ^ 2 - 400 * x[2] + 2, -400 * x[1]
  hv[1] = hxx * v[1] + hxy * v[2]; hv[2] = hxy * v[1] + 200 * v[2]
end

local forms = {
  ["value only"] = {value = rv},
  ["value + grad in place"] = {value = rv, grad = rg},
  ["value + grad returning a vec"] = {value = rv, grad = function(x) local g = slope.vec.zeros(2); rg(x, g); return g end},
  ["value + grad returning a table"] = {value = rv, grad = function(x) local g = {}; rg(x, g); return g end},
  ["fg only"] = {fg = function(x, g) rg(x, g) return rv(x) end},
  ["fg returning f, g"] = {fg = function(x) local g = {}; rg(x, g) return rv(x), g end},
  ["fg + value"] = {value = rv, fg = function(x, g) rg(x, g) return rv(x) end},
  ["value + grad + hvp"] = {value = rv, grad = rg, hvp = rhvp},
  ["fg + hvp returning a table"] = {fg = function(x, g) rg(x, g) return rv(x) end,
                                    hvp = function(x, v) local h = {}; rhvp(x, v, h) return h end},
}

describe("slope.obj.lua", function()
  it("matches the built-in in every partial form", function()
    local rng = slope.rng(9)
    for name, spec in pairs(forms) do
      local t = {dim = 2}
      for k, v in pairs(spec) do t[k] = v end
      local f = slope.obj.lua(t)
      check.eq(f.exact_hvp, spec.hvp ~= nil, name .. ": exact_hvp")
      local fd = spec.grad == nil and spec.fg == nil
      for _ = 1, 5 do
        local x = slope.vec{rng:normal(), rng:normal()}
        local v = slope.vec{rng:normal(), rng:normal()}
        check.near(f:value(x), R:value(x), 1e-15, name .. ": value")
        local fx, g = f:fg(x)
        check.near(fx, R:value(x), 1e-15, name .. ": fg value")
        check.veq(g, R:grad(x):totable(), fd and 1e-7 or 1e-15, name .. ": gradient")
        check.veq(f:grad(x), g:totable(), 0, name .. ": grad agrees with fg")
        check.veq(f:hvp(x, v), R:hvp(x, v):totable(), (spec.hvp and 1e-15) or (fd and 1e-3) or 1e-6,
                  name .. ": hvp")
        if not fd then
          check.truthy(slope.check.grad(f, x).max_rel_err < 1e-6, name .. ": check.grad")
        end
      end
    end
  end)

  it("counts evaluations and derives gradients by 2 dim value calls", function()
    local calls = 0
    local f = slope.obj.lua{dim = 3, value = function(x) calls = calls + 1 return x:dot(x) end}
    local g = f:grad{1, 2, 3}
    check.eq(calls, 1 + 2 * 3)
    check.veq(g, {2, 4, 6}, 1e-9)
    check.eq(f:counts().ngev, 1)
  end)

  it("hands callbacks fresh copies: writing x does not move the caller's point", function()
    local f = slope.obj.lua{dim = 2, value = function(x) local v = x[1] + 2 * x[2]; x[1] = 99 return v end}
    local x = slope.vec{1, 1}
    check.eq(f:value(x), 3.0)
    check.veq(x, {1, 1})
    check.veq(f:grad(x), {1, 2}, 1e-9)
  end)

  it("starts at x0 (copied) or zeros and carries its name", function()
    local x0 = slope.vec{-1.2, 1}
    local f = slope.obj.lua{dim = 2, value = rv, grad = rg, x0 = x0, name = "rosen"}
    x0[1] = 5
    check.veq(f:init(), {-1.2, 1})
    check.eq(f.name, "rosen")
    check.eq(tostring(f), "objective rosen (dim 2)")
    check.veq(slope.obj.lua{dim = 3, value = rv}:init(), {0, 0, 0})
    check.eq(slope.obj.lua{dim = 1, value = rv}.name, "lua")
  end)

  it("works in solvers like a built-in", function()
    local f = slope.obj.lua{dim = 2, value = rv, grad = rg, hvp = rhvp}
    for _, m in ipairs{"lbfgs", "newton_cg"} do
      local r = slope.minimize(f, {-1.2, 1}, {method = m, gtol = 1e-8})
      check.eq(r.status, "converged", m)
      check.veq(r.x, {1, 1}, 1e-6, m)
    end
  end)

  it("works from a coroutine and across garbage collection", function()
    local f = slope.obj.lua{dim = 2, fg = function(x, g) rg(x, g) coroutine.yield() return rv(x) end}
    local co = coroutine.wrap(function() return f:value{0, 0} end)
    -- yielding across the C call is refused with a clear error, not a crash
    local ok, err = pcall(co)
    check.truthy(not ok and tostring(err):find("yield"), tostring(err))
    local h = slope.obj.lua{dim = 2, value = rv}
    local v = coroutine.wrap(function() return h:value{0, 0} end)()
    check.eq(v, 1.0)
    for _ = 1, 50 do slope.obj.lua{dim = 100, value = function(x) return x:sum() end} end
    collectgarbage(); collectgarbage()
    check.eq(h:value{1, 1}, 0.0)
  end)

  it("turns callback errors into Lua errors naming the objective", function()
    local function f(spec) spec.dim = spec.dim or 2 return slope.obj.lua(spec) end
    check.errors(function() f{value = function() error("boom in value") end}:value{1, 2} end, "boom in value")
    check.errors(function() f{value = function() error({}) end}:value{1, 2} end,
                 "lua: value raised an error object of type table")
    check.errors(function() f{value = function() return "x" end}:value{1, 2} end,
                 "objective 'lua': value returned string, expected a number")
    check.errors(function() f{value = function() end}:value{1, 2} end,
                 "objective 'lua': value returned nil, expected a number")
    check.errors(function() f{fg = function() return "1" end}:value{1, 2} end,
                 "objective 'lua': fg returned string, expected a number")
    check.errors(function() f{name = "mine", value = rv, grad = function() return 3 end}:grad{1, 2} end,
                 "objective 'mine': grad returned number, expected nothing, a vec or a table")
    check.errors(function() f{value = rv, grad = function() return {1} end}:grad{1, 2} end,
                 "grad returned a table of 1 entries, expected 2")
    check.errors(function() f{value = rv, grad = function() return {1, "a"} end}:grad{1, 2} end,
                 "grad returned a table whose entry 2 is not a number")
    check.errors(function() f{value = rv, grad = function() return slope.vec{1, 2, 3} end}:grad{1, 2} end,
                 "grad returned a vec of 3 entries, expected 2")
    check.errors(function() f{value = rv, grad = function() error("grad broke") end}:grad{1, 2} end, "grad broke")
    check.errors(function() f{fg = function() return 1, 5 end}:grad{1, 2} end, "fg returned number")
    check.errors(function() f{value = rv, hvp = function() error("hvp broke") end}:hvp({1, 2}, {1, 0}) end,
                 "hvp broke")
    check.errors(function() f{value = rv, hvp = function() return true end}:hvp({1, 2}, {1, 0}) end,
                 "hvp returned boolean")
    -- the finite-difference gradient passes value's errors on
    check.errors(function() f{value = function(x) if x[1] ~= 1 then error("off point") end return 0 end}:grad{1, 2} end,
                 "off point")
    -- and so do the checks and solvers
    local bad = f{value = function() error("inside check") end}
    check.errors(function() slope.check.grad(bad, {1, 2}) end, "inside check")
    check.errors(function() slope.minimize(bad, {1, 2}) end, "inside check")
    -- dimensions are checked before any callback runs
    check.errors(function() f{value = rv}:value{1, 2, 3} end, "dimension mismatch: x has 3 entries, expected 2")
  end)

  it("refuses bad options with errors naming slope.obj.lua", function()
    local L = slope.obj.lua
    check.errors(function() L() end, "slope.obj.lua: options table expected")
    check.errors(function() L{value = rv} end, "slope.obj.lua: dim is required")
    check.errors(function() L{dim = 0, value = rv} end, "slope.obj.lua: dim must be an integer >= 1, got 0")
    check.errors(function() L{dim = 1.5, value = rv} end, "slope.obj.lua: dim must be an integer")
    check.errors(function() L{dim = 2} end, "slope.obj.lua: give value or fg")
    check.errors(function() L{dim = 2, grad = rg} end, "slope.obj.lua: give value or fg")
    check.errors(function() L{dim = 2, value = 3} end, "slope.obj.lua: value must be a function, got number")
    check.errors(function() L{dim = 2, value = rv, hvp = {}} end, "slope.obj.lua: hvp must be a function, got table")
    check.errors(function() L{dim = 2, value = rv, x0 = {1}} end, "slope.obj.lua: dimension mismatch: x0 has 1 entries, expected 2")
    check.errors(function() L{dim = 2, value = rv, x0 = 1} end, "slope.obj.lua: x0 must be a vec or a table of numbers")
    check.errors(function() L{dim = 2, value = rv, name = 1} end, "slope.obj.lua: name must be a string")
    check.errors(function() L{dim = 2, value = rv, gradient = rg} end, "slope.obj.lua: unknown option 'gradient'")
    -- callable tables are functions too
    local callable = setmetatable({}, {__call = function(_, x) return rv(x) end})
    check.eq(L{dim = 2, value = callable}:value{1, 1}, 0.0)
    check.errors(function() L{dim = 2, value = rv}:batch{1} end, "batch: lua is not a data objective")
  end)
end)

describe("slope.obj.lua threads", function()
  it("runs callbacks on the thread that hands it over, even after that coroutine is gone", function()
    local where
    local f = slope.obj.lua{dim = 1, value = function(x) where = coroutine.running() return x[1] end}
    local co = coroutine.create(function() return f:value{2} end)
    local ok, v = coroutine.resume(co)
    check.truthy(ok and v == 2.0)
    check.truthy(where == co, "ran on the coroutine")
    co = nil
    collectgarbage(); collectgarbage()
    -- a solver started from the main thread rebinds it to the main thread
    local r = slope.minimize(slope.obj.lua{dim = 1, value = function(x) return (x[1] - 3) ^ 2 end},
                             {0}, {method = "lbfgs"})
    check.near(r.x[1], 3, 1e-5)
    check.eq(f:value{5}, 5.0)
    check.truthy(where == coroutine.running() or select(2, coroutine.running()), "main thread")
  end)
end)
