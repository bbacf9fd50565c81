"""Loading never runs code from a file by default, and bad files fail with clear errors."""
from __future__ import annotations

import base64
import json
import marshal
import os
import zipfile

import h5py
import numpy as np
import pytest

import kerastorch as keras
import kerastorch.saving as ksaving
from kerastorch.saving.formats import legacy_h5

L = keras.layers


def _bytecode(fn):
    return [base64.b64encode(marshal.dumps(fn.__code__)).decode("ascii"), None, None]


def _lambda_model_config(keras3: bool):
    code = _bytecode(lambda x: x * 2.0)
    if keras3:
        function = {"class_name": "__lambda__", "config": {"code": code[0], "defaults": None, "closure": None}}
        lam = {"name": "lam", "trainable": True, "dtype": "float32", "function": function, "arguments": {}}
        inp = {"batch_shape": [None, 3], "dtype": "float32", "name": "inp"}
    else:
        lam = {"name": "lam", "trainable": True, "dtype": "float32", "function": code, "function_type": "lambda",
               "module": "__main__", "output_shape": None, "output_shape_type": "raw", "arguments": {}}
        inp = {"batch_input_shape": [None, 3], "dtype": "float32", "name": "inp"}
    return {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "InputLayer", "config": inp}, {"class_name": "Lambda", "config": lam}]}}


def _write_legacy_model(path, config):
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = b"2.15.0"
        f.attrs["backend"] = b"tensorflow"
        f.attrs["model_config"] = json.dumps(config).encode()
        g = f.create_group("model_weights")
        legacy_h5.save_attribute_list(g, "layer_names", ["inp", "lam"])
        for n in ("inp", "lam"):
            legacy_h5.save_attribute_list(g.create_group(n), "weight_names", [])


@pytest.mark.parametrize("keras3", [False, True], ids=["tf-keras-lambda", "keras3-lambda"])
def test_lambda_bytecode_refused_unless_safe_mode_false(tmp_path, keras3):
    config = _lambda_model_config(keras3)
    if keras3:
        path = tmp_path / "lam.keras"
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("config.json", json.dumps(config))
            zf.writestr("metadata.json", "{}")
            with h5py.File(tmp_path / "empty.h5", "w") as f:
                f.create_group("vars")
            zf.write(tmp_path / "empty.h5", "model.weights.h5")
    else:
        path = tmp_path / "lam.h5"
        _write_legacy_model(path, config)
    with pytest.raises(ValueError, match="safe_mode=False"):
        ksaving.load_model(path)
    with pytest.raises(ValueError, match="safe_mode=False"):
        ksaving.model_from_json(json.dumps(config))
    model = ksaving.load_model(path, safe_mode=False)
    np.testing.assert_allclose(model(np.ones((1, 3), "float32")).detach().numpy(), 2.0)


def _saved_model(tmp_path):
    model = keras.Sequential([keras.Input((4,)), L.Dense(3, name="d1"), L.Dense(2, name="d2")])
    paths = {}
    for name in ("m.keras", "m.h5"):
        ksaving.save_model(model, tmp_path / name)
        paths[name] = tmp_path / name
    for name in ("w.weights.h5", "w.h5", "w.pt"):
        ksaving.save_weights(model, tmp_path / name)
        paths[name] = tmp_path / name
    return model, paths


def test_truncated_corrupt_and_foreign_files(tmp_path):
    model, paths = _saved_model(tmp_path)
    bad = tmp_path / "bad"
    for name, path in paths.items():
        data = path.read_bytes()
        for variant, content in (("truncated", data[: len(data) // 2]), ("head", data[:100]),
                                 ("zeroed", data[:64] + bytes(len(data) - 64))):
            bad.write_bytes(content)
            loader = ksaving.load_model if name.startswith("m.") else (lambda p: ksaving.load_weights(model, p))
            with pytest.raises((ValueError, OSError)) as info:
                loader(bad)
            assert "bad" in str(info.value), f"{name} {variant}: the error should name the file: {info.value}"
    for content in (b"", b"hello, not a model\n", json.dumps({"class_name": "Dense"}).encode(),
                    b"\x89HDF\r\n\x1a\n" + bytes(50)):
        bad.write_bytes(content)
        with pytest.raises(ValueError, match="bad"):
            ksaving.load_model(bad)
        with pytest.raises(ValueError, match="bad"):
            ksaving.load_weights(model, bad)
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("readme.txt", "just a zip")
    with pytest.raises(ValueError, match="not a .keras"):
        ksaving.load_model(bad)
    with pytest.raises(FileNotFoundError):
        ksaving.load_model(tmp_path / "missing.keras")
    with pytest.raises(ValueError, match="only weights"):
        ksaving.load_model(paths["w.weights.h5"])
    with pytest.raises(ValueError, match="state_dict"):
        ksaving.load_model(paths["w.pt"])


@pytest.mark.parametrize("name", ["w.weights.h5", "w.h5", "w.pt"])
def test_shape_mismatch_names_layer_weight_and_shapes(tmp_path, name):
    model = keras.Sequential([keras.Input((4,)), L.Dense(3, name="d1"), L.Dense(2, name="d2")])
    ksaving.save_weights(model, tmp_path / name)
    other = keras.Sequential([keras.Input((4,)), L.Dense(5, name="d1"), L.Dense(2, name="d2")])
    with pytest.raises(ValueError) as info:
        ksaving.load_weights(other, tmp_path / name)
    msg = str(info.value)
    assert "d1" in msg and "kernel" in msg and "(4, 5)" in msg and "(4, 3)" in msg, msg


def test_saves_are_atomic(tmp_path, monkeypatch):
    model, paths = _saved_model(tmp_path)
    before = {n: p.read_bytes() for n, p in paths.items()}

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")
    from kerastorch.saving.formats import keras_v3
    monkeypatch.setattr(keras_v3, "write_model", boom)
    monkeypatch.setattr(legacy_h5, "write_weights_group", boom)
    monkeypatch.setattr("torch.save", boom)
    for name in ("m.keras", "m.h5"):
        with pytest.raises(RuntimeError):
            ksaving.save_model(model, paths[name])
    for name in ("w.weights.h5", "w.h5", "w.pt"):
        with pytest.raises(RuntimeError):
            ksaving.save_weights(model, paths[name])
    assert {n: p.read_bytes() for n, p in paths.items()} == before
    assert sorted(os.listdir(tmp_path)) == sorted(paths)  # no temporary files left behind


def test_format_from_content_not_suffix(tmp_path):
    model, paths = _saved_model(tmp_path)
    x = np.ones((2, 4), "float32")
    ref = model(x).detach().numpy()
    for name, path in paths.items():
        disguised = tmp_path / f"disguised_{name.replace('.', '_')}.bin"
        disguised.write_bytes(path.read_bytes())
        other = keras.Sequential([keras.Input((4,)), L.Dense(3, name="d1"), L.Dense(2, name="d2")])
        ksaving.load_weights(other, disguised)
        np.testing.assert_array_equal(other(x).detach().numpy(), ref)
