-- optim_groups_spec.lua — slope.optim.groups (torch's param_groups): groups with
-- the base's settings are the base, bit for bit; per-group hyperparameters
-- against the SGD rule written out here; frozen groups; opt.lr scaling every
-- group (schedules); state/load, reset, wrappers and slope.train checkpoints;
-- every misuse named.

local D = slope.data.load("iris")
local f = slope.obj.mlp{X = D.X, y = D.y, hidden = {8}, classes = 3}
-- layout: W1 1..32 (8x4), b1 33..40, W2 41..64 (3x8), b2 65..67

local function run(opt, steps, x0)
  local x = (x0 or f:init(slope.rng(1))):clone()
  local g = slope.vec.zeros(f.dim)
  for _ = 1, steps do f:fg(x, g); opt:step(x, g) end
  return x
end

local function bits_equal(a, b, msg)
  check.eq(#a, #b, msg)
  for i = 1, #a do
    if a[i] ~= b[i] then error(("%s: entry %d differs: %.17g vs %.17g"):format(msg, i, a[i], b[i]), 2) end
  end
end

describe("slope.optim.groups", function()
  it("with the base's settings everywhere is the base, bit for bit (in place and gathered groups)", function()
    local cases = {
      function() return slope.optim.adam{lr = 1e-2} end,
      function() return slope.optim.sgd{lr = 0.1, momentum = 0.9, nesterov = true, weight_decay = 1e-3} end,
      function() return slope.optim.rmsprop{lr = 1e-2, centered = true} end,
    }
    for _, make in ipairs(cases) do
      local plain = run(make(), 20)
      local grouped = run(slope.optim.groups{base = make(), layers = f,
        {layers = "biases"}, {layers = {"W2"}}, {range = {1, 5}}}, 20)
      bits_equal(grouped, plain, make().name)
    end
  end)

  it("steps each group with its own hyperparameters (SGD written out) and leaves frozen ones alone", function()
    local lr, wd = 0.1, 1e-2
    local opt = slope.optim.groups{base = slope.optim.sgd{lr = lr, weight_decay = wd}, layers = f,
      {layers = "biases", weight_decay = 0},
      {layers = "W2", lr = 0.05},
      {range = {1, 8}, frozen = true}}
    local x0 = f:init(slope.rng(2))
    local x, g = x0:clone(), slope.vec.zeros(f.dim)
    local want = x0:clone()
    local function rule(i) -- lr, wd of entry i
      if i <= 8 then return 0, 0 end
      if (i >= 33 and i <= 40) or i >= 65 then return lr, 0 end
      if i >= 41 and i <= 64 then return 0.05, wd end
      return lr, wd
    end
    for _ = 1, 3 do
      f:fg(x, g)
      for i = 1, f.dim do
        local l, w = rule(i)
        if l > 0 then want[i] = want[i] - l * (g[i] + w * want[i]) end
      end
      opt:step(x, g)
      check.veq(x, want, 1e-15, "sgd groups")
    end
    for i = 1, 8 do check.eq(x[i], x0[i], "frozen entry " .. i) end
    local pg = opt.param_groups
    check.eq(#pg, 4)
    check.eq(pg[1].size, 11); check.eq(pg[2].size, 24); check.eq(pg[3].frozen, true); check.eq(pg[3].opt, nil)
    check.eq(pg[4].name, "default"); check.eq(pg[4].size, 24)
  end)

  it("scales every group's lr with opt.lr, as torch's schedulers do", function()
    local opt = slope.optim.groups{base = slope.optim.adamw{lr = 1e-2}, layers = f,
      {layers = "biases", lr = 1e-3}}
    check.eq(opt.lr, 1e-2)
    opt.lr = 5e-3
    run(opt, 1)
    local pg = opt.param_groups
    check.near(pg[1].opt.lr, 5e-4, 1e-18); check.near(pg[2].opt.lr, 5e-3, 1e-18)
    local sched = slope.schedule.cosine{lr = 1e-2, steps = 10}
    local x, g = f:init(slope.rng(1)), slope.vec.zeros(f.dim)
    for t = 1, 3 do opt.lr = sched(t); f:fg(x, g); opt:step(x, g) end
    check.near(opt.param_groups[1].opt.lr, sched(3) / 10, 1e-18)
  end)

  it("saves, loads and resets every group's state; a bad state changes nothing", function()
    local function make()
      return slope.optim.groups{base = slope.optim.adam{lr = 1e-2}, layers = f,
        {layers = "biases", weight_decay = 1e-3}, {layers = "W1", frozen = true}}
    end
    local a = make()
    local x = run(a, 5)
    local st = a:state()
    check.eq(st.kind, "groups"); check.eq(#st.groups, 3); check.eq(st.groups[2].t, nil)
    local xa = run(a, 5, x)
    local b = make():load(st)
    check.eq(b.t, 5)
    bits_equal(run(b, 5, x), xa, "resumed")
    local before = b:state()
    local bad = a:state()
    bad.groups[3].exp_avg = slope.vec.zeros(3)
    check.errors(function() b:load(bad) end, "slope.optim.load: state.exp_avg must be a vec of 24 entries")
    bits_equal(b:state().groups[1].exp_avg, before.groups[1].exp_avg, "unchanged after a bad load")
    check.errors(function() b:load{kind = "groups", t = 1, dim = 67, groups = {}} end,
      "state.groups must be a list of 3 group states")
    b:reset()
    check.eq(b.t, 0); check.eq(b.param_groups[1].opt.t, 0)
  end)

  it("goes under wrappers and through slope.train checkpoints", function()
    local clipped = slope.optim.clip{max_norm = 1, base = slope.optim.groups{
      base = slope.optim.sgd{lr = 0.1}, layers = f, {layers = "biases", lr = 0.01}}}
    run(clipped, 3)
    local tmp = os.tmpname()
    local function cfg(extra)
      local c = {objective = f, optimizer = slope.optim.groups{base = slope.optim.adamw{lr = 1e-2},
        layers = f, {layers = "biases", weight_decay = 0}}, epochs = 2, batch = 16,
        rng = slope.rng(3), quiet = true, x = f:init(slope.rng(1))}
      for k, v in pairs(extra or {}) do c[k] = v end
      return c
    end
    local full = slope.train(cfg{})
    slope.train(cfg{steps = 7, checkpoint = {path = tmp}})
    local resumed = slope.train(cfg{resume = tmp})
    os.remove(tmp)
    bits_equal(resumed.x, full.x, "train resume with groups")
  end)

  it("names every misuse", function()
    local adam = slope.optim.adam{lr = 1e-3}
    local G = "slope.optim.groups: "
    check.errors(function() slope.optim.groups(3) end, G .. "options table expected")
    check.errors(function() slope.optim.groups{layers = f, {layers = "b1"}} end, G .. "base must be an optimizer")
    check.errors(function() slope.optim.groups{base = slope.optim.clip{base = adam, max_norm = 1}, layers = f, {layers = "b1"}} end,
      G .. "base must be a plain rule")
    check.errors(function() slope.optim.groups{base = slope.optim.lamb{layers = f}, layers = f, {layers = "b1"}} end,
      G .. "base must be a plain rule (sgd, adam, adamw, rmsprop, ...), got lamb")
    check.errors(function() slope.optim.groups{base = slope.optim.sophia{f = f}, layers = f, {layers = "b1"}} end,
      G .. "base must be a plain rule")
    check.errors(function() slope.optim.groups{base = adam, layers = 3, {layers = "b1"}} end, G .. "layers must be an objective")
    check.errors(function() slope.optim.groups{base = adam, layers = slope.obj.rosenbrock(2), {range = {1, 1}}} end,
      G .. "layers: the objective has no layout")
    check.errors(function() slope.optim.groups{base = adam, {range = {1, 2}}} end, G .. "give layers")
    check.errors(function() slope.optim.groups{base = adam, layers = f} end, G .. "give 1 to 64 groups")
    check.errors(function() slope.optim.groups{base = adam, layers = f, 5} end, G .. "group 1 must be a table")
    check.errors(function() slope.optim.groups{base = adam, layers = f, {layers = "b1", momentum = 0.9}} end,
      G .. "group 1 has unknown field 'momentum'")
    check.errors(function() slope.optim.groups{base = adam, layers = f, {layers = "b3"}} end,
      G .. "group 1: no layer 'b3' (the layout has W1, b1, W2, b2, weights, biases)")
    check.errors(function() slope.optim.groups{base = adam, layers = f, {layers = {1}}} end, G .. "group 1: layers must be names")
    check.errors(function() slope.optim.groups{base = adam, layers = f, {layers = true}} end, G .. "group 1: layers must be a name or a list")
    check.errors(function() slope.optim.groups{base = adam, layers = f, {layers = "b1"}, {layers = "biases"}} end,
      G .. "group 2: layer b1 is already in group 1")
    check.errors(function() slope.optim.groups{base = adam, layers = f, {range = {60, 70}}} end, G .. "group 1: range {60, 70} is not within 1..67")
    check.errors(function() slope.optim.groups{base = adam, layers = f, {range = {2, "x"}}} end, G .. "group 1: range must be {i, j}")
    check.errors(function() slope.optim.groups{base = adam, layers = f, {ranges = {}}} end, G .. "group 1: ranges must be a list")
    check.errors(function() slope.optim.groups{base = adam, layers = f, {range = {1, 3}}, {ranges = {{3, 4}}}} end,
      G .. "group 2: entry 3 is already in group 1")
    check.errors(function() slope.optim.groups{base = adam, layers = f, {name = "x"}} end, G .. "group 1 selects no entries")
    check.errors(function() slope.optim.groups{base = adam, layers = f, {layers = "b1", frozen = 1}} end, G .. "group 1: frozen must be a boolean")
    check.errors(function() slope.optim.groups{base = adam, layers = f, {layers = "b1", name = 2}} end, G .. "group 1: name must be a string")
    check.errors(function() slope.optim.groups{base = adam, layers = f, {layers = "b1", weight_decay = "x"}} end,
      G .. "group 1: weight_decay must be")
    check.errors(function() slope.optim.groups{base = adam, layers = f, {layers = "b1", lr = 0 / 0}} end, G .. "group 1: lr must be")
    check.errors(function() slope.optim.groups{base = adam, layers = f, {layers = "b1", betas = {2, 0}}} end, G .. "group 1: betas[1]")
    check.errors(function() slope.optim.groups{base = adam, layers = f, dim = 3, {layers = "b1"}} end,
      G .. "dim = 3 but the layout covers 67 entries")
    check.errors(function() slope.optim.groups{base = adam, dim = "x", {range = {1, 2}}} end, G .. "dim must be")
    check.errors(function() slope.optim.groups{base = slope.optim.sgd{lr = 0}, dim = 4, {range = {1, 2}, lr = 0.1}} end,
      G .. "group 1 sets lr but the base's lr is 0")
    check.errors(function() slope.optim.groups{base = adam, layers = f, {layers = "b1"}, oops = 1} end, G .. "unknown option 'oops'")
    local ok = slope.optim.groups{base = adam, dim = 4, {range = {1, 2}}}
    check.errors(function() ok:step(slope.vec.zeros(5), slope.vec.zeros(5)) end, "")
  end)
end)

-- against torch.optim with param_groups and a StepLR (scripts/reference/torch_groups.py)
local PY = "/usr/bin/python3"
local have = os.execute(PY .. " -c 'import torch' >/dev/null 2>&1")
if not (have == true or have == 0) then
  print("NOTE optim_groups_spec: torch comparison skipped (" .. PY .. " cannot import torch)")
  return
end
local p = assert(io.popen(PY .. " scripts/reference/torch_groups.py 60"))
local text = p:read("a")
p:close()
describe("slope.optim.groups vs torch param_groups + StepLR (float64, 60 steps)", function()
  local A = {1.0, 10.0, 0.1, 4.0, 2.0, 0.5}
  local B = {0.3, -0.2, 0.1, 0.5, -0.4, 0.2}
  local C = 0.05
  local n = 0
  for name, opts, groups, traj in text:gmatch("CONFIG (%S+) (%b{}) (%b{})\nTRAJ ([^\n]+)") do
    n = n + 1
    it(name .. " " .. opts .. " " .. groups, function()
      local want = {}
      for v in traj:gmatch("%S+") do want[#want + 1] = tonumber(v) end
      local spec = load("return " .. groups)()
      spec.base = slope.optim[name](load("return " .. opts)())
      spec.dim = 6
      local opt = slope.optim.groups(spec)
      local base_lr = spec.base.lr
      local x = slope.vec{1.0, -2.0, 0.5, 1.5, -1.0, 0.8}
      local g = slope.vec.zeros(6)
      local worst = 0
      for t = 1, #want // 6 do
        for i = 1, 6 do g[i] = A[i] * x[i] + B[i] + C * x[i] ^ 3 end
        opt.lr = base_lr * 0.5 ^ ((t - 1) // 10)
        opt:step(x, g)
        for i = 1, 6 do
          local w = want[(t - 1) * 6 + i]
          worst = math.max(worst, math.abs(x[i] - w) / math.max(1, math.abs(w)))
        end
      end
      check.truthy(worst <= 1e-12, ("worst relative difference %.3g"):format(worst))
    end)
  end
  it("ran every configuration", function() check.eq(n, 3) end)
end)
