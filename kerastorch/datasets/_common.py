"""What the ``keras.datasets`` loaders share: the cache, safe ``.npz``/pickle reading, the splits.

Each loader reads the very file Keras itself caches (``$KERAS_HOME/datasets/<name>``, default
``~/.keras/datasets``), so a machine that ran the Keras tutorial once needs no download here. A
missing file is fetched with ``keras.utils.get_file`` where the network allows; where it does not,
the error names the file, the URL and the path to put it at.

Some of these files hold ragged sequences as numpy object arrays or Python pickles (CIFAR). They are
read with an unpickler that only rebuilds numpy arrays, so a tampered cache file cannot run code.
"""
from __future__ import annotations

import io
import json
import pickle
import zipfile
from typing import Any

import numpy as np

from kerastorch.backend.config import image_data_format
from kerastorch.utils.file_utils import get_file

ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"

_ALLOWED_GLOBALS = frozenset({
    ("numpy", "ndarray"), ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
})


def fetch(dataset: str, fname: str, origin: str, file_hash: str | None, **get_file_kwargs: Any) -> str:
    """``get_file`` with an error that tells an offline user which file to place where."""
    try:
        return get_file(fname=fname, origin=origin, file_hash=file_hash, **get_file_kwargs)
    except OSError as e:
        raise OSError(
            f"keras.datasets.{dataset}: the file {fname!r} is not in the Keras cache and could not be "
            f"downloaded from {origin} ({e}). Copy it from a machine with network access (Keras keeps it "
            f"in ~/.keras/datasets, or $KERAS_HOME/datasets) to the path named above.") from e


class RestrictedUnpickler(pickle.Unpickler):
    """Unpickles numpy arrays and plain Python containers, and nothing that could run code."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(
            f"Refusing to load `{module}.{name}` from a dataset file: only numpy arrays are allowed. "
            "The file may be corrupted or tampered with; delete it so that it is downloaded again.")


def _read_npy(stream: io.BytesIO) -> np.ndarray:
    try:
        return np.lib.format.read_array(stream, allow_pickle=False)
    except ValueError:  # an object array: its payload is a pickle, read with the restricted unpickler
        stream.seek(0)
        major, _ = np.lib.format.read_magic(stream)
        if major == 1:
            np.lib.format.read_array_header_1_0(stream)
        elif major in (2, 3):
            np.lib.format.read_array_header_2_0(stream)
        else:
            raise ValueError(f"Unsupported .npy format version {major} in a dataset file.") from None
        return RestrictedUnpickler(stream).load()


def load_npz(path: str) -> dict[str, np.ndarray]:
    """Every ``.npy`` member of an ``.npz`` archive, object arrays included, without arbitrary pickles."""
    arrays = {}
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if member.endswith(".npy"):
                with archive.open(member) as raw:
                    arrays[member[: -len(".npy")]] = _read_npy(io.BytesIO(raw.read()))
    return arrays


def load_pickle(path: str) -> Any:
    """A Python-2-era pickle (CIFAR batches) with byte-string keys decoded, numpy arrays only."""
    with open(path, "rb") as f:
        data = RestrictedUnpickler(f, encoding="bytes").load()
    return {(k.decode("utf8") if isinstance(k, bytes) else k): v for k, v in data.items()}


def check_test_split(test_split: float) -> None:
    if not 0 <= test_split < 1:
        raise ValueError(f"Invalid `test_split` argument: {test_split}. It must be between 0 and 1 "
                         "(exclusive of 1).")


def shuffled_split(x: np.ndarray, y: np.ndarray, test_split: float, seed: int) -> tuple:
    """Keras's regression-set split: shuffle with ``RandomState(seed)``, then the last fraction is test."""
    indices = np.arange(len(x))
    np.random.RandomState(seed).shuffle(indices)
    x, y = x[indices], y[indices]
    cut = int(len(x) * (1 - test_split))
    return (np.array(x[:cut]), np.array(y[:cut])), (np.array(x[cut:]), np.array(y[cut:]))


def index_sequences(xs: list, start_char: int | None, index_from: int) -> list:
    """Prepend ``start_char`` and shift every word index by ``index_from`` (IMDB and Reuters)."""
    if start_char is not None:
        return [[start_char] + [w + index_from for w in x] for x in xs]
    if index_from:
        return [[w + index_from for w in x] for x in xs]
    return [list(x) for x in xs]


def remove_long_seq(maxlen: int, seq: list, label: Any) -> tuple[list, list]:
    """Drop the sequences longer than ``maxlen`` (and their labels)."""
    kept = [(x, y) for x, y in zip(seq, label) if len(x) < maxlen]
    return [x for x, _ in kept], [y for _, y in kept]


def limit_vocabulary(xs: list, num_words: int | None, skip_top: int, oov_char: int | None) -> list:
    """Keep word indices in ``[skip_top, num_words)``; others become ``oov_char`` or are dropped."""
    if not num_words:
        num_words = max(max(x) for x in xs)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    return [[w for w in x if skip_top <= w < num_words] for x in xs]


def channels_last_images(x: np.ndarray) -> np.ndarray:
    """CIFAR's (N, 3, 32, 32) as the configured image data format (Keras transposes for channels_last)."""
    return x.transpose(0, 2, 3, 1) if image_data_format() == "channels_last" else x


def json_file(path: str) -> Any:
    with open(path) as f:
        return json.load(f)

