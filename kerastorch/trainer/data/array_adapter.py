"""In-memory arrays: the fast path.

The arrays are converted to tensors once (and moved to the device once when it
is a GPU and they fit), then each batch is a slice (no shuffle) or an
``index_select`` with a per-epoch permutation — no per-sample Dataset or collate.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from kerastorch.backend import tree
from kerastorch.trainer.data.base import (
    DataAdapter,
    apply_class_weight,
    batch_tuple,
    is_text_array,
    to_tensor,
)

# Keep whole datasets on an accelerator when they are smaller than this.
_MAX_DEVICE_BYTES = 2 * 1024 ** 3


class ArrayDataAdapter(DataAdapter):
    def __init__(self, x, y=None, sample_weight=None, batch_size=32, shuffle=False, steps=None,
                 class_weight=None, device=None, drop_remainder=False, generator=None):
        self.device = device or torch.device("cpu")
        data = (x, y, sample_weight)
        nbytes = sum(getattr(v, "nbytes", 0) or (v.numel() * v.element_size() if isinstance(v, torch.Tensor) else 0)
                     for v in tree.flatten(data) if v is not None)
        store = self.device if self.device.type == "cpu" or nbytes < _MAX_DEVICE_BYTES else torch.device("cpu")
        # Text arrays stay numpy (string layers read them in the model); numeric data becomes tensors once.
        self.x = tree.map_structure(lambda v: v if is_text_array(v) else to_tensor(v, store), x)
        self.y = tree.map_structure(lambda v: to_tensor(v, store), y) if y is not None else None
        sw = to_tensor(sample_weight, store) if sample_weight is not None else None
        self.sample_weight = apply_class_weight(self.y, sw, class_weight)
        sizes = {int(v.shape[0]) for v in tree.flatten((self.x, self.y, self.sample_weight))
                 if isinstance(v, (torch.Tensor, np.ndarray))}
        if len(sizes) > 1:
            detail = {"x": [tuple(v.shape) for v in tree.flatten(self.x)],
                      "y": [tuple(v.shape) for v in tree.flatten(self.y)] if self.y is not None else None}
            raise ValueError(f"Data cardinality is ambiguous: make sure all arrays contain the same number of "
                             f"samples. Received sizes {sorted(sizes)}: {detail}")
        self.num_samples = sizes.pop() if sizes else 0
        if self.num_samples == 0:
            raise ValueError("Expected input data to be non-empty: received arrays with 0 samples.")
        self.batch_size = int(batch_size)
        if self.batch_size <= 0:
            raise ValueError(f"`batch_size` must be a positive integer, received {batch_size}.")
        self.shuffle = shuffle
        self.drop_remainder = drop_remainder and self.num_samples > self.batch_size
        full = self.num_samples // self.batch_size if self.drop_remainder \
            else math.ceil(self.num_samples / self.batch_size)
        self.num_batches = full if steps is None else int(steps)
        self.generator = generator
        self._moves = store != self.device

    def _order(self) -> torch.Tensor | None:
        if not self.shuffle:
            return None
        if self.shuffle == "batch":
            # Keras's "batch" shuffle: shuffle the order of batch-sized chunks, keep each chunk's order.
            n_chunks = math.ceil(self.num_samples / self.batch_size)
            chunks = torch.randperm(n_chunks, generator=self.generator)
            idx = torch.arange(self.num_samples).split(self.batch_size)
            return torch.cat([idx[i] for i in chunks.tolist()])
        return torch.randperm(self.num_samples, generator=self.generator)

    def iter_epoch(self):
        if self._plain_slices():
            # predict/evaluate on one array: consecutive views, nothing else to do per batch
            x, y, bs = self.x, self.y, self.batch_size
            for start in range(0, self.num_samples, bs):
                yield (x[start:start + bs],) if y is None else (x[start:start + bs], y[start:start + bs])
            return
        order = self._order()
        if order is not None and self.device.type != "cpu" and not self._moves:
            order = order.to(self.device)
        n, bs = self.num_samples, self.batch_size
        steps = self.num_batches
        start = 0
        for _ in range(steps):
            if start >= n or (self.drop_remainder and start + bs > n):
                if order is not None:
                    order = self._order()
                start = 0
            end = min(start + bs, n)
            if order is None:
                pick = lambda v, s=start, e=end: v[s:e]  # noqa: E731 - a view, no copy
            else:
                idx = order[start:end]
                pick = lambda v, i=idx: (  # noqa: E731
                    v[i.cpu().numpy()] if isinstance(v, np.ndarray) else v.index_select(0, i))
            batch = (_pick(pick, self.x), _pick(pick, self.y),
                     pick(self.sample_weight) if self.sample_weight is not None else None)
            if self._moves:
                batch = tree.map_structure(lambda v: v.to(self.device, non_blocking=True)
                                           if isinstance(v, torch.Tensor) else v, batch)
            yield batch_tuple(*batch)
            start = end


    def _plain_slices(self) -> bool:
        return (not self.shuffle and not self._moves and not self.drop_remainder and self.sample_weight is None
                and type(self.x) is torch.Tensor and (self.y is None or type(self.y) is torch.Tensor)
                and self.num_batches == math.ceil(self.num_samples / self.batch_size))


def _pick(pick, structure):
    if structure is None:
        return None
    if isinstance(structure, torch.Tensor):  # the common case, without the structure walk
        return pick(structure)
    return tree.map_structure(pick, structure)
