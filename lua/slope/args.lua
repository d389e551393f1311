-- args.lua — slope._args: the one argument checker of slope's Lua library.
-- train, probe, lr_find and checkpoint declare their options as a schema (name,
-- type, meaning, default); this file checks a table against it before any work
-- starts, raises errors that name the function and the option and point at the
-- user's line, and turns the same schema into the option list of the help text
-- and docs/API.md, so the reference cannot leave an accepted option out.
--
--   local A = slope._args
--   local SPEC = A.spec("slope.lr_find", {
--     { "min_lr", A.positive, "smallest rate tried", 1e-7 },
--     { "rng", A.rng, "random stream for minibatches" },
--   })
--   local o = A.options(SPEC, opts)   -- a new table: checked values and defaults
local slope = ...

local A = {}

-- the user's level: the first Lua frame that is not slope's own library code --------

local function is_library(src)
  return src == "=[C]" or src:sub(1, 11) == "@lua/slope/"
end

-- The stack level (as error() counts it, from the caller of A.level) of the first
-- function outside slope's Lua library, so "file:line:" names the user's line.
function A.level()
  local level = 2
  while true do
    local info = debug.getinfo(level + 1, "S")
    if info == nil then return 0 end -- no user frame (a coroutine): no position
    if not is_library(info.source) then return level end
    level = level + 1
  end
end

function A.fail(fname, fmt, ...)
  local n, args = select("#", ...), { ... }
  for i = 1, n do -- nil and NaN shown as slope shows them, not as format errors or "-nan"
    local v = args[i]
    if v == nil or (type(v) == "number" and v ~= v) then args[i] = A.show(v) end
  end
  local text = n > 0 and fmt:gsub("%%d", "%%s"):format(table.unpack(args, 1, n)) or fmt
  error(fname .. ": " .. text, A.level())
end

-- A value as a message shows it: numbers exactly (no "-nan", no "-0.00e+00"),
-- strings quoted, objects by their type name.
function A.show(v)
  local t = type(v)
  if t == "number" then
    if v ~= v then return "nan" end
    if v == math.huge then return "inf" elseif v == -math.huge then return "-inf" end
    if math.type(v) == "integer" then return tostring(v) end
    if v == 0 then return "0.0" end
    for prec = 1, 17 do
      local s = ("%." .. prec .. "g"):format(v)
      if tonumber(s) == v then
        if not s:find("[%.eEn]") then s = s .. ".0" end
        return s
      end
    end
    return ("%.17g"):format(v)
  elseif t == "string" then
    return (("%q"):format(v):gsub("\\\n", "\\n"))
  elseif t == "userdata" or t == "table" then
    local mt = getmetatable(v)
    local name = type(mt) == "table" and rawget(mt, "__name")
    if type(name) == "string" then return "a " .. name end
    return "a " .. t
  elseif t == "function" then
    return "a function"
  end
  return tostring(v)
end

local registry = {}
A.registry = registry -- fname -> its top-level spec, for the docs test and gendoc

-- types: { what = "a positive integer", check = function(v) -> ok, value, hint } ------

local function finite(v) return type(v) == "number" and v == v and v > -math.huge and v < math.huge end

local function numtype(what, cond)
  return { what = what, check = function(v) return finite(v) and cond(v), v end }
end

A.number = numtype("a finite number", function() return true end)
A.positive = numtype("a positive number", function(v) return v > 0 end)
A.nonneg = numtype("a non-negative number", function(v) return v >= 0 end)
A.posint = numtype("a positive integer", function(v) return math.type(v) == "integer" and v >= 1 end)
A.nonnegint = numtype("a non-negative integer", function(v) return math.type(v) == "integer" and v >= 0 end)
A.unit = numtype("a number in [0, 1)", function(v) return v >= 0 and v < 1 end)
function A.range(lo, hi, what)
  return numtype(what or ("a number in [" .. A.show(lo) .. ", " .. A.show(hi) .. "]"),
    function(v) return v >= lo and v <= hi end)
end
function A.above(lo, what)
  return numtype(what or ("a number > " .. A.show(lo)), function(v) return v > lo end)
end
function A.intabove(lo, what)
  return numtype(what or ("an integer >= " .. lo), function(v) return math.type(v) == "integer" and v >= lo end)
end

A.boolean = { what = "a boolean", check = function(v) return type(v) == "boolean", v end }
A.string = { what = "a string", check = function(v) return type(v) == "string", v end }
A.func = { what = "a function", check = function(v) return type(v) == "function", v end }
A.table = { what = "a table", check = function(v) return type(v) == "table", v end }
A.any = { what = "any value", check = function(v) return true, v end }

local function named(v, name)
  local mt = getmetatable(v)
  return type(mt) == "table" and rawget(mt, "__name") == name
end
A.is = named

A.rng = { what = "a slope.rng (e.g. slope.rng(42))", check = function(v)
  if named(v, "slope.rng") then return true, v end
  if math.type(v) == "integer" then return false, nil, " (a seed? write rng = slope.rng(" .. v .. "))" end
  return false
end }

-- a vec, or a table of numbers turned into one
A.vec = { what = "a vec or a table of numbers", check = function(v)
  if named(v, "slope.vec") then return true, v end
  if type(v) == "table" and getmetatable(v) == nil then
    for i = 1, #v do if type(v[i]) ~= "number" then return false end end
    if next(v) ~= nil and #v == 0 then return false end
    return true, slope.vec(v)
  end
  return false
end }

A.objective = { what = "an objective (slope.obj.*)", check = function(v)
  if named(v, "slope.obj") then
    if v.dim == nil then return false, nil, " that is closed (by f:close() or the end of its <close> scope)" end
    return true, v
  end
  if type(v) == "function" then
    return false, nil, " (a constructor such as slope.obj.rosenbrock must be called; a Lua function "
      .. "of x becomes an objective with slope.obj.lua{dim = n, value = f})"
  end
  return false
end }

