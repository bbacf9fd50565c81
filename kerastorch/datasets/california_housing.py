"""``keras.datasets.california_housing``: 20,640 districts, 8 features, median house value
(``version="small"`` keeps the first 600, as Keras does)."""
from __future__ import annotations

import numpy as np

from kerastorch.datasets._common import ORIGIN_FOLDER, check_test_split, fetch, shuffled_split

FILE_HASH = "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"


def load_data(version: str = "large", path: str = "california_housing.npz", test_split: float = 0.2,
              seed: int = 113) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Return ``(x_train, y_train), (x_test, y_test)`` as float arrays."""
    check_test_split(test_split)
    if version not in ("small", "large"):
        raise ValueError(f"Argument `version` must be one of 'small', 'large'. Received: version={version}")
    path = fetch("california_housing", path, f"{ORIGIN_FOLDER}california_housing.npz", FILE_HASH)
    with np.load(path, allow_pickle=False) as f:
        x, y = f["x"], f["y"]
    if version == "small":
        x, y = x[:600], y[:600]
    return shuffled_split(x, y, test_split, seed)
