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

-- M.open(paths, columns, opts) -> logger with :row(t) and :close().
-- paths: a string or a list of strings ending in .csv or .jsonl.
-- opts.keep_until: on resume, keep only existing rows whose step <= keep_until.
function M.open(paths, columns, opts)
  opts = opts or {}
  if type(paths) == "string" then paths = { paths } end
  local sinks = {}
  for _, p in ipairs(paths) do
    local kind = p:match("%.csv$") and "csv" or p:match("%.jsonl$") and "jsonl"
    if not kind then error("slope.train: log file must end in .csv or .jsonl, got " .. p, 0) end
    local dir = p:match("^(.*)/[^/]*$")
    if dir and dir ~= "" then os.execute("mkdir -p '" .. dir:gsub("'", "'\\''") .. "'") end
    local kept = {}
    if opts.keep_until then -- resume: keep the rows up to the checkpoint
      local f = io.open(p, "r")
      if f then
        local first = true
        for line in f:lines() do
          if kind == "csv" and first then first = false
          else
            local step = kind == "csv" and tonumber(line:match("^([^,]*)"))
              or tonumber(line:match('"step":%s*(%-?%d+)'))
            if step and step <= opts.keep_until then kept[#kept + 1] = line end
          end
        end
        f:close()
      end
    end
    local f, err = io.open(p, "w")
    if not f then error("slope.train: cannot open log " .. tostring(err), 0) end
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
