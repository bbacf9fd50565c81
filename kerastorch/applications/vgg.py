"""VGG16 and VGG19 (Simonyan & Zisserman, 2015) with Keras's layer names.

Five blocks of 3x3 'same' ReLU convolutions, each closed by a 2x2 max pool
(``block{b}_conv{i}``, ``block{b}_pool``); the top is flatten -> fc1 -> fc2 ->
predictions. VGG16 has 2-2-3-3-3 convolutions per block, VGG19 2-2-4-4-4.
Inputs use the "caffe" preprocessing (BGR, ImageNet mean subtracted).
"""
from __future__ import annotations

import kerastorch.applications.imagenet_utils as imagenet_utils
from kerastorch import config, layers
from kerastorch.applications.imagenet_utils import decode_predictions  # noqa: F401  (family API)
from kerastorch.models import Model

_FILES = {
    "vgg16": (("vgg16_weights_tf_dim_ordering_tf_kernels.h5", "64373286793e3c8b2b4e3219cbf3544b"),
              ("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5", "6d6bbae143d832006294945121d1f1fc")),
    "vgg19": (("vgg19_weights_tf_dim_ordering_tf_kernels.h5", "cbe5617147190e668d6c5d5026f83318"),
              ("vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5", "253f8cb515780f3b799900260a226db6")),
}


def _vgg(convs_per_block, family, include_top, weights, input_tensor, input_shape, pooling, classes,
         classifier_activation, name):
    imagenet_utils.validate_weights(weights, include_top, classes)
    if include_top:
        imagenet_utils.validate_activation(classifier_activation, weights)
    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size=224, min_size=32,
                                                    data_format=config.image_data_format(),
                                                    require_flatten=include_top, weights=weights)
    img_input = imagenet_utils.model_input(input_shape, input_tensor)
    x = img_input
    for block, (n, filters) in enumerate(zip(convs_per_block, (64, 128, 256, 512, 512)), start=1):
        for i in range(1, n + 1):
            x = layers.Conv2D(filters, (3, 3), activation="relu", padding="same", name=f"block{block}_conv{i}")(x)
        x = layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{block}_pool")(x)
    if include_top:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(4096, activation="relu", name="fc1")(x)
        x = layers.Dense(4096, activation="relu", name="fc2")(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = imagenet_utils.global_pool(x, pooling)
    model = Model(imagenet_utils.source_inputs(img_input, input_tensor), x, name=name)
    fname, file_hash = _FILES[family][0 if include_top else 1]
    imagenet_utils.load_weights(model, weights, fname, family, file_hash)
    return imagenet_utils.set_stages(model, ["block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1",
                                             "fc1"])


def VGG16(include_top: bool = True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
          classes: int = 1000, classifier_activation="softmax", name: str = "vgg16"):
    """VGG16; ``weights`` is None, "imagenet" (Keras's cached file) or a weights file path."""
    return _vgg((2, 2, 3, 3, 3), "vgg16", include_top, weights, input_tensor, input_shape, pooling, classes,
                classifier_activation, name)


def VGG19(include_top: bool = True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
          classes: int = 1000, classifier_activation="softmax", name: str = "vgg19"):
    """VGG19; ``weights`` is None, "imagenet" (Keras's cached file) or a weights file path."""
    return _vgg((2, 2, 4, 4, 4), "vgg19", include_top, weights, input_tensor, input_shape, pooling, classes,
                classifier_activation, name)


def preprocess_input(x, data_format: str | None = None):
    """VGG's inputs: RGB in [0, 255] -> BGR with the ImageNet mean subtracted ("caffe")."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")
