-- checkpoint_crafted_spec.lua — slope.train{resume=} on crafted checkpoints: a
-- field edited in the file's text and the checksum recomputed (so the parser
-- accepts it), or a file cut short or with a wrong checksum. Every one must end
-- promptly, before the first step, with an error that names the file and the
-- field, and leave the run's x and optimizer as they were.

local B = slope.data.load("breast_cancer")
local XB = slope.data.standardize(B.X)
local lg = slope.obj.logistic{ X = XB, y = B.y, l2 = 1e-3, intercept = true }

local tmp = os.tmpname()
os.remove(tmp)
os.execute("mkdir -p " .. tmp)

local function cfg(extra)
  local c = { objective = lg, optimizer = slope.optim.adam{ lr = 1e-2 }, steps = 30, batch = 64,
    rng = slope.rng(3), quiet = true, x = slope.vec.zeros(lg.dim), validation = lg, probes = { "grad_cos" } }
  for k, v in pairs(extra or {}) do c[k] = v end
  return c
end

local function read(p)
  local f = assert(io.open(p, "rb"))
  local s = f:read("a")
  f:close()
  return s
end
local function write(p, s)
  local f = assert(io.open(p, "wb"))
  f:write(s)
  f:close()
end

-- the checkpoint format (lua/slope/checkpoint.lua): lines "type key payload",
-- "tab key" ... "endtab", a last line "end <fnv1a-32 of the text before it>"
local function fnv1a(s)
  local h = 0x811c9dc5
  for i = 1, #s do h = ((h ~ s:byte(i)) * 0x01000193) & 0xffffffff end
  return h
end
local function seal(body) return body .. ("end %08x\n"):format(fnv1a(body)) end
local function body_of(text) return (assert(text:match("^(.*\n)end %x+\n$"), "a sealed checkpoint")) end

-- entry lines
local function key(k) return "s" .. #k .. ":" .. k end
local function int(k, v) return "int " .. key(k) .. " " .. v end
local function num(k, v)
  local s = v ~= v and "nan" or v == math.huge and "inf" or v == -math.huge and "-inf" or ("%a"):format(v)
  return "num " .. key(k) .. " " .. s
