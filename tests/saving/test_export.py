"""Model.export in Keras 3's spelling: format="onnx" (torch's dynamo exporter) run in onnxruntime, and
format="torch" (a torch.export program in .pt2), both equal to predict within 1e-5 at a batch size other than
the traced one; Keras's argument checks and the refusal of formats that need other frameworks."""
from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest
import torch
from helpers.layer_check import real_keras
from torch import nn


def _model(keras):
    inp = keras.Input((6,), name="features")
    h = keras.layers.Dense(8, activation="relu")(inp)
    h = keras.layers.BatchNormalization()(h)
    h = keras.layers.Dropout(0.5)(h)
    return keras.Model(inp, keras.layers.Dense(3, activation="softmax")(h))


def _x(n=5, d=6, seed=0):
    return np.random.default_rng(seed).normal(size=(n, d)).astype("float32")


def _onnx_session(path):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnxscript")
    return ort.InferenceSession(path)


@pytest.mark.slow
def test_onnx_export_runs_in_onnxruntime(keras, tmp_path):
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnxscript")
    model = _model(keras)
    model.compile("adam", "mse")
    model.fit(_x(16), np.zeros((16, 3), "float32"), epochs=1, verbose=0)  # moving statistics not at init
    path = str(tmp_path / "model.onnx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.export(path, format="onnx", verbose=False)
    session = _onnx_session(path)
    assert [i.name for i in session.get_inputs()] == ["features"]
    for n in (1, 7):  # any batch size: the batch dimension is dynamic
        x = _x(n, seed=n)
        np.testing.assert_allclose(session.run(None, {"features": x})[0], model.predict(x, verbose=0), atol=1e-5)
    assert not model.training


@pytest.mark.slow
def test_onnx_export_of_multi_input_model_with_a_torch_module(keras, tmp_path):
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnxscript")
    a, b = keras.Input((3,), name="a"), keras.Input((2,), name="b")
    h = keras.layers.Concatenate()([a, b])
    model = keras.Model([a, b], nn.Linear(5, 2)(h))
    path = str(tmp_path / "multi.onnx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.export(path, format="onnx", verbose=False)
    session = _onnx_session(path)
    xa, xb = _x(4, 3), _x(4, 2, seed=1)
    np.testing.assert_allclose(session.run(None, {"a": xa, "b": xb})[0], model.predict([xa, xb], verbose=0),
                               atol=1e-5)


def test_torch_export_program(keras, tmp_path):
    model = _model(keras)
    path = str(tmp_path / "model.pt2")
    assert model.export(path, format="torch", verbose=False) == path
    program = torch.export.load(path).module()
    for n in (1, 9):
        x = _x(n, seed=n)
        np.testing.assert_allclose(program(torch.from_numpy(x)).detach().numpy(), model.predict(x, verbose=0),
                                   atol=1e-5)


def test_torch_export_of_subclassed_model_with_input_signature(keras, tmp_path):
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.body = keras.layers.Dense(4)

        def call(self, x):
            return torch.tanh(self.body(x))

    net = Net()
    with pytest.raises(ValueError, match="input_signature"):
        net.export(str(tmp_path / "n.pt2"), format="torch", verbose=False)
    path = str(tmp_path / "net.pt2")
    net.export(path, format="torch", verbose=False, input_signature=[keras.InputSpec(shape=(None, 3))])
    x = torch.randn(5, 3)
    torch.testing.assert_close(torch.export.load(path).module()(x), net(x))


def test_export_arguments_and_formats(keras, tmp_path, capsys):
    model = _model(keras)
    with pytest.raises(ValueError, match="end with '.pt2'"):
        model.export(str(tmp_path / "m.pt"), format="torch")
    with pytest.raises(ValueError, match="Unsupported arguments"):
        model.export(str(tmp_path / "m.pt2"), format="torch", nonsense=1)
    with pytest.raises(ValueError, match="Unrecognized format"):
        model.export(str(tmp_path / "m"), format="keras")
    for fmt in ("tf_saved_model", "openvino", "litert"):
        with pytest.raises(ValueError, match='format="onnx"'):
            model.export(str(tmp_path / "m"), format=fmt)
    model.export(str(tmp_path / "m.pt2"), format="torch")
    assert "Saved artifact at" in capsys.readouterr().out


def test_export_signature_matches_keras3(keras):
    real = real_keras()
    if not real:
        pytest.skip("real Keras is not installed")
    theirs = inspect.signature(real.Model.export)
    ours = inspect.signature(keras.Model.export)
    assert list(ours.parameters) == list(theirs.parameters)
    assert [p.default for p in ours.parameters.values()] == [p.default for p in theirs.parameters.values()]
