"""MobileNetV3 Small/Large (Howard et al., 2019): inverted residuals with squeeze-excite and hard-swish.

Layer names follow Keras: ``Rescaling`` to [-1, 1] inside the model (``preprocess_input``
is the identity), stem ``conv``/``conv_bn``, blocks ``expanded_conv_{id}_`` +
``expand``/``expand_bn``, ``depthwise_pad``, ``depthwise``/``depthwise_bn``,
``squeeze_excite_{avg_pool,conv,relu,conv_1,mul}``, ``project``/``project_bn``, ``add``
(block 0 has no id and no expansion), then ``conv_1``/``conv_1_bn`` and the top
(``conv_2``, ``logits``, ``predictions``). Activations are auto-named ``re_lu``/
``activation`` layers. The hard sigmoid of the squeeze-excite gate is written as Keras
writes it, ``ReLU(6.0)(x + 3.0) * (1.0 / 6.0)``: the ``+``/``*`` are operation nodes
(``add``, ``multiply``) that Keras 3 does not list in ``model.layers``, and neither does
kerastorch. BatchNormalization: epsilon 1e-3, momentum 0.999. As in Keras, the model
name is the functional default (the constructors' ``name`` is accepted and unused).
"""
from __future__ import annotations

import warnings

import kerastorch.applications.imagenet_utils as imagenet_utils
from kerastorch import config, layers
from kerastorch.applications.imagenet_utils import decode_predictions  # noqa: F401  (family API)
from kerastorch.graph import is_keras_tensor
from kerastorch.models import Model

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3/"
_HASHES = {
    "large_224_0.75_float": ("765b44a33ad4005b3ac83185abf1d0eb", "40af19a13ebea4e2ee0c676887f69a2e"),
    "large_224_1.0_float": ("59e551e166be033d707958cf9e29a6a7", "07fb09a5933dd0c8eaafa16978110389"),
    "large_minimalistic_224_1.0_float": ("675e7b876c45c57e9e63e6d90a36599c", "ec5221f64a2f6d1ef965a614bdae7973"),
    "small_224_0.75_float": ("cb65d4e5be93758266aa0a7f2c6708b7", "ebdb5cc8e0b497cd13a7c275d475c819"),
    "small_224_1.0_float": ("8768d4c2e7dee89b9d02b2d03d65d862", "d3e8ec802a04aa4fc771ee12a9a9b836"),
    "small_minimalistic_224_1.0_float": ("99cd97fb2fcdad2bf028eb838de69e37", "cde8136e733e811080d9fcd8a252f7e4"),
}

# Blocks per model: (expansion, filters, kernel ("k" = 5, or 3 when minimalistic), stride, SE, activation
# ("hs" = hard-swish, or ReLU when minimalistic)).
_SMALL = [(1, 16, 3, 2, True, "relu"), (72.0 / 16, 24, 3, 2, False, "relu"), (88.0 / 24, 24, 3, 1, False, "relu"),
          (4, 40, "k", 2, True, "hs"), (6, 40, "k", 1, True, "hs"), (6, 40, "k", 1, True, "hs"),
          (3, 48, "k", 1, True, "hs"), (3, 48, "k", 1, True, "hs"), (6, 96, "k", 2, True, "hs"),
          (6, 96, "k", 1, True, "hs"), (6, 96, "k", 1, True, "hs")]
_LARGE = [(1, 16, 3, 1, False, "relu"), (4, 24, 3, 2, False, "relu"), (3, 24, 3, 1, False, "relu"),
          (3, 40, "k", 2, True, "relu"), (3, 40, "k", 1, True, "relu"), (3, 40, "k", 1, True, "relu"),
          (6, 80, 3, 2, False, "hs"), (2.5, 80, 3, 1, False, "hs"), (2.3, 80, 3, 1, False, "hs"),
          (2.3, 80, 3, 1, False, "hs"), (6, 112, 3, 1, True, "hs"), (6, 112, 3, 1, True, "hs"),
          (6, 160, "k", 2, True, "hs"), (6, 160, "k", 1, True, "hs"), (6, 160, "k", 1, True, "hs")]


def relu(x):
    return layers.ReLU()(x)


def hard_sigmoid(x):
    return layers.ReLU(6.0)(x + 3.0) * (1.0 / 6.0)


def hard_swish(x):
    return layers.Activation("hard_swish")(x)


def _depth(v: float, divisor: int = 8, min_value: int | None = None) -> int:
    """Round a width to a multiple of ``divisor``, never more than 10% below ``v``."""
    min_value = divisor if min_value is None else min_value
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < 0.9 * v else new_v


