#!/usr/bin/python3
"""npy_fixtures.py — write the small .npy files under tests/data/ that
tests/lua/data_spec.lua reads, so the tests do not need numpy. The values are
spelled out again in the spec. Run: /usr/bin/python3 scripts/reference/npy_fixtures.py
"""
import os
import numpy as np

out = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data")
os.makedirs(out, exist_ok=True)


def save(name, a, version=None):
    path = os.path.join(out, name)
    with open(path, "wb") as f:
        np.lib.format.write_array(f, a, version=version, allow_pickle=False)


save("f8_2d.npy", np.array([[1.5, -2.0, 0.1], [1e-300, 5e-324, -0.0],
                            [np.inf, -np.inf, np.nan]], dtype="<f8"))
save("f4_2d.npy", np.array([[0.1, -2.5], [3.0, 1e-3]], dtype="<f4"))
save("i4_1d.npy", np.array([-2147483648, -1, 0, 7, 2147483647], dtype="<i4"))
save("i8_2d.npy", np.array([[-(2**53), 2**53], [-1, 12345678901]], dtype="<i8"))
save("u1_1d.npy", np.array([0, 1, 255], dtype="|u1"))
save("i2_1d.npy", np.array([-32768, 32767, -5], dtype="<i2"))
save("f8_v2.npy", np.arange(6, dtype="<f8").reshape(2, 3) * 0.25, version=(2, 0))
save("f8_be.npy", np.array([1.5, -3.25], dtype=">f8"))
save("f8_empty.npy", np.zeros((0, 3), dtype="<f8"))
save("f8_fortran.npy", np.asfortranarray(np.arange(6, dtype="<f8").reshape(2, 3)))
save("f8_3d.npy", np.zeros((2, 2, 2), dtype="<f8"))
save("c16.npy", np.array([1 + 2j], dtype="<c16"))
