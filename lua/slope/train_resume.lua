-- train_resume.lua — slope.train, stage 2: checkpoints. Writing the run state
-- (parameters, optimizer state, data cursor and random streams, early stopping,
-- history) so a resumed run continues bit for bit, and reading it back: every
-- field checked, and the checkpoint checked against this run (objective dim,
-- optimizer, batch, schedule), so a mismatch is named before the first step.
local slope = ...
local A = slope._args
local T = slope._train

-- an error message without the "file:line: " a library function put in front
local function plain(msg)
  msg = tostring(msg)
  local rest = msg:match("^[^%s:]+:%d+: (.*)$") or msg:match("^%(command line%):%d+: (.*)$")
  return rest or msg
end
T.plain = plain

local function opt_name(opt)
  local ok, name = pcall(function() return opt.name end)
  if ok and type(name) == "string" then return name end
  return "a Lua optimizer"
end

local function sched_name(s, per)
  if s == nil then return "none" end
  local name = "a function"
  if type(s) ~= "function" then
    local ok, k = pcall(function() return s:kind() end)
    name = ok and type(k) == "string" and k or "a schedule"
  end
  return per == "epoch" and name .. " per epoch" or name
end

local function has(v, m) return type(v) ~= "function" and v ~= nil and T.method(v, m) end

-- writing ---------------------------------------------------------------------------

local function history_columns(R)
  local cols = {}
  for _, c in ipairs(T.COLUMNS) do
    local v = slope.vec.zeros(R.hist_len)
    for i = 1, R.hist_len do
      local e = R.hist[c][i]
      v[i] = type(e) == "number" and e or 0 / 0
    end
    cols[c] = v
  end
  return cols
end

function T.save(R)
  -- the log rows up to this step reach the disk before the checkpoint that
  -- names this step, so a run killed later resumes with a complete log
  if R.logger then R.logger:flush() end
  local ok, err = pcall(slope.checkpoint.save, R.checkpoint.path, {
    kind = "slope.train", version = 2,
    dim = R.dim, n = R.n or 0, batch = R.full and 0 or R.batch, accumulate = R.accumulate,
    optimizer = opt_name(R.opt), schedule = sched_name(R.sched, R.sched_per),
    step = R.t, epoch = R.epoch, pos = R.pos, x = R.x, opt = R.opt:state(),
    lr = T.finite_number(R.opt.lr) and R.opt.lr or nil,
    rng_epoch = R.epoch_rng_state, rng_probe = R.probe_rng:state(), rng_probe0 = R.probe_rng0,
    lr_scale = R.lr_scale, es_bad = R.es_bad, best_value = R.best.value, best_step = R.best.step,
    best_x = R.best.x, g_prev = R.have_prev and R.g_prev or nil, v0 = R.v0,
    history = history_columns(R), elapsed = R.elapsed0 + slope.clock() - R.t0,
    sched = has(R.sched, "state") and R.sched:state() or nil,
  })
  if not ok then T.raise("checkpoint: %s", plain(err)) end
end

function T.checkpoint_due(R)
  local ck = R.checkpoint
  if ck and ck.every and R.t % ck.every == 0 then T.save(R) end
end

-- reading: the fields and their types ---------------------------------------------------

local vec = { what = "a vec", check = function(v) return A.is(v, "slope.vec"), v end }
local notnan = { what = "a number", check = function(v) return type(v) == "number" and v == v, v end }
local rngstate = { what = "a random stream state (4 integers)", check = function(v)
  local r = slope.rng(0)
  return (pcall(r.set_state, r, v)), v
end }

local FIELDS = {
  { "step", A.nonnegint, true }, { "epoch", A.posint, true }, { "pos", A.nonnegint, true },
  { "x", vec, true }, { "opt", A.table, true }, { "rng_epoch", rngstate, true },
  { "rng_probe", rngstate, true }, { "lr_scale", A.positive, true }, { "es_bad", A.nonnegint, true },
  { "best_value", notnan, true }, { "best_step", A.nonnegint, true }, { "best_x", vec, true },
  { "g_prev", vec }, { "v0", vec }, { "elapsed", A.nonneg }, { "history", A.table }, { "sched", A.table },
  { "rng_probe0", rngstate }, { "lr", A.nonneg }, { "version", A.posint }, { "dim", A.posint },
  { "n", A.nonnegint }, { "batch", A.nonnegint }, { "accumulate", A.posint }, { "optimizer", A.string },
  { "schedule", A.string },
}

