-- checkpoint.lua — slope.checkpoint: save and load plain-data checkpoints.
--
-- A checkpoint is data, never code: a text format read by a validating parser.
--   slope-checkpoint 1
--   <entries>
--   end <fnv1a-32 of everything before this line, 8 hex digits>
-- entry := type key payload, one per line:
--   num  <key> <hex float %a>      (bit-exact)       int <key> <integer>
--   bool <key> true|false          str <key> <len>:<bytes>
--   vec  <key> <n> <hex float>...  tab <key> ... endtab
-- key := s<len>:<bytes> (string) | i<integer> (integer key)
-- Files are written to <path>.tmp and renamed, so a crash never leaves a half-written one.
local slope = ...

local M = {}

local function fnv1a(s)
  local h = 0x811c9dc5
  for i = 1, #s do
    h = ((h ~ s:byte(i)) * 0x01000193) & 0xffffffff
  end
  return h
end

local function hex(x)
  if x ~= x then return "nan" end
  if x == math.huge then return "inf" end
  if x == -math.huge then return "-inf" end
  return ("%a"):format(x)
end

local function encode_key(k)
  if math.type(k) == "integer" then return "i" .. k end
  if type(k) == "string" then return "s" .. #k .. ":" .. k end
  error("slope.checkpoint.save: keys must be strings or integers, got " .. type(k), 0)
end

