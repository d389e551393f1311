#!/usr/bin/python3
"""mgh_minpack.py — MINPACK's lmder on the 35 Moré–Garbow–Hillstrom problems.

Writes tests/data/mgh_minpack.txt, read by tests/lua/lsq_spec.lua and
scripts/bench/47_lsq.sh: for each problem of Moré, Garbow & Hillstrom,
"Testing unconstrained optimization software", ACM TOMS 7(1) 1981, at the
sizes slope.obj.mgh uses by default, the result of

    scipy.optimize.least_squares(fun, x0, jac, method="lm", x_scale="jac")

(MINPACK's lmder with scipy's defaults ftol = xtol = gtol = 1e-8, factor 100,
max_nfev = 100 n, and x_scale="jac": lmder's mode 1, Moré's scaling by the
Jacobian's column norms, which is what slope's lm does; scipy's default
x_scale = 1 would be mode 2, no scaling). With these settings MINPACK solves
34 of the 35 (Gulf stops at max_nfev).

The residuals and Jacobians are written here from the paper, independently of
slope's C code (vectorized numpy), and each Jacobian is checked against central
differences before use.

File format: '#' comment lines, then one line per problem:
    number name n m cost nfev njev status cost1 nfev1 njev1 status1
the first four results with x_scale="jac", the last four with scipy's default
x_scale = 1 (lmder's mode 2: no scaling; slope's lm with x_scale = 1). cost is
scipy's 1/2 |r|^2 (slope's f is twice it) with 17 significant digits; status
is scipy's (1..4 converged by a tolerance, 0 max_nfev reached).

Regenerate (from the repository root, numpy and scipy from Debian):
    /usr/bin/python3 scripts/reference/mgh_minpack.py > tests/data/mgh_minpack.txt
"""
import sys

import numpy as np
from scipy.optimize import least_squares