local function check_fields(ck, path)
  if ck.kind ~= "slope.train" then
    T.fail("resume: %s is not a slope.train checkpoint (kind = %s)", path, A.show(ck.kind))
  end
  for _, e in ipairs(FIELDS) do
    local name, ty, required = e[1], e[2], e[3]
    local v = ck[name]
    if v == nil then
      if required then T.fail("resume: checkpoint %s lacks the field '%s' (%s)", path, name, ty.what) end
    elseif not ty.check(v) then
      T.fail("resume: checkpoint %s: field '%s' must be %s, got %s", path, name, ty.what, A.show(v))
    end
  end
end

-- the checkpoint against this run -------------------------------------------------------

-- what: the setting ("optimizer"); show(v) -> how a value of it reads
local function same(path, what, theirs, ours, show)
  if theirs ~= nil and theirs ~= ours then
    T.fail("resume: checkpoint %s was written with %s; this run has %s (resume with the same %s)",
      path, show(theirs), show(ours), what)
  end
end

local function named(label) return function(v) return label .. " " .. tostring(v) end end
local function batch(b) return b == 0 and "full batches (no batch)" or "batch = " .. b end

local function check_fits(R, ck, path)
  for _, name in ipairs({ "x", "best_x", "g_prev", "v0" }) do
    if ck[name] and #ck[name] ~= R.dim then
      T.fail("resume: checkpoint %s: field '%s' has dim %d; this objective has dim %d", path, name, #ck[name], R.dim)
    end
  end
  same(path, "optimizer", ck.optimizer, opt_name(R.opt), named("optimizer"))
  same(path, "objective", ck.n, R.n or 0, named("an objective of n ="))
  same(path, "batch", ck.batch, R.full and 0 or R.batch, batch)
  same(path, "accumulate", ck.accumulate, R.accumulate, named("accumulate ="))
  same(path, "schedule", ck.schedule, sched_name(R.sched, R.sched_per), named("schedule"))
  if ck.pos > R.nb then
    T.fail("resume: checkpoint %s: field 'pos' is %d, past the %d minibatches of an epoch", path, ck.pos, R.nb)
  end
  if ck.step > R.total then
    T.fail("resume: checkpoint %s is at step %d, past the end of this run (%d steps)", path, ck.step, R.total)
  end
end

local function load_history(R, h, path)
  local len
  for _, c in ipairs(T.COLUMNS) do
    local col = h[c]
    if col ~= nil then
      if not A.is(col, "slope.vec") or (len and #col ~= len) then
        T.fail("resume: checkpoint %s: field 'history.%s' must be a vec as long as the others", path, c)
      end
      len = #col
      for i = 1, #col do R.hist[c][i] = (col[i] == col[i]) and col[i] or nil end
    end
  end
  R.hist_len = len or 0
end

local function load_into(obj, state, path, field, what)
  local ok, err = pcall(obj.load, obj, state)
  if not ok then
    T.fail("resume: checkpoint %s: field '%s' does not fit this %s (%s)", path, field, what, plain(err))
  end
end

local function restore(R, ck, path)
  R.x:copy(ck.x)
  load_into(R.opt, ck.opt, path, "opt", "optimizer")
  if R.sched == nil and ck.lr and ck.lr_scale ~= 1 then R.opt.lr = ck.lr end -- halved by rollbacks
  R.t, R.epoch, R.pos = ck.step, ck.epoch, ck.pos
  R.epoch_rng_state = ck.rng_epoch
  R.probe_rng:set_state(ck.rng_probe)
  R.probe_rng0 = ck.rng_probe0 or R.probe_rng0
  R.lr_scale, R.es_bad = ck.lr_scale, ck.es_bad
  R.best.value, R.best.step = ck.best_value, ck.best_step
  R.best.x:copy(ck.best_x)
  if ck.g_prev then R.g_prev:copy(ck.g_prev); R.have_prev = true end
  R.v0 = ck.v0
  R.elapsed0 = ck.elapsed or 0
  if ck.sched and has(R.sched, "load") then load_into(R.sched, ck.sched, path, "sched", "schedule") end
  if ck.history then load_history(R, ck.history, path) end
  R.resumed = true
end

-- resume(R): R continues the run saved in cfg.resume
function T.resume(R)
  local path = R.resume
  local ok, ck = pcall(slope.checkpoint.load, path)
  if not ok then T.fail("resume: %s", plain(ck)) end
  check_fields(ck, path)
  check_fits(R, ck, path)
  restore(R, ck, path)
end
