-- lr_find.lua — the learning-rate range test (Smith 2017, "Cyclical learning
-- rates", sec. 3.3; fastai's lr_find): run an optimizer from x0 while the rate
-- grows exponentially from min_lr to max_lr, record the loss, stop when it
-- blows up, and suggest the rate where the smoothed loss falls fastest.
local slope = ...

local FN = "slope.lr_find"
local DEFAULTS = { min_lr = 1e-7, max_lr = 10, steps = 100, batch = false, rng = false,
  smooth = 0.98, stop_factor = 4 }

local function fail(fmt, ...) error(FN .. ": " .. fmt:format(...), 3) end

local function method(obj, name)
  local ok, m = pcall(function() return obj[name] end)
  return ok and m or nil
end

local function number_opt(o, key, ok, want)
  local v = o[key]
  if v == nil then return DEFAULTS[key] end
  if type(v) ~= "number" or v ~= v or v == math.huge or v == -math.huge or not ok(v) then
    fail("%s must be %s, got %s", key, want, tostring(v))
  end
  return v
end

local function check_opts(o)
  if o == nil then o = {} end
  if type(o) ~= "table" then fail("options must be a table, got %s", type(o)) end
  for k in pairs(o) do
    if DEFAULTS[k] == nil then
      local keys = {}
      for name in pairs(DEFAULTS) do keys[#keys + 1] = name end
      table.sort(keys)
      fail("unknown option '%s' (expected one of: %s)", tostring(k), table.concat(keys, ", "))
    end
  end
  local r = {}
  r.min_lr = number_opt(o, "min_lr", function(v) return v > 0 end, "a positive number")
  r.max_lr = number_opt(o, "max_lr", function(v) return v > r.min_lr end, "a number > min_lr")
  r.steps = number_opt(o, "steps", function(v) return v >= 2 and v % 1 == 0 end, "an integer >= 2")
  r.smooth = number_opt(o, "smooth", function(v) return v >= 0 and v < 1 end, "a number in [0, 1)")
  r.stop_factor = number_opt(o, "stop_factor", function(v) return v > 1 end, "a number > 1")
  if o.batch ~= nil then
    r.batch = number_opt(o, "batch", function(v) return v >= 1 and v % 1 == 0 end, "an integer >= 1")
  end
  r.rng = o.rng
  return r
end

-- `batch` distinct indices in 1..n (rejection when small, a permutation otherwise).
local function sample(rng, n, batch, idx)
  if batch >= n then
    for i = 1, n do idx[i] = i end
    for i = n + 1, #idx do idx[i] = nil end
    return idx
  end
  if batch * 2 <= n then
    local seen = {}
    local k = 0
    while k < batch do
      local i = rng:int(n)
      if not seen[i] then seen[i] = true; k = k + 1; idx[k] = i end
    end
  else
    local p = rng:perm(n)
    for k = 1, batch do idx[k] = p[k] end
  end
  return idx
end

-- Index of the most negative slope of y against log(x) (numpy.gradient's
-- second-order central differences inside, one-sided at the ends).
local function steepest(logx, y, m, skip_start, skip_end)
  if m < 2 then return nil end
  local i0, i1 = 1 + skip_start, m - skip_end
  if i1 - i0 < 1 then i0, i1 = 1, m end
  local best, at = math.huge, nil
  for i = i0, i1 do
    local d
    if i == 1 then d = (y[2] - y[1]) / (logx[2] - logx[1])
    elseif i == m then d = (y[m] - y[m - 1]) / (logx[m] - logx[m - 1])
    else d = (y[i + 1] - y[i - 1]) / (logx[i + 1] - logx[i - 1]) end
    if d < best then best, at = d, i end
  end
  return at
end

local function lr_find(f, x0, make_opt, opts)
  local o = check_opts(opts)
  if method(f, "fg") == nil then fail("f must be an objective with f:fg(x, g), got %s", type(f)) end
  if type(x0) == "table" then x0 = slope.vec(x0) end
  if getmetatable(x0) ~= getmetatable(slope.vec{}) then fail("x0 must be a vec, got %s", type(x0)) end
  local opt
  if type(make_opt) == "function" then
    opt = make_opt(o.min_lr)
  else
    opt = make_opt
    if type(method(opt, "reset")) == "function" then opt:reset() end
  end
  if method(opt, "step") == nil then
    fail("make_opt must be an optimizer (with opt.lr and opt:step(x, g)) or a function lr -> optimizer, got %s",
      type(opt))
  end
  local n = method(f, "n")
  if o.batch and type(n) ~= "number" then fail("batch needs a data objective (f.n), got f.n = %s", tostring(n)) end
  local rng = o.rng or slope.rng(0)
  local x = x0:clone()
  local g = slope.vec.zeros(#x)
  local steps = o.steps
  local lrs, losses, smoothed = slope.vec.zeros(steps), slope.vec.zeros(steps), slope.vec.zeros(steps)
  local ratio = o.max_lr / o.min_lr
  local beta, avg, best, best_i = o.smooth, 0, math.huge, 1
  local idx = {}
  local m, stopped = 0, nil
  for i = 1, steps do
    local lr = o.min_lr * ratio ^ ((i - 1) / (steps - 1))
    opt.lr = lr
    local fi = f
    if o.batch then fi = f:batch(sample(rng, n, o.batch, idx)) end
    local loss = fi:fg(x, g)
    if type(loss) ~= "number" then fail("f:fg(x, g) returned %s, expected a number", type(loss)) end
    avg = beta * avg + (1 - beta) * loss
    local s = avg / (1 - beta ^ i) -- bias-corrected EMA (as fastai)
    m = i
    lrs[i], losses[i], smoothed[i] = lr, loss, s
    if s < best then best, best_i = s, i end
    if loss ~= loss or loss == math.huge or s > o.stop_factor * best then
      stopped = i
      break
    end
    opt:step(x, g)
  end
  local function head(v, k)
    local r = slope.vec.zeros(k)
    for i = 1, k do r[i] = v[i] end
    return r
  end
  -- the suggestion ignores the point that ended the run (it is past the blow-up)
  local fin = stopped and m - 1 or m
  local logx, y = {}, {}
  for i = 1, fin do logx[i] = math.log(lrs[i]); y[i] = smoothed[i] end
  -- like fastai, skip the noisy first tenth (at most 10 points) and the last
  -- twentieth (at most 5) before the end of the run
  local at = steepest(logx, y, fin, math.min(10, steps // 10), math.min(5, steps // 20))
  return {
    lr = head(lrs, m), loss = head(losses, m), smoothed = head(smoothed, m),
    suggestion = at and lrs[at] or nil,
    best_lr = lrs[best_i], stopped_at = stopped,
  }
end

slope._doc(lr_find, "slope.lr_find",
  "slope.lr_find(f, x0, make_opt [, {min_lr=1e-7, max_lr=10, steps=100, batch=, rng=, smooth=0.98, stop_factor=4}]) -> res",
  "LR range test (Smith 2017): from x0, lr grows geometrically min_lr..max_lr, one step each, until the smoothed "
    .. "loss exceeds stop_factor x its best. res = {lr, loss, smoothed (vecs), suggestion (steepest descent), best_lr, stopped_at}. "
    .. "make_opt: an optimizer (writable .lr, :step(x, g)) or a function lr -> optimizer; batch: minibatch size (needs f.n).")
slope.lr_find = lr_find
