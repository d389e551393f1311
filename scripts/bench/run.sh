#!/bin/sh
# run.sh BUILD — run every benchmark script (scripts/bench/NN_*.sh, in order) and
# write BENCHMARKS.md from their Markdown sections. Figures are measured in one
# run, side by side with the peers, on this machine.
B=${1:-build}
out=BENCHMARKS.md
tmp=$(mktemp)
{
  echo "# slope benchmarks"
  echo
  echo "Written by \`make bench\` on $(date -u +%Y-%m-%d). Machine: $(nproc) cores," \
       "$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(free -g | awk '/Mem:/{print $2}') GiB."
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
