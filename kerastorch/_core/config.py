"""Global Keras settings: float type, fuzz factor, image layout and device.

These mirror ``keras.config`` / ``keras.backend`` so that old scripts calling
``K.epsilon()`` or ``keras.backend.image_data_format()`` keep working.
"""
from __future__ import annotations

import os

import torch

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"
_DEVICE: str | None = os.environ.get("KERASTORCH_DEVICE") or None


def backend() -> str:
    """The name of the backend, as ``keras.backend.backend()`` reports it."""
    return "torch"


def floatx() -> str:
    return _FLOATX


def set_floatx(value: str) -> None:
    global _FLOATX
    if value not in ("float16", "bfloat16", "float32", "float64"):
        raise ValueError(f"Unknown floatx type: {value!r}. Expected one of "
                         "'float16', 'bfloat16', 'float32', 'float64'.")
    _FLOATX = value


def epsilon() -> float:
    return _EPSILON


def set_epsilon(value: float) -> None:
    global _EPSILON
    _EPSILON = float(value)


def image_data_format() -> str:
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format: str) -> None:
    global _IMAGE_DATA_FORMAT
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"Expected 'channels_last' or 'channels_first', received {data_format!r}.")
    _IMAGE_DATA_FORMAT = data_format


def standardize_data_format(data_format: str | None) -> str:
    if data_format is None:
        return _IMAGE_DATA_FORMAT
    data_format = str(data_format).lower()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"The `data_format` argument must be 'channels_last' or 'channels_first'. "
                         f"Received: data_format={data_format!r}")
    return data_format


def get_device() -> torch.device:
    """The device new weights and training batches go to.

    CUDA when available, else CPU. Override with ``set_device("cpu")`` or the
    ``KERASTORCH_DEVICE`` environment variable.
    """
    if _DEVICE is not None:
        return torch.device(_DEVICE)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def set_device(device: str | torch.device | None) -> None:
    global _DEVICE
    _DEVICE = None if device is None else str(device)


_DTYPES = {
    "float16": torch.float16, "half": torch.float16, "bfloat16": torch.bfloat16,
    "float32": torch.float32, "float": torch.float32, "float64": torch.float64, "double": torch.float64,
    "int8": torch.int8, "int16": torch.int16, "int32": torch.int32, "int64": torch.int64,
    "uint8": torch.uint8, "bool": torch.bool, "complex64": torch.complex64,
}


def to_torch_dtype(dtype) -> torch.dtype:
    """Map a Keras dtype spelling (``"float32"``, numpy dtype, torch dtype) to a torch dtype."""
    if dtype is None:
        return _DTYPES[_FLOATX]
    if isinstance(dtype, torch.dtype):
        return dtype
    if isinstance(dtype, dict):  # Keras 3 serialized DTypePolicy
        dtype = dtype.get("config", {}).get("name", _FLOATX)
    name = getattr(dtype, "name", None) or str(dtype)
    if name.startswith("mixed_"):
        name = "float32"
    if name in _DTYPES:
        return _DTYPES[name]
    raise ValueError(f"Unknown dtype: {dtype!r}. Expected one of {sorted(_DTYPES)}.")


def dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).replace("torch.", "")
