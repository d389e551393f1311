-- logger.lua — run logs as CSV and/or JSONL that pandas reads, one row per logged
-- step. Every write, flush and close is checked: a full disk is reported with the
-- file's name, and slope.train stops. A resumed run's log starts with exactly the
-- rows up to its checkpoint (from the file when it has them whole, else from the
-- checkpoint's history), so it has no gap and no row twice.
local slope = ...

local M = {}

local function fmtnum(v)
  if v == nil then return nil end
  if type(v) == "boolean" then return tostring(v) end
  if type(v) ~= "number" then return tostring(v) end
  if math.type(v) == "integer" then return tostring(v) end
  if v ~= v then return "NaN" end
  if v == math.huge then return "inf" end
  if v == -math.huge then return "-inf" end
  return ("%.17g"):format(v)
end

local function json_value(v)
  if v == nil then return "null" end
  if type(v) == "number" then
    if v ~= v or v == math.huge or v == -math.huge then return "NaN" end -- pandas reads NaN
    return fmtnum(v)
  end
  if type(v) == "boolean" then return tostring(v) end
  return ('"%s"'):format(tostring(v):gsub('[%c"\\]', function(c)
    return ("\\u%04x"):format(c:byte())
  end))
end

local function fail(fmt, ...) slope._args.fail("slope.train", fmt, ...) end

-- The folder of a log file, made (quietly) when missing; an error names the path.
local function make_folder(p)
  local dir = p:match("^(.*)/[^/]*$")
  if not dir or dir == "" then return end
  local probe = io.open(dir .. "/.", "r")
  if probe then probe:close(); return end
  os.execute("mkdir -p -- '" .. dir:gsub("'", "'\\''") .. "' >/dev/null 2>&1")
  probe = io.open(dir .. "/.", "r")
  if probe then probe:close(); return end
  local _, why = io.open(p, "a")
  fail("log: cannot make the folder '%s' for %s (%s)", dir, p, ((why or "mkdir failed"):gsub("^.-: ", "")))
end

-- one row as a line (without the newline)
local function format_row(kind, columns, t)
  local parts = {}
  if kind == "csv" then
    for i, c in ipairs(columns) do parts[i] = fmtnum(t[c]) or "" end
    return table.concat(parts, ",")
  end
  for _, c in ipairs(columns) do
    if t[c] ~= nil then parts[#parts + 1] = ('"%s":%s'):format(c, json_value(t[c])) end
  end
  return "{" .. table.concat(parts, ",") .. "}"
end

-- The lines of an earlier log that a resumed run keeps: those of the rows it
-- logged up to the checkpoint (rows[i].step, in order). Lines after the
-- checkpoint, a line cut short by a crash or a full disk, or a file that lacks
-- rows (lost, or never written) do not count: when the file's lines are not
-- exactly those rows, they are written again from the checkpoint's history.
local function kept_lines(p, kind, columns, rows, header)
  local lines = {}
  for i, r in ipairs(rows) do lines[i] = format_row(kind, columns, r) end
  local f = io.open(p, "r")
  if not f then return lines end
  local text = f:read("a") or ""
  f:close()
  local want = #columns - 1
  local old, first, upto = {}, kind == "csv", rows[#rows] and rows[#rows].step or 0
  for line, nl in text:gmatch("([^\n]*)(\n?)") do
    if first then
      if line ~= header then return lines end
      first = false
    elseif line ~= "" or nl ~= "" then
      local whole = nl == "\n" and (kind == "csv" and select(2, line:gsub(",", "")) == want
        or kind == "jsonl" and line:match("^{.*}$") ~= nil)
      local step = kind == "csv" and tonumber(line:match("^([^,]*)"))
        or tonumber(line:match('^{"step":(%-?%d+)[,}]'))
      if step and step <= upto then
        if not whole then return lines end
        old[#old + 1] = line
      end
    end
  end
  if #old ~= #rows then return lines end
  for i, line in ipairs(old) do
    local step = kind == "csv" and tonumber(line:match("^([^,]*)")) or tonumber(line:match('^{"step":(%-?%d+)'))
    if step ~= rows[i].step then return lines end
  end
  return old
end

-- M.open(paths, columns, opts) -> logger with :row(t), :flush() and :close(),
-- each returning true, or nil and a message naming the file (a full disk).
-- paths: a string or a list of strings ending in .csv or .jsonl.
-- opts.rows: on resume, the rows logged up to the checkpoint (tables with
-- step and the other columns). The file then starts with exactly these rows,
-- written to a temporary file and renamed over it (the old log stays whole if
-- that fails), and the run appends to it.
function M.open(paths, columns, opts)
  opts = opts or {}
  if type(paths) == "string" then paths = { paths } end
  local sinks = {}
  local function close_all() for _, s in ipairs(sinks) do s.f:close() end end
  local header = table.concat(columns, ",")
  for _, p in ipairs(paths) do
    local kind = p:match("%.csv$") and "csv" or p:match("%.jsonl$") and "jsonl"
    if not kind then close_all(); fail("log file must end in .csv or .jsonl, got %s", p) end
    make_folder(p)
    local f, err
    if opts.rows then
      local lines = kept_lines(p, kind, columns, opts.rows, header)
      if kind == "csv" then table.insert(lines, 1, header) end
      lines[#lines + 1] = ""
      local ok, werr = slope._write_file(p, table.concat(lines, "\n"))
      if not ok then close_all(); fail("log: %s", werr) end
      f, err = io.open(p, "a")
    else
      f, err = io.open(p, "w")
      if f and kind == "csv" and not f:write(header, "\n") then f:close(); f, err = nil, "cannot write " .. p end
    end
    if not f then close_all(); fail("log: cannot open %s", tostring(err)) end
    sinks[#sinks + 1] = { kind = kind, f = f, path = p }
  end
  -- nil, "writing <path> failed: <why>" (Lua's io gives only the why)
  local function failed(s, what, err)
    return nil, ("%s %s failed: %s"):format(what, s.path, tostring(err))
  end
  local L = {}
  function L:row(t)
    for _, s in ipairs(sinks) do
      local ok, err = s.f:write(format_row(s.kind, columns, t), "\n")
      if not ok then return failed(s, "writing", err) end
    end
    return true
  end
  function L:flush()
    for _, s in ipairs(sinks) do
      local ok, err = s.f:flush()
      if not ok then return failed(s, "writing", err) end
    end
    return true
  end
  -- every file closed; the first failure reported
  function L:close()
    local res, msg = true, nil
    for _, s in ipairs(sinks) do
      local ok, err = s.f:close()
      if not ok and res then res, msg = failed(s, "writing", err) end
    end
    sinks = {}
    return res, msg
  end
  return L
end

slope._logger = M
