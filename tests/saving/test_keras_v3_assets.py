"""``.keras`` assets and named extras: ``save_assets``/``load_assets`` under ``assets/<layer path>/`` and
``save_own_variables`` entries (IndexLookup's ``idf_weights``), laid out as real Keras 3 lays them out."""
from __future__ import annotations

import io
import os
import zipfile

import h5py
import numpy as np
import pytest

from kerastorch.saving.formats import keras_v3_assets

TEXTS = ["the cat sat", "the dog ran far away", "a cat and a dog", "the end"]


def _text_model(keras, **kwargs):
    keras.utils.set_random_seed(0)
    tv = keras.layers.TextVectorization(max_tokens=20, **kwargs)
    tv.adapt(TEXTS)
    x = keras.Input(shape=(1,), dtype="string")
    h = tv(x)
    if kwargs.get("output_mode", "int") == "int":
        h = keras.layers.GlobalAveragePooling1D()(keras.layers.Embedding(20, 4)(h))
    return keras.Model(x, keras.layers.Dense(2)(h))


@pytest.mark.parametrize("kwargs", [{}, {"output_mode": "tf_idf"}, {"output_sequence_length": 6}])
def test_text_model_round_trip_on_raw_strings(keras, tmp_path, kwargs):
    model = _text_model(keras, **kwargs)
    path = tmp_path / "text.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    probe = ["the cat ran", "unknown words here", "a dog"]
    np.testing.assert_allclose(loaded.predict(probe, verbose=0), model.predict(probe, verbose=0), rtol=1e-6)
    assert loaded.layers[1].get_vocabulary() == model.layers[1].get_vocabulary()
    names = zipfile.ZipFile(path).namelist()
    # TextVectorization and its StringLookup each write the vocabulary, as Keras calls both.
    assert "assets/layers/text_vectorization/vocabulary.txt" in names
    assert "assets/layers/text_vectorization/_lookup_layer/vocabulary.txt" in names
    if kwargs.get("output_mode") == "tf_idf":
        np.testing.assert_allclose(loaded.layers[1]._lookup_layer.idf_weights,
                                   model.layers[1]._lookup_layer.idf_weights)
        with h5py.File(io.BytesIO(zipfile.ZipFile(path).read("model.weights.h5"))) as f:
            assert "layers/text_vectorization/vars/idf_weights" in f
            assert "layers/text_vectorization/_lookup_layer/vars/idf_weights" in f


def test_given_vocabulary_is_in_the_config_not_in_assets(keras, tmp_path):
    lookup = keras.layers.StringLookup(vocabulary=["a", "b"])
    x = keras.Input(shape=(2,), dtype="string")
    model = keras.Model(x, lookup(x))
    model.save(tmp_path / "m.keras")
    assert not [n for n in zipfile.ZipFile(tmp_path / "m.keras").namelist() if n.startswith("assets/")]
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(loaded.predict(np.array([["a", "z"]]), verbose=0), [[1, 0]])  # [UNK], a, b


def _asset_layer_classes(base, register):
    @register(package="assets_test")
    class Note(base.layers.Layer):
        """Writes one file in its asset folder; reads it back."""

        def __init__(self, text="", **kwargs):
            super().__init__(**kwargs)
            self.text = text

        def call(self, x):
            return x

        def save_assets(self, dir_path):
            with open(os.path.join(dir_path, "note.txt"), "w") as f:
                f.write(self.text)

        def load_assets(self, dir_path):
            with open(os.path.join(dir_path, "note.txt")) as f:
                self.text = f.read()

    @register(package="assets_test")
    class Outer(base.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self._inner = Note("inner")
            self.visible = Note("visible")

        def call(self, x):
            return self.visible(self._inner(x))

        def save_assets(self, dir_path):
            with open(os.path.join(dir_path, "outer.txt"), "w") as f:
                f.write("outer")

        def load_assets(self, dir_path):
            with open(os.path.join(dir_path, "outer.txt")) as f:
                self.loaded = f.read()

    return Note, Outer


def _members(base, Note, Outer, path):
    x = base.Input(shape=(3,))
    y = base.layers.Dense(2)(Outer()(Note("top")(x)))
    base.Model(x, y).save(path)
    return sorted(zipfile.ZipFile(path).namelist())


def test_asset_member_names_match_real_keras(keras, real_keras, tmp_path):
    ours = _members(keras, *_asset_layer_classes(keras, keras.saving.register_keras_serializable), tmp_path / "o.keras")
    theirs = _members(real_keras, *_asset_layer_classes(real_keras, real_keras.saving.register_keras_serializable),
                      tmp_path / "t.keras")
    assert ours == theirs
    assert "assets/layers/outer/_inner/note.txt" in ours and "assets/layers/outer/visible/note.txt" in ours


def test_assets_written_by_real_keras_load_into_kerastorch(keras, real_keras, tmp_path):
    Note, Outer = _asset_layer_classes(real_keras, real_keras.saving.register_keras_serializable)
    _members(real_keras, Note, Outer, tmp_path / "t.keras")
    _asset_layer_classes(keras, keras.saving.register_keras_serializable)
    loaded = keras.saving.load_model(tmp_path / "t.keras")
    outer = loaded.layers[2]
    assert (loaded.layers[1].text, outer.loaded, outer._inner.text, outer.visible.text) == \
        ("top", "outer", "inner", "visible")


def test_asset_members_cannot_escape(keras, tmp_path):
    model = _text_model(keras)
    path = tmp_path / "m.keras"
    model.save(path)
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("assets/layers/text_vectorization/../../../../evil.txt", "x")
    with pytest.raises(ValueError, match="outside"):
        keras.saving.load_model(path)
    assert not (tmp_path / "evil.txt").exists()


def test_saveable_paths_mirror_the_weights_groups(keras, tmp_path):
    model = _text_model(keras)
    paths = [p for p, _ in keras_v3_assets.saveable_paths(model)]
    assert paths[:3] == ["", "layers/input_layer", "layers/text_vectorization"]
    assert "layers/text_vectorization/_lookup_layer" in paths
    model.save_weights(tmp_path / "w.weights.h5")
    with h5py.File(tmp_path / "w.weights.h5") as f:
        assert all(p == "" or p in f for p in paths)
