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
    "PyDataset", "Sequence", "set_random_seed", "pad_sequences", "Progbar", "custom_object_scope",
    "get_custom_objects", "register_keras_serializable", "serialize_keras_object", "deserialize_keras_object",
    "image_dataset_from_directory", "text_dataset_from_directory", "timeseries_dataset_from_array", "load_img",
    "img_to_array", "array_to_img", "save_img",
]

# Keras 3 also exposes these in keras.utils; they live elsewhere and are imported on first use.
_LAZY = {"Progbar": "kerastorch.callbacks.progbar", "custom_object_scope": "kerastorch.saving",
         "get_custom_objects": "kerastorch.saving", "register_keras_serializable": "kerastorch.saving",
         "serialize_keras_object": "kerastorch.saving", "deserialize_keras_object": "kerastorch.saving",
         # the data side: decoding needs keras.ops.image (and Pillow for files), loaded when first used
         "image_dataset_from_directory": "kerastorch.utils.image_dataset_utils",
         "text_dataset_from_directory": "kerastorch.utils.text_dataset_utils",
         "timeseries_dataset_from_array": "kerastorch.utils.timeseries_dataset_utils",
         "load_img": "kerastorch.utils.image_utils", "img_to_array": "kerastorch.utils.image_utils",
         "array_to_img": "kerastorch.utils.image_utils", "save_img": "kerastorch.utils.image_utils"}


def __getattr__(name):
    if name in _LAZY:
        import importlib
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'kerastorch.utils' has no attribute {name!r}")
