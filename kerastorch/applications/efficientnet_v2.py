"""EfficientNetV2 B0-B3, S, M, L (Tan & Le, 2021): Fused-MBConv early stages, MBConv with SE later.

Layer names follow Keras: stem ``stem_conv``/``stem_bn``/``stem_activation``; blocks
``block{stage}{letter}_`` + (``expand_conv``, ``expand_bn``, ``expand_activation``),
``dwconv2``/``bn``/``activation`` (MBConv only), ``se_squeeze``, ``se_reshape``,
``se_reduce``, ``se_expand``, ``se_excite``, ``project_conv``, ``project_bn``,
``project_activation`` (Fused without expansion), ``drop``, ``add``; then
``top_conv``/``top_bn``/``top_activation``, ``avg_pool``, ``top_dropout``,
``predictions``. BatchNormalization momentum 0.9. As in Keras, the residual Dropout's
rate is the block's ``survival_probability`` value (drop_connect_rate * b / blocks),
and the input preprocessing is in the model (B variants: ``Rescaling(1/255)`` +
ImageNet ``Normalization``; S/M/L: ``Rescaling(1/128, offset=-1)``), so
``preprocess_input`` is the identity. Widths round to multiples of 8 (at least 8),
depths round up.
"""
from __future__ import annotations

import copy
import math

import kerastorch.applications.imagenet_utils as imagenet_utils
from kerastorch import backend, config, initializers, layers
from kerastorch.applications.imagenet_utils import decode_predictions  # noqa: F401  (family API)
from kerastorch.models import Model

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/"
_HASHES = {
    "b0": ("21ecbf6da12460d5c40bb2f29ceb2188", "893217f2bb855e2983157299931e43ff"),
    "b1": ("069f0534ff22adf035c89e2d9547a9dc", "0e80663031ca32d657f9caa404b6ec37"),
    "b2": ("424e49f28180edbde1e94797771950a7", "1dfe2e7a5d45b6632553a8961ea609eb"),
    "b3": ("1f1fc43bd98a6e4fd8fdfd551e02c7a0", "f6abf7b5849ac99a89b50dd3fd532856"),
    "-s": ("e1d88a8495beba45748fedd0cecbe016", "af0682fb74e8c54910f2d4393339c070"),
    "-m": ("a3bf6aa3276309f4fc6a34aa114c95cd", "1b8dc055df72dde80d614482840fe342"),
    "-l": ("27e6d408b53c7ebc868fefa357689935", "b0b66b5c863aef5b46e8608fe1711615"),
}

_KEYS = ("kernel_size", "num_repeat", "input_filters", "output_filters", "expand_ratio", "se_ratio", "strides",
         "conv_type")
# Per stage: (kernel, repeats, filters in, filters out, expansion, SE ratio, stride, conv type 1=Fused 0=MBConv).
_B = [(3, 1, 32, 16, 1, 0, 1, 1), (3, 2, 16, 32, 4, 0, 2, 1), (3, 2, 32, 48, 4, 0, 2, 1),
      (3, 3, 48, 96, 4, 0.25, 2, 0), (3, 5, 96, 112, 6, 0.25, 1, 0), (3, 8, 112, 192, 6, 0.25, 2, 0)]
_TABLES = {
    "efficientnetv2-s": [(3, 2, 24, 24, 1, 0, 1, 1), (3, 4, 24, 48, 4, 0, 2, 1), (3, 4, 48, 64, 4, 0, 2, 1),
                         (3, 6, 64, 128, 4, 0.25, 2, 0), (3, 9, 128, 160, 6, 0.25, 1, 0),
                         (3, 15, 160, 256, 6, 0.25, 2, 0)],
    "efficientnetv2-m": [(3, 3, 24, 24, 1, 0, 1, 1), (3, 5, 24, 48, 4, 0, 2, 1), (3, 5, 48, 80, 4, 0, 2, 1),
                         (3, 7, 80, 160, 4, 0.25, 2, 0), (3, 14, 160, 176, 6, 0.25, 1, 0),
                         (3, 18, 176, 304, 6, 0.25, 2, 0), (3, 5, 304, 512, 6, 0.25, 1, 0)],
    "efficientnetv2-l": [(3, 4, 32, 32, 1, 0, 1, 1), (3, 7, 32, 64, 4, 0, 2, 1), (3, 7, 64, 96, 4, 0, 2, 1),
                         (3, 10, 96, 192, 4, 0.25, 2, 0), (3, 19, 192, 224, 6, 0.25, 1, 0),
                         (3, 25, 224, 384, 6, 0.25, 2, 0), (3, 7, 384, 640, 6, 0.25, 1, 0)],
    **{f"efficientnetv2-b{i}": _B for i in range(4)},
}
DEFAULT_BLOCKS_ARGS = {name: [dict(zip(_KEYS, row)) for row in rows] for name, rows in _TABLES.items()}