def problems():
    P = []

    def add(num, name, n, m, r, J, x0):
        P.append((num, name, n, m, r, J, np.asarray(x0, dtype=float)))

    # 1 Rosenbrock
    add(1, "rosenbrock", 2, 2,
        lambda x: np.array([10 * (x[1] - x[0] ** 2), 1 - x[0]]),
        lambda x: np.array([[-20 * x[0], 10], [-1, 0]]), [-1.2, 1])
    # 2 Freudenstein and Roth
    add(2, "freudenstein_roth", 2, 2,
        lambda x: np.array([-13 + x[0] + 5 * x[1] ** 2 - x[1] ** 3 - 2 * x[1],
                            -29 + x[0] + x[1] ** 3 + x[1] ** 2 - 14 * x[1]]),
        lambda x: np.array([[1, 10 * x[1] - 3 * x[1] ** 2 - 2],
                            [1, 3 * x[1] ** 2 + 2 * x[1] - 14]]), [0.5, -2])
    # 3 Powell badly scaled
    add(3, "powell_badly_scaled", 2, 2,
        lambda x: np.array([1e4 * x[0] * x[1] - 1, np.exp(-x[0]) + np.exp(-x[1]) - 1.0001]),
        lambda x: np.array([[1e4 * x[1], 1e4 * x[0]], [-np.exp(-x[0]), -np.exp(-x[1])]]), [0, 1])
    # 4 Brown badly scaled
    add(4, "brown_badly_scaled", 2, 3,
        lambda x: np.array([x[0] - 1e6, x[1] - 2e-6, x[0] * x[1] - 2]),
        lambda x: np.array([[1, 0], [0, 1], [x[1], x[0]]]), [1, 1])
    # 5 Beale
    yb = np.array([1.5, 2.25, 2.625])
    ib = np.arange(1, 4)
    add(5, "beale", 2, 3,
        lambda x: yb - x[0] * (1 - x[1] ** ib),
        lambda x: np.column_stack([-(1 - x[1] ** ib), x[0] * ib * x[1] ** (ib - 1)]), [1, 1])
    # 6 Jennrich and Sampson, m = 10
    i10 = np.arange(1, 11)
    add(6, "jennrich_sampson", 2, 10,
        lambda x: 2 + 2 * i10 - np.exp(i10 * x[0]) - np.exp(i10 * x[1]),
        lambda x: np.column_stack([-i10 * np.exp(i10 * x[0]), -i10 * np.exp(i10 * x[1])]),
        [0.3, 0.4])

    # 7 Helical valley
    def theta(x):
        t = np.arctan(x[1] / x[0]) / (2 * np.pi) if x[0] != 0 else np.copysign(0.25, x[1])
        return t + 0.5 if x[0] < 0 else t

    def hv_J(x):
        q = x[0] ** 2 + x[1] ** 2
        return np.array([[100 * x[1] / (2 * np.pi * q), -100 * x[0] / (2 * np.pi * q), 10],
                         [10 * x[0] / np.sqrt(q), 10 * x[1] / np.sqrt(q), 0], [0, 0, 1]])

    add(7, "helical_valley", 3, 3,
        lambda x: np.array([10 * (x[2] - 10 * theta(x)), 10 * (np.hypot(x[0], x[1]) - 1), x[2]]),
        hv_J, [-1, 0, 0])
    # 8 Bard
    yB = np.array([0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39, 0.37, 0.58, 0.73, 0.96,
                   1.34, 2.10, 4.39])
    u = np.arange(1.0, 16.0)
    v = 16 - u
    w = np.minimum(u, v)
    add(8, "bard", 3, 15,
        lambda x: yB - (x[0] + u / (v * x[1] + w * x[2])),
        lambda x: np.column_stack([-np.ones(15), u * v / (v * x[1] + w * x[2]) ** 2,
                                   u * w / (v * x[1] + w * x[2]) ** 2]), [1, 1, 1])
    # 9 Gaussian
    yG = np.array([0.0009, 0.0044, 0.0175, 0.0540, 0.1295, 0.2420, 0.3521, 0.3989, 0.3521,
                   0.2420, 0.1295, 0.0540, 0.0175, 0.0044, 0.0009])
    tG = (8 - np.arange(1, 16)) / 2

    def g_J(x):
        d = tG - x[2]
        e = np.exp(-x[1] * d ** 2 / 2)
        return np.column_stack([e, -x[0] * e * d ** 2 / 2, x[0] * x[1] * d * e])

    add(9, "gaussian", 3, 15, lambda x: x[0] * np.exp(-x[1] * (tG - x[2]) ** 2 / 2) - yG, g_J,
        [0.4, 1, 0])
    # 10 Meyer
    yM = np.array([34780, 28610, 23650, 19630, 16370, 13720, 11540, 9744, 8261, 7030, 6005,
                   5147, 4427, 3820, 3307, 2872], dtype=float)
    tM = 45 + 5 * np.arange(1, 17)

    def m_J(x):
        d = tM + x[2]
        e = np.exp(x[1] / d)
        return np.column_stack([e, x[0] * e / d, -x[0] * x[1] * e / d ** 2])

    add(10, "meyer", 3, 16, lambda x: x[0] * np.exp(x[1] / (tM + x[2])) - yM, m_J,
        [0.02, 4000, 250])
    # 11 Gulf research and development, m = 10
    tg = np.arange(1, 11) / 100
    yg = 25 + (-50 * np.log(tg)) ** (2 / 3)

    def gulf_J(x):
        a = np.abs(yg - x[1])
        p = a ** x[2]
        e = np.exp(-p / x[0])
        return np.column_stack([e * p / x[0] ** 2,
                                e * x[2] * a ** (x[2] - 1) * np.sign(yg - x[1]) / x[0],
                                -e * p * np.log(a) / x[0]])

    add(11, "gulf", 3, 10, lambda x: np.exp(-np.abs(yg - x[1]) ** x[2] / x[0]) - tg, gulf_J,
        [5, 2.5, 0.15])
    # 12 Box three-dimensional, m = 10
    tb = np.arange(1, 11) / 10
    cb = np.exp(-tb) - np.exp(-10 * tb)
    add(12, "box3", 3, 10,
        lambda x: np.exp(-tb * x[0]) - np.exp(-tb * x[1]) - x[2] * cb,
        lambda x: np.column_stack([-tb * np.exp(-tb * x[0]), tb * np.exp(-tb * x[1]), -cb]),
        [0, 10, 20])

    # 13 Powell singular, 22 extended Powell (n = 12)
    def ps_r(x):
        z = x.reshape(-1, 4)
        return np.column_stack([z[:, 0] + 10 * z[:, 1], np.sqrt(5) * (z[:, 2] - z[:, 3]),
                                (z[:, 1] - 2 * z[:, 2]) ** 2,
                                np.sqrt(10) * (z[:, 0] - z[:, 3]) ** 2]).ravel()

    def ps_J(x):
        n = len(x)
        J = np.zeros((n, n))
        for k in range(0, n, 4):
            a, b, c, d = x[k:k + 4]
            J[k, k:k + 4] = [1, 10, 0, 0]
            J[k + 1, k:k + 4] = [0, 0, np.sqrt(5), -np.sqrt(5)]
            J[k + 2, k:k + 4] = [0, 2 * (b - 2 * c), -4 * (b - 2 * c), 0]
            J[k + 3, k:k + 4] = [2 * np.sqrt(10) * (a - d), 0, 0, -2 * np.sqrt(10) * (a - d)]
        return J

    add(13, "powell_singular", 4, 4, ps_r, ps_J, [3, -1, 0, 1])
    # 14 Wood
    s10, s90 = np.sqrt(10), np.sqrt(90)
    add(14, "wood", 4, 6,
        lambda x: np.array([10 * (x[1] - x[0] ** 2), 1 - x[0], s90 * (x[3] - x[2] ** 2), 1 - x[2],
                            s10 * (x[1] + x[3] - 2), (x[1] - x[3]) / s10]),
        lambda x: np.array([[-20 * x[0], 10, 0, 0], [-1, 0, 0, 0], [0, 0, -2 * s90 * x[2], s90],
                            [0, 0, -1, 0], [0, s10, 0, s10], [0, 1 / s10, 0, -1 / s10]]),
        [-3, -1, -3, -1])
    # 15 Kowalik and Osborne
    yK = np.array([0.1957, 0.1947, 0.1735, 0.1600, 0.0844, 0.0627, 0.0456, 0.0342, 0.0323,
                   0.0235, 0.0246])
    uK = np.array([4, 2, 1, 0.5, 0.25, 0.167, 0.125, 0.1, 0.0833, 0.0714, 0.0625])

    def k_J(x):
        N = uK ** 2 + uK * x[1]
        D = uK ** 2 + uK * x[2] + x[3]
        return np.column_stack([-N / D, -x[0] * uK / D, x[0] * N * uK / D ** 2, x[0] * N / D ** 2])

    add(15, "kowalik_osborne", 4, 11,
        lambda x: yK - x[0] * (uK ** 2 + uK * x[1]) / (uK ** 2 + uK * x[2] + x[3]), k_J,
        [0.25, 0.39, 0.415, 0.39])
    # 16 Brown and Dennis, m = 20
    tD = np.arange(1, 21) / 5

    def bd_parts(x):
        return x[0] + tD * x[1] - np.exp(tD), x[2] + x[3] * np.sin(tD) - np.cos(tD)

    def bd_r(x):
        a, b = bd_parts(x)
        return a ** 2 + b ** 2

    def bd_J(x):
        a, b = bd_parts(x)
        return np.column_stack([2 * a, 2 * a * tD, 2 * b, 2 * b * np.sin(tD)])

    add(16, "brown_dennis", 4, 20, bd_r, bd_J, [25, 5, -5, -1])
    # 17 Osborne 1
    y1 = np.array([0.844, 0.908, 0.932, 0.936, 0.925, 0.908, 0.881, 0.850, 0.818, 0.784, 0.751,
                   0.718, 0.685, 0.658, 0.628, 0.603, 0.580, 0.558, 0.538, 0.522, 0.506, 0.490,
                   0.478, 0.467, 0.457, 0.448, 0.438, 0.431, 0.424, 0.420, 0.414, 0.411, 0.406])
    t1 = 10 * np.arange(33)

    def o1_J(x):
        e4, e5 = np.exp(-t1 * x[3]), np.exp(-t1 * x[4])
        return np.column_stack([-np.ones(33), -e4, -e5, t1 * x[1] * e4, t1 * x[2] * e5])

    add(17, "osborne1", 5, 33,
        lambda x: y1 - (x[0] + x[1] * np.exp(-t1 * x[3]) + x[2] * np.exp(-t1 * x[4])), o1_J,
        [0.5, 1.5, -1, 0.01, 0.02])
    # 18 Biggs EXP6, m = 13
    t6 = np.arange(1, 14) / 10
    y6 = np.exp(-t6) - 5 * np.exp(-10 * t6) + 3 * np.exp(-4 * t6)

    def b6_J(x):
        e1, e2, e5 = np.exp(-t6 * x[0]), np.exp(-t6 * x[1]), np.exp(-t6 * x[4])
        return np.column_stack([-t6 * x[2] * e1, t6 * x[3] * e2, e1, -e2, -t6 * x[5] * e5, e5])

    add(18, "biggs_exp6", 6, 13,
        lambda x: (x[2] * np.exp(-t6 * x[0]) - x[3] * np.exp(-t6 * x[1])
                   + x[5] * np.exp(-t6 * x[4]) - y6), b6_J, [1, 2, 1, 1, 1, 1])
    # 19 Osborne 2
    y2 = np.array([1.366, 1.191, 1.112, 1.013, 0.991, 0.885, 0.831, 0.847, 0.786, 0.725, 0.746,
                   0.679, 0.608, 0.655, 0.616, 0.606, 0.602, 0.626, 0.651, 0.724, 0.649, 0.649,
                   0.694, 0.644, 0.624, 0.661, 0.612, 0.558, 0.533, 0.495, 0.500, 0.423, 0.395,
                   0.375, 0.372, 0.391, 0.396, 0.405, 0.428, 0.429, 0.523, 0.562, 0.607, 0.653,
                   0.672, 0.708, 0.633, 0.668, 0.645, 0.632, 0.591, 0.559, 0.597, 0.625, 0.739,
                   0.710, 0.729, 0.720, 0.636, 0.581, 0.428, 0.292, 0.162, 0.098, 0.054])
    t2 = np.arange(65) / 10

    def o2_terms(x):
        e = [np.exp(-t2 * x[4])] + [np.exp(-(t2 - x[8 + k]) ** 2 * x[5 + k]) for k in range(3)]
        return e

    def o2_r(x):
        e = o2_terms(x)
        return y2 - sum(x[k] * e[k] for k in range(4))

    def o2_J(x):
        e = o2_terms(x)
        J = np.zeros((65, 11))
        for k in range(4):
            J[:, k] = -e[k]
        J[:, 4] = t2 * x[0] * e[0]
        for k in range(3):
            d = t2 - x[8 + k]
            J[:, 5 + k] = x[1 + k] * d ** 2 * e[1 + k]
            J[:, 8 + k] = -2 * x[1 + k] * x[5 + k] * d * e[1 + k]
        return J

    add(19, "osborne2", 11, 65, o2_r, o2_J, [1.3, 0.65, 0.65, 0.7, 0.6, 3, 5, 7, 2, 4.5, 5.5])

    # 20 Watson, n = 6
    def watson(n):
        t = np.arange(1, 30) / 29
        P = t[:, None] ** np.arange(n)[None, :]  # t^(j-1), 1-based j

        def r(x):
            s1 = (P[:, :-1] * (np.arange(1, n) * x[1:])).sum(axis=1)
            s2 = P @ x
            return np.concatenate([s1 - s2 ** 2 - 1, [x[0], x[1] - x[0] ** 2 - 1]])

        def J(x):
            s2 = P @ x
            D = np.zeros((29, n))
            D[:, 1:] = np.arange(1, n) * P[:, :-1]
            D -= 2 * s2[:, None] * P
            tail = np.zeros((2, n))
            tail[0, 0] = 1
            tail[1, 0], tail[1, 1] = -2 * x[0], 1
            return np.vstack([D, tail])

        return r, J

    add(20, "watson", 6, 31, *watson(6), np.zeros(6))

    # 21 extended Rosenbrock, n = 10
    def xr_r(x):
        z = x.reshape(-1, 2)
        return np.column_stack([10 * (z[:, 1] - z[:, 0] ** 2), 1 - z[:, 0]]).ravel()

    def xr_J(x):
        n = len(x)
        J = np.zeros((n, n))
        for k in range(0, n, 2):
            J[k, k], J[k, k + 1], J[k + 1, k] = -20 * x[k], 10, -1
        return J

    add(21, "extended_rosenbrock", 10, 10, xr_r, xr_J, np.tile([-1.2, 1], 5))
    add(22, "extended_powell", 12, 12, ps_r, ps_J, np.tile([3, -1, 0, 1], 3))
    # 23 Penalty I, n = 10
    sa = np.sqrt(1e-5)
    add(23, "penalty1", 10, 11,
        lambda x: np.append(sa * (x - 1), x @ x - 0.25),
        lambda x: np.vstack([sa * np.eye(10), 2 * x]), np.arange(1.0, 11.0))

    # 24 Penalty II, n = 10
    def p2(n):
        i = np.arange(2, n + 1)
        y = np.exp(i / 10) + np.exp((i - 1) / 10)
        wts = n - np.arange(n)

        def r(x):
            e = np.exp(x / 10)
            return np.concatenate([[x[0] - 0.2], sa * (e[1:] + e[:-1] - y),
                                   sa * (e[1:] - np.exp(-0.1)), [wts @ x ** 2 - 1]])

        def J(x):
            e = np.exp(x / 10) / 10
            Jm = np.zeros((2 * n, n))
            Jm[0, 0] = 1
            for k in range(1, n):
                Jm[k, k], Jm[k, k - 1] = sa * e[k], sa * e[k - 1]
                Jm[n + k - 1, k] = sa * e[k]
            Jm[2 * n - 1] = 2 * wts * x
            return Jm

        return r, J

    add(24, "penalty2", 10, 20, *p2(10), np.full(10, 0.5))
    # 25 variably dimensioned, n = 10
    jj = np.arange(1.0, 11.0)

    def vd_r(x):
        s = jj @ (x - 1)
        return np.concatenate([x - 1, [s, s ** 2]])

    def vd_J(x):
        s = jj @ (x - 1)
        return np.vstack([np.eye(10), jj, 2 * s * jj])

    add(25, "variably_dimensioned", 10, 12, vd_r, vd_J, 1 - jj / 10)
    # 26 trigonometric, n = 10
    add(26, "trigonometric", 10, 10,
        lambda x: 10 - np.cos(x).sum() + jj * (1 - np.cos(x)) - np.sin(x),
        lambda x: np.tile(np.sin(x), (10, 1)) + np.diag(jj * np.sin(x) - np.cos(x)),
        np.full(10, 0.1))

    # 27 Brown almost-linear, n = 10
    def bal_J(x):
        J = np.ones((10, 10)) + np.eye(10)
        J[-1] = [np.prod(np.delete(x, k)) for k in range(10)]
        return J

    add(27, "brown_almost_linear", 10, 10,
        lambda x: np.append(x[:-1] + x.sum() - 11, np.prod(x) - 1), bal_J, np.full(10, 0.5))
    # 28 discrete boundary value, 29 discrete integral equation, n = 10
    h = 1 / 11
    t = jj * h
    xdb = t * (t - 1)

    def db_r(x):
        xp = np.concatenate([[0], x, [0]])
        return 2 * x - xp[:-2] - xp[2:] + h ** 2 * (x + t + 1) ** 3 / 2

    def db_J(x):
        return (np.diag(2 + 1.5 * h ** 2 * (x + t + 1) ** 2) - np.eye(10, k=1) - np.eye(10, k=-1))

    add(28, "discrete_boundary", 10, 10, db_r, db_J, xdb)
    W = np.where(np.arange(10)[None, :] <= np.arange(10)[:, None],
                 (1 - t)[:, None] * t[None, :], t[:, None] * (1 - t)[None, :])
    add(29, "discrete_integral", 10, 10,
        lambda x: x + h * (W @ (x + t + 1) ** 3) / 2,
        lambda x: np.eye(10) + 1.5 * h * W * (x + t + 1)[None, :] ** 2, xdb)
    # 30 Broyden tridiagonal, n = 10
    add(30, "broyden_tridiagonal", 10, 10,
        lambda x: ((3 - 2 * x) * x - np.concatenate([[0], x[:-1]])
                   - 2 * np.concatenate([x[1:], [0]]) + 1),
        lambda x: np.diag(3 - 4 * x) - np.eye(10, k=-1) - 2 * np.eye(10, k=1), -np.ones(10))
    # 31 Broyden banded, n = 10 (ml = 5, mu = 1)
    band = np.array([[1.0 if (j != i and i - 5 <= j <= i + 1) else 0.0 for j in range(10)]
                     for i in range(10)])
    add(31, "broyden_banded", 10, 10,
        lambda x: x * (2 + 5 * x ** 2) + 1 - band @ (x * (1 + x)),
        lambda x: np.diag(2 + 15 * x ** 2) - band * (1 + 2 * x)[None, :], -np.ones(10))
    # 32-34 linear functions, n = 5, m = 10
    n5, m10 = 5, 10
    A32 = np.vstack([np.eye(n5), np.zeros((m10 - n5, n5))]) - 2 / m10
    add(32, "linear_full_rank", 5, 10, lambda x: A32 @ x - 1, lambda x: A32, np.ones(5))
    A33 = np.outer(np.arange(1, m10 + 1), np.arange(1, n5 + 1)).astype(float)
    add(33, "linear_rank1", 5, 10, lambda x: A33 @ x - 1, lambda x: A33, np.ones(5))
    A34 = np.outer(np.arange(m10), np.arange(1, n5 + 1)).astype(float)
    A34[:, 0] = A34[:, -1] = 0
    A34[-1] = 0
    add(34, "linear_rank1_zero", 5, 10, lambda x: A34 @ x - 1, lambda x: A34, np.ones(5))

    # 35 Chebyquad, n = m = 8: numpy's Chebyshev basis on 2x - 1
    def cheb(n, m):
        from numpy.polynomial import chebyshev as C
        yc = np.array([(-1 / (i * i - 1)) if i % 2 == 0 else 0.0 for i in range(1, m + 1)])

        def r(x):
            V = C.chebvander(2 * x - 1, m)[:, 1:]  # n x m: T_i(2 x_j - 1), i = 1..m
            return V.mean(axis=0) - yc

        def J(x):
            Jm = np.zeros((m, n))
            for i in range(1, m + 1):
                c = np.zeros(i + 1)
                c[i] = 1
                Jm[i - 1] = 2 * C.chebval(2 * x - 1, C.chebder(c)) / n
            return Jm

        return r, J

    add(35, "chebyquad", 8, 8, *cheb(8, 8), np.arange(1, 9) / 9)
    return P


