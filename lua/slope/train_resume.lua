-- train_resume.lua — slope.train, stage 2: checkpoints. Writing the run state
-- (parameters, optimizer state, data cursor and random streams, early stopping,
-- rollback point, history, thread count and CPU kernel) so a resumed run
-- continues bit for bit — through slope.checkpoint.save, which fsyncs the file
-- before renaming it into place and the folder after — and reading it back:
-- every field checked for type, range and agreement with the others, and the
-- checkpoint checked against this run (objective dim, n, optimizer and its
-- state, batch, accumulate, schedule), all before the first step, each refusal
-- naming the file and the field.
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

local VERSION = 2 -- written, and the only one read

-- The steps' worth of minibatches the data cursor (epoch, pos) has moved through:
-- a step never spans two epochs, each uses `accumulate` minibatches (the last of
-- an epoch fewer). A full-batch step is one epoch.
local function cursor_steps(R, epoch, pos)
  if R.full then return epoch end
  local spe = R.steps_per_epoch
  return (epoch - 1) * spe + (pos == R.nb and spe or pos // R.accumulate)
end

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

-- The thread count data objectives use and the CPU kernel chosen for them
-- (target_clones: x86-64-v4, v3 or default), as far as slope tells: recorded in
-- checkpoints so a resume elsewhere can say so.
function T.environment()
  local ok, threads = pcall(slope.threads)
  threads = ok and math.type(threads) == "integer" and threads > 0 and threads or nil
  local kernel
  if type(slope.cpu_kernel) == "function" then
    local kok, k = pcall(slope.cpu_kernel)
    kernel = kok and type(k) == "string" and k or nil
  end
  return threads, kernel
end
-- Whether the thread count changes the last bits of a data objective's sums: it
-- does not, since their reductions run over fixed row blocks summed in block
-- order (tests/cli/threads_test.sh); the CPU kernel (AVX2 or baseline clone) still can.
T.THREADS_CHANGE_BITS = false

function T.save(R)
  if R.rank ~= 0 then return end -- under mpirun rank 0 alone writes (every rank holds the same state)
  -- the log rows up to this step are written before the checkpoint that names
  -- this step: a log that cannot be written stops the run before it claims more
  -- (a resumed run writes these rows again from the history if they are lost)
  if R.logger then
    local ok, err = R.logger:flush()
    if not ok then T.log_failed(R, err) end
  end
  local threads, kernel = T.environment()
  local ok, err = pcall(slope.checkpoint.save, R.checkpoint.path, {
    kind = "slope.train", version = VERSION,
    dim = R.dim, n = R.n_global or R.n or 0, ranks = R.ranks, batch = R.full and 0 or R.batch, accumulate = R.accumulate,
    optimizer = opt_name(R.opt), schedule = sched_name(R.sched, R.sched_per),
    step = R.t, epoch = R.epoch, pos = R.pos, x = R.x, opt = R.opt:state(),
    lr = T.finite_number(R.opt.lr) and R.opt.lr or nil,
    rng_epoch = R.epoch_rng_state, rng_probe = R.probe_rng:state(), rng_probe0 = R.probe_rng0,
    lr_scale = R.lr_scale, es_bad = R.es_bad, best_value = R.best.value, best_step = R.best.step,
    best_x = R.best.x, g_prev = R.have_prev and R.g_prev or nil, v0 = R.v0,
    -- the rollback point (on_nonfinite = "rollback"), so a resumed run rolls back as the whole one would
    good_x = R.good and R.good.x, good_opt = R.good and R.good.opt, good_step = R.good and R.good.step,
    good_loss = R.good and R.good.loss,
    history = history_columns(R), elapsed = R.elapsed0 + slope.clock() - R.t0,
    sched = has(R.sched, "state") and R.sched:state() or nil,
    threads = threads, cpu_kernel = kernel,
    -- steps dropped on a non-finite loss whose minibatches the cursor has used
    skipped = not R.full and R.lr_scale == 1 and cursor_steps(R, R.epoch, R.pos) - R.t or nil,
  })
  if not ok then
    T.raise("checkpoint: %s (the run stopped at step %d; the checkpoint written before, if any, is whole)",
      plain(err), R.t)
  end
end

function T.checkpoint_due(R)
  local ck = R.checkpoint
  if ck and ck.every and R.t % ck.every == 0 then T.save(R) end
end

-- reading -----------------------------------------------------------------------------
--
-- A checkpoint is untrusted input even when its checksum matches (an edited file
-- with the sum recomputed, another program's bug): every field is checked for its
-- type, range and integer-ness, the vecs for their length and finiteness, the
-- fields against each other (the cursor against the step) and against this run,
-- all before anything of the run is changed. Every refusal names the file and
-- the field.

-- a failure about one field of the checkpoint at path
local function bad(path, field, fmt, ...)
  T.fail("resume: checkpoint %s: field '%s' " .. fmt, path, field, ...)
end

local function finite(v) return type(v) == "number" and v == v and v > -math.huge and v < math.huge end

-- a vec of finite numbers (nil, or the index of the first entry that is not)
local function nonfinite_at(v)
  for i = 1, #v do
    local e = v[i]
    if e ~= e or e == math.huge or e == -math.huge then return i end
  end
end

local vec = { what = "a vec", check = function(v) return A.is(v, "slope.vec") end }
local fvec = { what = "a vec of finite numbers", check = function(v)
  if not A.is(v, "slope.vec") then return false end
  local i = nonfinite_at(v)
  if i then return false, (" (entry %d is %s)"):format(i, A.show(v[i])) end
  return true
end }
local notnan = { what = "a number (not NaN)", check = function(v) return type(v) == "number" and v == v end }
local function exactly(s) return { what = A.show(s), check = function(v) return v == s end } end
-- 0 < s <= 1 and a power of two: 1, halved by each rollback
local scale = { what = "1 or a power of 1/2 (halved by rollbacks)", check = function(v)
  if not finite(v) or v <= 0 or v > 1 then return false end
  while v < 1 do v = v * 2 end
  return v == 1
end }
-- exactly four integers, not all zero (xoshiro256**)
local rngstate = { what = "a random stream state (a list of 4 integers, not all zero)", check = function(v)
  if type(v) ~= "table" then return false end
  local n, zero = 0, true
  for k, e in pairs(v) do
    if math.type(k) ~= "integer" or k < 1 or k > 4 or math.type(e) ~= "integer" then return false end
    n = n + 1
    zero = zero and e == 0
  end
  return n == 4 and not zero
end }
local function of(t) return function(v) local ok = t.check(v) return ok end end
local nonnegint = { what = A.nonnegint.what, check = of(A.nonnegint) }
local posint = { what = A.posint.what, check = of(A.posint) }
local nonneg = { what = A.nonneg.what, check = of(A.nonneg) }
local tbl = { what = A.table.what, check = of(A.table) }
local str = { what = A.string.what, check = of(A.string) }
local COLUMN_SET = {}
for _, c in ipairs(T.COLUMNS) do COLUMN_SET[c] = true end

-- name, type, required: every field a checkpoint of this version may hold
local FIELDS = {
  { "kind", exactly("slope.train"), true }, { "version", posint, true },
  { "dim", posint, true }, { "n", nonnegint, true }, { "batch", nonnegint, true },
  { "accumulate", posint, true }, { "optimizer", str, true }, { "schedule", str, true },
  { "step", nonnegint, true }, { "epoch", posint, true }, { "pos", nonnegint, true },
  { "x", fvec, true }, { "opt", tbl, true }, { "lr", nonneg },
  { "rng_epoch", rngstate, true }, { "rng_probe", rngstate, true }, { "rng_probe0", rngstate, true },
  { "lr_scale", scale, true }, { "es_bad", nonnegint, true }, { "best_value", notnan, true },
  { "best_step", nonnegint, true }, { "best_x", vec, true }, { "g_prev", fvec }, { "v0", vec },
  { "history", tbl, true }, { "elapsed", nonneg, true },
  { "sched", tbl }, { "threads", posint }, { "cpu_kernel", str },
  { "good_x", fvec }, { "good_opt", tbl }, { "good_step", nonnegint }, { "good_loss", A.number },
  { "skipped", nonnegint }, { "ranks", posint },
}
local KNOWN = {}
for _, e in ipairs(FIELDS) do KNOWN[e[1]] = true end

local function check_fields(ck, path)
  if ck.kind ~= "slope.train" then
    T.fail("resume: %s is not a slope.train checkpoint (field 'kind' is %s)", path, A.show(ck.kind))
  end
  if ck.version ~= VERSION then
    bad(path, "version", "is %s; this slope reads version %d checkpoints", A.show(ck.version), VERSION)
  end
  local unknown = {}
  for k in pairs(ck) do
    if not KNOWN[k] then unknown[#unknown + 1] = tostring(k) end
  end
  if #unknown > 0 then
    table.sort(unknown)
    bad(path, unknown[1], "is not a field of a slope.train checkpoint (version %d)", VERSION)
  end
  for _, e in ipairs(FIELDS) do
    local name, ty, required = e[1], e[2], e[3]
    local v = ck[name]
    if v == nil then
      if required then T.fail("resume: checkpoint %s lacks the field '%s' (%s)", path, name, ty.what) end
    else
      local ok, hint = ty.check(v)
      if not ok then bad(path, name, "must be %s, got %s%s", ty.what, A.show(v), hint or "") end
    end
  end
end

-- the checkpoint against this run -------------------------------------------------------

-- what: the setting ("optimizer"); show(v) -> how a value of it reads
local function same(path, field, what, theirs, ours, show)
  if theirs ~= ours then
    T.fail("resume: checkpoint %s was written with %s; this run has %s (field '%s'; resume with the same %s)",
      path, show(theirs), show(ours), field, what)
  end
end

local function named(label) return function(v) return label .. " " .. tostring(v) end end
local function batch(b) return b == 0 and "full batches (no batch)" or "batch = " .. b end

local function check_run(R, ck, path)
  for _, name in ipairs({ "x", "best_x", "g_prev", "v0", "good_x" }) do
    if ck[name] and #ck[name] ~= R.dim then
      bad(path, name, "has dim %d; this objective has dim %d", #ck[name], R.dim)
    end
  end
  if ck.dim ~= R.dim then bad(path, "dim", "is %d; this objective has dim %d", ck.dim, R.dim) end
  same(path, "optimizer", "optimizer", ck.optimizer, opt_name(R.opt), named("optimizer"))
  same(path, "ranks", "number of ranks (mpirun -np)", ck.ranks or 1, R.ranks, named("ranks ="))
  same(path, "n", "objective", ck.n, R.n_global or R.n or 0, named("an objective of n ="))
  same(path, "batch", "batch", ck.batch, R.full and 0 or R.batch, batch)
  same(path, "accumulate", "accumulate", ck.accumulate, R.accumulate, named("accumulate ="))
  same(path, "schedule", "schedule", ck.schedule, sched_name(R.sched, R.sched_per), named("schedule"))
  if ck.sched == nil and has(R.sched, "state") then
    T.fail("resume: checkpoint %s lacks the field 'sched' (the state of its schedule)", path)
  end
  if ck.step > R.total then
    T.fail("resume: checkpoint %s is at step %d, past the end of this run (%d steps; field 'step')",
      path, ck.step, R.total)
  end
end

-- The data cursor (epoch, pos) against the step. A step never spans two epochs,
-- so after t steps the run is in epoch (t-1)//spe + 1 with min(k*accumulate, nb)
-- minibatches of it used (k its steps in it). A step dropped on a non-finite loss
-- has used its minibatches: the cursor is then `skipped` steps ahead (a file
-- without that field: at most one). A full-batch run's epoch is its step (the
-- next one after a dropped step). Rollbacks (lr_scale < 1) set the step back, not
-- the minibatch cursor (a full-batch epoch goes back with the step). Returns the
-- steps the cursor has moved through (nil: it says nothing) and whether the run
-- rolled back.
local function check_cursor(R, ck, path)
  local step, epoch, pos = ck.step, ck.epoch, ck.pos
  if epoch > 2 ^ 40 then bad(path, "epoch", "is %d, past any run", epoch) end
  if R.full then
    if pos ~= 0 then bad(path, "pos", "is %d; a full-batch run has no minibatch cursor (0)", pos) end
  else
    local nb, acc = R.nb, R.accumulate
    if pos > nb then bad(path, "pos", "is %d, past the %d minibatches of an epoch", pos, nb) end
    if pos ~= nb and pos % acc ~= 0 then
      bad(path, "pos", "is %d; steps use %d minibatches at a time (%d per epoch)", pos, acc, nb)
    end
    if pos == 0 and epoch ~= 1 then bad(path, "pos", "is 0 in epoch %d (only epoch 1 starts at 0)", epoch) end
  end
  local moved, rolled = cursor_steps(R, epoch, pos), ck.lr_scale < 1
  if rolled and R.full then return nil, true end
  local ahead, skipped = moved - step, ck.skipped
  local fits
  if rolled then fits = ahead >= 0
  elseif R.full or not skipped then fits = ahead == 0 or ahead == 1
  else fits = ahead == skipped end
  if not fits then
    local s = step + (not rolled and not R.full and skipped or 0) -- where the cursor should be
    local spe = R.steps_per_epoch
    local e = s == 0 and 1 or (s - 1) // spe + 1
    local p = R.full and 0 or math.min((s - (e - 1) * spe) * R.accumulate, R.nb)
    local field = epoch ~= e and "epoch" or "pos"
    bad(path, field, "is %d: the data cursor (epoch %d, minibatch %d) does not match step %d%s (epoch %d, minibatch %d)",
      ck[field], epoch, pos, step, s > step and (" with %d skipped"):format(s - step) or "", e, p)
  end
  return moved, rolled
end

-- best point, early stopping and history against the step
local function check_progress(ck, path, moved, rolled)
  local step = ck.step
  -- the last step the run can have finished (rows and evaluations came from steps up to it)
  local top = not rolled and step or moved or math.maxinteger
  local last_epoch = moved and ck.epoch or math.maxinteger -- a full-batch run that rolled back: any
  if not rolled and ck.best_step > step then
    bad(path, "best_step", "is %d, after the checkpoint's step %d", ck.best_step, step)
  end
  if (ck.best_step == 0) ~= (ck.best_value == math.huge) then
    bad(path, "best_value", "is %s at best_step %d (inf exactly when nothing was evaluated, step 0)",
      A.show(ck.best_value), ck.best_step)
  end
  if ck.es_bad > top then bad(path, "es_bad", "is %d, more evaluations than the %d steps", ck.es_bad, top) end
  local i = ck.best_step > 0 and nonfinite_at(ck.best_x)
  if i then bad(path, "best_x", "has entry %d = %s (the best point is finite)", i, A.show(ck.best_x[i])) end
  local g = { ck.good_x ~= nil, ck.good_opt ~= nil, ck.good_step ~= nil, ck.good_loss ~= nil }
  for k = 2, 4 do
    if g[k] ~= g[1] then
      bad(path, g[1] and ({ "", "good_opt", "good_step", "good_loss" })[k] or "good_x",
        "is missing (the rollback point is good_x, good_opt, good_step and good_loss together)")
    end
  end
  if ck.good_step and ck.good_step > step then
    bad(path, "good_step", "is %d, after the checkpoint's step %d", ck.good_step, step)
  end
  local h, len = ck.history, nil
  for k in pairs(h) do
    if not COLUMN_SET[k] then bad(path, "history." .. tostring(k), "is not a log column") end
  end
  for _, c in ipairs(T.COLUMNS) do
    local col = h[c]
    if not A.is(col, "slope.vec") then bad(path, "history." .. c, "must be a vec, got %s", A.show(col)) end
    if len and #col ~= len then bad(path, "history." .. c, "has %d rows; history.step has %d", #col, len) end
    len = #col
  end
  if len > top then bad(path, "history", "has %d rows, more than the %d steps", len, top) end
  local steps, epochs, prev = h.step, h.epoch, 0
  for r = 1, len do
    local s, e = steps[r], epochs[r]
    if math.tointeger(s) == nil or s < 1 or s > top or (not rolled and s <= prev) then
      bad(path, "history.step", "row %d is %s (steps rise from 1 to %d)", r, A.show(s), step)
    end
    if math.tointeger(e) == nil or e < 1 or e > last_epoch then
      bad(path, "history.epoch", "row %d is %s (epochs run from 1 to %d)", r, A.show(e), last_epoch)
    end
    prev = s
  end
end

-- the first vec inside t (nested tables too) with an entry that is not finite:
-- its path and entry; a step from such a state is not finite either
local function nonfinite_in(t, prefix, depth)
  for k, v in pairs(t) do
    if A.is(v, "slope.vec") then
      local i = nonfinite_at(v)
      if i then return prefix .. "." .. tostring(k), i, v[i] end
    elseif type(v) == "table" and depth < 8 then
      local p, i, e = nonfinite_in(v, prefix .. "." .. tostring(k), depth + 1)
      if p then return p, i, e end
    end
  end
end

-- opt and sched loaded into the run's optimizer and schedule, which check them;
-- on a refusal both are put back as they were
local function load_states(R, ck, path)
  -- a built-in optimizer's state is finite (a Lua optimizer's may hold anything)
  local builtin = type(ck.opt.kind) == "string" and type(rawget(slope.optim, ck.opt.kind)) == "function"
  for _, field in ipairs({ "opt", "good_opt" }) do
    if builtin and ck[field] then
      local where, i, e = nonfinite_in(ck[field], field, 0)
      if where then bad(path, where, "has entry %d = %s (an optimizer state is finite)", i, A.show(e)) end
    end
  end
  local opt_before = R.opt:state()
  if ck.good_opt then -- tried now, so a rollback cannot fail on it later
    local ok, err = pcall(R.opt.load, R.opt, ck.good_opt)
    if not ok then
      pcall(R.opt.load, R.opt, opt_before)
      bad(path, "good_opt", "does not fit this optimizer (%s)", plain(err))
    end
  end
  local ok, err = pcall(R.opt.load, R.opt, ck.opt)
  if not ok then
    pcall(R.opt.load, R.opt, opt_before)
    bad(path, "opt", "does not fit this optimizer (%s)", plain(err))
  end
  if ck.sched and has(R.sched, "load") then
    local sched_before = has(R.sched, "state") and R.sched:state()
    ok, err = pcall(R.sched.load, R.sched, ck.sched)
    if not ok then
      pcall(R.opt.load, R.opt, opt_before)
      if sched_before then pcall(R.sched.load, R.sched, sched_before) end
      bad(path, "sched", "does not fit this schedule (%s)", plain(err))
    end
  end
end

local function restore(R, ck)
  R.x:copy(ck.x)
  if R.sched == nil and ck.lr and ck.lr_scale ~= 1 then R.opt.lr = ck.lr end -- halved by rollbacks
  R.t, R.epoch, R.pos = ck.step, ck.epoch, ck.pos
  R.epoch_rng_state = ck.rng_epoch
  R.probe_rng:set_state(ck.rng_probe)
  R.probe_rng0 = ck.rng_probe0
  R.lr_scale, R.es_bad = ck.lr_scale, ck.es_bad
  R.best.value, R.best.step = ck.best_value, ck.best_step
  R.best.x:copy(ck.best_x)
  if ck.g_prev then R.g_prev:copy(ck.g_prev); R.have_prev = true end
  R.v0 = ck.v0
  if ck.good_x then R.good = { x = ck.good_x, opt = ck.good_opt, step = ck.good_step, loss = ck.good_loss } end
  R.elapsed0 = ck.elapsed
  local h, len = ck.history, #ck.history.step
  for _, c in ipairs(T.COLUMNS) do
    local col, dst = h[c], R.hist[c]
    for i = 1, len do
      local v = col[i]
      if v == v then dst[i] = (c == "step" or c == "epoch") and math.tointeger(v) or v end
    end
  end
  R.hist_len = len
  R.resumed = true
end

-- One line when the checkpoint came from another thread count or CPU kernel and
-- the run's objective is one whose sums they can change (the data objectives).
local function note_environment(R, ck, path)
  local threads, kernel = T.environment()
  local differs = {}
  if ck.threads and threads and ck.threads ~= threads and T.THREADS_CHANGE_BITS then
    differs[#differs + 1] = ("%d threads (now %d)"):format(ck.threads, threads)
  end
  if ck.cpu_kernel and kernel and ck.cpu_kernel ~= kernel then
    differs[#differs + 1] = ("CPU kernel %s (now %s)"):format(ck.cpu_kernel, kernel)
  end
  if #differs == 0 or R.quiet or not (A.is(R.f, "slope.obj") and R.n) then return end
  io.stderr:write(("slope.train: note: %s was written with %s: the objective's sums may differ in "
    .. "the last bits, so the run may not continue bit for bit\n"):format(path, table.concat(differs, " and ")))
end

-- resume(R): R continues the run saved in cfg.resume
function T.resume(R)
  local path = R.resume
  local ok, ck = pcall(slope.checkpoint.load, path)
  if not ok then T.fail("resume: %s", plain(ck)) end
  check_fields(ck, path)
  check_run(R, ck, path)
  local moved, rolled = check_cursor(R, ck, path)
  check_progress(ck, path, moved, rolled)
  load_states(R, ck, path)
  restore(R, ck)
  note_environment(R, ck, path)
end
