-- data_spec.lua — each rank reads only its part of a .npy file (shard =
-- {rank, size}, rows = {first, last}) and of a LIBSVM file (shard: lines by
-- byte range); the parts put together in rank order are the whole file, the
-- ranks agree on the LIBSVM column count, and a distributed logistic objective
-- on the LIBSVM parts equals the whole-file one. Run at K = 2, 3 and 1.
local H = dofile("tests/mpi/helpers.lua")
local M, d = slope.mpi, slope.data

-- a file name every rank knows, written by rank 0
local function shared_file(suffix, write)
  local name = M.bcast(H.rank == 0 and (os.tmpname() .. suffix) or "")
  if H.rank == 0 then write(name) end
  M.barrier()
  return name
end

-- the rows of a part, gathered on every rank in rank order, as one string
local function gathered(part_string)
  local all = M.gather(part_string)
  return M.bcast(all and table.concat(all, ";") or "")
end

local function rows_text(X, y)
  local t = {}
  for i = 1, #y do
    local r = { ("%.17g"):format(y[i]) }
    local row = X.todense and nil or X[i]
    for j = 1, row and #row or 0 do r[#r + 1] = ("%.17g"):format(row[j]) end
    t[#t + 1] = table.concat(r, " ")
  end
  return table.concat(t, "|")
end

describe("readers that read one rank's part", function()
  it(".npy shard and rows", function()
    local A = slope.mat.zeros(23, 3)
    for i = 1, 23 do for j = 1, 3 do A[i][j] = i * 10 + j + 0.25 end end
    local path = shared_file(".npy", function(p) d.save_npy(p, A) end)
    local P = d.npy(path, { shard = { H.rank, H.size } })
    local S = d.shard({ X = A, y = slope.vec.zeros(23) }, H.rank, H.size)
    check.eq(#P, #S.X)
    for i = 1, #P do check.veq(P[i], S.X[i]) end
    local mapped = d.npy(path, { shard = { H.rank, H.size }, mmap = true })
    check.eq(#mapped, #P)
    if #P > 0 then check.veq(mapped[#P], P[#P]) end
    local ys = slope.vec.zeros(#P)
    local parts = {}
    for piece in gathered(rows_text(P, ys)):gmatch("[^;]+") do parts[#parts + 1] = piece end
    check.eq(table.concat(parts, "|"), rows_text(A, slope.vec.zeros(23)))
    local R = d.npy(path, { rows = { 5, 9 } })
    check.eq(#R, 5)
    check.veq(R[1], A[5])
    check.veq(R[5], A[9])
    M.barrier()
    if H.rank == 0 then os.remove(path) end
  end)

  it("LIBSVM shard by byte range: every line once, in order, columns agreed", function()
    -- the widest index (40) only on the first line: later parts see fewer columns
    local lines = { "1 1:0.5 40:1" }
    for i = 2, 61 do
      lines[i] = ("%d %d:%g %d:%g # row %d"):format(i % 2 == 0 and 1 or 0, i % 7 + 1, i / 10, i % 7 + 9, -i / 3, i)
    end
    local text = table.concat(lines, "\n") .. "\n"
    local path = shared_file(".svm", function(p)
      local f = assert(io.open(p, "w"))
      f:write(text)
      f:close()
    end)
    local whole = d.libsvm(path)
    local part = d.libsvm(path, { shard = { H.rank, H.size } })
    local _, cols = part.X:shape()
    check.eq(cols, 40)
    check.eq(M.allreduce(#part.y), #whole.y)
    local function text_of(D)
      local Xd = D.X:todense()
      local t = {}
      for i = 1, #D.y do
        local r = { ("%g"):format(D.y[i]) }
        for j = 1, 40 do r[#r + 1] = ("%g"):format(Xd[i][j]) end
        t[#t + 1] = table.concat(r, " ")
      end
      return table.concat(t, "|")
    end
    local got = {}
    for piece in gathered(text_of(part)):gmatch("[^;]+") do got[#got + 1] = piece end
    check.eq(table.concat(got, "|"), text_of(whole))
    -- a distributed logistic objective on the parts is the whole file's
    local f = M.objective(slope.obj.logistic{ X = part.X, y = part.y, l2 = 1e-3 })
    local f1 = slope.obj.logistic{ X = whole.X, y = whole.y, l2 = 1e-3 }
    local x = slope.vec.zeros(40):fill(0.01)
    check.truthy(H.rel(f:value(x), f1:value(x)) < 1e-13)
    check.truthy(H.rel(f:grad(x), f1:grad(x)) < 1e-12)
    M.barrier()
    if H.rank == 0 then os.remove(path) end
  end)

  it("a LIBSVM error is reported with the file's line number", function()
    local path = shared_file(".svm", function(p)
      local f = assert(io.open(p, "w"))
      for i = 1, 40 do f:write(("1 %d:1\n"):format(i % 5 + 1)) end
      f:write("1 x:2\n")
      f:close()
    end)
    local K = H.size
    -- the bad line (41) is in the last part
    local ok, err = pcall(d.libsvm, path, { shard = { K - 1, K }, features = 5 })
    check.eq(ok, false)
    check.truthy(err:find(":41:3: index 'x' is not an integer", 1, true), err)
    M.barrier()
    if H.rank == 0 then os.remove(path) end
  end)
end)
