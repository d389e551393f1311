#!/usr/bin/python3
"""optim_rest_reference.py — trajectories of the authors' reference optimizers (float64):
schedulefree (SGDScheduleFree, AdamWScheduleFree), prodigyopt (Prodigy) and dadaptation
(DAdaptAdam), for tests/lua/optim_rest_spec.lua, on
    f(x) = sum_i 0.5 a_i x_i^2 + b_i x_i + 0.25 c x_i^4,   g_i = a_i x_i + b_i + c x_i^3
from X0 (8 entries). Output, per configuration:
    CONFIG <slope constructor> <Lua options table>
    TRAJ <x after step 1> ... (%.17g; for schedule-free: y, then the eval point x, per step)
The packages are not in Debian: put their source trees on PYTHONPATH, e.g.
    PYTHONPATH=/path/to/trees /usr/bin/python3 scripts/reference/optim_rest_reference.py 60 \
        > tests/data/optim_rest_reference.txt
(tests/data/optim_rest_reference.txt was made with torch 1.13 and the trees of
facebookresearch/schedule_free 70785b5, konstmish/prodigy 3efb213 and
facebookresearch/dadaptation c984980.)
"""
import contextlib
import io
import sys

import torch

import dadaptation
import prodigyopt
from schedulefree import adamw_schedulefree, sgd_schedulefree

STEPS = int(sys.argv[1]) if len(sys.argv) > 1 else 60
A = [1.0, 10.0, 0.1, 2.0, 3.0, 0.5, 4.0, 1.5]
B = [0.3, -0.2, 0.1, -0.4, 0.25, 0.05, -0.1, 0.2]
C = 0.05
X0 = [1.0, -2.0, 0.5, 0.7, -1.1, 0.3, 2.0, -0.6]
INF = float("inf")

CONFIGS = [
    ("sf_sgd", "{lr=0.02}", sgd_schedulefree.SGDScheduleFree, dict(lr=0.02)),
    ("sf_sgd", "{lr=0.05, momentum=0.8, weight_decay=0.1, warmup_steps=10, r=1, weight_lr_power=1}",
     sgd_schedulefree.SGDScheduleFree,
     dict(lr=0.05, momentum=0.8, weight_decay=0.1, warmup_steps=10, r=1.0, weight_lr_power=1.0)),
    ("sf_adamw", "{lr=0.05}", adamw_schedulefree.AdamWScheduleFree, dict(lr=0.05)),
    ("sf_adamw", "{lr=0.1, betas={0.8, 0.99}, eps=1e-6, weight_decay=0.05, warmup_steps=7, r=0.5, "
     "weight_lr_power=3}", adamw_schedulefree.AdamWScheduleFree,
     dict(lr=0.1, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05, warmup_steps=7, r=0.5,
          weight_lr_power=3.0)),
    ("sf_adamw", "{lr=0.05, inner_momentum=0.5}", adamw_schedulefree.AdamWScheduleFree,
     dict(lr=0.05, inner_momentum=0.5)),
    ("prodigy", "{}", prodigyopt.Prodigy, dict()),
    ("prodigy", "{betas={0.8, 0.99}, beta3=0.9, weight_decay=0.1, use_bias_correction=true, "
     "safeguard_warmup=true, d_coef=0.5, growth_rate=1.05}", prodigyopt.Prodigy,
     dict(betas=(0.8, 0.99), beta3=0.9, weight_decay=0.1, use_bias_correction=True,
          safeguard_warmup=True, d_coef=0.5, growth_rate=1.05)),
    ("prodigy", "{weight_decay=0.1, decouple=false, betas={0, 0.999}}", prodigyopt.Prodigy,
     dict(weight_decay=0.1, decouple=False, betas=(0.0, 0.999))),
    ("dadapt_adam", "{}", dadaptation.DAdaptAdam, dict()),
    ("dadapt_adam", "{betas={0.8, 0.99}, weight_decay=0.1, use_bias_correction=true, growth_rate=1.1}",
     dadaptation.DAdaptAdam,
     dict(betas=(0.8, 0.99), weight_decay=0.1, use_bias_correction=True, growth_rate=1.1)),
    ("dadapt_adam", "{weight_decay=0.1, decouple=true, eps=1e-6}", dadaptation.DAdaptAdam,
     dict(weight_decay=0.1, decouple=True, eps=1e-6)),
]


def main():
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float64)
    out = []
    for name, lua_opts, cls, kw in CONFIGS:
        x = torch.tensor(X0, dtype=torch.float64, requires_grad=True)
        if name.startswith("sf_"):
            kw = dict(kw, foreach=False)
        with contextlib.redirect_stdout(io.StringIO()):  # prodigy/dadaptation print notes
            opt = cls([x], **kw)
        sf = hasattr(opt, "eval")
        if sf:
            opt.train()
        traj = []
        for _ in range(STEPS):
            xs = x.detach().tolist()
            x.grad = torch.tensor([A[i] * xs[i] + B[i] + C * xs[i] ** 3 for i in range(len(A))])
            opt.step()
            traj.extend(x.detach().tolist())
            if sf:
                opt.eval()
                traj.extend(x.detach().tolist())
                opt.train()
        out.append("CONFIG %s %s" % (name, lua_opts))
        out.append("TRAJ " + " ".join("%.17g" % v for v in traj))
    print("\n".join(out))


if __name__ == "__main__":
    main()
