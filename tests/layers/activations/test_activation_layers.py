"""Advanced activation layers: ReLU options, LeakyReLU (negative_slope / Keras 2 alpha), PReLU shapes,
ELU, Softmax (axes, masks), configs."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import kerastorch as keras
from kerastorch import layers

X = np.linspace(-3, 3, 25, dtype="float32").reshape(5, 5)


def _run(layer, x=X):
    return layer(torch.from_numpy(x)).detach().numpy()


def test_relu_variants():
    np.testing.assert_allclose(_run(layers.ReLU()), np.maximum(X, 0))
    np.testing.assert_allclose(_run(layers.ReLU(max_value=6.0)), np.clip(X, 0, 6))
    np.testing.assert_allclose(_run(layers.ReLU(max_value=1.5)), np.clip(X, 0, 1.5))
    np.testing.assert_allclose(_run(layers.ReLU(negative_slope=0.1)), np.where(X >= 0, X, 0.1 * X), rtol=1e-6)
    ref = np.where(X > 0.2, np.minimum(X, 1.5), 0.1 * (X - 0.2))
    np.testing.assert_allclose(_run(layers.ReLU(max_value=1.5, negative_slope=0.1, threshold=0.2)), ref,
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_run(layers.ReLU(threshold=1.0)), np.where(X > 1.0, X, 0))
    with pytest.raises(ValueError):
        layers.ReLU(max_value=-1)
    with pytest.raises(ValueError):
        layers.ReLU(negative_slope=-0.1)


def test_leaky_relu_default_and_keras2_alpha():
    np.testing.assert_allclose(_run(layers.LeakyReLU()), np.where(X >= 0, X, 0.3 * X), rtol=1e-6)
    layer = layers.LeakyReLU(alpha=0.05)
    np.testing.assert_allclose(_run(layer), np.where(X >= 0, X, 0.05 * X), rtol=1e-6)
    assert layer.get_config()["negative_slope"] == 0.05
    assert layers.LeakyReLU.from_config({"name": "l", "alpha": 0.2}).negative_slope == 0.2


def test_prelu_shapes_and_values():
    p = layers.PReLU()
    p.build((None, 5))
    alpha = np.linspace(0, 1, 5, dtype="float32")
    p.set_weights([alpha])
    np.testing.assert_allclose(_run(p), np.where(X >= 0, X, alpha * X), rtol=1e-6)
    shared = layers.PReLU(shared_axes=[1, 2])
    shared(torch.zeros(2, 4, 4, 3))
    assert [w.shape for w in shared.get_weights()] == [(1, 1, 3)]
    assert shared.get_config()["shared_axes"] == [1, 2]
    assert isinstance(shared.alpha, torch.nn.Parameter)


def test_elu():
    np.testing.assert_allclose(_run(layers.ELU(alpha=0.7)), np.where(X > 0, X, 0.7 * (np.exp(X) - 1)), rtol=1e-5,
                               atol=1e-6)


def test_softmax_axes_and_mask():
    x = np.random.default_rng(0).normal(size=(2, 3, 4)).astype("float32")
    e = np.exp(x - x.max(axis=1, keepdims=True))
    np.testing.assert_allclose(_run(layers.Softmax(axis=1), x), e / e.sum(1, keepdims=True), rtol=1e-5)
    out = _run(layers.Softmax(axis=[1, 2]), x)
    np.testing.assert_allclose(out.sum(axis=(1, 2)), 1.0, rtol=1e-5)
    mask = np.array([[[1, 1, 0, 0]] * 3] * 2, dtype=bool)
    y = layers.Softmax()(torch.from_numpy(x), mask=torch.from_numpy(mask)).numpy()
    np.testing.assert_allclose(y[..., 2:], 0.0)
    e = np.exp(x[..., :2] - x[..., :2].max(-1, keepdims=True))
    np.testing.assert_allclose(y[..., :2], e / e.sum(-1, keepdims=True), rtol=1e-5)


def test_activation_layers_in_a_model_and_configs():
    inp = keras.Input((4,))
    out = layers.Softmax()(layers.ELU()(layers.LeakyReLU()(layers.ReLU(max_value=2.0)(inp))))
    model = keras.Model(inp, out)
    assert tuple(model(np.ones((2, 4), "float32")).shape) == (2, 4)
    for layer in [layers.ReLU(max_value=1.0, negative_slope=0.2, threshold=0.1), layers.ELU(alpha=0.5),
                  layers.Softmax(axis=1), layers.PReLU(shared_axes=1)]:
        cfg = layer.get_config()
        assert type(layer).from_config(cfg).get_config() == cfg
