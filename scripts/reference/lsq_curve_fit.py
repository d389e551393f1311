#!/usr/bin/python3
"""lsq_curve_fit.py — scipy.optimize.curve_fit on an exponential decay.

Writes tests/data/lsq_curve_fit.txt, read by tests/lua/lsq_spec.lua: the model
y = a exp(-b t) + c fitted to 50 points t_i = 4 (i - 1) / 49 (i = 1..50) of

    y_i = 3 exp(-1.3 t_i) + 0.5 + 0.05 sin(13 t_i + 0.7)

(a deterministic perturbation, so the Lua test rebuilds the same data without
sharing a random generator), from p0 = (1, 1, 0), by curve_fit's default
(Levenberg-Marquardt, MINPACK's lmdif) with tight tolerances. Lines: "a", "b",
"c" and "cost" (1/2 the sum of squared residuals) with 17 significant digits.

Regenerate (from the repository root, numpy and scipy from Debian):
    /usr/bin/python3 scripts/reference/lsq_curve_fit.py > tests/data/lsq_curve_fit.txt
"""
import numpy as np
from scipy.optimize import curve_fit

t = 4 * np.arange(50) / 49
y = 3 * np.exp(-1.3 * t) + 0.5 + 0.05 * np.sin(13 * t + 0.7)


def model(tt, a, b, c):
    return a * np.exp(-b * tt) + c


p, _ = curve_fit(model, t, y, p0=[1, 1, 0], ftol=1e-14, xtol=1e-14, gtol=1e-14, maxfev=10000)
r = model(t, *p) - y
print("# scipy.optimize.curve_fit (scipy %s) written by scripts/reference/lsq_curve_fit.py"
      % __import__("scipy").__version__)
for k, v in zip("abc", p):
    print("%s %.17g" % (k, v))
print("cost %.17g" % (0.5 * r @ r))
