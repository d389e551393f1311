-- ls_extrapolate_spec.lua — strong Wolfe extrapolation follows Moré & Thuente's
-- dcstep (cubic/secant beyond the last trial, within [1.1, 4] times the last
-- interval, from a = 0 on the first trial): trial counts on known functions.

local ls = slope.linesearch

local function shifted(c) -- phi(a) = (a - c)^2 along d = 1 from x = 0
  return function(x, g)
    if g then g[1] = 2 * (x[1] - c) end
    return (x[1] - c)^2
  end
end

describe("strong_wolfe extrapolation", function()
  it("takes the 4x bound from the first trial when the cubic minimizer lies beyond it", function()
    -- phi'(0.1) = -5.8 fails |phi'| <= 0.9 * 6; the cubic through (0, 9, -6) and
    -- (0.1, 8.41, -5.8) is the parabola with minimizer 3, beyond 0.1 + 4 * 0.1
    local a, info = ls.strong_wolfe(shifted(3), {0}, {1}, {a0 = 0.1, c1 = 1e-4, c2 = 0.9})
    check.truthy(info.ok)
    check.eq(info.nfev, 2)
    check.near(a, 0.5, 1e-15)
  end)
  it("lands on the minimizer of a quadratic when it is within the bounds", function()
    -- from a0 = 1: phi'(1) = -4 > 0.5 * 6 fails; the minimizer 3 is in [2.1, 5]
    local a, info = ls.strong_wolfe(shifted(3), {0}, {1}, {a0 = 1, c1 = 1e-4, c2 = 0.5})
    check.truthy(info.ok)
    check.eq(info.nfev, 2)
    check.near(a, 3, 1e-12)
  end)
  it("keeps lbfgs on a logistic problem at the evaluations of L-BFGS-B", function()
    -- the first iteration used to spend an extra trial doubling a0 = 1/|g|
    local X = slope.mat.zeros(200, 3)
    local y = slope.vec.zeros(200)
    local r = slope.rng(7)
    for i = 1, 200 do
      for j = 1, 3 do X[i][j] = r:normal() end
      y[i] = (X[i][1] - 0.5 * X[i][2] + 0.3 * r:normal() > 0) and 1 or -1
    end
    local f = slope.obj.logistic{X = X, y = y, l2 = 1e-3}
    local res = slope.minimize(f, slope.vec.zeros(3), {method = "lbfgs", gtol = 1e-10})
    check.eq(res.status, "converged")
    check.truthy(res.nfev <= res.nit + 1, ("nfev %d, nit %d"):format(res.nfev, res.nit))
  end)
end)
