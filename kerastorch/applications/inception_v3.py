"""InceptionV3 (Szegedy et al., 2016): factorized Inception modules.

Every convolution is ``conv2d_bn``: a bias-free ``Conv2D``, a ``BatchNormalization``
without scale and a ReLU, all auto-named as in Keras (``conv2d_N``,
``batch_normalization_N``, ``activation_N``), so the creation order below is Keras's
order: stem (5 convs, 2 max pools), ``mixed0``-``mixed2`` (35x35), ``mixed3`` (grid
reduction), ``mixed4``-``mixed7`` (17x17, 1x7/7x1 factorized), ``mixed8`` (reduction),
``mixed9``/``mixed10`` (8x8, with inner ``mixed9_0``/``mixed9_1`` concatenations).
Default input 299x299, minimum 75. Inputs: "tf" mode.
"""
from __future__ import annotations

import kerastorch.applications.imagenet_utils as imagenet_utils
from kerastorch import config, layers
from kerastorch.applications.imagenet_utils import decode_predictions  # noqa: F401  (family API)
from kerastorch.models import Model

_FILES = (("inception_v3_weights_tf_dim_ordering_tf_kernels.h5", "9a0d58056eeedaa3f26cb7ebd46da564"),
          ("inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5", "bcbd6486424b2319ff4ef7d526e38f63"))


def conv2d_bn(x, filters: int, num_row: int, num_col: int, padding: str = "same", strides=(1, 1),
              name: str | None = None):
    """Conv (no bias) + BatchNormalization (no scale) + ReLU; ``name`` gives ``name_conv``/``name_bn``/``name``."""
    axis = 1 if config.image_data_format() == "channels_first" else 3
    x = layers.Conv2D(filters, (num_row, num_col), strides=strides, padding=padding, use_bias=False,
                      name=None if name is None else f"{name}_conv")(x)
    x = layers.BatchNormalization(axis=axis, scale=False, name=None if name is None else f"{name}_bn")(x)
    return layers.Activation("relu", name=name)(x)


def _avg_branch(x, filters: int):
    pooled = layers.AveragePooling2D((3, 3), strides=(1, 1), padding="same")(x)
    return conv2d_bn(pooled, filters, 1, 1)


def _block35(x, pool_filters: int, name: str, axis: int):
    b1 = conv2d_bn(x, 64, 1, 1)
    b5 = conv2d_bn(conv2d_bn(x, 48, 1, 1), 64, 5, 5)
    b3 = conv2d_bn(conv2d_bn(conv2d_bn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3)
    return layers.concatenate([b1, b5, b3, _avg_branch(x, pool_filters)], axis=axis, name=name)


def _block17(x, width: int, name: str, axis: int):
    b1 = conv2d_bn(x, 192, 1, 1)
    b7 = conv2d_bn(conv2d_bn(conv2d_bn(x, width, 1, 1), width, 1, 7), 192, 7, 1)
    b7d = conv2d_bn(x, width, 1, 1)
    for filters, (r, c) in ((width, (7, 1)), (width, (1, 7)), (width, (7, 1)), (192, (1, 7))):
        b7d = conv2d_bn(b7d, filters, r, c)
    return layers.concatenate([b1, b7, b7d, _avg_branch(x, 192)], axis=axis, name=name)


def InceptionV3(include_top: bool = True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                classes: int = 1000, classifier_activation="softmax", name: str = "inception_v3"):
    """InceptionV3; ``weights`` is None, "imagenet" (Keras's cached file) or a weights file path."""
    imagenet_utils.validate_weights(weights, include_top, classes)
    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size=299, min_size=75,
                                                    data_format=config.image_data_format(),
                                                    require_flatten=include_top, weights=weights)
    img_input = imagenet_utils.model_input(input_shape, input_tensor)
    axis = 1 if config.image_data_format() == "channels_first" else 3
    x = conv2d_bn(img_input, 32, 3, 3, strides=(2, 2), padding="valid")
    x = conv2d_bn(x, 32, 3, 3, padding="valid")
    x = conv2d_bn(x, 64, 3, 3)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = conv2d_bn(x, 80, 1, 1, padding="valid")
    x = conv2d_bn(x, 192, 3, 3, padding="valid")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    for i, pool_filters in enumerate((32, 64, 64)):
        x = _block35(x, pool_filters, f"mixed{i}", axis)
    # mixed3: grid reduction 35 -> 17.
    b3 = conv2d_bn(x, 384, 3, 3, strides=(2, 2), padding="valid")
    b3d = conv2d_bn(conv2d_bn(conv2d_bn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3, strides=(2, 2), padding="valid")
    pool = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = layers.concatenate([b3, b3d, pool], axis=axis, name="mixed3")
    for i, width in enumerate((128, 160, 160, 192)):
        x = _block17(x, width, f"mixed{4 + i}", axis)
    # mixed8: grid reduction 17 -> 8.
    b3 = conv2d_bn(conv2d_bn(x, 192, 1, 1), 320, 3, 3, strides=(2, 2), padding="valid")
    b7 = conv2d_bn(conv2d_bn(conv2d_bn(x, 192, 1, 1), 192, 1, 7), 192, 7, 1)
    b7 = conv2d_bn(b7, 192, 3, 3, strides=(2, 2), padding="valid")
    pool = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = layers.concatenate([b3, b7, pool], axis=axis, name="mixed8")
    for i in range(2):
        b1 = conv2d_bn(x, 320, 1, 1)
        b3 = conv2d_bn(x, 384, 1, 1)
        b3 = layers.concatenate([conv2d_bn(b3, 384, 1, 3), conv2d_bn(b3, 384, 3, 1)], axis=axis,
                                name=f"mixed9_{i}")
        b3d = conv2d_bn(conv2d_bn(x, 448, 1, 1), 384, 3, 3)
        b3d = layers.concatenate([conv2d_bn(b3d, 384, 1, 3), conv2d_bn(b3d, 384, 3, 1)], axis=axis)
        x = layers.concatenate([b1, b3, b3d, _avg_branch(x, 192)], axis=axis, name=f"mixed{9 + i}")
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = imagenet_utils.global_pool(x, pooling)
    model = Model(imagenet_utils.source_inputs(img_input, input_tensor), x, name=name)
    fname, file_hash = _FILES[0 if include_top else 1]
    imagenet_utils.load_weights(model, weights, fname, "inception_v3", file_hash)
    # Convs are auto-named, so stages are given by the module boundaries they follow.
    return imagenet_utils.set_stages_after(model, ["max_pooling2d", "mixed2", "mixed7", "mixed8"])


def preprocess_input(x, data_format: str | None = None):
    """InceptionV3 inputs: RGB in [0, 255] scaled to [-1, 1] ("tf" mode)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")
