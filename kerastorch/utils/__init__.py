"""``keras.utils``: data helpers (``to_categorical``, ``pad_sequences``, ``PyDataset``),
``set_random_seed`` and the ``get_file`` download cache.

Each helper lives in a small module of its own; this package only re-exports them, so
importing it costs no more than NumPy and torch.
"""
from kerastorch.utils.file_utils import extract_archive, get_file, hash_file, validate_file
from kerastorch.utils.numerical_utils import normalize, to_categorical
from kerastorch.utils.py_dataset import PyDataset, Sequence
from kerastorch.utils.rng_utils import set_random_seed
from kerastorch.utils.sequence_utils import pad_sequences

__all__ = [
    "extract_archive", "get_file", "hash_file", "validate_file", "normalize", "to_categorical",
    "PyDataset", "Sequence", "set_random_seed", "pad_sequences",
]
