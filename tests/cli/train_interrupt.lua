-- train_interrupt.lua MODE DIR [STEPS] — runs for tests/cli/train_interrupt_test.sh.
--   long DIR:          a run far too long to finish, with checkpoints and a CSV log; it
--                      creates DIR/started after its first step and waits for Ctrl-C
--   probes DIR:        the same with the sharpness and noise-scale probes at every step
--                      (Ctrl-C then often lands inside their C loops)
--   resume DIR STEPS:  resume DIR/run.ckpt and train to step STEPS
--   full DIR STEPS:    train from the start to step STEPS
-- Each prints "status<TAB>steps<TAB>message" and writes DIR/final.txt (x as hex floats).
local mode, dir, steps = arg[1], arg[2], tonumber(arg[3])
local D = slope.data.load("breast_cancer")
local X = slope.data.standardize(D.X)
local f = slope.obj.logistic{ X = X, y = D.y, l2 = 1e-3, intercept = true }
local cfg = {
  objective = f, x = slope.vec.zeros(f.dim), optimizer = slope.optim.adam{ lr = 1e-2 },
  schedule = slope.schedule.cosine{ lr = 1e-2, steps = 10000000 }, batch = 32,
  rng = slope.rng(7), quiet = true, probes = { "grad_norm", "update_ratio", "grad_cos" },
  log = dir .. "/log.csv", steps = steps or 10000000,
  checkpoint = { path = dir .. "/run.ckpt", every = 100 },
}
if mode == "probes" then
  cfg.probes = { "grad_norm", "sharpness", "noise_scale" }
  cfg.probe_every = 1
end
if mode == "long" or mode == "probes" then
  cfg.on_step = function(row)
    if row.step == 1 then io.open(dir .. "/started", "w"):close() end
  end
end
if mode == "resume" then cfg.resume = dir .. "/run.ckpt" end
if mode == "full" then cfg.checkpoint = nil end
local run = slope.train(cfg)
local out = assert(io.open(dir .. "/final.txt", "w"))
for i = 1, #run.x do out:write(("%a\n"):format(run.x[i])) end
out:close()
print(run.status, run.steps, run.message)
