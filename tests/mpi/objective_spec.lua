-- objective_spec.lua — slope.mpi.objective at K ranks against the same model
-- on the whole data in one process: value, gradient, HVP, the L-BFGS optimum,
-- the top Hessian eigenvalues and a full-batch slope.train run agree to
-- relative 1e-10, and every rank holds the same bits. Run by tests/mpi/run.sh
-- under mpirun (K = 2 and 3); at K = 1 it checks the wrapper is the identity.
local H = dofile("tests/mpi/helpers.lua")
local M = slope.mpi

for _, e in ipairs(H.MODELS) do
  describe(e[1], function()
    local f, f1 = H.pair(e)
    local x0 = f1:init(slope.rng(7))
    for i = 1, #x0 do x0[i] = x0[i] + 0.1 * math.sin(i) end

    it("has the whole data's size and this rank's shard", function()
      check.eq(f.n, f1.n)
      check.eq(f.dim, f1.dim)
      check.eq(M.allreduce(f.n_local), f1.n)
      check.eq(#f.rows, H.size)
      check.eq(f.rows[H.rank + 1], f.n_local)
      check.eq(f:shard().n, f.n_local)
    end)

    it("value, gradient and HVP equal the single-process ones, same bits on every rank", function()
      local v, g = f:fg(x0)
      local v1, g1 = f1:fg(x0)
      local dir = slope.vec.randn(f.dim, slope.rng(3))
      local hv, hv1 = f:hvp(x0, dir), f1:hvp(x0, dir)
      local sv = H.same_on_all_ranks(v) and H.same_on_all_ranks(g) and H.same_on_all_ranks(hv)
      check.truthy(sv, "value, gradient and HVP differ between ranks")
      check.truthy(H.rel(v, v1) < 1e-13, ("value rel %g"):format(H.rel(v, v1)))
      check.truthy(H.rel(g, g1) < 1e-12, ("gradient rel %g"):format(H.rel(g, g1)))
      check.truthy(H.rel(hv, hv1) < 1e-12, ("hvp rel %g"):format(H.rel(hv, hv1)))
      if H.size == 1 then -- one process: the wrapper gives the shard's own bits
        check.eq(H.bits(v), H.bits(v1))
        check.eq(H.bits(g), H.bits(g1))
        check.eq(H.bits(hv), H.bits(hv1))
      end
    end)

    it("L-BFGS reaches the single-process optimum to 1e-10", function()
      local convex = e[1]:match("^mlp") == nil
      local opts = convex and { method = "lbfgs", gtol = 1e-13, maxiter = 2000 }
        or { method = "lbfgs", gtol = 0, ftol = 0, maxiter = 40 }
      local r = slope.minimize(f, x0:clone(), opts)
      local r1 = slope.minimize(f1, x0:clone(), opts)
      local same = H.same_on_all_ranks(r.x) and H.same_on_all_ranks(r.f)
      check.truthy(same, "optimum differs between ranks")
      check.truthy(H.rel(r.f, r1.f) < 1e-10, ("f* rel %g"):format(H.rel(r.f, r1.f)))
      check.truthy(H.rel(r.x, r1.x) < 1e-10, ("x* rel %g (%s, %d vs %d iterations)"):format(
        H.rel(r.x, r1.x), r.status, r.nit, r1.nit))
    end)

    it("top Hessian eigenvalues equal the single-process ones", function()
      local t = slope.spectrum.top(f, x0, { k = 3, rng = slope.rng(4), tol = 1e-10 })
      local t1 = slope.spectrum.top(f1, x0, { k = 3, rng = slope.rng(4), tol = 1e-10 })
      check.truthy(H.same_on_all_ranks(t.values), "eigenvalues differ between ranks")
      for i = 1, 3 do
        check.truthy(H.rel(t.values[i], t1.values[i]) < 1e-10,
          ("eigenvalue %d rel %g"):format(i, H.rel(t.values[i], t1.values[i])))
      end
    end)

    it("a full-batch slope.train run equals the single-process run", function()
      local function run(obj)
        return slope.train{ objective = obj, x = x0:clone(), optimizer = slope.optim.adam{ lr = 1e-2 },
          epochs = 25, quiet = true }
      end
      local r, r1 = run(f), run(f1)
      check.truthy(H.same_on_all_ranks(r.x), "trained x differs between ranks")
      check.truthy(H.rel(r.x, r1.x) < 1e-10, ("x rel %g"):format(H.rel(r.x, r1.x)))
      check.eq(r.steps, 25)
    end)

    it("a minibatch slope.train run (batches of global rows) equals the single-process run", function()
      -- batches = "global": train draws the same row permutation on every rank (same
      -- rng seed); each rank evaluates the batch's rows it holds, so the step is the
      -- whole batch's (the default, "local", has each rank draw from its own shard)
      local function run(obj)
        return slope.train{ objective = obj, x = x0:clone(), optimizer = slope.optim.sgd{ lr = 0.05, momentum = 0.9 },
          epochs = 2, batch = 32, rng = slope.rng(5), quiet = true, batches = "global" }
      end
      local r, r1 = run(f), run(f1)
      check.eq(r.steps, r1.steps)
      check.truthy(H.same_on_all_ranks(r.x), "trained x differs between ranks")
      check.truthy(H.rel(r.x, r1.x) < 1e-10, ("x rel %g"):format(H.rel(r.x, r1.x)))
    end)

    it("passes slope.check.grad and slope.check.hvp", function()
      local cg = slope.check.grad(f, x0)
      check.truthy(cg.ok, ("check.grad max_rel_err %g"):format(cg.max_rel_err))
      local ch = slope.check.hvp(f, x0, slope.vec.randn(f.dim, slope.rng(9)))
      check.truthy(ch.ok, ("check.hvp max_rel_err %g"):format(ch.max_rel_err))
    end)

    it("f:init gives the same point on every rank", function()
      check.truthy(H.same_on_all_ranks(f:init(slope.rng(H.rank + 1))))
    end)

    it("batches of global rows equal the single-process batches", function()
      local idx = {}
      for i = 1, 40 do idx[i] = (i * 37) % f.n + 1 end
      local v, g = f:batch(idx):fg(x0)
      local v1, g1 = f1:batch(idx):fg(x0)
      check.truthy(H.same_on_all_ranks(g))
      check.truthy(H.rel(v, v1) < 1e-13 and H.rel(g, g1) < 1e-12, "batch differs")
      local G, G1 = f:sample_grads(x0, { 1, f.n }), f1:sample_grads(x0, { 1, f.n })
      for k = 1, 2 do check.truthy(H.rel(G[k], G1[k]) < 1e-14, "sample gradient differs") end
    end)

    it("local batches: each rank its own rows, the average over ranks", function()
      -- rows 1..5 of every shard are, in global numbering, offset_r + 1..5
      local lb = f:local_batch({ 1, 2, 3, 4, 5 })
      local v, g = lb:fg(x0)
      local idx, off = {}, 0
      for r = 1, H.size do
        for i = 1, 5 do idx[#idx + 1] = off + i end
        off = off + f.rows[r]
      end
      local v1, g1 = f1:batch(idx):fg(x0)
      check.truthy(H.same_on_all_ranks(g))
      check.truthy(H.rel(v, v1) < 1e-13 and H.rel(g, g1) < 1e-12,
        ("local batch rel %g %g"):format(H.rel(v, v1), H.rel(g, g1)))
    end)
  end)
end

describe("weights and shards", function()
  local e = H.MODELS[1]
  it("weight = \"ranks\" averages the ranks' means", function()
    local _, f1, D = H.pair(e)
    local S = slope.data.shard(D, H.rank, H.size, { mode = "strided" })
    local f = M.objective(e[3](S), { weight = "ranks" })
    local x = slope.vec.zeros(f.dim):fill(0.05)
    local v = f:value(x)
    local want = 0
    for r = 0, H.size - 1 do
      want = want + e[3](slope.data.shard(D, r, H.size, { mode = "strided" })):value(x) / H.size
    end
    check.truthy(H.rel(v, want) < 1e-13, ("rel %g"):format(H.rel(v, want)))
    check.truthy(H.same_on_all_ranks(v))
    check.truthy(H.rel(f1:value(x), want) < 0.05) -- close to the row-weighted mean, not equal
  end)

  it("strided shards give the whole-data objective too", function()
    local f, f1 = H.pair(e, "strided")
    local x = slope.vec.zeros(f.dim):fill(-0.03)
    check.truthy(H.rel(f:value(x), f1:value(x)) < 1e-13)
  end)

  it("a Lua-defined objective (no HVP of its own) works through differences", function()
    local k = H.rank + 1
    local lf = slope.obj.lua{ dim = 2, fg = function(x, g)
      g[1], g[2] = k * x[1], 2 * x[2]
      return (k * x[1] ^ 2 + 2 * x[2] ^ 2) / 2
    end }
    local f = M.objective(lf, { weight = "ranks" })
    local x = slope.vec{ 1, 1 }
    local mean_k = (H.size + 1) / 2
    check.truthy(math.abs(f:value(x) - (mean_k + 2) / 2) < 1e-14)
    local hv = f:hvp(x, slope.vec{ 1, 0 })
    check.truthy(math.abs(hv[1] - mean_k) < 1e-6, ("hv %s"):format(tostring(hv)))
    check.truthy(H.same_on_all_ranks(hv))
    local r = slope.minimize(f, x, { method = "bfgs", gtol = 1e-10 })
    check.truthy(r.x:norm() < 1e-6)
  end)

  it("dimensions that differ across ranks are an error on every rank", function()
    local D = slope.data.load("iris")
    local cols = H.rank == 0 and 4 or 3
    local X = slope.mat.zeros(#D.X, cols)
    for i = 1, #D.X do for j = 1, cols do X[i][j] = D.X[i][j] end end
    local y = slope.vec.zeros(#D.y)
    for i = 1, #y do y[i] = D.y[i] > 0 and 1 or 0 end
    local make = function() return M.objective(slope.obj.logistic{ X = X, y = y }) end
    if H.size == 1 then
      check.eq(make().dim, 4)
    else
      local err = check.errors(make, "dimension mismatch across ranks")
      check.truthy(err:find(("f_local.dim is %d on rank %d"):format(cols, H.rank), 1, true), err)
    end
  end)
end)
