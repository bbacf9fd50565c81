"""DenseNet121/169/201 (Huang et al., 2017): dense blocks joined by compressing transitions.

Keras's names: stem (auto-named zero padding, ``conv1_conv``, ``conv1_bn``,
``conv1_relu``, ``pool1``); dense blocks ``conv{s}_block{i}`` (``_0_bn``, ``_0_relu``,
``_1_conv``, ``_1_bn``, ``_1_relu``, ``_2_conv``, ``_concat``) with growth rate 32;
transitions ``pool{s}`` (``_bn``, ``_relu``, ``_conv`` halving the channels, ``_pool``);
final ``bn``/``relu``. Channels-last only (as in Keras). Inputs: "torch" mode.
"""
from __future__ import annotations

import kerastorch.applications.imagenet_utils as imagenet_utils
from kerastorch import config, layers
from kerastorch.applications.imagenet_utils import decode_predictions  # noqa: F401  (family API)
from kerastorch.models import Model

_HASHES = {
    (6, 12, 24, 16): ("densenet121", "9d60b8095a5708f2dcce2bca79d332c7", "30ee3e1110167f948a6b9946edeeb738"),
    (6, 12, 32, 32): ("densenet169", "d699b8f76981ab1b30698df4c175e90b", "b8c4d4c20dd625c148057b9ff1c1176b"),
    (6, 12, 48, 32): ("densenet201", "1ceb130c1ea1b78c3bf6114dbdfd8807", "c13680b51ded0fb44dff2d8f86ac8bb1"),
}
_EPS = 1.001e-5


def _bn_axis() -> int:
    return 3 if config.image_data_format() == "channels_last" else 1


def conv_block(x, growth_rate: int, name: str):
    """BN-ReLU-1x1 (4k) then BN-ReLU-3x3 (k), concatenated to the block's input."""
    axis = _bn_axis()
    y = layers.BatchNormalization(axis=axis, epsilon=_EPS, name=f"{name}_0_bn")(x)
    y = layers.Activation("relu", name=f"{name}_0_relu")(y)
    y = layers.Conv2D(4 * growth_rate, 1, use_bias=False, name=f"{name}_1_conv")(y)
    y = layers.BatchNormalization(axis=axis, epsilon=_EPS, name=f"{name}_1_bn")(y)
    y = layers.Activation("relu", name=f"{name}_1_relu")(y)
    y = layers.Conv2D(growth_rate, 3, padding="same", use_bias=False, name=f"{name}_2_conv")(y)
    return layers.Concatenate(axis=axis, name=f"{name}_concat")([x, y])


def dense_block(x, blocks: int, name: str):
    for i in range(blocks):
        x = conv_block(x, 32, name=f"{name}_block{i + 1}")
    return x


def transition_block(x, reduction: float, name: str):
    axis = _bn_axis()
    x = layers.BatchNormalization(axis=axis, epsilon=_EPS, name=f"{name}_bn")(x)
    x = layers.Activation("relu", name=f"{name}_relu")(x)
    x = layers.Conv2D(int(x.shape[axis] * reduction), 1, use_bias=False, name=f"{name}_conv")(x)
    return layers.AveragePooling2D(2, strides=2, name=f"{name}_pool")(x)


def DenseNet(blocks, include_top: bool = True, weights="imagenet", input_tensor=None, input_shape=None,
             pooling=None, classes: int = 1000, classifier_activation="softmax", name: str = "densenet"):
    """A DenseNet with ``blocks`` conv blocks in each of its four dense blocks."""
    if config.image_data_format() == "channels_first":
        raise ValueError("DenseNet does not support the `channels_first` image data format. Switch to "
                         "`channels_last` (keras.config.set_image_data_format('channels_last')).")
    imagenet_utils.validate_weights(weights, include_top, classes)
    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size=224, min_size=32,
                                                    data_format=config.image_data_format(),
                                                    require_flatten=include_top, weights=weights)
    img_input = imagenet_utils.model_input(input_shape, input_tensor)
    axis = _bn_axis()
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)))(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=False, name="conv1_conv")(x)
    x = layers.BatchNormalization(axis=axis, epsilon=_EPS, name="conv1_bn")(x)
    x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)))(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    for stage, n in enumerate(blocks, start=2):
        x = dense_block(x, n, name=f"conv{stage}")
        if stage < 5:
            x = transition_block(x, 0.5, name=f"pool{stage}")
    x = layers.BatchNormalization(axis=axis, epsilon=_EPS, name="bn")(x)
    x = layers.Activation("relu", name="relu")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)
    model = Model(imagenet_utils.source_inputs(img_input, input_tensor), x, name=name)
    if weights == "imagenet":
        if tuple(blocks) not in _HASHES:
            raise ValueError(f"No published ImageNet weights for DenseNet blocks={list(blocks)}; they exist for "
                             f"{[list(b) for b in _HASHES]}.")
        family, top_hash, notop_hash = _HASHES[tuple(blocks)]
        fname = f"{family}_weights_tf_dim_ordering_tf_kernels{'' if include_top else '_notop'}.h5"
        imagenet_utils.load_weights(model, weights, fname, "densenet", top_hash if include_top else notop_hash)
    else:
        imagenet_utils.load_weights(model, weights)
    return imagenet_utils.set_stages(model, ["conv2_block1_0_bn", "conv3_block1_0_bn", "conv4_block1_0_bn",
                                             "conv5_block1_0_bn", "predictions"])


def _constructor(blocks, label: str):
    def build(include_top: bool = True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
              classes: int = 1000, classifier_activation="softmax", name: str = label.lower()):
        return DenseNet(list(blocks), include_top, weights, input_tensor, input_shape, pooling, classes,
                        classifier_activation, name=name)
    build.__name__ = build.__qualname__ = label
    build.__doc__ = f"{label} (dense blocks of {list(blocks)} conv blocks); inputs: ``densenet.preprocess_input``."
    return build


DenseNet121 = _constructor((6, 12, 24, 16), "DenseNet121")
DenseNet169 = _constructor((6, 12, 32, 32), "DenseNet169")
DenseNet201 = _constructor((6, 12, 48, 32), "DenseNet201")


def preprocess_input(x, data_format: str | None = None):
    """DenseNet inputs: RGB in [0, 255] -> [0, 1], then ImageNet mean/std per channel ("torch" mode)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="torch")
