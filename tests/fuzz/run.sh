#!/bin/sh
# run.sh BUILD SECONDS TARGET... — run each libFuzzer harness BUILD/fuzz/fuzz_TARGET for
# SECONDS from its seed corpus (tests/fuzz/corpus/TARGET, read only; what it finds goes to
# BUILD/fuzz/work/corpus-TARGET, kept between runs). Prints one line per target: executions,
# executions per second, coverage (cov: instrumented C edges; ft: features, which include the
# Lua lines the checkpoint and resume harnesses count) and the corpus. A crash, leak, hang
# (-timeout), out-of-memory (-rss_limit_mb) or a harness finding fails the run; the input
# that did it is kept in BUILD/fuzz/work/crash/ and the way to replay it is printed.
# Inputs that once failed, tests/fuzz/crashers/TARGET-*, are replayed first.
B=${1:?usage: run.sh BUILD SECONDS TARGET...}
S=${2:?usage: run.sh BUILD SECONDS TARGET...}
shift 2
here=$(cd "$(dirname "$0")" && pwd)
work=$B/fuzz/work
mkdir -p "$work/crash"
export OMP_NUM_THREADS=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=""
for t in "$@"; do
  case $t in
    npy) len=4096 ;;
    csv | libsvm) len=8192 ;;
    *) len=16384 ;;
  esac
  dict=$here/$t.dict
  [ "$t" = resume ] && dict=$here/checkpoint.dict
  mkdir -p "$work/corpus-$t"
  log=$work/$t.log
  regs=$(ls "$here/crashers/$t"-* 2>/dev/null)
  # shellcheck disable=SC2086 # one word per file: the names have no spaces
  if [ -n "$regs" ] && ! "$B/fuzz/fuzz_$t" $regs >"$log" 2>&1; then
    failed="$failed $t"
    echo "---- fuzz_$t fails on an input of tests/fuzz/crashers/; the end of $log:"
    tail -40 "$log"
    continue
  fi
  "$B/fuzz/fuzz_$t" -max_total_time="$S" -max_len="$len" -timeout=10 -rss_limit_mb=2048 \
    -dict="$dict" -print_final_stats=1 -artifact_prefix="$work/crash/$t-" \
    "$work/corpus-$t" "$here/corpus/$t" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log")
  last=$(grep -E '^#[0-9]+[[:space:]]' "$log" | tail -1)
  cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
  ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
  corp=$(echo "$last" | sed -n 's/.* corp: \([^ ]*\).*/\1/p')
  printf 'fuzz %-10s %10s execs %6s/s  cov %5s  ft %6s  corpus %-10s peak rss %s MB\n' \
    "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "${rss:-?}"
  if [ "$rc" != 0 ]; then
    failed="$failed $t"
    echo "---- fuzz_$t failed (exit $rc); the end of $log:"
    grep -v '^#[0-9]' "$log" | tail -40
    art=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    if [ -n "$art" ]; then
      echo "---- replay: OMP_NUM_THREADS=1 $B/fuzz/fuzz_$t $art"
    fi
  fi
done
if [ -n "$failed" ]; then
  echo "fuzz: FAILED:$failed"
  exit 1
fi
echo "fuzz: $# targets, $S s each, clean"
