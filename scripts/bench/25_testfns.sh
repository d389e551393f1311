#!/bin/sh
# 25_testfns.sh BUILD — test-function objectives: chained Rosenbrock value+gradient
# and Hessian-vector product at n = 10^6 against scipy.optimize.rosen/rosen_der/
# rosen_hess_prod (numpy) and torch autograd, in one run; and the per-call cost
# of a Lua-defined objective (slope.obj.lua) next to the built-in at dim 2.
B=${1:-build}
S="$B/slope"
PY=/usr/bin/python3
N=1000000

slope_out=$("$S" -e '
local N = '"$N"'
local function best(reps, body)
  local b = math.huge
  for _ = 1, reps do local t0 = slope.clock(); body(); b = math.min(b, slope.clock() - t0) end
  return b
end
local f = slope.obj.rosenbrock(N)
local x, g, v, hv = slope.vec.zeros(N), slope.vec.zeros(N), slope.vec.zeros(N), slope.vec.zeros(N)
local r = slope.rng(0)
for i = 1, N do x[i] = r:normal(); v[i] = r:normal() end
local fg = best(7, function() f:fg(x, g) end)
local hvp = best(7, function() f:hvp(x, v, hv) end)
-- per-call cost at dim 2: built-in vs Lua-defined (fg in Lua), 10^5 calls, best of 5
local M = 100000
local R = slope.obj.rosenbrock()
local L = slope.obj.lua{dim = 2, fg = function(x, g)
  local a, b = 1 - x[1], x[2] - x[1] * x[1]
  g[1] = -2 * a - 400 * x[1] * b; g[2] = 200 * b
  return a * a + 100 * b * b end}
local x2, g2 = slope.vec{-1.2, 1}, slope.vec.zeros(2)
local bi = best(5, function() for _ = 1, M do R:fg(x2, g2) end end) / M
local lu = best(5, function() for _ = 1, M do L:fg(x2, g2) end end) / M
local plain = best(5, function()
  local function rf(x, g) local a, b = 1 - x[1], x[2] - x[1] * x[1]
    g[1] = -2 * a - 400 * x[1] * b; g[2] = 200 * b; return a * a + 100 * b * b end
  for _ = 1, M do rf(x2, g2) end end) / M
print(("%.3f %.3f %.0f %.0f %.0f"):format(fg * 1e3, hvp * 1e3, bi * 1e9, lu * 1e9, plain * 1e9))')
set -- $slope_out
s_fg=$1; s_hvp=$2; s_bi=$3; s_lua=$4; s_plain=$5

sp_out=$($PY -c '
import time, numpy as np
from scipy.optimize import rosen, rosen_der, rosen_hess_prod
N = '"$N"'
rng = np.random.default_rng(0); x = rng.standard_normal(N); v = rng.standard_normal(N)
def best(reps, f):
    b = 1e9
    for _ in range(reps):
        t0 = time.perf_counter(); f(); b = min(b, time.perf_counter() - t0)
    return b
fg = best(7, lambda: (rosen(x), rosen_der(x)))
hvp = best(7, lambda: rosen_hess_prod(x, v))
print("%.3f %.3f" % (fg * 1e3, hvp * 1e3))' 2>/dev/null || echo "n/a n/a")
set -- $sp_out
p_fg=$1; p_hvp=$2

t_out=$($PY -c '
import time, torch
torch.set_num_threads(1)
N = '"$N"'
g = torch.Generator().manual_seed(0)
x0 = torch.randn(N, dtype=torch.float64, generator=g); v = torch.randn(N, dtype=torch.float64, generator=g)
def rosen(x): return (100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()
def fg():
    x = x0.clone().requires_grad_(True); f = rosen(x); f.backward(); return f, x.grad
def hvp():
    x = x0.clone().requires_grad_(True)
    (gr,) = torch.autograd.grad(rosen(x), x, create_graph=True)
    return torch.autograd.grad(gr, x, v)[0]
def best(reps, f):
    b = 1e9
    for _ in range(reps):
        t0 = time.perf_counter(); f(); b = min(b, time.perf_counter() - t0)
    return b
print("%.3f %.3f" % (best(7, fg) * 1e3, best(7, hvp) * 1e3))' 2>/dev/null || echo "n/a n/a")
set -- $t_out
t_fg=$1; t_hvp=$2

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b+0 > 0 && a+0 > 0) printf "%.1fx", b/a; else print "-" }'; }
cat <<EOF2
### Test functions: Rosenbrock at n = 10^6, and the cost of a Lua-defined objective

| figure (ms, best of 7, one thread) | slope | scipy (numpy) | torch autograd | scipy / slope | torch / slope |
|---|---|---|---|---|---|
| value + gradient | $s_fg | $p_fg | $t_fg | $(ratio "$s_fg" "$p_fg") | $(ratio "$s_fg" "$t_fg") |
| Hessian-vector product | $s_hvp | $p_hvp | $t_hvp | $(ratio "$s_hvp" "$p_hvp") | $(ratio "$s_hvp" "$t_hvp") |

slope: \`f = slope.obj.rosenbrock(10^6)\`, \`f:fg(x, g)\` and \`f:hvp(x, v, hv)\` (one fused C loop each);
scipy: \`rosen(x), rosen_der(x)\` and \`rosen_hess_prod(x, v)\`; torch: \`backward()\` for the gradient and
double backward (\`autograd.grad(g, x, v)\` with \`create_graph=True\`) for the HVP, float64.

| per call at dim 2 (ns, 10^5 calls, best of 5) | ns |
|---|---|
| built-in \`slope.obj.rosenbrock():fg(x, g)\` | $s_bi |
| \`slope.obj.lua{dim = 2, fg = ...}:fg(x, g)\` | $s_lua |
| the same Lua function called directly | $s_plain |

The Lua-defined objective pays one protected call into Lua plus copying x in and g out, on top of
the Lua function itself.

Commands: \`sh scripts/bench/25_testfns.sh $B\` (slope through \`$S -e\`; peers through \`$PY\`, torch with
torch.set_num_threads(1)).
EOF2
