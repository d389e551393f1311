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
-- the same objectives inside a C solver: L-BFGS from (-1.2, 1), time per evaluation
local function per_eval(f)
  local ts = {}
  for k = 1, 9 do
    local nf, t0 = 0, slope.clock()
    for _ = 1, 200 do nf = nf + slope.minimize(f, slope.vec{-1.2, 1}, {method = "lbfgs"}).nfev end
    ts[k] = (slope.clock() - t0) / nf
  end
  return median(ts)
end
print(("solver2 %.9f %.9f"):format(per_eval(fl), per_eval(fb)))
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
# a Python-written 2-D Rosenbrock: called directly, and inside scipy's L-BFGS-B
def rosen_fg(x):
    a, b = x[0], x[1]
    t = b - a * a
    return 100 * t * t + (1 - a) ** 2, np.array([-400 * a * t - 2 * (1 - a), 200 * t])
x2 = np.array([-1.2, 1.0])
tcall = timeit(9, 20000, lambda: rosen_fg(x2))
def lbfgsb_runs():
    nf = 0
    for _ in range(20):
        nf += so.minimize(rosen_fg, x2, jac=True, method="L-BFGS-B").nfev
    return nf
nf = lbfgsb_runs()
tsolve = timeit(9, 1, lbfgsb_runs) / nf
print("py2 %.9f %.9f" % (tcall, tsolve))
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
lua_direct=$3
set -- $(grep '^solver2' "$T/slope.txt") $(grep '^py2' "$T/py.txt")
awk -v sl="$2" -v sb="$3" -v d="$lua_direct" -v pc="$5" -v ps="$6" 'BEGIN {
  printf "Inside a solver (L-BFGS from (-1.2, 1), repeated; time per evaluation, solver work included):\n\n"
  printf "| objective | solver | us per evaluation | vs slope.obj.lua |\n|---|---|---|---|\n"
  printf "| slope.obj.lua (the Lua fg above) | slope.minimize lbfgs | %.3g | 1.00 |\n", sl*1e6
  printf "| built-in slope.obj.rosenbrock | slope.minimize lbfgs | %.3g | %.2f |\n", sb*1e6, sb/sl
  printf "| the same fg in Python (numpy arrays) | scipy.optimize.minimize L-BFGS-B | %.3g | %.1f |\n\n", ps*1e6, ps/sl
  printf "The Lua objective adds %.3g us per evaluation over the built-in inside the C solver, its own Lua code (%.3g us when called directly from Lua) included. The Python function alone costs %.3g us a call.\n\n", (sl-sb)*1e6, d*1e6, pc*1e6 }'
echo "| quadratic{eigs} n | slope build (s) | numpy qr + Q diag Q^T (s) | numpy/slope |"
echo "|---|---|---|---|"
grep '^quad' "$T/slope.txt" | while read -r _ n s; do
  set -- $(grep "^quad $n " "$T/py.txt")
  awk -v n="$n" -v s="$s" -v p="$3" 'BEGIN { printf "| %d | %.3g | %.3g | %.2f |\n", n, s, p, p/s }'
done
echo
echo "Commands: \`OMP_NUM_THREADS=2 $B/slope bench.lua\` and \`/usr/bin/python3 bench.py\` (both written by scripts/bench/25_testfns.sh)."
