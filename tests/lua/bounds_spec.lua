-- bounds_spec.lua — issue 15, bounds: slope.minimize / slope.solver with
-- lower/upper through lbfgsb (L-BFGS-B), gd (projected gradient) and newton_cg
-- (projected Newton-CG), on a
-- test function, a Lua-written objective (slope.obj.lua and a plain function),
-- a box-constrained quadratic built from its KKT conditions, and a bounded
-- logistic regression on breast_cancer against scipy's L-BFGS-B solution
-- polished by Newton steps on the free variables
-- (tests/data/ref_logistic_bounded_breast_cancer.txt, written by
-- scripts/reference/bounds.py). Every iterate is checked to lie in the box
-- through the history (history = {x = true}) and the callback.

local inf = math.huge

local function rosen_fg(x, g)
  local a, b = 1 - x[1], x[2] - x[1]^2
  if g then g[1] = -2*a - 400*x[1]*b; g[2] = 200*b end
  return a*a + 100*b*b
end

local function inside(x, lo, hi, where)
  for i = 1, #x do
    local l = type(lo) == "number" and lo or lo[i]
    local u = type(hi) == "number" and hi or hi[i]
    check.truthy(x[i] >= l and x[i] <= u, ("%s: x[%d] = %.17g outside [%g, %g]"):format(where, i, x[i], l, u))
  end
end

