-- logger.lua — run logs as CSV and/or JSONL that pandas reads, one row per logged step.
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

-- the rows of an earlier log up to step keep_until (a resumed run)
local function kept_rows(p, kind, keep_until)
  local kept = {}
  local f = io.open(p, "r")
  if not f then return kept end
  local first = true
  for line in f:lines() do
    if kind == "csv" and first then first = false
    else
      local step = kind == "csv" and tonumber(line:match("^([^,]*)"))
        or tonumber(line:match('"step":%s*(%-?%d+)'))
      if step and step <= keep_until then kept[#kept + 1] = line end
    end
  end
  f:close()
  return kept
end

-- M.open(paths, columns, opts) -> logger with :row(t), :flush() and :close().
-- paths: a string or a list of strings ending in .csv or .jsonl.
-- opts.keep_until: on resume, keep only existing rows whose step <= keep_until.
function M.open(paths, columns, opts)
  opts = opts or {}
  if type(paths) == "string" then paths = { paths } end
  local sinks = {}
  for _, p in ipairs(paths) do
    local kind = p:match("%.csv$") and "csv" or p:match("%.jsonl$") and "jsonl"
    if not kind then fail("log file must end in .csv or .jsonl, got %s", p) end
    make_folder(p)
    local kept = opts.keep_until and kept_rows(p, kind, opts.keep_until) or {}
    local f, err = io.open(p, "w")
    if not f then
      for _, s in ipairs(sinks) do s.f:close() end
      fail("log: cannot open %s", tostring(err))
    end
    if kind == "csv" then f:write(table.concat(columns, ","), "\n") end
    for _, line in ipairs(kept) do f:write(line, "\n") end
    sinks[#sinks + 1] = { kind = kind, f = f }
  end
  local L = {}
  function L:row(t)
    for _, s in ipairs(sinks) do
      if s.kind == "csv" then
        local parts = {}
        for i, c in ipairs(columns) do parts[i] = fmtnum(t[c]) or "" end
        s.f:write(table.concat(parts, ","), "\n")
      else
        local parts = {}
        for _, c in ipairs(columns) do
          if t[c] ~= nil then parts[#parts + 1] = ('"%s":%s'):format(c, json_value(t[c])) end
        end
        s.f:write("{", table.concat(parts, ","), "}\n")
      end
    end
  end
  function L:flush() for _, s in ipairs(sinks) do s.f:flush() end end
  function L:close() for _, s in ipairs(sinks) do s.f:close() end; sinks = {} end
  return L
end

slope._logger = M
