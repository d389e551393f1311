-- train_resume_spec.lua — resuming a slope.train checkpoint in another run: another
-- optimizer, objective dim, batch or schedule is named (with the file) before the
-- first step; a damaged checkpoint gives an error naming the file and the field.

local B = slope.data.load("breast_cancer")
local XB = slope.data.standardize(B.X)
local lg = slope.obj.logistic{ X = XB, y = B.y, l2 = 1e-3, intercept = true }

local tmp = os.tmpname()
os.remove(tmp)
os.execute("mkdir -p " .. tmp)

local function cfg(extra)
  local c = { objective = lg, optimizer = slope.optim.adam{ lr = 1e-2 }, epochs = 2, batch = 64,
    rng = slope.rng(3), quiet = true, x = slope.vec.zeros(lg.dim) }
  for k, v in pairs(extra or {}) do c[k] = v end
  if c.batch == "none" then c.batch = nil end
  return c
end

local CK = tmp .. "/base.ckpt"
slope.train(cfg{ steps = 5, checkpoint = { path = CK } })

-- err = resume_error(extra): the error of resuming CK with these options; no step may run
local function resume_error(extra, path)
  local steps = 0
  local c = cfg(extra)
  c.resume = path or CK
  c.on_step = function() steps = steps + 1 end
  local ok, err = pcall(slope.train, c)
  check.truthy(not ok, "resume accepted")
  check.eq(steps, 0, "no step ran")
  err = tostring(err)
  check.truthy(not err:find("attempt to", 1, true), err)
  check.truthy(err:find("slope.train: resume", 1, true), err)
  check.truthy(err:find(path or CK, 1, true), "the file is named: " .. err)
  return err
end

describe("slope.train resume checks the checkpoint against the run", function()
  it("another optimizer", function()
    local err = resume_error{ optimizer = slope.optim.sgd{ lr = 0.1 } }
    check.truthy(err:find('optimizer adam', 1, true) and err:find('optimizer sgd', 1, true), err)
    check.truthy(not err:find("exp_avg", 1, true), err)
  end)

  it("another objective dim", function()
    local small = slope.obj.logistic{ X = XB, y = B.y, l2 = 1e-3 }
    local err = resume_error{ objective = small, x = slope.vec.zeros(small.dim) }
    check.truthy(err:find("dim 31", 1, true) and err:find("dim 30", 1, true), err)
  end)

  it("another batch, accumulate or data set", function()
    check.truthy(resume_error{ batch = 32 }:find("batch", 1, true))
    check.truthy(resume_error{ batch = "none" }:find("batch", 1, true))
    check.truthy(resume_error{ accumulate = 2 }:find("accumulate", 1, true))
    local half = slope.obj.logistic{ X = XB, y = B.y, l2 = 1e-3, intercept = true }:batch(
      (function() local t = {} for i = 1, 300 do t[i] = i end return t end)())
    check.truthy(resume_error{ objective = half }:find("n = 300", 1, true))
  end)

  it("another schedule or pace", function()
    check.truthy(resume_error{ schedule = slope.schedule.cosine{ lr = 1e-2, steps = 10 } }:find("schedule", 1, true))
    local ck = tmp .. "/sched.ckpt"
    slope.train(cfg{ steps = 3, checkpoint = { path = ck }, schedule = slope.schedule.cosine{ lr = 1e-2, steps = 10 } })
    local err = resume_error({ schedule = { slope.schedule.cosine{ lr = 1e-2, steps = 10 }, per = "epoch" } }, ck)
    check.truthy(err:find("per epoch", 1, true), err)
    check.truthy(resume_error({ schedule = function() return 0.01 end }, ck):find("a function", 1, true))
  end)

  it("a checkpoint past the end of the run", function()
    check.truthy(resume_error{ steps = 3 }:find("past the end", 1, true))
  end)

  it("a missing file, another kind of checkpoint", function()
    resume_error({}, tmp .. "/none.ckpt")
    local other = tmp .. "/other.ckpt"
    slope.checkpoint.save(other, { kind = "mine", x = slope.vec{ 1 } })
    check.truthy(resume_error({}, other):find("not a slope.train checkpoint", 1, true))
  end)
end)

describe("slope.train resume reads a damaged checkpoint safely", function()
  local good = slope.checkpoint.load(CK)
  local function damaged(field, value)
    local t = {}
    for k, v in pairs(good) do t[k] = v end
    t[field] = value
    local p = tmp .. "/damaged.ckpt"
    slope.checkpoint.save(p, t) -- checksum fine: the content is wrong
    return p
  end
  local cases = {
    { "step", -3 }, { "step", 2.5 }, { "step", "five" }, { "epoch", 0 }, { "pos", 99 }, { "x", 3 },
    { "x", slope.vec{ 1, 2 } }, { "opt", 7 }, { "opt", { exp_avg = 3 } }, { "rng_epoch", { 1, 2 } },
    { "rng_probe", "seed" }, { "lr_scale", 0 }, { "es_bad", -1 }, { "best_value", 0 / 0 },
    { "best_x", { 1 } }, { "g_prev", slope.vec{ 1 } }, { "history", 5 }, { "history", { loss = 3 } },
    { "elapsed", -1 }, { "optimizer", 5 }, { "kind", nil }, { "lr_scale", nil }, { "best_x", nil },
  }
  for _, c in ipairs(cases) do
    local field, value = c[1], c[2]
    it(("field %s = %s"):format(field, tostring(value)), function()
      local p = damaged(field, value)
      local err = resume_error({}, p)
      if field ~= "kind" then
        check.truthy(err:find("'" .. field, 1, true), "the field is named: " .. err)
      end
    end)
  end
end)
