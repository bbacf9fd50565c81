"""``ContrastLimitedAdaptiveHistogramEqualization`` (CLAHE): histogram equalization per tile, contrast-limited.

As Keras 3.15: the image (scaled to 0..255) is cut into a ``tile_grid_size`` grid (padded
symmetrically at the bottom/right to whole tiles), each tile and channel gets a 256-bin
histogram of its truncated pixel values, bins above ``clip_limit * tile_pixels / 256`` are
clipped (at that value truncated to an integer, as Keras's integer histograms do) and the excess
spread evenly over all bins, and the normalized CDFs map pixels; each
output pixel interpolates bilinearly between the maps of the four nearest tile centres (edge
tiles repeated). Deterministic, so it runs in training and inference. Histograms are counted
with ``scatter_add`` rather than Keras's one-hot sum (same integer counts, far less memory).
"""
from __future__ import annotations

from typing import Any

import torch

from kerastorch.layers.preprocessing.image_preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
    as_images,
)

Tensor = torch.Tensor


def _pad_edge(x: Tensor, pad: int, dim: int) -> Tensor:
    """The last value of ``dim`` repeated ``pad`` times at its end."""
    if pad <= 0:
        return x
    edge = x.narrow(dim, x.shape[dim] - 1, 1)
    return torch.cat([x, edge.expand(*[pad if d == dim % x.ndim else -1 for d in range(x.ndim)])], dim=dim)


