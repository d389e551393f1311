-- help.lua — help(x): the signature and meaning of any slope function or object.
local slope = ...

local db = slope._helpdb

local function entry_for(x)
  if x == nil then return nil end
  local e = db[x]
  if e then return e end
  if type(x) == "string" then
    return db[x] or db["slope." .. x]
  end
  local mt = getmetatable(x)
  if type(mt) == "table" and mt.__name then return db[mt.__name], mt end
  return nil
end

local function sorted_keys(t)
  local ks = {}
  for k in pairs(t) do if type(k) == "string" and k:sub(1, 1) ~= "_" then ks[#ks + 1] = k end end
  table.sort(ks)
  return ks
end

-- help(x) -> string: one line of signature, one or two of meaning; for a module
-- or object, its functions or methods follow.
local function helptext(x)
  if x == nil then
    local lines = { "slope — numerical-optimization workbench. Modules:" }
    for _, k in ipairs(sorted_keys(slope)) do
      local e = db[slope[k]]
      lines[#lines + 1] = ("  slope.%-12s %s"):format(k, e and e.doc or "")
    end
    lines[#lines + 1] = "help(f) for any function or object, e.g. help(slope.vec.zeros), ?slope.vec"
    return table.concat(lines, "\n")
  end
  local e, mt = entry_for(x)
  local lines = {}
  if e then
    lines[#lines + 1] = e.sig
    if e.doc ~= "" then lines[#lines + 1] = "  " .. e.doc end
  end
  local members = (type(x) == "table" and x) or (mt and (mt.__methods or (type(mt.__index) == "table" and mt.__index)))
  if type(members) == "table" then
    for _, k in ipairs(sorted_keys(members)) do
      local me = db[members[k]]
      if me then lines[#lines + 1] = ("  %-34s %s"):format(me.sig, me.doc) end
    end
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
  "Print the signature and meaning of a slope function or object; help() lists the modules.")
slope.help = help

-- The interpreter calls this to make help() a global; require"slope" does not.
function slope._install_globals()
  _G.help = help
end
