"""``keras.utils``: data helpers (``to_categorical``, ``pad_sequences``, ``PyDataset``),
``set_random_seed`` and the ``get_file`` download cache.

Each helper lives in a small module of its own; this package only re-exports them, so
importing it costs no more than NumPy and torch.
"""
from kerastorch._unsupported import module_getattr
from kerastorch.config.settings import (
    disable_interactive_logging,
    enable_interactive_logging,
    is_interactive_logging_enabled,
)
from kerastorch.utils import bounding_boxes
from kerastorch.utils.config import Config
from kerastorch.utils.data_structures import pack_x_y_sample_weight, split_dataset, unpack_x_y_sample_weight
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
    "Config", "CustomObjectScope", "clear_session", "disable_interactive_logging", "enable_interactive_logging",
    "get_registered_name", "get_registered_object", "get_source_inputs", "is_interactive_logging_enabled",
    "is_keras_tensor", "pack_x_y_sample_weight", "split_dataset", "standardize_dtype", "unpack_x_y_sample_weight",
    "bounding_boxes", "audio_dataset_from_directory", "FeatureSpace",
]

# Keras 3 also exposes these in keras.utils; they live elsewhere and are imported on first use.
_LAZY = {"Progbar": "kerastorch.callbacks.progbar", "custom_object_scope": "kerastorch.saving",
         "get_custom_objects": "kerastorch.saving", "register_keras_serializable": "kerastorch.saving",
         "serialize_keras_object": "kerastorch.saving", "deserialize_keras_object": "kerastorch.saving",
         "CustomObjectScope": "kerastorch.saving", "get_registered_name": "kerastorch.saving",
         "get_registered_object": "kerastorch.saving", "clear_session": "kerastorch.backend",
         "standardize_dtype": "kerastorch.backend", "get_source_inputs": "kerastorch.utils.model_utils",
         "is_keras_tensor": "kerastorch.utils.model_utils",
         # the data side: decoding needs keras.ops.image (and Pillow for files), loaded when first used
         "image_dataset_from_directory": "kerastorch.utils.image_dataset_utils",
         "text_dataset_from_directory": "kerastorch.utils.text_dataset_utils",
         "audio_dataset_from_directory": "kerastorch.utils.audio_dataset_utils",
         "timeseries_dataset_from_array": "kerastorch.utils.timeseries_dataset_utils",
         "load_img": "kerastorch.utils.image_utils", "img_to_array": "kerastorch.utils.image_utils",
         "array_to_img": "kerastorch.utils.image_utils", "save_img": "kerastorch.utils.image_utils",
         "model_to_dot": "kerastorch.utils.model_visualization", "plot_model": "kerastorch.utils.model_visualization",
         # FeatureSpace is built on the preprocessing layers, a floor above utils: reached lazily too
         "FeatureSpace": "kerastorch.layers.preprocessing.feature_space"}


def __getattr__(name):
    if name in _LAZY:
        import importlib
        return getattr(importlib.import_module(_LAZY[name]), name)
    return module_getattr(__name__)(name)
