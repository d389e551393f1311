-- sweep.lua — slope.sweep: a grid of independent runs (learning rates, batch
-- sizes, seeds, ...) spread over MPI ranks or local worker processes, one result
-- row per run gathered in grid order, written to CSV and drawn as a plot.
--
-- Where the runs go:
--   under mpirun (slope.mpi.size() > 1)  run i on rank (i - 1) % K; the rows are
--                                        gathered on rank 0 and broadcast, so every
--                                        rank returns the same table
--   procs = N > 1 without mpirun         N - 1 worker processes re-run the script
--                                        (the interpreter started afresh with the
--                                        same command line and SLOPE_SWEEP_WORKER
--                                        set); this process takes its share too
--   otherwise                            one run after another in this process
--
-- Why re-run the script rather than fork: a process that has used OpenMP
-- (libgomp) or OpenBLAS has worker threads that a forked child does not inherit,
-- and libgomp installs no fork handler, so the child's first parallel region can
-- hang. A worker exec'd afresh has no such state, holds its own thread pool and
-- needs nothing from this process but the command line: the script builds the
-- same grid, reaches the same slope.sweep call (earlier sweeps' results are read
-- from files, not run again), runs its share, writes its rows and exits.
local slope = ...
local A = slope._args
local FN = "slope.sweep"

local S = {}
slope._sweep = S

local function fail(fmt, ...) A.fail(FN, fmt, ...) end

-- grid = {name = {values...}, ...}: scalar values, at least one each
local scalar_types = { number = true, string = true, boolean = true }
local grid_type = { what = "a table of lists of values ({lr = {0.1, 0.01}, batch = {32, 128}})", check = function(v)
  if type(v) ~= "table" or getmetatable(v) ~= nil or next(v) == nil then return false end
  for k, list in pairs(v) do
    if type(k) ~= "string" then return false, nil, (" (key %s: names are strings)"):format(A.show(k)) end
    if type(list) ~= "table" or getmetatable(list) ~= nil or #list == 0 then
      return false, nil, (" (grid.%s is %s; expected a non-empty list)"):format(k, A.show(list))
    end
    for i, e in pairs(list) do
      if math.type(i) ~= "integer" or i < 1 or i > #list then
        return false, nil, (" (grid.%s is a table with keys; expected a list)"):format(k)
      end
      if not scalar_types[type(e)] or (type(e) == "number" and e ~= e) then
        return false, nil, (" (grid.%s[%d] is %s; values are numbers, strings or booleans)"):format(k, i, A.show(e))
      end
    end
  end
  return true, v
end }

local PLOT = A.spec(FN, {
  { "file", A.string, "the SVG file", nil, required = true },
  { "x", A.string, "grid key on the horizontal axis (default lr, else the first key with several values)" },
  { "y", A.string, "result field on the vertical axis (default loss, else the first numeric field)" },
  { "series", A.string, "grid key with one line per value (default: the next key with several values)" },
  { "logx", A.boolean, "logarithmic x axis (default: when the x values are positive and span 10x or more)" },
  { "logy", A.boolean, "logarithmic y axis (default: when the y values are positive and span 100x or more)" },
  { "title", A.string, "plot title" },
  { "vlines", A.table, "vertical markers {{x=, label=}, ...} (e.g. the critical batch size)" },
  { "hlines", A.table, "horizontal markers {{y=, label=}, ...}" },
})
local plot_type = { what = "a path (string) or a table {file, x, y, series, logx, logy, title, vlines, hlines}",
  spec = PLOT, check = function(v, _, key)
    if type(v) == "string" then return true, A.options(PLOT, { file = v }, key) end
    if type(v) ~= "table" or getmetatable(v) ~= nil then return false end
    return true, A.options(PLOT, v, key)
  end }

S.SPEC = A.spec(FN, {
  { "grid", grid_type, "the values of each setting; the runs are every combination (keys in order, the last "
    .. "varying fastest, as sklearn's ParameterGrid)", nil, required = true },
  { "run", A.func, "run(cfg, i) -> a table of result fields (numbers, strings, booleans), or a number (the loss); "
    .. "cfg holds one value per grid key, i is the run's index in grid order", nil, required = true },
  { "order", A.listof(A.string, "a list of the grid's keys"), "the grid's keys in order (default: sorted by name)" },
  { "procs", A.posint, "local processes without mpirun (workers re-run the script; under mpirun the ranks "
    .. "share the runs and this is ignored)", 1 },
  { "csv", A.string, "write the rows (grid keys, result fields, error, time) to this CSV file (rank 0 only)" },
  { "plot", plot_type, "draw y over x with one line per series value (other keys averaged; rank 0 only)" },
  { "quiet", A.boolean, "print nothing (no progress lines, no note of failed runs)", false },
})
A.registry[FN] = S.SPEC

