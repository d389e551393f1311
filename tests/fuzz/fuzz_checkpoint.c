/*
** fuzz_checkpoint.c — libFuzzer harness for the checkpoint parser,
** slope.checkpoint.load (lua/slope/checkpoint.lua) under pcall. Byte 0 bit 0
** set: the rest is a body that gets a correct "end <checksum>" line (so the
** fuzzer reaches past the checksum); clear: the rest is the whole file. A
** refusal is fine. Findings: a crash, leak or hang; load returning anything
** but a table; a loaded table that slope.checkpoint.save cannot write back, or
** that does not read back identical (the format round-trips bit for bit).
*/
#include "fuzz_lua.h"

static const char chunk[] =
    "local slope, strict, scratch = ...\n"
    "local VEC = getmetatable(slope.vec.zeros(0))\n"
    "local function bits(x) return x ~= x and 'nan' or string.pack('<d', x) end\n"
    "local function same(a, b, where)\n"
    "  if type(a) ~= type(b) then error(where .. ': ' .. type(a) .. ' vs ' .. type(b)) end\n"
    "  if type(a) == 'table' then\n"
    "    for k, v in pairs(a) do same(v, b[k], where .. '.' .. tostring(k)) end\n"
    "    for k in pairs(b) do\n"
    "      if a[k] == nil then error(where .. ': extra key ' .. tostring(k)) end\n"
    "    end\n"
    "  elseif getmetatable(a) == VEC then\n"
    "    if getmetatable(b) ~= VEC or #a ~= #b then error(where .. ': vec length') end\n"
    "    for i = 1, #a do\n"
    "      if bits(a[i]) ~= bits(b[i]) then\n"
    "        error(where .. '[' .. i .. ']: ' .. a[i] .. ' vs ' .. b[i])\n"
    "      end\n"
    "    end\n"
    "  elseif type(a) == 'number' then\n"
    "    if math.type(a) ~= math.type(b) or (math.type(a) == 'integer' and a ~= b)\n"
    "       or (math.type(a) == 'float' and bits(a) ~= bits(b)) then\n"
    "      error(where .. ': ' .. tostring(a) .. ' vs ' .. tostring(b))\n"
    "    end\n"
    "  elseif a ~= b then\n"
    "    error(where .. ': ' .. tostring(a) .. ' vs ' .. tostring(b))\n"
    "  end\n"
    "end\n"
    "return function(path)\n"
    "  local ok, t = pcall(slope.checkpoint.load, path)\n"
    "  if not ok then\n"
    "    if strict and (type(t) ~= 'string' or not t:find(path, 1, true)) then\n"
    "      error('an error that does not name the file: ' .. tostring(t))\n"
    "    end\n"
    "    return\n"
    "  end\n"
    "  if type(t) ~= 'table' then error('load returned a ' .. type(t)) end\n"
    "  local sok, serr = pcall(slope.checkpoint.save, scratch, t)\n"
    "  if not sok then error('a loaded checkpoint cannot be saved: ' .. tostring(serr)) end\n"
    "  same(t, slope.checkpoint.load(scratch), 'checkpoint')\n"
    "end\n";

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  fuzz_lua_init(chunk, "=fuzz_checkpoint", fuzz_scratch_path());
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_checkpoint_file(data, size);
  int fds = fuzz_fds();
  fuzz_lua_run(path, size ? data[0] : 0);
  fuzz_check_fds(fds);
  return 0;
}
