#!/bin/sh
# run.sh BUILD — every tests/cli/*_test.sh: the interpreter's options and exit
# statuses (cli_test.sh), the REPL driven through a pseudo-terminal
# (repl_test.sh), the docs (docs_test.sh), training killed, interrupted and
# resumed (train_test.sh, train_interrupt_test.sh) and on a full file system
# (train_fullfs_test.sh: a 64 KiB tmpfs, root only, skipped with a note elsewhere).
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
