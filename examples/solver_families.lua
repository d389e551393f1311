-- solver_families.lua — the solver families beyond smooth unconstrained
-- minimization, each on the problem it is for:
--   1. bounds: non-negative least squares on the diabetes data (lbfgsb, and gd
--      as projected gradient), against the unconstrained fit;
--   2. L1: the regularization path of a sparse logistic regression on
--      breast_cancer (owlqn and fista over a grid of lambda, warm-started), the
--      number of nonzero weights falling as lambda grows;
--   3. least squares: a noisy exponential decay y = a exp(-b t) + c fitted with
--      Levenberg-Marquardt (lm), Gauss-Newton and L-BFGS on the same residuals,
--      their evaluation counts side by side.
-- Writes out/families_l1_path.svg and out/families_curve_fit.svg.
-- SLOPE_QUICK=1: a shorter lambda path.
local slope = require "slope"
local quick = os.getenv("SLOPE_QUICK") == "1"
os.execute("mkdir -p out")

-- 1. bounds ------------------------------------------------------------------
local D = slope.data.load("diabetes")
local X = slope.data.standardize(D.X)
local ls = slope.obj.least_squares{X = X, y = D.y, intercept = true}
local free = slope.minimize(ls, slope.vec.zeros(ls.dim), {method = "lbfgs", gtol = 1e-8})
local lower = slope.vec.zeros(ls.dim)
lower[ls.dim] = -math.huge -- the intercept stays free
local nn = slope.minimize(ls, slope.vec.zeros(ls.dim), {method = "lbfgsb", lower = lower, gtol = 1e-8})
local pg = slope.minimize(ls, slope.vec.zeros(ls.dim), {method = "gd", lower = lower, gtol = 1e-6, maxiter = 20000})
local neg = 0
for i = 1, ls.dim - 1 do if free.x[i] < 0 then neg = neg + 1 end end
print("1. non-negative least squares (diabetes, 10 standardized features + intercept)")
print(("   unconstrained lbfgs  f = %.6f, %d negative weights"):format(free.f, neg))
print(("   lbfgsb, w >= 0       f = %.6f, %d weights on their bound, %d evaluations (%s)")
  :format(nn.f, nn.nactive, nn.nfev, nn.status))
print(("   gd (projected)       f = %.6f, %d evaluations"):format(pg.f, pg.nfev))

-- 2. an L1 path --------------------------------------------------------------
local B = slope.data.load("breast_cancer")
local lg = slope.obj.logistic{X = slope.data.standardize(B.X), y = B.y, intercept = true}
local weights = slope.vec.ones(lg.dim)
weights[lg.dim] = 0 -- no penalty on the intercept
local lambdas = {}
for k = 0, quick and 4 or 12 do lambdas[#lambdas + 1] = 0.3 * 10 ^ (-k / 4) end
local x, fx = slope.vec.zeros(lg.dim), slope.vec.zeros(lg.dim)
local paths = {}
for j = 1, 8 do paths[j] = {} end
print("\n2. L1-regularized logistic regression on breast_cancer: the path over lambda (warm starts)")
print(("   %10s %6s %12s %9s %9s %12s"):format("lambda", "nnz", "f + l1", "owlqn fev", "fista fev", "|x_o - x_f|"))
for i, lam in ipairs(lambdas) do
  local l1 = weights:clone():scale(lam)
  local o = slope.minimize(lg, x, {method = "owlqn", l1 = l1, gtol = 1e-7, maxiter = 5000})
  local fi = slope.minimize(lg, fx, {method = "fista", l1 = l1, gtol = 1e-7, maxiter = 20000})
  x, fx = o.x, fi.x
  local diff = 0
  for k = 1, lg.dim do diff = math.max(diff, math.abs(o.x[k] - fi.x[k])) end
  print(("   %10.4g %6d %12.6f %9d %9d %12.2g"):format(lam, o.nnz, o.f, o.nfev, fi.nfev, diff))
  for j = 1, 8 do paths[j][i] = o.x[j] end
end
local series = {}
for j = 1, 8 do series[j] = {name = B.names and B.names[j] or ("w" .. j), x = lambdas, y = paths[j]} end
slope.plot.lines{file = "out/families_l1_path.svg", series = series, logx = true, xlabel = "lambda",
  ylabel = "weight", title = "L1 path (owlqn): the first 8 features of breast_cancer"}

-- 3. a curve fit -------------------------------------------------------------
local rng = slope.rng(5)
local m = 200
local t, y = slope.vec.linspace(0, 4, m), slope.vec.zeros(m)
for i = 1, m do y[i] = 2.5 * math.exp(-1.3 * t[i]) + 0.4 + 0.03 * rng:normal() end
local function r(p, out)
  for i = 1, m do out[i] = p[1] * math.exp(-p[2] * t[i]) + p[3] - y[i] end
end
local function J(p, Jm)
  for i = 1, m do
    local e = math.exp(-p[2] * t[i])
    local row = Jm[i]
    row[1], row[2], row[3] = e, -p[1] * t[i] * e, 1
  end
end
local fit = slope.obj.residuals{m = m, dim = 3, r = r, J = J}
print("\n3. curve fit y = a exp(-b t) + c (200 noisy points; truth a = 2.5, b = 1.3, c = 0.4)")
print(("   %-13s %8s %8s %8s %12s %6s %6s"):format("method", "a", "b", "c", "|r|^2", "nfev", "njev"))
local fits = {}
for _, meth in ipairs{"lm", "gauss_newton", "lbfgs"} do
  local res = slope.minimize(fit, slope.vec{1, 1, 0}, {method = meth, maxiter = 2000})
  fits[meth] = res
  print(("   %-13s %8.4f %8.4f %8.4f %12.6g %6d %6s"):format(meth, res.x[1], res.x[2], res.x[3], res.f,
    res.nfev, tostring(res.njev or "-")))
end
local yfit = slope.vec.zeros(m)
for i = 1, m do yfit[i] = fits.lm.x[1] * math.exp(-fits.lm.x[2] * t[i]) + fits.lm.x[3] end
slope.plot.lines{file = "out/families_curve_fit.svg", series = {{name = "data", x = t, y = y},
  {name = "lm fit", x = t, y = yfit}}, xlabel = "t", ylabel = "y", title = "Levenberg-Marquardt curve fit"}
print("\nwrote out/families_l1_path.svg, out/families_curve_fit.svg")

if not quick then -- the claims above
  assert(neg > 0 and nn.nactive > 0, "the unconstrained fit should have negative weights that the bound holds")
  for i = 1, ls.dim - 1 do assert(nn.x[i] >= 0, "lbfgsb left the box") end
  assert(math.abs(pg.f - nn.f) < 1e-6 * math.max(1, nn.f), "gd and lbfgsb should agree on the bounded optimum")
  assert(fits.lm.nfev < fits.lbfgs.nfev, "lm should need fewer evaluations than lbfgs on a curve fit")
  assert(math.abs(fits.lm.f - fits.gauss_newton.f) < 1e-9 * fits.lm.f, "lm and gauss_newton should reach one optimum")
  print("checked: the bounds hold, gd and lbfgsb agree, lm and gauss_newton agree, lm beats lbfgs on evaluations")
end
