"""``model.input_shape`` / ``model.output_shape`` equal real Keras 3's (tuples with a None batch)."""
from __future__ import annotations

import numpy as np
import pytest

import kerastorch


def _sequential(lib):
    return lib.Sequential([lib.Input((4,)), lib.layers.Dense(8), lib.layers.Reshape((2, 4)), lib.layers.Dense(3)])


def _built_sequential(lib):
    model = lib.Sequential([lib.layers.Dense(3)])
    model.build((None, 7))
    return model


def _multi_io(lib):
    a, b = lib.Input((4,)), lib.Input((2, 5))
    return lib.Model([a, b], [lib.layers.Dense(2)(a), lib.layers.Dense(3)(b)])


def _dict_io(lib):
    a = lib.Input((4,), name="a")
    return lib.Model({"a": a}, {"o": lib.layers.Dense(2, name="o")(a)})


def _single(lib):
    x = lib.Input((5, 6))
    return lib.Model(x, lib.layers.Conv1D(4, 3)(x))


@pytest.mark.parametrize("build", [_sequential, _built_sequential, _multi_io, _dict_io, _single])
def test_shapes_match_keras(real_keras, build):
    ours, theirs = build(kerastorch), build(real_keras)
    assert ours.input_shape == theirs.input_shape
    assert ours.output_shape == theirs.output_shape


def test_unbuilt_sequential_has_no_shapes():
    model = kerastorch.Sequential([kerastorch.layers.Dense(3)])
    with pytest.raises(AttributeError):
        _ = model.output_shape
    model(np.zeros((2, 5), "float32"))
    assert model.output_shape == (None, 3)
