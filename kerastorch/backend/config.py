"""Settings (floatx, epsilon, image layout, device, dtypes): now in ``kerastorch._core.config``.

Kept so that ``kerastorch.backend.config`` imports keep working.
"""
from kerastorch._core.config import (  # noqa: F401 - compatibility re-exports
    backend,
    dtype_name,
    epsilon,
    floatx,
    get_device,
    image_data_format,
    set_device,
    set_epsilon,
    set_floatx,
    set_image_data_format,
    standardize_data_format,
    to_torch_dtype,
)
