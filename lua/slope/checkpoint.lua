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
-- Files are written to <path>.tmp, fsync'ed and renamed (the folder fsync'ed after),
-- so neither a crash, a full disk nor a power loss leaves a half-written one.
local slope = ...
local A = slope._args

local M = {}
local SAVE = "slope.checkpoint.save"

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
  A.fail(SAVE, "keys must be strings or integers, got %s", A.show(k))
end

local function encode(out, t, seen, path)
  if seen[t] then A.fail(SAVE, "cycle at %s", path) end
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
      A.fail(SAVE, "%s.%s is a %s; only numbers, strings, booleans, vecs and tables are saved", path, tostring(k), tv)
    end
  end
  seen[t] = nil
end

-- slope.checkpoint.save(path, t): write t atomically; returns path.
function M.save(path, t)
  if type(path) ~= "string" or path == "" then A.fail(SAVE, "path must be a non-empty string, got %s", A.show(path)) end
  if type(t) ~= "table" then A.fail(SAVE, "data must be a table, got %s", A.show(t)) end
  local out = { "slope-checkpoint 1" }
  encode(out, t, {}, "checkpoint")
  local body = table.concat(out, "\n") .. "\n"
  local text = body .. ("end %08x\n"):format(fnv1a(body))
  -- <path>.tmp, fsync'ed, renamed over path, the folder fsync'ed: on any failure
  -- (a full disk) the previous checkpoint at path stays whole, and after a power
  -- loss path holds the old checkpoint or the new one, never an empty file
  local ok, err = slope._write_file(path, text, true)
  if not ok then A.fail(SAVE, "%s", err) end
  return path
end

-- The parser: a reader over the text, every token checked; errors say where
-- (file:line) and point at the caller's line.
local Reader = {}
Reader.__index = Reader

function Reader:fail(msg)
  A.fail("slope.checkpoint.load", "%s:%d: %s", self.path, self.line, msg)
end

function Reader:newline()
  if self.text:sub(self.pos, self.pos) ~= "\n" then self:fail("expected end of line") end
  self.pos = self.pos + 1
  self.line = self.line + 1
end

function Reader:space()
  if self.text:sub(self.pos, self.pos) ~= " " then self:fail("expected a space") end
  self.pos = self.pos + 1
end

function Reader:word()
  local s, e = self.text:find("^[^ \n]+", self.pos)
  if not s then self:fail("expected a token") end
  self.pos = e + 1
  return self.text:sub(s, e)
end

-- <len>:<bytes>
function Reader:lenbytes()
  local s, e, n = self.text:find("^(%d+):", self.pos)
  if not s then self:fail("expected <length>:") end
  n = tonumber(n)
  if e + n > #self.text then self:fail("string runs past the end of the file") end
  local v = self.text:sub(e + 1, e + n)
  self.pos = e + n + 1
  for _ in v:gmatch("\n") do self.line = self.line + 1 end
  return v
end

function Reader:number(w)
  if w == "nan" then return 0 / 0 end
  if w == "inf" then return math.huge end
  if w == "-inf" then return -math.huge end
  if not w:match("^%-?0x[%x%.]+p[%+%-]%d+$") and not w:match("^%-?0x0p%+0$") then
    self:fail("'" .. w .. "' is not a hex float")
  end
  local v = tonumber(w)
  if not v then self:fail("'" .. w .. "' is not a number") end
  return v
end

function Reader:integer(w, what)
  local v = math.tointeger(tonumber(w))
  if not v or not w:match("^%-?%d+$") then self:fail("'" .. w .. "' is not " .. what) end
  return v
end

-- s<len>:<name> or i<integer>
function Reader:key()
  local c = self.text:sub(self.pos, self.pos)
  self.pos = self.pos + 1
  if c == "i" then return self:integer(self:word(), "an integer key") end
  if c == "s" then return self:lenbytes() end
  self.pos = self.pos - 1
  self:fail("expected a key (s<len>:<name> or i<int>)")
end

function Reader:vec()
  local w = self:word()
  local n = math.tointeger(tonumber(w))
  if not n or n < 0 or not w:match("^%d+$") then self:fail("bad vec length '" .. w .. "'") end
  if n > #self.text then self:fail("vec length " .. n .. " exceeds the file size") end
  local v = slope.vec.zeros(n)
  for i = 1, n do
    self:space()
    v[i] = self:number(self:word())
  end
  return v
end

