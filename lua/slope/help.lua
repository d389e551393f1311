-- help.lua — help(x): the signature and meaning of any slope function or object.
-- The same pieces (a doc split into meaning and options, the classes of objects
-- with their methods and fields) make docs/API.md through scripts/gendoc.lua,
-- so the REPL and the reference say the same thing.
local slope = ...

local db = slope._helpdb
local H = {} -- slope._help: what gendoc.lua and the tests share with help()

-- Modules whose C or Lua half registers no description of its own.
local MODULE_DOCS = {
  schedule = "Learning-rate schedules as functions of the step: constant, linear, cosine, "
    .. "warmup, onecycle, plateau and more; s(t), s:values(n), joined with schedule.join.",
}

local function sorted_keys(t)
  local ks = {}
  for k in pairs(t) do if type(k) == "string" and k:sub(1, 1) ~= "_" then ks[#ks + 1] = k end end
  table.sort(ks)
  return ks
end
H.sorted_keys = sorted_keys

-- ---- reading a doc: meaning and "Options: name (type, default d) meaning; ..." ----

-- The index after the bracket closing the one at i ("(", "{" or "["), or nil.
local CLOSE = { ["("] = ")", ["{"] = "}", ["["] = "]" }
local function skip_brackets(s, i)
  local stack = { CLOSE[s:sub(i, i)] }
  local j = i + 1
  while j <= #s do
    local c = s:sub(j, j)
    if CLOSE[c] then stack[#stack + 1] = CLOSE[c]
    elseif c == stack[#stack] then
      stack[#stack] = nil
      if #stack == 0 then return j + 1 end
    end
    j = j + 1
  end
  return nil
end

-- Split s at sep (a plain string) outside brackets.
local function split_top(s, sep)
  local parts, start, i = {}, 1, 1
  while i <= #s do
    local c = s:sub(i, i)
    if CLOSE[c] and skip_brackets(s, i) then
      i = skip_brackets(s, i)
    elseif s:sub(i, i + #sep - 1) == sep then
      parts[#parts + 1] = s:sub(start, i - 1)
      i = i + #sep
      start = i
    else
      i = i + 1
    end
  end
  parts[#parts + 1] = s:sub(start)
  return parts
end

local ABBREV = { ["e.g."] = true, ["i.e."] = true, ["etc."] = true, ["vs."] = true }

-- The end of an option list starting at i: the first ". " or final "." outside
-- brackets. Returns the list text and the index after it.
local function option_list_end(s, i)
  local j = i
  while j <= #s do
    local c = s:sub(j, j)
    if CLOSE[c] and skip_brackets(s, j) then
      j = skip_brackets(s, j)
    elseif c == "." and (j == #s or s:sub(j + 1, j + 1):match("%s"))
      and not ABBREV[s:sub(i, j):match("(%S+)$"):gsub("^[%(%[]+", "")] then
      return s:sub(i, j - 1), j + 1
    else
      j = j + 1
    end
  end
  return s:sub(i), #s + 1
end

-- "name (what) meaning {sub; ...}" -> {name, what, doc, sub}
local parse_options
local function parse_option(item)
  item = item:match("^%s*(.-)%s*$")
  local name, what, more = item:match("^([%a_][%w_%.]*)%s+(%b())%s*(.*)$")
  if not name then return { doc = item } end
  local o = { name = name, what = what:sub(2, -2) }
  local sub = more:match("(%b{})%s*$")
  if sub and more:sub(-#sub) == sub then
    o.sub = parse_options(sub:sub(2, -2))
    more = more:sub(1, #more - #sub)
  end
  o.doc = more:match("^%s*(.-)%s*$")
  return o
end
function parse_options(text)
  local list = {}
  for _, item in ipairs(split_top(text, "; ")) do
    if item:match("%S") then list[#list + 1] = parse_option(item) end
  end
  return list
end

-- The options of a slope._args schema, as split() gives them: the same words
-- A.doc writes, read from the schema rather than from its text.
local schema_options
function schema_options(spec)
  local A = slope._args
  local list = {}
  for _, o in ipairs(spec.list) do
    local d, extra = o.default, ""
    if o.required then extra = ", required"
    elseif d ~= nil and type(d) ~= "table" then extra = ", default " .. A.show(d) end
    list[#list + 1] = { name = o.name, what = o.type.what .. extra, doc = o.doc or "",
      sub = o.type.spec and schema_options(o.type.spec) or nil }
  end
  return list
end

-- doc without its characters i .. j-1, blanks around the cut made one.
local function cut(doc, i, j)
  local s = doc:sub(1, i - 1):gsub("%s+$", "") .. " " .. doc:sub(j):gsub("^%s+", "")
  return (s:gsub("^%s+", ""):gsub("%s+$", ""))
end

-- split(doc [, name]) -> meaning, options: options is nil when the doc has no
-- "Options: " list. The list of a function with a slope._args schema (name
-- registered) is taken from the schema; any other is read from the text.
function H.split(doc, name)
  local spec = name and slope._args and slope._args.registry[name]
  if spec and doc then
    local text = slope._args.doc(spec)
    local i = doc:find(text, 1, true)
    if i then
      return cut(doc, i, i + #text), schema_options(spec)
    end
  end
  local i = doc and doc:find("Options: ", 1, true)
  if not i then return doc or "", nil end
  local text, after = option_list_end(doc, i + #"Options: ")
  return cut(doc, i, after), parse_options(text)
end

-- ---- classes: metatables named slope.* with methods ------------------------------

-- The field names a metatable declares in __fields (a list, or names in one string).
local function fields_of(mt)
  local f = rawget(mt, "__fields")
  local out = {}
  if type(f) == "string" then
    for w in f:gmatch("[%a_][%w_]*") do out[#out + 1] = w end
  elseif type(f) == "table" then
    for _, w in ipairs(f) do out[#out + 1] = tostring(w) end
  end
  return out
end

-- Whether a help signature calls its function as a method ("x:norm(...)").
local function is_method_sig(sig)
  return (sig:match("^[^%(%{%s%[]*") or ""):find(":", 1, true) ~= nil
end
H.is_method_sig = is_method_sig

-- The methods of objects with metatable mt: {name, value} sorted by name; a
-- class's __methods may be its module table (LPeg's way), so functions whose
-- signature is not a method call (constructors) are left out.
local function methods_of(mt)
  local t = rawget(mt, "__methods")
  if type(t) ~= "table" then
    local idx = rawget(mt, "__index")
    t = type(idx) == "table" and idx or nil
  end
  local out = {}
  if t then
    for _, k in ipairs(sorted_keys(t)) do
      local v = rawget(t, k)
      local e = type(v) == "function" and db[v]
      if type(v) == "function" and (not e or is_method_sig(e.sig)) then
        out[#out + 1] = { name = k, value = v }
      end
    end
  end
  return out
end

-- The type entry of a metatable: keyed by the metatable, else by its name.
local function type_entry(mt)
  local e = db[mt]
  if e == nil and type(rawget(mt, "__name")) == "string" then e = db[rawget(mt, "__name")] end
  return e
end

-- classes() -> {{name=, mt=, entry=, methods=, fields=}}: every object type
-- slope registers (metatables in the registry under "slope.*") that has methods
-- or fields, sorted by name.
function H.classes()
  local reg = debug.getregistry()
  local out = {}
  for name, mt in pairs(reg) do
    if type(name) == "string" and name:sub(1, 6) == "slope." and type(mt) == "table"
      and rawget(mt, "__name") == name then
      local c = { name = name, mt = mt, entry = type_entry(mt), methods = methods_of(mt),
        fields = fields_of(mt) }
      if #c.methods > 0 or #c.fields > 0 or rawget(mt, "__index") ~= nil then out[#out + 1] = c end
    end
  end
  table.sort(out, function(a, b) return a.name < b.name end)
  return out
end

-- ---- text ---------------------------------------------------------------------------

local WIDTH = 88

-- Wrap words to WIDTH, each line starting with indent.
local function wrap(text, indent)
  local lines, line = {}, indent
  for word in text:gmatch("%S+") do
    if #line > #indent and #line + 1 + #word > WIDTH then
      lines[#lines + 1] = line
      line = indent .. word
    else
      line = line .. (#line > #indent and " " or "") .. word
    end
  end
  if #line > #indent then lines[#lines + 1] = line end
  return table.concat(lines, "\n")
end

-- The first sentence of a doc, cut to n characters at a word: a one-line description.
local function oneline(doc, n)
  local s = (doc or ""):gsub("%s+", " ")
  local i = 1
  while true do
    local j = s:find(". ", i, true)
    if not j then break end
    if not ABBREV[s:sub(1, j):match("(%S+)$"):gsub("^[%(%[]+", "")] then
      s = s:sub(1, j)
      break
    end
    i = j + 2
  end
  if utf8.len(s) and utf8.len(s) > n then
    s = s:sub(1, utf8.offset(s, n)):gsub("%s+%S*$", "") .. "…"
  end
  return s
end
H.oneline = oneline

local function add_options(lines, opts, indent, prefix)
  for _, o in ipairs(opts) do
    if o.name then
      local head = ("%s%s%s (%s)"):format(indent, prefix, o.name, o.what)
      lines[#lines + 1] = (wrap(head .. " " .. o.doc, indent):gsub("\n", "\n    "))
      if o.sub then add_options(lines, o.sub, indent .. "  ", prefix .. o.name .. ".") end
    else
      lines[#lines + 1] = wrap(o.doc, indent)
    end
  end
end

-- The help of one entry: signature, meaning, options one per line.
local function entry_lines(lines, e, indent)
  lines[#lines + 1] = indent .. e.sig
  local meaning, opts = H.split(e.doc, e.name)
  if meaning ~= "" then lines[#lines + 1] = wrap(meaning, indent .. "  ") end
  if opts then
    lines[#lines + 1] = indent .. "  Options:"
    add_options(lines, opts, indent .. "    ", "")
  end
end

local function entry_for(x)
  if x == nil then return nil end
  local e = db[x]
  if e then return e end
  if type(x) == "string" then
    return db[x] or db["slope." .. x]
  end
  local mt = getmetatable(x)
  if type(mt) == "table" then return type_entry(mt), mt end
  return nil
end

-- One line per member: its signature and, in a column, the first sentence of
-- its meaning (below the signature when the signature is long).
local SIGCOL = 38
local function member_line(lines, e, name, indent)
  if e == nil then
    lines[#lines + 1] = indent .. name
    return
  end
  local d = oneline(e.doc, WIDTH - SIGCOL)
  local sig = indent .. e.sig
  if utf8.len(sig) or #sig < SIGCOL - 1 then
    local pad = SIGCOL - (utf8.len(sig) or #sig)
    if pad >= 1 then
      lines[#lines + 1] = sig .. (" "):rep(pad) .. d
      return
    end
  end
  lines[#lines + 1] = sig
  lines[#lines + 1] = (" "):rep(SIGCOL) .. d
end

-- help() -> the list of modules, functions and values of slope, one line each.
local function overview()
  local lines = { "slope — numerical-optimization workbench." }
  local groups = { { "Modules:", "table" }, { "Functions:", "function" }, { "Values:", "other" } }
  for _, g in ipairs(groups) do
    local rows = {}
    for _, k in ipairs(sorted_keys(slope)) do
      local v = slope[k]
      local kind = (type(v) == "table" or type(v) == "function") and type(v) or "other"
      if kind == g[2] then
        local e = db[v] or db["slope." .. k]
        local d = e and e.doc ~= "" and e.doc or (kind == "other" and ("= " .. tostring(v))) or ""
        rows[#rows + 1] = ("  slope.%-12s %s"):format(k, oneline(d, WIDTH - 21))
      end
    end
    if #rows > 0 then
      lines[#lines + 1] = g[1]
      for _, r in ipairs(rows) do lines[#lines + 1] = r end
    end
  end
  lines[#lines + 1] = "help(x) for any function, module or object: help(slope.vec.zeros), ?slope.vec, ?x:norm"
  return table.concat(lines, "\n")
end

-- The members object x keeps for itself: the table in the user value its
-- metatable's __members numbers (a model objective's predict, layout, ...).
local function own_members(x, mt)
  local k = rawget(mt, "__members")
  if type(x) ~= "userdata" or math.type(k) ~= "integer" then return nil end
  local t = debug.getuservalue(x, k)
  return type(t) == "table" and t or nil
end

-- The fields and methods of objects with metatable mt (and those x has itself).
local function members(lines, mt, x)
  local fields, methods = fields_of(mt), methods_of(mt)
  local own = x and own_members(x, mt)
  if own then
    local known = {}
    for _, f in ipairs(fields) do known[f] = true end
    for _, m in ipairs(methods) do known[m.name] = true end
    for _, k in ipairs(sorted_keys(own)) do
      if not known[k] then
        local v = rawget(own, k)
        if type(v) == "function" then methods[#methods + 1] = { name = k, value = v }
        else fields[#fields + 1] = k end
      end
    end
    table.sort(methods, function(a, b) return a.name < b.name end)
  end
  if #fields > 0 then lines[#lines + 1] = wrap("Fields: " .. table.concat(fields, ", "), "  ") end
  if #methods > 0 then lines[#lines + 1] = "  Methods:" end
  for _, m in ipairs(methods) do member_line(lines, db[m.value], m.name, "    ") end
end

-- class_text(mt) -> what help(x) says of an object x with metatable mt.
function H.class_text(mt)
  local lines = {}
  local e = type_entry(mt)
  if e then entry_lines(lines, e, "") end
  members(lines, mt)
  return table.concat(lines, "\n")
end

-- help(x) -> string: signature and meaning; for a module its functions, for an
-- object its methods and fields.
local function helptext(x)
  if x == nil then return overview() end
  local e, mt = entry_for(x)
  local lines = {}
  if e then entry_lines(lines, e, "") end
  if type(x) == "table" and not mt then
    local subs = {}
    for _, k in ipairs(sorted_keys(x)) do
      local v = rawget(x, k)
      local me = db[v]
      if type(v) == "function" then
        member_line(lines, me, k, "  ")
      elseif type(v) == "table" then
        subs[#subs + 1] = ("  .%-35s %s"):format(k, me and oneline(me.doc, WIDTH - 39) or "")
      end
    end
    if #subs > 0 then
      lines[#lines + 1] = "Submodules:"
      for _, s in ipairs(subs) do lines[#lines + 1] = s end
    end
  elseif mt then
    members(lines, mt, x)
  end
  if #lines == 0 then
    return "no help for " .. tostring(x)
  end
  return table.concat(lines, "\n")
end

slope._doc(helptext, "slope.helptext", "slope.helptext([x]) -> string",
  "The help text help(x) prints, as a string.")
slope.helptext = helptext

local function help(x)
  print(helptext(x))
end
slope._doc(help, "help", "help([x])",
  "Print the signature and meaning of a slope function, module or object (its methods and "
  .. "fields); help() lists the modules. At the REPL, ?name does the same.")
slope.help = help

for k, d in pairs(MODULE_DOCS) do
  local t = slope[k]
  if type(t) == "table" and db[t] == nil then slope._doc(t, "slope." .. k, "slope." .. k, d) end
end
if db["slope.version"] == nil and type(slope.version) == "string" then
  db["slope.version"] = { name = "slope.version", sig = "slope.version",
    doc = "The version string (\"" .. slope.version .. "\")." }
end

slope._help = H

-- The interpreter calls this to make help() a global; require"slope" does not.
function slope._install_globals()
  _G.help = help
end
