"""save_weights(max_shard_size=...) and save_model(zipped=False), checked both ways against real Keras 3.15.1:
Keras loads what kerastorch writes and kerastorch loads what Keras writes, with equal predictions."""
from __future__ import annotations

import io
import json
import os
import zipfile

import h5py
import numpy as np
import pytest

os.environ["KERAS_BACKEND"] = "torch"
keras = pytest.importorskip("keras")

import kerastorch  # noqa: E402
from kerastorch import saving  # noqa: E402

# 8x16 and 16x4 kernels: 512 + 64 + 256 + 16 bytes; a 600-byte limit makes two shards, as Keras splits them.
SHARD_GB = 600 / 1024 ** 3
X = np.random.default_rng(0).normal(size=(3, 8)).astype("float32")


def _model(lib):
    return lib.Sequential([lib.Input((8,)), lib.layers.Dense(16), lib.layers.Dense(4)])


def test_sharded_weights_written_by_kerastorch_load_in_keras(tmp_path):
    model = _model(kerastorch)
    saving.save_weights(model, tmp_path / "w.weights.json", max_shard_size=SHARD_GB)
    index = json.loads((tmp_path / "w.weights.json").read_text())
    assert index["weight_map"] == {"/layers/dense/vars": "w_00000.weights.h5",
                                   "/layers/dense_1/vars": "w_00001.weights.h5"}
    assert index["metadata"]["total_size"] == 4 * (8 * 16 + 16 + 16 * 4 + 4)
    reference = _model(keras)
    reference.load_weights(tmp_path / "w.weights.json")
    np.testing.assert_allclose(reference.predict(X, verbose=0), model.predict(X, verbose=0), rtol=1e-6)
    again = _model(kerastorch)
    again.load_weights(tmp_path / "w.weights.json")
    np.testing.assert_array_equal(again.predict(X, verbose=0), model.predict(X, verbose=0))


def test_sharded_weights_written_by_keras_load_in_kerastorch(tmp_path):
    reference = _model(keras)
    reference.save_weights(tmp_path / "k.weights.json", max_shard_size=SHARD_GB)
    assert sorted(os.listdir(tmp_path)) == ["k.weights.json", "k_00000.weights.h5", "k_00001.weights.h5"]
    model = _model(kerastorch)
    model.load_weights(tmp_path / "k.weights.json")
    np.testing.assert_allclose(model.predict(X, verbose=0), reference.predict(X, verbose=0), rtol=1e-6)


def test_sharding_errors_are_keras_errors(tmp_path):
    model = _model(kerastorch)
    with pytest.raises(ValueError, match="must end in `.weights.json`"):
        model.save_weights(tmp_path / "w.h5", max_shard_size=1)
    with pytest.raises(ValueError, match="exceeds the maximum shard size"):
        model.save_weights(tmp_path / "w.weights.json", max_shard_size=100 / 1024 ** 3)
    with pytest.warns(UserWarning, match="requires `\\*.json`"):
        model.save_weights(tmp_path / "v.weights.h5", max_shard_size=1)
    assert (tmp_path / "v.weights.json").exists() and (tmp_path / "v_00000.weights.h5").exists()
    index = json.loads((tmp_path / "v.weights.json").read_text())
    index["weight_map"]["/layers/dense/vars"] = "../escape.weights.h5"
    (tmp_path / "bad.weights.json").write_text(json.dumps(index))
    with pytest.raises(ValueError, match="outside its folder"):
        model.load_weights(tmp_path / "bad.weights.json")


def test_unzipped_model_folder_both_ways(tmp_path):
    model = _model(kerastorch)
    model.compile(optimizer="adam", loss="mse")
    model.save(tmp_path / "ours", zipped=False)
    assert sorted(os.listdir(tmp_path / "ours")) == ["config.json", "metadata.json", "model.weights.h5"]
    for loader in (keras.saving.load_model, saving.load_model):
        loaded = loader(tmp_path / "ours")
        np.testing.assert_allclose(loaded.predict(X, verbose=0), model.predict(X, verbose=0), rtol=1e-6)
    reference = _model(keras)
    reference.save(tmp_path / "theirs", zipped=False)
    loaded = saving.load_model(tmp_path / "theirs")
    np.testing.assert_allclose(loaded.predict(X, verbose=0), reference.predict(X, verbose=0), rtol=1e-6)
    with pytest.raises(ValueError, match="should not end in `.keras`"):
        model.save(tmp_path / "x.keras", zipped=False)


def test_include_optimizer_and_by_name_stay_keywords(tmp_path):
    model = _model(kerastorch)
    model.compile(optimizer="adam", loss="mse")
    model.fit(X, np.zeros((3, 4)), epochs=1, verbose=0)
    model.save(tmp_path / "m.keras", include_optimizer=False)
    with zipfile.ZipFile(tmp_path / "m.keras") as zf, h5py.File(io.BytesIO(zf.read("model.weights.h5"))) as f:
        assert "optimizer" not in f  # no optimizer variables
    loaded = kerastorch.models.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    model.save_weights(tmp_path / "m.h5")
    other = kerastorch.Sequential([kerastorch.Input((8,)), kerastorch.layers.Dense(16, name=model.layers[0].name),
                                   kerastorch.layers.Dense(4, name=model.layers[1].name)])
    other.load_weights(tmp_path / "m.h5", by_name=True)
    np.testing.assert_array_equal(other.predict(X, verbose=0), model.predict(X, verbose=0))
    with pytest.raises(ValueError, match="Invalid keyword arguments"):
        other.load_weights(tmp_path / "m.h5", by_nmae=True)
