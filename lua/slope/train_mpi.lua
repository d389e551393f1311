-- train_mpi.lua — slope.train under mpirun: data-parallel minibatch training on a
-- distributed objective (slope.mpi.objective, or any objective with n_local, its
-- rows on this rank, and local_batch(idx), a minibatch of those rows, whose fg
-- average over the ranks).
--
-- Each rank draws its own minibatch of `batch` local rows (a global batch of
-- K x batch; with batches = "global" instead every rank draws the same `batch`
-- rows of the whole data and evaluates those it holds); the objective's fg reduces value and gradient over the ranks in one
-- message, so every rank holds the same bits of the averaged gradient. The
-- optimizer step is a deterministic function of (x, state, gradient, lr), so by
-- induction x and the optimizer state stay identical on every rank: nothing is
-- broadcast. What keeps the ranks in step:
--   * the options that shape the run (dim, batch, steps, accumulate, ...) are
--     compared across ranks before the first step (an error names the option);
--   * every rank runs the same number of minibatches per epoch: ceil(min over
--     ranks of local rows / batch) — ranks with more rows leave a few out of each
--     epoch, a different few each time;
--   * the minibatch order: one stream shared by the ranks (rng, identical on
--     each) draws a seed per epoch, rank r permutes its rows with slope.rng(seed +
--     r), so a checkpoint holding the shared stream's state resumes every rank;
--   * every sync_every steps (default once an epoch) and at the end, a check:
--     x is reduced with max and with min over the ranks and compared to each
--     rank's x; any difference stops the run on every rank with the step.
-- Rank 0 alone prints, writes logs and checkpoints; resume reads the checkpoint
-- on every rank (a shared folder on a cluster) and refuses another rank count.
local slope = ...
local T = slope._train

local function mpi()
  local m = rawget(slope, "mpi")
  if type(m) == "table" and type(m.size) == "function" then return m end
end

local function local_rows(f)
  local ok, n = pcall(function() return f.n_local end)
  if ok and math.type(n) == "integer" then return n end
end

-- the job's size and this rank, and the objective's rows here when it is distributed
function T.mpi_setup(c)
  local m = mpi()
  local K = m and m.size() or 1
  c.dist = K > 1 and local_rows(c.objective) ~= nil
  -- an objective that is not distributed trains on its own on each rank
  c.ranks, c.rank = c.dist and K or 1, c.dist and m.rank() or 0
  if not c.dist then return end
  if c.rank ~= 0 then -- rank 0 alone prints and writes
    c.quiet, c.log = true, nil
  end
  -- batches = "global": minibatches of the whole data's rows, the same on every rank
  -- (the objective's batch(idx)); the run is then the one-process run to rounding
  c.local_batches = c.batches ~= "global"
  if not c.local_batches then return end
  local n = local_rows(c.objective)
  if n < 1 then T.fail("objective.n_local must be a positive integer (this rank's rows), got %d", n) end
  if c.batch and not T.method(c.objective, "local_batch") then
    T.fail("batch = %d: the distributed objective has no local_batch method to draw this rank's minibatches with",
      c.batch)
  end
  c.n = n
end

-- the figures every rank must agree on, compared with one max and one min
-- reduction; the first that differs is named
local AGREE = { "dim", "batch", "accumulate", "total", "nb", "eval_every", "log_every", "sync_every" }

function T.mpi_agree(c)
  if not c.dist then return end
  local m = mpi()
  -- minibatches per epoch from the smallest shard
  if not c.local_batches then
    c.n_global = c.n
    c.sync_every = c.sync_every or c.steps_per_epoch
  end
  local nmin = c.local_batches and m.allreduce(c.n, "min")
  c.n_global = c.n_global or math.tointeger(m.allreduce(c.n, "sum"))
  if c.local_batches and not c.full then
    c.batch = math.min(c.batch, math.tointeger(nmin))
    c.nb = math.ceil(nmin / c.batch)
    c.steps_per_epoch = math.ceil(c.nb / c.accumulate)
    c.total = c.steps or c.epochs * c.steps_per_epoch
    c.epochs_total = math.ceil(c.total / c.steps_per_epoch)
  end
  c.sync_every = c.sync_every or c.steps_per_epoch
  local k = #AGREE
  local v = slope.vec.zeros(2 * k)
  for i, name in ipairs(AGREE) do
    local e = name == "dim" and c.objective.dim or name == "batch" and c.full and 0 or c[name] or -1
    v[i], v[k + i] = e, -e
  end
  m.allreduce(v, "max")
  for i, name in ipairs(AGREE) do
    if v[i] ~= -v[k + i] then
      T.fail("the ranks run different trainings: %s is %s on rank %d, between %s and %s across the %d ranks "
        .. "(give every rank the same options)", name == "total" and "the number of steps" or name,
        tostring(name == "dim" and c.objective.dim or name == "batch" and c.full and 0 or c[name]), c.rank, ("%.17g"):format(-v[k + i]),
        ("%.17g"):format(v[i]), c.ranks)
    end
  end
end

-- rank r's permutation of its rows for the epoch the shared stream is at
-- a minibatch of this rank's rows (their gradient averaged over the ranks)
function T.mpi_batch(R, idx) return R.f:local_batch(idx) end

function T.mpi_perm(R)
  local seed = R.rng:int(1, 1 << 52)
  return slope.rng(seed + R.rank):perm(R.n)
end

-- on_step may ask one rank to stop: then every rank stops (one small reduction a
-- step, only when there is an on_step), or the others would wait in the next step
function T.mpi_agree_stop(R, stop)
  if not R.dist or not R.on_step then return stop end
  local any = mpi().allreduce(stop == "stop" and 1 or 0, "max")
  if any > 0 and stop ~= "stop" then
    R.status = "stopped"
    R.message = "on_step asked to stop at step " .. R.t .. " on another rank"
    return "stop"
  end
  return stop
end

-- x against the other ranks' x: identical bits, or the run stops on every rank
-- (the reductions give every rank the same answer, so all stop together)
function T.mpi_sync_check(R, force)
  if not R.dist or not (force or R.t % R.sync_every == 0) then return end
  local m, x, d = mpi(), R.x, R.dim
  local v = slope.vec.zeros(2 * d)
  for i = 1, d do v[i], v[d + i] = x[i], -x[i] end
  m.allreduce(v, "max")
  local worst, at = 0, nil
  for i = 1, d do
    local spread = v[i] + v[d + i] -- max - min
    if spread ~= 0 or spread ~= spread then
      if at == nil or spread > worst or spread ~= spread then worst, at = spread, i end
    end
  end
  if at then
    T.raise("the ranks diverged at step %d: x[%d] differs by %.3g between ranks (the averaged gradient or the "
      .. "optimizer gave different bits on some rank: an objective that is not reduced over the ranks, or a "
      .. "Lua optimizer that depends on the rank?)", R.t, at, worst)
  end
end
