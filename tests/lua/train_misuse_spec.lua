-- train_misuse_spec.lua — every option of slope.train given each wrong type: the
-- error names slope.train and the option, points at this file's line, and is
-- never an internal "attempt to ..."; then the first scripts people write (a test
-- function by steps, a quadratic, a Lua objective, a data set) train.

local SRC = debug.getinfo(1, "S").short_src

local D = slope.data.load("iris")
local X = slope.data.standardize(D.X)
local f = slope.obj.softmax{ X = X, y = D.y }

local function base()
  return { objective = f, optimizer = slope.optim.sgd{ lr = 0.01 }, steps = 2, quiet = true }
end

-- the wrong values, by kind; each option lists the kinds that are right for it
local BAD = {
  { "number", 3 }, { "negative", -2 }, { "zero", 0 }, { "fraction", 0.5 }, { "nan", 0 / 0 },
  { "inf", math.huge }, { "string", "nope" }, { "true", true }, { "false", false }, { "table", {} },
  { "list", { 1, "a" } }, { "function", function() end }, { "vec", slope.vec{ 1, 2 } },
  { "rng", slope.rng(1) }, { "constructor", false },
}
local CONSTRUCTOR = {
  objective = slope.obj.rosenbrock, optimizer = slope.optim.adam, validation = slope.obj.softmax,
  schedule = slope.schedule.cosine, rng = slope.rng, x = slope.vec.zeros, checkpoint = slope.checkpoint.save,
}
local VALID = {
  objective = {}, optimizer = {}, x = {}, rng = { rng = true }, validation = {}, on_nonfinite = {},
  epochs = { number = true }, steps = { number = true }, batch = { number = true },
  accumulate = {}, -- 3 needs batch: refused by name too
  clip = { number = true, fraction = true }, schedule = {},
  eval_every = { number = true }, probe_every = { number = true }, probe_batch = { number = true },
  log_every = { number = true }, print_every = { number = true },
  probes = { table = true }, early_stopping = { ["true"] = true, ["false"] = true, table = true },
  log = {}, checkpoint = {}, resume = {},
  on_step = { ["function"] = true, constructor = true }, quiet = { ["true"] = true, ["false"] = true },
  sync_every = { number = true }, batches = {},
}

local function try(cfg)
  local line = debug.getinfo(1, "l").currentline + 1
  local ok, err = pcall(slope.train, cfg)
  return ok, tostring(err), line
end

