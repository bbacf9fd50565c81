"""``keras.ops.image``: resizing, geometric transforms, colour conversions, patches, filters, SSIM.

Images are ``(batch, height, width, channels)`` or a single ``(height, width, channels)``
image by default (``data_format=None`` means ``backend.image_data_format()``, normally
``"channels_last"``); ``"channels_first"`` puts channels before height. Every function
returns the input's dtype unless its docstring says otherwise. The results are those of
Keras's torch backend (the oracle the tests compare against): resizing uses torch's
``interpolate`` kernels, affine/perspective/elastic transforms sample with
:func:`map_coordinates` (orders 0 and 1).

These functions are the building blocks for preprocessing layers (``Resizing``,
``RandomRotation`` ...): they validate arguments and raise ``ValueError`` naming the op.
"""
from __future__ import annotations

import functools
import itertools
import math
import operator
from typing import Any

import torch
import torch.nn.functional as F

from kerastorch._core import config
from kerastorch.ops.control import saturate_cast
from kerastorch.ops.core import convert_to_tensor, wrap_public_ops
from kerastorch.ops.nn import conv as _conv
from kerastorch.ops.numpy._helpers import result_type as _result_type

Tensor = torch.Tensor

RESIZE_INTERPOLATIONS = {"bilinear": "bilinear", "nearest": "nearest-exact", "bicubic": "bicubic"}
TRANSFORM_INTERPOLATIONS = {"nearest": 0, "bilinear": 1}
FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")
SCALE_AND_TRANSLATE_METHODS = ("linear", "bilinear", "trilinear", "cubic", "bicubic", "tricubic",
                               "lanczos3", "lanczos5")


# ---------------------------------------------------------------- argument checks

def _images(op: str, images: Any, name: str = "images") -> Tensor:
    x = convert_to_tensor(images)
    if x.ndim not in (3, 4):
        raise ValueError(f"{op}: `{name}` must have rank 3 (single image) or 4 (batch). "
                         f"Received: {name}.shape={tuple(x.shape)}")
    return x


def _choice(op: str, name: str, value: Any, allowed: Any) -> None:
    if value not in allowed:
        raise ValueError(f"{op}: `{name}` must be one of {tuple(allowed)}. Received: {name}={value!r}")


def _batched_last(x: Tensor, data_format: str) -> tuple[Tensor, bool]:
    """``x`` as a channels-last batch, and whether a batch axis was added."""
    single = x.ndim == 3
    if single:
        x = x.unsqueeze(0)
    if data_format == "channels_first":
        x = x.permute(0, 2, 3, 1)
    return x, single


def _restore_last(x: Tensor, data_format: str, single: bool) -> Tensor:
    if data_format == "channels_first":
        x = x.permute(0, 3, 1, 2)
    return x.squeeze(0) if single else x


def _is_float(x: Tensor) -> bool:
    return x.is_floating_point()


# ---------------------------------------------------------------- colour

def rgb_to_grayscale(images: Any, data_format: str | None = None) -> Tensor:
    """Luma ``0.2989 R + 0.587 G + 0.114 B`` as one channel (1-channel input is copied)."""
    x = _images("rgb_to_grayscale", images)
    data_format = config.standardize_data_format(data_format)
    axis = -3 if data_format == "channels_first" else -1
    if x.shape[axis] not in (1, 3):
        raise ValueError("rgb_to_grayscale: expected 3 (RGB) or 1 (grayscale) channels. "
                         f"Received: images.shape={tuple(x.shape)}")
    if x.shape[axis] == 1:
        return x.clone()
    r, g, b = x.unbind(dim=axis)
    return (0.2989 * r + 0.587 * g + 0.114 * b).to(x.dtype).unsqueeze(axis)


def _float_images(op: str, images: Any) -> Tensor:
    x = _images(op, images)
    if not x.is_floating_point():
        raise ValueError(f"{op}: `images` must have a float dtype. Received: images.dtype={config.dtype_name(x.dtype)}")
    return x


