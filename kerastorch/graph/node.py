"""``Node``: one call of a layer in a functional graph.

A node keeps the call's arguments (with KerasTensors where the graph feeds values)
and its outputs, and stamps each output with a ``KerasHistory`` pointing back at it;
``layer._inbound_nodes`` lists the nodes of every call of a layer. ``run`` replays
the call on concrete tensors, which is all ``Functional.call`` does per node.
"""
from __future__ import annotations

from typing import Any

from kerastorch._core import tree
from kerastorch.graph.keras_tensor import KerasHistory, KerasTensor


class Node:
    """One call of a layer in a functional graph: its (symbolic) arguments and outputs."""

    def __init__(self, layer: Any, call_args: tuple, call_kwargs: dict, outputs: Any, is_input: bool = False):
        self.layer = layer
        self.call_args = call_args
        self.call_kwargs = call_kwargs
        self.outputs = outputs
        self.flat_outputs = tree.flatten(outputs)
        flat = tree.flatten(list(call_args)) + tree.flatten(call_kwargs)
        self.input_tensors = [t for t in flat if type(t) is KerasTensor]
        # The node of an InputLayer: where values enter the graph (it has no parents).
        self.is_input = is_input
        node_index = len(layer._inbound_nodes)
        layer._inbound_nodes.append(self)
        for i, t in enumerate(self.flat_outputs):
            t._keras_history = KerasHistory(layer, node_index, i)
        # A call template: flat leaves with the KerasTensor positions, for fast binding at run time.
        self._template = (list(call_args), call_kwargs)
        self._flat_template = tree.flatten(self._template)
        self._kt_positions = [i for i, t in enumerate(self._flat_template) if type(t) is KerasTensor]
        self._single = (len(call_args) == 1 and not call_kwargs and type(call_args[0]) is KerasTensor)

    @property
    def parent_nodes(self) -> list["Node"]:
        return [t._keras_history.layer._inbound_nodes[t._keras_history.node_index]
                for t in self.input_tensors]

    def run(self, values: dict) -> Any:
        """Call the layer with the concrete tensors in ``values`` (keyed by id of KerasTensor)."""
        if self._single:
            return self.layer(values[id(self.call_args[0])])
        flat = list(self._flat_template)
        for i in self._kt_positions:
            flat[i] = values[id(flat[i])]
        args, kwargs = tree.pack_sequence_as(self._template, flat)
        return self.layer(*args, **kwargs)
