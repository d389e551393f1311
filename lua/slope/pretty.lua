-- pretty.lua — slope.pretty(v [, opts]): a readable rendering of any Lua value,
-- used by the REPL to print results. Tables: keys sorted (array part first, then
-- numbers, strings, others), nested tables indented unless they fit on one line,
-- cycles marked, long content truncated with "…"; vectors shown with their
-- entries; other objects through their __tostring. Optional ANSI colour.
local slope = ...

local ESC = string.char(27)
local COLOURS = {
  num = ESC .. "[36m", -- cyan
  str = ESC .. "[32m", -- green
  key = ESC .. "[34m", -- blue
  lit = ESC .. "[35m", -- magenta: true, false, nil
  dim = ESC .. "[2m", -- functions, userdata, cycle and truncation marks
}
local RESET = ESC .. "[0m"

local KEYWORDS = {}
for w in ([[and break do else elseif end false for function goto if in local nil not or
  repeat return then true until while]]):gmatch("%a+") do KEYWORDS[w] = true end

local DEFAULTS = { color = false, width = 80, depth = 6, items = 50, strlen = 200, indent = "  " }
local OPTION_KEYS = { color = true, width = true, depth = true, items = true, strlen = true, indent = true }

-- Width of s as displayed: without colour codes, counting UTF-8 characters.
local function vislen(s)
  local plain = s:gsub(ESC .. "%[[%d;]*m", "")
  return utf8.len(plain) or #plain
end

local function quote(s, strlen)
  local cut = false
  if #s > strlen then
    -- do not split a UTF-8 sequence
    local n = strlen
    while n > 0 and (s:byte(n + 1) or 0) >= 0x80 and (s:byte(n + 1) or 0) < 0xC0 do n = n - 1 end
    s, cut = s:sub(1, n), true
  end
  local q = s:gsub('[%c"\\]', function(c)
    if c == "\n" then return "\\n" elseif c == "\t" then return "\\t"
    elseif c == "\r" then return "\\r" elseif c == '"' then return '\\"'
    elseif c == "\\" then return "\\\\" end
    return ("\\%03d"):format(c:byte())
  end)
  return '"' .. q .. (cut and "…" or "") .. '"'
end

local function fmtnum(x)
  if x ~= x then return "nan" end
  if x == math.huge then return "inf" elseif x == -math.huge then return "-inf" end
  return tostring(x)
end

-- Sort order of keys: numbers, then strings, then booleans, then anything else.
local TYPE_RANK = { number = 1, string = 2, boolean = 3 }
local function keyless(a, b)
  local ta, tb = type(a), type(b)
  local ra, rb = TYPE_RANK[ta] or 4, TYPE_RANK[tb] or 4
  if ra ~= rb then return ra < rb end
  if ta == "number" or ta == "string" then return a < b end
  if ta == "boolean" then return (not a) and b end
  return tostring(a) < tostring(b)
end

local HASH_CAP = 10000 -- hash keys collected (then sorted) at most; the rest are only counted