def check_jac(r, J, x):
    x = x + 0.01 * (np.arange(len(x)) % 3 + 1)
    Ja = np.asarray(J(x), dtype=float)
    Jn = np.zeros_like(Ja)
    for j in range(len(x)):
        hh = 1e-6 * max(1.0, abs(x[j]))
        e = np.zeros(len(x))
        e[j] = hh
        Jn[:, j] = (r(x + e) - r(x - e)) / (2 * hh)
    return np.max(np.abs(Ja - Jn) / np.maximum(1.0, np.abs(Ja)))


def main():
    out = sys.stdout
    out.write("# MINPACK lmder via scipy.optimize.least_squares(method='lm') %s on the MGH set\n"
              % __import__("scipy").__version__)
    out.write("# written by scripts/reference/mgh_minpack.py; cost = |r|^2 / 2 (scipy's)\n")
    out.write("# number name n m cost nfev njev status cost1 nfev1 njev1 status1\n")
    for num, name, n, m, r, J, x0 in problems():
        assert len(x0) == n and len(r(x0)) == m and np.shape(J(x0)) == (m, n), name
        err = check_jac(r, J, x0)
        assert err < 1e-4, (name, err)
        jac = lambda x, J=J: np.asarray(J(x), dtype=float)
        res = least_squares(r, x0, jac=jac, method="lm", x_scale="jac")
        one = least_squares(r, x0, jac=jac, method="lm")
        out.write("%d %s %d %d %.17g %d %d %d %.17g %d %d %d\n"
                  % (num, name, n, m, res.cost, res.nfev, res.njev, res.status, one.cost, one.nfev,
                     one.njev, one.status))


if __name__ == "__main__":
    main()
