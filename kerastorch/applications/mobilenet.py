"""MobileNet (Howard et al., 2017): depthwise-separable convolutions, width ``alpha``, ``depth_multiplier``.

Keras's names: ``conv1``/``conv1_bn``/``conv1_relu`` stem, then 13 blocks
``conv_dw_{i}`` (3x3 depthwise) + ``conv_pw_{i}`` (1x1 pointwise), each with ``_bn`` and
``_relu`` (ReLU6); strided blocks pad ``((0, 1), (0, 1))`` first (``conv_pad_{i}``), TF's
'same' for even sizes. The top is a 1x1 conv classifier (``conv_preds``) on the pooled
features, reshaped (``reshape_2``) and activated (``predictions``). Inputs: "tf" mode.
The published files exist per ``alpha`` and input size (128/160/192/224); the model's
default name records both (``mobilenet_1.00_224``).
"""
from __future__ import annotations

import warnings

import kerastorch.applications.imagenet_utils as imagenet_utils
from kerastorch import config, layers
from kerastorch.applications.imagenet_utils import decode_predictions  # noqa: F401  (family API)
from kerastorch.models import Model

_SIZES = (128, 160, 192, 224)


def _spatial(shape) -> tuple:
    return (shape[1], shape[2]) if config.image_data_format() == "channels_first" else (shape[0], shape[1])


def pretrained_size(input_shape, input_tensor, sizes) -> int:
    """The input size whose published weights fit: the (square) size given if one exists, else 224."""
    if input_shape is not None:
        rows, cols = _spatial(input_shape)
    elif input_tensor is not None and imagenet_utils._is_keras_tensor(input_tensor):
        rows, cols = _spatial(tuple(input_tensor.shape)[1:])
    else:
        return 224
    return rows if rows == cols and rows in sizes else 224


def weights_rows(weights, rows, cols, sizes) -> int:
    """The size in the published file's name; warns (as Keras does) when the input has no file of its own."""
    if weights == "imagenet" and (rows != cols or rows not in sizes):
        warnings.warn(f"`input_shape` is undefined or non-square, or `rows` is not in {list(sizes)}. Weights for "
                      "input shape (224, 224) will be loaded as the default.", stacklevel=3)
        return 224
    return rows


def _conv_block(x, filters: int, alpha: float, strides=(2, 2)):
    axis = 1 if config.image_data_format() == "channels_first" else -1
    x = layers.Conv2D(int(filters * alpha), (3, 3), padding="same", use_bias=False, strides=strides,
                      name="conv1")(x)
    x = layers.BatchNormalization(axis=axis, name="conv1_bn")(x)
    return layers.ReLU(6.0, name="conv1_relu")(x)


def _separable_block(x, filters: int, alpha: float, depth_multiplier: int, strides=(1, 1), block_id: int = 1):
    axis = 1 if config.image_data_format() == "channels_first" else -1
    if strides != (1, 1):
        x = layers.ZeroPadding2D(((0, 1), (0, 1)), name=f"conv_pad_{block_id}")(x)
    x = layers.DepthwiseConv2D((3, 3), padding="same" if strides == (1, 1) else "valid",
                               depth_multiplier=depth_multiplier, strides=strides, use_bias=False,
                               name=f"conv_dw_{block_id}")(x)
    x = layers.BatchNormalization(axis=axis, name=f"conv_dw_{block_id}_bn")(x)
    x = layers.ReLU(6.0, name=f"conv_dw_{block_id}_relu")(x)
    x = layers.Conv2D(int(filters * alpha), (1, 1), padding="same", use_bias=False, strides=(1, 1),
                      name=f"conv_pw_{block_id}")(x)
    x = layers.BatchNormalization(axis=axis, name=f"conv_pw_{block_id}_bn")(x)
    return layers.ReLU(6.0, name=f"conv_pw_{block_id}_relu")(x)


# (pointwise filters, stride) of blocks 1..13.
_BLOCKS = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + [(1024, 2), (1024, 1)]


def MobileNet(input_shape=None, alpha: float = 1.0, depth_multiplier: int = 1, dropout: float = 1e-3,
              include_top: bool = True, weights="imagenet", input_tensor=None, pooling=None, classes: int = 1000,
              classifier_activation="softmax", name: str | None = None):
    """MobileNet V1; ``weights`` is None, "imagenet" (Keras's cached file for this alpha/size) or a path."""
    imagenet_utils.validate_weights(weights, include_top, classes)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=pretrained_size(input_shape, None, _SIZES), min_size=32,
        data_format=config.image_data_format(), require_flatten=include_top, weights=weights)
    rows, cols = _spatial(input_shape)
    if weights == "imagenet":
        if depth_multiplier != 1:
            raise ValueError("If imagenet weights are being loaded, depth multiplier must be 1.  "
                             f"Received depth_multiplier={depth_multiplier}")
        if alpha not in (0.25, 0.50, 0.75, 1.0):
            raise ValueError("If imagenet weights are being loaded, alpha can be one of`0.25`, `0.50`, `0.75` or "
                             f"`1.0` only.  Received alpha={alpha}")
    rows = weights_rows(weights, rows, cols, _SIZES)
    img_input = imagenet_utils.model_input(input_shape, input_tensor)
    x = _conv_block(img_input, 32, alpha)
    for block_id, (filters, stride) in enumerate(_BLOCKS, start=1):
        x = _separable_block(x, filters, alpha, depth_multiplier, strides=(stride, stride), block_id=block_id)
    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Dropout(dropout, name="dropout")(x)
        x = layers.Conv2D(classes, (1, 1), padding="same", name="conv_preds")(x)
        x = layers.Reshape((classes,), name="reshape_2")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Activation(activation=classifier_activation, name="predictions")(x)
    else:
        x = imagenet_utils.global_pool(x, pooling)
    if name is None:
        name = f"mobilenet_{alpha:0.2f}_{rows}"
    model = Model(imagenet_utils.source_inputs(img_input, input_tensor), x, name=name)
    alpha_text = {1.0: "1_0", 0.75: "7_5", 0.5: "5_0"}.get(alpha, "2_5")
    fname = f"mobilenet_{alpha_text}_{rows}_tf{'' if include_top else '_no_top'}.h5"
    imagenet_utils.load_weights(model, weights, fname, "mobilenet", None)
    return imagenet_utils.set_stages(model, ["conv_dw_2", "conv_dw_4", "conv_dw_6", "conv_dw_12", "conv_preds"])


def preprocess_input(x, data_format: str | None = None):
    """MobileNet inputs: RGB in [0, 255] scaled to [-1, 1] ("tf" mode)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")
