"""What every ``keras.applications`` family shares.

* ``preprocess_input(x, data_format, mode)``: the three ImageNet input conventions
  ("caffe": RGB->BGR and mean subtraction; "tf": scale to [-1, 1]; "torch": scale to
  [0, 1] then per-channel mean/std), for NumPy arrays and torch tensors alike.
* ``decode_predictions``: top-k (wnid, label, score) tuples from the class-index JSON
  file that Keras keeps in its cache (``~/.keras/models`` or ``$KERAS_HOME/models``).
* The constructor plumbing: argument checks with Keras's rules (``obtain_input_shape``,
  ``validate_activation``, the ``weights``/``classes`` check), the model input from
  ``input_shape``/``input_tensor``, the optional global pooling, and ``load_weights``
  which resolves ``"imagenet"`` to the exact ``.h5`` file Keras downloads (same name,
  same cache folder, same hash) so a file fetched by real Keras is reused as is.

Nothing here downloads in tests: ``get_file`` only fetches when the file is not already
cached, and without network it raises an ``OSError`` naming the file and where to put it.
"""
from __future__ import annotations

import json
import os
import warnings
from typing import Any

import numpy as np
import torch

from kerastorch import activations, layers
from kerastorch import config as _config
from kerastorch.graph import KerasTensor
from kerastorch.utils import get_source_inputs
from kerastorch.utils.file_utils import get_file

CLASS_INDEX: dict | None = None
CLASS_INDEX_PATH = "https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json"
CLASS_INDEX_HASH = "c2c37ea517e94d9795004a39431a14cb"
WEIGHTS_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/"

_MODES = ("caffe", "tf", "torch")


def _data_format(data_format: str | None) -> str:
    data_format = _config.image_data_format() if data_format is None else data_format
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError("`data_format` should be 'channels_first' or 'channels_last'; received "
                         f"data_format={data_format!r}.")
    return data_format


def preprocess_input(x, data_format: str | None = None, mode: str = "caffe"):
    """Preprocess a batch (or one image) of RGB values in [0, 255] the way the pretrained weights expect."""
    if mode not in _MODES:
        raise ValueError(f"Expected mode to be one of {_MODES}; received mode={mode!r}.")
    data_format = _data_format(data_format)
    is_tensor = isinstance(x, torch.Tensor)
    if is_tensor:
        if not x.is_floating_point():
            x = x.to(torch.get_default_dtype())
    else:
        x = np.asarray(x)
        if not np.issubdtype(x.dtype, np.floating):
            x = x.astype(_config.floatx())
    if mode == "tf":
        return x / 127.5 - 1.0
    # The channel axis: last, or first of the image (axis 0 of one image, 1 of a batch).
    axis = -1 if data_format == "channels_last" else (0 if x.ndim == 3 else 1)
    shape = [1] * x.ndim
    shape[axis] = 3
    if mode == "torch":
        x = x / 255.0
        mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    else:
        x = torch.flip(x, dims=[axis]) if is_tensor else np.flip(x, axis=axis)
        mean, std = [103.939, 116.779, 123.68], None
    if is_tensor:
        mean_t = torch.tensor(mean, dtype=x.dtype, device=x.device).reshape(shape)
        x = x - mean_t
        if std is not None:
            x = x / torch.tensor(std, dtype=x.dtype, device=x.device).reshape(shape)
        return x
    x = x - np.asarray(mean, dtype=x.dtype).reshape(shape)
    if std is not None:
        x = x / np.asarray(std, dtype=x.dtype).reshape(shape)
    return x


def _fetch(fname: str, origin: str, file_hash: str | None) -> str:
    """The cached file (as Keras caches it), downloaded only when missing; a clear error offline."""
    try:
        return get_file(fname, origin, cache_subdir="models", file_hash=file_hash)
    except OSError as e:
        home = os.environ.get("KERAS_HOME", os.path.join(os.path.expanduser("~"), ".keras"))
        raise OSError(f"Could not obtain {fname!r}: it is not in the Keras cache and downloading it from "
                      f"{origin} failed ({e}). Copy the file (the one Keras downloads, md5/sha256 {file_hash}) "
                      f"to {os.path.join(home, 'models', fname)} and try again.") from e


