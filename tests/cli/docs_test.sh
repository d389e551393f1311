#!/bin/sh
# docs_test.sh — the documentation tells the truth: the README's Lua snippets run
# (in order, as one script), docs/API.md is what `make docs` generates now, and
# it names every option the Lua library accepts (tests/cli/docs_options.lua; the
# C functions' options are checked by the Lua test run, zz_options_doc_spec.lua).
S=${B:-build}/slope
pass=0; fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk '/^```lua$/{on=1; next} /^```$/{on=0} on' README.md > "$tmp/readme.lua"
if [ -s "$tmp/readme.lua" ] && "$S" "$tmp/readme.lua" > "$tmp/out" 2>&1; then
  pass=$((pass + 1))
else
  fail=$((fail + 1)); echo "FAIL: README snippets"; cat "$tmp/out"
fi
"$S" scripts/gendoc.lua > "$tmp/API.md" 2>&1
if cmp -s "$tmp/API.md" docs/API.md; then
  pass=$((pass + 1))
else
  fail=$((fail + 1)); echo "FAIL: docs/API.md is stale: run 'make docs'"
  diff "$tmp/API.md" docs/API.md | head -20
fi
if "$S" tests/cli/docs_options.lua docs/API.md > "$tmp/out" 2>&1; then
  pass=$((pass + 1))
else
  fail=$((fail + 1)); echo "FAIL: docs/API.md and the options the code accepts"; cat "$tmp/out"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
