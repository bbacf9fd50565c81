"""``keras.datasets.fashion_mnist``: Zalando's 28×28 clothing images, from the four IDX ``.gz`` files
Keras caches in ``~/.keras/datasets/fashion-mnist``."""
from __future__ import annotations

import gzip
import os

import numpy as np

from kerastorch.datasets._common import ORIGIN_FOLDER, fetch

FILES = ("train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
         "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz")


def _labels(path: str) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=8)  # IDX1 header: magic, count


def _images(path: str, count: int) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=16).reshape(count, 28, 28)  # IDX3: magic, n, rows, cols


def load_data() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Return ``(x_train, y_train), (x_test, y_test)``: uint8 images (N, 28, 28) and labels 0–9."""
    cache_subdir = os.path.join("datasets", "fashion-mnist")
    paths = [fetch("fashion_mnist", name, ORIGIN_FOLDER + name, None, cache_subdir=cache_subdir)
             for name in FILES]
    y_train, y_test = _labels(paths[0]), _labels(paths[2])
    return (_images(paths[1], len(y_train)), y_train), (_images(paths[3], len(y_test)), y_test)
