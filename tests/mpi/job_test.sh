#!/bin/sh
# job_test.sh BUILD — slope.mpi at the level of the whole job (called by
# tests/mpi/run.sh with OMPI_ALLOW_RUN_AS_ROOT* set): an error on one rank ends
# every rank with that rank's message and no hang (each run under a timeout),
# mismatched dimensions are an error on every rank, a clean run prints no MPI
# noise, and a slope without its MPI plugin says how to get it.
B=${1:-build}
S=$(cd "$(dirname "$B/slope")" && pwd)/slope
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
MPI="timeout 120 mpirun --oversubscribe"

ok() { echo "ok - $1"; }
bad() { echo "not ok - $1"; shift; for l in "$@"; do echo "    $l"; done; }

# expect NAME RC_WANTED(zero|nonzero) PATTERN... : check $rc and $tmp/out
expect() {
  name=$1 want=$2
  shift 2
  if [ "$rc" = 124 ]; then bad "$name" "timed out (a hang)"; sed 's/^/    | /' "$tmp/out"; return; fi
  if [ "$want" = zero ] && [ "$rc" != 0 ]; then bad "$name" "exit $rc"; sed 's/^/    | /' "$tmp/out"; return; fi
  if [ "$want" = nonzero ] && [ "$rc" = 0 ]; then bad "$name" "exit 0"; sed 's/^/    | /' "$tmp/out"; return; fi
  for p in "$@"; do
    if ! grep -qF -- "$p" "$tmp/out"; then bad "$name" "no '$p' in:"; sed 's/^/    | /' "$tmp/out"; return; fi
  done
  ok "$name"
}

# 1. a Lua error on rank 1 while rank 0 waits in a barrier
cat >"$tmp/err.lua" <<'LUA'
if slope.mpi.rank() == 1 then error("boom on one rank") end
slope.mpi.barrier()
print("not reached")
LUA
$MPI -np 2 "$S" "$tmp/err.lua" >"$tmp/out" 2>&1
rc=$?
expect "an error on rank 1 ends the job with its message" nonzero "slope: rank 1: " "boom on one rank"
grep -q "not reached" "$tmp/out" && bad "rank 0 went past the barrier"

# 2. the objective fails on rank 2 of 3 inside a solver: rank 2's own message
cat >"$tmp/objerr.lua" <<'LUA'
local r = slope.mpi.rank()
local f = slope.mpi.objective(slope.obj.lua{ dim = 2, fg = function(x, g)
  if r == 2 and x[1] < 1.5 then error("objective exploded on rank two") end
  g[1], g[2] = x[1] - 1, x[2]
  return ((x[1] - 1) ^ 2 + x[2] ^ 2) / 2
end }, { weight = "ranks" })
slope.minimize(f, slope.vec{ 2, 1 }, { method = "lbfgs" })
print("not reached")
LUA
$MPI -np 3 "$S" "$tmp/objerr.lua" >"$tmp/out" 2>&1
rc=$?
expect "an objective failing on one rank ends the job with that rank's message" nonzero \
  "slope: rank 2: " "objective exploded on rank two"
grep -q "not reached" "$tmp/out" && bad "a rank finished the solver"

# 3. dimensions that differ across ranks: an error on every rank
cat >"$tmp/dims.lua" <<'LUA'
local d = slope.mpi.rank() == 0 and 3 or 2
slope.mpi.objective(slope.obj.lua{ dim = d, fg = function(x) return x:dot(x) end }, { weight = "ranks" })
LUA
$MPI -np 2 "$S" "$tmp/dims.lua" >"$tmp/out" 2>&1
rc=$?
expect "mismatched dimensions are a clear error" nonzero "dimension mismatch across ranks" \
  "f_local.dim is 3 on rank 0" "f_local.dim is 2 on rank 1"

# 4. slope.mpi.abort on one rank
$MPI -np 2 "$S" -e 'if slope.mpi.rank() == 1 then slope.mpi.abort("bye from one", 3) end slope.mpi.barrier()' \
  >"$tmp/out" 2>&1
rc=$?
expect "slope.mpi.abort ends the job" nonzero "slope: rank 1: bye from one"

# 5. a clean run: exit 0, the ranks' output and nothing else
$MPI -np 2 "$S" -e 'local t = slope.mpi.gather(slope.mpi.rank()) if t then print(#t, t[1], t[2]) end' \
  >"$tmp/out" 2>&1
rc=$?
expect "a clean run exits 0" zero "2	0	1"
[ "$(wc -l <"$tmp/out")" = 1 ] && ok "a clean run prints only the script's output" ||
  bad "a clean run prints only the script's output" "$(cat "$tmp/out")"

# 6. without mpirun: rank 0 of 1, nothing on stderr
"$S" -e 'io.write(slope.mpi.rank(), slope.mpi.size(), tostring((slope.mpi.available())))' \
  >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" = 0 ] && [ "$(cat "$tmp/out")" = "01false" ] && [ ! -s "$tmp/err" ]; then
  ok "one process without mpirun: rank 0 of 1, no MPI output"
else
  bad "one process without mpirun" "$(cat "$tmp/out" "$tmp/err")"
fi

# 7. a slope without its plugin (as built without Open MPI) under mpirun
mkdir "$tmp/nompi" && cp "$S" "$tmp/nompi/slope"
$MPI -np 2 "$tmp/nompi/slope" -e 'print("size", slope.mpi.size(), select(2, slope.mpi.available()))' \
  >"$tmp/out" 2>&1
rc=$?
expect "without the plugin: one process each, saying how to get Open MPI" zero \
  "running as a single process" "make deps" "size	1"

echo "job tests done"
