"""Reshaping layers: Flatten order, Reshape/Permute/RepeatVector, padding, cropping, upsampling
(nearest and half-pixel bilinear), masks, configs and errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers.layer_check import check_layer

import kerastorch as keras
from kerastorch import layers

RNG = np.random.default_rng(11)


def _rand(*shape):
    return RNG.normal(size=shape).astype("float32")


def _np(t):
    return t.detach().numpy()


# ---------------------------------------------------------------- Flatten
def test_flatten_orders():
    x = _rand(2, 3, 4, 5)
    np.testing.assert_array_equal(_np(layers.Flatten()(torch.from_numpy(x))), x.reshape(2, -1))
    # channels_first: moved to channels_last before flattening, as Keras does
    y = layers.Flatten(data_format="channels_first")(torch.from_numpy(x))
    np.testing.assert_array_equal(_np(y), x.transpose(0, 2, 3, 1).reshape(2, -1))
    assert tuple(layers.Flatten()(torch.zeros(4)).shape) == (4, 1)
    assert tuple(layers.Flatten()(torch.zeros(0, 3, 2)).shape) == (0, 6)


def test_flatten_and_reshape_drop_masks():
    x = torch.ones(2, 3, 4)
    x._keras_mask = torch.ones(2, 3, dtype=torch.bool)
    assert getattr(layers.Flatten()(x), "_keras_mask", None) is None
    assert getattr(layers.Reshape((12,))(x), "_keras_mask", None) is None


def test_flatten_symbolic_unknown_dim():
    inp = keras.Input(shape=(None, 4))
    assert tuple(layers.Flatten()(inp).shape) == (None, None)
    inp = keras.Input(shape=(3, 4))
    assert tuple(layers.Flatten()(inp).shape) == (None, 12)


# ----------------------------------------------------- Reshape/Permute/Repeat
def test_reshape():
    x = _rand(2, 3, 4)
    np.testing.assert_array_equal(_np(layers.Reshape((4, 3))(torch.from_numpy(x))), x.reshape(2, 4, 3))
    np.testing.assert_array_equal(_np(layers.Reshape((-1, 2))(torch.from_numpy(x))), x.reshape(2, 6, 2))
    assert tuple(layers.Reshape((-1, 2))(keras.Input(shape=(None, 4))).shape) == (None, None, 2)
    with pytest.raises(ValueError, match=r'"rs".*total size'):
        layers.Reshape((5,), name="rs")(torch.zeros(2, 3, 4))
    with pytest.raises(ValueError, match="total size"):
        layers.Reshape((-1, 5))(torch.zeros(2, 3, 4))
    with pytest.raises(ValueError, match="-1"):
        layers.Reshape((-1, -1))


def test_permute():
    x = _rand(2, 3, 4, 5)
    np.testing.assert_array_equal(_np(layers.Permute((3, 1, 2))(torch.from_numpy(x))), x.transpose(0, 3, 1, 2))
    with pytest.raises(ValueError, match="consecutive"):
        layers.Permute((0, 1))
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=4"):
        layers.Permute((2, 1))(torch.zeros(2, 3, 4, 5))


def test_repeat_vector():
    x = _rand(2, 3)
    y = layers.RepeatVector(4)(torch.from_numpy(x))
    np.testing.assert_array_equal(_np(y), np.repeat(x[:, None, :], 4, axis=1))
    y += 1.0  # a real tensor, not a broadcast view
    with pytest.raises(ValueError, match="ndim=2"):
        layers.RepeatVector(2)(torch.zeros(2, 3, 4))


# ------------------------------------------------------- padding/cropping
def test_zero_padding2d_forms():
    x = _rand(2, 3, 4, 2)
    y = _np(layers.ZeroPadding2D(((1, 2), (0, 3)))(torch.from_numpy(x)))
    np.testing.assert_array_equal(y, np.pad(x, ((0, 0), (1, 2), (0, 3), (0, 0))))
    y = _np(layers.ZeroPadding2D((2, 1))(torch.from_numpy(x)))
    np.testing.assert_array_equal(y, np.pad(x, ((0, 0), (2, 2), (1, 1), (0, 0))))
    y = _np(layers.ZeroPadding2D(1, data_format="channels_first")(torch.from_numpy(x)))
    np.testing.assert_array_equal(y, np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1))))


def test_zero_padding_1d_3d():
    x = _rand(2, 3, 2)
    np.testing.assert_array_equal(_np(layers.ZeroPadding1D((1, 2))(torch.from_numpy(x))),
                                  np.pad(x, ((0, 0), (1, 2), (0, 0))))
    np.testing.assert_array_equal(_np(layers.ZeroPadding1D(3)(torch.from_numpy(x))),
                                  np.pad(x, ((0, 0), (3, 3), (0, 0))))
    x = _rand(1, 2, 3, 4, 2)
    np.testing.assert_array_equal(_np(layers.ZeroPadding3D(((1, 0), (0, 2), (1, 1)))(torch.from_numpy(x))),
                                  np.pad(x, ((0, 0), (1, 0), (0, 2), (1, 1), (0, 0))))
    assert tuple(layers.ZeroPadding3D()(torch.from_numpy(x)).shape) == (1, 4, 5, 6, 2)


def test_cropping():
    x = _rand(2, 6, 7, 3)
    np.testing.assert_array_equal(_np(layers.Cropping2D(((1, 0), (2, 1)))(torch.from_numpy(x))), x[:, 1:, 2:-1])
    np.testing.assert_array_equal(_np(layers.Cropping2D((1, 2))(torch.from_numpy(x))), x[:, 1:-1, 2:-2])
    np.testing.assert_array_equal(_np(layers.Cropping2D(1, data_format="channels_first")(torch.from_numpy(x))),
                                  x[:, :, 1:-1, 1:-1])
    s = _rand(2, 6, 3)
    np.testing.assert_array_equal(_np(layers.Cropping1D((2, 1))(torch.from_numpy(s))), s[:, 2:-1])
    v = _rand(1, 4, 5, 6, 2)
    np.testing.assert_array_equal(_np(layers.Cropping3D()(torch.from_numpy(v))), v[:, 1:-1, 1:-1, 1:-1])
    with pytest.raises(ValueError, match="too large"):
        layers.Cropping1D((3, 3))(torch.from_numpy(s))


# --------------------------------------------------------------- upsampling
def ref_bilinear_half_pixel(x, fh, fw):
    """TensorFlow resize(bilinear, half_pixel_centers=True, antialias=False), NHWC."""
    n, h, w, c = x.shape
    out = np.zeros((n, h * fh, w * fw, c))
    for i in range(h * fh):
        sy = min(max((i + 0.5) / fh - 0.5, 0), h - 1)
        y0 = int(np.floor(sy)); y1 = min(y0 + 1, h - 1); wy = sy - y0
        for j in range(w * fw):
            sx = min(max((j + 0.5) / fw - 0.5, 0), w - 1)
            x0 = int(np.floor(sx)); x1 = min(x0 + 1, w - 1); wx = sx - x0
            out[:, i, j] = ((1 - wy) * ((1 - wx) * x[:, y0, x0] + wx * x[:, y0, x1])
                            + wy * ((1 - wx) * x[:, y1, x0] + wx * x[:, y1, x1]))
    return out


def test_upsampling2d():
    x = _rand(2, 3, 4, 2)
    y = _np(layers.UpSampling2D((2, 3))(torch.from_numpy(x)))
    np.testing.assert_array_equal(y, x.repeat(2, axis=1).repeat(3, axis=2))
    y = _np(layers.UpSampling2D((2, 3), interpolation="bilinear")(torch.from_numpy(x)))
    np.testing.assert_allclose(y, ref_bilinear_half_pixel(x, 2, 3), atol=1e-5)
    xf = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    yf = _np(layers.UpSampling2D((2, 3), data_format="channels_first", interpolation="bilinear")(
        torch.from_numpy(xf)))
    np.testing.assert_allclose(yf.transpose(0, 2, 3, 1), y, atol=1e-6)
    with pytest.raises(ValueError, match="interpolation"):
        layers.UpSampling2D(interpolation="spline")


def test_upsampling_1d_3d():
    x = _rand(2, 3, 2)
    np.testing.assert_array_equal(_np(layers.UpSampling1D(3)(torch.from_numpy(x))), x.repeat(3, axis=1))
    v = _rand(1, 2, 3, 2, 2)
    y = _np(layers.UpSampling3D((1, 2, 3))(torch.from_numpy(v)))
    np.testing.assert_array_equal(y, v.repeat(2, axis=2).repeat(3, axis=3))
    yf = _np(layers.UpSampling3D((1, 2, 3), data_format="channels_first")(torch.from_numpy(v)))
    np.testing.assert_array_equal(yf, v.repeat(2, axis=3).repeat(3, axis=4))


# ---------------------------------------------------------------- configs
@pytest.mark.parametrize("layer, shape", [
    (layers.Flatten(data_format="channels_first"), (2, 3, 4)),
    (layers.Reshape((-1, 2)), (2, 3, 4)),
    (layers.Permute((2, 1)), (2, 3, 4)),
    (layers.RepeatVector(3), (2, 4)),
    (layers.ZeroPadding1D((1, 2)), (2, 3, 4)),
    (layers.ZeroPadding2D(((1, 2), (0, 3))), (2, 3, 4, 1)),
    (layers.ZeroPadding3D(1, data_format="channels_first"), (1, 2, 3, 4, 5)),
    (layers.Cropping1D((1, 0)), (2, 3, 4)),
    (layers.Cropping2D(((1, 0), (2, 1))), (2, 3, 4, 1)),
    (layers.Cropping3D(((0, 1), (1, 0), (1, 1))), (1, 2, 3, 4, 5)),
    (layers.UpSampling1D(3), (2, 3, 4)),
    (layers.UpSampling2D((2, 3), interpolation="bilinear"), (2, 3, 4, 1)),
    (layers.UpSampling3D((1, 2, 1), data_format="channels_first"), (1, 2, 3, 4, 5)),
])
def test_config_round_trip(layer, shape):
    x = torch.from_numpy(_rand(*shape))
    y = layer(x)
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    np.testing.assert_array_equal(_np(clone(x)), _np(y))


def test_keras2_style_list_configs():
    # Configs read back from JSON hold lists instead of tuples.
    layer = layers.ZeroPadding2D.from_config({"name": "pad", "padding": [[1, 2], [0, 3]],
                                             "data_format": "channels_last"})
    assert tuple(layer(torch.zeros(1, 2, 2, 1)).shape) == (1, 5, 5, 1)
    layer = layers.Cropping2D.from_config({"name": "crop", "cropping": [[1, 0], [2, 1]]})
    assert tuple(layer(torch.zeros(1, 4, 5, 1)).shape) == (1, 3, 2, 1)


def test_rank_errors():
    for layer, x in [(layers.ZeroPadding2D(name="zp"), torch.zeros(2, 3, 4)),
                     (layers.Cropping2D(name="zp"), torch.zeros(2, 3, 4)),
                     (layers.UpSampling2D(name="zp"), torch.zeros(2, 3, 4)),
                     (layers.UpSampling1D(name="zp"), torch.zeros(2, 3, 4, 1))]:
        with pytest.raises(ValueError, match=r'Input 0 of layer "zp" is incompatible with the layer: expected ndim'):
            layer(x)
    with pytest.raises(ValueError, match="padding"):
        layers.ZeroPadding2D((1, 2, 3))
    with pytest.raises(ValueError, match="cropping"):
        layers.Cropping1D((-1, 0))


# ------------------------------------------------------- common layer checks
@pytest.mark.parametrize("cls, kwargs, input_shape, output_shape", [
    (layers.Flatten, {}, (2, 3, 4), (2, 12)),
    (layers.Reshape, {"target_shape": (2, -1)}, (2, 3, 4), (2, 2, 6)),
    (layers.Permute, {"dims": (2, 1)}, (2, 3, 4), (2, 4, 3)),
    (layers.ZeroPadding2D, {"padding": 1}, (1, 2, 2, 3), (1, 4, 4, 3)),
    (layers.UpSampling1D, {"size": 2}, (2, 3, 4), (2, 6, 4)),
], ids=lambda v: v.__name__ if isinstance(v, type) else None)
def test_common_layer_checks(cls, kwargs, input_shape, output_shape):
    check_layer(cls, kwargs, input_shape, output_shape, 0, 0)
