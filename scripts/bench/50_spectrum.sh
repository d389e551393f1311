#!/bin/sh
# 50_spectrum.sh BUILD — HVPs and wall time to the top Hessian eigenvalue at
# 1e-6 relative accuracy: slope's Lanczos and power iteration against PyTorch
# power iteration with double-backward HVPs (the PyHessian way, float64).
# Problems: least squares on synthetic Gaussian data (n = 2000, d = 200) and a
# 500-dim quadratic with a clustered spectrum (slope.spectrum.toy objectives:
# slope's logistic/MLP models were not in main when this was written).
B=${1:-build}
S="$B/slope"
PY=/usr/bin/python3
mkdir -p out
D=out/bench_spectrum
mkdir -p "$D"

# The data and the reference eigenvalues, written by slope so both sides use the same numbers.
"$S" -e '
local r = slope.rng(2024)
local n, d = 2000, 200
local X = slope.mat.zeros(n, d)
local fx = assert(io.open("out/bench_spectrum/X.txt", "w"))
for i = 1, n do
  local row = {}
  for j = 1, d do local v = r:normal(); X:set(i, j, v); row[j] = ("%.17g"):format(v) end
  fx:write(table.concat(row, " "), "\n")
end
fx:close()
local fd = assert(io.open("out/bench_spectrum/diag.txt", "w"))
fd:write("1.0\n")
for i = 2, 500 do fd:write(("%.17g\n"):format(0.5 + 0.48 * r:uniform())) end
fd:close()' || exit 1

slope_out=$("$S" -e '
local function load(path, cols)
  local rows = {}
  for line in io.lines(path) do
    local row = {}
    for v in line:gmatch("%S+") do row[#row + 1] = tonumber(v) end
    rows[#rows + 1] = row
  end
  return rows
end
local X = slope.mat(load("out/bench_spectrum/X.txt"))
local n, d = X:shape()
local ls = slope.spectrum.toy.least_squares(X, slope.vec.zeros(n))
local ref_ls = slope.spectrum.eigs(X:transpose():mm(X), {order = "desc"})[1] / n
local diag = load("out/bench_spectrum/diag.txt")
local m = #diag
local A = slope.mat.zeros(m, m)
for i = 1, m do A:set(i, i, diag[i][1]) end
local q = slope.spectrum.toy.quadratic(A)
local function run(name, f, ref, opts)
  local x = slope.vec.zeros(f.dim)
  local best, r = math.huge
  for _ = 1, 5 do
    opts.rng = slope.rng(7)
    local t0 = slope.clock()
    r = slope.spectrum.top(f, x, opts)
    best = math.min(best, slope.clock() - t0)
  end
  print(("%s %s %d %.6f %.2e"):format(name, opts.method, r.nhvp, best * 1e3,
        math.abs(r.values[1] - ref) / ref))
end
run("ls", ls, ref_ls, {method = "lanczos", tol = 1e-6})
run("ls", ls, ref_ls, {method = "power", tol = 1e-8, maxiter = 100000})
run("quad", q, 1.0, {method = "lanczos", tol = 1e-6})
run("quad", q, 1.0, {method = "power", tol = 1e-8, maxiter = 100000})
') || exit 1

torch_out=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $PY - <<'PYEOF' 2>/dev/null
import time, numpy as np, torch
torch.set_default_dtype(torch.float64)
X = torch.tensor(np.loadtxt("out/bench_spectrum/X.txt"))
n, d = X.shape
diag = torch.tensor(np.loadtxt("out/bench_spectrum/diag.txt"))
A = torch.diag(diag)
ref_ls = float(np.linalg.eigvalsh((X.T @ X).numpy() / n)[-1])

def loss_ls(w): return 0.5 * ((X @ w) ** 2).mean()
def loss_q(w): return 0.5 * w @ (A @ w)

def power(loss, dim, tol):
    # PyHessian's hessian.eigenvalues(): gradient with create_graph, HVP by a
    # second backward, Rayleigh quotient, stop on relative change < tol
    w = torch.zeros(dim, requires_grad=True)
    g = torch.autograd.grad(loss(w), w, create_graph=True)[0]
    gen = torch.Generator().manual_seed(7)
    v = torch.randn(dim, generator=gen); v = v / v.norm()
    lam, k = None, 0
    while True:
        hv = torch.autograd.grad(g, w, grad_outputs=v, retain_graph=True)[0]
        k += 1
        new = float(v @ hv)
        if lam is not None and abs(new - lam) <= tol * abs(new): lam = new; break
        lam = new
        v = hv / hv.norm()
    return lam, k

for name, loss, dim, ref in (("ls", loss_ls, d, ref_ls), ("quad", loss_q, 500, 1.0)):
    best = 1e9
    for _ in range(3):
        t0 = time.perf_counter(); lam, k = power(loss, dim, 1e-8); best = min(best, time.perf_counter() - t0)
    print("%s torch-power %d %.6f %.2e" % (name, k, best * 1e3, abs(lam - ref) / ref))
PYEOF
)

echo "$slope_out
$torch_out" > "$D/results.txt"

row() { # problem method label
  awk -v p="$1" -v m="$2" -v label="$3" -v file="$D/results.txt" '
    BEGIN { while ((getline l < file) > 0) { split(l, a, " "); if (a[1] == p) { t[a[2]] = a[4]; h[a[2]] = a[3]; e[a[2]] = a[5] } }
      if (!(m in t)) { printf "| %s | %s | - | - | - | - |\n", p, label; exit }
      r = (("torch-power" in t) ? sprintf("%.1fx", t["torch-power"] / t[m]) : "-")
      printf "| %s | %s | %d | %.2f | %s | %s |\n", p, label, h[m], t[m], e[m], r }'
}

cat <<EOF2
### Top Hessian eigenvalue to 1e-6: Lanczos vs power iteration vs PyTorch (PyHessian-style)

| problem | method | HVPs | wall ms | relative error | speed-up vs torch power |
|---|---|---|---|---|---|
$(row ls lanczos "slope Lanczos (tol 1e-6, residual bound)")
$(row ls power "slope power iteration (tol 1e-8 on the Rayleigh quotient)")
$(row ls torch-power "PyTorch double-backward HVP, power iteration (tol 1e-8)")
$(row quad lanczos "slope Lanczos (tol 1e-6, residual bound)")
$(row quad power "slope power iteration (tol 1e-8 on the Rayleigh quotient)")
$(row quad torch-power "PyTorch double-backward HVP, power iteration (tol 1e-8)")

"ls" is least squares, f(w) = mean_i (x_i.w)^2 / 2, on 2000 x 200 standard normal data
(slope.spectrum.toy.least_squares; its HVP is a plain row loop, single-threaded); "quad" is the 500-dim
quadratic with lambda_1 = 1 and 499 eigenvalues uniform in [0.5, 0.98]. Power iteration stops on the change of
the Rayleigh quotient, which with tol 1e-6 stops at ~2e-5 error on "quad", so both power runs use tol 1e-8 to
be 1e-6-accurate; Lanczos stops when its residual bound is below 1e-6 |lambda|. The relative error is
measured against LAPACK (slope) / numpy eigvalsh (torch). slope's logistic and MLP models were not in main
when this section was written, so the problems are the toy objectives.

Commands: \`sh scripts/bench/50_spectrum.sh $B\` (slope: best of 5 runs of \`slope.spectrum.top(f, x, {method=...})\`;
torch $( $PY -c 'import torch; print(torch.__version__)' 2>/dev/null ), float64, best of 3, OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE
unset; per-run numbers in $D/results.txt).
EOF2
