-- optim_curv_spec.lua — the curvature- and matrix-aware rules (adahessian,
-- sophia, shampoo, muon) and slope.probe.hessian_diag: each update against
-- the published equations written out here (with an xoshiro256** of our own
-- drawing the same Rademacher vectors from the rng's state, and a Jacobi
-- eigensolver for Shampoo's inverse 4th roots), convergence on the digits
-- MLP, state()/load() continuation, wrappers and slope.train resume.
-- Misuse: optim_curv_misuse_spec.lua.

local O = slope.optim
local sqrt, abs = math.sqrt, math.abs

-- xoshiro256** on Lua's 64-bit integers (wrapping, >> logical), from r:state()
local function rotl(x, k) return (x << k) | (x >> (64 - k)) end
local function xoshiro(state)
  local s = { state[1], state[2], state[3], state[4] }
  return function()
    local result = rotl(s[2] * 5, 7) * 9
    local t = s[2] << 17
    s[3] = s[3] ~ s[1]
    s[4] = s[4] ~ s[2]
    s[2] = s[2] ~ s[3]
    s[1] = s[1] ~ s[4]
    s[3] = s[3] ~ t
    s[4] = rotl(s[4], 45)
    return result
  end
end
-- n Rademacher signs, 64 a draw from the top bit down: +1 where the bit is set
local function rademacher(next, n)
  local z, w = {}, 0
  for i = 1, n do
    local b = (i - 1) % 64
    if b == 0 then w = next() end
    z[i] = (w >> (63 - b)) & 1 == 1 and 1.0 or -1.0
  end
  return z
end

-- plain-table linear algebra
local function matvec(A, v)
  local out = {}
  for i = 1, #A do
    local s = 0
    for j = 1, #v do s = s + A[i][j] * v[j] end
    out[i] = s
  end
  return out
end
local function totable(v)
  local t = {}
  for i = 1, #v do t[i] = v[i] end
  return t
end

-- a 4-d quadratic f = 1/2 x'Ax - b'x with a non-diagonal A (indefinite row 4 off)
local QA = { { 4, 1, 0, 0.5 }, { 1, 3, -2, 0 }, { 0, -2, 5, 1 }, { 0.5, 0, 1, 2 } }
local Qb = { 1, -1, 0.5, 2 }
local function quad() return slope.obj.quadratic{ A = slope.mat(QA), b = slope.vec(Qb) } end
local function qgrad(x)
  local g = matvec(QA, x)
  for i = 1, #g do g[i] = g[i] - Qb[i] end
  return g
end
local X0 = { 1.0, -2.0, 0.5, 1.5 }

-- Welford mean of s draws of z .* A z (probe_hessian_diag.c's accumulation)
local function hutchinson(next, A, s)
  local n, mean = #A, {}
  for i = 1, n do mean[i] = 0 end
  for k = 0, s - 1 do
    local z = rademacher(next, n)
    local hz = matvec(A, z)
    for i = 1, n do
      local d = hz[i] * z[i] - mean[i]
      mean[i] = mean[i] + d * (1 / (k + 1))
    end
  end
  return mean
end

describe("slope.probe.hessian_diag", function()
  it("draws z from rng as xoshiro256** top bits: the same estimate written out here", function()
    local r = slope.rng(11)
    local ref = hutchinson(xoshiro(r:state()), QA, 7)
    local got = slope.probe.hessian_diag(quad(), slope.vec(X0), { samples = 7, rng = r })
    check.veq(got.diag, ref, 1e-14, "diag")
    check.eq(got.nhvp, 7)
    check.eq(got.samples, 7)
    -- the rng advanced by 7 draws (64 signs a draw)
    local nx = xoshiro(slope.rng(11):state())
    for _ = 1, 7 do nx() end
    local s = r:state()
    local after = xoshiro(s)
    check.eq(after(), nx(), "rng left after the draws")
  end)

  it("is exact with zero standard error for a diagonal Hessian", function()
    local f = slope.obj.quadratic{ A = slope.mat{ { 2, 0, 0 }, { 0, -3, 0 }, { 0, 0, 7 } } }
    local r = slope.probe.hessian_diag(f, slope.vec{ 1, 2, 3 }, { samples = 3, rng = slope.rng(1) })
    check.veq(r.diag, { 2, -3, 7 }, 0)
    check.veq(r.stderr, { 0, 0, 0 }, 0)
  end)

  it("matches the exact diagonal within its standard errors, which match theory", function()
    local s = 4000
    local r = slope.probe.hessian_diag(quad(), slope.vec(X0), { samples = s, rng = slope.rng(2) })
    for i = 1, 4 do
      local var = 0 -- Var(z_i (Az)_i) = sum_{j ~= i} A_ij^2
      for j = 1, 4 do if j ~= i then var = var + QA[i][j] ^ 2 end end
      check.near(r.stderr[i], sqrt(var / s), 0.1 * sqrt(var / s) / math.max(1, sqrt(var / s)),
        "stderr " .. i)
      check.truthy(abs(r.diag[i] - QA[i][i]) < 4 * r.stderr[i], "diag " .. i)
    end
  end)

  it("on logistic regression: the exact diagonal from dim HVPs with unit vectors", function()
    local D = slope.data.load("breast_cancer")
    local X = slope.data.standardize(D.X)
    local sub = slope.mat.zeros(60, 5)
    local y = {}
    for i = 1, 60 do
      for j = 1, 5 do sub[i][j] = X[i][j] end
      y[i] = D.y[i]
    end
    local f = slope.obj.logistic{ X = sub, y = y, intercept = true }
    local x = slope.vec{ 0.3, -0.2, 0.1, 0.5, -0.4, 0.05 }
    local exact, e, hv = {}, slope.vec.zeros(f.dim), slope.vec.zeros(f.dim)
    for i = 1, f.dim do
      e[i] = 1
      f:hvp(x, e, hv)
      exact[i] = hv[i]
      e[i] = 0
    end
    local r = slope.probe.hessian_diag(f, x, { samples = 3000, rng = slope.rng(4) })
    for i = 1, f.dim do
      check.truthy(abs(r.diag[i] - exact[i]) < 4.5 * r.stderr[i] + 1e-15,
        ("entry %d: %g vs exact %g (stderr %g)"):format(i, r.diag[i], exact[i], r.stderr[i]))
    end
  end)

  it("gives NaN standard errors for one sample", function()
    local r = slope.probe.hessian_diag(quad(), slope.vec(X0), { samples = 1, rng = slope.rng(1) })
    check.truthy(r.stderr[1] ~= r.stderr[1])
  end)
end)

-- run opt for n steps on the quadratic from X0 (gradient given, or computed through f)
local function run(opt, n, give_g)
  local x, out = slope.vec(X0), {}
  for _ = 1, n do
    if give_g then opt:step(x, slope.vec(qgrad(totable(x)))) else opt:step(x) end
    out[#out + 1] = totable(x)
  end
  return out
end
local function same(got, ref, tol, what)
  for t = 1, #ref do check.veq(slope.vec(got[t]), ref[t], tol, what .. " step " .. t) end
end

-- AdaHessian as the authors' reference (davda54/ada-hessian): the diagonal every
-- `each` steps, spatial averaging of |D| over blocks within layers
local function adahessian_ref(p, rngstate, n, layers)
  local next = xoshiro(rngstate)
  local x, m, v, D = { table.unpack(X0) }, {}, {}, nil
  for i = 1, #x do m[i], v[i] = 0, 0 end
  local out = {}
  for t = 1, n do
    local g = qgrad(x)
    if (t - 1) % p.each == 0 then
      D = hutchinson(next, QA, p.samples)
      for _, L in ipairs(layers) do
        local lo, hi = L[1], L[1] + L[2] - 1
        for s = lo, hi, p.block do
          local e = math.min(hi, s + p.block - 1)
          local sum = 0
          for i = s, e do sum = sum + abs(D[i]) end
          for i = s, e do D[i] = sum / (e - s + 1) end
        end
      end
    end
    local bc1, bc2 = 1 - p.b1 ^ t, 1 - p.b2 ^ t
    for i = 1, #x do
      x[i] = x[i] * (1 - p.lr * p.wd)
      m[i] = p.b1 * m[i] + (1 - p.b1) * g[i]
      v[i] = p.b2 * v[i] + (1 - p.b2) * D[i] * D[i]
      local denom = (v[i] / bc2) ^ (p.k / 2) + p.eps
      x[i] = x[i] - p.lr / bc1 * m[i] / denom
    end
    out[t] = { table.unpack(x) }
  end
  return out
end

-- Sophia (Liu et al. 2023, Alg. 3) with the Hutchinson estimate
local function sophia_ref(p, rngstate, n)
  local next = xoshiro(rngstate)
  local x, m, h, out = { table.unpack(X0) }, {}, {}, {}
  for i = 1, #x do m[i], h[i] = 0, 0 end
  for t = 1, n do
    local g = qgrad(x)
    for i = 1, #x do m[i] = p.b1 * m[i] + (1 - p.b1) * g[i] end
    if (t - 1) % p.k == 0 then
      local z = rademacher(next, #x)
      local hz = matvec(QA, z)
      for i = 1, #x do h[i] = p.b2 * h[i] + (1 - p.b2) * z[i] * hz[i] end
    end
    for i = 1, #x do
      x[i] = x[i] - p.lr * p.wd * x[i]
      local r = m[i] / math.max(p.rho * h[i], p.eps)
      x[i] = x[i] - p.lr * math.max(-1, math.min(1, r))
    end
    out[t] = { table.unpack(x) }
  end
  return out
end

describe("slope.optim.adahessian", function()
  it("follows the authors' update (defaults) on a quadratic", function()
    local r = slope.rng(5)
    local ref = adahessian_ref({ lr = 0.15, b1 = 0.9, b2 = 0.999, eps = 1e-4, wd = 0, k = 1, each = 1,
      samples = 1, block = 1 }, r:state(), 12, { { 1, 4 } })
    same(run(O.adahessian{ f = quad(), rng = r }, 12), ref, 1e-12, "defaults")
  end)

  it("with weight decay, hessian_power, update_each, n_samples, block_size and layers", function()
    local r = slope.rng(6)
    local p = { lr = 0.05, b1 = 0.8, b2 = 0.99, eps = 1e-3, wd = 0.1, k = 0.5, each = 3, samples = 2,
      block = 2 }
    local layers = { { 1, 3 }, { 4, 1 } }
    local ref = adahessian_ref(p, r:state(), 10, layers)
    local opt = O.adahessian{ f = quad(), rng = r, lr = p.lr, betas = { p.b1, p.b2 }, eps = p.eps,
      weight_decay = p.wd, hessian_power = p.k, update_each = p.each, n_samples = p.samples,
      block_size = p.block, layers = { { offset = 1, size = 3 }, { offset = 4, size = 1 } } }
    same(run(opt, 10, true), ref, 1e-12, "options")
    -- the whole vector as one layer without layers
    local ref1 = adahessian_ref(p, slope.rng(6):state(), 6, { { 1, 4 } })
    local opt1 = O.adahessian{ f = quad(), rng = slope.rng(6), lr = p.lr, betas = { p.b1, p.b2 },
      eps = p.eps, weight_decay = p.wd, hessian_power = p.k, update_each = p.each,
      n_samples = p.samples, block_size = p.block }
    same(run(opt1, 6), ref1, 1e-12, "one layer")
  end)
end)

describe("slope.optim.sophia", function()
  it("follows Alg. 3 with the Hutchinson estimate (defaults but lr)", function()
    local r = slope.rng(8)
    local p = { lr = 0.05, b1 = 0.965, b2 = 0.99, rho = 0.04, wd = 0.1, k = 10, eps = 1e-12 }
    local ref = sophia_ref(p, r:state(), 25)
    same(run(O.sophia{ f = quad(), rng = r, lr = p.lr }, 25), ref, 1e-12, "defaults")
  end)

  it("with k = 3, another rho and eps, gradient given", function()
    local r = slope.rng(9)
    local p = { lr = 0.02, b1 = 0.9, b2 = 0.95, rho = 0.5, wd = 0, k = 3, eps = 1e-3 }
    local ref = sophia_ref(p, r:state(), 15)
    local opt = O.sophia{ f = quad(), rng = r, lr = p.lr, betas = { p.b1, p.b2 }, rho = p.rho,
      weight_decay = p.wd, k = p.k, eps = p.eps }
    same(run(opt, 15, true), ref, 1e-12, "options")
  end)

  it("refuses the Gauss-Newton-Bartlett estimator by name for objectives without a likelihood", function()
    check.errors(function() O.sophia{ f = quad(), estimator = "gnb" } end,
      'slope.optim.sophia: estimator "gnb" (Gauss-Newton-Bartlett) needs a negative log-likelihood model')
    local D = slope.data.load("iris")
    local reg = slope.obj.mlp{ X = D.X, y = slope.data.onehot(D.y, 3), hidden = { 3 }, loss = "mse" }
    check.errors(function() O.sophia{ f = reg, estimator = "gnb" } end, "mlp is not one")
    local lsq = slope.obj.least_squares{ X = D.X, y = D.y }
    check.errors(function() O.sophia{ f = lsq, estimator = "gnb" } end, "least_squares is not one")
    local sm = slope.obj.softmax{ X = D.X, y = D.y }
    local view = sm:batch{ 1, 2, 3 }
    check.errors(function() O.sophia{ f = view, estimator = "gnb" } end, "is not one")
    local o = O.sophia{ f = quad() }
    check.errors(function() o.estimator = "gnb" end, 'estimator "gnb"')
  end)
end)

-- Gauss-Newton-Bartlett (Liu et al. 2023, Alg. 2) written out: labels from the
-- model's probabilities by the inverse CDF of one uniform per row (the rng's
-- 53-bit uniform: (draw >> 11) 2^-53), ghat the mean-loss gradient at them
local function uniform(next) return (next() >> 11) * 2.0 ^ -53 end
local IR = slope.data.load("iris")
local IX = slope.data.standardize(IR.X)

describe("slope.optim.sophia, estimator gnb", function()
  it("logistic: hhat = n ghat^2 at labels drawn from predict_proba, as written out", function()
    local y = {}
    for i = 1, #IR.y do y[i] = IR.y[i] == 2 and 1 or 0 end
    local f = slope.obj.logistic{ X = IX, y = y, intercept = true, l2 = 0.1 }
    local x = slope.vec{ 0.2, -0.3, 0.5, 0.1, -0.2 }
    local r = slope.rng(21)
    local next = xoshiro(r:state())
    local o = O.sophia{ f = f, estimator = "gnb", rng = r, lr = 0, betas = { 0.9, 0 } }
    o:step(x)
    local p, n = f:predict_proba(x, IX), #y
    local gh = { 0, 0, 0, 0, 0 }
    for i = 1, n do
      local yh = uniform(next) < p[i] and 1 or 0
      for j = 1, 4 do gh[j] = gh[j] + (p[i] - yh) * IX[i][j] / n end
      gh[5] = gh[5] + (p[i] - yh) / n
    end
    local h = o:state().hessian
    for j = 1, 5 do check.near(h[j], n * gh[j] ^ 2, 1e-12, "hhat " .. j) end
  end)

  it("softmax: the same draw, and the mean of many estimates is the Gauss-Newton diagonal", function()
    local f = slope.obj.softmax{ X = IX, y = IR.y, intercept = true }
    local K, d, n = 3, 5, #IR.y
    local x = slope.vec.zeros(f.dim)
    for i = 1, f.dim do x[i] = 0.3 * math.sin(i) end
    local P = f:predict_proba(x, IX)
    local r = slope.rng(22)
    local next = xoshiro(r:state())
    local o = O.sophia{ f = f, estimator = "gnb", rng = r, lr = 0, betas = { 0.9, 0 }, k = 1 }
    o:step(x)
    local gh = {}
    for k = 1, d * K do gh[k] = 0 end
    for i = 1, n do
      local u, c, cum = uniform(next), 1, P[i][1]
      while c < K and u >= cum do c = c + 1; cum = cum + P[i][c] end
      for j = 1, d do
        local xij = j <= 4 and IX[i][j] or 1
        for k = 1, K do
          gh[(j - 1) * K + k] = gh[(j - 1) * K + k] + xij * (P[i][k] - (k == c and 1 or 0)) / n
        end
      end
    end
    local h = o:state().hessian
    for k = 1, d * K do check.near(h[k], n * gh[k] ^ 2, 1e-12, "hhat " .. k) end
    -- E[hhat] = diag of the Gauss-Newton matrix (1/n) sum_i xt_ij^2 P_ik (1 - P_ik)
    local N, mean = 800, {}
    for k = 1, d * K do mean[k] = 0 end
    for _ = 1, N do
      o:step(x)
      local hs = o:state().hessian
      for k = 1, d * K do mean[k] = mean[k] + hs[k] / N end
    end
    for j = 1, d do
      for k = 1, K do
        local gn = 0
        for i = 1, n do
          local xij = j <= 4 and IX[i][j] or 1
          gn = gn + xij * xij * P[i][k] * (1 - P[i][k]) / n
        end
        local got = mean[(j - 1) * K + k]
        check.truthy(math.abs(got - gn) < 0.2 * gn, ("W[%d,%d]: mean %g vs Gauss-Newton %g"):format(j, k, got, gn))
      end
    end
  end)
end)

-- ---- matrix-aware rules on a 3-layer layout, gradient g_i = a_i x_i + b_i + c x_i^3
local LAY = { { name = "W1", offset = 1, size = 6, shape = { 3, 2 } },
  { name = "b1", offset = 7, size = 3, shape = { 3 } },
  { name = "W2", offset = 10, size = 6, shape = { 2, 3 } } }
local DIM = 15
local function mgrad(x)
  local g = {}
  for i = 1, DIM do g[i] = (1 + 0.3 * i) * x[i] + 0.1 * math.sin(i) + 0.05 * x[i] ^ 3 end
  return g
end
local MX0 = {}
for i = 1, DIM do MX0[i] = math.cos(1.7 * i) end
local function mrun(opt, n)
  local x, out = slope.vec(MX0), {}
  for _ = 1, n do
    opt:step(x, slope.vec(mgrad(totable(x))))
    out[#out + 1] = totable(x)
  end
  return out
end

-- small dense matrices as tables of rows
local function mat(rows, cols, flat, off)
  local M = {}
  for i = 1, rows do
    M[i] = {}
    for j = 1, cols do M[i][j] = flat[off + (i - 1) * cols + j] end
  end
  return M
end
local function mmul(A, B)
  local C = {}
  for i = 1, #A do
    C[i] = {}
    for j = 1, #B[1] do
      local s = 0
      for k = 1, #B do s = s + A[i][k] * B[k][j] end
      C[i][j] = s
    end
  end
  return C
end
local function tr(A)
  local T = {}
  for j = 1, #A[1] do
    T[j] = {}
    for i = 1, #A do T[j][i] = A[i][j] end
  end
  return T
end
local function lin(a, A, b, B) -- a A + b B
  local C = {}
  for i = 1, #A do
    C[i] = {}
    for j = 1, #A[1] do C[i][j] = a * A[i][j] + b * B[i][j] end
  end
  return C
end
local function fro(A)
  local s = 0
  for i = 1, #A do for j = 1, #A[1] do s = s + A[i][j] ^ 2 end end
  return sqrt(s)
end

-- Muon: the reference's Nesterov momentum and NS5, AdamW on the bias
local function muon_ref(p, n)
  local x, mom, m1, m2, out = { table.unpack(MX0) }, {}, {}, {}, {}
  for i = 1, DIM do mom[i], m1[i], m2[i] = 0, 0, 0 end
  for t = 1, n do
    local g = mgrad(x)
    for _, L in ipairs(LAY) do
      local o = L.offset - 1
      if #L.shape == 1 then
        for i = o + 1, o + L.size do
          m1[i] = m1[i] + (1 - p.ab1) * (g[i] - m1[i])
          m2[i] = m2[i] + (1 - p.ab2) * (g[i] * g[i] - m2[i])
          local upd = (m1[i] / (1 - p.ab1 ^ t)) / (sqrt(m2[i] / (1 - p.ab2 ^ t)) + p.aeps)
          x[i] = x[i] * (1 - p.alr * p.awd) - p.alr * upd
        end
      else
        local r, c = L.shape[1], L.shape[2]
        local u = {}
        for i = o + 1, o + L.size do
          mom[i] = mom[i] + (1 - p.mu) * (g[i] - mom[i])
          u[i] = p.nesterov and g[i] + p.mu * (mom[i] - g[i]) or mom[i]
        end
        local X = mat(r, c, u, o)
        local flip = r > c
        if flip then X = tr(X) end
        local nrm = fro(X) + 1e-7
        X = lin(1 / nrm, X, 0, X)
        for _ = 1, p.steps do
          local A = mmul(X, tr(X))
          local B = lin(-4.7750, A, 2.0315, mmul(A, A))
          X = lin(3.4445, X, 1, mmul(B, X))
        end
        if flip then X = tr(X) end
        local scale = sqrt(math.max(1, r / c))
        for i = 1, r do
          for j = 1, c do
            local k = o + (i - 1) * c + j
            x[k] = x[k] * (1 - p.lr * p.wd) - p.lr * scale * X[i][j]
          end
        end
      end
    end
    out[t] = { table.unpack(x) }
  end
  return out
end

describe("slope.optim.muon", function()
  it("follows the reference update (defaults): NS5 of the Nesterov momentum, AdamW on biases", function()
    local p = { lr = 0.02, mu = 0.95, nesterov = true, steps = 5, wd = 0, alr = 3e-4, ab1 = 0.9, ab2 = 0.95,
      aeps = 1e-10, awd = 0 }
    same(mrun(O.muon{ layers = LAY }, 8), muon_ref(p, 8), 1e-12, "defaults")
  end)

  it("with plain momentum, 3 steps and weight decays", function()
    local p = { lr = 0.05, mu = 0.9, nesterov = false, steps = 3, wd = 0.1, alr = 1e-2, ab1 = 0.8,
      ab2 = 0.9, aeps = 1e-8, awd = 0.2 }
    local opt = O.muon{ layers = LAY, lr = p.lr, momentum = p.mu, nesterov = false, ns_steps = 3,
      weight_decay = p.wd, adam_lr = p.alr, adam_beta1 = p.ab1, adam_beta2 = p.ab2, adam_eps = p.aeps,
      adam_weight_decay = p.awd }
    same(mrun(opt, 8), muon_ref(p, 8), 1e-12, "options")
  end)

  it("orthogonalizes: the update's singular values are near 1", function()
    -- one step from zero momentum with mu = 0: the update is NS5(g) for the 3 x 2 block
    local opt = O.muon{ layers = LAY, lr = 1, momentum = 0, nesterov = false, ns_steps = 5 }
    local x = slope.vec(MX0)
    local g = mgrad(totable(x))
    opt:step(x, slope.vec(g))
    local U = {}
    for i = 1, 6 do U[i] = (MX0[i] - x[i]) / sqrt(1.5) end -- scale max(1, 3/2)^0.5
    local M = mat(3, 2, U, 0)
    local G = mmul(tr(M), M) -- 2 x 2, eigenvalues = squared singular values
    local a, b, d = G[1][1], G[1][2], G[2][2]
    local mid, rad = (a + d) / 2, sqrt(((a - d) / 2) ^ 2 + b * b)
    for _, s2 in ipairs{ mid - rad, mid + rad } do
      check.truthy(sqrt(s2) > 0.6 and sqrt(s2) < 1.25, "singular value " .. sqrt(s2))
    end
  end)
end)

-- Jacobi eigenvalue iteration for a small symmetric matrix: V diag(w) V'
local function jacobi(S)
  local n = #S
  local A, V = {}, {}
  for i = 1, n do
    A[i], V[i] = {}, {}
    for j = 1, n do A[i][j], V[i][j] = S[i][j], i == j and 1 or 0 end
  end
  for _ = 1, 100 do
    local off = 0
    for i = 1, n do for j = i + 1, n do off = off + A[i][j] ^ 2 end end
    if off < 1e-30 then break end
    for p = 1, n - 1 do
      for q = p + 1, n do
        if A[p][q] ~= 0 then
          local theta = (A[q][q] - A[p][p]) / (2 * A[p][q])
          local t = (theta >= 0 and 1 or -1) / (abs(theta) + sqrt(theta * theta + 1))
          local c = 1 / sqrt(t * t + 1)
          local s = t * c
          for k = 1, n do -- A = J' A J
            local akp, akq = A[k][p], A[k][q]
            A[k][p], A[k][q] = c * akp - s * akq, s * akp + c * akq
          end
          for k = 1, n do
            local apk, aqk = A[p][k], A[q][k]
            A[p][k], A[q][k] = c * apk - s * aqk, s * apk + c * aqk
          end
          for k = 1, n do
            local vkp, vkq = V[k][p], V[k][q]
            V[k][p], V[k][q] = c * vkp - s * vkq, s * vkp + c * vkq
          end
        end
      end
    end
  end
  local w = {}
  for i = 1, n do w[i] = A[i][i] end
  return w, V
end
local function inv4(S, floor)
  local w, V = jacobi(S)
  local n, R = #S, {}
  for i = 1, n do
    R[i] = {}
    for j = 1, n do
      local s = 0
      for k = 1, n do s = s + V[i][k] * math.max(w[k], floor) ^ -0.25 * V[j][k] end
      R[i][j] = s
    end
  end
  return R
end

-- Shampoo (Gupta et al. 2018, Alg. 1) with layer-wise grafting
local function shampoo_ref(p, n)
  local x, acc, st, out = { table.unpack(MX0) }, {}, {}, {}
  for i = 1, DIM do acc[i] = 0 end
  for t = 1, n do
    local g = mgrad(x)
    for i = 1, DIM do g[i] = g[i] + p.wd * x[i] end
    if p.graft == "adagrad" then for i = 1, DIM do acc[i] = acc[i] + g[i] * g[i] end end
    for li, L in ipairs(LAY) do
      local o = L.offset - 1
      local P = {}
      for i = o + 1, o + L.size do
        P[i] = p.graft == "adagrad" and g[i] / (sqrt(acc[i]) + p.geps) or g[i]
      end
      if #L.shape == 1 then
        for i = o + 1, o + L.size do x[i] = x[i] - p.lr * P[i] end
      else
        local r, c = L.shape[1], L.shape[2]
        local G = mat(r, c, g, o)
        local s = st[li]
        if not s then
          s = { Ls = lin(0, G, 0, G), Rs = nil }
          s.Ls, s.Rs = {}, {}
          for i = 1, r do s.Ls[i] = {} for j = 1, r do s.Ls[i][j] = i == j and p.epsilon or 0 end end
          for i = 1, c do s.Rs[i] = {} for j = 1, c do s.Rs[i][j] = i == j and p.epsilon or 0 end end
          st[li] = s
        end
        s.Ls = lin(1, s.Ls, 1, mmul(G, tr(G)))
        s.Rs = lin(1, s.Rs, 1, mmul(tr(G), G))
        if (t - 1) % p.freq == 0 then
          s.Lr, s.Rr = inv4(s.Ls, p.epsilon), inv4(s.Rs, p.epsilon)
        end
        local D = mmul(mmul(s.Lr, G), s.Rr)
        local scale = 1
        if p.graft ~= "none" then scale = fro(mat(r, c, P, o)) / fro(D) end
        for i = 1, r do
          for j = 1, c do
            local k = o + (i - 1) * c + j
            x[k] = x[k] - p.lr * scale * D[i][j]
          end
        end
      end
    end
    out[t] = { table.unpack(x) }
  end
  return out
end

describe("slope.optim.shampoo", function()
  it("follows Alg. 1 with adagrad grafting (defaults)", function()
    local p = { lr = 0.1, epsilon = 1e-4, freq = 1, graft = "adagrad", geps = 1e-10, wd = 0 }
    same(mrun(O.shampoo{ layers = LAY }, 6), shampoo_ref(p, 6), 1e-12, "defaults")
  end)

  for _, graft in ipairs{ "sgd", "none" } do
    it("with graft = " .. graft .. ", roots every 2 steps and weight decay", function()
      local p = { lr = 0.03, epsilon = 1e-3, freq = 2, graft = graft, geps = 1e-10, wd = 0.01 }
      local opt = O.shampoo{ layers = LAY, lr = p.lr, epsilon = p.epsilon, precondition_frequency = 2,
        graft = graft, weight_decay = p.wd }
      same(mrun(opt, 7), shampoo_ref(p, 7), 1e-12, graft)
    end)
  end
end)

-- SOAP (Vyas et al. 2024) as the authors' soap.py: eigenvectors by decreasing
-- eigenvalue (Jacobi here), QR by modified Gram-Schmidt (column signs may
-- differ from LAPACK's; the update does not depend on them)
local function eig_desc(S)
  local w, V = jacobi(S)
  local n, idx = #S, {}
  for i = 1, n do idx[i] = i end
  table.sort(idx, function(a, b) return w[a] > w[b] end)
  local Q = {}
  for i = 1, n do
    Q[i] = {}
    for j = 1, n do Q[i][j] = V[i][idx[j]] end
  end
  return Q
end
local function qr_q(A)
  local n, Q = #A, {}
  for i = 1, n do Q[i] = {} end
  for j = 1, n do
    local v = {}
    for i = 1, n do v[i] = A[i][j] end
    for k = 1, j - 1 do
      local d = 0
      for i = 1, n do d = d + Q[i][k] * v[i] end
      for i = 1, n do v[i] = v[i] - d * Q[i][k] end
    end
    local nrm = 0
    for i = 1, n do nrm = nrm + v[i] * v[i] end
    nrm = sqrt(nrm)
    for i = 1, n do Q[i][j] = v[i] / nrm end
  end
  return Q
end
-- a gradient that changes between the first two steps although x does not
-- (the first step builds the bases and moves nothing; with G_2 = G_1 the
-- projection on the null space of the rank-2 L of a 3 x 2 block would be
-- rounding noise, amplified by 1/eps in both implementations alike)
local function sgrad(x, t)
  local g = mgrad(x)
  for i = 1, DIM do g[i] = g[i] + 0.3 * math.sin(1.1 * i * t) end
  return g
end
local function srun(opt, n)
  local x, out = slope.vec(MX0), {}
  for t = 1, n do
    opt:step(x, slope.vec(sgrad(totable(x), t)))
    out[#out + 1] = totable(x)
  end
  return out
end
local function soap_ref(p, n)
  local x, st, out = { table.unpack(MX0) }, {}, {}
  local vm, vv = {}, {} -- bias moments
  for i = 1, DIM do vm[i], vv[i] = 0, 0 end
  local sb = p.sb < 0 and p.b2 or p.sb
  for t = 1, n do
    local g = sgrad(x, t)
    local s = t - 1
    local ss = s > 0 and p.lr * sqrt(1 - p.b2 ^ s) / (1 - p.b1 ^ s) or 0
    for li, L in ipairs(LAY) do
      local o = L.offset - 1
      if #L.shape == 1 then
        if s > 0 then
          for i = o + 1, o + L.size do
            vm[i] = vm[i] * p.b1 + (1 - p.b1) * g[i]
            vv[i] = vv[i] * p.b2 + (1 - p.b2) * g[i] * g[i]
            x[i] = x[i] - ss * vm[i] / (sqrt(vv[i]) + p.eps)
            x[i] = x[i] - p.lr * p.wd * x[i]
          end
        end
      else
        local r, c = L.shape[1], L.shape[2]
        local G = mat(r, c, g, o)
        local S = st[li]
        if not S then
          S = { L = lin(0, mmul(G, tr(G)), 0, mmul(G, tr(G))), R = lin(0, mmul(tr(G), G), 0, mmul(tr(G), G)),
            m = lin(0, G, 0, G), v = lin(0, G, 0, G) }
          st[li] = S
        end
        local mback
        if s > 0 then
          local Gp = mmul(mmul(tr(S.QL), G), S.QR)
          S.m = lin(p.b1, S.m, 1 - p.b1, Gp)
          for i = 1, r do for j = 1, c do S.v[i][j] = S.v[i][j] * p.b2 + (1 - p.b2) * Gp[i][j] ^ 2 end end
          local N = {}
          for i = 1, r do
            N[i] = {}
            for j = 1, c do N[i][j] = S.m[i][j] / (sqrt(S.v[i][j]) + p.eps) end
          end
          local U = mmul(mmul(S.QL, N), tr(S.QR))
          for i = 1, r do
            for j = 1, c do
              local k = o + (i - 1) * c + j
              x[k] = x[k] - ss * U[i][j]
              x[k] = x[k] - p.lr * p.wd * x[k]
            end
          end
          mback = mmul(mmul(S.QL, S.m), tr(S.QR))
        end
        S.L = lin(1 - sb, mmul(G, tr(G)), sb, S.L)
        S.R = lin(1 - sb, mmul(tr(G), G), sb, S.R)
        if s == 0 then
          S.QL, S.QR = eig_desc(S.L), eig_desc(S.R)
        elseif s % p.freq == 0 then
          for axis, key in ipairs{ "QL", "QR" } do
            local Q, M = S[key], axis == 1 and S.L or S.R
            local est, idx = {}, {}
            local MQ = mmul(M, Q)
            for j = 1, #Q do
              est[j], idx[j] = 0, j
              for i = 1, #Q do est[j] = est[j] + Q[i][j] * MQ[i][j] end
            end
            table.sort(idx, function(a, b) return est[a] > est[b] end)
            local P, v2 = {}, {}
            for i = 1, #Q do
              P[i] = {}
              for j = 1, #Q do P[i][j] = Q[i][idx[j]] end
            end
            for i = 1, r do
              v2[i] = {}
              for j = 1, c do
                v2[i][j] = axis == 1 and S.v[idx[i]][j] or S.v[i][idx[j]]
              end
            end
            S.v = v2
            S[key] = qr_q(mmul(M, P))
          end
        end
        if s > 0 then S.m = mmul(mmul(tr(S.QL), mback), S.QR) end
      end
    end
    out[t] = { table.unpack(x) }
  end
  return out
end

describe("slope.optim.soap", function()
  it("follows the authors' update (defaults, a refresh at step 10)", function()
    local p = { lr = 3e-3, b1 = 0.95, b2 = 0.95, sb = -1, eps = 1e-8, wd = 0.01, freq = 10 }
    same(srun(O.soap{ layers = LAY }, 14), soap_ref(p, 14), 1e-12, "defaults")
  end)

  it("with shampoo_beta, refreshes every 3 steps and other betas", function()
    local p = { lr = 0.02, b1 = 0.9, b2 = 0.99, sb = 0.8, eps = 1e-6, wd = 0.1, freq = 3 }
    local opt = O.soap{ layers = LAY, lr = p.lr, betas = { p.b1, p.b2 }, shampoo_beta = p.sb, eps = p.eps,
      weight_decay = p.wd, precondition_frequency = 3 }
    same(srun(opt, 11), soap_ref(p, 11), 1e-12, "options")
  end)

  it("leaves x alone on the first step", function()
    local x = slope.vec(MX0)
    O.soap{ layers = LAY }:step(x, slope.vec(mgrad(MX0)))
    check.veq(x, MX0, 0)
  end)
end)

-- ---- on data: the digits MLP ------------------------------------------------
local DG = slope.data.load("digits")
local DX = slope.data.standardize(DG.X)
local mlp = slope.obj.mlp{ X = DX, y = DG.y, hidden = { 16 }, activation = "tanh", classes = 10, l2 = 1e-3 }

local function make(name)
  if name == "adahessian" then return O.adahessian{ f = mlp, layers = mlp, block_size = 4, rng = slope.rng(1) } end
  if name == "sophia" then return O.sophia{ f = mlp, lr = 1e-2, rng = slope.rng(1) } end
  if name == "sophia-gnb" then return O.sophia{ f = mlp, lr = 1e-2, rng = slope.rng(1), estimator = "gnb" } end
  if name == "shampoo" then return O.shampoo{ layers = mlp } end
  if name == "soap" then return O.soap{ layers = mlp, lr = 0.03 } end
  return O.muon{ layers = mlp:layers(), adam_lr = 1e-2 }
end

describe("curvature- and matrix-aware rules on the digits MLP", function()
  for _, name in ipairs{ "adahessian", "sophia", "sophia-gnb", "shampoo", "soap", "muon" } do
    it(name .. " trains it (loss from 2.3 to below 0.3, accuracy > 0.95 in 100 full-batch steps)", function()
      local x = mlp:init(slope.rng(7))
      local g = slope.vec.zeros(mlp.dim)
      local opt = make(name)
      local f0 = mlp:value(x)
      for _ = 1, 100 do
        mlp:fg(x, g)
        opt:step(x, g)
      end
      local f1 = mlp:value(x)
      check.truthy(f0 > 2 and f1 < 0.3, ("%s: loss %g -> %g"):format(name, f0, f1))
      check.truthy(mlp:accuracy(x, DX, DG.y) > 0.95, name .. " accuracy")
    end)

    it(name .. ": state()/load() continues bit for bit", function()
      local x = mlp:init(slope.rng(3))
      local g = slope.vec.zeros(mlp.dim)
      local a = make(name)
      for _ = 1, 4 do mlp:fg(x, g); a:step(x, g) end
      local saved, xs = a:state(), x:clone()
      for _ = 1, 5 do mlp:fg(x, g); a:step(x, g) end
      local b = make(name)
      b:load(saved)
      check.eq(b:state().t, 4)
      for _ = 1, 5 do mlp:fg(xs, g); b:step(xs, g) end
      for i = 1, mlp.dim do check.eq(xs[i], x[i], name .. " coordinate " .. i) end
    end)
  end

  it("run under wrappers and opt.lr", function()
    local x = mlp:init(slope.rng(2))
    local g = slope.vec.zeros(mlp.dim)
    local opts = { O.clip{ base = make("sophia"), max_norm = 1 }, O.lookahead{ base = make("muon") },
      O.accumulate{ base = make("shampoo"), steps = 2 }, O.average{ base = make("adahessian") },
      O.sam{ base = make("muon"), f = mlp } }
    for _, o in ipairs(opts) do
      local y = x:clone()
      o.lr = o.lr / 2
      for _ = 1, 6 do mlp:fg(y, g); o:step(y, g) end
      check.truthy(mlp:value(y) < mlp:value(x), "decreases under " .. tostring(o))
    end
  end)

  it("resume a slope.train checkpoint bit for bit, schedule included", function()
    local tmp = os.tmpname()
    for _, name in ipairs{ "adahessian", "sophia", "shampoo", "soap", "muon" } do
      local function go(extra)
        local cfg = { objective = mlp, optimizer = make(name), epochs = 2, batch = 256, rng = slope.rng(5),
          quiet = true, x = mlp:init(slope.rng(1)),
          schedule = slope.schedule.cosine{ lr = make(name).lr, steps = 16 } }
        for k, v in pairs(extra or {}) do cfg[k] = v end
        return slope.train(cfg)
      end
      local whole = go()
      go{ steps = 7, checkpoint = { path = tmp, every = 7 } }
      local rest = go{ resume = tmp }
      for i = 1, mlp.dim do check.eq(rest.x[i], whole.x[i], name .. " coordinate " .. i) end
    end
    os.remove(tmp)
  end)
end)