def decode_predictions(preds, top: int = 5) -> list[list[tuple]]:
    """Top ``top`` ImageNet classes per sample as ``(class_name, class_description, score)``, best first."""
    global CLASS_INDEX
    if isinstance(preds, torch.Tensor):
        preds = preds.detach().cpu().numpy()
    preds = np.asarray(preds)
    if preds.ndim != 2 or preds.shape[1] != 1000:
        raise ValueError("`decode_predictions` expects a batch of predictions (i.e. a 2D array of shape "
                         f"(samples, 1000)). Received array with shape: {preds.shape}")
    if CLASS_INDEX is None:
        path = _fetch("imagenet_class_index.json", CLASS_INDEX_PATH, CLASS_INDEX_HASH)
        with open(path) as f:
            CLASS_INDEX = json.load(f)
    results = []
    for pred in preds:
        top_indices = pred.argsort()[-top:][::-1]
        row = [tuple(CLASS_INDEX[str(i)]) + (pred[i],) for i in top_indices]
        row.sort(key=lambda t: t[2], reverse=True)
        results.append(row)
    return results


# ------------------------------------------------------------------ constructor plumbing
def obtain_input_shape(input_shape, default_size: int, min_size: int, data_format: str, require_flatten: bool,
                       weights=None) -> tuple:
    """Keras's rules for a family's input shape (default size, minimum size, static shape for a top)."""
    first = data_format == "channels_first"
    if weights != "imagenet" and input_shape and len(input_shape) == 3:
        channels = input_shape[0] if first else input_shape[-1]
        if channels not in {1, 3}:
            warnings.warn("This model usually expects 1 or 3 input channels. However, it was passed an "
                          f"input_shape with {channels} input channels.", stacklevel=3)
        default_shape = (channels, default_size, default_size) if first else (default_size, default_size, channels)
    else:
        default_shape = (3, default_size, default_size) if first else (default_size, default_size, 3)
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and tuple(input_shape) != default_shape:
            raise ValueError("When setting `include_top=True` and loading `imagenet` weights, `input_shape` "
                             f"should be {default_shape}.  Received: input_shape={input_shape}")
        return default_shape
    if input_shape:
        input_shape = tuple(input_shape)
        if len(input_shape) != 3:
            raise ValueError("`input_shape` must be a tuple of three integers.")
        channels, spatial = (input_shape[0], input_shape[1:]) if first else (input_shape[-1], input_shape[:2])
        if channels != 3 and weights == "imagenet":
            raise ValueError(f"The input must have 3 channels; Received `input_shape={input_shape}`")
        if any(s is not None and s < min_size for s in spatial):
            raise ValueError(f"Input size must be at least {min_size}x{min_size}; Received: "
                             f"input_shape={input_shape}")
    elif require_flatten:
        input_shape = default_shape
    else:
        input_shape = (3, None, None) if first else (None, None, 3)
    if require_flatten and None in input_shape:
        raise ValueError("If `include_top` is True, you should specify a static `input_shape`. "
                         f"Received: input_shape={input_shape}")
    return input_shape


