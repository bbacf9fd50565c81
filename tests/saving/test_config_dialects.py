"""Both config dialects and Keras 3's operation nodes, checked against real Keras 3.15.1 (torch backend).

* Keras 2 / tf-keras functional configs (``input_layers``/``output_layers``/list ``inbound_nodes``,
  ``batch_input_shape``), as the tf-keras fixtures store them, load through ``Model.from_config``,
  ``model_from_json`` and ``load_model`` and predict the reference outputs.
* A ``.keras`` file whose functional graph applies ``keras.ops`` to symbolic tensors (written here by
  real Keras) loads in kerastorch with the same predictions, and every operation class of
  ``keras.src.ops`` maps onto a ``kerastorch.ops`` function.
"""
from __future__ import annotations

import importlib
import json
import warnings

import h5py
import numpy as np
import pytest
from reference_fixtures import FIXTURE_DIR, load_manifest

import kerastorch
from kerastorch.layers.operation_layers import find_operation, operation_layer_class

MANIFEST = load_manifest()
CASES = {c["name"]: c for c in (MANIFEST["cases"] if MANIFEST else [])}
needs_fixtures = pytest.mark.skipif(MANIFEST is None, reason=f"Keras reference fixtures not found at {FIXTURE_DIR}")


def _numbered(data, prefix):
    out, i = [], 0
    while f"{prefix}{i}" in data:
        out.append(data[f"{prefix}{i}"])
        i += 1
    return out


def _predict(model, xs):
    out = model(xs[0] if len(xs) == 1 else list(xs), training=False)
    out = list(out) if isinstance(out, (list, tuple)) else [out]
    return [np.asarray(o.detach().cpu().numpy() if hasattr(o, "detach") else o) for o in out]


def _keras2_config_text(name: str) -> str:
    with h5py.File(FIXTURE_DIR / CASES[name]["files"]["tfk_h5"]["file"]) as f:
        text = f.attrs["model_config"]
    return text.decode() if isinstance(text, bytes) else text


@needs_fixtures
@pytest.mark.parametrize("name", ["multi_io_concat_add", "nested_sequential", "lstm_initial_state_inputs",
                                  "embedding_mask_lstm", "bidirectional_lstm_concat"])