def _conv_init():
    return initializers.VarianceScaling(scale=2.0, mode="fan_out", distribution="truncated_normal")


def _dense_init():
    return initializers.VarianceScaling(scale=1.0 / 3.0, mode="fan_out", distribution="uniform")


def _bn_axis() -> int:
    return 3 if config.image_data_format() == "channels_last" else 1


def round_filters(filters: float, width_coefficient: float, min_depth: int | None, depth_divisor: int) -> int:
    """Scale the width and round it to the nearest multiple of ``depth_divisor`` (at least ``min_depth``)."""
    filters *= width_coefficient
    return int(max(min_depth or depth_divisor, int(filters + depth_divisor / 2) // depth_divisor * depth_divisor))


def round_repeats(repeats: int, depth_coefficient: float) -> int:
    """Scale the depth, rounding up."""
    return int(math.ceil(depth_coefficient * repeats))


def _bn(x, momentum: float, name: str):
    return layers.BatchNormalization(axis=_bn_axis(), momentum=momentum, name=name)(x)


def _squeeze_excite(x, filters: int, input_filters: int, se_ratio: float, activation, name: str):
    filters_se = max(1, int(input_filters * se_ratio))
    se = layers.GlobalAveragePooling2D(name=f"{name}se_squeeze")(x)
    se = layers.Reshape((filters, 1, 1) if _bn_axis() == 1 else (1, 1, filters), name=f"{name}se_reshape")(se)
    se = layers.Conv2D(filters_se, 1, padding="same", activation=activation, kernel_initializer=_conv_init(),
                       name=f"{name}se_reduce")(se)
    se = layers.Conv2D(filters, 1, padding="same", activation="sigmoid", kernel_initializer=_conv_init(),
                       name=f"{name}se_expand")(se)
    return layers.multiply([x, se], name=f"{name}se_excite")


def _residual(x, inputs, strides: int, input_filters: int, output_filters: int, survival_probability: float,
              name: str):
    if strides == 1 and input_filters == output_filters:
        if survival_probability:
            # Keras passes the survival probability as the drop rate; kept for identical models.
            x = layers.Dropout(survival_probability, noise_shape=(None, 1, 1, 1), name=f"{name}drop")(x)
        x = layers.add([x, inputs], name=f"{name}add")
    return x


def MBConvBlock(input_filters: int, output_filters: int, expand_ratio: int = 1, kernel_size: int = 3,
                strides: int = 1, se_ratio: float = 0.0, bn_momentum: float = 0.9, activation="swish",
                survival_probability: float = 0.8, name: str | None = None):
    """Expand (1x1), depthwise, squeeze-excite, project (1x1), residual."""
    name = name or backend.get_uid("block0")

    def apply(inputs):
        filters = input_filters * expand_ratio
        x = inputs
        if expand_ratio != 1:
            x = layers.Conv2D(filters, 1, strides=1, kernel_initializer=_conv_init(), padding="same",
                              use_bias=False, name=f"{name}expand_conv")(x)
            x = _bn(x, bn_momentum, f"{name}expand_bn")
            x = layers.Activation(activation, name=f"{name}expand_activation")(x)
        x = layers.DepthwiseConv2D(kernel_size, strides=strides, depthwise_initializer=_conv_init(),
                                   padding="same", use_bias=False, name=f"{name}dwconv2")(x)
        x = _bn(x, bn_momentum, f"{name}bn")
        x = layers.Activation(activation, name=f"{name}activation")(x)
        if 0 < se_ratio <= 1:
            x = _squeeze_excite(x, filters, input_filters, se_ratio, activation, name)
        x = layers.Conv2D(output_filters, 1, strides=1, kernel_initializer=_conv_init(), padding="same",
                          use_bias=False, name=f"{name}project_conv")(x)
        x = _bn(x, bn_momentum, f"{name}project_bn")
        return _residual(x, inputs, strides, input_filters, output_filters, survival_probability, name)
    return apply


def FusedMBConvBlock(input_filters: int, output_filters: int, expand_ratio: int = 1, kernel_size: int = 3,
                     strides: int = 1, se_ratio: float = 0.0, bn_momentum: float = 0.9, activation="swish",
                     survival_probability: float = 0.8, name: str | None = None):
    """A full kxk conv in place of expand + depthwise, optional squeeze-excite, project, residual."""
    name = name or backend.get_uid("block0")

    def apply(inputs):
        filters = input_filters * expand_ratio
        x = inputs
        if expand_ratio != 1:
            x = layers.Conv2D(filters, kernel_size=kernel_size, strides=strides, kernel_initializer=_conv_init(),
                              padding="same", use_bias=False, name=f"{name}expand_conv")(x)
            x = _bn(x, bn_momentum, f"{name}expand_bn")
            x = layers.Activation(activation, name=f"{name}expand_activation")(x)
        if 0 < se_ratio <= 1:
            x = _squeeze_excite(x, filters, input_filters, se_ratio, activation, name)
        expanded = expand_ratio != 1
        x = layers.Conv2D(output_filters, kernel_size=1 if expanded else kernel_size,
                          strides=1 if expanded else strides, kernel_initializer=_conv_init(), padding="same",
                          use_bias=False,
                          name=f"{name}project_conv")(x)
        x = _bn(x, bn_momentum, f"{name}project_bn")
        if not expanded:
            x = layers.Activation(activation, name=f"{name}project_activation")(x)
        return _residual(x, inputs, strides, input_filters, output_filters, survival_probability, name)
    return apply


def EfficientNetV2(width_coefficient: float, depth_coefficient: float, default_size: int, dropout_rate: float = 0.2,
                   drop_connect_rate: float = 0.2, depth_divisor: int = 8, min_depth: int = 8,
                   bn_momentum: float = 0.9, activation="swish", blocks_args="default",
                   name: str = "efficientnetv2", include_top: bool = True, weights="imagenet", input_tensor=None,
                   input_shape=None, pooling=None, classes: int = 1000, classifier_activation="softmax",
                   include_preprocessing: bool = True, weights_name: str | None = None):
    """The scaled EfficientNetV2 body shared by B0-B3 and S/M/L."""
    if blocks_args == "default":
        if name not in DEFAULT_BLOCKS_ARGS:
            raise ValueError(f"blocks_args='default' needs a model name among {sorted(DEFAULT_BLOCKS_ARGS)}; "
                             f"received name={name!r}. Pass `blocks_args` explicitly for another name.")
        blocks_args = DEFAULT_BLOCKS_ARGS[name]
    imagenet_utils.validate_weights(weights, include_top, classes)
    # As Keras, the shape rules are applied without `weights` (a top accepts any static size).
    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size=default_size, min_size=32,
                                                    data_format=config.image_data_format(),
                                                    require_flatten=include_top)
    img_input = imagenet_utils.model_input(input_shape, input_tensor)
    bn_axis = _bn_axis()
    x = img_input
    if include_preprocessing:
        if name.split("-")[-1].startswith("b") and input_shape[bn_axis - 1] == 3:
            x = layers.Rescaling(scale=1.0 / 255)(x)
            x = layers.Normalization(mean=[0.485, 0.456, 0.406], variance=[0.229 ** 2, 0.224 ** 2, 0.225 ** 2],
                                     axis=bn_axis)(x)
        else:
            x = layers.Rescaling(scale=1.0 / 128.0, offset=-1)(x)
    x = layers.Conv2D(round_filters(blocks_args[0]["input_filters"], width_coefficient, min_depth, depth_divisor),
                      kernel_size=3, strides=2, kernel_initializer=_conv_init(), padding="same", use_bias=False,
                      name="stem_conv")(x)
    x = _bn(x, bn_momentum, "stem_bn")
    x = layers.Activation(activation, name="stem_activation")(x)

    blocks_args = copy.deepcopy(blocks_args)
    b = 0
    blocks = float(sum(args["num_repeat"] for args in blocks_args))
    for i, args in enumerate(blocks_args):
        if args["num_repeat"] <= 0:
            raise ValueError(f"The number of repeats in `EfficientNetV2` must be > 0. Received: "
                             f"num_repeat={args['num_repeat']}")
        args["input_filters"] = round_filters(args["input_filters"], width_coefficient, min_depth, depth_divisor)
        args["output_filters"] = round_filters(args["output_filters"], width_coefficient, min_depth, depth_divisor)
        make = (MBConvBlock, FusedMBConvBlock)[args.pop("conv_type")]
        for j in range(round_repeats(args.pop("num_repeat"), depth_coefficient)):
            if j > 0:
                args["strides"] = 1
                args["input_filters"] = args["output_filters"]
            x = make(activation=activation, bn_momentum=bn_momentum,
                     survival_probability=drop_connect_rate * b / blocks, name=f"block{i + 1}{chr(j + 97)}_", **args)(x)
            b += 1

    x = layers.Conv2D(round_filters(1280, width_coefficient, min_depth, depth_divisor), kernel_size=1, strides=1,
                      kernel_initializer=_conv_init(), padding="same", use_bias=False, name="top_conv")(x)
    x = _bn(x, bn_momentum, "top_bn")
    x = layers.Activation(activation, name="top_activation")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, kernel_initializer=_dense_init(),
                         bias_initializer=initializers.Constant(0.0), name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)
    model = Model(imagenet_utils.source_inputs(img_input, input_tensor), x, name=name)
    if weights == "imagenet":
        fname = name + (".h5" if include_top else "_notop.h5")
        imagenet_utils.load_weights(model, weights, fname, file_hash=_HASHES[weights_name][0 if include_top else 1],
                                    origin=_BASE + fname)
    else:
        imagenet_utils.load_weights(model, weights)
    # Stage starts: the first conv of stages 2.. (every stage's first block has a conv named *_conv).
    starts = [f"block{i}a_expand_conv" for i in range(2, len(blocks_args) + 1)]
    return imagenet_utils.set_stages(model, starts + ["top_conv", "predictions"])


