"""Functional-graph helpers of ``keras.utils``: ``get_source_inputs`` and ``is_keras_tensor``."""
from __future__ import annotations

from typing import Any

from kerastorch.graph import KerasTensor, is_keras_tensor


def get_source_inputs(tensor: Any) -> list:
    """The ``keras.Input`` tensors that ``tensor`` was computed from (itself if it is one, or has no history)."""
    history = getattr(tensor, "_keras_history", None)
    if history is None:
        return [tensor]
    node = history.layer._inbound_nodes[history.node_index]
    if node.is_input or not node.input_tensors:
        return [tensor]
    sources: list = []
    for parent in node.input_tensors:
        for source in get_source_inputs(parent):
            if not any(source is seen for seen in sources):
                sources.append(source)
    return sources


__all__ = ["KerasTensor", "get_source_inputs", "is_keras_tensor"]
