-- l1_spec.lua — issue 15, L1 and composite: owlqn, fista and prox_gd against
-- independent solutions: L1 logistic regression on breast_cancer against
-- LIBLINEAR -s 6 (tests/data/l1_logistic_ref.lua, made by
-- tests/data/l1_logistic_ref.sh), the lasso on diabetes against a coordinate
-- descent written here, a separable quadratic against its closed form; a prox
-- function against l1; owlqn's iterates in their orthants; the solver, the
-- result fields, callbacks, budgets and history.

local REF = dofile("tests/data/l1_logistic_ref.lua")
local BC = slope.data.load("breast_cancer")
local XB = slope.data.standardize(BC.X)
local logistic = slope.obj.logistic{X = XB, y = BC.y, intercept = true}
local DB = slope.data.load("diabetes")
local XD = slope.data.standardize(DB.X)
local lsq = slope.obj.least_squares{X = XD, y = DB.y, intercept = true}

local function l1norm(x, w)
  local s = 0
  for i = 1, #x do s = s + (w and w[i] or 1) * math.abs(x[i]) end
  return s
end

local function nnz(x)
  local k = 0
  for i = 1, #x do if x[i] ~= 0 then k = k + 1 end end
  return k
end

-- the lasso (1/2n)|Xw + b - y|^2 + lam |w|_1, b free, by cyclic coordinate
-- descent (Friedman, Hastie & Tibshirani 2010): b = mean(y) since the columns
-- of X are centred; w_j = S(x_j'r_j / n, lam) / (x_j'x_j / n).
local function lasso_cd(X, y, lam)
  local n, d = X:shape()
  local w, r, b = {}, {}, 0
  for i = 1, n do b = b + y[i] end
  b = b / n
  for j = 1, d do w[j] = 0 end
  for i = 1, n do r[i] = y[i] - b end
  local sq = {}
  for j = 1, d do
    local s = 0
    for i = 1, n do s = s + X[i][j]^2 end
    sq[j] = s / n
  end
  for _ = 1, 100000 do
    local change = 0
    for j = 1, d do
      local rho = 0
      for i = 1, n do rho = rho + X[i][j] * (r[i] + X[i][j] * w[j]) end
      rho = rho / n
      local new = (rho > lam and rho - lam or rho < -lam and rho + lam or 0) / sq[j]
      if new ~= w[j] then
        for i = 1, n do r[i] = r[i] - X[i][j] * (new - w[j]) end
        change = math.max(change, math.abs(new - w[j]))
        w[j] = new
      end
    end
    if change < 1e-13 then break end
  end
  w[d + 1] = b
  local f = 0
  for i = 1, n do f = f + r[i]^2 end
  return w, f / (2 * n) + lam * l1norm({table.unpack(w, 1, d)})
end

local function same_zeros(x, w, where)
  for i = 1, #w do
    check.truthy((x[i] == 0) == (w[i] == 0), ("%s: coordinate %d is %.3g, the reference %.3g"):format(where, i, x[i], w[i]))
  end
end

