-- train.lua — slope.train: the minibatch training loop with validation, logging,
-- probes, clipping, accumulation, early stopping, non-finite handling and
-- checkpoints that resume bit for bit.
--
-- This file holds the run state and the loop; the stages live in their own files
-- and register into slope._train (they load after this one, so they are looked
-- up when train runs, not when this file loads):
--   train_config.lua   options: the schema, checks between options, the run's shape
--   train_resume.lua   checkpoints: writing the run state, reading it back checked
--   train_step.lua     one step's gradient: minibatches, accumulation, non-finite
--                      losses (stop or roll back), clipping, the optimizer step
--   train_probes.lua   figures about the step: norms, gradient cosine, sharpness,
--                      noise scale
--   train_eval.lua     validation, best point, early stopping, plateau schedules
--   train_log.lua      history, log files, progress lines, the returned result
--   train_mpi.lua      under mpirun: per-rank minibatches, ranks kept in step
--
-- Ctrl-C: the interpreter's SIGINT hook is set on the main thread only. The
-- gradient is computed there (an interruption rewinds the step); the rest of each
-- step runs in a coroutine the hook does not reach, so it lands between steps or
-- inside a gradient, where the state is whole: train catches it, writes the
-- checkpoint (when it writes them) and returns status = "interrupted" with the
-- partial result.
local slope = ...

local T = {}
slope._train = T

T.COLUMNS = { "step", "epoch", "lr", "loss", "val_loss", "grad_norm", "update_norm",
              "update_ratio", "grad_cos", "sharpness", "sharpness_lr", "noise_scale", "time" }

-- the run state: the options plus everything that changes during the run
local function start(cfg)
  local f, rng, dim = cfg.objective, cfg.rng, #cfg.x
  local R = setmetatable({
    cfg = cfg, f = f, opt = cfg.optimizer, x = cfg.x, dim = dim, rng = rng,
    probe_rng = rng:clone(),
    g = slope.vec.zeros(dim), gsum = slope.vec.zeros(dim),
    g_prev = slope.vec.zeros(dim), x_prev = slope.vec.zeros(dim), have_prev = false,
    hist = {}, hist_len = 0,
    best = { x = cfg.x:clone(), value = math.huge, step = 0 }, es_bad = 0,
    lr_scale = 1.0, v0 = nil,
    t = 0, epoch = 1, pos = 0, perm = nil,
    last_finite = { loss = nil, step = 0 }, good = nil,
    status = "done", message = nil, val = nil,
    t0 = slope.clock(), elapsed0 = 0, phase = "start",
  }, { __index = cfg })
  R.epoch_rng_state = rng:state()
  R.probe_rng0 = R.probe_rng:state()
  for _, c in ipairs(T.COLUMNS) do R.hist[c] = {} end
  return R
end

-- The rest of a step once its gradient is known: non-finite check, update,
-- probes, evaluation, history and log, checkpoint, on_step. Returns "stop" to
-- end the run. It runs in a coroutine, where Ctrl-C cannot cut it in two.
local function settle(R, row, gnorm)
  R.phase = "update"
  if not T.finite(R, row, gnorm) then return T.nonfinite(R, row, gnorm) end
  T.update(R, row, gnorm)
  T.mpi_sync_check(R) -- under mpirun: x the same bits on every rank
  R.phase = "after"
  T.probe(R, row)
  T.evaluate(R, row)
  T.record(R, row)
  T.checkpoint_due(R)
  R.phase = "callback"
  return T.mpi_agree_stop(R, T.callback(R, row))
end

local function settler()
  return coroutine.create(function(R, row, gnorm)
    while true do
      local stop = settle(R, row, gnorm)
      R.phase = "between"
      R, row, gnorm = coroutine.yield(stop)
    end
  end)
end

-- The loop. The gradient is computed here, on the thread Ctrl-C reaches: an
-- interruption there rewinds the step (T.rewind), since x and the optimizer are
-- untouched until settle. Errors inside settle are kept in R.inside.
local function loop(R)
  local co = settler()
  R.phase = "between"
  while not T.early_stop(R) and R.t < R.total do
    T.mark(R)
    R.phase = "gradient"
    local row = T.begin_step(R)
    local gnorm = T.gradient(R, row)
    local ok, stop = coroutine.resume(co, R, row, gnorm)
    if not ok then R.inside = { stop }; return end
    if stop == "stop" then break end
  end
  T.mpi_sync_check(R, true)
  R.phase = "done"
end

-- pcall(pcall, ...): a C loop that honoured Ctrl-C raises "interrupted!" with the
-- interpreter's hook still set, which then fires as the inner pcall returns.
local function protected(fn, ...)
  local a, b, c = pcall(pcall, fn, ...)
  if not a then return false, b end
  if not b then return false, c end
  return true
end

local function is_interrupt(err)
  return type(err) == "string" and err:find("interrupted!", 1, true) ~= nil
end

-- A failed run: Ctrl-C becomes status "interrupted"; other errors are raised again
-- (slope.train's own runtime errors at the user's line).
local function failed(R, how, err)
  if is_interrupt(err) then return T.interrupted(R, how) end
  T.abandon(R)
  if type(err) == "table" and err.slope_train then T.fail("%s", err.slope_train) end
  error(err, 0)
end

local function train(opts)
  local R = start(T.configure(opts))
  if R.cfg.resume then T.resume(R) end
  T.prepare(R)
  T.open_log(R)
  local ok, err = protected(loop, R)
  if not ok then failed(R, R.phase, err)
  elseif R.inside then failed(R, R.phase, R.inside[1]) end
  -- the ending (last checkpoint, log closed) in a coroutine too: Ctrl-C waits for it
  local done, ferr = protected(function()
    local fine, e = coroutine.resume(coroutine.create(T.finish), R)
    if not fine then error(e, 0) end
  end)
  if not done and not is_interrupt(ferr) then failed(R, "done", ferr) end
  if R.result == nil then -- Ctrl-C came before the ending started
    local fine, e = protected(T.finish, R)
    if not fine then failed(R, "done", e) end
  end
  return R.result
end

-- a plain error with no position: the main thread re-raises it at the user's line
function T.raise(fmt, ...)
  error({ slope_train = fmt:format(...) }, 0)
end

slope.train = train
