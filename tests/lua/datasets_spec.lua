-- datasets_spec.lua — known optima on the shipped data sets: least squares on
-- diabetes, logistic regression on breast_cancer, softmax regression on iris
-- and wine, each solved by slope.minimize and compared with the reference that
-- scripts/reference/datasets.py computed independently (numpy/scipy, Newton
-- polished, tests/data/ref_*.txt); least squares also against the normal
-- equations solved here from slope.mat products.
--
-- Tolerances, honestly: every problem here is well conditioned (the Hessian's
-- condition number kappa, recorded in each file, is 23..1100), and the error
-- in the parameters is about |g| / lambda_min at the stopping point (the
-- loss scale ~1.5e3 for least squares on diabetes multiplies every gtol).
-- newton_cg stops at max|g| <= 1e-12 and lands within 1e-12 relative (max
-- norm, relative to max|x|); we ask 1e-9. lbfgs stops at 1e-11: at 1e-12 the
-- differences of f along its direction are at rounding level and the strong
-- Wolfe search can fail (it did on logistic, l2 = 1e-4, lambda_min ~ 1e-4);
-- measured within 5e-9, we ask 5e-8. The optimal value to 1e-13 relative
-- (measured <= 5e-16), and max|g| <= 1e-13 (times the loss scale) at the
-- reference point (measured <= 1e-17).

