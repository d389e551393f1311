-- mpi_train.lua — data-parallel training over Open MPI. Each rank holds a shard
-- of the rows (slope.data.shard), slope.mpi.objective makes the full-data mean
-- of them, and slope.train runs unchanged: each rank draws its own minibatch of
-- `batch` rows, the step uses the gradient averaged over the ranks (a global
-- batch of K x batch), and x and the optimizer state stay the same bits on every
-- rank. Rank 0 alone prints and writes the log, the checkpoint and the plot.
--
--   build/slope examples/mpi_train.lua                     one process
--   mpirun -np 2 build/slope examples/mpi_train.lua        two ranks (as root:
--     OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1, and --oversubscribe
--     on a machine with fewer cores than ranks)
--
-- Then an L-BFGS solve of the same distributed objective and its top Hessian
-- eigenvalue: the full-data answers, the same at any K to rounding.
-- SLOPE_QUICK=1 trains for one epoch.
local slope = require "slope"
local quick = os.getenv("SLOPE_QUICK") == "1"
local mpi = slope.mpi
local K, rank = mpi.size(), mpi.rank()
local function say(...) if rank == 0 then print(...) end end

local D = slope.data.load("digits")
D.X = slope.data.standardize(D.X)
local mine = slope.data.shard(D, rank, K)
local local_f = slope.obj.softmax{X = mine.X, y = mine.y, classes = 10, l2 = 1e-3}
local f = mpi.objective(local_f)
local sizes = mpi.gather(f.n_local)
say(("softmax regression on %d digits over %d rank(s): rows per rank %s"):format(
  f.n, K, table.concat(sizes or {}, ", ")))

-- minibatch Adam: 32 rows per rank and step
os.execute("mkdir -p out")
local res = slope.train{
  objective = f, optimizer = slope.optim.adam{lr = 1e-2}, epochs = quick and 1 or 8, batch = 32,
  rng = slope.rng(1), log = "out/mpi_train.csv", checkpoint = {path = "out/mpi_train.ckpt"},
  schedule = slope.schedule.cosine{lr = 1e-2, steps = (quick and 1 or 8) * math.ceil(f.n_local / 32)},
  print_every = 20,
}
say(("%s after %d steps (global batch %d): loss %.4f, accuracy %.3f"):format(res.status, res.steps, 32 * K,
  f:value(res.x), local_f:accuracy(res.x, D.X, D.y)))

-- the same objective to a solver and a probe: the full-data answers at any K
local sol = slope.minimize(f, slope.vec.zeros(f.dim), {method = "lbfgs", maxiter = quick and 30 or 200})
say(("L-BFGS: f = %.10f after %d iterations (%s)"):format(sol.f, sol.iterations or sol.nit or -1, sol.status))
local top = slope.spectrum.top(f, sol.x, {k = 1})
say(("top Hessian eigenvalue at the optimum: %.8f"):format(top.values[1]))
if rank == 0 then slope.plot.lines{file = "out/mpi_train.svg", x = res.history.step,
  series = {loss = res.history.loss}, logy = true, title = "data-parallel Adam on " .. K .. " rank(s)",
  xlabel = "step", ylabel = "minibatch loss (averaged over the ranks)"} end
say("wrote out/mpi_train.csv, out/mpi_train.ckpt and out/mpi_train.svg (rank 0 only)")
