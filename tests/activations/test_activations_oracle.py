"""Every keras.activations function against real Keras 3.15.1 (values to 1e-5, same names)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import kerastorch

NAMES = ["celu", "elu", "exponential", "gelu", "glu", "hard_shrink", "hard_sigmoid", "hard_silu", "hard_swish",
         "hard_tanh", "leaky_relu", "linear", "log_sigmoid", "log_softmax", "mish", "relu", "relu6", "selu", "sigmoid",
         "silu", "soft_shrink", "softmax", "softplus", "softsign", "sparse_plus", "sparse_sigmoid", "sparsemax",
         "squareplus", "swish", "tanh", "tanh_shrink"]
X = np.random.default_rng(0).normal(size=(3, 6)).astype("float32") * 3


@pytest.mark.parametrize("name", NAMES)
def test_values_match_keras(real_keras, name):
    expected = real_keras.ops.convert_to_numpy(getattr(real_keras.activations, name)(torch.tensor(X)))
    got = getattr(kerastorch.activations, name)(torch.tensor(X))
    np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-5, atol=1e-6)
    assert kerastorch.activations.get(name) is getattr(kerastorch.activations, name)


def test_arguments_match_keras(real_keras):
    x = torch.tensor(X)
    cases = [("relu", {"negative_slope": 0.1, "max_value": 2.0, "threshold": 0.5}), ("elu", {"alpha": 0.5}),
             ("gelu", {"approximate": True}), ("softmax", {"axis": 0}), ("leaky_relu", {"negative_slope": 0.3}),
             ("threshold", {"threshold": 0.2, "default_value": -1.0}), ("celu", {"alpha": 2.0})]
    for name, kwargs in cases:
        expected = real_keras.ops.convert_to_numpy(getattr(real_keras.activations, name)(x, **kwargs))
        np.testing.assert_allclose(np.asarray(getattr(kerastorch.activations, name)(x, **kwargs)), expected,
                                   rtol=1e-5, atol=1e-6, err_msg=name)


def test_serialize_names_match_keras(real_keras):
    for name in ("relu", "sparsemax", "threshold", "swish"):
        assert kerastorch.activations.serialize(kerastorch.activations.get(name)) == \
            real_keras.activations.serialize(real_keras.activations.get(name))
