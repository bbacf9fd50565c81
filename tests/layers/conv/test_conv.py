"""Convolution layers: Keras weight layouts, TensorFlow "same" padding, transposed-conv shapes,
data formats, configs and errors. Numerics are checked against small numpy references."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from helpers.layer_check import check_layer

import kerastorch as keras
from kerastorch import layers

RNG = np.random.default_rng(1234)


def _rand(*shape):
    return RNG.normal(size=shape).astype("float32")


def _np(t):
    return t.detach().numpy()


# ------------------------------------------------------------ numpy references
def tf_same_pads(n, k, s, d=1):
    k_eff = (k - 1) * d + 1
    out = math.ceil(n / s)
    total = max((out - 1) * s + k_eff - n, 0)
    return total // 2, total - total // 2


def ref_conv2d(x, kernel, bias, strides, padding, dilation=(1, 1)):
    """NHWC input, (kh, kw, in, out) kernel; TensorFlow padding."""
    kh, kw = kernel.shape[:2]
    if padding == "same":
        ph = tf_same_pads(x.shape[1], kh, strides[0], dilation[0])
        pw = tf_same_pads(x.shape[2], kw, strides[1], dilation[1])
        x = np.pad(x, ((0, 0), ph, pw, (0, 0)))
    eh, ew = (kh - 1) * dilation[0] + 1, (kw - 1) * dilation[1] + 1
    oh = (x.shape[1] - eh) // strides[0] + 1
    ow = (x.shape[2] - ew) // strides[1] + 1
    out = np.zeros((x.shape[0], oh, ow, kernel.shape[3]), dtype=np.float64)
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * strides[0]: i * strides[0] + eh: dilation[0], j * strides[1]: j * strides[1] + ew:
                      dilation[1], :]
            out[:, i, j, :] = np.einsum("nhwc,hwco->no", patch, kernel)
    return out + (0 if bias is None else bias)


def ref_conv1d(x, kernel, bias, stride, padding, dilation=1):
    if padding == "causal":
        x = np.pad(x, ((0, 0), ((kernel.shape[0] - 1) * dilation, 0), (0, 0)))
        padding = "valid"
    return ref_conv2d(x[:, :, None, :], kernel[:, None], bias, (stride, 1), padding, (dilation, 1))[:, :, 0, :]


def ref_depthwise2d(x, kernel, bias, strides, padding):
    """kernel (kh, kw, in, mult); output channel c*mult + m."""
    outs = []
    for c in range(x.shape[-1]):
        outs.append(ref_conv2d(x[..., c:c + 1], kernel[:, :, c:c + 1, :], None, strides, padding))
    out = np.concatenate(outs, axis=-1)
    return out + (0 if bias is None else bias)


def keras_transpose_length(n, k, s, padding, output_padding=None, d=1):
    """Keras's conv-transpose output length (keras/src/backend/common/backend_utils.py)."""
    k = (k - 1) * d + 1
    if padding == "valid":
        op = max(k, s) - k if output_padding is None else output_padding
        return (n - 1) * s + k + op
    if output_padding is None:
        return n * s
    return (n - 1) * s + k % 2 + output_padding


# ----------------------------------------------------------------- weights
@pytest.mark.parametrize("make, input_shape, expected", [
    (lambda: layers.Conv1D(5, 3), (2, 9, 4), [(3, 4, 5), (5,)]),
    (lambda: layers.Conv2D(5, (2, 3)), (2, 7, 8, 4), [(2, 3, 4, 5), (5,)]),
    (lambda: layers.Conv2D(6, 3, groups=2), (2, 7, 8, 4), [(3, 3, 2, 6), (6,)]),
    (lambda: layers.Conv3D(5, (1, 2, 3), use_bias=False), (2, 4, 5, 6, 4), [(1, 2, 3, 4, 5)]),
    (lambda: layers.Conv1DTranspose(5, 3), (2, 9, 4), [(3, 5, 4), (5,)]),
    (lambda: layers.Conv2DTranspose(5, (2, 3)), (2, 7, 8, 4), [(2, 3, 5, 4), (5,)]),
    (lambda: layers.Conv3DTranspose(5, 2), (2, 3, 4, 5, 4), [(2, 2, 2, 5, 4), (5,)]),
    (lambda: layers.DepthwiseConv2D((2, 3), depth_multiplier=3), (2, 7, 8, 4), [(2, 3, 4, 3), (12,)]),
    (lambda: layers.DepthwiseConv1D(3, depth_multiplier=2), (2, 9, 4), [(3, 4, 2), (8,)]),
    (lambda: layers.SeparableConv2D(7, 3, depth_multiplier=2), (2, 7, 8, 4), [(3, 3, 4, 2), (1, 1, 8, 7), (7,)]),
    (lambda: layers.SeparableConv1D(7, 3), (2, 9, 4), [(3, 4, 1), (1, 4, 7), (7,)]),
])
def test_weight_shapes_keras_layout_and_round_trip(make, input_shape, expected):
    layer = make()
    x = torch.from_numpy(_rand(*input_shape))
    y0 = layer(x)
    assert [w.shape for w in layer.get_weights()] == expected
    new = [_rand(*s) for s in expected]
    layer.set_weights(new)
    for got, want in zip(layer.get_weights(), new):
        np.testing.assert_array_equal(got, want)
    y1 = layer(x)
    assert y1.shape == y0.shape
    assert not torch.allclose(y0, y1)
    with pytest.raises(ValueError, match="shape"):
        layer.set_weights([np.zeros((1,) * len(s), "float32") for s in expected])


