#!/bin/sh
# 80_scaleout.sh BUILD — scale-out over Open MPI (issue 14), side by side in one
# run: the same data-bound evaluation (full-data logistic loss and gradient,
# n = 400000 rows x d = 100, through slope.mpi.objective) at 1 rank x 1 thread
# and 2 ranks x 1 thread; allreduce latency and bandwidth for 2 to 1e6 doubles
# with Open MPI (allreduce_mpi.c, built with mpicc) against torch.distributed's
# gloo backend (allreduce_gloo.py, Debian's python3-torch, 2 processes on
# localhost); and an alpha-beta cost model fitted to the measured allreduce
# that extrapolates a training step to K = 8..1024 ranks (scaleout_model.lua).
# SLOPE_BENCH_ROUNDS rounds (default 3) of the evaluation, alternating 1 and 2
# ranks; the figure is the median round.
set -e
B=${1:-build}
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
B=$(cd "$B" && pwd)
S="$B/slope"
H=$(cd "$(dirname "$0")" && pwd)
ROUNDS=${SLOPE_BENCH_ROUNDS:-3}
NS="100000 400000"; N=400000; D=100; REPS=20 # N: the size the cost model uses
SIZES="2 100 1000 10000 100000 1000000"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

echo "### Scale-out over Open MPI"
echo
if ! command -v mpicc >/dev/null || ! command -v mpirun >/dev/null || [ ! -f "$B/slope_mpi.so" ]; then
  echo "(Open MPI or $B/slope_mpi.so is missing on this machine: \`make deps && make\` installs and builds them.)"
  exit 0
fi
mpicc -O2 -o "$T/allreduce_mpi" "$H/allreduce_mpi.c"

load0=$(cut -d' ' -f1 /proc/loadavg)
for n in $NS; do
  for r in $(seq "$ROUNDS"); do
    OMP_NUM_THREADS=1 "$S" "$H/scaleout_eval.lua" $n $D $REPS >> "$T/eval.1.$n"
    OMP_NUM_THREADS=1 mpirun --oversubscribe -np 2 "$S" "$H/scaleout_eval.lua" $n $D $REPS >> "$T/eval.2.$n"
    # the yardstick for 2 ranks: the same call on 2 threads of one process
    OMP_NUM_THREADS=2 "$S" "$H/scaleout_eval.lua" $n $D $REPS >> "$T/eval.t2.$n"
  done
done
mpirun --oversubscribe -np 2 "$T/allreduce_mpi" $SIZES > "$T/mpi.txt"
PY=/usr/bin/python3
if $PY -c "import torch.distributed as d; assert d.is_gloo_available()" 2>/dev/null; then
  port=$((29500 + $$ % 1000))
  OMP_NUM_THREADS=1 $PY "$H/allreduce_gloo.py" 1 2 $port $SIZES > /dev/null &
  OMP_NUM_THREADS=1 $PY "$H/allreduce_gloo.py" 0 2 $port $SIZES > "$T/gloo.txt"
  wait
else
  : > "$T/gloo.txt"
fi
OMP_NUM_THREADS=1 "$S" "$H/scaleout_step.lua" 256 > "$T/step.txt"
load1=$(cut -d' ' -f1 /proc/loadavg)

