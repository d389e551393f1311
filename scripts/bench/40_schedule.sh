#!/bin/sh
# 40_schedule.sh BUILD — cost of one learning-rate lookup: slope's C schedules
# (from Lua, per call and in bulk) against torch.optim.lr_scheduler's step().
B=${1:-build}
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE # slope and its peers on the same OpenBLAS kernels (run.sh)
N=1000000
TN=20000
echo "### Learning-rate schedules: cost per step"
echo
s_call=$("$B/slope" -e "
local S = slope.schedule
local s = S.warmup{steps = 1000, to = S.cosine{lr = 0.1, steps = $N}}
local t0 = slope.clock(); local acc = 0
for t = 1, $N do acc = acc + s(t) end
print((slope.clock() - t0) / $N * 1e9)")
s_bulk=$("$B/slope" -e "
local S = slope.schedule
local s = S.warmup{steps = 1000, to = S.cosine{lr = 0.1, steps = $N}}
local t0 = slope.clock(); local v = s:values($N)
print((slope.clock() - t0) / $N * 1e9)")
t_step=$(/usr/bin/python3 -c "
import time, torch
p = torch.nn.Parameter(torch.zeros(1)); o = torch.optim.SGD([p], lr=0.1)
s = torch.optim.lr_scheduler.SequentialLR(o, [torch.optim.lr_scheduler.LinearLR(o, 1e-3, 1.0, 1000),
    torch.optim.lr_scheduler.CosineAnnealingLR(o, $N)], milestones=[1000])
t0 = time.perf_counter()
for _ in range($TN): s.step()
print((time.perf_counter() - t0) / $TN * 1e9)" 2>/dev/null || echo nan)
echo "| warm-up + cosine, per step | ns | vs torch |"
echo "|---|---:|---:|"
awk -v a="$s_call" -v b="$s_bulk" -v t="$t_step" 'BEGIN {
  printf "| slope `s(t)` from a Lua loop | %.0f | %.0fx faster |\n", a, t / a
  printf "| slope `s:values(n)` (C loop) | %.1f | %.0fx faster |\n", b, t / b
  printf "| torch `scheduler.step()` (SequentialLR of LinearLR, CosineAnnealingLR) | %.0f | 1 |\n", t }'
echo
echo "Commands: \`$B/slope -e '... for t = 1, $N do acc = acc + s(t) end ...'\`, \`s:values($N)\`;"
echo "\`/usr/bin/python3 -c '... for _ in range($TN): s.step() ...'\` (see scripts/bench/40_schedule.sh)."