def test_initializer_sees_keras_shape():
    seen = []

    def init(shape, dtype=None):
        seen.append(tuple(shape))
        return torch.zeros(shape, dtype=dtype)

    layers.Conv2D(6, (2, 3), kernel_initializer=init, bias_initializer=init)(torch.zeros(1, 5, 5, 4))
    layers.Conv2DTranspose(6, (2, 3), kernel_initializer=init, use_bias=False)(torch.zeros(1, 5, 5, 4))
    layers.DepthwiseConv2D(3, depth_multiplier=2, depthwise_initializer=init, use_bias=False)(torch.zeros(1, 5, 5, 4))
    assert seen == [(2, 3, 4, 6), (6,), (2, 3, 6, 4), (3, 3, 4, 2)]


# ---------------------------------------------------------------- padding
@pytest.mark.parametrize("size", [7, 8, 9, 10])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("kernel", [2, 3, 4])
def test_conv2d_same_padding_matches_tensorflow(size, stride, kernel):
    x = _rand(2, size, size + 1, 3)
    layer = layers.Conv2D(4, kernel, strides=stride, padding="same")
    y = layer(torch.from_numpy(x))
    assert tuple(y.shape) == (2, math.ceil(size / stride), math.ceil((size + 1) / stride), 4)
    k, b = layer.get_weights()
    b = _rand(*b.shape)
    layer.set_weights([k, b])
    np.testing.assert_allclose(_np(layer(torch.from_numpy(x))), ref_conv2d(x, k, b, (stride, stride), "same"),
                               atol=1e-5)


@pytest.mark.parametrize("padding, strides, dilation", [
    ("valid", (1, 1), (1, 1)), ("valid", (2, 3), (1, 1)), ("same", (1, 1), (2, 2)), ("valid", (1, 1), (2, 1)),
    ("same", (1, 1), (1, 3)),
])
def test_conv2d_dilation_and_strides(padding, strides, dilation):
    x = _rand(2, 9, 10, 3)
    layer = layers.Conv2D(4, (3, 2), strides=strides, padding=padding, dilation_rate=dilation)
    y = layer(torch.from_numpy(x))
    k, b = layer.get_weights()
    np.testing.assert_allclose(_np(y), ref_conv2d(x, k, b, strides, padding, dilation), atol=1e-5)


@pytest.mark.parametrize("padding, stride, dilation", [("causal", 1, 1), ("causal", 1, 2), ("causal", 2, 1),
                                                       ("same", 2, 1), ("same", 1, 3), ("valid", 3, 1)])
def test_conv1d_padding_modes(padding, stride, dilation):
    x = _rand(3, 11, 2)
    layer = layers.Conv1D(4, 3, strides=stride, padding=padding, dilation_rate=dilation)
    y = layer(torch.from_numpy(x))
    k, b = layer.get_weights()
    np.testing.assert_allclose(_np(y), ref_conv1d(x, k, b, stride, padding, dilation), atol=1e-5)
    if padding != "valid":
        assert y.shape[1] == math.ceil(11 / stride)


