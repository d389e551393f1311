#!/usr/bin/python3
"""torch_groups.py — reference trajectories of torch.optim with param_groups.

The problem of torch_optim.py on 6 entries,
    f(x) = sum_i 0.5 a_i x_i^2 + b_i x_i + 0.25 c x_i^4,   g_i = a_i x_i + b_i + c x_i^3,
with x split into three tensors: w = x[1..2], b = x[3..4], v = x[5..6]. Groups:
w alone with its own lr, b with weight_decay 0, v with the defaults; a StepLR
(step_size 10, gamma 0.5) scales every group's lr. Prints per configuration
    CONFIG <slope constructor> <Lua options of the base> <Lua list of groups>
    TRAJ <x after step 1> ... (%.17g, 6 numbers per step)
tests/lua/optim_groups_spec.lua runs the same in slope.optim.groups and compares.
usage: /usr/bin/python3 scripts/reference/torch_groups.py [steps]
"""
import sys

import torch

STEPS = int(sys.argv[1]) if len(sys.argv) > 1 else 60
A = [1.0, 10.0, 0.1, 4.0, 2.0, 0.5]
B = [0.3, -0.2, 0.1, 0.5, -0.4, 0.2]
C = 0.05
X0 = [1.0, -2.0, 0.5, 1.5, -1.0, 0.8]

# (slope name, Lua base options, torch class, torch base kwargs, lr of w, weight_decay of b)
CONFIGS = [
    ("adamw", "{lr=0.05, weight_decay=0.1}", torch.optim.AdamW, dict(lr=0.05, weight_decay=0.1),
     0.01, 0.0),
    ("sgd", "{lr=0.02, momentum=0.9, weight_decay=0.05}", torch.optim.SGD,
     dict(lr=0.02, momentum=0.9, weight_decay=0.05), 0.005, 0.0),
    ("adam", "{lr=0.03, amsgrad=true, weight_decay=0.01}", torch.optim.Adam,
     dict(lr=0.03, amsgrad=True, weight_decay=0.01), 0.1, 0.0),
]

a, bb = torch.tensor(A, dtype=torch.float64), torch.tensor(B, dtype=torch.float64)
for name, lua_opts, cls, kw, lr_w, wd_b in CONFIGS:
    x = [torch.tensor(X0[i:i + 2], dtype=torch.float64, requires_grad=True) for i in (0, 2, 4)]
    opt = cls([{"params": [x[0]], "lr": lr_w}, {"params": [x[1]], "weight_decay": wd_b},
               {"params": [x[2]]}], **kw)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)
    traj = []
    for _ in range(STEPS):
        opt.zero_grad()
        full = torch.cat(x)
        for i, t in enumerate(x):
            with torch.no_grad():
                xi = full[2 * i:2 * i + 2]
                t.grad = a[2 * i:2 * i + 2] * xi + bb[2 * i:2 * i + 2] + C * xi ** 3
        opt.step()
        sched.step()
        traj.extend(float(v) for t in x for v in t.detach())
    groups = "{{range={1,2}, lr=%r}, {range={3,4}, weight_decay=%r}}" % (lr_w, wd_b)
    print("CONFIG %s %s %s" % (name, lua_opts, groups))
    print("TRAJ " + " ".join("%.17g" % v for v in traj))
