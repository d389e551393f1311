-- train_eval.lua — slope.train, stage 5: evaluation and early stopping. Every
-- eval_every steps (and at the last) the watched figure — the validation loss,
-- or without validation the training loss of that step — updates the best point
-- and the count of evaluations without improvement; a plateau schedule is told
-- the figure; early stopping ends the run after `patience` such evaluations.
local slope = ...
local T = slope._train

function T.evaluate(R, row)
  local due = R.t % R.eval_every == 0 or R.t == R.total
  if not due then return end
  local watched = row.loss
  if R.validation then
    R.val = R.validation:value(R.x)
    if type(R.val) ~= "number" then
      T.raise("validation:value returned %s (expected the loss, a number)", slope._args.show(R.val))
    end
    row.val_loss = R.val
    watched = R.val
  end
  local best = R.best
  local min_delta = R.early_stopping and R.early_stopping.min_delta or 0
  if watched < best.value - min_delta then
    best.value, best.step = watched, R.t
    best.x:copy(R.x)
    R.es_bad = 0
  else
    R.es_bad = R.es_bad + 1
  end
  local s = R.sched
  if type(s) ~= "function" and s ~= nil and s.update then s:update(watched) end
end

-- true when early stopping ends the run (checked before each step, so a resumed
-- run stops where the uninterrupted one did)
function T.early_stop(R)
  local es = R.early_stopping
  if not es or R.es_bad < es.patience then return false end
  R.status = "early_stopped"
  R.message = ("no improvement for %d evaluations; best %.6g at step %d"):format(R.es_bad, R.best.value, R.best.step)
  return true
end
