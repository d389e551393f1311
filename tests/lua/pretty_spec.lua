-- pretty_spec.lua — slope.pretty, the REPL's printer.
local slope = require "slope"
local check = check
local p = slope.pretty
local ESC = string.char(27)

describe("slope.pretty", function()
  it("prints scalars like Lua, strings quoted and escaped", function()
    check.eq(p(42), "42")
    check.eq(p(1.5), "1.5")
    check.eq(p(2.0), "2.0")
    check.eq(p(0 / 0), "nan")
    check.eq(p(-math.huge), "-inf")
    check.eq(p(true), "true")
    check.eq(p(nil), "nil")
    check.eq(p("a\"b\n\0"), [["a\"b\n\000"]])
  end)

  it("sorts keys: array part, then numbers, strings, booleans", function()
    check.eq(p({ 10, 20, b = 1, a = 2, [2.5] = 3, [true] = 4 }),
      "{10, 20, [2.5] = 3, a = 2, b = 1, [true] = 4}")
  end)

  it("brackets keys that are not identifiers", function()
    check.eq(p({ ["end"] = 1, ["a b"] = 2, [""] = 3 }), '{[""] = 3, ["a b"] = 2, ["end"] = 1}')
  end)

  it("prints an empty table and nested tables inline when they fit", function()
    check.eq(p({}), "{}")
    check.eq(p({ x = { y = { 1, 2 } } }), "{x = {y = {1, 2}}}")
  end)

  it("indents nested tables that do not fit the width", function()
    local s = p({ alpha = { 1, 2, 3 }, beta = { gamma = "a long string value" } }, { width = 40 })
    check.eq(s, '{\n  alpha = {1, 2, 3},\n  beta = {gamma = "a long string value"}\n}')
    s = p({ alpha = { 1, 2, 3 }, beta = { gamma = "a long string value" } }, { width = 39 })
    check.eq(s, '{\n  alpha = {1, 2, 3},\n  beta = {\n    gamma = "a long string value"\n  }\n}')
  end)

  it("fills lines with the items of a long array", function()
    local t = {}
    for i = 1, 30 do t[i] = i end
    local s = p(t, { width = 40 })
    check.truthy(s:find("^{\n  1, 2, 3, 4,"), s)
    for line in s:gmatch("[^\n]+") do check.truthy(#line <= 40, "line too long: " .. line) end
  end)

  it("marks cycles", function()
    local t = { name = "t" }
    t.self = t
    check.eq(p(t), '{name = "t", self = <cycle>}')
  end)

  it("prints a shared (non-cyclic) table twice", function()
    local s = { 1 }
    check.eq(p({ s, s }), "{{1}, {1}}")
  end)

  it("truncates long tables, deep nesting and long strings with …", function()
    local t = {}
    for i = 1, 100 do t[i] = i end
    check.truthy(p(t):find("… (50 more)", 1, true), p(t))
    check.truthy(p(t, { items = 10 }):find("… (90 more)", 1, true))
    check.eq(p({ a = { b = { c = 1 } } }, { depth = 2 }), "{a = {b = {…}}}")
    check.eq(p(("x"):rep(10), { strlen = 4 }), '"xxxx…"')
  end)

  it("shows vectors with their entries, long ones cut", function()
    check.eq(p(slope.vec { 1, 2.5, 3 }), "vec[3]{1, 2.5, 3}")
    local s = p(slope.vec.zeros(100))
    check.truthy(s:find("^vec%[100%]{0, 0, 0, 0, 0, 0, 0, 0, … %(89 more%), 0, 0, 0}$"), s)
  end)

  it("uses __tostring for objects and help signatures for functions", function()
    local obj = setmetatable({}, { __tostring = function() return "OBJ" end })
    check.eq(p({ obj }), "{OBJ}")
    check.eq(p(slope.vec.zeros), "function slope.vec.zeros(n) -> vec")
    check.truthy(p(function() end):find("^function: "))
  end)

  it("survives a failing __tostring", function()
    local bad = setmetatable({}, { __tostring = function() error("nope") end })
    check.truthy(p(bad):find("__tostring failed", 1, true))
  end)

  it("colours numbers, strings and keys only when asked", function()
    check.truthy(not p({ a = 1, b = "s" }):find(ESC, 1, true))
    local c = p({ a = 1, b = "s" }, { color = true })
    check.truthy(c:find(ESC .. "[36m1", 1, true), "number colour")
    check.truthy(c:find(ESC .. '[32m"s"', 1, true), "string colour")
    check.truthy(c:find(ESC .. "[34ma", 1, true), "key colour")
  end)

  it("measures width without colour codes", function()
    local t = { 1, 2, 3, 4, 5, 6, 7, 8 }
    check.eq(p(t, { color = true, width = 30 }):find("\n"), nil)
  end)

  it("rejects bad options", function()
    check.errors(function() p(1, 5) end, "slope.pretty: opts must be a table, got number")
    check.errors(function() p(1, { colour = true }) end, "slope.pretty: unknown option 'colour'")
    check.errors(function() p(1, { width = 0 }) end, "slope.pretty: width must be a positive integer, got 0")
    check.errors(function() p(1, { depth = 1.5 }) end, "slope.pretty: depth must be a positive integer")
    check.errors(function() p(1, { color = "yes" }) end, "slope.pretty: color must be a boolean, got string")
    check.errors(function() p(1, { indent = 2 }) end, "slope.pretty: indent must be a string, got number")
  end)
end)
