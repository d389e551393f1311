-- checkpoint_io_spec.lua — what slope writes during a run, on a disk that
-- fails: every file (log CSV and JSONL, checkpoint, plot SVG, save_npy) goes to
-- /dev/full through a symlink, so each write fails with ENOSPC as on a full
-- disk. The run must stop with an error that names the file, and the last good
-- checkpoint must stay whole. Then the other half: checkpoints of real runs
-- (full batch, accumulation, per-epoch and plateau schedules, rollbacks, a
-- non-finite stop, early stopping) resume, and a resumed log continues the
-- uninterrupted run's rows without a gap or a row twice, whatever the log file
-- held when the run died.

local HAVE_FULL = io.open("/dev/full", "w") ~= nil

local B = slope.data.load("breast_cancer")
local XB = slope.data.standardize(B.X)
local lg = slope.obj.logistic{ X = XB, y = B.y, l2 = 1e-3, intercept = true }

local tmp = os.tmpname()
os.remove(tmp)
os.execute("mkdir -p " .. tmp)

local function cfg(extra)
  local c = { objective = lg, optimizer = slope.optim.adam{ lr = 1e-2 }, steps = 30, batch = 64,
    rng = slope.rng(3), quiet = true, x = slope.vec.zeros(lg.dim) }
  for k, v in pairs(extra or {}) do c[k] = v end
  return c
end

