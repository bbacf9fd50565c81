"""Xception (Chollet, 2017): depthwise-separable convolutions with residual connections.

Entry flow: two plain convs (``block1_conv{1,2}`` + ``_bn``/``_act``), then blocks 2-4 of
two separable convs and a strided 3x3 max pool, each added to a strided 1x1 projection of
its input (the projection conv/BN and the ``add`` are auto-named, as in Keras, so the
order of creation below is the order Keras uses). Middle flow: blocks 5-12, three
separable convs with an identity residual. Exit flow: block 13 (projection residual),
block 14 (two separable convs, 1536 and 2048 channels). Default input 299x299, minimum 71.
Inputs: "tf" mode.
"""
from __future__ import annotations

import kerastorch.applications.imagenet_utils as imagenet_utils
from kerastorch import config, layers
from kerastorch.applications.imagenet_utils import decode_predictions  # noqa: F401  (family API)
from kerastorch.models import Model

_FILES = (("xception_weights_tf_dim_ordering_tf_kernels.h5", "0a58e3b7378bc2990ea3b43d5981f1f6"),
          ("xception_weights_tf_dim_ordering_tf_kernels_notop.h5", "b0042744bf5b25fce3cb969f33bebb97"))


def _sep(x, filters: int, name: str, axis: int):
    x = layers.SeparableConv2D(filters, (3, 3), padding="same", use_bias=False, name=name)(x)
    return layers.BatchNormalization(axis=axis, name=f"{name}_bn")(x)


def _projection(x, filters: int, axis: int):
    residual = layers.Conv2D(filters, (1, 1), strides=(2, 2), padding="same", use_bias=False)(x)
    return layers.BatchNormalization(axis=axis)(residual)


def _downsampling_block(x, filters: tuple, block: int, axis: int, first_act: bool = True):
    """Two separable convs then a strided max pool, plus a strided 1x1 projection of the input."""
    residual = _projection(x, filters[1], axis)
    if first_act:
        x = layers.Activation("relu", name=f"block{block}_sepconv1_act")(x)
    x = _sep(x, filters[0], f"block{block}_sepconv1", axis)
    x = layers.Activation("relu", name=f"block{block}_sepconv2_act")(x)
    x = _sep(x, filters[1], f"block{block}_sepconv2", axis)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same", name=f"block{block}_pool")(x)
    return layers.add([x, residual])


def Xception(include_top: bool = True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
             classes: int = 1000, classifier_activation="softmax", name: str = "xception"):
    """Xception; ``weights`` is None, "imagenet" (Keras's cached file) or a weights file path."""
    imagenet_utils.validate_weights(weights, include_top, classes)
    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size=299, min_size=71,
                                                    data_format=config.image_data_format(),
                                                    require_flatten=include_top, weights=weights)
    img_input = imagenet_utils.model_input(input_shape, input_tensor)
    axis = 1 if config.image_data_format() == "channels_first" else -1
    x = layers.Conv2D(32, (3, 3), strides=(2, 2), use_bias=False, name="block1_conv1")(img_input)
    x = layers.BatchNormalization(axis=axis, name="block1_conv1_bn")(x)
    x = layers.Activation("relu", name="block1_conv1_act")(x)
    x = layers.Conv2D(64, (3, 3), use_bias=False, name="block1_conv2")(x)
    x = layers.BatchNormalization(axis=axis, name="block1_conv2_bn")(x)
    x = layers.Activation("relu", name="block1_conv2_act")(x)
    x = _downsampling_block(x, (128, 128), 2, axis, first_act=False)  # block1 ended with its activation
    x = _downsampling_block(x, (256, 256), 3, axis)
    x = _downsampling_block(x, (728, 728), 4, axis)
    for block in range(5, 13):
        residual = x
        for i in (1, 2, 3):
            x = layers.Activation("relu", name=f"block{block}_sepconv{i}_act")(x)
            x = _sep(x, 728, f"block{block}_sepconv{i}", axis)
        x = layers.add([x, residual])
    x = _downsampling_block(x, (728, 1024), 13, axis)
    x = _sep(x, 1536, "block14_sepconv1", axis)
    x = layers.Activation("relu", name="block14_sepconv1_act")(x)
    x = _sep(x, 2048, "block14_sepconv2", axis)
    x = layers.Activation("relu", name="block14_sepconv2_act")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = imagenet_utils.global_pool(x, pooling)
    model = Model(imagenet_utils.source_inputs(img_input, input_tensor), x, name=name)
    fname, file_hash = _FILES[0 if include_top else 1]
    imagenet_utils.load_weights(model, weights, fname, "xception", file_hash)
    return imagenet_utils.set_stages(model, ["block3_sepconv1", "block5_sepconv1", "block13_sepconv1",
                                             "block14_sepconv1", "predictions"])


def preprocess_input(x, data_format: str | None = None):
    """Xception inputs: RGB in [0, 255] scaled to [-1, 1] ("tf" mode)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")
