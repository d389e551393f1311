-- vec_mat_spec.lua — what users reach for first (issue 10): ipairs over vec and
-- mat, views with x:sub, elementwise maths, A * x, and the optimizer fixes that
-- go with them (a define'd step returning x, states that know their kind).

describe("ipairs over vec and mat", function()
  it("walks a vec's values and stops past the end", function()
    local x, seen = slope.vec{3, 1, 4}, {}
    for i, v in ipairs(x) do seen[i] = v end
    check.eq(#seen, 3); check.eq(seen[1], 3.0); check.eq(seen[3], 4.0)
    check.eq(x[4], nil)
    for _ in ipairs(slope.vec.zeros(0)) do error("an empty vec has no entries") end
    check.errors(function() x[4] = 1 end, "out of range")
  end)

  it("walks a mat's rows as views that write through", function()
    local A, n = slope.mat{{1, 2}, {3, 4}, {5, 6}}, 0
    for i, row in ipairs(A) do
      n = n + 1
      check.eq(#row, 2)
      row[1] = row[1] * 10
      check.eq(A:get(i, 1), row[1])
    end
    check.eq(n, 3)
    check.eq(A[4], nil)
  end)
end)

describe("x:sub views", function()
  it("shares memory both ways and counts negatives from the end", function()
    local x = slope.vec{1, 2, 3, 4, 5}
    local s = x:sub(2, 4)
    check.veq(s, {2, 3, 4})
    s[1] = 20; check.eq(x[2], 20.0)
    x[4] = 40; check.eq(s[3], 40.0)
    s:scale(2); check.veq(x, {1, 40, 6, 80, 5})
    check.veq(x:sub(-2), {80, 5})
    check.veq(x:sub(3), {6, 80, 5})
    check.eq(#x:sub(3, 2), 0)
    check.veq(x:sub(2, 4):sub(2, 3), {6, 80}) -- a view of a view
    check.errors(function() x:sub(0) end, "outside 1..5")
    check.errors(function() x:sub(2, 6) end, "outside 1..5")
    check.errors(function() x:sub(4, 2) end, "outside 1..5")
  end)

  it("keeps its vec (or its mat's row) alive", function()
    local s = slope.vec{7, 8, 9}:sub(2)
    collectgarbage(); collectgarbage()
    check.veq(s, {8, 9})
    local r = slope.mat{{1, 2, 3}}[1]:sub(2, 3)
    collectgarbage(); collectgarbage()
    check.veq(r, {2, 3})
  end)

  it("works where a vec is taken: an optimizer step on a block of x", function()
    local x = slope.vec{1, 1, 1, 1}
    slope.optim.sgd{lr = 0.5}:step(x:sub(3, 4), slope.vec{1, 2})
    check.veq(x, {1, 1, 0.5, 0})
  end)
end)

describe("elementwise maths", function()
  it("returns a new vec, or writes into out (x itself for in place)", function()
    local x = slope.vec{-1, 4}
    local a = x:abs()
    check.veq(a, {1, 4}); check.veq(x, {-1, 4})
    check.truthy(rawequal(x:abs(x), x)); check.veq(x, {1, 4})
    local out = slope.vec.zeros(2)
    check.truthy(rawequal(x:sqrt(out), out)); check.veq(out, {1, 2})
    check.veq(slope.vec{0, 1}:exp(), {1, math.exp(1)}, 1e-15)
    check.veq(slope.vec{1, math.exp(2)}:log(), {0, 2}, 1e-15)
    check.errors(function() x:exp(slope.vec.zeros(3)) end, "dimension mismatch")
    local y = slope.vec{1, -2, 3}
    check.errors(function() y:sub(1, 2):abs(y:sub(2, 3)) end, "out overlaps x")
    y:sub(2, 3):abs(y:sub(2, 3)); check.veq(y, {1, 2, 3})
  end)

  it("follows IEEE for domain errors", function()
    local s = slope.vec{-1}:sqrt()
    check.truthy(s[1] ~= s[1], "sqrt(-1) is NaN")
    local l = slope.vec{0, -1}:log()
    check.eq(l[1], -math.huge)
    check.truthy(l[2] ~= l[2])
    check.eq(tostring(s), "vec[1]{nan}") -- not the C library's -nan
  end)

  it("clamps with optional bounds and keeps NaN", function()
    local x = slope.vec{-5, 0.5, 5, 0 / 0}
    local c = x:clamp(-1, 1)
    check.eq(c[1], -1.0); check.eq(c[2], 0.5); check.eq(c[3], 1.0); check.truthy(c[4] ~= c[4])
    check.eq(x:clamp(nil, 0)[3], 0.0)
    check.eq(x:clamp(0)[1], 0.0)
    check.eq(x:clamp(0)[3], 5.0)
    x:clamp(0, 1, x); check.eq(x[1], 0.0)
  end)

  it("maps a Lua function over the entries, with the index", function()
    local x = slope.vec{1, 2, 3}
    check.veq(x:map(function(v, i) return v * 10 + i end), {11, 22, 33})
    x:map(function(v) return v * v end, x)
    check.veq(x, {1, 4, 9})
    check.errors(function() x:map(function() end) end, "fn returned nil for entry 1")
  end)
end)

describe("products with *", function()
  it("A * x is A:mv(x); A * B is A:mm(B); scalars scale", function()
    local A = slope.mat{{1, 2}, {3, 4}}
    local x = slope.vec{1, -1}
    check.veq(A * x, {-1, -1})
    check.veq(A * {1, 0}, {1, 3})
    local P = A * A
    check.veq(P[1], {7, 10}); check.veq(P[2], {15, 22})
    local Q = A * {{1}, {1}}
    check.eq(#Q, 2); check.veq(Q[2], {7})
    check.veq((2 * A)[2], {6, 8})
    check.veq((A * 0.5)[1], {0.5, 1})
  end)

  it("S * x for csr", function()
    local S = slope.csr{rows = 2, cols = 3, i = {1, 2, 2}, j = {1, 1, 3}, v = {2, 1, 5}}
    check.veq(S * slope.vec{1, 2, 3}, {2, 16})
    check.veq(S * {1, 0, 0}, {2, 1})
  end)

  it("says what to write when the operands do not fit", function()
    local A, x = slope.mat{{1, 2}, {3, 4}}, slope.vec{1, 2}
    check.errors(function() return x * A end, "vec * slope.mat: not defined (for a matrix-vector product write A * x")
    check.errors(function() return A * slope.vec{1, 2, 3} end, "mat * vec: dimension mismatch: A is 2x2, x has 3 entries")
    check.errors(function() return A * "s" end, "mat *: expected a slope.vec, slope.mat or number, got string")
    check.errors(function() slope.data.standardize(x) end, "slope.mat expected, got slope.vec")
  end)
end)

describe("optimizers: define steps that return x, states that know their kind", function()
  local function rule(name, step) return slope.optim.define{name = name, defaults = {lr = 0.5}, step = step} end

  it("an in-place step and a returning step give the same iterates", function()
    local inplace = rule("vm_inplace", function(_, x, g, hp) x:axpy(-hp.lr, g) end)
    local returning = rule("vm_returning", function(_, x, g, hp) return x - g * hp.lr end)
    local as_table = rule("vm_table", function(_, x, g, hp)
      local t = {}
      for i = 1, #x do t[i] = x[i] - hp.lr * g[i] end
      return t
    end)
    for _, mk in ipairs{inplace, returning, as_table} do
      local x, o = slope.vec{1, 2}, mk{}
      for _ = 1, 3 do o:step(x, slope.vec{1, -1}) end
      check.veq(x, {-0.5, 3.5})
    end
  end)

  it("a step may work on blocks of x with x:sub; views kept past the call are empty", function()
    local kept
    local blockwise = rule("vm_block", function(_, x, g, hp)
      local head, gh = x:sub(1, 1), g:sub(1, 1)
      head:axpy(-hp.lr, gh)
      kept = head
    end)
    local x = slope.vec{1, 2}
    blockwise{}:step(x, slope.vec{1, 1})
    check.veq(x, {0.5, 2})
    check.eq(#kept, 0) -- x and g are lent for the call only: no view of them outlives it
    check.eq(kept[1], nil)
    -- a step running another define'd step keeps its own views until its call ends
    local inner = rule("vm_inner", function(_, y, g, hp) y:sub(1, 1):axpy(-hp.lr, g:sub(1, 1)) end)
    local outer = rule("vm_outer", function(_, y)
      local tail = y:sub(2, 2)
      inner{}:step(slope.vec{1, 1}, slope.vec{1, 1})
      tail[1] = 42
      kept = tail
    end)
    local z = slope.vec{1, 2}
    outer{}:step(z, slope.vec{1, 1})
    check.veq(z, {1, 42})
    check.eq(#kept, 0)
  end)

  it("a step returning something else is an error, not a silent no-op", function()
    local wrong_len = rule("vm_len", function() return slope.vec{1, 2, 3} end)
    local number = rule("vm_num", function() return 1 end)
    local bad_entry = rule("vm_entry", function() return {1, "a"} end)
    local x = slope.vec{1, 2}
    check.errors(function() wrong_len{}:step(x, slope.vec{1, 1}) end, "returned a vec of 3 entries, x has 2")
    check.errors(function() number{}:step(x, slope.vec{1, 1}) end,
      "slope.optim.vm_num: step: returned a number; it must update x in place")
    check.errors(function() bad_entry{}:step(x, slope.vec{1, 1}) end, "entry 2 is string")
    check.veq(x, {1, 2}) -- untouched by the failed steps
  end)

  it("load refuses another optimizer's state by kind, and loads states without one", function()
    local adam, sgd = slope.optim.adam{}, slope.optim.sgd{momentum = 0.9}
    adam:step(slope.vec{1, 2}, slope.vec{1, 1})
    local s = adam:state()
    check.eq(s.kind, "adam")
    check.errors(function() sgd:load(s) end, "slope.optim.load: state is from adam, this optimizer is sgd")
    local old = adam:state(); old.kind = nil -- as saved before states had a kind
    local b = slope.optim.adam{}
    b:load(old)
    check.eq(b.t, 1)
    check.veq(b:state().exp_avg, s.exp_avg)
    -- wrappers: each level has its kind
    local w = slope.optim.clip{base = slope.optim.adam{}, max_norm = 1}
    w:step(slope.vec{1}, slope.vec{1})
    local ws = w:state()
    check.eq(ws.kind, "clip"); check.eq(ws.base.kind, "adam")
    local w2 = slope.optim.clip{base = slope.optim.sgd{}, max_norm = 1}
    check.errors(function() w2:load(ws) end, "state is from adam, this optimizer is sgd")
  end)
end)
