-- optim_errors_spec.lua — slope.optim: every error path of the constructors,
-- fields, steps, state loading and Lua-defined optimizers.

local O = slope.optim
local ls_X = {{1, 2}, {0.5, -1}, {2, 0.3}, {-1, 1}, {0.2, 0.4}}
local ls_y = {1, 0, 2, -1, 0.5}
local function lsq() return slope.spectrum.toy.least_squares(ls_X, ls_y) end

describe("slope.optim errors", function()
  it("bad hyperparameters name the function and the option", function()
    check.errors(function() O.adam{lr = -1} end, "slope.optim.adam: lr must be a non-negative number, got -1")
    check.errors(function() O.sgd{lr = 0 / 0} end, "slope.optim.sgd: lr must be a finite number, got")
    check.errors(function() O.adam{eps = 1 / 0} end, "slope.optim.adam: eps must be a finite number")
    check.errors(function() O.adam{betas = {0.9, 1}} end, "slope.optim.adam: betas[2] must be in [0, 1), got 1")
    check.errors(function() O.adam{betas = {-0.1, 0.5}} end, "betas[1] must be in [0, 1)")
    check.errors(function() O.adam{betas = {0 / 0, 0.5}} end, "betas[1] must be in [0, 1)")
    check.errors(function() O.adam{betas = 0.9} end, "betas must be a table of two numbers")
    check.errors(function() O.adam{betas = {0.9, "x"}} end, "betas[2] must be a number")
    check.errors(function() O.sgd{momentum = -0.5} end, "slope.optim.sgd: momentum must be a non-negative number")
    check.errors(function() O.sgd{nesterov = true} end, "slope.optim.sgd: nesterov requires momentum > 0 and dampening = 0")
    check.errors(function() O.sgd{nesterov = true, momentum = 0.9, dampening = 0.1} end, "nesterov requires")
    check.errors(function() O.sgd{dampening = 2} end, "dampening must be in [0, 1]")
    check.errors(function() O.sgd{nesterov = 1} end, "slope.optim.sgd: nesterov must be a boolean, got number")
    check.errors(function() O.sgd{lr = "big"} end, "slope.optim.sgd: lr must be a number, got string")
    check.errors(function() O.adam{learning_rate = 1} end, "slope.optim.adam: unknown option 'learning_rate'")
    check.errors(function() O.adam(5) end, "slope.optim.adam: options table expected, got number")
    check.errors(function() O.rmsprop{alpha = 1} end, "slope.optim.rmsprop: alpha must be in [0, 1)")
    check.errors(function() O.ftrl{alpha = 0} end, "slope.optim.ftrl: alpha must be a positive number")
    check.errors(function() O.accumulate{base = O.sgd{}, steps = 0} end, "steps must be an integer >= 1")
    check.errors(function() O.accumulate{base = O.sgd{}, steps = 1.5} end, "steps must be an integer >= 1")
    check.errors(function() O.average{base = O.sgd{}, kind = "mean"} end, "kind must be one of polyak, ema, swa, got mean")
    check.errors(function() O.lookahead{base = O.sgd{}, alpha = 1.5} end, "alpha must be in [0, 1]")
  end)

  it("wrappers need an optimizer base, f an objective", function()
    check.errors(function() O.clip{max_norm = 1} end, "slope.optim.clip: base must be an optimizer (slope.optim.*), got nil")
    check.errors(function() O.clip{base = {step = print}, max_norm = 1} end, "base must be an optimizer")
    check.errors(function() O.clip{base = O.sgd{}} end, "slope.optim.clip: give max_norm or max_value")
    check.errors(function() O.sam{base = O.sgd{}} end, "slope.optim.sam: f must be an objective (slope.obj.*), got nil")
    check.errors(function() O.svrg{f = 1} end, "slope.optim.svrg: f must be an objective")
    check.errors(function() O.saga{f = slope.spectrum.toy.ring(2)} end, "f must be a data objective with per-sample gradients")
    check.errors(function() O.saga{f = lsq(), rng = 3} end, "slope.optim.saga: rng must be a slope.rng")
  end)

  it("steps check x and g: types, dims, the dim fixed by the first step", function()
    local o = O.adam{}
    check.errors(function() o:step({1, 2}, slope.vec{1, 2}) end, "vec expected, got table")
    check.errors(function() o:step(slope.vec{1, 2}) end, "gradient vec expected")
    check.errors(function() o:step(slope.vec{1, 2}, slope.vec{1, 2, 3}) end, "dimension mismatch: g has 3 entries, expected 2")
    local x = slope.vec{1, 2}
    check.errors(function() o:step(x, x) end, "g must not be x")
    o:step(x, {0.5, 0.5}) -- a table is fine for g
    check.eq(o.dim, 2)
    check.errors(function() o:step(slope.vec{1, 2, 3}, slope.vec{1, 2, 3}) end, "dimension mismatch: x has 3 entries, expected 2")
    check.errors(function() O.step(5, x, x) end, "optimizer expected")
    local base = O.sgd{}
    base:step(slope.vec{1}, slope.vec{1})
    check.errors(function() O.clip{base = base, max_norm = 1}:step(slope.vec{1, 2}, slope.vec{1, 2}) end,
                 "x has 2 entries, but sgd was started with 1")
    check.errors(function() O.svrg{f = lsq()}:step(slope.vec{1, 2, 3}) end, "but the objective has dim 2")
    check.errors(function() O.sam{base = O.sgd{}, f = lsq()}:step(slope.vec{1}) end, "but the objective has dim 2")
  end)

  it("fields: read-only t, unknown fields, tostring", function()
    local o = O.adam{lr = 0.1}
    check.errors(function() o.t = 3 end, "slope.optim.adam: cannot set field 't'")
    check.errors(function() o.foo = 3 end, "cannot set field 'foo'")
    check.errors(function() o.lr = "x" end, "slope.optim.adam: lr must be a number")
    check.errors(function() o.beta1 = 2 end, "slope.optim.adam: beta1 must be in [0, 1), got 2")
    o.betas = {0.5, 0.6}; check.eq(o.beta1, 0.5); check.eq(o.betas[2], 0.6)
    check.eq(o.foo, nil)
    check.eq(tostring(o), "optimizer adam (lr 0.1, t 0)")
    check.eq(o.name, "adam")
  end)

  it("every constructor and method has help", function()
    for k, v in pairs(O) do
      if type(v) == "function" then check.truthy(slope._helpdb[v], "no help for slope.optim." .. k) end
    end
  end)
end)
