-- optim_curv_misuse_spec.lua — adahessian, sophia, shampoo, muon and
-- slope.probe.hessian_diag given each wrong type, NaN and out-of-range value
-- for every option, bad layer layouts and objectives: the error names the
-- function and the option, never "attempt to" or "-nan".

local O = slope.optim
local quad = slope.obj.quadratic{ eigs = { 1, 2, 3 } }
local D = slope.data.load("iris")
local mlp = slope.obj.mlp{ X = D.X, y = D.y, hidden = { 4 } }

local POOL = {
  { "3.5", 3.5 }, { "-1", -1 }, { "0", 0 }, { "0.5", 0.5 }, { "1", 1 }, { "nan", 0 / 0 }, { "inf", math.huge },
  { "-inf", -math.huge }, { "string", "x" }, { "true", true }, { "table", { a = 1 } },
  { "function", function() end }, { "vec", slope.vec{ 1, 2 } }, { "rng seed", 42 },
}
local function isnum(v) return type(v) == "number" and v == v and v > -math.huge and v < math.huge end
local KINDS = {
  positive = function(v) return isnum(v) and v > 0 end,
  nonneg = function(v) return isnum(v) and v >= 0 end,
  posint = function(v) return math.type(v) == "integer" and v >= 1 end,
  unit = function(v) return isnum(v) and v >= 0 and v < 1 end,
  prob = function(v) return isnum(v) and v >= 0 and v <= 1 end,
  bool = function(v) return type(v) == "boolean" end,
  below1 = function(v) return isnum(v) and v < 1 end, -- soap's shampoo_beta: < 0 means beta2
  never = function() return false end, -- rng, enum, layers, betas, f: no pool value fits
}

local function refused(fname, what, label, fn)
  local ok, err = pcall(fn)
  err = tostring(err)
  check.truthy(not ok, ("%s: %s = %s was accepted"):format(fname, what, label))
  check.truthy(not err:find("attempt to", 1, true), ("%s: %s = %s: internal error: %s"):format(fname, what, label, err))
  check.truthy(not err:find("-nan", 1, true), ("%s: %s = %s: -nan in: %s"):format(fname, what, label, err))
  check.truthy(err:find(fname, 1, true), ("%s: %s = %s: the function is not named: %s"):format(fname, what, label, err))
  check.truthy(err:find(what, 1, true), ("%s: %s = %s: the option is not named: %s"):format(fname, what, label, err))
end

local function battery(fname, options, call)
  for _, o in ipairs(options) do
    it(fname .. " refuses wrong values of " .. o[1], function()
      for _, e in ipairs(POOL) do
        if not KINDS[o[2]](e[2]) then refused(fname, o[1], e[1], function() call({ [o[1]] = e[2] }) end) end
      end
    end)
  end
  it(fname .. " refuses unknown and positional options and a non-table", function()
    refused(fname, "learning_rate", "1", function() call({ learning_rate = 1 }) end)
    check.errors(function() call({ 1 }) end, fname)
    check.errors(function() call("opts") end, fname)
  end)
end

local function with(base, extra)
  local t = {}
  for k, v in pairs(base) do t[k] = v end
  for k, v in pairs(extra) do t[k] = v end
  return t
end
local function ctor(name, base)
  return function(opts)
    if type(opts) ~= "table" then return O[name](opts) end
    if opts[1] ~= nil then return O[name](opts) end
    return O[name](with(base, opts))
  end
end

