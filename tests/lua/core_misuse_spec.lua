-- core_misuse_spec.lua — the misuse battery of the core types: every optimizer and
-- wrapper constructor, every schedule, vec/mat/csr/rng constructors and methods,
-- given each wrong type (numbers of the wrong sign or kind, NaN, strings, booleans,
-- tables, functions, vecs of the wrong length, positional values). Each must fail
-- with a message naming the function and the argument or option, and none may
-- surface as an internal "attempt to ..." error.

local O, S = slope.optim, slope.schedule

-- fn(...) must raise; the message must contain every pattern, no "attempt to" and no "-nan".
local function refused(what, patterns, fn, ...)
  local ok, err = pcall(fn, ...)
  if ok then error(what .. ": accepted", 2) end
  err = tostring(err)
  if err:find("attempt to", 1, true) then error(what .. ": internal error: " .. err, 2) end
  if err:find("-nan", 1, true) then error(what .. ": C's -nan in the message: " .. err, 2) end
  for _, p in ipairs(patterns) do
    if not err:find(p, 1, true) then
      error(what .. ": message '" .. err .. "' does not name '" .. p .. "'", 2)
    end
  end
  return err
end

-- fn(...) may succeed; if it fails, the same rules hold.
local function sane(what, patterns, fn, ...)
  local ok, err = pcall(fn, ...)
  if ok then return true end
  err = tostring(err)
  if err:find("attempt to", 1, true) then error(what .. ": internal error: " .. err, 2) end
  if err:find("-nan", 1, true) then error(what .. ": C's -nan in the message: " .. err, 2) end
  for _, p in ipairs(patterns) do
    if not err:find(p, 1, true) then
      error(what .. ": message '" .. err .. "' does not name '" .. p .. "'", 2)
    end
  end
  return false
end

local function wrong_values()
  return {
    {"string", "x"}, {"boolean", true}, {"table", {}}, {"function", print},
    {"NaN", 0 / 0}, {"inf", math.huge}, {"vec", slope.vec{1, 2, 3}}, {"rng", slope.rng(1)},
  }
end
local function numbers() return {{"negative", -1}, {"zero", 0}, {"fraction", 0.5}, {"big", 1e300}} end

local function lsq()
  return slope.obj.least_squares{X = slope.mat{{1, 0}, {0, 2}, {1, 1}}, y = slope.vec{1, 2, 3}}
end

-- valid options of every constructor (objects made fresh for each call)
local optimizers = {
  sgd = function() return {} end, adagrad = function() return {} end,
  rmsprop = function() return {} end, adam = function() return {} end,
  adamw = function() return {} end, nadam = function() return {} end,
  radam = function() return {} end, adamax = function() return {} end,
  lion = function() return {} end, ftrl = function() return {} end,
  svrg = function() return {f = lsq()} end, saga = function() return {f = lsq()} end,
  sam = function() return {base = O.sgd{}, f = lsq()} end,
  clip = function() return {base = O.sgd{}, max_norm = 1} end,
  accumulate = function() return {base = O.sgd{}, steps = 2} end,
  average = function() return {base = O.sgd{}} end,
  lookahead = function() return {base = O.sgd{}} end,
}