def test_grouped_conv_matches_split_convs():
    x = _rand(2, 6, 6, 4)
    layer = layers.Conv2D(6, 3, groups=2, padding="same")
    y = _np(layer(torch.from_numpy(x)))
    k, b = layer.get_weights()
    ref = np.concatenate([ref_conv2d(x[..., :2], k[..., :3], b[:3], (1, 1), "same"),
                          ref_conv2d(x[..., 2:], k[..., 3:], b[3:], (1, 1), "same")], axis=-1)
    np.testing.assert_allclose(y, ref, atol=1e-5)


@pytest.mark.parametrize("strides, padding", [(1, "same"), (2, "same"), (2, "valid"), (3, "same")])
def test_depthwise_conv2d_matches_reference(strides, padding):
    x = _rand(2, 8, 9, 3)
    layer = layers.DepthwiseConv2D(3, strides=strides, padding=padding, depth_multiplier=2)
    y = layer(torch.from_numpy(x))
    k, b = layer.get_weights()
    b = _rand(*b.shape)
    layer.set_weights([k, b])
    np.testing.assert_allclose(_np(layer(torch.from_numpy(x))),
                               ref_depthwise2d(x, k, b, (strides, strides), padding), atol=1e-5)
    if padding == "same":
        assert tuple(y.shape[1:3]) == (math.ceil(8 / strides), math.ceil(9 / strides))


def test_separable_conv2d_is_depthwise_then_pointwise():
    x = _rand(2, 9, 8, 3)
    layer = layers.SeparableConv2D(5, 3, strides=2, padding="same", depth_multiplier=2)
    y = _np(layer(torch.from_numpy(x)))
    dk, pk, b = layer.get_weights()
    ref = ref_conv2d(ref_depthwise2d(x, dk, None, (2, 2), "same"), pk, b, (1, 1), "valid")
    np.testing.assert_allclose(y, ref, atol=1e-5)


# ------------------------------------------------------------- transposed
@pytest.mark.parametrize("n, k, s, padding, op, d", [
    (5, 3, 2, "same", None, 1), (5, 3, 2, "valid", None, 1), (6, 2, 3, "valid", None, 1),
    (7, 4, 2, "same", None, 1), (4, 4, 3, "same", None, 1), (5, 3, 3, "same", 1, 1), (5, 3, 2, "valid", 1, 1),
    (5, 2, 2, "same", 0, 1), (6, 3, 1, "same", None, 2), (6, 3, 1, "valid", None, 2), (4, 1, 3, "valid", None, 1),
    (4, 5, 2, "same", 1, 1),
])
def test_conv_transpose_output_shape_and_adjointness(n, k, s, padding, op, d):
    """Shape follows Keras's rule; values equal the gradient of the matching convolution (TF definition)."""
    x = _rand(2, n, n + 1, 3)
    layer = layers.Conv2DTranspose(4, k, strides=s, padding=padding, output_padding=op, dilation_rate=d,
                                   use_bias=False)
    y = layer(torch.from_numpy(x))
    out_h = keras_transpose_length(n, k, s, padding, op, d)
    out_w = keras_transpose_length(n + 1, k, s, padding, op, d)
    assert tuple(y.shape) == (2, out_h, out_w, 4)
    # Conv2D from the transposed layer's output space back to its input space, same kernel.
    (kernel,) = layer.get_weights()  # (k, k, filters=4, in=3): as a conv kernel (k, k, in=4, out=3)
    conv = layers.Conv2D(3, k, strides=s, padding=padding, dilation_rate=d, use_bias=False)
    z = torch.zeros(2, out_h, out_w, 4, requires_grad=True)
    conv(z)
    conv.set_weights([kernel])
    cz = conv(z)
    if tuple(cz.shape[1:3]) != (n, n + 1):
        pytest.skip("this output_padding has no matching forward convolution")
    (grad,) = torch.autograd.grad((cz * torch.from_numpy(x)).sum(), z)
    np.testing.assert_allclose(_np(y), _np(grad), atol=1e-5)


def test_conv1d_transpose_and_conv3d_transpose_shapes():
    y = layers.Conv1DTranspose(3, 3, strides=2, padding="same")(torch.zeros(2, 7, 2))
    assert tuple(y.shape) == (2, 14, 3)
    y = layers.Conv1DTranspose(3, 3, strides=2, padding="valid")(torch.zeros(2, 7, 2))
    assert tuple(y.shape) == (2, 15, 3)
    y = layers.Conv3DTranspose(2, (3, 2, 1), strides=(2, 2, 3), padding="same")(torch.zeros(1, 3, 4, 5, 2))
    assert tuple(y.shape) == (1, 6, 8, 15, 2)


