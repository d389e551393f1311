-- train_loop_spec.lua — the loop's bookkeeping: epochs of full-batch runs and of
-- objectives without samples, the pace of per-epoch schedules, the sharpness
-- probe when the lr is 0, on_step's copies of x and g, and Ctrl-C (the
-- interpreter's hook emulated with debug.sethook on the main thread).

local B = slope.data.load("breast_cancer")
local XB = slope.data.standardize(B.X)
local lg = slope.obj.logistic{ X = XB, y = B.y, l2 = 1e-3, intercept = true }

local function seq(n)
  local t = {}
  for i = 1, n do t[i] = i end
  return t
end

local function same_list(a, b, what)
  check.eq(#a, #b, what .. ": length")
  for i = 1, #b do
    if b[i] == b[i] then check.eq(a[i], b[i], what .. " [" .. i .. "]")
    else check.truthy(a[i] ~= a[i], what .. " [" .. i .. "]: NaN expected") end
  end
end

local tmp = os.tmpname()
os.remove(tmp)
os.execute("mkdir -p " .. tmp)

describe("slope.train epochs", function()
  it("a full-batch step is an epoch: epochs = 6 runs 6 steps in 6 epochs", function()
    local run = slope.train{ objective = lg, optimizer = slope.optim.sgd{ lr = 0.5 }, epochs = 6, quiet = true }
    check.eq(run.steps, 6)
    check.eq(run.epochs, 6)
    same_list(run.history.epoch, seq(6), "history.epoch")
  end)

  it("an objective without samples trains by epochs as full-batch steps", function()
    local run = slope.train{ objective = slope.obj.rosenbrock(2), optimizer = slope.optim.sgd{ lr = 1e-3 },
      epochs = 4, quiet = true }
    check.eq(run.steps, 4); check.eq(run.epochs, 4)
    same_list(run.history.epoch, seq(4), "history.epoch")
  end)

  it("a per-epoch schedule moves every full-batch step", function()
    local run = slope.train{ objective = lg, optimizer = slope.optim.sgd{ lr = 1 }, epochs = 5, quiet = true,
      schedule = { function(e) return 0.1 / e end, per = "epoch" } }
    for i = 1, 5 do check.eq(run.history.lr[i], 0.1 / i, "lr at epoch " .. i) end
  end)

  it("with minibatches, a per-epoch schedule sees the new epoch from its first step", function()
    local run = slope.train{ objective = lg, optimizer = slope.optim.sgd{ lr = 1 }, epochs = 3, batch = 100,
      rng = slope.rng(1), quiet = true, schedule = { function(e) return 0.1 * e end, per = "epoch" } }
    check.eq(run.steps, 18) -- 569 samples: 6 minibatches of 100 per epoch
    for i = 1, run.steps do
      check.eq(run.history.lr[i], 0.1 * run.history.epoch[i], "lr at step " .. i)
      check.eq(run.history.epoch[i], (i - 1) // 6 + 1, "epoch at step " .. i)
    end
  end)
end)

describe("slope.train sharpness probe", function()
  it("logs lambda_max at lr = 0 and leaves sharpness_lr empty (decay to 0, warm-up from 0)", function()
    local q = slope.spectrum.toy.quadratic(slope.mat{ { 4, 0 }, { 0, 1 } })
    local run = slope.train{ objective = q, optimizer = slope.optim.sgd{ lr = 0.1 }, steps = 10, x = { 1, 1 },
      quiet = true, probes = { "sharpness" }, probe_every = 5,
      schedule = function(t) return (t - 1) * (10 - t) * 0.01 end } -- 0 at the first and last steps
    check.eq(run.status, "done")
    for _, i in ipairs({ 1, 5, 10 }) do check.near(run.history.sharpness[i], 4, 1e-8, "lambda_max at " .. i) end
    check.truthy(run.history.sharpness_lr[1] ~= run.history.sharpness_lr[1], "no ratio at lr = 0 (step 1)")
    check.near(run.history.sharpness_lr[5], 4 * 0.2, 1e-8)
    check.truthy(run.history.sharpness_lr[10] ~= run.history.sharpness_lr[10], "no ratio at lr = 0 (step 10)")
  end)

  it("at the end of a cosine decay to 0", function()
    local run = slope.train{ objective = lg, optimizer = slope.optim.sgd{ lr = 0.1 }, steps = 5, quiet = true,
      probes = { "sharpness" }, probe_every = 5, schedule = slope.schedule.cosine{ lr = 0.1, steps = 4 } }
    check.eq(run.status, "done")
    check.eq(run.history.lr[5], 0.0) -- the cosine reaches 0 one step after its last
    check.truthy(run.history.sharpness[5] > 0)
    check.truthy(run.history.sharpness_lr[5] ~= run.history.sharpness_lr[5])
  end)
end)

describe("slope.train on_step", function()
  it("hands copies: a path stored from on_step is the path", function()
    local path, grads = {}, {}
    local f = slope.obj.rosenbrock(2)
    local run = slope.train{ objective = f, optimizer = slope.optim.sgd{ lr = 1e-3 }, steps = 5, quiet = true,
      x = { -1.2, 1 }, on_step = function(row) path[#path + 1] = row.x; grads[#grads + 1] = row.g end }
    -- replay: x_{k+1} = x_k - lr g(x_k)
    local x = slope.vec{ -1.2, 1 }
    for k = 1, 5 do
      local g = f:grad(x)
      check.veq(grads[k], g, 0, "gradient " .. k)
      x:axpy(-1e-3, g)
      check.veq(path[k], x, 0, "point " .. k)
    end
    check.truthy(path[1][1] ~= path[5][1], "distinct points")
    path[5][1] = 99 -- a copy: the run's x is untouched
    check.truthy(run.x[1] ~= 99)
  end)
end)

-- Ctrl-C, as the interpreter delivers it: a hook on the main thread raising
-- "interrupted!" at its next instruction (src/cli/main.c: laction, lstop)
local MAIN = coroutine.running()
local function ctrl_c()
  debug.sethook(MAIN, function()
    debug.sethook(MAIN)
    error("interrupted!")
  end, "crl", 1)
end

describe("slope.train and Ctrl-C", function()
  local function cfg(extra)
    local c = { objective = lg, x = slope.vec.zeros(lg.dim), optimizer = slope.optim.adam{ lr = 1e-2 }, epochs = 3,
      batch = 32, rng = slope.rng(7), quiet = true, probes = { "grad_norm", "grad_cos" } }
    for k, v in pairs(extra or {}) do c[k] = v end
    return c
  end

  it("returns status interrupted between steps, with a checkpoint that resumes bit for bit", function()
    local whole = slope.train(cfg())
    local ck, log = tmp .. "/int.ckpt", tmp .. "/int.csv"
    local run = slope.train(cfg{ checkpoint = { path = ck, every = 5 }, log = log,
      on_step = function(row) if row.step == 12 then ctrl_c() end end })
    check.eq(run.status, "interrupted")
    check.eq(run.steps, 12)
    check.truthy(run.message:find("interrupted after step 12", 1, true), run.message)
    check.eq(#run.history.step, 12)
    check.eq(slope.checkpoint.load(ck).step, 12, "the checkpoint is at the step it stopped after")
    local rows = 0
    for _ in io.lines(log) do rows = rows + 1 end
    check.eq(rows, 13, "the log is closed with its 12 rows")
    local rest = slope.train(cfg{ resume = ck, log = log })
    check.eq(rest.status, "done")
    check.veq(rest.x, whole.x, 0, "resumed x")
    same_list(rest.history.loss, whole.history.loss, "loss history")
    same_list(rest.history.grad_cos, whole.history.grad_cos, "grad_cos history")
  end)

  -- a least-squares objective in Lua, and a Lua SGD that can fail at a given step
  local function lua_parts(stop_fg, stop_step)
    local calls = 0
    local f = { dim = 2, n = 10, init = function() return slope.vec{ 1, 1 } end }
    function f:fg(x, g)
      calls = calls + 1
      if calls == stop_fg then ctrl_c() end -- the signal arrives during the gradient
      g[1], g[2] = x[1] - 1, 3 * x[2]
      return 0.5 * ((x[1] - 1) ^ 2 + 3 * x[2] ^ 2)
    end
    function f:batch() return self end
    local opt = { lr = 0.1, t = 0, state = function(self) return { t = self.t } end,
      load = function(self, s) self.t = s.t end }
    function opt:step(x, g)
      if self.t + 1 == stop_step then error("interrupted!") end -- as a polling C loop raises it
      x:axpy(-self.lr, g)
      self.t = self.t + 1
    end
    return f, opt
  end

  it("inside a gradient: the step is dropped and the checkpoint resumes bit for bit", function()
    local ck = tmp .. "/int2.ckpt"
    local f, opt = lua_parts()
    local whole = slope.train{ objective = f, optimizer = opt, steps = 20, quiet = true }
    f, opt = lua_parts(7)
    local run = slope.train{ objective = f, optimizer = opt, steps = 20, quiet = true,
      checkpoint = { path = ck, every = 5 } }
    check.eq(run.status, "interrupted")
    check.eq(run.steps, 6)
    check.eq(opt.t, 6, "the optimizer made 6 steps")
    check.truthy(run.message:find("interrupted after step 6", 1, true), run.message)
    check.eq(slope.checkpoint.load(ck).step, 6)
    f, opt = lua_parts()
    local rest = slope.train{ objective = f, optimizer = opt, steps = 20, quiet = true, resume = ck }
    check.veq(rest.x, whole.x, 0, "resumed x")
  end)

  it("inside the rest of a step (a C loop of user code saw it): the last saved checkpoint stays", function()
    local ck = tmp .. "/int3.ckpt"
    local f, opt = lua_parts(nil, 7)
    local run = slope.train{ objective = f, optimizer = opt, steps = 20, quiet = true,
      checkpoint = { path = ck, every = 5 } }
    check.eq(run.status, "interrupted")
    check.eq(run.steps, 6)
    check.truthy(run.message:find("inside step 7", 1, true), run.message)
    check.eq(slope.checkpoint.load(ck).step, 5)
  end)

  it("other errors propagate and close the log", function()
    local log = tmp .. "/err.csv"
    check.errors(function()
      slope.train(cfg{ log = log, on_step = function(row) if row.step == 3 then error("mine") end end })
    end, "mine")
    local rows = 0
    for _ in io.lines(log) do rows = rows + 1 end
    check.eq(rows, 4)
  end)
end)
