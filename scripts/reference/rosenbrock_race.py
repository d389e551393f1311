#!/usr/bin/python3
"""rosenbrock_race.py — the four update rules of examples/rosenbrock_race.lua,
written independently with numpy, 5000 steps each from (-1, 1) on the 2-D
Rosenbrock function. Constants are formed as the rules write them (1 - 0.9, not
0.1): RMSProp's step is nearly sign(g) when g is tiny, so a last-bit difference
there moves x by a whole lr and the walks part. Prints "name steps x1 x2 loss" (17 digits) after 200 and 5000 steps.
Regenerate the committed reference with:
    /usr/bin/python3 scripts/reference/rosenbrock_race.py > tests/data/rosenbrock_race.txt
"""
import numpy as np


def f(x):
    return 100.0 * (x[1] - x[0] ** 2) ** 2 + (1.0 - x[0]) ** 2


def grad(x):
    return np.array([-400.0 * x[0] * (x[1] - x[0] ** 2) - 2.0 * (1.0 - x[0]),
                     200.0 * (x[1] - x[0] ** 2)])


def gd(x, g, s, t):
    return x - 1e-3 * g


def momentum(x, g, s, t):  # v = 0.9 v + 0.1 g, x -= lr v, v0 = 0
    s["v"] = 0.9 * s.get("v", np.zeros(2)) + (1 - 0.9) * g
    return x - 1e-3 * s["v"]


def rmsprop(x, g, s, t):  # s = rho s + (1 - rho) g^2, x -= lr g / (sqrt(s) + eps)
    s["s"] = 0.9 * s.get("s", np.zeros(2)) + (1 - 0.9) * (g * g)
    return x + -5e-3 * (g / (np.sqrt(s["s"]) + 1e-8))  # torch's addcdiv order


def adam(x, g, s, t):  # Kingma & Ba, bias-corrected, eps outside the sqrt
    b1, b2, lr, eps = 0.9, 0.999, 1e-2, 1e-8
    s["m"] = b1 * s.get("m", np.zeros(2)) + (1 - b1) * g
    s["v"] = b2 * s.get("v", np.zeros(2)) + (1 - b2) * (g * g)
    step_size = lr / (1 - b1 ** t)
    denom = np.sqrt(s["v"]) / np.sqrt(1 - b2 ** t) + eps
    return x + -step_size * (s["m"] / denom)  # torch's addcdiv order


# Lines "name steps x1 x2 loss" after 200 steps (where the walks still agree to
# rounding, so the rules are shown to be the same) and after 5000.
for name, rule in [("GD", gd), ("momentum", momentum), ("RMSProp", rmsprop), ("Adam", adam)]:
    x, state = np.array([-1.0, 1.0]), {}
    for t in range(1, 5001):
        x = rule(x, grad(x), state, t)
        if t in (200, 5000):
            print("%s %d %.17g %.17g %.17g" % (name, t, x[0], x[1], f(x)))
