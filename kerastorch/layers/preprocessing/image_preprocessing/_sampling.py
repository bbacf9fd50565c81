"""Batched affine resampling for the augmentation layers.

Same result as ``kerastorch.ops.image.affine_transform`` (Keras's ``map_coordinates``
semantics: nearest rounds half to even, bilinear weighs four corners, and with
``fill_mode="constant"`` each out-of-image corner contributes ``fill_value``), but done for the
whole batch at once with one gather per corner instead of a Python loop per image, which is
what keeps an augmentation pipeline cheap next to the model. The layers' matrices are affine
(``c0 = c1 = 0``), so the projective terms are not read.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

Tensor = torch.Tensor

# Keras's per-corner fill rules written as grid_sample padding modes (align_corners=False puts the
# image border at -0.5 / size - 0.5): scipy "reflect" is a reflection about that border, "nearest"
# clamps like "border", and "constant" is "zeros" plus fill_value times the weight that fell outside.
_GRID_PADDING = {"reflect": "reflection", "nearest": "border", "constant": "zeros"}


def _fix(mode: str, index: Tensor, size: int) -> Tensor:
    if mode in ("constant", "nearest"):
        return index.clamp(0, size - 1)
    if mode == "wrap":
        return torch.remainder(index, size)
    # reflect (scipy's "reflect": the edge pixel repeated)
    period = 2 * size
    return torch.div(torch.abs(torch.remainder(2 * index + 1 + period, 2 * period) - period) - 1, 2,
                     rounding_mode="floor")


def _grid_sample(images: Tensor, t: Tensor, fill_mode: str, fill_value: float) -> Tensor:
    batch, _, height, width = images.shape
    # grid_sample's normalized coordinates ((2 * src + 1) / size - 1) are folded into the per-image
    # coefficients, and the grid is one broadcast add of a per-column and a per-row part written
    # straight into (batch, H, W, 2): the per-pixel add/mul/div/stack passes this replaces cost
    # more than the sampling itself.
    # The two small parts are computed in float64 and rounded once, so the only float32 rounding
    # in the grid is the final add (the sampler un-normalizes it again, which amplifies errors).
    sx, sy = 2.0 / width, 2.0 / height
    t = t.to(torch.float64)
    cols = torch.arange(width, dtype=torch.float64, device=images.device).view(1, width, 1)
    rows = torch.arange(height, dtype=torch.float64, device=images.device).view(1, height, 1)
    col_coefficients = torch.stack([t[:, 0] * sx, t[:, 3] * sy], dim=1).view(batch, 1, 2)
    row_coefficients = torch.stack([t[:, 1] * sx, t[:, 4] * sy], dim=1).view(batch, 1, 2)
    offsets = torch.stack([(2 * t[:, 2] + 1) / width - 1, (2 * t[:, 5] + 1) / height - 1], dim=1).view(batch, 1, 2)
    col_part = (cols * col_coefficients).view(batch, 1, width, 2).to(images.dtype)
    row_part = (rows * row_coefficients + offsets).view(batch, height, 1, 2).to(images.dtype)
    grid = col_part + row_part
    out = F.grid_sample(images, grid, mode="bilinear", padding_mode=_GRID_PADDING[fill_mode], align_corners=False)
    if fill_mode == "constant" and fill_value != 0:
        ones = torch.ones((batch, 1, height, width), dtype=images.dtype, device=images.device)
        inside = F.grid_sample(ones, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
        out = out + fill_value * (1 - inside)
    return out


def affine_batch(images: Tensor, transform: Tensor, interpolation: str, fill_mode: str, fill_value: float,
                 data_format: str) -> Tensor:
    """``images`` rank 4 (or 3), ``transform`` ``(batch, 8)`` (or ``(8,)``): the resampled images."""
    single = images.ndim == 3
    if single:
        images = images.unsqueeze(0)
    if transform.ndim == 1:
        transform = transform.unsqueeze(0)
    last = data_format == "channels_last"
    if last:
        batch, height, width, channels = images.shape
    else:
        batch, channels, height, width = images.shape
    dtype = images.dtype if images.is_floating_point() else torch.float32
    t = transform.to(device=images.device, dtype=dtype)
    if t.shape[0] == 1 and batch > 1:
        t = t.expand(batch, 8)
    if interpolation == "bilinear" and fill_mode in _GRID_PADDING and images.is_floating_point():
        # torch's fused sampler: an order of magnitude faster than four gathers, same values up to
        # float rounding of the normalized grid (about 1e-5 of a pixel).
        out = _grid_sample(images if not last else images.permute(0, 3, 1, 2), t, fill_mode, fill_value)
        # channels_last images come back in channels_last memory (one copy): a model fed the
        # NCHW-strided view instead runs its convolutions and their backward in the other memory
        # format, with extra layout copies that cost more than the whole augmentation (fit
        # measured 1.43x slower than on pre-augmented tensors with the view, 1.03x with the copy).
        out = out.permute(0, 2, 3, 1).contiguous() if last else out
        return out.squeeze(0) if single else out
    rows = torch.arange(height, dtype=dtype, device=images.device).view(1, height, 1)
    cols = torch.arange(width, dtype=dtype, device=images.device).view(1, 1, width)
    a0, a1, a2, b0, b1, b2 = (t[:, j].view(batch, 1, 1) for j in range(6))
    src_y = (b1 * rows + b0 * cols + b2).reshape(batch, -1)  # (batch, H*W)
    src_x = (a1 * rows + a0 * cols + a2).reshape(batch, -1)
    # Gather along the pixel axis of a (batch, pixels, channels) or (batch, channels, pixels) view:
    # no copy of a contiguous input, one gather per corner for every channel.
    flat = images.reshape(batch, height * width, channels) if last else images.reshape(batch, channels, -1)
    pixel_axis = 1 if last else 2

    def spread(v: Tensor) -> Tensor:  # (batch, pixels) -> broadcastable against `flat`
        return v.unsqueeze(2) if last else v.unsqueeze(1)

    def sample(row_index: Tensor, col_index: Tensor, inside: Tensor | None) -> Tensor:
        index = spread(row_index * width + col_index).expand(flat.shape)
        values = torch.gather(flat, pixel_axis, index)
        if inside is not None:
            values = torch.where(spread(inside), values, torch.tensor(fill_value, dtype=values.dtype,
                                                                      device=values.device))
        return values

    constant = fill_mode == "constant"
    if interpolation == "nearest":
        iy, ix = torch.round(src_y).to(torch.int64), torch.round(src_x).to(torch.int64)
        inside = ((iy >= 0) & (iy < height) & (ix >= 0) & (ix < width)) if constant else None
        out = sample(_fix(fill_mode, iy, height), _fix(fill_mode, ix, width), inside)
    else:
        y0f, x0f = torch.floor(src_y), torch.floor(src_x)
        wy, wx = spread(src_y - y0f), spread(src_x - x0f)
        y0, x0 = y0f.to(torch.int64), x0f.to(torch.int64)
        y1, x1 = y0 + 1, x0 + 1
        fy0, fy1 = _fix(fill_mode, y0, height), _fix(fill_mode, y1, height)
        fx0, fx1 = _fix(fill_mode, x0, width), _fix(fill_mode, x1, width)
        if constant:
            in_y0, in_y1 = (y0 >= 0) & (y0 < height), (y1 >= 0) & (y1 < height)
            in_x0, in_x1 = (x0 >= 0) & (x0 < width), (x1 >= 0) & (x1 < width)
            masks = (in_y0 & in_x0, in_y0 & in_x1, in_y1 & in_x0, in_y1 & in_x1)
        else:
            masks = (None, None, None, None)
        out = ((1 - wy) * (1 - wx) * sample(fy0, fx0, masks[0]) + (1 - wy) * wx * sample(fy0, fx1, masks[1])
               + wy * (1 - wx) * sample(fy1, fx0, masks[2]) + wy * wx * sample(fy1, fx1, masks[3]))
    out = out.to(images.dtype)
    out = out.reshape(batch, height, width, channels) if last else out.reshape(batch, channels, height, width)
    return out.squeeze(0) if single else out
