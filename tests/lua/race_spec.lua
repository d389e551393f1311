-- race_spec.lua — examples/rosenbrock_race.lua prints what its update rules really
-- give: checked against an independent numpy run of the same rules
-- (scripts/reference/rosenbrock_race.py -> tests/data/rosenbrock_race.txt).
describe("examples/rosenbrock_race.lua", function()
  it("matches the numpy reference of the same rules", function()
    local ref = {}
    for line in io.lines("tests/data/rosenbrock_race.txt") do
      local name, t, x1, x2, loss = line:match("^(%S+) (%d+) (%S+) (%S+) (%S+)$")
      ref[name .. t] = { tonumber(x1), tonumber(x2), tonumber(loss) }
    end
    local results = dofile("examples/rosenbrock_race.lua")
    check.eq(#results, 4)
    for _, r in ipairs(results) do
      -- after 200 steps every walk agrees to rounding: the rules are the same
      local e = ref[r.name .. "200"]
      check.near(r.x200[1], e[1], 1e-12, r.name .. " x1 at step 200")
      check.near(r.x200[2], e[2], 1e-12, r.name .. " x2 at step 200")
      -- after 5000: GD and momentum contract, so they still agree to ~1e-12;
      -- RMSProp's and Adam's near-sign steps amplify last-bit differences
      local e5 = ref[r.name .. "5000"]
      local tight = r.name == "GD" or r.name == "momentum"
      check.near(r.x1, e5[1], tight and 1e-11 or 1e-4, r.name .. " x1")
      check.near(r.x2, e5[2], tight and 1e-11 or 1e-4, r.name .. " x2")
      if tight then
        check.near(r.loss, e5[3], 1e-8, r.name .. " loss")
      else
        check.truthy(r.loss / e5[3] < 10 and e5[3] / r.loss < 10, r.name .. " loss of the same size")
      end
    end
  end)
end)
