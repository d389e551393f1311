-- train_mpi_spec.lua — the distributed parts of slope.train seen from one process:
-- checkpoints record the rank count and a resume with another count is refused by
-- name; sync_every is accepted and changes nothing; slope.mpi.objective of one
-- process trains to the same bits as its shard.

local B = slope.data.load("breast_cancer")
local XB = slope.data.standardize(B.X)
local lg = slope.obj.logistic{ X = XB, y = B.y, l2 = 1e-3 }

local tmp = os.tmpname()
os.remove(tmp)
os.execute("mkdir -p " .. tmp)

local function cfg(extra)
  local c = { objective = lg, optimizer = slope.optim.adam{ lr = 1e-2 }, steps = 12, batch = 64,
    rng = slope.rng(3), quiet = true, x = slope.vec.zeros(lg.dim) }
  for k, v in pairs(extra or {}) do c[k] = v end
  return c
end

describe("slope.train and the rank count", function()
  it("writes ranks = 1 in a checkpoint of one process", function()
    local ck = tmp .. "/one.ckpt"
    slope.train(cfg{ checkpoint = { path = ck } })
    check.eq(slope.checkpoint.load(ck).ranks, 1)
  end)

  it("refuses to resume a checkpoint written by another number of ranks, naming it", function()
    local ck = tmp .. "/two.ckpt"
    slope.train(cfg{ steps = 5, checkpoint = { path = ck } })
    local t = slope.checkpoint.load(ck)
    t.ranks = 2
    slope.checkpoint.save(ck, t)
    local steps = 0
    local err = check.errors(function()
      slope.train(cfg{ resume = ck, on_step = function() steps = steps + 1 end })
    end, "slope.train: resume: checkpoint " .. ck .. " was written with ranks = 2; this run has ranks = 1")
    check.truthy(err:find("field 'ranks'", 1, true) and err:find("mpirun -np", 1, true), err)
    check.eq(steps, 0)
    t.ranks = 0
    slope.checkpoint.save(ck, t)
    check.errors(function() slope.train(cfg{ resume = ck }) end, "field 'ranks' must be a positive integer")
  end)

  it("accepts sync_every in one process without changing the run", function()
    local a = slope.train(cfg{ sync_every = 1 })
    local b = slope.train(cfg{})
    for i = 1, lg.dim do check.eq(a.x[i], b.x[i]) end
  end)

  it("trains slope.mpi.objective of one process to the bits of its shard", function()
    local F = slope.mpi.objective(lg)
    local a = slope.train(cfg{ objective = F, batch = 32 })
    local b = slope.train(cfg{ batch = 32 })
    for i = 1, lg.dim do check.eq(a.x[i], b.x[i], "x[" .. i .. "]") end
  end)
end)

os.execute("rm -rf " .. tmp)