def rgb_to_hsv(images: Any, data_format: str | None = None) -> Tensor:
    """RGB in [0, 1] to HSV with hue in [0, 1)."""
    x = _float_images("rgb_to_hsv", images)
    axis = -1 if config.standardize_data_format(data_format) == "channels_last" else -3
    x = torch.where(torch.abs(x) < torch.finfo(x.dtype).eps, 0.0, x)
    r, g, b = x.unbind(dim=axis)
    value = torch.maximum(torch.maximum(r, g), b)
    spread = value - torch.minimum(torch.minimum(r, g), b)
    saturation = torch.where(value > 0, spread / torch.where(value > 0, value, 1.0), 0.0)
    norm = 1.0 / (6.0 * torch.where(spread > 0, spread, 1.0))
    hue = torch.where(value == g, norm * (b - r) + 2.0 / 6.0, norm * (r - g) + 4.0 / 6.0)
    hue = torch.where(value == r, norm * (g - b), hue)
    hue = torch.where(spread > 0, hue, 0.0) + (hue < 0.0).to(hue.dtype)
    return torch.stack([hue, saturation, value], dim=axis)


def hsv_to_rgb(images: Any, data_format: str | None = None) -> Tensor:
    x = _float_images("hsv_to_rgb", images)
    axis = -1 if config.standardize_data_format(data_format) == "channels_last" else -3
    hue, saturation, value = x.unbind(dim=axis)
    dh = torch.remainder(hue, 1.0) * 6.0
    dr = torch.clip(torch.abs(dh - 3.0) - 1.0, 0.0, 1.0)
    dg = torch.clip(2.0 - torch.abs(dh - 2.0), 0.0, 1.0)
    db = torch.clip(2.0 - torch.abs(dh - 4.0), 0.0, 1.0)
    grey = 1.0 - saturation
    return torch.stack([value * (grey + saturation * d) for d in (dr, dg, db)], dim=axis)


# ---------------------------------------------------------------- resize, crop, pad

def _saturate(x: Tensor, dtype: torch.dtype) -> Tensor:

    return saturate_cast(x, dtype)


def resize(images: Any, size: Any, interpolation: str = "bilinear", antialias: bool = False,
           crop_to_aspect_ratio: bool = False, pad_to_aspect_ratio: bool = False, fill_mode: str = "constant",
           fill_value: float = 0.0, data_format: str | None = None) -> Tensor:
    """Resize to ``size = (height, width)``.

    ``interpolation`` is ``"bilinear"``, ``"nearest"`` or ``"bicubic"`` (half-pixel centres,
    like Keras on torch; the Lanczos kernels are not available on torch). ``antialias`` widens
    the filter when downsampling (bilinear/bicubic only). ``crop_to_aspect_ratio`` first
    centre-crops to the target aspect ratio; ``pad_to_aspect_ratio`` instead pads with
    ``fill_value`` (only ``fill_mode="constant"``). Integer images are rounded and saturated
    back to their dtype.
    """
    op = "resize"
    data_format = config.standardize_data_format(data_format)
    if interpolation in ("lanczos3", "lanczos5"):
        raise ValueError(f"{op}: Lanczos interpolation is not available on torch. Received: "
                         f"interpolation={interpolation!r}; use 'bilinear', 'nearest' or 'bicubic'.")
    _choice(op, "interpolation", interpolation, RESIZE_INTERPOLATIONS)
    _choice(op, "fill_mode", fill_mode, ("constant",))
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError(f"{op}: only one of `pad_to_aspect_ratio` and `crop_to_aspect_ratio` can be True.")
    if len(size) != 2:
        raise ValueError(f"{op}: `size` must be (height, width). Received: size={size}")
    size = (int(size[0]), int(size[1]))
    x = _images(op, images)
    original = x.dtype
    single = x.ndim == 3
    if single:
        x = x.unsqueeze(0)
    if x.dtype not in (torch.float32, torch.float64):
        x = x.to(torch.float32)
    if data_format == "channels_last":
        x = x.permute(0, 3, 1, 2)
    height, width = x.shape[-2:]
    target_h, target_w = size
    if crop_to_aspect_ratio:
        crop_h = max(min(height, int(float(width * target_h) / target_w)), 1)
        crop_w = max(min(width, int(float(height * target_w) / target_h)), 1)
        top, left = int(float(height - crop_h) / 2), int(float(width - crop_w) / 2)
        x = x[:, :, top:top + crop_h, left:left + crop_w]
    elif pad_to_aspect_ratio:
        pad_h = max(height, int(float(width * target_h) / target_w))
        pad_w = max(width, int(float(height * target_w) / target_h))
        top, left = int(float(pad_h - height) / 2), int(float(pad_w - width) / 2)
        # symmetric bands of fill_value (Keras pads the same amount on both sides)
        x = F.pad(x, (left, left, top, top), mode="constant", value=float(fill_value))
    if antialias and interpolation not in ("bilinear", "bicubic"):
        antialias = False
    align = False if interpolation in ("bilinear", "bicubic") else None
    out = F.interpolate(x, size=size, mode=RESIZE_INTERPOLATIONS[interpolation], align_corners=align,
                        antialias=antialias)
    if interpolation == "bicubic" and original == torch.uint8:
        out = out.clamp(0, 255)
    if data_format == "channels_last":
        out = out.permute(0, 2, 3, 1)
    if single:
        out = out.squeeze(0)
    if out.dtype != original:
        if not (original.is_floating_point or original == torch.bool):
            out = torch.round(out)
        out = _saturate(out, original) if original != torch.bool else out.to(original)
    return out


