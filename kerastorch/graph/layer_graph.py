"""The graph view of a layer: ``input``, ``output``, ``input_shape``, ``output_shape``.

These read the layer's first inbound node (its first functional call), as Keras's do.
They are a mixin so that ``Layer`` keeps no knowledge of nodes: the graph floor owns
what a node is, the layer only holds ``_inbound_nodes``.
"""
from __future__ import annotations

from typing import Any


class LayerGraphMixin:
    """``Layer`` properties that read its functional-graph nodes (``self._inbound_nodes``)."""

    _inbound_nodes: list
    _batch_input_shape: tuple | None
    name: str

    @property
    def input_shape(self) -> Any:
        if self._inbound_nodes:
            shapes = [t.shape for t in self._inbound_nodes[0].input_tensors]
            return shapes[0] if len(shapes) == 1 else shapes
        if self._batch_input_shape is not None:
            return self._batch_input_shape
        raise AttributeError(f'The layer "{self.name}" has never been called and thus has no defined input shape.')

    @property
    def output_shape(self) -> Any:
        if self._inbound_nodes:
            shapes = [t.shape for t in self._inbound_nodes[0].flat_outputs]
            return shapes[0] if len(shapes) == 1 else shapes
        raise AttributeError(f'The layer "{self.name}" has never been called and thus has no defined output shape.')

    @property
    def input(self) -> Any:
        if not self._inbound_nodes:
            raise AttributeError(f'Layer "{self.name}" is not connected, no input to return.')
        ins = self._inbound_nodes[0].input_tensors
        return ins[0] if len(ins) == 1 else ins

    @property
    def output(self) -> Any:
        if not self._inbound_nodes:
            raise AttributeError(f'Layer "{self.name}" has no inbound nodes.')
        return self._inbound_nodes[0].outputs
