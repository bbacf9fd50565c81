"""ResNet50/101/152 (He et al., 2015) and their V2 pre-activation variants (He et al., 2016).

Layer names follow Keras: a stem (``conv1_pad``, ``conv1_conv``, ``conv1_bn``,
``conv1_relu``, ``pool1_pad``, ``pool1_pool``), four stages ``conv2``..``conv5`` of
bottleneck blocks ``conv{s}_block{b}_{0..3}_{conv,bn,...}``, then ``avg_pool`` and
``predictions``. V1 blocks are post-activation with the stride in the first 1x1 conv
and a projection shortcut on the first block of each stage; V2 blocks are
pre-activation (``_preact_bn``), stride on the *last* block's 3x3 conv, a 1x1 max pool as
the strided identity shortcut, and a final ``post_bn``/``post_relu``. BatchNormalization
uses epsilon 1.001e-5 throughout (the published weights were trained with it).
V1 expects "caffe" inputs, V2 "tf" inputs.
"""
from __future__ import annotations

import kerastorch.applications.imagenet_utils as imagenet_utils
from kerastorch import config, layers
from kerastorch.applications.imagenet_utils import decode_predictions  # noqa: F401  (family API)
from kerastorch.models import Model

_HASHES = {
    "resnet50": ("2cb95161c43110f7111970584f804107", "4d473c1dd8becc155b73f8504c6f6626"),
    "resnet101": ("f1aeb4b969a6efcfb50fad2f0c20cfc5", "88cf7a10940856eca736dc7b7e228a21"),
    "resnet152": ("100835be76be38e30d865e96f2aaae62", "ee4c566cf9a93f14d82f913c2dc6dd0c"),
    "resnet50v2": ("3ef43a0b657b3be2300d5770ece849e0", "fac2f116257151a9d068a22e544a4917"),
    "resnet101v2": ("6343647c601c52e1368623803854d971", "c0ed64b8031c3730f411d2eb4eea35b5"),
    "resnet152v2": ("a49b44d1979771252814e80f8ec446f9", "ed17cf2e0169df9d443503ef94b23b33"),
}
_EPS = 1.001e-5


def _bn_axis() -> int:
    return 3 if config.image_data_format() == "channels_last" else 1


def _bn(name: str):
    return layers.BatchNormalization(axis=_bn_axis(), epsilon=_EPS, name=name)