def _resolve_box(op: str, kind: str, first: Any, second: Any, target: Any, extent: int,
                 names: tuple[str, str, str]) -> tuple[int, int]:
    if [first, second, target].count(None) != 1:
        raise ValueError(f"{op}: give exactly two of `{names[0]}`, `{names[1]}` and `{names[2]}`. "
                         f"Received: {names[0]}={first}, {names[1]}={second}, {names[2]}={target}")
    for name, value in zip(names, (first, second, target)):
        if value is not None and value < 0:
            raise ValueError(f"{op}: `{name}` must be >= 0. Received: {name}={value}")
    if kind == "pad":
        first = target - second - extent if first is None else first
        second = target - first - extent if second is None else second
    else:
        if first is None:
            first = extent - target - second
        if second is None:
            second = extent - target - first
    for name, value in zip(names[:2], (first, second)):
        if value < 0:
            raise ValueError(f"{op}: the {name.replace('_', ' ')} works out to {value} for an image extent of "
                             f"{extent}; it must be >= 0.")
    return int(first), int(second)


def pad_images(images: Any, top_padding: int | None = None, left_padding: int | None = None,
               bottom_padding: int | None = None, right_padding: int | None = None,
               target_height: int | None = None, target_width: int | None = None,
               data_format: str | None = None) -> Tensor:
    """Zero-pad images; per axis give two of (before, after, target size)."""
    op = "pad_images"
    x = _images(op, images)
    data_format = config.standardize_data_format(data_format)
    h_axis = -3 if data_format == "channels_last" else -2
    top, bottom = _resolve_box(op, "pad", top_padding, bottom_padding, target_height, x.shape[h_axis],
                               ("top_padding", "bottom_padding", "target_height"))
    left, right = _resolve_box(op, "pad", left_padding, right_padding, target_width, x.shape[h_axis + 1],
                               ("left_padding", "right_padding", "target_width"))
    pads = (0, 0, left, right, top, bottom) if data_format == "channels_last" else (left, right, top, bottom)
    return F.pad(x, pads)


def crop_images(images: Any, top_cropping: int | None = None, left_cropping: int | None = None,
                bottom_cropping: int | None = None, right_cropping: int | None = None,
                target_height: int | None = None, target_width: int | None = None,
                data_format: str | None = None) -> Tensor:
    """Crop images; per axis give two of (before, after, target size)."""
    op = "crop_images"
    x = _images(op, images)
    data_format = config.standardize_data_format(data_format)
    h_axis = x.ndim - 3 if data_format == "channels_last" else x.ndim - 2
    height, width = x.shape[h_axis], x.shape[h_axis + 1]
    top, bottom = _resolve_box(op, "crop", top_cropping, bottom_cropping, target_height, height,
                               ("top_cropping", "bottom_cropping", "target_height"))
    left, right = _resolve_box(op, "crop", left_cropping, right_cropping, target_width, width,
                               ("left_cropping", "right_cropping", "target_width"))
    index = [slice(None)] * x.ndim
    index[h_axis] = slice(top, height - bottom)
    index[h_axis + 1] = slice(left, width - right)
    return x[tuple(index)]


# ---------------------------------------------------------------- sampling

def _fix_index(mode: str, index: Tensor, size: int) -> Tensor:
    if mode == "constant" or mode == "nearest":
        return torch.clamp(index, 0, size - 1)
    if mode == "wrap":
        return torch.remainder(index, size)
    if mode == "mirror":
        period = size - 1
        if period == 0:
            return torch.zeros_like(index)
        return torch.abs(torch.remainder(index + period, 2 * period) - period)
    # reflect: mirror with the edge pixel repeated (scipy's "reflect")
    doubled = 2 * index + 1
    period = 2 * size
    return torch.div(torch.abs(torch.remainder(doubled + period, 2 * period) - period) - 1, 2,
                     rounding_mode="floor")


