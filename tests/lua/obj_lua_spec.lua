-- obj_lua_spec.lua — slope.obj.lua in all its partial forms, its errors, and
-- its use by the rest of slope (check, minimize, hessian).

local rb = slope.obj.rosenbrock()
local function val(x) return 100 * (x[2] - x[1] ^ 2) ^ 2 + (1 - x[1]) ^ 2 end
local function grad(x, g)
  g[1] = -400 * x[1] * (x[2] - x[1] ^ 2) - 2 * (1 - x[1])
  g[2] = 200 * (x[2] - x[1] ^ 2)
end
local function fg(x, g) grad(x, g); return val(x) end
local function hvp(x, v, hv) rb:hvp(x, v, hv) end

local forms = {
  {name = "value only", t = {dim = 2, value = val}, gtol = 1e-7, htol = 1e-3},
  {name = "value+grad", t = {dim = 2, value = val, grad = grad}, gtol = 0, htol = 1e-6},
  {name = "fg only", t = {dim = 2, fg = fg}, gtol = 0, htol = 1e-6},
  {name = "fg returning f, g", t = {dim = 2, fg = function(x) local g = slope.vec.zeros(2); grad(x, g); return val(x), g end},
   gtol = 0, htol = 1e-6},
  {name = "grad returning a table", t = {dim = 2, value = val, grad = function(x)
     local g = slope.vec.zeros(2); grad(x, g); return {g[1], g[2]} end}, gtol = 0, htol = 1e-6},
  {name = "value+grad+hvp", t = {dim = 2, value = val, grad = grad, hvp = hvp}, gtol = 0, htol = 0, exact = true},
  {name = "fg+hvp returning", t = {dim = 2, fg = fg, hvp = function(x, v) return rb:hvp(x, v) end},
   gtol = 0, htol = 0, exact = true},
}

