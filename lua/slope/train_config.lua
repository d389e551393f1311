-- train_config.lua — slope.train, stage 1: configuration. The option schema (the
-- one source of the checks and of the help text), the types train needs beyond
-- slope._args (duck-typed objectives and optimizers, schedules with their pace,
-- probe lists, log paths), the checks between options, and the figures derived
-- from them (minibatches per epoch, steps in the run). Everything here runs
-- before the first step, so a misspelt or mistyped option costs no training.
local slope = ...
local A = slope._args
local T = slope._train
local FNAME = "slope.train"

T.PROBES = { "grad_norm", "update_norm", "update_ratio", "grad_cos", "sharpness", "noise_scale" }
local PROBE_SET = {}
for _, p in ipairs(T.PROBES) do PROBE_SET[p] = true end

local function method(v, name)
  local ok, m = pcall(function() return v[name] end)
  return ok and type(m) == "function"
end

-- types -------------------------------------------------------------------------------

-- an objective: a slope.obj, or a table with fg(x, g) and dim (duck typing)
local objective = { what = "an objective (slope.obj.*, or a table with fg and dim)", check = function(v)
  if A.is(v, "slope.obj") then return true, v end
  if type(v) == "table" and method(v, "fg") and math.type(v.dim) == "integer" then return true, v end
  if type(v) == "function" then return false, nil, " (a constructor? call it: slope.obj.rosenbrock(2))" end
  return false
end }

-- a validation objective: anything with value(x)
local validation = { what = "an objective (slope.obj.*, or a table with value)", check = function(v)
  if A.is(v, "slope.obj") then return true, v end
  if type(v) == "table" and method(v, "value") then return true, v end
  if type(v) == "function" then return false, nil, " (a constructor? call it, e.g. slope.obj.softmax{X = Xv, y = yv})" end
  return false
end }

local optimizer = { what = "an optimizer (slope.optim.*, or a table with a step method)", check = function(v)
  if A.is(v, "slope.optim") then return true, v end
  if type(v) == "table" and method(v, "step") then return true, v end
  if type(v) == "function" then return false, nil, " (a constructor? call it: slope.optim.adam{lr = 1e-3})" end
  return false
end }

local function is_schedule(v)
  return type(v) == "function" or A.is(v, "slope.schedule") or A.is(v, "slope.schedule.plateau")
end

-- slope.schedule.cosine itself (a constructor) is a function too: the help names it
local function constructor(v)
  local e = type(v) == "function" and slope._helpdb[v]
  local name = e and e.name
  if type(name) == "string" and name:match("^slope%.schedule%.") then return name end
end

-- s, {s}, {s, per = "epoch"|"step"} -> { fn = s, per = ... }
local schedule = { what = 'a schedule (slope.schedule.*), a function of the step, or {s, per = "epoch"|"step"}',
  check = function(v)
    local ctor = constructor(v) or type(v) == "table" and constructor(v[1])
    if ctor then return false, nil, (" (a constructor? call it: %s{...})"):format(ctor) end
    if is_schedule(v) then return true, { fn = v, per = "step" } end
    if type(v) ~= "table" or getmetatable(v) ~= nil then return false end
    for k in pairs(v) do
      if k ~= 1 and k ~= "per" then return false, nil, (" (unknown key '%s')"):format(tostring(k)) end
    end
    if not is_schedule(v[1]) then return false, nil, " (its first entry must be the schedule)" end
    local per = v.per or "step"
    if per ~= "step" and per ~= "epoch" then
      return false, nil, (' (per must be "epoch" or "step", got %s)'):format(A.show(per))
    end
    return true, { fn = v[1], per = per }
  end }

-- "grad_norm" or {"grad_norm", "sharpness"} -> a list
local probes = { what = "a list of probe names (" .. table.concat(T.PROBES, ", ") .. ")", check = function(v)
  if type(v) == "string" then v = { v } end
  if type(v) ~= "table" or getmetatable(v) ~= nil then return false end
  local out = {}
  for k, p in pairs(v) do
    if math.type(k) ~= "integer" or k < 1 or k > #v then return false, nil, " (a list, not a table with keys)" end
    if not PROBE_SET[p] then return false, nil, (" (unknown probe '%s')"):format(tostring(p)) end
    out[k] = p
  end
  return true, out
end }