describe("curvature-aware optimizers: misuse", function()
  local ah = ctor("adahessian", { f = quad })
  battery("slope.optim.adahessian", { { "lr", "nonneg" }, { "betas", "never" }, { "eps", "nonneg" },
    { "weight_decay", "nonneg" }, { "hessian_power", "prob" }, { "update_each", "posint" },
    { "n_samples", "posint" }, { "block_size", "posint" }, { "rng", "never" }, { "layers", "never" },
    { "f", "never" } }, ah)
  local so = ctor("sophia", { f = quad })
  battery("slope.optim.sophia", { { "lr", "nonneg" }, { "betas", "never" }, { "rho", "positive" },
    { "weight_decay", "nonneg" }, { "k", "posint" }, { "eps", "positive" }, { "estimator", "never" },
    { "rng", "never" }, { "f", "never" } }, so)

  it("betas entries out of range and of the wrong type", function()
    for _, b in ipairs{ { 1, 0.5 }, { 0.5, 1 }, { 0 / 0, 0.5 }, { 0.9, "x" }, { -0.1, 0.9 } } do
      refused("slope.optim.adahessian", "betas", "bad", function() O.adahessian{ f = quad, betas = b } end)
      refused("slope.optim.sophia", "betas", "bad", function() O.sophia{ f = quad, betas = b } end)
    end
  end)

  it("need an objective with the parameters' dim, and refuse gnb by name", function()
    check.errors(function() O.adahessian{} end, "slope.optim.adahessian: f must be an objective")
    check.errors(function() O.sophia{ f = 3 } end, "slope.optim.sophia: f must be an objective")
    check.errors(function() O.sophia{ f = quad, estimator = "gnb" } end, 'estimator "gnb"')
    check.errors(function() O.sophia{ f = quad, estimator = "newton" } end, "estimator")
    local o = O.adahessian{ f = quad }
    check.errors(function() o:step(slope.vec{ 1, 2 }) end, "the objective has dim 3")
    check.errors(function() O.sophia{ f = quad }:step(slope.vec{ 1, 2, 3 }, slope.vec{ 1, 2 }) end,
      "dimension mismatch")
  end)

  it("a non-finite HVP is reported, not stepped on", function()
    local f = slope.obj.lua{ dim = 2, value = function(x) return x[1] ^ 2 + x[2] ^ 2 end,
      grad = function(x, g) g[1], g[2] = 2 * x[1], 2 * x[2] end,
      hvp = function(_, v, hv) hv[1], hv[2] = 0 / 0, v[2] end }
    local o = O.adahessian{ f = f }
    local x = slope.vec{ 1, 1 }
    local err = check.errors(function() o:step(x) end, "slope.optim")
    check.truthy(not err:find("-nan", 1, true), err)
    check.eq(o.t, 0)
  end)
end)

