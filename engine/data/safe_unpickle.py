"""A restricted unpickler for files that hold numpy arrays and nothing else.

Pickle can call any importable function while loading, so an untrusted (or tampered) pickle is
arbitrary code. The Animal-MNIST package ships its arrays as pickles; this unpickler resolves only
the few globals that rebuilding a plain ``numpy.ndarray`` needs and refuses everything else.
"""

from __future__ import annotations

import importlib
import io
import pickle
from typing import Any, BinaryIO

import numpy as np

# numpy 2 moved the array internals from ``numpy.core`` to ``numpy._core``; old pickles name the
# former. Both names are resolved to whichever module this numpy has, without touching the
# ``numpy.core`` shim (which warns on access in numpy 2).
try:
    _multiarray = importlib.import_module("numpy._core.multiarray")
except ImportError:  # numpy < 2
    _multiarray = importlib.import_module("numpy.core.multiarray")

_ALLOWED: dict[tuple[str, str], Any] = {
    ("numpy.core.multiarray", "_reconstruct"): _multiarray._reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _multiarray._reconstruct,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
}


class NumpyOnlyUnpickler(pickle.Unpickler):
    """An unpickler that can rebuild numpy arrays and refuses every other global."""

    def find_class(self, module: str, name: str) -> Any:
        """Return an allowed numpy global, or raise ``pickle.UnpicklingError``."""
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"refusing to load global {module}.{name}: only numpy arrays are allowed in this file"
            ) from None


def load_numpy_pickle(file: BinaryIO) -> np.ndarray:
    """Unpickle one numpy array from an open binary file, refusing anything else.

    Args:
        file: a readable binary file object positioned at the start of the pickle.

    Returns:
        The array.

    Raises:
        pickle.UnpicklingError: the pickle names a global other than the numpy array internals, or
            does not hold an array.
    """
    value = NumpyOnlyUnpickler(file).load()
    if not isinstance(value, np.ndarray):
        raise pickle.UnpicklingError(f"expected a numpy array, the pickle holds {type(value).__name__}")
    return value


def loads_numpy_pickle(data: bytes) -> np.ndarray:
    """Unpickle one numpy array from bytes (see :func:`load_numpy_pickle`)."""
    return load_numpy_pickle(io.BytesIO(data))
