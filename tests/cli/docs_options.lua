-- docs_options.lua API.md — the reference names every option the Lua library
-- accepts (each slope._args schema, under its function's entry), and gendoc
-- renders a doc's "Options: ..." list as a nested list. Prints one "FAIL: ..."
-- line per problem and exits 1 when there is any.
-- (Options of C functions are recorded by sl_checkkeys when they are called: the
-- Lua test run checks those, tests/lua/zz_options_doc_spec.lua.)
local slope = require "slope"
local A = slope._args
local path = arg[1] or "docs/API.md"
local fails = 0
local function fail(msg)
  fails = fails + 1
  print("FAIL: " .. msg)
end

local f = assert(io.open(path, "r"))
local api = f:read("a")
f:close()

-- The entry of fname: its list item and the lines indented under it.
local function entry_of(text, fname)
  local plain = "\n- **`" .. fname
  local i = text:find(plain, 1, true)
  while i do
    local after = text:sub(i + #plain, i + #plain)
    if after:match("[^%w_]") then break end -- not a longer name (lr_find vs lr_find_x)
    i = text:find(plain, i + 1, true)
  end
  if not i then return nil end
  local j = text:find("\n[^ ]", i + 1) or #text
  return text:sub(i, j)
end

local names = {}
for fname in pairs(A.registry) do names[#names + 1] = fname end
table.sort(names)
for _, fname in ipairs(names) do
  local e = entry_of(api, fname)
  if not e then
    fail(path .. " has no entry for " .. fname)
  else
    local missing = {}
    for _, o in ipairs(A.registry[fname].list) do
      if not e:find("%f[%w_]" .. o.name:gsub("%p", "%%%0") .. "%f[^%w_]") then
        missing[#missing + 1] = o.name
      end
    end
    if #missing > 0 then
      fail(path .. ": " .. fname .. " lacks options: " .. table.concat(missing, ", "))
    end
  end
end

-- gendoc renders an option list (nested options included) as a nested list
local spec = { list = {
  { name = "steps", type = A.positive, doc = "how many steps, e.g. 100", default = 10 },
  { name = "stop", type = { what = "a table of options", spec = { list = {
    { name = "patience", type = A.boolean, doc = "evaluations to wait" } } } }, doc = "stop early" },
} }
local fake = function() end
slope._doc(fake, "slope.zz_docs_fake", "slope.zz_docs_fake{...} -> nothing",
  "A function for this test. " .. A.doc(spec) .. " Then a last sentence.")
slope.zz_docs_fake = fake
local buf = {}
local write = io.write
-- luacheck: push ignore 122
io.write = function(...) for _, s in ipairs({ ... }) do buf[#buf + 1] = tostring(s) end end
local ok, err = pcall(dofile, "scripts/gendoc.lua")
io.write = write
-- luacheck: pop
slope.zz_docs_fake = nil
if not ok then
  fail("gendoc.lua: " .. tostring(err))
else
  local text = table.concat(buf)
  local want = table.concat({
    "- **`slope.zz_docs_fake{...} -> nothing`** — A function for this test. Then a last sentence.",
    "  - Options:",
    "    - `steps` (a positive number, default 10): how many steps, e.g. 100",
    "    - `stop` (a table of options): stop early",
    "      - `patience` (a boolean): evaluations to wait",
  }, "\n")
  if not text:find(want, 1, true) then
    fail("gendoc does not render options as a nested list; wanted\n" .. want .. "\ngot\n"
      .. (entry_of(text, "slope.zz_docs_fake") or "(no entry)"))
  end
end

print(fails == 0 and "docs options: ok" or ("docs options: " .. fails .. " problems"))
os.exit(fails == 0 and 0 or 1)
