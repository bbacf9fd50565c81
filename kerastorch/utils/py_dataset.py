"""``PyDataset`` (Keras 3) and ``Sequence`` (its Keras 2 name): indexable batch sources for ``fit``.

A subclass implements ``__len__`` (batches per epoch) and ``__getitem__(index)`` returning a
batch; ``on_epoch_end`` runs after each epoch (e.g. to reshuffle). The parallel-loading
arguments are accepted for compatibility and only stored: batches are produced in order
in the training process.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any


class PyDataset:
    # Class-level defaults so Keras 2 subclasses that never call super().__init__() still work.
    _workers = 1
    _use_multiprocessing = False
    _max_queue_size = 10

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False, max_queue_size: int = 10):
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    @property
    def workers(self) -> int:
        return self._workers

    @workers.setter
    def workers(self, value: int) -> None:
        self._workers = value

    @property
    def use_multiprocessing(self) -> bool:
        return self._use_multiprocessing

    @use_multiprocessing.setter
    def use_multiprocessing(self, value: bool) -> None:
        self._use_multiprocessing = value

    @property
    def max_queue_size(self) -> int:
        return self._max_queue_size

    @max_queue_size.setter
    def max_queue_size(self, value: int) -> None:
        self._max_queue_size = value

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement `__getitem__(index)` returning a batch.")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement `__len__()` (batches per epoch).")

    @property
    def num_batches(self) -> int | None:
        """Batches per epoch, or None when ``__len__`` is not implemented (an endless dataset)."""
        try:
            return len(self)
        except NotImplementedError:
            return None

    def on_epoch_begin(self) -> None:
        pass

    def on_epoch_end(self) -> None:
        pass

    def __iter__(self) -> Iterator:
        """Every batch of one epoch in order (Keras 2's ``Sequence.__iter__``)."""
        for i in range(len(self)):
            yield self[i]


Sequence = PyDataset
