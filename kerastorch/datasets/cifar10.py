"""``keras.datasets.cifar10``: 60,000 32×32 colour images in 10 classes, from the python-pickle
batches of ``cifar-10-python.tar.gz`` as Keras extracts them."""
from __future__ import annotations

import os

import numpy as np

from kerastorch.datasets._common import channels_last_images, fetch, load_pickle

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
FILE_HASH = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"


def load_batch(fpath: str, label_key: str = "labels") -> tuple[np.ndarray, list]:
    """One CIFAR batch file: ``(data of shape (N, 3, 32, 32), labels)``."""
    batch = load_pickle(fpath)
    data = batch["data"]
    return data.reshape(data.shape[0], 3, 32, 32), batch[label_key]


def load_data() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Return ``(x_train, y_train), (x_test, y_test)``: uint8 images (N, 32, 32, 3) for channels_last
    and labels of shape (N, 1)."""
    path = fetch("cifar10", "cifar-10-batches-py-target", ORIGIN, FILE_HASH, extract=True)
    path = os.path.join(path, "cifar-10-batches-py")
    parts = [load_batch(os.path.join(path, f"data_batch_{i}")) for i in range(1, 6)]
    x_train = np.concatenate([x for x, _ in parts]).astype("uint8")
    y_train = np.concatenate([np.asarray(y) for _, y in parts]).astype("uint8")
    x_test, y_test = load_batch(os.path.join(path, "test_batch"))
    x_test, y_test = np.asarray(x_test).astype("uint8"), np.asarray(y_test).astype("uint8")
    return ((channels_last_images(x_train), y_train.reshape(-1, 1)),
            (channels_last_images(x_test), y_test.reshape(-1, 1)))
