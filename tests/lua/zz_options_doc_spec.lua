-- zz_options_doc_spec.lua — runs after every other spec in the same process: each
-- option a function accepted during the tests (the C side's sl_checkkeys lists
-- and the Lua side's slope._args schemas) must be named in that function's help
-- text, which is also what docs/API.md is generated from.
local db = slope._helpdb

local function helptext(fname)
  local e = db[fname]
  if e == nil then return nil end
  return (e.sig or "") .. "\n" .. (e.doc or "")
end

local function mentions(text, key)
  -- the key as a word: "lr", "lr=", "lr (", "{lr", not inside "max_lr"
  return text:find("%f[%w_]" .. key:gsub("%p", "%%%0") .. "%f[^%w_]") ~= nil
end

local function check_all(lists, what)
  local names = {}
  for fname in pairs(lists) do names[#names + 1] = fname end
  table.sort(names)
  for _, fname in ipairs(names) do
    local keys = lists[fname]
    it(fname .. " documents every option (" .. what .. ")", function()
      local text = helptext(fname)
      check.truthy(text, fname .. " has no help entry")
      local missing = {}
      for _, k in ipairs(keys) do
        if not mentions(text, k) then missing[#missing + 1] = k end
      end
      check.truthy(#missing == 0, fname .. ": options missing from its help: " .. table.concat(missing, ", "))
    end)
  end
end

describe("every accepted option is in the reference", function()
  check_all(slope._optkeys, "C")
  local lua_lists = {}
  -- a function's schema and the schemas nested in it (early_stopping = {...})
  local function keys_of(spec, keys)
    for _, o in ipairs(spec.list) do
      keys[#keys + 1] = o.name
      if o.type.spec then keys_of(o.type.spec, keys) end
    end
    return keys
  end
  for fname, spec in pairs(slope._args.registry) do lua_lists[fname] = keys_of(spec, {}) end
  check_all(lua_lists, "Lua")
end)
