#!/bin/sh
# 32_optim_rest.sh BUILD — the cost of one step of the issue-16 "rest" rules (adafactor,
# lamb, lars, sf_sgd, sf_adamw, prodigy, dadapt_adam, adadelta, rprop, asgd) at d = 10^6,
# next to slope's Adam step, and next to torch.optim where the installed torch has the
# rule (Adadelta, Rprop, ASGD; Adam as the common yardstick), in one run.
B=${1:-build}
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE # slope and its peers on the same OpenBLAS kernels (run.sh)
S="$B/slope"
PY=/usr/bin/python3
LT=$(mktemp -d); trap 'rm -rf "$LT"' EXIT

# slope: opt:step(x, g) from Lua on vecs of 10^6 entries, best of 7 runs of 10 steps after
# one warm-up step, ns per entry. "layers": the vector is one 1000 x 1000 matrix (adafactor
# factors it: 2000 numbers of second moment instead of 10^6); "10 layers": ten 100 x 1000.
cat > "$LT/rest.lua" <<'LUA'
local O = slope.optim
local d = 1000000
local function mat(k)
  local L, rows = {}, 1000 // k
  for i = 1, k do L[i] = { offset = (i - 1) * rows * 1000 + 1, size = rows * 1000, shape = { rows, 1000 } } end
  return L
end
local rules = {
  adam = function() return O.adam{ lr = 1e-3 } end,
  adadelta = function() return O.adadelta{} end,
  rprop = function() return O.rprop{} end,
  asgd = function() return O.asgd{} end,
  sf_sgd = function() return O.sf_sgd{ lr = 1e-3 } end,
  sf_adamw = function() return O.sf_adamw{} end,
  prodigy = function() return O.prodigy{} end,
  dadapt_adam = function() return O.dadapt_adam{} end,
  lamb = function() return O.lamb{} end,
  ["lamb, 10 layers"] = function() return O.lamb{ layers = mat(10) } end,
  lars = function() return O.lars{} end,
  ["lars, 10 layers"] = function() return O.lars{ layers = mat(10) } end,
  ["adafactor (vector)"] = function() return O.adafactor{} end,
  ["adafactor, 1000x1000 matrix"] = function() return O.adafactor{ layers = mat(1) } end,
  ["adafactor, 10 matrices 100x1000"] = function() return O.adafactor{ layers = mat(10) } end,
}
local name = arg[1]
local x, g = slope.vec.randn(d), slope.vec.randn(d)
local opt = rules[name]()
opt:step(x, g)
local best = math.huge
for _ = 1, 7 do
  local t0 = slope.clock()
  for _ = 1, 10 do opt:step(x, g) end
  best = math.min(best, (slope.clock() - t0) / 10)
end
print(("%.2f"):format(best / d * 1e9))
LUA
lns() { OMP_NUM_THREADS=$2 "$S" "$LT/rest.lua" "$1"; }

torch_ns() { # torch_ns CLASS KWARGS THREADS -> ns per entry (best of 7 runs of 10 steps)
  $PY -c '
import sys, time, torch
torch.set_num_threads(int(sys.argv[3]))
d = 1000000
x = torch.randn(d, dtype=torch.float64, requires_grad=True)
x.grad = torch.randn(d, dtype=torch.float64)
opt = getattr(torch.optim, sys.argv[1])([x], **eval("dict(" + sys.argv[2] + ")"))
opt.step()
best = 1e9
for _ in range(7):
    t0 = time.perf_counter()
    for _ in range(10): opt.step()
    best = min(best, (time.perf_counter() - t0) / 10)
print("%.2f" % (best / d * 1e9))' "$1" "$2" "$3" 2>/dev/null || echo "n/a"
}
have_torch=0; $PY -c 'import torch' 2>/dev/null && have_torch=1
tver=$($PY -c 'import torch; print(torch.__version__)' 2>/dev/null || echo none)
has_adafactor=$($PY -c 'import torch; print(1 if hasattr(torch.optim, "Adafactor") else 0)' 2>/dev/null || echo 0)

adam1=""
rows=""
for r in adam adadelta rprop asgd sf_sgd sf_adamw prodigy dadapt_adam lamb "lamb, 10 layers" lars \
  "lars, 10 layers" "adafactor (vector)" "adafactor, 1000x1000 matrix" "adafactor, 10 matrices 100x1000"; do
  s1=$(lns "$r" 1); s2=$(lns "$r" 2)
  [ -n "$adam1" ] || adam1=$s1 # the adam row, measured first: the yardstick
  rel=$(awk -v a="$s1" -v b="$adam1" 'BEGIN{ printf "%.2f", a / b }')
  t="-"
  if [ $have_torch = 1 ]; then
    case "$r" in
      adam) t="$(torch_ns Adam 'lr=1e-3, foreach=True' 1) / $(torch_ns Adam 'lr=1e-3, foreach=True' 2)" ;;
      adadelta) t="$(torch_ns Adadelta 'foreach=True' 1) / $(torch_ns Adadelta 'foreach=True' 2)" ;;
      rprop) t="$(torch_ns Rprop 'foreach=True' 1) / $(torch_ns Rprop 'foreach=True' 2)" ;;
      asgd) t="$(torch_ns ASGD 'foreach=True' 1) / $(torch_ns ASGD 'foreach=True' 2)" ;;
      "adafactor (vector)")
        if [ "$has_adafactor" = 1 ]; then t="$(torch_ns Adafactor '' 1) / $(torch_ns Adafactor '' 2)"
        else t="not in torch $tver"; fi ;;
    esac
  fi
  rows="$rows| $r | $s1 / $s2 | $rel | $t |
"
done

cat <<EOF2
### Optimizers of issue 16 (adafactor ... asgd): cost of a step at d = 10^6

| rule, d = 10^6 float64 | slope ns/entry (1 / 2 threads) | time vs slope's Adam step, 1 thread | torch ${tver} ns/entry (1 / 2 threads) |
|---|---|---|---|
$rows
slope: \`opt:step(x, g)\` from Lua, best of 7 runs of 10 steps after a warm-up step, x and g
\`slope.vec.randn(10^6)\`, OMP_NUM_THREADS=1 and 2. torch: the same on one float64 tensor with
.grad set, foreach=True, torch.set_num_threads(1 and 2). Elementwise rules (adadelta, rprop, asgd,
sf_*) are one fused, threaded loop; prodigy and dadapt_adam add one pass for their global sums
(<g, x0 - x>, |s|_1) and lamb and lars one for their per-layer norms, on all threads over fixed
chunks of 1024 entries added in index order (optim_reduce.h), so results do not depend on the
thread count; adafactor on a matrix makes row and column sums (one thread) and keeps rows + cols
numbers instead of rows x cols.

Command: \`sh scripts/bench/32_optim_rest.sh $B\`.
EOF2
