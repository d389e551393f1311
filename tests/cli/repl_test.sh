#!/bin/sh
# repl_test.sh — the REPL driven through a pseudo-terminal (tmux): completion
# (globals, fields, an object's methods only, userdata fields, ?name, file names,
# odd values that must not break it), multi-line input, printing, `;`, `_`,
# `?help`, errors, Ctrl-C, history, NO_COLOR, -i script, Ctrl-D. Each check polls the screen with a timeout.
B=${B:-build}
case "$B" in /*) S=$B/slope ;; *) S=$(pwd)/$B/slope ;; esac
pass=0; fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $1"; }

if ! command -v tmux >/dev/null 2>&1; then
  echo "FAIL: tmux is not installed (make deps)"
  echo "0 passed, 1 failed"; exit 1
fi
if [ ! -x "$S" ]; then
  echo "FAIL: no interpreter at $S"
  echo "0 passed, 1 failed"; exit 1
fi

TIMEOUT=10
[ -n "$SLOPE_ASAN" ] && TIMEOUT=40
tmp=$(mktemp -d)
unset TMUX
export TMUX_TMPDIR="$tmp"
T="tmux -f /dev/null -L slope-repl-test"
cleanup() { $T kill-server >/dev/null 2>&1; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 1' INT TERM
mkdir -p "$tmp/home" "$tmp/work/examples/sub"
: > "$tmp/work/examples/data_train.csv"
: > "$tmp/work/examples/sub/x.txt"
printf 'from_script = 321\nlocal hidden = 1\n' > "$tmp/init.lua"

# start NAME [ENV...] -- ARGS: run the REPL in a new tmux session in $tmp/work;
# its exit status lands in $tmp/NAME.status.
start() {
  name=$1; shift
  envs=""
  while [ "$1" != "--" ]; do envs="$envs $1"; shift; done
  shift
  $T new-session -d -s "$name" -x 120 -y 40 -c "$tmp/work" \
    "env HOME=$tmp/home TERM=screen $envs $S $*; echo \$? > $tmp/$name.status; sleep 600"
}
screen() { $T capture-pane -t "$1" -p -J -S -200 2>/dev/null; }
# wait_text SESSION TEXT: the screen shows TEXT somewhere (substring)
wait_text() {
  i=0
  while [ $i -lt $((TIMEOUT * 10)) ]; do
    screen "$1" | grep -qF -- "$2" && return 0
    sleep 0.1; i=$((i + 1))
  done
  return 1
}
# wait_line SESSION LINE: a whole screen line (trailing blanks ignored) equals LINE
wait_line() {
  i=0
  while [ $i -lt $((TIMEOUT * 10)) ]; do
    screen "$1" | sed 's/[[:space:]]*$//' | grep -qxF -- "$2" && return 0
    sleep 0.1; i=$((i + 1))
  done
  return 1
}
# count of lines equal to LINE
count_line() { screen "$1" | sed 's/[[:space:]]*$//' | grep -cxF -- "$2"; }
# type SESSION TEXT: literal keys (a trailing ';' would be a tmux separator: escape it)
type_() { $T send-keys -t "$1" -l -- "$(printf '%s' "$2" | sed 's/;$/\\;/')"; }
enter() { type_ "$1" "$2"; $T send-keys -t "$1" Enter; }
# fresh SESSION: clear the screen and scrollback, wait for the lone prompt
fresh() {
  $T send-keys -t "$1" C-l
  $T clear-history -t "$1"
  i=0
  while [ $i -lt $((TIMEOUT * 10)) ]; do
    [ "$(screen "$1" | sed 's/[[:space:]]*$//' | grep -v '^$')" = ">" ] && return 0
    sleep 0.1; i=$((i + 1))
  done
  return 1
}
# expect NAME SESSION LINE: wait for LINE, record pass/fail with the screen on failure
expect_line() {
  if wait_line "$2" "$3"; then ok; else ko "$1: no line [$3] in:"; screen "$2" | sed 's/^/    | /'; fi
}
expect_text() {
  if wait_text "$2" "$3"; then ok; else ko "$1: no [$3] in:"; screen "$2" | sed 's/^/    | /'; fi
}

# ---- session a: colours on (TERM=screen, no NO_COLOR) --------------------------
start a NO_COLOR= -- ""
expect_text "banner" a "help() for help, ?name for a function's help, Ctrl-D to exit"
wait_line a ">" || ko "first prompt"

fresh a
enter a "1+1"
expect_line "1+1 prints 2" a "2"

fresh a
enter a 't = {b = {1, 2}, a = "x"}; t.self = t'
enter a "t"
expect_line "table pretty-printed" a '{a = "x", b = {1, 2}, self = <cycle>}'

fresh a
enter a "x = slope.vec{3, 4}"
enter a "x"
expect_line "vec printed" a "vec[2]{3, 4}"

fresh a
enter a 'saved_print = print; print = function(...) io.write("<", table.concat({...}, "|"), ">\n") end'
enter a '1, "two", {3}'
expect_line "results go through the global print" a "<1|two|{3}>"
enter a "print = saved_print"
enter a "print = 5"
enter a "8"
expect_text "a print that is not a function is reported" a "error calling 'print' (a number value)"
enter a "print = saved_print"

fresh a
enter a "100 + 23;"
enter a "print('after')"
wait_line a "after"
if [ "$(count_line a 123)" = 0 ]; then ok; else ko "trailing ; suppresses the print"; fi
enter a "_ + 1"
expect_line "_ holds the last result" a "124"

fresh a
enter a "?slope.vec.zeros"
expect_line "?name prints help" a "slope.vec.zeros(n) -> vec"
enter a "?x:norm"
expect_line "?x:method prints help" a "x:norm([p]) -> number"

fresh a
enter a "for i = 1, 2 do"
expect_line "second prompt" a ">>"
enter a "print(i * 11)"
enter a "end"
expect_line "multi-line chunk runs (1)" a "11"
expect_line "multi-line chunk runs (2)" a "22"

fresh a
enter a 'error("boom")'
expect_line "error message" a "stdin:1: boom"
expect_line "short traceback" a "stack traceback:"
enter a "6 * 7"
expect_line "REPL goes on after an error" a "42"

# completion: a global, a nested field, a method, a file name in a string
fresh a
enter a "my_long_global = 55"
type_ a "my_long_gl"; $T send-keys -t a Tab
expect_text "global completed" a "> my_long_global"
$T send-keys -t a Enter
expect_line "completed global evaluates" a "55"

fresh a
type_ a "slope.ve"; $T send-keys -t a Tab Tab
expect_text "ambiguous field lists candidates" a "version"
$T send-keys -t a C-u
fresh a
type_ a "slope.vec.ze"; $T send-keys -t a Tab
expect_text "nested field completed with (" a "> slope.vec.zeros("
type_ a "3)"; $T send-keys -t a Enter
expect_line "completed call runs" a "vec[3]{0, 0, 0}"

fresh a
type_ a "x:no"; $T send-keys -t a Tab
expect_text "method completed" a "> x:norm("
type_ a ")"; $T send-keys -t a Enter
expect_line "completed method runs" a "5.0"

# completion after `obj:` lists that object's methods only, not its module's constructors
absent() { # absent NAME SESSION TEXT: no screen line but the typed ones shows TEXT
  if screen "$2" | grep -v '^> ' | grep -qF -- "$3"; then ko "$1: [$3] shown in:"; screen "$2" | sed 's/^/    | /'; else ok; fi
}
fresh a
type_ a "x:"; $T send-keys -t a Tab Tab
expect_text "x: lists the vec's methods" a "norm("
absent "x: leaves out constructors" a "zeros("
$T send-keys -t a C-u
fresh a
enter a "o = slope.optim.adam{}"
type_ a "o:s"; $T send-keys -t a Tab Tab
expect_text "o:s lists state(" a "state("
expect_text "o:s lists step(" a "step("
absent "o:s leaves out slope.optim.sgd" a "sgd("
$T send-keys -t a C-u
fresh a
enter a "f = slope.obj.rosenbrock(2)"
type_ a "f:"; $T send-keys -t a Tab Tab
expect_text "f: lists the objective's methods" a "value("
absent "f: leaves out test-function constructors" a "rosenbrock("
$T send-keys -t a C-u

# fields of userdata from the metatable's __fields; a path through an __index function
fresh a
type_ a "f.di"; $T send-keys -t a Tab
expect_text "userdata field completed" a "> f.dim"
$T send-keys -t a Enter
expect_line "completed field evaluates" a "2"
fresh a
type_ a "f:mini"; $T send-keys -t a Tab
expect_text "an objective's own method completed (__members)" a "> f:minimizer("
$T send-keys -t a C-u
fresh a
type_ a "f.fm"; $T send-keys -t a Tab
expect_line "an objective's own field completed (__members)" a "> f.fmin"
$T send-keys -t a C-u
fresh a
enter a "s = slope.solver(f, slope.vec{0, 0})"
type_ a "s.x:no"; $T send-keys -t a Tab
expect_text "method of a userdata field completed" a "> s.x:norm("
$T send-keys -t a C-u

# names after `?` complete without "(", methods too
fresh a
type_ a "?slope.op"; $T send-keys -t a Tab
expect_line "?name completed, no (" a "> ?slope.optim"
$T send-keys -t a Enter
expect_line "completed ?name prints help" a "slope.optim.<name>{...} -> optimizer"
fresh a
type_ a "?x:no"; $T send-keys -t a Tab
expect_line "?x:method completed, no (" a "> ?x:norm"
$T send-keys -t a Enter
expect_line "completed ?x:method prints help" a "x:norm([p]) -> number"

# help() describes every module; help of an object lists its fields and methods
fresh a
enter a "help()"
expect_text "help() describes slope.schedule" a "slope.schedule     Learning-rate schedules"
expect_text "help() describes slope.version" a "slope.version      The version string"
fresh a
enter a "?f"
expect_line "?obj names its type" a "objective"
expect_text "?obj lists its fields" a "Fields: dim, n, name, exact_hvp"
expect_text "?obj lists its methods" a "f:value(x) -> number"
absent "?obj leaves out constructors" a "slope.obj.rosenbrock("

# completion survives values that cannot be indexed, raising or endless __index
fresh a
enter a 'bad = setmetatable({}, {__index = function() error("boom") end})'
enter a "slow = setmetatable({}, {__index = function() while true do end end})"
enter a "nomt = debug.setmetatable(slope.vec{1}, nil)"
for t in "bad.x.y" "bad.x:" "slow.a.b" "nomt:" "nomt.a" "nothing_here.a" "nothing_here:" "keep.x" \
         "math.pi:" "io.stdout:se"; do
  type_ a "$t"; $T send-keys -t a Tab Tab; $T send-keys -t a C-u
done
fresh a
enter a "6 * 7"
expect_line "REPL alive after completing odd values" a "42"
absent "no error text leaks from completion" a "boom"
fresh a
type_ a "io.stdout:se"; $T send-keys -t a Tab Tab
expect_text "methods of a file handle (__index table)" a "setvbuf("
$T send-keys -t a C-u

fresh a
type_ a 'print("examples/da'; $T send-keys -t a Tab
expect_text "file name completed inside a string" a '> print("examples/data_train.csv"'
type_ a ")"; $T send-keys -t a Enter
expect_line "completed file name is used" a "examples/data_train.csv"
fresh a
type_ a 'io.open("examples/su'; $T send-keys -t a Tab
expect_text "directory completed with /" a '> io.open("examples/sub/'
$T send-keys -t a C-u

# Ctrl-C: a Lua loop, the prompt (clears the line), then the session still works
fresh a
enter a "keep = 77"
enter a "while true do end"
sleep 0.5
$T send-keys -t a C-c
expect_text "Ctrl-C stops a Lua loop" a "interrupted!"
fresh a
enter a "keep"
expect_line "variables survive Ctrl-C" a "77"
fresh a
enter a "?nothing_here"
expect_line "?name of nil says so" a "no help: nothing_here is nil"
if [ "$(count_line a 'stack traceback:')" = 0 ]; then ok; else ko "no empty traceback for ?nil"; fi
fresh a
type_ a "this is never run"; wait_text a "> this is never run"; $T send-keys -t a C-c
expect_text "Ctrl-C at the prompt shows ^C" a "> this is never run^C"
enter a "keep + 1"
expect_line "Ctrl-C at the prompt does not exit" a "78"

# Ctrl-C inside a C loop that polls the interrupt flag (Hutchinson's trace, 1e12 samples)
fresh a
enter a "ring = slope.spectrum.toy.ring(200)"
enter a "slope.spectrum.trace(ring, slope.vec.ones(200), {samples = 1000000000000})"
sleep 0.5
$T send-keys -t a C-c
expect_text "Ctrl-C stops a C loop" a "interrupted!"
fresh a
enter a "keep * 2"
expect_line "variables survive Ctrl-C in C" a "154"

# a slow command reports its wall time
fresh a
enter a "local t0 = slope.clock() while slope.clock() - t0 < 0.6 do end"
expect_text "slow command reports its time" a " s)"

# colour on a terminal (and escape codes captured with -e)
fresh a
enter a '{n = 1, s = "str"}'
wait_line a '{n = 1, s = "str"}'
if $T capture-pane -t a -p -e | grep -q "$(printf '\033')\[3[0-9]m"; then ok; else ko "colour on a terminal"; fi

# _PROMPT
fresh a
enter a '_PROMPT = "slope> "'
expect_text "_PROMPT honoured" a "slope> "
enter a '_PROMPT2 = "more> "'
enter a "if true then"
expect_text "_PROMPT2 honoured" a "more> "
$T send-keys -t a C-c
enter a '_PROMPT, _PROMPT2 = nil, nil'
fresh a
enter a "5 + 5"
expect_line "Ctrl-C at the second prompt abandons the chunk" a "10"

# Ctrl-D exits with status 0; history written
fresh a
$T send-keys -t a C-d
i=0; while [ ! -s "$tmp/a.status" ] && [ $i -lt $((TIMEOUT * 10)) ]; do sleep 0.1; i=$((i + 1)); done
if [ "$(cat "$tmp/a.status" 2>/dev/null)" = 0 ]; then ok
else ko "Ctrl-D exits 0 (got [$(cat "$tmp/a.status" 2>/dev/null)])"; screen a | sed 's/^/    | /'; fi
if grep -qxF "keep = 77" "$tmp/home/.slope_history" 2>/dev/null &&
   grep -qxF "for i = 1, 2 do" "$tmp/home/.slope_history"; then ok
else ko "history file written: [$(cat "$tmp/home/.slope_history" 2>/dev/null)]"; fi

# ---- session b: NO_COLOR, -i script, history read back ---------------------------
start b NO_COLOR=1 -- -i "$tmp/init.lua"
wait_line b ">" || ko "session b prompt"
fresh b
enter b "from_script"
expect_line "-i script then REPL with its globals" b "321"
fresh b
enter b '{n = 1, s = "str", t = {true}}'
wait_line b '{n = 1, s = "str", t = {true}}'
if $T capture-pane -t b -p -e | grep -q "$(printf '\033')\["; then ko "NO_COLOR output has escape codes"; else ok; fi
fresh b
$T send-keys -t b Up
expect_text "history recalls the last command" b '> {n = 1, s = "str", t = {true}}'
$T send-keys -t b C-u
fresh b
i=0; found=0
while [ $i -lt 60 ]; do
  if screen b | sed 's/[[:space:]]*$//' | grep -qxF "> for i = 1, 2 do"; then found=1; break; fi
  $T send-keys -t b Up; sleep 0.1; i=$((i + 1))
done
[ $found = 1 ] && ok || ko "multi-line history entry recalled"
$T send-keys -t b Enter
expect_line "recalled multi-line entry runs whole" b "22"
$T send-keys -t b C-d
i=0; while [ ! -s "$tmp/b.status" ] && [ $i -lt $((TIMEOUT * 10)) ]; do sleep 0.1; i=$((i + 1)); done
if [ "$(cat "$tmp/b.status" 2>/dev/null)" = 0 ]; then ok
else ko "session b exits 0 (got [$(cat "$tmp/b.status" 2>/dev/null)])"; screen b | sed 's/^/    | /'; fi

# the history file is capped at 1000 entries (multi-line ones count once)
mkdir -p "$tmp/h2"
i=0
while [ $i -lt 1500 ]; do printf '#%d\nx = %d\n' $((1700000000 + i)) $i; i=$((i + 1)); done \
  > "$tmp/h2/.slope_history"
echo 'last_entry = 1' | HOME="$tmp/h2" "$S" -i >/dev/null 2>&1
n=$(grep -c '^#[0-9]' "$tmp/h2/.slope_history")
if [ "$n" = 1000 ] && tail -1 "$tmp/h2/.slope_history" | grep -qxF "last_entry = 1"; then ok
else ko "history capped at 1000 entries, newest kept (got $n)"; fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
