"""Normalization (adapt vs numpy on arrays/tensors/batches, weights round trip, fixed mean/variance,
invert, axis variants) and Rescaling."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import kerastorch as keras
from kerastorch import layers

RNG = np.random.default_rng(42)


def _np(t):
    return t.detach().numpy()


def test_adapt_numpy_matches_numpy_stats():
    data = RNG.normal(3.0, 2.0, size=(100, 4)).astype("float32")
    norm = layers.Normalization()
    norm.adapt(data)
    mean, var, count = norm.get_weights()
    np.testing.assert_allclose(mean, data.mean(0), rtol=1e-5)
    np.testing.assert_allclose(var, data.var(0), rtol=1e-5)  # population variance
    assert int(count) == 100
    out = _np(norm(data))
    np.testing.assert_allclose(out, (data - data.mean(0)) / data.std(0), rtol=1e-4, atol=1e-5)


def test_adapt_batches_and_tensor_and_axis_variants():
    data = RNG.normal(size=(60, 3, 5)).astype("float32")
    by_batches = layers.Normalization(axis=-1)
    by_batches.adapt([data[:17], data[17:40], data[40:]])
    np.testing.assert_allclose(by_batches.get_weights()[0], data.mean((0, 1)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(by_batches.get_weights()[1], data.var((0, 1)), rtol=1e-5)
    pairs = layers.Normalization(axis=(1, 2))
    pairs.adapt([(data[:30], np.zeros(30)), (data[30:], np.zeros(30))])  # (x, y) batches
    assert pairs.get_weights()[0].shape == (3, 5)
    np.testing.assert_allclose(pairs.get_weights()[1], data.var(0), rtol=1e-5)
    whole = layers.Normalization(axis=None)
    whole.adapt(torch.from_numpy(data))
    np.testing.assert_allclose(whole.get_weights()[0], data.mean(), rtol=1e-5)
    assert whole.get_weights()[0].shape == ()


def test_state_survives_get_set_weights_and_is_non_trainable():
    data = RNG.normal(1.0, 3.0, size=(50, 3)).astype("float32")
    a = layers.Normalization()
    a.adapt(data)
    assert not list(a.parameters()) and len(a.non_trainable_weights) == 3
    assert {"mean", "variance", "count"} <= set(a.state_dict())
    b = layers.Normalization()
    b.build((None, 3))
    b.set_weights(a.get_weights())
    x = RNG.normal(size=(4, 3)).astype("float32")
    np.testing.assert_allclose(_np(b(x)), _np(a(x)), rtol=1e-6)
    inp = keras.Input((3,))
    model = keras.Model(inp, layers.Normalization()(inp))
    model.set_weights(a.get_weights())
    np.testing.assert_allclose(_np(model(x)), _np(a(x)), rtol=1e-6)


def test_fixed_mean_variance_and_invert():
    norm = layers.Normalization(mean=3.0, variance=2.0)
    x = np.array([[1.0], [2.0], [3.0]], "float32")
    np.testing.assert_allclose(_np(norm(x)), (x - 3) / np.sqrt(2), rtol=1e-6)
    assert norm.get_weights() == []
    assert norm.get_config()["mean"] == 3.0
    per_feature = layers.Normalization(mean=[1.0, 2.0], variance=[4.0, 9.0])
    np.testing.assert_allclose(_np(per_feature(np.array([[3.0, 5.0]], "float32"))), [[1.0, 1.0]])
    inv = layers.Normalization(invert=True)
    inv.adapt(np.array([[0.0, 7, 4], [2, 9, 6], [0, 7, 4], [2, 9, 6]], "float32"))
    np.testing.assert_allclose(_np(inv(np.array([[1.0, 2, 3]], "float32"))), [[2.0, 10, 8]], rtol=1e-6)
    with pytest.raises(ValueError):
        layers.Normalization(mean=1.0)


def test_zero_variance_uses_epsilon_and_shape_errors():
    norm = layers.Normalization()
    norm.adapt(np.ones((5, 2), "float32"))
    assert np.isfinite(_np(norm(np.ones((1, 2), "float32")))).all()
    with pytest.raises(ValueError, match="incompatible"):
        norm.adapt(np.ones((5, 3), "float32"))


def test_config_round_trip():
    norm = layers.Normalization(axis=(1, 2), invert=True, name="n")
    cfg = norm.get_config()
    assert cfg["axis"] == [1, 2] and cfg["invert"] is True and cfg["mean"] is None
    assert layers.Normalization.from_config(cfg).axis == (1, 2)


def test_rescaling():
    x = np.arange(6, dtype="float32").reshape(1, 6)
    np.testing.assert_allclose(_np(layers.Rescaling(0.5, offset=-1.0)(x)), x * 0.5 - 1)
    per_channel = layers.Rescaling([1.0, 2.0, 3.0])
    np.testing.assert_allclose(_np(per_channel(np.ones((1, 2, 3), "float32")))[0, 0], [1, 2, 3])
    uint8 = torch.full((1, 2), 255, dtype=torch.uint8)
    out = layers.Rescaling(1 / 255)(uint8)
    assert out.dtype == torch.float32 and np.allclose(_np(out), 1.0)
    cfg = layers.Rescaling(0.5, offset=1.0).get_config()
    assert cfg["scale"] == 0.5 and cfg["offset"] == 1.0
