"""``Subtract``: ``inputs[0] - inputs[1]``, and the ``subtract`` functional alias."""
from __future__ import annotations

from kerastorch.layers.merging.base_merge import Merge


class Subtract(Merge):
    def build(self, input_shape) -> None:
        super().build(input_shape)
        if len(input_shape) != 2:
            raise ValueError(f'A `Subtract` layer ("{self.name}") should be called on exactly 2 inputs. '
                             f"Received: input_shape={input_shape}")

    def _merge_function(self, inputs, masks):
        if len(inputs) != 2:
            raise ValueError(f'A `Subtract` layer ("{self.name}") should be called on exactly 2 inputs. '
                             f"Received {len(inputs)} inputs.")
        return inputs[0] - inputs[1]


def subtract(inputs, **kwargs):
    """Functional interface to the ``Subtract`` layer."""
    return Subtract(**kwargs)(inputs)
