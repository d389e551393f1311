#!/bin/sh
# 47_lsq.sh BUILD — least squares: slope.minimize method "lm" against MINPACK's
# lmder through scipy.optimize.least_squares(method="lm", x_scale="jac", the
# same Moré scaling) on the 35 Moré–Garbow–Hillstrom problems (residual and
# Jacobian evaluations, problems solved, both at max_nfev = 100 n), and on a
# larger curve fit (time, best of 3): y = a exp(-b t) + c sin(w t) on M points,
# residuals and Jacobian written in Lua for slope and in numpy for scipy.
B=${1:-build}
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE # slope and its peers on the same OpenBLAS kernels (run.sh)
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
PY=/usr/bin/python3
M=${LSQ_M:-200000}

# ---- the MGH set: one line per problem from each side ------------------------
"$B/slope" -e "
for _, p in ipairs(slope.obj.mgh_list()) do
  local f = slope.obj.mgh(p.number)
  local r = slope.minimize(f, f.x0, {method = 'lm', maxfev = 100 * f.dim})
  print(('%d %s %.10g %d %d %d'):format(p.number, p.name, r.cost, r.nfev, r.njev, r.success and 1 or 0))
end" >"$B/lsq_slope.txt" || exit 1
"$B/slope" -e "
for _, p in ipairs(slope.obj.mgh_list()) do
  local f = slope.obj.mgh(p.number)
  local r = slope.minimize(f, f.x0, {method = 'lm', x_scale = 1, maxfev = 100 * f.dim})
  print(('%d %s %.10g %d %d %d'):format(p.number, p.name, r.cost, r.nfev, r.njev, r.success and 1 or 0))
end" >"$B/lsq_slope_default.txt" || exit 1
$PY - >"$B/lsq_scipy.txt" <<'PYEOF' || exit 1
import sys
sys.path.insert(0, "scripts/reference")
import numpy as np
from scipy.optimize import least_squares
from mgh_minpack import problems
for num, name, n, m, r, J, x0 in problems():
    res = least_squares(r, x0, jac=lambda x, J=J: np.asarray(J(x), dtype=float), method="lm",
                        x_scale="jac")
    print("%d %s %.10g %d %d %d" % (num, name, res.cost, res.nfev, res.njev, 1 if res.status > 0 else 0))
PYEOF
# scipy's own default, x_scale = 1 (lmder mode 2: no scaling), for reference
$PY - >"$B/lsq_scipy_default.txt" <<'PYEOF' || exit 1
import sys
sys.path.insert(0, "scripts/reference")
import numpy as np
from scipy.optimize import least_squares
from mgh_minpack import problems
for num, name, n, m, r, J, x0 in problems():
    res = least_squares(r, x0, jac=lambda x, J=J: np.asarray(J(x), dtype=float), method="lm")
    print("%d %s %.10g %d %d %d" % (num, name, res.cost, res.nfev, res.njev, 1 if res.status > 0 else 0))
PYEOF

echo "### Least squares: Levenberg-Marquardt on the More-Garbow-Hillstrom problems"
echo
echo "| # | problem | cost slope | cost MINPACK | nfev slope | nfev MINPACK | njev slope | njev MINPACK |"
echo "|---|---|---|---|---|---|---|---|"
paste -d' ' "$B/lsq_slope.txt" "$B/lsq_scipy.txt" | awk '
  { mark_s = $6 ? "" : " (not solved)"; mark_p = $12 ? "" : " (not solved)"
    printf "| %d | %s | %s%s | %s%s | %d | %d | %d | %d |\n", $1, $2, $3, mark_s, $9, mark_p, $4, $10, $5, $11
    ns += $6; np += $12
    if ($6 && $12) { fs += $4; fp += $10; js += $5; jp += $11; both++ } }
  END { printf "\nSolved: slope lm %d of 35, MINPACK %d of 35. On the %d both solve: %d residual and %d Jacobian evaluations for slope, %d and %d for MINPACK.\n", ns, np, both, fs, js, fp, jp }'
echo
echo "Without scaling (scipy's default x_scale = 1, lmder mode 2; slope's lm with x_scale = 1), on all 35:"
echo
echo "| solver | solved | residual evaluations | Jacobian evaluations |"
echo "|---|---|---|---|"
awk '{ ns += $6; fs += $4; js += $5 } END { printf "| slope lm, x_scale = 1 | %d of 35 | %d | %d |\n", ns, fs, js }' "$B/lsq_slope_default.txt"
awk '{ ns += $6; fs += $4; js += $5 } END { printf "| scipy least_squares lm (default x_scale = 1) | %d of 35 | %d | %d |\n", ns, fs, js }' "$B/lsq_scipy_default.txt"
echo
echo "cost is 1/2 |r|^2 (scipy's; slope's f is |r|^2). slope's lm follows lmder step for step, so nfev"
echo "agrees wherever rounding does; its njev is one more when the last iteration moved (slope evaluates"
echo "J at the final point for the gradient it reports)."

