-- test_functions.lua — the built-in test functions under slope.minimize:
-- each from its documented start, L-BFGS and Newton-CG, checked with
-- slope.check first; then conditioning: nonlinear CG (with its line search) on
-- quadratic{eigs} needs more iterations as kappa grows (roughly sqrt(kappa)).
local quick = os.getenv("SLOPE_QUICK") == "1"
local rng = slope.rng(42)

local cases = {
  {"rosenbrock", slope.obj.rosenbrock()}, {"rosenbrock(20)", slope.obj.rosenbrock(20)},
  {"beale", slope.obj.beale()}, {"booth", slope.obj.booth()}, {"himmelblau", slope.obj.himmelblau()},
  {"rastrigin(5)", slope.obj.rastrigin(5)}, {"ackley(5)", slope.obj.ackley(5)},
  {"styblinski_tang(5)", slope.obj.styblinski_tang(5)},
}

print(("%-20s %-10s %12s %10s %6s %6s  %s"):format("function", "method", "f", "|g|", "nit", "nfev",
  "nearest documented minimizer"))
for _, c in ipairs(cases) do
  local name, f = c[1], c[2]
  local x0 = f:init(rng)
  assert(slope.check.grad(f, x0).ok and slope.check.hvp(f, x0, x0).ok, name .. ": derivative check")
  for _, method in ipairs{"lbfgs", "newton_cg"} do
    local r = slope.minimize(f, x0, {method = method, maxiter = quick and 200 or 2000})
    local best = math.huge
    for _, m in ipairs(f.minimizers) do best = math.min(best, (r.x - m):norm()) end
    print(("%-20s %-10s %12.5g %10.2e %6d %6d  %s"):format(name, method, r.f, r.gnorm, r.nit, r.nfev,
      best < 1e-4 and "reached" or ("local point, f - fmin = %.3g"):format(r.f - f.fmin)))
  end
end

print("\nCG on 1/2 x'Ax - b'x, A = Q diag(linspace(1, kappa)) Q', n = 200")
print(("%10s %6s %12s"):format("kappa", "nit", "|x - x*|"))
for _, kappa in ipairs(quick and {10, 1e3} or {10, 100, 1e3, 1e4, 1e5}) do
  local n = 200
  local f = slope.obj.quadratic{eigs = slope.vec.linspace(1, kappa, n), seed = 1, b = slope.vec.ones(n)}
  local r = slope.minimize(f, slope.vec.zeros(n), {method = "cg", gtol = 1e-8, maxiter = 10000})
  print(("%10g %6d %12.3e"):format(kappa, r.nit, (r.x - f:minimizer()):norm()))
end
