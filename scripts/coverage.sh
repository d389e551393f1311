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
# the Lua library's lines: the specs, and the MPI specs on every rank (K = 2) when Open MPI is here
rm -rf "$B/lua_hits" && mkdir -p "$B/lua_hits"
"$B/slope" scripts/lua_coverage.lua "$B/lua_hits/specs.hits" tests/lua/run.lua tests/lua/*_spec.lua >/dev/null 2>&1 || true
if command -v mpirun >/dev/null 2>&1 && [ -f "$B/slope_mpi.so" ]; then
  for spec in tests/mpi/*_spec.lua; do
    OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 timeout 600 mpirun --oversubscribe -np 2 \
      "$B/slope" scripts/lua_coverage.lua "$B/lua_hits/$(basename "$spec" .lua)-%r.hits" \
      tests/lua/run.lua "$spec" >/dev/null 2>&1 || true
  done
fi
"$B/slope" scripts/lua_coverage.lua --merge "$B/lua.txt" "$B"/lua_hits/*.hits
{
  echo "== C (gcov/lcov over make test: unit, Lua, CLI and example runs)"
  lcov --summary "$B/c.info" 2>&1 | grep -E 'lines|functions'
  echo
  echo "== C files under 80% of lines"
  lcov --list "$B/c.info" 2>/dev/null | awk -F'|' '/%/ { split($2, a, "%"); gsub(/ /, "", a[1]);
    if (a[1] + 0 < 80) print "  " $1 "|" $2 }'
  echo
  echo "== Lua library (tests/lua specs, and tests/mpi specs on each of 2 ranks)"
  cat "$B/lua.txt"
} >"$B/coverage.txt"
sed -n '1,/^lines never run/p' "$B/coverage.txt"
echo "full report: $B/coverage.txt"
exit "$rc"
