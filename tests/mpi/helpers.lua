-- helpers.lua — shared by the MPI specs (tests/mpi/*_spec.lua, run under
-- mpirun by tests/mpi/run.sh): the data sets sharded across the ranks, the
-- same objectives on the whole data in this process (the single-process
-- reference), and the checks that compare them and that compare ranks.
local M = slope.mpi
local H = {}
H.rank, H.size = M.rank(), M.size()

-- every entry of a vec or number as exact hex text
function H.bits(v)
  if type(v) == "number" then return ("%a"):format(v) end
  local t = {}
  for i = 1, #v do t[i] = ("%a"):format(v[i]) end
  return table.concat(t, ",")
end

-- true on every rank when v has the same bits on every rank
function H.same_on_all_ranks(v)
  local all = M.gather(H.bits(v))
  local ok = true
  if all then
    for r = 2, #all do ok = ok and all[r] == all[1] end
  end
  return M.bcast(ok)
end

-- largest relative difference between two vecs (norm-wise) or numbers
function H.rel(a, b)
  if type(a) == "number" then return math.abs(a - b) / math.max(math.abs(b), 1e-300) end
  return (a - b):norm() / math.max(b:norm(), 1e-300)
end

local cache = {}
local function load(name)
  if not cache[name] then
    local D = slope.data.load(name)
    cache[name] = { X = slope.data.standardize(D.X), y = D.y }
  end
  return cache[name]
end

-- {name, make(D) -> objective} on the whole data and on this rank's shard
-- (classes given: a contiguous shard of iris holds only some of the labels)
H.MODELS = {
  { "logistic on breast_cancer", "breast_cancer",
    function(D) return slope.obj.logistic{ X = D.X, y = D.y, intercept = true, l2 = 1e-2 } end },
  { "softmax on iris", "iris",
    function(D) return slope.obj.softmax{ X = D.X, y = D.y, classes = 3, intercept = true, l2 = 1e-2 } end },
  { "softmax on wine", "wine",
    function(D) return slope.obj.softmax{ X = D.X, y = D.y, classes = 3, intercept = true, l2 = 1e-2 } end },
  { "mlp on digits", "digits",
    function(D) return slope.obj.mlp{ X = D.X, y = D.y, hidden = { 8 }, classes = 10, l2 = 1e-3 } end },
}

-- the distributed objective (contiguous shards: global rows in the file's
-- order) and the single-process one
function H.pair(entry, mode)
  local D = load(entry[2])
  local S = slope.data.shard(D, H.rank, H.size, { mode = mode or "contiguous" })
  return M.objective(entry[3](S)), entry[3](D), D
end

return H
