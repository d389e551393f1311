#!/bin/sh
# 40_lbfgs.sh BUILD — L-BFGS on L2-regularized logistic regression: slope's
# solver (C core; and slope.minimize through Lua) against scipy's L-BFGS-B and
# liblbfgs, on the same data, from w = 0, m = 10, to max|g| <= 1e-9.
# Rows: slope.minimize on slope.obj.logistic from Lua (what a user runs); slope's
# core solver and liblbfgs in one C driver sharing one C objective (CBLAS dgemv,
# scripts/bench/lbfgs_peer.c), so the solvers compare on equal evaluations; scipy
# evaluates the same formula with numpy.
B=${1:-build}
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE # slope and its peers on the same OpenBLAS kernels (run.sh)
PY=/usr/bin/python3
N=${LBFGS_N:-100000}; D=${LBFGS_D:-100}; LAMBDA=1e-6; GTOL=1e-10
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
cc -O2 -march=x86-64-v2 -fopenmp -Isrc/core -o "$B/bench_lbfgs_peer" scripts/bench/lbfgs_peer.c \
  "$B/libslope.a" -llbfgs $(pkg-config --libs openblas lapacke) -lm || exit 1
$PY - "$B" "$N" "$D" <<'PYEOF' || exit 1
import numpy as np, sys
b, n, d = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(7)
X = rng.standard_normal((n, d)) / np.sqrt(d)
w = rng.standard_normal(d) * 3
y = np.where(rng.random(n) < 1 / (1 + np.exp(-X @ w)), 1.0, -1.0)
X.astype(np.float64).tofile(b + "/lbfgs_X.bin"); y.tofile(b + "/lbfgs_y.bin")
np.save(b + "/lbfgs_X.npy", X); np.save(b + "/lbfgs_y.npy", y)
PYEOF
peer=$("$B/bench_lbfgs_peer" "$B/lbfgs_X.bin" "$B/lbfgs_y.bin" "$N" "$D" "$LAMBDA" "$GTOL" "$B/lbfgs_w") || exit 1
set -- $(echo "$peer" | grep '^slope '); s_f=$2; s_nit=$3; s_nfev=$4; s_t=$5
set -- $(echo "$peer" | grep '^liblbfgs '); l_f=$2; l_nfev=$4; l_t=$5
set -- $("$B/slope" -e "
local X, y = slope.data.npy('$B/lbfgs_X.npy'), slope.data.npy('$B/lbfgs_y.npy')
local f = slope.obj.logistic{X = X, y = y, l2 = $LAMBDA}
local best, r = math.huge
for _ = 1, 3 do
  local t0 = slope.clock()
  r = slope.minimize(f, slope.vec.zeros($D), {method = 'lbfgs', m = 10, gtol = $GTOL, maxiter = 10000})
  best = math.min(best, slope.clock() - t0)
end
slope.data.save_npy('$B/lbfgs_w_lua.npy', r.x)
print(('%.17g %d %d %.6f %s'):format(r.f, r.nit, r.nfev, best, r.status))") || exit 1
o_f=$1; o_nit=$2; o_nfev=$3; o_t=$4
sp=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $PY - "$B" "$N" "$D" "$LAMBDA" "$GTOL" <<'PYEOF'
import numpy as np, sys, time
from scipy.optimize import minimize
b, n, d, lam, gtol = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
X = np.fromfile(b + "/lbfgs_X.bin").reshape(n, d); y = np.fromfile(b + "/lbfgs_y.bin")
def fg(w):
    m = -y * (X @ w)
    f = np.mean(np.logaddexp(0, m)) + 0.5 * lam * w @ w
    g = X.T @ (-y / (1 + np.exp(-m))) / n + lam * w
    return f, g
best = 1e9
for _ in range(3):
    t0 = time.perf_counter()
    r = minimize(fg, np.zeros(d), jac=True, method="L-BFGS-B",
                 options=dict(maxcor=10, gtol=gtol, ftol=0, maxiter=10000, maxfun=100000))
    best = min(best, time.perf_counter() - t0)
ws = np.fromfile(b + "/lbfgs_w_slope.bin"); wl = np.fromfile(b + "/lbfgs_w_liblbfgs.bin")
wo = np.load(b + "/lbfgs_w_lua.npy").ravel()
rel = lambda a: np.linalg.norm(a - r.x) / np.linalg.norm(r.x)
print("%.17g %d %d %.6f %.2e %.2e %.2e %s" % (r.fun, r.nit, r.nfev, best, rel(ws), rel(wl), rel(wo), r.message.replace(" ", "_")))
PYEOF
) || exit 1
set -- $sp; p_f=$1; p_nit=$2; p_nfev=$3; p_t=$4; rel_s=$5; rel_l=$6; rel_o=$7

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
relf() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; printf "%.1e", d / (b < 0 ? -b : b) }'; }
echo "### L-BFGS on logistic regression (n = $N, d = $D, lambda = $LAMBDA, to max|g| <= $GTOL)"
echo
echo "| solver | f* | rel. diff of f* vs scipy | \\|w - w_scipy\\| / \\|w_scipy\\| | iterations | f+g evaluations | time (s, best of 3) | time / slope.minimize |"
echo "|---|---|---|---|---|---|---|---|"
echo "| slope.minimize lbfgs on slope.obj.logistic (Lua) | $o_f | $(relf "$o_f" "$p_f") | $rel_o | $o_nit | $o_nfev | $o_t | 1.00 |"
echo "| slope lbfgs (C core) | $s_f | $(relf "$s_f" "$p_f") | $rel_s | $s_nit | $s_nfev | $s_t | $(ratio "$s_t" "$o_t") |"
echo "| liblbfgs 1.10 | $l_f | $(relf "$l_f" "$p_f") | $rel_l | - | $l_nfev | $l_t | $(ratio "$l_t" "$o_t") |"
echo "| scipy L-BFGS-B | $p_f | 0 | 0 | $p_nit | $p_nfev | $p_t | $(ratio "$p_t" "$o_t") |"
echo
echo "One thread everywhere (OPENBLAS_NUM_THREADS=1). slope and liblbfgs share one C objective (two dgemv"
echo "per evaluation); scipy's objective is numpy (two BLAS gemv plus elementwise passes), so its time"
echo "includes numpy overhead per evaluation. slope.obj.logistic is slope's own objective (fused passes)."
echo "w is compared in 2-norm; differences at 1e-8 reflect where each stopping test fires, f* agrees to rounding."