def _constructor(variant: str, width: float, depth: float, size: int, dropout: float):
    model_name = f"efficientnetv2{variant if variant.startswith('-') else '-' + variant}"

    def build(include_top: bool = True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
              classes: int = 1000, classifier_activation="softmax", include_preprocessing: bool = True,
              name: str = model_name):
        return EfficientNetV2(width, depth, size, dropout, name=name, include_top=include_top, weights=weights,
                              input_tensor=input_tensor, input_shape=input_shape, pooling=pooling, classes=classes,
                              classifier_activation=classifier_activation,
                              include_preprocessing=include_preprocessing, weights_name=variant)
    label = f"EfficientNetV2{variant.strip('-').upper()}"
    build.__name__ = build.__qualname__ = label
    build.__doc__ = (f"{label} (width x{width}, depth x{depth}, {size}px); inputs are RGB in [0, 255] "
                     "(preprocessing is inside the model).")
    return build


EfficientNetV2B0 = _constructor("b0", 1.0, 1.0, 224, 0.2)
EfficientNetV2B1 = _constructor("b1", 1.0, 1.1, 240, 0.2)
EfficientNetV2B2 = _constructor("b2", 1.1, 1.2, 260, 0.2)
EfficientNetV2B3 = _constructor("b3", 1.2, 1.4, 300, 0.2)
EfficientNetV2S = _constructor("-s", 1.0, 1.0, 384, 0.2)
EfficientNetV2M = _constructor("-m", 1.0, 1.0, 480, 0.2)
EfficientNetV2L = _constructor("-l", 1.0, 1.0, 480, 0.2)


def preprocess_input(x, data_format: str | None = None):
    """The identity: EfficientNetV2 models preprocess their [0, 255] inputs themselves (kept for API parity)."""
    return x