def _block_v1(x, filters: int, stride: int = 1, conv_shortcut: bool = True, name: str = ""):
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(x)
        shortcut = _bn(f"{name}_0_bn")(shortcut)
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, strides=stride, name=f"{name}_1_conv")(x)
    x = _bn(f"{name}_1_bn")(x)
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = layers.Conv2D(filters, 3, padding="same", name=f"{name}_2_conv")(x)
    x = _bn(f"{name}_2_bn")(x)
    x = layers.Activation("relu", name=f"{name}_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    x = _bn(f"{name}_3_bn")(x)
    x = layers.Add(name=f"{name}_add")([shortcut, x])
    return layers.Activation("relu", name=f"{name}_out")(x)


def _stage_v1(x, filters: int, blocks: int, stride1: int = 2, name: str = ""):
    x = _block_v1(x, filters, stride=stride1, name=f"{name}_block1")
    for i in range(2, blocks + 1):
        x = _block_v1(x, filters, conv_shortcut=False, name=f"{name}_block{i}")
    return x


def _block_v2(x, filters: int, stride: int = 1, conv_shortcut: bool = False, name: str = ""):
    preact = _bn(f"{name}_preact_bn")(x)
    preact = layers.Activation("relu", name=f"{name}_preact_relu")(preact)
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(preact)
    else:
        # Keras leaves this pooling auto-named; the name sequence matches as long as the order does.
        shortcut = layers.MaxPooling2D(1, strides=stride)(x) if stride > 1 else x
    x = layers.Conv2D(filters, 1, strides=1, use_bias=False, name=f"{name}_1_conv")(preact)
    x = _bn(f"{name}_1_bn")(x)
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name=f"{name}_2_pad")(x)
    x = layers.Conv2D(filters, 3, strides=stride, use_bias=False, name=f"{name}_2_conv")(x)
    x = _bn(f"{name}_2_bn")(x)
    x = layers.Activation("relu", name=f"{name}_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    return layers.Add(name=f"{name}_out")([shortcut, x])


def _stage_v2(x, filters: int, blocks: int, stride1: int = 2, name: str = ""):
    x = _block_v2(x, filters, conv_shortcut=True, name=f"{name}_block1")
    for i in range(2, blocks):
        x = _block_v2(x, filters, name=f"{name}_block{i}")
    return _block_v2(x, filters, stride=stride1, name=f"{name}_block{blocks}")


def _resnet(depths, preact: bool, weights_name: str, include_top, weights, input_tensor, input_shape, pooling,
            classes, classifier_activation, name):
    imagenet_utils.validate_weights(weights, include_top, classes)
    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size=224, min_size=32,
                                                    data_format=config.image_data_format(),
                                                    require_flatten=include_top, weights=weights)
    img_input = imagenet_utils.model_input(input_shape, input_tensor)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=True, name="conv1_conv")(x)
    if not preact:
        x = _bn("conv1_bn")(x)
        x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    for i, (filters, blocks) in enumerate(zip((64, 128, 256, 512), depths)):
        if preact:
            # V2 downsamples at the end of a stage: every stage but the last.
            x = _stage_v2(x, filters, blocks, stride1=1 if i == 3 else 2, name=f"conv{i + 2}")
        else:
            x = _stage_v1(x, filters, blocks, stride1=1 if i == 0 else 2, name=f"conv{i + 2}")
    if preact:
        x = _bn("post_bn")(x)
        x = layers.Activation("relu", name="post_relu")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)
    model = Model(imagenet_utils.source_inputs(img_input, input_tensor), x, name=name)
    kind = "" if include_top else "_notop"
    fname = f"{weights_name}_weights_tf_dim_ordering_tf_kernels{kind}.h5"
    imagenet_utils.load_weights(model, weights, fname, "resnet", _HASHES[weights_name][0 if include_top else 1])
    return imagenet_utils.set_stages(model, ["conv2_block1_preact_bn" if preact else "conv2_block1_0_conv",
                                             "conv3_block1_preact_bn" if preact else "conv3_block1_0_conv",
                                             "conv4_block1_preact_bn" if preact else "conv4_block1_0_conv",
                                             "conv5_block1_preact_bn" if preact else "conv5_block1_0_conv",
                                             "predictions"])


def _constructor(depths, preact: bool, weights_name: str):
    def build(include_top: bool = True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
              classes: int = 1000, classifier_activation="softmax", name: str = weights_name):
        return _resnet(depths, preact, weights_name, include_top, weights, input_tensor, input_shape, pooling,
                       classes, classifier_activation, name)
    label = weights_name.replace("resnet", "ResNet").replace("v2", "V2")
    build.__name__ = build.__qualname__ = label
    build.__doc__ = (f"{label}; ``weights`` is None, \"imagenet\" (Keras's cached file) or a weights file path. "
                     f"Inputs: ``{'resnet_v2' if preact else 'resnet'}.preprocess_input``.")
    return build


ResNet50 = _constructor((3, 4, 6, 3), False, "resnet50")
ResNet101 = _constructor((3, 4, 23, 3), False, "resnet101")
ResNet152 = _constructor((3, 8, 36, 3), False, "resnet152")
ResNet50V2 = _constructor((3, 4, 6, 3), True, "resnet50v2")
ResNet101V2 = _constructor((3, 4, 23, 3), True, "resnet101v2")
ResNet152V2 = _constructor((3, 8, 36, 3), True, "resnet152v2")


def preprocess_input(x, data_format: str | None = None):
    """ResNet (V1) inputs: "caffe" mode (BGR, ImageNet mean subtracted)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")

