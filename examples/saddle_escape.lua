-- saddle_escape.lua — escaping a strict saddle. The smallest matrix
-- factorization, f(u, v) = (uv - 1)^2 / 2 (one rating, rank 1), has a saddle at
-- the origin (H = [[0, -1], [-1, 0]], lambda_min = -1 along (1, 1)/sqrt 2) and
-- minima on the hyperbola uv = 1; the line u = -v is the saddle's stable
-- manifold. Gradient descent started 1e-8 off that line is drawn to the saddle
-- and sits on its plateau until the unstable component, growing by (1 + lr) a
-- step, takes over (Dauphin et al. 2014; Jin et al. 2017). Newton-CG and
-- trust-region Newton-CG see the negative curvature once it shows in their
-- Krylov space and leave in a few steps. Started exactly on the stable
-- manifold every method converges to the saddle (the gradient test passes);
-- slope.spectrum.bottom then finds lambda_min < 0 and the direction to leave by.
-- Last, the monkey saddle shows where the second-order test goes blind.
-- Writes out/saddle_escape.svg. SLOPE_QUICK=1 runs the same (it is small).
local slope = require "slope"

local E = slope.mat.zeros(1, 3)
E:set(1, 1, 1); E:set(1, 2, 1); E:set(1, 3, 1) -- row 1, column 1, rating 1
local f = slope.obj.matrix_factorization{rows = 1, cols = 1, rank = 1, entries = E}

local b = slope.spectrum.bottom(f, {0, 0})
print(("at the saddle (0, 0): f = %.3f, lambda_min = %.4f, direction %s"):format(f:value({0, 0}),
  b.values[1], tostring(b.vectors[1])))

local lr = 0.1
local x0 = {1, -1 + 1e-8}
local function run(method, start)
  local o = {method = method, gtol = 1e-8, maxiter = 5000}
  if method == "gd" then o.lr = lr end
  local px, py = {start[1]}, {start[2]}
  local plateau = 0 -- iterations spent within 1e-2 of the saddle's value
  o.callback = function(info)
    px[#px + 1], py[#py + 1] = info.x[1], info.x[2]
    if math.abs(info.f - 0.5) < 1e-2 then plateau = plateau + 1 end
  end
  local r = slope.minimize(f, start, o)
  r.px, r.py, r.plateau = px, py, plateau
  return r
end

print(("\nfrom (%g, %.8f), 1e-8 off the stable manifold u = -v:"):format(x0[1], x0[2]))
print(("%-10s %-10s %5s %8s %5s  %-24s %10s"):format("method", "status", "nit", "plateau", "nhvp", "x", "f"))
local paths, res = {}, {}
for _, m in ipairs{"gd", "newton_cg", "trust_ncg"} do
  local r = run(m, x0)
  res[m] = r
  print(("%-10s %-10s %5d %8d %5d  (%9.5f, %9.5f) %10.2e"):format(m, r.status, r.nit, r.plateau, r.nhvp,
    r.x[1], r.x[2], r.f))
  r.path = {name = m .. (m == "gd" and (" lr=" .. lr) or ""), x = r.px, y = r.py}
  if m ~= "gd" then paths[#paths + 1] = r.path end
end

print("\nfrom (0.5, -0.5), exactly on the stable manifold:")
local stuck = run("trust_ncg", {0.5, -0.5})
local bs = slope.spectrum.bottom(f, stuck.x)
print(("trust_ncg %s in %d iterations at (%.2e, %.2e), f = %.4f: |g| test passed, but lambda_min = %.4f"):format(
  stuck.status, stuck.nit, stuck.x[1], stuck.x[2], stuck.f, bs.values[1]))
-- leave along the negative-curvature direction (either sign decreases f) and restart
local v = bs.vectors[1]
local xe = stuck.x:clone():axpy(0.1, v)
print(("step 0.1 along the eigenvector %s: f %.4f -> %.4f"):format(tostring(v), stuck.f, f:value(xe)))
local escaped = run("trust_ncg", xe)
print(("trust_ncg restarted: %s in %d iterations at (%.4f, %.4f), f = %.2e"):format(escaped.status, escaped.nit,
  escaped.x[1], escaped.x[2], escaped.f))
local sp = {name = "trust_ncg on u=-v, then along v_min", x = stuck.px, y = stuck.py}
for k = 1, #escaped.px do sp.x[#sp.x + 1] = escaped.px[k]; sp.y[#sp.y + 1] = escaped.py[k] end
paths[#paths + 1] = sp
paths[#paths + 1] = res.gd.path -- drawn last, on top: it runs along the others' first legs

os.execute("mkdir -p out")
print((slope.plot.contour{file = "out/saddle_escape.svg", f = f, xlim = {-1.5, 2}, ylim = {-1.5, 2},
  levels = 14, paths = paths, title = "f(u, v) = (uv - 1)^2 / 2: a strict saddle at 0",
  xlabel = "u", ylabel = "v"}))

-- a degenerate saddle: the monkey saddle x^3 - 3xy^2 has a zero Hessian at 0,
-- so the second-order test cannot tell it from a minimum; off the origin the
-- Hessian [[6x, -6y], [-6y, -6x]] has eigenvalues +-6|(x, y)|
local ms = slope.obj.monkey_saddle()
local b0 = slope.spectrum.bottom(ms, {0, 0})
local b1 = slope.spectrum.bottom(ms, {0.1, 0})
print(("monkey saddle: lambda_min %.2e at (0, 0) (degenerate: the test is silent), %.3f at (0.1, 0)"):format(
  b0.values[1], b1.values[1]))

-- the claims
if not (math.abs(b0.values[1]) < 1e-8 and math.abs(b1.values[1] + 0.6) < 1e-6) then
  error("monkey saddle eigenvalues are off")
end
if not (b.values[1] < -0.99 and b.values[1] > -1.01) then error("lambda_min at the saddle is not -1") end
if not (res.gd.plateau > 10 * math.max(res.newton_cg.plateau, res.trust_ncg.plateau, 1)) then
  error("gradient descent did not stall 10x longer than the Newton methods")
end
for _, m in ipairs{"gd", "newton_cg", "trust_ncg"} do
  if res[m].f > 1e-10 then error(m .. " did not reach a minimum") end
end
if not (bs.values[1] < -0.5 and escaped.f < 1e-10) then error("the second-order escape failed") end
print(("gd spent %d iterations on the saddle's plateau, newton_cg %d, trust_ncg %d"):format(res.gd.plateau,
  res.newton_cg.plateau, res.trust_ncg.plateau))
