#!/bin/sh
# run_all.sh BUILD — every test of slope: Check unit tests, Lua tests through the
# interpreter and through lua5.4 + the C module, CLI/REPL tests in a pty, and the
# examples in quick mode. Prints one closing line "N passed, N failed".
B=${1:-build}
total_pass=0
total_fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

count() { # add the "N passed, N failed" or Check summary found in $log
  p=$(grep -Eo '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1 | sed 's/ passed.*//')
  f=$(grep -Eo '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1 | sed 's/.* passed, //; s/ failed//')
  if [ -z "$p" ]; then
    c=$(grep -Eo 'Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$log" | tail -1)
    if [ -n "$c" ]; then
      n=$(echo "$c" | sed 's/Checks: \([0-9]*\).*/\1/')
      fl=$(echo "$c" | sed 's/.*Failures: \([0-9]*\).*/\1/')
      er=$(echo "$c" | sed 's/.*Errors: \([0-9]*\)/\1/')
      f=$((fl + er)); p=$((n - f))
    fi
  fi
  if [ -z "$p" ]; then p=0; f=1; fi # a runner that printed no summary failed
  if [ "$1" != 0 ] && [ "$f" = 0 ]; then f=1; fi
  total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
}

run() { # run NAME CMD...
  name=$1; shift
  echo "== $name"
  "$@" >"$log" 2>&1
  rc=$?
  cat "$log"
  count $rc
}

run "unit (Check)" env CK_FORK=yes "$B/check_slope"
run "lua (slope interpreter)" "$B/slope" tests/lua/run.lua tests/lua/*_spec.lua
if [ -z "$SLOPE_ASAN" ]; then
  # the same specs through the stock interpreter and the C module
  run "lua (lua5.4 + slope.so)" env LUA_CPATH="$B/?.so;;" lua5.4 tests/lua/run.lua tests/lua/*_spec.lua
fi
run "cli and repl" sh tests/cli/run.sh "$B"
run "mpi (mpirun -np 2 and 3)" sh tests/mpi/run.sh "$B"
run "examples (quick)" sh tests/examples.sh "$B"

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
