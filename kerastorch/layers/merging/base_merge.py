"""``Merge``: the base of the layers that combine a list of tensors elementwise.

Shapes must match (or broadcast with 1s) after the batch axis; inputs of lower
rank get singleton axes inserted at axis 1, as in Keras. The output mask is the
OR of the input masks (Keras 3; Keras 2 used AND), or ``None`` when any input
has no mask.
"""
from __future__ import annotations

import torch

from kerastorch.layers.layer import Layer


class Merge(Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    # ------------------------------------------------------------------ shapes
    def _shape_error(self, shapes, detail: str = "") -> ValueError:
        shapes = [tuple(s) if s is not None else None for s in shapes]
        return ValueError(f'{type(self).__name__} layer "{self.name}" received inputs with incompatible shapes: '
                          f"{shapes}.{(' ' + detail) if detail else ''}")

    def _check_list(self, input_shape) -> list:
        if not isinstance(input_shape, (list, tuple)) or not input_shape \
                or not all(isinstance(s, (list, tuple)) for s in input_shape):
            raise ValueError(f'A merge layer ({type(self).__name__} "{self.name}") should be called on a list of '
                             f"at least 1 input. Received: input_shape={input_shape}")
        return [tuple(s) for s in input_shape]

    def _elementwise_shape(self, shapes) -> tuple:
        """The broadcast shape (without the batch axis) of ``shapes``, or a ValueError naming all of them."""
        out: tuple = shapes[0][1:]
        for s in shapes[1:]:
            a, b = (out, s[1:]) if len(out) >= len(s) - 1 else (s[1:], out)
            if not b:
                out = a
                continue
            merged = list(a[:len(a) - len(b)])
            for i, j in zip(a[len(a) - len(b):], b):
                if i is None or j is None:
                    merged.append(None)
                elif i == 1:
                    merged.append(j)
                elif j == 1 or i == j:
                    merged.append(i)
                else:
                    raise self._shape_error(shapes, "All inputs must have the same shape after the batch axis "
                                                    "(or dimensions of size 1 that broadcast).")
            out = tuple(merged)
        return out

    def build(self, input_shape) -> None:
        shapes = self._check_list(input_shape)
        batch_sizes = {s[0] for s in shapes if s} - {None}
        if len(batch_sizes) > 1:
            raise self._shape_error(shapes, "Cannot merge tensors with different batch sizes.")
        self._elementwise_shape(shapes)
        self._reshape_required = len({len(s) for s in shapes}) != 1
        self.built = True

    # -------------------------------------------------------------------- call
    def call(self, inputs, mask=None):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f'A merge layer ({type(self).__name__} "{self.name}") should be called on a list of '
                             f"inputs. Received: inputs of type {type(inputs).__name__}")
        inputs = list(inputs)
        masks = list(mask) if isinstance(mask, (list, tuple)) else [None] * len(inputs)
        if len({t.ndim for t in inputs}) > 1:
            max_ndim = max(t.ndim for t in inputs)
            inputs = [t.reshape(t.shape[:1] + (1,) * (max_ndim - t.ndim) + t.shape[1:]) for t in inputs]
        try:
            return self._merge_function(inputs, masks)
        except RuntimeError as e:
            raise self._shape_error([t.shape for t in inputs], str(e)) from e

    def _merge_function(self, inputs, masks):
        raise NotImplementedError

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        if not isinstance(mask, (list, tuple)):
            raise ValueError(f"`mask` should be a list. Received mask={mask}")
        if any(m is None for m in mask):
            return None
        out = mask[0]
        for m in mask[1:]:
            out = torch.logical_or(out, m)
        return out

    def get_config(self) -> dict:
        return super().get_config()


def expanded_mask(mask, x):
    """A per-timestep mask broadcast to the shape of ``x``."""
    if mask is None:
        return None
    while mask.ndim < x.ndim:
        mask = mask.unsqueeze(-1)
    return mask.expand_as(x)


def merge_with_or_masks(op, inputs, masks):
    """Keras's masked merge for ops without an identity (maximum, minimum): masked entries take the other value."""
    output = output_mask = None
    for x, m in zip(inputs, masks):
        m = expanded_mask(m, x)
        if output is None:
            output, output_mask = x, m
            continue
        if m is not None:
            x = torch.where(m, x, output)
        if output_mask is not None:
            output = torch.where(output_mask, output, x)
        output_mask = torch.logical_or(output_mask, m) if (m is not None and output_mask is not None) else None
        output = op(output, x)
    return output
