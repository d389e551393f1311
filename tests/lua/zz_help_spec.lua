-- zz_help_spec.lua — every Lua-facing function has help: each function and module
-- reachable from slope.* (names starting with "_" are private), and each method
-- and declared field of every object type (the metatables registered as
-- "slope.*"), has a help entry whose meaning says more than its signature; help()
-- gives every module a description and help(x) lists an object's methods. Named
-- zz_ so that it runs after the other specs, once every Lua part is loaded.
local db = slope._helpdb
local H = slope._help

-- Names exempt from the checks below ("slope.x: fields", "slope.x: methods" or a
-- function's name). Empty, and it should stay so: give the function help instead
-- (sl_reg's doc in C, slope._doc in Lua), and a type __methods/__fields.
local KNOWN_MISSING = {}

local function trim(s) return (tostring(s or ""):gsub("^%s+", ""):gsub("%s+$", "")) end

-- a help entry that says something: a meaning that is not its signature or name
local function check_entry(e, name)
  check.truthy(e, name .. " has no help entry (sl_reg doc in C, slope._doc in Lua)")
  local doc = trim(e.doc)
  check.truthy(doc ~= "", name .. " has an empty doc")
  check.truthy(doc ~= trim(e.sig) and doc ~= name and doc ~= trim(e.name),
    name .. ": the doc only repeats the signature")
end

local function sorted_keys(t)
  local ks = {}
  for k in pairs(t) do if type(k) == "string" and k:sub(1, 1) ~= "_" then ks[#ks + 1] = k end end
  table.sort(ks)
  return ks
end

-- ---- slope.* ----------------------------------------------------------------------

local functions, modules, values = {}, {}, {}
local seen = {}
local function walk(prefix, t)
  seen[t] = true
  for _, k in ipairs(sorted_keys(t)) do
    local v, name = rawget(t, k), prefix .. "." .. k
    if type(v) == "function" then
      functions[#functions + 1] = { name = name, value = v }
    elseif type(v) == "table" then
      if not seen[v] then
        modules[#modules + 1] = { name = name, value = v }
        walk(name, v)
      end
    else
      values[#values + 1] = { name = name, value = v }
    end
  end
end
walk("slope", slope)

describe("every function under slope has help", function()
  it("finds the library (walk sanity)", function()
    check.truthy(#functions > 100, "only " .. #functions .. " functions found")
    check.truthy(#modules > 10, "only " .. #modules .. " modules found")
  end)
  for _, f in ipairs(functions) do
    if not KNOWN_MISSING[f.name] then
      it(f.name, function() check_entry(db[f.value], f.name) end)
    end
  end
  for _, m in ipairs(modules) do
    if not KNOWN_MISSING[m.name] then
      it(m.name .. " (module)", function() check_entry(db[m.value], m.name) end)
    end
  end
  for _, v in ipairs(values) do
    if not KNOWN_MISSING[v.name] then
      it(v.name .. " (value)", function() check_entry(db[v.name], v.name) end)
    end
  end
end)

describe("every help entry of slope says something", function()
  -- methods objects keep themselves (f:minimizer) are reached through no table
  local names = {}
  for k, e in pairs(db) do
    if type(k) == "string" and k:sub(1, 6) == "slope." and type(e) == "table" and e.name == k then
      names[#names + 1] = k
    end
  end
  table.sort(names)
  it("finds the entries (sanity)", function() check.truthy(#names > 100, #names .. " entries") end)
  for _, k in ipairs(names) do
    if not KNOWN_MISSING[k] then it(k .. " (entry)", function() check_entry(db[k], k) end) end
  end
end)

describe("help() describes every module", function()
  it("each line of the overview has a description", function()
    local text = slope.helptext()
    local n = 0
    for line in text:gmatch("[^\n]+") do
      local name, desc = line:match("^  (slope%.[%w_]+)%s*(.*)$")
      if name then
        n = n + 1
        check.truthy(desc ~= "", "help(): no description for " .. name)
      end
    end
    check.eq(n, #sorted_keys(slope), "help() lists every public name of slope")
  end)
  it("a module's help lists its functions with their meaning", function()
    local text = slope.helptext(slope.vec)
    check.truthy(text:find("slope.vec.zeros(n) -> vec", 1, true), text)
    check.truthy(text:find("A vector of n zeros.", 1, true), text)
  end)
end)

-- ---- object types ---------------------------------------------------------------------

-- Every metatable registered as "slope.*" that objects index into (internal
-- guards without __index are not user-facing).
local classes = {}
for name, mt in pairs(debug.getregistry()) do
  if type(name) == "string" and name:sub(1, 6) == "slope." and type(mt) == "table"
    and rawget(mt, "__name") == name and rawget(mt, "__index") ~= nil then
    classes[#classes + 1] = { name = name, mt = mt }
  end
end
table.sort(classes, function(a, b) return a.name < b.name end)

-- The methods a class offers: its __methods (or __index) table's functions,
-- constructors left out (their signature is not a method call).
local function methods_of(mt)
  local t = rawget(mt, "__methods")
  if type(t) ~= "table" and type(rawget(mt, "__index")) == "table" then t = rawget(mt, "__index") end
  local out = {}
  if type(t) ~= "table" then return out, false end
  for _, k in ipairs(sorted_keys(t)) do
    local v = rawget(t, k)
    if type(v) == "function" and not (db[v] and not H.is_method_sig(db[v].sig)) then
      out[#out + 1] = { name = k, value = v }
    end
  end
  return out, true
end

local function fields_of(mt)
  local f, out = rawget(mt, "__fields"), {}
  if type(f) == "string" then
    for w in f:gmatch("[%a_][%w_]*") do out[w] = true end
  elseif type(f) == "table" then
    for _, w in ipairs(f) do out[w] = true end
  end
  return out
end

describe("every object type has help for its methods and fields", function()
  it("finds the object types (registry sanity)", function()
    check.truthy(#classes >= 8, "only " .. #classes .. " object types found")
  end)
  for _, c in ipairs(classes) do
    local mt = c.mt
    local methods, listed = methods_of(mt)
    it(c.name .. " (type help)", function()
      check_entry(db[mt] or db[c.name], c.name)
    end)
    if not KNOWN_MISSING[c.name .. ": methods"] then
      it(c.name .. " lists its methods (a __methods table)", function()
        check.truthy(listed or type(rawget(mt, "__index")) == "table",
          c.name .. ": methods reachable only through an __index function; give the metatable "
          .. "a __methods table so completion and help can list them")
      end)
    end
    for _, m in ipairs(methods) do
      it(c.name .. ":" .. m.name, function() check_entry(db[m.value], c.name .. ":" .. m.name) end)
    end
    it("help of a " .. c.name .. " lists its methods with their meaning", function()
      local text = H.class_text(mt)
      for _, m in ipairs(methods) do
        local e = db[m.value]
        if e then
          check.truthy(text:find(e.sig, 1, true), c.name .. ": help lacks " .. e.sig .. "\n" .. text)
          local first = H.oneline(e.doc, 40):gsub("…$", "")
          check.truthy(text:find(first, 1, true), c.name .. ": help lacks the meaning of " .. m.name)
        end
      end
    end)
    if type(rawget(mt, "__index")) == "function" and not KNOWN_MISSING[c.name .. ": fields"] then
      -- fields the type help names as `v.name` must be declared for completion and help
      it(c.name .. " declares the fields its help names (__fields)", function()
        local e = db[mt] or db[c.name]
        local doc = e and (e.sig .. " " .. e.doc) or ""
        local vars = {}
        for v in doc:gmatch("([%a_][%w_]*):[%a_]") do vars[v] = true end
        for _, m in ipairs(methods) do
          local v = db[m.value] and db[m.value].sig:match("^([%a_][%w_]*):")
          if v then vars[v] = true end
        end
        local declared, names = fields_of(mt), {}
        for _, m in ipairs(methods) do names[m.name] = true end
        local missing, reported = {}, {}
        for v, f in doc:gmatch("%f[%w_]([%a_][%w_]*)%.([%a_][%w_]*)") do
          if vars[v] and not names[f] and not declared[f] and not reported[f] then
            reported[f] = true
            missing[#missing + 1] = f
          end
        end
        -- objects with members of their own (__members) may name fields only some have
        if rawget(mt, "__members") ~= nil and next(declared) ~= nil then missing = {} end
        check.truthy(#missing == 0, c.name .. ": fields named in its help but not in the "
          .. "metatable's __fields: " .. table.concat(missing, ", "))
      end)
    end
  end
end)

describe("help text rendering", function()
  it("splits a doc into meaning and an option list", function()
    local meaning, opts = H.split(
      "Does a thing. Options: steps (integer, default 10) how many; es (table) stop early "
      .. "{patience (integer, default 5) evaluations; min_delta (number) gain}. Then more.")
    check.eq(meaning, "Does a thing. Then more.")
    check.eq(#opts, 2)
    check.eq(opts[1].name, "steps")
    check.eq(opts[1].what, "integer, default 10")
    check.eq(opts[1].doc, "how many")
    check.eq(opts[2].name, "es")
    check.eq(#opts[2].sub, 2)
    check.eq(opts[2].sub[1].name, "patience")
    check.eq(opts[2].sub[2].doc, "gain")
  end)
  it("reads the options of a slope._args schema from the schema", function()
    local A = slope._args
    local spec = A.spec("slope.zz_help_fake", {
      { "smooth", A.range(0, 1, "a number in [0, 1)"), "EMA factor, e.g. 0.9", 0.98 },
      { "steps", A.positive, "how many", 10 },
    })
    local f = slope._doc(function() end, "slope.zz_help_fake", "slope.zz_help_fake{...}",
      "A test. " .. A.doc(spec) .. " More.")
    local meaning, opts = H.split(slope._helpdb[f].doc, "slope.zz_help_fake")
    check.eq(meaning, "A test. More.")
    check.eq(#opts, 2)
    check.eq(opts[1].name, "smooth")
    check.eq(opts[1].doc, "EMA factor, e.g. 0.9")
    check.eq(opts[2].what, "a positive number, default 10")
    local text = slope.helptext(f)
    check.truthy(text:find("\n    steps (a positive number, default 10) how many", 1, true), text)
  end)
  it("help of a function lists its options one per line", function()
    local f = slope._doc(function() end, "test.f", "test.f{...}",
      "A test. Options: a (number, default 1) first; b (string) second.")
    local text = slope.helptext(f)
    check.truthy(text:find("\n  Options:\n    a (number, default 1) first\n    b (string) second", 1, true), text)
  end)
  it("help of an object lists the members it keeps itself (__members)", function()
    local text = slope.helptext(slope.obj.rosenbrock(2))
    check.truthy(text:find("f:minimizer(", 1, true), text)
    check.truthy(text:find("fmin", 1, true), text)
  end)
  it("help of an object lists its declared fields", function()
    local text = slope.helptext(slope.obj.rosenbrock(2))
    check.truthy(text:find("Fields: dim, n, name, exact_hvp", 1, true), text)
    check.truthy(text:find("f:value(x) -> number", 1, true), text)
    check.truthy(not text:find("slope.obj.rosenbrock", 1, true), "constructors are not methods:\n" .. text)
  end)
end)
