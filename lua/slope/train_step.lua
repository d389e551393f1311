-- train_step.lua — slope.train, stage 3: one step's gradient and update. The
-- minibatch cursor (a fresh permutation each epoch, drawn from rng), the
-- learning rate from the schedule, the gradient averaged over `accumulate`
-- minibatches, what happens on a non-finite loss or gradient (stop, or roll back
-- and halve the lr), clipping, and the optimizer step.
--
-- A step never spans two epochs: without batch (or without samples) each step is
-- one full-batch epoch; with batch, the epoch advances when a step starts after
-- the last minibatch, so a per-epoch schedule sees the new epoch from its first step.
local slope = ...
local A = slope._args
local T = slope._train

local function finite(v) return type(v) == "number" and v == v and v > -math.huge and v < math.huge end
T.finite_number = finite

-- under mpirun each rank permutes its own rows (train_mpi.lua)
local function draw_perm(R)
  if R.local_batches then return T.mpi_perm(R) end
  return R.rng:perm(R.n)
end

local function new_epoch(R)
  R.epoch_rng_state = R.rng:state()
  R.perm = draw_perm(R)
end

-- the minibatch order of the current epoch (from its rng state: fresh or resumed)
function T.prepare(R)
  if not R.full then
    R.rng:set_state(R.epoch_rng_state)
    R.perm = draw_perm(R)
  end
  T.prepare_probes(R)
end

local function set_lr(R)
  local s = R.sched
  if not s then return end
  local at = R.sched_per == "epoch" and R.epoch or R.t
  local ok, lr = pcall(s, at)
  if not ok then T.raise("schedule failed at %s %d: %s", R.sched_per, at, tostring(lr)) end
  if not finite(lr) or lr < 0 then
    T.raise("schedule returned %s at %s %d (expected a learning rate >= 0)", A.show(lr), R.sched_per, at)
  end
  R.opt.lr = lr * R.lr_scale
end

-- The cursor before a step, and back to it: Ctrl-C during a gradient drops the
-- step (x and the optimizer are not yet touched).
function T.mark(R)
  local m = R.mark or {}
  m.t, m.epoch, m.pos, m.perm, m.rng_state, m.lr = R.t, R.epoch, R.pos, R.perm, R.epoch_rng_state, R.opt.lr
  R.mark = m
end

function T.rewind(R)
  local m = R.mark
  R.t, R.epoch, R.pos, R.perm, R.epoch_rng_state = m.t, m.epoch, m.pos, m.perm, m.rng_state
  if R.sched then R.opt.lr = m.lr end
end

-- start step t + 1: advance the epoch when the last one is used up, set the lr
function T.begin_step(R)
  R.t = R.t + 1
  if R.full then
    R.epoch = R.t
  elseif R.pos >= R.nb then
    R.epoch = R.epoch + 1
    R.pos = 0
    new_epoch(R)
  end
  set_lr(R)
  return { step = R.t, epoch = R.epoch }
end

local function next_batch(R)
  if R.full then return R.f end
  local lo = R.pos * R.batch + 1
  local hi = math.min(R.n, lo + R.batch - 1)
  R.pos = R.pos + 1
  local idx = table.move(R.perm, lo, hi, 1, {})
  if R.local_batches then return T.mpi_batch(R, idx) end
  return R.f:batch(idx)
end

-- the loss and gradient (into R.gsum) averaged over up to `accumulate`
-- minibatches of this epoch; returns the gradient norm
function T.gradient(R, row)
  local x, g, gsum = R.x, R.g, R.gsum
  local loss, k = 0, 0
  gsum:fill(0)
  repeat
    local fv = next_batch(R):fg(x, g)
    if type(fv) ~= "number" then T.raise("objective:fg returned %s (expected the loss, a number)", A.show(fv)) end
    loss = loss + fv
    gsum:add(g)
    k = k + 1
  until k == R.accumulate or R.full or R.pos >= R.nb
  if k > 1 then gsum:scale(1 / k); loss = loss / k end
  row.loss = loss
  return gsum:norm()
end

function T.finite(_, row, gnorm)
  return finite(row.loss) and finite(gnorm)
end

-- A non-finite loss or gradient: roll back to the state before the best recent
-- step with half the lr, or stop. Returns "stop" to end the run.
function T.nonfinite(R, row, gnorm)
  local t, lf = R.t, R.last_finite
  local what = not finite(row.loss) and ("loss is " .. A.show(row.loss)) or ("gradient norm is " .. A.show(gnorm))
  local last = lf.loss and ("; last finite loss %.6g at step %d"):format(lf.loss, lf.step) or ""
  local good = R.good
  if R.on_nonfinite == "rollback" and good and R.lr_scale > 1e-6 then
    R.x:copy(good.x)
    R.opt:load(good.opt)
    R.lr_scale = R.lr_scale / 2
    if type(R.opt.lr) == "number" then R.opt.lr = R.opt.lr / 2 end
    if not R.quiet then print(("step %d: %s — rolled back to step %d, lr halved"):format(t, what, good.step)) end
    R.t = good.step
    return nil
  end
  R.status = "nonfinite"
  R.message = ("step %d: %s%s"):format(t, what, last)
  R.t = t - 1
  return "stop"
end

-- clip, remember the rollback point, and step
function T.update(R, row, gnorm)
  local loss, x, opt, gsum = row.loss, R.x, R.opt, R.gsum
  R.last_finite.loss, R.last_finite.step = loss, R.t
  -- the rollback point: the state before the step with the lowest loss so far
  if R.on_nonfinite == "rollback" and (R.good == nil or loss <= R.good.loss) then
    R.good = { x = x:clone(), opt = opt:state(), step = R.t - 1, loss = loss }
  end
  if R.clip and gnorm > R.clip then gsum:scale(R.clip / gnorm) end
  row.lr = opt.lr
  row.grad_norm = gnorm
  local want = R.probe_set.update_norm or R.probe_set.update_ratio
  if want then R.x_prev:copy(x) end
  opt:step(x, gsum)
  if want then T.update_figures(R, row) end
end
