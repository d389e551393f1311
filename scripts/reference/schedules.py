#!/usr/bin/python3
"""schedules.py — learning rates from torch.optim.lr_scheduler for slope's tests.

Prints one line per value: "<name> <t> <lr>" with t counted from 1 (the rate
used by the t-th optimizer step, i.e. after t-1 calls of scheduler.step()).
Exits with status 3 and a note on stderr when torch is not installed.
usage: /usr/bin/python3 scripts/reference/schedules.py [N]
"""
import sys

try:
    import torch
except ImportError:
    sys.stderr.write("torch not installed: no reference values\n")
    sys.exit(3)

N = int(sys.argv[1]) if len(sys.argv) > 1 else 40
S = torch.optim.lr_scheduler


def run(name, lr, make, n=N, momentum=0.0):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=lr, momentum=momentum)
    sched = make(opt)
    for t in range(1, n + 1):
        print(f"{name} {t} {opt.param_groups[0]['lr']!r}")
        opt.step()
        sched.step()


run("step", 0.1, lambda o: S.StepLR(o, step_size=7, gamma=0.5))
run("multistep", 0.1, lambda o: S.MultiStepLR(o, milestones=[5, 12, 30], gamma=0.3))
run("exponential", 0.1, lambda o: S.ExponentialLR(o, gamma=0.9))
run("cosine", 0.1, lambda o: S.CosineAnnealingLR(o, T_max=20, eta_min=0.001), n=21)
run("cosine_restarts", 0.1, lambda o: S.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=2, eta_min=0.01))
run("onecycle", 0.1, lambda o: S.OneCycleLR(o, max_lr=0.5, total_steps=N, pct_start=0.3))
run("onecycle_linear", 0.1, lambda o: S.OneCycleLR(o, max_lr=0.5, total_steps=N, pct_start=0.25,
                                                  anneal_strategy="linear", div_factor=10,
                                                  final_div_factor=100))
run("cyclic", 0.01, lambda o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4,
                                          cycle_momentum=False))
run("linear", 0.1, lambda o: S.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=8))
if hasattr(S, "PolynomialLR"):
    run("polynomial", 0.1, lambda o: S.PolynomialLR(o, total_iters=15, power=2.0))

# ReduceLROnPlateau: the rate after each update with a fixed metric sequence
p = torch.nn.Parameter(torch.zeros(1))
opt = torch.optim.SGD([p], lr=1.0)
sched = S.ReduceLROnPlateau(opt, factor=0.5, patience=2, threshold=0.01, cooldown=1, min_lr=0.1)
metrics = [10, 9, 9.95, 9.0, 8.95, 8.99, 9.5, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7]
for t, m in enumerate(metrics, 1):
    sched.step(m)
    print(f"plateau {t} {opt.param_groups[0]['lr']!r}")
