-- run.lua — a small busted-style runner: describe/it/before_each, assertions,
-- and the closing line "N passed, N failed".
-- usage: slope tests/lua/run.lua tests/lua/*_spec.lua
--    or: lua5.4 tests/lua/run.lua ... (with build/ on package.cpath)
local slope = require "slope"

local passed, failed, failures = 0, 0, {}
local stack, befores = {}, {}

local function fullname(name)
  local parts = {}
  for _, s in ipairs(stack) do parts[#parts + 1] = s end
  parts[#parts + 1] = name
  return table.concat(parts, " ")
end

function describe(name, body)
  stack[#stack + 1] = name
  befores[#befores + 1] = false
  body()
  befores[#befores] = nil
  stack[#stack] = nil
end

function before_each(fn) befores[#befores] = fn end

function it(name, body)
  for _, b in ipairs(befores) do if b then b() end end
  local ok, err = xpcall(body, debug.traceback)
  if ok then
    passed = passed + 1
  else
    failed = failed + 1
    failures[#failures + 1] = fullname(name) .. "\n    " .. tostring(err):gsub("\n", "\n    ")
  end
end

-- assertions --------------------------------------------------------------

local check = {}

function check.eq(a, b, msg)
  if a ~= b then error((msg or "values differ") .. ": expected " .. tostring(b) .. ", got " .. tostring(a), 2) end
end

function check.near(a, b, tol, msg)
  tol = tol or 1e-12
  local scale = math.max(1, math.abs(b))
  if not (math.abs(a - b) <= tol * scale) then
    error(("%s: expected %.17g, got %.17g (tol %g)"):format(msg or "not near", b, a, tol), 2)
  end
end

function check.truthy(v, msg)
  if not v then error(msg or "expected a true value", 2) end
end

-- check.errors(fn, pattern): fn must raise an error whose message contains pattern (plain).
function check.errors(fn, pattern, ...)
  local ok, err = pcall(fn, ...)
  if ok then error("expected an error matching '" .. tostring(pattern) .. "', got none", 2) end
  err = tostring(err)
  if pattern and not err:find(pattern, 1, true) then
    error("error '" .. err .. "' does not contain '" .. pattern .. "'", 2)
  end
  return err
end

-- vectors equal entry by entry (within tol)
function check.veq(v, t, tol, msg)
  tol = tol or 0
  local n = type(t) == "table" and #t or #t
  if #v ~= n then error((msg or "vec") .. ": length " .. #v .. " vs " .. n, 2) end
  for i = 1, n do
    local a, b = v[i], t[i]
    if not (math.abs(a - b) <= tol * math.max(1, math.abs(b))) then
      error(("%s: entry %d: expected %.17g, got %.17g"):format(msg or "vec", i, b, a), 2)
    end
  end
end

_G.check = check
_G.slope = slope

-- run ------------------------------------------------------------------------

for i = 1, #arg do
  local path = arg[i]
  local chunk, err = loadfile(path)
  if not chunk then
    failed = failed + 1
    failures[#failures + 1] = path .. ": " .. err
  else
    stack = { (path:match("([^/]+)%.lua$") or path) .. ":" }
    local ok, e = xpcall(chunk, debug.traceback)
    if not ok then
      failed = failed + 1
      failures[#failures + 1] = path .. " (top level): " .. tostring(e)
    end
  end
end

for _, f in ipairs(failures) do io.stderr:write("FAIL ", f, "\n") end
print(("%d passed, %d failed"):format(passed, failed))
os.exit(failed == 0 and 0 or 1)
