-- train.lua — slope.train: the minibatch training loop with validation, logging,
-- probes, clipping, accumulation, early stopping, non-finite handling and
-- checkpoints that resume bit for bit.
local slope = ...

local OPTIONS = {
  objective = true, x = true, optimizer = true, schedule = true, epochs = true, steps = true,
  batch = true, rng = true, accumulate = true, clip = true, validation = true, eval_every = true,
  probes = true, probe_every = true, early_stopping = true, log = true, log_every = true,
  checkpoint = true, resume = true, on_step = true, on_nonfinite = true, quiet = true,
  print_every = true, probe_batch = true,
}
local PROBES = { grad_norm = true, update_norm = true, update_ratio = true, grad_cos = true,
                 sharpness = true, noise_scale = true }
local COLUMNS = { "step", "epoch", "lr", "loss", "val_loss", "grad_norm", "update_norm",
                  "update_ratio", "grad_cos", "sharpness", "sharpness_lr", "noise_scale", "time" }

local function fail(msg) error("slope.train: " .. msg, 3) end

local function isfinite(v) return v == v and v ~= math.huge and v ~= -math.huge end

local function check_config(cfg)
  if type(cfg) ~= "table" then fail("expected a table of options") end
  for k in pairs(cfg) do
    if not OPTIONS[k] then
      local names = {}
      for n in pairs(OPTIONS) do names[#names + 1] = n end
      table.sort(names)
      fail(("unknown option '%s' (expected one of: %s)"):format(tostring(k), table.concat(names, ", ")))
    end
  end
  local f = cfg.objective
  if f == nil or (type(f) ~= "userdata" and type(f) ~= "table") or f.fg == nil then
    fail("objective must be an objective (slope.obj.*), got " .. type(f))
  end
  local opt = cfg.optimizer
  if opt == nil or opt.step == nil then fail("optimizer must be an optimizer (slope.optim.*), got " .. type(opt)) end
  local function posint(name, v)
    if v ~= nil and (math.type(v) ~= "integer" or v < 1) then
      fail(("%s must be a positive integer, got %s"):format(name, tostring(v)))
    end
  end
  posint("epochs", cfg.epochs); posint("steps", cfg.steps); posint("batch", cfg.batch)
  posint("accumulate", cfg.accumulate); posint("eval_every", cfg.eval_every)
  posint("probe_every", cfg.probe_every); posint("log_every", cfg.log_every)
  posint("print_every", cfg.print_every)
  if cfg.epochs == nil and cfg.steps == nil then fail("give epochs or steps") end
  if cfg.clip ~= nil and (type(cfg.clip) ~= "number" or not (cfg.clip > 0) or not isfinite(cfg.clip)) then
    fail("clip must be a positive number (max global gradient norm), got " .. tostring(cfg.clip))
  end
  if cfg.on_nonfinite ~= nil and cfg.on_nonfinite ~= "stop" and cfg.on_nonfinite ~= "rollback" then
    fail("on_nonfinite must be \"stop\" or \"rollback\", got " .. tostring(cfg.on_nonfinite))
  end
  for _, p in ipairs(cfg.probes or {}) do
    if not PROBES[p] then fail("unknown probe '" .. tostring(p) .. "'") end
  end
  if cfg.validation ~= nil and (cfg.validation.value == nil) then fail("validation must be an objective") end
  if cfg.on_step ~= nil and type(cfg.on_step) ~= "function" then fail("on_step must be a function") end
  if cfg.checkpoint ~= nil and (type(cfg.checkpoint) ~= "table" or type(cfg.checkpoint.path) ~= "string") then
    fail("checkpoint must be {path=..., every=...}")
  end
end

-- the schedule and when it advances: s, {s, per="epoch"} or {s, per="step"}
local function schedule_of(cfg)
  local s = cfg.schedule
  if s == nil then return nil, "step" end
  if type(s) == "table" and s.per ~= nil then
    if s.per ~= "step" and s.per ~= "epoch" then fail("schedule.per must be \"step\" or \"epoch\"") end
    return s[1], s.per
  end
  return s, "step"
end

local function progress_line(st)
  local w = 24
  local frac = st.t / st.total
  local bar = ("="):rep(math.floor(frac * w)) .. (frac < 1 and ">" or "") .. (" "):rep(w - math.floor(frac * w) - 1)
  local rate = st.t_done / math.max(st.elapsed, 1e-9)
  local eta = (st.total - st.t) / math.max(rate, 1e-9)
  return ("epoch %d/%d [%s] %d/%d loss %.4g%s  %.0f steps/s  ETA %.0fs"):format(
    st.epoch, st.epochs_total, bar, st.t, st.total, st.loss,
    st.val and ("  val %.4g"):format(st.val) or "", rate, eta)
end

local function train(cfg)
  check_config(cfg)
  local f, opt = cfg.objective, cfg.optimizer
  local rng = cfg.rng or slope.rng(0)
  local n = f.n
  local full = (n == nil) or (cfg.batch == nil)
  local batch = full and n or math.min(cfg.batch, n)
  local accumulate = cfg.accumulate or 1
  local sched, sched_per = schedule_of(cfg)
  local nb = full and 1 or math.ceil(n / batch) -- minibatches per epoch
  local steps_per_epoch = math.ceil(nb / accumulate)
  local total = cfg.steps or cfg.epochs * steps_per_epoch
  local epochs_total = math.ceil(total / steps_per_epoch)
  local x = cfg.x or f:init(rng)
  local dim = #x
  if dim ~= f.dim then fail(("x has %d entries, the objective has dim %d"):format(dim, f.dim)) end
  local probes = {}
  for _, p in ipairs(cfg.probes or {}) do probes[p] = true end
  local probe_every = cfg.probe_every or 100
  local eval_every = cfg.eval_every or steps_per_epoch
  local log_every = cfg.log_every or 1
  local es = cfg.early_stopping
  local rollback = cfg.on_nonfinite == "rollback"
  local quiet = cfg.quiet
  local tty = not quiet and slope.isatty(io.stdout)
  local print_every = cfg.print_every or math.max(1, math.floor(total / 10))
  local probe_rng = rng:clone()

  local g, gsum = slope.vec.zeros(dim), slope.vec.zeros(dim)
  local g_prev = slope.vec.zeros(dim)
  local x_prev = slope.vec.zeros(dim)
  local have_prev = false
  local hist = {}
  for _, c in ipairs(COLUMNS) do hist[c] = {} end
  local best = { x = x:clone(), value = math.huge, step = 0 }
  local es_bad = 0
  local lr_scale = 1.0
  local v0 -- warm start of the sharpness probe
  local t, epoch, pos = 0, 1, 0
  local epoch_rng_state = rng:state()
  local perm
  local last_finite = { loss = nil, step = 0 }
  local good -- rollback snapshot
  local status, message = "done", nil
  local val
  local t0 = slope.clock()
  local elapsed0 = 0

  -- resume ------------------------------------------------------------------
  if cfg.resume then
    local ck = slope.checkpoint.load(cfg.resume)
    if ck.kind ~= "slope.train" or ck.x == nil or #ck.x ~= dim then
      fail("checkpoint " .. cfg.resume .. " does not belong to this run (dim " .. dim .. ")")
    end
    x:copy(ck.x)
    opt:load(ck.opt)
    t, epoch, pos = ck.step, ck.epoch, ck.pos
    epoch_rng_state = ck.rng_epoch
    probe_rng:set_state(ck.rng_probe)
    lr_scale = ck.lr_scale
    es_bad = ck.es_bad
    best.value, best.step = ck.best_value, ck.best_step
    best.x:copy(ck.best_x)
    if ck.g_prev then g_prev:copy(ck.g_prev); have_prev = true end
    v0 = ck.v0
    elapsed0 = ck.elapsed or 0
    if sched and ck.sched and sched.load then sched:load(ck.sched) end
    for _, c in ipairs(COLUMNS) do
      local col = ck.history and ck.history[c]
      if col then
        for i = 1, #col do hist[c][i] = (col[i] == col[i]) and col[i] or nil end
        hist[c].n = #col
      end
    end
  end
  local hist_len = hist.step.n or 0
  for _, c in ipairs(COLUMNS) do hist[c].n = nil end

  local logger
  if cfg.log then
    logger = slope._logger.open(cfg.log, COLUMNS, { keep_until = cfg.resume and t or nil })
  end

  local function new_epoch()
    epoch_rng_state = rng:state()
    if not full then perm = rng:perm(n) end
  end
  if not full then
    rng:set_state(epoch_rng_state)
    perm = rng:perm(n)
  end

  local function next_batch()
    if full then return f end
    if pos >= nb then
      epoch = epoch + 1
      pos = 0
      new_epoch()
    end
    local lo = pos * batch + 1
    local hi = math.min(n, lo + batch - 1)
    pos = pos + 1
    return f:batch(table.move(perm, lo, hi, 1, {}))
  end

  local function save_checkpoint()
    -- the log rows up to this step reach the disk before the checkpoint that
    -- names this step, so a run killed later resumes with a complete log
    if logger then logger:flush() end
    local hcols = {}
    for _, c in ipairs(COLUMNS) do
      local v = slope.vec.zeros(hist_len)
      for i = 1, hist_len do local e = hist[c][i]; v[i] = (type(e) == "number") and e or 0 / 0 end
      hcols[c] = v
    end
    slope.checkpoint.save(cfg.checkpoint.path, {
      kind = "slope.train", step = t, epoch = epoch, pos = pos, x = x, opt = opt:state(),
      rng_epoch = epoch_rng_state, rng_probe = probe_rng:state(), lr_scale = lr_scale,
      es_bad = es_bad, best_value = best.value, best_step = best.step, best_x = best.x,
      g_prev = have_prev and g_prev or nil, v0 = v0, history = hcols,
      elapsed = elapsed0 + slope.clock() - t0,
      sched = (sched and sched.state) and sched:state() or nil,
    })
  end

  local probe_f = f
  if n and n > (cfg.probe_batch or 4096) then
    local idx = probe_rng:perm(n)
    probe_f = f:batch(table.move(idx, 1, cfg.probe_batch or 4096, 1, {}))
  end

  local t_start = t
  while t < total do
    t = t + 1
    local row = { step = t }
    -- learning rate
    if sched then
      local base = sched_per == "epoch" and sched(epoch) or sched(t)
      opt.lr = base * lr_scale
    end
    -- gradient, averaged over `accumulate` minibatches
    local loss = 0
    local k = 0
    gsum:fill(0)
    repeat
      local fb = next_batch()
      local fv = fb:fg(x, g)
      loss = loss + fv
      gsum:add(g)
      k = k + 1
    until k == accumulate or full or pos >= nb
    if k > 1 then gsum:scale(1 / k); loss = loss / k end
    row.epoch = epoch
    row.loss = loss
    local gnorm = gsum:norm()
    if not isfinite(loss) or not isfinite(gnorm) then
      local what = not isfinite(loss) and ("loss is " .. tostring(loss)) or ("gradient norm is " .. tostring(gnorm))
      local last = last_finite.loss and ("; last finite loss %.6g at step %d"):format(last_finite.loss, last_finite.step) or ""
      if rollback and good and lr_scale > 1e-6 then
        x:copy(good.x); opt:load(good.opt)
        lr_scale = lr_scale / 2
        opt.lr = opt.lr / 2
        if not quiet then print(("step %d: %s — rolled back to step %d, lr halved"):format(t, what, good.step)) end
        t = good.step
      else
        status = "nonfinite"
        message = ("step %d: %s%s"):format(t, what, last)
        t = t - 1
        break
      end
    else
      last_finite.loss, last_finite.step = loss, t
      -- the rollback point: the state before the step with the lowest loss so far
      if rollback and (good == nil or loss <= good.loss) then
        good = { x = x:clone(), opt = opt:state(), step = t - 1, loss = loss }
      end
      if cfg.clip and gnorm > cfg.clip then gsum:scale(cfg.clip / gnorm) end
      row.lr = opt.lr
      row.grad_norm = gnorm
      local want_update = probes.update_norm or probes.update_ratio
      if want_update then x_prev:copy(x) end
      opt:step(x, gsum)
      if want_update then
        x_prev:axpy(-1, x) -- x_prev now holds -(update)
        local un = x_prev:norm()
        row.update_norm = un
        local xn = (x + x_prev):norm() -- |x before the step|
        row.update_ratio = xn > 0 and un / xn or 0 / 0 -- undefined at x = 0
      end
      if probes.grad_cos then
        if have_prev then
          local denom = gnorm * g_prev:norm()
          row.grad_cos = denom > 0 and gsum:dot(g_prev) / denom or 0 / 0
        end
        g_prev:copy(gsum); have_prev = true
      end
      if (probes.sharpness or probes.noise_scale) and (t % probe_every == 0 or t == 1) then
        if probes.sharpness then
          local s = slope.probe.sharpness(probe_f, x, opt.lr, { v0 = v0 })
          row.sharpness = s.lambda_max
          row.sharpness_lr = s.lambda_max * opt.lr
          v0 = s.vector
        end
        if probes.noise_scale and n then
          local ns = slope.probe.noise_scale(f, x, { batch = batch, rng = probe_rng })
          row.noise_scale = ns.b_simple
        end
      end
      -- validation and early stopping
      if cfg.validation and (t % eval_every == 0 or t == total) then
        val = cfg.validation:value(x)
        row.val_loss = val
      end
      local watched = cfg.validation and row.val_loss or (not cfg.validation and (t % eval_every == 0 or t == total)) and loss
      if watched then
        if watched < best.value - ((es and es.min_delta) or 0) then
          best.value, best.step = watched, t
          best.x:copy(x)
          es_bad = 0
        else
          es_bad = es_bad + 1
        end
        if sched and sched.update then sched:update(watched) end
      end
      row.time = elapsed0 + slope.clock() - t0
      if t % log_every == 0 or t == total then
        hist_len = hist_len + 1
        for _, c in ipairs(COLUMNS) do hist[c][hist_len] = row[c] end
        if logger then logger:row(row) end
      end
      if not quiet then
        if tty then
          io.stdout:write("\r", progress_line({ t = t, total = total, epoch = epoch, epochs_total = epochs_total,
            loss = loss, val = val, elapsed = slope.clock() - t0, t_done = t - t_start }), "\27[K")
          io.stdout:flush()
        elseif t % print_every == 0 or t == total then
          print(("step %d/%d  epoch %d  loss %.6g%s"):format(t, total, epoch, loss,
            val and ("  val %.6g"):format(val) or ""))
        end
      end
      if cfg.checkpoint and cfg.checkpoint.every and t % cfg.checkpoint.every == 0 then save_checkpoint() end
      if cfg.on_step then
        row.x, row.g, row.optimizer = x, gsum, opt
        if cfg.on_step(row) == true then status = "stopped"; message = "on_step asked to stop at step " .. t; break end
      end
      if es and es_bad >= (es.patience or 5) then
        status = "early_stopped"
        message = ("no improvement for %d evaluations; best %.6g at step %d"):format(es_bad, best.value, best.step)
        break
      end
    end
  end
  if tty then io.stdout:write("\n") end
  if logger then logger:close() end
  if cfg.checkpoint then save_checkpoint() end
  if es and es.restore_best ~= false and best.step > 0 and status == "early_stopped" then x:copy(best.x) end
  if status == "nonfinite" and not quiet then io.stderr:write("slope.train: ", message, "\n") end
  local history = {}
  for _, c in ipairs(COLUMNS) do
    local col = {}
    for i = 1, hist_len do col[i] = hist[c][i] == nil and 0 / 0 or hist[c][i] end
    history[c] = col
  end
  return {
    x = x, status = status, message = message or ("finished " .. t .. " steps"),
    steps = t, epochs = epoch, history = history, columns = COLUMNS,
    best = { x = best.x, value = best.value, step = best.step },
    elapsed = elapsed0 + slope.clock() - t0,
  }
end

slope._doc(train, "slope.train",
  "slope.train{objective=, optimizer=, x=, epochs=|steps=, batch=, rng=, schedule=, validation=, probes=, log=, checkpoint=, resume=, ...} -> run",
  "The training loop: minibatches, schedule, clipping, accumulation, validation, probes, early stopping, logs, checkpoints that resume bit for bit; returns {x, status, history, best}. "
  .. "Log columns (CSV header, JSONL keys, history): step, epoch, lr, loss, val_loss, grad_norm, update_norm, update_ratio, "
  .. "grad_cos, sharpness, sharpness_lr, noise_scale, time; figures not computed at a step are empty (CSV), absent (JSONL) or NaN (history). "
  .. "pandas: read_csv(p, float_precision='round_trip'), read_json(p, lines=True, precise_float=True) give the exact float64 values.")
slope.train = train
