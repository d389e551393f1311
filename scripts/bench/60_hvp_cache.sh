#!/bin/sh
# 60_hvp_cache.sh BUILD — what an sl_obj_hvp_begin window saves per
# Hessian-vector product (the way Lanczos, power iteration, sl_obj_hessian and
# Newton-CG call it: many HVPs at one x). hvp_cache.c times the plain HVP and
# the windowed one in alternating batches in one process (best of 7 each), and
# the cost of begin; the windowed HVP must equal the plain one (max rel. diff).
# Problems: L2-logistic on breast_cancer (569 x 30, standardized, intercept),
# logistic on n x 100 synthetic rows (SLOPE_BENCH_N, default 1e6: 800 MB),
# softmax regression and the 64-tanh MLP on digits (1797 x 64, 10 classes).
set -e
B=${1:-build}
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE # slope and its peers on the same OpenBLAS kernels (run.sh)
N=${SLOPE_BENCH_N:-1000000}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
CMD_CC="cc -std=c11 -O2 -march=x86-64-v2 -fopenmp -Isrc/core -o hvp_cache scripts/bench/hvp_cache.c $B/libslope.a \$(pkg-config --libs openblas lapacke) -lm"
cc -std=c11 -O2 -march=x86-64-v2 -fopenmp -Isrc/core -o "$T/hvp_cache" scripts/bench/hvp_cache.c \
  "$B/libslope.a" $(pkg-config --libs openblas lapacke) -lm
for p in logistic_bc softmax_digits mlp_digits logistic_big; do
  for t in 1 2; do
    printf '%s ' "$t" >> "$T/out"
    OMP_NUM_THREADS=$t "$T/hvp_cache" $p $N >> "$T/out"
  done
done

echo "### HVP windows: cached curvature at a fixed point"
echo
echo "| problem | dim | rows | threads | plain HVP (us) | windowed HVP (us) | plain / windowed | begin (us) | max rel. diff |"
echo "|---|---|---|---|---|---|---|---|---|"
awk '{ printf "| %s | %d | %d | %d | %.1f | %.1f | %.2fx | %.1f | %s |\n", $2, $3, $4, $1, $5, $6, $5 / $6, $7, $8 }' "$T/out"
echo
echo "A window pays for itself after begin / (plain - windowed) HVPs (Lanczos and power iteration take tens)."
echo
echo "Commands:"
echo
echo '```'
echo "$CMD_CC"
echo "for p in logistic_bc softmax_digits mlp_digits logistic_big; do for t in 1 2; do OMP_NUM_THREADS=\$t ./hvp_cache \$p $N; done; done"
echo '```'
