"""``keras.datasets.reuters``: 11,228 Reuters newswires as word-index sequences in 46 topics.

Same index conventions as ``imdb``; the cached ``reuters.npz`` is shuffled with ``seed`` and its last
``test_split`` fraction is the test set, as in Keras.
"""
from __future__ import annotations

import numpy as np

from kerastorch.datasets._common import (
    ORIGIN_FOLDER,
    fetch,
    index_sequences,
    json_file,
    limit_vocabulary,
    load_npz,
    remove_long_seq,
)

FILE_HASH = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
WORD_INDEX_HASH = "4d44cc38712099c9e383dc6e5f11a921"

LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply", "coffee", "sugar",
    "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas", "cpi", "money-fx", "interest", "gnp",
    "meal-feed", "alum", "oilseed", "gold", "tin", "strategic-metal", "livestock", "retail", "ipi", "iron-steel",
    "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog",
    "lead")


def load_data(path: str = "reuters.npz", num_words: int | None = None, skip_top: int = 0,
              maxlen: int | None = None, test_split: float = 0.2, seed: int = 113, start_char: int | None = 1,
              oov_char: int | None = 2,
              index_from: int = 3) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Return ``(x_train, y_train), (x_test, y_test)``; ``x`` are object arrays of int lists."""
    data = load_npz(fetch("reuters", path, f"{ORIGIN_FOLDER}reuters.npz", FILE_HASH))
    indices = np.arange(len(data["x"]))
    np.random.RandomState(seed).shuffle(indices)
    xs, labels = index_sequences(data["x"][indices], start_char, index_from), data["y"][indices]
    if maxlen:
        xs, labels = remove_long_seq(maxlen, xs, labels)
    xs = limit_vocabulary(xs, num_words, skip_top, oov_char)
    cut = int(len(xs) * (1 - test_split))
    return ((np.array(xs[:cut], dtype="object"), np.array(labels[:cut])),
            (np.array(xs[cut:], dtype="object"), np.array(labels[cut:])))


def get_word_index(path: str = "reuters_word_index.json") -> dict[str, int]:
    """The word → frequency-rank dictionary (before the ``index_from`` shift)."""
    return json_file(fetch("reuters", path, f"{ORIGIN_FOLDER}reuters_word_index.json", WORD_INDEX_HASH))


def get_label_names() -> tuple[str, ...]:
    """The 46 topic names, in label-index order."""
    return LABEL_NAMES
