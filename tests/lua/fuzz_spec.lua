-- fuzz_spec.lua — every function reachable from slope.* called with garbage:
-- wrong types, NaN, Inf, negative and huge sizes, mismatched vectors, objects
-- of the wrong kind. Each call must return or raise a Lua error; a crash (or,
-- under `make asan`, a sanitizer report) fails the whole run. Seeded: the same
-- calls every time.

local function collect()
  local funcs, seen = {}, {}
  local function walk(t, prefix, depth)
    if depth > 3 or seen[t] then return end
    seen[t] = true
    for k, v in pairs(t) do
      if type(k) == "string" and k:sub(1, 1) ~= "_" then
        if type(v) == "function" then funcs[#funcs + 1] = { prefix .. k, v }
        elseif type(v) == "table" then walk(v, prefix .. k .. ".", depth + 1) end
      end
    end
  end
  walk(slope, "slope.", 0)
  table.sort(funcs, function(a, b) return a[1] < b[1] end)
  return funcs
end

-- functions whose garbage calls would change the process (threads) or print
local SKIP = { ["slope.threads"] = true, ["slope.help"] = true }
SKIP["slope.mpi.abort"] = true -- ends the process (by design)

describe("garbage arguments", function()
  it("every slope function raises a Lua error or returns, never crashes", function()
    local objects = {
      slope.vec{ 1, 2 }, slope.vec{ 1, 2, 3 }, slope.vec.zeros(0), slope.mat{ { 1, 2 }, { 3, 4 } },
      slope.mat.zeros(0, 3), slope.csr{ rows = 2, cols = 2, i = { 1 }, j = { 2 }, v = { 1 } },
      slope.rng(1), slope.obj.rosenbrock(2),
      slope.obj.logistic{ X = slope.mat{ { 1, 2 }, { 3, 4 } }, y = slope.vec{ 0, 1 } },
      slope.optim.adam{ lr = 0.1 }, slope.schedule.cosine{ lr = 0.1, steps = 10 },
      slope.linesearch.armijo{}, slope.solver(slope.obj.rosenbrock(2), { 1, 2 }),
      slope.schedule.plateau{ lr = 0.1 },
    }
    -- strings that name files point into a scratch directory: writers (save_npy,
    -- checkpoint.save, plot.*) must not litter the working tree
    local dir = os.tmpname()
    os.remove(dir)
    os.execute("mkdir -p " .. dir)
    local junk = { 0, -1, 1, 2.5, 0 / 0, math.huge, -math.huge, 1e12, dir .. "/f", dir .. "/no/such/f", "",
      {}, { 1, 2 }, { lr = -1 }, { x = 1 }, { file = dir .. "/p.svg" }, { { 1 }, { 2, 3 } },
      function() end, function() error("callback fails") end, true, false }
    local rnd = slope.rng(20261123)
    local calls, errors = 0, 0
    -- messages that leak internals: Lua's own "attempt to ...", C's "-nan", an
    -- argument error that cannot name its function. A junk callback's own error
    -- (function() error("callback fails") end) is the user's, and fine.
    local bad = {}
    local function note_bad(name, err, method)
      err = tostring(err)
      -- (a method called through pcall has no name at the call site: '?' is Lua's)
      if err:find("attempt to", 1, true) or err:find("-nan", 1, true) or (not method and err:find("to '?'", 1, true)) then
        bad[#bad + 1] = name .. ": " .. err
      end
    end
    local out = io.output()
    for _, fe in ipairs(collect()) do
      local name, fn = fe[1], fe[2]
      if not SKIP[name] then
        for _ = 1, 40 do
          local nargs = rnd:int(0, 4)
          local args = {}
          for i = 1, nargs do
            if rnd:uniform() < 0.45 then args[i] = objects[rnd:int(1, #objects)]
            elseif rnd:uniform() < 0.1 then args[i] = nil
            else args[i] = junk[rnd:int(1, #junk)] end
          end
          local ok, err = pcall(fn, table.unpack(args, 1, nargs))
          calls = calls + 1
          if not ok then
            errors = errors + 1
            note_bad(name, err)
          end
        end
      end
    end
    -- the methods of every object, called with garbage too
    for _, o in ipairs(objects) do
      local mt = getmetatable(o)
      local methods = mt and (rawget(mt, "__methods") or (type(rawget(mt, "__index")) == "table" and mt.__index))
      if type(methods) == "table" then
        local names = {}
        for k, fn in pairs(methods) do if type(fn) == "function" and k ~= "close" then names[#names + 1] = k end end
        table.sort(names)
        for _, k in ipairs(names) do
          for _ = 1, 20 do
            local nargs = rnd:int(0, 3)
            local args = { o }
            for i = 2, nargs + 1 do
              if rnd:uniform() < 0.45 then args[i] = objects[rnd:int(1, #objects)]
              else args[i] = junk[rnd:int(1, #junk)] end
            end
            local ok, err = pcall(methods[k], table.unpack(args, 1, nargs + 1))
            calls = calls + 1
            if not ok then errors = errors + 1; note_bad(mt.__name .. ":" .. k, err, true) end
          end
        end
      end
    end
    io.output(out)
    os.execute("rm -rf " .. dir)
    check.truthy(calls > 5000, "calls made: " .. calls)
    check.truthy(errors > calls / 2, "most garbage calls are refused with an error")
    check.truthy(#bad == 0, #bad .. " messages leak internals:\n" .. table.concat(bad, "\n", 1, math.min(#bad, 20)))
  end)
end)
