-- mode_connectivity.lua — two minima of a tanh MLP on digits, trained from
-- different seeds, are separated by a loss barrier on the straight segment
-- between them (slope.probe.interpolate; barrier as in Frankle et al. 2020),
-- yet joined by a quadratic Bezier curve of low loss found by
-- slope.probe.connect (Garipov et al. 2018; Draxler et al. 2018).
-- Writes out/mode_connectivity.svg. SLOPE_QUICK=1 trains less and fits a
-- shorter curve.
local slope = require "slope"
local quick = os.getenv("SLOPE_QUICK") == "1"

local D = slope.data.load("digits")
D.X = slope.data.standardize(D.X)
local tr, te = slope.data.split(D, quick and 0.3 or 0.7, slope.rng(0))
local spec = {hidden = {32}, activation = "tanh", classes = 10, l2 = 1e-4}
local function mlp(d) return slope.obj.mlp{X = d.X, y = d.y, hidden = spec.hidden, activation = spec.activation,
  classes = spec.classes, l2 = spec.l2} end
local f, ftest = mlp(tr), mlp(te)
print(("tanh MLP 64-32-10 on %d digits (%d held out), %d parameters"):format(f.n, ftest.n, f.dim))

local function accuracy(x, d) return f:accuracy(x, d.X, d.y) end -- the MLP's forward pass on d's rows

local minima = {}
for k, seed in ipairs{11, 22} do
  local run = slope.train{objective = f, optimizer = slope.optim.adam{lr = 0.01}, x = f:init(slope.rng(seed)),
    epochs = quick and 10 or 60, batch = 64, rng = slope.rng(seed + 1), quiet = true}
  minima[k] = run.x
  print(("minimum %s (seed %d): train loss %.4f, test loss %.4f, test accuracy %.3f"):format(
    k == 1 and "A" or "B", seed, f:value(run.x), ftest:value(run.x), accuracy(run.x, te)))
end
local xa, xb = minima[1], minima[2]
print(("|A - B| = %.2f, |A| = %.2f, |B| = %.2f"):format((xa - xb):norm(), xa:norm(), xb:norm()))

local seg = slope.probe.interpolate(f, xa, xb, {points = 41})
local curve = slope.probe.connect(f, xa, xb, {bends = 1, steps = quick and 500 or 20000, lr = 0.1, batch = 64,
  rng = slope.rng(3), points = 41})
-- held-out loss along both paths
local seg_test = slope.probe.interpolate(ftest, xa, xb, {points = 41})
local mid = curve.curve(0.5)
print(("\n%-16s %10s %10s %14s"):format("path", "barrier", "max loss", "test loss @ mid"))
print(("%-16s %10.4f %10.4f %14.4f"):format("straight segment", seg.barrier, math.max(table.unpack(seg.loss)),
  seg_test.loss[21]))
print(("%-16s %10.4f %10.4f %14.4f"):format("Bezier curve", curve.barrier, math.max(table.unpack(curve.loss)),
  ftest:value(mid)))
print(("the curve's midpoint: test accuracy %.3f (segment midpoint %.3f)"):format(accuracy(mid, te),
  accuracy(xa * 0.5 + xb * 0.5, te)))

os.execute("mkdir -p out")
print((slope.plot.lines{file = "out/mode_connectivity.svg", series = {
    {name = "straight segment", x = seg.alpha, y = seg.loss},
    {name = "Bezier curve (slope.probe.connect)", x = curve.t, y = curve.loss},
  }, logy = true, title = "training loss between two MLP minima (different seeds)",
  xlabel = "t (0 = minimum A, 1 = minimum B)", ylabel = "training loss"}))

if not quick then
  if not (seg.barrier > 0.1) then error(("no barrier on the segment: %.4f"):format(seg.barrier)) end
  if not (curve.barrier < 0.2 * seg.barrier) then
    error(("the curve's barrier %.4f is not well below the segment's %.4f"):format(curve.barrier, seg.barrier))
  end
  print(("the Bezier curve lowers the barrier %.0fx"):format(seg.barrier / math.max(curve.barrier, 1e-12)))
end
