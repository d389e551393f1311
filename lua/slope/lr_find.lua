-- lr_find.lua — the learning-rate range test (Smith 2017, "Cyclical learning
-- rates", sec. 3.3; fastai's lr_find): run an optimizer from x0 while the rate
-- grows exponentially from min_lr to max_lr, record the loss, stop when it
-- blows up, and suggest the rate where the smoothed loss falls fastest.
local slope = ...

local A = slope._args
local FN = "slope.lr_find"

local SPEC = A.spec(FN, {
  { "min_lr", A.positive, "the first (smallest) learning rate", 1e-7 },
  { "max_lr", A.positive, "the last rate, reached at step `steps` (must exceed min_lr)", 10 },
  { "steps", A.intabove(2), "steps (and rates, geometrically spaced) at most", 100 },
  { "batch", A.posint, "minibatch size per step (needs a data objective, f.n; default full batch)" },
  { "rng", A.rng, "random stream for the minibatches (default slope.rng(0))" },
  { "smooth", A.unit, "EMA factor of the smoothed loss (bias-corrected, as fastai)", 0.98 },
  { "stop_factor", A.above(1), "stop when the smoothed loss exceeds stop_factor x its best", 4 },
})

local function fail(fmt, ...) A.fail(FN, fmt, ...) end

local function method(obj, name)
  local ok, m = pcall(function() return obj[name] end)
  return ok and m or nil
end

-- an objective, or any object with f:fg(x, g) and f.dim (duck-typed)
local OBJ = { what = "an objective (slope.obj.*) or an object with f:fg(x, g)", check = function(v)
  if A.is(v, "slope.obj") then return true, v end
  if (type(v) == "table" or type(v) == "userdata") and type(method(v, "fg")) == "function" then return true, v end
  if type(v) == "function" then return false, nil, " (a constructor? call it: slope.obj.rosenbrock(2))" end
  return false
end }

-- an optimizer (writable .lr, :step(x, g)) or a function lr -> optimizer
local OPT = { what = "an optimizer (slope.optim.*, or an object with .lr and :step(x, g)) or a function lr -> optimizer",
  check = function(v)
    if type(v) == "function" then return true, v end
    if A.is(v, "slope.optim") then return true, v end
    if (type(v) == "table" or type(v) == "userdata") and type(method(v, "step")) == "function" then return true, v end
    return false
  end }

local function arg(name, t, v)
  local ok, nv, hint = t.check(v)
  if not ok then fail("%s must be %s, got %s%s", name, t.what, A.show(v), hint or "") end
  return nv
end

local function check_opts(opts)
  local o = A.options(SPEC, opts)
  if o.max_lr <= o.min_lr then
    fail("max_lr must be a number > min_lr = %s, got %s", A.show(o.min_lr), A.show(o.max_lr))
  end
  return o
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
  f = arg("f", OBJ, f)
  x0 = arg("x0", A.vec, x0)
  local dim = method(f, "dim")
  if math.type(dim) == "integer" and #x0 ~= dim then
    fail("dimension mismatch: x0 has %d entries, expected %d (f.dim)", #x0, dim)
  end
  make_opt = arg("make_opt", OPT, make_opt)
  local o = check_opts(opts)
  local n = method(f, "n")
  if o.batch and math.type(n) ~= "integer" then
    fail("batch needs a data objective (f.n); %s has no samples", A.show(f))
  end
  local opt
  if type(make_opt) == "function" then
    opt = make_opt(o.min_lr)
    if not (A.is(opt, "slope.optim") or ((type(opt) == "table" or type(opt) == "userdata")
        and type(method(opt, "step")) == "function")) then
      fail("make_opt(lr) must return an optimizer (with .lr and :step(x, g)), got %s", A.show(opt))
    end
  else
    opt = make_opt
    if type(method(opt, "reset")) == "function" then opt:reset() end
  end
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
    if type(loss) ~= "number" then fail("f:fg(x, g) returned %s, expected a number", A.show(loss)) end
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
    .. "make_opt: an optimizer (writable .lr, :step(x, g)) or a function lr -> optimizer; batch: minibatch size (needs f.n). "
    .. A.doc(SPEC))
slope.lr_find = lr_find
