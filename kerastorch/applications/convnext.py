"""ConvNeXt (Liu et al., 2022): a ResNet modernized towards vision transformers.

Layer names follow Keras (model name ``convnext_tiny`` ...): an optional
``{name}_prestem_normalization`` (ImageNet mean/variance on [0, 255] inputs, so
``preprocess_input`` is the identity), four downsampling ``Sequential`` models
(``{name}_stem``: 4x4/4 conv + LayerNormalization; ``{name}_downsampling_block_{i}``:
LayerNormalization + 2x2/2 conv), and blocks ``{name}_stage_{i}_block_{j}_`` +
``depthwise_conv`` (7x7 grouped conv), ``layernorm``, ``pointwise_conv_1`` (Dense 4x),
``gelu``, ``pointwise_conv_2``, ``layer_scale`` (``LayerScale``), then
``stochastic_depth`` (``StochasticDepth``) or ``identity`` (a linear Activation) and the
residual ``inputs + x``, which is an operation node (``add``), not a layer, as in Keras 3.
Head: ``{name}_head_gap``, ``{name}_head_layernorm``, ``{name}_head_dense``; without the
top, the optional pooling is followed by an auto-named LayerNormalization. channels_last only.
"""
from __future__ import annotations

import numpy as np

import kerastorch.applications.imagenet_utils as imagenet_utils
from kerastorch import backend, config, initializers, layers, random
from kerastorch.applications.imagenet_utils import decode_predictions  # noqa: F401  (family API)
from kerastorch.layers.object_registration import register_keras_serializable
from kerastorch.models import Model, Sequential

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/convnext/"
_HASHES = {
    "convnext_tiny": ("8ae6e78ce2933352b1ef4008e6dd2f17bc40771563877d156bc6426c7cf503ff",
                      "d547c096cabd03329d7be5562c5e14798aa39ed24b474157cef5e85ab9e49ef1"),
    "convnext_small": ("ce1277d8f1ee5a0ef0e171469089c18f5233860ceaf9b168049cb9263fd7483c",
                       "6fc8009faa2f00c1c1dfce59feea9b0745eb260a7dd11bee65c8e20843da6eab"),
    "convnext_base": ("52cbb006d3dadd03f6e095a8ca1aca47aecdd75acb4bc74bce1f5c695d0086e6",
                      "40a20c5548a5e9202f69735ecc06c990e6b7c9d2de39f0361e27baeb24cb7c45"),
    "convnext_large": ("070c5ed9ed289581e477741d3b34beffa920db8cf590899d6d2c67fba2a198a6",
                       "96f02b6f0753d4f543261bc9d09bed650f24dd6bc02ddde3066135b63d23a1cd"),
    "convnext_xlarge": ("c1f5ccab661354fc3a79a10fa99af82f0fbf10ec65cb894a3ae0815f17a889ee",
                        "de3f8a54174130e0cecdc71583354753d557fcf1f4487331558e2a16ba0cfe05"),
}
MODEL_CONFIGS = {
    "tiny": {"depths": [3, 3, 9, 3], "projection_dims": [96, 192, 384, 768], "default_size": 224},
    "small": {"depths": [3, 3, 27, 3], "projection_dims": [96, 192, 384, 768], "default_size": 224},
    "base": {"depths": [3, 3, 27, 3], "projection_dims": [128, 256, 512, 1024], "default_size": 224},
    "large": {"depths": [3, 3, 27, 3], "projection_dims": [192, 384, 768, 1536], "default_size": 224},
    "xlarge": {"depths": [3, 3, 27, 3], "projection_dims": [256, 512, 1024, 2048], "default_size": 224},
}


@register_keras_serializable(package="keras.src.applications.convnext")
class StochasticDepth(layers.Layer):
    """Drops the whole residual branch per sample while training (scaled by 1/keep), identity otherwise."""

    def __init__(self, drop_path_rate: float, **kwargs):
        super().__init__(**kwargs)
        self.drop_path_rate = drop_path_rate

    def call(self, x, training=None):
        if not training:
            return x
        keep = 1.0 - self.drop_path_rate
        shape = (x.shape[0],) + (1,) * (x.ndim - 1)
        mask = (keep + random.uniform(shape, 0.0, 1.0, dtype=x.dtype)).floor().to(x.device)
        return x / keep * mask

    def get_config(self) -> dict:
        return {**super().get_config(), "drop_path_rate": self.drop_path_rate}


