-- train_probes.lua — slope.train, stage 4: figures about the step, logged next
-- to the loss. Every step: the update's norm and its ratio to |x|, the cosine
-- between successive gradients. Every probe_every steps (and at the first): the
-- sharpness lambda_max of the Hessian (warm-started from the last eigenvector)
-- and sharpness_lr = lambda_max lr, which is 2 at the edge of stability (Cohen et
-- al. 2021; left empty when lr = 0, where there is no edge), and the gradient
-- noise scale B_simple (McCandlish et al. 2018).
local slope = ...
local T = slope._train

-- the probes' sample: all of it, or probe_batch samples drawn once from the probe
-- stream (from its starting state, so a resumed run draws the same ones)
function T.prepare_probes(R)
  R.probe_f = R.f
  -- under mpirun with local batches R.n is this rank's rows: the probe sample is
  -- drawn from the whole data's rows, the same on every rank (f:batch takes global rows)
  local n, pb = R.local_batches and R.n_global or R.n, R.probe_batch
  if n and n > pb and T.method(R.f, "batch") then
    local now = R.probe_rng:state()
    R.probe_rng:set_state(R.probe_rng0)
    local idx = R.probe_rng:perm(n)
    if R.resumed then R.probe_rng:set_state(now) end
    R.probe_f = R.f:batch(table.move(idx, 1, pb, 1, {}))
  end
end

-- R.x_prev holds x before the step
function T.update_figures(R, row)
  local x_prev = R.x_prev
  x_prev:axpy(-1, R.x) -- x_prev now holds -(update)
  local un = x_prev:norm()
  row.update_norm = un
  local xn = (R.x + x_prev):norm() -- |x before the step|
  row.update_ratio = xn > 0 and un / xn or 0 / 0 -- undefined at x = 0
end

local function grad_cos(R, row)
  local gsum, g_prev = R.gsum, R.g_prev
  if R.have_prev then
    local denom = gsum:norm() * g_prev:norm()
    row.grad_cos = denom > 0 and gsum:dot(g_prev) / denom or 0 / 0
  end
  g_prev:copy(gsum)
  R.have_prev = true
end

-- A probe's C loop that saw Ctrl-C raises "interrupted!": the figure stays empty,
-- the step ends normally and the run stops before the next one.
local function try(fn, ...)
  local ok, r = pcall(fn, ...)
  if ok then return r end
  if type(r) == "string" and r:find("interrupted!", 1, true) then return nil end
  error(r, 0)
end

local function sharpness(R, row)
  local r = try(slope.spectrum.top, R.probe_f, R.x, { k = 1, v0 = R.v0 })
  if r == nil then return end
  local lam, lr = r.values[1], R.opt.lr
  row.sharpness = lam
  if T.finite_number(lr) and lr > 0 then row.sharpness_lr = lam * lr end
  R.v0 = r.vectors[1]
end

local function noise_scale(R, row)
  local r = try(slope.probe.noise_scale, R.f, R.x, { batch = R.batch, rng = R.probe_rng })
  if r ~= nil then row.noise_scale = r.b_simple end
end

function T.probe(R, row)
  local p = R.probe_set
  if p.grad_cos then grad_cos(R, row) end
  if (p.sharpness or p.noise_scale) and (R.t % R.probe_every == 0 or R.t == 1) then
    if p.sharpness then sharpness(R, row) end
    if p.noise_scale then noise_scale(R, row) end
  end
end