# Each side's default threads on this 2-core machine (slope's OpenMP rows, numpy's
# OpenBLAS), on the same synthetic problem and on the shipped breast_cancer set
# (standardized as slope.data.standardize does: population std; intercept column).
lua_run() { # data-file-prefix d l2 -> "f nit nfev seconds max|g|"
  OMP_NUM_THREADS=2 "$B/slope" -e "
local X, y = slope.data.npy('$1_X.npy'), slope.data.npy('$1_y.npy')
local f = slope.obj.logistic{X = X, y = y, l2 = $3}
local best, r = math.huge
for _ = 1, 5 do
  local t0 = slope.clock()
  r = slope.minimize(f, slope.vec.zeros($2), {method = 'lbfgs', m = 10, gtol = $GTOL, maxiter = 10000})
  best = math.min(best, slope.clock() - t0)
end
print(('%.17g %d %d %.6f %.2e'):format(r.f, r.nit, r.nfev, best, r.gnorm))"
}
py_run() { # data-file-prefix l2 -> "f nit nfev seconds max|g|"
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2 $PY - "$1" "$2" "$GTOL" <<'PYEOF'
import numpy as np, sys, time
from scipy.optimize import minimize
pre, lam, gtol = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
X = np.load(pre + "_X.npy"); y = np.load(pre + "_y.npy").ravel()
n, d = X.shape
def fg(w):
    m = -y * (X @ w)
    f = np.mean(np.logaddexp(0, m)) + 0.5 * lam * w @ w
    g = X.T @ (-y / (1 + np.exp(-m))) / n + lam * w
    return f, g
best = 1e9
for _ in range(5):
    t0 = time.perf_counter()
    r = minimize(fg, np.zeros(d), jac=True, method="L-BFGS-B",
                 options=dict(maxcor=10, gtol=gtol, ftol=0, maxiter=10000, maxfun=100000))
    best = min(best, time.perf_counter() - t0)
print("%.17g %d %d %.6f %.2e" % (r.fun, r.nit, r.nfev, best, np.abs(r.jac).max()))
PYEOF
}
# breast_cancer with labels -1/+1 and an explicit intercept column, so both sides
# minimize the same function (the intercept is regularized like the weights here)
"$B/slope" -e "
local D = slope.data.load('breast_cancer')
local Xs = slope.data.standardize(D.X)
local n, d = Xs:shape()
local X = slope.mat.zeros(n, d + 1)
local y = slope.vec.zeros(n)
for i = 1, n do
  for j = 1, d do X[i][j] = Xs[i][j] end
  X[i][d + 1] = 1
  y[i] = D.y[i] == 1 and 1 or -1
end
slope.data.save_npy('$B/bc_X.npy', X); slope.data.save_npy('$B/bc_y.npy', y)" || exit 1
echo
echo
echo "Each side's default threads (2 cores: slope's OpenMP rows, numpy's OpenBLAS), best of 5:"
echo
echo "| problem | solver | f* | iterations | f+g evaluations | final max\\|g\\| | time (s) | time / slope |"
echo "|---|---|---|---|---|---|---|---|"
for prob in "synthetic_${N}x$D $B/lbfgs $D $LAMBDA" "breast_cancer_569x31,_l2=1e-3 $B/bc 31 1e-3"; do
  set -- $prob
  set -- $1 $(lua_run "$2" "$3" "$4") $(py_run "$2" "$4")
  echo "| $(echo "$1" | tr _ ' ') | slope.minimize lbfgs | $2 | $3 | $4 | $6 | $5 | 1.00 |"
  echo "| | scipy L-BFGS-B | $7 | $8 | $9 | ${11} | ${10} | $(ratio "${10}" "$5") |"
done
echo
echo "final max|g|: the stopping test each solver met; scipy also stops (ftol=0) when f stops decreasing"
echo "in floating point, which can be before max|g| <= gtol, so compare evaluations at equal max|g|."
echo
echo "Commands:"
echo
echo '```'
echo "cc -O2 -Isrc/core -o $B/bench_lbfgs_peer scripts/bench/lbfgs_peer.c $B/libslope.a -llbfgs -lopenblas -lm"
echo "$B/slope -e \"f = slope.obj.logistic{X=X, y=y, l2=$LAMBDA}; slope.minimize(f, slope.vec.zeros($D), {method='lbfgs', m=10, gtol=$GTOL})\""
echo "$B/bench_lbfgs_peer $B/lbfgs_X.bin $B/lbfgs_y.bin $N $D $LAMBDA $GTOL $B/lbfgs_w"
echo "$PY -c 'scipy.optimize.minimize(fg, zeros(d), jac=True, method=\"L-BFGS-B\", options=dict(maxcor=10, gtol=$GTOL, ftol=0))'"
echo '```'
