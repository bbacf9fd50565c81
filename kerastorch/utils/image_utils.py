"""Image files ⇄ arrays, as ``keras.utils.load_img`` / ``img_to_array`` / ``array_to_img`` / ``save_img``.

Decoding and encoding use Pillow, an optional extra (``pip install "kerastorch[image]"``); every other
part of kerastorch works without it, and these functions say so when it is missing. Arrays are
channels_last (H, W, C) unless ``data_format`` says otherwise, in ``floatx`` by default, as in Keras.
"""
from __future__ import annotations

import io
import pathlib
import warnings
from typing import Any

import numpy as np
import torch

from kerastorch.backend.config import floatx, standardize_data_format
from kerastorch.ops import image as image_ops

try:
    from PIL import Image as pil_image
except ImportError:  # Pillow is optional: only these functions need it
    pil_image = None

_RESAMPLING = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")
_COLOR_MODES = {"grayscale": ("L", ("L", "I;16", "I")), "rgb": ("RGB", ("RGB",)), "rgba": ("RGBA", ("RGBA",))}


def _require_pillow(api: str) -> Any:
    if pil_image is None:
        raise ImportError(f"`keras.utils.{api}` needs Pillow to read and write image files. Install it with "
                          "`pip install pillow` (or `pip install \"kerastorch[image]\"`).")
    return pil_image


def to_color_mode(img: Any, color_mode: str) -> Any:
    """Convert a PIL image to ``"grayscale"`` / ``"rgb"`` / ``"rgba"`` (16-bit grayscale kept as is)."""
    if color_mode not in _COLOR_MODES:
        raise ValueError(f'color_mode must be "grayscale", "rgb", or "rgba". Received: color_mode={color_mode!r}')
    target, keep = _COLOR_MODES[color_mode]
    return img if img.mode in keep else img.convert(target)


def open_image(path: Any, api: str = "load_img") -> Any:
    """A PIL image from a path, ``pathlib.Path``, bytes path or ``io.BytesIO``; the file is read whole
    and closed at once."""
    pil = _require_pillow(api)
    if isinstance(path, io.BytesIO):
        return pil.open(path)
    if isinstance(path, (pathlib.Path, bytes, str)):
        with open(path, "rb") as f:
            return pil.open(io.BytesIO(f.read()))
    raise TypeError(f"path should be path-like or io.BytesIO, not {type(path)}")


def load_img(path: Any, color_mode: str = "rgb", target_size: tuple[int, int] | None = None,
             interpolation: str = "nearest", keep_aspect_ratio: bool = False) -> Any:
    """Load an image file as a PIL image, optionally resized to ``target_size`` = (height, width).

    ``keep_aspect_ratio=True`` first crops the centre to the target's aspect ratio, then resizes.
    """
    img = to_color_mode(open_image(path), color_mode)
    if target_size is None:
        return img
    width_height = (target_size[1], target_size[0])
    if img.size == width_height:
        return img
    if interpolation not in _RESAMPLING:
        raise ValueError(f"Invalid interpolation method {interpolation} specified. Supported methods are "
                         f"{', '.join(_RESAMPLING)}")
    resample = getattr(pil_image.Resampling, interpolation.upper())
    box = None
    if keep_aspect_ratio:
        width, height = img.size
        crop_height = min(height, width * width_height[1] // width_height[0])
        crop_width = min(width, height * width_height[0] // width_height[1])
        top, left = (height - crop_height) // 2, (width - crop_width) // 2
        box = (left, top, left + crop_width, top + crop_height)
    return img.resize(width_height, resample, box=box)


def img_to_array(img: Any, data_format: str | None = None, dtype: Any = None) -> np.ndarray:
    """A PIL image (or anything ``np.asarray`` takes) as a rank-3 array, channels_last by default."""
    data_format = standardize_data_format(data_format)
    x = np.asarray(img, dtype=dtype or floatx())
    if x.ndim == 2:
        x = x[None] if data_format == "channels_first" else x[..., None]
    elif x.ndim == 3:
        if data_format == "channels_first":
            x = x.transpose(2, 0, 1)
    else:
        raise ValueError(f"Unsupported image shape: {x.shape}")
    return x


def array_to_img(x: Any, data_format: str | None = None, scale: bool = True, dtype: Any = None) -> Any:
    """A rank-3 array as a PIL image; ``scale=True`` stretches the values to 0–255 first."""
    data_format = standardize_data_format(data_format)
    pil = _require_pillow("array_to_img")
    x = np.asarray(x, dtype=dtype or floatx())
    if x.ndim != 3:
        raise ValueError(f"Expected image array to have rank 3 (single image). Got array with shape: {x.shape}")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        peak = np.max(x)
        if peak != 0:
            x /= peak
        x *= 255
    channels = x.shape[2]
    if channels in (3, 4):
        return pil.fromarray(x.astype("uint8"), "RGBA" if channels == 4 else "RGB")
    if channels == 1:
        if np.max(x) > 255:  # 16/32-bit grayscale keeps its range
            return pil.fromarray(x[:, :, 0].astype("int32"), "I")
        return pil.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"Unsupported channel number: {channels}")


def save_img(path: Any, x: Any, data_format: str | None = None, file_format: str | None = None,
             scale: bool = True, **kwargs: Any) -> None:
    """Write a rank-3 array as an image file; the format comes from the suffix unless given."""
    data_format = standardize_data_format(data_format)
    if file_format is None and isinstance(path, (str, pathlib.Path)):
        file_format = pathlib.Path(path).suffix[1:].lower()
    if file_format and file_format.lower() == "jpg":
        file_format = "jpeg"
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format == "jpeg":
        warnings.warn("The JPEG format does not support RGBA images, converting to RGB.", stacklevel=2)
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)


def smart_resize(x: Any, size: tuple[int, int], interpolation: str = "bilinear",
                 data_format: str = "channels_last", **kwargs: Any) -> Any:
    """Resize to ``size`` without distorting: crop the centre to the target aspect ratio, then resize.

    Takes one image (H, W, C) or a batch (N, H, W, C) (channels first with ``data_format``); returns a
    numpy array for a numpy input, a tensor otherwise.
    """
    kwargs.pop("backend_module", None)  # Keras's hook for a TensorFlow module; torch is the only backend here
    if kwargs:
        raise TypeError(f"smart_resize() got unexpected keyword arguments: {list(kwargs.keys())}")
    if len(size) != 2:
        raise ValueError(f"Expected `size` to be a tuple of 2 integers, but got: {size}.")
    img = x if isinstance(x, torch.Tensor) else torch.as_tensor(np.asarray(x))
    if img.ndim not in (3, 4):
        raise ValueError("Expected an image array with shape `(height, width, channels)`, or `(batch_size, height, "
                         f"width, channels)`, but got input with incorrect rank, of shape {tuple(img.shape)}.")
    h_axis = img.ndim - 3 if data_format == "channels_last" else img.ndim - 2
    height, width = img.shape[h_axis], img.shape[h_axis + 1]
    target_height, target_width = size
    crop_height = max(min(height, int(float(width * target_height) / target_width)), 1)
    crop_width = max(min(width, int(float(height * target_width) / target_height)), 1)
    top, left = int(float(height - crop_height) / 2), int(float(width - crop_width) / 2)
    img = img.narrow(h_axis, top, crop_height).narrow(h_axis + 1, left, crop_width)
    img = image_ops.resize(img, size=size, interpolation=interpolation, data_format=data_format)
    return img.detach().cpu().numpy() if isinstance(x, np.ndarray) else img