med() { sort -g "$1" | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
t1=$(awk '{print $1}' "$T/eval.1.$N" > "$T/e1"; med "$T/e1")

echo "Machine: $(nproc) cores; load average $load0 before and $load1 after these measurements (other processes share the cores: the 2-rank figures need two idle cores)."
echo "Open MPI $(mpirun --version 2>/dev/null | head -1 | sed 's/.*) //'), torch $($PY -c 'import torch; print(torch.__version__)' 2>/dev/null || echo 'not installed')."
echo
echo "**Data-bound evaluation**: the full-data logistic loss and gradient of n rows x d = $D (slope.mpi.objective; each rank makes and holds only its rows), \`OMP_NUM_THREADS=1\`, seconds per call, median of $ROUNDS runs (each the median of 5 rounds of $REPS calls, the slowest rank)."
echo
echo "| n (MB of X) | ranks x threads | seconds per call | speedup | loss (the same data at every K) |"
echo "|---|---|---|---|---|"
for n in $NS; do
  a1=$(awk '{print $1}' "$T/eval.1.$n" > "$T/e1"; med "$T/e1")
  a2=$(awk '{print $1}' "$T/eval.2.$n" > "$T/e2"; med "$T/e2")
  at=$(awk '{print $1}' "$T/eval.t2.$n" > "$T/et"; med "$T/et")
  v1=$(head -1 "$T/eval.1.$n" | awk '{print $2}'); v2=$(head -1 "$T/eval.2.$n" | awk '{print $2}')
  awk -v n="$n" -v d="$D" -v t1="$a1" -v t2="$a2" -v tt="$at" -v v1="$v1" -v v2="$v2" 'BEGIN {
    mb = n * d * 8 / 1e6
    printf "| %d (%.0f) | 1 x 1 | %.4f | 1.00x | %s |\n", n, mb, t1, v1
    printf "| %d (%.0f) | 2 x 1 | %.4f | %.2fx | %s |\n", n, mb, t2, t1 / t2, v2
    printf "| %d (%.0f) | 1 x 2 (threads, no MPI) | %.4f | %.2fx | %s |\n", n, mb, tt, t1 / tt, v1 }'
done
echo
echo "The 1 x 2 rows are what the two cores give the same call without MPI (shared memory traffic and"
echo "core resources): the ceiling a 2-rank run can reach on this machine at that size."
echo
echo "**Allreduce** (sum of float64 in place, 2 processes on this machine): seconds per call, median of 5 rounds, as time per call and as algorithm bandwidth (8n bytes / time)."
echo
echo "| doubles | Open MPI | gloo (torch.distributed) | gloo / Open MPI | Open MPI GB/s | gloo GB/s |"
echo "|---|---|---|---|---|---|"
for n in $SIZES; do
  m=$(awk -v n="$n" '$1 == n {print $2}' "$T/mpi.txt")
  g=$(awk -v n="$n" '$1 == n {print $2}' "$T/gloo.txt")
  awk -v n="$n" -v m="$m" -v g="$g" 'function t(s) { return s == "" ? "-" : (s < 1e-3 ? sprintf("%.2f us", s * 1e6) : sprintf("%.3f ms", s * 1e3)) }
    BEGIN { printf "| %d | %s | %s | %s | %.2f | %s |\n", n, t(m), t(g), g == "" ? "-" : sprintf("%.0fx", g / m),
      8 * n / m / 1e9, g == "" ? "-" : sprintf("%.2f", 8 * n / g / 1e9) }'
done
echo
echo "**Cost model** (α–β; ring allreduce 2(K−1)α + 2(K−1)/K·8nβ, tree/recursive doubling ⌈log2 K⌉(α + 8nβ)): compute measured at one rank, communication modeled."
echo
read -r tstep sdim < "$T/step.txt"
"$S" "$H/scaleout_model.lua" "$T/mpi.txt" "$t1" $D "$tstep" "$sdim"
echo "Commands (scripts/bench/80_scaleout.sh; the helpers are in scripts/bench/):"
echo
echo '```'
echo "OMP_NUM_THREADS=1 build/slope scripts/bench/scaleout_eval.lua N $D $REPS  # N = $NS"
echo "OMP_NUM_THREADS=1 mpirun --oversubscribe -np 2 build/slope scripts/bench/scaleout_eval.lua N $D $REPS  # N = $NS"
echo "OMP_NUM_THREADS=2 build/slope scripts/bench/scaleout_eval.lua N $D $REPS  # N = $NS"
echo "mpicc -O2 -o allreduce_mpi scripts/bench/allreduce_mpi.c && mpirun --oversubscribe -np 2 ./allreduce_mpi $SIZES"
echo "python3 scripts/bench/allreduce_gloo.py 0 2 PORT $SIZES & python3 scripts/bench/allreduce_gloo.py 1 2 PORT $SIZES"
echo "OMP_NUM_THREADS=1 build/slope scripts/bench/scaleout_step.lua 256   # the MLP step of the model"
echo '```'