local function encode(out, t, seen, path)
  if seen[t] then error("slope.checkpoint.save: cycle at " .. path, 0) end
  seen[t] = true
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b)
    local ta, tb = type(a), type(b)
    if ta ~= tb then return ta < tb end
    return a < b
  end)
  for _, k in ipairs(keys) do
    local v, key = t[k], encode_key(k)
    local tv = type(v)
    if tv == "number" then
      if math.type(v) == "integer" then out[#out + 1] = "int " .. key .. " " .. v
      else out[#out + 1] = "num " .. key .. " " .. hex(v) end
    elseif tv == "boolean" then
      out[#out + 1] = "bool " .. key .. " " .. tostring(v)
    elseif tv == "string" then
      out[#out + 1] = "str " .. key .. " " .. #v .. ":" .. v
    elseif tv == "table" then
      out[#out + 1] = "tab " .. key
      encode(out, v, seen, path .. "." .. tostring(k))
      out[#out + 1] = "endtab"
    elseif getmetatable(v) == getmetatable(slope.vec.zeros(0)) then
      local parts = { "vec " .. key .. " " .. #v }
      for i = 1, #v do parts[#parts + 1] = hex(v[i]) end
      out[#out + 1] = table.concat(parts, " ")
    else
      error(("slope.checkpoint.save: %s.%s is a %s; only numbers, strings, booleans, vecs and tables are saved")
        :format(path, tostring(k), tv), 0)
    end
  end
  seen[t] = nil
end

-- slope.checkpoint.save(path, t): write t atomically; returns path.
function M.save(path, t)
  if type(path) ~= "string" or path == "" then error("slope.checkpoint.save: path must be a non-empty string", 2) end
  if type(t) ~= "table" then error("slope.checkpoint.save: data must be a table", 2) end
  local out = { "slope-checkpoint 1" }
  encode(out, t, {}, "checkpoint")
  local body = table.concat(out, "\n") .. "\n"
  local text = body .. ("end %08x\n"):format(fnv1a(body))
  local tmp = path .. ".tmp"
  local f, err = io.open(tmp, "wb")
  if not f then error("slope.checkpoint.save: cannot write " .. tostring(err), 2) end
  local ok, werr = f:write(text)
  local cok, cerr = f:close()
  if not ok or not cok then
    os.remove(tmp)
    error("slope.checkpoint.save: writing " .. tmp .. " failed: " .. tostring(werr or cerr), 2)
  end
  local rok, rerr = os.rename(tmp, path)
  if not rok then
    os.remove(tmp) -- leave nothing behind; the previous checkpoint at path is untouched
    error("slope.checkpoint.save: " .. tostring(rerr), 2)
  end
  return path
end

-- The parser: every token checked; errors say where.
local function parse(path, text)
  local pos = 1
  local line = 1
  local function fail(msg)
    error(("slope.checkpoint.load: %s:%d: %s"):format(path, line, msg), 0)
  end
  local function expect_newline()
    if text:sub(pos, pos) ~= "\n" then fail("expected end of line") end
    pos = pos + 1
    line = line + 1
  end
  local function word()
    local s, e = text:find("^[^ \n]+", pos)
    if not s then fail("expected a token") end
    pos = e + 1
    return text:sub(s, e)
  end
  local function space()
    if text:sub(pos, pos) ~= " " then fail("expected a space") end
    pos = pos + 1
  end
  local function lenbytes()
    local s, e, n = text:find("^(%d+):", pos)
    if not s then fail("expected <length>:") end
    n = tonumber(n)
    if e + n > #text then fail("string runs past the end of the file") end
    local v = text:sub(e + 1, e + n)
    pos = e + n + 1
    for _ in v:gmatch("\n") do line = line + 1 end
    return v
  end
  local function number(w)
    if w == "nan" then return 0 / 0 end
    if w == "inf" then return math.huge end
    if w == "-inf" then return -math.huge end
    if not w:match("^%-?0x[%x%.]+p[%+%-]%d+$") and not w:match("^%-?0x0p%+0$") then
      fail("'" .. w .. "' is not a hex float")
    end
    local v = tonumber(w)
    if not v then fail("'" .. w .. "' is not a number") end
    return v
  end
  local function key()
    local c = text:sub(pos, pos)
    if c == "i" then
      pos = pos + 1
      local w = word()
      local v = math.tointeger(tonumber(w))
      if not v then fail("bad integer key '" .. w .. "'") end
      return v
    elseif c == "s" then
      pos = pos + 1
      return lenbytes()
    end
    fail("expected a key (s<len>:<name> or i<int>)")
  end
  local function entries(t, depth)
    while true do
      local ty = word()
      if ty == "endtab" then
        if depth == 0 then fail("'endtab' without 'tab'") end
        expect_newline()
        return
      elseif ty == "end" then
        if depth ~= 0 then fail("file ends inside a table") end
        pos = pos - 3
        return
      end
      space()
      local k = key()
      if t[k] ~= nil then fail("duplicate key '" .. tostring(k) .. "'") end
      if ty == "tab" then
        expect_newline()
        local sub = {}
        entries(sub, depth + 1)
        t[k] = sub
      else
        space()
        if ty == "num" then
          t[k] = number(word())
        elseif ty == "int" then
          local w = word()
          local v = math.tointeger(tonumber(w))
          if not v or not w:match("^%-?%d+$") then fail("'" .. w .. "' is not an integer") end
          t[k] = v
        elseif ty == "bool" then
          local w = word()
          if w ~= "true" and w ~= "false" then fail("'" .. w .. "' is not a boolean") end
          t[k] = w == "true"
        elseif ty == "str" then
          t[k] = lenbytes()
        elseif ty == "vec" then
          local w = word()
          local n = math.tointeger(tonumber(w))
          if not n or n < 0 or not w:match("^%d+$") then fail("bad vec length '" .. w .. "'") end
          if n > #text then fail("vec length " .. n .. " exceeds the file size") end
          local v = slope.vec.zeros(n)
          for i = 1, n do
            space()
            v[i] = number(word())
          end
          t[k] = v
        else
          fail("unknown entry type '" .. ty .. "'")
        end
        expect_newline()
      end
    end
  end
  local header = "slope-checkpoint 1\n"
  if text:sub(1, #header) ~= header then
    error(("slope.checkpoint.load: %s: not a slope checkpoint (bad header)"):format(path), 0)
  end
  pos = #header + 1
  line = 2
  local t = {}
  entries(t, 0)
  local body = text:sub(1, pos - 1)
  local sum = text:match("^end (%x%x%x%x%x%x%x%x)\n$", pos)
  if not sum then fail("missing or malformed final 'end <checksum>' line (truncated file?)") end
  if tonumber(sum, 16) ~= fnv1a(body) then fail("checksum mismatch: the file is corrupted") end
  return t
end

-- slope.checkpoint.load(path) -> table
function M.load(path)
  if type(path) ~= "string" then error("slope.checkpoint.load: path must be a string", 2) end
  local f, err = io.open(path, "rb")
  if not f then error("slope.checkpoint.load: cannot open " .. tostring(err), 2) end
  local text = f:read("a")
  f:close()
  return parse(path, text)
end

slope._doc(M.save, "slope.checkpoint.save", "slope.checkpoint.save(path, t) -> path",
  "Write a table of numbers, strings, booleans, vecs and tables as a plain-data checkpoint (bit-exact; temp file then rename).")
slope._doc(M.load, "slope.checkpoint.load", "slope.checkpoint.load(path) -> table",
  "Read a checkpoint with a validating parser (never executes code); errors give the file and line.")
slope._doc(M, "slope.checkpoint", "slope.checkpoint.save/load",
  "Plain-data checkpoints: written atomically, checksummed, parsed without running code.")
slope.checkpoint = M
