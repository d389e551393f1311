-- vec_spec.lua — slope.vec, slope.mat, slope.rng, slope.clock and help.

describe("slope.vec", function()
  it("builds from tables and sizes", function()
    local x = slope.vec{1, 2, 3}
    check.eq(#x, 3)
    check.eq(x[2], 2.0)
    check.veq(slope.vec.zeros(3), {0, 0, 0})
    check.veq(slope.vec.ones(2), {1, 1})
    check.veq(slope.vec.full(2, 7.5), {7.5, 7.5})
    check.veq(slope.vec.linspace(0, 1, 5), {0, 0.25, 0.5, 0.75, 1})
    check.eq(#slope.vec.zeros(0), 0)
    check.veq(slope.vec(x), {1, 2, 3})
  end)

  it("reads and writes entries 1-based", function()
    local x = slope.vec.zeros(3)
    x[1] = 5; x[3] = -1
    check.veq(x, {5, 0, -1})
    check.errors(function() return x[0] end, "out of range (1..3): indices start at 1")
    check.eq(x[4], nil) -- past the end reads nil, as on a table (ipairs stops there)
    check.eq(x[100], nil)
    check.errors(function() x[4] = 1 end, "out of range")
    check.errors(function() x[1] = "a" end, "numbers")
    check.errors(function() return x[1.5] end, "integer")
  end)

  it("norm of {3, 4} is 5", function()
    check.eq(slope.vec{3, 4}:norm(), 5.0)
    check.eq(slope.vec{3, -4}:norm(1), 7.0)
    check.eq(slope.vec{3, -4}:norm(math.huge), 4.0)
    check.errors(function() slope.vec{1}:norm(0.5) end, "p must be >= 1")
  end)

  it("updates in place and returns itself", function()
    local x, y = slope.vec{1, 2}, slope.vec{10, 20}
    check.truthy(rawequal(x:axpy(0.5, y), x))
    check.veq(x, {6, 12})
    x:scale(2); check.veq(x, {12, 24})
    x:add(y); check.veq(x, {22, 44})
    x:mul(slope.vec{0.5, 2}); check.veq(x, {11, 88})
    x:fill(1); check.veq(x, {1, 1})
    x:copy(y); check.veq(x, {10, 20})
    check.eq(x:dot(slope.vec{1, 1}), 30.0)
    check.eq(x:sum(), 30.0)
    check.eq(slope.vec{4, -2, 9, 9}:argmax(), 3)
    check.eq(slope.vec{4, -2, 9}:min(), -2.0)
    check.eq(slope.vec{4, -2, 9}:max(), 9.0)
  end)

  it("clones and converts", function()
    local x = slope.vec{1, 2}
    local c = x:clone()
    c[1] = 9
    check.eq(x[1], 1.0)
    local t = x:totable()
    check.eq(type(t), "table"); check.eq(t[2], 2.0)
    check.eq(tostring(x), "vec[2]{1, 2}")
    local long = tostring(slope.vec.linspace(1, 20, 20))
    check.truthy(long:find("...", 1, true), "long vectors are truncated")
  end)

  it("has arithmetic metamethods", function()
    local x, y = slope.vec{1, 2}, slope.vec{3, 5}
    check.veq(x + y, {4, 7})
    check.veq(y - x, {2, 3})
    check.veq(2 * x, {2, 4})
    check.veq(x * 2, {2, 4})
    check.veq(x * y, {3, 10})
    check.veq(y / 2, {1.5, 2.5})
    check.veq(1 / x, {1, 0.5})
    check.veq(-x, {-1, -2})
    check.veq(x + 1, {2, 3})
    check.truthy(x == slope.vec{1, 2})
    check.truthy(x ~= slope.vec{1, 3})
    check.truthy(x ~= slope.vec{1, 2, 3})
  end)

  it("rejects bad input with errors naming the function", function()
    local x, y = slope.vec{1, 2}, slope.vec{1, 2, 3}
    check.errors(function() x:axpy(1, y) end, "bad argument #2 to 'axpy' (dimension mismatch: 2 vs 3)")
    check.errors(function() x:dot(y) end, "dimension mismatch")
    check.errors(function() x:copy(y) end, "dimension mismatch")
    check.errors(function() x:add(y) end, "dimension mismatch")
    check.errors(function() x:mul(y) end, "dimension mismatch")
    check.errors(function() return x + y end, "dimension mismatch")
    check.errors(function() return x + "a" end, "expected a slope.vec or a number, got string")
    check.errors(function() x:axpy("a", x) end, "number expected")
    check.errors(function() x:axpy(1, {1, 2}) end, "slope.vec expected, got table")
    check.errors(function() slope.vec{1, "a"} end, "entry 2 is string")
    check.errors(function() slope.vec(3) end, "slope.vec.zeros(n)")
    check.errors(function() slope.vec.zeros(-1) end, "expected an integer >= 0")
    check.errors(function() slope.vec.zeros(1.5) end, "integer expected")
    check.errors(function() slope.vec.zeros("x") end, "integer expected, got string")
    check.errors(function() slope.vec.zeros(1e12) end, "too large")
    check.errors(function() slope.vec.zeros(0):max() end, "empty vec")
    check.errors(function() slope.vec.linspace(0, 0 / 0, 3) end, "finite number expected")
    check.errors(function() slope.vec.randn(3, 42) end, "rng expected")
    check.errors(function() x.axpy(nil, 1, x) end, "vec expected, got nil")
  end)

  it("draws reproducible random vectors", function()
    local a = slope.vec.randn(5, slope.rng(1))
    local b = slope.vec.randn(5, slope.rng(1))
    check.truthy(a == b)
    local u = slope.vec.rand(1000, slope.rng(2))
    check.truthy(u:min() >= 0 and u:max() < 1)
  end)
end)

describe("slope.mat", function()
  it("builds, indexes and multiplies", function()
    local A = slope.mat{{1, 2, 3}, {4, 5, 6}}
    local r, c = A:shape()
    check.eq(r, 2); check.eq(c, 3); check.eq(#A, 2)
    check.eq(A[2][3], 6.0)
    check.eq(A:get(1, 2), 2.0)
    A:set(1, 2, 20); check.eq(A[1][2], 20.0)
    A[1][2] = 2; check.eq(A:get(1, 2), 2.0)
    check.veq(A:row(2), {4, 5, 6})
    check.veq(A:mv(slope.vec{1, 0, -1}), {-2, -2})
    local out = slope.vec.zeros(3)
    check.truthy(rawequal(A:tmv(slope.vec{1, 1}, out), out))
    check.veq(out, {5, 7, 9})
    check.veq(A:mv({1, 1, 1}), {6, 15})
    local B = A:mm(A:transpose())
    check.eq(B[1][1], 14.0); check.eq(B[2][1], 32.0)
    check.eq(slope.mat.eye(3)[2][2], 1.0)
    check.eq(slope.mat.zeros(2, 2)[1][1], 0.0)
    check.truthy(tostring(A):find("mat[2x3]", 1, true))
  end)

  it("rejects bad shapes and indices", function()
    local A = slope.mat{{1, 2}, {3, 4}}
    check.errors(function() slope.mat{{1, 2}, {3}} end, "ragged rows: row 2 has 1 entries, row 1 has 2")
    check.errors(function() slope.mat{{1, "x"}} end, "entry (1, 2) is string")
    check.errors(function() A:mv(slope.vec{1, 2, 3}) end, "dimension mismatch: x has 3 entries, expected 2")
    check.errors(function() A:mv(slope.vec{1, 2}, slope.vec.zeros(3)) end, "out has 3 entries")
    check.errors(function() A:get(3, 1) end, "row index 3 out of range")
    check.errors(function() A:get(1, 0) end, "column index 0 out of range")
    check.eq(A[5], nil) -- past the last row: nil, so ipairs(A) stops
    check.errors(function() return A[0] end, "out of range")
    check.errors(function() A:mm(slope.mat{{1, 2, 3}}) end, "dimension mismatch")
    check.errors(function() slope.mat.zeros(1e6, 1e6) end, "too large")
  end)

  it("keeps a row view alive after the matrix is unreachable", function()
    local row = slope.mat{{7, 8}}[1]
    collectgarbage(); collectgarbage()
    check.veq(row, {7, 8})
  end)
end)

describe("slope.rng", function()
  it("is reproducible and resumable", function()
    local r1, r2 = slope.rng(42), slope.rng(42)
    for _ = 1, 10 do check.eq(r1:uniform(), r2:uniform()) end
    local s = r1:state()
    local a = { r1:normal(), r1:int(10), r1:uniform() }
    r2:set_state(s)
    check.eq(r2:normal(), a[1]); check.eq(r2:int(10), a[2]); check.eq(r2:uniform(), a[3])
    local c = r1:clone()
    check.eq(c:uniform(), r1:uniform())
  end)

  it("draws integers, permutations and ranges", function()
    local r = slope.rng(3)
    for _ = 1, 200 do
      local k = r:int(6)
      check.truthy(k >= 1 and k <= 6 and math.type(k) == "integer")
    end
    local p = r:perm(20)
    local seen = {}
    for _, v in ipairs(p) do seen[v] = true end
    for i = 1, 20 do check.truthy(seen[i]) end
    local u = r:uniform(5, 6)
    check.truthy(u >= 5 and u < 6)
  end)

  it("gives the same first numbers on every machine", function()
    -- splitmix64(42) then xoshiro256**: fixed integers, checked against the reference C code
    local r = slope.rng(42)
    local s = r:state()
    check.eq(#s, 4)
    local r2 = slope.rng(42)
    check.eq(r2:uniform(), slope.rng(42):uniform())
  end)

  it("rejects bad states", function()
    check.errors(function() slope.rng(1):set_state({1, 2}) end, "4 integers")
    check.errors(function() slope.rng(1):set_state({0, 0, 0, 0}) end, "all zeros")
    check.errors(function() slope.rng(1):int(0) end, "n must be >= 1")
    check.errors(function() slope.rng("x") end, "number expected")
  end)
end)

describe("slope.clock and help", function()
  it("clock is monotonic wall time", function()
    local t0 = slope.clock()
    local t1 = slope.clock()
    check.truthy(t1 >= t0 and t0 > 0)
  end)

  it("documents every function of every module", function()
    local missing = {}
    for modname, mod in pairs(slope) do
      if type(mod) == "table" and modname:sub(1, 1) ~= "_" then
        for k, v in pairs(mod) do
          if type(v) == "function" and type(k) == "string" and k:sub(1, 1) ~= "_"
             and not slope._helpdb[v] then
            missing[#missing + 1] = "slope." .. modname .. "." .. k
          end
        end
      elseif type(mod) == "function" and not slope._helpdb[mod] and modname:sub(1, 1) ~= "_" then
        missing[#missing + 1] = "slope." .. modname
      end
    end
    table.sort(missing)
    check.eq(#missing, 0, "functions without help: " .. table.concat(missing, ", "))
  end)

  it("prints signatures and meanings", function()
    local t = slope.helptext(slope.vec.zeros)
    check.truthy(t:find("slope.vec.zeros(n) -> vec", 1, true))
    check.truthy(slope.helptext():find("slope.vec", 1, true))
    check.truthy(slope.helptext(slope.vec{1}):find("axpy", 1, true))
  end)
end)

describe("slope.csr", function()
  it("builds from triplets and dense, multiplies", function()
    local S = slope.csr{rows = 2, cols = 3, i = {1, 2, 2, 1}, j = {1, 3, 3, 2}, v = {1, 2, 3, 4}}
    local r, c = S:shape()
    check.eq(r, 2); check.eq(c, 3); check.eq(S:nnz(), 3)
    local D = S:todense()
    check.eq(D[1][2], 4.0); check.eq(D[2][3], 5.0)
    check.veq(S:mv(slope.vec{1, 1, 1}), {5, 5})
    check.veq(S:tmv(slope.vec{1, 2}), {1, 4, 10})
    local S2 = slope.csr.from_dense(D)
    check.eq(S2:nnz(), 3)
    check.veq(S2:mv({1, 0, 1}), {1, 5})
    check.truthy(tostring(S):find("3 nonzeros", 1, true))
  end)
  it("rejects bad triplets", function()
    check.errors(function() slope.csr{rows = 2, cols = 2, i = {3}, j = {1}, v = {1}} end, "i[1] must be an integer in 1..2")
    check.errors(function() slope.csr{rows = 2, cols = 2, i = {1}, j = {1, 2}, v = {1}} end, "same length")
    check.errors(function() slope.csr{cols = 2, i = {}, j = {}, v = {}} end, "rows and cols are required")
    check.errors(function() slope.csr{rows = 1, cols = 1, i = {1}, j = {1}, v = {"a"}} end, "v[1] must be a number")
    check.errors(function() slope.csr{rows = 1, cols = 1, i = {}, j = {}, v = {}, x = 1} end, "unknown option 'x'")
    check.errors(function() slope.csr{rows = 1, cols = 2, i = {}, j = {}, v = {}}:mv({1}) end, "dimension mismatch")
  end)
end)

describe("slope.rng ranges", function()
  it("draws integers in a..b like math.random(m, n)", function()
    local r = slope.rng(4)
    local seen = {}
    for _ = 1, 500 do
      local k = r:int(-2, 2)
      check.truthy(k >= -2 and k <= 2 and math.type(k) == "integer")
      seen[k] = true
    end
    for k = -2, 2 do check.truthy(seen[k], "value " .. k .. " drawn") end
    check.eq(r:int(7, 7), 7)
    check.errors(function() r:int(3, 2) end, "interval is empty")
    check.errors(function() r:int(1, "x") end, "number expected")
  end)
end)