local function check_error(err, line, option, what)
  check.truthy(err:find("slope.train", 1, true), what .. ": no 'slope.train' in: " .. err)
  check.truthy(err:find(option, 1, true), what .. ": the option is not named in: " .. err)
  check.truthy(not err:find("attempt to", 1, true), what .. ": internal error: " .. err)
  local at = SRC .. ":" .. line .. ":"
  check.eq(err:sub(1, #at), at, what .. ": the error points at " .. err)
end

describe("slope.train misuse battery", function()
  local names = {}
  for _, o in ipairs(slope._args.registry["slope.train"].list) do names[#names + 1] = o.name end
  for _, option in ipairs(names) do
    it(option .. ": every wrong type is refused by name at the caller's line", function()
      check.truthy(VALID[option], "the battery lists " .. option)
      local tried = 0
      for _, b in ipairs(BAD) do
        local kind, v = b[1], b[2]
        if kind == "constructor" then v = CONSTRUCTOR[option] or slope.obj.rosenbrock end
        if not VALID[option][kind] then
          local cfg = base()
          cfg[option] = v
          local ok, err, line = try(cfg)
          check.truthy(not ok, ("%s = %s (%s) was accepted"):format(option, tostring(v), kind))
          check_error(err, line, option, option .. " = " .. kind)
          tried = tried + 1
        end
      end
      check.truthy(tried >= 8, option .. ": only " .. tried .. " wrong values tried")
    end)
  end

  it("the option list of the battery is the schema's", function()
    for option in pairs(VALID) do
      check.truthy(slope._args.registry["slope.train"].byname[option], option .. " is an option of slope.train")
    end
  end)

  it("nested tables refuse unknown keys and wrong types", function()
    local cases = {
      { { early_stopping = { patience = 2, paitence = 3 } }, "early_stopping.paitence" },
      { { early_stopping = { patience = 0 } }, "early_stopping.patience" },
      { { early_stopping = { restore_best = "yes" } }, "early_stopping.restore_best" },
      { { early_stopping = { 3 } }, "early_stopping" },
      { { checkpoint = { path = "x.ckpt", evry = 2 } }, "checkpoint.evry" },
      { { checkpoint = { every = 2 } }, "checkpoint.path" },
      { { checkpoint = { path = 3 } }, "checkpoint.path" },
      { { schedule = { slope.schedule.constant{ lr = 1 }, per = "week" } }, "schedule" },
      { { schedule = { slope.schedule.constant{ lr = 1 }, pre = "epoch" } }, "schedule" },
      { { probes = { "grad_norm", "sharpnes" } }, "unknown probe 'sharpnes'" },
      { { probes = { grad_norm = true } }, "probes" },
      { { log = { "a.csv", "b.txt" } }, "log" },
      { { 5 }, "positional value 5" },
    }
    for _, c in ipairs(cases) do
      local cfg = base()
      for k, v in pairs(c[1]) do cfg[k] = v end
      local ok, err, line = try(cfg)
      check.truthy(not ok, c[2] .. " accepted")
      check_error(err, line, c[2], c[2])
    end
  end)

  it("hints: constructors, seeds, single probe names", function()
    local cfg = base()
    cfg.optimizer = slope.optim.adam
    local _, err = try(cfg)
    check.truthy(err:find("call it", 1, true), err)
    cfg = base()
    cfg.rng = 42
    _, err = try(cfg)
    check.truthy(err:find("slope.rng(42)", 1, true), err)
    cfg = base()
    cfg.schedule = slope.schedule.cosine
    _, err = try(cfg)
    check.truthy(err:find("call it", 1, true), err)
    cfg = base()
    cfg.probes = "grad_norm" -- one probe by name: not silently ignored
    local run = slope.train(cfg)
    check.truthy(run.history.grad_norm[1] > 0)
    check.eq(#run.history.grad_norm, 2)
  end)

  it("errors found while running name the option and the caller's line", function()
    local cfg = base()
    cfg.schedule = function(t) if t == 2 then return "fast" end return 0.1 end
    local ok, err, line = try(cfg)
    check.truthy(not ok)
    check_error(err, line, "schedule returned \"fast\" at step 2", "schedule")
    cfg = base()
    cfg.schedule = function() return -1 end
    ok, err, line = try(cfg)
    check.truthy(not ok)
    check_error(err, line, "schedule", "negative lr")
    cfg = base()
    cfg.objective = { dim = 2, fg = function() return nil end, init = function() return slope.vec{ 0, 0 } end }
    ok, err, line = try(cfg)
    check.truthy(not ok)
    check_error(err, line, "objective:fg returned nil", "fg without a loss")
    cfg = base()
    cfg.validation = { value = function() return "low" end }
    ok, err, line = try(cfg)
    check.truthy(not ok)
    check_error(err, line, "validation:value returned", "validation without a loss")
  end)

  it("refuses what an objective without samples cannot do, by name", function()
    local rb = slope.obj.rosenbrock(2)
    local cases = {
      { { batch = 8 }, "batch = 8" },
      { { accumulate = 2 }, "accumulate = 2 needs batch" },
      { { probes = { "noise_scale" } }, "noise_scale" },
    }
    for _, c in ipairs(cases) do
      local cfg = { objective = rb, optimizer = slope.optim.sgd{ lr = 1e-3 }, steps = 3, quiet = true }
      for k, v in pairs(c[1]) do cfg[k] = v end
      local ok, err, line = try(cfg)
      check.truthy(not ok, c[2])
      check_error(err, line, c[2], c[2])
    end
  end)

  it("a Lua optimizer without state/load is refused with checkpoint, resume or rollback", function()
    local duck = { lr = 0.1, step = function(self, x, g) x:axpy(-self.lr, g) end }
    for _, extra in ipairs({ { checkpoint = { path = os.tmpname() } }, { resume = "nowhere.ckpt" },
                             { on_nonfinite = "rollback" } }) do
      local cfg = base()
      cfg.optimizer = duck
      for k, v in pairs(extra) do cfg[k] = v end
      local ok, err, line = try(cfg)
      check.truthy(not ok)
      check_error(err, line, "state() and load(s)", next(extra))
    end
    local cfg = base()
    cfg.optimizer = duck -- without them it trains
    check.eq(slope.train(cfg).status, "done")
  end)

  it("x as a table of numbers; the wrong length named", function()
    local rb = slope.obj.rosenbrock(2)
    local run = slope.train{ objective = rb, x = { -1, 1 }, optimizer = slope.optim.sgd{ lr = 1e-3 }, steps = 3, quiet = true }
    check.eq(#run.x, 2)
    local ok, err, line = try{ objective = rb, x = { 1, 2, 3 }, optimizer = slope.optim.sgd{}, steps = 3 }
    check.truthy(not ok)
    check_error(err, line, "x has 3 entries; the objective has dim 2", "x")
    ok, err, line = try{ objective = rb, x = { 1, "2" }, optimizer = slope.optim.sgd{}, steps = 3 }
    check.truthy(not ok)
    check_error(err, line, "x must be", "x with a string")
  end)

  it("a validation split lacking a class is caught before the first step, with a hint", function()
    local Xv = slope.mat{ { 1, 2, 3, 4 }, { 2, 1, 0, 1 } }
    local fv = slope.obj.softmax{ X = Xv, y = slope.vec{ 0, 1 } }
    local calls = 0
    local cfg = base()
    cfg.validation = fv
    cfg.on_step = function() calls = calls + 1 end
    local ok, err, line = try(cfg)
    check.truthy(not ok)
    check_error(err, line, "validation has dim 8 but the objective has dim 12", "validation dim")
    check.truthy(err:find("classes = 3", 1, true), err)
    check.eq(calls, 0, "no step ran")
  end)

  it("a log folder that cannot be made, a checkpoint that cannot be written: named before the first step", function()
    local file = os.tmpname()
    local cfg = base()
    cfg.log = file .. "/sub/run.csv"
    local ok, err, line = try(cfg)
    check.truthy(not ok)
    check_error(err, line, "cannot make the folder '" .. file .. "/sub'", "log folder")
    cfg = base()
    cfg.checkpoint = { path = file .. "/run.ckpt" }
    ok, err, line = try(cfg)
    check.truthy(not ok)
    check_error(err, line, "checkpoint.path: cannot write " .. file .. "/run.ckpt", "checkpoint folder")
    os.remove(file)
  end)
end)

describe("slope.train trains every kind of objective", function()
  local function sgd(lr) return slope.optim.sgd{ lr = lr } end

  it("a test function by steps", function()
    local run = slope.train{ objective = slope.obj.rosenbrock(2), optimizer = slope.optim.adam{ lr = 0.02 },
      steps = 3000, quiet = true }
    check.eq(run.status, "done"); check.eq(run.steps, 3000)
    check.truthy(slope.obj.rosenbrock(2):value(run.x) < 1e-3, "reaches the valley floor near (1, 1)")
  end)

  it("a quadratic, to its minimizer", function()
    local q = slope.obj.quadratic{ A = slope.mat{ { 3, 1 }, { 1, 2 } }, b = slope.vec{ 1, -1 } }
    local run = slope.train{ objective = q, optimizer = sgd(0.2), steps = 200, quiet = true, x = { 0, 0 } }
    check.veq(run.x, q:minimizer(), 1e-10)
  end)

  it("a slope.spectrum.toy objective", function()
    local q = slope.spectrum.toy.quadratic(slope.mat{ { 2, 0 }, { 0, 1 } }, slope.vec{ 2, 1 })
    local run = slope.train{ objective = q, optimizer = sgd(0.3), steps = 100, quiet = true, x = { 5, 5 },
      probes = { "sharpness" }, probe_every = 50 }
    check.veq(run.x, { 1, 1 }, 1e-10)
    check.near(run.history.sharpness[1], 2, 1e-8)
  end)

  it("a Lua objective, with and without its own hvp", function()
    local function fg(x, g) g[1] = 2 * x[1]; g[2] = 8 * x[2]; return x[1] ^ 2 + 4 * x[2] ^ 2 end
    local function hvp(_, v, hv) hv[1] = 2 * v[1]; hv[2] = 8 * v[2] end
    for _, l in ipairs({ slope.obj.lua{ dim = 2, fg = fg }, slope.obj.lua{ dim = 2, fg = fg, hvp = hvp } }) do
      local run = slope.train{ objective = l, optimizer = sgd(0.1), steps = 100, quiet = true, x = { 1, 1 },
        probes = { "sharpness" }, probe_every = 10 }
      check.eq(run.status, "done")
      check.truthy(run.x:norm() < 1e-8, "converges")
      check.near(run.history.sharpness[10], 8, 1e-5)
    end
  end)

  it("a data set, with and without batch, a schedule function and validation", function()
    local tr, va = slope.data.split({ X = X, y = D.y }, 0.7, slope.rng(4))
    local ftr = slope.obj.softmax{ X = tr.X, y = tr.y, classes = 3 }
    local fva = slope.obj.softmax{ X = va.X, y = va.y, classes = 3 }
    for _, batch in ipairs({ false, 16 }) do
      local seen = {}
      local run = slope.train{ objective = ftr, validation = fva, optimizer = sgd(0.5), epochs = 20,
        batch = batch or nil, rng = slope.rng(2), quiet = true,
        schedule = function(t) seen[#seen + 1] = t; return 0.5 / (1 + 0.01 * t) end }
      check.eq(run.status, "done")
      check.eq(run.epochs, 20)
      check.eq(#seen, run.steps, "the schedule is called once per step")
      check.near(run.history.lr[3], 0.5 / 1.03, 1e-15)
      check.truthy(fva:value(run.x) < 0.5 * fva:value(slope.vec.zeros(ftr.dim)), "validation loss falls")
      check.truthy(run.history.val_loss[run.steps] == run.history.val_loss[run.steps])
    end
  end)

  it("breast_cancer and logistic regression, minibatches", function()
    local B = slope.data.load("breast_cancer")
    local lg = slope.obj.logistic{ X = slope.data.standardize(B.X), y = B.y, intercept = true }
    local run = slope.train{ objective = lg, optimizer = slope.optim.adam{ lr = 1e-2 }, epochs = 3, batch = 64,
      rng = slope.rng(1), quiet = true }
    check.eq(run.epochs, 3)
    check.truthy(run.history.loss[#run.history.loss] < 0.3)
  end)
end)