describe("slope.obj.lua", function()
  it("matches the built-in Rosenbrock in every partial form", function()
    local r = slope.rng(3)
    for _, c in ipairs(forms) do
      local f = slope.obj.lua(c.t)
      check.eq(f.dim, 2)
      check.eq(f.exact_hvp, c.exact or false, c.name)
      for _ = 1, 5 do
        local x = slope.vec{r:normal(), r:normal()}
        local v = slope.vec{r:normal(), r:normal()}
        check.near(f:value(x), rb:value(x), 1e-15, c.name .. " value")
        check.veq(f:grad(x), rb:grad(x), c.gtol, c.name .. " grad")
        local fv, g = f:fg(x)
        check.near(fv, rb:value(x), 1e-15, c.name .. " fg value")
        check.veq(g, rb:grad(x), c.gtol, c.name .. " fg grad")
        check.veq(f:hvp(x, v), rb:hvp(x, v), c.htol, c.name .. " hvp")
        if c.gtol > 0 then -- value only: no analytic gradient to check
          check.errors(function() slope.check.grad(f, x) end, "has no analytic gradient")
        else
          check.truthy(slope.check.grad(f, x).max_rel_err < 1e-6, c.name)
        end
        check.truthy(slope.check.hvp(f, x, v).max_rel_err < (c.exact and 1e-6 or 1e-3), c.name)
      end
    end
  end)

  it("works where a built-in does: minimize, hessian, counts, init", function()
    local f = slope.obj.lua{dim = 2, value = val, grad = grad, x0 = {-1.2, 1}}
    check.veq(f:init(), {-1.2, 1})
    local res = slope.minimize(f, f:init())
    check.veq(res.x, {1, 1}, 1e-5)
    local H = slope.obj.lua{dim = 2, fg = fg, hvp = hvp}:hessian{1, 1}
    check.eq(H[1][1], 802); check.eq(H[1][2], -400)
    local c = f:counts(true)
    check.truthy(c.nfev > 0)
    check.veq(slope.obj.lua{dim = 3, value = function() return 0 end}:init(), {0, 0, 0})
    check.eq(tostring(slope.obj.lua{dim = 2, value = val, name = "rb"}), "objective rb (dim 2)")
  end)

  it("reuses its vecs between calls", function()
    local seen = {}
    local f = slope.obj.lua{dim = 2, value = function(x) seen[x] = true; return x[1] end}
    for i = 1, 10 do f:value{i, 0} end
    local n = 0
    for _ in pairs(seen) do n = n + 1 end
    check.eq(n, 1)
  end)

  it("works from a coroutine and after garbage collection", function()
    local f = slope.obj.lua{dim = 1, value = function(x) return x[1] ^ 2 end}
    collectgarbage(); collectgarbage()
    local co = coroutine.wrap(function() return f:value{3} end)
    check.eq(co(), 9)
    check.eq(f:value{2}, 4)
  end)

  it("turns callback errors and bad results into errors naming the objective", function()
    local x = slope.vec{1, 2}
    local f = slope.obj.lua{dim = 2, value = function() error("boom in value") end}
    check.errors(function() f:value(x) end, "boom in value")
    check.errors(function() f:grad(x) end, "boom in value")
    check.errors(function() slope.check.grad(f, x) end, "boom in value")
    check.errors(function() slope.minimize(f, x) end, "boom in value")
    f = slope.obj.lua{dim = 2, value = function() error({}) end}
    check.errors(function() f:value(x) end, "slope.obj.lua: value raised an error object of type table")
    f = slope.obj.lua{dim = 2, value = function() return "s" end, name = "strfn"}
    check.errors(function() f:value(x) end, "slope.obj.lua 'strfn': value must return a number, got string")
    f = slope.obj.lua{dim = 2, value = function() return "1" end}
    check.errors(function() f:value(x) end, "slope.obj.lua: value must return a number, got string")
    f = slope.obj.lua{dim = 2, fg = function() return nil end}
    check.errors(function() f:value(x) end, "slope.obj.lua: fg must return a number, got nil")
    f = slope.obj.lua{dim = 2, value = val, grad = function() return 5 end}
    check.errors(function() f:grad(x) end, "grad must fill its output vec or return a vec of length 2, got number")
    f = slope.obj.lua{dim = 2, value = val, grad = function() return slope.vec{1} end}
    check.errors(function() f:grad(x) end, "grad returned a vec of length 1, expected 2")
    f = slope.obj.lua{dim = 2, value = val, grad = function() return {1, "a"} end}
    check.errors(function() f:grad(x) end, "grad returned a table with a non-number at 2")
    f = slope.obj.lua{dim = 2, value = val, hvp = function() error("hvp failed") end}
    check.errors(function() f:hvp(x, x) end, "hvp failed")
    f = slope.obj.lua{dim = 2, fg = function(_, g) g[3] = 1; return 0 end}
    check.errors(function() f:grad(x) end, "out of range")
    check.errors(function() slope.obj.lua{dim = 2, value = val}:value{1, 2, 3} end, "dimension mismatch")
  end)

  it("rejects bad options", function()
    check.errors(function() slope.obj.lua{dim = 2} end, "slope.obj.lua: give value or fg (or both)")
    check.errors(function() slope.obj.lua{value = val} end, "slope.obj.lua: dim is required")
    check.errors(function() slope.obj.lua{dim = 0, value = val} end, "slope.obj.lua: dim must be an integer >= 1, got 0")
    check.errors(function() slope.obj.lua{dim = 1.5, value = val} end, "slope.obj.lua: dim must be an integer")
    check.errors(function() slope.obj.lua{dim = 2, value = 3} end, "slope.obj.lua: value must be a function, got number")
    check.errors(function() slope.obj.lua{dim = 2, value = val, hvp = "x"} end, "hvp must be a function, got string")
    check.errors(function() slope.obj.lua{dim = 2, value = val, gradient = grad} end, "unknown option 'gradient'")
    check.errors(function() slope.obj.lua{dim = 2, value = val, x0 = {1}} end, "x0 has 1 entries, expected dim = 2")
    check.errors(function() slope.obj.lua{dim = 2, value = val, x0 = "a"} end, "x0 must be a vec, got string")
    check.errors(function() slope.obj.lua(5) end, "slope.obj.lua: options table expected")
    -- a callable table is accepted as a function
    local callable = setmetatable({}, {__call = function(_, x) return x[1] end})
    check.eq(slope.obj.lua{dim = 1, value = callable}:value{4}, 4)
  end)
end)

