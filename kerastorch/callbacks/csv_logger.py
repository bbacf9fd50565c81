"""`CSVLogger`: stream each epoch's logs to a CSV file."""
from __future__ import annotations

import collections.abc
import csv
import os
from typing import Any

import numpy as np
import torch

from kerastorch.callbacks.callback import Callback, to_float


def _cell(value: Any) -> Any:
    """Keras' cell format: numbers as-is, 1-D iterables as "[a, b]"."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if isinstance(value, str):
        return value
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value.item()
    if isinstance(value, collections.abc.Iterable):
        return f'"[{", ".join(map(str, value))}]"'
    try:
        return to_float(value) if callable(value) else value
    except (TypeError, ValueError):
        return value


class CSVLogger(Callback):
    """Writes one row per epoch: `epoch` (0-based) then the sorted log keys.

    The columns are fixed by the first epoch's logs; if that epoch has no
    `val_` keys, `val_<key>` columns are added anyway (as Keras does) and
    missing values are written as "NA".

    Args:
        filename: path of the CSV file, e.g. "run/log.csv".
        separator: column separator.
        append: append to an existing file (no second header) instead of
            overwriting it.
    """

    _supports_lazy_logs = True  # no batch hooks

    def __init__(self, filename: str | os.PathLike, separator: str = ",",
                 append: bool = False) -> None:
        super().__init__()
        if not isinstance(separator, str) or len(separator) != 1:
            raise ValueError(
                f"`separator` must be a single character. Received: separator={separator!r}"
            )
        self.sep = separator
        self.filename = os.fspath(filename)
        self.append = append
        self.writer: csv.DictWriter | None = None
        self.keys: list[str] | None = None
        self.append_header = True
        self.csv_file = None

    def on_train_begin(self, logs: dict | None = None) -> None:
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename) as f:
                    self.append_header = not bool(len(f.readline()))
            mode = "a"
        else:
            mode = "w"
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.csv_file = open(self.filename, mode)
        self.writer = None
        self.keys = None

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs.keys())
            if self.keys and not any(k.startswith("val_") for k in self.keys):
                self.keys.extend(["val_" + k for k in self.keys])
        if self.writer is None:
            dialect = type("CustomDialect", (csv.excel,), {"delimiter": self.sep})
            self.writer = csv.DictWriter(
                self.csv_file, fieldnames=["epoch"] + self.keys, dialect=dialect
            )
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((key, _cell(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None
