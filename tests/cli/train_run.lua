-- train_run.lua MODE DIR [K] — a training run for tests/cli/train_test.sh.
--   full DIR:    train to the end, write DIR/final.txt (x as hex floats)
--   kill DIR K:  train with checkpoints every 5 steps and SIGKILL this process at step K
--   resume DIR:  resume from DIR/run.ckpt to the end, write DIR/final.txt
local mode, dir, k = arg[1], arg[2], tonumber(arg[3])
local D = slope.data.load("breast_cancer")
local X = slope.data.standardize(D.X)
local f = slope.obj.logistic{ X = X, y = D.y, l2 = 1e-3, intercept = true }
local cfg = {
  objective = f, x = slope.vec.zeros(f.dim), optimizer = slope.optim.adam{ lr = 1e-2 },
  schedule = slope.schedule.cosine{ lr = 1e-2, steps = 54 }, epochs = 3, batch = 32,
  rng = slope.rng(7), quiet = true, probes = { "grad_norm", "update_ratio", "grad_cos" },
  log = { dir .. "/log.csv", dir .. "/log.jsonl" },
}
if mode ~= "full" then cfg.checkpoint = { path = dir .. "/run.ckpt", every = 5 } end
if mode == "resume" then cfg.resume = dir .. "/run.ckpt" end
if mode == "kill" then
  cfg.on_step = function(info)
    if info.step == k then os.execute("kill -9 $PPID") end -- the shell's parent is this process
  end
end
local run = slope.train(cfg)
local out = assert(io.open(dir .. "/final.txt", "w"))
for i = 1, #run.x do out:write(("%a\n"):format(run.x[i])) end
out:close()
print(run.status, run.steps)
