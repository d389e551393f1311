-- linesearch_spec.lua — slope.linesearch on the Moré–Thuente test functions
-- (Moré & Thuente 1994, sec. 6, functions 1-6 with their parameters), objects,
-- Lua line searches and the failure texts.

local ls = slope.linesearch

-- phi_k(a) as a 1-D objective: x = {a}, g[1] = phi'(a)
local function mt(k)
  local function gam(b) return math.sqrt(1 + b * b) - b end
  local fns = {
    function(a) local b = 2; return -a / (a*a + b), (a*a - b) / (a*a + b)^2 end,
    function(a) local t = a + 0.004; return t^5 - 2*t^4, 5*t^4 - 8*t^3 end,
    function(a)
      local b, l = 0.01, 39
      local f0, d0
      if a <= 1 - b then f0, d0 = 1 - a, -1
      elseif a >= 1 + b then f0, d0 = a - 1, 1
      else f0, d0 = (a - 1)^2 / (2*b) + b/2, (a - 1) / b end
      return f0 + 2*(1 - b)/(l*math.pi) * math.sin(l*math.pi*a/2), d0 + (1 - b)*math.cos(l*math.pi*a/2)
    end,
  }
  local b12 = {[4] = {0.001, 0.001}, [5] = {0.01, 0.001}, [6] = {0.001, 0.01}}
  local phi = fns[k] or function(a)
    local b1, b2 = b12[k][1], b12[k][2]
    local s1, s2 = math.sqrt((1 - a)^2 + b2^2), math.sqrt(a^2 + b1^2)
    return gam(b1)*s1 + gam(b2)*s2, gam(b1)*(a - 1)/s1 + gam(b2)*a/s2
  end
  return function(x, g)
    local f, d = phi(x[1])
    if g then g[1] = d end
    return f
  end, phi
end

local params = { {0.001, 0.1}, {0.1, 0.1}, {0.1, 0.1}, {0.001, 0.001}, {0.001, 0.001}, {0.001, 0.001} }

