-- probe_misuse_spec.lua — every probe, the spectrum functions and lr_find given
-- each wrong type for each option and each positional argument: the error
-- must name the function and the option (or argument), and no message may be
-- an internal "attempt to ..." error. Then every probe on the three kinds of
-- objective: data-free (rosenbrock, quadratic), data (logistic on
-- breast_cancer, softmax on iris, an MLP) and Lua-defined (slope.obj.lua).

local P, S = slope.probe, slope.spectrum

local quad = slope.obj.quadratic{ eigs = { 1, 2, 3 } }
local x3 = slope.vec{ 0.5, -0.2, 0.1 }
local ls = S.toy.least_squares(slope.mat{ { 1, 0, 0 }, { 0, 1, 0 }, { 1, 1, 1 }, { 2, -1, 0 } }, { 1, 2, 2, 0 })

-- the pool of wrong values: name -> value
local POOL = {
  { "3.5", 3.5 }, { "-1", -1 }, { "0", 0 }, { "0.5", 0.5 }, { "nan", 0 / 0 }, { "inf", math.huge },
  { "string", "x" }, { "true", true }, { "table", { a = 1 } }, { "function", function() end },
  { "vec of the wrong length", slope.vec{ 1, 2, 3, 4, 5, 6, 7 } }, { "rng seed", 42 },
}

-- which pool values each kind of option accepts
local function isnum(v) return type(v) == "number" and v == v and v > -math.huge and v < math.huge end
local KINDS = {
  positive = function(v) return isnum(v) and v > 0 end,
  nonneg = function(v) return isnum(v) and v >= 0 end,
  number = isnum,
  posint = function(v) return math.type(v) == "integer" and v >= 1 end,
  nonnegint = function(v) return math.type(v) == "integer" and v >= 0 end,
  int2 = function(v) return math.type(v) == "integer" and v >= 2 end,
  unit = function(v) return isnum(v) and v >= 0 and v < 1 end,
  above1 = function(v) return isnum(v) and v > 1 end,
  rng = function() return false end, -- no pool value is a slope.rng
  vec = function() return false end, -- every pool value is the wrong type or length
  enum = function() return false end,
  list = function() return false end,
  bool = function(v) return type(v) == "boolean" end,
}

local function short(fname) return fname:match("[%w_]+$") end

-- fn(value) must raise an error naming fname (or its last word) and `what`
local function refused(fname, what, label, fn)
  local ok, err = pcall(fn)
  err = tostring(err)
  check.truthy(not ok, ("%s: %s = %s was accepted"):format(fname, what, label))
  check.truthy(not err:find("attempt to", 1, true), ("%s: %s = %s: internal error: %s"):format(fname, what, label, err))
  check.truthy(err:find(fname, 1, true) or err:find("'" .. short(fname) .. "'", 1, true),
    ("%s: %s = %s: the error does not name the function: %s"):format(fname, what, label, err))
  check.truthy(err:find("%f[%w_]" .. what:gsub("%p", "%%%0") .. "%f[^%w_]"),
    ("%s: %s = %s: the error does not name %s: %s"):format(fname, what, label, what, err))
end

-- options: { {name, kind}, ... }; call(opts) runs the function with them
local function options_battery(fname, options, call)
  for _, o in ipairs(options) do
    it(fname .. " refuses wrong values of " .. o[1], function()
      for _, e in ipairs(POOL) do
        if not KINDS[o[2]](e[2]) then
          refused(fname, o[1], e[1], function() call({ [o[1]] = e[2] }) end)
        end
      end
    end)
  end
  it(fname .. " refuses unknown and positional options and a non-table", function()
    refused(fname, "tolerance", "1", function() call({ tolerance = 1 }) end)
    refused(fname, "options", "positional", function() call({ 1 }) end)
    refused(fname, "options", "a string", function() call("opts") end)
  end)
end

