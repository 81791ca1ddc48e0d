"""NumPy's linear algebra fails the same way in the browser as natively: singular matrices raise, not return NaN.

Natively, ``np.linalg.inv`` of a singular matrix raises ``LinAlgError("Singular matrix")``; NumPy on Pyodide, built
without LAPACK's error callback, returns a matrix of inf or NaN instead. rlplay itself solves no linear system, but a
learner's edited code may, and it must fail in the page as its downloaded ``.py`` fails natively. Under Pyodide,
``install()`` (called by the bridge) wraps the functions that raise natively on a singular or non-positive-definite
input: when every input is finite and the result is not, they raise the native error with its native message.

    >>> import numpy as np
    >>> inv = lapack_like(lambda a: np.full((2, 2), np.inf), "Singular matrix")
    >>> inv(np.zeros((2, 2)))
    Traceback (most recent call last):
    numpy.linalg.LinAlgError: Singular matrix
"""

from __future__ import annotations

import functools
import sys

import numpy as np

# The functions that raise LinAlgError natively on such input, with the message they raise it with.
NATIVE_ERRORS = {
    "inv": "Singular matrix",
    "solve": "Singular matrix",
    "tensorinv": "Singular matrix",
    "tensorsolve": "Singular matrix",
    "matrix_power": "Singular matrix",
    "cholesky": "Matrix is not positive definite",
}


def _all_finite(values) -> bool:
    for value in values:
        if isinstance(value, (np.ndarray, list, tuple, float)) or np.isscalar(value):
            try:
                if not np.all(np.isfinite(np.asarray(value, dtype=complex))):
                    return False
            except (TypeError, ValueError):
                continue
    return True


def lapack_like(function, message: str):
    """``function``, raising ``np.linalg.LinAlgError(message)`` when finite input gives a non-finite result."""

    @functools.wraps(function)
    def checked(*args, **kwargs):
        result = function(*args, **kwargs)
        if _all_finite(args) and _all_finite(kwargs.values()) and not np.all(np.isfinite(result)):
            raise np.linalg.LinAlgError(message)
        return result

    checked.lapack_like = True
    return checked


def install() -> bool:
    """Under Pyodide, wrap ``NATIVE_ERRORS``' functions in ``np.linalg`` (once); returns whether it did."""
    if sys.platform != "emscripten":
        return False
    for name, message in NATIVE_ERRORS.items():
        function = getattr(np.linalg, name)
        if not getattr(function, "lapack_like", False):
            setattr(np.linalg, name, lapack_like(function, message))
    return True
