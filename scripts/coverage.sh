#!/bin/sh
# coverage.sh BUILD — line coverage of every test run: C through gcov/lcov (BUILD was
# compiled with --coverage), the Lua library through scripts/lua_coverage.lua.
# Writes BUILD/coverage.txt (summary + the Lua lines never run) and BUILD/c.info.
set -e
B=${1:-build-cov}
lcov --quiet --zerocounters --directory "$B"
rc=0
sh tests/run_all.sh "$B" >"$B/tests.log" 2>&1 || rc=$?
tail -1 "$B/tests.log"
[ "$rc" = 0 ] || { grep -E '^FAIL' "$B/tests.log" | head -20; echo "(tests failed: coverage of a failing run follows)"; }
lcov --quiet --capture --directory "$B" --output-file "$B/c.info" 2>/dev/null
lcov --quiet --remove "$B/c.info" '/usr/*' "*/tests/unit/*" "*/gen/*" --output-file "$B/c.info" 2>/dev/null
"$B/slope" scripts/lua_coverage.lua "$B/lua.txt" tests/lua/run.lua tests/lua/*_spec.lua >/dev/null 2>&1 || true
{
  echo "== C (gcov/lcov over make test: unit, Lua, CLI and example runs)"
  lcov --summary "$B/c.info" 2>&1 | grep -E 'lines|functions'
  echo
  echo "== C files under 80% of lines"
  lcov --list "$B/c.info" 2>/dev/null | awk -F'|' '/%/ { split($2, a, "%"); gsub(/ /, "", a[1]);
    if (a[1] + 0 < 80) print "  " $1 "|" $2 }'
  echo
  echo "== Lua library (tests/lua specs)"
  cat "$B/lua.txt"
} >"$B/coverage.txt"
sed -n '1,/^lines never run/p' "$B/coverage.txt"
echo "full report: $B/coverage.txt"
exit "$rc"
