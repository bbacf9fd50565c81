"""``keras.datasets.cifar100``: 60,000 32×32 colour images in 100 fine (20 coarse) classes."""
from __future__ import annotations

import os

import numpy as np

from kerastorch.datasets._common import channels_last_images, fetch
from kerastorch.datasets.cifar10 import load_batch

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
FILE_HASH = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"


def load_data(label_mode: str = "fine") -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Return ``(x_train, y_train), (x_test, y_test)``; ``label_mode`` is ``"fine"`` or ``"coarse"``."""
    if label_mode not in ("fine", "coarse"):
        raise ValueError(f'`label_mode` must be one of `"fine"`, `"coarse"`. Received: label_mode={label_mode}.')
    path = fetch("cifar100", "cifar-100-python-target", ORIGIN, FILE_HASH, extract=True)
    path = os.path.join(path, "cifar-100-python")
    x_train, y_train = load_batch(os.path.join(path, "train"), label_key=f"{label_mode}_labels")
    x_test, y_test = load_batch(os.path.join(path, "test"), label_key=f"{label_mode}_labels")
    return ((channels_last_images(x_train), np.reshape(y_train, (len(y_train), 1))),
            (channels_last_images(x_test), np.reshape(y_test, (len(y_test), 1))))
