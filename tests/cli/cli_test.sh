#!/bin/sh
# cli_test.sh — build/slope behaves like the stock lua command.
S=${B:-build}/slope
pass=0; fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $1"; }
expect_out() { # name expected command...
  name=$1; want=$2; shift 2
  got=$("$@" 2>&1)
  [ "$got" = "$want" ] && ok || ko "$name: expected [$want], got [$got]"
}
expect_rc() { # name rc command...
  name=$1; want=$2; shift 2
  "$@" >/dev/null 2>&1
  rc=$?
  [ "$rc" = "$want" ] && ok || ko "$name: expected exit $want, got $rc"
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

expect_out "-e prints" "5.0" "$S" -e 'print(slope.vec{3,4}:norm())'
expect_out "require works" "true" "$S" -e 'print(require"slope" == slope)'
expect_out "several -e in order" "1
2" "$S" -e 'print(1)' -e 'print(2)'
expect_out "-l loads a module into a global" "table" "$S" -l string -e 'print(type(string))'
expect_out "-v prints the version" "slope 0.1" sh -c "$S -v | cut -d' ' -f1-2"
printf 'print(arg[0], arg[1], arg[2], #arg, arg[-1] ~= nil)\n' > "$tmp/args.lua"
expect_out "arg table" "$tmp/args.lua	a	b	2	true" "$S" "$tmp/args.lua" a b
printf 'print(...)\n' > "$tmp/dots.lua"
expect_out "script gets ... " "x	y" "$S" "$tmp/dots.lua" x y
expect_out "- runs stdin" "42" sh -c "echo 'print(6*7)' | $S -"
expect_out "stdin without a tty runs it" "7" sh -c "echo 'print(3+4)' | $S"
expect_out "-- ends options" "-e" sh -c "printf 'print(arg[1])' > $tmp/a.lua; $S -- $tmp/a.lua -e"
printf 'local function f() error("boom") end\nf()\n' > "$tmp/fail.lua"
expect_rc "failing script exits 1" 1 "$S" "$tmp/fail.lua"
err=$("$S" "$tmp/fail.lua" 2>&1 >/dev/null)
case "$err" in *boom*"stack traceback"*) ok ;; *) ko "traceback on stderr: got [$err]" ;; esac
expect_rc "syntax error exits 1" 1 "$S" -e 'x = = 1'
expect_rc "missing file exits 1" 1 "$S" "$tmp/nope.lua"
expect_rc "bad option exits 1" 1 "$S" -z
err=$("$S" -z 2>&1)
case "$err" in *"unrecognized option '-z'"*usage*) ok ;; *) ko "usage on bad option: [$err]" ;; esac
expect_rc "-e needs an argument" 1 "$S" -e
expect_rc "success exits 0" 0 "$S" -e 'x = 1'
expect_out "os.exit code passes through" "3" sh -c "$S -e 'os.exit(3)'; echo \$?"

# slope.data.load from any directory: next to the program, SLOPE_DATA first, -E ignores it
Sabs=$(cd "$(dirname "$S")" && pwd)/$(basename "$S")
expect_out "data.load from another directory" "150	4" \
  sh -c "cd $tmp && $Sabs -e 'print(slope.data.load(\"iris\").X:shape())'"
mkdir -p "$tmp/d"
printf 'a,b,target\n1,2,0\n3,4,1\n' > "$tmp/d/iris.csv"
expect_out "SLOPE_DATA is searched first" "2" \
  sh -c "cd $tmp && SLOPE_DATA=$tmp/d $Sabs -e 'print(#slope.data.load(\"iris\").y)'"
expect_out "-E ignores SLOPE_DATA" "150" \
  sh -c "cd $tmp && SLOPE_DATA=$tmp/d $Sabs -E -e 'print(#slope.data.load(\"iris\").y)'"
expect_out "-E: dirs() leaves SLOPE_DATA out" "false" \
  sh -c "SLOPE_DATA=$tmp/d $Sabs -E -e 'print(slope.data.dirs()[1] == \"$tmp/d\")'"
# the installed layout: PREFIX/bin/slope finds PREFIX/share/slope/data
mkdir -p "$tmp/inst/bin" "$tmp/inst/share/slope/data"
cp "$S" "$tmp/inst/bin/slope"
cp "$tmp/d/iris.csv" "$tmp/inst/share/slope/data/"
expect_out "installed binary finds share/slope/data" "2	$tmp/inst/share/slope/data/iris.csv" \
  sh -c "cd / && $tmp/inst/bin/slope -E -e 'local D = slope.data.load(\"iris\"); print(#D.y, D.path)'"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
