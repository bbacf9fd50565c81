"""HDF5 files that point outside themselves are refused by every reader unless safe_mode=False.

Each attack is built with h5py on a file kerastorch saved: the weight ``kernel`` (or a whole
layer group) is replaced by an external link, a virtual dataset or a dataset with external
raw storage, all pointing at a "secret" file holding recognisable values.
"""
from __future__ import annotations

import io
import os
import zipfile

import h5py
import numpy as np
import pytest

import kerastorch as keras
from kerastorch.layers import serialization
from kerastorch.saving import hdf5_safety

SECRET = np.full((4, 3), 7.25, dtype="float32")


def _model():
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="d1"), keras.layers.Dense(2, name="d2")])


def _secret_file(folder) -> str:
    path = os.path.join(folder, "secret.h5")
    with h5py.File(path, "w") as f:
        f["data"] = SECRET
        f["group/kernel:0"] = SECRET
        f["group/bias:0"] = np.zeros(3, "float32")
    return path


def _replace(f, where: str, kind: str, secret: str, folder) -> None:
    """Swap the dataset at ``where`` for a pointer of ``kind`` into ``secret``."""
    dtype, shape = f[where].dtype, f[where].shape
    del f[where]
    if kind == "external_link":
        f[where] = h5py.ExternalLink(secret, "/data")
    elif kind == "virtual":
        layout = h5py.VirtualLayout(shape=shape, dtype=dtype)
        layout[...] = h5py.VirtualSource(secret, "data", shape=shape)
        f.create_virtual_dataset(where, layout)
    elif kind == "external_raw":
        raw = os.path.join(folder, "raw.bin")
        SECRET.astype(dtype).tofile(raw)
        f.create_dataset(where, shape=shape, dtype=dtype, external=[(raw, 0, h5py.h5f.UNLIMITED)])
    elif kind == "soft_link":
        f.create_dataset("/soft_link_target", data=SECRET.astype(dtype))
        f[where] = h5py.SoftLink("/soft_link_target")
    else:
        raise AssertionError(kind)


KINDS = {"external_link": "ExternalLink", "virtual": "virtual Dataset", "external_raw": "external Dataset"}


def _attacked(tmp_path, fmt: str, kind: str):
    """(path, loader(safe_mode) -> model) for a saved file of format ``fmt`` with one pointer of ``kind``."""
    folder = str(tmp_path)
    secret = _secret_file(folder)
    model = _model()
    if fmt == "legacy_model":
        path = os.path.join(folder, "m.h5")
        model.save(path)
        with h5py.File(path, "r+") as f:
            _replace(f, "model_weights/d1/d1/kernel:0", kind, secret, folder)
        return path, lambda **kw: keras.saving.load_model(path, **kw), "/model_weights/d1/d1/kernel:0"
    if fmt in ("legacy_weights", "keras3_weights"):
        path = os.path.join(folder, "w.h5" if fmt == "legacy_weights" else "w.weights.h5")
        model.save_weights(path)
        where = "d1/d1/kernel:0" if fmt == "legacy_weights" else "layers/dense/vars/0"
        with h5py.File(path, "r+") as f:
            _replace(f, where, kind, secret, folder)

        def load(**kw):
            fresh = _model()
            fresh.load_weights(path, **kw)
            return fresh
        return path, load, "/" + where
    if fmt == "keras_archive":
        path = os.path.join(folder, "m.keras")
        model.save(path)
        with zipfile.ZipFile(path) as zf:
            members = {n: zf.read(n) for n in zf.namelist()}
        buffer = io.BytesIO(members["model.weights.h5"])
        with h5py.File(buffer, "r+") as f:
            _replace(f, "layers/dense/vars/0", kind, secret, folder)
        members["model.weights.h5"] = buffer.getvalue()
        with zipfile.ZipFile(path, "w") as zf:
            for name, data in members.items():
                zf.writestr(name, data)
        return path, lambda **kw: keras.saving.load_model(path, **kw), "/layers/dense/vars/0"
    raise AssertionError(fmt)


