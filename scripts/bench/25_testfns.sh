#!/bin/sh
# 25_testfns.sh BUILD — test-function objectives and Lua-defined objectives:
# chained Rosenbrock value+gradient and HVP against scipy.optimize.rosen /
# rosen_der / rosen_hess_prod and a PyTorch autograd loss.backward(); the
# per-call cost of slope.obj.lua over calling the same Lua function directly;
# building quadratic{eigs} (QR of a Gaussian, Q diag Q^T) against numpy.
set -e
B=${1:-build}
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE # slope and its peers on the same OpenBLAS kernels (run.sh)
B=$(cd "$B" && pwd)
export OMP_NUM_THREADS=2
PY=/usr/bin/python3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

cat > "$T/bench.lua" <<'LUA'
local function median(t) table.sort(t); return t[(#t + 1) // 2] end
local function timeit(reps, inner, fn)
  fn()
  local ts = {}
  for k = 1, reps do
    local t0 = slope.clock()
    for _ = 1, inner do fn() end
    ts[k] = (slope.clock() - t0) / inner
  end
  return median(ts)
end
for _, n in ipairs{100, 10000, 1000000} do
  local f = slope.obj.rosenbrock(n)
  local x, g, v, hv = slope.vec.randn(n, slope.rng(1)), slope.vec.zeros(n), slope.vec.randn(n, slope.rng(2)), slope.vec.zeros(n)
  local inner = math.max(1, 1000000 // n)
  print(("rosen %d %.9f %.9f"):format(n, timeit(9, inner, function() f:fg(x, g) end),
    timeit(9, inner, function() f:hvp(x, v, hv) end)))
end
-- Lua-defined 2-D Rosenbrock: through slope.obj.lua vs a direct Lua call
local function fg(x, g)
  local a, b = x[1], x[2]
  local t = b - a * a
  g[1] = -400 * a * t - 2 * (1 - a); g[2] = 200 * t
  return 100 * t * t + (1 - a) ^ 2
end
local fl, fb = slope.obj.lua{dim = 2, fg = fg}, slope.obj.rosenbrock()
local x, g = slope.vec{-1.2, 1}, slope.vec.zeros(2)
print(("lua2 %.9f %.9f %.9f"):format(timeit(9, 100000, function() fl:fg(x, g) end),
  timeit(9, 100000, function() fg(x, g) end), timeit(9, 100000, function() fb:fg(x, g) end)))
for _, n in ipairs{200, 800} do
  local e = slope.vec.linspace(1, 1000, n)
  print(("quad %d %.6f"):format(n, timeit(5, 1, function() slope.obj.quadratic{eigs = e, seed = 1} end)))
end
LUA

cat > "$T/bench.py" <<'PY'
import time, numpy as np, scipy.optimize as so
try:
    import torch
    torch.set_num_threads(2)
except Exception:
    torch = None
def timeit(reps, inner, fn):
    fn(); ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(inner): fn()
        ts.append((time.perf_counter() - t0) / inner)
    return sorted(ts)[len(ts) // 2]
rng = np.random.default_rng(1)
for n in (100, 10000, 1000000):
    x, v = rng.standard_normal(n), rng.standard_normal(n)
    inner = max(1, 1000000 // n) if n < 1000000 else 1
    inner = min(inner, 2000)
    tfg = timeit(9, inner, lambda: (so.rosen(x), so.rosen_der(x)))
    thv = timeit(9, inner, lambda: so.rosen_hess_prod(x, v))
    tt = float("nan")
    if torch is not None:
        xt = torch.tensor(x, requires_grad=True)
        def step():
            xt.grad = None
            f = (100 * (xt[1:] - xt[:-1] ** 2) ** 2 + (1 - xt[:-1]) ** 2).sum()
            f.backward()
        tt = timeit(9, min(inner, 200), step)
    print("rosen %d %.9f %.9f %.9f" % (n, tfg, thv, tt))
for n in (200, 800):
    e = np.linspace(1, 1000, n)
    def build():
        q, r = np.linalg.qr(np.random.default_rng(1).standard_normal((n, n)))
        q *= np.sign(np.diag(r))
        return (q * e) @ q.T
    print("quad %d %.6f" % (n, timeit(5, 1, build)))
PY

"$B/slope" "$T/bench.lua" > "$T/slope.txt"
$PY "$T/bench.py" > "$T/py.txt"

echo "### Test functions and Lua-defined objectives"
echo
echo "Chained Rosenbrock, one value+gradient (fg) and one Hessian-vector product; seconds per call (median of 9)."
echo "scipy = rosen(x) + rosen_der(x) and rosen_hess_prod(x, v); torch = autograd forward + backward (float64)."
echo
echo "| n | slope fg | scipy fg | torch fg | scipy/slope | torch/slope | slope hvp | scipy hvp | scipy/slope |"
echo "|---|---|---|---|---|---|---|---|---|"
grep '^rosen' "$T/slope.txt" | while read -r _ n sfg shv; do
  set -- $(grep "^rosen $n " "$T/py.txt")
  awk -v n="$n" -v sfg="$sfg" -v shv="$shv" -v pfg="$3" -v phv="$4" -v tfg="$5" 'BEGIN {
    printf "| %d | %.3g | %.3g | %.3g | %.1f | %.1f | %.3g | %.3g | %.1f |\n", n, sfg, pfg, tfg, pfg/sfg, tfg/sfg, shv, phv, phv/shv }'
done
echo
set -- $(grep '^lua2' "$T/slope.txt")
awk -v a="$2" -v b="$3" -v c="$4" 'BEGIN {
  printf "2-D Rosenbrock fg from Lua: slope.obj.lua %.3g us per call, the same Lua function called directly %.3g us (overhead %.3g us), built-in %.3g us.\n\n", a*1e6, b*1e6, (a-b)*1e6, c*1e6 }'
echo "| quadratic{eigs} n | slope build (s) | numpy qr + Q diag Q^T (s) | numpy/slope |"
echo "|---|---|---|---|"
grep '^quad' "$T/slope.txt" | while read -r _ n s; do
  set -- $(grep "^quad $n " "$T/py.txt")
  awk -v n="$n" -v s="$s" -v p="$3" 'BEGIN { printf "| %d | %.3g | %.3g | %.2f |\n", n, s, p, p/s }'
done
echo
echo "Commands: \`OMP_NUM_THREADS=2 $B/slope bench.lua\` and \`/usr/bin/python3 bench.py\` (both written by scripts/bench/25_testfns.sh)."
