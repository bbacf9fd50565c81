"""BatchNormalization: Keras 3 training math (biased variance, momentum update), inference with moving
stats, trainable=False -> inference mode, buffers, masks, channels_first, configs."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers.layer_check import check_layer

import kerastorch as keras
from kerastorch import layers

RNG = np.random.default_rng(7)


def _np(t):
    return t.detach().numpy()


def _bn_ref(x, mean, var, gamma, beta, eps):
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def test_training_step_matches_keras3_math_nhwc():
    x = RNG.normal(2.0, 3.0, size=(4, 5, 5, 3)).astype("float32")
    bn = layers.BatchNormalization(momentum=0.9, epsilon=1e-3)
    bn.build((None, 5, 5, 3))
    gamma, beta = RNG.normal(size=3).astype("float32"), RNG.normal(size=3).astype("float32")
    mm0, mv0 = RNG.normal(size=3).astype("float32"), RNG.uniform(0.5, 2, size=3).astype("float32")
    bn.set_weights([gamma, beta, mm0, mv0])
    y = bn(torch.from_numpy(x), training=True)
    mean, var = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))  # biased, like Keras 3
    np.testing.assert_allclose(_np(y), _bn_ref(x, mean, var, gamma, beta, 1e-3), atol=2e-5, rtol=1e-4)
    w = bn.get_weights()
    np.testing.assert_allclose(w[2], mm0 * 0.9 + mean * 0.1, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(w[3], mv0 * 0.9 + var * 0.1, rtol=1e-5, atol=1e-6)
    # The output is laid out like the input (NHWC) and has the same shape.
    assert tuple(y.shape) == x.shape


def test_inference_uses_moving_stats_and_does_not_update():
    x = RNG.normal(size=(6, 4)).astype("float32")
    bn = layers.BatchNormalization(epsilon=1e-2)
    bn.build((None, 4))
    w = [RNG.normal(size=4).astype("float32") for _ in range(3)] + [RNG.uniform(1, 2, 4).astype("float32")]
    bn.set_weights(w)
    y = bn(torch.from_numpy(x))  # training defaults to False
    np.testing.assert_allclose(_np(y), _bn_ref(x, w[2], w[3], w[0], w[1], 1e-2), atol=1e-5, rtol=1e-5)
    for a, b in zip(bn.get_weights(), w):
        np.testing.assert_array_equal(a, b)


def test_trainable_false_always_runs_in_inference_mode():
    x = torch.from_numpy(RNG.normal(5.0, 2.0, size=(8, 3)).astype("float32"))
    bn = layers.BatchNormalization()
    bn.build((None, 3))
    bn.trainable = False
    before = bn.get_weights()
    y = bn(x, training=True)
    np.testing.assert_allclose(_np(y), _np(x) / np.sqrt(1 + 1e-3), rtol=1e-5)
    for a, b in zip(bn.get_weights(), before):
        np.testing.assert_array_equal(a, b)
    bn.trainable = True
    bn(x, training=True)
    assert not np.allclose(bn.get_weights()[2], before[2])


def test_moving_stats_are_buffers_in_keras_order():
    bn = layers.BatchNormalization(name="bn")
    bn.build((None, 2))
    params = dict(bn.named_parameters())
    assert set(params) == {"gamma", "beta"}
    sd = bn.state_dict()
    assert {"moving_mean", "moving_variance"} <= set(sd)
    assert [w.shape for w in bn.get_weights()] == [(2,)] * 4
    assert len(bn.trainable_weights) == 2 and len(bn.non_trainable_weights) == 2
    # get_weights order: gamma, beta, moving_mean, moving_variance
    np.testing.assert_array_equal(np.stack(bn.get_weights()), [[1, 1], [0, 0], [0, 0], [1, 1]])


def test_center_scale_false_weight_list():
    bn = layers.BatchNormalization(scale=False)
    bn.build((None, 3))
    assert len(bn.get_weights()) == 3
    bn = layers.BatchNormalization(center=False, scale=False)
    bn.build((None, 3))
    assert len(bn.get_weights()) == 2


def test_channels_first_axis1_and_3d_input():
    x = RNG.normal(size=(3, 4, 6)).astype("float32")
    bn = layers.BatchNormalization(axis=1, momentum=0.5)
    y = bn(torch.from_numpy(x), training=True)
    mean, var = x.mean(axis=(0, 2)), x.var(axis=(0, 2))
    ref = (x - mean[None, :, None]) / np.sqrt(var[None, :, None] + 1e-3)
    np.testing.assert_allclose(_np(y), ref, atol=2e-5)
    np.testing.assert_allclose(bn.get_weights()[3], 0.5 + 0.5 * var, rtol=1e-5)
    x2 = RNG.normal(size=(3, 7, 4)).astype("float32")  # (B, T, C), axis=-1
    bn2 = layers.BatchNormalization()
    y2 = bn2(torch.from_numpy(x2), training=True)
    np.testing.assert_allclose(_np(y2), (x2 - x2.mean((0, 1))) / np.sqrt(x2.var((0, 1)) + 1e-3), atol=2e-5)


def test_masked_moments_ignore_padded_steps():
    x = RNG.normal(size=(2, 5, 3)).astype("float32")
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 0]], dtype=bool)
    x[~mask] = 100.0  # padding that must not influence the statistics
    bn = layers.BatchNormalization(momentum=0.0)
    bn(torch.from_numpy(x), training=True, mask=torch.from_numpy(mask))
    valid = x[mask]
    np.testing.assert_allclose(bn.get_weights()[2], valid.mean(0), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(bn.get_weights()[3], valid.var(0), rtol=1e-4, atol=1e-5)


def test_gradients_flow_in_training_mode():
    x = torch.from_numpy(RNG.normal(size=(5, 3)).astype("float32")).requires_grad_()
    bn = layers.BatchNormalization()
    y = bn(x, training=True)
    (y * torch.arange(3.0)).sum().backward()
    assert bn.gamma.grad is not None and x.grad is not None


def test_batch_of_one_in_training():
    bn = layers.BatchNormalization(momentum=0.0)
    y = bn(torch.ones(1, 3) * 2, training=True)
    np.testing.assert_allclose(_np(y), 0.0, atol=1e-6)
    np.testing.assert_allclose(bn.get_weights()[3], 0.0, atol=1e-7)


def test_fit_updates_moving_stats_in_functional_model():
    inp = keras.Input((3,))
    bn = layers.BatchNormalization(momentum=0.0, name="bn")
    model = keras.Model(inp, bn(inp))
    x = RNG.normal(1.0, 2.0, size=(16, 3)).astype("float32")
    model(x, training=True)
    np.testing.assert_allclose(bn.get_weights()[2], x.mean(0), rtol=1e-4, atol=1e-5)


def test_config_round_trip_and_keras2_keys():
    bn = layers.BatchNormalization(axis=1, momentum=0.9, epsilon=1e-5, center=False, name="b")
    cfg = bn.get_config()
    assert cfg["axis"] == 1 and cfg["momentum"] == 0.9 and cfg["center"] is False
    clone = layers.BatchNormalization.from_config(cfg)
    assert clone.get_config() == cfg
    k2 = layers.BatchNormalization(axis=[3], fused=None, renorm=False, renorm_clipping=None, renorm_momentum=0.99,
                                   virtual_batch_size=None, adjustment=None)
    assert k2.axis == 3
    with pytest.raises(ValueError, match="renorm"):
        layers.BatchNormalization(renorm=True)


def test_wrong_channel_count_raises():
    bn = layers.BatchNormalization(name="bn_err")
    bn(torch.zeros(2, 3))
    with pytest.raises(ValueError, match="bn_err"):
        bn(torch.zeros(2, 4))


# ------------------------------------------------------- common layer checks
@pytest.mark.parametrize("kwargs, input_shape, n_trainable", [
    ({}, (4, 3), 2),
    ({"axis": 1, "center": False}, (4, 3, 2, 2), 1),
])
def test_common_layer_checks(kwargs, input_shape, n_trainable):
    # Frozen, the layer runs in inference mode: its moving statistics stay put (checked by the helper).
    check_layer(layers.BatchNormalization, kwargs, input_shape, input_shape, n_trainable, 2)
