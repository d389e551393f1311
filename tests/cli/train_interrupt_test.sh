#!/bin/sh
# train_interrupt_test.sh — Ctrl-C (SIGINT) during slope.train in a script: the run
# returns status "interrupted" with its steps, the log file is whole (each step
# once, the last line complete), the checkpoint is written at the step it stopped
# after, and resuming it reaches the same parameters, bit for bit, as a run that
# was never interrupted. Again with probes whose C loops see the Ctrl-C, and in
# the REPL (driven through tmux).
S=${B:-build}/slope
pass=0; fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $1"; }
tmp=$(mktemp -d)
T=
cleanup() {
  [ -n "$T" ] && $T kill-server >/dev/null 2>&1
  rm -rf "$tmp" 2>/dev/null || { sleep 0.5; rm -rf "$tmp"; }
}
trap cleanup EXIT

# interrupt MODE DIR: start a long run, wait for its first step, SIGINT it
interrupt() {
  mkdir -p "$2"
  "$S" tests/cli/train_interrupt.lua "$1" "$2" >"$2/out.txt" 2>"$2/err.txt" &
  pid=$!
  i=0
  while [ ! -f "$2/started" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
  sleep 0.3
  kill -INT $pid
  wait $pid
  echo $?
}

d="$tmp/long"
rc=$(interrupt long "$d")
[ "$rc" = 0 ] && ok || ko "the interrupted run exits normally (exit $rc; stderr: $(cat "$d/err.txt"))"
status=$(cut -f1 "$d/out.txt"); k=$(cut -f2 "$d/out.txt")
[ "$status" = interrupted ] && ok || ko "status after SIGINT: [$(cat "$d/out.txt")], expected interrupted"
case "$k" in ''|*[!0-9]*) k=0 ;; esac
[ "$k" -gt 0 ] && ok || ko "the interrupted run reports its steps ([$k])"
[ "$(cut -f3 "$d/out.txt")" = "interrupted after step $k; checkpoint $d/run.ckpt" ] && ok ||
  ko "the message names the step and the checkpoint: [$(cut -f3 "$d/out.txt")]"
steps=$(tail -n +2 "$d/log.csv" | cut -d, -f1 | tr '\n' ' ')
want=$(seq 1 "$k" | tr '\n' ' ')
[ "$steps" = "$want" ] && ok || ko "the log has each step 1..$k once (last lines: $(tail -n 2 "$d/log.csv" | cut -c1-40))"
[ "$(tail -c 1 "$d/log.csv" | od -An -c | tr -d ' ')" = '\n' ] && ok || ko "the log's last line is complete"

n=$((k + 37))
"$S" tests/cli/train_interrupt.lua resume "$d" $n >"$d/resume.txt" 2>&1 || ko "resuming the interrupted run: $(cat "$d/resume.txt")"
[ "$(cut -f1,2 "$d/resume.txt")" = "$(printf 'done\t%s' $n)" ] && ok || ko "resumed run: [$(cat "$d/resume.txt")]"
mkdir -p "$tmp/full"
"$S" tests/cli/train_interrupt.lua full "$tmp/full" $n >/dev/null 2>&1 || ko "uninterrupted run"
cmp -s "$tmp/full/final.txt" "$d/final.txt" && ok || ko "resumed parameters differ from the uninterrupted run's"
a=$(cut -d, -f1-12 "$tmp/full/log.csv" | md5sum); b=$(cut -d, -f1-12 "$d/log.csv" | md5sum)
[ "$a" = "$b" ] && ok || ko "resumed log differs from the uninterrupted one (besides time)"

d="$tmp/probes"
rc=$(interrupt probes "$d")
[ "$rc" = 0 ] && ok || ko "the interrupted run with probes exits normally (exit $rc; stderr: $(cat "$d/err.txt"))"
[ "$(cut -f1 "$d/out.txt")" = interrupted ] && ok || ko "status with probes: [$(cat "$d/out.txt")]"
k=$(cut -f2 "$d/out.txt")
case "$k" in ''|*[!0-9]*) k=0 ;; esac
"$S" tests/cli/train_interrupt.lua resume "$d" $((k + 3)) >"$d/resume.txt" 2>&1
[ "$(cut -f1,2 "$d/resume.txt")" = "$(printf 'done\t%s' $((k + 3)))" ] && ok || ko "resuming the run with probes: [$(cat "$d/resume.txt")]"

# the REPL: Ctrl-C inside slope.train returns the partial run; the session goes on
if command -v tmux >/dev/null 2>&1; then
  case "$S" in /*) ;; *) S=$(pwd)/$S ;; esac
  T="tmux -f /dev/null -L slope-train-int-$$"
  export TMUX_TMPDIR="$tmp"
  unset TMUX
  $T new-session -d -s r -x 150 -y 30 "env HOME=$tmp TERM=screen $S; sleep 60"
  see() { $T capture-pane -t r -p -J -S -100 2>/dev/null; }
  wait_for() { i=0; while [ $i -lt 100 ]; do see | grep -qF -- "$1" && return 0; sleep 0.1; i=$((i + 1)); done; return 1; }
  wait_for ">" || ko "REPL prompt"
  $T send-keys -t r -l 'run = slope.train{objective = slope.obj.rosenbrock(2), optimizer = slope.optim.adam{lr = 1e-3}, steps = 100000000, quiet = true}'
  $T send-keys -t r Enter
  sleep 0.7
  $T send-keys -t r C-c
  $T send-keys -t r -l 'print(run.status .. " after " .. run.steps .. " steps: " .. tostring(run.steps > 0 and #run.history.loss == run.steps))'
  $T send-keys -t r Enter
  if wait_for "interrupted after "; then ok; else ko "REPL: Ctrl-C in slope.train returns the run:"; see | sed 's/^/    | /'; fi
  see | grep -q "steps: true" && ok || ko "REPL: the partial history has every step"
  see | grep -q "interrupted!" && ko "REPL: Ctrl-C in slope.train raised instead of returning" || ok
else
  echo "note: tmux is not installed; the REPL check did not run"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
