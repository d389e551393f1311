#!/usr/bin/python3
"""datasets.py — known optima of slope's linear models on the shipped data sets.

Writes tests/data/ref_<model>_<data>_<l2>.txt, read by tests/lua/datasets_spec.lua:

  * least squares on diabetes (l2 = 0 and 0.1): the normal equations solved by
    lstsq (SVD) on the augmented system [X 1; sqrt(l2) I 0] and refined with
    residuals in extended precision (np.longdouble) until the correction is
    below rounding;
  * L2-regularized logistic regression on breast_cancer (l2 = 1e-2, 1e-4):
    scipy.optimize.minimize(method="L-BFGS-B", gtol 1e-12), then Newton steps
    with the exact Hessian until the step is at rounding level;
  * softmax (multinomial logistic) regression on iris and wine (l2 = 1e-2):
    likewise, with the Newton system solved by lstsq (the intercepts are free
    up to a common shift: the Hessian is singular in that direction) and the
    intercepts centred (sum zero), which is where a solver started at 0 stays.

Every problem in slope's convention: X standardized the way slope.data.standardize
does it (column mean, population standard deviation), an intercept as the last
parameter (softmax: the last row of the (d+1) x K matrix W, row-major), and
    f(x) = mean loss + (l2/2) |w|^2   (intercepts not regularized),
least squares' loss being 1/2 (x_i.w + b - y_i)^2.

File format: '#' comment lines, then "key value" lines (model, data, l2,
intercept, classes, f, gnorm, cond, dim), then "x" followed by dim lines, one
parameter each; every number with 17 significant digits. gnorm is max|g| at x
computed here in float64; cond is the condition number of the Hessian at x
(on the gauge-free subspace for softmax).

Regenerate (from the repository root, numpy and scipy from Debian):
    /usr/bin/python3 scripts/reference/datasets.py
"""
import math
import os
import sys

import numpy as np
import scipy.optimize

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DATA = os.path.join(ROOT, "examples", "data")
OUT = os.path.join(ROOT, "tests", "data")


def load(name):
    """X (n x d) and y from examples/data/<name>.csv (header row, target last)."""
    a = np.loadtxt(os.path.join(DATA, name + ".csv"), delimiter=",", skiprows=1, dtype=np.float64)
    return a[:, :-1].copy(), a[:, -1].copy()


def standardize(X):
    """As sl_data_colstats: mean, then sqrt(mean squared deviation); 1 for a constant column."""
    n = X.shape[0]
    mean = X.sum(axis=0) / n
    sd = np.sqrt(((X - mean) ** 2).sum(axis=0) / n)
    sd[sd == 0] = 1.0
    return (X - mean) / sd


def with_ones(X):
    return np.hstack([X, np.ones((X.shape[0], 1))])


def fmt(v):
    return "%.17g" % v


def write(fname, header, x, comment):
    path = os.path.join(OUT, fname)
    with open(path, "w") as fh:
        fh.write("# %s\n" % comment)
        fh.write("# written by scripts/reference/datasets.py; do not edit by hand\n")
        for k, v in header:
            fh.write("%s %s\n" % (k, fmt(v) if isinstance(v, float) else v))
        fh.write("dim %d\n" % len(x))
        fh.write("x\n")
        for v in x:
            fh.write(fmt(v) + "\n")
    print("wrote", os.path.relpath(path, ROOT), "f =", fmt(header_get(header, "f")))


def header_get(header, key):
    return dict(header)[key]


# ---- least squares ------------------------------------------------------------

def least_squares(l2):
    X, y = load("diabetes")
    A = with_ones(standardize(X))
    n, p = A.shape
    d = p - 1
    # min (1/2n)|A x - y|^2 + (l2/2)|w|^2  <=>  min |[A; sqrt(n l2) E] x - [y; 0]|^2
    E = np.hstack([np.eye(d), np.zeros((d, 1))])
    M = np.vstack([A, math.sqrt(n * l2) * E]) if l2 > 0 else A
    rhs = np.concatenate([y, np.zeros(d)]) if l2 > 0 else y
    x = np.linalg.lstsq(M, rhs, rcond=None)[0]
    # iterative refinement on the normal equations, residuals in extended precision
    Ml, rl = M.astype(np.longdouble), rhs.astype(np.longdouble)
    for _ in range(5):
        r = (Ml.T @ (rl - Ml @ x.astype(np.longdouble))).astype(np.float64)
        dx = np.linalg.lstsq(M.T @ M, r, rcond=None)[0]
        x = x + dx
        if np.max(np.abs(dx)) <= 1e-17 * np.max(np.abs(x)):
            break
    Al, yl, xl = A.astype(np.longdouble), y.astype(np.longdouble), x.astype(np.longdouble)
    res = Al @ xl - yl
    f = float(0.5 * (res @ res) / n + 0.5 * l2 * (xl[:d] @ xl[:d]))
    g = (A.T @ (A @ x - y)) / n
    g[:d] += l2 * x[:d]
    H = A.T @ A / n
    H[:d, :d] += l2 * np.eye(d)
    return x, f, float(np.max(np.abs(g))), float(np.linalg.cond(H))


# ---- logistic regression ------------------------------------------------------

