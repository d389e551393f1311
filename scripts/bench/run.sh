#!/bin/sh
# run.sh BUILD — run every benchmark script (scripts/bench/NN_*.sh, in order) and
# write BENCHMARKS.md from their Markdown sections. Figures are measured in one
# run, side by side with the peers, on this machine.
B=${1:-build}
out=BENCHMARKS.md
# This workplace sets OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE on some machines (for
# old OpenBLAS builds that misbehave on new CPUs; tests and CI keep them). The
# peers (numpy, scipy, PyTorch) must run without them to use the CPU's own
# kernels, so every benchmark runs without them, slope included: both sides
# use the same OpenBLAS kernels. The benches check results against the peers.
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
corename=$(printf '#include <cblas.h>\n#include <stdio.h>\nint main(void){puts(openblas_get_corename());return 0;}\n' |
  cc -x c -o /tmp/slope_corename - $(pkg-config --cflags --libs openblas) 2>/dev/null && /tmp/slope_corename)
tmp=$(mktemp)
{
  echo "# slope benchmarks"
  echo
  echo "Written by \`make bench\` on $(date -u +%Y-%m-%d). Machine: $(nproc) cores," \
       "$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(free -g | awk '/Mem:/{print $2}') GiB."
  echo "OpenBLAS $(pkg-config --modversion openblas 2>/dev/null), kernels: ${corename:-unknown}" \
       "(OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for slope and the peers alike)."
  echo "Each section gives the commands that produced its figures; ratios are measured in the same run."
  echo
} > "$tmp"
for s in scripts/bench/[0-9]*.sh; do
  echo "== $s" >&2
  if ! sh "$s" "$B" >> "$tmp"; then
    echo "benchmark $s failed" >&2
    echo "(benchmark $s failed in this run)" >> "$tmp"
  fi
  echo >> "$tmp"
done
mv "$tmp" "$out"
echo "wrote $out" >&2
