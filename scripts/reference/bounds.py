#!/usr/bin/python3
"""bounds.py — the bound-constrained problems the lbfgsb tests compare with.

Writes tests/data/ref_rosenbrock_boxes.txt: 60 seeded random boxes on the
Rosenbrock function (dimension 2..11, some bounds infinite, x0 drawn in
[-2, 2] and clipped into the box), each solved by scipy's L-BFGS-B (m = 10,
gtol 1e-8 on the projected gradient, ftol off): one line per box with n,
lower, upper, x0 (comma-separated, "inf"/"-inf" spelled out), scipy's f* and
its evaluation count and status (scipy's line search can fail at rounding
level near the answer: status 2, its f* is still the answer's).

Writes tests/data/ref_logistic_bounded_breast_cancer.txt, read by
tests/lua/bounds_spec.lua: L2-regularized logistic regression on breast_cancer
(standardized as slope.data.standardize does, intercept last and free,
f = mean loss + (l2/2)|w|^2 with l2 = 1e-4) with every weight in
[-0.5, 0.5]. Solved by scipy.optimize.minimize(method="L-BFGS-B", gtol 1e-12,
ftol 0), then polished by Newton steps on the variables strictly inside the
box (the active set of scipy's answer held fixed) until the step is at
rounding level; the KKT conditions are checked before writing (the free
gradient entries ~0, each active bound's gradient sign pointing out of the box).

File format as scripts/reference/datasets.py writes it (key value lines, then
"x" and dim lines), plus "nactive" (entries on a bound) and "lower"/"upper"
(the bound on every weight).

Regenerate (from the repository root, numpy and scipy from Debian):
    /usr/bin/python3 scripts/reference/bounds.py
"""
import os

import numpy as np
import scipy.optimize
from scipy.optimize import rosen, rosen_der

from datasets import OUT, ROOT, load, standardize, with_ones, fmt

L2, C = 1e-4, 0.5


def main():
    X, y = load("breast_cancer")
    A = with_ones(standardize(X))
    n, p = A.shape
    d = p - 1
    s = 2.0 * y - 1.0
    reg = np.ones(p)
    reg[d] = 0.0

    def fg(x):
        z = A @ x
        f = np.mean(np.logaddexp(0.0, -s * z)) + 0.5 * L2 * np.sum(reg * x * x)
        sig = 0.5 * (1.0 + np.tanh(-0.5 * s * z))
        return f, A.T @ (-s * sig) / n + L2 * reg * x

    def hess(x):
        q = 0.25 / np.cosh(0.5 * (A @ x)) ** 2
        return (A.T * q) @ A / n + L2 * np.diag(reg)

    lo = np.full(p, -C)
    hi = np.full(p, C)
    lo[d], hi[d] = -np.inf, np.inf
    r = scipy.optimize.minimize(fg, np.zeros(p), jac=True, method="L-BFGS-B",
                                bounds=list(zip(lo, hi)),
                                options={"gtol": 1e-12, "ftol": 0.0, "maxiter": 100000,
                                         "maxcor": 30})
    x = np.clip(r.x, lo, hi)
    act = (x <= lo) | (x >= hi)
    free = ~act
    for _ in range(30):
        g = fg(x)[1]
        H = hess(x)[np.ix_(free, free)]
        dx = np.linalg.solve(H, -g[free])
        x[free] += dx
        if np.max(np.abs(dx)) <= 4e-16 * max(1.0, np.max(np.abs(x))):
            break
    assert np.all(x >= lo) and np.all(x <= hi), "Newton polish left the box"
    g = fg(x)[1]
    assert np.max(np.abs(g[free])) < 1e-13, np.max(np.abs(g[free]))
    assert np.all(g[x <= lo] > 0) and np.all(g[x >= hi] < 0), "KKT signs"
    pg = np.clip(x - g, lo, hi) - x
    path = os.path.join(OUT, "ref_logistic_bounded_breast_cancer.txt")
    with open(path, "w") as fh:
        fh.write("# logistic regression on standardized breast_cancer, intercept, l2 = 1e-4, "
                 "every weight in [-0.5, 0.5] (the intercept free)\n")
        fh.write("# written by scripts/reference/bounds.py; do not edit by hand\n")
        for k, v in [("model", "logistic"), ("data", "breast_cancer"), ("l2", fmt(L2)),
                     ("intercept", 1), ("lower", fmt(-C)), ("upper", fmt(C)),
                     ("f", fmt(fg(x)[0])), ("proj_gnorm", fmt(np.max(np.abs(pg)))),
                     ("nactive", int(act.sum())), ("dim", p)]:
            fh.write("%s %s\n" % (k, v))
        fh.write("x\n")
        for v in x:
            fh.write(fmt(v) + "\n")
    print("wrote", os.path.relpath(path, ROOT), "f =", fmt(fg(x)[0]), "nactive =",
          int(act.sum()), "scipy nit =", r.nit)


def boxes():
    rng = np.random.default_rng(3)
    path = os.path.join(OUT, "ref_rosenbrock_boxes.txt")
    num = lambda v: ",".join("%.17g" % t for t in v)
    with open(path, "w") as fh:
        fh.write("# Rosenbrock on 60 random boxes: n lower upper x0 f_scipy nfev_scipy "
                 "status_scipy (0 converged, 2 line search failed near the answer)\n")
        fh.write("# written by scripts/reference/bounds.py; do not edit by hand\n")
        for _ in range(60):
            n = int(rng.integers(2, 12))
            lo = rng.uniform(-2, 0.8, n)
            hi = lo + rng.uniform(0.1, 3, n)
            lo[rng.random(n) < 0.2] = -np.inf
            hi[rng.random(n) < 0.2] = np.inf
            x0 = np.clip(rng.uniform(-2, 2, n), lo, hi)
            r = scipy.optimize.minimize(rosen, x0, jac=rosen_der, method="L-BFGS-B",
                                        bounds=list(zip(lo, hi)),
                                        options=dict(gtol=1e-8, ftol=0, maxiter=10000,
                                                     maxfun=100000, maxcor=10))
            fh.write("%d %s %s %s %.17g %d %d\n" % (n, num(lo), num(hi), num(x0), r.fun, r.nfev,
                                                   r.status))
    print("wrote", os.path.relpath(path, ROOT))


if __name__ == "__main__":
    main()
    boxes()
