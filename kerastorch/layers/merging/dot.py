"""``Dot``: batchwise dot product of two tensors along ``axes``, and the ``dot`` alias.

Follows Keras's ``batch_dot``: the result has ``x``'s remaining axes then ``y``'s
(without its batch axis); a rank-1 result gets a trailing axis of size 1.
``normalize=True`` L2-normalizes both inputs first (cosine proximity).
"""
from __future__ import annotations

import torch

from kerastorch.backend import config
from kerastorch.layers.merging.base_merge import Merge


def batch_dot(x: torch.Tensor, y: torch.Tensor, axes) -> torch.Tensor:
    """Keras's ``batch_dot`` for one contracted axis per input (``axes`` already non-negative)."""
    a0, a1 = axes
    x_ndim, y_ndim = x.ndim, y.ndim
    if x_ndim == 2:
        x = x.unsqueeze(1)
        a0 += 1
    if y_ndim == 2:
        y = y.unsqueeze(2)
    x = x.movedim(a0, -1)
    y = y.movedim(a1, 1)
    x_mid, y_trail = x.shape[1:-1], y.shape[2:]
    out = torch.bmm(x.reshape(x.shape[0], -1, x.shape[-1]), y.reshape(y.shape[0], y.shape[1], -1))
    out = out.reshape((out.shape[0],) + tuple(x_mid) + tuple(y_trail))
    if x_ndim == 2:
        out = out.squeeze(1)
    elif y_ndim == 2:
        out = out.squeeze(-1)
    return out


class Dot(Merge):
    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)):
                raise TypeError(f"Invalid type for argument `axes`: it should be a list or an int. Received: "
                                f"axes={axes}")
            if len(axes) != 2:
                raise ValueError(f"Invalid format for argument `axes`: it should contain two elements. Received: "
                                 f"axes={axes}")
            if not isinstance(axes[0], int) or not isinstance(axes[1], int):
                raise ValueError(f"Invalid format for argument `axes`: list elements should be integers. "
                                 f"Received: axes={axes}")
            axes = list(axes)
        self.axes = axes
        self.normalize = normalize

    def _resolve_axes(self, ndims) -> list[int]:
        axes = [self.axes, self.axes] if isinstance(self.axes, int) else list(self.axes)
        return [a % n if a < 0 else a for a, n in zip(axes, ndims)]

    def build(self, input_shape) -> None:
        shapes = self._check_list(input_shape)
        if len(shapes) != 2:
            raise ValueError(f'A `Dot` layer ("{self.name}") should be called on a list of 2 inputs. '
                             f"Received: input_shape={input_shape}")
        s1, s2 = shapes
        if len(s1) < 2 or len(s2) < 2:
            raise self._shape_error(shapes, "`Dot` needs inputs of rank >= 2.")
        a0, a1 = self._resolve_axes((len(s1), len(s2)))
        if a0 == 0 or a1 == 0 or a0 >= len(s1) or a1 >= len(s2):
            raise self._shape_error(shapes, f"Invalid axes={self.axes}: axes must be within the inputs' ranks and "
                                            "cannot be the batch axis 0.")
        if s1[a0] is not None and s2[a1] is not None and s1[a0] != s2[a1]:
            raise self._shape_error(shapes, f"Incompatible input shapes: axis values {s1[a0]} (at axis {a0}) != "
                                            f"{s2[a1]} (at axis {a1}).")
        self.built = True

    def call(self, inputs, mask=None):
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError(f'A `Dot` layer ("{self.name}") should be called on exactly 2 inputs.')
        x1, x2 = inputs
        axes = self._resolve_axes((x1.ndim, x2.ndim))
        if self.normalize:
            x1 = x1 / torch.linalg.vector_norm(x1, dim=axes[0], keepdim=True).clamp_min(config.epsilon())
            x2 = x2 / torch.linalg.vector_norm(x2, dim=axes[1], keepdim=True).clamp_min(config.epsilon())
        try:
            return batch_dot(x1, x2, axes)
        except RuntimeError as e:
            raise self._shape_error([x1.shape, x2.shape], str(e)) from e

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self) -> dict:
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def dot(inputs, axes=-1, **kwargs):
    """Functional interface to the ``Dot`` layer."""
    return Dot(axes=axes, **kwargs)(inputs)
