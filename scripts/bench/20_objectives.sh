#!/bin/sh
# 20_objectives.sh BUILD — data objectives: the fused logistic loss+gradient pass
# against numpy (two passes: X@w, then X.T@r) and PyTorch CPU float64, as a
# fraction of the machine's memory bandwidth measured here (STREAM-like read
# and triad kernels); the HVP's cost relative to one gradient; an MLP
# (64-128-10 tanh, digits-sized) full-batch gradient against PyTorch.
# SLOPE_BENCH_N overrides the large n (default 1000000), SLOPE_BENCH_ROUNDS the
# number of rounds (default 3; every figure is the best over the rounds).
set -e
B=${1:-build}
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE # slope and its peers on the same OpenBLAS kernels (run.sh)
B=$(cd "$B" && pwd)
export OMP_NUM_THREADS=2
N=${SLOPE_BENCH_N:-1000000}
PY=/usr/bin/python3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# ---- memory bandwidth --------------------------------------------------------
cat > "$T/stream.c" <<'C'
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
static double now(void) { return omp_get_wtime(); }
int main(void) {
  size_t n = 100000000; /* 800 MB, the size of X at n = 1e6, d = 100 */
  double *a = malloc(n * sizeof *a), best_r = 1e9, best_t = 1e9, s = 0;
  size_t m = n / 3;
  double *b = a + m, *c = a + 2 * m;
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < n; i++) a[i] = 1.0 + (double)(i % 7);
  for (int rep = 0; rep < 5; rep++) {
    /* eight independent sums: one add chain would cap the kernel below the
       memory's speed (add latency), and understate the bandwidth */
    double t0 = now(), c0 = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0, c5 = 0, c6 = 0, c7 = 0;
#pragma omp parallel for schedule(static) reduction(+ : c0, c1, c2, c3, c4, c5, c6, c7)
    for (size_t i = 0; i < n; i += 8) {
      c0 += a[i]; c1 += a[i + 1]; c2 += a[i + 2]; c3 += a[i + 3];
      c4 += a[i + 4]; c5 += a[i + 5]; c6 += a[i + 6]; c7 += a[i + 7];
    }
    double t = now() - t0;
    s += ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7));
    if (t < best_r) best_r = t;
    t0 = now();
#pragma omp parallel for simd schedule(static)
    for (size_t i = 0; i < m; i++) a[i] = b[i] + 0.5 * c[i];
    t = now() - t0;
    if (t < best_t) best_t = t;
  }
  printf("%.3f %.3f %g\n", 8.0 * (double)n / best_r / 1e9, 24.0 * (double)m / best_t / 1e9, s);
  return 0;
}
C
cc -O2 -march=x86-64-v2 -fopenmp -o "$T/stream" "$T/stream.c"
# the logistic pass and a read of the same X, back to back in pairs (bw_pair.c)
R=$(cd "$(dirname "$0")/../.." && pwd)
cc -std=c11 -O2 -march=x86-64-v2 -fopenmp -I"$R/src/core" -o "$T/bw_pair" "$R/scripts/bench/bw_pair.c" \
  "$B/libslope.a" $(pkg-config --libs openblas lapacke) -lm

# ---- slope -------------------------------------------------------------------
cat > "$T/slope_bench.lua" <<'LUA'
local N = tonumber(arg[1])
-- best of reps: the machine is shared, and other processes only ever add time
local function timeit(reps, fn)
  fn()
  local best = math.huge
  for _ = 1, reps do local t0 = slope.clock(); fn(); best = math.min(best, slope.clock() - t0) end
  return best
