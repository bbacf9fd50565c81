"""``keras.utils.timeseries_dataset_from_array``: sliding windows over a sequence, as a ``DataLoader``.

Window ``i`` starts at ``start_index + i * sequence_stride`` and takes ``sequence_length`` steps spaced
``sampling_rate`` apart; its target is ``targets[start]`` (shift ``targets`` to predict the future, as in
the Keras docs). Windows are cut when read, so no copy of the data per window is kept in memory.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from torch.utils.data import DataLoader

from kerastorch.utils.dataset_utils import SampleDataset, make_loader


def _check_positive_below(name: str, value: int, length: int) -> None:
    if value <= 0:
        raise ValueError(f"`{name}` must be higher than 0. Received: {name}={value}")
    if value >= length:
        raise ValueError(f"`{name}` must be lower than the length of the data. Received: {name}={value}, "
                         f"for data of length {length}")


def timeseries_dataset_from_array(data: Any, targets: Any, sequence_length: int, sequence_stride: int = 1,
                                  sampling_rate: int = 1, batch_size: int | None = 128, shuffle: bool = False,
                                  seed: int | None = None, start_index: int | None = None,
                                  end_index: int | None = None, format: str = "tf",
                                  num_workers: int | None = None) -> DataLoader:
    """Batches of ``(windows, targets)`` (or only windows when ``targets`` is None).

    Args:
        data: array-like indexed by time step along the first axis.
        targets: per-step targets aligned with ``data``, or None.
        sequence_length: steps per window.
        sequence_stride: steps between the starts of consecutive windows.
        sampling_rate: steps between two samples inside a window.
        batch_size: windows per batch (None: single windows).
        shuffle, seed: reshuffle the windows every epoch, from ``seed``.
        start_index, end_index: use only ``data[start_index:end_index]`` for the windows.
        format: Keras's ``"tf"`` (default) / ``"grain"`` name the pipeline Keras builds; here every format
            gives the same torch ``DataLoader`` (``"torch"`` says so explicitly).
    """
    length = len(data)
    if start_index:
        if start_index < 0:
            raise ValueError(f"`start_index` must be 0 or greater. Received: start_index={start_index}")
        if start_index >= length:
            raise ValueError(f"`start_index` must be lower than the length of the data. Received: "
                             f"start_index={start_index}, for data of length {length}")
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(f"`end_index` must be higher than `start_index`. Received: start_index={start_index}, "
                             f"and end_index={end_index} ")
        if end_index >= length:
            raise ValueError(f"`end_index` must be lower than the length of the data. Received: "
                             f"end_index={end_index}, for data of length {length}")
        if end_index <= 0:
            raise ValueError(f"`end_index` must be higher than 0. Received: end_index={end_index}")
    _check_positive_below("sampling_rate", sampling_rate, length)
    _check_positive_below("sequence_stride", sequence_stride, length)
    if format not in ("torch", "tf", "grain"):
        raise ValueError(f'`format` should be "tf", "grain" or "torch". Received: format={format}')
    start_index = start_index or 0
    end_index = end_index or length
    num_seqs = end_index - start_index - (sequence_length - 1) * sampling_rate
    if targets is not None:
        num_seqs = min(num_seqs, len(targets))
    starts = np.arange(0, max(num_seqs, 0), sequence_stride)
    series = np.asarray(data[start_index:end_index])
    offsets = np.arange(0, sequence_length * sampling_rate, sampling_rate)
    target_values = None if targets is None else np.asarray(targets[start_index:])[starts]
    dataset = SampleDataset(starts, lambda start: series[start + offsets], target_values)
    return make_loader(dataset, batch_size, shuffle, seed, num_workers)
