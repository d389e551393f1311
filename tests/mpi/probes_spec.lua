-- probes_spec.lua — every solver method and every probe of issue 14 on a
-- distributed objective (slope.mpi.objective over contiguous shards, so
-- global rows are the file's rows and seeded row draws pick the same rows as
-- one process): each gives the single-process answer to rounding, and the same
-- bits on every rank. Run by tests/mpi/run.sh (K = 2, 3) and at K = 1.
local H = dofile("tests/mpi/helpers.lua")
local P, S = slope.probe, slope.spectrum

local function close(a, b, tol, what)
  check.truthy(H.rel(a, b) <= tol, ("%s: %.17g vs %.17g (rel %g)"):format(what, a, b, H.rel(a, b)))
end

for _, e in ipairs{ H.MODELS[1], H.MODELS[4] } do
  describe(e[1], function()
    local f, f1 = H.pair(e)
    local x = f1:init(slope.rng(11))
    for i = 1, #x do x[i] = x[i] + 0.05 * math.cos(i) end
    local x2 = x:clone()
    for i = 1, #x2 do x2[i] = x2[i] + 0.02 * math.sin(3 * i) end

    it("every slope.minimize method matches one process", function()
      for _, m in ipairs{ "gd", "cg", "bfgs", "lbfgs", "newton_cg", "trust_ncg" } do
        if not (m == "bfgs" and f.dim > 200) then
          local o = { method = m, maxiter = 8 }
          local r, r1 = slope.minimize(f, x:clone(), o), slope.minimize(f1, x:clone(), o)
          check.truthy(H.same_on_all_ranks(r.x), m .. ": x differs between ranks")
          close(r.f, r1.f, 1e-10, m .. " f")
          check.truthy(H.rel(r.x, r1.x) < 1e-10, ("%s: x rel %g"):format(m, H.rel(r.x, r1.x)))
        end
      end
      local function o() return { method = slope.optim.sgd{ lr = 0.1, momentum = 0.9 }, maxiter = 10 } end
      local r, r1 = slope.minimize(f, x:clone(), o()), slope.minimize(f1, x:clone(), o())
      check.truthy(H.rel(r.x, r1.x) < 1e-10, "optimizer method")
    end)

    it("spectrum top, bottom, trace and density", function()
      local o = { k = 2, rng = slope.rng(3), tol = 1e-10 }
      local t, t1 = S.top(f, x, o), S.top(f1, x, { k = 2, rng = slope.rng(3), tol = 1e-10 })
      close(t.values[1], t1.values[1], 1e-10, "top")
      local b = S.bottom(f, x, { k = 1, rng = slope.rng(3), tol = 1e-8, maxiter = 400 })
      local b1 = S.bottom(f1, x, { k = 1, rng = slope.rng(3), tol = 1e-8, maxiter = 400 })
      check.truthy(math.abs(b.values[1] - b1.values[1]) <= 1e-9 * math.max(1, t1.values[1]), "bottom")
      local tr = S.trace(f, x, { samples = 4, rng = slope.rng(5) }).trace
      local tr1 = S.trace(f1, x, { samples = 4, rng = slope.rng(5) }).trace
      close(tr, tr1, 1e-10, "trace")
      local d = S.density(f, x, { steps = 6, probes = 2, grid = 7, rng = slope.rng(6) })
      local d1 = S.density(f1, x, { steps = 6, probes = 2, grid = 7, rng = slope.rng(6) })
      for i = 1, 7 do check.truthy(math.abs(d.density[i] - d1.density[i]) <= 1e-8 * (1 + d1.density:norm()), "density") end
      check.truthy(H.same_on_all_ranks(d.density) and H.same_on_all_ranks(t.values))
    end)

    it("sharpness, noise_scale, interpolate and slice2d", function()
      local s = P.sharpness(f, x, 0.1, { tol = 1e-10, rng = slope.rng(1) })
      local s1 = P.sharpness(f1, x, 0.1, { tol = 1e-10, rng = slope.rng(1) })
      close(s.lambda_max, s1.lambda_max, 1e-9, "sharpness")
      local ns = P.noise_scale(f, x, { samples = 12, rng = slope.rng(2) })
      local ns1 = P.noise_scale(f1, x, { samples = 12, rng = slope.rng(2) })
      for k, v in pairs(ns1) do
        if type(v) == "number" and v == v then close(ns[k], v, 1e-9, "noise_scale." .. k) end
      end
      local ip, ip1 = P.interpolate(f, x, x2, { points = 4 }), P.interpolate(f1, x, x2, { points = 4 })
      for i = 1, 4 do close(ip.loss[i], ip1.loss[i], 1e-12, "interpolate") end
      local sl = P.slice2d(f, x, { points = 3, span = 0.1, rng = slope.rng(4) })
      local sl1 = P.slice2d(f1, x, { points = 3, span = 0.1, rng = slope.rng(4) })
      check.eq(sl.normalization, sl1.normalization)
      for i = 1, 3 do
        for j = 1, 3 do close(sl.loss[i][j], sl1.loss[i][j], 1e-12, "slice2d") end
      end
      check.truthy(H.same_on_all_ranks(ip.loss) and H.same_on_all_ranks(s.lambda_max))
    end)
  end)
end
