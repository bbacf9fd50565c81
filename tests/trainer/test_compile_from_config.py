"""``Model.compile_from_config`` (the Keras 3 API): a compile config written by real Keras or by
kerastorch recompiles a model with the same optimizer, loss and metrics."""
from __future__ import annotations

import os

import numpy as np
import pytest

import kerastorch as keras
from kerastorch.saving import config_dialects


def _model(k):
    return k.Sequential([k.Input((3,)), k.layers.Dense(2)])


def test_compile_config_written_by_keras(tmp_path):
    os.environ["KERAS_BACKEND"] = "torch"
    real = pytest.importorskip("keras")
    ref = _model(real)
    ref.compile(optimizer=real.optimizers.Adam(learning_rate=0.0123, beta_1=0.8), loss="mse", metrics=["mae"])
    model = _model(keras)
    model.compile_from_config(ref.get_compile_config())
    assert type(model.optimizer).__name__ == "Adam"
    assert model.optimizer.get_config()["beta_1"] == pytest.approx(0.8)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.0123)
    x, y = np.ones((4, 3), "float32"), np.zeros((4, 2), "float32")
    history = model.fit(x, y, epochs=1, verbose=0)
    assert set(history.history) == {"loss", "mae"}


def test_compile_config_round_trip():
    model = _model(keras)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5, momentum=0.9), loss="mae",
                  metrics=["mse"])
    clone = _model(keras)
    clone.compile_from_config(config_dialects.compile_config(model))
    assert type(clone.optimizer).__name__ == "SGD"
    assert clone.optimizer.get_config()["momentum"] == pytest.approx(0.9)
    assert clone.loss == "mae"


def test_a_broken_compile_config_keeps_its_error_type():
    model = _model(keras)
    with pytest.raises(ValueError):
        model.compile_from_config({"optimizer": {"class_name": "NoSuchOptimizer", "config": {}}, "loss": "mse"})
