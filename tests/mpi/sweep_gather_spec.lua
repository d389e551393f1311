-- sweep_gather_spec.lua — slope.sweep under mpirun (K = 2 and 3): every run of the
-- grid runs once, on rank (i - 1) % K; every rank returns the same rows in grid
-- order; a failed run keeps its message in its row; rank 0 alone writes the CSV
-- and the plot.

local mpi = slope.mpi
local K, rank = mpi.size(), mpi.rank()

local tmp = os.tmpname()
if rank == 0 then os.remove(tmp); os.execute("mkdir -p " .. tmp) end
tmp = mpi.bcast(tmp, 0)
mpi.barrier()

local function exists(p) local fh = io.open(p, "r"); if fh then fh:close() end; return fh ~= nil end

describe("slope.sweep over " .. K .. " ranks", function()
  it("gathers every run, each run once on its rank, the same rows on every rank", function()
    local ran = {}
    local rows = slope.sweep{ grid = { lr = { 0.1, 0.2, 0.3, 0.4, 0.5 }, seed = { 1, 2 } }, quiet = true,
      run = function(cfg, i)
        ran[#ran + 1] = i
        if i == 7 then error("run seven fails") end
        return { loss = cfg.lr * cfg.seed / 3, rank = rank, who = ("r%d"):format(rank) }
      end }
    check.eq(#rows, 10)
    for _, i in ipairs(ran) do check.eq((i - 1) % K, rank, "run " .. i .. " on its rank") end
    local count = mpi.allreduce(#ran)
    check.eq(count, 10, "each run ran once")
    for i, r in ipairs(rows) do
      check.eq(r.lr, ({ 0.1, 0.2, 0.3, 0.4, 0.5 })[(i - 1) // 2 + 1])
      check.eq(r.seed, (i - 1) % 2 + 1)
      if i == 7 then
        check.truthy(r.error:find("run seven fails", 1, true), tostring(r.error))
      else
        check.eq(r.loss, r.lr * r.seed / 3, "the exact value")
        check.eq(r.rank, (i - 1) % K)
        check.eq(r.who, "r" .. (i - 1) % K)
      end
    end
    -- the same text on every rank
    local text = slope._sweep.encode(rows):gsub("F 4 time n %d+ [^\n]+\n", "")
    local all = mpi.gather(text, 0)
    if rank == 0 then for r = 2, K do check.eq(all[r], all[1], "rank " .. (r - 1) .. "'s rows") end end
  end)

  it("writes the CSV and the plot on rank 0 only", function()
    local csv, svg = ("%s/rows_%d.csv"):format(tmp, rank), ("%s/plot_%d.svg"):format(tmp, rank)
    slope.sweep{ grid = { lr = { 0.1, 0.2, 0.4 }, batch = { 4, 8 } }, csv = csv, plot = svg, quiet = true,
      run = function(cfg) return cfg.lr / cfg.batch end }
    mpi.barrier()
    for r = 0, K - 1 do
      check.eq(exists(("%s/rows_%d.csv"):format(tmp, r)), r == 0, "CSV of rank " .. r)
      check.eq(exists(("%s/plot_%d.svg"):format(tmp, r)), r == 0, "plot of rank " .. r)
    end
    mpi.barrier()
  end)

  it("gives a grid with fewer runs than ranks to the first ranks", function()
    local rows = slope.sweep{ grid = { a = { 7 } }, quiet = true, run = function(c) return c.a + rank end }
    check.eq(#rows, 1)
    check.eq(rows[1].loss, 7, "run 1 ran on rank 0")
  end)
end)

mpi.barrier()
if rank == 0 then os.execute("rm -rf " .. tmp) end
