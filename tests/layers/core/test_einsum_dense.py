"""EinsumDense: Keras's kernel/bias shape derivation, values vs numpy einsum, errors, config."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers.layer_check import check_layer

import kerastorch as keras
from kerastorch import layers
from kerastorch.layers.core.einsum_dense import analyze_einsum_string

RNG = np.random.default_rng(5)


@pytest.mark.parametrize("equation,bias_axes,input_shape,output_shape,kernel,bias,full", [
    ("ab,bc->ac", "c", (None, 32), 64, [32, 64], [64], [None, 64]),
    ("abc,cd->abd", "d", (None, 5, 8), (None, 6), [8, 6], [6], [None, None, 6]),
    ("abc,cde->abde", "de", (None, 5, 8), (None, 2, 3), [8, 2, 3], [2, 3], [None, None, 2, 3]),
    ("abc,cd->abd", "b", (None, 5, 8), (5, 6), [8, 6], [5, 1], [None, 5, 6]),
    ("...b,bc->...c", "c", (None, 4, 7), 3, [7, 3], [3], [None, 4, 3]),
    ("ab...,bc->ac...", "c", (None, 7, 4), 3, [7, 3], [3, 1], [None, 3, 4]),
    ("abcd,cde->abe", None, (None, 2, 3, 4), (2, 5), [3, 4, 5], None, [None, 2, 5]),
])
def test_shape_derivation_matches_keras(equation, bias_axes, input_shape, output_shape, kernel, bias, full):
    k, b, f = analyze_einsum_string(equation, bias_axes, input_shape, output_shape)
    assert list(k) == kernel and (b is None if bias is None else list(b) == bias) and list(f) == full


def test_values_vs_numpy_and_symbolic_shape():
    x = keras.Input((5, 8))
    layer = layers.EinsumDense("abc,cde->abde", output_shape=(None, 2, 3), bias_axes="de", activation="relu")
    y = layer(x)
    assert tuple(y.shape) == (None, 5, 2, 3)
    assert [w.shape for w in layer.get_weights()] == [(8, 2, 3), (2, 3)]
    kernel, bias = RNG.normal(size=(8, 2, 3)).astype("float32"), RNG.normal(size=(2, 3)).astype("float32")
    layer.set_weights([kernel, bias])
    xv = RNG.normal(size=(4, 5, 8)).astype("float32")
    out = layer(torch.from_numpy(xv)).detach().numpy()
    np.testing.assert_allclose(out, np.maximum(np.einsum("abc,cde->abde", xv, kernel) + bias, 0), rtol=1e-5,
                               atol=1e-5)


def test_errors_name_the_layer():
    with pytest.raises(ValueError, match="ein_bad"):
        layers.EinsumDense("abc,cd->abd", output_shape=(4, 6), name="ein_bad")(torch.zeros(2, 5, 8))
    with pytest.raises(ValueError, match="Bias dimension 'z'"):
        layers.EinsumDense("ab,bc->ac", output_shape=4, bias_axes="z")(torch.zeros(2, 3))
    with pytest.raises(ValueError, match="Invalid einsum equation"):
        layers.EinsumDense("a,b,c", output_shape=4)(torch.zeros(2, 3))


def test_config_round_trip():
    layer = layers.EinsumDense("ab,bc->ac", output_shape=4, bias_axes="c", activation="tanh", name="ed")
    cfg = layer.get_config()
    assert cfg["output_shape"] == [4] and cfg["equation"] == "ab,bc->ac" and cfg["bias_axes"] == "c"
    clone = layers.EinsumDense.from_config(cfg)
    assert clone.get_config() == cfg
    layers.EinsumDense.from_config({**cfg, "quantization_config": None})  # a Keras 3 config key


# ------------------------------------------------------- common layer checks
@pytest.mark.parametrize("kwargs, input_shape, output_shape, n_trainable", [
    ({"equation": "abc,cd->abd", "output_shape": (None, 5), "bias_axes": "d"}, (2, 3, 4), (2, 3, 5), 2),
    ({"equation": "ab,bc->ac", "output_shape": 4}, (2, 3), (2, 4), 1),
    ({"equation": "...b,bc->...c", "output_shape": 4, "bias_axes": "c"}, (2, 5, 3), (2, 5, 4), 2),
])
def test_common_layer_checks(kwargs, input_shape, output_shape, n_trainable):
    check_layer(layers.EinsumDense, kwargs, input_shape, output_shape, n_trainable)
