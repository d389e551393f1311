-- train_spec.lua — slope.train, slope.checkpoint and the run logs, on a
-- least-squares objective and an SGD optimizer written in plain Lua (duck typing:
-- anything with the objective and optimizer methods trains).

local function lsq(n, d, seed)
  local r = slope.rng(seed)
  local X, y = {}, {}
  local w = slope.vec.randn(d, r)
  for i = 1, n do
    X[i] = slope.vec.randn(d, r)
    y[i] = X[i]:dot(w) + 0.1 * r:normal()
  end
  local function make(rows)
    local o = { dim = d, n = #rows }
    function o:fg(x, g)
      g:fill(0)
      local f = 0
      for _, i in ipairs(rows) do
        local res = X[i]:dot(x) - y[i]
        f = f + 0.5 * res * res
        g:axpy(res / #rows, X[i])
      end
      return f / #rows, g
    end
    function o:value(x) return (self:fg(x, slope.vec.zeros(d))) end
    function o:batch(idx)
      local sub = {}
      for k, p in ipairs(idx) do sub[k] = rows[p] end
      return make(sub)
    end
    function o:init() return slope.vec.zeros(d) end
    return o
  end
  local all = {}
  for i = 1, n do all[i] = i end
  return make(all), w
end

local function sgd(lr)
  return {
    lr = lr, t = 0,
    step = function(self, x, g) x:axpy(-self.lr, g); self.t = self.t + 1 end,
    state = function(self) return { lr = self.lr, t = self.t } end,
    load = function(self, s) self.lr = s.lr; self.t = s.t end,
  }
end

local tmp = os.tmpname()
os.remove(tmp)
os.execute("mkdir -p " .. tmp)

describe("slope.train", function()
  it("trains, counts steps and epochs, and logs", function()
    local f = lsq(100, 3, 1)
    local run = slope.train{ objective = f, optimizer = sgd(0.1), epochs = 5, batch = 10,
      rng = slope.rng(1), quiet = true, log = { tmp .. "/a.csv", tmp .. "/a.jsonl" },
      probes = { "grad_norm", "update_ratio", "grad_cos" } }
    check.eq(run.status, "done")
    check.eq(run.steps, 50)
    check.eq(run.epochs, 5)
    check.eq(#run.history.step, 50)
    check.truthy(run.history.loss[50] < run.history.loss[1])
    check.truthy(run.history.update_ratio[10] > 0)
    local lines = 0
    for _ in io.lines(tmp .. "/a.csv") do lines = lines + 1 end
    check.eq(lines, 51)
    local first = io.lines(tmp .. "/a.jsonl")()
    check.truthy(first:find('"step":1', 1, true) and first:find('"loss":', 1, true))
  end)

  it("accumulates gradients: k minibatches per step", function()
    local f = lsq(100, 3, 2)
    local run = slope.train{ objective = f, optimizer = sgd(0.1), epochs = 2, batch = 10,
      accumulate = 5, rng = slope.rng(1), quiet = true }
    check.eq(run.steps, 4)
  end)

  it("resumes from a checkpoint bit for bit", function()
    local f = lsq(60, 4, 3)
    local whole = slope.train{ objective = f, optimizer = sgd(0.05), epochs = 6, batch = 8,
      rng = slope.rng(9), quiet = true }
    local ck = tmp .. "/run.ckpt"
    local part = slope.train{ objective = f, optimizer = sgd(0.05), steps = 17, batch = 8,
      rng = slope.rng(9), quiet = true, checkpoint = { path = ck, every = 5 } }
    check.eq(part.steps, 17)
    -- resume with a fresh optimizer and generator: everything comes from the checkpoint
    local rest = slope.train{ objective = f, optimizer = sgd(123), epochs = 6, batch = 8,
      rng = slope.rng(12345), quiet = true, resume = ck, x = f:init() }
    check.eq(rest.steps, whole.steps)
    for i = 1, 4 do check.eq(rest.x[i], whole.x[i], "coordinate " .. i) end
    check.eq(#rest.history.step, #whole.history.step)
  end)

  it("stops on a non-finite loss with the step and the last finite loss", function()
    local f = lsq(50, 3, 4)
    local run = slope.train{ objective = f, optimizer = sgd(50), steps = 200, quiet = true }
    check.eq(run.status, "nonfinite")
    check.truthy(run.message:find("last finite loss", 1, true), run.message)
    check.truthy(run.message:match("^step %d+: "), run.message)
  end)

  it("rolls back and halves the lr when asked", function()
    local f = lsq(50, 3, 4)
    local opt = sgd(50)
    local run = slope.train{ objective = f, optimizer = opt, steps = 600, quiet = true,
      on_nonfinite = "rollback" }
    check.eq(run.status, "done")
    check.truthy(opt.lr < 50 / 8, "lr halved several times, now " .. opt.lr)
    check.truthy(run.history.loss[#run.history.loss] < 1, "converged after the rollbacks")
  end)

  it("stops early and restores the best point", function()
    local f = lsq(80, 3, 5)
    local val = lsq(40, 3, 6)
    local run = slope.train{ objective = f, optimizer = sgd(0.3), epochs = 50, batch = 8,
      rng = slope.rng(2), quiet = true, validation = val, eval_every = 2,
      early_stopping = { patience = 3, restore_best = true } }
    check.eq(run.status, "early_stopped")
    check.near(val:value(run.x), run.best.value, 1e-15)
  end)

  it("calls on_step with every figure and can stop", function()
    local seen = 0
    local run = slope.train{ objective = lsq(20, 2, 7), optimizer = sgd(0.1), steps = 50,
      quiet = true, on_step = function(info)
        seen = seen + 1
        check.truthy(info.loss and info.grad_norm and info.x)
        return info.step == 7
      end }
    check.eq(seen, 7); check.eq(run.status, "stopped")
  end)

  it("tracks sharpness and the noise scale on a C objective", function()
    local r = slope.rng(11)
    local X = slope.mat.zeros(300, 4)
    local y = slope.vec.zeros(300)
    for i = 1, 300 do
      for j = 1, 4 do X[i][j] = r:normal() * j end
      y[i] = r:normal()
    end
    local f = slope.spectrum.toy.least_squares(X, y)
    local lam = slope.spectrum.eigs(f:hessian(slope.vec.zeros(4)), { order = "desc" })
    local run = slope.train{ objective = f, optimizer = sgd(0.01), epochs = 3, batch = 30,
      rng = slope.rng(3), quiet = true, probes = { "sharpness", "noise_scale" }, probe_every = 5 }
    local s = run.history.sharpness
    check.near(s[1], lam[1], 1e-6)   -- a quadratic's sharpness is its top eigenvalue
    check.near(run.history.sharpness_lr[1], 0.01 * lam[1], 1e-6)
    check.truthy(run.history.noise_scale[1] > 0)
    check.truthy(s[2] ~= s[2], "probes run every probe_every steps only (NaN elsewhere)")
  end)

  it("rejects bad options with messages naming slope.train", function()
    local f = lsq(10, 2, 8)
    check.errors(function() slope.train{ objective = f, optimizer = sgd(1), steps = 1, lr = 3 } end,
      "slope.train: unknown option 'lr'")
    check.errors(function() slope.train{ objective = 3, optimizer = sgd(1), steps = 1 } end, "objective must be")
    check.errors(function() slope.train{ objective = f, optimizer = {}, steps = 1 } end, "optimizer must be")
    check.errors(function() slope.train{ objective = f, optimizer = sgd(1) } end, "give epochs or steps")
    check.errors(function() slope.train{ objective = f, optimizer = sgd(1), steps = 0 } end, "steps must be a positive integer")
    check.errors(function() slope.train{ objective = f, optimizer = sgd(1), steps = 1, clip = -1 } end, "clip must be")
    check.errors(function() slope.train{ objective = f, optimizer = sgd(1), steps = 1, probes = { "x" } } end, "unknown probe 'x'")
    check.errors(function() slope.train{ objective = f, optimizer = sgd(1), steps = 1, log = "a.txt" } end, ".csv or .jsonl")
  end)
end)

describe("slope.checkpoint", function()
  it("round-trips numbers, vecs, strings and tables exactly", function()
    local p = tmp .. "/c.ckpt"
    local t = { a = 1 / 3, b = 7, s = "two\nlines", v = slope.vec{ 1e-310, -2.5, 0 / 0, math.huge },
      nested = { [1] = true, [2] = slope.vec{ 3 } } }
    slope.checkpoint.save(p, t)
    local u = slope.checkpoint.load(p)
    check.eq(u.a, 1 / 3); check.eq(math.type(u.b), "integer"); check.eq(u.s, "two\nlines")
    check.eq(u.v[1], 1e-310); check.truthy(u.v[3] ~= u.v[3]); check.eq(u.v[4], math.huge)
    check.eq(u.nested[1], true); check.eq(u.nested[2][1], 3.0)
  end)

  it("rejects corrupted and truncated files, keeping the previous one", function()
    local p = tmp .. "/d.ckpt"
    slope.checkpoint.save(p, { x = slope.vec{ 1, 2, 3 }, step = 4 })
    local text = io.open(p, "rb"):read("a")
    local bad = tmp .. "/bad.ckpt"
    local function write(s) local f = io.open(bad, "wb"); f:write(s); f:close() end
    write(text:sub(1, #text - 20))
    check.errors(function() slope.checkpoint.load(bad) end, "slope.checkpoint.load")
    write((text:gsub("0x1p%+0", "0x1p+1", 1)))
    check.errors(function() slope.checkpoint.load(bad) end, "checksum mismatch")
    write("print('hello')\n")
    check.errors(function() slope.checkpoint.load(bad) end, "not a slope checkpoint")
    write(text:gsub("vec s1:x 3", "vec s1:x 9"))
    check.errors(function() slope.checkpoint.load(bad) end, "bad.ckpt:")
    check.errors(function() slope.checkpoint.save(p, { f = print }) end, "only numbers, strings")
    check.eq(slope.checkpoint.load(p).step, 4) -- the good one is intact
  end)
end)

describe("slope.train with built-in parts", function()
  it("resumes an Adam run on logistic regression bit for bit, schedule included", function()
    local D = slope.data.load("breast_cancer")
    local Xs = slope.data.standardize(D.X)
    local f = slope.obj.logistic{ X = Xs, y = D.y, l2 = 1e-3, intercept = true }
    local function run(extra)
      local cfg = { objective = f, optimizer = slope.optim.adam{ lr = 1e-2 }, epochs = 4, batch = 64,
        rng = slope.rng(5), quiet = true, x = slope.vec.zeros(f.dim),
        schedule = slope.schedule.cosine{ lr = 1e-2, steps = 36 } }
      for k, v in pairs(extra or {}) do cfg[k] = v end
      return slope.train(cfg)
    end
    local whole = run()
    check.eq(whole.steps, 36)
    local ck = tmp .. "/adam.ckpt"
    run{ steps = 13, checkpoint = { path = ck, every = 13 } }
    local rest = run{ resume = ck }
    for i = 1, f.dim do check.eq(rest.x[i], whole.x[i], "coordinate " .. i) end
    check.truthy(whole.history.loss[36] < whole.history.loss[1])
  end)

  it("clips the gradient norm before the step", function()
    local f = slope.obj.least_squares{ X = slope.mat{ { 1, 0 }, { 0, 1 } }, y = slope.vec{ 100, 100 } }
    local got
    slope.train{ objective = f, optimizer = slope.optim.sgd{ lr = 1 }, steps = 1, clip = 1.0, quiet = true,
      x = slope.vec.zeros(2), on_step = function(info) got = info.g:norm() end }
    check.near(got, 1.0, 1e-12)
  end)
end)

describe("writers leave nothing behind on bad paths", function()
  it("checkpoint.save and save_npy refuse non-paths and clean up failed renames", function()
    check.errors(function() slope.checkpoint.save("", {}) end, "path must be a non-empty string")
    check.errors(function() slope.data.save_npy(1e12, slope.vec{ 1 }) end, "path must be a non-empty string")
    check.errors(function() slope.data.save_npy("", slope.vec{ 1 }) end, "path must be a non-empty string")
    local d = os.tmpname()
    os.remove(d)
    os.execute("mkdir -p " .. d .. "/target")
    -- renaming a file onto a directory fails: the temporary file must be removed
    check.errors(function() slope.checkpoint.save(d .. "/target", { a = 1 }) end, "slope.checkpoint.save")
    check.truthy(io.open(d .. "/target.tmp") == nil, "no .tmp file left behind")
    os.execute("rm -rf " .. d)
  end)
end)