FORMATS = ["legacy_model", "legacy_weights", "keras3_weights", "keras_archive"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_pointer_out_of_the_file_is_refused_then_allowed_with_safe_mode_false(tmp_path, fmt, kind):
    _, load, where = _attacked(tmp_path, fmt, kind)
    with pytest.raises(ValueError) as info:
        load()
    message = str(info.value)
    assert isinstance(info.value, hdf5_safety.UnsafeHDF5Error)
    assert f"Not allowed: H5 file with {KINDS[kind]}" in message
    assert repr(where) in message and "safe_mode=False" in message
    if fmt == "keras_archive":
        # The archive's HDF5 is opened from memory, and HDF5 opens a link/virtual target with that
        # in-memory driver too, so the target cannot be resolved: past the check it fails to read
        # (external link) or reads the fill value (virtual); external raw files are read.
        try:
            model = load(safe_mode=False)
        except ValueError as e:
            assert kind == "external_link" and not isinstance(e, hdf5_safety.UnsafeHDF5Error)
        else:
            loaded = model.get_layer("d1").kernel.detach().numpy()
            assert np.array_equal(loaded, SECRET) == (kind == "external_raw")
        return
    model = load(safe_mode=False)
    np.testing.assert_array_equal(model.get_layer("d1").kernel.detach().numpy(), SECRET)


@pytest.mark.parametrize("fmt", FORMATS)
def test_soft_link_inside_the_file_loads(tmp_path, fmt):
    _, load, _ = _attacked(tmp_path, fmt, "soft_link")
    np.testing.assert_array_equal(load().get_layer("d1").kernel.detach().numpy(), SECRET)


def test_external_link_to_a_whole_layer_group_is_refused(tmp_path):
    secret = _secret_file(str(tmp_path))
    path = str(tmp_path / "w.h5")
    _model().save_weights(path)
    with h5py.File(path, "r+") as f:
        del f["d1/d1"]
        f["d1/d1"] = h5py.ExternalLink(secret, "/group")
    with pytest.raises(ValueError, match="ExternalLink at '/d1/d1'"):
        _model().load_weights(path)


def test_ambient_safe_mode_scope_opts_in(tmp_path):
    _, load, _ = _attacked(tmp_path, "legacy_weights", "external_link")
    with serialization.SafeModeScope(False):
        model = load()
    np.testing.assert_array_equal(model.get_layer("d1").kernel.detach().numpy(), SECRET)
    with pytest.raises(ValueError, match="ExternalLink"):
        load()


def test_refusal_reads_nothing_from_the_pointed_file(tmp_path):
    """The check runs before any value is read: a dangling external link is refused, not an I/O error."""
    path = str(tmp_path / "w.h5")
    _model().save_weights(path)
    with h5py.File(path, "r+") as f:
        del f["d1/d1/kernel:0"]
        f["d1/d1/kernel:0"] = h5py.ExternalLink("/nonexistent/dir/x.h5", "/data")
    with pytest.raises(hdf5_safety.UnsafeHDF5Error, match="/nonexistent/dir/x.h5"):
        _model().load_weights(path)


def test_hard_link_cycle_terminates(tmp_path):
    path = str(tmp_path / "w.h5")
    _model().save_weights(path)
    with h5py.File(path, "r+") as f:
        f["d1/loop"] = f["d1"]  # a hard link back to its own parent
        assert hdf5_safety.find_foreign_references(f) == []


@pytest.mark.slow  # importing real Keras takes ~10 s
def test_real_keras_refuses_the_same_file(tmp_path):
    """The oracle: Keras 3.15 refuses an external link / virtual dataset in a .weights.h5 file."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    real = pytest.importorskip("keras")
    if real.backend.backend() != "torch":
        pytest.skip("real Keras runs on another backend here")
    for kind in ("external_link", "virtual"):
        folder = tmp_path / kind
        folder.mkdir()
        path, _, _ = _attacked(folder, "keras3_weights", kind)
        oracle = real.Sequential([real.Input((4,)), real.layers.Dense(3), real.layers.Dense(2)])
        with pytest.raises(ValueError, match="Not allowed: H5 file with"):
            oracle.load_weights(path)
