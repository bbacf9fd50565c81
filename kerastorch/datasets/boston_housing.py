"""``keras.datasets.boston_housing``: 506 houses, 13 features, median value in k$ (a 1970s census
set kept for porting old tutorials; Keras's split: shuffled with ``seed``, last ``test_split`` as test)."""
from __future__ import annotations

import numpy as np

from kerastorch.datasets._common import ORIGIN_FOLDER, check_test_split, fetch, shuffled_split

FILE_HASH = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(path: str = "boston_housing.npz", test_split: float = 0.2,
              seed: int = 113) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Return ``(x_train, y_train), (x_test, y_test)`` as float arrays."""
    check_test_split(test_split)
    path = fetch("boston_housing", path, f"{ORIGIN_FOLDER}boston_housing.npz", FILE_HASH)
    with np.load(path, allow_pickle=False) as f:
        x, y = f["x"], f["y"]
    return shuffled_split(x, y, test_split, seed)