A.optimizer = { what = "an optimizer (slope.optim.*)", check = function(v)
  if named(v, "slope.optim") then return true, v end
  if type(v) == "function" then return false, nil, " (a constructor? call it: slope.optim.adam{lr = 1e-3})" end
  return false
end }

-- A schedule object, or a plain function of the step (torch's LambdaLR), made callable.
A.schedule = { what = "a schedule (slope.schedule.*) or a function of the step", check = function(v)
  if named(v, "slope.schedule") or named(v, "slope.schedule.plateau") then return true, v end
  if type(v) == "function" then return true, v end
  return false
end }

-- one of a few strings
function A.oneof(...)
  local set, list = {}, { ... }
  for _, s in ipairs(list) do set[s] = true end
  local quoted = {}
  for i, s in ipairs(list) do quoted[i] = '"' .. s .. '"' end
  return { what = "one of " .. table.concat(quoted, ", "), values = list,
    check = function(v) return set[v] == true, v end }
end

-- a list (array table) of values of one type
function A.listof(t, what)
  return { what = what or ("a list of " .. t.what), item = t, check = function(v)
    if type(v) ~= "table" or getmetatable(v) ~= nil then return false end
    local out = {}
    for k in pairs(v) do
      if math.type(k) ~= "integer" or k < 1 or k > #v then return false, nil, " (a list, not a table with keys)" end
    end
    for i = 1, #v do
      local ok, nv, hint = t.check(v[i])
      if not ok then
        return false, nil, (" (entry %d is %s; expected %s%s)"):format(i, A.show(v[i]), t.what, hint or "")
      end
      out[i] = nv
    end
    return true, out
  end }
end

-- the first of several types that accepts the value
function A.either(...)
  local ts = { ... }
  local whats = {}
  for i, t in ipairs(ts) do whats[i] = t.what end
  return { what = table.concat(whats, " or "), check = function(v)
    local hint
    for _, t in ipairs(ts) do
      local ok, nv, h = t.check(v)
      if ok then return true, nv end
      hint = hint or h
    end
    return false, nil, hint
  end }
end

-- a nested options table checked against its own schema (unknown keys refused too)
function A.fields(spec, what)
  -- a nested schema is documented inside its parent's: the parent (made after it)
  -- is the function's registered schema
  if registry[spec.fname] == spec then registry[spec.fname] = nil end
  return { what = what or "a table of options", spec = spec, check = function(v, _, key)
    if type(v) ~= "table" or getmetatable(v) ~= nil then return false end
    return true, A.options(spec, v, key)
  end }
end

-- schemas --------------------------------------------------------------------------


-- spec(fname, { {name, type, doc, default[, required=true]}, ... }) -> spec
function A.spec(fname, list)
  local s = { fname = fname, list = {}, byname = {} }
  for _, e in ipairs(list) do
    local o = { name = e[1], type = e[2], doc = e[3], default = e[4], required = e.required }
    assert(type(o.name) == "string" and type(o.type) == "table" and o.type.check, "bad schema entry")
    s.list[#s.list + 1] = o
    s.byname[o.name] = o
  end
  if registry[fname] == nil then registry[fname] = s end
  return s
end

local function names_of(spec)
  local ns = {}
  for _, o in ipairs(spec.list) do ns[#ns + 1] = o.name end
  table.sort(ns)
  return table.concat(ns, ", ")
end

-- options(spec, t[, prefix]) -> a new table with every option checked and defaults
-- filled in. prefix names a nested table in messages ("early_stopping.patience").
function A.options(spec, t, prefix)
  local fname = spec.fname
  local label = prefix and (prefix .. ".") or ""
  if t == nil then t = {} end
  if type(t) ~= "table" or getmetatable(t) ~= nil then
    A.fail(fname, "%s must be a table of options, got %s", prefix or "options", A.show(t))
  end
  for k, v in pairs(t) do
    if math.type(k) == "integer" then
      A.fail(fname, "positional value %s in %s: options are named (key = value; expected one of: %s)",
        A.show(v), prefix or "the options", names_of(spec))
    elseif not spec.byname[k] then
      A.fail(fname, "unknown option '%s%s' (expected one of: %s)", label, tostring(k), names_of(spec))
    end
  end
  local out = {}
  for _, o in ipairs(spec.list) do
    local v = t[o.name]
    if v == nil then
      if o.required then A.fail(fname, "%s%s is required (%s)", label, o.name, o.type.what) end
      out[o.name] = o.default
    else
      local ok, nv, hint = o.type.check(v, fname, label .. o.name)
      if not ok then
        A.fail(fname, "%s%s must be %s, got %s%s", label, o.name, o.type.what, A.show(v), hint or "")
      end
      out[o.name] = nv
    end
  end
  return out
end

-- doc(spec) -> "Options: name (type[, default d]) meaning; ..." for help text.
function A.doc(spec)
  local parts = {}
  for _, o in ipairs(spec.list) do
    local d = o.default
    local extra = ""
    if o.required then extra = ", required"
    elseif d ~= nil and type(d) ~= "table" then extra = ", default " .. A.show(d) end
    local sub = ""
    if o.type.spec then sub = " {" .. A.doc(o.type.spec):gsub("^Options: ", ""):gsub("%.$", "") .. "}" end
    parts[#parts + 1] = ("%s (%s%s) %s%s"):format(o.name, o.type.what, extra, o.doc or "", sub)
  end
  return "Options: " .. table.concat(parts, "; ") .. "."
end

slope._args = A
return nil