def map_coordinates(inputs: Any, coordinates: Any, order: int, fill_mode: str = "constant",
                    fill_value: float = 0) -> Tensor:
    """Sample ``inputs`` at fractional ``coordinates`` (one array per input axis).

    ``order`` 0 is nearest (round half to even), 1 is linear; ``fill_mode`` decides what lies
    outside: ``constant`` (``fill_value``), ``nearest``, ``wrap``, ``mirror`` or ``reflect``.
    """
    op = "map_coordinates"
    x = convert_to_tensor(inputs)
    coords = [convert_to_tensor(c, device=x.device) for c in coordinates]
    if len(coords) != x.ndim:
        raise ValueError(f"{op}: expected one coordinate array per input axis ({x.ndim}). "
                         f"Received {len(coords)}")
    if coords[0].ndim < 1:
        raise ValueError(f"{op}: coordinates must have shape ({x.ndim}, ...). Received scalars")
    _choice(op, "fill_mode", fill_mode, FILL_MODES)
    if order not in (0, 1):
        raise ValueError(f"{op}: `order` must be 0 (nearest) or 1 (linear). Received: order={order}")
    is_int = not (x.is_floating_point() or x.is_complex())
    if isinstance(fill_value, (int, float)) and is_int:
        fill_value = int(fill_value)
    per_axis = []
    for c, size in zip(coords, x.shape):
        if order == 0:
            nodes = [((c if not c.is_floating_point() else torch.round(c)).to(torch.int64), 1)]
        else:
            lower = torch.floor(c)
            frac = c - lower
            nodes = [(lower.to(torch.int64), 1 - frac), (lower.to(torch.int64) + 1, frac)]
        per_axis.append([(_fix_index(fill_mode, i, size), (i >= 0) & (i < size), w) for i, w in nodes])
    total = None
    for combo in itertools.product(*per_axis):
        indices, valid, weights = zip(*combo)
        values = x[indices]
        if fill_mode == "constant":
            values = torch.where(functools.reduce(operator.and_, valid), values,
                                 torch.tensor(fill_value, dtype=values.dtype, device=values.device))
        term = functools.reduce(operator.mul, weights) * values
        total = term if total is None else total + term
    if is_int and total.is_floating_point():
        total = torch.round(total)
    return total.to(x.dtype)


def affine_transform(images: Any, transform: Any, interpolation: str = "bilinear", fill_mode: str = "constant",
                     fill_value: float = 0, data_format: str | None = None) -> Tensor:
    """Apply affine transforms ``[a0, a1, a2, b0, b1, b2, c0, c1]`` (one, or one per image).

    Each output pixel ``(x, y)`` samples the input at ``(a0 x + a1 y + a2, b0 x + b1 y + b2)``;
    ``c0, c1`` should be 0 (the projective terms are not applied, as in Keras on torch).
    """
    op = "affine_transform"
    _choice(op, "interpolation", interpolation, TRANSFORM_INTERPOLATIONS)
    _choice(op, "fill_mode", fill_mode, FILL_MODES)
    x = _images(op, images)
    t = convert_to_tensor(transform, device=x.device)
    if t.ndim not in (1, 2):
        raise ValueError(f"{op}: `transform` must have rank 1 or 2. Received: transform.shape={tuple(t.shape)}")
    data_format = config.standardize_data_format(data_format)
    x, single = _batched_last(x, data_format)
    if t.ndim == 1:
        t = t.unsqueeze(0)
    batch, height, width, channels = x.shape
    dtype = t.dtype
    rows = torch.arange(height, dtype=dtype, device=x.device)[:, None]
    cols = torch.arange(width, dtype=dtype, device=x.device)[None, :]
    outputs = []
    for i in range(batch):
        a0, a1, a2, b0, b1, b2, c0, c1 = (t[i if t.shape[0] > 1 else 0, j] for j in range(8))
        chan = torch.arange(channels, dtype=dtype, device=x.device)
        # Keras's torch backend lets c0/c1 scale the channel index (they are 0 for affine maps)
        src_y = (b1 * rows + b0 * cols + b2)[..., None] + c0 * chan
        src_x = (a1 * rows + a0 * cols + a2)[..., None] + c1 * chan
        coords = [src_y.expand(height, width, channels), src_x.expand(height, width, channels),
                  chan.expand(height, width, channels)]
        outputs.append(map_coordinates(x[i], coords, TRANSFORM_INTERPOLATIONS[interpolation], fill_mode, fill_value))
    return _restore_last(torch.stack(outputs), data_format, single)


