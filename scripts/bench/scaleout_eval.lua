-- scaleout_eval.lua N D REPS — the data-bound evaluation of 80_scaleout.sh: the
-- full-data logistic loss and gradient (slope.mpi.objective over the ranks'
-- shards, one reduction per call) of N rows x D features, 5 rounds of REPS calls. The rows
-- are 20 blocks made by slope.data.synthetic.logistic (block b seeded by b), each
-- rank making only its own blocks, so the data are the same at any K (N a
-- multiple of 20; K at most 20). Prints "seconds_per_call value" on rank 0: the
-- median round of the slowest rank (the ranks wait for one another in every call).
local slope = require "slope"
local n, d, reps = tonumber(arg[1]), tonumber(arg[2]), tonumber(arg[3])
local mpi = slope.mpi
local K, rank = mpi.size(), mpi.rank()
local NB = 20
local per = n // NB
local b0, b1 = rank * NB // K, (rank + 1) * NB // K -- this rank's blocks [b0, b1)
local X, y = slope.mat.zeros((b1 - b0) * per, d), slope.vec.zeros((b1 - b0) * per)
local row = 0
for b = b0, b1 - 1 do
  local S = slope.data.synthetic.logistic{n = per, d = d, seed = b + 1}
  for i = 1, per do
    row = row + 1
    X[row]:copy(S.X[i])
    y[row] = S.y[i]
  end
end
local f = mpi.objective(slope.obj.logistic{X = X, y = y, l2 = 1e-4})
local w, g = slope.vec.randn(d, slope.rng(1)) * 0.1, slope.vec.zeros(d)
for _ = 1, 3 do f:fg(w, g) end
-- 5 rounds of reps calls, the median round
local rounds, v = {}, nil
for r = 1, 5 do
  mpi.barrier()
  local t0 = slope.clock()
  for _ = 1, reps do v = f:fg(w, g) end
  rounds[r] = mpi.allreduce((slope.clock() - t0) / reps, "max")
end
table.sort(rounds)
if rank == 0 then print(("%.9g %.17g"):format(rounds[3], v)) end