def test_conv_transpose_bias_covers_zero_extension():
    # stride > kernel with valid padding extends the output with positions no input reaches: bias only.
    layer = layers.Conv1DTranspose(2, 1, strides=3, bias_initializer="ones")
    y = _np(layer(torch.zeros(1, 4, 1)))
    assert y.shape == (1, 12, 2)
    np.testing.assert_allclose(y, 1.0)


# ----------------------------------------------------------- data formats
@pytest.mark.parametrize("make, rank", [
    (lambda df: layers.Conv2D(4, 3, strides=2, padding="same", data_format=df), 2),
    (lambda df: layers.Conv1D(4, 3, padding="causal", data_format=df), 1),
    (lambda df: layers.Conv3D(2, 2, padding="same", data_format=df), 3),
    (lambda df: layers.Conv2DTranspose(4, 3, strides=2, padding="same", data_format=df), 2),
    (lambda df: layers.DepthwiseConv2D(3, depth_multiplier=2, strides=2, padding="same", data_format=df), 2),
    (lambda df: layers.SeparableConv2D(4, 3, padding="same", data_format=df), 2),
])
def test_channels_first_matches_channels_last(make, rank):
    shape = (2,) + (5, 6, 7)[:rank] + (3,)
    x = torch.from_numpy(_rand(*shape))
    last, first = make("channels_last"), make("channels_first")
    y_last = last(x)
    x_first = x.permute(0, rank + 1, *range(1, rank + 1)).contiguous()
    first(x_first)
    first.set_weights(last.get_weights())
    y_first = first(x_first)
    np.testing.assert_allclose(_np(y_first.permute(0, *range(2, rank + 2), 1)), _np(y_last), atol=1e-5)


def test_channels_last_output_is_plain_nhwc_and_backward_works():
    layer = layers.Conv2D(8, 3, strides=2, padding="same", activation="relu")
    x = torch.randn(4, 9, 9, 3, requires_grad=True)
    y = layer(x)
    assert tuple(y.shape) == (4, 5, 5, 8)
    y.sum().backward()
    assert x.grad is not None and layer.kernel.grad is not None
    assert layer.kernel.grad.shape == layer.kernel.shape


def test_functional_symbolic_shapes():
    inp = keras.Input(shape=(None, 10, 3))
    y = layers.Conv2D(4, 3, strides=3, padding="same")(inp)
    assert tuple(y.shape) == (None, None, 4, 4)
    t = layers.Conv2DTranspose(2, 3, strides=2, padding="same")(y)
    assert tuple(t.shape) == (None, None, 8, 2)


# ---------------------------------------------------------------- configs
@pytest.mark.parametrize("make, input_shape", [
    (lambda: layers.Conv2D(4, (2, 3), strides=2, padding="same", activation="relu", groups=1,
                           kernel_regularizer="l2", name="c2"), (1, 6, 6, 2)),
    (lambda: layers.Conv1D(4, 3, padding="causal", dilation_rate=2, use_bias=False), (1, 8, 2)),
    (lambda: layers.Conv3D(2, 2, data_format="channels_first"), (1, 2, 4, 4, 4)),
    (lambda: layers.Conv2DTranspose(3, 3, strides=2, output_padding=1, padding="same"), (1, 4, 4, 2)),
    (lambda: layers.Conv1DTranspose(3, 2), (1, 4, 2)),
    (lambda: layers.DepthwiseConv2D(3, depth_multiplier=2, activation="tanh"), (1, 5, 5, 2)),
    (lambda: layers.SeparableConv2D(3, 3, depth_multiplier=2, padding="same"), (1, 5, 5, 2)),
    (lambda: layers.SeparableConv1D(3, 3, strides=2), (1, 9, 2)),
])
def test_config_round_trip(make, input_shape):
    layer = make()
    x = torch.from_numpy(_rand(*input_shape))
    y = layer(x)
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    clone(x)
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(_np(clone(x)), _np(y), atol=1e-6)


def test_tf_keras_config_keys_accepted():
    layers.DepthwiseConv2D(3, groups=1, name="dw")
    layers.SeparableConv2D(4, 3, groups=1, kernel_initializer={"class_name": "GlorotUniform", "config": {}})
    layers.Conv2DTranspose(4, 3, groups=1)
    assert layers.Convolution2D is layers.Conv2D and layers.Deconvolution2D is layers.Conv2DTranspose


