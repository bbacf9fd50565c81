"""Compatibility path: the adapter base and helpers are in ``trainer/data/base.py``, the factory
``get_data_adapter`` in ``trainer/data/__init__.py``."""
from kerastorch.trainer.data import get_data_adapter  # noqa: F401 - compatibility re-exports
from kerastorch.trainer.data.base import (  # noqa: F401 - compatibility re-exports
    DataAdapter,
    _is_array_like,
    _is_sequence,
    apply_class_weight,
    class_weights_for,
    pack_x_y_sample_weight,
    text_lists_as_arrays,
    to_device,
    to_tensor,
    unpack_x_y_sample_weight,
)