def _bn(x, name: str):
    axis = 1 if config.image_data_format() == "channels_first" else -1
    return layers.BatchNormalization(axis=axis, epsilon=1e-3, momentum=0.999, name=name)(x)


def _se_block(inputs, filters: int, se_ratio: float, prefix: str):
    x = layers.GlobalAveragePooling2D(keepdims=True, name=f"{prefix}squeeze_excite_avg_pool")(inputs)
    x = layers.Conv2D(_depth(filters * se_ratio), kernel_size=1, padding="same",
                      name=f"{prefix}squeeze_excite_conv")(x)
    x = layers.ReLU(name=f"{prefix}squeeze_excite_relu")(x)
    x = layers.Conv2D(filters, kernel_size=1, padding="same", name=f"{prefix}squeeze_excite_conv_1")(x)
    x = hard_sigmoid(x)
    return layers.Multiply(name=f"{prefix}squeeze_excite_mul")([inputs, x])


def _inverted_res_block(x, expansion: float, filters: int, kernel_size: int, stride: int, se_ratio, activation,
                        block_id: int):
    channel_axis = 1 if config.image_data_format() == "channels_first" else -1
    shortcut = x
    prefix = "expanded_conv_"
    infilters = x.shape[channel_axis]
    if block_id:
        prefix = f"expanded_conv_{block_id}_"
        x = layers.Conv2D(_depth(infilters * expansion), kernel_size=1, padding="same", use_bias=False,
                          name=f"{prefix}expand")(x)
        x = _bn(x, f"{prefix}expand_bn")
        x = activation(x)
    if stride == 2:
        x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, kernel_size), name=f"{prefix}depthwise_pad")(x)
    x = layers.DepthwiseConv2D(kernel_size, strides=stride, padding="same" if stride == 1 else "valid",
                               use_bias=False, name=f"{prefix}depthwise")(x)
    x = _bn(x, f"{prefix}depthwise_bn")
    x = activation(x)
    if se_ratio:
        x = _se_block(x, _depth(infilters * expansion), se_ratio, prefix)
    x = layers.Conv2D(filters, kernel_size=1, padding="same", use_bias=False, name=f"{prefix}project")(x)
    x = _bn(x, f"{prefix}project_bn")
    if stride == 1 and infilters == filters:
        x = layers.Add(name=f"{prefix}add")([shortcut, x])
    return x


def _input_shape(input_shape, input_tensor) -> tuple:
    """Keras's MobileNetV3 shape rules: from ``input_tensor`` when given, any size >= 32 (None allowed)."""
    first = config.image_data_format() == "channels_first"
    if input_tensor is not None and not is_keras_tensor(input_tensor):
        if input_shape is None:
            raise ValueError(f"input_tensor specified: {input_tensor!r} is not a keras tensor; pass `input_shape` "
                             "as well, or a KerasTensor (from keras.Input or a layer).")
    elif input_tensor is not None and input_shape is not None:
        got = input_tensor.shape[1] if first else input_tensor.shape[2]
        if got != input_shape[1]:
            raise ValueError(f"input_shape[1] must equal input_tensor.shape[{1 if first else 2}].  Received "
                             f"input_shape={input_shape}, input_tensor.shape={input_tensor.shape}")
    elif input_tensor is not None:
        rows, cols = (input_tensor.shape[2], input_tensor.shape[3]) if first else \
            (input_tensor.shape[1], input_tensor.shape[2])
        input_shape = (3, cols, rows) if first else (cols, rows, 3)
    if input_shape is None:
        input_shape = (3, None, None) if first else (None, None, 3)
    rows, cols = (input_shape[1], input_shape[2]) if first else (input_shape[0], input_shape[1])
    if rows and cols and (rows < 32 or cols < 32):
        raise ValueError(f"Input size must be at least 32x32; Received `input_shape={input_shape}`")
    return tuple(input_shape)


