"""kerastorch models saved in every format load back identically; optimizer state survives."""
from __future__ import annotations

import json
import os
import warnings
import zipfile

import h5py
import numpy as np
import pytest

import kerastorch as keras
import kerastorch.saving as ksaving

L = keras.layers


def _functional():
    inp = keras.Input((5, 3), name="seq")
    aux = keras.Input((4,), name="aux")
    x = L.Bidirectional(L.LSTM(4, return_sequences=True), name="bi")(inp)
    x = L.MultiHeadAttention(2, 3, name="mha")(x, x)
    x = L.GRU(3, name="gru")(x)
    enc = keras.Sequential([keras.Input((4,)), L.Dense(3, activation="relu", name="enc_d"),
                            L.BatchNormalization(name="enc_bn")], name="encoder")
    x = L.Concatenate(name="cat")([x, enc(aux)])
    out = L.Dense(2, name="out")(x)
    return keras.Model([inp, aux], [out, x], name="fm")


def _inputs():
    rng = np.random.default_rng(0)
    return [rng.normal(size=(4, 5, 3)).astype("float32"), rng.normal(size=(4, 4)).astype("float32")]


def _outs(model, x):
    out = model(x)
    return [o.detach().numpy() for o in (out if isinstance(out, (list, tuple)) else [out])]


@pytest.mark.parametrize("filename", ["m.keras", "m.h5"])
def test_whole_model_round_trip(tmp_path, filename):
    model = _functional()
    x = _inputs()
    ref = _outs(model, x)
    path = tmp_path / filename
    ksaving.save_model(model, path)
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
    loaded = ksaving.load_model(path)
    for a, b in zip(_outs(loaded, x), ref):
        np.testing.assert_array_equal(a, b)
    assert [l.name for l in loaded.layers] == [l.name for l in model.layers]


@pytest.mark.parametrize("filename", ["w.weights.h5", "w.h5", "w.pt"])
def test_weights_round_trip(tmp_path, filename):
    model = _functional()
    x = _inputs()
    ref = _outs(model, x)
    ksaving.save_weights(model, tmp_path / filename)
    other = ksaving.clone_model(model)
    assert not np.allclose(_outs(other, x)[0], ref[0])
    ksaving.load_weights(other, tmp_path / filename)
    for a, b in zip(_outs(other, x), ref):
        np.testing.assert_array_equal(a, b)


