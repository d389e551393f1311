-- optim_rest_misuse_spec.lua — every hyperparameter of adafactor, lamb, lars, sf_sgd,
-- sf_adamw, prodigy, dadapt_adam, adadelta, rprop and asgd given a wrong type, NaN and an
-- out-of-range value, in the constructor and as a field; the pair options (betas, etas,
-- step_sizes, eps), layers, eval_x, averaged and load: each error names the function and
-- the option, and never reads "attempt to" or "-nan".

local O = slope.optim
local NAN = 0 / 0

-- rule -> { option = {kind, out-of-range value or false} }; kinds: num, bool, int
local SPEC = {
  adadelta = { lr = { "num", -1 }, rho = { "num", 1.5 }, eps = { "num", -1 }, weight_decay = { "num", -0.1 },
    maximize = { "bool" } },
  rprop = { lr = { "num", -1 }, maximize = { "bool" } },
  asgd = { lr = { "num", -1 }, lambd = { "num", -1 }, alpha = { "num", -1 }, t0 = { "num", -5 },
    weight_decay = { "num", -1 }, maximize = { "bool" } },
  sf_sgd = { lr = { "num", -1 }, momentum = { "num", 1 }, weight_decay = { "num", -1 },
    warmup_steps = { "int", 1.5 }, r = { "num", -1 }, weight_lr_power = { "num", -2 } },
  sf_adamw = { lr = { "num", -1 }, eps = { "num", -1 }, weight_decay = { "num", -1 },
    warmup_steps = { "int", -1 }, r = { "num", -1 }, weight_lr_power = { "num", -2 },
    inner_momentum = { "num", 1 } },
  prodigy = { lr = { "num", -1 }, beta3 = { "num", 1 }, eps = { "num", -1 }, weight_decay = { "num", -1 },
    decouple = { "bool" }, use_bias_correction = { "bool" }, safeguard_warmup = { "bool" },
    d0 = { "num", 0 }, d_coef = { "num", 0 }, growth_rate = { "num", 0 } },
  dadapt_adam = { lr = { "num", -1 }, eps = { "num", -1 }, weight_decay = { "num", -1 }, decouple = { "bool" },
    use_bias_correction = { "bool" }, d0 = { "num", -1 }, growth_rate = { "num", -1 } },
  adafactor = { lr = { "num", -1 }, clip_threshold = { "num", 0 }, decay_rate = { "num", 0.5 },
    beta1 = { "num", 1 }, weight_decay = { "num", -1 }, scale_parameter = { "bool" },
    relative_step = { "bool" }, warmup_init = { "bool" } },
  lamb = { lr = { "num", -1 }, eps = { "num", -1 }, weight_decay = { "num", -1 }, bias_correction = { "bool" } },
  lars = { lr = { "num", -1 }, momentum = { "num", 1 }, weight_decay = { "num", -1 },
    trust_coefficient = { "num", 0 }, eps = { "num", -1 } },
}

local function bad(fn, fname, opt)
  local ok, err = pcall(fn)
  check.truthy(not ok, fname .. ": " .. opt .. " accepted")
  err = tostring(err)
  check.truthy(err:find(fname, 1, true), "names the function: " .. err)
  check.truthy(err:find(opt, 1, true), "names the option " .. opt .. ": " .. err)
  check.truthy(not err:find("attempt to", 1, true), err)
  check.truthy(not err:find("-nan", 1, true), err)
end

