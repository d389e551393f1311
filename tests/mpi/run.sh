#!/bin/sh
# run.sh BUILD — the MPI tests: every tests/mpi/*_spec.lua under
# `mpirun --oversubscribe -np K` for K = 2 and 3 (each rank runs the spec and
# prints its own "N passed, N failed"), then the job-level checks in
# tests/mpi/job_test.sh (an error on one rank ends the job with its message,
# no hang). Skipped, with a note, when Open MPI or build/slope_mpi.so is absent.
# Tests run as root on a small machine: --oversubscribe and OMPI_ALLOW_RUN_AS_ROOT*.
B=${1:-build}
if ! command -v mpirun >/dev/null 2>&1 || [ ! -f "$B/slope_mpi.so" ]; then
  echo "note: Open MPI is not installed or slope was built without it (make deps; make):"
  echo "      MPI tests skipped"
  echo "0 passed, 0 failed"
  exit 0
fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Under `make asan` (SLOPE_ASAN): no leak check in the MPI processes. Open MPI keeps
# allocations until exit and unloads its components at MPI_Finalize, so LeakSanitizer
# reports frames it cannot name; slope's own leaks are checked by the same specs at
# K = 1 (tests/lua/mpi_spec.lua). Address and UB checks stay on.
if [ -n "$SLOPE_ASAN" ]; then export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"; fi
pass=0
fail=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for K in 2 3; do
  for spec in tests/mpi/*_spec.lua; do
    echo "-- K=$K $spec"
    timeout 600 mpirun --oversubscribe -np "$K" "$B/slope" tests/lua/run.lua "$spec" >"$out" 2>&1
    rc=$?
    grep -v '^[0-9]* passed, [0-9]* failed$' "$out"
    lines=$(grep -c '^[0-9]* passed, [0-9]* failed$' "$out")
    p=$(grep '^[0-9]* passed, [0-9]* failed$' "$out" | sed 's/ passed.*//' | awk '{s += $1} END {print s + 0}')
    f=$(grep '^[0-9]* passed, [0-9]* failed$' "$out" | sed 's/.* passed, //; s/ failed//' | awk '{s += $1} END {print s + 0}')
    echo "   $lines ranks: $p passed, $f failed (exit $rc)"
    # every rank must report, and the job must end cleanly
    if [ "$lines" != "$K" ] || [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi
    pass=$((pass + p))
    fail=$((fail + f))
  done
done
sh tests/mpi/job_test.sh "$B" >"$out" 2>&1
cat "$out"
p=$(grep -c '^ok ' "$out")
f=$(grep -c '^not ok ' "$out")
grep -q '^job tests done$' "$out" || f=$((f + 1))
pass=$((pass + p))
fail=$((fail + f))
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
