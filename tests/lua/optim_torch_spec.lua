-- optim_torch_spec.lua — 200-step trajectories of slope.optim against
-- torch.optim in float64 (scripts/reference/torch_optim.py), to 1e-12 relative.
-- Skipped with a note (and not counted) when /usr/bin/python3 cannot import torch.

local PY = "/usr/bin/python3"
local A, B, C = {1.0, 10.0, 0.1}, {0.3, -0.2, 0.1}, 0.05

local function have_torch()
  local ok = os.execute(PY .. " -c 'import torch' >/dev/null 2>&1")
  return ok == true or ok == 0
end

if not have_torch() then
  print("NOTE optim_torch_spec: skipped (" .. PY .. " cannot import torch); not counted as passed")
  return
end

local p = assert(io.popen(PY .. " scripts/reference/torch_optim.py 200"))
local text = p:read("a")
p:close()

local configs = {}
for name, opts, traj in text:gmatch("CONFIG (%S+) ([^\n]+)\nTRAJ ([^\n]+)") do
  local t = {}
  for v in traj:gmatch("%S+") do t[#t + 1] = tonumber(v) end
  configs[#configs + 1] = {name = name, opts = opts, traj = t}
end
print(("NOTE optim_torch_spec: ran against torch (%d configurations)"):format(#configs))

describe("slope.optim vs torch.optim (float64, 200 steps)", function()
  it("the reference produced every configuration", function()
    check.truthy(#configs >= 20, "configurations parsed: " .. #configs)
  end)
  for _, c in ipairs(configs) do
    it(c.name .. " " .. c.opts, function()
      local opt = slope.optim[c.name](assert(load("return " .. c.opts))())
      local x, g = slope.vec{1.0, -2.0, 0.5}, slope.vec.zeros(3)
      local k, sign = 0, c.opts:find("maximize=true") and -1 or 1
      check.eq(#c.traj, 600, "trajectory length")
      for step = 1, 200 do
        for i = 1, 3 do g[i] = sign * (A[i] * x[i] + B[i] + C * x[i] ^ 3) end
        opt:step(x, g)
        for i = 1, 3 do
          k = k + 1
          check.near(x[i], c.traj[k], 1e-12, ("step %d, x[%d]"):format(step, i))
        end
      end
    end)
  end
end)
