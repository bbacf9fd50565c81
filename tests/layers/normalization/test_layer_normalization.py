"""LayerNormalization (single and multi-axis, rms_scaling), GroupNormalization and UnitNormalization vs numpy."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers.layer_check import check_layer

from kerastorch import layers

RNG = np.random.default_rng(3)


def _np(t):
    return t.detach().numpy()


def _ln_ref(x, axes, gamma, beta, eps):
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def test_last_axis_matches_numpy():
    x = RNG.normal(size=(2, 5, 8)).astype("float32")
    ln = layers.LayerNormalization()
    ln.build((None, 5, 8))
    g, b = RNG.normal(size=8).astype("float32"), RNG.normal(size=8).astype("float32")
    ln.set_weights([g, b])
    np.testing.assert_allclose(_np(ln(torch.from_numpy(x))), _ln_ref(x, -1, g, b, 1e-3), atol=2e-5, rtol=1e-4)


def test_multi_axis_gamma_shape_and_values():
    x = RNG.normal(size=(3, 5, 8)).astype("float32")
    ln = layers.LayerNormalization(axis=[1, 2], epsilon=1e-6)
    y = ln(torch.from_numpy(x))
    assert tuple(ln.gamma.shape) == (5, 8) and tuple(ln.beta.shape) == (5, 8)
    assert [w.shape for w in ln.get_weights()] == [(5, 8), (5, 8)]
    np.testing.assert_allclose(_np(y), _ln_ref(x, (1, 2), 1, 0, 1e-6), atol=2e-5)
    g = RNG.normal(size=(5, 8)).astype("float32")
    ln.set_weights([g, np.zeros((5, 8), "float32")])
    np.testing.assert_allclose(_np(ln(torch.from_numpy(x))), _ln_ref(x, (1, 2), g, 0, 1e-6), atol=2e-5, rtol=1e-4)


def test_non_trailing_axis():
    x = RNG.normal(size=(2, 4, 3)).astype("float32")
    ln = layers.LayerNormalization(axis=1)
    ln.build((None, 4, 3))
    g = RNG.normal(size=4).astype("float32")
    ln.set_weights([g, np.zeros(4, "float32")])
    ref = _ln_ref(x, 1, g[None, :, None], 0, 1e-3)
    np.testing.assert_allclose(_np(ln(torch.from_numpy(x))), ref, atol=2e-5, rtol=1e-4)


def test_center_false_and_rms_scaling():
    ln = layers.LayerNormalization(center=False)
    ln.build((None, 4))
    assert [w.shape for w in ln.get_weights()] == [(4,)]
    x = RNG.normal(size=(3, 4)).astype("float32")
    rms = layers.LayerNormalization(rms_scaling=True)
    y = rms(torch.from_numpy(x))
    assert len(rms.get_weights()) == 1
    np.testing.assert_allclose(_np(y), x / np.sqrt(x.var(-1, keepdims=True) + 1e-3), atol=2e-5)


def test_config_stores_list_axis():
    ln = layers.LayerNormalization(epsilon=1e-6, name="ln")
    ln.build((None, 4))
    cfg = ln.get_config()
    assert cfg["axis"] == [-1] and cfg["epsilon"] == 1e-6
    assert layers.LayerNormalization.from_config(cfg).get_config()["epsilon"] == 1e-6
    with pytest.raises(TypeError):
        layers.LayerNormalization(axis="x")


def test_group_normalization_matches_numpy():
    x = RNG.normal(size=(2, 3, 3, 6)).astype("float32")
    gn = layers.GroupNormalization(groups=2)
    y = _np(gn(torch.from_numpy(x)))
    xr = x.reshape(2, 3, 3, 2, 3)
    ref = (xr - xr.mean(axis=(1, 2, 4), keepdims=True)) / np.sqrt(xr.var(axis=(1, 2, 4), keepdims=True) + 1e-3)
    np.testing.assert_allclose(y, ref.reshape(x.shape), atol=2e-5)
    assert [w.shape for w in gn.get_weights()] == [(6,), (6,)]
    with pytest.raises(ValueError, match="groups"):
        layers.GroupNormalization(groups=4)(torch.zeros(1, 6))


def test_unit_normalization():
    x = RNG.normal(size=(4, 5)).astype("float32")
    y = _np(layers.UnitNormalization()(torch.from_numpy(x)))
    np.testing.assert_allclose(np.linalg.norm(y, axis=-1), 1.0, rtol=1e-5)
    y2 = _np(layers.UnitNormalization(axis=[1, 2])(torch.from_numpy(x.reshape(2, 2, 5))))
    np.testing.assert_allclose(np.sqrt((y2 ** 2).sum(axis=(1, 2))), 1.0, rtol=1e-5)


# ------------------------------------------------------- common layer checks
@pytest.mark.parametrize("cls, kwargs, input_shape, n_trainable", [
    (layers.LayerNormalization, {}, (2, 5), 2),
    (layers.LayerNormalization, {"axis": (1, 2), "scale": False}, (2, 3, 4), 1),
    (layers.GroupNormalization, {"groups": 2}, (2, 3, 4), 2),
    (layers.UnitNormalization, {}, (2, 5), 0),
], ids=lambda v: v.__name__ if isinstance(v, type) else None)
def test_common_layer_checks(cls, kwargs, input_shape, n_trainable):
    check_layer(cls, kwargs, input_shape, input_shape, n_trainable, 0)