def _homography(start: Tensor, end: Tensor) -> Tensor:
    """The 8 coefficients mapping ``end`` corner points back to ``start`` ones, per batch item."""
    dtype = _result_type(start.dtype, end.dtype, float)
    compute = _result_type(dtype, "float32")
    start, end = start.to(dtype), end.to(dtype)
    rows, rhs = [], []
    for k in range(4):
        ex, ey = end[:, k, 0], end[:, k, 1]
        sx, sy = start[:, k, 0], start[:, k, 1]
        one, zero = torch.ones_like(ex), torch.zeros_like(ex)
        rows.append(torch.stack([ex, ey, one, zero, zero, zero, -sx * ex, -sx * ey], dim=-1))
        rows.append(torch.stack([zero, zero, zero, ex, ey, one, -sy * ex, -sy * ey], dim=-1))
        rhs += [sx, sy]
    matrix = torch.stack(rows, dim=1).to(compute)
    target = torch.stack(rhs, dim=-1).unsqueeze(-1).to(compute)
    return torch.linalg.solve(matrix, target).reshape(-1, 8).to(dtype)


def perspective_transform(images: Any, start_points: Any, end_points: Any, interpolation: str = "bilinear",
                          fill_value: float = 0, data_format: str | None = None) -> Tensor:
    """Warp so the 4 ``start_points`` (x, y corners) land on ``end_points``; outside is ``fill_value``."""
    op = "perspective_transform"
    _choice(op, "interpolation", interpolation, TRANSFORM_INTERPOLATIONS)
    x = _images(op, images)
    start = convert_to_tensor(start_points, device=x.device).to(x.dtype)
    end = convert_to_tensor(end_points, device=x.device).to(x.dtype)
    for name, pts in (("start_points", start), ("end_points", end)):
        if tuple(pts.shape[-2:]) != (4, 2) or pts.ndim not in (2, 3):
            raise ValueError(f"{op}: `{name}` must have shape (4, 2) or (batch, 4, 2). Received: {tuple(pts.shape)}")
    if start.shape != end.shape:
        raise ValueError(f"{op}: `start_points` and `end_points` must have the same shape. Received "
                         f"{tuple(start.shape)} and {tuple(end.shape)}")
    data_format = config.standardize_data_format(data_format)
    x, single = _batched_last(x, data_format)
    start = start.unsqueeze(0) if start.ndim == 2 else start
    end = end.unsqueeze(0) if end.ndim == 2 else end
    batch, height, width, channels = x.shape
    coeffs = _homography(start, end)
    if coeffs.shape[0] == 1 and batch > 1:
        coeffs = coeffs.repeat(batch, 1)
    gx, gy = torch.meshgrid(torch.arange(width, dtype=x.dtype, device=x.device),
                            torch.arange(height, dtype=x.dtype, device=x.device), indexing="xy")
    out = torch.empty_like(x)
    for i in range(batch):
        a0, a1, a2, a3, a4, a5, a6, a7 = coeffs[i]
        denom = a6 * gx + a7 * gy + 1.0
        coords = [((a3 * gx + a4 * gy + a5) / denom).flatten(), ((a0 * gx + a1 * gy + a2) / denom).flatten()]
        for c in range(channels):
            out[i, :, :, c] = map_coordinates(x[i, :, :, c], coords, TRANSFORM_INTERPOLATIONS[interpolation],
                                              "constant", fill_value).reshape(height, width)
    return _restore_last(out, data_format, single)


# ---------------------------------------------------------------- filters

def _gaussian_kernel_1d(size: int, sigma: Tensor | float, dtype: torch.dtype, device: Any) -> Tensor:
    pos = torch.arange(size, dtype=dtype, device=device) - (size - 1) / 2
    k = torch.exp(-0.5 * (pos / sigma) ** 2)
    return k / k.sum()


