#!/bin/sh
# run.sh BUILD — the interpreter's options and exit statuses (cli_test.sh), then
# the REPL driven through a pseudo-terminal (repl_test.sh).
B=${1:-build}
pass=0; fail=0
for t in tests/cli/*_test.sh; do
  out=$(B="$B" sh "$t" 2>&1)
  rc=$?
  echo "$out"
  p=$(echo "$out" | grep -Eo '^[0-9]+ passed, [0-9]+ failed' | tail -1 | sed 's/ passed.*//')
  f=$(echo "$out" | grep -Eo '^[0-9]+ passed, [0-9]+ failed' | tail -1 | sed 's/.* passed, //; s/ failed//')
  [ -z "$p" ] && { p=0; f=1; }
  [ "$rc" != 0 ] && [ "$f" = 0 ] && f=1
  pass=$((pass + p)); fail=$((fail + f))
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
