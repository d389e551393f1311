#!/bin/sh
# 31_optim_curv.sh BUILD — the cost of a step of the curvature-aware rules
# (adahessian, sophia: a Hutchinson HVP at x) at d = 10^6 and of the
# matrix-aware ones (shampoo, soap, muon) per weight matrix, against the plain Adam
# step in the same run; torch 1.13 has none of these rules, so its peers are
# the Adam step and the matrix kernels the rules are made of (float64).
B=${1:-build}
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE # slope and its peers on the same OpenBLAS kernels (run.sh)
S="$B/slope"
PY=/usr/bin/python3
LT=$(mktemp -d); trap 'rm -rf "$LT"' EXIT

cat > "$LT/curv.lua" <<'EOL'
local O = slope.optim
-- ms per opt:step(x, g), g fixed, after `warm` steps: best of `runs` runs of `reps` steps
local function per_step(opt, x, g, reps, runs, warm)
  for _ = 1, warm or 1 do opt:step(x, g) end
  local best = math.huge
  for _ = 1, runs do
    local t0 = slope.clock()
    for _ = 1, reps do opt:step(x, g) end
    best = math.min(best, (slope.clock() - t0) / reps)
  end
  return best * 1e3
end
local function fmt(v) return ("%.2f"):format(v) end
if arg[1] == "vector" then
  local d = 1000000
  local f = slope.obj.rosenbrock{ dim = d }
  local x, g = slope.vec.randn(d, slope.rng(1)):scale(0.1), slope.vec.zeros(d)
  f:fg(x, g)
  local hv, v = slope.vec.zeros(d), slope.vec.randn(d, slope.rng(2))
  local hvp = math.huge
  for _ = 1, 5 do
    local t0 = slope.clock(); f:hvp(x, v, hv); hvp = math.min(hvp, slope.clock() - t0)
  end
  local rows = {
    { "adam", per_step(O.adam{ lr = 1e-9 }, x:clone(), g, 20, 5) },
    { "sophia, k = 10 (one HVP every 10 steps)", per_step(O.sophia{ f = f, lr = 1e-9, k = 10 }, x:clone(), g, 20, 3) },
    { "sophia, update alone (no estimate in the steps timed)", per_step(O.sophia{ f = f, lr = 1e-9, k = 1000000 }, x:clone(), g, 20, 5) },
    { "adahessian (one HVP every step)", per_step(O.adahessian{ f = f, lr = 1e-9 }, x:clone(), g, 10, 3) },
    { "adahessian, update_each = 10", per_step(O.adahessian{ f = f, lr = 1e-9, update_each = 10 }, x:clone(), g, 20, 3) },
    { "adahessian, block_size = 32 (spatial averaging)", per_step(O.adahessian{ f = f, lr = 1e-9, block_size = 32 }, x:clone(), g, 10, 3) },
    { "f:hvp(x, v) alone (rosenbrock, exact)", hvp * 1e3 },
  }
  for _, r in ipairs(rows) do print(r[1] .. "\t" .. fmt(r[2])) end
else
  local n = tonumber(arg[2])
  local d = n * n
  local lay = { { name = "W", offset = 1, size = d, shape = { n, n } } }
  local x, g = slope.vec.randn(d, slope.rng(1)), slope.vec.randn(d, slope.rng(2))
  local reps = n >= 1000 and 2 or 5
  local rows = {
    { "adam", per_step(O.adam{ lr = 1e-9 }, x:clone(), g, 10, 5) },
    { "muon (5 Newton-Schulz steps)", per_step(O.muon{ layers = lay, lr = 1e-9 }, x:clone(), g, reps, 3) },
    { "shampoo, precondition_frequency = 1 (two dsyevd a step)", per_step(O.shampoo{ layers = lay, lr = 1e-9 }, x:clone(), g, reps, 3) },
    { "shampoo, precondition_frequency = 10", per_step(O.shampoo{ layers = lay, lr = 1e-9, precondition_frequency = 10 }, x:clone(), g, 10, 2, 1) },
    { "soap, precondition_frequency = 10 (power iteration + QR)", per_step(O.soap{ layers = lay, lr = 1e-9 }, x:clone(), g, 10, 2, 1) },
  }
  for _, r in ipairs(rows) do print(r[1] .. "\t" .. fmt(r[2])) end