class ContrastLimitedAdaptiveHistogramEqualization(BaseImagePreprocessingLayer):
    """Contrast-limited adaptive histogram equalization of images.

    Args:
        value_range: the images' value range (mapped to 0..255 for the histograms and back).
        clip_limit: contrast limit (multiple of the uniform bin height); 0 or less disables clipping.
        tile_grid_size: ``(rows, columns)`` of tiles.
    """

    _USE_BASE_FACTOR = False

    def __init__(self, value_range: Any = (0, 255), clip_limit: float = 4.0, tile_grid_size: Any = (8, 8),
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = value_range
        self.clip_limit = clip_limit
        self.tile_grid_size = tile_grid_size

    def transform_images(self, images: Any, transformation: Any = None, training: bool = True) -> Tensor:
        images = as_images(images)
        first = self.data_format == "channels_first"
        if first:
            images = images.permute(0, 2, 3, 1) if images.ndim == 4 else images.permute(1, 2, 0)
        original_dtype = images.dtype
        images = self._transform_value_range(images, self.value_range, (0, 255), dtype=torch.float32)
        images = self._clahe(images.to(torch.float32))
        images = self._transform_value_range(images, (0, 255), self.value_range, dtype=torch.float32)
        images = images.to(original_dtype)
        if first:
            images = images.permute(0, 3, 1, 2) if images.ndim == 4 else images.permute(2, 0, 1)
        return images

    def _clahe(self, images: Tensor) -> Tensor:
        unbatched = images.ndim == 3
        if unbatched:
            images = images.unsqueeze(0)
        batch, height, width, channels = images.shape
        grid_h, grid_w = self.tile_grid_size
        tile_h, tile_w = (height + grid_h - 1) // grid_h, (width + grid_w - 1) // grid_w
        pad_h, pad_w = tile_h * grid_h - height, tile_w * grid_w - width
        # Keras asks for numpy's "symmetric" padding, which its torch backend turns into "replicate"
        # (the edge value repeated); the oracle is Keras on torch, so the edge is repeated here too.
        padded = _pad_edge(_pad_edge(images, pad_h, 1), pad_w, 2)
        tiles = padded.reshape(batch, grid_h, tile_h, grid_w, tile_w, channels).permute(0, 1, 3, 5, 2, 4)
        tiles = tiles.reshape(batch, grid_h, grid_w, channels, tile_h * tile_w)
        bins = torch.clamp(tiles.to(torch.int32), 0, 255).to(torch.int64)
        hists = torch.zeros(tiles.shape[:-1] + (256,), dtype=torch.float32, device=images.device)
        hists.scatter_add_(-1, bins, torch.ones_like(bins, dtype=torch.float32))
        if self.clip_limit > 0:
            # Keras's histograms are integer counts, so its limit is cast to an integer (truncated).
            limit = float(int(self.clip_limit * (tile_h * tile_w) / 256.0))
            clipped = torch.clamp(hists, 0.0, limit)
            excess = (hists - clipped).sum(dim=-1, keepdim=True)
            hists = clipped + excess / 256.0
        cdf = torch.cumsum(hists, dim=-1)
        cdf_min = cdf.amin(dim=-1, keepdim=True)
        denominator = float(tile_h * tile_w) - cdf_min
        denominator = torch.where(denominator == 0, torch.ones_like(denominator), denominator)
        cdf_norm = torch.clamp((cdf - cdf_min) * 255.0 / denominator, 0, 255)
        # Edge tiles repeated once on every side, so border pixels interpolate towards themselves.
        cdf_padded = torch.cat([cdf_norm[:, :1], cdf_norm, cdf_norm[:, -1:]], dim=1)
        cdf_padded = torch.cat([cdf_padded[:, :, :1], cdf_padded, cdf_padded[:, :, -1:]], dim=2)
        y_grid = (torch.arange(tile_h * grid_h, dtype=torch.float32, device=images.device) - tile_h / 2.0) / tile_h
        x_grid = (torch.arange(tile_w * grid_w, dtype=torch.float32, device=images.device) - tile_w / 2.0) / tile_w
        y_grid, x_grid = y_grid + 1.0, x_grid + 1.0
        y0, x0 = torch.floor(y_grid), torch.floor(x_grid)
        wy, wx = y_grid - y0, x_grid - x0
        y1 = torch.clamp(y0 + 1.0, 0, grid_h + 1).to(torch.int64)
        x1 = torch.clamp(x0 + 1.0, 0, grid_w + 1).to(torch.int64)
        y0 = torch.clamp(y0, 0, grid_h + 1).to(torch.int64)
        x0 = torch.clamp(x0, 0, grid_w + 1).to(torch.int64)
        stride_c = 256
        stride_x = stride_c * channels
        stride_y = stride_x * (grid_w + 2)
        stride_b = stride_y * (grid_h + 2)
        flat = cdf_padded.reshape(-1)
        pixels = torch.clamp(padded, 0, 255).to(torch.int32).to(torch.int64)
        b_idx = torch.arange(batch, device=images.device).view(-1, 1, 1, 1)
        c_idx = torch.arange(channels, device=images.device).view(1, 1, 1, -1)
        base = b_idx * stride_b + c_idx * stride_c + pixels
        y0e, y1e = y0.view(1, -1, 1, 1), y1.view(1, -1, 1, 1)
        x0e, x1e = x0.view(1, 1, -1, 1), x1.view(1, 1, -1, 1)
        wye, wxe = wy.view(1, -1, 1, 1), wx.view(1, 1, -1, 1)
        nw = torch.take(flat, base + y0e * stride_y + x0e * stride_x)
        ne = torch.take(flat, base + y0e * stride_y + x1e * stride_x)
        sw = torch.take(flat, base + y1e * stride_y + x0e * stride_x)
        se = torch.take(flat, base + y1e * stride_y + x1e * stride_x)
        top = nw * (1.0 - wxe) + ne * wxe
        bottom = sw * (1.0 - wxe) + se * wxe
        result = (top * (1.0 - wye) + bottom * wye)[:, :height, :width, :]
        return result.squeeze(0) if unbatched else result

    def transform_labels(self, labels: Any, transformation: Any = None, training: bool = True) -> Any:
        return labels

    def transform_segmentation_masks(self, segmentation_masks: Any, transformation: Any = None,
                                     training: bool = True) -> Any:
        return segmentation_masks

    def get_config(self) -> dict:
        return {**super().get_config(), "value_range": self.value_range, "clip_limit": self.clip_limit,
                "tile_grid_size": self.tile_grid_size, "data_format": self.data_format}
