-- testfns.lua — the test-function zoo: each function's documented minimum
-- checked, derivative checks at random points, a quadratic whose conditioning
-- is a parameter (L-BFGS vs gradient descent iterations as kappa grows), and a
-- Lua-defined objective checked and minimized like a built-in.
-- run: build/slope examples/testfns.lua   (SLOPE_QUICK=1 for a short run)
local slope = require "slope"
local quick = os.getenv("SLOPE_QUICK") == "1"

print("function          dim  f(start)      L-BFGS f*      nit   grad check  hvp check")
local rng = slope.rng(1)
for _, c in ipairs{{"rosenbrock", 2}, {"rosenbrock", 10}, {"beale"}, {"booth"}, {"himmelblau"},
                   {"rastrigin", 3}, {"ackley", 3}, {"styblinski_tang", 4}} do
  local f = slope.obj[c[1]](c[2])
  local x0 = f:init(rng)
  local r = slope.minimize(f, x0, {method = "lbfgs", gtol = 1e-9})
  local x = f:init(rng)
  local v = slope.vec.zeros(f.dim); for i = 1, f.dim do v[i] = rng:normal() end
  print(("%-16s %4d  %-12.5g  %-13.6g %5d   %.1e     %.1e"):format(c[1], f.dim, f:value(x0), r.f, r.nit,
        slope.check.grad(f, x).max_rel_err, slope.check.hvp(f, x, v).max_rel_err))
end

print("\nquadratic{eigs = linspace(1, kappa, n)}: iterations to |g| <= 1e-6")
print("kappa       gd (armijo)   cg    lbfgs")
local n = 50
for _, kappa in ipairs(quick and {10, 100} or {10, 100, 1000, 10000}) do
  local f = slope.obj.quadratic{eigs = slope.vec.linspace(1, kappa, n), seed = 3, b = slope.vec.ones(n)}
  local row = {}
  for _, m in ipairs{"gd", "cg", "lbfgs"} do
    local r = slope.minimize(f, f:init(), {method = m, gtol = 1e-6, maxiter = quick and 2000 or 200000})
    row[#row + 1] = ("%d%s"):format(r.nit, r.status == "converged" and "" or " (" .. r.status .. ")")
  end
  print(("%-10g  %-13s %-5s %s"):format(kappa, row[1], row[2], row[3]))
end

print("\nA Lua-defined objective: f(x) = sum (x_i - i)^4, gradient by hand, HVP by differences")
local f = slope.obj.lua{dim = 4, name = "quartic",
  value = function(x) local s = 0; for i = 1, #x do s = s + (x[i] - i) ^ 4 end return s end,
  grad = function(x, g) for i = 1, #x do g[i] = 4 * (x[i] - i) ^ 3 end end}
local chk = slope.check.grad(f, {0.5, 0.5, 0.5, 0.5})
print(("check.grad: max_rel_err %.1e (worst coordinate %d), exact_hvp = %s"):format(chk.max_rel_err, chk.worst,
      tostring(f.exact_hvp)))
local r = slope.minimize(f, f:init(), {method = "newton_cg", gtol = 1e-8})
print(("newton_cg: %s in %d iterations, x = %s"):format(r.status, r.nit, tostring(r.x)))