# ---- a larger curve fit ------------------------------------------------------
$PY - "$B" "$M" <<'PYEOF' || exit 1
import numpy as np, sys
b, m = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(47)
t = np.linspace(0, 10, m)
y = 2.5 * np.exp(-0.4 * t) + 0.3 * np.sin(2.1 * t) + 0.02 * rng.standard_normal(m)
np.save(b + "/lsq_t.npy", t); np.save(b + "/lsq_y.npy", y)
PYEOF
set -- $("$B/slope" -e "
local t, y = slope.data.npy('$B/lsq_t.npy'), slope.data.npy('$B/lsq_y.npy')
local m = #t
local exp, sin, cos, clock = math.exp, math.sin, math.cos, slope.clock
local incb = 0 -- seconds inside the Lua r and J
local f = slope.obj.residuals{m = m, dim = 4,
  r = function(x, r)
    local t0 = clock()
    local a, b, c, w = x[1], x[2], x[3], x[4]
    for i = 1, m do local ti = t[i]; r[i] = a * exp(-b * ti) + c * sin(w * ti) - y[i] end
    incb = incb + clock() - t0
  end,
  J = function(x, J)
    local t0 = clock()
    local a, b, c, w = x[1], x[2], x[3], x[4]
    for i = 1, m do
      local ti = t[i]; local e, row = exp(-b * ti), J[i]
      row[1] = e; row[2] = -a * ti * e; row[3] = sin(w * ti); row[4] = c * ti * cos(w * ti)
    end
    incb = incb + clock() - t0
  end}
local best, cb, r = math.huge, 0
for _ = 1, 3 do
  incb = 0
  local t0 = clock()
  r = slope.minimize(f, {1, 1, 1, 2}, {method = 'lm'})
  local el = clock() - t0
  if el < best then best, cb = el, incb end
end
print(('%.10g %d %d %.4f %.6f %.6f %.6f %.6f %.4f'):format(r.cost, r.nfev, r.njev, best, r.x[1], r.x[2], r.x[3], r.x[4], cb))") || exit 1
s_cost=$1; s_nfev=$2; s_njev=$3; s_t=$4; s_x="$5 $6 $7 $8"; s_cb=$9
set -- $($PY - "$B" <<'PYEOF'
import numpy as np, sys, time
from scipy.optimize import least_squares
b = sys.argv[1]
t, y = np.load(b + "/lsq_t.npy"), np.load(b + "/lsq_y.npy")
def r(x):
    return x[0] * np.exp(-x[1] * t) + x[2] * np.sin(x[3] * t) - y
def J(x):
    e = np.exp(-x[1] * t)
    return np.column_stack([e, -x[0] * t * e, np.sin(x[3] * t), x[2] * t * np.cos(x[3] * t)])
best = 1e9
for _ in range(3):
    t0 = time.perf_counter()
    res = least_squares(r, [1, 1, 1, 2], jac=J, method="lm", x_scale="jac")
    best = min(best, time.perf_counter() - t0)
print("%.10g %d %d %.4f %.6f %.6f %.6f %.6f" % (res.cost, res.nfev, res.njev, best, *res.x))
PYEOF
) || exit 1
p_cost=$1; p_nfev=$2; p_njev=$3; p_t=$4; p_x="$5 $6 $7 $8"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo
echo "Curve fit y = a exp(-b t) + c sin(w t), $M points, from (1, 1, 1, 2), one thread:"
echo
echo "| solver | cost | (a, b, c, w) | nfev | njev | time (s, best of 3) | time / slope |"
echo "|---|---|---|---|---|---|---|"
echo "| slope.minimize lm, residuals and J in Lua | $s_cost | $s_x | $s_nfev | $s_njev | $s_t | 1.00 |"
echo "| scipy least_squares lm (MINPACK), numpy | $p_cost | $p_x | $p_nfev | $p_njev | $p_t | $(ratio "$p_t" "$s_t") |"
echo
echo "Of slope's $s_t s, $s_cb s are the Lua loops computing r and J (element by element, a row view per"
echo "J[i]); the Levenberg-Marquardt iterations (QR of the $M x 4 Jacobian, lmpar) take the rest. numpy"
echo "evaluates r and J in vectorized passes."
echo
echo "Commands:"
echo
echo '```'
echo "$B/slope -e \"f = slope.obj.mgh(k); slope.minimize(f, f.x0, {method = 'lm', maxfev = 100 * f.dim})\"   # and x_scale = 1"
echo "$PY -c 'least_squares(r, x0, jac=J, method=\"lm\", x_scale=\"jac\")'   # and the default x_scale; r, J from scripts/reference/mgh_minpack.py"
echo '```'
