-- train_log.lua — slope.train, stage 6: what the run reports. The history and the
-- log files (one row every log_every steps), the progress line (a bar on a
-- terminal, a line every print_every steps otherwise), on_step, and the end of
-- the run: last checkpoint, log closed, best point restored, the result table.
local slope = ...
local T = slope._train

-- the history's rows as tables (a resumed run's log starts with them)
local function history_rows(R)
  local rows = {}
  for i = 1, R.hist_len do
    local r = {}
    for _, c in ipairs(T.COLUMNS) do r[c] = R.hist[c][i] end
    rows[i] = r
  end
  return rows
end

-- A resumed run's log files start with the rows up to its checkpoint, exactly
-- those of the checkpoint's history: no gap, no row twice, whatever the files
-- held (rows past the checkpoint, a line cut short, nothing at all).
function T.open_log(R)
  R.tty = not R.quiet and slope.isatty(io.stdout)
  R.t_start = R.t
  if R.log then
    R.logger = slope._logger.open(R.log, T.COLUMNS, { rows = R.resumed and history_rows(R) or nil })
  end
end

-- a log write that failed (a full disk) ends the run; the last checkpoint stays
function T.log_failed(R, err)
  R.logger:close()
  R.logger = nil
  T.raise("log: %s (the run stopped at step %d%s)", err, R.t,
    R.checkpoint and "; its last checkpoint is in " .. R.checkpoint.path or "")
end

local function progress_line(R, loss)
  local w = 24
  local frac = R.t / R.total
  local done = math.floor(frac * w)
  local bar = ("="):rep(done) .. (frac < 1 and ">" or "") .. (" "):rep(w - done - 1)
  local rate = (R.t - R.t_start) / math.max(slope.clock() - R.t0, 1e-9)
  local eta = (R.total - R.t) / math.max(rate, 1e-9)
  return ("epoch %d/%d [%s] %d/%d loss %.4g%s  %.0f steps/s  ETA %.0fs"):format(
    R.epoch, R.epochs_total, bar, R.t, R.total, loss,
    R.val and ("  val %.4g"):format(R.val) or "", rate, eta)
end

local function progress(R, loss)
  if R.tty then
    io.stdout:write("\r", progress_line(R, loss), "\27[K")
    io.stdout:flush()
  elseif R.t % R.print_every == 0 or R.t == R.total then
    print(("step %d/%d  epoch %d  loss %.6g%s"):format(R.t, R.total, R.epoch, loss,
      R.val and ("  val %.6g"):format(R.val) or ""))
  end
end

function T.record(R, row)
  row.time = R.elapsed0 + slope.clock() - R.t0
  if R.t % R.log_every == 0 or R.t == R.total then
    local i = R.hist_len + 1
    R.hist_len = i
    for _, c in ipairs(T.COLUMNS) do R.hist[c][i] = row[c] end
    if R.logger then
      local ok, err = R.logger:row(row)
      if not ok then T.log_failed(R, err) end
    end
  end
  if not R.quiet then progress(R, row.loss) end
end

-- on_step gets copies of x and g: a path stored from it is the path
function T.callback(R, row)
  if not R.on_step then return nil end
  row.x, row.g, row.optimizer = R.x:clone(), R.gsum:clone(), R.opt
  if R.on_step(row) == true then
    R.status = "stopped"
    R.message = "on_step asked to stop at step " .. R.t
    return "stop"
  end
end

-- Ctrl-C: between steps, inside a gradient (the step is dropped) or inside
-- on_step the state is whole and the checkpoint is written as usual; inside the
-- rest of a step (a C loop in user code saw it) it is not, and the last
-- checkpoint written stays.
function T.interrupted(R, phase)
  if phase == "done" or R.status ~= "done" then return end -- the run had ended
  R.status = "interrupted"
  if phase == "gradient" then T.rewind(R) end
  if phase == "between" or phase == "gradient" or phase == "callback" then
    R.message = ("interrupted after step %d"):format(R.t)
    if R.checkpoint then R.message = R.message .. "; checkpoint " .. R.checkpoint.path end
  else
    if phase ~= "after" then R.t = R.t - 1 end
    R.skip_checkpoint = true
    R.message = ("interrupted inside step %d (%s)%s"):format(R.t + 1, phase,
      R.checkpoint and "; the checkpoint keeps the last step it saved" or "")
  end
end

-- an error ends the run: leave the terminal and the log files tidy; returns
-- what closing the logs returned (a failure to write their last rows)
function T.abandon(R)
  if R.tty then io.stdout:write("\n") end
  local ok, err = true, nil
  if R.logger then ok, err = R.logger:close(); R.logger = nil end
  return ok, err
end

local function result(R)
  local history = {}
  for _, c in ipairs(T.COLUMNS) do
    local col, h = {}, R.hist[c]
    for i = 1, R.hist_len do col[i] = h[i] == nil and 0 / 0 or h[i] end
    history[c] = col
  end
  return {
    x = R.x, status = R.status, message = R.message or ("finished " .. R.t .. " steps"),
    steps = R.t, epochs = R.epoch, history = history, columns = T.COLUMNS,
    best = { x = R.best.x, value = R.best.value, step = R.best.step },
    elapsed = R.elapsed0 + slope.clock() - R.t0,
  }
end

function T.finish(R)
  local ok, err = T.abandon(R)
  if not ok then
    T.raise("log: %s (the run stopped after step %d%s)", err, R.t,
      R.checkpoint and "; its last checkpoint is in " .. R.checkpoint.path or "")
  end
  if R.checkpoint and not R.skip_checkpoint then T.save(R) end
  local es = R.early_stopping
  if es and es.restore_best and R.best.step > 0 and R.status == "early_stopped" then R.x:copy(R.best.x) end
  if not R.quiet and (R.status == "nonfinite" or R.status == "interrupted") then
    io.stderr:write("slope.train: ", R.message, "\n")
  end
  R.result = result(R)
end