end
local function str(k, s) return "str " .. key(k) .. " " .. #s .. ":" .. s end
local function vec(k, t)
  local parts = { "vec " .. key(k) .. " " .. #t }
  for i = 1, #t do parts[#parts + 1] = t[i] ~= t[i] and "nan" or ("%a"):format(t[i]) end
  return table.concat(parts, " ")
end
local function tab(k, lines)
  return "tab " .. key(k) .. "\n" .. table.concat(lines, "\n") .. (#lines > 0 and "\n" or "") .. "endtab"
end

-- edit(text, path, line): the entry at path ({"step"}, {"opt", "t"}) replaced by
-- line (nil: removed; a path not in the file: line added at that level), the
-- checksum recomputed
local function edit(text, path, line)
  local out, stack, skip, done = {}, {}, nil, false
  local function here(n) -- the open tables are path[1..n]
    if #stack ~= n then return false end
    for i = 1, n do if stack[i] ~= path[i] then return false end end
    return true
  end
  for l in body_of(text):gmatch("([^\n]*)\n") do
    local ty, name = l:match("^(%a+) s%d+:(%S+)")
    if skip then
      if ty == "tab" then skip = skip + 1 elseif l == "endtab" then skip = skip - 1 end
      if skip == 0 then skip = nil end
    elseif name and here(#path - 1) and name == path[#path] then
      done = true
      if line then out[#out + 1] = line end
      if ty == "tab" then skip = 1 end
    else
      if l == "endtab" then
        if not done and here(#path - 1) and #path > 1 and line then out[#out + 1] = line; done = true end
        stack[#stack] = nil
      end
      out[#out + 1] = l
      if ty == "tab" then stack[#stack + 1] = name end
    end
  end
  if not done and line then out[#out + 1] = line end
  return seal(table.concat(out, "\n") .. "\n")
end

local BASE = tmp .. "/base.ckpt"
slope.train(cfg{ steps = 5, checkpoint = { path = BASE } })
local base = read(BASE)
local good = slope.checkpoint.load(BASE)
local hist_len = #good.history.step

-- the history with one column replaced
local function history(col, t)
  local lines = {}
  for _, c in ipairs({ "epoch", "grad_cos", "grad_norm", "loss", "lr", "noise_scale", "sharpness",
                       "sharpness_lr", "step", "time", "update_norm", "update_ratio", "val_loss" }) do
    if c == col then
      if t then lines[#lines + 1] = t end
    else
      local v = good.history[c]
      local list = {}
      for i = 1, #v do list[i] = v[i] end
      lines[#lines + 1] = vec(c, list)
    end
  end
  if col and not good.history[col] and t then lines[#lines + 1] = t end
  return tab("history", lines)
end

local function rng_state(t)
  local lines = {}
  for i, v in ipairs(t) do lines[i] = "int i" .. i .. " " .. v end
  return lines
end

local function zeros_but(n, i, v)
  local t = {}
  for k = 1, n do t[k] = 0 end
  t[i] = v
  return t
end

local function A_vec(v) return getmetatable(v) == getmetatable(slope.vec.zeros(0)) end

-- resume_error(text, field[, extra]): resume a run from this checkpoint text;
-- it must fail fast, before any step, naming the file and the field
local n_case = 0
local function resume_error(text, field, extra)
  n_case = n_case + 1
  local p = ("%s/case%d.ckpt"):format(tmp, n_case)
  write(p, text)
  local steps, c = 0, cfg(extra)
  c.resume = p
  c.on_step = function() steps = steps + 1 end
  local x_before, opt_before = c.x:clone(), c.optimizer:state()
  local t0 = slope.clock()
  local ok, err = pcall(slope.train, c)
  local took = slope.clock() - t0
  check.truthy(not ok, "resume accepted")
  err = tostring(err)
  check.eq(steps, 0, "no step ran (" .. err .. ")")
  check.truthy(took < 2, ("refused promptly (%.2f s)"):format(took))
  check.truthy(not err:find("attempt to", 1, true), err)
  check.truthy(err:find("slope.train: resume", 1, true), err)
  check.truthy(err:find(p, 1, true), "the file is named: " .. err)
  if field then check.truthy(err:find(field, 1, true), ("the field %s is named: %s"):format(field, err)) end
  check.veq(c.x, x_before, 0, "x untouched")
  local opt_after = c.optimizer:state()
  for k, v in pairs(opt_before) do
    if A_vec(v) then check.veq(opt_after[k], v, 0, "optimizer untouched: " .. k)
    else check.eq(opt_after[k], v, "optimizer untouched: " .. k) end
  end
  for k, v in pairs(opt_after) do -- a fresh optimizer put back may have made its (zero) buffers
    check.truthy(opt_before[k] ~= nil or k == "dim" or A_vec(v) and v:norm() == 0, "optimizer untouched: " .. k)
  end
  return err
end

describe("crafted checkpoints: the base one resumes", function()
  it("the unedited text, resealed, resumes", function()
    local p = tmp .. "/same.ckpt"
    write(p, edit(base, { "step" }, int("step", 5)))
    check.eq(read(p), base, "edit without a change gives the same file")
    local run = slope.train(cfg{ resume = p })
    check.eq(run.steps, 30)
  end)
end)

describe("crafted checkpoints: extreme values", function()
  local cases = {
    { "step", int("step", math.mininteger) }, { "step", int("step", math.maxinteger) },
    { "step", num("step", 1e12) }, { "step", int("step", 1000000000000) },
    { "epoch", int("epoch", math.maxinteger) }, { "pos", int("pos", math.maxinteger) },
    { "es_bad", int("es_bad", math.maxinteger) }, { "best_step", int("best_step", math.maxinteger) },
    { "dim", int("dim", math.maxinteger) }, { "n", int("n", math.maxinteger) },
    { "batch", int("batch", math.maxinteger) }, { "accumulate", int("accumulate", math.maxinteger) },
    { "lr_scale", num("lr_scale", 1e300) }, { "elapsed", num("elapsed", math.huge) },
    { "lr", num("lr", math.huge) },
    { "x", vec("x", zeros_but(31, 7, 1e308 * 10)) }, { "g_prev", vec("g_prev", zeros_but(31, 2, -math.huge)) },
    { "opt", tab("opt", { int("t", math.maxinteger) }) },
  }
  for _, c in ipairs(cases) do
    it(c[2]:sub(1, 60), function() resume_error(edit(base, { c[1] }, c[2]), "'" .. c[1]) end)
  end
  it("a vec longer than the file", function()
    resume_error(edit(base, { "x" }, "vec s1:x 99999999999 0x1p+0"), "x")
  end)
end)

describe("crafted checkpoints: negative values", function()
  for _, f in ipairs({ "step", "epoch", "pos", "es_bad", "best_step", "dim", "n", "batch", "accumulate" }) do
    it(f .. " = -1", function() resume_error(edit(base, { f }, int(f, -1)), "'" .. f) end)
  end
  for _, f in ipairs({ "elapsed", "lr", "lr_scale" }) do
    it(f .. " = -0.5", function() resume_error(edit(base, { f }, num(f, -0.5)), "'" .. f) end)
  end
  it("opt.t = -1", function() resume_error(edit(base, { "opt", "t" }, int("t", -1)), "'opt") end)
end)

describe("crafted checkpoints: non-integers", function()
  for _, f in ipairs({ "step", "epoch", "pos", "es_bad", "best_step", "dim", "n", "batch", "accumulate" }) do
    it(f .. " = 2.5", function() resume_error(edit(base, { f }, num(f, 2.5)), "'" .. f) end)
    it(f .. " = 5.0 (a float)", function() resume_error(edit(base, { f }, num(f, 5.0)), "'" .. f) end)
  end
  it("lr_scale = 0.3 (not 1 halved)", function() resume_error(edit(base, { "lr_scale" }, num("lr_scale", 0.3)), "'lr_scale") end)
  it("history.step row 2.5", function()
    local steps = {}
    for i = 1, hist_len do steps[i] = i end
    steps[2] = 2.5
    resume_error(edit(base, { "history" }, history("step", vec("step", steps))), "history.step")
  end)
  it("opt.t = 1.5", function() resume_error(edit(base, { "opt", "t" }, num("t", 1.5)), "'opt") end)
end)

describe("crafted checkpoints: NaN", function()
  for _, f in ipairs({ "step", "epoch", "lr", "lr_scale", "elapsed", "best_value", "es_bad" }) do
    it(f .. " = nan", function() resume_error(edit(base, { f }, num(f, 0 / 0)), "'" .. f) end)
  end
  it("x with a NaN", function() resume_error(edit(base, { "x" }, vec("x", zeros_but(31, 31, 0 / 0))), "'x") end)
  it("v0 with a NaN (a warm start the probe may have left so): accepted", function()
    local p = tmp .. "/v0.ckpt"
    write(p, edit(base, { "v0" }, vec("v0", zeros_but(31, 1, 0 / 0))))
    check.eq(slope.train(cfg{ resume = p }).steps, 30)
  end)
  it("history.step with a NaN", function()
    local steps = {}
    for i = 1, hist_len do steps[i] = i end
    steps[1] = 0 / 0
    resume_error(edit(base, { "history" }, history("step", vec("step", steps))), "history.step")
  end)
  it("opt.exp_avg with a NaN", function()
    resume_error(edit(base, { "opt", "exp_avg" }, vec("exp_avg", zeros_but(31, 3, 0 / 0))), "'opt.exp_avg")
  end)
end)

describe("crafted checkpoints: wrong types", function()
  local cases = {
    { "step", str("step", "five") }, { "epoch", "bool s5:epoch true" }, { "pos", tab("pos", {}) },
    { "x", int("x", 3) }, { "x", tab("x", { num("i1", 1) }) }, { "opt", int("opt", 7) },
    { "history", int("history", 5) }, { "rng_epoch", str("rng_epoch", "seed") },
    { "rng_probe", vec("rng_probe", { 1, 2, 3, 4 }) }, { "rng_probe0", int("rng_probe0", 42) },
    { "optimizer", int("optimizer", 5) }, { "schedule", "bool s8:schedule true" },
    { "best_value", str("best_value", "1") }, { "best_x", num("best_x", 1) }, { "g_prev", int("g_prev", 0) },
    { "lr", str("lr", "0.01") }, { "sched", int("sched", 1) }, { "threads", str("threads", "2") },
    { "cpu_kernel", int("cpu_kernel", 3) }, { "version", str("version", "2") }, { "kind", int("kind", 1) },
    { "dim", num("dim", 31.0) },
  }
  for _, c in ipairs(cases) do
    it(c[2]:sub(1, 60), function() resume_error(edit(base, { c[1] }, c[2]), c[1]) end)
  end
end)

describe("crafted checkpoints: missing and unknown fields", function()
  for _, f in ipairs({ "step", "epoch", "pos", "x", "opt", "rng_epoch", "rng_probe", "rng_probe0", "lr_scale",
                       "es_bad", "best_value", "best_step", "best_x", "history", "elapsed", "dim", "n", "batch",
                       "accumulate", "optimizer", "schedule", "version" }) do
    it("without " .. f, function() resume_error(edit(base, { f }, nil), "'" .. f) end)
  end
  it("without kind", function() resume_error(edit(base, { "kind" }, nil), "kind") end)
  it("an unknown field", function() resume_error(edit(base, { "stepp" }, int("stepp", 5)), "'stepp") end)
  it("another version", function()
    check.truthy(resume_error(edit(base, { "version" }, int("version", 3)), "'version"):find("version 2", 1, true))
    resume_error(edit(base, { "version" }, int("version", 1)), "'version")
  end)
  it("another kind", function()
    check.truthy(resume_error(edit(base, { "kind" }, str("kind", "mine")), "kind"):find("not a slope.train", 1, true))
  end)
end)

describe("crafted checkpoints: fields that disagree with each other", function()
  it("epoch or pos off the step", function()
    resume_error(edit(base, { "epoch" }, int("epoch", 2)), "'epoch")
    resume_error(edit(base, { "pos" }, int("pos", 4)), "'pos")
    resume_error(edit(base, { "pos" }, int("pos", 0)), "'pos")
    resume_error(edit(base, { "pos" }, int("pos", 10)), "'pos") -- 9 minibatches per epoch
    resume_error(edit(base, { "step" }, int("step", 12)), "'epoch") -- step 12 is in epoch 2
    resume_error(edit(base, { "step" }, int("step", 2)), "'pos")
  end)
  it("steps skipped (dropped on a non-finite loss) that the cursor does not show", function()
    check.truthy(resume_error(edit(base, { "skipped" }, int("skipped", 2)), "'pos"):find("with 2 skipped", 1, true))
    resume_error(edit(base, { "skipped" }, int("skipped", -1)), "'skipped")
    resume_error(edit(base, { "skipped" }, num("skipped", 0.5)), "'skipped")
    -- a file from before the field: the cursor may be one step ahead, not two
    local old = edit(base, { "skipped" }, nil)
    local p = tmp .. "/old.ckpt"
    write(p, edit(old, { "pos" }, int("pos", 6)))
    check.eq(slope.train(cfg{ resume = p }).steps, 30)
    resume_error(edit(old, { "pos" }, int("pos", 7)), "'pos")
  end)
  it("the best point after the step, or inf with a step", function()
    resume_error(edit(base, { "best_step" }, int("best_step", 6)), "'best_step")
    resume_error(edit(base, { "best_value" }, num("best_value", math.huge)), "'best_value")
    resume_error(edit(edit(base, { "best_step" }, int("best_step", 0)), { "best_value" }, num("best_value", 0.5)),
      "'best_value")
  end)
  it("more evaluations without improvement than steps", function()
    resume_error(edit(base, { "es_bad" }, int("es_bad", 6)), "'es_bad")
  end)
  it("history columns of another length, unknown, missing, out of order, too many rows", function()
    resume_error(edit(base, { "history" }, history("loss", vec("loss", { 1, 2 }))), "history.loss")
    resume_error(edit(base, { "history" }, history("lost", vec("lost", { 1, 2, 3, 4, 5 }))), "history.lost")
    resume_error(edit(base, { "history" }, history("time", nil)), "history.time")
    resume_error(edit(base, { "history" }, history("step", vec("step", { 1, 2, 4, 3, 5 }))), "history.step")
    resume_error(edit(base, { "history" }, history("step", vec("step", { 1, 2, 3, 4, 9 }))), "history.step")
    resume_error(edit(base, { "history" }, history("epoch", vec("epoch", { 1, 1, 1, 1, 2 }))), "history.epoch")
    resume_error(edit(base, { "history" }, history("step", "vec s4:step 1 0x1p+0")), "history")
    resume_error(edit(base, { "history" }, int("history", 0)), "history")
  end)
  it("random stream states that are not xoshiro states", function()
    resume_error(edit(base, { "rng_epoch" }, tab("rng_epoch", rng_state({ 0, 0, 0, 0 }))), "'rng_epoch")
    resume_error(edit(base, { "rng_epoch" }, tab("rng_epoch", rng_state({ 1, 2, 3 }))), "'rng_epoch")
    resume_error(edit(base, { "rng_probe" }, tab("rng_probe", rng_state({ 1, 2, 3, 4, 5 }))), "'rng_probe")
    resume_error(edit(base, { "rng_probe0" }, tab("rng_probe0", { int("i1", 1), int("i2", 2), int("i3", 3), num("i4", 4.5) })),
      "'rng_probe0")
    resume_error(edit(base, { "rng_epoch" }, tab("rng_epoch", { int("i1", 1), int("i2", 2), int("i3", 3), int("i5", 4) })),
      "'rng_epoch")
  end)
  it("an optimizer state of another shape or kind", function()
    resume_error(edit(base, { "opt", "exp_avg" }, vec("exp_avg", { 1, 2 })), "'opt")
    resume_error(edit(base, { "opt", "exp_avg" }, nil), "'opt")
    resume_error(edit(base, { "opt", "kind" }, str("kind", "sgd")), "'opt")
    resume_error(edit(base, { "opt", "lr" }, num("lr", 1)), "'opt")
    resume_error(edit(base, { "opt" }, tab("opt", {})), "'opt")
  end)
  it("vecs of another dim", function()
    for _, f in ipairs({ "x", "best_x", "g_prev", "v0" }) do
      resume_error(edit(base, { f }, vec(f, { 1, 2 })), "'" .. f)
    end
  end)
end)

describe("crafted checkpoints: the rollback point", function()
  local opt_lines = base:match("\ntab s3:opt\n(.-\n)endtab\n")
  local good_opt = "tab s8:good_opt\n" .. opt_lines .. "endtab"
  local z = zeros_but(31, 1, 0)
  local function with_good(skip, line)
    local text = base
    for _, e in ipairs({ { "good_x", vec("good_x", z) }, { "good_opt", good_opt }, { "good_step", int("good_step", 3) },
                         { "good_loss", num("good_loss", 0.5) } }) do
      if e[1] ~= skip then text = edit(text, { e[1] }, e[2]) end
    end
    if line then text = edit(text, { skip }, line) end
    return text
  end
  it("a whole rollback point resumes", function()
    local p = tmp .. "/good.ckpt"
    write(p, with_good())
    check.eq(slope.train(cfg{ resume = p, on_nonfinite = "rollback" }).steps, 30)
  end)
  it("a part of it missing, out of range or damaged", function()
    for _, f in ipairs({ "good_x", "good_opt", "good_step", "good_loss" }) do resume_error(with_good(f), "'" .. f) end
    resume_error(with_good("good_step", int("good_step", 6)), "'good_step")
    resume_error(with_good("good_loss", num("good_loss", 0 / 0)), "'good_loss")
    resume_error(with_good("good_x", vec("good_x", { 1 })), "'good_x")
    resume_error(with_good("good_x", vec("good_x", zeros_but(31, 4, math.huge))), "'good_x")
    resume_error(with_good("good_opt", tab("good_opt", { str("kind", "adam"), int("t", 2) })), "'good_opt")
    resume_error(with_good("good_opt", good_opt:gsub("int s1:t 5", "int s1:t -5")), "'good_opt")
  end)
end)

describe("crafted checkpoints: against the run being resumed", function()
  it("another dim, n, batch, accumulate, optimizer, schedule; a step past the run", function()
    resume_error(edit(base, { "dim" }, int("dim", 30)), "'dim")
    resume_error(edit(base, { "n" }, int("n", 568)), "'n")
    resume_error(edit(base, { "batch" }, int("batch", 32)), "'batch")
    resume_error(edit(base, { "accumulate" }, int("accumulate", 2)), "'accumulate")
    resume_error(edit(base, { "optimizer" }, str("optimizer", "sgd")), "'optimizer")
    resume_error(edit(base, { "schedule" }, str("schedule", "cosine")), "'schedule")
    resume_error(base, "'step", { steps = 4 })
    resume_error(base, "'optimizer", { optimizer = slope.optim.adamw{ lr = 1e-2 } })
    resume_error(base, "'batch", { batch = 65 })
  end)
  it("a stateful schedule: its state missing or damaged", function()
    local p = tmp .. "/plateau.ckpt"
    local function pc(extra)
      local c = cfg(extra)
      c.schedule = slope.schedule.plateau{ lr = 1e-2 }
      return c
    end
    slope.train(pc{ steps = 5, checkpoint = { path = p } })
    local text = read(p)
    local ok = pcall(slope.train, pc{ resume = p })
    check.truthy(ok, "the plateau checkpoint resumes")
    resume_error(edit(text, { "sched" }, nil), "'sched", { schedule = slope.schedule.plateau{ lr = 1e-2 } })
    resume_error(edit(text, { "sched", "best" }, str("best", "x")), "'sched",
      { schedule = slope.schedule.plateau{ lr = 1e-2 } })
  end)
end)

describe("crafted checkpoints: damaged files", function()
  it("cut short anywhere", function()
    check.truthy(resume_error(""):find("empty", 1, true))
    check.truthy(resume_error(base:sub(1, 10)):find("bad header", 1, true))
    for _, frac in ipairs({ 0.1, 0.5, 0.9, 0.999 }) do
      check.truthy(resume_error(base:sub(1, math.floor(#base * frac))):find("truncated", 1, true))
    end
    check.truthy(resume_error(base:sub(1, #base - 1)):find("truncated", 1, true))
    check.truthy(resume_error(body_of(base)):find("truncated", 1, true))
  end)
  it("a wrong checksum", function()
    check.truthy(resume_error(base:gsub("int s4:step 5", "int s4:step 4")):find("checksum", 1, true))
    check.truthy(resume_error(base:gsub("end (%x+)", function(h) return "end " .. ("%08x"):format(tonumber(h, 16) ~ 1) end))
      :find("checksum", 1, true))
  end)
  it("garbage, a directory, tables nested deep", function()
    resume_error("\0\1\2garbage")
    resume_error(seal("slope-checkpoint 1\n" .. ("tab s1:a\n"):rep(100000) .. ("endtab\n"):rep(100000)))
    local d = tmp .. "/dir.ckpt"
    os.execute("mkdir -p " .. d)
    -- a folder, and files that read past their size (read until memory ran out before)
    for _, p in ipairs({ d, "/dev/zero", "/proc/self/status" }) do
      if p == d or io.open(p, "rb") then
        local t0 = slope.clock()
        local ok, err = pcall(slope.train, cfg{ resume = p })
        err = tostring(err)
        check.truthy(not ok and err:find("slope.train: resume", 1, true) and err:find(p, 1, true)
          and not err:find("attempt to", 1, true) and not err:find("memory", 1, true), err)
        check.truthy(slope.clock() - t0 < 2, "promptly")
      end
    end
  end)
end)

describe("crafted checkpoints: clean-up", function()
  it("removes its files", function()
    os.execute("rm -rf " .. tmp)
    check.truthy(io.open(tmp .. "/base.ckpt") == nil)
  end)
end)