-- every point of res.history.x and of the callback in the box
local function run_checked(f, x0, opts, lo, hi, where)
  local seen = 0
  opts.history = {x = true}
  opts.callback = function(info) inside(info.x, lo, hi, where .. " callback"); seen = seen + 1 end
  local res = slope.minimize(f, x0, opts)
  for k, x in ipairs(res.history.x) do inside(x, lo, hi, where .. " history " .. k) end
  check.eq(seen, res.nit, where .. ": one callback per iteration")
  check.eq(#res.history.x, res.nit + 1, where .. ": history rows")
  return res
end

describe("Rosenbrock with x1 <= 0.5", function()
  local objectives = {
    {"slope.obj.rosenbrock", slope.obj.rosenbrock()},
    {"slope.obj.lua", slope.obj.lua{dim = 2, fg = rosen_fg}},
    {"a Lua function", rosen_fg},
  }
  for _, m in ipairs{"lbfgsb", "gd", "newton_cg"} do
    for _, c in ipairs(objectives) do
      it(m .. " on " .. c[1] .. " stops on the bound at (0.5, 0.25)", function()
        local hi = {0.5, inf}
        local res = run_checked(c[2], {-1.2, 1}, {method = m, upper = hi, gtol = 1e-9, maxiter = 20000},
          -inf, hi, m .. " " .. c[1])
        check.eq(res.status, "converged", res.message)
        check.eq(res.x[1], 0.5, "x1 on its bound")
        check.near(res.x[2], 0.25, 1e-8, "x2")
        check.near(res.f, 0.25, 1e-12, "f")
        check.truthy(res.jac[1] < 0, "f falls beyond the bound")
        check.eq(res.nactive, 1, "one active bound")
        check.eq(res.proj_gnorm, res.gnorm, "gnorm is the projected gradient")
        check.truthy(res.gnorm <= 1e-9, "projected gradient")
        check.truthy(res.message:find("max|proj g|", 1, true), res.message)
        check.eq(res.x0_projected, 0)
      end)
    end
  end

  it("a value-only function: central-difference gradients, the same answer", function()
    local res = slope.minimize(function(x) return rosen_fg(x) end, {-1.2, 1},
      {method = "lbfgsb", upper = {0.5, inf}, gtol = 1e-6})
    check.eq(res.status, "converged", res.message)
    check.eq(res.x[1], 0.5)
    check.near(res.x[2], 0.25, 1e-6)
    check.truthy(res.jac_approx, "says the gradient is approximate")
  end)
end)

-- f = 1/2 x'Ax - b'x, A = tridiag(-1, 4, -1): the solution xs is chosen with
-- bounds active on both sides and b = A xs - gs, gs the KKT gradient
-- (0 on free entries, > 0 on lower-active, < 0 on upper-active ones)
describe("a box-constrained quadratic with a known KKT point", function()
  local n = 10
  local lo = {0.5, -1, -2, -inf, -1, 1, -3, -1, -inf, 0}
  local hi = {2, 1, 0.25, 3, inf, 2, 3, -0.5, inf, 0.75}
  local xs = {0.5, 0.3, 0.25, -0.7, 1.5, 1, 0.2, -0.5, 0.4, 0.75}
  local gs = {2, 0, -1.5, 0, 0, 0.75, 0, -3, 0, -0.25}
  local function amul(x)
    local y = {}
    for i = 1, n do y[i] = 4*x[i] - (i > 1 and x[i-1] or 0) - (i < n and x[i+1] or 0) end
    return y
  end
  local b = amul(xs)
  for i = 1, n do b[i] = b[i] - gs[i] end
  local q = slope.obj.lua{dim = n, fg = function(x, g)
    local ax, f = amul(x), 0
    for i = 1, n do
      f = f + 0.5 * x[i] * ax[i] - b[i] * x[i]
      if g then g[i] = ax[i] - b[i] end
    end
    return f
  end}
  it("its gradient matches central differences", function()
    local r = slope.check.grad(q, {0.3, -0.2, 0.1, 1, -1, 0.5, 2, -0.7, 0.4, 0.6})
    check.truthy(r.ok and r.max_rel_err < 1e-6, "max_rel_err " .. tostring(r.max_rel_err))
  end)
  for _, m in ipairs{"lbfgsb", "gd", "newton_cg"} do
    it(m .. " lands on the active bounds and zeroes the free gradient", function()
      local res = run_checked(q, slope.vec.zeros(n), {method = m, lower = lo, upper = hi, gtol = 1e-10,
        maxiter = 5000}, lo, hi, m)
      check.eq(res.status, "converged", res.message)
      for i = 1, n do
        if gs[i] ~= 0 then check.eq(res.x[i], xs[i], m .. ": active entry " .. i)
        else check.near(res.x[i], xs[i], 1e-9, m .. ": free entry " .. i) end
        check.near(res.jac[i], gs[i], 1e-8, m .. ": gradient " .. i)
      end
      check.eq(res.nactive, 5, "active bounds")
      check.eq(res.x0_projected, 3, "0 is outside the box in entries 1, 6 and 8")
      check.truthy(res.message:find("x0 was outside the box: 3 entries", 1, true), res.message)
    end)
  end
  -- (gtol 1e-7: at 1e-9 the weak Wolfe search can fail at rounding level, f ~ -6.9)
  it("with every line search (the box may end the line before its conditions hold)", function()
    for _, m in ipairs{"lbfgsb", "gd", "newton_cg"} do
      for _, ls in ipairs{"armijo", "wolfe", "strong_wolfe", "hager_zhang"} do
        local res = run_checked(q, slope.vec.zeros(n), {method = m, linesearch = ls, lower = lo, upper = hi,
          gtol = 1e-7, maxiter = 5000}, lo, hi, m .. " " .. ls)
        check.eq(res.status, "converged", m .. " " .. ls .. ": " .. res.message)
        check.veq(res.x, xs, 1e-6, m .. " " .. ls)
      end
    end
  end)
  it("gd's fixed step is x <- P(x - lr g)", function()
    local x0 = {1, 0, 0, 0, 0, 1.5, 0, -0.75, 0, 0.5}
    local s = slope.solver(q, x0, {method = "gd", lr = 0.15, lower = lo, upper = hi, gtol = 1e-10})
    local f0, g0 = q:fg(slope.vec(x0))
    s:step()
    for i = 1, n do
      local want = math.min(math.max(x0[i] - 0.15 * g0[i], lo[i]), hi[i])
      check.near(s.x[i], want, 1e-15, "entry " .. i)
    end
    check.truthy(s.f < f0, "decrease")
    local res = s:run{maxiter = 10000}
    check.eq(res.status, "converged", res.message)
    check.veq(res.x, xs, 1e-8, "the KKT point")
  end)
end)

describe("bounded logistic regression on breast_cancer against scipy's L-BFGS-B", function()
  local ref, xs = {}, {}
  local fh = assert(io.open("tests/data/ref_logistic_bounded_breast_cancer.txt"))
  local inx = false
  for line in fh:lines() do
    if line:sub(1, 1) ~= "#" then
      if inx then xs[#xs + 1] = tonumber(line)
      elseif line == "x" then inx = true
      else
        local k, v = line:match("^(%S+)%s+(.+)$")
        ref[k] = tonumber(v) or v
      end
    end
  end
  fh:close()
  check.eq(#xs, ref.dim)
  local D = slope.data.load("breast_cancer")
  local f = slope.obj.logistic{X = slope.data.standardize(D.X), y = D.y, l2 = ref.l2, intercept = true}
  local lo, hi = {}, {}
  for i = 1, ref.dim - 1 do lo[i], hi[i] = ref.lower, ref.upper end
  lo[ref.dim], hi[ref.dim] = -inf, inf -- the intercept is free

  it("slope's gradient satisfies the KKT conditions at the reference point", function()
    local v, g = f:fg(slope.vec(xs))
    check.near(v, ref.f, 1e-13, "value")
    for i = 1, ref.dim do
      if xs[i] == lo[i] then check.truthy(g[i] > 0, "lower-active " .. i)
      elseif xs[i] == hi[i] then check.truthy(g[i] < 0, "upper-active " .. i)
      else check.truthy(math.abs(g[i]) < 1e-12, "free " .. i .. ": " .. g[i]) end
    end
  end)

  it("lbfgsb reaches the same point, active set and value", function()
    local res = run_checked(f, slope.vec.zeros(ref.dim), {method = "lbfgsb", lower = lo, upper = hi,
      gtol = 1e-10}, lo, hi, "logistic")
    check.eq(res.status, "converged", res.message)
    check.near(res.f, ref.f, 1e-12, "objective")
    check.eq(res.nactive, ref.nactive, "active bounds")
    for i = 1, ref.dim do
      check.eq(res.x[i] == lo[i] or res.x[i] == hi[i], xs[i] == lo[i] or xs[i] == hi[i], "active " .. i)
    end
    -- |x - x*| <= |proj g| / lambda_min on the free subspace (lambda_min ~ 1e-3 here)
    check.veq(res.x, xs, 1e-6, "parameters")
    check.truthy(res.nit < 100, "iterations " .. res.nit)
  end)

  it("newton_cg (projected Newton-CG) reaches it too, with Hessian-vector products", function()
    local res = run_checked(f, slope.vec.zeros(ref.dim), {method = "newton_cg", lower = lo, upper = hi,
      gtol = 1e-10}, lo, hi, "logistic newton_cg")
    check.eq(res.status, "converged", res.message)
    check.near(res.f, ref.f, 1e-12, "objective")
    check.eq(res.nactive, ref.nactive, "active bounds")
    check.veq(res.x, xs, 1e-6, "parameters")
    check.truthy(res.nhvp > 0, "HVPs")
  end)

  it("gd (projected gradient with a line search) reaches it too", function()
    local res = slope.minimize(f, slope.vec.zeros(ref.dim), {method = "gd", lower = lo, upper = hi,
      gtol = 1e-8, maxiter = 20000})
    check.eq(res.status, "converged", res.message)
    check.near(res.f, ref.f, 1e-10, "objective")
    check.eq(res.nactive, ref.nactive, "active bounds")
  end)
end)

describe("lbfgsb without finite bounds", function()
  it("takes lbfgs's steps (numbers or no bounds at all)", function()
    local f = slope.obj.rosenbrock(4)
    local x0 = {-1.2, 1, -1.2, 1}
    local a = slope.minimize(f, x0, {method = "lbfgs", gtol = 1e-8})
    for _, opts in ipairs{{lower = -inf, upper = inf}, {lower = {-inf, -inf, -inf, -inf}}, {}} do
      opts.method, opts.gtol = "lbfgsb", 1e-8
      local b = slope.minimize(f, x0, opts)
      check.eq(b.nit, a.nit, "iterations")
      check.eq(b.nfev, a.nfev, "evaluations")
      check.veq(b.x, a.x, 1e-9, "point")
    end
  end)
end)

describe("slope.solver with bounds", function()
  it("steps inside the box and reports the Cauchy point's work", function()
    local lo, hi = {-2, -0.5}, {0.5, 2}
    local s = slope.solver(slope.obj.rosenbrock(), {-1.2, 1}, {method = "lbfgsb", lower = lo, upper = hi})
    local info = s:step()
    check.eq(info.status, "ok")
    check.truthy(info.breakpoints >= 0 and info.free >= 0 and info.nactive >= 0, "fields")
    inside(info.x, lo, hi, "step 1")
    for k = 2, 5 do inside(s:step().x, lo, hi, "step " .. k) end
    local st = s:state()
    check.eq(st.method, "lbfgsb")
    check.truthy(st.theta > 0 and #st.s == #st.y and st.m == 10, "state")
    local res = s:run{maxiter = 200}
    check.eq(res.status, "converged", res.message)
    check.eq(res.x[1], 0.5)
    check.near(res.x[2], 0.25, 1e-6)
  end)

  it("stops on maxiter, maxfev and the callback with the projected gradient in the message", function()
    local f = slope.obj.rosenbrock()
    local o = {method = "lbfgsb", upper = {0.5, inf}}
    o.maxiter = 3
    local r = slope.minimize(f, {-1.2, 1}, o)
    check.eq(r.status, "maxiter")
    check.truthy(r.message:find("max|proj g|", 1, true), r.message)
    o.maxiter, o.maxfev = nil, 5
    r = slope.minimize(f, {-1.2, 1}, o)
    check.eq(r.status, "maxfev")
    check.truthy(r.nfev >= 5, "nfev")
    o.maxfev, o.callback = nil, function(info) return info.nit >= 2 end
    r = slope.minimize(f, {-1.2, 1}, o)
    check.eq(r.status, "callback")
    check.eq(r.nit, 2)
  end)
end)

-- 60 seeded random boxes on Rosenbrock (dimension 2..11, some bounds infinite),
-- against scipy's L-BFGS-B from the same x0 with the same tolerance
-- (tests/data/ref_rosenbrock_boxes.txt, scripts/reference/bounds.py). Rosenbrock
-- in a box can have several KKT points, so "no worse than scipy" is asked of
-- all but a few; measured: none worse, lbfgsb 1437 evaluations and newton_cg
-- 1278 (plus its Hessian-vector products) against scipy's 1553.
describe("Rosenbrock on random boxes against scipy's L-BFGS-B", function()
  local function parse(s)
    local t = {}
    for v in s:gmatch("[^,]+") do t[#t + 1] = v == "inf" and inf or v == "-inf" and -inf or tonumber(v) end
    return t
  end
  for _, m in ipairs{"lbfgsb", "newton_cg"} do
    it(m .. " converges, lands no higher than scipy and spends no more evaluations", function()
      local cases, worse, nfev, sp_nfev = 0, 0, 0, 0
      for line in io.lines("tests/data/ref_rosenbrock_boxes.txt") do
        if line:sub(1, 1) ~= "#" then
          local n, lo, hi, x0, fs, nf = line:match("^(%d+) (%S+) (%S+) (%S+) (%S+) (%d+) %d+$")
          n, lo, hi, x0, fs = tonumber(n), parse(lo), parse(hi), parse(x0), tonumber(fs)
          local where = m .. " case " .. cases + 1
          check.truthy(#lo == n and #hi == n and #x0 == n, where)
          local res = slope.minimize(slope.obj.rosenbrock(n), x0, {method = m, lower = lo, upper = hi,
            gtol = 1e-8, maxiter = 10000})
          check.eq(res.status, "converged", where .. ": " .. res.message)
          inside(res.x, lo, hi, where)
          if res.f > fs + 1e-8 * math.max(1, math.abs(fs)) then worse = worse + 1 end
          nfev, sp_nfev, cases = nfev + res.nfev, sp_nfev + tonumber(nf), cases + 1
        end
      end
      check.eq(cases, 60)
      check.truthy(worse <= 3, worse .. " boxes end higher than scipy")
      check.truthy(nfev <= 1.1 * sp_nfev, ("evaluations %d vs scipy's %d"):format(nfev, sp_nfev))
    end)
  end
end)