local function render(v, o, level, seen, lead)
  local c = o.c
  local t = type(v)
  if t == "number" then return c.num .. fmtnum(v) .. c.reset end
  if t == "string" then return c.str .. quote(v, o.strlen) .. c.reset end
  if t == "boolean" or t == "nil" then return c.lit .. tostring(v) .. c.reset end
  local mt = getmetatable(v)
  if t == "function" then
    local e = slope._helpdb and slope._helpdb[v]
    if e then return c.dim .. "function " .. e.sig .. c.reset end
    return c.dim .. tostring(v) .. c.reset
  end
  if t == "userdata" and type(mt) == "table" and mt.__name == "slope.vec" then
    local n = #v
    local shown = n <= 12 and n or 8
    local parts = {}
    for i = 1, shown do parts[i] = c.num .. ("%.6g"):format(v[i]) .. c.reset end
    if shown < n then
      parts[#parts + 1] = c.dim .. "… (" .. (n - shown - 3) .. " more)" .. c.reset
      for i = n - 2, n do parts[#parts + 1] = c.num .. ("%.6g"):format(v[i]) .. c.reset end
    end
    return "vec[" .. n .. "]{" .. table.concat(parts, ", ") .. "}"
  end
  if t ~= "table" or (type(mt) == "table" and mt.__tostring) then
    local ok, s = pcall(tostring, v)
    if not ok then s = t .. ": <__tostring failed: " .. tostring(s) .. ">" end
    return c.dim .. s .. c.reset
  end
  -- a plain table
  if seen[v] then return c.dim .. "<cycle>" .. c.reset end
  if next(v) == nil then return "{}" end
  if level > o.depth then return "{" .. c.dim .. "…" .. c.reset .. "}" end
  seen[v] = true
  local items, total = {}, 0
  local n = 0
  while rawget(v, n + 1) ~= nil do n = n + 1 end
  for i = 1, n do
    total = total + 1
    if #items < o.items then items[#items + 1] = render(rawget(v, i), o, level + 1, seen) end
  end
  local keys = {}
  for k in next, v do
    if not (math.type(k) == "integer" and k >= 1 and k <= n) then
      total = total + 1
      if #keys < HASH_CAP then keys[#keys + 1] = k end
    end
  end
  table.sort(keys, keyless)
  for _, k in ipairs(keys) do
    if #items >= o.items then break end
    local ks
    if type(k) == "string" and k:match("^[%a_][%w_]*$") and not KEYWORDS[k] then
      ks = c.key .. k .. c.reset
    else
      ks = "[" .. render(k, o, level + 1, seen) .. "]"
    end
    items[#items + 1] = ks .. " = " .. render(rawget(v, k), o, level + 1, seen, vislen(ks) + 3)
  end
  if total > #items then
    items[#items + 1] = c.dim .. "… (" .. (total - #items) .. " more)" .. c.reset
  end
  seen[v] = nil
  -- one line if it fits, else one entry per line, indented
  local line = "{" .. table.concat(items, ", ") .. "}"
  local pad = o.indent:rep(level - 1)
  if not line:find("\n", 1, true) and #pad + (lead or 0) + vislen(line) <= o.width then return line end
  local inner = pad .. o.indent
  if #keys == 0 and not line:find("\n", 1, true) then
    -- an array of short items: fill each line up to the width
    local lines, cur = {}, inner
    for i, it in ipairs(items) do
      local sep = i < #items and "," or ""
      if cur ~= inner and vislen(cur) + 1 + vislen(it) + #sep > o.width then
        lines[#lines + 1] = cur
        cur = inner
      end
      cur = cur .. (cur == inner and "" or " ") .. it .. sep
    end
    lines[#lines + 1] = cur
    return "{\n" .. table.concat(lines, "\n") .. "\n" .. pad .. "}"
  end
  return "{\n" .. inner .. table.concat(items, ",\n" .. inner) .. "\n" .. pad .. "}"
end

local function check_opts(opts)
  if opts == nil then return DEFAULTS end
  if type(opts) ~= "table" then
    error("slope.pretty: opts must be a table, got " .. type(opts), 3)
  end
  local o = {}
  for k, d in pairs(DEFAULTS) do o[k] = d end
  for k, val in pairs(opts) do
    if not OPTION_KEYS[k] then error("slope.pretty: unknown option '" .. tostring(k) .. "'", 3) end
    if k == "color" then
      if type(val) ~= "boolean" then error("slope.pretty: color must be a boolean, got " .. type(val), 3) end
    elseif k == "indent" then
      if type(val) ~= "string" then error("slope.pretty: indent must be a string, got " .. type(val), 3) end
    elseif math.type(val) ~= "integer" or val < 1 then
      error("slope.pretty: " .. k .. " must be a positive integer, got " .. slope._args.show(val), 3)
    end
    o[k] = val
  end
  return o
end

local PLAIN = setmetatable({}, { __index = function() return "" end })

local function pretty(v, opts)
  local o = check_opts(opts)
  local oo = {}
  for k, val in pairs(o) do oo[k] = val end
  if o.color then
    oo.c = setmetatable({ reset = RESET }, { __index = COLOURS })
  else
    oo.c = PLAIN
  end
  return render(v, oo, 1, {})
end

slope._doc(pretty, "slope.pretty", "slope.pretty(v [, opts]) -> string",
  "Readable text for v: tables nested and indented, keys sorted, cycles marked, long parts cut "
    .. "with …; opts: color, width (80), depth (6), items (50), strlen (200), indent.")
slope.pretty = pretty