def correct_pad(inputs, kernel_size) -> tuple:
    """The asymmetric zero padding that makes a stride-2 'valid' conv match TF's 'same' (odd/even sizes)."""
    img_dim = 2 if _config.image_data_format() == "channels_first" else 1
    size = tuple(inputs.shape[img_dim:img_dim + 2])
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    adjust = (1, 1) if size[0] is None else (1 - size[0] % 2, 1 - size[1] % 2)
    correct = (kernel_size[0] // 2, kernel_size[1] // 2)
    return ((correct[0] - adjust[0], correct[0]), (correct[1] - adjust[1], correct[1]))


def validate_activation(classifier_activation, weights) -> None:
    """Pretrained tops only come with softmax (or no activation, for logits)."""
    if weights is None:
        return
    act = activations.get(classifier_activation)
    if act not in {activations.get("softmax"), activations.get(None)}:
        raise ValueError("Only `None` and `softmax` activations are allowed for the `classifier_activation` "
                         "argument when using pretrained weights, with `include_top=True`; Received: "
                         f"classifier_activation={classifier_activation}")


def validate_weights(weights, include_top: bool, classes: int, weights_name: str = "imagenet") -> None:
    """``weights`` is None, ``"imagenet"`` or an existing file; a pretrained top has 1000 classes."""
    if not (weights in {weights_name, None} or (isinstance(weights, (str, os.PathLike))
                                                 and os.path.exists(weights))):
        raise ValueError("The `weights` argument should be either `None` (random initialization), "
                         f"'{weights_name}' (pre-training on ImageNet), or the path to the weights file to be "
                         f"loaded. Received: weights={weights}")
    if weights == weights_name and include_top and classes != 1000:
        raise ValueError(f"If using `weights='{weights_name}'` with `include_top=True`, `classes` should be "
                         f"1000. Received classes={classes}")


def model_input(input_shape, input_tensor):
    """The tensor the network starts from: a new ``Input``, or ``input_tensor`` (wrapped if not symbolic)."""
    if input_tensor is None:
        return layers.Input(shape=input_shape)
    if _is_keras_tensor(input_tensor):
        return input_tensor
    return layers.Input(tensor=input_tensor, shape=input_shape)


def _is_keras_tensor(x) -> bool:
    return isinstance(x, KerasTensor)


def source_inputs(img_input, input_tensor):
    """The model's inputs: those ``input_tensor`` was derived from, else the new ``Input``."""
    if input_tensor is None:
        return img_input
    return get_source_inputs(input_tensor)


def global_pool(x, pooling):
    """``pooling=None | "avg" | "max"`` for a model without its top."""
    if pooling == "avg":
        return layers.GlobalAveragePooling2D()(x)
    if pooling == "max":
        return layers.GlobalMaxPooling2D()(x)
    if pooling is not None:
        raise ValueError(f"`pooling` should be None, 'avg' or 'max'; received pooling={pooling!r}.")
    return x


def load_weights(model, weights, fname: str | None = None, subdir: str | None = None, file_hash: str | None = None,
                 weights_name: str = "imagenet", origin: str | None = None) -> None:
    """Load ``weights``: the published file for ``weights_name`` (found in Keras's cache), or a path."""
    if weights == weights_name:
        if origin is None:
            origin = WEIGHTS_BASE + (f"{subdir}/" if subdir else "") + fname
        model.load_weights(_fetch(fname, origin, file_hash))
    elif weights is not None:
        model.load_weights(weights)


def set_stages(model, stages: list[str]) -> Any:
    """Record the names of the layers that begin each stage of the backbone (used for layer groups).

    ``stages`` lists the first layer *with weights* of each stage after the first; the head (the
    classifier, when present) is its own group. Names of layers absent from the model
    (e.g. the top when ``include_top=False``) are dropped.
    """
    names = set(_nested_names(model))
    model._application_stages = [s for s in stages if s in names]
    return model


def _nested_names(model) -> list[str]:
    """Names of the model's layers and of the layers of nested models (ConvNeXt's downsampling blocks)."""
    names = []
    for layer in model.layers:
        names.append(layer.name)
        if getattr(layer, "layers", None):
            names.extend(_nested_names(layer))
    return names


def set_stages_after(model, boundaries: list[str]) -> Any:
    """Stages that start at the first weighted layer after each boundary layer, plus the head.

    For families whose convolutions are auto-named (``conv2d_N`` depends on what was built
    before in the session): a boundary is a fixed name (``mixed2``) or an auto-name prefix
    (``max_pooling2d`` matches its first ``max_pooling2d``/``max_pooling2d_N``).
    """
    names = [layer.name for layer in model.layers]
    stages = []
    for boundary in boundaries:
        at = next((i for i, n in enumerate(names) if n == boundary or n.startswith(boundary + "_")), None)
        if at is None:
            continue
        following = next((layer.name for layer in model.layers[at + 1:] if layer.weights), None)
        if following is not None:
            stages.append(following)
    return set_stages(model, stages + ["predictions"])
