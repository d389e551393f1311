#!/bin/sh
# 46_l1.sh BUILD — L1-regularized logistic regression,
#   F(w) = (1/n) sum_i log(1 + exp(-y_i x_i'w)) + lambda |w|_1,
# the intercept a column of ones penalized like the other weights: slope's
# owlqn and fista (slope.minimize from Lua on slope.obj.logistic, and the C core
# on one C objective shared with liblbfgs, scripts/bench/l1_peer.c), liblbfgs's
# OWL-QN (orthantwise_c = lambda, backtracking), and LIBLINEAR -s 6 (the
# liblinear-train program, C = 1 / (n lambda), a ladder of -e tolerances), on
# breast_cancer (standardized) and a synthetic sparse problem. F* is the least
# F any solver reached; each row gives the time to F <= F* (1 + 1e-6) and the F
# it stopped at.
B=${1:-build}
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE # slope and its peers on the same OpenBLAS kernels (run.sh)
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
PY=/usr/bin/python3
SN=${L1_N:-10000}; SD=${L1_D:-300}
command -v liblinear-train >/dev/null || { echo "46_l1.sh: liblinear-train (liblinear-tools) is missing" >&2; exit 1; }
cc -O2 -march=x86-64-v2 -fopenmp -Isrc/core -o "$B/bench_l1_peer" scripts/bench/l1_peer.c \
  "$B/libslope.a" -llbfgs $(pkg-config --libs openblas lapacke) -lm || exit 1
# breast_cancer: slope's standardization, labels -1/+1, an explicit intercept column
"$B/slope" -e "
local D = slope.data.load('breast_cancer')
local Xs = slope.data.standardize(D.X)
local n, d = Xs:shape()
local X, y = slope.mat.zeros(n, d + 1), slope.vec.zeros(n)
for i = 1, n do
  for j = 1, d do X[i][j] = Xs[i][j] end
  X[i][d + 1] = 1
  y[i] = D.y[i] == 1 and 1 or -1
end
slope.data.save_npy('$B/l1bc_X.npy', X); slope.data.save_npy('$B/l1bc_y.npy', y)" || exit 1
# synthetic: Gaussian X / sqrt(d) plus the ones column, 20 true nonzeros
$PY - "$B" "$SN" "$SD" <<'PYEOF' || exit 1
import numpy as np, sys
b, n, d = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(15)
X = np.hstack([rng.standard_normal((n, d - 1)) / np.sqrt(d - 1) * 4, np.ones((n, 1))])
w = np.zeros(d); w[rng.choice(d - 1, 20, replace=False)] = rng.standard_normal(20) * 3
y = np.where(rng.random(n) < 1 / (1 + np.exp(-X @ w)), 1.0, -1.0)
np.save(b + "/l1syn_X.npy", X); np.save(b + "/l1syn_y.npy", y)
for pre in ("l1bc", "l1syn"):
    X = np.load(b + "/" + pre + "_X.npy"); y = np.load(b + "/" + pre + "_y.npy").ravel()
    X.tofile(b + "/" + pre + "_X.bin"); y.tofile(b + "/" + pre + "_y.bin")
    with open(b + "/" + pre + ".svm", "w") as f:
        for i in range(X.shape[0]):
            f.write("%+d " % int(y[i]) + " ".join("%d:%.17g" % (j + 1, v) for j, v in enumerate(X[i]) if v != 0) + "\n")
PYEOF

# LIBLINEAR: each -e of the ladder, best of 3 wall times (the program reads the
# text file first: -e 1e9, one outer iteration, is that floor), F of its model
liblinear() { # prefix lambda -> lines "e F seconds nnz"
  $PY - "$B" "$1" "$2" <<'PYEOF'
import numpy as np, subprocess, sys, time
b, pre, lam = sys.argv[1], sys.argv[2], float(sys.argv[3])
X = np.load(b + "/" + pre + "_X.npy"); y = np.load(b + "/" + pre + "_y.npy").ravel()
n = X.shape[0]; C = 1.0 / (n * lam)
for e in ["1e9", "1e-2", "1e-3", "1e-4", "1e-5", "1e-6", "1e-8", "1e-10"]:
    best = 1e9
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run(["liblinear-train", "-q", "-s", "6", "-B", "-1", "-c", repr(C), "-e", e,
                        b + "/" + pre + ".svm", b + "/" + pre + ".model"], check=True)
        best = min(best, time.perf_counter() - t0)
    L = open(b + "/" + pre + ".model").read().split("\n")
    w = np.array([float(v) for v in L[L.index("w") + 1:] if v.strip()])
    if [l for l in L if l.startswith("label")][0].split()[1] == "-1": w = -w
    F = np.mean(np.logaddexp(0, -y * (X @ w))) + lam * np.abs(w).sum()
    print("%s %.17g %.6f %d" % (e, F, best, np.count_nonzero(w)))
PYEOF
}
# slope.minimize from Lua: time to the target through the callback, and to its own stop
lua_run() { # prefix lambda method gtol target -> "F nit nfev t_target t_total nnz"
  "$B/slope" -e "
local X, y = slope.data.npy('$B/$1_X.npy'), slope.data.npy('$B/$1_y.npy')
local f = slope.obj.logistic{X = X, y = y}
local n, d = X:shape()
local best, hit, r = math.huge, math.huge
for _ = 1, 3 do
  local t0, th = slope.clock(), nil
  r = slope.minimize(f, slope.vec.zeros(d), {method = '$3', l1 = $2, gtol = $4, maxiter = 100000,
    callback = function(it) if not th and it.f <= $5 then th = slope.clock() - t0 end end})
  best = math.min(best, slope.clock() - t0)
  hit = math.min(hit, th or math.huge)
end
print(('%.17g %d %d %.6f %.6f %d'):format(r.f, r.nit, r.nfev, hit == math.huge and -1 or hit, best, r.nnz))"
}
relf() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; printf "%.1e", d / (b < 0 ? -b : b) }'; }
tt() { awk -v t="$1" 'BEGIN { if (t < 0) print "not reached"; else printf "%.4f\n", t }'; }

