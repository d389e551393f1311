# more_thuente_dcsrch.py — reference steps for tests/unit/check_dfo.c: MINPACK-2's
# dcsrch (scipy.optimize.minpack2, scipy 1.10, Debian) on the six test functions of
# Moré & Thuente (1994, sec. 6) from a0 = 1e-3, 1e-1, 1e1, 1e3, with the paper's
# ftol/gtol and xtol = 1e-14, stpmin = 0, stpmax = 1e10. Prints one C row per run:
# {function, a0, accepted step, evaluations}. Run: /usr/bin/python3 more_thuente_dcsrch.py
import math
import warnings

import numpy as np

warnings.simplefilter("ignore")
from scipy.optimize import minpack2  # noqa: E402

cases = [(1, 2.0, 0, 0.001, 0.1), (2, 0.004, 0, 0.1, 0.1), (3, 0.01, 0, 0.1, 0.1),
         (4, 0.001, 0.001, 0.001, 0.001), (5, 0.01, 0.001, 0.001, 0.001),
         (6, 0.001, 0.01, 0.001, 0.001)]


def gam(b):
    return math.sqrt(1 + b * b) - b


def phi(fn, b1, b2, a):
    if fn == 1:
        return -a / (a * a + b1), (a * a - b1) / (a * a + b1) ** 2
    if fn == 2:
        t = a + b1
        return t ** 5 - 2 * t ** 4, 5 * t ** 4 - 8 * t ** 3
    if fn == 3:
        b, l = b1, 39.0
        if a <= 1 - b:
            f0, d0 = 1 - a, -1.0
        elif a >= 1 + b:
            f0, d0 = a - 1, 1.0
        else:
            f0, d0 = (a - 1) ** 2 / (2 * b) + b / 2, (a - 1) / b
        return (f0 + 2 * (1 - b) / (l * math.pi) * math.sin(l * math.pi * a / 2),
                d0 + (1 - b) * math.cos(l * math.pi * a / 2))
    s1, s2 = math.sqrt((1 - a) ** 2 + b2 * b2), math.sqrt(a * a + b1 * b1)
    return gam(b1) * s1 + gam(b2) * s2, gam(b1) * (a - 1) / s1 + gam(b2) * a / s2


for fn, b1, b2, ftol, gtol in cases:
    for a0 in (1e-3, 1e-1, 1e1, 1e3):
        isave, dsave = np.zeros(2, np.intc), np.zeros(13, float)
        task, stp = b"START", a0
        f, g = phi(fn, b1, b2, 0.0)
        n = 0
        while True:
            stp, f, g, task = minpack2.dcsrch(stp, f, g, ftol, gtol, 1e-14, task, 0.0, 1e10,
                                              isave, dsave)
            if task[:2] != b"FG":
                break
            n += 1
            f, g = phi(fn, b1, b2, stp)
        assert task.startswith(b"CONV"), task
        print("{%d, %g, %.17g, %d}," % (fn, a0, stp, n))