local function sorted_keys(t)
  local ks = {}
  for k in pairs(t) do ks[#ks + 1] = k end
  table.sort(ks)
  return ks
end

local function with(opts, k, v)
  opts[k] = v
  return opts
end

describe("optimizer constructors given wrong values", function()
  for _, name in ipairs(sorted_keys(optimizers)) do
    local fname = "slope.optim." .. name
    it(name .. ": every option, each wrong type", function()
      local opt = O[name](optimizers[name]())
      local keys = slope._optkeys[fname]
      check.truthy(keys and #keys > 0, fname .. " recorded its options")
      for _, k in ipairs(keys) do
        local default = opt[k]
        for _, wv in ipairs(wrong_values()) do
          local label, v = wv[1], wv[2]
          local must = type(v) ~= type(default) or label == "NaN" or label == "inf"
          if k == "rng" or k == "f" or k == "base" then must = true end
          if k == "rng" and label == "rng" then must = false end -- the one right value
          if k == "betas" then must = true end -- needs exactly two numbers in range
          local what = ("%s{%s = %s}"):format(fname, k, label)
          if must then
            refused(what, {fname, k}, O[name], with(optimizers[name](), k, v))
          else
            sane(what, {fname, k}, O[name], with(optimizers[name](), k, v))
          end
        end
        for _, nv in ipairs(numbers()) do
          local what = ("%s{%s = %s}"):format(fname, k, nv[1])
          local must = type(default) ~= "number"
          if must then
            refused(what, {fname, k}, O[name], with(optimizers[name](), k, nv[2]))
          else
            sane(what, {fname, k}, O[name], with(optimizers[name](), k, nv[2]))
          end
        end
      end
    end)

    it(name .. ": positional values and non-table options", function()
      refused(fname .. "{0.1}", {fname, "positional value 0.1", "named"}, O[name], {0.1})
      local o = optimizers[name](); o[1] = 5
      refused(fname .. "{..., 5}", {fname, "positional value 5"}, O[name], o)
      for _, v in ipairs{3, "lr", true, print} do
        refused(fname .. "(" .. type(v) .. ")", {fname, "options table expected"}, O[name], v)
      end
    end)
  end

  it("the error says which hyperparameter was meant", function()
    refused("sgd{0.1}", {"slope.optim.sgd: positional value 0.1: hyperparameters are named, e.g. {lr = 0.1}"},
      O.sgd, {0.1})
    refused("adam{1e-3}", {"slope.optim.adam: positional value 0.001: hyperparameters are named, e.g. {lr = 0.001}"},
      O.adam, {1e-3})
    refused("clip{opt}", {"slope.optim.clip: positional value (a slope.optim)", "base ="}, O.clip, {O.sgd{}})
  end)

  it("Lua-defined optimizers refuse positional values and wrong types too", function()
    local mk = O.define{name = "misuse_gd", defaults = {lr = 0.1, nesterov = false},
      step = function(_, x, g, hp) x:axpy(-hp.lr, g) end}
    refused("define'd{0.5}", {"slope.optim.misuse_gd: positional value 0.5", "named"}, mk, {0.5})
    refused("define'd{lr = 'x'}", {"slope.optim.misuse_gd", "lr"}, mk, {lr = "x"})
    refused("define'd{lr = nan}", {"slope.optim.misuse_gd", "lr"}, mk, {lr = 0 / 0})
    refused("define'd{nesterov = 1}", {"slope.optim.misuse_gd", "nesterov"}, mk, {nesterov = 1})
    refused("define'd(3)", {"slope.optim.misuse_gd", "options table expected"}, mk, 3)
    refused("define{}", {"slope.optim.define", "name"}, O.define, {step = print})
    refused("define{step = 1}", {"slope.optim.define", "step"}, O.define, {name = "q", step = 1})
    refused("define{bogus}", {"slope.optim.define", "unknown option 'bogus'"}, O.define,
      {name = "q", step = print, bogus = 1})
  end)
end)

describe("optimizer methods given wrong values", function()
  local function fresh() return O.adam{} end
  it("step: x and g", function()
    for _, wv in ipairs(wrong_values()) do
      if wv[1] ~= "vec" then
        refused("step(x = " .. wv[1] .. ")", {"step"}, function() fresh():step(wv[2], slope.vec{1}) end)
        if wv[1] ~= "table" then
          refused("step(g = " .. wv[1] .. ")", {"step"}, function() fresh():step(slope.vec{1}, wv[2]) end)
        end
      end
    end
    local o = fresh(); o:step(slope.vec{1, 2}, slope.vec{1, 1})
    refused("step with another dim", {"step", "dimension mismatch"}, function() o:step(slope.vec{1, 2, 3}, slope.vec{1, 1, 1}) end)
    refused("step(x, x)", {"step", "g must not be x"}, function() local x = slope.vec{1}; fresh():step(x, x) end)
    refused("step on a non-optimizer", {"step", "optimizer expected"}, function() fresh().step(3, slope.vec{1}, slope.vec{1}) end)
  end)

  it("load: wrong states name the field", function()
    local o = fresh(); o:step(slope.vec{1, 2}, slope.vec{1, 1})
    for _, wv in ipairs{{"number", 3}, {"string", "s"}, {"boolean", true}, {"function", print}} do
      refused("load(" .. wv[1] .. ")", {"load"}, function() fresh():load(wv[2]) end)
    end
    local s = o:state(); s.t = "x"
    refused("load(t = 'x')", {"slope.optim.load", "state.t"}, function() fresh():load(s) end)
    s = o:state(); s.exp_avg = slope.vec{1}
    refused("load(exp_avg of another length)", {"slope.optim.load", "state.exp_avg"}, function() fresh():load(s) end)
    s = o:state(); s.kind = 3
    refused("load(kind = 3)", {"slope.optim.load", "state.kind"}, function() fresh():load(s) end)
  end)

  it("fields: lr and hyperparameters are checked on assignment", function()
    for _, wv in ipairs(wrong_values()) do
      refused("opt.lr = " .. wv[1], {"slope.optim.adam", "lr"}, function() fresh().lr = wv[2] end)
      refused("opt.eps = " .. wv[1], {"slope.optim.adam", "eps"}, function() fresh().eps = wv[2] end)
    end
    refused("opt.lr = -1", {"lr"}, function() fresh().lr = -1 end)
    refused("opt.bogus = 1", {"slope.optim.adam", "bogus"}, function() fresh().bogus = 1 end)
    refused("opt.t = 3", {"slope.optim.adam", "t'"}, function() fresh().t = 3 end)
  end)
end)

-- schedules: valid options, the keys that take a table
local schedules = {
  constant = function() return {lr = 0.1} end,
  step = function() return {lr = 0.1, every = 10} end,
  multistep = function() return {lr = 0.1, milestones = {5, 10}} end,
  exponential = function() return {lr = 0.1, gamma = 0.9} end,
  cosine = function() return {lr = 0.1, steps = 100} end,
  cosine_restarts = function() return {lr = 0.1, period = 10} end,
  linear = function() return {from = 0.1, to = 0.01, steps = 10} end,
  warmup = function() return {steps = 5, to = S.constant{lr = 0.1}} end,
  inverse_sqrt = function() return {lr = 0.1} end,
  polynomial = function() return {lr = 0.1, steps = 10} end,
  onecycle = function() return {max = 0.1, steps = 100} end,
  robbins_monro = function() return {a = 1} end,
  cyclic = function() return {low = 0.01, high = 0.1, period = 10} end,
  plateau = function() return {lr = 0.1} end,
}
local table_keys = {milestones = true, boundaries = true}

describe("schedule constructors given wrong values", function()
  for _, name in ipairs(sorted_keys(schedules)) do
    local fname = "slope.schedule." .. name
    it(name .. ": every option, each wrong type", function()
      S[name](schedules[name]())
      local keys = slope._optkeys[fname]
      check.truthy(keys and #keys > 0, fname .. " recorded its options")
      for _, k in ipairs(keys) do
        for _, wv in ipairs(wrong_values()) do
          local label, v = wv[1], wv[2]
          local what = ("%s{%s = %s}"):format(fname, k, label)
          if table_keys[k] and label == "table" then
            sane(what, {fname, k}, S[name], with(schedules[name](), k, v))
          else
            refused(what, {fname, k}, S[name], with(schedules[name](), k, v))
          end
        end
        for _, nv in ipairs(numbers()) do
          sane(("%s{%s = %s}"):format(fname, k, nv[1]), {fname, k}, S[name], with(schedules[name](), k, nv[2]))
        end
      end
    end)

    it(name .. ": positional values and non-table options", function()
      refused(fname .. "{0.1}", {fname, "positional value 0.1", "named"}, S[name], {0.1})
      for _, v in ipairs{3, "lr", true, print} do
        refused(fname .. "(" .. type(v) .. ")", {fname, "options"}, S[name], v)
      end
    end)
  end

  it("join takes schedules as its list and refuses anything else there", function()
    local c = S.constant{lr = 1}
    refused("join{1, c}", {"slope.schedule.join", "entry 1"}, S.join, {1, c, boundaries = {2}})
    refused("join{c, 'x'}", {"slope.schedule.join", "entry 2"}, S.join, {c, "x", boundaries = {2}})
    refused("join{c, c, boundaries = {1.5}}", {"slope.schedule.join", "boundaries"}, S.join,
      {c, c, boundaries = {1.5}})
  end)

  it("methods check their arguments", function()
    local s = S.cosine{lr = 0.1, steps = 10}
    for _, v in ipairs{0, -1, 1.5, "x", true, {}, 0 / 0} do
      refused("s:lr(" .. tostring(v) .. ")", {"lr"}, function() return s:lr(v) end)
      refused("s:values(" .. tostring(v) .. ")", {"values"}, function()
        if v == 0 then error("values(0) is an empty vec: skip") end
        return s:values(v)
      end)
    end
    local p = S.plateau{lr = 0.1}
    for _, v in ipairs{"x", true, {}, print} do
      refused("p:update(" .. type(v) .. ")", {"update"}, function() return p:update(v) end)
      refused("p:load(" .. type(v) .. ")", {"load"}, function() return p:load(v) end)
    end
    local st = p:state(); st.best = "x"
    refused("p:load(best = 'x')", {"slope.schedule.plateau.load", "state.best"}, function() p:load(st) end)
  end)
end)

describe("vec, mat, csr and rng constructors and methods given wrong values", function()
  local bad_sizes = {{"negative", -1}, {"fraction", 1.5}, {"NaN", 0 / 0}, {"string", "x"},
    {"boolean", true}, {"table", {}}, {"function", print}, {"vec", slope.vec{1}}}

  it("sizes: zeros, ones, full, linspace, randn, rand, mat.zeros, mat.eye", function()
    -- each called by name: Lua names the function from the call site
    local sized = {
      zeros = function(v) return slope.vec.zeros(v) end, ones = function(v) return slope.vec.ones(v) end,
      randn = function(v) return slope.vec.randn(v) end, rand = function(v) return slope.vec.rand(v) end,
    }
    for _, b in ipairs(bad_sizes) do
      for _, f in ipairs(sorted_keys(sized)) do
        refused("vec." .. f .. "(" .. b[1] .. ")", {f .. "'"}, sized[f], b[2])
      end
      refused("vec.full(" .. b[1] .. ", 1)", {"full'"}, function() return slope.vec.full(b[2], 1) end)
      refused("vec.linspace(0, 1, " .. b[1] .. ")", {"linspace'"}, function() return slope.vec.linspace(0, 1, b[2]) end)
      refused("mat.zeros(" .. b[1] .. ", 2)", {"zeros'"}, function() return slope.mat.zeros(b[2], 2) end)
      refused("mat.zeros(2, " .. b[1] .. ")", {"zeros'", "#2"}, function() return slope.mat.zeros(2, b[2]) end)
      refused("mat.eye(" .. b[1] .. ")", {"eye'"}, function() return slope.mat.eye(b[2]) end)
    end
    refused("vec.randn(2, 3)", {"randn'", "slope.rng"}, function() return slope.vec.randn(2, 3) end)
    refused("vec(3)", {"slope.vec.zeros(n)"}, function() return slope.vec(3) end)
    refused("mat(3)", {"slope.mat.zeros(rows, cols)"}, function() return slope.mat(3) end)
    refused("vec{'a'}", {"entry 1 is string"}, function() return slope.vec{"a"} end)
    refused("vec(true)", {"slope.vec or table of numbers expected, got boolean"}, function() return slope.vec(true) end)
    refused("mat{{1}, 2}", {"row 2 is number"}, function() return slope.mat{{1}, 2} end)
    refused("mat(slope.vec)", {"slope.mat or table of rows expected, got slope.vec"}, function()
      return slope.mat(slope.vec{1}) end)
  end)

  it("vec methods: each argument, each wrong type", function()
    local x = slope.vec{1, 2}
    local others = {{"number", 3}, {"string", "x"}, {"boolean", true}, {"function", print},
      {"vec of another length", slope.vec{1, 2, 3}}, {"mat", slope.mat.eye(2)}}
    local binary = {
      dot = function(y) return x:dot(y) end, copy = function(y) return x:copy(y) end,
      add = function(y) return x:add(y) end, mul = function(y) return x:mul(y) end,
    }
    local maps = {
      abs = function(o) return x:abs(o) end, sqrt = function(o) return x:sqrt(o) end,
      exp = function(o) return x:exp(o) end, log = function(o) return x:log(o) end,
    }
    for _, o in ipairs(others) do
      for _, m in ipairs(sorted_keys(binary)) do
        refused("x:" .. m .. "(" .. o[1] .. ")", {m .. "'"}, binary[m], o[2])
      end
      refused("x:axpy(1, " .. o[1] .. ")", {"axpy'", "#2"}, function() return x:axpy(1, o[2]) end)
      if o[1] ~= "number" then
        refused("x:axpy(" .. o[1] .. ", y)", {"axpy'"}, function() return x:axpy(o[2], x) end)
        refused("x:scale(" .. o[1] .. ")", {"scale'"}, function() return x:scale(o[2]) end)
        refused("x:fill(" .. o[1] .. ")", {"fill'"}, function() return x:fill(o[2]) end)
        refused("x:clamp(" .. o[1] .. ", 1)", {"clamp'"}, function() return x:clamp(o[2], 1) end)
        if o[1] ~= "function" then
          refused("x:map(" .. o[1] .. ")", {"map'"}, function() return x:map(o[2]) end)
        end
        refused("x:sub(" .. o[1] .. ")", {"sub'"}, function() return x:sub(o[2]) end)
      end
      for _, m in ipairs(sorted_keys(maps)) do
        refused("x:" .. m .. "(out = " .. o[1] .. ")", {m .. "'"}, maps[m], o[2])
      end
      if o[1] ~= "number" then
        refused("x + " .. o[1], {"vec +"}, function() return x + o[2] end)
      end
    end
    refused("x:norm(0.5)", {"norm'", "p must be >= 1"}, function() return x:norm(0.5) end)
    refused("x:clamp(0/0, 1)", {"clamp'", "NaN"}, function() return x:clamp(0 / 0, 1) end)
    refused("x:clamp(2, 1)", {"clamp'", "empty interval"}, function() return x:clamp(2, 1) end)
    refused("x:sub(0)", {"sub'", "outside 1..2"}, function() return x:sub(0) end)
    refused("x:sub(1, 3)", {"sub'", "#2", "outside 1..2"}, function() return x:sub(1, 3) end)
    refused("x:sub(1.5)", {"sub'", "integer"}, function() return x:sub(1.5) end)
    refused("x:map(returns a string)", {"slope.vec.map: fn returned string for entry 1, expected a number"}, function()
      return x:map(function() return "a" end) end)
    refused("empty:max()", {"max'", "empty"}, function() return slope.vec.zeros(0):max() end)
    refused("x[0]", {"out of range", "start at 1"}, function() return x[0] end)
    refused("x[3] = 1", {"out of range"}, function() x[3] = 1 end)
    refused("x['a'] = 1", {"vec index must be an integer, got string"}, function() x.a = 1 end)
    refused("x[1] = 'a'", {"numbers"}, function() x[1] = "a" end)
  end)

  it("mat methods and operators", function()
    local A = slope.mat{{1, 2}, {3, 4}}
    local others = {{"string", "x"}, {"boolean", true}, {"function", print},
      {"vec of another length", slope.vec{1, 2, 3}}}
    for _, o in ipairs(others) do
      refused("A:mv(" .. o[1] .. ")", {"mv'"}, function() return A:mv(o[2]) end)
      refused("A:tmv(" .. o[1] .. ")", {"tmv'"}, function() return A:tmv(o[2]) end)
      refused("A:mm(" .. o[1] .. ")", {"mm'"}, function() return A:mm(o[2]) end)
      refused("A * " .. o[1], {"mat *"}, function() return A * o[2] end)
      refused("A:get(" .. o[1] .. ", 1)", {"get'", "row index"}, function() return A:get(o[2], 1) end)
      refused("A:row(" .. o[1] .. ")", {"row'", "row index"}, function() return A:row(o[2]) end)
    end
    refused("A * vec", {"mat * vec: dimension mismatch: A is 2x2, x has 3 entries"}, function()
      return A * slope.vec{1, 2, 3} end)
    refused("vec * A", {"vec *", "slope.mat", "A * x"}, function() return slope.vec{1, 2} * A end)
    refused("A * A'", {"mat * mat: dimension mismatch"}, function() return A * slope.mat{{1, 2, 3}} end)
    refused("A:set(1, 1, 'x')", {"set'"}, function() return A:set(1, 1, "x") end)
    refused("A:shape() on a vec", {"slope.mat expected, got slope.vec"}, function()
      return slope.mat.shape(slope.vec{1}) end)
    refused("standardize(vec)", {"standardize'", "slope.mat expected, got slope.vec"}, function()
      return slope.data.standardize(slope.vec{1, 2}) end)
  end)

  it("csr: options, positional values, products", function()
    local good = function() return {rows = 2, cols = 2, i = {1}, j = {2}, v = {3}} end
    for _, k in ipairs{"rows", "cols", "i", "j", "v"} do
      for _, wv in ipairs{{"string", "x"}, {"boolean", true}, {"function", print}, {"NaN", 0 / 0}, {"fraction", 1.5}} do
        refused("csr{" .. k .. " = " .. wv[1] .. "}", {"slope.csr", k}, slope.csr.new, with(good(), k, wv[2]))
      end
    end
    refused("csr{i = {0}}", {"slope.csr", "i[1]"}, slope.csr.new, with(good(), "i", {0}))
    refused("csr{2, 2}", {"slope.csr", "positional value 2"}, slope.csr.new, {2, 2})
    refused("csr(3)", {"slope.csr", "options table"}, slope.csr.new, 3)
    local Sm = slope.csr.new(good())
    refused("S * 'x'", {"csr *"}, function() return Sm * "x" end)
    refused("S * vec of 3", {"csr * vec: dimension mismatch"}, function() return Sm * slope.vec{1, 2, 3} end)
    refused("S:mv(true)", {"mv'"}, function() return Sm:mv(true) end)
    refused("from_dense(vec)", {"from_dense'", "slope.mat expected, got slope.vec"}, function()
      return slope.csr.from_dense(slope.vec{1}) end)
  end)

  it("rng: seed and methods", function()
    for _, v in ipairs{1.5, "x", true, {}, print, 0 / 0} do
      refused("slope.rng(" .. tostring(v) .. ")", {"rng"}, function() return slope.rng(v) end)
    end
    local r = slope.rng(1)
    for _, v in ipairs{"x", true, {}, print, 0 / 0, 1.5} do
      refused("r:int(" .. tostring(v) .. ")", {"int'"}, function() return r:int(v) end)
      refused("r:perm(" .. tostring(v) .. ")", {"perm'"}, function() return r:perm(v) end)
      refused("r:uniform(0, " .. tostring(v) .. ")", {"uniform'"}, function()
        if v == 1.5 then error("'uniform' accepts 1.5") end
        return r:uniform(0, v) end)
      refused("r:normal(" .. tostring(v) .. ")", {"normal'"}, function()
        if v == 1.5 then error("'normal' accepts 1.5") end
        return r:normal(v) end)
      refused("r:set_state(" .. tostring(v) .. ")", {"set_state'"}, function() return r:set_state(v) end)
    end
    refused("r:int(0)", {"int'", "n must be >= 1"}, function() return r:int(0) end)
    refused("r:int(3, 1)", {"int'", "empty"}, function() return r:int(3, 1) end)
    refused("r:normal(0, -1)", {"normal'", "sd"}, function() return r:normal(0, -1) end)
    refused("r:set_state{0,0,0,0}", {"set_state'", "all zeros"}, function() return r:set_state{0, 0, 0, 0} end)
    refused("r.uniform(3)", {"uniform'", "slope.rng expected"}, function() return r.uniform(3) end)
  end)
end)

describe("closing: every core type can be a to-be-closed variable", function()
  it("vec, mat, csr, rng, optim, schedule, plateau", function()
    local made = {
      function() return slope.vec{1} end, function() return slope.mat.eye(2) end,
      function() return slope.csr.from_dense(slope.mat.eye(2)) end, function() return slope.rng(1) end,
      function() return O.sgd{} end, function() return S.constant{lr = 1} end,
      function() return S.plateau{lr = 1} end,
    }
    for _, mk in ipairs(made) do
      local obj = mk()
      do local c <close> = obj end
      do local c <close> = obj end -- closing twice is harmless
      check.truthy(tostring(obj))
    end
  end)

  it("every slope class has __close (a no-op where freeing early is not known to be safe)", function()
    local n = 0
    for name, mt in pairs(debug.getregistry()) do
      if type(name) == "string" and name:find("^slope%.") and type(mt) == "table" and rawget(mt, "__name") then
        check.truthy(rawget(mt, "__close"), name .. " has no __close")
        n = n + 1
      end
    end
    check.truthy(n >= 10)
    do local c <close> = slope.obj.rosenbrock(2) end
  end)

  it("a closed mat or optimizer that nothing borrowed is released, and says so", function()
    local A = slope.mat.eye(3)
    do local c <close> = A end
    check.eq(tostring(A), "mat (closed)")
    check.eq(#A, 0)
    local o = O.sgd{}
    do local c <close> = o end
    check.eq(tostring(o), "optimizer (closed)")
    refused("step on a closed optimizer", {"closed"}, function() o:step(slope.vec{1}, slope.vec{1}) end)
  end)

  it("closing never frees what a view, a wrapper or an objective still uses", function()
    local r
    do
      local A <close> = slope.mat{{1, 2}, {3, 4}}
      r = A[2]
    end
    collectgarbage(); collectgarbage()
    check.veq(r, {3, 4})
    local base = O.sgd{lr = 0.5}
    local clip = O.clip{base = base, max_norm = 10}
    do local c <close> = base end
    local x = slope.vec{1}
    clip:step(x, slope.vec{1})
    check.veq(x, {0.5})
    local X = slope.mat{{1, 0}, {0, 1}}
    local f = slope.obj.least_squares{X = X, y = slope.vec{1, 1}}
    do local c <close> = X end
    check.near(f:value(slope.vec{1, 1}), 0)
  end)
end)

describe("slope.data functions given wrong values", function()
  it("every argument, each wrong type: a named error, never an internal one", function()
    local D = slope.data
    local iris = "examples/data/iris.csv"
    for _, d in ipairs(D.dirs()) do
      local f = io.open(d .. "/iris.csv")
      if f then f:close(); iris = d .. "/iris.csv"; break end
    end
    local bads = {{"number", 3}, {"negative", -1}, {"fraction", 1.5}, {"NaN", 0 / 0}, {"string", "x"},
      {"boolean", true}, {"table", {}}, {"function", print}, {"vec", slope.vec{1}}, {"mat", slope.mat.eye(2)}}
    local calls = {
      ["csv(path)"] = function(v) return D.csv(v) end,
      ["csv(opts)"] = function(v) return D.csv(iris, v) end,
      ["csv{sep}"] = function(v) return D.csv(iris, {sep = v}) end,
      ["csv{target}"] = function(v) return D.csv(iris, {target = v}) end,
      ["csv{header}"] = function(v) return D.csv(iris, {header = v}) end,
      ["libsvm(path)"] = function(v) return D.libsvm(v) end,
      ["npy(path)"] = function(v) return D.npy(v) end,
      ["save_npy(path)"] = function(v)
        if type(v) == "string" then error("skipped: would write a file") end
        return D.save_npy(v, slope.vec{1})
      end,
      ["split(D)"] = function(v) return D.split(v, 0.5) end,
      ["split(D, frac)"] = function(v) return D.split({X = slope.mat.eye(2)}, v) end,
      ["split{X}"] = function(v) return D.split({X = v}, 0.5) end,
      ["standardize(X)"] = function(v) return D.standardize(v) end,
      ["standardize{mean}"] = function(v) return D.standardize(slope.mat.eye(2), {mean = v, scale = v}) end,
      ["onehot(y)"] = function(v) return D.onehot(v) end,
      ["batches(n)"] = function(v) return D.batches(v, 2) end,
      ["batches(n, size)"] = function(v) return D.batches(4, v) end,
      ["load(name)"] = function(v) return D.load(v) end,
      ["synthetic.linear{n}"] = function(v) return D.synthetic.linear{n = v} end,
    }
    local accepted_ok = {["csv(opts)"] = {table = true}, ["csv{target}"] = {number = true, negative = true}, ["csv{header}"] = {boolean = true},
      ["split(D, frac)"] = {}, ["split{X}"] = {mat = true}, ["standardize(X)"] = {mat = true}, ["batches(n)"] = {number = true}, ["batches(n, size)"] = {number = true},
      ["synthetic.linear{n}"] = {number = true}, ["onehot(y)"] = {table = true, vec = true}}
    for _, name in ipairs(sorted_keys(calls)) do
      for _, b in ipairs(bads) do
        local ok, err = pcall(calls[name], b[2])
        if ok then
          check.truthy(accepted_ok[name] and accepted_ok[name][b[1]], name .. " accepted " .. b[1])
        else
          err = tostring(err)
          check.truthy(not err:find("attempt to", 1, true), name .. ": " .. err)
          check.truthy(not err:find("'?'", 1, true), name .. " is unnamed: " .. err)
        end
      end
    end
    refused("csv positional", {"slope.data.csv: positional value false"}, D.csv, iris, {false})
    refused("batches positional", {"slope.data.batches: positional value true"}, D.batches, 4, 2, nil, {true})
    refused("synthetic positional", {"slope.data.synthetic.linear: positional value 10"}, D.synthetic.linear, {10})
  end)
end)