echo "### L1-regularized logistic regression: owlqn and fista against LIBLINEAR -s 6 and liblbfgs OWL-QN"
echo
for prob in "l1bc breast_cancer_569x31 0.01" "l1syn synthetic_${SN}x${SD} 0.002"; do
  set -- $prob; pre=$1; name=$(echo "$2" | tr _ ' '); lam=$3
  n=$($PY -c "import numpy as np; print(np.load('$B/${pre}_y.npy').size)")
  d=$($PY -c "import numpy as np; print(np.load('$B/${pre}_X.npy').shape[1])")
  ll=$(liblinear "$pre" "$lam") || exit 1
  floor=$(echo "$ll" | awk '$1 == "1e9" { print $3 }')
  # F*: the least F of a first, tight pass (LIBLINEAR -e 1e-10, owlqn to gtol 1e-9)
  Fll=$(echo "$ll" | awk '$1 == "1e-10" { print $2 }')
  peer0=$("$B/bench_l1_peer" "$B/${pre}_X.bin" "$B/${pre}_y.bin" "$n" "$d" "$lam" 0 2>/dev/null) || exit 1
  Fstar=$(printf '%s\n%s\n' "$Fll" "$(echo "$peer0" | awk '{ print $2 }')" | sort -g | head -1)
  target=$(awk -v f="$Fstar" 'BEGIN { printf "%.17g", f * (1 + 1e-6) }')
  peer=$("$B/bench_l1_peer" "$B/${pre}_X.bin" "$B/${pre}_y.bin" "$n" "$d" "$lam" "$target" 2>/dev/null) || exit 1
  echo "#### $name, lambda = $lam (LIBLINEAR C = 1/(n lambda)); F* = $Fstar, target F <= F* (1 + 1e-6)"
  echo
  echo "| solver | F at its stop | (F - F*) / F* | nonzeros | iterations | f+g evaluations | time to target (s) | time to its stop (s) |"
  echo "|---|---|---|---|---|---|---|---|"
  for m in "owlqn 1e-9" "fista 1e-8"; do
    set -- $m
    set -- $1 $(lua_run "$pre" "$lam" "$1" "$2" "$target")
    echo "| slope.minimize $1 (Lua, slope.obj.logistic) | $2 | $(relf "$2" "$Fstar") | $7 | $3 | $4 | $(tt "$5") | $6 |"
  done
  echo "$peer" | while read -r s F nit nfev th t nz; do
    case $s in
      slope_owlqn) label="slope owlqn (C core, shared C objective)" ;;
      slope_fista) label="slope fista (C core, shared C objective)" ;;
      *) label="liblbfgs 1.10 OWL-QN (shared C objective)"; nit=- ;;
    esac
    echo "| $label | $F | $(relf "$F" "$Fstar") | $nz | $nit | $nfev | $(tt "$th") | $t |"
  done
  first=$(echo "$ll" | awk -v t="$target" '$1 != "1e9" && $2 <= t { print $1, $3; exit }')
  echo "$ll" | while read -r e F t nz; do
    [ "$e" = 1e9 ] && continue
    echo "| LIBLINEAR 2.3 -s 6 -e $e (liblinear-train) | $F | $(relf "$F" "$Fstar") | $nz | - | - | $( [ "$e" = "${first%% *}" ] && echo "$t" || echo -) | $t |"
  done
  echo
  echo "LIBLINEAR's times are whole runs of liblinear-train, reading the LIBSVM text file included:"
  echo "-e 1e9 (one outer iteration) takes $floor s. Its time to target is the first -e of the ladder"
  echo "whose F is within the target."
  echo
done
echo "One thread everywhere. Time to target: when F first fell to F* (1 + 1e-6), seen by each solver's"
echo "progress callback (slope's run loop, liblbfgs's progress); best of 3. fista evaluates f and its gradient"
echo "at the extrapolated point and at each trial point (two evaluations an iteration), owlqn and liblbfgs"
echo "once per trial; fista stops on gtol 1e-8 (its minimum-norm subgradient at x stalls just below 1e-8 on"
echo "breast_cancer), owlqn on 1e-9, liblbfgs on epsilon 1e-10 or a failed line search at rounding level."
echo
echo "Commands:"
echo
echo '```'
echo "cc -O2 -Isrc/core -o $B/bench_l1_peer scripts/bench/l1_peer.c $B/libslope.a -llbfgs -lopenblas -lm"
echo "$B/bench_l1_peer X.bin y.bin n d lambda target"
echo "$B/slope -e \"slope.minimize(slope.obj.logistic{X=X, y=y}, slope.vec.zeros(d), {method='owlqn', l1=lambda, gtol=1e-9})\""
echo "liblinear-train -q -s 6 -B -1 -c 1/(n lambda) -e EPS data.svm model"
echo '```'
