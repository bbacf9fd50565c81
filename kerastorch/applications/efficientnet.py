"""EfficientNet B0-B7 (Tan & Le, 2019): compound-scaled MBConv networks with squeeze-and-excitation.

The input normalization is part of the model (``Rescaling(1/255)`` then an un-adapted
``Normalization`` whose mean/variance come with the weights; with ``weights="imagenet"`` a
further ``Rescaling`` by 1/sqrt(std) reproduces the published files' preprocessing), so
``preprocess_input`` is the identity. Stem ``stem_conv_pad``/``stem_conv``/``stem_bn``/
``stem_activation``; seven stages of blocks named ``block{stage}{letter}_`` +
``expand_conv``, ``dwconv_pad``, ``dwconv``, ``bn``, ``activation``, ``se_squeeze``,
``se_reshape``, ``se_reduce``, ``se_expand``, ``se_excite``, ``project_conv``,
``project_bn``, ``drop``, ``add``; then ``top_conv``/``top_bn``/``top_activation``,
``avg_pool``, ``top_dropout``, ``predictions``. Widths are rounded to multiples of 8 and
depths rounded up; stochastic depth grows linearly from 0 over the blocks.
"""
from __future__ import annotations

import copy
import math

import kerastorch.applications.imagenet_utils as imagenet_utils
from kerastorch import config, initializers, layers
from kerastorch.applications.imagenet_utils import decode_predictions  # noqa: F401  (family API)
from kerastorch.models import Model

_BASE = "https://storage.googleapis.com/keras-applications/"
_HASHES = {
    "b0": ("902e53a9f72be733fc0bcb005b3ebbac", "50bc09e76180e00e4465e1a485ddc09d"),
    "b1": ("1d254153d4ab51201f1646940f018540", "74c4e6b3e1f6a1eea24c589628592432"),
    "b2": ("b15cce36ff4dcbd00b6dd88e7857a6ad", "111f8e2ac8aa800a7a99e3239f7bfb39"),
    "b3": ("ffd1fdc53d0ce67064dc6a9c7960ede0", "af6d107764bb5b1abb91932881670226"),
    "b4": ("18c95ad55216b8f92d7e70b3a046e2fc", "ebc24e6d6c33eaebbd558eafbeedf1ba"),
    "b5": ("ace28f2a6363774853a83a0b21b9421a", "38879255a25d3c92d5e44e04ae6cec6f"),
    "b6": ("165f6e37dce68623721b423839de8be5", "9ecce42647a20130c1f39a5d4cb75743"),
    "b7": ("8c03f828fec3ef71311cd463b6759d99", "cbcfe4450ddf6f3ad90b1b398090fe4a"),
}

# (kernel_size, repeats, filters_in, filters_out, expand_ratio, strides) per stage; all use
# an identity skip and se_ratio 0.25.
_STAGES = [(3, 1, 32, 16, 1, 1), (3, 2, 16, 24, 6, 2), (5, 2, 24, 40, 6, 2), (3, 3, 40, 80, 6, 2),
           (5, 3, 80, 112, 6, 1), (5, 4, 112, 192, 6, 2), (3, 1, 192, 320, 6, 1)]
DEFAULT_BLOCKS_ARGS = [
    dict(kernel_size=k, repeats=r, filters_in=fi, filters_out=fo, expand_ratio=e, id_skip=True, strides=s,
         se_ratio=0.25)
    for k, r, fi, fo, e, s in _STAGES
]
IMAGENET_STDDEV_RGB = [0.229, 0.224, 0.225]


def _conv_init():
    return initializers.VarianceScaling(scale=2.0, mode="fan_out", distribution="truncated_normal")


def _dense_init():
    return initializers.VarianceScaling(scale=1.0 / 3.0, mode="fan_out", distribution="uniform")


def _bn_axis() -> int:
    return 3 if config.image_data_format() == "channels_last" else 1


def block(inputs, activation="swish", drop_rate: float = 0.0, name: str = "", filters_in: int = 32,
          filters_out: int = 16, kernel_size: int = 3, strides: int = 1, expand_ratio: int = 1,
          se_ratio: float = 0.0, id_skip: bool = True):
    """One MBConv block: expand (1x1), depthwise, squeeze-excite, project (1x1), stochastic-depth skip."""
    bn_axis = _bn_axis()
    filters = filters_in * expand_ratio
    x = inputs
    if expand_ratio != 1:
        x = layers.Conv2D(filters, 1, padding="same", use_bias=False, kernel_initializer=_conv_init(),
                          name=f"{name}expand_conv")(x)
        x = layers.BatchNormalization(axis=bn_axis, name=f"{name}expand_bn")(x)
        x = layers.Activation(activation, name=f"{name}expand_activation")(x)
    if strides == 2:
        x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, kernel_size), name=f"{name}dwconv_pad")(x)
    x = layers.DepthwiseConv2D(kernel_size, strides=strides, padding="valid" if strides == 2 else "same",
                               use_bias=False, depthwise_initializer=_conv_init(), name=f"{name}dwconv")(x)
    x = layers.BatchNormalization(axis=bn_axis, name=f"{name}bn")(x)
    x = layers.Activation(activation, name=f"{name}activation")(x)
    if 0 < se_ratio <= 1:
        filters_se = max(1, int(filters_in * se_ratio))
        se = layers.GlobalAveragePooling2D(name=f"{name}se_squeeze")(x)
        se = layers.Reshape((filters, 1, 1) if bn_axis == 1 else (1, 1, filters), name=f"{name}se_reshape")(se)
        se = layers.Conv2D(filters_se, 1, padding="same", activation=activation, kernel_initializer=_conv_init(),
                           name=f"{name}se_reduce")(se)
        se = layers.Conv2D(filters, 1, padding="same", activation="sigmoid", kernel_initializer=_conv_init(),
                           name=f"{name}se_expand")(se)
        x = layers.multiply([x, se], name=f"{name}se_excite")
    x = layers.Conv2D(filters_out, 1, padding="same", use_bias=False, kernel_initializer=_conv_init(),
                      name=f"{name}project_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, name=f"{name}project_bn")(x)
    if id_skip and strides == 1 and filters_in == filters_out:
        if drop_rate > 0:
            # Stochastic depth: drop the whole residual branch per sample.
            x = layers.Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=f"{name}drop")(x)
        x = layers.add([x, inputs], name=f"{name}add")
    return x