def logistic(l2):
    X, y = load("breast_cancer")
    A = with_ones(standardize(X))
    n, p = A.shape
    d = p - 1
    s = 2.0 * y - 1.0
    reg = np.ones(p)
    reg[d] = 0.0

    def fg(x):
        z = A @ x
        f = np.mean(np.logaddexp(0.0, -s * z)) + 0.5 * l2 * np.sum(reg * x * x)
        sig = 0.5 * (1.0 + np.tanh(-0.5 * s * z))  # sigma(-s z), no overflow
        g = A.T @ (-s * sig) / n + l2 * reg * x
        return f, g

    def hess(x):
        z = A @ x
        q = 0.25 / np.cosh(0.5 * z) ** 2  # sigma(z) sigma(-z)
        return (A.T * q) @ A / n + l2 * np.diag(reg)

    r = scipy.optimize.minimize(fg, np.zeros(p), jac=True, method="L-BFGS-B",
                                options={"gtol": 1e-12, "ftol": 0.0, "maxiter": 100000,
                                         "maxcor": 30})
    x = newton(r.x, lambda x: fg(x)[1], hess)
    z = A.astype(np.longdouble) @ x.astype(np.longdouble)
    sl = s.astype(np.longdouble)
    loss = np.mean(np.logaddexp(np.longdouble(0), -sl * z))
    xl = x.astype(np.longdouble)
    f = float(loss + 0.5 * l2 * (xl[:d] @ xl[:d]))
    return x, f, float(np.max(np.abs(fg(x)[1]))), float(np.linalg.cond(hess(x)))


def newton(x, grad, hess, steps=30):
    """Newton steps (lstsq solves: fine for a singular direction) until at rounding level."""
    for _ in range(steps):
        dx = np.linalg.lstsq(hess(x), -grad(x), rcond=None)[0]
        x = x + dx
        if np.max(np.abs(dx)) <= 4e-16 * max(1.0, np.max(np.abs(x))):
            break
    return x


# ---- softmax regression -------------------------------------------------------

def softmax(name, l2):
    X, y = load(name)
    A = with_ones(standardize(X))
    n, p = A.shape
    d = p - 1
    K = int(y.max()) + 1
    Y = np.zeros((n, K))
    Y[np.arange(n), y.astype(int)] = 1.0
    reg = np.ones((p, K))
    reg[d, :] = 0.0

    def probs(W):
        Z = A @ W
        Z = Z - Z.max(axis=1, keepdims=True)
        P = np.exp(Z)
        return P / P.sum(axis=1, keepdims=True)

    def fg(x):
        W = x.reshape(p, K)
        Z = A @ W
        mx = Z.max(axis=1, keepdims=True)
        lse = mx[:, 0] + np.log(np.exp(Z - mx).sum(axis=1))
        f = np.mean(lse - (Z * Y).sum(axis=1)) + 0.5 * l2 * np.sum(reg * W * W)
        G = A.T @ (probs(W) - Y) / n + l2 * reg * W
        return f, G.ravel()

    def hess(x):
        # H = (1/n) sum_i (diag(p_i) - p_i p_i^T) kron a_i a_i^T, in W's row-major order
        P = probs(x.reshape(p, K))
        H = np.zeros((p * K, p * K))
        for i in range(n):
            S = np.diag(P[i]) - np.outer(P[i], P[i])
            H += np.kron(np.outer(A[i], A[i]), S)
        return H / n + l2 * np.diag(reg.ravel())

    r = scipy.optimize.minimize(fg, np.zeros(p * K), jac=True, method="L-BFGS-B",
                                options={"gtol": 1e-12, "ftol": 0.0, "maxiter": 100000,
                                         "maxcor": 30})
    x = newton(r.x, lambda x: fg(x)[1], hess)
    W = x.reshape(p, K).copy()
    W[d, :] -= W[d, :].mean()  # the gauge: centred intercepts
    x = W.ravel()
    Al, xl = A.astype(np.longdouble), W.astype(np.longdouble)
    Z = Al @ xl
    mx = Z.max(axis=1, keepdims=True)
    lse = mx[:, 0] + np.log(np.exp(Z - mx).sum(axis=1))
    f = float(np.mean(lse - (Z * Y.astype(np.longdouble)).sum(axis=1))
              + 0.5 * l2 * np.sum(reg * xl * xl))
    ev = np.linalg.eigvalsh(hess(x))
    ev = ev[ev > 1e-12 * ev[-1]]  # drop the K-1... gauge direction(s)
    return x, f, float(np.max(np.abs(fg(x)[1]))), float(ev[-1] / ev[0]), K


def main():
    os.makedirs(OUT, exist_ok=True)
    for l2, tag in ((0.0, "0"), (0.1, "1e-1")):
        x, f, gn, cond = least_squares(l2)
        write("ref_ls_diabetes_%s.txt" % tag,
              [("model", "least_squares"), ("data", "diabetes"), ("l2", l2), ("intercept", 1),
               ("classes", 0), ("f", f), ("gnorm", gn), ("cond", cond)], x,
              "least squares on standardized diabetes, intercept, l2 = %g" % l2)
    for l2, tag in ((1e-2, "1e-2"), (1e-4, "1e-4")):
        x, f, gn, cond = logistic(l2)
        write("ref_logistic_breast_cancer_%s.txt" % tag,
              [("model", "logistic"), ("data", "breast_cancer"), ("l2", l2), ("intercept", 1),
               ("classes", 0), ("f", f), ("gnorm", gn), ("cond", cond)], x,
              "logistic regression on standardized breast_cancer, intercept, l2 = %g" % l2)
    for name in ("iris", "wine"):
        x, f, gn, cond, K = softmax(name, 1e-2)
        write("ref_softmax_%s_1e-2.txt" % name,
              [("model", "softmax"), ("data", name), ("l2", 1e-2), ("intercept", 1),
               ("classes", K), ("f", f), ("gnorm", gn), ("cond", cond)], x,
              "softmax regression on standardized %s, intercept (centred), l2 = 0.01" % name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
