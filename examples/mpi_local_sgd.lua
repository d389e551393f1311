-- mpi_local_sgd.lua — local SGD and federated averaging on the slope.mpi
-- primitives. Each rank runs SGD on its own shard for H steps with no
-- communication, then the ranks average their parameters (one allreduce per
-- round instead of one per step):
--   local SGD (Stich 2019, "Local SGD converges fast and communicates little"):
--     shards drawn at random (i.i.d.), plain mean of the ranks' x;
--   FedAvg (McMahan et al. 2017, "Communication-efficient learning of deep
--     networks from decentralized data", Alg. 1): heterogeneous shards — rank r
--     holds mostly some of the classes — and the mean weighted by each rank's rows,
--     x = sum_r n_r x_r / sum_r n_r.
-- Both are compared with synchronous data-parallel SGD (slope.train on
-- slope.mpi.objective: one gradient allreduce per step) at the same number of
-- samples. The averaged x is summed over the ranks and then sent from rank 0,
-- so every rank continues from the same bits (MPI does not promise that an
-- allreduce leaves the same bits everywhere).
--
--   mpirun -np 2 build/slope examples/mpi_local_sgd.lua    (also runs without mpirun: K = 1)
-- SLOPE_QUICK=1 runs 3 rounds.
local slope = require "slope"
local quick = os.getenv("SLOPE_QUICK") == "1"
local mpi = slope.mpi
local K, rank = mpi.size(), mpi.rank()
local function say(...) if rank == 0 then print(...) end end

local D = slope.data.load("digits")
D.X = slope.data.standardize(D.X)
local full = slope.obj.softmax{X = D.X, y = D.y, classes = 10, l2 = 1e-3}
local dim = full.dim

-- i.i.d. shards: every K-th row of a shuffled order; heterogeneous: rows sorted by
-- class, cut into K blocks (rank r holds mostly classes around 10 r / K), and a
-- tenth of each rank's rows drawn from everywhere
local function rows_of(order)
  local X, y = slope.mat.zeros(#order, #D.X[1]), slope.vec.zeros(#order)
  for j, i in ipairs(order) do X[j]:copy(D.X[i]); y[j] = D.y[i] end
  return slope.obj.softmax{X = X, y = y, classes = 10, l2 = 1e-3}
end
local perm = slope.rng(7):perm(full.n)
local iid = {}
for k = rank + 1, full.n, K do iid[#iid + 1] = perm[k] end
local by_class = {}
for k = 1, full.n do by_class[k] = perm[k] end
table.sort(by_class, function(a, b) return D.y[a] < D.y[b] or (D.y[a] == D.y[b] and a < b) end)
local lo, hi = rank * full.n // K + 1, (rank + 1) * full.n // K
local het = {}
for k = lo, hi do het[#het + 1] = by_class[k] end
for k = 1, #het // 10 do het[k] = perm[(k * 7919 + rank * 131) % full.n + 1] end

-- H local steps of SGD (batch 32, momentum 0.9) from x on f, then the average
local function rounds(f, H, R, weighted, label)
  local x = slope.vec.zeros(dim)
  local opt = slope.optim.sgd{lr = 0.05, momentum = 0.9}
  local rng = slope.rng(100 + rank)
  local n = f.n
  local wsum = weighted and mpi.allreduce(n) or K
  local g = slope.vec.zeros(dim)
  for r = 1, R do
    for _ = 1, H do
      local idx = {}
      for k = 1, 32 do idx[k] = rng:int(n) end
      f:batch(idx):fg(x, g)
      opt:step(x, g)
    end
    x:scale(weighted and n / wsum or 1 / K) -- sum_r w_r x_r
    mpi.allreduce(x)
    mpi.bcast(x, 0) -- the same bits on every rank
    if r == R or r % math.max(1, R // 4) == 0 then
      say(("%-26s round %3d (%5d steps): loss %.4f"):format(label, r, r * H, full:value(x)))
    end
  end
  return full:value(x)
end

local H, R = 8, quick and 3 or 40
say(("%d rank(s); %d rounds of H = %d local steps, batch 32 per rank"):format(K, R, H))
local l_iid = rounds(rows_of(iid), H, R, false, "local SGD (i.i.d. shards)")
local l_het = rounds(rows_of(het), H, R, true, "FedAvg (by-class shards)")

-- synchronous data parallel: one allreduce per step, the same samples
local sync = mpi.objective(rows_of(iid))
local res = slope.train{objective = sync, optimizer = slope.optim.sgd{lr = 0.05, momentum = 0.9}, steps = H * R,
  batch = 32, rng = slope.rng(3), quiet = true}
local l_sync = full:value(res.x)
say(("synchronous SGD            %d steps, %d allreduces: loss %.4f"):format(H * R, H * R, l_sync))
say(("local SGD %.4f, FedAvg %.4f with %d allreduces (%dx fewer)"):format(l_iid, l_het, R, H))
