/*
** fuzz_resume.c — libFuzzer harness for the resume path: slope.train{...,
** resume = file} with the input as the checkpoint. Byte 0: bit 0 as in
** fuzz_checkpoint.c (append a correct checksum line), bits 1-2 pick the run
** being resumed:
**   0  a quadratic (dim 3), adam, 2 steps, full batch
**   1  the same, 3 steps, a cosine schedule per step
**   2  logistic regression on 6 samples, adam, batch 2, 4 steps
**   3  the same with an intercept, validation, early stopping, the grad_norm
**      and grad_cos probes and a cosine schedule per epoch
** The run must end with a result or an error; findings: a crash, leak or hang,
** more steps than the run has (a step count taken from the file unchecked),
** or (SLOPE_FUZZ_STRICT=1) an error that does not name the file.
** SLOPE_FUZZ_SEEDS=dir writes seed inputs (the checkpoints each run leaves
** after every step) into dir and exits: `make fuzz-seeds` keeps
** tests/fuzz/corpus/resume in step with these runs.
*/
#include "fuzz_lua.h"

static const char chunk[] =
    "local slope, strict = ...\n"
    "local function config(variant)\n"
    "  local adam = slope.optim.adam{ lr = 0.1 }\n"
    "  if variant < 2 then\n"
    "    local f = slope.obj.quadratic{ eigs = slope.vec{ 1, 2, 3 } }\n"
    "    if variant == 0 then return { objective = f, optimizer = adam, steps = 2 } end\n"
    "    return { objective = f, optimizer = adam, steps = 3,\n"
    "      schedule = slope.schedule.cosine{ lr = 0.1, steps = 3 } }\n"
    "  end\n"
    "  local X = slope.mat{ { 1, 0.5 }, { -1, 2 }, { 0.3, -0.7 },\n"
    "    { 2, 1 }, { -0.4, -1.5 }, { 1.2, 0.1 } }\n"
    "  local y = slope.vec{ 1, 0, 1, 1, 0, 0 }\n"
    "  local f = slope.obj.logistic{ X = X, y = y, l2 = 1e-2, intercept = variant == 3 }\n"
    "  local c = { objective = f, optimizer = adam, steps = 4, batch = 2, rng = slope.rng(1) }\n"
    "  if variant == 3 then\n"
    "    c.validation, c.eval_every, c.early_stopping = f, 1, { patience = 3 }\n"
    "    c.probes = { 'grad_norm', 'grad_cos' }\n"
    "    c.schedule = { slope.schedule.cosine{ lr = 0.1, steps = 2 }, per = 'epoch' }\n"
    "  end\n"
    "  return c\n"
    "end\n"
    "local function run(path, flags)\n"
    "  local c = config((flags >> 1) & 3)\n"
    "  local steps, over = 0, false\n"
    "  c.quiet, c.resume = true, path\n"
    "  c.on_step = function()\n"
    "    steps = steps + 1\n"
    "    if steps > c.steps then over = true; return true end\n"
    "  end\n"
    "  local ok, r = pcall(slope.train, c)\n"
    "  if over then error('the resumed run made more than ' .. c.steps .. ' steps') end\n"
    "  if ok and type(r) ~= 'table' then error('slope.train returned a ' .. type(r)) end\n"
    "  if not ok and strict and (type(r) ~= 'string' or not r:find(path, 1, true)) then\n"
    "    error('an error that does not name the file: ' .. tostring(r))\n"
    "  end\n"
    "end\n"
    "local function seeds(dir)\n"
    "  local function slurp(p)\n"
    "    local f = io.open(p, 'rb'); if not f then return nil end\n"
    "    local s = f:read('a'); f:close(); return s\n"
    "  end\n"
    "  local function put(name, s)\n"
    "    local f = assert(io.open(dir .. '/' .. name, 'wb')); f:write(s); f:close()\n"
    "  end\n"
    "  for v = 0, 3 do\n"
    "    local c, ck, got = config(v), dir .. '/run.ckpt', {}\n"
    "    c.quiet, c.checkpoint = true, { path = ck, every = 1 }\n"
    "    local function keep()\n"
    "      local s = slurp(ck)\n"
    "      if s and s ~= got[#got] then got[#got + 1] = s end\n"
    "    end\n"
    "    c.on_step = keep\n"
    "    slope.train(c)\n"
    "    keep()\n"
    "    os.remove(ck)\n"
    "    for k, text in ipairs(got) do\n"
    "      local body = text:match('^(.*\\n)end %x+\\n$')\n"
    "      put(('v%d-%d-raw'):format(v, k), string.char(2 * v) .. text)\n"
    "      put(('v%d-%d-sum'):format(v, k), string.char(2 * v + 1) .. body)\n"
    "    end\n"
    "  end\n"
    "end\n"
    "return function(path, flags)\n"
    "  if flags == -1 then return seeds(path) end\n"
    "  return run(path, flags)\n"
    "end\n";

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  fuzz_lua_init(chunk, "=fuzz_resume", NULL);
  const char *dir = getenv("SLOPE_FUZZ_SEEDS");
  if (dir && *dir) {
    fuzz_lua_run(dir, -1);
    exit(0);
  }
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_checkpoint_file(data, size);
  int fds = fuzz_fds();
  fuzz_lua_run(path, size ? data[0] : 0);
  fuzz_check_fds(fds);
  return 0;
}
