"""numba when it is installed: the decorators every compiled core of the simulation shares.

numba is an optional speed-up. Each compiled core (the per-replication engine loop, the
plain-ward counter, the random streams, the interpolation of arrival epochs) is written
as plain Python loops over arrays, so without numba the same functions run as ordinary
Python and callers choose a NumPy path instead. Keeping the ``try: import numba`` and the
decorator settings here, once, means every core is cached to disk and released from the
GIL in the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

__all__ = ["HAVE_NUMBA", "jit", "jit_inline", "jit_numpy_errors"]

F = TypeVar("F", bound=Callable[..., Any])

try:  # numba is an optional speed-up; everything works without it
    import numba

    HAVE_NUMBA = True

    def jit(func: F) -> F:
        """Compile ``func`` (cached on disk, without the GIL)."""
        return cast(F, numba.njit(cache=True, nogil=True)(func))

    def jit_inline(func: F) -> F:
        """Compile a small helper that is inlined into its callers at numba's level.

        As separate compiled calls each helper took and released a reference to every
        array it was passed, which cost far more than the few comparisons inside (the
        engine's loop core ran tens of times slower).
        """
        return cast(F, numba.njit(cache=True, nogil=True, inline="always")(func))

    def jit_numpy_errors(func: F) -> F:
        """Compile with numpy's error model: a division by zero gives inf/nan, as in C."""
        return cast(F, numba.njit(cache=True, nogil=True, error_model="numpy")(func))

except ImportError:  # pragma: no cover - depends on the environment
    HAVE_NUMBA = False

    def jit(func: F) -> F:
        """Without numba: the plain Python function."""
        return func

    jit_inline = jit
    jit_numpy_errors = jit