-- the payload of a one-line entry of type ty
function Reader:value(ty)
  if ty == "num" then return self:number(self:word()) end
  if ty == "int" then return self:integer(self:word(), "an integer") end
  if ty == "bool" then
    local w = self:word()
    if w ~= "true" and w ~= "false" then self:fail("'" .. w .. "' is not a boolean") end
    return w == "true"
  end
  if ty == "str" then return self:lenbytes() end
  if ty == "vec" then return self:vec() end
  self:fail("unknown entry type '" .. ty .. "'")
end

-- entries into t until 'endtab' (depth > 0) or the final 'end' line (depth 0)
function Reader:entries(t, depth)
  while true do
    local ty = self:word()
    if ty == "endtab" then
      if depth == 0 then self:fail("'endtab' without 'tab'") end
      self:newline()
      return
    elseif ty == "end" then
      if depth ~= 0 then self:fail("file ends inside a table") end
      self.pos = self.pos - 3
      return
    end
    self:space()
    local k = self:key()
    if t[k] ~= nil then self:fail("duplicate key '" .. tostring(k) .. "'") end
    if ty == "tab" then
      if depth >= 32 then self:fail("tables nested more than 32 deep") end
      self:newline()
      t[k] = {}
      self:entries(t[k], depth + 1)
    else
      self:space()
      t[k] = self:value(ty)
      self:newline()
    end
  end
end

local HEADER = "slope-checkpoint 1\n"

-- The checksum first: a file cut short, or damaged anywhere, is named as such
-- before a token of it is parsed; then the entries, which must end at the line
-- the checksum covers up to.
local function parse(path, text)
  local function fail(msg) A.fail("slope.checkpoint.load", "%s: %s", path, msg) end
  if text == "" then fail("the file is empty (truncated?)") end
  if text:sub(1, #HEADER) ~= HEADER then fail("not a slope checkpoint (bad header)") end
  local body, sum = text:match("^(.*\n)end (%x%x%x%x%x%x%x%x)\n$")
  if not body then fail("missing or malformed final 'end <checksum>' line (truncated file?)") end
  if tonumber(sum, 16) ~= fnv1a(body) then fail("checksum mismatch: the file is corrupted") end
  local r = setmetatable({ path = path, text = text, pos = #HEADER + 1, line = 2 }, Reader)
  local t = {}
  r:entries(t, 0)
  if r.pos ~= #body + 1 then r:fail("'end' before the end of the file") end
  return t
end

-- slope.checkpoint.load(path) -> table
function M.load(path)
  if type(path) ~= "string" then A.fail("slope.checkpoint.load", "path must be a string, got %s", A.show(path)) end
  local f, err = io.open(path, "rb")
  if not f then A.fail("slope.checkpoint.load", "cannot open %s", tostring(err)) end
  -- as many bytes as the file has, and no more: a device or a pipe (/dev/zero)
  -- must not be read until memory runs out
  local size, serr = f:seek("end")
  local text, rerr, more
  if size then
    f:seek("set")
    if size > 0 then text, rerr = f:read(0) end -- a folder fails here, before size bytes are asked for
    if text or size == 0 then text, rerr = f:read(size) end
    if text then more = f:read(1) end
    text = text or (size == 0 and "" or nil)
  end
  f:close()
  if not size or not text then
    A.fail("slope.checkpoint.load", "cannot read %s: %s", path, tostring(serr or rerr))
  end
  if more then A.fail("slope.checkpoint.load", "%s: not a regular file (it reads past its size)", path) end
  return parse(path, text)
end

slope._doc(M.save, "slope.checkpoint.save", "slope.checkpoint.save(path, t) -> path",
  "Write a table of numbers, strings, booleans, vecs and tables as a plain-data checkpoint (bit-exact): "
  .. "a temporary file, fsync'ed, renamed, then the folder fsync'ed, so a failed write or a power loss leaves the "
  .. "previous file whole (the fsyncs cost about 0.3-1 ms per checkpoint on an SSD-backed disk).")
slope._doc(M.load, "slope.checkpoint.load", "slope.checkpoint.load(path) -> table",
  "Read a checkpoint with a validating parser (never executes code): the checksum is checked before parsing "
  .. "(a cut file is reported as truncated), nesting is bounded; errors give the file and line.")
slope._doc(M, "slope.checkpoint", "slope.checkpoint.save/load",
  "Plain-data checkpoints: written atomically, checksummed, parsed without running code.")
slope.checkpoint = M