def MobileNetV3(stack_fn, last_point_ch: int, input_shape=None, alpha: float = 1.0, model_type: str = "large",
                minimalistic: bool = False, include_top: bool = True, weights="imagenet", input_tensor=None,
                classes: int = 1000, pooling=None, dropout_rate: float = 0.2, classifier_activation="softmax",
                include_preprocessing: bool = True, name: str | None = None):
    """The body shared by Small and Large; ``stack_fn(x, kernel, activation, se_ratio)`` adds the blocks."""
    imagenet_utils.validate_weights(weights, include_top, classes)
    input_shape = _input_shape(input_shape, input_tensor)
    first = config.image_data_format() == "channels_first"
    rows, cols = (input_shape[1], input_shape[2]) if first else (input_shape[0], input_shape[1])
    if weights == "imagenet":
        if (not minimalistic and alpha not in (0.75, 1.0)) or (minimalistic and alpha != 1.0):
            raise ValueError("If imagenet weights are being loaded, alpha can be one of `0.75`, `1.0` for non "
                             f"minimalistic or `1.0` for minimalistic only; received alpha={alpha}, "
                             f"minimalistic={minimalistic}.")
        if rows != cols or rows != 224:
            warnings.warn("`input_shape` is undefined or non-square, or `rows` is not 224. Weights for input "
                          "shape (224, 224) will be loaded as the default.", stacklevel=3)
    img_input = imagenet_utils.model_input(input_shape, input_tensor)
    channel_axis = 1 if first else -1
    kernel, activation, se_ratio = (3, relu, None) if minimalistic else (5, hard_swish, 0.25)
    x = img_input
    if include_preprocessing:
        x = layers.Rescaling(scale=1.0 / 127.5, offset=-1.0)(x)
    x = layers.Conv2D(16, kernel_size=3, strides=(2, 2), padding="same", use_bias=False, name="conv")(x)
    x = _bn(x, "conv_bn")
    x = activation(x)
    x = stack_fn(x, kernel, activation, se_ratio)
    last_conv_ch = _depth(x.shape[channel_axis] * 6)
    if alpha > 1.0:
        last_point_ch = _depth(last_point_ch * alpha)
    x = layers.Conv2D(last_conv_ch, kernel_size=1, padding="same", use_bias=False, name="conv_1")(x)
    x = _bn(x, "conv_1_bn")
    x = activation(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Conv2D(last_point_ch, kernel_size=1, padding="same", use_bias=True, name="conv_2")(x)
        x = activation(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate)(x)
        x = layers.Conv2D(classes, kernel_size=1, padding="same", name="logits")(x)
        x = layers.Flatten()(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Activation(activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)
    model = Model(imagenet_utils.source_inputs(img_input, input_tensor), x, name=name)
    if weights == "imagenet":
        model_name = f"{model_type}{'_minimalistic' if minimalistic else ''}_224_{alpha}_float"
        fname = f"weights_mobilenet_v3_{model_name}" + (".h5" if include_top else "_no_top_v2.h5")
        imagenet_utils.load_weights(model, weights, fname, file_hash=_HASHES[model_name][0 if include_top else 1],
                                    origin=_BASE + fname)
    else:
        imagenet_utils.load_weights(model, weights)
    return model


def _stack(table: list, alpha: float):
    def stack_fn(x, kernel, activation, se_ratio):
        for block_id, (expansion, filters, k, stride, se, act) in enumerate(table):
            x = _inverted_res_block(x, expansion, _depth(filters * alpha), kernel if k == "k" else k, stride,
                                    se_ratio if se else None, activation if act == "hs" else relu, block_id)
        return x
    return stack_fn


def _stages(model, starts: list[int]):
    return imagenet_utils.set_stages(model, [f"expanded_conv_{i}_expand" for i in starts]
                                     + ["conv_1", "conv_2", "logits"])


def MobileNetV3Small(input_shape=None, alpha: float = 1.0, minimalistic: bool = False, include_top: bool = True,
                     weights="imagenet", input_tensor=None, classes: int = 1000, pooling=None,
                     dropout_rate: float = 0.2, classifier_activation="softmax", include_preprocessing: bool = True,
                     name: str = "MobileNetV3Small"):
    """MobileNetV3Small; inputs are RGB in [0, 255] (rescaling is inside the model)."""
    model = MobileNetV3(_stack(_SMALL, alpha), 1024, input_shape, alpha, "small", minimalistic, include_top,
                        weights, input_tensor, classes, pooling, dropout_rate, classifier_activation,
                        include_preprocessing)
    return _stages(model, [1, 3, 8])


def MobileNetV3Large(input_shape=None, alpha: float = 1.0, minimalistic: bool = False, include_top: bool = True,
                     weights="imagenet", input_tensor=None, classes: int = 1000, pooling=None,
                     dropout_rate: float = 0.2, classifier_activation="softmax", include_preprocessing: bool = True,
                     name: str = "MobileNetV3Large"):
    """MobileNetV3Large; inputs are RGB in [0, 255] (rescaling is inside the model)."""
    model = MobileNetV3(_stack(_LARGE, alpha), 1280, input_shape, alpha, "large", minimalistic, include_top,
                        weights, input_tensor, classes, pooling, dropout_rate, classifier_activation,
                        include_preprocessing)
    return _stages(model, [1, 3, 6, 12])


def preprocess_input(x, data_format: str | None = None):
    """The identity: MobileNetV3 models rescale their [0, 255] inputs themselves (kept for API parity)."""
    return x
