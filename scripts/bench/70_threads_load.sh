#!/bin/sh
# 70_threads_load.sh BUILD — threads on a busy machine (issue 13): a minibatch
# MLP training loop (digits, 64-64-10 tanh, batch 32, Adam) and a full-batch
# logistic fg loop (n = 100000, d = 100), each at 1 and 2 threads, on the idle
# machine and with one competing busy process (`sh -c 'while :; do :; done'`),
# and at 2 threads under load with libgomp's default spinning
# (GOMP_SPINCOUNT=300000: what slope ran with before it set 1000 itself).
# SLOPE_BENCH_ROUNDS rounds (default 3); every figure is the median of the rounds.
set -e
B=${1:-build}
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
B=$(cd "$B" && pwd)
S="$B/slope"
ROUNDS=${SLOPE_BENCH_ROUNDS:-3}
T=$(mktemp -d)
HOG=
cleanup() { [ -n "$HOG" ] && kill "$HOG" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT

cat > "$T/mlp_minibatch.lua" <<'LUA'
local d = slope.data.load("digits")
local f = slope.obj.mlp{X = d.X, y = d.y, hidden = {64}, activation = "tanh", classes = 10}
local x = f:init(slope.rng(1))
local t0 = slope.clock()
slope.train{objective = f, optimizer = slope.optim.adam{lr = 1e-3}, x = x, epochs = 30, batch = 32,
  rng = slope.rng(2), quiet = true}
print(slope.clock() - t0)
LUA
cat > "$T/logistic_fg.lua" <<'LUA'
local r = slope.rng(1)
local n, d = 100000, 100
local X, y = slope.mat.zeros(n, d), slope.vec.zeros(n)
for i = 1, n do X[i]:copy(slope.vec.randn(d, r)); y[i] = X:get(i, 1) > 0 and 1 or 0 end
local f = slope.obj.logistic{X = X, y = y, l2 = 1e-4}
local w, g = slope.vec.randn(d, r) * 0.1, slope.vec.zeros(d)
f:fg(w, g)
local t0 = slope.clock()
for _ = 1, 200 do f:fg(w, g); w:axpy(-0.5, g) end
print(slope.clock() - t0)
LUA

# run WORKLOAD MODE THREADS [ENV...]: appends the seconds to $T/WORKLOAD.MODE.THREADS
run() {
  w=$1; m=$2; t=$3; shift 3
  env "$@" OMP_NUM_THREADS="$t" "$S" "$T/$w.lua" >> "$T/$w.$m.$t"
}
for r in $(seq "$ROUNDS"); do
  for w in mlp_minibatch logistic_fg; do
    run $w idle 1
    run $w idle 2
  done
done
sh -c 'while :; do :; done' &
HOG=$!
sleep 0.2
for r in $(seq "$ROUNDS"); do
  for w in mlp_minibatch logistic_fg; do
    run $w busy 1
    run $w busy 2
    run $w spin 2 GOMP_SPINCOUNT=300000
  done
done
kill "$HOG"
HOG=

med() { sort -g "$1" | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

echo "### Threads on a busy machine"
echo
echo "The same loop at 1 and 2 threads (\`OMP_NUM_THREADS\`), on the idle machine and with one competing busy process (\`sh -c 'while :; do :; done' &\`, not pinned) on this $(nproc)-core machine."
echo "slope's interpreter runs with \`GOMP_SPINCOUNT=1000\` unless the user set \`OMP_WAIT_POLICY\` or \`GOMP_SPINCOUNT\`; the last column forces libgomp's default spinning (\`GOMP_SPINCOUNT=300000\`) for comparison."
echo "Passes under ~2^18 flops (the minibatches of 32) run on one thread whatever the setting. Seconds, median of $ROUNDS rounds, loop only (data set-up excluded)."
echo
echo "| loop | idle, 1 thread | idle, 2 threads | busy, 1 thread | busy, 2 threads | busy: 2 / 1 threads | busy, 2 threads, GOMP_SPINCOUNT=300000 | its 2 / 1 threads |"
echo "|---|---|---|---|---|---|---|---|"
for w in mlp_minibatch logistic_fg; do
  case $w in
    mlp_minibatch) label="MLP 64-64-10 tanh, digits, batch 32, Adam, 30 epochs (1710 steps)" ;;
    logistic_fg) label="logistic fg + step, n = 100000, d = 100, 200 iterations" ;;
  esac
  i1=$(med "$T/$w.idle.1"); i2=$(med "$T/$w.idle.2"); b1=$(med "$T/$w.busy.1"); b2=$(med "$T/$w.busy.2")
  s2=$(med "$T/$w.spin.2")
  awk -v l="$label" -v i1="$i1" -v i2="$i2" -v b1="$b1" -v b2="$b2" -v s2="$s2" 'BEGIN {
    printf "| %s | %.3f | %.3f | %.3f | %.3f | %.2fx | %.3f | %.2fx |\n", l, i1, i2, b1, b2, b2 / b1, s2, s2 / b1 }'
done
echo
echo "Commands (scripts written by scripts/bench/70_threads_load.sh; \`sh -c 'while :; do :; done' &\` running for the busy columns):"
echo
echo '```'
echo "OMP_NUM_THREADS=1 build/slope mlp_minibatch.lua; OMP_NUM_THREADS=2 build/slope mlp_minibatch.lua"
echo "OMP_NUM_THREADS=1 build/slope logistic_fg.lua;   OMP_NUM_THREADS=2 build/slope logistic_fg.lua"
echo "GOMP_SPINCOUNT=300000 OMP_NUM_THREADS=2 build/slope mlp_minibatch.lua  # likewise logistic_fg.lua"
echo '```'
