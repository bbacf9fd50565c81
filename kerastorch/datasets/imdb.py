"""``keras.datasets.imdb``: 50,000 movie reviews as word-index sequences, labelled positive/negative.

Word indices are frequency ranks shifted by ``index_from`` (0 is padding, 1 ``start_char``, 2
``oov_char``), exactly as Keras builds them from the cached ``imdb.npz``.
"""
from __future__ import annotations

from typing import Any

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

FILE_HASH = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
WORD_INDEX_HASH = "bfafd718b763782e994055a2d397834f"


def load_data(path: str = "imdb.npz", num_words: int | None = None, skip_top: int = 0, maxlen: int | None = None,
              seed: int = 113, start_char: int | None = 1, oov_char: int | None = 2, index_from: int = 3,
              **kwargs: Any) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Return ``(x_train, y_train), (x_test, y_test)``; ``x`` are object arrays of int lists.

    Args:
        num_words: keep the ``num_words`` most frequent words; rarer ones become ``oov_char``.
        skip_top: also treat the ``skip_top`` most frequent words as out of vocabulary.
        maxlen: drop reviews of ``maxlen`` words or more.
        seed: shuffling seed (train and test are shuffled separately, in that order).
        start_char, oov_char, index_from: the reserved indices, as above.
    """
    if kwargs:
        raise TypeError(f"Unrecognized keyword arguments: {sorted(kwargs)}.")
    data = load_npz(fetch("imdb", path, f"{ORIGIN_FOLDER}imdb.npz", FILE_HASH))
    rng = np.random.RandomState(seed)
    splits = []
    for x_key, y_key in (("x_train", "y_train"), ("x_test", "y_test")):
        indices = np.arange(len(data[x_key]))
        rng.shuffle(indices)
        splits.append((index_sequences(data[x_key][indices], start_char, index_from), data[y_key][indices]))
    (x_train, labels_train), (x_test, labels_test) = splits
    if maxlen:
        x_train, labels_train = remove_long_seq(maxlen, x_train, labels_train)
        x_test, labels_test = remove_long_seq(maxlen, x_test, labels_test)
        if not x_train or not x_test:
            raise ValueError(f"After filtering for sequences shorter than maxlen={maxlen}, no sequence was "
                             "kept. Increase maxlen.")
    xs = limit_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([labels_train, labels_test])
    cut = len(x_train)
    return ((np.array(xs[:cut], dtype="object"), labels[:cut]),
            (np.array(xs[cut:], dtype="object"), labels[cut:]))


def get_word_index(path: str = "imdb_word_index.json") -> dict[str, int]:
    """The word → frequency-rank dictionary (before the ``index_from`` shift)."""
    return json_file(fetch("imdb", path, f"{ORIGIN_FOLDER}imdb_word_index.json", WORD_INDEX_HASH))
