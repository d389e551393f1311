-- data_spec.lua — slope.data: readers (csv, libsvm, npy), save_npy, transforms,
-- batches, synthetic generators, the shipped data sets, and malformed input.

local data = slope.data
local base = os.tmpname()
local made = {}

local function tmpfile(suffix, content)
  local path = base .. suffix
  local f = assert(io.open(path, "wb"))
  f:write(content)
  f:close()
  made[#made + 1] = path
  return path
end

local function bits(x) return string.pack("<d", x) end
local function same(a, b) return bits(a) == bits(b) end

local function readall(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

describe("slope.data.csv", function()
  it("reads header, X, y, names and target", function()
    local p = tmpfile("a.csv", "a,b,target\n1,2.5,0\n-3,4e-2,1\n\n\n")
    local D = data.csv(p)
    check.eq(select(1, D.X:shape()), 2)
    check.eq(select(2, D.X:shape()), 2)
    check.veq(D.X[1], {1, 2.5})
    check.veq(D.X[2], {-3, 0.04})
    check.veq(D.y, {0, 1})
    check.eq(#D.names, 2)
    check.eq(D.names[1], "a"); check.eq(D.names[2], "b")
    check.eq(D.target, "target")
  end)

  it("takes the target by name, index (negative from the end) or not at all", function()
    local p = tmpfile("b.csv", "x,y,z\n1,2,3\n4,5,6\n")
    local D = data.csv(p, {target = "x"})
    check.veq(D.y, {1, 4}); check.veq(D.X[1], {2, 3}); check.eq(D.names[1], "y")
    D = data.csv(p, {target = 2})
    check.veq(D.y, {2, 5}); check.veq(D.X[2], {4, 6}); check.eq(D.target, "y")
    D = data.csv(p, {target = -1})
    check.veq(D.y, {3, 6})
    D = data.csv(p, {target = false})
    check.eq(D.y, nil); check.veq(D.X[2], {4, 5, 6}); check.eq(#D.names, 3)
  end)

  it("reads without a header (default target: last column), other separators, quotes, CRLF", function()
    local p = tmpfile("c.csv", "1;2;3\r\n4; 5 ;6\r\n")
    local D = data.csv(p, {header = false, sep = ";"})
    check.veq(D.y, {3, 6}); check.veq(D.X[2], {4, 5}); check.eq(D.names, nil); check.eq(D.target, 3)
    p = tmpfile("d.csv", '"a, 1","b ""q""",target\n"1.5",2,"0"\n')
    D = data.csv(p)
    check.eq(D.names[1], "a, 1"); check.eq(D.names[2], 'b "q"')
    check.veq(D.X[1], {1.5, 2}); check.veq(D.y, {0})
    p = tmpfile("e.csv", "a,target\n")
    D = data.csv(p)
    check.eq(select(1, D.X:shape()), 0); check.eq(#D.y, 0)
  end)

  it("parses numbers exactly, including nan, inf, -0 and denormals", function()
    local p = tmpfile("f.csv", "a,b,c,d,target\n0.1,5e-324,-0.0,inf,1e308\n-nan,2.2250738585072014e-308,1.7976931348623157e308,-inf,0\n")
    local D = data.csv(p)
    check.truthy(same(D.X[1][1], 0.1)); check.truthy(same(D.X[1][2], 5e-324))
    check.truthy(same(D.X[1][3], -0.0)); check.eq(D.X[1][4], math.huge)
    check.truthy(D.X[2][1] ~= D.X[2][1], "nan")
    check.truthy(same(D.X[2][3], 1.7976931348623157e308)); check.eq(D.y[1], 1e308)
  end)

  for _, name in ipairs{"breast_cancer", "digits", "iris", "wine", "diabetes"} do
    it("reproduces every float64 of the shipped " .. name .. ".csv exactly", function()
      local path = "examples/data/" .. name .. ".csv"
      local D = data.csv(path)
      local rows, cols = D.X:shape()
      local i = 0
      local text = readall(path)
      local first = true
      for line in text:gmatch("[^\n]+") do
        if first then
          first = false
          local k = 0
          for field in line:gmatch("[^,]+") do
            k = k + 1
            if k <= cols then check.eq(D.names[k], field) end
          end
          check.eq(k, cols + 1, "header fields")
        else
          i = i + 1
          local j = 0
          for field in line:gmatch("[^,]+") do
            j = j + 1
            local want = assert(tonumber(field), field)
            local got = j <= cols and D.X[i][j] or D.y[i]
            if not same(got, want) then
              error(("%s row %d col %d: %s read as %.17g"):format(name, i, j, field, got))
            end
          end
          check.eq(j, cols + 1, "fields in row " .. i)
        end
      end
      check.eq(i, rows, "rows")
      check.eq(#D.y, rows)
    end)
  end

  it("reports malformed files with path:line:column", function()
    local p = tmpfile("r.csv", "a,b,target\n1,2,3\n4,5\n")
    check.errors(function() data.csv(p) end, p .. ":3:4: row has 2 fields, expected 3")
    p = tmpfile("r2.csv", "a,b,target\n1,2,3\n4,5,6,7\n")
    check.errors(function() data.csv(p) end, p .. ":3:7: row has 4 fields, expected 3")
    p = tmpfile("n.csv", "a,b,target\n1,2,3\n4,abc,6\n")
    check.errors(function() data.csv(p) end, p .. ":3:3: 'abc' is not a number")
    p = tmpfile("n2.csv", "a,b,target\n1,,3\n")
    check.errors(function() data.csv(p) end, p .. ":2:3: '' is not a number")
    p = tmpfile("n3.csv", "a,b,target\n1,2x,3\n")
    check.errors(function() data.csv(p) end, p .. ":2:3: '2x' is not a number")
    p = tmpfile("t.csv", "a,b,label\n1,2,3\n")
    check.errors(function() data.csv(p) end, p .. ":1: no target column 'target' (columns: a, b, label)")
    check.errors(function() data.csv(p, {target = 4}) end, "target column 4 out of range (the file has 3 columns)")
    p = tmpfile("e0.csv", "")
    check.errors(function() data.csv(p) end, p .. ": empty file")
    p = tmpfile("e1.csv", "\n  \n\r\n")
    check.errors(function() data.csv(p) end, p .. ": empty file")
    p = tmpfile("q.csv", 'a,"b\n')
    check.errors(function() data.csv(p) end, p .. ":1:3: unterminated quoted field")
    p = tmpfile("q2.csv", 'a,"b"x,target\n')
    check.errors(function() data.csv(p) end, p .. ":1:6: unexpected character after a closing quote")
    check.errors(function() data.csv(base .. "missing.csv") end, base .. "missing.csv: cannot open: No such file")
  end)

  it("checks its arguments", function()
    local p = tmpfile("g.csv", "a,target\n1,2\n")
    check.errors(function() data.csv(p, {sep = ";;"}) end, "slope.data.csv: sep must be one character")
    check.errors(function() data.csv(p, {header = false, target = "a"}) end, "slope.data.csv: target given by name needs header = true")
    check.errors(function() data.csv(p, {target = 0}) end, "target must be a column name, a nonzero column index or false")
    check.errors(function() data.csv(p, {target = true}) end, "target must be a column name")
    check.errors(function() data.csv(p, {heder = true}) end, "unknown option 'heder'")
    check.errors(function() data.csv(p, {header = 1}) end, "header must be a boolean")
    check.errors(function() data.csv() end, "bad argument #1")
  end)
end)

describe("slope.data.csv and libsvm: fast parsing, same values and messages", function()
  it("accepts exactly the spellings strtod accepts, with the same doubles", function()
    local p = tmpfile("sp.csv", "a,b,c,d,e,f,g,target\n0x1p-3,+.5,1e400,-1e-400,INF,\"nan\",\" 7\",2.4703282292062328e-324\n")
    local D = data.csv(p)
    check.eq(D.X[1][1], 0.125); check.eq(D.X[1][2], 0.5); check.eq(D.X[1][3], math.huge)
    check.truthy(same(D.X[1][4], -0.0)); check.eq(D.X[1][5], math.huge)
    check.truthy(D.X[1][6] ~= D.X[1][6]); check.eq(D.X[1][7], 7); check.truthy(same(D.y[1], 5e-324))
    for _, bad in ipairs{"1e", "+-1", "1.5.2", "0x", "infinit", "1_0", "--1", "."} do
      p = tmpfile("sb.csv", "a,target\n1," .. bad .. "\n")
      check.errors(function() data.csv(p) end, p .. ":2:3: '" .. bad .. "' is not a number")
    end
    p = tmpfile("sp.svm", "+1 1:0x10 2:-inf 3:.25e1\n")
    D = data.libsvm(p)
    local r = D.X:todense()[1]
    check.eq(D.y[1], 1); check.eq(r[1], 16); check.eq(r[2], -math.huge); check.eq(r[3], 2.5)
  end)

  it("round-trips random doubles printed shortest and with %.17g", function()
    local rng = slope.rng(11)
    local rows, lines, svm = {}, {"a,b,target"}, {}
    for i = 1, 300 do
      local a = (rng:uniform() - 0.5) * 10 ^ rng:int(-300, 300)
      local b = string.unpack("<d", string.pack("<i8", rng:int(0, 0x7fefffffffffffff)))
      rows[i] = {a, b}
      local sa, sb = ("%.17g"):format(a), nil
      for digits = 1, 17 do -- shortest round trip
        sb = ("%." .. digits .. "g"):format(b)
        if tonumber(sb) == b then break end
      end
      lines[#lines + 1] = sa .. "," .. sb .. ",0"
      svm[#svm + 1] = "0 1:" .. sa .. " 2:" .. ("%.17g"):format(b)
    end
    local D = data.csv(tmpfile("rt.csv", table.concat(lines, "\n")))
    local S = data.libsvm(tmpfile("rt.svm", table.concat(svm, "\n"))).X:todense()
    for i = 1, 300 do
      check.truthy(same(D.X[i][1], rows[i][1]) and same(D.X[i][2], rows[i][2]), "csv row " .. i)
      check.truthy(same(S[i][1], rows[i][1]) and same(S[i][2], rows[i][2]), "libsvm row " .. i)
    end
  end)

  it("reports the first bad line of a large file the same at 1 and 2 threads", function()
    local t = {"a,b,target"}
    for i = 1, 120000 do t[#t + 1] = ("%.17g,%d,%d"):format(i / 7, i, i % 2) end
    t[90001] = "1,2"          -- line 90001: ragged
    t[110001] = "1,zz,3"      -- a later error, in another block
    local p = tmpfile("mt.csv", table.concat(t, "\n") .. "\n")
    local prev = slope.threads(1)
    local ok1, e1 = pcall(data.csv, p)
    slope.threads(2)
    local ok2, e2 = pcall(data.csv, p)
    slope.threads(prev)
    check.truthy(not ok1 and not ok2)
    check.eq(e1, e2)
    check.truthy(e1:find(p .. ":90001:4: row has 2 fields, expected 3", 1, true), e1)
    t[90001], t[110001] = "1,2,3", "4,5,6"
    p = tmpfile("mt.csv", table.concat(t, "\n"))
    slope.threads(1)
    local A = data.csv(p)
    slope.threads(2)
    local B = data.csv(p)
    slope.threads(prev)
    check.eq(A.X:shape(), 120000)
    check.truthy(same(A.X[120000][1], 120000 / 7) and same(B.X[120000][1], 120000 / 7))
    check.truthy(same(A.X[65432][1], B.X[65432][1]) and A.y[99999] == B.y[99999])
  end)

  it("bounds fields and columns, naming the line and column", function()
    local p = tmpfile("lf.csv", "a,target\n1," .. ("9"):rep(5000) .. "\n")
    check.errors(function() data.csv(p) end, p .. ":2:3: field longer than 4096 bytes")
    p = tmpfile("lf.svm", "1 1:" .. ("9"):rep(5000) .. "\n")
    check.errors(function() data.libsvm(p) end, p .. ":1:5: value longer than 4096 bytes")
    p = tmpfile("ln.svm", ("1"):rep(5000) .. " 1:1\n")
    check.errors(function() data.libsvm(p) end, p .. ":1:1: label longer than 4096 bytes")
  end)
end)

describe("slope.data.libsvm", function()
  it("reads labels and sparse rows", function()
    local p = tmpfile("a.svm", "1 1:0.5 3:-2 # comment\n-1 qid:3 2:1e-3\n\n# only a comment\n0\n+1 4:7\n")
    local D = data.libsvm(p)
    local r, c = D.X:shape()
    check.eq(r, 4); check.eq(c, 4); check.eq(D.X:nnz(), 4)
    check.veq(D.y, {1, -1, 0, 1})
    local A = D.X:todense()
    check.veq(A[1], {0.5, 0, -2, 0}); check.veq(A[2], {0, 0.001, 0, 0})
    check.veq(A[3], {0, 0, 0, 0}); check.veq(A[4], {0, 0, 0, 7})
    D = data.libsvm(p, {features = 10})
    check.eq(select(2, D.X:shape()), 10)
    local E = data.libsvm(tmpfile("e.svm", ""))
    check.eq(select(1, E.X:shape()), 0); check.eq(#E.y, 0)
  end)

  it("reports malformed lines with path:line:column", function()
    local cases = {
      {"1 0:1\n", ":1:3: index 0 is not positive (indices are 1-based)"},
      {"1 1:1\n2 -3:1\n", ":2:3: index -3 is not positive"},
      {"1 3:1 2:1\n", ":1:7: index 2 after 3 (indices must be ascending)"},
      {"1 2:1 2:1\n", ":1:7: index 2 after 2"},
      {"1 2:1 5\n", ":1:7: '5' has no ':' (expected index:value)"},
      {"1 2:abc\n", ":1:5: value 'abc' is not a number"},
      {"1 x:1\n", ":1:3: index 'x' is not an integer"},
      {"one 1:1\n", ":1:1: label 'one' is not a number"},
    }
    for k, c in ipairs(cases) do
      local p = tmpfile("bad" .. k .. ".svm", c[1])
      check.errors(function() data.libsvm(p) end, "slope.data.libsvm: " .. p .. c[2])
    end
    local p = tmpfile("f.svm", "1 1:1 12:1\n")
    check.errors(function() data.libsvm(p, {features = 10}) end, p .. ":1:7: index 12 exceeds features = 10")
    check.errors(function() data.libsvm(p, {features = 0}) end, "features must be an integer >= 1")
    check.errors(function() data.libsvm(base .. "nope.svm") end, "cannot open")
  end)
end)

describe("slope.data.npy with mmap = true", function()
  it("maps float64 files as zero-copy mats and vecs", function()
    local p = tmpfile("mm.npy", "")
    data.save_npy(p, slope.mat{{1, 2, 3}, {4, 5, 6}})
    local A, mapped = data.npy(p, {mmap = true})
    check.eq(mapped, true)
    check.veq(A[2], {4, 5, 6})
    check.eq(select(2, A:shape()), 3)
    local v, vm = data.npy("tests/data/f8_2d.npy", {mmap = true})
    check.eq(vm, true); check.truthy(same(v[2][2], 5e-324))
    data.save_npy(p .. "v", slope.vec{7, 8})
    made[#made + 1] = p .. "v"
    local x, xm = data.npy(p .. "v", {mmap = true})
    check.eq(xm, true); check.veq(x, {7, 8})
    check.veq(data.npy(p, {mmap = false})[1], data.npy(p)[1]) -- the default copies
  end)

  it("writes stay in memory (copy-on-write); a file replaced by save_npy leaves the mapping", function()
    local p = tmpfile("cow.npy", "")
    data.save_npy(p, slope.mat{{1, 2}, {3, 4}})
    local A = data.npy(p, {mmap = true})
    A[1][1] = 99
    check.eq(A[1][1], 99)
    check.eq(data.npy(p)[1][1], 1) -- the file is unchanged
    data.save_npy(p, slope.mat{{5, 6}, {7, 8}}) -- a new file renamed over the old one
    check.veq(A[2], {3, 4})
    check.veq(data.npy(p, {mmap = true})[2], {7, 8})
  end)

  it("keeps the mapping alive while a view of the mat lives", function()
    local p = tmpfile("life.npy", "")
    data.save_npy(p, slope.mat{{1, 2}, {3, 4}})
    local row
    do local A = data.npy(p, {mmap = true}); row = A[2] end -- the mat itself is unreachable now
    for _ = 1, 3 do collectgarbage() end
    check.veq(row, {3, 4})
    row[1] = 30
    check.veq(row, {30, 4})
    do local B <close> = data.npy(p, {mmap = true}); check.eq(B[1][2], 2) end
  end)

  it("copies other dtypes and says why", function()
    local F, note = data.npy("tests/data/f4_2d.npy", {mmap = true})
    check.eq(F[1][2], -2.5)
    check.eq(note, "copied: its dtype is converted to float64 (<f4)")
    local _, n2 = data.npy("tests/data/f8_be.npy", {mmap = true})
    check.eq(n2, "copied: its bytes are swapped (>f8)")
    local E, n3 = data.npy("tests/data/f8_empty.npy", {mmap = true})
    check.eq(n3, "copied: it is empty (<f8)"); check.eq(#E, 0)
    check.errors(function() data.npy("tests/data/f8_2d.npy", {mmap = 1}) end, "mmap must be a boolean")
    check.errors(function() data.npy("tests/data/f8_2d.npy", {map = true}) end, "unknown option 'map'")
  end)
end)

describe("slope.data.npy and save_npy", function()
  local function f32(x) return (string.unpack("<f", string.pack("<f", x))) end

  it("reads numpy's f8, f4, i4, i8, i2, u1, big-endian and version 2.0 files", function()
    local A = data.npy("tests/data/f8_2d.npy")
    check.eq(select(1, A:shape()), 3)
    local want = {{1.5, -2.0, 0.1}, {1e-300, 5e-324, -0.0}, {math.huge, -math.huge}}
    for i = 1, 3 do for j = 1, #want[i] do check.truthy(same(A[i][j], want[i][j]), ("f8 %d %d"):format(i, j)) end end
    check.truthy(A[3][3] ~= A[3][3], "nan")
    local F = data.npy("tests/data/f4_2d.npy")
    check.truthy(same(F[1][1], f32(0.1)) and F[1][1] ~= 0.1, "f4 0.1 widened exactly")
    check.eq(F[1][2], -2.5); check.eq(F[2][1], 3.0); check.truthy(same(F[2][2], f32(1e-3)))
    check.veq(data.npy("tests/data/i4_1d.npy"), {-2147483648, -1, 0, 7, 2147483647})
    local I = data.npy("tests/data/i8_2d.npy")
    check.veq(I[1], {-(2 ^ 53), 2 ^ 53}); check.veq(I[2], {-1, 12345678901})
    check.veq(data.npy("tests/data/u1_1d.npy"), {0, 1, 255})
    check.veq(data.npy("tests/data/i2_1d.npy"), {-32768, 32767, -5})
    check.veq(data.npy("tests/data/f8_be.npy"), {1.5, -3.25})
    local V = data.npy("tests/data/f8_v2.npy")
    check.veq(V[2], {0.75, 1.0, 1.25})
    local r, c = data.npy("tests/data/f8_empty.npy"):shape()
    check.eq(r, 0); check.eq(c, 3)
  end)

  it("round-trips mats and vecs bit for bit (NaN, Inf, -0, denormals)", function()
    local vals = {0.1, -0.0, 0.0, 5e-324, 2.2250738585072009e-308, math.huge, -math.huge,
                  1.7976931348623157e308, -1 / 3, 0 / 0, 123456789.125, -2 ^ -1074}
    local v = slope.vec(vals)
    local p = base .. "v.npy"; made[#made + 1] = p
    check.truthy(rawequal(data.save_npy(p, v), v))
    local w = data.npy(p)
    check.eq(#w, #vals)
    for i = 1, #vals do check.truthy(same(w[i], v[i]), "entry " .. i) end
    local m = slope.mat.zeros(3, 4)
    for i = 1, 3 do for j = 1, 4 do m[i][j] = vals[(i - 1) * 4 + j] end end
    local q = base .. "m.npy"; made[#made + 1] = q
    data.save_npy(q, m)
    local m2 = data.npy(q)
    local r, c = m2:shape()
    check.eq(r, 3); check.eq(c, 4)
    for i = 1, 3 do for j = 1, 4 do check.truthy(same(m2[i][j], m[i][j])) end end
    -- the file is what numpy writes: version 1.0, '<f8', header padded to 64 bytes
    local s = readall(q)
    check.eq(s:sub(1, 8), "\x93NUMPY\1\0")
    check.truthy(s:find("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }", 1, true))
    check.eq((10 + string.unpack("<I2", s, 9)) % 64, 0)
    check.eq(#s, 10 + string.unpack("<I2", s, 9) + 12 * 8)
    check.truthy(readall(p):find("'shape': (12,)", 1, true))
    data.save_npy(q, slope.mat.zeros(0, 2))
    check.eq(select(2, data.npy(q):shape()), 2)
  end)

  it("reports malformed files with the byte offset", function()
    local good = readall("tests/data/f8_2d.npy")
    local p = tmpfile("magic.npy", "\x92NUMPY\1\0" .. good:sub(9))
    check.errors(function() data.npy(p) end, p .. ": byte 0: bad magic")
    p = tmpfile("hdr.npy", good:sub(1, 40))
    check.errors(function() data.npy(p) end, p .. ": byte 40: truncated header")
    p = tmpfile("hdr2.npy", good:sub(1, 9))
    check.errors(function() data.npy(p) end, "truncated header")
    p = tmpfile("data.npy", good:sub(1, #good - 5))
    check.errors(function() data.npy(p) end, "truncated data: shape needs 72 bytes of <f8, the file has 67")
    p = tmpfile("long.npy", good .. "xx")
    check.errors(function() data.npy(p) end, "size mismatch")
    check.errors(function() data.npy("tests/data/f8_fortran.npy") end, "fortran_order True is not supported")
    check.errors(function() data.npy("tests/data/c16.npy") end, "unsupported dtype '<c16'")
    check.errors(function() data.npy("tests/data/f8_3d.npy") end, "3-D arrays are not supported")
    local function withheader(h)
      local pad = h .. string.rep(" ", (64 - (10 + #h + 1) % 64) % 64) .. "\n"
      return "\x93NUMPY\1\0" .. string.pack("<I2", #pad) .. pad
    end
    p = tmpfile("list.npy", withheader("['descr', '<f8']"))
    check.errors(function() data.npy(p) end, p .. ": byte 10: header is not a dict")
    p = tmpfile("nodescr.npy", withheader("{'fortran_order': False, 'shape': (1,), }"))
    check.errors(function() data.npy(p) end, "header dict lacks 'descr'")
    p = tmpfile("extra.npy", withheader("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}"))
    check.errors(function() data.npy(p) end, "unknown key")
    p = tmpfile("shape.npy", withheader("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999,), }"))
    check.errors(function() data.npy(p) end, "too large")
    p = tmpfile("ver.npy", "\x93NUMPY\9\0" .. good:sub(9))
    check.errors(function() data.npy(p) end, "unsupported format version 9.0")
    check.errors(function() data.save_npy(p, {1, 2}) end, "mat or vec expected, got table")
    check.errors(function() data.save_npy(base .. "no/such/dir.npy", slope.vec{1}) end, "cannot write")
  end)
end)

describe("slope.data transforms", function()
  local function dataset(n)
    local X = slope.mat.zeros(n, 2)
    local y = slope.vec.zeros(n)
    for i = 1, n do X[i][1] = i; X[i][2] = -i; y[i] = i end
    return {X = X, y = y, names = {"a", "b"}, target = "t"}
  end

  it("split: sizes, disjoint, covering, rows kept together, reproducible", function()
    local D = dataset(10)
    local tr, te = data.split(D, 0.7, slope.rng(3))
    check.eq(#tr.y, 7); check.eq(#te.y, 3)
    check.eq(select(1, tr.X:shape()), 7)
    local seen = {}
    for _, part in ipairs{tr, te} do
      for i = 1, #part.y do
        local k = part.y[i]
        check.truthy(not seen[k], "row twice"); seen[k] = true
        check.eq(part.X[i][1], k); check.eq(part.X[i][2], -k)
      end
    end
    for k = 1, 10 do check.truthy(seen[k], "row " .. k .. " missing") end
    check.eq(tr.names, D.names); check.eq(te.target, "t")
    local tr2 = data.split(D, 0.7, slope.rng(3))
    check.veq(tr2.y, tr.y:totable())
    local tr3 = data.split(D, 0.7, slope.rng(4))
    local differs = false
    for i = 1, 7 do differs = differs or tr3.y[i] ~= tr.y[i] end
    check.truthy(differs, "another seed shuffles differently")
    local S = {X = slope.csr.from_dense(D.X), y = D.y}
    local a, b = data.split(S, 0.5, slope.rng(1))
    check.eq(a.X:nnz() + b.X:nnz(), 20)
    local Ad = a.X:todense()
    for i = 1, 5 do check.eq(Ad[i][1], a.y[i]) end
  end)

  it("split checks its arguments", function()
    local D = dataset(4)
    check.errors(function() data.split(D, 1.5) end, "slope.data.split: frac (the training fraction) must be in (0, 1), got 1.5")
    check.errors(function() data.split(D, 0) end, "must be in (0, 1)")
    check.errors(function() data.split(D, 0 / 0) end, "must be in (0, 1)")
    check.errors(function() data.split({X = 1}, 0.5) end, "D.X must be a mat or csr, got number")
    check.errors(function() data.split({X = D.X, y = slope.vec{1}}, 0.5) end, "D.y has 1 entries but D.X has 4 rows")
    check.errors(function() data.split(D, 0.5, 7) end, "rng expected")
  end)

  it("standardize: zero mean, unit population std, constant columns, given stats", function()
    local X = slope.mat{{1, 5, 2}, {3, 5, 4}, {5, 5, 9}}
    local Xs, mean, scale = data.standardize(X)
    check.veq(mean, {3, 5, 5}, 1e-15)
    check.near(scale[1], math.sqrt(8 / 3)); check.eq(scale[2], 1.0)
    for j = 1, 3 do
      local s, ss = 0, 0
      for i = 1, 3 do s = s + Xs[i][j]; ss = ss + Xs[i][j] ^ 2 end
      check.near(s, 0, 1e-14)
      check.near(ss / 3, j == 2 and 0 or 1, 1e-14)
    end
    check.eq(X[1][1], 1.0, "X untouched")
    local V = slope.mat{{3, 6, 5}}
    local Vs, m2, s2 = data.standardize(V, {mean = mean, scale = scale})
    check.veq(Vs[1], {0, 1, 0}, 1e-15)
    check.truthy(rawequal(m2, mean) and rawequal(s2, scale))
    check.veq(data.standardize(V, {mean = {0, 0, 0}, scale = {1, 2, 4}})[1], {3, 3, 1.25})
    check.errors(function() data.standardize(V, {mean = mean}) end, "slope.data.standardize: mean and scale must be given together")
    check.errors(function() data.standardize(V, {mean = {1}, scale = scale}) end, "mean has 1 entries, X has 3 columns")
    check.errors(function() data.standardize(V, {mean = mean, scale = {1, 0, 1}}) end, "scale[2] must be a positive finite number")
    check.errors(function() data.standardize(V, {center = mean}) end, "unknown option 'center'")
    check.errors(function() data.standardize({1, 2}) end, "bad argument #1")
  end)

  it("onehot: rows of 0/1, K inferred, labels checked", function()
    local Y = data.onehot(slope.vec{0, 2, 1, 2}, 3)
    check.eq(select(2, Y:shape()), 3)
    check.veq(Y[1], {1, 0, 0}); check.veq(Y[2], {0, 0, 1}); check.veq(Y[3], {0, 1, 0})
    check.eq(select(2, data.onehot({1, 0}):shape()), 2)
    check.eq(select(2, data.onehot({1, 0}, 5):shape()), 5)
    check.errors(function() data.onehot({0, 1, 3}, 3) end, "slope.data.onehot: sample 3 has label 3.0, expected an integer in 0..2")
    check.errors(function() data.onehot({0, 1.5}, 3) end, "sample 2 has label 1.5")
    check.errors(function() data.onehot({0, -1}, 3) end, "sample 2 has label -1.0")
    check.errors(function() data.onehot({0, -1}) end, "sample 2 has label -1.0, expected an integer in 0..65535")
    check.errors(function() data.onehot({0, 0 / 0}, 2) end, "sample 2 has label")
    check.errors(function() data.onehot({0}, 0) end, "bad argument #2")
  end)

  it("batches: one epoch covers every index once, sizes, drop_last, seed", function()
    local seen, sizes, count = {}, {}, 0
    for idx, b in data.batches(10, 4, slope.rng(5)) do
      count = count + 1
      check.eq(b, count)
      sizes[#sizes + 1] = #idx
      for k = 1, #idx do
        local i = idx[k]
        check.truthy(i >= 1 and i <= 10 and math.type(i) == "float" and i == math.floor(i))
        check.truthy(not seen[i], "index twice"); seen[i] = true
      end
    end
    check.eq(table.concat(sizes, ","), "4,4,2")
    for i = 1, 10 do check.truthy(seen[i], "index " .. i .. " missing") end
    local n = 0
    for idx in data.batches(10, 4, slope.rng(5), {drop_last = true}) do n = n + 1; check.eq(#idx, 4) end
    check.eq(n, 2)
    local a, b = {}, {}
    for idx in data.batches(7, 3, slope.rng(9)) do for k = 1, #idx do a[#a + 1] = idx[k] end end
    for idx in data.batches(7, 3, slope.rng(9)) do for k = 1, #idx do b[#b + 1] = idx[k] end end
    check.eq(table.concat(a, ","), table.concat(b, ","))
    n = 0
    for _ in data.batches(0, 3) do n = n + 1 end
    check.eq(n, 0)
    n = 0
    for idx in data.batches(3, 10) do n = n + 1; check.eq(#idx, 3) end
    check.eq(n, 1)
    check.errors(function() data.batches(10, 0) end, "bad argument #2")
    check.errors(function() data.batches(10, 2, nil, {droplast = true}) end, "unknown option 'droplast'")
    check.errors(function() data.batches(-1, 2) end, "bad argument #1")
  end)
end)

-- Solve the normal equations X^T X w = X^T y by Gaussian elimination (small d).
local function lstsq(X, y, intercept)
  local n, d = X:shape()
  local p = d + (intercept and 1 or 0)
  local A, b = {}, {}
  for i = 1, p do A[i] = {}; for j = 1, p do A[i][j] = 0 end; b[i] = 0 end
  for r = 1, n do
    local row = X[r]:totable()
    if intercept then row[p] = 1 end
    for i = 1, p do
      b[i] = b[i] + row[i] * y[r]
      for j = 1, p do A[i][j] = A[i][j] + row[i] * row[j] end
    end
  end
  for k = 1, p do
    local piv = k
    for i = k + 1, p do if math.abs(A[i][k]) > math.abs(A[piv][k]) then piv = i end end
    A[k], A[piv], b[k], b[piv] = A[piv], A[k], b[piv], b[k]
    for i = k + 1, p do
      local f = A[i][k] / A[k][k]
      for j = k, p do A[i][j] = A[i][j] - f * A[k][j] end
      b[i] = b[i] - f * b[k]
    end
  end
  local w = {}
  for i = p, 1, -1 do
    local s = b[i]
    for j = i + 1, p do s = s - A[i][j] * w[j] end
    w[i] = s / A[i][i]
  end
  return w
end

describe("slope.data.synthetic", function()
  it("linear: least squares on noise-free data recovers w and b", function()
    local S = data.synthetic.linear{n = 60, d = 4, noise = 0, cond = 100, seed = 11, intercept = 2.5}
    check.eq(select(1, S.X:shape()), 60); check.eq(#S.w, 4); check.eq(S.b, 2.5)
    local w = lstsq(S.X, S.y, true)
    for j = 1, 4 do check.near(w[j], S.w[j], 1e-8, "w" .. j) end
    check.near(w[5], 2.5, 1e-8, "intercept")
  end)

  it("linear: covariance has the asked condition number; noise shows; seeds reproduce", function()
    local S = data.synthetic.linear{n = 20000, d = 2, cond = 100, seed = 1, noise = 0.5}
    local c11, c12, c22 = 0, 0, 0
    for i = 1, 20000 do
      local a, b = S.X[i][1], S.X[i][2]
      c11 = c11 + a * a; c12 = c12 + a * b; c22 = c22 + b * b
    end
    c11, c12, c22 = c11 / 20000, c12 / 20000, c22 / 20000
    local tr, det = c11 + c22, c11 * c22 - c12 * c12
    local disc = math.sqrt(tr * tr / 4 - det)
    local ratio = (tr / 2 + disc) / (tr / 2 - disc)
    check.truthy(ratio > 85 and ratio < 115, "condition number near 100, got " .. ratio)
    local r, ss = S.X:mv(S.w), 0
    for i = 1, 20000 do ss = ss + (S.y[i] - r[i]) ^ 2 end
    check.near(math.sqrt(ss / 20000), 0.5, 0.03, "noise std")
    local T = data.synthetic.linear{n = 20000, d = 2, cond = 100, seed = 1, noise = 0.5}
    check.veq(T.y, S.y:totable())
    check.errors(function() data.synthetic.linear{cond = 0.5} end, "slope.data.synthetic.linear: cond must be a number >= 1")
    check.errors(function() data.synthetic.linear{noise = -1} end, "noise must be a non-negative number")
    check.errors(function() data.synthetic.linear{n = 0} end, "n must be an integer >= 1")
    check.errors(function() data.synthetic.linear{noise = 0 / 0} end, "noise must be")
    check.errors(function() data.synthetic.linear{sigma = 1} end, "unknown option 'sigma'")
    check.errors(function() data.synthetic.linear{n = 1 << 40, d = 1 << 20} end, "too large")
  end)

  it("logistic: labels in {0, 1} that follow sigmoid(X w); |w| = scale", function()
    local S = data.synthetic.logistic{n = 4000, d = 3, seed = 2, scale = 3}
    local z = S.X:mv(S.w)
    check.near(S.w:norm(), 3, 1e-12)
    local agree, psum, ysum = 0, 0, 0
    for i = 1, 4000 do
      check.truthy(S.y[i] == 0 or S.y[i] == 1)
      local p = 1 / (1 + math.exp(-z[i]))
      psum = psum + p; ysum = ysum + S.y[i]
      if (z[i] > 0) == (S.y[i] == 1) then agree = agree + 1 end
    end
    check.near(ysum / 4000, psum / 4000, 0.03, "mean label matches mean probability")
    check.truthy(agree / 4000 > 0.75, "labels follow the sign of X w: " .. agree / 4000)
    check.errors(function() data.synthetic.logistic{scale = -1} end, "scale must be a non-negative number")
    check.errors(function() data.synthetic.logistic{noise = 1} end, "unknown option 'noise'")
  end)
end)

describe("slope.data.load", function()
  it("finds the shipped data sets and names the files it tried", function()
    local D = data.load("iris")
    local r, c = D.X:shape()
    check.eq(r, 150); check.eq(c, 4); check.eq(#D.names, 4)
    check.truthy(D.path:find("examples/data/iris.csv", 1, true), D.path)
    check.errors(function() data.load("nosuch") end, "slope.data.load: no data set 'nosuch' (tried ")
    check.errors(function() data.load("nosuch") end, "examples/data/nosuch.csv")
    check.errors(function() data.load("../etc/passwd") end, "name must be letters, digits")
    check.errors(function() data.load(3) end, "got number")
  end)

  it("lists where it looks: the program's and module's directories, the prefix, examples/data", function()
    local dirs = data.dirs()
    check.truthy(#dirs >= 3)
    check.eq(dirs[#dirs], "examples/data")
    local found = false
    for _, d in ipairs(dirs) do
      if d:find("share/slope/data", 1, true) then found = true end
    end
    check.truthy(found, "the install prefix's share/slope/data is searched")
  end)
end)

describe("readers on random and damaged input", function()
  -- Every outcome must be a value or a Lua error from slope.data; never a crash.
  local rng = slope.rng(2024)
  local alphabet = "0123456789.,:;-+eE \t\n\r\"#qidnaNfI\0\x93NUMPY{}()'<>fiu48TrueFalsshapedcr_o"
  local function randbytes(n, any)
    local t = {}
    for k = 1, n do
      if any then t[k] = string.char(rng:int(256) - 1)
      else local i = rng:int(#alphabet); t[k] = alphabet:sub(i, i) end
    end
    return table.concat(t)
  end
  local function mutate(s)
    local n = #s
    if n == 0 then return s end
    local kind = rng:int(3)
    if kind == 1 then return s:sub(1, rng:int(n) - 1) end -- truncate
    local t = { s:byte(1, -1) }
    for _ = 1, rng:int(4) do t[rng:int(n)] = rng:int(256) - 1 end -- flip bytes
    if kind == 3 then table.insert(t, rng:int(n), 48 + rng:int(10)) end
    return string.char(table.unpack(t))
  end
  local seeds = {
    csv = readall("examples/data/iris.csv"):sub(1, 600),
    libsvm = "1 1:0.5 3:-2 # c\n-1 qid:3 2:1e-3\n0\n+1 4:7 9:1.5e10\n",
    npy = readall("tests/data/f8_2d.npy"),
    npy2 = readall("tests/data/f8_v2.npy"),
    npyi = readall("tests/data/i4_1d.npy"),
  }
  local readers = {
    {"csv", function(p) return data.csv(p) end, {"csv"}},
    {"csv (no header)", function(p) return data.csv(p, {header = false}) end, {"csv"}},
    {"libsvm", function(p) return data.libsvm(p) end, {"libsvm"}},
    {"npy", function(p) return data.npy(p) end, {"npy", "npy2", "npyi"}},
  }
  for _, rd in ipairs(readers) do
    it(rd[1] .. " survives 300 random and damaged files", function()
      local path = base .. "fuzz"; made[#made + 1] = path
      local errors = 0
      for k = 1, 300 do
        local content
        if k % 3 == 0 then content = randbytes(rng:int(200) - 1, k % 2 == 0)
        else content = mutate(seeds[rd[3][rng:int(#rd[3])]]) end
        local f = assert(io.open(path, "wb")); f:write(content); f:close()
        local ok, err = pcall(rd[2], path)
        if not ok then
          errors = errors + 1
          check.truthy(tostring(err):find("slope.data.", 1, true), "error names the function: " .. tostring(err))
        end
      end
      check.truthy(errors > 50, "most damaged files are rejected (" .. errors .. ")")
    end)
  end
end)

for _, p in ipairs(made) do os.remove(p) end
os.remove(base)