describe("slope.obj.lua robustness", function()
  it("derives a finite-difference gradient unharmed by a callback that writes its x", function()
    local f = slope.obj.lua{dim = 3, value = function(x)
      local v = x[1] + 2 * x[2] + 3 * x[3]
      x[1], x[2], x[3] = 99, -99, 1e6 -- scribbles over its argument
      return v
    end}
    local x = slope.vec{1, 1, 1}
    check.veq(f:grad(x), {1, 2, 3}, 1e-8)
    check.veq(x, {1, 1, 1})
  end)

  it("keeps the coroutine it last ran on alive and calls back on the running thread", function()
    local where
    local f = slope.obj.lua{dim = 1, value = function(x) where = coroutine.running() return x[1] end}
    local co = coroutine.create(function() return f:value{2} end)
    local ok, v = coroutine.resume(co)
    check.truthy(ok and v == 2.0)
    check.truthy(where == co, "ran on the coroutine")
    co = nil -- luacheck: ignore 311 (drop the last reference before collecting)
    collectgarbage(); collectgarbage()
    check.eq(f:value{5}, 5.0)
    check.truthy(where == coroutine.running(), "rebound to the running thread")
  end)
end)

describe("slope.obj.lua bookkeeping", function()
  it("many objectives: each keeps its own callbacks, the collected ones free theirs", function()
    local fs = {}
    for i = 1, 300 do -- past the first block of slots
      fs[i] = slope.obj.lua{dim = 1, fg = function(x, g) g[1] = i; return i * x[1] end}
      if i % 3 == 0 then fs[i] = nil; collectgarbage() end
    end
    for i = 1, 300 do
      if fs[i] then
        local v, g = fs[i]:fg({2})
        check.eq(v, 2 * i); check.eq(g[1], i)
      end
    end
  end)

  it("is collected with its callbacks, even when they capture it", function()
    local probe = setmetatable({}, {__mode = "v"})
    do
      local f
      local fn = function(x, g) g[1] = 1; return f and x[1] or 0 end
      f = slope.obj.lua{dim = 1, fg = fn}
      f:fg({1})
      probe.fn, probe.f = fn, f
    end
    collectgarbage(); collectgarbage()
    check.eq(probe.fn, nil); check.eq(probe.f, nil)
  end)

  it("g handed back unwritten is not a gradient; g written and handed back is", function()
    local lazy = slope.obj.lua{dim = 2, fg = function(_, g) return 1, g end}
    check.errors(function() lazy:fg({1, 2}) end, "slope.obj.lua: fg never wrote g")
    local calls = 0
    local nz = slope.obj.lua{dim = 2, fg = function(_, g) calls = calls + 1; g[1] = -0.0; g[2] = -0.0; return 1, g end}
    local v, g = nz:fg({1, 2})
    check.eq(v, 1); check.veq(g, {0, 0})
    check.eq(calls, 2) -- -0.0 reads as the first fill: the second call (+0.0 fill) tells it from untouched
    check.truthy(1 / g[1] < 0)
  end)
end)


