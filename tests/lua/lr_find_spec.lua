-- lr_find_spec.lua — slope.lr_find with hand-written objectives and optimizers
-- (duck typing: any object with f:fg(x, g), opt.lr and opt:step(x, g)).

-- f(x) = 1/2 sum a_i x_i^2; plain gradient descent diverges for lr > 2/max(a).
local function quad(a)
  return {
    calls = 0,
    fg = function(self, x, g)
      self.calls = self.calls + 1
      local f = 0
      for i = 1, #x do
        f = f + 0.5 * a[i] * x[i] ^ 2
        g[i] = a[i] * x[i]
      end
      return f, g
    end,
  }
end

local function sgd(lr)
  return { lr = lr, nsteps = 0, step = function(self, x, g) self.nsteps = self.nsteps + 1; x:axpy(-self.lr, g) end }
end

describe("slope.lr_find", function()
  it("sweeps lr geometrically and stops when the loss blows up", function()
    local f = quad{1.3, 0.17} -- not round: x = 0 is a fixed point an exact lr*a = 1 would hit
    local x0 = slope.vec{1, -1}
    local res = slope.lr_find(f, x0, sgd, {min_lr = 1e-4, max_lr = 100, steps = 61})
    check.near(res.lr[1], 1e-4)
    check.near(res.lr[2] / res.lr[1], 10 ^ (6 / 60), 1e-12)
    check.truthy(res.stopped_at, "diverges for lr > 2/1.3")
    check.eq(#res.lr, res.stopped_at); check.eq(#res.loss, res.stopped_at); check.eq(#res.smoothed, res.stopped_at)
    check.truthy(res.lr[res.stopped_at] > 2 / 1.3, "stops past the stability limit, at " .. res.lr[res.stopped_at])
    check.truthy(res.suggestion > 1e-3 and res.suggestion < 2 / 1.3, "suggestion " .. tostring(res.suggestion))
    check.veq(x0, {1, -1}) -- x0 is not modified
    check.near(res.loss[1], 0.735) -- f(x0)
  end)

  it("smooths with a bias-corrected EMA", function()
    local res = slope.lr_find(quad{1}, {1}, sgd(1), {min_lr = 1e-3, max_lr = 1e-2, steps = 5, smooth = 0.5})
    check.eq(res.stopped_at, nil)
    local avg = 0
    for i = 1, 5 do
      avg = 0.5 * avg + 0.5 * res.loss[i]
      check.near(res.smoothed[i], avg / (1 - 0.5 ^ i), 1e-15)
    end
    check.near(res.lr[5], 1e-2, 1e-14)
    -- the largest rate descends fastest on this convex quadratic
    check.near(res.suggestion, 1e-2, 1e-14)
  end)

  it("accepts an optimizer object and sets its lr each step", function()
    local opt = sgd(123)
    local res = slope.lr_find(quad{1}, slope.vec{2}, opt, {min_lr = 1e-3, max_lr = 1e-1, steps = 10})
    check.eq(opt.nsteps, 10)
    check.near(opt.lr, 1e-1, 1e-14)
    check.eq(#res.lr, 10)
  end)

  it("draws minibatches from a data objective", function()
    local seen = {}
    local data = {
      n = 10,
      fg = function() error("full batch should not be used") end,
      batch = function(self, idx)
        check.eq(#idx, 3)
        local distinct = {}
        for _, i in ipairs(idx) do
          check.truthy(i >= 1 and i <= 10 and not distinct[i]); distinct[i] = true; seen[i] = true
        end
        return quad{1}
      end,
    }
    local res = slope.lr_find(data, {1}, sgd, {steps = 20, max_lr = 0.1, batch = 3, rng = slope.rng(7)})
    check.eq(#res.lr, 20)
    local k = 0
    for _ in pairs(seen) do k = k + 1 end
    check.truthy(k > 3, "different batches")
  end)

  it("stops at a NaN loss", function()
    local f = { fg = function(self, x, g) g[1] = 1; return x[1] < -5 and 0 / 0 or 1 end }
    local res = slope.lr_find(f, {0}, sgd, {min_lr = 1, max_lr = 10, steps = 50})
    check.truthy(res.stopped_at and res.stopped_at < 50)
    local last = res.loss[#res.loss]
    check.truthy(last ~= last)
  end)

  it("rejects bad arguments", function()
    local f = quad{1}
    check.errors(function() slope.lr_find(f, {1}, sgd, {min_lr = 0}) end, "slope.lr_find: min_lr must be a positive number")
    check.errors(function() slope.lr_find(f, {1}, sgd, {min_lr = 1, max_lr = 0.5}) end, "max_lr must be a number > min_lr")
    check.errors(function() slope.lr_find(f, {1}, sgd, {steps = 1}) end, "steps must be an integer >= 2")
    check.errors(function() slope.lr_find(f, {1}, sgd, {steps = 0 / 0}) end, "steps must be an integer >= 2")
    check.errors(function() slope.lr_find(f, {1}, sgd, {smooth = 1}) end, "smooth must be a number in [0, 1)")
    check.errors(function() slope.lr_find(f, {1}, sgd, {stop_factor = 1}) end, "stop_factor must be a number > 1")
    check.errors(function() slope.lr_find(f, {1}, sgd, {lr_max = 1}) end, "unknown option 'lr_max'")
    check.errors(function() slope.lr_find(f, {1}, sgd, {batch = 4}) end, "batch needs a data objective")
    check.errors(function() slope.lr_find(f, {1}, sgd, 5) end, "options must be a table")
    check.errors(function() slope.lr_find({}, {1}, sgd) end, "slope.lr_find: f must be an objective")
    check.errors(function() slope.lr_find(f, "x", sgd) end, "x0 must be a vec")
    check.errors(function() slope.lr_find(f, {1}, 3) end, "make_opt must be an optimizer")
    check.errors(function() slope.lr_find({ fg = function() return "a" end }, {1}, sgd) end, "returned \"a\", expected a number")
  end)
end)
