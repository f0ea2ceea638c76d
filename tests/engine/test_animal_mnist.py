"""Animal-MNIST loading: pinned files, the restricted unpickler, the label order."""

from __future__ import annotations

import gzip
import importlib.util
import os
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest

from engine.data import CATEGORIES, MAMMALS, animal_mnist, load_animal_mnist
from engine.data.safe_unpickle import loads_numpy_pickle
from engine.errors import DatasetError


@pytest.fixture
def fresh_cache():
    """Tests that fake the files must not see (or leave) the cached arrays."""
    load_animal_mnist.cache_clear()
    yield
    load_animal_mnist.cache_clear()


def test_loads_ten_thousand_images_with_a_thousand_per_category():
    images, labels = load_animal_mnist()
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (10000,) and labels.dtype == np.int64
    assert np.bincount(labels).tolist() == [1000] * 10


def test_arrays_are_cached_and_read_only():
    first, second = load_animal_mnist(), load_animal_mnist()
    assert first[0] is second[0] and first[1] is second[1]
    with pytest.raises(ValueError):
        first[0][0, 0, 0] = 1


def test_category_names():
    assert CATEGORIES == (
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
    assert MAMMALS == ("cat", "cow", "dog", "horse", "sheep")
    assert set(MAMMALS) <= set(CATEGORIES)


def test_label_order_matches_the_animals_shapes():
    # Three properties that only the right animals have: the giraffe is by far the narrowest, the
    # bear the widest, and the zebra's stripes make the most bright/dark transitions along rows.
    images, labels = load_animal_mnist()
    silhouettes = images > 127
    widths = silhouettes.any(axis=1).sum(axis=1)
    heights = silhouettes.any(axis=2).sum(axis=1)
    transitions = np.abs(np.diff(silhouettes.astype(np.int8), axis=2)).sum(axis=(1, 2))
    aspect = [np.median(widths[labels == i] / np.maximum(heights[labels == i], 1)) for i in range(10)]
    stripes = [np.median(transitions[labels == i]) for i in range(10)]
    assert CATEGORIES[int(np.argmin(aspect))] == "giraffe"
    assert CATEGORIES[int(np.argmax(aspect))] == "bear"
    assert CATEGORIES[int(np.argmax(stripes))] == "zebra"


def test_unknown_category_names_the_valid_ones():
    with pytest.raises(ValueError, match="bear, bird, cat"):
        animal_mnist.category_index("unicorn")


def _fake_package_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "Animal_MNIST"
    shutil.copytree(animal_mnist.data_folder(), folder)
    return folder


def test_a_changed_data_file_is_refused_before_unpickling(tmp_path, monkeypatch, fresh_cache):
    folder = _fake_package_folder(tmp_path)
    path = folder / "animal_data_version_3.gz"
    path.write_bytes(gzip.compress(pickle.dumps(np.zeros((10000, 28, 28), np.uint8), protocol=4)))
    monkeypatch.setattr(animal_mnist, "data_folder", lambda: folder)
    with pytest.raises(DatasetError, match=r"SHA-256.*pip install --no-deps animal-mnist==0\.4"):
        load_animal_mnist()


def test_a_missing_label_file_says_how_to_reinstall(tmp_path, monkeypatch, fresh_cache):
    folder = _fake_package_folder(tmp_path)
    (folder / "animal_label_version_3.gz").unlink()
    monkeypatch.setattr(animal_mnist, "data_folder", lambda: folder)
    with pytest.raises(DatasetError, match=r"pip install --no-deps animal-mnist==0\.4"):
        load_animal_mnist()


def test_a_missing_package_says_how_to_install_it(monkeypatch, fresh_cache):
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name == "animal_mnist" else real_find_spec(name, *args),
    )
    with pytest.raises(DatasetError, match=r"not installed.*pip install --no-deps animal-mnist==0\.4"):
        load_animal_mnist()


class _RunsACommand:
    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


def test_safe_unpickler_refuses_a_malicious_pickle(tmp_path):
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_RunsACommand(f"touch {marker}"))
    with pytest.raises(pickle.UnpicklingError, match="refusing"):
        loads_numpy_pickle(payload)
    assert not marker.exists()


def test_safe_unpickler_refuses_builtins_and_object_arrays():
    with pytest.raises(pickle.UnpicklingError):
        loads_numpy_pickle(pickle.dumps(eval))
    with pytest.raises(pickle.UnpicklingError):
        loads_numpy_pickle(pickle.dumps(np.array([Path("x")], dtype=object), protocol=4))


def test_safe_unpickler_refuses_a_pickle_that_is_not_an_array():
    with pytest.raises(pickle.UnpicklingError, match="expected a numpy array"):
        loads_numpy_pickle(pickle.dumps([1, 2, 3]))


def test_safe_unpickler_rebuilds_numpy_arrays():
    array = np.arange(12, dtype=np.int64).reshape(3, 4)
    restored = loads_numpy_pickle(pickle.dumps(array, protocol=4))
    assert restored.dtype == array.dtype
    np.testing.assert_array_equal(restored, array)
