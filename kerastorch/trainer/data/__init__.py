"""Data adapters: one per kind of input ``fit``/``evaluate``/``predict`` accept.

``base.py`` holds the ``DataAdapter`` base class and the shared helpers; each adapter
module imports only ``base``; this ``__init__`` imports the adapters and holds the
factory ``get_data_adapter`` that picks one, so the package has no import circle.
"""
from __future__ import annotations

import torch

from kerastorch.trainer.data.array_adapter import ArrayDataAdapter
from kerastorch.trainer.data.base import (
    DataAdapter,
    _is_array_like,
    _is_sequence,
    text_lists_as_arrays,
    unpack_x_y_sample_weight,
)
from kerastorch.trainer.data.generator_adapter import GeneratorDataAdapter
from kerastorch.trainer.data.sequence_adapter import SequenceDataAdapter
from kerastorch.trainer.data.torch_adapter import TorchDataLoaderAdapter

__all__ = ["DataAdapter", "get_data_adapter", "unpack_x_y_sample_weight"]


def get_data_adapter(x, y=None, sample_weight=None, batch_size=None, steps_per_epoch=None, shuffle=False,
                     class_weight=None, device=None, drop_remainder=False, seed_generator=None) -> DataAdapter:
    """Pick the adapter for ``x``: arrays/tensors, a generator, a Sequence/PyDataset, or a torch DataLoader/Dataset."""
    x = text_lists_as_arrays(x)
    if _is_array_like(x):
        return ArrayDataAdapter(x, y, sample_weight, batch_size=batch_size or 32, shuffle=shuffle,
                                steps=steps_per_epoch, class_weight=class_weight, device=device,
                                drop_remainder=drop_remainder, generator=seed_generator)
    others_given = y is not None or sample_weight is not None
    kind = type(x).__name__
    if others_given:
        raise ValueError(f"`y` and `sample_weight` must be None when `x` is a {kind}: the data it yields "
                         "already holds the targets. Yield `(x, y)` or `(x, y, sample_weight)` tuples.")
    if _is_sequence(x):
        return SequenceDataAdapter(x, shuffle=shuffle, steps=steps_per_epoch, device=device,
                                   class_weight=class_weight, generator=seed_generator)
    if isinstance(x, torch.utils.data.DataLoader) or isinstance(x, torch.utils.data.Dataset):
        return TorchDataLoaderAdapter(x, batch_size=batch_size, shuffle=shuffle, steps=steps_per_epoch,
                                      device=device, class_weight=class_weight)
    if hasattr(x, "__next__") or hasattr(x, "__iter__"):
        return GeneratorDataAdapter(x, steps=steps_per_epoch, device=device, class_weight=class_weight)
    raise ValueError(f"Unrecognized data type: x={x!r} (of type {type(x)}). kerastorch accepts numpy arrays, "
                     "torch tensors, lists/dicts of them, Python generators, keras.utils.Sequence/PyDataset "
                     "and torch DataLoader/Dataset.")