@register_keras_serializable(package="keras.src.applications.convnext")
class LayerScale(layers.Layer):
    """Multiplies the channels by a learned vector initialized to ``init_values`` (CaiT's layer scale)."""

    def __init__(self, init_values: float, projection_dim: int, **kwargs):
        super().__init__(**kwargs)
        self.init_values = init_values
        self.projection_dim = projection_dim

    def build(self, input_shape) -> None:
        # Unnamed, as in Keras (its weight files list it as "variable").
        self.gamma = self.add_weight(shape=(self.projection_dim,),
                                     initializer=initializers.Constant(self.init_values), trainable=True)

    def call(self, x):
        return x * self.gamma

    def get_config(self) -> dict:
        return {**super().get_config(), "init_values": self.init_values, "projection_dim": self.projection_dim}


def ConvNeXtBlock(projection_dim: int, drop_path_rate: float = 0.0, layer_scale_init_value: float | None = 1e-6,
                  name: str | None = None):
    """The ConvNeXt block as a function of its input tensor."""
    name = name or f"prestem{backend.get_uid('prestem')}"

    def apply(inputs):
        x = layers.Conv2D(projection_dim, kernel_size=7, padding="same", groups=projection_dim,
                          name=f"{name}_depthwise_conv")(inputs)
        x = layers.LayerNormalization(epsilon=1e-6, name=f"{name}_layernorm")(x)
        x = layers.Dense(4 * projection_dim, name=f"{name}_pointwise_conv_1")(x)
        x = layers.Activation("gelu", name=f"{name}_gelu")(x)
        x = layers.Dense(projection_dim, name=f"{name}_pointwise_conv_2")(x)
        if layer_scale_init_value is not None:
            x = LayerScale(layer_scale_init_value, projection_dim, name=f"{name}_layer_scale")(x)
        if drop_path_rate:
            last = StochasticDepth(drop_path_rate, name=f"{name}_stochastic_depth")
        else:
            last = layers.Activation("linear", name=f"{name}_identity")
        return inputs + last(x)  # an `add` operation node, as Keras 3 records it
    return apply


def PreStem(name: str | None = None):
    """ImageNet mean/variance normalization of [0, 255] inputs."""
    name = name or f"prestem{backend.get_uid('prestem')}"

    def apply(x):
        return layers.Normalization(mean=[0.485 * 255, 0.456 * 255, 0.406 * 255],
                                    variance=[(0.229 * 255) ** 2, (0.224 * 255) ** 2, (0.225 * 255) ** 2],
                                    name=f"{name}_prestem_normalization")(x)
    return apply


def Head(num_classes: int = 1000, classifier_activation=None, name: str | None = None):
    """Global average pooling, LayerNormalization, Dense."""
    name = name or str(backend.get_uid("head"))

    def apply(x):
        x = layers.GlobalAveragePooling2D(name=f"{name}_head_gap")(x)
        x = layers.LayerNormalization(epsilon=1e-6, name=f"{name}_head_layernorm")(x)
        return layers.Dense(num_classes, activation=classifier_activation, name=f"{name}_head_dense")(x)
    return apply