def EfficientNet(width_coefficient: float, depth_coefficient: float, default_size: int, dropout_rate: float = 0.2,
                 drop_connect_rate: float = 0.2, depth_divisor: int = 8, activation="swish",
                 blocks_args="default", name: str = "efficientnet", include_top: bool = True, weights="imagenet",
                 input_tensor=None, input_shape=None, pooling=None, classes: int = 1000,
                 classifier_activation="softmax", weights_name: str | None = None):
    """The scaled EfficientNet body shared by B0-B7."""
    blocks_args = DEFAULT_BLOCKS_ARGS if blocks_args == "default" else blocks_args
    imagenet_utils.validate_weights(weights, include_top, classes)
    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size=default_size, min_size=32,
                                                    data_format=config.image_data_format(),
                                                    require_flatten=include_top, weights=weights)
    img_input = imagenet_utils.model_input(input_shape, input_tensor)
    bn_axis = _bn_axis()

    def round_filters(filters: float) -> int:
        filters *= width_coefficient
        new = max(depth_divisor, int(filters + depth_divisor / 2) // depth_divisor * depth_divisor)
        return int(new + depth_divisor if new < 0.9 * filters else new)

    def round_repeats(repeats: int) -> int:
        return int(math.ceil(depth_coefficient * repeats))

    x = layers.Rescaling(1.0 / 255.0)(img_input)
    x = layers.Normalization(axis=bn_axis)(x)
    if weights == "imagenet":
        # The published files' Normalization variance is the ImageNet std (not its square):
        # this rescale completes the division by the std.
        x = layers.Rescaling([1.0 / math.sqrt(s) for s in IMAGENET_STDDEV_RGB])(x)
    x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, 3), name="stem_conv_pad")(x)
    x = layers.Conv2D(round_filters(32), 3, strides=2, padding="valid", use_bias=False,
                      kernel_initializer=_conv_init(), name="stem_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, name="stem_bn")(x)
    x = layers.Activation(activation, name="stem_activation")(x)

    blocks_args = copy.deepcopy(blocks_args)
    total = float(sum(round_repeats(a["repeats"]) for a in blocks_args))
    b = 0
    for i, args in enumerate(blocks_args):
        if args["repeats"] <= 0:
            raise ValueError(f"The number of repeats in `EfficientNet` must be > 0. Received: "
                             f"repeats={args['repeats']}")
        args["filters_in"] = round_filters(args["filters_in"])
        args["filters_out"] = round_filters(args["filters_out"])
        for j in range(round_repeats(args.pop("repeats"))):
            if j > 0:
                args["strides"] = 1
                args["filters_in"] = args["filters_out"]
            x = block(x, activation, drop_connect_rate * b / total, name=f"block{i + 1}{chr(j + 97)}_", **args)
            b += 1

    x = layers.Conv2D(round_filters(1280), 1, padding="same", use_bias=False, kernel_initializer=_conv_init(),
                      name="top_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, name="top_bn")(x)
    x = layers.Activation(activation, name="top_activation")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, kernel_initializer=_dense_init(),
                         name="predictions")(x)
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
    return imagenet_utils.set_stages(model, ["block2a_expand_conv", "block3a_expand_conv", "block4a_expand_conv",
                                             "block5a_expand_conv", "block6a_expand_conv", "block7a_expand_conv",
                                             "top_conv", "predictions"])


def _constructor(variant: str, width: float, depth: float, size: int, dropout: float):
    def build(include_top: bool = True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
              classes: int = 1000, classifier_activation="softmax", name: str = f"efficientnet{variant}"):
        return EfficientNet(width, depth, size, dropout, name=name, include_top=include_top, weights=weights,
                            input_tensor=input_tensor, input_shape=input_shape, pooling=pooling, classes=classes,
                            classifier_activation=classifier_activation, weights_name=variant)
    label = f"EfficientNet{variant.upper()}"
    build.__name__ = build.__qualname__ = label
    build.__doc__ = (f"{label} (width x{width}, depth x{depth}, {size}px); inputs are RGB in [0, 255] "
                     "(normalization is inside the model).")
    return build


EfficientNetB0 = _constructor("b0", 1.0, 1.0, 224, 0.2)
EfficientNetB1 = _constructor("b1", 1.0, 1.1, 240, 0.2)
EfficientNetB2 = _constructor("b2", 1.1, 1.2, 260, 0.3)
EfficientNetB3 = _constructor("b3", 1.2, 1.4, 300, 0.3)
EfficientNetB4 = _constructor("b4", 1.4, 1.8, 380, 0.4)
EfficientNetB5 = _constructor("b5", 1.6, 2.2, 456, 0.4)
EfficientNetB6 = _constructor("b6", 1.8, 2.6, 528, 0.5)
EfficientNetB7 = _constructor("b7", 2.0, 3.1, 600, 0.5)


def preprocess_input(x, data_format: str | None = None):
    """The identity: EfficientNet models normalize their [0, 255] inputs themselves (kept for API parity)."""
    return x
