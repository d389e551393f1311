-- mpi_spec.lua — slope.mpi in one process (rank 0 of 1, collectives the
-- identity), its argument checks, slope.data.shard's checks, and the MPI specs
-- of tests/mpi/ run at K = 1 (the distributed objective then gives the
-- shard's own bits). tests/mpi/run.sh runs those specs under mpirun.
local M = slope.mpi

describe("slope.mpi in one process", function()
  it("is rank 0 of 1 and says why", function()
    check.eq(M.rank(), 0)
    check.eq(M.size(), 1)
    local on, why = M.available()
    check.eq(on, false)
    check.truthy(why:find("mpirun", 1, true), why)
  end)

  it("names the function and the argument on misuse", function()
    local v = slope.vec{ 1, 2 }
    check.errors(function() M.allreduce(v, "prod") end, 'slope.mpi.allreduce: op must be "sum", "max" or "min", got "prod"')
    check.errors(function() M.allreduce(v, 3) end, "slope.mpi.allreduce: op must be")
    check.errors(function() M.allreduce("x") end, "slope.mpi.allreduce: v must be a vec or a number, got string")
    check.errors(function() M.allreduce() end, "slope.mpi.allreduce: v must be a vec or a number, got no value")
    check.errors(function() M.bcast(v, 1) end, "slope.mpi.bcast: root must be an integer rank in 0..0, got 1")
    check.errors(function() M.bcast(v, 0.5) end, "slope.mpi.bcast: root must be an integer rank in 0..0, got 0.5")
    check.errors(function() M.bcast(v, "0") end, "slope.mpi.bcast: root must be")
    check.errors(function() M.bcast({}) end, "slope.mpi.bcast: v must be a number, string, boolean or nil")
    check.errors(function() M.gather({}) end, "slope.mpi.gather: value must be a number, string, boolean or nil, got table")
    check.errors(function() M.gather(1, -1) end, "slope.mpi.gather: root must be")
    check.errors(function() M.gather(1, 0 / 0) end, "got nan")
    check.errors(function() M.abort({}) end, "slope.mpi.abort: msg must be a string, got table")
    check.errors(function() M.abort("x", 0) end, "slope.mpi.abort: code must be an integer in 1..255, got 0")
    check.errors(function() M.abort("x", 2.5) end, "slope.mpi.abort: code must be an integer in 1..255, got 2.5")
    check.errors(function() M.abort("x", "3") end, "slope.mpi.abort: code must be")
  end)

  it("slope.mpi.objective checks its arguments", function()
    local f = slope.obj.logistic{ X = slope.mat{ { 1, 2 }, { 3, 4 } }, y = { 0, 1 } }
    check.errors(function() M.objective(nil) end, "slope.mpi.objective: f_local must be an objective")
    check.errors(function() M.objective(slope.obj.rosenbrock) end, "slope.mpi.objective: f_local must be an objective")
    check.errors(function() M.objective(f, 3) end, "slope.mpi.objective: options must be a table")
    check.errors(function() M.objective(f, { wieght = "rows" }) end, "slope.mpi.objective: unknown option 'wieght'")
    check.errors(function() M.objective(f, { weight = "samples" }) end,
      'slope.mpi.objective: weight must be "rows" or "ranks", got "samples"')
    check.errors(function() M.objective(f, { weight = 1 }) end, "slope.mpi.objective: weight must be")
    check.errors(function() M.objective(f, { "rows" }) end, "slope.mpi.objective: positional value")
    check.errors(function() M.objective(slope.obj.rosenbrock(2)) end, 'give a data objective, or {weight = "ranks"}')
    local g = M.objective(f)
    check.errors(function() g:local_batch({ 3 }) end, "batch")
    check.errors(function() g:local_batch("x") end, "batch")
    local r = M.objective(slope.obj.rosenbrock(2), { weight = "ranks" })
    check.eq(r.n, nil)
    check.errors(function() r:local_batch({ 1 }) end, "local_batch: the shard's objective rosenbrock has no rows")
    check.errors(function() r:batch({ 1 }) end, "is not a data objective")
    check.eq(r:value(slope.vec{ 1, 1 }), 0)
    local shard = slope.obj.rosenbrock(2)
    local w = M.objective(shard, { weight = "ranks" })
    shard:close()
    check.errors(function() w:value(slope.vec{ 1, 1 }) end, "slope.mpi.objective: the shard's objective was closed")
    check.errors(function() slope.minimize(w, { 0, 0 }) end, "the shard's objective was closed")
  end)

  it("slope.data.shard checks its arguments", function()
    local D = { X = slope.mat{ { 1 }, { 2 }, { 3 } }, y = slope.vec{ 1, 2, 3 } }
    local sh = slope.data.shard
    check.errors(function() sh(nil, 0, 1) end, "slope.data.shard: D must be a data set")
    check.errors(function() sh(D, 0, 0) end, "slope.data.shard: size must be an integer >= 1")
    check.errors(function() sh(D, 0, 1.5) end, "slope.data.shard: size must be an integer >= 1 (slope.mpi.size()), got 1.5")
    check.errors(function() sh(D, 2, 2) end, "slope.data.shard: rank must be an integer in 0..size-1")
    check.errors(function() sh(D, -1, 2) end, "slope.data.shard: rank must be")
    check.errors(function() sh(D, "0", 2) end, "slope.data.shard: rank must be")
    check.errors(function() sh(D, 0, 2, 5) end, "slope.data.shard: options must be a table")
    check.errors(function() sh(D, 0, 2, { mode = "blocks" }) end, 'mode must be "contiguous" or "strided", got "blocks"')
    check.errors(function() sh(D, 0, 2, { mode = 1 }) end, "slope.data.shard: mode must be")
    check.errors(function() sh(D, 0, 2, { mdoe = "strided" }) end, "slope.data.shard: unknown option 'mdoe'")
    check.errors(function() sh({ X = 1 }, 0, 2) end, "slope.data.shard: D.X must be a mat or csr, got number")
    check.errors(function() sh({ X = D.X, y = slope.vec{ 1 } }, 0, 2) end, "D.y has 1 entries but D.X has 3 rows")
    -- contiguous blocks differ by at most one row, in rank order; strided rows r+1, r+1+K, ...
    local a, b = sh(D, 0, 2), sh(D, 1, 2)
    check.veq(a.y, { 1 })
    check.veq(b.y, { 2, 3 })
    check.veq(sh(D, 0, 2, { mode = "strided" }).y, { 1, 3 })
    check.veq(sh(D, 1, 2, { mode = "strided" }).y, { 2 })
    -- 3 rows on 5 ranks: rank r holds rows floor(3r/5) .. floor(3(r+1)/5) - 1
    local sizes = {}
    for r = 0, 4 do sizes[r + 1] = #sh(D, r, 5).y end
    check.eq(table.concat(sizes, ","), "0,1,0,1,1")
    check.eq(#sh(D, 4, 5, { mode = "strided" }).y, 0)
    local C = sh({ X = slope.csr.from_dense(slope.mat{ { 1, 0 }, { 0, 2 }, { 3, 0 } }), y = D.y }, 1, 2, { mode = "strided" })
    check.eq(C.X:todense()[1][2], 2)
  end)
end)

describe("the readers' part options", function()
  local npy = os.tmpname() .. ".npy"
  slope.data.save_npy(npy, slope.mat{ { 1, 2 }, { 3, 4 }, { 5, 6 } })
  local svm = os.tmpname() .. ".svm"
  local fh = assert(io.open(svm, "w"))
  fh:write("1 1:1\n0 2:1\n1 1:2 2:2\n")
  fh:close()
  it("check rows and shard", function()
    local n = slope.data.npy
    for _, bad in ipairs{ 3, "1,2", { 1 }, { 1, 2, 3 }, { 0, 2 }, { 3, 1 }, { 1.5, 2 }, { "1", 2 }, { 1, 0 / 0 } } do
      check.errors(function() n(npy, { rows = bad }) end, "slope.data.npy: rows must be {first, last}")
    end
    check.errors(function() n(npy, { rows = { 2, 4 } }) end, "slope.data.npy: rows {2, 4} is past the file's 3 rows")
    for _, bad in ipairs{ 1, "0", { 0 }, { 1, 1 }, { -1, 2 }, { 0, 0 }, { 0.5, 2 }, { 0, 2, 1 } } do
      check.errors(function() n(npy, { shard = bad }) end, "slope.data.npy: shard must be {rank, size}")
      check.errors(function() slope.data.libsvm(svm, { shard = bad }) end, "slope.data.libsvm: shard must be {rank, size}")
    end
    check.errors(function() n(npy, { rows = { 1, 2 }, shard = { 0, 2 } }) end, "give rows or shard, not both")
    check.eq(#n(npy, { rows = { 2, 1 } }), 0)
    check.veq(n(npy, { rows = { 3, 3 } })[1], { 5, 6 })
    check.veq(n(npy, { shard = { 1, 2 } })[2], { 5, 6 })
    local a, b = slope.data.libsvm(svm, { shard = { 0, 2 } }), slope.data.libsvm(svm, { shard = { 1, 2 } })
    check.eq(#a.y + #b.y, 3)
  end)
  os.remove(npy)
  os.remove(svm)
end)

dofile("tests/mpi/collectives_spec.lua")
dofile("tests/mpi/objective_spec.lua")
dofile("tests/mpi/probes_spec.lua")
dofile("tests/mpi/data_spec.lua")