def ConvNeXt(depths: list, projection_dims: list, drop_path_rate: float = 0.0,
             layer_scale_init_value: float | None = 1e-6, default_size: int = 224, name: str = "convnext",
             include_preprocessing: bool = True, include_top: bool = True, weights=None, input_tensor=None,
             input_shape=None, pooling=None, classes: int = 1000, classifier_activation="softmax",
             weights_name: str | None = None):
    """The ConvNeXt body shared by Tiny ... XLarge."""
    if config.image_data_format() == "channels_first":
        raise ValueError("ConvNeXt does not support the `channels_first` image data format. Switch to "
                         "`channels_last` with keras.config.set_image_data_format('channels_last').")
    imagenet_utils.validate_weights(weights, include_top, classes)
    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size=default_size, min_size=32,
                                                    data_format=config.image_data_format(),
                                                    require_flatten=include_top, weights=weights)
    img_input = imagenet_utils.model_input(input_shape, input_tensor)
    if input_tensor is not None:
        inputs = imagenet_utils.source_inputs(img_input, input_tensor)[0]
        x = input_tensor
    else:
        inputs = x = img_input
    if include_preprocessing and input_shape[-1] == 3:
        x = PreStem(name=name)(x)
    stem = Sequential([layers.Conv2D(projection_dims[0], kernel_size=4, strides=4, name=f"{name}_stem_conv"),
                       layers.LayerNormalization(epsilon=1e-6, name=f"{name}_stem_layernorm")],
                      name=f"{name}_stem")
    downsamplers = [stem] + [
        Sequential([layers.LayerNormalization(epsilon=1e-6, name=f"{name}_downsampling_layernorm_{i}"),
                    layers.Conv2D(projection_dims[i + 1], kernel_size=2, strides=2,
                                  name=f"{name}_downsampling_conv_{i}")],
                   name=f"{name}_downsampling_block_{i}")
        for i in range(3)]
    rates = [float(r) for r in np.linspace(0.0, drop_path_rate, sum(depths))]
    cur = 0
    for i in range(4):
        x = downsamplers[i](x)
        for j in range(depths[i]):
            x = ConvNeXtBlock(projection_dims[i], rates[cur + j], layer_scale_init_value,
                              name=f"{name}_stage_{i}_block_{j}")(x)
        cur += depths[i]
    if include_top:
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = Head(classes, classifier_activation, name=name)(x)
    else:
        x = imagenet_utils.global_pool(x, pooling)
        x = layers.LayerNormalization(epsilon=1e-6)(x)
    model = Model(inputs, x, name=name)
    if weights == "imagenet":
        expected = MODEL_CONFIGS[weights_name.split("convnext_")[-1]]
        if depths != expected["depths"] or projection_dims != expected["projection_dims"]:
            raise ValueError(f"Architecture configuration does not match {weights_name} variant: with pretrained "
                             f"weights, depths must be {expected['depths']} (got {depths}) and projection_dims "
                             f"{expected['projection_dims']} (got {projection_dims}).")
        if weights_name not in name:
            raise ValueError(f'Model name "{name}" does not match weights variant "{weights_name}". When using '
                             f'imagenet weights, the model name must contain "{weights_name}".')
        fname = name + (".h5" if include_top else "_notop.h5")
        imagenet_utils.load_weights(model, weights, fname, file_hash=_HASHES[weights_name][0 if include_top else 1],
                                    origin=_BASE + fname)
    else:
        imagenet_utils.load_weights(model, weights)
    return imagenet_utils.set_stages(model, [f"{name}_downsampling_layernorm_{i}" for i in range(3)]
                                     + [f"{name}_head_layernorm"])


def _constructor(variant: str):
    weights_name = f"convnext_{variant}"
    cfg = MODEL_CONFIGS[variant]

    def build(include_top: bool = True, include_preprocessing: bool = True, weights="imagenet", input_tensor=None,
              input_shape=None, pooling=None, classes: int = 1000, classifier_activation="softmax",
              name: str = weights_name):
        return ConvNeXt(cfg["depths"], cfg["projection_dims"], drop_path_rate=0.0, layer_scale_init_value=1e-6,
                        default_size=cfg["default_size"], name=name, include_preprocessing=include_preprocessing,
                        include_top=include_top, weights=weights, input_tensor=input_tensor,
                        input_shape=input_shape, pooling=pooling, classes=classes,
                        classifier_activation=classifier_activation, weights_name=weights_name)
    label = f"ConvNeXt{variant.capitalize() if variant != 'xlarge' else 'XLarge'}"
    build.__name__ = build.__qualname__ = label
    build.__doc__ = (f"{label} (depths {cfg['depths']}, widths {cfg['projection_dims']}); inputs are RGB in "
                     "[0, 255] (normalization is inside the model).")
    return build


ConvNeXtTiny = _constructor("tiny")
ConvNeXtSmall = _constructor("small")
ConvNeXtBase = _constructor("base")
ConvNeXtLarge = _constructor("large")
ConvNeXtXLarge = _constructor("xlarge")


def preprocess_input(x, data_format: str | None = None):
    """The identity: ConvNeXt models normalize their [0, 255] inputs themselves (kept for API parity)."""
    return x
