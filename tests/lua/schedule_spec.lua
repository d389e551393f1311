-- schedule_spec.lua — slope.schedule: values at boundary steps against the
-- formulas, composition, plateau, errors, and torch.optim.lr_scheduler values.
local S = slope.schedule
local pi, cos = math.pi, math.cos

local function each(s, n, f, tol, msg)
  for t = 1, n do check.near(s(t), f(t), tol or 1e-15, (msg or tostring(s)) .. " at t=" .. t) end
end

describe("slope.schedule formulas", function()
  it("constant, step, multistep, exponential", function()
    each(S.constant{lr = 0.3}, 5, function() return 0.3 end)
    local s = S.step{lr = 1, every = 3, gamma = 0.5}
    check.eq(s(1), 1.0); check.eq(s(3), 1.0); check.eq(s(4), 0.5); check.eq(s(6), 0.5); check.eq(s(7), 0.25)
    each(s, 20, function(t) return 0.5 ^ ((t - 1) // 3) end)
    check.eq(S.step{lr = 1, every = 2}(3), 0.1) -- default gamma 0.1
    local m = S.multistep{lr = 2, milestones = {2, 5}, gamma = 0.1}
    check.eq(m(2), 2.0); check.near(m(3), 0.2); check.near(m(5), 0.2); check.near(m(6), 0.02)
    each(S.exponential{lr = 0.5, gamma = 0.9}, 10, function(t) return 0.5 * 0.9 ^ (t - 1) end, 1e-14)
  end)

  it("cosine ends at min after steps and stays there", function()
    local s = S.cosine{lr = 1, steps = 10, min = 0.1}
    each(s, 11, function(t) return 0.1 + 0.9 * (1 + cos(pi * (t - 1) / 10)) / 2 end, 1e-15)
    check.eq(s(1), 1.0); check.near(s(6), 0.55); check.eq(s(11), 0.1); check.eq(s(500), 0.1)
  end)

  it("cosine_restarts restarts at lr with growing periods", function()
    local s = S.cosine_restarts{lr = 1, period = 4, min = 0}
    check.eq(s(1), 1.0); check.eq(s(5), 1.0); check.near(s(3), 0.5); check.near(s(7), 0.5)
    local g = S.cosine_restarts{lr = 1, period = 2, mult = 2}
    -- periods 2, 4, 8: restarts at t = 1, 3, 7, 15
    for _, t in ipairs{1, 3, 7, 15} do check.eq(g(t), 1.0, "restart at " .. t) end
    check.near(g(9), (1 + cos(pi * 2 / 8)) / 2)
  end)

  it("linear, polynomial, inverse_sqrt, robbins_monro", function()
    local l = S.linear{from = 0.1, to = 1, steps = 9}
    check.eq(l(1), 0.1); check.near(l(10), 1); check.near(l(100), 1); check.near(l(5), 0.1 + 0.9 * 4 / 9)
    local p = S.polynomial{lr = 1, steps = 10, power = 2, min = 0.01}
    each(p, 15, function(t) return 0.01 + 0.99 * (1 - math.min(t - 1, 10) / 10) ^ 2 end, 1e-15)
    local i = S.inverse_sqrt{lr = 1, warmup = 4}
    check.eq(i(1), 0.25); check.eq(i(4), 1.0); check.near(i(16), 0.5)
    check.near(S.inverse_sqrt{lr = 2}(4), 1)
    local r = S.robbins_monro{a = 2, b = 3, p = 0.75}
    each(r, 10, function(t) return 2 / (3 + t) ^ 0.75 end, 1e-15)
    check.near(S.robbins_monro{a = 1}(4), 0.25)
  end)

  it("onecycle peaks at pct_start*steps and ends at max/(div*final_div)", function()
    local s = S.onecycle{max = 1, steps = 100, pct_start = 0.3}
    check.near(s(1), 1 / 25); check.near(s(30), 1); check.near(s(100), 1 / 25 / 1e4)
    check.near(s(1000), 1 / 25 / 1e4)
    -- linear: e = 2 of 4 is halfway from 0.1 to 1; phase 2 ends at e = 9
    local l = S.onecycle{max = 1, steps = 10, pct_start = 0.5, anneal = "linear", div_factor = 10,
      final_div_factor = 10}
    check.near(l(1), 0.1); check.near(l(5), 1); check.near(l(3), 0.55); check.near(l(10), 0.01)
  end)

  it("cyclic is a triangle between low and high", function()
    local s = S.cyclic{low = 0.1, high = 0.5, period = 8}
    check.near(s(1), 0.1); check.near(s(3), 0.3); check.near(s(5), 0.5); check.near(s(7), 0.3)
    check.near(s(9), 0.1); check.near(s(13), 0.5)
  end)
end)

describe("slope.schedule composition", function()
  it("warmup ramps to the target's first value, which then sees t - steps", function()
    local c = S.cosine{lr = 1, steps = 10}
    local w = S.warmup{steps = 4, to = c}
    check.eq(w(1), 0.25); check.eq(w(4), 1.0); check.eq(w(5), c(1)); check.eq(w(9), c(5))
    local w2 = S.warmup{steps = 2, from = 0.5, to = S.constant{lr = 1}}
    check.eq(w2(1), 0.75); check.eq(w2(2), 1.0)
    check.truthy(tostring(w):find("warmup{steps=4, from=0, to=cosine{lr=1, steps=10, min=0}}", 1, true))
    check.eq(w:kind(), "warmup")
  end)

  it("join switches at boundaries and restarts the step count", function()
    local a, b, c = S.constant{lr = 1}, S.exponential{lr = 0.5, gamma = 0.5}, S.constant{lr = 0.01}
    local j = S.join{a, b, c, boundaries = {3, 5}}
    check.veq(j:values(7), {1, 1, 1, 0.5, 0.25, 0.01, 0.01})
    check.truthy(tostring(j):find("boundaries={3, 5}", 1, true))
  end)

  it("children stay alive after their last reference goes", function()
    local w = S.warmup{steps = 2, to = S.join{S.constant{lr = 1}, S.constant{lr = 2}, boundaries = {1}}}
    collectgarbage(); collectgarbage()
    check.veq(w:values(4), {0.5, 1, 1, 2})
  end)

  it("values, lr and call agree", function()
    local s = S.cosine{lr = 1, steps = 7}
    local v = s:values(9)
    for t = 1, 9 do check.eq(v[t], s(t)); check.eq(s:lr(t), s(t)) end
    check.eq(#s:values(0), 0)
  end)
end)

describe("slope.schedule.plateau", function()
  it("reduces after patience bad updates, honours cooldown and min_lr", function()
    local p = S.plateau{lr = 1, factor = 0.5, patience = 1, cooldown = 1, min_lr = 0.2}
    check.eq(p:update(10), 1.0) -- best 10
    check.eq(p:update(10), 1.0) -- 1 bad
    check.eq(p:update(10), 0.5) -- 2 bad > patience: reduce, cooldown 1
    check.eq(p:update(10), 0.5) -- cooldown
    check.eq(p:update(10), 0.5) -- 1 bad
    check.eq(p:update(10), 0.25)
    check.eq(p:update(10), 0.25); check.eq(p:update(10), 0.25)
    check.eq(p:update(10), 0.2) -- clipped at min_lr
    check.eq(p.lr, 0.2)
    check.eq(p.num_reductions, 3)
  end)

  it("uses the relative threshold and mode", function()
    local p = S.plateau{lr = 1, patience = 0, threshold = 0.1}
    p:update(1.0)
    check.eq(p:update(0.95), 0.1) -- not 10% better: reduce at once
    local q = S.plateau{lr = 1, patience = 0, mode = "max"}
    q:update(1); check.eq(q:update(2), 1.0); check.near(q:update(1), 0.1)
    local a = S.plateau{lr = 1, patience = 0, threshold = 0.5, threshold_mode = "abs"}
    a:update(1.0); check.near(a:update(0.6), 0.1)
    local n = S.plateau{lr = 1, patience = 0}
    n:update(1); check.near(n:update(0 / 0), 0.1) -- NaN never improves
  end)

  it("saves and restores its state", function()
    local p = S.plateau{lr = 1, patience = 2}
    p:update(3); p:update(3)
    local st = p:state()
    check.eq(st.num_bad, 1); check.eq(st.best, 3.0); check.eq(st.last_epoch, 2)
    local q = S.plateau{lr = 1, patience = 2}
    q:load(st)
    check.eq(q:update(3), p:update(3)); check.eq(q:update(3), p:update(3))
    check.eq(q.lr, 0.1)
    check.errors(function() q:load{lr = 1} end, "state.best must be a number")
    check.errors(function() q:load(5) end, "slope.schedule.plateau.load: state must be a table")
    local bad = p:state(); bad.num_bad = -1
    check.errors(function() q:load(bad) end, "num_bad must be an integer >= 0")
    bad = p:state(); bad.extra = 1
    check.errors(function() q:load(bad) end, "state has unknown field 'extra'")
    check.truthy(tostring(q):find("schedule.plateau{", 1, true))
    check.eq(q:reset().num_bad, 0)
  end)

  it("rejects bad options", function()
    check.errors(function() S.plateau{lr = 1, factor = 1} end, "slope.schedule.plateau: factor must be in (0, 1)")
    check.errors(function() S.plateau{lr = 1, mode = "up"} end, "mode must be \"min\" or \"max\"")
    check.errors(function() S.plateau{lr = 1, patience = -1} end, "patience must be an integer >= 0")
    check.errors(function() S.plateau{lr = 1, threshold_mode = "x"} end, "threshold_mode must be")
    check.errors(function() S.plateau{factor = 0.5} end, "slope.schedule.plateau: lr is required")
    check.errors(function() S.plateau{lr = -1} end, "lr must be a non-negative number")
  end)
end)

describe("slope.schedule errors", function()
  it("name the function and the option", function()
    check.errors(function() S.step{lr = 1, every = 0} end, "slope.schedule.step: every must be an integer >= 1")
    check.errors(function() S.step{lr = 1, every = 2, gamma = 0} end, "slope.schedule.step: gamma must be a positive number")
    check.errors(function() S.exponential{lr = 1, gamma = -0.5} end, "slope.schedule.exponential: gamma must be a positive")
    check.errors(function() S.exponential{lr = 1} end, "slope.schedule.exponential: gamma is required")
    check.errors(function() S.cosine{lr = 1, steps = -5} end, "slope.schedule.cosine: steps must be an integer >= 1")
    check.errors(function() S.cosine{lr = 0 / 0, steps = 5} end, "slope.schedule.cosine: lr must be a finite number")
    check.errors(function() S.cosine{lr = 1, steps = 5, min = 2} end, "min must be <= lr")
    check.errors(function() S.cosine{lr = 1, steps = 5, typo = 2} end, "unknown option 'typo'")
    check.errors(function() S.cosine(3) end, "slope.schedule.cosine: expected a table of options")
    check.errors(function() S.multistep{lr = 1, milestones = {5, 5}} end,
      "slope.schedule.multistep: milestones must be strictly increasing")
    check.errors(function() S.multistep{lr = 1, milestones = {0}} end, "milestones must be integers >= 1")
    check.errors(function() S.multistep{lr = 1, milestones = {1.5}} end, "milestones[1] must be an integer")
    check.errors(function() S.multistep{lr = 1} end, "milestones must be a table of integers")
    check.errors(function() S.onecycle{max = 1, steps = 100, pct_start = 1} end,
      "slope.schedule.onecycle: pct_start must be in (0, 1)")
    check.errors(function() S.onecycle{max = 1, steps = 100, pct_start = 0} end, "pct_start must be in (0, 1)")
    check.errors(function() S.onecycle{max = 1, steps = 3, pct_start = 0.2} end, "pct_start * steps must be > 1")
    check.errors(function() S.onecycle{max = 1, steps = 100, anneal = "exp"} end, "anneal must be")
    check.errors(function() S.warmup{steps = 3, to = 0.1} end, "slope.schedule.warmup: to must be a schedule, got number")
    check.errors(function() S.warmup{steps = 3} end, "to must be a schedule, got nil")
    check.errors(function() S.warmup{steps = 0, to = S.constant{lr = 1}} end, "steps must be an integer >= 1")
    check.errors(function() S.join{S.constant{lr = 1}, S.constant{lr = 2}, boundaries = {4, 3}} end,
      "2 schedules need 1 boundaries, got 2")
    check.errors(function() S.join{S.constant{lr = 1}, S.constant{lr = 2}, S.constant{lr = 3},
      boundaries = {4, 3}} end, "slope.schedule.join: boundaries must be strictly increasing")
    check.errors(function() S.join{S.constant{lr = 1}, 5, boundaries = {4}} end,
      "slope.schedule.join: entry 2 must be a schedule, got number")
    check.errors(function() S.join{boundaries = {}} end, "slope.schedule.join: expected schedules")
    check.errors(function() S.cyclic{low = 1, high = 0.5, period = 4} end, "high must be >= low")
    check.errors(function() S.cyclic{low = 0.1, high = 0.5, period = 0} end, "period must be a positive number")
    check.errors(function() S.robbins_monro{a = 1, p = 0} end, "p must be a positive number")
    check.errors(function() S.robbins_monro{a = 1, b = -1} end, "b must be a number > -1")
    check.errors(function() S.cosine_restarts{lr = 1, period = 3, mult = 0} end, "mult must be an integer >= 1")
    check.errors(function() S.polynomial{lr = 1, steps = 3, power = 0} end, "power must be a positive number")
    check.errors(function() S.inverse_sqrt{lr = 1, warmup = -1} end, "warmup must be an integer >= 0")
    check.errors(function() S.linear{from = 1, steps = 3} end, "slope.schedule.linear: to is required")
    local s = S.constant{lr = 1}
    check.errors(function() return s(0) end, "expected an integer >= 1")
    check.errors(function() return s(1.5) end, "integer expected")
    check.errors(function() return s:values(-1) end, "expected an integer >= 0")
    check.errors(function() return S.lr(5, 1) end, "slope.schedule expected")
  end)

  it("limits nesting depth", function()
    local s = S.constant{lr = 1}
    local err
    for _ = 1, 70 do
      local ok, e = pcall(S.warmup, {steps = 1, to = s})
      if not ok then err = e break end
      s = e
    end
    check.truthy(err and err:find("nested more than 64 deep", 1, true), "depth error: " .. tostring(err))
  end)
end)

-- torch.optim.lr_scheduler values, when /usr/bin/python3 has torch.
describe("slope.schedule from the table of kinds", function()
  -- one valid option table per kind; its tostring builds the same schedule again
  local c = function() return S.constant{lr = 1} end
  local valid = {
    constant = {lr = 0.5}, step = {lr = 1, every = 2}, multistep = {lr = 1, milestones = {2, 4}},
    exponential = {lr = 1, gamma = 0.9}, cosine = {lr = 1, steps = 5},
    cosine_restarts = {lr = 1, period = 2, mult = 2}, linear = {from = 0, to = 1, steps = 3},
    warmup = {steps = 2, to = c()}, inverse_sqrt = {lr = 1, warmup = 2},
    polynomial = {lr = 1, steps = 4, power = 2}, onecycle = {max = 1, steps = 10, anneal = "linear"},
    robbins_monro = {a = 1, b = 1, p = 0.75}, cyclic = {low = 0.1, high = 1, period = 4},
    join = {c(), S.exponential{lr = 1, gamma = 0.5}, boundaries = {3}},
  }

  it("every kind prints as the expression that builds it, with its defaults", function()
    for kind, opts in pairs(valid) do
      local s = S[kind](opts)
      check.eq(s:kind(), kind)
      local text = tostring(s)
      check.truthy(text:find("^schedule%." .. kind .. "{"), text)
      local env = setmetatable({schedule = S}, {__index = S}) -- children print without the prefix
      local again = load("return " .. text, "=tostring", "t", env)()
      check.eq(tostring(again), text, kind)
      for t = 1, 12 do check.eq(again(t), s(t), kind .. " t=" .. t) end
    end
  end)

  it("every kind has help and refuses unknown keys, listing its own", function()
    for kind in pairs(valid) do
      local h = debug.getregistry()["slope.help"]["slope.schedule." .. kind]
      check.truthy(h and h.sig:find("slope.schedule." .. kind .. "{", 1, true), kind)
      check.errors(function() S[kind]{typo = 1} end, "slope.schedule." .. kind .. ": unknown option 'typo'")
    end
  end)
end)

describe("slope.schedule against torch", function()
  local ref
  local f = io.open("/usr/bin/python3") and io.popen("/usr/bin/python3 scripts/reference/schedules.py 40 2>/dev/null")
  if f then
    ref = {}
    for line in f:lines() do
      local name, t, v = line:match("^(%S+) (%d+) (%S+)$")
      if name then
        ref[name] = ref[name] or {}
        ref[name][tonumber(t)] = tonumber(v)
      end
    end
    f:close()
    if next(ref) == nil then ref = nil end
  end
  if not ref then
    io.stderr:write("note: torch not available, schedule reference tests skipped\n")
    return
  end
  local ours = {
    step = S.step{lr = 0.1, every = 7, gamma = 0.5},
    multistep = S.multistep{lr = 0.1, milestones = {5, 12, 30}, gamma = 0.3},
    exponential = S.exponential{lr = 0.1, gamma = 0.9},
    cosine = S.cosine{lr = 0.1, steps = 20, min = 0.001},
    cosine_restarts = S.cosine_restarts{lr = 0.1, period = 5, mult = 2, min = 0.01},
    onecycle = S.onecycle{max = 0.5, steps = 40, pct_start = 0.3},
    onecycle_linear = S.onecycle{max = 0.5, steps = 40, pct_start = 0.25, anneal = "linear",
      div_factor = 10, final_div_factor = 100},
    cyclic = S.cyclic{low = 0.01, high = 0.1, period = 8},
    linear = S.linear{from = 0.025, to = 0.1, steps = 8},
    polynomial = S.polynomial{lr = 0.1, steps = 15, power = 2},
  }
  for name, s in pairs(ours) do
    it(name .. " matches torch", function()
      local r = ref[name]
      if not r then return end -- this torch lacks the scheduler
      check.truthy(#r >= 20, "reference values for " .. name)
      for t = 1, #r do check.near(s(t), r[t], 1e-9, name .. " at t=" .. t) end
    end)
  end
  it("plateau matches torch", function()
    local p = S.plateau{lr = 1, factor = 0.5, patience = 2, threshold = 0.01, cooldown = 1, min_lr = 0.1}
    local metrics = {10, 9, 9.95, 9.0, 8.95, 8.99, 9.5, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7}
    for t, m in ipairs(metrics) do check.near(p:update(m), ref.plateau[t], 1e-12, "plateau at " .. t) end
  end)
end)