-- f:fg(x, g) with two vecs from Lua takes a direct path (the callback gets the
-- caller's vecs, unprotected); it must keep every promise of the other path.
describe("slope.obj.lua: f:fg(x, g) from Lua with vecs", function()
  local x = slope.vec{-1.2, 1}

  it("gives the values of the other paths, for fg filling g and fg returning it", function()
    for _, c in ipairs(forms) do
      if c.t.fg then
        local f = slope.obj.lua(c.t)
        local g = slope.vec.zeros(2)
        local v, gr = f:fg(x, g)
        check.eq(gr, g, c.name .. ": returns the g it was given")
        check.eq(v, rb:value(x), c.name .. " value")
        check.veq(g, rb:grad(x), 0, c.name .. " grad")
        check.eq(f:value(x), v, c.name .. ": same value through the objective's ops")
      end
    end
  end)

  it("copies a returned table or vec of another length into g, or names the problem", function()
    local g = slope.vec{7, 7}
    local t = slope.obj.lua{dim = 2, fg = function() return 3, {1, 2} end}
    local v = t:fg(x, g)
    check.eq(v, 3); check.veq(g, {1, 2})
    local short = slope.obj.lua{dim = 2, fg = function() return 3, slope.vec{1} end}
    check.errors(function() short:fg(x, g) end, "slope.obj.lua: fg returned a vec of length 1, expected 2")
    local junk = slope.obj.lua{dim = 2, fg = function() return 3, "g" end}
    check.errors(function() junk:fg(x, g) end, "slope.obj.lua: fg must fill its output vec or return a vec of length 2, got string")
  end)

  it("reads g as zeros (accumulating code works) and refuses a g never written", function()
    local acc = slope.obj.lua{dim = 2, fg = function(y, g) g[1] = g[1] + y[1]; g[2] = g[2] + 1; return 0 end}
    local g = slope.vec{5, 5}
    acc:fg(x, g)
    check.veq(g, {-1.2, 1})
    local lazy = slope.obj.lua{dim = 2, fg = function(_, gg) return 1, gg end}
    check.errors(function() lazy:fg(x, g) end, "slope.obj.lua: fg never wrote g")
    local silent = slope.obj.lua{dim = 2, name = "quiet", fg = function() return 1 end}
    check.errors(function() silent:fg(x, g) end, "slope.obj.lua 'quiet': fg never wrote g")
  end)

  it("names a value that is not a number, and passes the callback's own error through", function()
    local g = slope.vec.zeros(2)
    local nilv = slope.obj.lua{dim = 2, fg = function(_, gg) gg[1] = 1; gg[2] = 1 end}
    check.errors(function() nilv:fg(x, g) end, "slope.obj.lua: fg must return a number, got nil")
    local boom = slope.obj.lua{dim = 2, fg = function() error("boom in fg") end}
    check.errors(function() boom:fg(x, g) end, "boom in fg")
    local obj = slope.obj.lua{dim = 2, fg = function() error({code = 7}) end}
    local ok, e = pcall(obj.fg, obj, x, g)
    check.eq(ok, false); check.eq(type(e), "table"); check.eq(e.code, 7)
    -- the objective still works after an error
    local v = slope.obj.lua{dim = 2, fg = fg}:fg(x, g)
    check.eq(v, rb:value(x))
  end)

  it("counts each call once, works inside coroutines and leaves x alone", function()
    local f = slope.obj.lua{dim = 2, fg = fg}
    local g = slope.vec.zeros(2)
    f:counts(true)
    for _ = 1, 3 do f:fg(x, g) end
    local c = f:counts()
    check.eq(c.nfev, 3); check.eq(c.ngev, 3)
    local co = coroutine.wrap(function() local v = f:fg(x, g); coroutine.yield(v); return f:fg(x, g) end)
    check.eq(co(), rb:value(x)); check.eq(co(), rb:value(x))
    check.veq(x, {-1.2, 1})
    -- a solver afterwards still calls it through the protected path
    local r = slope.minimize(f, slope.vec{-1.2, 1}, {method = "lbfgs"})
    check.near(r.x[1], 1, 1e-5)
  end)
end)
