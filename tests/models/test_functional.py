"""Functional models against real Keras 3: how a call standardizes its inputs."""
from __future__ import annotations

import numpy as np
import pytest


def test_input_rank_adjusted_as_keras_does(keras, real_keras):
    """(n,) feeds Input(shape=(1,)); (n, d, 1) feeds Input(shape=(d,)); anything else is an error (Keras 3)."""
    for lib in (keras, real_keras):
        single = lib.Input(shape=(1,))
        m1 = lib.Model(single, lib.layers.Dense(2, kernel_initializer="ones")(single))
        wide = lib.Input(shape=(3,))
        m3 = lib.Model(wide, lib.layers.Dense(2, kernel_initializer="ones")(wide))
        x = np.arange(4, dtype="float32")
        np.testing.assert_allclose(m1.predict(x, verbose=0), np.repeat(x[:, None], 2, axis=1))
        assert tuple(m1(x).shape) == (4, 2)
        np.testing.assert_allclose(m3.predict(np.ones((4, 3, 1), "float32"), verbose=0), np.full((4, 2), 3.0))
        with pytest.raises(ValueError):
            m3.predict(np.ones((4,), "float32"), verbose=0)
