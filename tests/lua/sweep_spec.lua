-- sweep_spec.lua — slope.sweep without mpirun: the grid's runs in order (the last
-- key fastest), one row per run with the returned fields, errors kept in their
-- row, CSV and plot files, rows sent between processes bit for bit, and procs = N
-- worker processes that re-run a script and give the same rows as one process.

local S = slope._sweep
local tmp = os.tmpname()
os.remove(tmp)
os.execute("mkdir -p " .. tmp)

local function read(p)
  local fh = io.open(p, "rb")
  if not fh then return nil end
  local s = fh:read("a")
  fh:close()
  return s
end

describe("slope.sweep in one process", function()
  it("runs every combination in grid order, the last key varying fastest", function()
    local seen = {}
    local rows = slope.sweep{ grid = { lr = { 0.1, 0.01 }, batch = { 8, 32, 128 } }, quiet = true,
      run = function(cfg, i)
        seen[#seen + 1] = i
        return { loss = cfg.lr * cfg.batch, tag = ("%g/%d"):format(cfg.lr, cfg.batch) }
      end }
    check.eq(#rows, 6)
    check.eq(table.concat(seen, ","), "1,2,3,4,5,6")
    local want = { { 8, 0.1 }, { 8, 0.01 }, { 32, 0.1 }, { 32, 0.01 }, { 128, 0.1 }, { 128, 0.01 } }
    for i, w in ipairs(want) do
      check.eq(rows[i].batch, w[1], "row " .. i .. " batch")
      check.eq(rows[i].lr, w[2], "row " .. i .. " lr")
      check.eq(rows[i].loss, w[1] * w[2], "row " .. i .. " loss")
      check.eq(rows[i].tag, ("%g/%d"):format(w[2], w[1]))
      check.truthy(rows[i].time >= 0)
    end
    check.eq(table.concat(rows.columns, ","), "batch,lr,loss,tag,time")
  end)

  it("follows order when given, and copies cfg for each run", function()
    local rows = slope.sweep{ grid = { a = { 1, 2 }, b = { "x", "y" } }, order = { "b", "a" }, quiet = true,
      run = function(cfg) cfg.a = 99; return cfg.b .. cfg.a end }
    check.eq(rows[1].b, "x"); check.eq(rows[1].a, 1)
    check.eq(rows[2].b, "x"); check.eq(rows[2].a, 2)
    check.eq(rows[3].b, "y"); check.eq(rows[1].error, "run returned \"x99\" (expected a table of result fields or a number)")
    check.errors(function()
      slope.sweep{ grid = { a = { 1 }, b = { 2 } }, order = { "a" }, run = function() end }
    end, "slope.sweep: order lacks the grid key 'b'")
    check.errors(function()
      slope.sweep{ grid = { a = { 1 } }, order = { "a", "c" }, run = function() end }
    end, "order names 'c', which is not a grid key")
  end)

  it("keeps a failed run's message in its row and goes on", function()
    local rows = slope.sweep{ grid = { k = { 1, 2, 3, 4 } }, quiet = true, run = function(cfg)
      if cfg.k == 2 then error("diverged at k = 2") end
      if cfg.k == 3 then return { k = 5 } end
      if cfg.k == 4 then return { v = slope.vec{ 1 } } end
      return cfg.k * 1.5
    end }
    check.eq(#rows, 4)
    check.eq(rows[1].loss, 1.5)
    check.truthy(rows[2].error:find("diverged at k = 2", 1, true), rows[2].error)
    check.eq(rows[2].loss, nil)
    check.truthy(rows[3].error:find("the field 'k', which is a grid key", 1, true), rows[3].error)
    check.truthy(rows[4].error:find("fields are numbers, strings or booleans", 1, true), rows[4].error)
    check.eq(rows.columns[#rows.columns - 1], "error")
  end)

  it("writes the rows as CSV that reads back to the same numbers", function()
    local csv = tmp .. "/sub/rows.csv"
    slope.sweep{ grid = { lr = { 0.1, 1 / 3 }, name = { "a,b", 'q"t' } }, csv = csv, quiet = true,
      run = function(cfg) return { loss = cfg.lr / 7, ok = true } end }
    local text = read(csv)
    check.truthy(text, "the CSV was written (its folder made)")
    local lines = {}
    for l in text:gmatch("[^\n]+") do lines[#lines + 1] = l end
    check.eq(#lines, 5)
    check.eq(lines[1], "lr,name,loss,ok,time")
    check.eq(lines[2]:match("^[^,]+"), "0.10000000000000001")
    check.truthy(lines[2]:find(',"a,b",', 1, true), lines[2])
    check.truthy(lines[3]:find(',"q""t",', 1, true), lines[3])
    local lr, loss = lines[4]:match("^([^,]+),[^,]+,[^,]+,([^,]+),true,")
    check.eq(tonumber(lr), 1 / 3)
    check.eq(tonumber(loss), 1 / 3 / 7, "exact round trip")
  end)

  it("draws the final loss over lr with one line per batch, the mean over seeds", function()
    local svg = tmp .. "/grid.svg"
    local rows = slope.sweep{ grid = { lr = { 1e-3, 1e-2, 1e-1 }, batch = { 16, 64 }, seed = { 1, 2 } },
      plot = { file = svg, vlines = { { x = 1e-2, label = "chosen" } } }, quiet = true,
      run = function(cfg) return { loss = cfg.lr * cfg.batch + cfg.seed } end }
    check.eq(#rows, 12)
    local text = read(svg)
    check.truthy(text and text:find("<svg", 1, true), "an SVG")
    check.truthy(text:find("batch = 16", 1, true) and text:find("batch = 64", 1, true), "one line per batch")
    check.truthy(text:find("mean over seed", 1, true), "the title says seeds are averaged")
    check.truthy(text:find("chosen", 1, true), "the marker")
    check.errors(function()
      slope.sweep{ grid = { lr = { 1 } }, plot = { file = svg, x = "batch" }, quiet = true, run = function() return 1 end }
    end, "plot.x = 'batch' is not a grid key")
    check.errors(function()
      slope.sweep{ grid = { lr = { 1 } }, plot = svg, quiet = true, run = function() error("no") end }
    end, "the runs returned no numeric field to draw")
  end)

  it("sends rows between processes bit for bit", function()
    local rows = { { a = 0.1, b = -0.0, c = 0 / 0, d = math.huge, e = -math.huge, f = "line\nF 3 x n 1 1\n", g = true,
      h = false, i = math.mininteger, j = 5e-324 }, [3] = { z = "" } }
    local back = S.decode(S.encode(rows), "test")
    check.eq(back[1].a, 0.1)
    check.eq(1 / back[1].b, -math.huge, "-0.0 kept")
    check.truthy(back[1].c ~= back[1].c)
    check.eq(back[1].d, math.huge); check.eq(back[1].e, -math.huge)
    check.eq(back[1].f, rows[1].f); check.eq(back[1].g, true); check.eq(back[1].h, false)
    check.eq(math.type(back[1].i), "integer"); check.eq(back[1].i, math.mininteger)
    check.eq(back[1].j, 5e-324)
    check.eq(back[2], nil); check.eq(back[3].z, "")
    check.errors(function() S.decode("R 1\nF 9 x", "bad") end, "bad: malformed rows")
  end)
end)

-- the interpreter running this spec, to run scripts with (build/slope, or lua5.4 with LUA_CPATH set)
local interp
local lo = -1
while arg[lo - 1] do lo = lo - 1 end
local cmd = {}
for i = lo, -1 do cmd[#cmd + 1] = "'" .. arg[i] .. "'" end
interp = table.concat(cmd, " ")

local function script(name, body)
  local p = tmp .. "/" .. name .. ".lua"
  local fh = assert(io.open(p, "w"))
  fh:write('local slope = rawget(_G, "slope") or require("slope")\n', body)
  fh:close()
  return p
end

local function run(p, args)
  local fh = io.popen(("%s %s %s 2>%s/stderr"):format(interp, p, args or "", tmp))
  local out = fh:read("a")
  local ok, _, code = fh:close()
  return out, ok and 0 or code, read(tmp .. "/stderr")
end

describe("slope.sweep with procs = N (worker processes re-run the script)", function()
  local body = [[
print("before the sweep")
local first = slope.sweep{ grid = { s = { 1, 2 } }, quiet = true, run = function(c) return c.s * 10 end }
local procs = tonumber(arg[1])
local rows = slope.sweep{ grid = { lr = { 0.5, 0.25, 0.125 }, batch = { 2, 4, 8 } }, procs = procs, quiet = true,
  csv = arg[2],
  run = function(cfg, i)
    print("run " .. i)
    local f = slope.obj.rosenbrock(2)
    local x = slope.vec{ -1.2, 1 }
    local r = slope.train{ objective = f, optimizer = slope.optim.adam{ lr = cfg.lr / 10 }, x = x,
      steps = 20 * cfg.batch, quiet = true }
    if cfg.batch == 8 and cfg.lr == 0.25 then error("run " .. i .. " failed on purpose") end
    return { loss = f:value(r.x), x1 = r.x[1], pid = slope.threads() }
  end }
io.write("first ", first[1].loss, " ", first[2].loss, "\n")
for i, r in ipairs(rows) do
  io.write(("%d %s %s %a %s\n"):format(i, r.lr, r.batch, r.loss or -1, r.error or ""))
end
print("after the sweep")
]]
  local p = script("grid", body)

  it("gives the same rows as one process, prints the script's own output once", function()
    local one, c1, e1 = run(p, "1 " .. tmp .. "/one.csv")
    check.eq(c1, 0, e1)
    local three, c3, e3 = run(p, "3 " .. tmp .. "/three.csv")
    check.eq(c3, 0, e3)
    local function rows_of(out)
      local t = {}
      for l in out:gmatch("[^\n]+") do if l:match("^%d ") or l:match("^first") then t[#t + 1] = l end end
      return table.concat(t, "\n")
    end
    check.eq(rows_of(three), rows_of(one))
    check.truthy(rows_of(one):find("failed on purpose", 1, true), "the failed run's row")
    local _, nbefore = three:gsub("before the sweep", "")
    local _, nafter = three:gsub("after the sweep", "")
    check.eq(nbefore, 1, three)
    check.eq(nafter, 1, three)
    for i = 1, 9 do
      local _, k = three:gsub("\nrun " .. i .. "\n", "")
      check.eq(k, 1, "run " .. i .. " printed once: " .. three)
    end
    -- one worker's threads: OMP_NUM_THREADS split between the processes
    check.truthy(read(tmp .. "/three.csv"):find("pid", 1, true))
  end)

  it("says so when a worker builds another grid", function()
    local q = script("random", [[
local n = tonumber(os.getenv("SLOPE_SWEEP_WORKER") and 3 or 2)
slope.sweep{ grid = { k = { 1, 2, n } }, procs = 2, quiet = true, run = function(c) return c.k end }
]])
    local _, code, err = run(q)
    check.truthy(code ~= 0, "refused")
    check.truthy(err:find("slope.sweep: worker 1 of 1", 1, true), err)
    check.truthy(err:find("built another grid", 1, true), err)
  end)

  it("runs in this process when there is no script to re-run (-e)", function()
    local fh = io.popen(interp .. [[ -e 'local slope = rawget(_G, "slope") or require("slope")
      local r = slope.sweep{grid = {k = {1, 2, 3}}, procs = 3, run = function(c) return c.k end}
      print(#r, r[3].loss)' 2>&1]])
    local out = fh:read("a")
    fh:close()
    check.truthy(out:find("needs a script file", 1, true), out)
    check.truthy(out:find("3\t3", 1, true), out)
  end)
end)

describe("slope.sweep misuse", function()
  local BAD = { 3, "s", true, {}, function() end, slope.vec{ 1 }, 0 / 0 }
  local good = { grid = { a = { 1 } }, run = function() return 1 end, quiet = true }
  local VALID = { grid = {}, run = { ["function"] = true }, order = {}, procs = { number = true },
    csv = { string = true }, plot = { string = true }, quiet = { boolean = true } }
  for option in pairs(VALID) do
    it(option .. ": every wrong type is refused by name", function()
      for _, v in ipairs(BAD) do
        local kind = type(v) == "number" and "number" or type(v)
        if not VALID[option][kind] and not (option == "order" and type(v) == "table" and next(v) == nil) then
          local o = {}
          for k, w in pairs(good) do o[k] = w end
          o[option] = v
          local ok, err = pcall(slope.sweep, o)
          err = tostring(err)
          check.truthy(not ok, option .. " = " .. tostring(v) .. " accepted")
          check.truthy(err:find("slope.sweep", 1, true) and err:find(option, 1, true), err)
          check.truthy(not err:find("attempt to", 1, true), err)
        end
      end
    end)
  end
  it("refuses bad grids, procs and plot fields by name", function()
    check.errors(function() slope.sweep{ grid = { a = {} }, run = print } end, "grid.a is a table; expected a non-empty list")
    check.errors(function() slope.sweep{ grid = { a = { 1, { 2 } } }, run = print } end, "grid.a[2]")
    check.errors(function() slope.sweep{ grid = { a = { 0 / 0 } }, run = print } end, "grid.a[1]")
    check.errors(function() slope.sweep{ grid = { [1] = { 1 } }, run = print } end, "names are strings")
    check.errors(function() slope.sweep{ grid = { a = { 1 } }, run = print, procs = 0 } end, "procs must be")
    check.errors(function() slope.sweep{ grid = { a = { 1 } }, run = print, plot = { x = "a" } } end,
      "plot.file is required")
    check.errors(function() slope.sweep{ grid = { a = { 1 } }, run = print, plot = { file = "p.svg", logx = 1 } } end,
      "plot.logx must be a boolean")
    check.errors(function() slope.sweep{ grid = { a = { 1 } }, run = print, nope = 1 } end, "unknown option 'nope'")
  end)
end)

os.execute("rm -rf " .. tmp)
