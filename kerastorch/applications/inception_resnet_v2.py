"""InceptionResNetV2 (Szegedy et al., 2016): Inception modules with scaled residual connections.

Convolutions are ``conv2d_bn`` (bias-free conv, BatchNormalization without scale, ReLU),
auto-named unless named (``conv_7b``, ``{block}_conv`` with a bias and no BN). Stem as
InceptionV3's, then ``mixed_5b``, ten ``block35_{i}`` (scale 0.17), ``mixed_6a``, twenty
``block17_{i}`` (0.1), ``mixed_7a``, ten ``block8_{i}`` (0.2; the last one 1.0 without
activation), ``conv_7b``. Each block concatenates its branches (``{block}_mixed``),
projects them back to the input width (``{block}_conv``) and adds them, scaled, to its
input with an auto-named ``CustomScaleLayer``, then ``{block}_ac``. Default input
299x299, minimum 75. Inputs: "tf" mode.
"""
from __future__ import annotations

import kerastorch.applications.imagenet_utils as imagenet_utils
from kerastorch import config, layers
from kerastorch.applications.imagenet_utils import decode_predictions  # noqa: F401  (family API)
from kerastorch.layers.object_registration import register_keras_serializable
from kerastorch.models import Model

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/inception_resnet_v2/"
_FILES = (("inception_resnet_v2_weights_tf_dim_ordering_tf_kernels.h5", "e693bd0210a403b3192acc6073ad2e96"),
          ("inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5", "d19885ff4a710c122648d3b5c3b684e4"))


def _axis() -> int:
    return 1 if config.image_data_format() == "channels_first" else 3


@register_keras_serializable(package="keras.src.applications.inception_resnet_v2")
class CustomScaleLayer(layers.Layer):
    """``inputs[0] + inputs[1] * scale``: the scaled residual sum."""

    def __init__(self, scale: float, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def call(self, inputs):
        return inputs[0] + inputs[1] * self.scale

    def get_config(self) -> dict:
        return {**super().get_config(), "scale": self.scale}


def conv2d_bn(x, filters: int, kernel_size, strides=1, padding: str = "same", activation="relu",
              use_bias: bool = False, name: str | None = None):
    """Conv, then BatchNormalization (no scale) unless the conv has a bias, then the activation."""
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding=padding, use_bias=use_bias, name=name)(x)
    if not use_bias:
        x = layers.BatchNormalization(axis=_axis(), scale=False, name=None if name is None else f"{name}_bn")(x)
    if activation is not None:
        x = layers.Activation(activation, name=None if name is None else f"{name}_ac")(x)
    return x


def inception_resnet_block(x, scale: float, block_type: str, block_idx: int, activation="relu"):
    """One ``block35``/``block17``/``block8`` residual Inception block."""
    if block_type == "block35":
        branches = [conv2d_bn(x, 32, 1), conv2d_bn(conv2d_bn(x, 32, 1), 32, 3),
                    conv2d_bn(conv2d_bn(conv2d_bn(x, 32, 1), 48, 3), 64, 3)]
    elif block_type == "block17":
        branches = [conv2d_bn(x, 192, 1), conv2d_bn(conv2d_bn(conv2d_bn(x, 128, 1), 160, [1, 7]), 192, [7, 1])]
    elif block_type == "block8":
        branches = [conv2d_bn(x, 192, 1), conv2d_bn(conv2d_bn(conv2d_bn(x, 192, 1), 224, [1, 3]), 256, [3, 1])]
    else:
        raise ValueError('Unknown Inception-ResNet block type. Expects "block35", "block17" or "block8", but got: '
                         f"{block_type}")
    block_name = f"{block_type}_{block_idx}"
    mixed = layers.Concatenate(axis=_axis(), name=f"{block_name}_mixed")(branches)
    up = conv2d_bn(mixed, x.shape[_axis()], 1, activation=None, use_bias=True, name=f"{block_name}_conv")
    x = CustomScaleLayer(scale)([x, up])
    if activation is not None:
        x = layers.Activation(activation, name=f"{block_name}_ac")(x)
    return x


