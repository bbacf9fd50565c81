"""MobileNetV2 (Sandler et al., 2018): inverted residual blocks with linear bottlenecks.

Keras's names: ``Conv1``/``bn_Conv1``/``Conv1_relu``; block 0 is ``expanded_conv_*`` (no
expansion), blocks 1..16 ``block_{i}_{expand,depthwise,project}`` with ``_BN``/``_relu``,
a ``_pad`` before strided depthwise convs (``correct_pad``) and ``_add`` when the block
keeps its shape; then ``Conv_1``/``Conv_1_bn``/``out_relu``. BatchNormalization uses
epsilon 1e-3 and momentum 0.999. Channel counts are rounded to multiples of 8
(``_make_divisible``). Inputs: "tf" mode.
"""
from __future__ import annotations

import kerastorch.applications.imagenet_utils as imagenet_utils
import kerastorch.applications.mobilenet as mobilenet
from kerastorch import config, layers
from kerastorch.applications.imagenet_utils import decode_predictions  # noqa: F401  (family API)
from kerastorch.models import Model

_SIZES = (96, 128, 160, 192, 224)


def _make_divisible(v: float, divisor: int, min_value: int | None = None) -> int:
    """Round ``v`` to the nearest multiple of ``divisor`` (at least ``min_value``), never 10% below ``v``."""
    min_value = divisor if min_value is None else min_value
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < 0.9 * v else new_v


def _bn(name: str):
    axis = 1 if config.image_data_format() == "channels_first" else -1
    return layers.BatchNormalization(axis=axis, epsilon=1e-3, momentum=0.999, name=name)


def _inverted_res_block(inputs, expansion: int, stride: int, alpha: float, filters: int, block_id: int):
    axis = 1 if config.image_data_format() == "channels_first" else -1
    in_channels = inputs.shape[axis]
    out_channels = _make_divisible(int(filters * alpha), 8)
    x = inputs
    prefix = f"block_{block_id}_"
    if block_id:
        x = layers.Conv2D(expansion * in_channels, kernel_size=1, padding="same", use_bias=False,
                          name=f"{prefix}expand")(x)
        x = _bn(f"{prefix}expand_BN")(x)
        x = layers.ReLU(6.0, name=f"{prefix}expand_relu")(x)
    else:
        prefix = "expanded_conv_"
    if stride == 2:
        x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, 3), name=f"{prefix}pad")(x)
    x = layers.DepthwiseConv2D(kernel_size=3, strides=stride, use_bias=False,
                               padding="same" if stride == 1 else "valid", name=f"{prefix}depthwise")(x)
    x = _bn(f"{prefix}depthwise_BN")(x)
    x = layers.ReLU(6.0, name=f"{prefix}depthwise_relu")(x)
    x = layers.Conv2D(out_channels, kernel_size=1, padding="same", use_bias=False, name=f"{prefix}project")(x)
    x = _bn(f"{prefix}project_BN")(x)
    if in_channels == out_channels and stride == 1:
        return layers.Add(name=f"{prefix}add")([inputs, x])
    return x


# (filters, stride, expansion) of blocks 0..16.
_BLOCKS = ([(16, 1, 1), (24, 2, 6), (24, 1, 6), (32, 2, 6), (32, 1, 6), (32, 1, 6), (64, 2, 6)] + [(64, 1, 6)] * 3
           + [(96, 1, 6)] * 3 + [(160, 2, 6), (160, 1, 6), (160, 1, 6), (320, 1, 6)])


def MobileNetV2(input_shape=None, alpha: float = 1.0, include_top: bool = True, weights="imagenet",
                input_tensor=None, pooling=None, classes: int = 1000, classifier_activation="softmax",
                name: str | None = None):
    """MobileNetV2; ``weights`` is None, "imagenet" (Keras's cached file for this alpha/size) or a path."""
    imagenet_utils.validate_weights(weights, include_top, classes)
    if input_shape is not None and input_tensor is not None:
        if not imagenet_utils._is_keras_tensor(input_tensor):
            raise ValueError(f"input_tensor is not a Keras tensor; Received `input_tensor={input_tensor}`")
        width_axis = 3 if config.image_data_format() == "channels_first" else 2
        if input_tensor.shape[width_axis] != input_shape[1]:
            raise ValueError(f"input_tensor.shape[{width_axis}] must equal input_shape[1]; Received "
                             f"`input_tensor.shape={input_tensor.shape}`, `input_shape={input_shape}`")
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=mobilenet.pretrained_size(input_shape, input_tensor, _SIZES), min_size=32,
        data_format=config.image_data_format(), require_flatten=include_top, weights=weights)
    rows, cols = mobilenet._spatial(input_shape)
    if weights == "imagenet" and alpha not in (0.35, 0.50, 0.75, 1.0, 1.3, 1.4):
        raise ValueError("If imagenet weights are being loaded, alpha must be one of `0.35`, `0.50`, `0.75`, "
                         f"`1.0`, `1.3` or `1.4` only; Received `alpha={alpha}`")
    rows = mobilenet.weights_rows(weights, rows, cols, _SIZES)
    img_input = imagenet_utils.model_input(input_shape, input_tensor)
    x = layers.Conv2D(_make_divisible(32 * alpha, 8), kernel_size=3, strides=(2, 2), padding="same",
                      use_bias=False, name="Conv1")(img_input)
    x = _bn("bn_Conv1")(x)
    x = layers.ReLU(6.0, name="Conv1_relu")(x)
    for block_id, (filters, stride, expansion) in enumerate(_BLOCKS):
        x = _inverted_res_block(x, filters=filters, alpha=alpha, stride=stride, expansion=expansion,
                                block_id=block_id)
    last = _make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
    x = layers.Conv2D(last, kernel_size=1, use_bias=False, name="Conv_1")(x)
    x = _bn("Conv_1_bn")(x)
    x = layers.ReLU(6.0, name="out_relu")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D()(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = imagenet_utils.global_pool(x, pooling)
    if name is None:
        name = f"mobilenetv2_{alpha:0.2f}_{rows}"
    model = Model(imagenet_utils.source_inputs(img_input, input_tensor), x, name=name)
    fname = (f"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_{float(alpha)}_{rows}.h5" if include_top else
             f"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_{float(alpha)}_{rows}_no_top.h5")
    imagenet_utils.load_weights(model, weights, fname, "mobilenet_v2", None)
    return imagenet_utils.set_stages(model, ["block_1_expand", "block_3_expand", "block_6_expand",
                                             "block_13_expand", "Conv_1", "predictions"])


def preprocess_input(x, data_format: str | None = None):
    """MobileNetV2 inputs: RGB in [0, 255] scaled to [-1, 1] ("tf" mode)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")