describe("i16-rest optimizers: each hyperparameter misused", function()
  for name, opts in pairs(SPEC) do
    it(name .. ": wrong type, NaN, out of range, in the constructor and as a field", function()
      local fname = "slope.optim." .. name
      for opt, s in pairs(opts) do
        local kind, out = s[1], s[2]
        if kind == "bool" then
          bad(function() O[name]{ [opt] = 1 } end, fname, opt)
          bad(function() O[name]{ [opt] = "yes" } end, fname, opt)
          bad(function() O[name]{}[opt] = 0 end, fname, opt)
        else
          bad(function() O[name]{ [opt] = "0.1" } end, fname, opt)
          bad(function() O[name]{ [opt] = true } end, fname, opt)
          bad(function() O[name]{ [opt] = NAN } end, fname, opt)
          bad(function() O[name]{ [opt] = out } end, fname, opt)
          bad(function() O[name]{}[opt] = NAN end, fname, opt)
          bad(function() O[name]{}[opt] = out end, fname, opt)
          bad(function() O[name]{}[opt] = {} end, fname, opt)
          if opt ~= "growth_rate" then bad(function() O[name]{ [opt] = 1 / 0 } end, fname, opt) end
        end
      end
      bad(function() O[name]{ learning_rate = 1 } end, fname, "learning_rate")
      bad(function() O[name]{ 0.1 } end, fname, "lr")
    end)
  end

  it("pair options: betas, etas, step_sizes, eps of adafactor", function()
    for _, name in ipairs{ "sf_adamw", "prodigy", "dadapt_adam", "lamb" } do
      local fname = "slope.optim." .. name
      bad(function() O[name]{ betas = 0.9 } end, fname, "betas")
      bad(function() O[name]{ betas = { 0.9 } } end, fname, "betas")
      bad(function() O[name]{ betas = { 0.9, "x" } } end, fname, "betas[2]")
      bad(function() O[name]{ betas = { NAN, 0.9 } } end, fname, "betas[1]")
      bad(function() O[name]{ betas = { 0.9, 1 } } end, fname, "betas[2]")
    end
    bad(function() O.sf_adamw{ betas = { 0, 0.9 } } end, "slope.optim.sf_adamw", "betas[1]")
    bad(function() O.sf_sgd{ momentum = 0 } end, "slope.optim.sf_sgd", "momentum")
    local sfa = O.sf_adamw{}
    sfa:step(slope.vec{ 1, 2 }, slope.vec{ 1, 1 })
    bad(function() sfa.inner_momentum = 0.5 end, "slope.optim.sf_adamw", "inner_momentum")
    local R = "slope.optim.rprop"
    bad(function() O.rprop{ etas = 0.5 } end, R, "etas")
    bad(function() O.rprop{ etas = { 0.5 } } end, R, "etas")
    bad(function() O.rprop{ etas = { "a", 1.2 } } end, R, "etas[1]")
    bad(function() O.rprop{ etas = { NAN, 1.2 } } end, R, "etas")
    bad(function() O.rprop{ etas = { 0, 1.2 } } end, R, "etaminus")
    bad(function() O.rprop{ etas = { 1.5, 1.2 } } end, R, "etaminus")
    bad(function() O.rprop{ etas = { 0.5, 1 } } end, R, "etaplus")
    bad(function() O.rprop{ etas = { 0.5, NAN } } end, R, "etaplus")
    bad(function() O.rprop{ step_sizes = { 1, 0.5 } } end, R, "step_size_min")
    bad(function() O.rprop{ step_sizes = { -1, 0.5 } } end, R, "step_size_min")
    bad(function() O.rprop{ step_sizes = { 1e-6, 1 / 0 } } end, R, "step_size_max")
    bad(function() O.rprop{ step_sizes = "big" } end, R, "step_sizes")
    bad(function() O.rprop{}.etaminus = 2 end, R, "etaminus")
    bad(function() O.rprop{}.step_size_max = 1e-9 end, R, "step_size_min")
    local F = "slope.optim.adafactor"
    bad(function() O.adafactor{ eps = 1e-30 } end, F, "eps")
    bad(function() O.adafactor{ eps = { 1e-30, -1 } } end, F, "eps2")
    bad(function() O.adafactor{ eps = { NAN, 1e-3 } } end, F, "eps1")
    bad(function() O.adafactor{ eps = { 1e-30, "x" } } end, F, "eps[2]")
    bad(function() O.adafactor{ betas = { 0.9, 0.99 } } end, F, "betas")
    bad(function() O.prodigy{ beta3 = -0.5 } end, "slope.optim.prodigy", "beta3")
  end)

  it("layers: wrong type, not covering x, on a rule without layers", function()
    local L = { { name = "W", offset = 1, size = 6, shape = { 2, 3 } } }
    for _, name in ipairs{ "adafactor", "lamb", "lars" } do
      local fname = "slope.optim." .. name
      bad(function() O[name]{ layers = 3 } end, fname, "layers")
      bad(function() O[name]{ layers = { { offset = 1, size = 6, shape = { 2, 2 } } } } end, fname, "layers")
      local opt = O[name]{ layers = L }
      bad(function() opt:step(slope.vec.zeros(8), slope.vec.zeros(8)) end, "slope.optim.step", "layers")
    end
    bad(function() O.sf_sgd{ layers = L } end, "slope.optim.sf_sgd", "layers")
  end)

  it("eval_x, averaged and load are checked", function()
    local s = O.sf_sgd{}
    bad(function() s:eval_x() end, "eval_x", "vec")
    s:step(slope.vec{ 1, 2 }, slope.vec{ 1, 1 })
    check.errors(function() s:eval_x(slope.vec{ 1, 2, 3 }) end, "x")
    check.errors(function() s:eval_x(slope.vec{ 1, 2 }, slope.vec{ 1 }) end, "out")
    check.errors(function() O.lamb{}:eval_x(slope.vec{ 1 }) end, "slope.optim.eval_x: lamb is not schedule-free")
    check.errors(function() O.asgd{}:averaged() end, "slope.optim.averaged: no iterate averaged yet")
    check.errors(function() O.prodigy{}:averaged() end, "prodigy keeps no average")
    local p = O.prodigy{}
    p:step(slope.vec{ 1, 2 }, slope.vec{ 1, 1 })
    local st = p:state()
    check.errors(function() O.dadapt_adam{}:load(st) end, "state is from prodigy, this optimizer is dadapt_adam")
    st.d = "big"
    check.errors(function() O.prodigy{}:load(st) end, "state.d must be a number")
    local a = O.adafactor{ layers = { { offset = 1, size = 2, shape = { 1, 2 } } } }
    a:step(slope.vec{ 1, 2 }, slope.vec{ 1, 1 })
    local sa = a:state()
    check.eq(#sa.exp_avg_sq, 3)
    sa.exp_avg_sq = slope.vec{ 1, 2 }
    check.errors(function() O.adafactor{ layers = { { offset = 1, size = 2, shape = { 1, 2 } } } }:load(sa) end,
      "state.exp_avg_sq must be a vec of 3 entries")
  end)
end)
