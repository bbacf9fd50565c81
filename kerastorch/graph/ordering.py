"""Keras's order of a functional graph's nodes and layers (``map_graph``).

Keras orders layers by decreasing depth (inputs first) and, within a depth, by the
order in which a depth-first search from the outputs discovered them; ``model.layers``
and ``get_weights()`` follow that order, so a weight list saved by Keras loads here.
"""
from __future__ import annotations

import collections
from typing import Any

from kerastorch.graph.keras_tensor import KerasTensor
from kerastorch.graph.node import Node


def map_graph(inputs: list[KerasTensor], outputs: list[KerasTensor]) -> tuple[list[Node], list[Any]]:
    """Nodes and layers of the graph from ``inputs`` to ``outputs``, in Keras's order."""
    finished, in_progress = set(), set()
    nodes_in_decreasing_depth: list[Node] = []
    layer_indices: dict = {}
    input_ids = {id(t) for t in inputs}

    def visit(tensor: KerasTensor) -> None:
        history = tensor._keras_history
        if history is None:
            raise ValueError(f"The tensor {tensor} is not the output of a Keras layer: every output must be "
                             "computed from `keras.Input` tensors through layers.")
        node = history.layer._inbound_nodes[history.node_index]
        if node in finished:
            return
        if node in in_progress:
            raise ValueError(f'The graph contains a cycle at layer "{history.layer.name}".')
        layer_indices.setdefault(history.layer, len(layer_indices))
        in_progress.add(node)
        if not node.is_input and id(tensor) not in input_ids:
            for t in node.input_tensors:
                visit(t)
        finished.add(node)
        in_progress.remove(node)
        nodes_in_decreasing_depth.append(node)

    for out in outputs:
        visit(out)

    node_depths: dict = {}
    layer_depths: dict = {}
    for node in reversed(nodes_in_decreasing_depth):
        depth = node_depths.setdefault(node, 0)
        depth = max(depth, layer_depths.get(node.layer, 0))
        layer_depths[node.layer] = depth
        node_depths[node] = depth
        for parent in node.parent_nodes:
            node_depths[parent] = max(depth + 1, node_depths.get(parent, 0))
    for t in inputs:
        layer = t._keras_history.layer
        if layer not in layer_depths:
            layer_depths[layer] = 0
            layer_indices[layer] = -1
            node_depths[layer._inbound_nodes[0]] = 0

    by_depth = collections.defaultdict(list)
    for layer, depth in layer_depths.items():
        by_depth[depth].append(layer)
    layers = []
    for depth in sorted(by_depth, reverse=True):
        layers.extend(sorted(by_depth[depth], key=lambda l: layer_indices[l]))
    nodes_by_depth = collections.defaultdict(list)
    for node, depth in node_depths.items():
        nodes_by_depth[depth].append(node)
    ordered_nodes = []
    for depth in sorted(nodes_by_depth, reverse=True):
        ordered_nodes.extend(nodes_by_depth[depth])
    # Check that every input the outputs need is provided.
    available = {id(t) for t in inputs}
    for node in ordered_nodes:
        if node.is_input and id(node.flat_outputs[0]) not in available:
            raise ValueError(f'Graph disconnected: cannot obtain the value of tensor "{node.layer.name}". '
                             "Pass it in `inputs` when creating the Model.")
        available.update(id(t) for t in node.flat_outputs)
    return ordered_nodes, layers
