-- custom_optimizer.lua — extending slope from Lua: an optimizer written with
-- slope.optim.define (AdaBelief, Zhuang et al. 2020: Adam whose second moment
-- tracks (g - m)^2, the "belief" in the current gradient) raced against the
-- built-ins inside slope.train, and a line search written as a Lua function
-- (backtracking with safeguarded quadratic/cubic interpolation, Nocedal &
-- Wright §3.5) raced against the built-in Armijo and strong Wolfe searches.
-- Times are printed for information; the conclusions use losses and counts.
-- Writes out/custom_optimizer.svg. SLOPE_QUICK=1 runs fewer epochs.
local slope = require "slope"
local quick = os.getenv("SLOPE_QUICK") == "1"

-- 1. AdaBelief as a Lua optimizer ---------------------------------------------
local adabelief = slope.optim.define{
  name = "adabelief",
  defaults = {lr = 1e-3, betas = {0.9, 0.999}, eps = 1e-16, weight_decay = 0},
  init = function(dim) return {m = slope.vec.zeros(dim), s = slope.vec.zeros(dim)} end,
  step = function(st, x, g, hp, t)
    local b1, b2, eps, lr, wd = hp.betas[1], hp.betas[2], hp.eps, hp.lr, hp.weight_decay
    local m, s = st.m, st.s
    local c1, c2 = 1 - b1 ^ t, 1 - b2 ^ t
    for i = 1, #x do
      local gi = g[i] + wd * x[i]
      local mi = b1 * m[i] + (1 - b1) * gi
      local d = gi - mi
      local si = b2 * s[i] + (1 - b2) * d * d + eps
      m[i], s[i] = mi, si
      x[i] = x[i] - lr * (mi / c1) / (math.sqrt(si / c2) + eps)
    end
  end,
}
print(adabelief{lr = 1e-2})

local D = slope.data.load("breast_cancer")
local tr, va = slope.data.split(D, 0.8, slope.rng(1))
local Xtr, mu, sd = slope.data.standardize(tr.X)
local Xva = slope.data.standardize(va.X, {mean = mu, scale = sd})
local f = slope.obj.logistic{X = Xtr, y = tr.y, l2 = 1e-3}
local fva = slope.obj.logistic{X = Xva, y = va.y}
local fstar = slope.minimize(f, slope.vec.zeros(f.dim), {method = "lbfgs", gtol = 1e-10}).f

local epochs = quick and 3 or 30
local racers = {
  {"sgd momentum=0.9", function() return slope.optim.sgd{lr = 0.05, momentum = 0.9} end},
  {"adam", function() return slope.optim.adam{lr = 0.01} end},
  {"adabelief (Lua)", function() return adabelief{lr = 0.01} end},
  {"adagrad", function() return slope.optim.adagrad{lr = 0.1} end},
}
print(("\nlogistic regression, breast_cancer (%d train, %d validation), batch 16, %d epochs, f* = %.6f")
  :format(f.n, fva.n, epochs, fstar))
