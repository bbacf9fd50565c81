"""``Add``: elementwise sum of a list of tensors, and the ``add`` functional alias."""
from __future__ import annotations

from kerastorch.layers.merging.base_merge import Merge


class Add(Merge):
    """Element-wise sum of a list of tensors.

    Shapes must match, or broadcast (Keras's rule for inputs of different ranks).

    Args:
        **kwargs: Base layer arguments (``name``, ``dtype``...).

    Call arguments:
        inputs: A list of at least two tensors.
        mask: Optional list of masks: the output mask is their logical OR (None when an
            input has none), as in Keras 3.

    Input shape:
        A list of equal (or broadcastable) shapes.

    Output shape:
        The common shape.

    Example:

    >>> layer = keras.layers.Add()
    >>> layer([np.ones((2, 3), "float32"), np.ones((2, 3), "float32")]).tolist()
    [[2.0, 2.0, 2.0], [2.0, 2.0, 2.0]]
    """
    def _merge_function(self, inputs, masks):
        out = inputs[0]
        for x in inputs[1:]:
            out = out + x
        return out


def add(inputs, **kwargs):
    """Functional interface to the ``Add`` layer: ``keras.layers.add([a, b])``."""
    return Add(**kwargs)(inputs)
