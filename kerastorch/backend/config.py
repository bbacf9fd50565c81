"""Settings (floatx, epsilon, image layout, device, dtypes): now in ``kerastorch._core.config``.

Kept so that ``kerastorch.backend.config`` imports keep working.
"""
from kerastorch._core.config import (  # noqa: F401 - compatibility re-exports
    backend, floatx, set_floatx, epsilon, set_epsilon, image_data_format, set_image_data_format,
    standardize_data_format, get_device, set_device, to_torch_dtype, dtype_name,
)
