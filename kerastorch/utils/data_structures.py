"""Batch packing helpers (``pack_x_y_sample_weight``/``unpack_x_y_sample_weight``) and
``split_dataset``, the in-memory train/test splitter.

``split_dataset`` follows Keras's torch path: arrays (or a list/tuple of arrays) become a
``TensorDataset``, the sizes are resolved with Keras's rules (fractions rounded, the
missing side the complement), and it is cut in order, or with ``random_split`` on a
generator seeded with ``seed`` when ``shuffle`` is set (the same split Keras makes). The
returned objects are ``torch.utils.data.Subset``s, as Keras returns on torch.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset, Subset, TensorDataset, random_split


def pack_x_y_sample_weight(x: Any, y: Any = None, sample_weight: Any = None) -> Any:
    """The tuple a ``train_step`` receives: ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``.

    A bare ``x`` that is a list or tuple is wrapped, so it is not read as ``(x, y)``.
    """
    if y is None:
        if not isinstance(x, (list, tuple)):
            return x
        return (x,)
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def unpack_x_y_sample_weight(data: Any) -> tuple[Any, Any, Any]:
    """``(x, y, sample_weight)`` from a batch, with None for what it lacks."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return (data, None, None)
    if len(data) == 1:
        return (data[0], None, None)
    if len(data) == 2:
        return (data[0], data[1], None)
    if len(data) == 3:
        return (data[0], data[1], data[2])
    raise ValueError("Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`, "
                     f"found: {data}")


def _sizes(left_size: Any, right_size: Any, total: int) -> tuple[int, int]:
    """Keras's rules for ``left_size``/``right_size`` (int counts or float fractions)."""
    for value, side in ((left_size, "left_size"), (right_size, "right_size")):
        if value is not None and type(value) not in (int, float):
            raise TypeError(f"Invalid `{side}` Type. Expected: int or float or None, "
                            f"Received: type({side})={type(value)}.")
    if left_size == 0 and right_size == 0:
        raise ValueError("Both `left_size` and `right_size` are zero. At least one of the split sizes must be "
                         "non-zero.")
    for value, side in ((left_size, "left_size"), (right_size, "right_size")):
        if (type(value) is int and (value <= 0 or value >= total)) or \
                (type(value) is float and (value <= 0 or value >= 1)):
            raise ValueError(f"`{side}` should be either a positive integer smaller than {total}, or a float "
                             f"within the range `[0, 1]`. Received: {side}={value}")
    if type(left_size) is float and type(right_size) is float and left_size + right_size > 1:
        raise ValueError("The sum of `left_size` and `right_size` is greater than 1. It must be less than or "
                         "equal to 1.")
    left = round(left_size * total) if type(left_size) is float else left_size
    right = round(right_size * total) if type(right_size) is float else right_size
    if left is None:
        left = total - right
    elif right is None:
        right = total - left
    if left + right > total:
        raise ValueError(f"The sum of `left_size` and `right_size` should be smaller than the {total}. "
                         f"Received: left_size + right_size = {left + right} and total_length = {total}")
    for split, side in ((left, "left"), (right, "right")):
        if split == 0:
            raise ValueError(f"With `dataset` of length={total}, `left_size`={left_size} and "
                             f"`right_size`={right_size}. Resulting {side} side dataset split will be empty. "
                             "Adjust any of the aforementioned parameters")
    return int(left), int(right)


def split_dataset(dataset: Any, left_size: Any = None, right_size: Any = None, shuffle: bool = False,
                  seed: int | None = None, preferred_backend: str | None = None) -> tuple[Any, Any]:
    """Split ``dataset`` (an array, a list/tuple of equally long arrays, or a torch Dataset) in two."""
    if preferred_backend not in (None, "torch"):
        raise ValueError(f"kerastorch splits into torch datasets only. Received: "
                         f"preferred_backend={preferred_backend!r}; pass None or 'torch'.")
    if isinstance(dataset, np.ndarray):
        dataset = TensorDataset(torch.from_numpy(dataset))
    elif isinstance(dataset, (list, tuple)):
        dataset = TensorDataset(*[torch.from_numpy(np.asarray(x)) for x in dataset])
    elif not isinstance(dataset, Dataset):
        raise TypeError("The `dataset` argument must be a `torch.utils.data.Dataset` object, or a list/tuple of "
                        f"arrays. Received: dataset={dataset!r} of type {type(dataset)}")
    if left_size is None and right_size is None:
        raise ValueError("At least one of the `left_size` or `right_size` must be specified. Received: "
                         "left_size=None and right_size=None")
    left, right = _sizes(left_size, right_size, len(dataset))
    if shuffle:
        generator = torch.Generator()
        if seed is not None:
            generator.manual_seed(seed)
        else:
            generator.seed()
        rest = len(dataset) - left - right  # samples in neither split when the sizes do not add up
        left_split, right_split, *_ = random_split(dataset, [left, right] + ([rest] if rest else []),
                                                   generator=generator)
        return left_split, right_split
    # Unshuffled: the first `left` samples, then the next `right`. (Keras 3.15 on torch passes no
    # generator to random_split here, which then shuffles with torch's global RNG anyway; this
    # keeps the documented order.)
    return Subset(dataset, range(left)), Subset(dataset, range(left, left + right))
