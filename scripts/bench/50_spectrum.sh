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
# both sides on the CPU's own OpenBLAS kernels (see run.sh)
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
PY=/usr/bin/python3
D=out/bench_spectrum
mkdir -p "$D"
quick=; [ "$SLOPE_QUICK" = 1 ] && quick=quick

slope_out=$(OMP_NUM_THREADS=2 "$S" scripts/bench/spectrum_slope.lua "$D") || exit 1
torch_out=$($PY scripts/bench/spectrum_torch.py "$D" $quick) || exit 1
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
  plus 1e-3/2 |w|^2 without the intercept. **mlp_init / mlp_adam100 / mlp_adam300**: \`slope.obj.mlp{X = standardize(digits.X),
  y, hidden = {64}, activation = "tanh", loss = "xent"}\` (1797 x 64, 4810 parameters) at \`f:init(slope.rng(1))\`
  and after 100 and 300 full-batch \`slope.optim.adam{lr = 1e-3}\` steps from there (checkpoints of one run);
  PyTorch builds tanh(X W1^T + b1) W2^T + b2
  with \`F.cross_entropy\` from W1, b1, W2, b2 exported by \`f:unflatten(x)\` (.npy). **quad**: 0.5 w.A w with
  A = diag(1, 499 values uniform in [0.5, 0.98]) (\`slope.spectrum.toy.quadratic\`; PyTorch a dense 500 x 500 A).
- Same point, data and start vector (normal, seed 7, via .npy) on both sides; the second table's check columns are
  PyTorch's loss and its double-backward HVP against slope's \`f:value\` / \`f:hvp\` at that point.
- Relative error against lambda_max from LAPACK on the dense Hessian (logreg), exactly 1 (quad), or slope's Lanczos
  with k = 4, tol 1e-12 (MLPs; eigenvalue error <= residual^2 / gap).
- Stopping rules, all at tol 1e-6. slope Lanczos with \`criterion = "value"\` (the rows the ratios use) stops when
  the estimated eigenvalue error min(r, r^2 / gap) <= 1e-6 |theta|, r = |beta s_m| the residual bound and gap the
  distance to the neighbouring Ritz value less that one's residual (Parlett's gap theorem); nothing is tuned to the
  known answer, and the error column shows what it reached. \`criterion = "residual"\` (the default) stops on
  r <= 1e-6 |theta|, which makes the eigenvector accurate to about 1e-6 as well and the eigenvalue to about 1e-12:
  more HVPs than the question "lambda_max to 1e-6" needs; its rows are shown for reference.
  Power iteration stops on the relative change of the Rayleigh quotient < tol (PyHessian's rule); at tol 1e-6 it
  stops short of 1e-6 accuracy whenever lambda_2/lambda_1 is near 1, so tol is tightened tenfold until the error
  is <= 1e-6 and that run ("equal accuracy") is the one the ratios use.
- "PyHessian verbatim" divides by |Hv| + 1e-6 as PyHessian's \`normalization\` does: that biases the Rayleigh quotient
  by about 2e-6 / lambda (relative), so it cannot reach 1e-6 when lambda < 2 whatever tol; the "PyTorch power
  iteration" rows normalize exactly and otherwise follow PyHessian (gradient once with create_graph=True, counted
  in the time, then one \`torch.autograd.grad(g, params, grad_outputs=v, retain_graph=True)\` per HVP).
  With the same start vector they take exactly slope's power-iteration HVP counts, so "ms / HVP" compares HVP costs.
  Within one \`slope.spectrum.top\` call the HVPs share what does not depend on v (the logistic curvature weights;
  the MLP's forward pass and deltas), as PyTorch's retained graph does.
- What limits the ratio: it is (HVPs power / Lanczos) x (ms per HVP torch / slope). Lanczos saves many HVPs
  only when lambda_2/lambda_1 is close to 1: the MLP after 100 Adam steps (0.95) and the quadratic (0.98). At the
  MLP's init (0.85), after 300 steps (0.73; about 0.65-0.7 from there to 3000 steps when checked) and for the
  logistic model at its optimum (0.45), power iteration needs only 14-36 HVPs and Lanczos saves a factor of 2-3.
  Per HVP, slope's analytic R-operator beats torch's double backward by a lot on the small logistic problem
  (per-call autograd overhead dominates) but by a small factor on the MLP, where both spend their time in dense
  matrix products (OpenBLAS).
- Threads: slope with OMP_NUM_THREADS=2 (OpenMP over rows; OpenBLAS for the MLP layers). PyTorch, float64, is
  timed with both \`torch.set_num_threads(1)\` and \`(2)\` and the faster kept (per-run thread count in results.txt):
  with two threads its HVP takes ~1.7 ms when undisturbed but long runs on this 2-core VM hit stretches of 5-15 ms
  per HVP that one thread (~2.1 ms, steady) does not. Times are the best of at least 7 runs on each side, more
  (up to 400) until 1 s is spent per configuration (the machine is shared; sub-millisecond runs vary by 2x).

Commands: \`sh scripts/bench/50_spectrum.sh $B\`, which unsets OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE (both sides run
OpenBLAS's kernels for this CPU) and runs
\`OMP_NUM_THREADS=2 $S scripts/bench/spectrum_slope.lua $D\` (\`slope.spectrum.top(f, x, {criterion = "value"|"residual",
tol = 1e-6, v0 = v0})\` and \`{method = "power", tol = ..., v0 = v0}\`) and \`$PY scripts/bench/spectrum_torch.py $D\`
(torch $tv); per-run numbers in $D/results.txt.
EOF