-- "run.csv", "run.jsonl" or a list of them
local function logpath(p) return type(p) == "string" and (p:match("%.csv$") or p:match("%.jsonl$")) end
local log = { what = "a path ending in .csv or .jsonl, or a list of them", check = function(v)
  if logpath(v) then return true, { v } end
  if type(v) == "string" then return false, nil, " (the format comes from the file name)" end
  if type(v) ~= "table" or getmetatable(v) ~= nil or #v == 0 then return false end
  for k, p in pairs(v) do
    if math.type(k) ~= "integer" or not logpath(p) then
      return false, nil, (" (entry %s is %s)"):format(tostring(k), A.show(p))
    end
  end
  return true, table.move(v, 1, #v, 1, {})
end }

-- early_stopping = {patience=, min_delta=, restore_best=}, or true for the defaults
local ES = A.spec(FNAME, {
  { "patience", A.posint, "evaluations without improvement before stopping", 5 },
  { "min_delta", A.nonneg, "smallest decrease that counts as an improvement", 0.0 },
  { "restore_best", A.boolean, "end with the parameters of the best evaluation", true },
})
local early_stopping = { what = "a table {patience, min_delta, restore_best} or true (the defaults)", spec = ES,
  check = function(v, _, key)
    if v == true then return true, A.options(ES, {}, key) end
    if v == false then return true, nil end
    if type(v) ~= "table" or getmetatable(v) ~= nil then return false end
    return true, A.options(ES, v, key)
  end }

local CK = A.spec(FNAME, {
  { "path", A.string, "file the run state is written to (atomically)", nil, required = true },
  { "every", A.posint, "also write it every this many steps (always at the end)" },
})

-- the schema -----------------------------------------------------------------------------

T.SPEC = A.spec(FNAME, {
  { "objective", objective, "the training loss; minibatches come from f:batch(idx) when it has samples",
    nil, required = true },
  { "optimizer", optimizer, "the update rule; its lr is set from schedule at each step", nil, required = true },
  { "x", A.vec, "starting point, updated in place (default f:init(rng))" },
  { "epochs", A.posint, "passes over the samples; without batch (or samples) one full-batch step is one epoch" },
  { "steps", A.posint, "optimizer steps in the run (instead of epochs; wins when both are given)" },
  { "batch", A.posint, "minibatch size (needs an objective with samples; default: full batch)" },
  { "rng", A.rng, "random stream for the minibatch order (default slope.rng(0))" },
  { "accumulate", A.posint, "minibatches averaged into one step (needs batch)", 1 },
  { "clip", A.positive, "rescale the gradient to at most this global norm before the step" },
  { "schedule", schedule, 'learning rate per step: s, a function t -> lr (torch\'s LambdaLR), or {s, per="epoch"} '
    .. "to call it with the epoch number; a plateau schedule is told each evaluation" },
  { "validation", validation, "objective evaluated every eval_every steps (val_loss); early stopping watches it" },
  { "eval_every", A.posint, "steps between evaluations (default: once per epoch)" },
  { "probes", probes, "figures logged each step (grad_norm, update_norm, update_ratio, grad_cos) or every "
    .. "probe_every steps (sharpness = lambda_max of the Hessian, sharpness_lr = lambda_max lr, noise_scale)" },
  { "probe_every", A.posint, "steps between sharpness and noise_scale probes", 100 },
  { "probe_batch", A.posint, "samples (drawn once) the sharpness probe uses", 4096 },
  { "early_stopping", early_stopping, "stop after patience evaluations without improvement" },
  { "log", log, "write one row per logged step to these files (folders are made)" },
  { "log_every", A.posint, "steps between logged rows (history and files)", 1 },
  { "print_every", A.posint, "steps between progress lines when stdout is not a terminal (default: a tenth of the run)" },
  { "checkpoint", A.fields(CK, "a table {path, every}"), "write the run state so resume continues it bit for bit" },
  { "resume", A.string, "checkpoint file to continue from (same objective, optimizer, batch and schedule)" },
  { "on_step", A.func, "called after each step with the row (copies of x and g, loss, lr, ...); return true to stop" },
  { "on_nonfinite", A.oneof("stop", "rollback"), "on a NaN/inf loss or gradient: stop, or go back to the best "
    .. "recent state and halve the lr", "stop" },
  { "quiet", A.boolean, "print nothing (no progress, no warnings)", false },
  { "batches", A.oneof("local", "global"), 'under mpirun with a distributed objective: "local" (each rank draws '
    .. "batch rows of its own shard, the step averages over the ranks: a global batch of K x batch) or \"global\" "
    .. "(every rank draws the same batch rows of the whole data, f:batch(idx); the one-process run to rounding)",
    "local" },
  { "sync_every", A.posint, "under mpirun with a distributed objective (slope.mpi.objective, or one with n_local "
    .. "and local_batch): steps between checks that x has the same bits on every rank (default: once an epoch; always at "
    .. "the end)" },
})
A.registry[FNAME] = T.SPEC -- the nested schemas above registered first

-- checks between options ------------------------------------------------------------------

local function fail(fmt, ...) A.fail(FNAME, fmt, ...) end

local function name_of(f)
  local ok, s = pcall(tostring, f)
  return ok and s or "the objective"
end

-- n: the number of samples, or nil for an objective without samples (a test function)
local function samples(f)
  local n = f.n
  if n == nil then return nil end
  if math.type(n) ~= "integer" or n < 1 then
    fail("objective.n must be a positive integer (its number of samples), got %s", A.show(n))
  end
  return n
end

local function check_sampling(c)
  if c.batch and c.n == nil then
    fail("batch = %d: %s has no samples to draw minibatches from (train it full-batch: leave batch out, "
      .. "give steps or epochs)", c.batch, name_of(c.objective))
  end
  if c.batch and not c.local_batches and not method(c.objective, "batch") then -- else local_batch (train_mpi.lua)
    fail("batch = %d: the objective has no batch method to draw minibatches with", c.batch)
  end
  if c.accumulate > 1 and c.batch == nil then
    fail("accumulate = %d needs batch (a full-batch gradient is already the average)", c.accumulate)
  end
  if c.epochs == nil and c.steps == nil then fail("give epochs or steps (the length of the run)") end
end

local function check_x(c)
  local f = c.objective
  if c.x == nil then
    if not method(f, "init") then fail("x is required: the objective has no init method") end
    c.x = f:init(c.rng)
  end
  if #c.x ~= f.dim then fail("x has %d entries; the objective has dim %d", #c.x, f.dim) end
end

local function check_validation(c)
  local v, f = c.validation, c.objective
  if v == nil or v.dim == nil or v.dim == f.dim then return end
  local hint = ""
  if f.classes ~= nil or v.classes ~= nil then
    hint = (" (a split that lacks a class? pass classes = %s to both objectives)"):format(
      A.show(math.max(f.classes or 0, v.classes or 0)))
  end
  fail("validation has dim %s but the objective has dim %d%s", A.show(v.dim), f.dim, hint)
end

local function check_optimizer(c)
  local opt = c.optimizer
  local need = c.checkpoint and "checkpoint" or c.resume and "resume"
    or c.on_nonfinite == "rollback" and 'on_nonfinite = "rollback"'
  if need and not (method(opt, "state") and method(opt, "load")) then
    fail("optimizer: %s needs an optimizer with state() and load(s) methods; this Lua optimizer lacks them", need)
  end
end

local function check_probes(c)
  for _, p in ipairs(c.probes or {}) do
    if (p == "sharpness" or p == "noise_scale") and not A.is(c.objective, "slope.obj") then
      fail("probes: %s needs a slope.obj objective (wrap Lua code with slope.obj.lua{...})", p)
    end
    if p == "noise_scale" and c.n == nil then
      fail("probes: noise_scale needs an objective with samples; %s has none", name_of(c.objective))
    end
  end
end

-- a checkpoint file that cannot be written is found before the first step
local function check_checkpoint(c)
  if not c.checkpoint or c.rank ~= 0 then return end -- rank 0 alone writes it
  local tmp = c.checkpoint.path .. ".tmp"
  local f, err = io.open(tmp, "wb")
  if not f then fail("checkpoint.path: cannot write %s", tostring(err)) end
  f:close()
  os.remove(tmp)
end

-- the run's shape: full batch or minibatches, steps per epoch, steps in all
local function derive(c)
  local n = c.n
  c.full = n == nil or c.batch == nil
  if c.full then c.batch = n else c.batch = math.min(c.batch, n) end -- n is nil without samples
  c.nb = c.full and 1 or math.ceil(n / c.batch) -- minibatches per epoch
  c.steps_per_epoch = math.ceil(c.nb / c.accumulate)
  c.total = c.steps or c.epochs * c.steps_per_epoch
  c.epochs_total = math.ceil(c.total / c.steps_per_epoch)
  c.eval_every = c.eval_every or c.steps_per_epoch
  c.print_every = c.print_every or math.max(1, c.total // 10)
  c.probe_set = {}
  for _, p in ipairs(c.probes or {}) do c.probe_set[p] = true end
  c.sched = c.schedule and c.schedule.fn
  c.sched_per = c.schedule and c.schedule.per or "step"
end

-- configure(opts) -> cfg: every option checked and the run's shape derived
function T.configure(opts)
  local c = A.options(T.SPEC, opts)
  c.n = samples(c.objective)
  c.rng = c.rng or slope.rng(0)
  T.mpi_setup(c) -- under mpirun: this rank's rows, rank 0 alone prints and writes
  check_sampling(c)
  check_optimizer(c)
  check_probes(c)
  check_validation(c)
  check_checkpoint(c)
  check_x(c)
  derive(c)
  T.mpi_agree(c) -- under mpirun: minibatches per epoch from the smallest shard, options compared
  return c
end

T.fail = fail
T.method = method

-- help -------------------------------------------------------------------------------------

slope._doc(slope.train, FNAME,
  "slope.train{objective=, optimizer=, x=, epochs=|steps=, batch=, rng=, schedule=, validation=, probes=, "
  .. "log=, checkpoint={path=, every=}, resume=, ...} -> run",
  "The training loop: minibatches, schedule, clipping, accumulation, validation, probes, early stopping, "
  .. "logs, checkpoints that resume bit for bit. Every option is checked before the first step. "
  .. "Objectives without samples (slope.obj.rosenbrock(2), quadratic, slope.obj.lua{...}) train full-batch: "
  .. "each step is one epoch. Returns {x, status = \"done\"|\"early_stopped\"|\"stopped\"|\"nonfinite\"|"
  .. "\"interrupted\", message, steps, epochs, history, columns, best = {x, value, step}, elapsed}; "
  .. "Ctrl-C stops between two steps with status \"interrupted\", the partial result and a last checkpoint. "
  .. "Under mpirun with a distributed objective (slope.mpi.objective) each rank draws batch rows of its own "
  .. "shard per minibatch and the step uses the gradient averaged over the ranks (a global batch of K x batch); "
  .. "x and the optimizer state stay the same bits on every rank (checked every sync_every steps); rank 0 alone "
  .. "prints, logs and writes checkpoints; resume needs the same number of ranks. "
  .. A.doc(T.SPEC) .. " "
  .. "Log columns (CSV header, JSONL keys, history): " .. table.concat(T.COLUMNS, ", ")
  .. "; figures not computed at a step are empty (CSV), absent (JSONL) or NaN (history). "
  .. "pandas: read_csv(p, float_precision='round_trip'), read_json(p, lines=True, precise_float=True) "
  .. "give the exact float64 values.")
