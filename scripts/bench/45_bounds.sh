#!/bin/sh
# 45_bounds.sh BUILD — L-BFGS-B on bound-constrained logistic regression:
# slope.minimize{method = "lbfgsb"} against scipy's L-BFGS-B, same data, same
# start (w = 0), same memory (m = 10), same stopping test (max|proj g| <= GTOL,
# scipy's pgtol; ftol/factr off), in one run:
#   * synthetic: n = 100000 rows, d = 100 (columns scaled from 0.1 to 10: the Hessian's
#     diagonal spans about 1e4), lambda = 1e-6, every weight in [-1, 1];
#   * breast_cancer (standardized, intercept free, lambda = 1e-4), every weight in
#     [-0.5, 0.5] (the problem of tests/data/ref_logistic_bounded_breast_cancer.txt).
# slope's objective is slope.obj.logistic (C, fused passes); scipy's is numpy.
B=${1:-build}
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE # slope and its peers on the same OpenBLAS kernels (run.sh)
PY=/usr/bin/python3
N=${BOUNDS_N:-100000}; D=${BOUNDS_D:-100}; GTOL=1e-8
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
$PY - "$B" "$N" "$D" <<'PYEOF' || exit 1
import numpy as np, sys
b, n, d = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(11)
X = rng.standard_normal((n, d)) / np.sqrt(d) * np.logspace(-1, 1, d)  # columns scaled 0.1..10
w = rng.standard_normal(d) * 3 / np.logspace(-1, 1, d)
y = np.where(rng.random(n) < 1 / (1 + np.exp(-X @ w)), 1.0, -1.0)
np.save(b + "/bounds_X.npy", X); np.save(b + "/bounds_y.npy", y)
PYEOF
sl=$("$B/slope" -e "
local function solve(f, lo, hi, dim)
  local best, r = math.huge
  for _ = 1, 3 do
    local t0 = slope.clock()
    r = slope.minimize(f, slope.vec.zeros(dim), {method = 'lbfgsb', lower = lo, upper = hi, m = 10,
      gtol = $GTOL, maxiter = 10000})
    best = math.min(best, slope.clock() - t0)
  end
  print(('%.17g %d %d %.6f %d %s'):format(r.f, r.nit, r.nfev, best, r.nactive, r.status))
end
local X, y = slope.data.npy('$B/bounds_X.npy'), slope.data.npy('$B/bounds_y.npy')
solve(slope.obj.logistic{X = X, y = y, l2 = 1e-6}, -1, 1, $D)
local Dt = slope.data.load('breast_cancer')
local f = slope.obj.logistic{X = slope.data.standardize(Dt.X), y = Dt.y, l2 = 1e-4, intercept = true}
local lo, hi = {}, {}
for i = 1, 30 do lo[i], hi[i] = -0.5, 0.5 end
lo[31], hi[31] = -math.huge, math.huge
solve(f, lo, hi, 31)") || exit 1
sp=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=scripts/reference $PY - "$B" "$N" "$D" "$GTOL" <<'PYEOF'
import numpy as np, sys, time
from scipy.optimize import minimize
from datasets import load, standardize, with_ones
b, n, d, gtol = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
def solve(fg, p, bounds):
    best = 1e9
    for _ in range(3):
        t0 = time.perf_counter()
        r = minimize(fg, np.zeros(p), jac=True, method="L-BFGS-B", bounds=bounds,
                     options=dict(maxcor=10, gtol=gtol, ftol=0, maxiter=10000, maxfun=100000))
        best = min(best, time.perf_counter() - t0)
    lo = np.array([l for l, _ in bounds]); hi = np.array([h for _, h in bounds])
    nact = int(np.sum((r.x <= lo) | (r.x >= hi)))
    print("%.17g %d %d %.6f %d %s" % (r.fun, r.nit, r.nfev, best, nact, r.message.replace(" ", "_")))
X = np.load(b + "/bounds_X.npy"); y = np.load(b + "/bounds_y.npy")
def fg1(w):
    m = -y * (X @ w)
    return (np.mean(np.logaddexp(0, m)) + 0.5e-6 * w @ w,
            X.T @ (-y / (1 + np.exp(-m))) / n + 1e-6 * w)
solve(fg1, d, [(-1.0, 1.0)] * d)
Xb, yb = load("breast_cancer"); A = with_ones(standardize(Xb)); s = 2 * yb - 1
reg = np.ones(A.shape[1]); reg[-1] = 0
def fg2(x):
    z = A @ x
    return (np.mean(np.logaddexp(0, -s * z)) + 0.5e-4 * np.sum(reg * x * x),
            A.T @ (-s * 0.5 * (1 + np.tanh(-0.5 * s * z))) / len(s) + 1e-4 * reg * x)
solve(fg2, 31, [(-0.5, 0.5)] * 30 + [(-np.inf, np.inf)])
PYEOF
) || exit 1
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
relf() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; printf "%.1e", d / (b < 0 ? -b : b) }'; }
echo "### L-BFGS-B on bounded logistic regression (to max|proj g| <= $GTOL, m = 10)"
echo
echo "| problem | solver | f* | rel. diff of f* vs scipy | active bounds | iterations | f+g evaluations | time (s, best of 3) | time / scipy |"
echo "|---|---|---|---|---|---|---|---|---|"
for k in 1 2; do
  if [ $k = 1 ]; then name="synthetic n = $N, d = $D, scaled columns, lambda = 1e-6, w in [-1, 1]"; else name="breast_cancer, lambda = 1e-4, w in [-0.5, 0.5]"; fi
  set -- $(echo "$sl" | sed -n "${k}p"); s_f=$1; s_nit=$2; s_nfev=$3; s_t=$4; s_act=$5; s_st=$6
  set -- $(echo "$sp" | sed -n "${k}p"); p_f=$1; p_nit=$2; p_nfev=$3; p_t=$4; p_act=$5
  echo "| $name | slope.minimize lbfgsb ($s_st) | $s_f | $(relf "$s_f" "$p_f") | $s_act | $s_nit | $s_nfev | $s_t | $(ratio "$s_t" "$p_t") |"
  echo "| | scipy L-BFGS-B | $p_f | 0 | $p_act | $p_nit | $p_nfev | $p_t | 1.00 |"
done
echo
echo "One thread everywhere (OPENBLAS_NUM_THREADS=1). Both stop on the same projected-gradient test"
echo "(scipy's pgtol is max|P(x - g) - x|, slope's gnorm with bounds); scipy's factr test is off."
echo "slope's objective is its own fused C pass, scipy's is numpy, so the times include that"
echo "difference; the evaluation counts compare the algorithms."