end
EOL

vec=$("$S" "$LT/curv.lua" vector)
m256=$("$S" "$LT/curv.lua" matrix 256)
m1000=$("$S" "$LT/curv.lua" matrix 1000)

torch_out="n/a	n/a	n/a	n/a	n/a"
if $PY -c 'import torch' 2>/dev/null; then
  torch_out=$($PY -c '
import time, torch
def best(fn, reps, runs):
    fn(); b = 1e9
    for _ in range(runs):
        t0 = time.perf_counter()
        for _ in range(reps): fn()
        b = min(b, (time.perf_counter() - t0) / reps)
    return b * 1e3
x = torch.randn(1000000, dtype=torch.float64, requires_grad=True)
x.grad = torch.randn(1000000, dtype=torch.float64)
opt = torch.optim.Adam([x], lr=1e-9, foreach=True)
adam = best(opt.step, 20, 5)
def ns5(G):
    X = G / (G.norm() + 1e-7)
    for _ in range(5):
        A = X @ X.T
        B = -4.7750 * A + 2.0315 * A @ A
        X = 3.4445 * X + B @ X
    return X
out = ["%.2f" % adam]
for n in (256, 1000):
    G = torch.randn(n, n, dtype=torch.float64)
    S = G @ G.T + 1e-4 * torch.eye(n, dtype=torch.float64)
    out.append("%.2f" % best(lambda: ns5(G), 2 if n >= 1000 else 5, 3))
    out.append("%.2f" % best(lambda: (torch.linalg.eigh(S), torch.linalg.eigh(S)), 2 if n >= 1000 else 5, 3))
print("\t".join(out))')
fi
set -- $torch_out
t_adam=$1; t_ns256=$2; t_eig256=$3; t_ns1000=$4; t_eig1000=$5

val() { printf '%s\n' "$1" | awk -F'\t' -v k="$2" '$1 == k { print $2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b+0 > 0) printf "%.1f", a / b; else print "-" }'; }
adam_v=$(val "$vec" adam)

cat <<EOF2
### Curvature- and matrix-aware optimizers: cost of a step

| d = 10^6 (rosenbrock, exact HVP), ms per step | slope | x the Adam step |
|---|---|---|
EOF2
printf '%s\n' "$vec" | while IFS='	' read -r name ms; do
  echo "| $name | $ms | $(ratio "$ms" "$adam_v") |"
done
cat <<EOF2
| torch.optim.Adam(foreach=True) step, d = 10^6 float64 | $t_adam | $(ratio "$t_adam" "$adam_v") |

| one n x n weight matrix, ms per step | n = 256 (d = 65536) | n = 1000 (d = 10^6) |
|---|---|---|
EOF2
printf '%s\n' "$m256" | while IFS='	' read -r name ms; do
  echo "| $name | $ms | $(val "$m1000" "$name") |"
done
cat <<EOF2
| torch float64: the same Newton-Schulz iteration (5 steps, 3 matmuls each) | $t_ns256 | $t_ns1000 |
| torch float64: two torch.linalg.eigh (Shampoo's L and R roots) | $t_eig256 | $t_eig1000 |

AdaHessian and Sophia pay one Hessian-vector product per estimate (here rosenbrock's analytic HVP,
about one gradient's cost) plus one fused elementwise pass; Sophia's default k = 10 spreads the HVP
over ten steps. Muon's step is 15 dgemm calls on the matrix (its n^3 products dominate from a few
hundred rows); Shampoo's, with precondition_frequency = 1, two symmetric eigendecompositions
(LAPACK dsyevd) and four dgemm calls, so its cost per step falls with precondition_frequency; SOAP's
step is eight dgemm calls (two projections each way, L and R) plus, every precondition_frequency
steps, a power iteration and a QR decomposition (dgeqrf, dorgqr) per side. torch
1.13 has none of the four rules; its rows are the Adam step and the same matrix kernels written in
torch (float64, its default threads), measured in the same run.

Commands: \`sh scripts/bench/31_optim_curv.sh $B\` (slope: \`opt:step(x, g)\` from Lua with g fixed,
best of 2-5 runs after a warm-up step; torch: \`$PY\`, best of 3-5 runs).
EOF2
