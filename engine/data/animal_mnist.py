"""Animal-MNIST: 10,000 silhouettes of 10 animals, 28x28 grayscale, read from the PyPI package.

The package ``animal-mnist==0.4`` ships two gzipped pickles of numpy arrays. Its own loader imports
TensorFlow, so we read the files directly, check them against pinned SHA-256 digests before
unpickling, and unpickle with a loader that can only rebuild numpy arrays.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import importlib.util
import io
import pickle
from pathlib import Path

import numpy as np

from engine.data.safe_unpickle import load_numpy_pickle
from engine.errors import DatasetError

# Label i is CATEGORIES[i]; the package's README lists the classes alphabetically. Checked by eye
# on the class means and on ten samples per class rendered to a PNG: 0 bears on four legs (a few
# standing), 1 birds perched or flying, 2 cats mostly sitting upright, 3 cows side-on with udders,
# 4 dogs with pointed ears, 5 elephants with trunks, 6 giraffes (tall, narrow mean image),
# 7 horses side-on, some galloping, 8 woolly sheep, 9 zebras (the only class with stripes, so its
# mean image is the dimmest). Labels are stored sorted: 1000 zeros, then 1000 ones, and so on.
CATEGORIES: tuple[str, ...] = (
    "bear",
    "bird",
    "cat",
    "cow",
    "dog",
    "elephant",
    "giraffe",
    "horse",
    "sheep",
    "zebra",
)
# The paper's five mammal categories (Pascal VOC's cat, cow, dog, horse and sheep).
MAMMALS: tuple[str, ...] = ("cat", "cow", "dog", "horse", "sheep")

IMAGE_SIZE = 28
IMAGES_PER_CATEGORY = 1000

_INSTALL = "pip install --no-deps animal-mnist==0.4"
_DATA_FILE = "animal_data_version_3.gz"
_LABEL_FILE = "animal_label_version_3.gz"
_SHA256 = {
    _DATA_FILE: "68a30346781a0984f839463a4615d2decb899d1ce65091bb92586311754a34ce",
    _LABEL_FILE: "dec8dba7c469830989fbab46825021a08a38470753a512f27ada847eced97b57",
}


def category_index(category: str) -> int:
    """Return the Animal-MNIST label of a category name.

    Args:
        category: one of :data:`CATEGORIES`.

    Returns:
        Its label (0 to 9).

    Raises:
        ValueError: the name is not a category; the message lists the valid ones.
    """
    try:
        return CATEGORIES.index(category)
    except ValueError:
        raise ValueError(f"unknown category {category!r}; choose one of: {', '.join(CATEGORIES)}") from None


def data_folder() -> Path:
    """Return the folder of the installed package's data files.

    Raises:
        DatasetError: the package is not installed.
    """
    spec = importlib.util.find_spec("animal_mnist")
    if spec is None or not spec.submodule_search_locations:
        raise DatasetError(f"the Animal-MNIST package is not installed; install it with: {_INSTALL}")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "Animal_MNIST"


def _read_verified(path: Path) -> bytes:
    """Read a data file and check its digest, so that nothing unexpected reaches the unpickler."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DatasetError(f"cannot read {path} ({error}); reinstall the data with: {_INSTALL}") from error
    digest = hashlib.sha256(raw).hexdigest()
    if digest != _SHA256[path.name]:
        raise DatasetError(
            f"{path} has SHA-256 {digest}, expected {_SHA256[path.name]}: the file is not the one "
            f"animal-mnist 0.4 ships; reinstall it with: {_INSTALL}"
        )
    return raw


def _unpickle_array(path: Path) -> np.ndarray:
    raw = _read_verified(path)
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as stream:
            return load_numpy_pickle(stream)
    except (OSError, EOFError, pickle.UnpicklingError) as error:
        raise DatasetError(f"cannot unpickle {path} ({error}); reinstall it with: {_INSTALL}") from error


@functools.lru_cache(maxsize=1)
def load_animal_mnist() -> tuple[np.ndarray, np.ndarray]:
    """Load all of Animal-MNIST (cached in-process after the first call).

    Returns:
        ``(images, labels)``: images uint8 ``(10000, 28, 28)`` (white silhouettes on black),
        labels int64 ``(10000,)`` with label i meaning ``CATEGORIES[i]``. Both arrays are
        read-only because every caller shares them.

    Raises:
        DatasetError: the package is missing, or its files are not the pinned version.
    """
    folder = data_folder()
    images = _unpickle_array(folder / _DATA_FILE)
    labels = _unpickle_array(folder / _LABEL_FILE)
    expected_count = IMAGES_PER_CATEGORY * len(CATEGORIES)
    if (
        images.shape != (expected_count, IMAGE_SIZE, IMAGE_SIZE)
        or images.dtype != np.uint8
        or labels.shape != (expected_count,)
        or not np.array_equal(
            np.bincount(labels, minlength=len(CATEGORIES)), [IMAGES_PER_CATEGORY] * len(CATEGORIES)
        )
    ):
        raise DatasetError(
            f"the Animal-MNIST arrays do not have the expected shapes; reinstall with: {_INSTALL}"
        )
    labels = labels.astype(np.int64, copy=False)
    images.flags.writeable = False
    labels.flags.writeable = False
    return images, labels