-- the grid --------------------------------------------------------------------------

local function keys_of(o)
  local keys = {}
  if o.order then
    local seen = {}
    for _, k in ipairs(o.order) do
      if o.grid[k] == nil then fail("order names '%s', which is not a grid key", k) end
      if seen[k] then fail("order names '%s' twice", k) end
      seen[k] = true
      keys[#keys + 1] = k
    end
    for k in pairs(o.grid) do
      if not seen[k] then fail("order lacks the grid key '%s' (name every key, or leave order out)", k) end
    end
  else
    for k in pairs(o.grid) do keys[#keys + 1] = k end
    table.sort(keys)
  end
  return keys
end

-- every combination, the last key varying fastest
local function combinations(grid, keys)
  local runs = { {} }
  for _, k in ipairs(keys) do
    local out = {}
    for _, partial in ipairs(runs) do
      for _, v in ipairs(grid[k]) do
        local c = {}
        for kk, vv in pairs(partial) do c[kk] = vv end
        c[k] = v
        out[#out + 1] = c
      end
    end
    runs = out
  end
  return runs
end

-- one run -----------------------------------------------------------------------------

local function copy(t)
  local c = {}
  for k, v in pairs(t) do c[k] = v end
  return c
end

-- run i: its row (the grid values, the returned fields, error, time). A run that
-- raises records its message in row.error and the sweep goes on.
local function run_one(o, keys, cfg, i)
  local row = copy(cfg)
  local t0 = slope.clock()
  local ok, res = pcall(o.run, copy(cfg), i)
  row.time = slope.clock() - t0
  if not ok then
    row.error = tostring(res)
    return row
  end
  if type(res) == "number" then res = { loss = res } end
  if res == nil then res = {} end
  if type(res) ~= "table" then
    row.error = ("run returned %s (expected a table of result fields or a number)"):format(A.show(res))
    return row
  end
  local isgrid = {}
  for _, k in ipairs(keys) do isgrid[k] = true end
  for k, v in pairs(res) do
    if type(k) ~= "string" then
      row.error = ("run returned a field named %s (names are strings)"):format(A.show(k))
    elseif isgrid[k] or k == "error" or k == "time" then
      row.error = ("run returned the field '%s', which is a %s"):format(k,
        isgrid[k] and "grid key" or "column slope.sweep fills")
    elseif not scalar_types[type(v)] then
      row.error = ("run returned %s for '%s' (fields are numbers, strings or booleans)"):format(A.show(v), k)
    else
      row[k] = v
    end
  end
  return row
end

-- rows as text and back (between ranks and processes) -----------------------------
--
-- "R index\n" then one "F klen key type vlen value\n" per field; numbers as hex
-- floats (%a) so they travel bit for bit. Read by a parser, never executed.

local function encode_value(v)
  if type(v) == "boolean" then return "b", v and "1" or "0" end
  if type(v) == "string" then return "s", v end
  if math.type(v) == "integer" then return "i", ("%d"):format(v) end
  if v ~= v then return "n", "nan" end
  if v == math.huge then return "n", "inf" end
  if v == -math.huge then return "n", "-inf" end
  return "n", ("%a"):format(v)
end

function S.encode(rows)
  local out = {}
  local idx = {}
  for i in pairs(rows) do if math.type(i) == "integer" then idx[#idx + 1] = i end end -- not rows.columns
  table.sort(idx)
  for _, i in ipairs(idx) do
    local row = rows[i]
    out[#out + 1] = ("R %d\n"):format(i)
    local names = {}
    for k in pairs(row) do names[#names + 1] = k end
    table.sort(names)
    for _, k in ipairs(names) do
      local ty, s = encode_value(row[k])
      out[#out + 1] = ("F %d %s %s %d %s\n"):format(#k, k, ty, #s, s)
    end
  end
  return table.concat(out)
end

local function decode_value(ty, s)
  if ty == "b" then return s == "1" end
  if ty == "s" then return s end
  if ty == "i" then return math.tointeger(tonumber(s)) end
  if s == "nan" then return 0 / 0 end
  if s == "inf" then return math.huge end
  if s == "-inf" then return -math.huge end
  return tonumber(s)
end

function S.decode(text, where)
  local rows, pos, row = {}, 1, nil
  local function bad() fail("%s: malformed rows near byte %d", where, pos) end
  while pos <= #text do
    local tag = text:sub(pos, pos)
    if tag == "R" then
      local i, e = text:match("^R (%d+)\n()", pos)
      if not i then bad() end
      row = {}
      rows[math.tointeger(tonumber(i))] = row
      pos = e
    elseif tag == "F" and row then
      local klen, kpos = text:match("^F (%d+) ()", pos)
      if not klen then bad() end
      local key = text:sub(kpos, kpos + tonumber(klen) - 1)
      local ty, vlen, vpos = text:match("^ ([bsin]) (%d+) ()", kpos + #key)
      if not ty then bad() end
      local s = text:sub(vpos, vpos + tonumber(vlen) - 1)
      if text:sub(vpos + #s, vpos + #s) ~= "\n" then bad() end
      local v = decode_value(ty, s)
      if v == nil then bad() end
      row[key] = v
      pos = vpos + #s + 1
    else
      bad()
    end
  end
  return rows
end

-- CSV ---------------------------------------------------------------------------------

local function csv_field(v)
  if v == nil then return "" end
  if type(v) == "number" then
    if math.type(v) == "integer" then return ("%d"):format(v) end
    if v ~= v then return "NaN" end
    if v == math.huge then return "inf" end
    if v == -math.huge then return "-inf" end
    return ("%.17g"):format(v)
  end
  local s = tostring(v)
  if s:find('[,"\r\n]') then s = '"' .. s:gsub('"', '""') .. '"' end
  return s
end

local function write_csv(path, rows, columns)
  local lines = { table.concat(columns, ",") }
  for _, row in ipairs(rows) do
    local f = {}
    for j, c in ipairs(columns) do f[j] = csv_field(row[c]) end
    lines[#lines + 1] = table.concat(f, ",")
  end
  local dir = path:match("^(.*)/[^/]*$")
  if dir and dir ~= "" then os.execute("mkdir -p '" .. dir:gsub("'", "'\\''") .. "'") end
  local ok, err = slope._write_file(path, table.concat(lines, "\n") .. "\n")
  if not ok then fail("csv: cannot write %s (%s)", path, tostring(err)) end
end

-- columns: the grid keys, the result fields in the order first seen, error, time
local function columns_of(rows, keys)
  local cols, seen = {}, { error = true, time = true }
  for _, k in ipairs(keys) do cols[#cols + 1] = k; seen[k] = true end
  local any_error = false
  for _, row in ipairs(rows) do
    local names = {}
    for k in pairs(row) do if not seen[k] then names[#names + 1] = k end end
    table.sort(names)
    for _, k in ipairs(names) do cols[#cols + 1] = k; seen[k] = true end
    any_error = any_error or row.error ~= nil
  end
  if any_error then cols[#cols + 1] = "error" end
  cols[#cols + 1] = "time"
  return cols
end

-- the plot ----------------------------------------------------------------------------

local function several(grid, k) return #grid[k] > 1 end

local function numeric_field(rows, cols, keys)
  local isgrid = {}
  for _, k in ipairs(keys) do isgrid[k] = true end
  for _, c in ipairs(cols) do
    if not isgrid[c] and c ~= "time" and c ~= "error" then
      for _, row in ipairs(rows) do
        if type(row[c]) == "number" then return c end
      end
    end
  end
end

local function span(vals)
  local lo, hi = math.huge, -math.huge
  for _, v in ipairs(vals) do lo = math.min(lo, v); hi = math.max(hi, v) end
  return lo, hi
end

-- y over x, one line per series value, the mean over the other keys (seeds) at each
-- point; failed runs and non-finite values are left out
function S.plot(p, rows, keys, grid, cols)
  local x = p.x or (grid.lr and "lr")
  if not x then for _, k in ipairs(keys) do if several(grid, k) then x = k; break end end end
  x = x or keys[1]
  if grid[x] == nil then fail("plot.x = '%s' is not a grid key (keys: %s)", x, table.concat(keys, ", ")) end
  local y = p.y or (numeric_field(rows, { "loss" }, keys) and "loss") or numeric_field(rows, cols, keys)
  if not y then fail("plot: the runs returned no numeric field to draw") end
  local series = p.series
  if not series then
    for _, k in ipairs(keys) do if k ~= x and several(grid, k) then series = k; break end end
  end
  if series and grid[series] == nil then fail("plot.series = '%s' is not a grid key", series) end
  if series == x then fail("plot.series and plot.x are both '%s'", x) end
  for _, v in ipairs(grid[x]) do
    if type(v) ~= "number" then fail("plot.x = '%s' has the value %s; the x axis needs numbers", x, A.show(v)) end
  end
  local svals = series and grid[series] or { true }
  local out, ally, allx = {}, {}, {}
  for _, sv in ipairs(svals) do
    local xs, ys = {}, {}
    for _, xv in ipairs(grid[x]) do
      local sum, n = 0, 0
      for _, row in ipairs(rows) do
        local yv = row[y]
        if row[x] == xv and (not series or row[series] == sv) and type(yv) == "number"
          and yv == yv and yv > -math.huge and yv < math.huge then
          sum, n = sum + yv, n + 1
        end
      end
      if n > 0 then
        xs[#xs + 1], ys[#ys + 1] = xv, sum / n
        ally[#ally + 1], allx[#allx + 1] = sum / n, xv
      end
    end
    if #xs > 0 then
      out[#out + 1] = { name = series and (series .. " = " .. tostring(sv)) or y, x = xs, y = ys }
    end
  end
  if #out == 0 then fail("plot: no run has a finite %s to draw", y) end
  local xlo, xhi = span(allx)
  local ylo, yhi = span(ally)
  local logx = p.logx
  if logx == nil then logx = xlo > 0 and xhi >= 10 * xlo end
  local logy = p.logy
  if logy == nil then logy = ylo > 0 and yhi >= 100 * ylo end
  local others = {}
  for _, k in ipairs(keys) do if k ~= x and k ~= series and several(grid, k) then others[#others + 1] = k end end
  local title = p.title or (y .. " over " .. x .. (#others > 0 and (" (mean over " .. table.concat(others, ", ") .. ")") or ""))
  return slope.plot.lines{ file = p.file, x = out[1].x, series = out, logx = logx, logy = logy, title = title,
    xlabel = x, ylabel = y, vlines = p.vlines, hlines = p.hlines }
end

-- where the runs go -----------------------------------------------------------------

local function mpi_size()
  local m = rawget(slope, "mpi")
  if type(m) ~= "table" or type(m.size) ~= "function" then return 1, 0 end
  local ok, k = pcall(m.size)
  if not ok or math.type(k) ~= "integer" then return 1, 0 end
  return k, m.rank()
end

local function shq(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

-- the command line that started this script (interpreter, its options, script,
-- arguments), or nil when there is no script file to re-run (REPL, -e, stdin)
local function command_line()
  local a = rawget(_G, "arg")
  if type(a) ~= "table" or type(a[0]) ~= "string" or a[-1] == nil or a[0] == "-" then return nil end
  local fh = io.open(a[0], "r")
  if not fh then return nil end
  fh:close()
  local lo = -1
  while a[lo - 1] ~= nil do lo = lo - 1 end
  local parts = {}
  for i = lo, #a do parts[#parts + 1] = shq(a[i]) end
  return table.concat(parts, " ")
end

-- a fingerprint of the grid, so a worker that built another grid says so
local function fingerprint(keys, runs)
  local t = { table.concat(keys, "\0") }
  for i, c in ipairs(runs) do t[#t + 1] = S.encode({ [i] = c }) end
  local s = table.concat(t, "\1")
  local h = 2166136261
  for i = 1, #s do h = ((h ~ s:byte(i)) * 16777619) & 0xffffffff end
  return ("%08x%d"):format(h, #runs)
end

local function read_file(path)
  local fh = io.open(path, "rb")
  if not fh then return nil end
  local s = fh:read("a")
  fh:close()
  return s
end

local function write_file(path, text)
  local ok, err = slope._write_file(path, text)
  if not ok then fail("cannot write %s (%s)", path, tostring(err)) end
end

S.calls = 0       -- slope.sweep calls made by this process
S.done = {}       -- their results as text (handed to workers of a later sweep)

-- In a worker (SLOPE_SWEEP_WORKER = "call:worker:workers:fingerprint:dir"): the
-- earlier sweeps' results come from their files; at the parent's call, run this
-- worker's share, write its rows and exit.
local function worker_env()
  local s = os.getenv("SLOPE_SWEEP_WORKER")
  if not s then return nil end
  local call, w, nw, fp, dir = s:match("^(%d+):(%d+):(%d+):([%x%d]+):(.+)$")
  if not call then fail("SLOPE_SWEEP_WORKER is %s (set by slope.sweep for its workers; unset it)", A.show(s)) end
  return { call = tonumber(call), w = tonumber(w), nw = tonumber(nw), fp = fp, dir = dir }
end

local function worker(o, W, keys, runs)
  if fingerprint(keys, runs) ~= W.fp then
    io.stderr:write("slope.sweep: worker ", W.w, ": this run of the script built another grid than the first ",
      "(the script must build the same grid each time it runs)\n")
    os.exit(3, true)
  end
  io.stdout:flush()
  local off = io.stdout:seek("cur") -- what the script printed before the sweep is not shown again
  local mine = {}
  for i = 1, #runs do
    if (i - 1) % W.nw == W.w then mine[i] = run_one(o, keys, runs[i], i) end
  end
  io.stdout:flush()
  write_file(("%s/w%d.rows"):format(W.dir, W.w), ("O %d\n"):format(off or 0) .. S.encode(mine))
  os.exit(0, true)
end

-- procs local processes: the workers started in the background, this process's
-- share run meanwhile, then the workers' rows and output read back in order
local function local_procs(o, keys, runs, call)
  local cmd = command_line()
  local nw = math.min(o.procs, #runs)
  if not cmd then
    if not o.quiet then
      io.stderr:write("slope.sweep: note: procs = ", o.procs, " needs a script file (its workers re-run it); ",
        "running the runs in this process\n")
    end
    return nil
  end
  local dir = os.tmpname()
  os.remove(dir)
  if not os.execute("mkdir -m 700 " .. shq(dir)) then fail("cannot make the folder %s for the workers", dir) end
  for k, text in ipairs(S.done) do write_file(("%s/done%d.rows"):format(dir, k), text) end
  local fp = fingerprint(keys, runs)
  local threads = ""
  if not os.getenv("OMP_NUM_THREADS") then
    threads = "OMP_NUM_THREADS=" .. math.max(1, slope.threads() // nw) .. " "
  end
  local jobs = {}
  for w = 1, nw - 1 do
    local env = ("SLOPE_SWEEP_WORKER=%s "):format(shq(("%d:%d:%d:%s:%s"):format(call, w, nw, fp, dir)))
    jobs[#jobs + 1] = ("( %s%s%s >%s 2>%s; echo $? >%s ) &"):format(env, threads, cmd,
      shq(dir .. "/w" .. w .. ".out"), shq(dir .. "/w" .. w .. ".err"), shq(dir .. "/w" .. w .. ".rc"))
  end
  local pipe = io.popen(table.concat(jobs, " ") .. " wait", "r")
  local prev = slope.threads(math.max(1, slope.threads() // nw))
  local rows = {}
  local ok, err = pcall(function()
    for i = 1, #runs, nw do rows[i] = run_one(o, keys, runs[i], i) end
  end)
  slope.threads(prev)
  pipe:read("a")
  pipe:close()
  local problem
  for w = 1, nw - 1 do
    local base = dir .. "/w" .. w
    local rc = tonumber((read_file(base .. ".rc") or ""):match("%d+"))
    local text = read_file(base .. ".rows")
    local out = read_file(base .. ".out") or ""
    if text then
      local off, rest = text:match("^O (%d+)\n()")
      off = tonumber(off) or 0
      if #out > off then io.stdout:write(out:sub(off + 1)) end -- the runs' own output
      for i, row in pairs(S.decode(text:sub(rest or 1), base .. ".rows")) do rows[i] = row end
    elseif not problem then
      local e = (read_file(base .. ".err") or ""):gsub("%s+$", "")
      if #e > 600 then e = "..." .. e:sub(-600) end
      problem = ("worker %d of %d %s%s"):format(w, nw - 1,
        rc and rc ~= 0 and ("exited with status " .. rc) or "did not reach this slope.sweep call "
        .. "(does the script take the same path each time it runs?)", e ~= "" and (": " .. e) or "")
    end
  end
  os.execute("rm -rf " .. shq(dir))
  if not ok then error(err, 0) end
  if problem then fail("%s", problem) end
  return rows
end

-- under mpirun: run i on rank (i - 1) % K, the rows gathered on rank 0 as text
-- and broadcast, so every rank returns the same table
local function mpi_ranks(o, keys, runs, K, rank)
  local mine = {}
  for i = rank + 1, #runs, K do mine[i] = run_one(o, keys, runs[i], i) end
  local mpi = slope.mpi
  local parts = mpi.gather(S.encode(mine), 0)
  local text = mpi.bcast(rank == 0 and table.concat(parts) or "", 0)
  return S.decode(text, "the rows gathered from the ranks")
end

local function sweep(opts)
  local o = A.options(S.SPEC, opts)
  local keys = keys_of(o)
  local runs = combinations(o.grid, keys)
  S.calls = S.calls + 1
  local call = S.calls
  local W = worker_env()
  if W and call < W.call then -- an earlier sweep of the script: the parent's result
    local text = read_file(("%s/done%d.rows"):format(W.dir, call))
    if not text then
      io.stderr:write("slope.sweep: worker ", W.w, ": the script calls slope.sweep more often before the parent's ",
        "call than the parent did (the script must take the same path each time it runs)\n")
      os.exit(3, true)
    end
    local rows = S.decode(text, "an earlier sweep's rows")
    rows.columns = columns_of(rows, keys)
    return rows
  elseif W and call == W.call then
    worker(o, W, keys, runs)
  end
  local K, rank = mpi_size()
  local rows
  if K > 1 then
    rows = mpi_ranks(o, keys, runs, K, rank)
  elseif o.procs > 1 and #runs > 1 then
    rows = local_procs(o, keys, runs, call)
  end
  if not rows then
    rows = {}
    for i, cfg in ipairs(runs) do rows[i] = run_one(o, keys, cfg, i) end
  end
  for i = 1, #runs do
    if rows[i] == nil then fail("run %d of %d has no row (a worker lost it)", i, #runs) end
  end
  S.done[call] = S.encode(rows)
  local cols = columns_of(rows, keys)
  local failed, first = 0, nil
  for _, row in ipairs(rows) do
    if row.error then failed = failed + 1; first = first or row.error end
  end
  if rank == 0 then
    if o.csv then write_csv(o.csv, rows, cols) end
    if o.plot then S.plot(o.plot, rows, keys, o.grid, cols) end
    if failed > 0 and not o.quiet then
      io.stderr:write(("slope.sweep: %d of %d runs failed (their rows hold the error; the first: %s)\n"):format(
        failed, #rows, first))
    end
  end
  rows.columns = cols
  return rows
end

slope._doc(sweep, FN,
  "slope.sweep{grid = {lr = {...}, batch = {...}, seed = {...}}, run = function(cfg, i) ... return {loss = ...} end "
  .. "[, csv=, plot=, procs=, order=, quiet=]} -> rows",
  "Runs run(cfg) for every combination of the grid's values and returns one row per run, in grid order: the "
  .. "grid values, the fields run returned, time (seconds) and, for a run that raised an error, error (its "
  .. "message; the sweep goes on and says how many failed). rows.columns lists the columns. Under mpirun the "
  .. "ranks share the runs (run i on rank (i-1) % K) and every rank returns the same rows; only rank 0 writes "
  .. "csv and plot; a run executes on one rank alone, so it must not use collectives (slope.mpi.objective, "
  .. "allreduce). Without mpirun, procs = N starts N-1 worker processes that re-run the script (no fork: "
  .. "fresh processes, safe with OpenMP and OpenBLAS threads; OMP_NUM_THREADS split between them unless set) "
  .. "and reach the same slope.sweep call, so the script must build the same grid each time it runs; their "
  .. "output is printed after this process's share. Without a script file (REPL, -e) the runs go one after "
  .. "another. " .. A.doc(S.SPEC))

slope.sweep = sweep