local function read_ref(path)
  local fh = assert(io.open(path, "r"))
  local ref, xs, inx = {}, {}, false
  for line in fh:lines() do
    if line:sub(1, 1) == "#" or line == "" then -- luacheck: ignore 542 (a comment line)
    elseif inx then
      xs[#xs + 1] = assert(tonumber(line), path .. ": bad number " .. line)
    elseif line == "x" then
      inx = true
    else
      local k, v = line:match("^(%S+)%s+(.+)$")
      assert(k, path .. ": bad line " .. line)
      ref[k] = tonumber(v) or v
    end
  end
  fh:close()
  assert(#xs == ref.dim, path .. ": expected " .. tostring(ref.dim) .. " parameters, got " .. #xs)
  ref.x = slope.vec(xs)
  return ref
end

-- max|a - b| / max(max|b|, 1e-300)
local function maxrel(a, b)
  local m, s = 0, 0
  for i = 1, #b do
    m = math.max(m, math.abs(a[i] - b[i]))
    s = math.max(s, math.abs(b[i]))
  end
  return m / s
end

local function maxabs(v)
  local m = 0
  for i = 1, #v do m = math.max(m, math.abs(v[i])) end
  return m
end

-- the standardized data and the objective the reference describes
local function problem(ref)
  local D = slope.data.load(ref.data)
  local X = slope.data.standardize(D.X)
  local f
  if ref.model == "least_squares" then
    f = slope.obj.least_squares{X = X, y = D.y, l2 = ref.l2, intercept = ref.intercept == 1}
  elseif ref.model == "logistic" then
    f = slope.obj.logistic{X = X, y = D.y, l2 = ref.l2, intercept = ref.intercept == 1}
  else
    f = slope.obj.softmax{X = X, y = D.y, l2 = ref.l2, intercept = ref.intercept == 1,
                          classes = ref.classes}
  end
  return f, X, D.y
end

-- softmax intercepts are free up to a common shift: compare them centred
local function gauge(ref, x)
  if ref.model ~= "softmax" then return x end
  local K, x2 = ref.classes, x:clone()
  local p = #x // K
  local mean = 0
  for k = 1, K do mean = mean + x2[(p - 1) * K + k] end
  mean = mean / K
  for k = 1, K do x2[(p - 1) * K + k] = x2[(p - 1) * K + k] - mean end
  return x2
end

local REFS = {
  "ref_ls_diabetes_0", "ref_ls_diabetes_1e-1",
  "ref_logistic_breast_cancer_1e-2", "ref_logistic_breast_cancer_1e-4",
  "ref_softmax_iris_1e-2", "ref_softmax_wine_1e-2",
}

describe("reference files", function()
  it("hold the parameters of every problem and a near-zero gradient", function()
    for _, name in ipairs(REFS) do
      local ref = read_ref("tests/data/" .. name .. ".txt")
      check.truthy(ref.dim >= 11, name .. ": dim")
      check.truthy(ref.gnorm < 1e-12, name .. ": python's own max|g|")
      check.truthy(ref.cond > 1 and ref.cond < 1e4, name .. ": conditioning as documented")
    end
  end)
end)

for _, name in ipairs(REFS) do
  describe("known optimum " .. name, function()
    local ref = read_ref("tests/data/" .. name .. ".txt")
    local f = problem(ref)
    -- the loss scale: least squares on diabetes has f ~ 1.5e3
    local fscale = math.max(1, math.abs(ref.f))

    it("slope's gradient vanishes at the reference point", function()
      check.eq(f.dim, ref.dim, "dimension")
      local val, g = f:fg(ref.x)
      check.near(val, ref.f, 1e-13, "value at the reference")
      check.truthy(maxabs(g) <= 1e-13 * fscale,
        ("max|g| = %.3g at the reference"):format(maxabs(g)))
    end)

    for method, tol in pairs({lbfgs = {1e-11, 5e-8}, newton_cg = {1e-12, 1e-9}}) do
      it(method .. " reaches the reference optimum", function()
        local gtol = tol[1] * fscale
        local res = slope.minimize(f, slope.vec.zeros(f.dim),
                                   {method = method, gtol = gtol, maxiter = 5000})
        check.eq(res.status, "converged", method .. ": " .. res.message)
        check.truthy(res.gnorm <= gtol, method .. ": " .. res.message)
        check.near(res.f, ref.f, 1e-13, method .. " optimal value")
        local e = maxrel(gauge(ref, res.x), ref.x)
        check.truthy(e <= tol[2], ("%s: parameters off by %.3g relative"):format(method, e))
      end)
    end

    it("a perturbed reference is detected (the comparison can fail)", function()
      local x = ref.x:clone()
      x[1] = x[1] + 1e-6 * maxabs(ref.x)
      check.truthy(maxrel(x, ref.x) > 1e-8, "perturbation visible")
      local _, g = f:fg(x)
      check.truthy(maxabs(g) > 1e-13 * fscale, "gradient no longer zero")
    end)
  end)
end

-- Solve the symmetric positive definite system M z = b by Cholesky (M: a mat).
local function chol_solve(M, b)
  local n = #b
  local Lm = {}
  for i = 1, n do
    Lm[i] = {}
    for j = 1, i do
      local s = M:get(i, j)
      for k = 1, j - 1 do s = s - Lm[i][k] * Lm[j][k] end
      if i == j then
        assert(s > 0, "not positive definite")
        Lm[i][i] = math.sqrt(s)
      else
        Lm[i][j] = s / Lm[j][j]
      end
    end
  end
  local y = {}
  for i = 1, n do
    local s = b[i]
    for k = 1, i - 1 do s = s - Lm[i][k] * y[k] end
    y[i] = s / Lm[i][i]
  end
  local z = {}
  for i = n, 1, -1 do
    local s = y[i]
    for k = i + 1, n do s = s - Lm[k][i] * z[k] end
    z[i] = s / Lm[i][i]
  end
  return slope.vec(z)
end

describe("least squares closed form (normal equations from slope.mat)", function()
  for _, name in ipairs({"ref_ls_diabetes_0", "ref_ls_diabetes_1e-1"}) do
    it(name, function()
      local ref = read_ref("tests/data/" .. name .. ".txt")
      local f, X, y = problem(ref)
      local n, d = X:shape()
      local A = slope.mat.zeros(n, d + 1)
      for i = 1, n do
        for j = 1, d do A:set(i, j, X:get(i, j)) end
        A:set(i, d + 1, 1)
      end
      -- (A^T A / n + l2 E) x = A^T y / n, E the identity without the intercept
      local M = A:transpose():mm(A)
      for i = 1, d + 1 do
        for j = 1, d + 1 do M:set(i, j, M:get(i, j) / n) end
        if i <= d then M:set(i, i, M:get(i, i) + ref.l2) end
      end
      local rhs = A:tmv(y) * (1 / n)
      local x = chol_solve(M, rhs)
      -- kappa(M) ~ 470: the normal equations lose ~3 digits, so 1e-12 relative
      local e = maxrel(x, ref.x)
      check.truthy(e <= 1e-12, ("closed form off by %.3g relative"):format(e))
      check.near(f:value(x), ref.f, 1e-14, "closed-form optimal value")
    end)
  end
end)
