-- train_fullfs.lua MODE DIR STEPS [CKDIR] — runs for tests/cli/train_fullfs_test.sh.
--   run DIR STEPS:     train to step STEPS with a CSV and a JSONL log and a
--                      checkpoint every 25 steps, all in DIR (a small tmpfs that
--                      fills up on the way); the checkpoint in CKDIR when given
--   resume DIR STEPS:  resume (CKDIR or DIR)/run.ckpt and train to step STEPS
--   full DIR STEPS:    train from the start, no checkpoint (the reference)
-- Each prints "status<TAB>steps" and writes DIR/final.txt (x as hex floats).
local mode, dir, steps, ckdir = arg[1], arg[2], tonumber(arg[3]), arg[4] or arg[2]
local D = slope.data.load("breast_cancer")
local X = slope.data.standardize(D.X)
local f = slope.obj.logistic{ X = X, y = D.y, l2 = 1e-3, intercept = true }
local cfg = {
  objective = f, x = slope.vec.zeros(f.dim), optimizer = slope.optim.adam{ lr = 1e-2 }, batch = 32,
  rng = slope.rng(11), quiet = true, probes = { "grad_norm", "update_ratio", "grad_cos" },
  log = { dir .. "/log.csv", dir .. "/log.jsonl" }, steps = steps,
  checkpoint = { path = ckdir .. "/run.ckpt", every = 25 },
}
if mode == "resume" then cfg.resume = ckdir .. "/run.ckpt" end
if mode == "full" then cfg.checkpoint = nil end
local run = slope.train(cfg)
local out = assert(io.open(dir .. "/final.txt", "w"))
for i = 1, #run.x do assert(out:write(("%a\n"):format(run.x[i]))) end
assert(out:close())
print(run.status, run.steps)