describe("matrix-aware optimizers: misuse", function()
  local sh = ctor("shampoo", { layers = mlp })
  battery("slope.optim.shampoo", { { "lr", "nonneg" }, { "epsilon", "positive" },
    { "precondition_frequency", "posint" }, { "graft", "never" }, { "graft_eps", "nonneg" },
    { "weight_decay", "nonneg" }, { "layers", "never" } }, sh)
  local sp = ctor("soap", { layers = mlp })
  battery("slope.optim.soap", { { "lr", "nonneg" }, { "betas", "never" }, { "shampoo_beta", "below1" },
    { "eps", "nonneg" }, { "weight_decay", "nonneg" }, { "precondition_frequency", "posint" },
    { "layers", "never" } }, sp)
  local mu = ctor("muon", { layers = mlp })
  battery("slope.optim.muon", { { "lr", "nonneg" }, { "momentum", "unit" }, { "nesterov", "bool" },
    { "ns_steps", "posint" }, { "weight_decay", "nonneg" }, { "adam_lr", "nonneg" }, { "adam_beta1", "unit" },
    { "adam_beta2", "unit" }, { "adam_eps", "nonneg" }, { "adam_weight_decay", "nonneg" },
    { "layers", "never" } }, mu)

  it("refuse to run without a layout, by name", function()
    check.errors(function() O.shampoo{} end, "slope.optim.shampoo: needs layers = f:layers()")
    check.errors(function() O.soap{} end, "slope.optim.soap: needs layers = f:layers()")
    check.errors(function() O.muon{ lr = 0.1 } end, "slope.optim.muon: needs layers = f:layers()")
    check.errors(function() O.muon{ layers = quad } end, "layers: the objective (quadratic) has no layer layout")
  end)

  it("bad layouts name the entry and what is wrong", function()
    local bad = {
      { {}, "non-empty list" },
      { { 5 }, "layers[1] must be a table" },
      { { { offset = 0, size = 2 } }, "layers[1].offset must be an integer >= 1, got 0" },
      { { { offset = 1, size = 0 } }, "layers[1].size must be an integer >= 1" },
      { { { offset = 1.5, size = 2 } }, "layers[1].offset must be an integer" },
      { { { offset = 1, size = 2, name = 3 } }, "layers[1].name must be a string" },
      { { { offset = 1, size = 4, shape = { 3, 2 } } }, "layers[1].shape (3 x 2) does not match its size 4" },
      { { { offset = 1, size = 4, shape = { 2, "x" } } }, "layers[1].shape[2] must be an integer" },
      { { { offset = 1, size = 4, shape = { 1, 2, 2 } } }, "layers[1].shape must be {rows, cols} or {n}" },
      { { { offset = 1, size = 4, shape = "2x2" } }, "layers[1].shape must be {rows, cols} or {n}, got string" },
      { { { 1, 4 }, { 3, 2 } }, "layers[1] (layer1) and layers[2] (layer2) overlap at entry 3" },
      { { { offset = 1, size = 0 / 0 } }, "layers[1].size must be an integer >= 1, got nan" },
    }
    for _, b in ipairs(bad) do
      local err = check.errors(function() O.muon{ layers = b[1] } end, b[2])
      check.truthy(err:find("slope.optim.muon: ", 1, true), err)
    end
    check.errors(function() O.shampoo{ layers = "W1" } end,
      "slope.optim.shampoo: layers must be f:layers(), a list of {offset, size} or an objective, got string")
  end)

  it("layers must cover x exactly, checked at the first step (or at once against f)", function()
    local o = O.muon{ layers = { { 1, 4 }, { 6, 2 } } }
    local err = check.errors(function() o:step(slope.vec.zeros(7), slope.vec.zeros(7)) end,
      "entries 5 to 5 are in no layer")
    check.truthy(err:find("slope.optim", 1, true), err)
    check.eq(o.t, 0)
    local o2 = O.shampoo{ layers = { { 1, 4 } } }
    check.errors(function() o2:step(slope.vec.zeros(3), slope.vec.zeros(3)) end, "past x's 3 entries")
    check.errors(function() O.adahessian{ f = quad, layers = { { 1, 2 } } } end, "entries 3 to 3 are in no layer")
  end)

  it("a non-finite gradient in shampoo's statistics is reported", function()
    local o = O.shampoo{ layers = { { offset = 1, size = 4, shape = { 2, 2 } } } }
    local x = slope.vec.zeros(4)
    local err = check.errors(function() o:step(x, slope.vec{ 1, 0 / 0, 1, 1 }) end, "slope.optim")
    check.truthy(not err:find("-nan", 1, true) and not err:find("attempt", 1, true), err)
  end)
end)

describe("slope.probe.hessian_diag: misuse", function()
  local fname = "slope.probe.hessian_diag"
  battery(fname, { { "samples", "posint" }, { "rng", "never" } },
    function(opts) return slope.probe.hessian_diag(quad, slope.vec{ 1, 2, 3 }, opts) end)
  it("refuses a non-objective f and a bad x", function()
    for _, f in ipairs{ 42, "f", {}, slope.obj.rosenbrock } do
      refused(fname, "f", tostring(f), function() slope.probe.hessian_diag(f, slope.vec{ 1, 2, 3 }) end)
    end
    for _, x in ipairs{ "x", { 1, 2 }, true, slope.vec{ 1, 2 } } do
      local err = check.errors(function() slope.probe.hessian_diag(quad, x) end, fname)
      check.truthy(not err:find("attempt to", 1, true), err)
    end
  end)
end)
