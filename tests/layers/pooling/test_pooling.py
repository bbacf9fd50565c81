"""Pooling layers: TensorFlow "same" semantics (valid-only averages, -inf max padding), shapes,
data formats, global pooling with masks, configs and errors."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from helpers.layer_check import check_layer

import kerastorch as keras
from kerastorch import layers

RNG = np.random.default_rng(7)


def _rand(*shape):
    return RNG.normal(size=shape).astype("float32")


def _np(t):
    return t.detach().numpy()


def tf_same_pads(n, k, s):
    out = math.ceil(n / s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def ref_pool2d(x, pool, strides, padding, mode):
    """NHWC; windows over the valid elements only (TensorFlow semantics)."""
    n_h, n_w = x.shape[1:3]
    if padding == "same":
        (t, _), (l, _) = tf_same_pads(n_h, pool[0], strides[0]), tf_same_pads(n_w, pool[1], strides[1])
        oh, ow = math.ceil(n_h / strides[0]), math.ceil(n_w / strides[1])
    else:
        t = l = 0
        oh, ow = (n_h - pool[0]) // strides[0] + 1, (n_w - pool[1]) // strides[1] + 1
    out = np.zeros((x.shape[0], oh, ow, x.shape[3]), dtype=np.float64)
    for i in range(oh):
        for j in range(ow):
            h0, w0 = i * strides[0] - t, j * strides[1] - l
            win = x[:, max(h0, 0): h0 + pool[0], max(w0, 0): w0 + pool[1], :]
            out[:, i, j, :] = win.max(axis=(1, 2)) if mode == "max" else win.mean(axis=(1, 2))
    return out


@pytest.mark.parametrize("size", [6, 7, 8, 9])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("pool", [2, 3, 4])
@pytest.mark.parametrize("mode", ["max", "average"])
def test_pool2d_same_matches_tensorflow(size, stride, pool, mode):
    x = _rand(2, size, size + 1, 3)
    cls = layers.MaxPooling2D if mode == "max" else layers.AveragePooling2D
    y = cls(pool, strides=stride, padding="same")(torch.from_numpy(x))
    assert tuple(y.shape) == (2, math.ceil(size / stride), math.ceil((size + 1) / stride), 3)
    np.testing.assert_allclose(_np(y), ref_pool2d(x, (pool, pool), (stride, stride), "same", mode), atol=1e-6)


@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize("pool, strides", [((2, 2), None), ((2, 3), (1, 2)), ((3, 3), (2, 1))])
def test_pool2d_valid(mode, pool, strides):
    x = _rand(2, 7, 9, 3)
    cls = layers.MaxPooling2D if mode == "max" else layers.AveragePooling2D
    y = cls(pool, strides=strides)(torch.from_numpy(x))
    np.testing.assert_allclose(_np(y), ref_pool2d(x, pool, strides or pool, "valid", mode), atol=1e-6)


def test_max_pool_same_pads_with_minus_infinity():
    x = -torch.ones(1, 3, 3, 1) - torch.arange(9.0).reshape(1, 3, 3, 1)  # all negative
    y = layers.MaxPooling2D(2, padding="same")(x)
    assert tuple(y.shape) == (1, 2, 2, 1)
    np.testing.assert_allclose(_np(y)[0, :, :, 0], [[-1, -3], [-7, -9]])


def test_average_pool_same_counts_valid_elements_only():
    x = torch.ones(1, 5, 1)
    y = layers.AveragePooling1D(4, strides=1, padding="same")(x)  # pads (1, 2): asymmetric
    np.testing.assert_allclose(_np(y), 1.0)
    x = torch.arange(1.0, 6.0).reshape(1, 5, 1)
    y = _np(layers.AveragePooling1D(4, strides=1, padding="same")(x))[0, :, 0]
    np.testing.assert_allclose(y, [2.0, 2.5, 3.5, 4.0, 4.5])


@pytest.mark.parametrize("cls, shape, expected", [
    (layers.MaxPooling1D, (2, 9, 3), (2, 4, 3)),
    (layers.AveragePooling1D, (2, 9, 3), (2, 4, 3)),
    (layers.MaxPooling3D, (2, 5, 4, 6, 3), (2, 2, 2, 3, 3)),
    (layers.AveragePooling3D, (2, 5, 4, 6, 3), (2, 2, 2, 3, 3)),
])
def test_default_pool_size_and_strides(cls, shape, expected):
    layer = cls()
    assert tuple(layer(torch.zeros(shape)).shape) == expected
    assert layer.get_config()["strides"] == layer.get_config()["pool_size"]


@pytest.mark.parametrize("mode", ["max", "average"])
def test_pool3d_same_matches_separable_reference(mode):
    # A (p, p, 1) pool is a 2D pool on each depth slice: compare against the 2D reference.
    x = _rand(2, 7, 8, 3, 2)
    cls = layers.MaxPooling3D if mode == "max" else layers.AveragePooling3D
    y = _np(cls((3, 2, 1), strides=(2, 3, 1), padding="same")(torch.from_numpy(x)))
    for d in range(3):
        np.testing.assert_allclose(y[:, :, :, d, :], ref_pool2d(x[:, :, :, d, :], (3, 2), (2, 3), "same", mode),
                                   atol=1e-6)


@pytest.mark.parametrize("make, rank", [
    (lambda df: layers.MaxPooling2D(3, strides=2, padding="same", data_format=df), 2),
    (lambda df: layers.AveragePooling2D(3, strides=2, padding="same", data_format=df), 2),
    (lambda df: layers.AveragePooling1D(4, strides=1, padding="same", data_format=df), 1),
    (lambda df: layers.MaxPooling3D(2, data_format=df), 3),
    (lambda df: layers.GlobalAveragePooling2D(data_format=df, keepdims=True), 2),
    (lambda df: layers.GlobalMaxPooling3D(data_format=df, keepdims=True), 3),
])
def test_channels_first_matches_channels_last(make, rank):
    shape = (2,) + (6, 7, 5)[:rank] + (3,)
    x = torch.from_numpy(_rand(*shape))
    y_last = make("channels_last")(x)
    y_first = make("channels_first")(x.permute(0, rank + 1, *range(1, rank + 1)).contiguous())
    np.testing.assert_allclose(_np(y_first.permute(0, *range(2, rank + 2), 1)), _np(y_last), atol=1e-6)


# ----------------------------------------------------------------- global
@pytest.mark.parametrize("cls, reduce, rank", [
    (layers.GlobalMaxPooling1D, np.max, 1), (layers.GlobalAveragePooling1D, np.mean, 1),
    (layers.GlobalMaxPooling2D, np.max, 2), (layers.GlobalAveragePooling2D, np.mean, 2),
    (layers.GlobalMaxPooling3D, np.max, 3), (layers.GlobalAveragePooling3D, np.mean, 3),
])
def test_global_pooling(cls, reduce, rank):
    x = _rand(*((2,) + (4, 5, 3)[:rank] + (6,)))
    axes = tuple(range(1, rank + 1))
    np.testing.assert_allclose(_np(cls()(torch.from_numpy(x))), reduce(x, axis=axes), atol=1e-6)
    y = cls(keepdims=True)(torch.from_numpy(x))
    assert tuple(y.shape) == (2,) + (1,) * rank + (6,)
    y = cls(data_format="channels_first")(torch.from_numpy(x))
    assert tuple(y.shape) == (2, x.shape[1])


def test_global_average_pooling1d_masked_mean():
    x = torch.from_numpy(_rand(3, 5, 2))
    mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]], dtype=torch.bool)
    layer = layers.GlobalAveragePooling1D()
    y = layer(x, mask=mask)
    expected = np.stack([_np(x)[i, _np(mask)[i]].mean(axis=0) for i in range(3)])
    np.testing.assert_allclose(_np(y), expected, atol=1e-6)
    assert getattr(y, "_keras_mask", None) is None
    x._keras_mask = mask  # the mask travels on the tensor, as after Embedding(mask_zero=True)
    np.testing.assert_allclose(_np(layer(x)), expected, atol=1e-6)
    xf = x.detach().permute(0, 2, 1).contiguous()
    yf = layers.GlobalAveragePooling1D(data_format="channels_first", keepdims=True)(xf, mask=mask)
    np.testing.assert_allclose(_np(yf)[:, :, 0], expected, atol=1e-6)


def test_pooling1d_drops_mask():
    x = torch.ones(2, 6, 3)
    x._keras_mask = torch.ones(2, 6, dtype=torch.bool)
    assert getattr(layers.MaxPooling1D()(x), "_keras_mask", None) is None
    assert getattr(layers.GlobalMaxPooling1D()(x), "_keras_mask", None) is None


def test_functional_shapes():
    inp = keras.Input(shape=(None, 9, 4))
    y = layers.MaxPooling2D(2, padding="same")(inp)
    assert tuple(y.shape) == (None, None, 5, 4)
    assert tuple(layers.GlobalAveragePooling2D()(y).shape) == (None, 4)


# ---------------------------------------------------------------- configs
@pytest.mark.parametrize("layer", [
    layers.MaxPooling2D((2, 3), strides=(1, 2), padding="same", name="p"),
    layers.AveragePooling1D(3, padding="same"),
    layers.AveragePooling3D(2, data_format="channels_first"),
    layers.GlobalAveragePooling1D(keepdims=True),
    layers.GlobalMaxPooling2D(data_format="channels_first"),
])
def test_config_round_trip(layer):
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config


def test_aliases():
    assert layers.MaxPool2D is layers.MaxPooling2D
    assert layers.AvgPool1D is layers.AveragePooling1D
    assert layers.GlobalAvgPool2D is layers.GlobalAveragePooling2D
    assert layers.GlobalMaxPool3D is layers.GlobalMaxPooling3D


# ----------------------------------------------------------------- errors
def test_errors():
    with pytest.raises(ValueError, match=r'Input 0 of layer "mp" is incompatible with the layer: expected ndim=4, '
                                         r"found ndim=3"):
        layers.MaxPooling2D(name="mp")(torch.zeros(2, 4, 3))
    with pytest.raises(ValueError, match="expected ndim=3"):
        layers.GlobalAveragePooling1D()(torch.zeros(2, 4, 3, 1))
    with pytest.raises(ValueError, match="padding"):
        layers.MaxPooling2D(padding="causal")
    with pytest.raises(ValueError, match="pool_size"):
        layers.MaxPooling2D((2, 2, 2))
    with pytest.raises(ValueError, match="too small"):
        layers.MaxPooling2D(3)(torch.zeros(1, 2, 2, 1))


# ------------------------------------------------------- common layer checks
@pytest.mark.parametrize("cls, kwargs, input_shape, output_shape", [
    (layers.MaxPooling1D, {"pool_size": 2}, (2, 6, 3), (2, 3, 3)),
    (layers.MaxPooling2D, {"pool_size": 2, "strides": 1, "padding": "same"}, (2, 4, 4, 3), (2, 4, 4, 3)),
    (layers.MaxPooling3D, {}, (1, 4, 4, 4, 2), (1, 2, 2, 2, 2)),
    (layers.AveragePooling1D, {"pool_size": 3, "padding": "same"}, (2, 7, 3), (2, 3, 3)),
    (layers.AveragePooling2D, {"pool_size": 2, "padding": "same"}, (2, 5, 5, 3), (2, 3, 3, 3)),
    (layers.AveragePooling3D, {"pool_size": 2, "data_format": "channels_first"}, (1, 2, 4, 4, 4), (1, 2, 2, 2, 2)),
    (layers.GlobalAveragePooling1D, {}, (2, 5, 3), (2, 3)),
    (layers.GlobalAveragePooling2D, {"keepdims": True}, (2, 4, 4, 3), (2, 1, 1, 3)),
    (layers.GlobalAveragePooling3D, {}, (1, 3, 3, 3, 2), (1, 2)),
    (layers.GlobalMaxPooling1D, {}, (2, 5, 3), (2, 3)),
    (layers.GlobalMaxPooling2D, {"data_format": "channels_first"}, (2, 3, 4, 4), (2, 3)),
    (layers.GlobalMaxPooling3D, {}, (1, 3, 3, 3, 2), (1, 2)),
], ids=lambda v: v.__name__ if isinstance(v, type) else None)
def test_common_layer_checks(cls, kwargs, input_shape, output_shape):
    check_layer(cls, kwargs, input_shape, output_shape, 0, 0)