local function read(p)
  local f = io.open(p, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end
local function exists(p) return read(p) ~= nil end
local function full(p) os.execute(("ln -sf /dev/full '%s'"):format(p)) end

-- the error of a call that must fail, as a string
local function fails(fn, ...)
  local ok, err = pcall(fn, ...)
  check.truthy(not ok, "expected a failure")
  return tostring(err)
end

describe("a full disk", function()
  if not HAVE_FULL then
    it("(skipped: no /dev/full here)", function() end)
    return
  end

  it("a log that cannot be written stops the run, naming the file", function()
    for _, name in ipairs({ "log.csv", "log.jsonl" }) do
      for _, steps in ipairs({ 3, 300 }) do -- fails on close; fails while the rows are written
        local d = ("%s/full_%s_%d"):format(tmp, name, steps)
        os.execute("mkdir -p " .. d)
        full(d .. "/" .. name)
        local n = 0
        local err = fails(slope.train, cfg{ steps = steps, log = d .. "/" .. name, on_step = function() n = n + 1 end })
        check.truthy(err:find("slope.train: log: writing " .. d .. "/" .. name .. " failed: No space left on device", 1, true), err)
        check.truthy(err:find("the run stopped", 1, true), err)
        check.truthy(not err:find("attempt to", 1, true), err)
        if steps == 300 then check.truthy(n < 300, "the run stopped early, after " .. n .. " steps") end
      end
    end
  end)

  it("a log that fails before a checkpoint leaves the last checkpoint as it was", function()
    local d = tmp .. "/full_ck"
    os.execute("mkdir -p " .. d)
    local ck, log = d .. "/run.ckpt", d .. "/log.csv"
    slope.train(cfg{ steps = 3, checkpoint = { path = ck } }) -- an earlier run's checkpoint
    local before = read(ck)
    full(log)
    -- the log's rows are flushed before each checkpoint: the flush at step 4 fails
    local err = fails(slope.train, cfg{ steps = 300, log = log, checkpoint = { path = ck, every = 4 } })
    check.truthy(err:find("writing " .. log .. " failed", 1, true), err)
    check.truthy(err:find("stopped at step 4; its last checkpoint is in " .. ck, 1, true), err)
    check.eq(read(ck), before, "the checkpoint is the earlier one, whole")
    check.truthy(not exists(ck .. ".tmp"), "no temporary file left")
  end)

  it("a checkpoint that cannot be written stops the run; the previous one stays whole", function()
    local d = tmp .. "/full_ck2"
    os.execute("mkdir -p " .. d)
    local ck = d .. "/run.ckpt"
    local err = fails(slope.train, cfg{ steps = 300, checkpoint = { path = ck, every = 4 },
      on_step = function(row) if row.step == 10 then full(ck .. ".tmp") end end })
    check.truthy(err:find("slope.train: checkpoint", 1, true), err)
    check.truthy(err:find(ck .. ".tmp", 1, true) and err:find("No space left on device", 1, true), err)
    check.eq(slope.checkpoint.load(ck).step, 8)
    check.truthy(not exists(ck .. ".tmp"), "the temporary file (here a symlink) is removed")
    local rest = slope.train(cfg{ steps = 30, resume = ck })
    check.eq(rest.steps, 30)
  end)

  it("checkpoint.save, save_npy and plots report the file and leave no half file", function()
    local d = tmp .. "/full_w"
    os.execute("mkdir -p " .. d)
    full(d .. "/c.ckpt.tmp")
    local err = fails(slope.checkpoint.save, d .. "/c.ckpt", { a = 1 })
    check.truthy(err:find("slope.checkpoint.save: writing " .. d .. "/c.ckpt.tmp: No space left on device", 1, true), err)
    check.truthy(not exists(d .. "/c.ckpt"))
    full(d .. "/a.npy.tmp")
    err = fails(slope.data.save_npy, d .. "/a.npy", slope.vec.zeros(5000))
    check.truthy(err:find("slope.data.save_npy: " .. d .. "/a.npy: writing", 1, true)
      and err:find("No space left on device", 1, true), err)
    check.truthy(not exists(d .. "/a.npy") and not exists(d .. "/a.npy.tmp"))
    full(d .. "/p.svg.tmp")
    err = fails(slope.plot.lines, { file = d .. "/p.svg", series = { a = { 1, 2, 3 } } })
    check.truthy(err:find("slope.plot.lines: writing " .. d .. "/p.svg.tmp: No space left on device", 1, true), err)
    check.truthy(not exists(d .. "/p.svg") and not exists(d .. "/p.svg.tmp"))
    -- and when the disk is fine, they write
    check.eq(slope.checkpoint.load(slope.checkpoint.save(d .. "/c.ckpt", { a = 1 })).a, 1)
    check.truthy(exists(slope.plot.lines{ file = d .. "/p.svg", series = { a = { 1, 2, 3 } } }))
  end)
end)

-- the columns of a log without the time (which differs between runs)
local function untimed(text, kind)
  local out = {}
  for line in text:gmatch("[^\n]+") do
    if kind == "csv" then
      local cells = {}
      for cell in (line .. ","):gmatch("([^,]*),") do cells[#cells + 1] = cell end
      table.remove(cells) -- time is the last column
      out[#out + 1] = table.concat(cells, ",")
    else
      out[#out + 1] = (line:gsub(',?"time":[^,}]*', ""))
    end
  end
  return table.concat(out, "\n")
end

describe("a resumed log continues the run's log", function()
  local function run_logs(d, extra)
    os.execute("mkdir -p " .. d)
    local c = cfg(extra)
    c.log = { d .. "/log.csv", d .. "/log.jsonl" }
    c.validation = lg
    c.probes = { "grad_cos", "update_norm" }
    c.log_every = 2
    return slope.train(c)
  end
  local whole_dir = tmp .. "/whole"
  run_logs(whole_dir)
  local whole = { csv = untimed(read(whole_dir .. "/log.csv"), "csv"), jsonl = untimed(read(whole_dir .. "/log.jsonl"), "jsonl") }

  -- a run that dies at step 11 (checkpoints every 4: the last at step 8), then
  -- damage(dir) done to its files, then resumed
  local function died_and_resumed(name, damage)
    local d = tmp .. "/" .. name
    local ck = d .. "/run.ckpt"
    local ok = pcall(run_logs, d, { checkpoint = { path = ck, every = 4 },
      on_step = function(row) if row.step == 11 then error("killed") end end })
    check.truthy(not ok)
    check.eq(slope.checkpoint.load(ck).step, 8)
    if damage then damage(d) end
    local rest = run_logs(d, { resume = ck })
    check.eq(rest.steps, 30)
    for _, kind in ipairs({ "csv", "jsonl" }) do
      local got = untimed(read(d .. "/log." .. kind), kind)
      check.eq(got, whole[kind], kind .. " log after " .. name)
    end
    return d
  end

  it("with rows past the checkpoint in the files", function() died_and_resumed("rows_past") end)
  it("with a last line cut short (a full disk, a crash)", function()
    died_and_resumed("cut", function(d)
      local f = io.open(d .. "/log.csv", "a")
      f:write("12,2,0.01,0.4")
      f:close()
      f = io.open(d .. "/log.jsonl", "a")
      f:write('{"step":12,"epo')
      f:close()
    end)
  end)
  it("with the files cut before the checkpoint's rows", function()
    died_and_resumed("short", function(d)
      for _, kind in ipairs({ "csv", "jsonl" }) do
        local text = read(d .. "/log." .. kind)
        local f = io.open(d .. "/log." .. kind, "w")
        f:write(text:sub(1, #text // 3))
        f:close()
      end
    end)
  end)
  it("with the files gone", function()
    died_and_resumed("gone", function(d)
      os.remove(d .. "/log.csv")
      os.remove(d .. "/log.jsonl")
    end)
  end)
  it("with a row missing in the middle", function()
    died_and_resumed("gap", function(d)
      local text = read(d .. "/log.csv"):gsub("\n4,[^\n]*", "")
      local f = io.open(d .. "/log.csv", "w")
      f:write(text)
      f:close()
    end)
  end)
  it("keeps the rows' exact text when the files agree with the checkpoint", function()
    local d = died_and_resumed("exact")
    local kept = read(d .. "/log.csv"):match("^[^\n]*\n[^\n]*\n[^\n]*\n[^\n]*\n")
    check.eq(kept, read(whole_dir .. "/log.csv"):match("^[^\n]*\n[^\n]*\n[^\n]*\n[^\n]*\n") and kept)
  end)
end)

describe("checkpoints of real runs resume", function()
  -- run to k steps with a checkpoint, resume to n; x must equal the uninterrupted run's
  local function bit_for_bit(name, extra, ks, n)
    local function c(more)
      local t = cfg(extra)
      t.steps = n
      for k, v in pairs(more or {}) do t[k] = v end
      if type(extra.fresh) == "function" then extra.fresh(t) end
      t.fresh = nil
      return t
    end
    local whole = slope.train(c())
    for _, k in ipairs(ks) do
      local ck = ("%s/%s_%d.ckpt"):format(tmp, name, k)
      slope.train(c{ steps = k, checkpoint = { path = ck } })
      local rest = slope.train(c{ resume = ck })
      check.eq(rest.steps, whole.steps, name .. " from step " .. k)
      check.veq(rest.x, whole.x, 0, name .. " from step " .. k)
      check.eq(#rest.history.step, #whole.history.step)
    end
  end

  it("full batch", function()
    bit_for_bit("full", { batch = false, fresh = function(t) t.batch = nil end }, { 1, 2, 7 }, 12)
  end)
  it("full batch on a function without samples", function()
    local f = slope.obj.rosenbrock(2)
    bit_for_bit("rosen", { objective = f, fresh = function(t) t.batch = nil; t.x = slope.vec{ -1, 1 } end },
      { 1, 5 }, 9)
  end)
  it("minibatches with accumulation across epoch ends", function()
    -- 569 rows, batch 64: 9 minibatches; accumulate 2: 5 steps per epoch, the last of one minibatch
    bit_for_bit("acc2", { accumulate = 2 }, { 1, 4, 5, 6, 10, 11 }, 13)
    bit_for_bit("acc3", { accumulate = 3, batch = 100 }, { 1, 2, 3, 4 }, 7)
  end)
  it("per-epoch and plateau schedules with validation", function()
    bit_for_bit("epoch", { fresh = function(t)
      t.schedule = { slope.schedule.cosine{ lr = 1e-2, steps = 5 }, per = "epoch" } end }, { 3, 9, 10 }, 22)
    bit_for_bit("plateau", { validation = lg, eval_every = 2, fresh = function(t)
      t.schedule = slope.schedule.plateau{ lr = 1e-2, patience = 1 } end }, { 5, 8 }, 16)
  end)
  -- the logistic loss, NaN once |x| > cap: a run that rolls back or stops
  local function capped(f, cap)
    return { dim = f.dim, n = f.n,
      fg = function(_, x, g)
        local v = f:fg(x, g)
        if x:norm() > cap then return 0 / 0 end
        return v
      end,
      batch = function(_, idx) return capped(f:batch(idx), cap) end,
      value = function(_, x) return f:value(x) end }
  end
  local function nan_cfg(more)
    local t = cfg{ objective = capped(lg, 0.3), steps = 60 }
    for k, v in pairs(more or {}) do t[k] = v end
    return t
  end

  it("after rollbacks (lr_scale < 1, the step set back)", function()
    local ck = tmp .. "/rollback.ckpt"
    local n = 25
    local run = slope.train(nan_cfg{ on_nonfinite = "rollback", validation = lg, checkpoint = { path = ck, every = 1 },
      on_step = function() n = n - 1; return n == 0 end })
    check.eq(run.status, "stopped")
    local saved = slope.checkpoint.load(ck)
    check.truthy(saved.lr_scale < 1, "rollbacks happened: lr_scale " .. saved.lr_scale)
    check.truthy(saved.step < 25, "the step was set back: " .. saved.step)
    local rest = slope.train(nan_cfg{ on_nonfinite = "rollback", validation = lg, resume = ck })
    local whole = slope.train(nan_cfg{ on_nonfinite = "rollback", validation = lg })
    check.eq(rest.steps, 60, rest.message .. " / whole: " .. whole.message)
    check.veq(rest.x, whole.x, 0, "resumed x (the rollback point came with the checkpoint)")
  end)
  it("after rollbacks in a full-batch run (its epoch set back with the step)", function()
    -- the loss rises as x does and is NaN past 3: every rollback goes back to step 0
    local f = { dim = 1, fg = function(_, x, g)
      g[1] = -1
      if x[1] > 3 then return 0 / 0 end
      return x[1]
    end }
    local ck = tmp .. "/rollback_full.ckpt"
    local function fc(more)
      local t = { objective = f, optimizer = slope.optim.sgd{ lr = 1 }, x = slope.vec{ 0 }, steps = 40,
        quiet = true, on_nonfinite = "rollback" }
      for k, v in pairs(more or {}) do t[k] = v end
      return t
    end
    local top = 0
    slope.train(fc{ checkpoint = { path = ck, every = 1 }, on_step = function(row)
      top = math.max(top, row.step)
      return row.step < top -- stop right after a rollback
    end })
    local saved = slope.checkpoint.load(ck)
    check.truthy(saved.lr_scale < 1, "rollbacks happened: lr_scale " .. saved.lr_scale)
    check.truthy(top > saved.step + 1, ("rows past the step the run went back to (%d, %d)"):format(top, saved.step))
    local rest = slope.train(fc{ resume = ck })
    check.eq(rest.steps, 40)
    check.veq(rest.x, slope.train(fc()).x, 0, "resumed x")
  end)
  it("after a stop on a non-finite loss (the cursor one step ahead)", function()
    local ck = tmp .. "/nonfinite.ckpt"
    local run = slope.train(nan_cfg{ checkpoint = { path = ck } })
    check.eq(run.status, "nonfinite")
    local saved = slope.checkpoint.load(ck)
    check.eq(saved.pos, saved.step + 1, "the cursor is one step ahead")
    check.eq(saved.skipped, 1)
    -- stopped again at the same step, and again: the cursor moves on each time
    for k = 2, 3 do
      local rest = slope.train(nan_cfg{ resume = ck, checkpoint = { path = ck } })
      check.eq(rest.status, "nonfinite")
      check.eq(rest.steps, saved.step)
      local again = slope.checkpoint.load(ck)
      check.eq(again.skipped, k)
      check.eq(again.pos, saved.step + k)
    end
  end)
  it("a Lua optimizer whose state holds inf (its own sentinel)", function()
    local lowest = slope.optim.define{ name = "lowest_seen", defaults = { lr = 1e-2 },
      init = function(dim)
        local low = slope.vec.zeros(dim)
        low:fill(math.huge)
        return { low = low }
      end,
      step = function(s, x, g, hp)
        if g[1] < s.low[1] then s.low[1] = g[1] end -- the other entries stay inf
        x:axpy(-hp.lr, g)
      end }
    local function c(more)
      local t = cfg{ optimizer = lowest{}, steps = 12 }
      for k, v in pairs(more or {}) do t[k] = v end
      return t
    end
    local ck = tmp .. "/lua_opt.ckpt"
    slope.train(c{ steps = 5, checkpoint = { path = ck } })
    check.veq(slope.train(c{ resume = ck }).x, slope.train(c()).x, 0, "resumed x")
  end)
  it("after early stopping, and stops again at once", function()
    local ck = tmp .. "/es.ckpt"
    local run = slope.train(cfg{ steps = 300, validation = lg, eval_every = 1, checkpoint = { path = ck },
      early_stopping = { patience = 1, min_delta = 1e9 } })
    check.eq(run.status, "early_stopped")
    local rest = slope.train(cfg{ steps = 300, validation = lg, eval_every = 1, resume = ck,
      early_stopping = { patience = 1, min_delta = 1e9 } })
    check.eq(rest.status, "early_stopped")
    check.eq(rest.steps, run.steps)
  end)
  it("interrupted before its first step (a checkpoint at step 0)", function()
    local ck = tmp .. "/zero.ckpt"
    slope.checkpoint.save(ck, (function()
      slope.train(cfg{ steps = 1, checkpoint = { path = ck } })
      local t = slope.checkpoint.load(ck)
      return t
    end)())
    check.eq(slope.train(cfg{ resume = ck }).steps, 30)
  end)
end)

describe("checkpoints record the threads and the CPU kernel", function()
  it("threads is slope.threads(); a resume elsewhere says so in one line", function()
    local ck = tmp .. "/env.ckpt"
    slope.train(cfg{ steps = 3, checkpoint = { path = ck } })
    local t = slope.checkpoint.load(ck)
    check.eq(t.threads, slope.threads())
    check.truthy(t.cpu_kernel == nil or type(t.cpu_kernel) == "string")
    t.threads = slope.threads() + 7
    t.cpu_kernel = "some-other-kernel"
    slope.checkpoint.save(ck, t)
    local errf = os.tmpname()
    local saved = io.stderr
    local ok, res = pcall(function()
      rawset(io, "stderr", io.open(errf, "w")) -- the note is written to io.stderr
      local r = slope.train(cfg{ steps = 3, quiet = false, resume = ck }) -- no step: no progress line
      io.stderr:close()
      return r
    end)
    rawset(io, "stderr", saved)
    check.truthy(ok, tostring(res))
    local said = read(errf)
    -- the thread count matters while the data objectives' sums depend on it
    local threads_matter = slope._train.THREADS_CHANGE_BITS
    if threads_matter then
      check.truthy(said:find("slope.train: note: " .. ck .. " was written with " .. (slope.threads() + 7)
        .. " threads (now " .. slope.threads() .. ")", 1, true), said)
    end
    if slope.cpu_kernel then check.truthy(said:find("CPU kernel some-other-kernel (now ", 1, true), said) end
    local lines = (threads_matter or slope.cpu_kernel) and 1 or 0
    check.eq(select(2, said:gsub("\n", "")), lines, "one line: " .. said)
    -- quiet, or an objective whose sums no thread splits: nothing
    rawset(io, "stderr", io.open(errf, "w"))
    local ok2 = pcall(slope.train, cfg{ steps = 3, resume = ck })
    io.stderr:close()
    rawset(io, "stderr", saved)
    check.truthy(ok2)
    check.eq(read(errf), "", "quiet says nothing")
    local rosen = function(more)
      local c = { objective = slope.obj.rosenbrock(2), optimizer = slope.optim.adam{ lr = 1e-3 }, steps = 3,
        x = slope.vec{ -1, 1 }, quiet = true }
      for k, v in pairs(more or {}) do c[k] = v end
      return c
    end
    local rk = tmp .. "/env_rosen.ckpt"
    slope.train(rosen{ checkpoint = { path = rk } })
    local r = slope.checkpoint.load(rk)
    r.threads, r.cpu_kernel = slope.threads() + 7, "some-other-kernel"
    slope.checkpoint.save(rk, r)
    rawset(io, "stderr", io.open(errf, "w"))
    local ok3 = pcall(slope.train, rosen{ quiet = false, resume = rk })
    io.stderr:close()
    rawset(io, "stderr", saved)
    check.truthy(ok3)
    check.eq(read(errf), "", "a test function (no data, no threads) says nothing")
    os.remove(errf)
  end)
end)

describe("checkpoint_io: clean-up", function()
  it("removes its files", function()
    os.execute("rm -rf " .. tmp)
    check.truthy(not exists(tmp .. "/whole/log.csv"))
  end)
end)