print(("%-18s %12s %10s %10s"):format("optimizer", "train f-f*", "val loss", "time (ms)"))
local series, final = {}, {}
for _, rc in ipairs(racers) do
  local per = math.ceil(f.n / 16) -- steps per epoch
  local xs, ys = {0}, {f:value(slope.vec.zeros(f.dim)) - fstar}
  local t0 = slope.clock()
  local run = slope.train{objective = f, optimizer = rc[2](), x = slope.vec.zeros(f.dim), epochs = epochs,
    batch = 16, rng = slope.rng(5), quiet = true,
    on_step = function(row) -- the full training objective at each epoch's end
      if row.step % per == 0 then xs[#xs + 1], ys[#ys + 1] = row.step / per, f:value(row.x) - fstar end
    end}
  local ms = (slope.clock() - t0) * 1e3
  local gap = f:value(run.x) - fstar
  final[rc[1]] = gap
  print(("%-18s %12.3e %10.4f %10.1f"):format(rc[1], gap, fva:value(run.x), ms))
  series[#series + 1] = {name = rc[1], x = xs, y = ys}
end
os.execute("mkdir -p out")
print((slope.plot.lines{file = "out/custom_optimizer.svg", series = series, logy = true,
  title = "a Lua optimizer (AdaBelief) among the built-ins", xlabel = "epoch",
  ylabel = "training loss - f*"}))

-- 2. A line search in Lua ------------------------------------------------------
-- phi(a) returns f(x + a d) and its slope; a0 is the solver's trial step.
local function interp_backtrack(phi, a0, phi0, dphi0)
  local c1 = 1e-4
  local a, fa = a0, phi(a0)
  local a_prev, f_prev
  for _ = 1, 40 do
    if fa <= phi0 + c1 * a * dphi0 then return a end
    local a_new
    if a_prev == nil then -- minimizer of the quadratic through phi0, dphi0, phi(a)
      a_new = -dphi0 * a * a / (2 * (fa - phi0 - dphi0 * a))
    else -- of the cubic through phi0, dphi0, phi(a), phi(a_prev)
      local r1, r2 = fa - phi0 - dphi0 * a, f_prev - phi0 - dphi0 * a_prev
      local den = a * a * a_prev * a_prev * (a - a_prev)
      local ca = (a_prev * a_prev * r1 - a * a * r2) / den
      local cb = (-a_prev ^ 3 * r1 + a ^ 3 * r2) / den
      if ca == 0 then a_new = -dphi0 / (2 * cb)
      else
        local disc = cb * cb - 3 * ca * dphi0
        a_new = disc >= 0 and (-cb + math.sqrt(disc)) / (3 * ca) or a / 2
      end
    end
    -- safeguard: stay within [a/10, a/2]
    if not (a_new == a_new) then a_new = a / 2 end
    a_new = math.min(math.max(a_new, a / 10), a / 2)
    a_prev, f_prev = a, fa
    a, fa = a_new, phi(a_new)
  end
  return a
end

local function rosen(x, g)
  local p, q = 1 - x[1], x[2] - x[1] ^ 2
  if g then g[1] = -2 * p - 400 * x[1] * q; g[2] = 200 * q end
  return p * p + 100 * q * q
end
local rb = (slope.obj and slope.obj.rosenbrock) and slope.obj.rosenbrock() or rosen
local LS = slope.linesearch
local searches = {
  {"armijo (halving)", LS.armijo{}},
  {"strong_wolfe", LS.strong_wolfe{}},
  {"Lua interpolating", interp_backtrack},
}
print("\nRosenbrock from (-1.2, 1) to max|g| <= 1e-8")
print(("%-8s %-18s %-10s %6s %6s %10s %10s"):format("method", "line search", "status", "nit", "nfev", "f",
  "time (ms)"))
local counts = {}
for _, m in ipairs{"gd", "bfgs", "lbfgs"} do
  for _, s in ipairs(searches) do
    local t0 = slope.clock()
    local r = slope.minimize(rb, {-1.2, 1}, {method = m, linesearch = s[2], gtol = 1e-8,
      maxiter = (m == "gd") and (quick and 2000 or 50000) or 1000})
    print(("%-8s %-18s %-10s %6d %6d %10.2e %10.2f"):format(m, s[1], r.status, r.nit, r.nfev, r.f,
      (slope.clock() - t0) * 1e3))
    counts[m .. "/" .. s[1]] = r
  end
end

-- the claims: the Lua optimizer reaches the built-ins' accuracy, the Lua line search converges
if not quick then
  if not (final["adabelief (Lua)"] < 10 * final["adam"]) then
    error(("AdaBelief ended far behind Adam: %.3e vs %.3e"):format(final["adabelief (Lua)"], final["adam"]))
  end
  for _, m in ipairs{"bfgs", "lbfgs"} do
    local r = counts[m .. "/Lua interpolating"]
    if r.status ~= "converged" then error(m .. " with the Lua line search did not converge: " .. r.message) end
    if not (r.nfev <= counts[m .. "/armijo (halving)"].nfev) then
      error(m .. ": interpolation took more evaluations than halving")
    end
  end
  print("the Lua line search converges with no more evaluations than halving")
end
