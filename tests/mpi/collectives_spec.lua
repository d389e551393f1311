-- collectives_spec.lua — slope.mpi's rank, size and collectives at K ranks
-- (tests/mpi/run.sh, K = 2 and 3) and at K = 1 (tests/lua/mpi_spec.lua, where
-- every collective is the identity): results computed independently from the
-- rank numbers each rank knows.
local M = slope.mpi
local rank, K = M.rank(), M.size()

describe("slope.mpi collectives", function()
  it("rank and size", function()
    check.truthy(math.type(rank) == "integer" and rank >= 0 and rank < K)
    check.eq(M.allreduce(1), K)
    check.eq(M.available(), K > 1 or os.getenv("OMPI_COMM_WORLD_SIZE") ~= nil)
  end)

  it("allreduce sum, max and min on a vec, in place", function()
    local v = slope.vec{ rank, 1, -rank, 0.5 * rank }
    local same = M.allreduce(v)
    check.truthy(rawequal(same, v))
    local s = K * (K - 1) / 2
    check.veq(v, { s, K, -s, 0.5 * s })
    v = slope.vec{ rank, -rank }
    M.allreduce(v, "max")
    check.veq(v, { K - 1, 0 })
    v = slope.vec{ rank, -rank }
    M.allreduce(v, "min")
    check.veq(v, { 0, -(K - 1) })
  end)

  it("allreduce on numbers returns the reduced number", function()
    check.eq(M.allreduce(rank + 1), K * (K + 1) // 2)
    check.eq(math.type(M.allreduce(rank + 1)), "integer")
    check.eq(M.allreduce(rank + 0.5, "max"), K - 0.5)
    check.eq(M.allreduce(rank + 0.5, "min"), 0.5)
  end)

  it("a long vec (past one OpenMP block) sums exactly", function()
    local n = 100003
    local v = slope.vec.zeros(n):fill(rank + 1)
    M.allreduce(v)
    check.eq(v[1], K * (K + 1) / 2)
    check.eq(v[n], K * (K + 1) / 2)
  end)

  it("bcast a vec in place and plain values from any root", function()
    local root = K - 1
    local v = slope.vec{ rank, rank * 2 }
    check.truthy(rawequal(M.bcast(v, root), v))
    check.veq(v, { root, 2 * root })
    check.eq(M.bcast(rank == 0 and "from zero" or "other"), "from zero")
    check.eq(M.bcast(rank * 10 + 0.25, root), root * 10 + 0.25)
    check.eq(M.bcast(rank == root, root), true)
    check.eq(math.type(M.bcast(rank + 7)), "integer")
  end)

  it("gather numbers and strings on root, nil elsewhere", function()
    local t = M.gather(("rank %d"):format(rank))
    if rank == 0 then
      check.eq(#t, K)
      for r = 1, K do check.eq(t[r], ("rank %d"):format(r - 1)) end
    else
      check.eq(t, nil)
    end
    local root = K - 1
    local u = M.gather(rank ^ 2 + 0.5, root)
    if rank == root then
      for r = 1, K do check.eq(u[r], (r - 1) ^ 2 + 0.5) end
    else
      check.eq(u, nil)
    end
    local long = M.gather(("x"):rep(1000 * (rank + 1)))
    if rank == 0 then check.eq(#long[K], 1000 * K) end
  end)

  it("barrier returns on every rank", function()
    M.barrier()
    check.eq(M.allreduce(1), K)
  end)

  it("vecs of different lengths are an error on every rank", function()
    local v = slope.vec.zeros(rank == 0 and 3 or 2)
    if K > 1 then
      check.errors(function() M.allreduce(v) end, "slope.mpi.allreduce: the vec has")
      check.errors(function() M.bcast(v) end, "slope.mpi.bcast: the vec has")
    else
      check.eq(#M.allreduce(v), 3)
    end
    check.eq(M.allreduce(1), K) -- still in step
  end)

  it("slope.data.shard: the ranks' shards cover every row once", function()
    local D = slope.data.load("iris")
    for _, mode in ipairs{ "contiguous", "strided" } do
      local S = slope.data.shard(D, rank, K, { mode = mode })
      check.eq(M.allreduce(#S.y), #D.y)
      local function total(X, y)
        local s = 0
        for i = 1, #X do s = s + X[i][1] * 3 + X[i][4] + y[i] * 7 end
        return s
      end
      check.near(M.allreduce(total(S.X, S.y)), total(D.X, D.y), 1e-12)
    end
  end)
end)
