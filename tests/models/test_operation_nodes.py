"""Tensor arithmetic in functional models is an operation node, as in Keras 3.

``x + 3.0`` or ``x * (1 / 6)`` on a KerasTensor is recorded (``add``, ``multiply``) but is
not a layer: ``model.layers`` leaves it out, ``model.operations`` has it, ``summary``
shows it as ``add (Add)``, and ``get_config`` writes it as Keras's op entry. Checked
against real Keras 3 built the same way (MobileNetV3's hard sigmoid and ConvNeXt's
residual rely on this for their layer lists).
"""
from __future__ import annotations

import json
import os

import numpy as np
import pytest


@pytest.fixture(scope="module")
def real_keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip("the oracle needs KERAS_BACKEND=torch")
    return keras


def _build(k):
    k.backend.clear_session()
    inputs = k.Input((4,), name="x")
    d = k.layers.Dense(3, name="d")(inputs)
    gate = k.layers.ReLU(6.0)(d + 3.0) * (1.0 / 6.0)  # MobileNetV3's hard sigmoid
    y = k.layers.Dense(3, name="e")(gate)
    out = (y - d) / 2.0 + k.layers.Dense(3, name="f")(-y)
    return k.Model(inputs, out, name="ops")


def _op_entries(config: dict) -> list[dict]:
    config = json.loads(json.dumps(config))  # as written to a file (Keras's config holds tuples)
    return [e for e in config["layers"] if e["module"].startswith("keras.src.ops")]


def test_layers_leave_operations_out_like_keras(keras, real_keras):
    ours, theirs = _build(keras), _build(real_keras)
    assert [l.name for l in ours.layers] == [l.name for l in theirs.layers] == ["x", "d", "re_lu", "e", "f"]
    assert [o.name for o in ours.operations] == [o.name for o in theirs.operations]
    assert "add" in [o.name for o in ours.operations]
    with pytest.raises(ValueError):
        ours.get_layer("add")  # not a layer, as in Keras


def test_summary_lists_operations_like_keras(keras, real_keras):
    texts = []
    for k in (keras, real_keras):
        printed = []
        _build(k).summary(print_fn=printed.append)
        texts.append(printed[0])
    assert "multiply (Multiply)" in texts[1]
    assert texts[0] == texts[1]


def test_config_writes_operations_as_keras(keras, real_keras):
    ours, theirs = _build(keras).get_config(), _build(real_keras).get_config()
    assert [e["name"] for e in ours["layers"]] == [e["name"] for e in theirs["layers"]]
    assert _op_entries(ours) == _op_entries(theirs)
    assert [e["class_name"] for e in _op_entries(ours)] == ["Add", "Multiply", "Subtract", "Negative", "TrueDivide",
                                                             "Add"]


def test_keras_config_with_operations_loads_and_computes_the_same(keras, real_keras):
    theirs = _build(real_keras)
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    expected = np.asarray(theirs.predict(x, verbose=0))
    ours = keras.Model.from_config(theirs.get_config())
    assert [l.name for l in ours.layers] == [l.name for l in theirs.layers]
    ours.set_weights([np.asarray(w) for w in theirs.get_weights()])
    np.testing.assert_allclose(ours.predict(x, verbose=0), expected, atol=1e-6)