describe("L1 and composite methods", function()
  it("L1 logistic regression on breast_cancer: the objective and sparsity of LIBLINEAR -s 6", function()
    for _, ref in ipairs(REF) do
      for _, m in ipairs{"owlqn", "fista"} do
        local where = ("%s, lambda = %g"):format(m, ref.lambda)
        local r = slope.minimize(logistic, slope.vec.zeros(logistic.dim),
          {method = m, l1 = ref.lambda, gtol = 1e-9, maxiter = 50000})
        check.eq(r.status, "converged", where .. ": " .. r.message)
        check.truthy(r.success, where)
        check.near(r.f, ref.F, 1e-9, where .. ": F")
        check.truthy(r.f >= ref.F * (1 - 1e-12), where .. ": below LIBLINEAR's optimum?")
        check.eq(r.nnz, ref.nnz, where .. ": nnz")
        check.eq(nnz(r.x), r.nnz, where .. ": nnz counts x")
        same_zeros(r.x, ref.w, where)
        for i = 1, #ref.w do check.near(r.x[i], ref.w[i], 1e-4, where .. ": w" .. i) end
        -- the fields: f = f_smooth + lambda |x|_1, f_smooth the objective's value
        check.near(r.f, r.f_smooth + ref.lambda * l1norm(r.x), 1e-14, where)
        check.near(r.f_smooth, logistic:value(r.x), 1e-14, where)
        check.eq(r.fun, r.f)
        check.truthy(r.gnorm <= 1e-8, where)
      end
    end
  end)

  it("prox_gd reaches the same optimum on the sparser problem", function()
    local ref = REF[2]
    local r = slope.minimize(logistic, slope.vec.zeros(logistic.dim),
      {method = "prox_gd", l1 = ref.lambda, gtol = 1e-8, maxiter = 100000})
    check.eq(r.status, "converged", r.message)
    check.near(r.f, ref.F, 1e-8, "prox_gd F")
    same_zeros(r.x, ref.w, "prox_gd")
    check.truthy(r.lr > 0 and r.lr <= 1, "the step")
  end)

  it("the lasso on diabetes against coordinate descent, the intercept unpenalized", function()
    local _, d = XD:shape()
    for _, lam in ipairs{0.5, 5} do
      local w, F = lasso_cd(XD, DB.y, lam)
      local weights = slope.vec.zeros(d + 1)
      for j = 1, d do weights[j] = lam end -- 0 for the intercept
      for _, m in ipairs{"owlqn", "fista", "prox_gd"} do
        local where = ("%s lasso, lambda = %g"):format(m, lam)
        local r = slope.minimize(lsq, slope.vec.zeros(d + 1),
          {method = m, l1 = weights, gtol = 1e-6, maxiter = 200000})
        check.eq(r.status, "converged", where .. ": " .. r.message)
        check.near(r.f, F, 1e-10, where .. ": F")
        same_zeros(r.x, w, where)
        for i = 1, d + 1 do check.near(r.x[i], w[i], 1e-5, where .. ": w" .. i) end
        check.near(r.f, r.f_smooth + l1norm(r.x, weights), 1e-13, where)
      end
    end
  end)

  it("a separable quadratic from Lua: x_i = S(b_i, lambda_i) / a_i, as obj.lua and as a plain function", function()
    local a, b = {1, 2, 4, 8, 0.5}, {3, -0.2, 0.5, -6, 0.05}
    local function fg(x, g)
      local f = 0
      for i = 1, 5 do
        f = f + 0.5 * a[i] * x[i]^2 - b[i] * x[i]
        if g then g[i] = a[i] * x[i] - b[i] end
      end
      return f
    end
    local lam = slope.vec{0.5, 0.5, 0.25, 1, 0.1}
    local want = {}
    for i = 1, 5 do
      local v = math.abs(b[i]) - lam[i]
      want[i] = v > 0 and (b[i] > 0 and v or -v) / a[i] or 0
    end
    for _, f in ipairs{slope.obj.lua{dim = 5, fg = fg}, fg} do
      for _, m in ipairs{"owlqn", "fista", "prox_gd"} do
        local r = slope.minimize(f, {1, 1, 1, 1, 1}, {method = m, l1 = lam, gtol = 1e-10})
        check.eq(r.status, "converged", m .. ": " .. r.message)
        check.veq(r.x, want, 1e-9, m)
        check.eq(r.nnz, 3, m)
      end
    end
    -- l1 = 0: the smooth minimizer, b_i / a_i; and Rosenbrock's (1, 1)
    for _, m in ipairs{"owlqn", "fista", "prox_gd"} do
      local r = slope.minimize(fg, {0, 0, 0, 0, 0}, {method = m, gtol = 1e-9})
      for i = 1, 5 do check.near(r.x[i], b[i] / a[i], 1e-8, m) end
      r = slope.minimize(slope.obj.rosenbrock(), {-1.2, 1}, {method = m, gtol = 1e-6, maxiter = 100000})
      check.eq(r.status, "converged", m .. " rosenbrock: " .. r.message)
      check.near(r.x[1], 1, 1e-4, m); check.near(r.x[2], 1, 1e-4, m)
    end
  end)

  it("a prox function equal to soft-thresholding gives the l1 result (in place or returned)", function()
    local lam = REF[1].lambda
    local function soft_inplace(x, t)
      for i = 1, #x do
        local v = math.abs(x[i]) - t * lam
        x[i] = v > 0 and (x[i] > 0 and v or -v) or 0
      end
    end
    local function soft_return(x, t)
      local y = x:clone()
      soft_inplace(y, t)
      return y
    end
    for _, m in ipairs{"fista", "prox_gd"} do
      local opts = {method = m, gtol = 1e-7, maxiter = 20000}
      local base = slope.minimize(logistic, slope.vec.zeros(logistic.dim),
        {method = m, l1 = lam, gtol = 1e-7, maxiter = 20000})
      for _, p in ipairs{soft_inplace, soft_return} do
        opts.prox = p
        local r = slope.minimize(logistic, slope.vec.zeros(logistic.dim), opts)
        check.eq(r.nit, base.nit, m .. ": the same iterates")
        check.veq(r.x, base.x, 1e-12, m)
        -- the prox's h is unknown to slope: f is the smooth part
        check.eq(r.f, r.f_smooth)
        check.near(r.f_smooth, base.f_smooth, 1e-13, m)
        check.eq(r.nnz, base.nnz)
      end
    end
    -- a prox projecting onto a box: the constrained minimizer of a quadratic
    local r = slope.minimize(function(x, g)
      if g then g[1] = 2 * (x[1] - 3); g[2] = 2 * (x[2] + 3) end
      return (x[1] - 3)^2 + (x[2] + 3)^2
    end, {0, 0}, {method = "fista", gtol = 1e-10, prox = function(x) x:clamp(-1, 1, x) end})
    check.veq(r.x, {1, -1}, 1e-12, "box")
    check.eq(r.status, "converged")
  end)

  it("owlqn's iterates stay in their orthants; fista's restarts are counted", function()
    local r = slope.minimize(logistic, slope.vec.zeros(logistic.dim),
      {method = "owlqn", l1 = REF[1].lambda, history = {x = true}, gtol = 1e-6})
    local xs = r.history.x
    check.truthy(#xs == r.nit + 1, "one x per iteration and x0")
    local entered = 0
    for k = 2, #xs do
      for i = 1, #xs[k] do
        check.truthy(xs[k - 1][i] * xs[k][i] >= 0, ("x%d changed sign at iteration %d"):format(i, k - 1))
        if xs[k - 1][i] == 0 and xs[k][i] ~= 0 then entered = entered + 1 end
      end
      check.truthy(r.history.f[k] <= r.history.f[k - 1], "monotone")
    end
    check.truthy(entered >= REF[1].nnz, "coordinates leave zero")
    local f = slope.minimize(logistic, slope.vec.zeros(logistic.dim), {method = "fista", l1 = REF[1].lambda, gtol = 1e-7, maxiter = 20000})
    local g = slope.minimize(logistic, slope.vec.zeros(logistic.dim),
      {method = "fista", l1 = REF[1].lambda, gtol = 1e-7, maxiter = 20000, adaptive_restart = false})
    check.truthy(f.restarts > 0 and g.restarts == 0, "restarts " .. f.restarts .. " " .. g.restarts)
    check.truthy(f.nit < g.nit, ("restarts help here: %d vs %d iterations"):format(f.nit, g.nit))
  end)

  it("step-wise: s:step() records, s:run() equals slope.minimize, budgets, callback, state", function()
    for _, m in ipairs{"owlqn", "fista", "prox_gd"} do
      local opts = {method = m, l1 = 0.02, gtol = 1e-6, maxiter = 3000}
      local s = slope.solver(logistic, slope.vec.zeros(logistic.dim), opts)
      local info = s:step()
      check.eq(info.status, "ok")
      check.eq(info.nit, 1)
      check.truthy(info.f < info.f_prev, m)
      check.truthy(info.trials >= 1 and info.nnz >= 1 and info.f_smooth < info.f, m)
      check.truthy(info.step > 0 and info.direction and info.gd < 0, m)
      local st = s:state()
      check.eq(st.method, m)
      if m == "owlqn" then check.eq(#st.s, 1); check.eq(#st.pseudo_grad, logistic.dim)
      else check.truthy(st.lr > 0) end
      local r = s:run()
      local direct = slope.minimize(logistic, slope.vec.zeros(logistic.dim), opts)
      check.eq(r.nit, direct.nit, m); check.eq(r.f, direct.f, m); check.veq(r.x, direct.x, 0, m)
      check.eq(r.nnz, direct.nnz); check.eq(r.f_smooth, direct.f_smooth)
      check.eq(s.f, r.f); check.eq(s.gnorm, r.gnorm)
      -- budgets and the callback, with their reasons in words
      r = slope.minimize(logistic, slope.vec.zeros(logistic.dim), {method = m, l1 = 0.02, maxiter = 3, gtol = 0})
      check.eq(r.status, "maxiter"); check.eq(r.nit, 3)
      check.truthy(r.message:find("max|", 1, true), r.message)
      r = slope.minimize(logistic, slope.vec.zeros(logistic.dim), {method = m, l1 = 0.02, maxfev = 5, gtol = 0})
      check.eq(r.status, "maxfev"); check.truthy(r.nfev >= 5 and r.nfev < 5 + 61, m)
      local seen = 0
      r = slope.minimize(logistic, slope.vec.zeros(logistic.dim), {method = m, l1 = 0.02, gtol = 0,
        callback = function(it) seen = seen + 1; check.truthy(it.x and it.g and it.f); return it.nit >= 4 end})
      check.eq(r.status, "callback"); check.eq(seen, 4); check.eq(r.nit, 4)
      r = slope.minimize(logistic, slope.vec.zeros(logistic.dim), {method = m, l1 = 0.02, maxtime = 1e-9, gtol = 0})
      check.eq(r.status, "maxtime")
      r = slope.minimize(logistic, slope.vec.zeros(logistic.dim), {method = m, l1 = 0.02, history = true, maxiter = 5})
      check.eq(#r.history.f, 6)
      check.eq(r.history.f[6], r.f)
      -- converged at the start: x0 = 0 is optimal once lambda >= max|g(0)| (bias weight too)
      r = slope.minimize(logistic, slope.vec.zeros(logistic.dim), {method = m, l1 = 10})
      check.eq(r.status, "converged"); check.eq(r.nit, 0); check.eq(r.nnz, 0)
      check.truthy(r.message:find("at the start", 1, true), r.message)
    end
  end)
end)
