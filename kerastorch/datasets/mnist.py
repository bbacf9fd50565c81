"""``keras.datasets.mnist``: 70,000 28×28 grayscale digits, from Keras's cached ``mnist.npz``."""
from __future__ import annotations

import numpy as np

from kerastorch.datasets._common import ORIGIN_FOLDER, fetch

FILE_HASH = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


def load_data(path: str = "mnist.npz") -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Return ``(x_train, y_train), (x_test, y_test)``: uint8 images (N, 28, 28) and labels 0–9.

    Args:
        path: file name in the cache (``~/.keras/datasets``), or an absolute path.
    """
    path = fetch("mnist", path, f"{ORIGIN_FOLDER}mnist.npz", FILE_HASH)
    with np.load(path, allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