end
local d, r = 100, slope.rng(1)
local pool = {}
for k = 1, 4096 do pool[k] = slope.vec.randn(d, r) end
for _, n in ipairs({N, N // 10}) do
  local X, y = slope.mat.zeros(n, d), slope.vec.zeros(n)
  for i = 1, n do
    local row = pool[(i * 2654435761) % 4096 + 1]
    X[i]:copy(row)
    y[i] = row[1] > 0 and 1 or 0
  end
  local f = slope.obj.logistic{X = X, y = y, l2 = 1e-4}
  local w, g, v, hv = slope.vec.randn(d, r) * 0.1, slope.vec.zeros(d), slope.vec.randn(d, r), slope.vec.zeros(d)
  local reps = n >= 1000000 and 7 or 21
  local tfg = timeit(reps, function() f:fg(w, g) end)
  local thv = timeit(reps, function() f:hvp(w, v, hv) end)
  print(("logistic %d %.6f %.6f"):format(n, tfg, thv))
  X, y, f = nil, nil, nil
  collectgarbage()
end
-- MLP 64-128-10 tanh on digits-shaped data (n = 1797, d = 64, 10 classes)
local n = 1797
local X, y = slope.mat.zeros(n, 64), slope.vec.zeros(n)
for i = 1, n do X[i]:copy(slope.vec.rand(64, r) * 16); y[i] = i % 10 end
local f = slope.obj.mlp{X = X, y = y, hidden = {128}, activation = "tanh", classes = 10}
local x = f:init(r)
local g, v, hv = slope.vec.zeros(f.dim), slope.vec.randn(f.dim, r), slope.vec.zeros(f.dim)
local tg = timeit(101, function() f:fg(x, g) end)
local th = timeit(101, function() f:hvp(x, v, hv) end)
print(("mlp %d %.6f %.6f"):format(n, tg, th))
LUA

# ---- numpy / torch -----------------------------------------------------------
cat > "$T/peers.py" <<'PYEOF'
import sys, time, numpy as np
N = int(sys.argv[1]); which = sys.argv[2]
def timeit(reps, fn):  # best of reps, as the slope side
    fn(); ts = []
    for _ in range(reps):
        t0 = time.perf_counter(); fn(); ts.append(time.perf_counter() - t0)
    return min(ts)
rng = np.random.default_rng(1)
d = 100
if which == "numpy":
    for n in (N, N // 10):
        X = rng.standard_normal((n, d)); y = (X[:, 0] > 0).astype(float)
        w = 0.1 * rng.standard_normal(d); l2 = 1e-4
        def fg():
            z = X @ w                                  # pass 1 over X
            loss = np.mean(np.logaddexp(0.0, z) - y * z) + 0.5 * l2 * w @ w
            r = (1.0 / (1.0 + np.exp(-z)) - y) / n
            g = X.T @ r + l2 * w                       # pass 2 over X
            return loss, g
        print("logistic %d %.6f" % (n, timeit(7 if n >= 1000000 else 21, fg)))
        del X
else:
    import torch
    torch.set_num_threads(2)
    for n in (N, N // 10):
        X = torch.from_numpy(rng.standard_normal((n, d))); y = (X[:, 0] > 0).double()
        w = (0.1 * torch.randn(d, dtype=torch.float64)).requires_grad_()
        def fg():
            w.grad = None
            loss = torch.nn.functional.binary_cross_entropy_with_logits(X @ w, y) + 0.5e-4 * (w @ w)
            loss.backward()
            return loss
        print("logistic %d %.6f" % (n, timeit(7 if n >= 1000000 else 21, fg)))
        del X
    n = 1797
    X = torch.from_numpy(rng.random((n, 64)) * 16); y = torch.from_numpy(np.arange(n) % 10)
    net = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.Tanh(), torch.nn.Linear(128, 10)).double()
    def g():
        net.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(net(X), y)
        loss.backward()
    params = list(net.parameters())
    vs = [torch.randn_like(p) for p in params]
    def hvp():  # double backward: d/dx (grad(x) . v)
        loss = torch.nn.functional.cross_entropy(net(X), y)
        gs = torch.autograd.grad(loss, params, create_graph=True)
        return torch.autograd.grad(sum((gi * vi).sum() for gi, vi in zip(gs, vs)), params)
    print("mlp %d %.6f %.6f" % (n, timeit(101, g), timeit(101, hvp)))
PYEOF

SLOPE_CMD="OMP_NUM_THREADS=2 $B/slope slope_bench.lua $N"
NUMPY_CMD="env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 $PY peers.py $N numpy"
TORCH_CMD="OMP_NUM_THREADS=2 $PY peers.py $N torch"
# Rounds of every measurement in turn (the bandwidth right next to slope's
# pass); each figure is the best over the rounds, since other processes on
# the shared machine only ever add time.
ROUNDS=${SLOPE_BENCH_ROUNDS:-3}
: > "$T/bw.out"; : > "$T/pair.out"; : > "$T/slope.out"; : > "$T/numpy.out"; : > "$T/torch.out"
r=0
while [ $r -lt "$ROUNDS" ]; do
  "$T/stream" >> "$T/bw.out"
  (cd "$T" && OMP_NUM_THREADS=2 "$B/slope" slope_bench.lua "$N") >> "$T/slope.out"
  "$T/stream" >> "$T/bw.out"
  OMP_NUM_THREADS=2 "$T/bw_pair" "$N" 21 >> "$T/pair.out"
  (cd "$T" && env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 "$PY" peers.py "$N" numpy) >> "$T/numpy.out" 2>"$T/numpy.err" || echo "numpy failed" >&2
  (cd "$T" && OMP_NUM_THREADS=2 "$PY" peers.py "$N" torch) >> "$T/torch.out" 2>"$T/torch.err" || echo "torch failed" >&2
  r=$((r + 1))
done
BW_READ=$(awk 'NR == 1 || $1 > m { m = $1 } END { print m }' "$T/bw.out")
BW_TRIAD=$(awk 'NR == 1 || $2 > m { m = $2 } END { print m }' "$T/bw.out")

# the best (smallest) of the rounds' figures in column c of the rows "k n ..."
get() { awk -v k="$2" -v n="$3" -v c="$4" '$1 == k && $2 == n && (m == "" || $c < m) { m = $c } END { print m }' "$T/$1.out"; }
N2=$((N / 10))

echo "### Data objectives: fused logistic pass, HVP, MLP gradient"
echo
echo "Memory bandwidth measured in this run (2 threads, STREAM-like, best of 5 x $((2 * ROUNDS)) runs interleaved with the others): read (sum) $BW_READ GB/s, triad $BW_TRIAD GB/s."
echo "Threads: \`export OMP_NUM_THREADS=2\` (2 cores) for every command below; OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for all of them (scripts/bench/run.sh: slope and the peers on the same OpenBLAS kernels)."
echo "Times are the best of 7-101 repetitions in each of $ROUNDS rounds (the machine is shared: other processes only add time); effective GB/s counts one read of X (8 n d bytes)."
echo
echo "| logistic loss + gradient, d = 100 | n | slope (s) | slope GB/s | % of read BW | numpy 2-pass (s) | PyTorch f64 (s) | numpy / slope | torch / slope | slope HVP / grad |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for n in $N $N2; do
  s=$(get slope logistic $n 3); h=$(get slope logistic $n 4)
  np_=$(get numpy logistic $n 3); th=$(get torch logistic $n 3)
  awk -v n=$n -v s=$s -v h=$h -v np_="${np_:-nan}" -v th="${th:-nan}" -v bw=$BW_READ 'BEGIN {
    gbs = 8 * n * 100 / s / 1e9
    printf "| dense synthetic | %d | %.4f | %.1f | %.0f %% | %.4f | %.4f | %.2fx | %.2fx | %.2f |\n",
      n, s, gbs, 100 * gbs / bw, np_, th, np_ / s, th / s, h / s }'
done
awk -v R="$ROUNDS" 'NR == 1 || $3 < lo { lo = $3 } NR == 1 || $3 > hi { hi = $3 }
  NR == 1 || $5 > br { br = $5 } NR == 1 || $6 > bf { bf = $6 }
  END { printf "\nPaired (bw_pair.c: a read of X and slope'"'"'s pass over X back to back, 21 pairs, n = %d): the pass runs at %.0f-%.0f %% of the read bandwidth (median of the pairs'"'"' ratios, lowest and highest of %d rounds); best times: read %.1f GB/s, pass %.1f GB/s.\n", $2, 100 * lo, 100 * hi, R, br, bf }' "$T/pair.out"
echo
ms=$(get slope mlp 1797 3); mh=$(get slope mlp 1797 4); mt=$(get torch mlp 1797 3); mth=$(get torch mlp 1797 4)
echo "| MLP 64-128-10 tanh, n = 1797, full batch | slope (ms) | PyTorch f64 (ms) | torch / slope |"
echo "|---|---|---|---|"
awk -v s=$ms -v t="${mt:-nan}" 'BEGIN { printf "| loss + gradient | %.3f | %.3f | %.2fx |\n", 1e3 * s, 1e3 * t, t / s }'
awk -v s=$mh -v t="${mth:-nan}" 'BEGIN { printf "| Hessian-vector product (torch: double backward) | %.3f | %.3f | %.2fx |\n", 1e3 * s, 1e3 * t, t / s }'
echo
echo "Commands (run in a scratch directory holding the scripts this benchmark writes; see scripts/bench/20_objectives.sh):"
echo
echo '```'
echo "cc -O2 -march=x86-64-v2 -fopenmp -o stream stream.c && OMP_NUM_THREADS=2 ./stream"
echo "cc -std=c11 -O2 -march=x86-64-v2 -fopenmp -Isrc/core -o bw_pair scripts/bench/bw_pair.c build/libslope.a \$(pkg-config --libs openblas lapacke) -lm && OMP_NUM_THREADS=2 ./bw_pair $N 21"
echo "$SLOPE_CMD"
echo "$NUMPY_CMD"
echo "$TORCH_CMD"
echo '```'
