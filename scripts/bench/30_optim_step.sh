#!/bin/sh
# 30_optim_step.sh BUILD — the per-step cost of slope.optim from a Lua loop
# next to torch.optim.Adam.step() on a 2-element float64 tensor, in one run.
B=${1:-build}
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE # slope and its peers on the same OpenBLAS kernels (run.sh)
S="$B/slope"
PY=/usr/bin/python3

# Lua loop, Adam, dim 2: opt:step alone (fixed g), and with a gradient call
# f:fg(x, g) when a 2-D objective is available (slope.obj.rosenbrock, else the
# spectrum module's 2x2 quadratic). Best of 5 runs of 10^6 steps minus an empty loop.
lua_out=$("$S" -e '
local N = 1000000
local function best(body)
  local b = math.huge
  for _ = 1, 5 do
    local t0 = slope.clock(); body(N); local t1 = slope.clock()
    for _ = 1, N do end
    local t2 = slope.clock()
    b = math.min(b, (t1 - t0) - (t2 - t1))
  end
  return b / N * 1e9
end
local opt, x, g = slope.optim.adam{lr = 1e-3}, slope.vec{-1.2, 1}, slope.vec{0.5, -0.25}
local step_ns = best(function(n) for _ = 1, n do opt:step(x, g) end end)
local f, fname
if slope.obj.rosenbrock then f, fname = slope.obj.rosenbrock{dim = 2}, "rosenbrock"
elseif slope.spectrum and slope.spectrum.toy then f, fname = slope.spectrum.toy.quadratic({{3, 1}, {1, 2}}), "toy quadratic" end
local fg_ns, fgonly_ns = -1, -1
if f then
  local o2 = slope.optim.adam{lr = 1e-3}
  fg_ns = best(function(n) for _ = 1, n do f:fg(x, g); o2:step(x, g) end end)
  fgonly_ns = best(function(n) for _ = 1, n do f:fg(x, g) end end)
end
print(("%.1f %.1f %.1f %s"):format(step_ns, fg_ns, fgonly_ns, (fname or "none"):gsub(" ", "_")))')
set -- $lua_out
step_ns=$1; fg_ns=$2; fgonly_ns=$3; fname=$(echo "$4" | tr _ ' ')

torch_ns="n/a"
if $PY -c 'import torch' 2>/dev/null; then
  torch_ns=$($PY -c '
import time, torch
torch.set_num_threads(1)
x = torch.tensor([-1.2, 1.0], dtype=torch.float64, requires_grad=True)
x.grad = torch.tensor([0.5, -0.25], dtype=torch.float64)
opt = torch.optim.Adam([x], lr=1e-3)
N = 100000; best = 1e9
for _ in range(3):
    t0 = time.perf_counter()
    for _ in range(N): opt.step()
    t1 = time.perf_counter()
    for _ in range(N): pass
    t2 = time.perf_counter()
    best = min(best, (t1 - t0) - (t2 - t1))
print("%.0f" % (best / N * 1e9))')
fi

ratio=$(awk -v a="$step_ns" -v b="$torch_ns" 'BEGIN{ if (b+0>0) printf "%.0fx less time", b/a; else print "-" }')
pair_ratio=$(awk -v a="$fg_ns" -v b="$torch_ns" 'BEGIN{ if (b+0>0 && a+0>0) printf "%.0fx less time", b/a; else print "-" }')
cat <<EOF2
### Optimizers: cost of one step from Lua

| figure (Adam, dim 2, ns/step) | slope | torch.optim.Adam.step() | ratio |
|---|---|---|---|
| \`opt:step(x, g)\` alone, fixed g | $step_ns | $torch_ns | $ratio |
| \`f:fg(x, g); opt:step(x, g)\` ($fname) | $fg_ns | $torch_ns | $pair_ratio |
| \`f:fg(x, g)\` alone ($fname) | $fgonly_ns | | |

The Lua loop pays one Lua->C call per \`opt:step\` (argument checks, then the fused C update); torch
pays its Python optimizer machinery per step (float64 tensor of 2 elements, one thread). A value of -1
means no 2-D objective was available in this build. When slope.obj.rosenbrock is missing the
gradient loop uses slope.spectrum.toy.quadratic (2x2) instead.

Commands: \`sh scripts/bench/30_optim_step.sh $B\` (slope: best of 5 runs of 10^6 steps minus an
empty loop, through \`$S -e\`; torch: best of 3 runs of 10^5 \`opt.step()\` minus an empty loop, with
x.grad fixed, \`$PY\`, torch.set_num_threads(1)).
EOF2
