"""``Concatenate``: join a list of tensors along ``axis``, and the ``concatenate`` alias.

Masks: an unmasked input counts as all-True; a per-timestep mask is broadcast
over the input's last axis; the concatenated mask is reduced with ``any`` over
the last axis (Keras's rule).
"""
from __future__ import annotations

import torch

from kerastorch.layers.merging.base_merge import Merge


class Concatenate(Merge):
    """Concatenate a list of tensors along ``axis``.

    All other axes must match. Masks are concatenated too (an input without a mask counts as
    all True).

    Args:
        axis: The axis to join along (default the last).
        **kwargs: Base layer arguments (``name``, ``dtype``...).

    Call arguments:
        inputs: A list of at least two tensors.
        mask: Optional list of masks (taken from the inputs when not given).

    Input shape:
        A list of shapes equal except along ``axis``.

    Output shape:
        The common shape, with the sizes along ``axis`` added.

    Example:

    >>> layer = keras.layers.Concatenate()
    >>> layer([np.ones((2, 3), "float32"), np.ones((2, 5), "float32")]).shape
    torch.Size([2, 8])
    """
    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = int(axis)

    def build(self, input_shape) -> None:
        shapes = self._check_list(input_shape)
        ranks = {len(s) for s in shapes}
        if len(ranks) != 1:
            raise self._shape_error(shapes, "A `Concatenate` layer requires inputs of the same rank.")
        rank = ranks.pop()
        if not -rank <= self.axis < rank:
            raise self._shape_error(shapes, f"axis={self.axis} is out of range for inputs of rank {rank}.")
        axis = self.axis % rank
        for d in range(rank):
            if d == axis:
                continue
            sizes = {s[d] for s in shapes} - {None}
            if len(sizes) > 1:
                raise self._shape_error(shapes, "A `Concatenate` layer requires inputs with matching shapes except "
                                                f"for the concatenation axis (axis={self.axis}).")
        self.built = True

    def call(self, inputs, mask=None):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f'A `Concatenate` layer ("{self.name}") should be called on a list of inputs. '
                             f"Received: inputs of type {type(inputs).__name__}")
        try:
            return torch.cat(list(inputs), dim=self.axis)
        except (RuntimeError, IndexError) as e:
            raise self._shape_error([t.shape for t in inputs], str(e)) from e

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        if not isinstance(mask, (list, tuple)):
            raise ValueError(f"`mask` should be a list. Received mask={mask}")
        if len(mask) != len(inputs):
            raise ValueError(f"The lists `inputs` and `mask` should have the same length. Received {len(inputs)} "
                             f"inputs and {len(mask)} masks.")
        if all(m is None for m in mask):
            return None
        masks = []
        for x, m in zip(inputs, mask):
            if m is None:
                masks.append(torch.ones(x.shape, dtype=torch.bool, device=x.device))
            elif m.ndim < x.ndim:
                masks.append(m.unsqueeze(-1).expand(x.shape))
            else:
                masks.append(m.bool())
        return torch.cat(masks, dim=self.axis).any(dim=-1)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


def concatenate(inputs, axis=-1, **kwargs):
    """Functional interface to the ``Concatenate`` layer."""
    return Concatenate(axis=axis, **kwargs)(inputs)
