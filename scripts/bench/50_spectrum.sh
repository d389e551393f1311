#!/bin/sh
# 50_spectrum.sh BUILD — HVPs and wall time to the top Hessian eigenvalue at
# 1e-6 relative accuracy on slope's real models: slope's Lanczos and power
# iteration against PyTorch power iteration with double-backward HVPs (the
# PyHessian way, float64), at the same points from the same start vector.
# Problems: L2-logistic regression on breast_cancer at its optimum, the
# 64-64-10 tanh MLP on digits at init and after 100 and 300 Adam steps, and a 500-dim
# quadratic with a clustered spectrum. slope's side is spectrum_slope.lua (it
# writes the data, parameters and reference values to out/bench_spectrum), the
# peer's is spectrum_torch.py (it first checks loss and one HVP against slope's).
B=${1:-build}
S="$B/slope"
PY=/usr/bin/python3
D=out/bench_spectrum
mkdir -p "$D"
quick=; [ "$SLOPE_QUICK" = 1 ] && quick=quick

slope_out=$(OMP_NUM_THREADS=2 "$S" scripts/bench/spectrum_slope.lua "$D") || exit 1
torch_out=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $PY scripts/bench/spectrum_torch.py "$D" $quick) || exit 1
printf '%s\n%s\n' "$slope_out" "$torch_out" > "$D/results.txt"
tv=$($PY -c 'import torch; print(torch.__version__)' 2>/dev/null)

