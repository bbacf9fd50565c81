"""Dense and Activation: the common layer checks (build, symbolic call, config, weights, training,
frozen, real Keras's values), Keras's input check, N-D inputs."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers.layer_check import check_layer

from kerastorch import layers


@pytest.mark.parametrize("kwargs, input_shape, output_shape, n_trainable", [
    ({"units": 3, "activation": "relu"}, (2, 4), (2, 3), 2),
    ({"units": 3, "use_bias": False, "activation": "tanh"}, (2, 3, 4), (2, 3, 3), 1),
    ({"units": 2, "kernel_regularizer": "l2", "activity_regularizer": "l1"}, (3, 4), (3, 2), 2),
])
def test_dense_common_layer_checks(kwargs, input_shape, output_shape, n_trainable):
    check_layer(layers.Dense, kwargs, input_shape, output_shape, n_trainable, 0)


def test_activation_common_layer_checks():
    check_layer(layers.Activation, {"activation": "softmax"}, (2, 5), (2, 5), 0, 0)


def test_dense_n_d_input_matches_matmul():
    dense = layers.Dense(2, bias_initializer="ones")
    x = torch.randn(2, 3, 4)
    out = dense(x)
    torch.testing.assert_close(out, x @ dense.kernel.detach() + 1.0)


def test_dense_rejects_a_different_last_axis_and_an_undefined_one():
    dense = layers.Dense(2)
    dense(np.ones((1, 3), "float32"))
    with pytest.raises(ValueError, match=r"expected axis -1 of input shape to have value 3.*\(1, 5\)"):
        dense(np.ones((1, 5), "float32"))
    with pytest.raises(ValueError, match="should be defined"):
        layers.Dense(2).build((None, None))
    with pytest.raises(ValueError, match="expected a positive integer"):
        layers.Dense(0)


def test_dense_quantization_config_other_than_none_is_refused():
    assert layers.Dense(2, quantization_config=None).get_config()["quantization_config"] is None
    with pytest.raises(ValueError, match="quantization is not supported"):
        layers.Dense(2, quantization_config={"mode": "int8"})
