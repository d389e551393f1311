#!/bin/sh
# 10_vec.sh BUILD — the cost of one Lua->C method call on a vector, and axpy
# throughput next to the machine's memory bandwidth (STREAM-like triad).
B=${1:-build}
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE # slope and its peers on the same OpenBLAS kernels (run.sh)
S="$B/slope"
PY=/usr/bin/python3
cc -O2 -march=x86-64-v2 -fopenmp -o "$B/bench_triad" scripts/bench/triad.c || exit 1

call_ns=$("$S" -e '
local x, y = slope.vec{1, 2}, slope.vec{3, 4}
local N = 10000000
local best_loop, best_empty = math.huge, math.huge
for _ = 1, 5 do
  local t0 = slope.clock()
  for _ = 1, N do x:axpy(1.0, y) end
  local t1 = slope.clock()
  for _ = 1, N do end
  local t2 = slope.clock()
  best_loop = math.min(best_loop, t1 - t0); best_empty = math.min(best_empty, t2 - t1)
end
print(("%.1f"):format((best_loop - best_empty) / N * 1e9))')

axpy_gbs=$("$S" -e '
local n = 10000000
local x, y = slope.vec.ones(n), slope.vec.ones(n)
local best = math.huge
for _ = 1, 20 do
  local t0 = slope.clock(); x:axpy(1e-3, y); best = math.min(best, slope.clock() - t0)
end
print(("%.2f"):format(24 * n / best / 1e9))')

set -- $(OMP_NUM_THREADS=1 "$B/bench_triad" 10000000 20); triad1=$1; inpl1=$2
set -- $(OMP_NUM_THREADS=2 "$B/bench_triad" 10000000 20); triad2=$1; inpl2=$2
threads=$("$S" -e 'print(slope.threads())')

np_call="n/a"; np_axpy="n/a"
if $PY -c 'import numpy' 2>/dev/null; then
  np_call=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $PY -c '
import numpy as np, time
x = np.array([1.0, 2.0]); y = np.array([3.0, 4.0]); N = 1000000
best = 1e9
for _ in range(3):
    t0 = time.perf_counter()
    for _ in range(N): x += 1.0 * y
    t1 = time.perf_counter()
    for _ in range(N): pass
    t2 = time.perf_counter()
    best = min(best, (t1 - t0) - (t2 - t1))
print("%.1f" % (best / N * 1e9))')
  np_axpy=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $PY -c '
import numpy as np, time
n = 10000000; x = np.ones(n); y = np.ones(n); best = 1e9
for _ in range(20):
    t0 = time.perf_counter(); x += 1e-3 * y; best = min(best, time.perf_counter() - t0)
print("%.2f" % (24 * n / best / 1e9))')
fi

cat <<EOF2
### Vectors: Lua->C call cost and axpy bandwidth

| figure | slope | numpy (\`x += a*y\`) | ratio |
|---|---|---|---|
| one \`x:axpy(1.0, y)\` call, n = 2 (ns/call, loop overhead removed) | $call_ns | $np_call | $(awk -v a="$call_ns" -v b="$np_call" 'BEGIN{ if (b+0>0) printf "%.0fx less time", b/a; else print "-" }') |
| \`x:axpy\` on n = 10^7 (GB/s, 24 bytes per entry) | $axpy_gbs | $np_axpy | $(awk -v a="$axpy_gbs" -v b="$np_axpy" 'BEGIN{ if (b+0>0) printf "%.2fx", a/b; else print "-" }') |
| memory bandwidth, C in-place \`a[i] += s*c[i]\`, 1 / 2 threads (GB/s) | $inpl1 / $inpl2 | | |
| memory bandwidth, STREAM triad \`a[i] = b[i] + s*c[i]\`, 1 / 2 threads (GB/s) | $triad1 / $triad2 | | |

slope's axpy ($threads threads, split across threads above 65536 entries) reaches
$(awk -v a="$axpy_gbs" -v b="$inpl2" 'BEGIN{printf "%.0f", 100*a/b}')% of the two-thread in-place C loop, the same access pattern
(the triad counts 24 bytes per element as STREAM does, but also pays write-allocate traffic for \`a\`,
so it reads lower). numpy's \`x += a*y\` runs on one thread and writes a temporary for \`a*y\`.

Commands: \`sh scripts/bench/10_vec.sh $B\` (call cost: best of 5 runs of 10^7 calls minus an empty
loop; axpy: best of 20; bandwidth: \`OMP_NUM_THREADS=1|2 $B/bench_triad 10000000 20\`; numpy with
OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset).
EOF2