# results.txt: "problem method tol nhvp ms err" and "check problem dim loss_diff hvp_diff";
# slope_info.txt: "problem dim value lambda_ref gap".
tables=$(awk -v info="$D/slope_info.txt" '
  function lab(m) { if (m == "lanczos") return "slope Lanczos (criterion value)"; if (m == "lanczos-res") return "slope Lanczos (criterion residual)"; if (m == "power") return "slope power iteration"; if (m == "pyhessian") return "PyTorch, PyHessian verbatim"; return "PyTorch power iteration" }
  function title(p) { if (p == "logreg") return "logistic, breast_cancer, at the optimum"; if (p == "mlp_init") return "MLP 64-64-10 tanh, digits, at init"; if (p == "mlp_adam100") return "MLP 64-64-10 tanh, digits, after 100 Adam steps"; if (p == "mlp_adam300") return "MLP 64-64-10 tanh, digits, after 300 Adam steps"; return "quadratic, 500-dim, clustered" }
  BEGIN { while ((getline l < info) > 0) { split(l, a, " "); np++; order[np] = a[1]; dim[a[1]] = a[2]; lam[a[1]] = a[4]; gap[a[1]] = a[5] } }
  $1 == "check" { ld[$2] = $4; hd[$2] = $5; next }
  { n++; P[n] = $1; M[n] = $2; T[n] = $3; H[n] = $4; MS[n] = $5; E[n] = $6
    # the first 1e-6-accurate run of each method (Lanczos: its only run)
    if (!(($1, $2) in acc) && $6 + 0 <= 1e-6) { acc[$1, $2] = n } }
  END {
    print "| problem | method | tol | HVPs | wall ms | ms / HVP | relative error | torch power time / this |"
    print "|---|---|---|---|---|---|---|---|"
    for (i = 1; i <= np; i++) {
      p = order[i]; tp = ((p, "torch-power") in acc) ? MS[acc[p, "torch-power"]] : ""
      for (j = 1; j <= n; j++) {
        if (P[j] != p) continue
        # keep tol 1e-6 runs, and the first 1e-6-accurate run of each method
        if (T[j] != "1e-06" && acc[p, M[j]] != j) continue
        r = (tp != "") ? sprintf("%.1fx", tp / MS[j]) : "-"
        mark = (acc[p, M[j]] == j && T[j] != "1e-06") ? " (equal accuracy)" : ""
        printf "| %s | %s%s | %s | %d | %.2f | %.3f | %.1e | %s |\n", p, lab(M[j]), mark, T[j], H[j], MS[j], MS[j] / H[j], E[j], r
      }
    }
    print ""
    print "| problem | what | dim | lambda_max | lambda_2 / lambda_1 | loss, torch vs slope (rel.) | HVP, torch vs slope (rel. norm) | HVPs, power / Lanczos | ms per HVP, torch / slope Lanczos | torch power (1e-6-accurate) / slope Lanczos |"
    print "|---|---|---|---|---|---|---|---|---|---|"
    met = 0
    for (i = 1; i <= np; i++) {
      p = order[i]
      if ((p, "torch-power") in acc && (p, "lanczos") in acc) {
        ta = acc[p, "torch-power"]; tb = acc[p, "lanczos"]; x = MS[ta] / MS[tb]; met += (x >= 20)
        s = sprintf("**%.1fx**", x); hr = sprintf("%.1f", H[ta] / H[tb]); pr = sprintf("%.1f", (MS[ta] / H[ta]) / (MS[tb] / H[tb]))
      } else { s = "not reached"; hr = "-"; pr = "-" }
      printf "| %s | %s | %d | %.10g | %s | %s | %s | %s | %s | %s |\n", p, title(p), dim[p], lam[p], gap[p], ld[p], hd[p], hr, pr, s
    }
    printf "\nThe >= 20x target (PyTorch power iteration at 1e-6 accuracy over slope Lanczos) is met on %d of %d problems in this run.\n", met, np
  }' "$D/results.txt") || exit 1

cat <<EOF
### Top Hessian eigenvalue to 1e-6 on the real models: Lanczos vs power iteration vs PyTorch (PyHessian-style)

$tables

- **logreg**: \`slope.obj.logistic{X = standardize(breast_cancer.X), y, l2 = 1e-3, intercept = true}\` (569 x 30)
  at its optimum (\`slope.minimize\` lbfgs, gtol 1e-10); PyTorch: mean \`logaddexp(0, -s z)\` with s = 2y - 1,
  plus 1e-3/2 |w|^2 without the intercept. **mlp_init / mlp_adam300**: \`slope.obj.mlp{X = standardize(digits.X),
  y, hidden = {64}, activation = "tanh", loss = "xent"}\` (1797 x 64, 4810 parameters) at \`f:init(slope.rng(1))\`
  and after 300 full-batch \`slope.optim.adam{lr = 1e-3}\` steps from there; PyTorch builds tanh(X W1^T + b1) W2^T + b2
  with \`F.cross_entropy\` from W1, b1, W2, b2 exported by \`f:unflatten(x)\` (.npy). **quad**: 0.5 w.A w with
  A = diag(1, 499 values uniform in [0.5, 0.98]) (\`slope.spectrum.toy.quadratic\`; PyTorch a dense 500 x 500 A).
- Same point, data and start vector (normal, seed 7, via .npy) on both sides; the second table's check columns are
  PyTorch's loss and its double-backward HVP against slope's \`f:value\` / \`f:hvp\` at that point.
- Relative error against lambda_max from LAPACK on the dense Hessian (logreg), exactly 1 (quad), or slope's Lanczos
  with k = 4, tol 1e-12 (MLPs; eigenvalue error <= residual^2 / gap). Lanczos stops when its residual bound
  |beta s_m| <= 1e-6 |theta| (full reorthogonalization). Power iteration stops on the relative change of the
  Rayleigh quotient < tol (PyHessian's rule); at tol 1e-6 it stops short of 1e-6 accuracy whenever
  lambda_2/lambda_1 is near 1, so tol is tightened tenfold until the error is <= 1e-6 and that run
  ("equal accuracy") is the one the ratios use.
- "PyHessian verbatim" divides by |Hv| + 1e-6 as PyHessian's \`normalization\` does: that biases the Rayleigh quotient
  by about 2e-6 / lambda (relative), so it cannot reach 1e-6 when lambda < 2 whatever tol; the "PyTorch power
  iteration" rows normalize exactly and otherwise follow PyHessian (gradient once with create_graph=True, counted
  in the time, then one \`torch.autograd.grad(g, params, grad_outputs=v, retain_graph=True)\` per HVP).
  With the same start vector they take exactly slope's power-iteration HVP counts, so "ms / HVP" compares HVP costs.
- What limits the ratio: it is (HVPs power / Lanczos) x (ms per HVP torch / slope). Lanczos saves many HVPs
  only when lambda_2/lambda_1 is close to 1 (quad, 0.98); on these models the top two eigenvalues are well
  separated (0.45 for logreg, 0.85 at the MLP init, 0.73 after 300 Adam steps, and about 0.65-0.7 up to 3000
  steps when checked), so power iteration needs only tens of HVPs and Lanczos saves a factor under 3 (column
  "HVPs, power / Lanczos"). Per HVP, slope's analytic R-operator beats torch's double backward by a lot on the
  small logistic problem (per-call autograd overhead dominates) but only by a small factor on the MLP, where
  both spend their time in the same dense matrix products (OpenBLAS). Lanczos with full reorthogonalization also costs more per step than a power step when the HVP
  is cheap (quad).
- Threads: slope with OMP_NUM_THREADS=2 (OpenMP over rows; OpenBLAS for the MLP layers), PyTorch
  \`torch.set_num_threads(2)\`, float64. Times are the best of 7 runs on each side (the machine is shared, single runs vary).

Commands: \`sh scripts/bench/50_spectrum.sh $B\`, which runs
\`OMP_NUM_THREADS=2 $S scripts/bench/spectrum_slope.lua $D\` (\`slope.spectrum.top(f, x, {method = "lanczos"|"power",
tol = ..., v0 = v0})\`) and \`env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $PY scripts/bench/spectrum_torch.py $D\`
(torch $tv); per-run numbers in $D/results.txt.
EOF
