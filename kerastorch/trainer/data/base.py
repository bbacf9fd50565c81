"""The ``DataAdapter`` base class and the small helpers every adapter shares.

An adapter turns what the user passed into an iterator of ``(x, y, sample_weight)``
batches of torch tensors on the training device. ``num_batches`` is the number of
batches per epoch, or None when unknown (a generator). The factory that picks an
adapter (``get_data_adapter``) is in the package ``__init__``, above the adapters, so
no module here imports an adapter.
"""
from __future__ import annotations

from typing import Any, Iterator

import numpy as np
import torch

from kerastorch._core import tree
from kerastorch._core.tensors import to_tensor
from kerastorch.utils import PyDataset, Sequence
from kerastorch.utils.data_structures import unpack_x_y_sample_weight

__all__ = ["DataAdapter", "apply_class_weight", "class_weights_for", "is_text_array", "batch_tuple",
           "text_lists_as_arrays", "to_device", "to_tensor", "unpack_x_y_sample_weight"]


class DataAdapter:
    num_batches: int | None = None
    batch_size: int | None = None

    def iter_epoch(self) -> Iterator[tuple]:
        raise NotImplementedError

    def on_epoch_end(self) -> None:
        pass


def batch_tuple(x, y=None, sample_weight=None) -> tuple:
    """The batch an adapter yields (and a train_step receives): ``(x,)``, ``(x, y)`` or
    ``(x, y, sample_weight)``, always a tuple (``keras.utils.pack_x_y_sample_weight`` returns a
    lone ``x`` unwrapped)."""
    if y is None:
        return (x,)
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def to_device(structure, device: torch.device):
    return tree.map_structure(lambda v: to_tensor(v, device) if v is not None and not is_text_array(v) else v,
                              structure)


def is_text_array(v: Any) -> bool:
    """A numpy array of str/bytes/objects: text that string layers (TextVectorization...) read as it is."""
    return isinstance(v, np.ndarray) and v.dtype.kind in ("U", "S", "O")


def text_lists_as_arrays(x: Any) -> Any:
    """A Python list/tuple of strings (one sample each) as a numpy object array; anything else unchanged.

    Keras takes ``x=["a text", "another"]`` for a model whose input is a string; as an array it is batched,
    shuffled and split like numeric data, and never converted to a tensor.
    """
    if isinstance(x, (list, tuple)) and x and all(isinstance(v, (str, bytes)) for v in x):
        return np.asarray(x, dtype=object)
    return x


def _is_array_like(x) -> bool:
    if isinstance(x, (np.ndarray, torch.Tensor)):
        return True
    if isinstance(x, (list, tuple)) and x and all(isinstance(v, (np.ndarray, torch.Tensor)) for v in tree.flatten(x)):
        return True
    if isinstance(x, dict) and x and all(isinstance(v, (np.ndarray, torch.Tensor)) for v in tree.flatten(x)):
        return True
    if isinstance(x, (list, tuple)) and x and all(isinstance(v, (int, float)) for v in x):
        return True
    return False


def _is_sequence(x) -> bool:
    return isinstance(x, (Sequence, PyDataset))


def class_weights_for(y: torch.Tensor, class_weight: dict) -> torch.Tensor:
    """Per-sample weights from ``class_weight`` (labels as ids, or one-hot rows)."""
    if y.ndim >= 2 and y.shape[-1] > 1:
        ids = y.argmax(dim=-1)
    else:
        ids = y.reshape(y.shape[0], -1)[:, 0]
        ids = ids.round().long() if ids.is_floating_point() else ids.long()
    size = max(int(k) for k in class_weight) + 1
    table = torch.ones(size, dtype=torch.float32, device=y.device)
    for k, v in class_weight.items():
        table[int(k)] = float(v)
    ids = ids.reshape(ids.shape[0], -1)[:, 0] if ids.ndim > 1 else ids
    return table[ids.clamp(0, size - 1)]


def apply_class_weight(y, sample_weight, class_weight):
    if not class_weight or y is None:
        return sample_weight
    if isinstance(y, (list, tuple, dict)):
        raise ValueError("`class_weight` is only supported for models with a single output.")
    w = class_weights_for(y, class_weight)
    return w if sample_weight is None else sample_weight * w
