"""``Functional``: the model defined by ``keras.Model(inputs, outputs)``, replaying recorded nodes.

The graph itself (``KerasTensor``, ``Node``, ``symbolic_call``, ``map_graph``) lives in
``kerastorch.graph``, below ``layers``. ``Functional`` orders the nodes the way Keras
does (``graph.ordering.map_graph``: by depth, then discovery order), so ``model.layers``
and ``get_weights()`` follow Keras's order exactly, and ``call`` runs them in that order.
"""
from __future__ import annotations

import numpy as np
import torch

import kerastorch.models.functional_config as functional_config
from kerastorch._core import tree
from kerastorch._core.tensors import numeric_leaves_to_tensors
from kerastorch.graph.keras_tensor import KerasTensor
from kerastorch.graph.ordering import map_graph
from kerastorch.layers.layer import Layer
from kerastorch.models.model import Model


class Functional(Model):
    """A model defined by its inputs and outputs: ``keras.Model(inputs, outputs)``."""

    def __init__(self, inputs, outputs, name: str | None = None, trainable: bool = True, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)
        self._inputs_struct = inputs
        self._outputs_struct = outputs
        self.inputs = tree.flatten(inputs)
        self.outputs = tree.flatten(outputs)
        for t in self.inputs + self.outputs:
            if type(t) is not KerasTensor:
                raise TypeError(f"All `inputs` and `outputs` of a functional Model must be KerasTensors "
                                f"(from `keras.Input` and layer calls). Received: {t!r}")
        nodes, layers = map_graph(self.inputs, self.outputs)
        self._run_nodes = [n for n in nodes if not n.is_input]
        self._graph_layers = layers
        for layer in layers:
            self._track_layer(layer)
        self.built = True
        self._build_input_shape = [t.shape for t in self.inputs]
        self.supports_masking = True
        self.input_names = [t._keras_history.layer.name for t in self.inputs]
        self.output_names = [t._keras_history.layer.name for t in self.outputs]

    @property
    def layers(self) -> list[Layer]:
        """The graph's layers in Keras's order; operation nodes (``x + 3.0``, ``x[:, :2]``) are not layers in
        Keras 3, so they are left out here as there (``operations`` has them, and ``get_config`` writes them)."""
        return [layer for layer in self._graph_layers if not getattr(layer, "_is_operation_node", False)]

    @property
    def operations(self) -> list[Layer]:
        """Every node's layer or operation, in graph order (Keras's ``model.operations``)."""
        return list(self._graph_layers)

    @property
    def input(self):
        """The model's input KerasTensor(s), in the structure given to the constructor (Keras's ``model.input``)."""
        return self._inputs_struct

    @property
    def output(self):
        """The model's output KerasTensor(s), in the structure given to the constructor."""
        return self._outputs_struct

    @property
    def input_shape(self):
        """Shapes of the flat inputs with None batch; one tuple when there is one input (as Keras)."""
        shapes = [tuple(t.shape) for t in self.inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        """Shapes of the flat outputs with None batch; one tuple when there is one output (as Keras)."""
        shapes = [tuple(t.shape) for t in self.outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    def call(self, inputs, training=None, mask=None):
        flat = self._standardize_inputs(inputs)
        values = {}
        for kt, value in zip(self.inputs, flat):
            values[id(kt)] = value
        for node in self._run_nodes:
            out = node.run(values)
            if len(node.flat_outputs) == 1:
                values[id(node.flat_outputs[0])] = out if isinstance(out, torch.Tensor) else tree.flatten(out)[0]
            else:
                for kt, value in zip(node.flat_outputs, tree.flatten(out)):
                    values[id(kt)] = value
        outputs = [values[id(t)] for t in self.outputs]
        return tree.pack_sequence_as(self._outputs_struct, outputs)

    def _standardize_inputs(self, inputs) -> list[torch.Tensor]:
        n = len(self.inputs)
        if isinstance(inputs, dict):
            if isinstance(self._inputs_struct, dict):
                missing = set(self._inputs_struct) - set(inputs)
                if missing:
                    raise ValueError(f'Model "{self.name}" expects inputs with keys {sorted(self._inputs_struct)}; '
                                     f"missing {sorted(missing)}.")
                flat = tree.flatten({k: inputs[k] for k in self._inputs_struct})
            else:
                missing = [name for name in self.input_names if name not in inputs]
                if missing:
                    raise ValueError(f'Model "{self.name}" expects inputs named {self.input_names}; the dict '
                                     f"passed has keys {sorted(inputs)} (missing {missing}).")
                flat = [inputs[name] for name in self.input_names]
        elif isinstance(inputs, (list, tuple)):
            flat = list(inputs) if n > 1 or len(inputs) != 1 or not isinstance(inputs[0], (list, tuple)) \
                else list(inputs[0])
            if n == 1 and len(flat) != 1:
                flat = [inputs]
        else:
            flat = [inputs]
        if len(flat) != n:
            raise ValueError(f'Model "{self.name}" expects {n} input(s) ({self.input_names}), but it received '
                             f"{len(flat)} input tensors.")
        # String inputs stay Python/numpy text: the model's string layer (TextVectorization...) turns them into ints.
        flat = [x if kt.dtype == "string" else numeric_leaves_to_tensors(x) for kt, x in zip(self.inputs, flat)]
        flat = [_adjust_rank(kt, x) for kt, x in zip(self.inputs, flat)]
        for i, (kt, x) in enumerate(zip(self.inputs, flat)):
            if x is None:
                # `keras.Input(optional=True)`: None goes through to the layers it feeds, as in Keras.
                if not getattr(kt._keras_history.layer, "optional", False):
                    raise ValueError(f"The input '{kt.name}' is not optional, but None was passed. Please provide "
                                     "a valid tensor (or build it with `keras.Input(..., optional=True)`).")
            elif kt.dtype != "string":
                _check_input(self, i, kt, x)
        return flat

    def _convert_inputs(self, inputs):
        if any(kt.dtype == "string" for kt in self.inputs):
            return inputs  # `_standardize_inputs` converts the numeric inputs, one by one
        return super()._convert_inputs(inputs)

    def get_config(self) -> dict:
        return functional_config.functional_config(self)

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        return functional_config.functional_from_config(cls, config, custom_objects=custom_objects)


def _adjust_rank(kt: KerasTensor, x):
    """Keras's one-axis leniency: ``(n,)`` data feeds ``Input(shape=(1,))`` (a trailing axis is added) and
    ``(n, ..., 1)`` data feeds an input one rank lower (the trailing 1 is dropped); other ranks are
    left for ``_check_input`` to report."""
    rank = getattr(x, "ndim", None)
    if rank is None or rank == len(kt.shape):
        return x
    if rank == len(kt.shape) + 1 and x.shape[-1] == 1:
        adjusted = x.squeeze(-1) if isinstance(x, torch.Tensor) else np.squeeze(x, axis=-1)
    elif rank == len(kt.shape) - 1 and kt.shape[-1] == 1:
        adjusted = x.unsqueeze(-1) if isinstance(x, torch.Tensor) else np.expand_dims(x, -1)
    else:
        return x
    mask = getattr(x, "_keras_mask", None)
    if mask is not None:
        adjusted._keras_mask = mask
    return adjusted


def _check_input(model: Layer, index: int, kt: KerasTensor, x) -> None:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f'Input {index} of model "{model.name}" must be an array or tensor; received {type(x)}.')
    expected = kt.shape
    if x.ndim != len(expected) or any(e is not None and e != a for e, a in zip(expected[1:], x.shape[1:])):
        raise ValueError(
            f'Input {index} of layer "{model.name}" is incompatible with the layer: expected '
            f"shape={expected}, found shape={tuple(x.shape)}")
