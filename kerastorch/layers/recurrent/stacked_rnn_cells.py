"""``StackedRNNCells``: a list of cells run one above the other as a single cell."""
from __future__ import annotations

from torch import nn

from kerastorch.backend import tree
from kerastorch.layers.layer import Layer
from kerastorch.layers.layer_config import deserialize, serialize


class StackedRNNCells(Layer):
    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        for cell in cells:
            if not callable(getattr(cell, "call", None)):
                raise ValueError(f"All cells must have a `call` method. Received cell without a `call` method: "
                                 f"{cell!r}")
            if getattr(cell, "state_size", None) is None:
                raise ValueError(f"All cells must have a `state_size` attribute. Received cell without a "
                                 f"`state_size`: {cell!r}")
        modules = [c for c in cells if isinstance(c, nn.Module)]
        if len(modules) == len(cells):
            self.cells = nn.ModuleList(cells)
        else:
            self._plain_cells = list(cells)
            self._cell_modules = nn.ModuleList(modules)

    @property
    def _cell_list(self) -> list:
        return list(self.cells) if "cells" in self._modules else self._plain_cells

    @property
    def state_size(self) -> list:
        return [c.state_size for c in self._cell_list]

    @property
    def output_size(self):
        last = self._cell_list[-1]
        if getattr(last, "output_size", None) is not None:
            return last.output_size
        size = last.state_size
        return size[0] if isinstance(size, (list, tuple)) else size

    def build(self, input_shape) -> None:
        for cell in self._cell_list:
            if isinstance(cell, Layer) and not cell.built:
                cell.build(input_shape)
                cell.built = True
                cell._build_input_shape = tuple(input_shape)
            size = getattr(cell, "output_size", None)
            if size is None:
                size = cell.state_size[0] if isinstance(cell.state_size, (list, tuple)) else cell.state_size
            input_shape = (tree.flatten(list(input_shape))[0], size)
        self.built = True

    def get_initial_state(self, batch_size=None):
        import torch
        states = []
        for cell in self._cell_list:
            fn = getattr(cell, "get_initial_state", None)
            if fn is not None:
                states.append(fn(batch_size=batch_size))
            elif isinstance(cell.state_size, int):
                states.append(torch.zeros(batch_size, cell.state_size))
            else:
                states.append([torch.zeros(batch_size, d) for d in cell.state_size])
        return states

    def call(self, inputs, states, training=False):
        new_states = []
        for cell, cell_states in zip(self._cell_list, states):
            is_list = tree.is_nested(cell_states)
            cell_states = list(cell_states) if is_list else [cell_states]
            kwargs = {}
            if isinstance(cell, Layer) and cell._call_has_training:
                kwargs["training"] = training
            if hasattr(cell, "_recurrent_step") and hasattr(cell, "_input_projection"):
                inputs, cell_states = cell._recurrent_step(cell._input_projection(inputs, training),
                                                           cell_states, training)
            else:
                fn = cell.__call__ if isinstance(cell, nn.Module) else cell.call
                inputs, cell_states = fn(inputs, cell_states, **kwargs)
                if not tree.is_nested(cell_states):
                    cell_states = [cell_states]
            if len(cell_states) == 1 and not is_list:
                cell_states = cell_states[0]
            new_states.append(cell_states)
        return inputs, new_states

    def get_config(self) -> dict:
        return {**super().get_config(), "cells": [serialize(c) for c in self._cell_list]}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = dict(config)
        cells = [deserialize(c, custom_objects) for c in config.pop("cells")]
        return cls(cells, **config)