def gaussian_blur(images: Any, kernel_size: Any = (3, 3), sigma: Any = (1.0, 1.0),
                  data_format: str | None = None) -> Tensor:
    """Blur each channel with a ``kernel_size`` Gaussian (zero padding, same output size)."""
    op = "gaussian_blur"
    x = _images(op, images)
    data_format = config.standardize_data_format(data_format)
    ksize = [int(k) for k in (convert_to_tensor(kernel_size).reshape(-1).tolist())]
    sig = convert_to_tensor(sigma, device=x.device).reshape(-1)
    if len(ksize) != 2 or sig.shape[0] != 2:
        raise ValueError(f"{op}: `kernel_size` and `sigma` must have two entries each. Received: "
                         f"kernel_size={kernel_size}, sigma={sigma}")
    single = x.ndim == 3
    if single:
        x = x.unsqueeze(0)
    if data_format == "channels_last":
        x = x.permute(0, 3, 1, 2)
    channels = x.shape[1]
    kx = _gaussian_kernel_1d(ksize[0], sig[0], x.dtype, x.device)
    ky = _gaussian_kernel_1d(ksize[1], sig[1], x.dtype, x.device)
    kernel = torch.outer(ky, kx).reshape(1, 1, ksize[0], ksize[1]).expand(channels, 1, ksize[0], ksize[1])
    out = F.conv2d(x, kernel.to(x.dtype), padding=ksize[0] // 2, groups=channels)
    if data_format == "channels_last":
        out = out.permute(0, 2, 3, 1)
    return out.squeeze(0) if single else out


def elastic_transform(images: Any, alpha: float = 20.0, sigma: float = 5.0, interpolation: str = "bilinear",
                      fill_mode: str = "reflect", fill_value: float = 0.0, seed: Any = None,
                      data_format: str | None = None) -> Tensor:
    """Random elastic distortion: Gaussian-smoothed noise fields (std ``sigma``) scaled by ``alpha``.

    With ``seed=None`` the noise comes from torch's global generator in the same order Keras's
    torch backend draws it (so ``torch.manual_seed`` makes both agree); an int ``seed`` uses a
    private generator, so the call is reproducible on its own.
    """
    op = "elastic_transform"
    _choice(op, "interpolation", interpolation, TRANSFORM_INTERPOLATIONS)
    _choice(op, "fill_mode", fill_mode, FILL_MODES)
    x = _images(op, images)
    data_format = config.standardize_data_format(data_format)
    alpha_t = convert_to_tensor(alpha)
    sigma_t = convert_to_tensor(sigma)
    dtype = x.dtype
    k = int(6 * float(sigma)) | 1
    single = x.ndim == 3
    if single:
        x = x.unsqueeze(0)
    if data_format == "channels_last":
        batch, height, width, channels = x.shape
        channel_axis = -1
    else:
        batch, channels, height, width = x.shape
        channel_axis = 1
    generator = None
    if seed is not None:
        generator = torch.Generator(device=x.device).manual_seed(int(seed))
    noise = [torch.normal(0.0, 1.0, size=(batch, height, width), generator=generator, dtype=dtype,
                          device=x.device) * sigma_t for _ in range(2)]
    dx, dy = (gaussian_blur(n.unsqueeze(channel_axis), (k, k), (sigma_t, sigma_t), data_format).squeeze()
              for n in noise)
    gx, gy = torch.meshgrid(torch.arange(width), torch.arange(height), indexing="xy")
    gx, gy = gx.unsqueeze(0).to(x.device), gy.unsqueeze(0).to(x.device)
    src_x, src_y = gx + alpha_t * dx, gy + alpha_t * dy
    if src_x.ndim == 2:  # squeeze() also dropped a batch of one
        src_x, src_y = src_x.unsqueeze(0), src_y.unsqueeze(0)
    order = TRANSFORM_INTERPOLATIONS[interpolation]
    out = torch.zeros_like(x)
    for c in range(channels):
        for b in range(batch):
            plane = x[b, ..., c] if data_format == "channels_last" else x[b, c]
            warped = map_coordinates(plane, [src_y[b], src_x[b]], order, fill_mode, fill_value)
            if data_format == "channels_last":
                out[b, ..., c] = warped
            else:
                out[b, c] = warped
    out = out.to(dtype)
    return out.squeeze(0) if single else out


def sobel_edges(images: Any, data_format: str | None = None) -> Tensor:
    """Sobel gradients per channel: output ``(..., channels, 2)`` holding (dy, dx)."""
    x = convert_to_tensor(images)
    if x.ndim != 4:
        raise ValueError(f"sobel_edges: `images` must be a 4-D batch. Received: images.shape={tuple(x.shape)}")
    data_format = config.standardize_data_format(data_format)
    nchw = x.permute(0, 3, 1, 2) if data_format == "channels_last" else x
    channels = nchw.shape[1]
    sx = torch.tensor([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=x.dtype, device=x.device)
    kx = sx.view(1, 1, 3, 3).repeat(channels, 1, 1, 1)
    ky = sx.T.contiguous().view(1, 1, 3, 3).repeat(channels, 1, 1, 1)
    edges = torch.stack([F.conv2d(nchw, ky, padding=1, groups=channels),
                         F.conv2d(nchw, kx, padding=1, groups=channels)], dim=-1)
    return edges.permute(0, 2, 3, 1, 4) if data_format == "channels_last" else edges


# ---------------------------------------------------------------- patches

def _patches(op: str, x: Tensor, size: tuple[int, ...], strides: Any, dilation_rate: Any, padding: str,
             data_format: str | None, rank: int) -> Tensor:
    data_format = config.standardize_data_format(data_format)
    channels = x.shape[-1] if data_format == "channels_last" else x.shape[-rank - 1]
    strides = size if not strides else strides
    depth = math.prod(size) * channels
    kernel = torch.eye(depth, dtype=x.dtype, device=x.device).reshape(size + (channels, depth))
    single = x.ndim == rank + 1
    if single:
        x = x.unsqueeze(0)
    out = _conv(x, kernel, strides=strides, padding=padding, data_format=data_format, dilation_rate=dilation_rate)
    return out.squeeze(0) if single else out


def extract_patches(images: Any, size: Any, strides: Any = None, dilation_rate: Any = 1, padding: str = "valid",
                    data_format: str | None = None) -> Tensor:
    """Patches of ``size`` flattened into the channel axis: ``(..., rows, cols, ph * pw * C)``.

    A 3-tuple ``size`` extracts 3-D patches from volumes (see :func:`extract_patches_3d`).
    """
    x = convert_to_tensor(images)
    if not isinstance(size, int) and len(size) == 3:
        return extract_patches_3d(x, size, strides, dilation_rate, padding, data_format)
    if isinstance(size, int):
        size = (size, size)
    elif len(size) != 2:
        raise TypeError(f"extract_patches: `size` must be an int or a tuple of 2 ints. Received: size={size}")
    return _patches("extract_patches", x, tuple(int(s) for s in size), strides, dilation_rate, padding,
                    data_format, 2)


def extract_patches_3d(volumes: Any, size: Any, strides: Any = None, dilation_rate: Any = 1,
                       padding: str = "valid", data_format: str | None = None) -> Tensor:
    x = convert_to_tensor(volumes)
    if isinstance(size, int):
        size = (size, size, size)
    elif len(size) != 3:
        raise TypeError(f"extract_patches_3d: `size` must be an int or a tuple of 3 ints. Received: size={size}")
    if strides is None:
        strides = size
    if isinstance(strides, int):
        strides = (strides,) * 3
    if len(strides) != 3:
        raise ValueError(f"extract_patches_3d: `strides` must be an int or 3 ints. Received: strides={strides}")
    return _patches("extract_patches_3d", x, tuple(int(s) for s in size), strides, dilation_rate, padding,
                    data_format, 3)


# ---------------------------------------------------------------- scale_and_translate

def _triangle(x: Tensor) -> Tensor:
    return torch.clamp(1 - torch.abs(x), min=0)


def _keys_cubic(x: Tensor) -> Tensor:
    out = ((1.5 * x - 2.5) * x) * x + 1.0
    out = torch.where(x >= 1.0, ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0, out)
    return torch.where(x >= 2.0, 0.0, out)


def _lanczos(radius: int, x: Tensor) -> Tensor:
    y = radius * torch.sin(math.pi * x) * torch.sin(math.pi * x / radius)
    out = torch.where(x > 1e-3, y / torch.where(x != 0, math.pi ** 2 * x ** 2, 1), 1)
    return torch.where(x > radius, 0.0, out)


_KERNELS = {"linear": _triangle, "cubic": _keys_cubic,
            "lanczos3": functools.partial(_lanczos, 3), "lanczos5": functools.partial(_lanczos, 5)}


def _weights(in_size: int, out_size: int, scale: Tensor, shift: Tensor, kernel: Any, antialias: bool) -> Tensor:
    inv = 1.0 / scale
    kernel_scale = torch.clamp(inv, min=1.0) if antialias else 1.0
    sample = (torch.arange(out_size, dtype=scale.dtype, device=scale.device) + 0.5) * inv - shift * inv - 0.5
    dist = torch.abs(sample[None, :] - torch.arange(in_size, dtype=scale.dtype, device=scale.device)[:, None])
    w = kernel(dist / kernel_scale)
    total = w.sum(dim=0, keepdim=True)
    eps = torch.finfo(torch.float32).eps
    w = torch.where(torch.abs(total) > 1000.0 * eps, w / torch.where(total != 0, total, 1), 0)
    inside = (sample >= -0.5) & (sample <= in_size - 0.5)
    return torch.where(inside[None, :], w, 0)


def scale_and_translate(images: Any, output_shape: Any, scale: Any, translation: Any, spatial_dims: Any,
                        method: str, antialias: bool = True) -> Tensor:
    """JAX's ``scale_and_translate``: resample ``spatial_dims`` to ``output_shape`` with a kernel.

    Output coordinate ``o`` reads input ``(o + 0.5 - translation) / scale - 0.5``; ``method`` is
    ``linear``/``cubic`` (and their bi-/tri- names) or ``lanczos3``/``lanczos5``.
    """
    _choice("scale_and_translate", "method", method, SCALE_AND_TRANSLATE_METHODS)
    if method in ("bilinear", "trilinear"):
        method = "linear"
    elif method in ("bicubic", "tricubic"):
        method = "cubic"
    x = convert_to_tensor(images)
    scale_t = convert_to_tensor(scale, device=x.device)
    shift_t = convert_to_tensor(translation, device=x.device)
    dtype = _result_type(scale_t.dtype, shift_t.dtype)
    scale_t, shift_t = scale_t.to(dtype), shift_t.to(dtype)
    if len(spatial_dims) == 0:
        return x
    integer = not (x.is_floating_point() or x.is_complex())
    out = x.to(torch.float32) if integer else x.clone()
    for i, d in enumerate(spatial_dims):
        d = d % x.ndim
        w = _weights(x.shape[d], int(output_shape[d]), scale_t[i], shift_t[i], _KERNELS[method], antialias)
        out = torch.movedim(torch.tensordot(out, w.to(out.dtype), dims=([d], [0])), -1, d)
    if integer:
        out = torch.clip(torch.round(out), x.min(), x.max()).to(x.dtype)
    return out


# ---------------------------------------------------------------- metrics

def ssim(image1: Any, image2: Any, max_val: float = 1.0, filter_size: int = 11, filter_sigma: float = 1.5,
         k1: float = 0.01, k2: float = 0.03, data_format: str | None = None) -> Tensor:
    """Structural similarity (Gaussian window, valid padding), averaged per image over channels."""
    a = _images("ssim", image1, "image1")
    b = _images("ssim", image2, "image2").to(a.device)
    original = a.dtype
    compute = _result_type(a.dtype, float)
    a, b = a.to(compute), b.to(compute)
    single = a.ndim == 3
    if single:
        a, b = a.unsqueeze(0), b.unsqueeze(0)
    if config.standardize_data_format(data_format) == "channels_first":
        a, b = a.movedim(1, -1), b.movedim(1, -1)
    batch, height, width, channels = a.shape
    g = torch.arange(filter_size, dtype=compute, device=a.device) - (filter_size - 1) / 2.0
    g = torch.exp(-(g ** 2) / (2.0 * filter_sigma ** 2))
    g = g / g.sum()
    kernel = torch.outer(g, g).reshape(1, 1, filter_size, filter_size)
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    a = a.permute(0, 3, 1, 2).reshape(-1, 1, height, width)
    b = b.permute(0, 3, 1, 2).reshape(-1, 1, height, width)

    def blur(t: Tensor) -> Tensor:
        return F.conv2d(t, kernel)

    mu1, mu2 = blur(a), blur(b)
    s11 = blur(a * a) - mu1 * mu1
    s22 = blur(b * b) - mu2 * mu2
    s12 = blur(a * b) - mu1 * mu2
    ssim_map = ((2.0 * mu1 * mu2 + c1) * (2.0 * s12 + c2)) / ((mu1 * mu1 + mu2 * mu2 + c1) * (s11 + s22 + c2))
    out = ssim_map.mean(dim=(1, 2, 3)).reshape(batch, channels).mean(dim=-1)
    return (out.squeeze(0) if single else out).to(original)


wrap_public_ops(globals())