-- positional: { {name, good value, kinds of wrong values...} }; call(args) with args[i]
local function args_battery(fname, args, call)
  it(fname .. " refuses wrong positional arguments", function()
    for i, a in ipairs(args) do
      for _, e in ipairs(a.bad) do
        local t = {}
        for j, b in ipairs(args) do t[j] = b.good end
        t[i] = e[2]
        local what = a.name
        local ok, err = pcall(call, t, #args)
        err = tostring(err)
        check.truthy(not ok, ("%s: %s = %s was accepted"):format(fname, what, e[1]))
        check.truthy(not err:find("attempt to", 1, true), ("%s: %s = %s: internal error: %s"):format(fname, what, e[1], err))
        check.truthy(err:find(fname, 1, true) or err:find("'" .. short(fname) .. "'", 1, true),
          ("%s: %s = %s: the error does not name the function: %s"):format(fname, what, e[1], err))
        check.truthy(err:find("%f[%w_]" .. what:gsub("%p", "%%%0") .. "%f[^%w_]") or err:find("#" .. i, 1, true),
          ("%s: %s = %s: the error does not name the argument: %s"):format(fname, what, e[1], err))
      end
    end
  end)
end

local NOTOBJ = { { "42", 42 }, { "string", "f" }, { "table", {} }, { "nil", nil }, { "constructor", slope.obj.rosenbrock } }
local NOTVEC = { { "string", "x" }, { "wrong length", { 1, 2 } }, { "true", true }, { "nil", nil }, { "table of strings", { "a", "b", "c" } } }
local NOTNUM = { { "nan", 0 / 0 }, { "string", "1" }, { "nil", nil }, { "inf", math.huge } }

local function unpackn(t, n) return table.unpack(t, 1, n) end

describe("probe misuse: options", function()
  options_battery("slope.probe.sharpness", { { "v0", "vec" }, { "tol", "positive" }, { "maxiter", "posint" }, { "rng", "rng" } },
    function(o) return P.sharpness(quad, x3, 0.1, o) end)
  options_battery("slope.probe.sharpness_tracker", { { "lr", "nonneg" }, { "every", "posint" }, { "tol", "positive" }, { "rng", "rng" } },
    function(o) return P.sharpness_tracker(quad, o) end)
  options_battery("slope.probe.interpolate", { { "points", "int2" } },
    function(o) return P.interpolate(quad, x3, { 1, 1, 1 }, o) end)
  options_battery("slope.probe.slice2d", { { "dirs", "list" }, { "span", "positive" }, { "points", "int2" }, { "rng", "rng" },
    { "normalize", "enum" }, { "layers", "list" } },
    function(o) if type(o) == "table" then o.points = o.points or 3 end; return P.slice2d(quad, x3, o) end)
  options_battery("slope.probe.connect", { { "bends", "posint" }, { "steps", "nonnegint" }, { "lr", "positive" },
    { "batch", "posint" }, { "rng", "rng" }, { "points", "int2" } },
    function(o) if type(o) == "table" then o.steps = o.steps or 2 end; return P.connect(ls, x3, { 1, 1, 1 }, o) end)
  options_battery("slope.probe.noise_scale", { { "batch", "posint" }, { "samples", "int2" }, { "rng", "rng" } },
    function(o) return P.noise_scale(ls, x3, o) end)
  options_battery("slope.probe.grad_variance", { { "batch", "posint" }, { "samples", "int2" }, { "rng", "rng" } },
    function(o) return P.grad_variance(ls, x3, o) end)
  options_battery("slope.spectrum.top", { { "k", "posint" }, { "tol", "positive" }, { "maxiter", "posint" }, { "rng", "rng" },
    { "v0", "vec" }, { "method", "enum" }, { "criterion", "enum" } },
    function(o) return S.top(quad, x3, o) end)
  options_battery("slope.spectrum.bottom", { { "k", "posint" }, { "tol", "positive" }, { "maxiter", "posint" }, { "rng", "rng" },
    { "v0", "vec" }, { "method", "enum" }, { "criterion", "enum" } },
    function(o) return S.bottom(quad, x3, o) end)
  options_battery("slope.spectrum.trace", { { "samples", "posint" }, { "rng", "rng" } },
    function(o) return S.trace(quad, x3, o) end)
  options_battery("slope.spectrum.density", { { "steps", "posint" }, { "probes", "posint" }, { "rng", "rng" },
    { "sigma", "positive" }, { "grid", "int2" } },
    function(o) return S.density(quad, x3, o) end)
  options_battery("slope.spectrum.condition", { { "tol", "positive" }, { "maxiter", "posint" }, { "rng", "rng" }, { "criterion", "enum" } },
    function(o) return S.condition(quad, x3, o) end)
  options_battery("slope.lr_find", { { "min_lr", "positive" }, { "max_lr", "positive" }, { "steps", "int2" },
    { "batch", "posint" }, { "rng", "rng" }, { "smooth", "unit" }, { "stop_factor", "above1" } },
    function(o)
      if type(o) ~= "table" then return slope.lr_find(ls, x3, slope.optim.sgd{ lr = 0.1 }, o) end
      o.steps = o.steps or 3
      return slope.lr_find(ls, x3, slope.optim.sgd{ lr = 0.1 }, o)
    end)
end)

describe("probe misuse: positional arguments", function()
  args_battery("slope.probe.descent_lemma", {
    { name = "f_before", good = 1, bad = NOTNUM }, { name = "f_after", good = 0.5, bad = NOTNUM },
    { name = "lr", good = 0.1, bad = { { "0", 0 }, { "-1", -1 }, { "nan", 0 / 0 }, { "string", "0.1" } } },
    { name = "gnorm", good = 1, bad = { { "-1", -1 }, { "nan", 0 / 0 }, { "nil", nil } } },
    { name = "L", good = 2, bad = { { "-1", -1 }, { "nan", 0 / 0 }, { "table", {} } } },
  }, function(t, n) return P.descent_lemma(unpackn(t, n)) end)
  args_battery("slope.probe.pl_ratio", {
    { name = "f", good = quad, bad = NOTOBJ }, { name = "x", good = x3, bad = NOTVEC },
    { name = "fstar", good = -10, bad = NOTNUM },
  }, function(t, n) return P.pl_ratio(unpackn(t, n)) end)
  args_battery("slope.probe.sharpness", {
    { name = "f", good = quad, bad = NOTOBJ }, { name = "x", good = x3, bad = NOTVEC },
    { name = "lr", good = 0.1, bad = { { "-1", -1 }, { "nan", 0 / 0 }, { "string", "0.1" }, { "nil", nil } } },
  }, function(t, n) return P.sharpness(unpackn(t, n)) end)
  args_battery("slope.probe.sharpness_tracker", { { name = "f", good = quad, bad = NOTOBJ } },
    function(t, n) return P.sharpness_tracker(unpackn(t, n)) end)
  it("sharpness_tracker:update refuses a wrong x", function()
    local tr = P.sharpness_tracker(quad)
    refused("slope.probe.sharpness_tracker:update", "x", "wrong length", function() tr:update({ 1 }) end)
    refused("slope.probe.sharpness_tracker:update", "x", "string", function() tr:update("x") end)
  end)
  args_battery("slope.probe.interpolate", {
    { name = "f", good = quad, bad = NOTOBJ }, { name = "xa", good = x3, bad = NOTVEC }, { name = "xb", good = x3, bad = NOTVEC },
  }, function(t, n) return P.interpolate(unpackn(t, n)) end)
  args_battery("slope.probe.slice2d", {
    { name = "f", good = quad, bad = NOTOBJ }, { name = "x", good = x3, bad = NOTVEC },
  }, function(t, n) return P.slice2d(t[1], t[2], { points = 2 }) end)
  args_battery("slope.probe.connect", {
    { name = "f", good = quad, bad = NOTOBJ }, { name = "xa", good = x3, bad = NOTVEC }, { name = "xb", good = x3, bad = NOTVEC },
  }, function(t, n) return P.connect(t[1], t[2], t[3], { steps = 1 }) end)
  args_battery("slope.probe.filter_normalize", {
    { name = "d", good = slope.vec{ 1, 2, 3 }, bad = { { "string", "d" }, { "table", { 1, 2, 3 } }, { "nil", nil } } },
    { name = "x", good = x3, bad = NOTVEC },
    { name = "layers", good = nil, bad = { { "number", 3 }, { "string", "all" }, { "empty list", {} },
      { "out of range", { { 2, 5 } } }, { "bad entry", { "W1" } }, { "objective of another dim", slope.obj.rosenbrock(2) },
      { "bad shape", { { offset = 1, size = 3, shape = { 2, 2 } } } } } },
  }, function(t, n) return P.filter_normalize(t[1], t[2], t[3]) end)
  args_battery("slope.probe.step_stats", {
    { name = "x_before", good = x3, bad = { { "string", "x" }, { "nil", nil } } },
    { name = "x_after", good = x3, bad = NOTVEC }, { name = "g", good = x3, bad = NOTVEC },
    { name = "g_prev", good = nil, bad = { { "wrong length", { 1 } }, { "string", "g" } } },
  }, function(t, n) return P.step_stats(t[1], t[2], t[3], t[4]) end)
  args_battery("slope.probe.noise_scale", {
    { name = "f", good = ls, bad = { { "42", 42 }, { "no samples", quad }, { "nil", nil } } }, { name = "x", good = x3, bad = NOTVEC },
  }, function(t, n) return P.noise_scale(t[1], t[2]) end)
  args_battery("slope.probe.grad_variance", {
    { name = "f", good = ls, bad = { { "42", 42 }, { "no samples", quad }, { "nil", nil } } }, { name = "x", good = x3, bad = NOTVEC },
  }, function(t, n) return P.grad_variance(t[1], t[2]) end)
  for _, fn in ipairs({ "top", "bottom", "trace", "density", "condition", "operator" }) do
    args_battery("slope.spectrum." .. fn, {
      { name = "f", good = quad, bad = NOTOBJ }, { name = "x", good = x3, bad = NOTVEC },
    }, function(t, n) return S[fn](t[1], t[2]) end)
  end
  it("the Hessian operator refuses a wrong v", function()
    local H <close> = S.operator(quad, x3)
    refused("slope.spectrum.operator:mul", "v", "wrong length", function() H:mul({ 1, 2 }) end)
    refused("slope.spectrum.operator:mul", "v", "string", function() H:mul("v") end)
    H:close()
    refused("slope.spectrum.operator:mul", "closed", "closed", function() H:mul(x3) end)
  end)
  args_battery("slope.lr_find", {
    { name = "f", good = ls, bad = { { "42", 42 }, { "string", "f" }, { "nil", nil }, { "constructor", slope.obj.rosenbrock } } },
    { name = "x0", good = x3, bad = NOTVEC },
    { name = "make_opt", good = slope.optim.sgd{ lr = 0.1 }, bad = { { "42", 42 }, { "string", "sgd" }, { "nil", nil }, { "table", {} } } },
  }, function(t, n) return slope.lr_find(t[1], t[2], t[3], { steps = 3 }) end)
  it("lr_find: make_opt returning a non-optimizer, batch on an objective without samples", function()
    refused("slope.lr_find", "make_opt", "fn", function() slope.lr_find(ls, x3, function() return 3 end) end)
    refused("slope.lr_find", "batch", "no samples", function() slope.lr_find(quad, x3, slope.optim.sgd{ lr = 0.1 }, { batch = 2 }) end)
    refused("slope.lr_find", "max_lr", "below min_lr", function() slope.lr_find(ls, x3, slope.optim.sgd{ lr = 0.1 }, { min_lr = 1, max_lr = 0.5 }) end)
  end)
end)

-- every probe on each kind of objective -------------------------------------------

local bc = slope.data.load("breast_cancer")
local bcX = slope.data.standardize(bc.X)
local iris = slope.data.load("iris")
local luaquad = slope.obj.lua{ dim = 3, fg = function(x, g)
  local f = 0
  for i = 1, 3 do g[i] = i * x[i]; f = f + i * x[i] ^ 2 / 2 end
  return f
end }

local OBJECTIVES = {
  { "rosenbrock", slope.obj.rosenbrock(3) },
  { "quadratic", quad },
  { "logistic on breast_cancer", slope.obj.logistic{ X = bcX, y = bc.y, intercept = true } },
  { "softmax on iris", slope.obj.softmax{ X = iris.X, y = iris.y, intercept = true } },
  { "mlp on iris", slope.obj.mlp{ X = iris.X, y = iris.y, hidden = { 4 } } },
  { "slope.obj.lua", luaquad },
}

describe("every probe on every kind of objective", function()
  for _, e in ipairs(OBJECTIVES) do
    local name, f = e[1], e[2]
    it("runs on " .. name, function()
      local rng = slope.rng(5)
      local x = f:init(rng)
      for i = 1, #x do x[i] = x[i] + 0.1 * rng:normal() end
      local x2 = x:clone()
      for i = 1, #x2 do x2[i] = x2[i] + 0.05 * rng:normal() end
      local fx, g = f:fg(x)
      local fx2 = f:value(x2)
      check.truthy(P.descent_lemma(fx, fx2, 0.1, g:norm(), 10).bound == P.descent_lemma(fx, fx2, 0.1, g:norm(), 10).bound)
      local ratio = P.pl_ratio(f, x, fx - 1)
      check.truthy(ratio >= 0)
      local s = P.sharpness(f, x, 0.1, { tol = 1e-3, rng = slope.rng(1) })
      check.truthy(s.lambda_max == s.lambda_max and s.ratio ~= nil)
      local s0 = P.sharpness(f, x, 0, { tol = 1e-3, rng = slope.rng(1) })
      check.eq(s0.ratio, nil)
      local tr = P.sharpness_tracker(f, { lr = 0.1, tol = 1e-3 })
      tr:update(x)
      check.eq(#tr.history, 1)
      local it_ = P.interpolate(f, x, x2, { points = 3 })
      check.eq(#it_.loss, 3)
      local sl = P.slice2d(f, x, { points = 2, span = 0.1 })
      check.truthy(sl.normalization == "filter" or sl.normalization == "whole")
      check.eq(sl.normalization == "whole", sl.note ~= nil)
      local c = P.connect(f, x, x2, { steps = 3, points = 3, lr = 1e-3 })
      check.eq(#c.loss, 3)
      local d, how = P.filter_normalize(slope.vec.randn(f.dim, rng), x, f)
      check.eq(#d, f.dim)
      check.eq(how, f.layers and "filter" or "whole")
      local st = P.step_stats(x, x2, g)
      check.truthy(st.grad_norm >= 0)
      if f.n then
        local ns = P.noise_scale(f, x, { samples = 20, rng = slope.rng(2) })
        check.truthy(ns.ngrad == 20)
        local gv = P.grad_variance(f, x, { samples = 10, rng = slope.rng(2) })
        check.eq(gv.samples, 10)
      else
        check.errors(function() P.noise_scale(f, x) end, "is not a data objective")
        check.errors(function() P.grad_variance(f, x) end, "is not a data objective")
      end
      local top = S.top(f, x, { tol = 1e-3, rng = slope.rng(3) })
      local bottom = S.bottom(f, x, { tol = 1e-3, rng = slope.rng(3) })
      check.truthy(top.values[1] >= bottom.values[1] - 1e-6)
      local trace = S.trace(f, x, { samples = 3 }).trace
      check.truthy(trace == trace and math.abs(trace) < math.huge)
      check.eq(#S.density(f, x, { steps = 4, probes = 2, grid = 5 }).density, 5)
      local H <close> = S.operator(f, x)
      check.eq(#H:mul(x), f.dim)
      local lf = slope.lr_find(f, x, slope.optim.sgd{ lr = 1e-7 }, { steps = 5 })
      check.truthy(#lf.lr >= 1)
    end)
  end
end)
