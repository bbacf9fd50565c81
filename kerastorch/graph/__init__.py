"""The functional graph, one floor below ``layers`` (as Keras 3 places it).

- ``keras_tensor``: ``KerasTensor`` (the symbolic tensor) and ``KerasHistory``;
- ``node``: ``Node``, one recorded layer call;
- ``symbolic``: ``symbolic_call`` (what ``layer(keras_tensor)`` does), ``infer_output_shape``,
  and the ``probing()`` context that layers query with ``is_probing()``;
- ``ordering``: ``map_graph``, Keras's node and layer order;
- ``layer_graph``: the ``input``/``output``/``*_shape`` properties ``Layer`` inherits.

Nothing here imports ``layers``: a "layer" is anything with ``name``, ``built``,
``build``, ``_inbound_nodes`` and a call.
"""
from kerastorch.graph.keras_tensor import (
    KerasHistory,
    KerasTensor,
    any_keras_tensor,
    is_keras_tensor,
    set_torch_op_recorder,
)
from kerastorch.graph.layer_graph import LayerGraphMixin
from kerastorch.graph.node import Node
from kerastorch.graph.ordering import map_graph
from kerastorch.graph.symbolic import infer_output_shape, is_probing, probing, symbolic_call

__all__ = ["KerasHistory", "KerasTensor", "LayerGraphMixin", "Node", "any_keras_tensor", "infer_output_shape",
           "is_keras_tensor", "is_probing", "map_graph", "probing", "set_torch_op_recorder", "symbolic_call"]
