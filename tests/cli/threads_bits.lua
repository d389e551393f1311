-- threads_bits.lua — every data objective's value, gradient and HVP (plain,
-- windowed, on a minibatch view, per-sample gradients) as exact hex floats,
-- at sizes large enough for several row blocks and threads. Run as a script
-- it prints them (threads_test.sh compares the output at OMP_NUM_THREADS=1, 2,
-- 3, 8); loaded with loadfile(path)("lib") it returns the function (threads_spec.lua).
local function bits(v)
  if type(v) == "number" then return ("%a"):format(v) end
  local t = {}
  for i = 1, #v do t[i] = ("%a"):format(v[i]) end
  return table.concat(t, " ")
end

local function objectives()
  local r = slope.rng(12)
  local n, d = 4000, 70
  local X = slope.mat.zeros(n, d)
  for i = 1, n do X[i]:copy(slope.vec.randn(d, r)) end
  local yb, yr, y5 = {}, {}, {}
  for i = 1, n do
    yb[i] = X:get(i, 1) + 0.5 * X:get(i, 2) > 0 and 1 or 0
    yr[i] = X:get(i, 3) - X:get(i, 4)
    y5[i] = (i * 7 + 3) % 5
  end
  -- a sparse copy: every third entry
  local ci, cj, cv = {}, {}, {}
  for i = 1, n do
    for j = 1 + i % 3, d, 3 do ci[#ci + 1], cj[#cj + 1], cv[#cv + 1] = i, j, X:get(i, j) end
  end
  local S = slope.csr{rows = n, cols = d, i = ci, j = cj, v = cv}
  local m, items, ent = 300, 200, {}
  for k = 1, 100000 do
    ent[#ent + 1] = {(k * 37) % m + 1, (k * 101) % items + 1, math.sin(k)}
  end
  return {
    {"least_squares", slope.obj.least_squares{X = X, y = yr, l2 = 1e-3, intercept = true}},
    {"least_squares csr", slope.obj.least_squares{X = S, y = yr, l2 = 1e-3}},
    {"logistic", slope.obj.logistic{X = X, y = yb, l2 = 1e-3, intercept = true}},
    {"logistic csr", slope.obj.logistic{X = S, y = yb, l2 = 1e-3, intercept = true}},
    {"softmax", slope.obj.softmax{X = X, y = y5, classes = 5, l2 = 1e-3, intercept = true}},
    {"mlp tanh xent", slope.obj.mlp{X = X, y = y5, hidden = {32}, activation = "tanh", classes = 5, l2 = 1e-3}},
    {"mlp relu mse", slope.obj.mlp{X = X, y = yr, hidden = {24, 16}, activation = "relu", loss = "mse"}},
    {"matrix_factorization",
      slope.obj.matrix_factorization{rows = m, cols = items, entries = slope.mat(ent), rank = 4, l2 = 1e-3}},
  }
end

-- lines(threads): {name .. " " .. what .. " " .. bits}; threads (optional)
-- set through slope.threads before every evaluation.
local objs
local function lines(threads)
  objs = objs or objectives()
  local out = {}
  for _, e in ipairs(objs) do
    local name, f = e[1], e[2]
    local r = slope.rng(5)
    local x = f.init and f:init(r) or slope.vec.randn(f.dim, r)
    x = x * 0.5
    local v = slope.vec.randn(f.dim, r)
    local idx = {}
    for k = 1, 2500 do idx[k] = (k * 13) % f.n + 1 end
    local function put(what, val) out[#out + 1] = name .. " " .. what .. " " .. bits(val) end
    if threads then slope.threads(threads) end
    local val, g = f:fg(x)
    put("value", val)
    put("value only", f:value(x))
    put("grad", g)
    put("hvp", f:hvp(x, v))
    local H = slope.spectrum.operator(f, x)
    put("hvp window", H:mul(v))
    H:close()
    local b = f:batch(idx)
    local bv, bg = b:fg(x)
    put("batch value", bv)
    put("batch grad", bg)
    put("batch hvp", b:hvp(x, v))
    local G = f:sample_grads(x, {1, 17, f.n})
    put("sample grads", G:row(1)); put("sample grads", G:row(3))
  end
  return out
end

if ... ~= "lib" then
  for _, l in ipairs(lines()) do print(l) end
end
return lines
