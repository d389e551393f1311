#!/bin/sh
# examples.sh BUILD — run every example in quick mode (SLOPE_QUICK=1); each must exit 0.
B=${1:-build}
pass=0; fail=0
mkdir -p out
for f in examples/*.lua; do
  if SLOPE_QUICK=1 timeout 120 "$B/slope" "$f" >/tmp/slope-example.log 2>&1; then
    pass=$((pass + 1)); echo "ok   $f"
  else
    fail=$((fail + 1)); echo "FAIL $f"; tail -20 /tmp/slope-example.log
  fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
