#!/bin/sh
# 48_scalar_nm.sh BUILD — derivative-free pieces of issue 15 against scipy in one
# run: Nelder-Mead (slope method = "nelder_mead", scipy method="Nelder-Mead" with
# adaptive=True, the same Gao-Han parameters and tolerances xatol = fatol = 1e-4)
# on test functions with the objective in each library's own language (slope: the
# C test function, scipy: numpy), and minimize_scalar (Brent from a bracket, the
# bounded method) on Python/Lua functions. Evaluations, iterations, the value
# reached and microseconds per solve (median of SLOPE_BENCH_ROUNDS rounds of a
# timed loop).
set -e
B=${1:-build}
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
B=$(cd "$B" && pwd)
S="$B/slope"
PY=${PYTHON:-/usr/bin/python3}
ROUNDS=${SLOPE_BENCH_ROUNDS:-5}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

cat > "$T/slope.lua" <<'LUA'
local rounds = tonumber(arg[1])
local function med(t) table.sort(t); local n = #t; return n % 2 == 1 and t[(n + 1) / 2] or (t[n / 2] + t[n / 2 + 1]) / 2 end
local function bench(name, solve, reps)
  local r = solve()
  local ts = {}
  for _ = 1, rounds do
    local t0 = slope.clock()
    for _ = 1, reps do solve() end
    ts[#ts + 1] = (slope.clock() - t0) / reps * 1e6
  end
  print(("%s|%d|%d|%.3e|%.1f"):format(name, r.nfev, r.nit, r.f, med(ts)))
end
local nm = {
  {"rosenbrock 2-D from (-1.2, 1)", slope.obj.rosenbrock(2), {-1.2, 1}},
  {"beale from (1, 1)", slope.obj.beale(), {1, 1}},
  {"himmelblau from (0, 0)", slope.obj.himmelblau(), {0, 0}},
  {"rosenbrock 5-D from (-1.2, 1, ...)", slope.obj.rosenbrock(5), {-1.2, 1, -1.2, 1, -1.2}},
}
for _, c in ipairs(nm) do
  bench("nm|" .. c[1], function() return slope.minimize(c[2], c[3], {method = "nelder_mead", maxiter = 100000}) end, 200)
end
local quart = function(x) return (x - 2)^2 * (x + 1)^2 + x end
bench("scalar|brent, (x-2)^2 (x+1)^2 + x, bracket (0, 1)", function() return slope.minimize_scalar(quart, {bracket = {0, 1}}) end, 2000)
bench("scalar|brent, cos, bracket (2, 3, 4)", function() return slope.minimize_scalar(math.cos, {bracket = {2, 3, 4}}) end, 2000)
bench("scalar|bounded, (x-2)^2 (x+1)^2 + x on [-3, 5]", function() return slope.minimize_scalar(quart, {bounds = {-3, 5}}) end, 2000)
LUA

cat > "$T/peer_scipy.py" <<'PY'
import math, statistics, sys, time
import numpy as np
from scipy.optimize import minimize, minimize_scalar, rosen
rounds = int(sys.argv[1])
def bench(name, solve, reps):
    r = solve()
    ts = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(reps):
            solve()
        ts.append((time.perf_counter() - t0) / reps * 1e6)
    print("%s|%d|%d|%.3e|%.1f" % (name, r.nfev, r.get("nit", 0), r.fun, statistics.median(ts)))
def beale(x):
    a, b = x
    return (1.5 - a + a * b) ** 2 + (2.25 - a + a * b * b) ** 2 + (2.625 - a + a * b ** 3) ** 2
def himmelblau(x):
    a, b = x
    return (a * a + b - 11) ** 2 + (a + b * b - 7) ** 2
nm = [("rosenbrock 2-D from (-1.2, 1)", rosen, [-1.2, 1]), ("beale from (1, 1)", beale, [1, 1]),
      ("himmelblau from (0, 0)", himmelblau, [0, 0]),
      ("rosenbrock 5-D from (-1.2, 1, ...)", rosen, [-1.2, 1, -1.2, 1, -1.2])]
for name, f, x0 in nm:
    bench("nm|" + name, lambda: minimize(f, x0, method="Nelder-Mead",
                                         options={"adaptive": True, "maxiter": 100000, "maxfev": 100000}), 200)
quart = lambda x: (x - 2) ** 2 * (x + 1) ** 2 + x
bench("scalar|brent, (x-2)^2 (x+1)^2 + x, bracket (0, 1)", lambda: minimize_scalar(quart, bracket=(0, 1)), 2000)
bench("scalar|brent, cos, bracket (2, 3, 4)", lambda: minimize_scalar(math.cos, bracket=(2, 3, 4)), 2000)
bench("scalar|bounded, (x-2)^2 (x+1)^2 + x on [-3, 5]", lambda: minimize_scalar(quart, bounds=(-3, 5), method="bounded"), 2000)
PY

"$S" "$T/slope.lua" "$ROUNDS" > "$T/slope.out"
"$PY" "$T/peer_scipy.py" "$ROUNDS" > "$T/scipy.out"
SCIPY=$("$PY" -c 'import scipy; print(scipy.__version__)')

echo "### Nelder-Mead and minimize_scalar (derivative-free)"
echo
echo "slope's \`method = \"nelder_mead\"\` and \`slope.minimize_scalar\` against scipy $SCIPY (\`minimize(method=\"Nelder-Mead\", options={\"adaptive\": True})\`, \`minimize_scalar\`), same tolerances (Nelder-Mead xatol = fatol = 1e-4; Brent xtol = 1.48e-8; bounded xatol = 1e-5)."
echo "The objective is each library's own: slope's C test functions and Lua functions for minimize_scalar, numpy/Python functions for scipy. Microseconds per solve, median of $ROUNDS rounds."
echo
echo "| problem | slope nfev | scipy nfev | slope nit | scipy nit | slope f | scipy f | slope µs | scipy µs |"
echo "|---|---|---|---|---|---|---|---|---|"
paste -d'|' "$T/slope.out" "$T/scipy.out" | awk -F'|' '{ printf "| %s: %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", ($1 == "nm" ? "Nelder-Mead" : "scalar"), $2, $3, $9, $4, $10, $5, $11, $6, $12 }'
echo
echo "Command: \`sh scripts/bench/48_scalar_nm.sh build\`."
