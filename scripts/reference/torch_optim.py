#!/usr/bin/python3
"""torch_optim.py — reference trajectories of torch.optim on a fixed problem.

Runs each optimizer for STEPS steps in float64 on
    f(x) = sum_i 0.5 a_i x_i^2 + b_i x_i + 0.25 c x_i^4,   g_i = a_i x_i + b_i + c x_i^3
from X0 and prints, per configuration, two lines:
    CONFIG <slope constructor> <Lua options table>
(with maximize=True the gradient handed over is that of -f, so the run still descends f)
    TRAJ <x after step 1> <x after step 2> ... (%.17g, dim numbers per step)
tests/lua/optim_torch_spec.lua runs the same configurations in slope and compares.
usage: /usr/bin/python3 scripts/reference/torch_optim.py [steps]
"""
import sys

import torch

STEPS = int(sys.argv[1]) if len(sys.argv) > 1 else 200
A = [1.0, 10.0, 0.1]
B = [0.3, -0.2, 0.1]
C = 0.05
X0 = [1.0, -2.0, 0.5]

# (slope name, Lua options, torch class, torch kwargs)
CONFIGS = [
    ("sgd", "{lr=0.05}", torch.optim.SGD, dict(lr=0.05)),
    ("sgd", "{lr=0.02, momentum=0.9}", torch.optim.SGD, dict(lr=0.02, momentum=0.9)),
    ("sgd", "{lr=0.02, momentum=0.9, dampening=0.3, weight_decay=0.1}", torch.optim.SGD,
     dict(lr=0.02, momentum=0.9, dampening=0.3, weight_decay=0.1)),
    ("sgd", "{lr=0.02, momentum=0.8, nesterov=true}", torch.optim.SGD,
     dict(lr=0.02, momentum=0.8, nesterov=True)),
    ("sgd", "{lr=0.01, momentum=0.5, nesterov=true, weight_decay=0.05, maximize=true}",
     torch.optim.SGD, dict(lr=0.01, momentum=0.5, nesterov=True, weight_decay=0.05, maximize=True)),
    ("adagrad", "{lr=0.1}", torch.optim.Adagrad, dict(lr=0.1)),
    ("adagrad", "{lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.5, eps=1e-6}",
     torch.optim.Adagrad,
     dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.5, eps=1e-6)),
    ("rmsprop", "{lr=0.01}", torch.optim.RMSprop, dict(lr=0.01)),
    ("rmsprop", "{lr=0.01, centered=true}", torch.optim.RMSprop, dict(lr=0.01, centered=True)),
    ("rmsprop", "{lr=0.005, momentum=0.9, centered=true, weight_decay=0.1, alpha=0.9}",
     torch.optim.RMSprop, dict(lr=0.005, momentum=0.9, centered=True, weight_decay=0.1, alpha=0.9)),
    ("adam", "{lr=0.05}", torch.optim.Adam, dict(lr=0.05)),
    ("adam", "{lr=0.05, betas={0.8, 0.99}, amsgrad=true, weight_decay=0.1}", torch.optim.Adam,
     dict(lr=0.05, betas=(0.8, 0.99), amsgrad=True, weight_decay=0.1)),
    ("adam", "{lr=0.05, eps=1e-3, maximize=true}", torch.optim.Adam,
     dict(lr=0.05, eps=1e-3, maximize=True)),
    ("adamw", "{lr=0.05}", torch.optim.AdamW, dict(lr=0.05)),
    ("adamw", "{lr=0.05, weight_decay=0.5, amsgrad=true}", torch.optim.AdamW,
     dict(lr=0.05, weight_decay=0.5, amsgrad=True)),
    ("nadam", "{lr=0.05}", torch.optim.NAdam, dict(lr=0.05, foreach=True)),
    ("nadam", "{lr=0.05, betas={0.85, 0.995}, weight_decay=0.1, momentum_decay=0.01}",
     torch.optim.NAdam,
     dict(lr=0.05, betas=(0.85, 0.995), weight_decay=0.1, momentum_decay=0.01, foreach=True)),
    ("radam", "{lr=0.05}", torch.optim.RAdam, dict(lr=0.05)),
    ("radam", "{lr=0.05, betas={0.9, 0.9}, weight_decay=0.1}", torch.optim.RAdam,
     dict(lr=0.05, betas=(0.9, 0.9), weight_decay=0.1)),
    ("adamax", "{lr=0.05}", torch.optim.Adamax, dict(lr=0.05)),
    ("adamax", "{lr=0.05, weight_decay=0.1, eps=1e-4}", torch.optim.Adamax,
     dict(lr=0.05, weight_decay=0.1, eps=1e-4)),
    # i16-rest: Adadelta, Rprop, ASGD (torch 1.13's single-tensor rules; torch 2.x
    # computes the same updates, with ASGD's eta/mu kept as tensors)
    ("adadelta", "{}", torch.optim.Adadelta, dict()),
    ("adadelta", "{lr=0.5, rho=0.8, eps=1e-4, weight_decay=0.1}", torch.optim.Adadelta,
     dict(lr=0.5, rho=0.8, eps=1e-4, weight_decay=0.1)),
    ("adadelta", "{lr=2.0, maximize=true}", torch.optim.Adadelta, dict(lr=2.0, maximize=True)),
    ("rprop", "{}", torch.optim.Rprop, dict()),
    ("rprop", "{lr=0.05, etas={0.3, 1.5}, step_sizes={1e-3, 0.2}}", torch.optim.Rprop,
     dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2))),
    ("rprop", "{lr=0.02, maximize=true}", torch.optim.Rprop, dict(lr=0.02, maximize=True)),
    ("asgd", "{lr=0.05}", torch.optim.ASGD, dict(lr=0.05)),
    ("asgd", "{lr=0.05, lambd=1e-2, alpha=0.6, t0=50, weight_decay=0.1}", torch.optim.ASGD,
     dict(lr=0.05, lambd=1e-2, alpha=0.6, t0=50, weight_decay=0.1)),
    ("asgd", "{lr=0.03, t0=10, maximize=true}", torch.optim.ASGD,
     dict(lr=0.03, t0=10, maximize=True)),
]


def grad(x, sign):
    return torch.tensor([sign * (A[i] * x[i] + B[i] + C * x[i] ** 3) for i in range(len(A))],
                        dtype=torch.float64)


def main():
    torch.set_num_threads(1)
    # float64 everywhere, including the scalar state torch keeps as tensors
    # (NAdam's mu_product is created with the default dtype)
    torch.set_default_dtype(torch.float64)
    out = []
    for name, lua_opts, cls, kw in CONFIGS:
        x = torch.tensor(X0, dtype=torch.float64, requires_grad=True)
        opt = cls([x], **kw)
        traj = []
        sign = -1.0 if kw.get("maximize") else 1.0
        for _ in range(STEPS):
            xs = x.detach().tolist()
            x.grad = grad(xs, sign)
            opt.step()
            traj.extend(x.detach().tolist())
        out.append("CONFIG %s %s" % (name, lua_opts))
        out.append("TRAJ " + " ".join("%.17g" % v for v in traj))
    print("\n".join(out))


if __name__ == "__main__":
    main()
