#!/bin/sh
# 40_data.sh BUILD — slope.data readers and writer against numpy/pandas on the
# same files, in one run: CSV (a shipped set and a 200000 x 21 file), .npy read
# and write (2000 x 2000 float64), LIBSVM (100000 sparse rows; no peer installed).
# Prints a Markdown section; each figure is the best of 3 runs.
B=${1:-build}
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE # slope and its peers on the same OpenBLAS kernels (run.sh)
PY=/usr/bin/python3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

$PY - "$T" <<'PYEOF'
import sys, numpy as np
t = sys.argv[1]
rng = np.random.default_rng(0)
X = rng.standard_normal((200000, 21))
with open(f"{t}/big.csv", "w") as f:
    f.write(",".join([f"x{j}" for j in range(20)] + ["target"]) + "\n")
    for row in X:
        f.write(",".join(repr(float(v)) for v in row) + "\n")
np.save(f"{t}/m.npy", rng.standard_normal((2000, 2000)))
with open(f"{t}/s.svm", "w") as f:
    for i in range(100000):
        idx = np.sort(rng.choice(1000, 20, replace=False)) + 1
        f.write(f"{i % 2} " + " ".join(f"{j}:{rng.standard_normal():.17g}" for j in idx) + "\n")
PYEOF

"$B/slope" - "$T" > "$T/slope.txt" <<'LUAEOF'
local t = arg[1]
local data = slope.data
local function best(f) -- a full collection first, so no earlier garbage is collected inside the timing
  local b = math.huge
  for _ = 1, 3 do collectgarbage(); local t0 = slope.clock(); f(); b = math.min(b, slope.clock() - t0) end
  return b
end
local m = data.npy(t .. "/m.npy")
print("csv_digits", best(function() data.csv("examples/data/digits.csv") end))
print("csv_big", best(function() data.csv(t .. "/big.csv") end))
print("npy_read", best(function() data.npy(t .. "/m.npy") end))
print("npy_write", best(function() data.save_npy(t .. "/w.npy", m) end))
print("libsvm", best(function() data.libsvm(t .. "/s.svm") end))
LUAEOF

$PY - "$T" > "$T/py.txt" <<'PYEOF'
import sys, time, numpy as np, pandas as pd
t = sys.argv[1]
def best(f):
    b = float("inf")
    for _ in range(3):
        t0 = time.perf_counter(); f(); b = min(b, time.perf_counter() - t0)
    return b
m = np.load(f"{t}/m.npy")
print("csv_digits_np", best(lambda: np.loadtxt("examples/data/digits.csv", delimiter=",", skiprows=1)))
print("csv_digits_pd", best(lambda: pd.read_csv("examples/data/digits.csv", float_precision="round_trip")))
print("csv_big_np", best(lambda: np.loadtxt(f"{t}/big.csv", delimiter=",", skiprows=1)))
print("csv_big_pd", best(lambda: pd.read_csv(f"{t}/big.csv", float_precision="round_trip")))
print("npy_read_np", best(lambda: np.load(f"{t}/m.npy")))
print("npy_write_np", best(lambda: np.save(f"{t}/w2.npy", m)))
PYEOF

get() { awk -v k="$1" '$1 == k { print $2 }' "$T/slope.txt" "$T/py.txt"; }
row() { # label slope-key peer-key peer-name
  s=$(get "$2"); p=$(get "$3")
  awk -v l="$1" -v s="$s" -v p="$p" -v n="$4" 'BEGIN { printf "| %s | %.1f ms | %.1f ms (%s) | %.2fx |\n", l, s*1e3, p*1e3, n, p/s }'
}

echo "### Data readers and writer (slope.data vs numpy / pandas)"
echo
echo "| task | slope | peer | peer / slope |"
echo "|---|---|---|---|"
row "CSV digits.csv (1797 x 65)" csv_digits csv_digits_np "numpy.loadtxt"
row "CSV digits.csv (1797 x 65)" csv_digits csv_digits_pd "pandas.read_csv round_trip"
row "CSV 200000 x 21 (shortest repr)" csv_big csv_big_np "numpy.loadtxt"
row "CSV 200000 x 21 (shortest repr)" csv_big csv_big_pd "pandas.read_csv round_trip"
row ".npy read 2000 x 2000 f8" npy_read npy_read_np "numpy.load"
row ".npy write 2000 x 2000 f8" npy_write npy_write_np "numpy.save"
awk '$1 == "libsvm" { printf "| LIBSVM 100000 rows x 20 nonzeros | %.1f ms | (no peer installed: scikit-learn absent) | |\n", $2*1e3 }' "$T/slope.txt"
echo
echo "Best of 3 runs each, one process per side, same files. Commands:"
echo
echo '```'
echo "$B/slope - DIR   # data.csv(path), data.npy(path), data.save_npy(path, m), data.libsvm(path), timed with slope.clock()"
echo "$PY -            # np.loadtxt(path, delimiter=',', skiprows=1), pd.read_csv(path, float_precision='round_trip'), np.load, np.save, timed with time.perf_counter()"
echo "(full script: scripts/bench/40_data.sh)"
echo '```'
