-- train_dist_spec.lua — slope.train on a distributed objective under mpirun (K = 2
-- and 3): full-batch training equals the single-process run to 1e-10; minibatch
-- training keeps x and the optimizer state the same bits on every rank and resumes
-- bit for bit from a checkpoint at the same K; rank 0 alone writes logs and
-- checkpoints; ranks given different options, or an optimizer that depends on the
-- rank, stop with a clear error on every rank (no hang).
--
-- The distributed objective is slope.mpi.objective when this slope has it, and
-- otherwise a small one written here on slope.mpi.allreduce (value and gradient
-- weighted by each rank's rows, one message), so the training loop is checked
-- against an independent reduction too.

local mpi = slope.mpi
local K, rank = mpi.size(), mpi.rank()

local B = slope.data.load("breast_cancer")
local XB = slope.data.standardize(B.X)
local full = slope.obj.logistic{ X = XB, y = B.y, l2 = 1e-3 }
local N, D = #B.y, full.dim

-- this rank's rows: every K-th starting at rank + 1
local function shard_rows(X, y)
  local idx = {}
  for i = rank + 1, #y, K do idx[#idx + 1] = i end
  local Xs, ys = slope.mat.zeros(#idx, #X[1]), slope.vec.zeros(#idx)
  for j, i in ipairs(idx) do Xs[j]:copy(X[i]); ys[j] = y[i] end
  return Xs, ys
end
local Xs, ys = shard_rows(XB, B.y)
local loc = slope.obj.logistic{ X = Xs, y = ys, l2 = 1e-3 }

local function pack(buf, g, v, m)
  for i = 1, D do buf[i] = g[i] * m end
  buf[D + 1] = v * m
end

local function handmade()
  local n = #ys
  local total = mpi.allreduce(n)
  local o = { dim = D, n = math.tointeger(total), n_local = n }
  local buf = slope.vec.zeros(D + 1)
  local function fg_of(f, m, tot)
    return function(_, x, g)
      local v = f:fg(x, g)
      pack(buf, g, v, m)
      mpi.allreduce(buf)
      for i = 1, D do g[i] = buf[i] / tot end
      return buf[D + 1] / tot
    end
  end
  o.fg = fg_of(loc, n, total)
  function o.init() return slope.vec.zeros(D) end
  function o.local_batch(_, idx)
    local m = #idx
    return { dim = D, fg = fg_of(loc:batch(idx), m, mpi.allreduce(m)) }
  end
  return o
end

-- a list, not a table with keys: pairs() runs in another order on each rank (string
-- hashes are seeded per process), and the ranks must make the same collective calls
local objectives = { { "handmade", handmade() } }
if type(mpi.objective) == "function" then objectives[2] = { "slope.mpi.objective", mpi.objective(loc) } end

local tmp = os.tmpname()
if rank == 0 then os.remove(tmp); os.execute("mkdir -p " .. tmp) end
tmp = mpi.bcast(tmp, 0)
mpi.barrier()

-- the same bits on every rank: max and min over the ranks equal to this rank's vec
local function same_everywhere(v, what)
  local hi, lo = v:clone(), v:clone()
  mpi.allreduce(hi, "max")
  mpi.allreduce(lo, "min")
  for i = 1, #v do
    if hi[i] ~= v[i] or lo[i] ~= v[i] then error(("%s[%d] differs across ranks"):format(what, i), 2) end
  end
end

for _, entry in ipairs(objectives) do
  local name, F = entry[1], entry[2]
  describe("distributed slope.train (" .. name .. ", K = " .. K .. ")", function()
    it("full batch equals the single-process run to 1e-10", function()
      local xs = slope.vec.zeros(D)
      slope.train{ objective = full, optimizer = slope.optim.adam{ lr = 0.05 }, x = xs, steps = 30, quiet = true }
      local xd = slope.vec.zeros(D)
      local res = slope.train{ objective = F, optimizer = slope.optim.adam{ lr = 0.05 }, x = xd, steps = 30,
        quiet = true }
      check.eq(res.steps, 30)
      local diff = (xd - xs):norm() / xs:norm()
      check.truthy(diff <= 1e-10, ("relative difference %g"):format(diff))
      check.truthy(xs:norm() > 0.1, "the run moved")
    end)

    it("minibatch training keeps x and the optimizer state identical on every rank", function()
      local opt = slope.optim.sgd{ lr = 0.1, momentum = 0.9 }
      local x = slope.vec.zeros(D)
      local res = slope.train{ objective = F, optimizer = opt, x = x, epochs = 3, batch = 16,
        rng = slope.rng(5), quiet = true, sync_every = 1 }
      check.truthy(res.steps > 10, "steps " .. res.steps)
      same_everywhere(x, "x")
      local st, names = opt:state(), {}
      for k, v in pairs(st) do if slope._args.is(v, "slope.vec") then names[#names + 1] = k end end
      table.sort(names) -- the same order on every rank
      check.truthy(#names > 0, "the optimizer has state vecs")
      for _, k in ipairs(names) do same_everywhere(st[k], "state." .. k) end
      -- the minibatches differ between ranks: a rank's first-epoch losses are the averaged ones
      local loss = slope.vec(res.history.loss)
      same_everywhere(loss, "loss")
      check.truthy(full:value(x) < full:value(slope.vec.zeros(D)) * 0.5, "the loss fell")
    end)

    if name == "slope.mpi.objective" then
      it('batches = "global" draws rows of the whole data: the one-process run to 1e-10', function()
        local function run(obj, extra)
          local c = { objective = obj, x = slope.vec.zeros(D), optimizer = slope.optim.sgd{ lr = 0.05, momentum = 0.9 },
            epochs = 2, batch = 32, rng = slope.rng(5), quiet = true }
          for k, v in pairs(extra or {}) do c[k] = v end
          return slope.train(c)
        end
        local r1 = run(full)
        -- a contiguous shard, so global row i is row i of the whole data
        local mine = slope.data.shard({ X = XB, y = B.y }, rank, K)
        local Fc = slope.mpi.objective(slope.obj.logistic{ X = mine.X, y = mine.y, l2 = 1e-3 })
        local r = run(Fc, { batches = "global" })
        check.eq(r.steps, r1.steps)
        same_everywhere(r.x, "x")
        local diff = (r.x - r1.x):norm() / r1.x:norm()
        check.truthy(diff <= 1e-10, ("relative difference %g"):format(diff))
        local rl = run(Fc)
        check.truthy(rl.steps < r1.steps, "local batches: K x batch rows a step, fewer steps an epoch")
      end)
    end

    if name == "slope.mpi.objective" then
      it("probes sharpness and noise_scale the same on every rank", function()
        local res = slope.train{ objective = F, optimizer = slope.optim.sgd{ lr = 0.1 }, x = slope.vec.zeros(D),
          steps = 6, batch = 16, quiet = true, probes = { "sharpness", "noise_scale" }, probe_every = 3,
          probe_batch = 100 }
        local s = slope.vec(res.history.sharpness)
        local nsc = slope.vec(res.history.noise_scale)
        check.truthy(s[3] > 0 and nsc[3] > 0, "probed at step 3")
        for i = 1, #s do if s[i] ~= s[i] then s[i] = -1 end; if nsc[i] ~= nsc[i] then nsc[i] = -1 end end
        same_everywhere(s, "sharpness")
        same_everywhere(nsc, "noise_scale")
      end)
    end

    it("resumes bit for bit at the same K", function()
      local function run(extra)
        local c = { objective = F, optimizer = slope.optim.adam{ lr = 0.02 }, x = slope.vec.zeros(D), steps = 40,
          batch = 24, rng = slope.rng(9), quiet = true }
        for k, v in pairs(extra) do c[k] = v end
        return slope.train(c)
      end
      local whole = run{}
      local ck = tmp .. "/" .. name:gsub("%W", "_") .. ".ckpt"
      run{ steps = 17, checkpoint = { path = ck } }
      mpi.barrier()
      local resumed = run{ resume = ck }
      check.eq(resumed.steps, 40)
      for i = 1, D do
        if resumed.x[i] ~= whole.x[i] then error(("x[%d]: %.17g vs %.17g"):format(i, resumed.x[i], whole.x[i])) end
      end
      local ckd = slope.checkpoint.load(ck)
      check.eq(ckd.ranks, K, "the checkpoint names the rank count")
      check.eq(ckd.n, N, "the checkpoint holds the global row count")
    end)

    it("rank 0 alone writes the log and the checkpoint", function()
      local ck, log = ("%s/own_%d.ckpt"):format(tmp, rank), ("%s/own_%d.csv"):format(tmp, rank)
      slope.train{ objective = F, optimizer = slope.optim.adam{ lr = 0.02 }, x = slope.vec.zeros(D), steps = 6,
        batch = 32, quiet = true, log = log, checkpoint = { path = ck, every = 2 } }
      mpi.barrier()
      local function exists(p) local fh = io.open(p, "r"); if fh then fh:close() end; return fh ~= nil end
      for r = 0, K - 1 do
        check.eq(exists(("%s/own_%d.ckpt"):format(tmp, r)), r == 0, "checkpoint of rank " .. r)
        check.eq(exists(("%s/own_%d.csv"):format(tmp, r)), r == 0, "log of rank " .. r)
        check.eq(exists(("%s/own_%d.ckpt.tmp"):format(tmp, r)), false, "no probe file left by rank " .. r)
      end
      mpi.barrier()
    end)

    it("ranks given different options stop on every rank with the option named", function()
      check.errors(function()
        slope.train{ objective = F, optimizer = slope.optim.sgd{ lr = 0.1 }, x = slope.vec.zeros(D),
          steps = 5 + rank, quiet = true }
      end, "the ranks run different trainings: the number of steps")
      check.errors(function()
        slope.train{ objective = F, optimizer = slope.optim.sgd{ lr = 0.1 }, x = slope.vec.zeros(D),
          steps = 5, batch = 8 * (rank + 1), quiet = true }
      end, "batch is")
    end)

    it("on_step asking one rank to stop stops every rank", function()
      local res = slope.train{ objective = F, optimizer = slope.optim.sgd{ lr = 0.1 }, x = slope.vec.zeros(D),
        epochs = 3, batch = 16, quiet = true, on_step = function(r) return rank == K - 1 and r.step == 7 end }
      check.eq(res.steps, 7)
      check.eq(res.status, "stopped")
    end)

    it("an optimizer that depends on the rank is caught at the next check", function()
      local opt = { lr = 0.1 }
      function opt.step(self, x, g)
        x:axpy(-self.lr * (1 + 1e-9 * rank), g)
      end
      local err = check.errors(function()
        slope.train{ objective = F, optimizer = opt, x = slope.vec.zeros(D), epochs = 2, batch = 32, quiet = true }
      end, "the ranks diverged at step")
      check.truthy(err:find("slope.train", 1, true), err)
    end)
  end)
end