# ----------------------------------------------------------------- errors
def test_wrong_rank_error_names_layer_and_shape():
    layer = layers.Conv2D(4, 3, name="conv2d")
    with pytest.raises(ValueError, match=r'Input 0 of layer "conv2d" is incompatible with the layer: expected '
                                         r"ndim=4, found ndim=3. Full shape received: \(2, 8, 3\)"):
        layer(torch.zeros(2, 8, 3))
    layer(torch.zeros(2, 8, 8, 3))
    with pytest.raises(ValueError, match="expected ndim=4, found ndim=5"):
        layer(torch.zeros(2, 8, 8, 3, 1))
    with pytest.raises(ValueError, match=r"expected axis -1 of input shape to have value 3"):
        layer(torch.zeros(2, 8, 8, 5))
    with pytest.raises(ValueError, match='layer "dw"'):
        layers.DepthwiseConv2D(3, name="dw")(torch.zeros(2, 8, 3))
    with pytest.raises(ValueError, match="ndim=3"):
        layers.Conv1DTranspose(2, 3)(torch.zeros(2, 8, 3, 3))


@pytest.mark.parametrize("make", [
    lambda: layers.Conv2D(4, 3, padding="causal"),
    lambda: layers.Conv2D(4, 3, padding="full"),
    lambda: layers.Conv2D(0, 3),
    lambda: layers.Conv2D(5, 3, groups=2),
    lambda: layers.Conv2D(4, (3, 3, 3)),
    lambda: layers.Conv2D(4, 3, strides=2, dilation_rate=2),
    lambda: layers.Conv2DTranspose(4, 3, strides=2, output_padding=2),
    lambda: layers.DepthwiseConv2D(3, depth_multiplier=0),
])
def test_invalid_arguments(make):
    with pytest.raises(ValueError):
        make()


def test_input_too_small_and_bad_groups():
    with pytest.raises(ValueError, match="too small"):
        layers.Conv2D(2, 5)(torch.zeros(1, 3, 3, 1))
    with pytest.raises(ValueError, match="groups"):
        layers.Conv2D(4, 3, groups=2)(torch.zeros(1, 5, 5, 3))


# ------------------------------------------------------- common layer checks
@pytest.mark.parametrize("cls, kwargs, input_shape, output_shape, n_trainable", [
    (layers.Conv1D, {"filters": 3, "kernel_size": 2, "padding": "causal", "dilation_rate": 2}, (2, 6, 2), (2, 6, 3), 2),
    (layers.Conv2D, {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same"}, (2, 5, 5, 2), (2, 3, 3, 4), 2),
    (layers.Conv2D, {"filters": 4, "kernel_size": 2, "groups": 2, "data_format": "channels_first"}, (2, 2, 4, 4),
     (2, 4, 3, 3), 2),
    (layers.Conv3D, {"filters": 2, "kernel_size": 2, "use_bias": False}, (1, 3, 3, 3, 2), (1, 2, 2, 2, 2), 1),
    (layers.Conv1DTranspose, {"filters": 2, "kernel_size": 3, "strides": 2}, (2, 4, 3), (2, 9, 2), 2),
    (layers.Conv2DTranspose, {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same"}, (2, 3, 3, 3),
     (2, 6, 6, 2), 2),
    (layers.Conv3DTranspose, {"filters": 2, "kernel_size": 2}, (1, 2, 2, 2, 3), (1, 3, 3, 3, 2), 2),
    (layers.DepthwiseConv1D, {"kernel_size": 2}, (2, 5, 3), (2, 4, 3), 2),
    (layers.DepthwiseConv2D, {"kernel_size": 2, "depth_multiplier": 2}, (2, 4, 4, 3), (2, 3, 3, 6), 2),
    (layers.SeparableConv1D, {"filters": 4, "kernel_size": 2}, (2, 5, 3), (2, 4, 4), 3),
    (layers.SeparableConv2D, {"filters": 4, "kernel_size": 2}, (2, 4, 4, 3), (2, 3, 3, 4), 3),
], ids=lambda v: v.__name__ if isinstance(v, type) else None)
def test_common_layer_checks(cls, kwargs, input_shape, output_shape, n_trainable):
    check_layer(cls, kwargs, input_shape, output_shape, n_trainable, 0)
