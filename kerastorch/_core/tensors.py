"""The one converter of data into tensors: what ``fit`` batches and ``layer(numpy_array)`` use.

The rule is Keras's for model inputs: NumPy arrays and Python numbers become tensors
with their own dtype, except that float64 becomes ``floatx()`` (Keras casts float64
inputs; a float64 array from ``np.random.rand`` should not make a float32 model run in
float64). Strings and objects are refused with a TypeError.

``keras.ops.convert_to_tensor`` (``ops/core.py``) follows the different rule Keras gives
ops: a NumPy array keeps its dtype, Python ints become int32. Both rules exist in Keras;
each is written once.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

from kerastorch._core import config, tree

_NUMERIC_LEAVES = (np.ndarray, np.generic, float, int)


def to_tensor(value: Any, device: torch.device | None = None) -> torch.Tensor | None:
    """numpy/python/torch -> torch tensor, float64 becoming ``floatx()``; optionally moved to ``device``."""
    if value is None:
        return None
    if isinstance(value, torch.Tensor):
        t = value
    else:
        arr = np.asarray(value)
        if arr.dtype == np.float64:
            arr = arr.astype(config.floatx())
        elif arr.dtype == object or arr.dtype.kind in ("U", "S"):
            raise TypeError(f"Cannot convert an array of dtype {arr.dtype} to a tensor. kerastorch takes numeric "
                            "arrays; encode strings to integer ids first.")
        t = torch.from_numpy(np.ascontiguousarray(arr))
    if t.dtype == torch.float64:
        t = t.to(config.to_torch_dtype(config.floatx()))
    if device is not None and t.device != device:
        t = t.to(device, non_blocking=True)
    return t


def numeric_leaves_to_tensors(structure: Any) -> Any:
    """Convert the NumPy and Python-number leaves of a nest with :func:`to_tensor`; leave the rest."""
    if isinstance(structure, (list, tuple, dict)):
        return tree.map_structure(_leaf_to_tensor, structure)
    return _leaf_to_tensor(structure)


def _leaf_to_tensor(x: Any) -> Any:
    return to_tensor(x) if isinstance(x, _NUMERIC_LEAVES) else x
