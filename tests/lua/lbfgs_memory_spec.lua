-- lbfgs_memory_spec.lua — L-BFGS (and OWL-QN, its orthant-wise form) keeps its pairs
-- intact when it skips an update: with the memory full, the slot the next pair would
-- go to still holds the oldest pair, so a pair that fails the curvature test must not
-- be written there (it was, leaving the old rho with a new s and y).

describe("lbfgs memory", function()
  local function check_skips(opts)
    local f = slope.obj.lua{dim = 2, fg = function(x, g)
      local v = 0
      for i = 1, 2 do
        v = v - x[i] ^ 2 + 0.1 * x[i] ^ 4 + 0.3 * math.sin(3 * x[i])
        g[i] = -2 * x[i] + 0.4 * x[i] ^ 3 + 0.9 * math.cos(3 * x[i])
      end
      return v
    end}
    local rng, seen = slope.rng(1), 0
    for _ = 1, 50 do
      local s = slope.solver(f, slope.vec{rng:normal(0, 2), rng:normal(0, 2)}, opts)
      for _ = 1, 40 do
        local before = s:state()
        local ok, info = pcall(s.step, s)
        if not ok then break end
        if info.skipped and #before.s == 1 then
          seen = seen + 1
          local after = s:state()
          check.veq(after.s[1], before.s[1], 0, "s kept"); check.veq(after.y[1], before.y[1], 0, "y kept")
          check.eq(after.rho[1], before.rho[1], "rho kept")
        end
      end
    end
    check.truthy(seen > 0, opts.method .. ": no skipped update with a full memory was seen")
  end

  it("lbfgs: a skipped update leaves every stored pair as it was", function()
    check_skips{method = "lbfgs", m = 1, linesearch = "armijo"}
  end)
  it("owlqn: the same", function() check_skips{method = "owlqn", m = 1, l1 = 1e-3} end)
end)
