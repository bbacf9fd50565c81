"""Large contiguous weights are mapped from the file (no private copy) and load the same values."""
from __future__ import annotations

import io

import h5py
import numpy as np
import pytest

import kerastorch as keras
from kerastorch.saving import mapped_read


def _model():
    return keras.Sequential([keras.Input((600,)), keras.layers.Dense(600, name="big"),  # 1.4 MB kernel
                             keras.layers.Dense(3, name="small")])


@pytest.fixture
def mapped(monkeypatch):
    """The arrays try_map mapped during the test."""
    seen = []
    original = mapped_read.try_map

    def spy(dset):
        out = original(dset)
        if out is not None:
            seen.append(out)
        return out
    monkeypatch.setattr(mapped_read, "try_map", spy)
    return seen


@pytest.mark.parametrize("name", ["m.keras", "m.h5", "w.weights.h5", "w.h5"])
def test_large_weights_are_mapped_and_load_exactly(tmp_path, mapped, name):
    model = _model()
    path = tmp_path / name
    if name.startswith("m"):
        model.save(path)
        loaded = keras.saving.load_model(path)
    else:
        model.save_weights(path)
        loaded = _model()
        loaded.load_weights(path)
    assert len(mapped) == 1 and isinstance(mapped[0], np.memmap) and mapped[0].shape == (600, 600)
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_mapping_is_copy_on_write(tmp_path):
    path = tmp_path / "d.h5"
    values = np.arange(600 * 600, dtype="float32").reshape(600, 600)
    with h5py.File(path, "w") as f:
        f["x"] = values
    with h5py.File(path, "r") as f:
        arr = mapped_read.try_map(f["x"])
    arr[0, 0] = -1.0
    with h5py.File(path, "r") as f:
        np.testing.assert_array_equal(f["x"][()], values)


def test_what_is_not_mapped(tmp_path):
    path = tmp_path / "d.h5"
    big = np.ones((600, 600), "float32")
    with h5py.File(path, "w") as f:
        f["small"] = np.ones((10,), "float32")
        f.create_dataset("chunked", data=big, chunks=(100, 100))
        f.create_dataset("gzip", data=big, compression="gzip")
        f["big_endian"] = big.astype(">f4")
    with h5py.File(path, "r") as f:
        for key in ("small", "chunked", "gzip", "big_endian"):
            assert mapped_read.try_map(f[key]) is None, key
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        f["x"] = big
    with h5py.File(buffer, "r") as f:
        assert mapped_read.try_map(f["x"]) is None  # an in-memory file has nothing to map
