-- minimize.lua — full-batch solvers, line searches and gradient flow on the
-- Rosenbrock function: every method side by side, one solver stepped by hand
-- with its line-search trials, and gradient descent next to gradient flow.
-- run: build/slope examples/minimize.lua   (SLOPE_QUICK=1 for a short run)
local slope = require "slope"
local quick = os.getenv("SLOPE_QUICK") == "1"

local function rosen(x, g)
  local a, b = 1 - x[1], x[2] - x[1]^2
  if g then g[1] = -2*a - 400*x[1]*b; g[2] = 200*b end
  return a*a + 100*b*b
end
local f = (slope.obj and slope.obj.rosenbrock) and slope.obj.rosenbrock() or rosen

print("Rosenbrock from (-1.2, 1) to max|g| <= 1e-8")
print(("%-30s %-10s %6s %6s %6s  %s"):format("method", "status", "nit", "nfev", "nhvp", "f"))
local runs = {
  {method = "lbfgs"}, {method = "bfgs"},
  {method = "cg", beta = "pr+"}, {method = "cg", beta = "hz", linesearch = "hager_zhang"},
  {method = "newton_cg"}, {method = "trust_ncg"},
  {method = "gd", linesearch = slope.linesearch.armijo{c1 = 1e-4}, maxiter = quick and 2000 or 50000},
}
for _, o in ipairs(runs) do
  o.gtol = 1e-8
  local t0 = slope.clock()
  local r = slope.minimize(f, {-1.2, 1}, o)
  local label = o.method .. (o.beta and (" beta=" .. o.beta) or "") ..
                (o.linesearch and (" " .. tostring(o.linesearch):gsub("^linesearch ", "")) or "")
  print(("%-30s %-10s %6d %6d %6d  %.3e  (%.1f ms)"):format(label:sub(1, 30), r.status, r.nit, r.nfev, r.nhvp,
        r.f, (slope.clock() - t0) * 1e3))
end

print("\nThree L-BFGS steps by hand, with the line search's trials:")
local s = slope.solver(f, {-1.2, 1}, {method = "lbfgs", linesearch = slope.linesearch.strong_wolfe{c2 = 0.9}})
for _ = 1, 3 do
  local info = s:step()
  local trials = {}
  for _, t in ipairs(info.linesearch.trials) do trials[#trials + 1] = ("a=%.3g phi=%.4g"):format(t.a, t.phi) end
  print(("  it %d: f %.4g -> %.4g, step %.3g, |g| %.3g; trials: %s"):format(info.nit, info.f_prev, info.f,
        info.step, info.gnorm, table.concat(trials, ", ")))
end
print(("  L-BFGS memory now holds %d pairs"):format(#s:state().s))

print("\nA line search written in Lua (halving until sufficient decrease):")
local function halving(phi, a0, phi0, dphi0)
  local a = a0
  while phi(a) > phi0 + 1e-4 * a * dphi0 do a = a / 2 end
  return a
end
local r = slope.minimize(f, {-1.2, 1}, {method = "lbfgs", linesearch = halving, gtol = 1e-8})
print(("  lbfgs + Lua halving: %s in %d iterations, f = %.3e"):format(r.status, r.nit, r.f))

print("\nGradient descent with a small step follows gradient flow:")
local lr, n = 1e-4, quick and 2000 or 20000
local gd = slope.minimize(f, {-1.2, 1}, {method = "gd", lr = lr, maxiter = n, gtol = 0})
local fl = slope.flow(f, {-1.2, 1}, {t = lr * n, rtol = 1e-8})
print(("  t = %.2f: gd x = %s, flow x = %s (%d Dormand-Prince steps)"):format(lr * n, tostring(gd.x), tostring(fl.x), fl.steps))

print("\nA value-only function, as a scipy user writes it first (gradient by finite differences):")
local value_only = function(x) return (1 - x[1])^2 + 100 * (x[2] - x[1]^2)^2 end
local v = slope.minimize(value_only, {-1.2, 1})
print(("  %s (success %s) at x = %s after %d iterations, %d evaluations; jac_approx = %s"):format(v.status,
      tostring(v.success), tostring(v.x), v.nit, v.nfev, v.jac_approx))

print("\nThe path, kept from the callback (info.x is a copy) or recorded with history = {x = true}:")
local path = {}
local p = slope.minimize(f, {-1.2, 1}, {callback = function(info) path[#path + 1] = info.x end,
                                        history = {x = true}})
print(("  %d points from the callback, %d in res.history.x; first %s, last %s"):format(#path,
      #p.history.x, tostring(path[1]), tostring(path[#path])))
