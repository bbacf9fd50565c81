"""Shared test fixtures: kerastorch under its Keras name, real Keras (the oracle), one tiny model."""
from __future__ import annotations

import os

import numpy as np
import pytest
import torch

torch.set_num_threads(1)


@pytest.fixture(scope="session")
def real_keras():
    """Real Keras 3 (the test oracle) on its torch backend, in this process; skips where it is not installed."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip("the oracle needs KERAS_BACKEND=torch (set before keras is first imported)")
    return keras


@pytest.fixture
def keras():
    """The package under its Keras name, with a fresh naming session (like keras.backend.clear_session)."""
    import kerastorch
    kerastorch.backend.clear_session(free_memory=False)  # fresh names; a gc pass per test costs ~0.6 s
    return kerastorch


@pytest.fixture
def tiny_model(keras):
    """A small compiled classifier on 4 features and 3 classes, with its data."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input(shape=(4,)),
        keras.layers.Dense(8, activation="relu", name="hidden"),
        keras.layers.Dense(3, activation="softmax", name="out"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("int64") + (x[:, 1] > 1).astype("int64")
    return model, x, y
