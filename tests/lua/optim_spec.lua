-- optim_spec.lua — slope.optim: every rule against its published equations
-- written out here independently, convergence rates, state()/load()
-- continuation, wrappers and Lua-defined optimizers (error paths:
-- optim_errors_spec.lua).

local O = slope.optim
local sqrt, abs = math.sqrt, math.abs

-- the test problem: g_i = a_i x_i + b_i + c x_i^3 (as the torch comparison)
local A, B, C = {1.0, 10.0, 0.1}, {0.3, -0.2, 0.1}, 0.05
local X0 = {1.0, -2.0, 0.5}
local function gradt(x) -- plain table in, plain table out
  local g = {}
  for i = 1, 3 do g[i] = A[i] * x[i] + B[i] + C * x[i] ^ 3 end
  return g
end

-- run opt for n steps from X0; return the list of iterates (plain tables)
local function run(opt, n, sign)
  sign = sign or 1
  local x, g, out = slope.vec(X0), slope.vec.zeros(3), {}
  for _ = 1, n do
    local gt = gradt({x[1], x[2], x[3]})
    for i = 1, 3 do g[i] = sign * gt[i] end
    opt:step(x, g)
    out[#out + 1] = {x[1], x[2], x[3]}
  end
  return out
end

-- reference rule: ref(x, g, t, s) updates plain table x in place; s = state table
local function runref(ref, n, sign)
  sign = sign or 1
  local x, s, out = {X0[1], X0[2], X0[3]}, {}, {}
  for t = 1, n do
    local g = gradt(x)
    for i = 1, 3 do g[i] = sign * g[i] end
    ref(x, g, t, s)
    out[#out + 1] = {x[1], x[2], x[3]}
  end
  return out
end

local function same(got, want, tol)
  for t = 1, #want do
    for i = 1, 3 do
      check.near(got[t][i], want[t][i], tol or 1e-13, ("step %d, x[%d]"):format(t, i))
    end
  end
end

local function zeros() return {0, 0, 0} end

describe("slope.optim rules follow their equations", function()
  it("sgd: plain, momentum (buffer = g on step 1), dampening, nesterov, weight decay", function()
    same(run(O.sgd{lr = 0.1}, 5), runref(function(x, g) for i = 1, 3 do x[i] = x[i] - 0.1 * g[i] end end, 5))
    local function ref(lr, mu, tau, wd, nest)
      return function(x, g, t, s)
        s.b = s.b or zeros()
        for i = 1, 3 do
          local d = g[i] + wd * x[i]
          s.b[i] = t == 1 and d or mu * s.b[i] + (1 - tau) * d
          local step = nest and d + mu * s.b[i] or s.b[i]
          x[i] = x[i] - lr * step
        end
      end
    end
    same(run(O.sgd{lr = 0.02, momentum = 0.9}, 6), runref(ref(0.02, 0.9, 0, 0, false), 6))
    same(run(O.sgd{lr = 0.02, momentum = 0.9, dampening = 0.5, weight_decay = 0.1}, 6),
         runref(ref(0.02, 0.9, 0.5, 0.1, false), 6))
    same(run(O.sgd{lr = 0.02, momentum = 0.7, nesterov = true, weight_decay = 0.2}, 6),
         runref(ref(0.02, 0.7, 0, 0.2, true), 6))
    -- maximize: ascend, i.e. descend along -g
    same(run(O.sgd{lr = 0.02, maximize = true}, 3, -1), runref(ref(0.02, 0, 0, 0, false), 3))
  end)

  it("adagrad: accumulator from initial_accumulator_value, lr_decay, weight decay", function()
    local function ref(lr, decay, wd, init, eps)
      return function(x, g, t, s)
        s.s = s.s or {init, init, init}
        local clr = lr / (1 + (t - 1) * decay)
        for i = 1, 3 do
          local d = g[i] + wd * x[i]
          s.s[i] = s.s[i] + d * d
          x[i] = x[i] - clr * d / (sqrt(s.s[i]) + eps)
        end
      end
    end
    same(run(O.adagrad{lr = 0.1}, 5), runref(ref(0.1, 0, 0, 0, 1e-10), 5))
    same(run(O.adagrad{lr = 0.1, lr_decay = 0.1, weight_decay = 0.05, initial_accumulator_value = 0.3, eps = 1e-3}, 5),
         runref(ref(0.1, 0.1, 0.05, 0.3, 1e-3), 5))
  end)

  it("rmsprop: eps outside the sqrt, centered, momentum", function()
    local function ref(lr, al, eps, wd, mu, centered)
      return function(x, g, t, s)
        s.v, s.a, s.b = s.v or zeros(), s.a or zeros(), s.b or zeros()
        for i = 1, 3 do
          local d = g[i] + wd * x[i]
          s.v[i] = al * s.v[i] + (1 - al) * d * d
          local den
          if centered then
            s.a[i] = al * s.a[i] + (1 - al) * d
            den = sqrt(s.v[i] - s.a[i] ^ 2) + eps
          else
            den = sqrt(s.v[i]) + eps
          end
          if mu > 0 then
            s.b[i] = mu * s.b[i] + d / den
            x[i] = x[i] - lr * s.b[i]
          else
            x[i] = x[i] - lr * d / den
          end
        end
      end
    end
    same(run(O.rmsprop{lr = 0.01}, 5), runref(ref(0.01, 0.99, 1e-8, 0, 0, false), 5))
    -- first step: v = (1-alpha) g^2, so x moves by lr/sqrt(1-alpha) * sign(g) (eps aside)
    local x1 = run(O.rmsprop{lr = 0.01, eps = 0}, 1)[1]
    check.near(x1[1], 1 - 0.01 / sqrt(0.01), 1e-14)
    same(run(O.rmsprop{lr = 0.01, alpha = 0.9, centered = true, momentum = 0.8, weight_decay = 0.1}, 6),
         runref(ref(0.01, 0.9, 1e-8, 0.1, 0.8, true), 6))
  end)

  local function adam_ref(lr, b1, b2, eps, wd, ams, decoupled)
    return function(x, g, t, s)
      s.m, s.v, s.vm = s.m or zeros(), s.v or zeros(), s.vm or zeros()
      for i = 1, 3 do
        local d = g[i]
        if decoupled then x[i] = x[i] * (1 - lr * wd) else d = d + wd * x[i] end
        s.m[i] = b1 * s.m[i] + (1 - b1) * d
        s.v[i] = b2 * s.v[i] + (1 - b2) * d * d
        s.vm[i] = math.max(s.vm[i], s.v[i])
        local mhat = s.m[i] / (1 - b1 ^ t)
        local vhat = (ams and s.vm[i] or s.v[i]) / (1 - b2 ^ t)
        x[i] = x[i] - lr * mhat / (sqrt(vhat) + eps)
      end
    end
  end

  it("adam: bias correction (first step moves by lr * sign(g)), amsgrad, L2 decay", function()
    local x1 = run(O.adam{lr = 0.1, eps = 0}, 1)[1]
    check.near(x1[1], 1 - 0.1, 1e-14); check.near(x1[2], -2 + 0.1, 1e-14)
    same(run(O.adam{lr = 0.05}, 6), runref(adam_ref(0.05, 0.9, 0.999, 1e-8, 0, false), 6), 1e-12)
    same(run(O.adam{lr = 0.05, betas = {0.5, 0.9}, amsgrad = true, weight_decay = 0.1}, 8),
         runref(adam_ref(0.05, 0.5, 0.9, 1e-8, 0.1, true), 8), 1e-12)
  end)

  it("adamw: decoupled weight decay, default 1e-2", function()
    check.eq(O.adamw{}.weight_decay, 1e-2)
    same(run(O.adamw{lr = 0.05}, 6), runref(adam_ref(0.05, 0.9, 0.999, 1e-8, 1e-2, false, true), 6), 1e-12)
    same(run(O.adamw{lr = 0.05, weight_decay = 0.3, amsgrad = true}, 6),
         runref(adam_ref(0.05, 0.9, 0.999, 1e-8, 0.3, true, true), 6), 1e-12)
  end)

  it("nadam: momentum-decay schedule, the corrected (torch 2.x) product", function()
    local function ref(lr, b1, b2, eps, wd, psi)
      return function(x, g, t, s)
        s.m, s.v, s.P = s.m or zeros(), s.v or zeros(), s.P or 1
        local mu = b1 * (1 - 0.5 * 0.96 ^ (t * psi))
        local mun = b1 * (1 - 0.5 * 0.96 ^ ((t + 1) * psi))
        s.P = s.P * mu
        for i = 1, 3 do
          local d = g[i] + wd * x[i]
          s.m[i] = b1 * s.m[i] + (1 - b1) * d
          s.v[i] = b2 * s.v[i] + (1 - b2) * d * d
          local den = sqrt(s.v[i] / (1 - b2 ^ t)) + eps
          x[i] = x[i] - lr * (1 - mu) / (1 - s.P) * d / den - lr * mun / (1 - s.P * mun) * s.m[i] / den
        end
      end
    end
    same(run(O.nadam{lr = 0.05}, 6), runref(ref(0.05, 0.9, 0.999, 1e-8, 0, 4e-3), 6), 1e-12)
    same(run(O.nadam{lr = 0.05, betas = {0.8, 0.99}, weight_decay = 0.1, momentum_decay = 0.02}, 6),
         runref(ref(0.05, 0.8, 0.99, 1e-8, 0.1, 0.02), 6), 1e-12)
  end)

  it("radam: un-rectified steps while rho_t <= 5, rectified after", function()
    local function ref(lr, b1, b2, eps, wd)
      return function(x, g, t, s)
        s.m, s.v = s.m or zeros(), s.v or zeros()
        local rinf = 2 / (1 - b2) - 1
        local rt = rinf - 2 * t * b2 ^ t / (1 - b2 ^ t)
        for i = 1, 3 do
          local d = g[i] + wd * x[i]
          s.m[i] = b1 * s.m[i] + (1 - b1) * d
          s.v[i] = b2 * s.v[i] + (1 - b2) * d * d
          local mhat = s.m[i] / (1 - b1 ^ t)
          if rt > 5 then
            local r = sqrt((rt - 4) * (rt - 2) * rinf / ((rinf - 4) * (rinf - 2) * rt))
            x[i] = x[i] - lr * mhat * r * sqrt(1 - b2 ^ t) / (sqrt(s.v[i]) + eps)
          else
            x[i] = x[i] - lr * mhat
          end
        end
      end
    end
    -- with b2 = 0.9, rho_t crosses 5 at t = 6
    same(run(O.radam{lr = 0.05, betas = {0.9, 0.9}}, 10), runref(ref(0.05, 0.9, 0.9, 1e-8, 0), 10), 1e-12)
    same(run(O.radam{lr = 0.05, weight_decay = 0.1}, 8), runref(ref(0.05, 0.9, 0.999, 1e-8, 0.1), 8), 1e-12)
  end)

  it("adamax: infinity-norm accumulator", function()
    local function ref(lr, b1, b2, eps, wd)
      return function(x, g, t, s)
        s.m, s.u = s.m or zeros(), s.u or zeros()
        for i = 1, 3 do
          local d = g[i] + wd * x[i]
          s.m[i] = b1 * s.m[i] + (1 - b1) * d
          s.u[i] = math.max(b2 * s.u[i], abs(d) + eps)
          x[i] = x[i] - lr / (1 - b1 ^ t) * s.m[i] / s.u[i]
        end
      end
    end
    same(run(O.adamax{lr = 0.05}, 6), runref(ref(0.05, 0.9, 0.999, 1e-8, 0), 6), 1e-12)
    same(run(O.adamax{lr = 0.05, weight_decay = 0.2}, 6), runref(ref(0.05, 0.9, 0.999, 1e-8, 0.2), 6), 1e-12)
  end)

  it("lion: sign update of the interpolated momentum, decoupled decay", function()
    local function ref(lr, b1, b2, wd)
      return function(x, g, t, s)
        s.m = s.m or zeros()
        for i = 1, 3 do
          local c = b1 * s.m[i] + (1 - b1) * g[i]
          local sg = c > 0 and 1 or (c < 0 and -1 or 0)
          x[i] = x[i] - lr * (sg + wd * x[i])
          s.m[i] = b2 * s.m[i] + (1 - b2) * g[i]
        end
      end
    end
    same(run(O.lion{lr = 0.01}, 6), runref(ref(0.01, 0.9, 0.99, 0), 6))
    same(run(O.lion{lr = 0.01, betas = {0.5, 0.8}, weight_decay = 0.5}, 6), runref(ref(0.01, 0.5, 0.8, 0.5), 6))
    check.eq(O.lion{}.lr, 1e-4)
  end)

  it("ftrl: FTRL-proximal per coordinate with l1 sparsity and l2", function()
    local function ref(al, be, l1, l2)
      return function(x, g, t, s)
        s.z, s.n = s.z or zeros(), s.n or zeros()
        for i = 1, 3 do
          local sigma = (sqrt(s.n[i] + g[i] ^ 2) - sqrt(s.n[i])) / al
          s.z[i] = s.z[i] + g[i] - sigma * x[i]
          s.n[i] = s.n[i] + g[i] ^ 2
          if abs(s.z[i]) <= l1 then x[i] = 0
          else
            local sgn = s.z[i] > 0 and 1 or -1
            x[i] = -(s.z[i] - sgn * l1) / ((be + sqrt(s.n[i])) / al + l2)
          end
        end
      end
    end
    same(run(O.ftrl{alpha = 0.5}, 6), runref(ref(0.5, 1, 0, 0), 6))
    local traj = run(O.ftrl{alpha = 0.5, beta = 0.5, l1 = 0.4, l2 = 0.1}, 6)
    same(traj, runref(ref(0.5, 0.5, 0.4, 0.1), 6))
    check.eq(traj[1][3], 0.0, "l1 zeroes a small coordinate")
    local f = O.ftrl{}
    check.eq(f.lr, 0.1); f.lr = 0.3; check.eq(f.alpha, 0.3)
  end)
end)

describe("slope.optim convergence rates on a quadratic", function()
  -- f = 1/2 sum d_i x_i^2, d spread over [mu, L]; f* = 0 at x = 0
  local n, mu, L = 20, 0.01, 1.0
  local d = slope.vec.linspace(mu, L, n)
  local function fval(x) local s = 0 for i = 1, n do s = s + 0.5 * d[i] * x[i] ^ 2 end return s end
  local function grad(x, g) for i = 1, n do g[i] = d[i] * x[i] end end

  it("gradient descent with lr = 1/L contracts f - f* by at least (1 - 1/kappa) per step", function()
    local opt, x, g = O.sgd{lr = 1 / L}, slope.vec.ones(n), slope.vec.zeros(n)
    local f0, kappa = fval(x), L / mu
    for t = 1, 200 do
      grad(x, g); opt:step(x, g)
      check.truthy(fval(x) <= (1 - 1 / kappa) ^ t * f0 * (1 + 1e-12), "rate bound at step " .. t)
    end
  end)

  it("heavy ball with the optimal parameters contracts at (sqrt(kappa)-1)/(sqrt(kappa)+1)", function()
    local kappa = L / mu
    local alpha = 4 / (sqrt(L) + sqrt(mu)) ^ 2
    local beta = ((sqrt(kappa) - 1) / (sqrt(kappa) + 1)) ^ 2
    local rho = (sqrt(kappa) - 1) / (sqrt(kappa) + 1)
    local opt, x, g = O.sgd{lr = alpha, momentum = beta}, slope.vec.ones(n), slope.vec.zeros(n)
    local e = {}
    for t = 1, 300 do grad(x, g); opt:step(x, g); e[t] = x:norm() end
    local rate = (e[300] / e[200]) ^ (1 / 100)
    check.truthy(rate <= rho * 1.02 and rate >= rho * 0.9,
                 ("measured %.5f per step, theory %.5f"):format(rate, rho))
    check.truthy(rate < 1 - 1 / kappa, "faster than gradient descent's 1 - 1/kappa")
  end)
end)

-- every optimizer and wrapper, for the generic tests
local ls_X = {{1, 2}, {0.5, -1}, {2, 0.3}, {-1, 1}, {0.2, 0.4}}
local ls_y = {1, 0, 2, -1, 0.5}
local function lsq() return slope.spectrum.toy.least_squares(ls_X, ls_y) end
local function makers()
  local f = lsq()
  return {
    sgd = function() return O.sgd{lr = 0.05, momentum = 0.9, nesterov = true} end,
    adagrad = function() return O.adagrad{lr = 0.1, initial_accumulator_value = 0.1} end,
    rmsprop = function() return O.rmsprop{lr = 0.01, centered = true, momentum = 0.5} end,
    adam = function() return O.adam{lr = 0.05, amsgrad = true} end,
    adamw = function() return O.adamw{lr = 0.05} end,
    nadam = function() return O.nadam{lr = 0.05} end,
    radam = function() return O.radam{lr = 0.05} end,
    adamax = function() return O.adamax{lr = 0.05} end,
    lion = function() return O.lion{lr = 0.01} end,
    ftrl = function() return O.ftrl{alpha = 0.3, l1 = 0.01} end,
    clip = function() return O.clip{base = O.adam{lr = 0.05}, max_norm = 1} end,
    accumulate = function() return O.accumulate{base = O.sgd{lr = 0.1, momentum = 0.5}, steps = 3} end,
    average = function() return O.average{base = O.adam{lr = 0.05}, kind = "ema", decay = 0.9} end,
    lookahead = function() return O.lookahead{base = O.nadam{lr = 0.05}, k = 3} end,
    nested = function() return O.lookahead{base = O.clip{base = O.sgd{lr = 0.1, momentum = 0.9}, max_value = 0.5}, k = 2} end,
    sam = function() return O.sam{base = O.sgd{lr = 0.05, momentum = 0.5}, f = f, rho = 0.1} end,
    svrg = function() return O.svrg{f = f, lr = 0.05, epoch_len = 4, rng = slope.rng(7)} end,
    saga = function() return O.saga{f = f, lr = 0.05, rng = slope.rng(3)} end,
    lua = function()
      local mom = O.define{name = "luamom", defaults = {lr = 0.05, beta = 0.9},
        init = function(dim) return {m = slope.vec.zeros(dim), k = 0} end,
        step = function(s, x, g, hp) s.m:scale(hp.beta):axpy(1, g); x:axpy(-hp.lr, s.m); s.k = s.k + 1 end}
      return O.clip{base = mom{}, max_norm = 2}
    end,
  }, f
end

describe("slope.optim state() and load()", function()
  local mk, f = makers()
  for name, make in pairs(mk) do
    it(name .. ": load(state()) into a fresh optimizer continues bit for bit", function()
      local opt = make()
      local x, g = slope.vec{0.3, -0.7}, slope.vec.zeros(2)
      for _ = 1, 7 do f:grad(x, g); opt:step(x, g) end
      local st, x7 = opt:state(), x:clone()
      local want = {}
      for k = 1, 8 do f:grad(x, g); opt:step(x, g); want[k] = x:clone() end
      local fresh = make()
      fresh:load(st)
      check.eq(fresh.t, 7)
      local y = x7:clone()
      for k = 1, 8 do f:grad(y, g); fresh:step(y, g); check.veq(y, want[k], 0, name .. " step " .. k) end
      -- the state is a copy: changing it changes nothing
      local s2 = opt:state()
      for _, v in pairs(s2) do if type(v) == "userdata" then v:fill(123) end end
      check.truthy(opt:state().t == s2.t)
      for k, v in pairs(opt:state()) do
        if type(v) == "userdata" and #v > 0 then check.truthy(v[1] ~= 123 or k == "n", name .. "." .. k .. " aliased") end
      end
    end)
  end

  it("reset() returns to step 0 and repeats the same run", function()
    local opt = O.adam{lr = 0.05}
    local a = run(opt, 4)
    opt:reset(); check.eq(opt.t, 0)
    local b = run(opt, 4)
    same(b, a, 0)
    local w = O.lookahead{base = O.sgd{lr = 0.1, momentum = 0.9}}
    run(w, 3); w:reset(); check.eq(w.t, 0); check.eq(w.base.t, 0)
  end)

  it("a state before the first step is {t = 0} and loads as a reset", function()
    local s = O.adam{}:state()
    check.eq(s.t, 0); check.eq(s.dim, nil)
    local o = O.adam{lr = 0.1}; run(o, 2); o:load(s); check.eq(o.t, 0)
  end)

  it("load rejects wrong keys, sizes, dims and types", function()
    local o = O.adam{}
    run(o, 2)
    local s = o:state()
    check.errors(function() O.adam{}:load(42) end, "table expected")
    s.bogus = 1
    check.errors(function() O.adam{}:load(s) end, "slope.optim.load: state has unknown field 'bogus'")
    s.bogus = nil
    s.exp_avg = slope.vec{1, 2}
    check.errors(function() O.adam{}:load(s) end, "state.exp_avg must be a vec of 3 entries")
    s.exp_avg = nil
    check.errors(function() O.adam{}:load(s) end, "state.exp_avg must be a vec of 3 entries, got nil")
    local o2 = O.adam{}; o2:step(slope.vec{1, 2}, slope.vec{1, 1})
    check.errors(function() o2:load(o:state()) end, "state is for dim 3, this optimizer has dim 2")
    check.errors(function() O.adam{}:load{t = -1} end, "state.t must be an integer >= 0")
    check.errors(function() O.adam{}:load{t = 3} end, "state has t = 3 but no dim")
    local n = O.nadam{}; run(n, 1); local ns = n:state(); ns.mu_product = "x"
    check.errors(function() O.nadam{}:load(ns) end, "state.mu_product must be a number")
    local w = O.clip{base = O.adam{}, max_norm = 1}; run(w, 2); local ws = w:state(); ws.base = nil
    check.errors(function() O.clip{base = O.adam{}, max_norm = 1}:load(ws) end, "state.base must be a table")
    local sv = O.svrg{f = lsq()}; sv:step(slope.vec{0, 0}); local ss = sv:state(); ss.rng = {0, 0, 0, 0}
    check.errors(function() O.svrg{f = lsq()}:load(ss) end, "state.rng must be a table of 4 integers")
  end)
end)

describe("slope.optim wrappers", function()
  it("clip by global norm scales g by max_norm/(|g| + 1e-6); by value clamps", function()
    local x = slope.vec{0, 0}
    O.clip{base = O.sgd{lr = 1}, max_norm = 1}:step(x, slope.vec{3, 4})
    check.veq(x, {-3 / (5 + 1e-6), -4 / (5 + 1e-6)}, 1e-15)
    x = slope.vec{0, 0}
    O.clip{base = O.sgd{lr = 1}, max_norm = 10}:step(x, slope.vec{3, 4})
    check.veq(x, {-3, -4})
    x = slope.vec{0, 0}
    local g = slope.vec{3, -0.2}
    O.clip{base = O.sgd{lr = 1}, max_value = 0.5}:step(x, g)
    check.veq(x, {-0.5, 0.2}); check.veq(g, {3, -0.2}, 0, "g is not modified")
  end)

  it("accumulate steps the base every k calls with the mean gradient", function()
    local base = O.sgd{lr = 1}
    local acc, x = O.accumulate{base = base, steps = 3}, slope.vec{0}
    acc:step(x, slope.vec{1}); acc:step(x, slope.vec{2})
    check.veq(x, {0}); check.eq(base.t, 0)
    acc:step(x, slope.vec{6})
    check.veq(x, {-3}); check.eq(base.t, 1); check.eq(acc.t, 3)
    acc:step(x, slope.vec{3}); acc:step(x, slope.vec{3}); acc:step(x, slope.vec{3})
    check.veq(x, {-6})
  end)

  it("average: polyak mean, swa every k-th, ema; averaged() before any is an error", function()
    local function iter(kind, opts)
      opts = opts or {}
      opts.base, opts.kind = O.sgd{lr = 1}, kind
      local a, x = O.average(opts), slope.vec{0}
      for k = 1, 6 do a:step(x, slope.vec{-k}) end -- x = 1, 3, 6, 10, 15, 21
      return a
    end
    check.near(iter("polyak"):averaged()[1], (1 + 3 + 6 + 10 + 15 + 21) / 6, 1e-15)
    check.near(iter("polyak", {start = 3}):averaged()[1], (10 + 15 + 21) / 3, 1e-15)
    check.near(iter("swa", {every = 2}):averaged()[1], (3 + 10 + 21) / 3, 1e-15)
    local e = 1
    for _, v in ipairs{3, 6, 10, 15, 21} do e = 0.5 * e + 0.5 * v end
    local out = slope.vec{0}
    iter("ema", {decay = 0.5}):averaged(out)
    check.near(out[1], e, 1e-15)
    check.errors(function() O.average{base = O.sgd{}}:averaged() end, "no iterate averaged yet")
    check.errors(function() O.sgd{}:averaged() end, "keeps no average")
    check.errors(function() iter("ema"):averaged(slope.vec{1, 2}) end, "dimension mismatch")
    check.eq(iter("swa").kind, "swa")
  end)

  it("lookahead: slow weights move alpha toward x every k steps and x jumps back", function()
    local la, x = O.lookahead{base = O.sgd{lr = 1}, k = 2, alpha = 0.5}, slope.vec{0}
    la:step(x, slope.vec{-1}); check.veq(x, {1})
    la:step(x, slope.vec{-1}); check.veq(x, {1}) -- fast at 2, slow 0 -> 1, x = 1
    la:step(x, slope.vec{-1}); la:step(x, slope.vec{-1}); check.veq(x, {2}) -- fast 3, slow 1 -> 2
  end)

  it("lr on a wrapper reads and writes the innermost base's lr", function()
    local base = O.adam{lr = 0.01}
    local w = O.lookahead{base = O.clip{base = base, max_norm = 1}}
    check.eq(w.lr, 0.01); w.lr = 0.2; check.eq(base.lr, 0.2)
    check.errors(function() w.lr = -1 end, "slope.optim.lookahead: lr must be a non-negative number")
    check.truthy(tostring(w):find("lookahead(clip(adam))", 1, true))
  end)

  it("sam: ascent to x + rho g/|g|, the base steps with the gradient there", function()
    local f = lsq()
    local x = slope.vec{0.3, -0.7}
    local g = f:grad(x)
    local e = g:clone():scale(0.1 / (g:norm() + 1e-12))
    local ge = f:grad(x + e)
    local want = x - ge * 0.05
    local sam = O.sam{base = O.sgd{lr = 0.05}, f = f, rho = 0.1}
    local y = x:clone(); sam:step(y)
    check.veq(y, {want[1], want[2]}, 1e-14)
    local y2 = x:clone(); O.sam{base = O.sgd{lr = 0.05}, f = f, rho = 0.1}:step(y2, g)
    check.veq(y2, {want[1], want[2]}, 1e-14)
    -- adaptive: e = rho x^2 g / |x g|
    local xg = slope.vec{abs(x[1]) * g[1], abs(x[2]) * g[2]}
    local ea = slope.vec{x[1] ^ 2 * g[1], x[2] ^ 2 * g[2]}:scale(0.1 / (xg:norm() + 1e-12))
    local wa = x - f:grad(x + ea) * 0.05
    local y3 = x:clone(); O.sam{base = O.sgd{lr = 0.05}, f = f, rho = 0.1, adaptive = true}:step(y3)
    check.veq(y3, {wa[1], wa[2]}, 1e-14)
  end)
end)

describe("slope.optim variance reduction", function()
  -- the least-squares minimizer from the normal equations (2 x 2)
  local function solution()
    local a11, a12, a22, b1, b2 = 0, 0, 0, 0, 0
    for i, r in ipairs(ls_X) do
      a11 = a11 + r[1] * r[1]; a12 = a12 + r[1] * r[2]; a22 = a22 + r[2] * r[2]
      b1 = b1 + r[1] * ls_y[i]; b2 = b2 + r[2] * ls_y[i]
    end
    local det = a11 * a22 - a12 * a12
    return {(a22 * b1 - a12 * b2) / det, (a11 * b2 - a12 * b1) / det}
  end

  it("svrg and saga converge linearly to the least-squares solution with a constant lr", function()
    local xs = solution()
    for _, make in ipairs{
      function(f) return O.svrg{f = f, lr = 0.1, rng = slope.rng(1)} end,
      function(f) return O.saga{f = f, lr = 0.1, rng = slope.rng(2)} end} do
      local f = lsq()
      local opt, x = make(f), slope.vec{0, 0}
      for _ = 1, 2000 do opt:step(x) end
      check.veq(x, xs, 1e-9, opt.name)
    end
  end)

  it("saga's first step is a full gradient step; svrg's first is too", function()
    local f = lsq()
    local x = slope.vec{0.3, -0.7}
    local want = x - f:grad(x) * 0.1
    local y = x:clone(); O.saga{f = f, lr = 0.1}:step(y); check.veq(y, {want[1], want[2]}, 1e-14)
    y = x:clone(); O.svrg{f = f, lr = 0.1}:step(y); check.veq(y, {want[1], want[2]}, 1e-14)
  end)

  it("the sample stream comes from the rng option (copied)", function()
    local f = lsq()
    local r = slope.rng(5)
    local a, b = slope.vec{0, 0}, slope.vec{0, 0}
    local o1, o2 = O.saga{f = f, rng = r}, O.saga{f = f, rng = r}
    for _ = 1, 10 do o1:step(a); o2:step(b) end
    check.veq(a, {b[1], b[2]}, 0)
    local c = slope.vec{0, 0}; local o3 = O.saga{f = f, rng = slope.rng(6)}
    for _ = 1, 10 do o3:step(c) end
    check.truthy(c[1] ~= a[1])
  end)
end)

describe("slope.optim.define", function()
  local msgd = O.define{name = "msgd", defaults = {lr = 0.1, momentum = 0.0, betas = {0.9, 0.99}, nesterov = false},
    init = function(dim, hp) return {buf = slope.vec.zeros(dim), steps = 0} end,
    step = function(s, x, g, hp, t)
      s.buf:scale(hp.momentum):axpy(1, g)
      x:axpy(-hp.lr, s.buf)
      s.steps = t
    end}

  it("is used like a built-in: defaults, fields, lr, t, tostring", function()
    local o = msgd{momentum = 0.9}
    check.eq(o.lr, 0.1); check.eq(o.momentum, 0.9); check.eq(o.nesterov, false); check.eq(o.t, 0)
    same(run(o, 5), run(O.sgd{lr = 0.1, momentum = 0.9, dampening = 0}, 5), 0)
    check.eq(o.t, 5); check.eq(o:state().state.steps, 5)
    o.lr = 0.5; check.eq(o.lr, 0.5)
    o.momentum = 0.1; check.eq(o.momentum, 0.1)
    check.truthy(tostring(o):find("msgd", 1, true))
    check.truthy(slope._helpdb[msgd], "help for the constructor")
  end)

  it("the C wrappers compose with it and its lr", function()
    local inner = msgd{}
    local w = O.accumulate{base = inner, steps = 2}
    w.lr = 0.25; check.eq(inner.lr, 0.25)
    local x = slope.vec{1}
    w:step(x, slope.vec{1}); w:step(x, slope.vec{3})
    check.veq(x, {1 - 0.25 * 2})
  end)

  it("x and g are views valid only during the call", function()
    local kept
    local spy = O.define{name = "spy", defaults = {lr = 1},
      step = function(s, x, g) kept = x; x:axpy(-1, g) end}
    local x = spy{}:step(slope.vec{1, 2}, slope.vec{1, 1})
    check.veq(x, {0, 1}); check.eq(#kept, 0)
  end)

  it("errors name the optimizer and the argument", function()
    check.errors(function() msgd{lr = -1} end, "slope.optim.msgd: lr must be a non-negative number")
    check.errors(function() msgd{lr = 0 / 0} end, "slope.optim.msgd: lr must be a finite number")
    check.errors(function() msgd{momentum = "x"} end, "slope.optim.msgd: momentum must be a number")
    check.errors(function() msgd{betas = {0.9}} end, "slope.optim.msgd: betas must be a table of 2 numbers")
    check.errors(function() msgd{rate = 1} end, "slope.optim.msgd: unknown option 'rate' (expected one of:")
    check.errors(function() msgd{}.nesterov = 1 end, "nesterov must be a boolean")
    check.errors(function() msgd{}.t = 1 end, "cannot set field 't'")
    check.errors(function() O.define{defaults = {}, step = print} end, "slope.optim.define: name must be")
    check.errors(function() O.define{name = "a"} end, "slope.optim.define: step must be a function")
    check.errors(function() O.define{name = "a", step = print, init = 1} end, "init must be a function")
    check.errors(function() O.define{name = "a", step = print, defaults = {lr = -1}} end, "defaults.lr must be a non-negative")
    check.errors(function() O.define{name = "a", step = print, defaults = {f = print}} end, "defaults.f must be")
    check.errors(function() O.define{name = "a", step = print, stepp = 1} end, "unknown option 'stepp'")
    local boom = O.define{name = "boom", defaults = {lr = 1}, step = function() error("kaput") end}
    check.errors(function() boom{}:step(slope.vec{1}, slope.vec{1}) end, "slope.optim.boom: step:")
    check.errors(function() O.clip{base = boom{}, max_norm = 1}:step(slope.vec{1}, slope.vec{1}) end, "kaput")
    local badinit = O.define{name = "badinit", init = function() return 3 end, step = print}
    check.errors(function() badinit{}:step(slope.vec{1}, slope.vec{1}) end, "slope.optim.badinit: init: init must return a table")
    local b2 = O.define{name = "b2", init = function() error("no init") end, step = print}
    check.errors(function() b2{}:step(slope.vec{1}, slope.vec{1}) end, "slope.optim.b2: init:")
    local o = msgd{}; run(o, 1)
    local s = o:state(); s.state.buf = slope.vec{1}
    check.errors(function() msgd{}:load(s) end, "state.state.buf must be a vec of 3 entries")
    s.state.buf = slope.vec.zeros(3); s.state.extra = 1
    check.errors(function() msgd{}:load(s) end, "state.state has unknown key 'extra'")
    s.state.extra = nil; s.state.steps = nil
    check.errors(function() msgd{}:load(s) end, "state.state is missing 'steps'")
    local nolr = O.define{name = "nolr", step = print}{}
    check.eq(nolr.lr, nil)
    check.errors(function() nolr.lr = 1 end, "nolr has no learning rate")
  end)
end)
