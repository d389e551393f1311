-- lua_coverage.lua — line coverage of slope's Lua library (lua/slope/*.lua) while a
-- Lua script runs (Debian ships no luacov, so this is a small line hook of our own).
-- usage: build/slope scripts/lua_coverage.lua REPORT script.lua args...
--        REPORT ending in .hits: the raw counts ("source line count"), %r in it replaced by
--        the MPI rank, for runs under mpirun;
--        build/slope scripts/lua_coverage.lua --merge REPORT a.hits b.hits ...: the summary
--        of several raw runs together.
-- Executable lines come from `luac5.4 -l -l -p` (every line with an instruction in a
-- function; the files' main chunks run when slope loads, before the hook, so not those);
-- the hook counts the lines that ran (in coroutines created after start too); REPORT
-- gets a per-file summary and the lines never run.
local report_path, script = arg[1], arg[2]
assert(report_path and script, "usage: lua_coverage.lua REPORT script.lua args...")

local hits = {} -- source -> { [line] = count }
local merge = report_path == "--merge"
if merge then -- --merge REPORT raw...: the counts of several runs
  report_path = script
  for i = 3, #arg do
    local f = assert(io.open(arg[i]))
    local text = f:read("a")
    f:close()
    for src, line, n in text:gmatch("(%S+) (%d+) (%d+)") do
      local h = hits[src] or {}
      hits[src] = h
      h[tonumber(line)] = (h[tonumber(line)] or 0) + tonumber(n)
    end
  end
end
local getinfo = debug.getinfo
local function hook(_, line)
  local src = getinfo(2, "S").source
  if src:sub(1, 11) == "@lua/slope/" then
    local h = hits[src]
    if not h then h = {}; hits[src] = h end
    h[line] = (h[line] or 0) + 1
  end
end
if not merge then debug.sethook(hook, "l") end
-- a script that sets a hook of its own (the train tests emulate Ctrl-C with one)
-- pauses the count; when it clears its hook, ours comes back
local sethook = debug.sethook
debug.sethook = function(...) -- luacheck: ignore 122
  local args = table.pack(...)
  sethook(...)
  local th, fn = nil, args[1]
  if type(args[1]) == "thread" then th, fn = args[1], args[2] end
  if fn == nil then
    if th then sethook(th, hook, "l") else sethook(hook, "l") end
  end
end
-- hooks are per coroutine: trace the ones created from now on too (slope.train
-- runs part of each step in one)
local create = coroutine.create
coroutine.create = function(f) -- luacheck: ignore 122
  local co = create(f)
  debug.sethook(co, hook, "l")
  return co
end
coroutine.wrap = function(f) -- luacheck: ignore 122
  local co = coroutine.create(f)
  return function(...)
    local res = table.pack(coroutine.resume(co, ...))
    if not res[1] then error(res[2], 0) end
    return table.unpack(res, 2, res.n)
  end
end

local function executable_lines(path)
  local p = assert(io.popen("luac5.4 -l -l -p " .. path .. " 2>/dev/null"))
  local lines, in_main = {}, false
  for l in p:lines() do
    if l:match("^main <") then in_main = true elseif l:match("^function <") then in_main = false end
    local n = l:match("^%s*%d+%s+%[(%d+)%]")
    if n and not in_main then lines[tonumber(n)] = true end
  end
  p:close()
  return lines
end

local function write_raw()
  local out = assert(io.open(report_path, "w"))
  for src, h in pairs(hits) do
    for line, n in pairs(h) do out:write(src, " ", line, " ", n, "\n") end
  end
  out:close()
end

local function write_report()
  sethook()
  if report_path:match("%.hits$") then return write_raw() end
  local files = {}
  for f in io.popen("ls lua/slope/*.lua"):lines() do files[#files + 1] = f end
  local out = assert(io.open(report_path, "w"))
  local total_exec, total_hit = 0, 0
  out:write(("%-32s %7s %7s %7s\n"):format("file", "lines", "run", "cover"))
  local missed = {}
  for _, f in ipairs(files) do
    local exec = executable_lines(f)
    local h = hits["@" .. f] or {}
    local ne, nh, miss = 0, 0, {}
    for line in pairs(exec) do
      ne = ne + 1
      if h[line] then nh = nh + 1 else miss[#miss + 1] = line end
    end
    table.sort(miss)
    total_exec, total_hit = total_exec + ne, total_hit + nh
    out:write(("%-32s %7d %7d %6.1f%%\n"):format(f, ne, nh, ne > 0 and 100 * nh / ne or 100))
    if #miss > 0 then missed[#missed + 1] = f .. ": " .. table.concat(miss, " ") end
  end
  out:write(("%-32s %7d %7d %6.1f%%\n\nlines never run:\n"):format("total", total_exec, total_hit,
    100 * total_hit / math.max(total_exec, 1)))
  out:write(table.concat(missed, "\n"), "\n")
  out:close()
end

if merge then
  write_report()
  return
end
if report_path:find("%r", 1, true) then
  local rank = slope.mpi and slope.mpi.rank() or 0
  report_path = report_path:gsub("%%r", tostring(rank))
end
local exit = os.exit
os.exit = function(...) -- luacheck: ignore 122
  write_report()
  return exit(...)
end
local args = table.move(arg, 3, #arg, 1, {})
args[0] = script
arg = args -- luacheck: ignore 121
local chunk = assert(loadfile(script))
chunk(table.unpack(args))
write_report()
