-- line_searches.lua — backtracking Armijo vs strong Wolfe vs the exact step
-- on an ill-conditioned quadratic f(x) = x'Ax/2 - b'x (eigenvalues log-spaced
-- in [1, kappa]). Steepest descent with the exact step converges at the rate
-- ((kappa-1)/(kappa+1))^2 per iteration (Nocedal & Wright Thm 3.3, in the
-- A-norm) whatever the step rule; nonlinear CG with the exact step is linear
-- CG and finishes in at most d steps, while inexact searches lose conjugacy.
-- Prints iterations, function/gradient evaluations, HVPs and |x - x*|;
-- writes out/line_searches.svg. SLOPE_QUICK=1 uses a smaller problem.
local slope = require "slope"
local quick = os.getenv("SLOPE_QUICK") == "1"
local d = quick and 30 or 100
local kappa = quick and 30 or 300

local A = slope.mat.zeros(d, d)
local b = slope.vec.zeros(d)
local xstar = slope.vec.zeros(d)
local r = slope.rng(7)
for i = 1, d do
  local e = kappa ^ ((i - 1) / (d - 1))
  A:set(i, i, e)
  b[i] = r:normal()
  xstar[i] = b[i] / e
end
local f
if slope.obj and slope.obj.quadratic then
  f = slope.obj.quadratic{A = A, b = b}
else
  f = slope.spectrum.toy.quadratic(A, b)
end
print(("quadratic: d = %d, eigenvalues log-spaced in [1, %g], |x*| = %.3f"):format(d, kappa, xstar:norm()))

local LS = slope.linesearch
local searches = {
  {"armijo", LS.armijo{c1 = 1e-4, shrink = 0.5}},
  {"strong_wolfe", LS.strong_wolfe{c1 = 1e-4, c2 = 0.1}},
  {"exact", LS.exact_quadratic{}},
}
local methods = {{"gd", {method = "gd"}}, {"cg (pr+)", {method = "cg", beta = "pr+"}}}
local gtol = 1e-6
local maxiter = quick and 3000 or 30000

print(("\n%-10s %-13s %-10s %6s %6s %6s %6s %10s"):format("method", "line search", "status", "nit", "nfev",
  "ngev", "nhvp", "|x - x*|"))
local series, results = {}, {}
for _, m in ipairs(methods) do
  for _, s in ipairs(searches) do
    local o = {method = m[2].method, beta = m[2].beta, linesearch = s[2], gtol = gtol, maxiter = maxiter}
    local err = {}
    o.callback = function(info) err[#err + 1] = (info.x - xstar):norm() end
    local res = slope.minimize(f, slope.vec.zeros(d), o)
    local e = (res.x - xstar):norm()
    print(("%-10s %-13s %-10s %6d %6d %6d %6d %10.2e"):format(m[1], s[1], res.status, res.nit, res.nfev,
      res.ngev, res.nhvp, e))
    local xs = {}
    for k = 1, #err do xs[k] = k end
    series[#series + 1] = {name = m[1] .. " + " .. s[1], x = xs, y = err, dash = (m[1] ~= "gd") or nil}
    results[m[1] .. "/" .. s[1]] = res
  end
end

local rate = ((kappa - 1) / (kappa + 1)) ^ 2
local function nit(k) return results[k].nit end
print("\nthe exact step is the best step along d, not the best sequence of steps: steepest descent with it")
print(("zigzags and takes %d iterations, Armijo %d, strong Wolfe %d. CG needs exact or strong-Wolfe steps")
  :format(nit("gd/exact"), nit("gd/armijo"), nit("gd/strong_wolfe")))
print(("to keep its directions conjugate: %d and %d iterations, Armijo-CG %d (%.1fx more)."):format(
  nit("cg (pr+)/exact"), nit("cg (pr+)/strong_wolfe"), nit("cg (pr+)/armijo"),
  nit("cg (pr+)/armijo") / nit("cg (pr+)/strong_wolfe")))
print(("steepest descent theory: f - f* shrinks by at most %.4f per exact step, i.e. %d steps per decade")
  :format(rate, math.ceil(math.log(0.1) / math.log(rate))))

os.execute("mkdir -p out")
print((slope.plot.lines{file = "out/line_searches.svg", series = series, logy = true, logx = true,
  title = ("line searches on a quadratic, kappa = %g, d = %d"):format(kappa, d),
  xlabel = "iteration", ylabel = "|x - x*|"}))

-- the claims: exact-step CG finishes within d iterations; every run converged
local cg_exact = results["cg (pr+)/exact"]
if cg_exact.status ~= "converged" or cg_exact.nit > d then
  error(("CG with exact steps took %d iterations (> d = %d), status %s"):format(cg_exact.nit, d, cg_exact.status))
end
if not quick then
  for k, res in pairs(results) do
    if res.status ~= "converged" then error(k .. " did not converge: " .. res.message) end
  end
  if not (results["gd/exact"].nit > 5 * cg_exact.nit) then error("steepest descent was not much slower than CG") end
  if not (nit("cg (pr+)/armijo") > 2 * nit("cg (pr+)/strong_wolfe")) then
    error("Armijo steps did not slow CG down")
  end
end