describe("slope.linesearch on the Moré–Thuente functions", function()
  for _, name in ipairs{"strong_wolfe", "wolfe", "hager_zhang", "armijo"} do
    it(name .. " returns a step satisfying its conditions from a0 in {1e-3, 0.1, 10, 1000}", function()
      for k = 1, 6 do
        local f, phi = mt(k)
        local phi0, dphi0 = phi(0)
        local c1, c2 = params[k][1], params[k][2]
        for _, a0 in ipairs{1e-3, 0.1, 10, 1000} do
          local opts = {c1 = c1, a0 = a0}
          if name ~= "armijo" then opts.c2 = c2 else opts.maxiter = 40 end
          local a, info = ls[name](f, {0}, {1}, opts)
          local where = ("%s on function %d from a0 = %g"):format(name, k, a0)
          check.truthy(a, where .. ": " .. tostring(info.reason))
          check.truthy(info.ok, where)
          local pa, da = phi(a)
          check.near(info.phi, pa, 1e-12, where)
          if name == "hager_zhang" then
            local wolfe = pa <= phi0 + c1*a*dphi0 and da >= c2*dphi0
            local approx = (2*c1 - 1)*dphi0 >= da and da >= c2*dphi0 and pa <= phi0 + 1e-6*math.abs(phi0)
            check.truthy(wolfe or approx, where)
          else
            check.truthy(pa <= phi0 + c1*a*dphi0, where .. ": sufficient decrease")
          end
          if name == "strong_wolfe" then check.truthy(math.abs(da) <= c2*math.abs(dphi0), where .. ": strong curvature") end
          if name == "wolfe" then check.truthy(da >= c2*dphi0, where .. ": curvature") end
          check.eq(info.armijo, true, where)
          if name == "armijo" then check.eq(info.curvature, nil) else check.eq(info.curvature, true, where) end
          check.eq(#info.trials, info.nfev, where)
          check.eq(info.trials[#info.trials].a, a, where .. ": the last trial is the step")
        end
      end
    end)
  end
end)

local function quad(x, g) -- f = x1^2 + 10 x2^2
  if g then g[1] = 2*x[1]; g[2] = 20*x[2] end
  return x[1]^2 + 10*x[2]^2
end

describe("slope.linesearch objects and failures", function()
  it("builds objects that print, expose fields and run", function()
    local s = ls.strong_wolfe{c1 = 1e-3, c2 = 0.5}
    check.eq(s.kind, "strong_wolfe"); check.eq(s.c1, 1e-3); check.eq(s.c2, 0.5)
    check.truthy(tostring(s):find("strong_wolfe", 1, true))
    local a1, i1 = s:run(quad, {1, 1}, {-1, -10})
    local a2 = s(quad, {1, 1}, {-1, -10})
    check.eq(a1, a2)
    check.truthy(i1.ok)
    check.eq(ls.fixed{0.25}.a, 0.25)
    check.eq(ls.fixed{a = 0.5}(quad, {1, 1}, {-1, 0}), 0.5)
  end)

  it("exact_quadratic takes the exact step and refuses non-positive curvature in words", function()
    local a, info = ls.exact_quadratic(quad, {1, 1}, {-1, -10})
    -- phi(a) = (1-a)^2 + 10 (1-10a)^2: a* = (1 + 1000)/(1 + 10000)... via -g'd/d'Hd
    check.near(a, (2 + 200) / (2 + 2000), 1e-6)
    check.truthy(info.ok)
    local saddle = function(x, g) if g then g[1] = 2*x[1]; g[2] = -2*x[2] end return x[1]^2 - x[2]^2 end
    local a2, info2 = ls.exact_quadratic(saddle, {0, 1}, {0, 1})
    check.eq(a2, nil)
    check.eq(info2.ok, false)
    check.truthy(info2.reason:find("needs positive curvature along d", 1, true), info2.reason)
  end)

  it("says why it failed", function()
    local a, info = ls.armijo(quad, {1, 1}, {1, 1})
    check.eq(a, nil)
    check.eq(info.reason, "d is not a descent direction: phi'(0) = 22 > 0")
    local steep = function(x, g) if g then g[1] = 2e10*x[1] - 1 end return 1e10*x[1]^2 - x[1] end
    local _, info2 = ls.armijo(steep, {0}, {1})
    local want = "no step satisfies the sufficient-decrease condition after 20 halvings: "
      .. "phi(a) stays above phi(0) + c1·a·phi'(0)"
    check.truthy(info2.reason:find(want, 1, true), info2.reason)
    check.eq(info2.nfev, 21)
    check.eq(info2.status, "linesearch_failed")
  end)

  it("shrinks the step where f is not finite", function()
    local f = function(x, g)
      if x[1] > 0.5 then if g then g[1] = 0/0 end return 0/0 end
      if g then g[1] = 2*(x[1] - 0.3) end
      return (x[1] - 0.3)^2
    end
    for _, name in ipairs{"fixed", "armijo", "wolfe", "strong_wolfe", "hager_zhang"} do
      local a, info = ls[name](f, {0}, {1}, {a0 = 4})
      check.truthy(a and a <= 0.5, name)
      check.truthy(info.trials[1].phi ~= info.trials[1].phi, name .. ": first trial NaN")
    end
  end)

  it("rejects bad options with the function's name", function()
    check.errors(function() ls.armijo{c1 = 2} end, "slope.linesearch.armijo: c1 must be in (0, 1), got 2")
    check.errors(function() ls.wolfe{c1 = 0.5, c2 = 0.1} end, "c2 must satisfy c1 <= c2 < 1")
    check.errors(function() ls.strong_wolfe{c3 = 1} end, "unknown option 'c3'")
    check.errors(function() ls.fixed{-1} end, "a must be a positive number")
    check.errors(function() ls.armijo{shrink = 0/0} end, "shrink must be a positive number")
    check.errors(function() ls.armijo(quad, {1, 1, 1}, {1, 1}) end, "dimension mismatch")
    check.errors(function() ls.armijo(42, {1}, {1}) end, "slope.linesearch.armijo: expected an options table")
  end)
end)

describe("slope.linesearch from the table of methods", function()
  local names = {"fixed", "exact_quadratic", "armijo", "wolfe", "strong_wolfe", "hager_zhang",
    "more_thuente", "nonmonotone"}
  local f = function(x, g)
    if g then g[1] = 2*(x[1] - 1); g[2] = 8*x[2] end
    return (x[1] - 1)^2 + 4*x[2]^2
  end

  it("every method has a constructor with help, a kind and a tostring of its own name", function()
    for _, name in ipairs(names) do
      local o = ls[name]()
      check.eq(o.kind, name)
      check.truthy(tostring(o):find("^linesearch " .. name .. "{"), tostring(o))
      local h = debug.getregistry()["slope.help"]["slope.linesearch." .. name]
      check.truthy(h and h.sig:find("slope.linesearch." .. name, 1, true), name)
    end
  end)

  it("a method given by object, name or uncalled constructor is the same search", function()
    for _, name in ipairs(names) do
      local opts = name == "fixed" and {a = 0.1} or nil
      local r1 = slope.minimize(f, {3, 1}, {method = "bfgs", linesearch = ls[name](opts), maxiter = 5})
      local r2 = slope.minimize(f, {3, 1}, {method = "bfgs", linesearch = ls[name], maxiter = 5})
      local r3 = slope.minimize(f, {3, 1}, {method = "bfgs", linesearch = name, maxiter = 5})
      check.eq(r2.f, r3.f, name)
      if name ~= "fixed" then check.eq(r1.f, r2.f, name) end
    end
  end)

  it("names the methods an unknown name could have meant", function()
    check.errors(function() slope.minimize(f, {3, 1}, {linesearch = "goldstein"}) end,
      "unknown line search 'goldstein' (expected one of: " .. table.concat(names, ", ") .. ")")
  end)
end)
