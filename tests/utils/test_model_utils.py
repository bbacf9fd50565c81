"""keras.utils.get_source_inputs / is_keras_tensor on functional graphs (as real Keras 3.15.1)."""
from __future__ import annotations

import numpy as np

import kerastorch


def _graph(lib):
    a, b = lib.Input((3,), name="a"), lib.Input((3,), name="b")
    hidden = lib.layers.Dense(3)(a)
    out = lib.layers.Add()([hidden, b])
    return a, b, hidden, out


def test_get_source_inputs_finds_the_inputs(real_keras):
    for lib in (real_keras, kerastorch):
        a, b, hidden, out = _graph(lib)
        assert [t.name for t in lib.utils.get_source_inputs(out)] == [a.name, b.name]
        assert lib.utils.get_source_inputs(hidden)[0] is a
        assert lib.utils.get_source_inputs(a) == [a]


def test_is_keras_tensor(real_keras):
    for lib in (real_keras, kerastorch):
        a = lib.Input((2,))
        assert lib.utils.is_keras_tensor(a) and lib.backend.is_keras_tensor(a)
        assert not lib.utils.is_keras_tensor(np.zeros(2))