def test_written_layouts_follow_keras(tmp_path):
    model = _functional()
    ksaving.save_weights(model, tmp_path / "w.weights.h5")
    with h5py.File(tmp_path / "w.weights.h5") as f:
        assert f["layers/bidirectional/forward_layer/cell/vars/0"].shape == (3, 16)
        assert f["layers/multi_head_attention/query_dense/vars/0"].shape == (8, 2, 3)
        assert f["layers/sequential/layers/batch_normalization/vars"].attrs["name"] == "enc_bn"
        assert f["layers/input_layer_1/vars"].attrs["name"] == "aux"
    ksaving.save_model(model, tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5") as f:
        config = json.loads(f.attrs["model_config"])
        assert [n.decode() for n in f["model_weights"].attrs["layer_names"]] == [l.name for l in model.layers]
        names = [n.decode() for n in f["model_weights/encoder"].attrs["weight_names"]]
        assert len(names) == 6 and "moving_mean" in names[4]  # trainable weights first, as Keras 2 writes
    layers = {l["name"]: l for l in config["config"]["layers"]}
    assert layers["seq"]["config"]["batch_input_shape"] == [None, 5, 3]
    assert layers["cat"]["inbound_nodes"] == [[["gru", 0, 0, {}], ["encoder", 1, 0, {}]]]
    with zipfile.ZipFile(_save_keras(model, tmp_path)) as zf:
        assert sorted(zf.namelist()) == ["config.json", "metadata.json", "model.weights.h5"]
        cfg = json.loads(zf.read("config.json"))
    seq = next(l for l in cfg["config"]["layers"] if l["name"] == "seq")
    assert seq["config"]["batch_shape"] == [None, 5, 3]


def _save_keras(model, folder):
    path = folder / "z.keras"
    ksaving.save_model(model, path)
    return path


def test_json_and_from_config_and_clone():
    model = _functional()
    x = _inputs()
    rebuilt = ksaving.model_from_json(ksaving.model_to_json(model))
    rebuilt.set_weights(model.get_weights())
    for a, b in zip(_outs(rebuilt, x), _outs(model, x)):
        np.testing.assert_array_equal(a, b)
    again = type(model).from_config(model.get_config())
    assert [type(l).__name__ for l in again.layers] == [type(l).__name__ for l in model.layers]
    seq = keras.Sequential([keras.Input((4,)), L.Dense(3, name="a"), L.Dense(2, name="b")], name="s")
    seq2 = keras.Sequential.from_config(seq.get_config())
    assert [l.name for l in seq2.layers] == ["a", "b"]


@ksaving.register_keras_serializable(package="tests")
class ScaledDense(L.Dense):
    def __init__(self, units, scale=2.0, **kwargs):
        super().__init__(units, **kwargs)
        self.scale = scale

    def call(self, inputs):
        return super().call(inputs) * self.scale

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


def test_custom_objects_and_registration(tmp_path):
    model = keras.Sequential([keras.Input((3,)), ScaledDense(2, scale=3.0, name="sd")])
    x = np.ones((2, 3), "float32")
    ksaving.save_model(model, tmp_path / "c.keras")
    loaded = ksaving.load_model(tmp_path / "c.keras")
    assert type(loaded.layers[0]) is ScaledDense and loaded.layers[0].scale == 3.0
    np.testing.assert_array_equal(_outs(loaded, x)[0], _outs(model, x)[0])
    # Unregistered class: found only through custom_objects / custom_object_scope.
    cfg = ksaving.serialize_keras_object(model)
    cfg["config"]["layers"][1]["registered_name"] = None
    cfg["config"]["layers"][1]["class_name"] = "Unknown1"
    with pytest.raises((ValueError, TypeError), match="Unknown1"):
        ksaving.deserialize_keras_object(cfg)
    with ksaving.custom_object_scope({"Unknown1": ScaledDense}):
        again = ksaving.deserialize_keras_object(cfg)
    assert type(again.layers[0]) is ScaledDense


def test_subclassed_model_weights(tmp_path):
    class Small(keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.hidden = L.Dense(5, name="hidden")
            self.head = L.Dense(2, name="head")

        def call(self, inputs):
            return self.head(self.hidden(inputs))

    model = Small(name="small")
    x = np.ones((2, 3), "float32")
    ref = _outs(model, x)[0]
    for name in ("s.weights.h5", "s.h5", "s.pt"):
        ksaving.save_weights(model, tmp_path / name)
        other = Small(name="small")
        other(x)
        ksaving.load_weights(other, tmp_path / name)
        np.testing.assert_array_equal(_outs(other, x)[0], ref)
    with h5py.File(tmp_path / "s.weights.h5") as f:
        assert f["hidden/vars/0"].shape == (3, 5)
    ksaving.save_model(model, tmp_path / "s.keras")
    loaded = ksaving.load_model(tmp_path / "s.keras", custom_objects={"Small": Small})
    np.testing.assert_array_equal(_outs(loaded, x)[0], ref)


def _trained(epochs):
    keras.utils.set_random_seed(3)
    # A conv layer keeps its kernel in torch layout: its optimizer slots must be converted to Keras layout.
    model = keras.Sequential([keras.Input((4,)), L.Reshape((4, 1), name="r"), L.Conv1D(3, 2, name="c"),
                              L.Flatten(name="f"), L.Dense(8, activation="relu", name="h"), L.Dense(1, name="o")])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    rng = np.random.default_rng(1)
    x = rng.normal(size=(32, 4)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    model.fit(x, y, epochs=epochs, batch_size=8, shuffle=False, verbose=0)
    return model, x, y


@pytest.mark.parametrize("filename", ["t.keras", "t.h5"])
def test_optimizer_state_survives_save_and_load(tmp_path, filename):
    if not hasattr(keras.Model, "fit"):
        pytest.skip("the trainer has no fit yet")
    full, _, _ = _trained(4)
    half, x, y = _trained(2)
    ksaving.save_model(half, tmp_path / filename)
    loaded = ksaving.load_model(tmp_path / filename)
    assert loaded.compiled and int(loaded.optimizer.iterations) == 8
    loaded.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    for a, b in zip(loaded.get_weights(), full.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        uncompiled = ksaving.load_model(tmp_path / filename, compile=False)
    assert not uncompiled.compiled