def InceptionResNetV2(include_top: bool = True, weights="imagenet", input_tensor=None, input_shape=None,
                      pooling=None, classes: int = 1000, classifier_activation="softmax",
                      name: str = "inception_resnet_v2"):
    """InceptionResNetV2; ``weights`` is None, "imagenet" (Keras's cached file) or a weights file path."""
    imagenet_utils.validate_weights(weights, include_top, classes)
    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size=299, min_size=75,
                                                    data_format=config.image_data_format(),
                                                    require_flatten=include_top, weights=weights)
    img_input = imagenet_utils.model_input(input_shape, input_tensor)
    x = conv2d_bn(img_input, 32, 3, strides=2, padding="valid")
    x = conv2d_bn(x, 32, 3, padding="valid")
    x = conv2d_bn(x, 64, 3)
    x = layers.MaxPooling2D(3, strides=2)(x)
    x = conv2d_bn(x, 80, 1, padding="valid")
    x = conv2d_bn(x, 192, 3, padding="valid")
    x = layers.MaxPooling2D(3, strides=2)(x)
    b0 = conv2d_bn(x, 96, 1)
    b1 = conv2d_bn(conv2d_bn(x, 48, 1), 64, 5)
    b2 = conv2d_bn(conv2d_bn(conv2d_bn(x, 64, 1), 96, 3), 96, 3)
    pool = conv2d_bn(layers.AveragePooling2D(3, strides=1, padding="same")(x), 64, 1)
    x = layers.Concatenate(axis=_axis(), name="mixed_5b")([b0, b1, b2, pool])
    for block_idx in range(1, 11):
        x = inception_resnet_block(x, scale=0.17, block_type="block35", block_idx=block_idx)
    b0 = conv2d_bn(x, 384, 3, strides=2, padding="valid")
    b1 = conv2d_bn(conv2d_bn(conv2d_bn(x, 256, 1), 256, 3), 384, 3, strides=2, padding="valid")
    pool = layers.MaxPooling2D(3, strides=2, padding="valid")(x)
    x = layers.Concatenate(axis=_axis(), name="mixed_6a")([b0, b1, pool])
    for block_idx in range(1, 21):
        x = inception_resnet_block(x, scale=0.1, block_type="block17", block_idx=block_idx)
    b0 = conv2d_bn(conv2d_bn(x, 256, 1), 384, 3, strides=2, padding="valid")
    b1 = conv2d_bn(conv2d_bn(x, 256, 1), 288, 3, strides=2, padding="valid")
    b2 = conv2d_bn(conv2d_bn(conv2d_bn(x, 256, 1), 288, 3), 320, 3, strides=2, padding="valid")
    pool = layers.MaxPooling2D(3, strides=2, padding="valid")(x)
    x = layers.Concatenate(axis=_axis(), name="mixed_7a")([b0, b1, b2, pool])
    for block_idx in range(1, 10):
        x = inception_resnet_block(x, scale=0.2, block_type="block8", block_idx=block_idx)
    x = inception_resnet_block(x, scale=1.0, activation=None, block_type="block8", block_idx=10)
    x = conv2d_bn(x, 1536, 1, name="conv_7b")
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = imagenet_utils.global_pool(x, pooling)
    model = Model(imagenet_utils.source_inputs(img_input, input_tensor), x, name=name)
    fname, file_hash = _FILES[0 if include_top else 1]
    imagenet_utils.load_weights(model, weights, fname, file_hash=file_hash, origin=_BASE + fname)
    return imagenet_utils.set_stages_after(model, ["max_pooling2d", "mixed_5b", "mixed_6a", "mixed_7a",
                                                   "block8_10_conv"])


def preprocess_input(x, data_format: str | None = None):
    """InceptionResNetV2 inputs: RGB in [0, 255] scaled to [-1, 1] ("tf" mode)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")