@pytest.mark.parametrize("entry", ["Model.from_config", "model_from_json"])
def test_keras2_functional_config_rebuilds_and_predicts(name, entry):
    text = _keras2_config_text(name)
    config = json.loads(text)
    inbound = [layer["inbound_nodes"] for layer in config["config"]["layers"] if layer["inbound_nodes"]]
    assert isinstance(inbound[0][0], list)  # the Keras 2 node form: [[layer, node, tensor, kwargs], ...]
    assert "input_layers" in config["config"] and "output_layers" in config["config"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if entry == "Model.from_config":
            model = kerastorch.Model.from_config(config["config"])
        else:
            model = kerastorch.models.model_from_json(text)
    data = np.load(FIXTURE_DIR / CASES[name]["files"]["npz"]["file"])
    model.set_weights(_numbered(data, "w"))
    refs = [_numbered(data, "y")] + ([_numbered(data, "tfk_y")] if CASES[name].get("k2_k3_expected_diff") else [])
    outs = _predict(model, _numbered(data, "x"))
    tol = CASES[name]["tolerance"]
    assert any(all(np.allclose(o, r, atol=tol["atol"], rtol=tol["rtol"]) for o, r in zip(outs, ys))
               for ys in refs)


def test_a_keras2_config_written_by_hand_loads():
    """The tf-keras dialect without any fixture: batch_input_shape, list nodes, a call kwarg, node index 0."""
    config = {"class_name": "Functional", "config": {
        "name": "hand", "trainable": True,
        "layers": [
            {"class_name": "InputLayer", "name": "x", "inbound_nodes": [],
             "config": {"batch_input_shape": [None, 3], "dtype": "float32", "sparse": False, "ragged": False,
                        "name": "x"}},
            {"class_name": "Dense", "name": "d", "inbound_nodes": [[["x", 0, 0, {}]]],
             "config": {"name": "d", "trainable": True, "dtype": "float32", "units": 2, "activation": "relu",
                        "use_bias": True, "kernel_initializer": {"class_name": "Ones", "config": {}},
                        "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": None,
                        "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None,
                        "bias_constraint": None}},
            {"class_name": "Dropout", "name": "drop", "inbound_nodes": [[["d", 0, 0, {"training": False}]]],
             "config": {"name": "drop", "trainable": True, "dtype": "float32", "rate": 0.5,
                        "noise_shape": None, "seed": None}}],
        "input_layers": [["x", 0, 0]], "output_layers": [["drop", 0, 0]]},
        "keras_version": "2.15.0", "backend": "tensorflow"}
    model = kerastorch.models.model_from_json(json.dumps(config))
    out = model(np.array([[1.0, -2.0, 4.0]], dtype="float32"), training=False)
    np.testing.assert_allclose(out.detach().numpy(), [[3.0, 3.0]])
    assert [layer.name for layer in model.layers] == ["x", "d", "drop"]


@needs_fixtures
def test_keras2_config_inside_a_legacy_file_loads_with_load_model():
    name = "multi_io_concat_add"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = kerastorch.saving.load_model(FIXTURE_DIR / CASES[name]["files"]["tfk_h5"]["file"], compile=False)
    data = np.load(FIXTURE_DIR / CASES[name]["files"]["npz"]["file"])
    for o, r in zip(_predict(model, _numbered(data, "x")), _numbered(data, "y")):
        np.testing.assert_allclose(o, r, atol=2e-5, rtol=1e-4)


def _ops_model(keras):
    ops = keras.ops
    x = keras.Input((6,), name="x")
    t = ops.convert_to_tensor(x)
    h = keras.layers.Dense(5, name="dense")(t)
    h = ops.where(h > 0, h, ops.multiply(h, 0.1))
    h = ops.concatenate([h, ops.abs(t)], axis=-1)
    s = ops.sum(ops.square(h), axis=-1, keepdims=True)
    h = ops.divide(h, ops.sqrt(s + 1.0))
    h = ops.expand_dims(h, axis=1)
    h = ops.squeeze(h, axis=1)
    h = ops.softmax(h, axis=-1)
    h = ops.cast(h, "float32")
    h = ops.transpose(ops.reshape(h, (-1, 11, 1)), (0, 2, 1))
    out = keras.layers.Dense(3, name="head")(ops.mean(h, axis=1))
    return keras.Model(x, ops.maximum(out, ops.negative(out)), name="ops_model")


def test_keras_file_with_ops_on_symbolic_tensors_loads(real_keras, tmp_path):
    real_keras.utils.set_random_seed(3)
    model = _ops_model(real_keras)
    path = str(tmp_path / "ops.keras")
    model.save(path)
    classes = {layer["class_name"] for layer in json.loads(_archive_config(path))["config"]["layers"]}
    assert {"ConvertToTensor", "Where", "Concatenate", "Sum", "Softmax", "Cast", "Transpose"} <= classes
    x = np.random.default_rng(0).normal(size=(4, 6)).astype("float32")
    expected = model.predict(x, verbose=0)
    loaded = kerastorch.saving.load_model(path)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, atol=1e-5, rtol=1e-5)
    # ...and what kerastorch writes back, real Keras reads.
    again = str(tmp_path / "again.keras")
    loaded.save(again)
    np.testing.assert_allclose(real_keras.saving.load_model(again).predict(x, verbose=0), expected,
                               atol=1e-5, rtol=1e-5)


def _archive_config(path) -> str:
    import zipfile
    with zipfile.ZipFile(path) as zf:
        return zf.read("config.json").decode()


def test_every_keras_operation_class_maps_onto_kerastorch_ops(real_keras):
    from keras.src.ops.operation import Operation
    missing, total = [], 0
    for family in ("numpy", "nn", "math", "core", "linalg", "image"):
        module = importlib.import_module(f"keras.src.ops.{family}")
        for name, cls in vars(module).items():
            if not (isinstance(cls, type) and issubclass(cls, Operation) and cls.__module__ == module.__name__):
                continue
            if "call" not in vars(cls) and cls.__subclasses__():
                continue  # a base class of other operations (SegmentReduction): never in a config
            total += 1
            if operation_layer_class(name, module.__name__) is None:
                missing.append(f"{family}.{name}")
    print(f"\n{total - len(missing)}/{total} Keras operation classes map onto kerastorch.ops")
    assert total > 300
    assert not missing, missing


def test_an_unknown_operation_is_an_unknown_layer():
    assert find_operation("NoSuchOperation") is None
    config = {"class_name": "Functional", "config": {
        "name": "m", "trainable": True, "input_layers": [["x", 0, 0]], "output_layers": [["op", 0, 0]],
        "layers": [{"class_name": "InputLayer", "name": "x", "inbound_nodes": [],
                    "config": {"batch_shape": [None, 2], "dtype": "float32", "name": "x"}},
                   {"module": "keras.src.ops.numpy", "class_name": "NoSuchOperation", "name": "op",
                    "config": {"name": "op"}, "registered_name": "NoSuchOperation",
                    "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {
                        "shape": [None, 2], "dtype": "float32", "keras_history": ["x", 0, 0]}}], "kwargs": {}}]}]}}
    with pytest.raises(ValueError, match="Unknown layer: 'NoSuchOperation'"):
        kerastorch.models.model_from_json(json.dumps(config))
