#!/bin/sh
# Install the Debian packages slope needs, only those missing; a quick no-op otherwise.
# Build: compiler, Lua 5.4, Readline, Check, OpenBLAS (CBLAS) and LAPACKE, pkg-config,
# fast_float (the readers' number parser, header-only); Open MPI (slope.mpi, mpirun).
# Tests: lua5.4 (the stock interpreter loads build/slope.so), tmux (REPL tests in a pty).
# Benchmarks (`make bench`): numpy, scipy, pandas, PyTorch, liblbfgs and LIBLINEAR from Debian.
set -e
need="build-essential pkg-config liblua5.4-dev lua5.4 libreadline-dev check libsubunit-dev \
libopenblas-dev liblapacke-dev libfast-float-dev tmux libopenmpi-dev openmpi-bin"
# `scripts/deps.sh bench`: also the peers the benchmarks compare against.
if [ "$1" = bench ]; then
  need="$need python3-numpy python3-scipy python3-pandas python3-torch liblbfgs-dev liblinear-tools"
fi
# `scripts/deps.sh lint`: luacheck and clang-format; `coverage`: lcov (gcov comes with gcc).
[ "$1" = lint ] && need="$need lua-check clang-format"
[ "$1" = coverage ] && need="$need lcov"
# `fuzz`: clang with its sanitizer and libFuzzer runtimes, and its OpenMP (libomp).
[ "$1" = fuzz ] && need="$need clang libclang-rt-dev libomp-dev"
missing=""
for p in $need; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
