#!/bin/sh
# threads_test.sh — the same script at OMP_NUM_THREADS=1, 2, 3 and 8 prints the
# same bits for every data objective's value, gradient and HVP (plain,
# windowed, minibatch view, per-sample gradients): threads_bits.lua. Also the
# same at 2 threads with an explicit OMP_WAIT_POLICY=active (the user's choice
# wins over slope's default); the interpreter's own waiting policy.
S=${B:-build}/slope
pass=0; fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $1"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

OMP_NUM_THREADS=1 "$S" tests/cli/threads_bits.lua > "$tmp/1" 2>&1 || ko "threads_bits.lua at 1 thread: $(head -3 "$tmp/1")"
[ "$(grep -c ' value ' "$tmp/1")" -ge 8 ] && ok || ko "threads_bits.lua printed too few objectives"
for t in 2 3 8; do
  OMP_NUM_THREADS=$t "$S" tests/cli/threads_bits.lua > "$tmp/$t" 2>&1
  if cmp -s "$tmp/1" "$tmp/$t"; then ok
  else ko "$t threads differ from 1: $(diff "$tmp/1" "$tmp/$t" | grep '^>' | cut -c1-60 | head -3)"; fi
done
OMP_NUM_THREADS=2 OMP_WAIT_POLICY=active "$S" tests/cli/threads_bits.lua > "$tmp/a" 2>&1
cmp -s "$tmp/1" "$tmp/a" && ok || ko "2 threads with OMP_WAIT_POLICY=active differ from 1"
# the interpreter's waiting policy: GOMP_SPINCOUNT=1000 unless the user chose one
v=$(env -u GOMP_SPINCOUNT -u OMP_WAIT_POLICY "$S" -e 'print(os.getenv("GOMP_SPINCOUNT"))' 2>&1)
[ "$v" = 1000 ] && ok || ko "default GOMP_SPINCOUNT: [$v]"
v=$(env -u GOMP_SPINCOUNT OMP_WAIT_POLICY=active "$S" -e 'print(os.getenv("GOMP_SPINCOUNT"))' 2>&1)
[ "$v" = nil ] && ok || ko "OMP_WAIT_POLICY=active keeps libgomp's spin count: [$v]"
v=$(GOMP_SPINCOUNT=5 "$S" -e 'print(os.getenv("GOMP_SPINCOUNT"))' 2>&1)
[ "$v" = 5 ] && ok || ko "the user's GOMP_SPINCOUNT wins: [$v]"
echo 'print(#arg, arg[1], arg[2], os.getenv("GOMP_SPINCOUNT"))' > "$tmp/args.lua"
v=$(env -u GOMP_SPINCOUNT -u OMP_WAIT_POLICY "$S" "$tmp/args.lua" a "b c" 2>&1)
[ "$v" = "2	a	b c	1000" ] && ok || ko "arguments survive the restart: [$v]"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
