"""``keras.applications.resnet_v2``: the pre-activation ResNets (built in ``resnet``) with "tf" inputs."""
from __future__ import annotations

import kerastorch.applications.imagenet_utils as imagenet_utils
from kerastorch.applications.imagenet_utils import decode_predictions  # noqa: F401  (family API)
from kerastorch.applications.resnet import ResNet50V2, ResNet101V2, ResNet152V2  # noqa: F401  (family API)


def preprocess_input(x, data_format: str | None = None):
    """ResNet V2 inputs: RGB in [0, 255] scaled to [-1, 1] ("tf" mode)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")
