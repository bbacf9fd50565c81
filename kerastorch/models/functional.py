"""The functional API: nodes recorded by calling layers on KerasTensors, and the
``Functional`` model that replays them.

``symbolic_call`` is what ``layer(keras_tensor)`` does: it builds the layer from
the symbolic shapes, runs it once on small zero tensors to learn the output
shapes (so every layer's shape logic is its own ``call``, written once), and
records a ``Node``. ``Functional`` orders the nodes the way Keras does (by depth,
then discovery order), so ``model.layers`` and ``get_weights()`` follow Keras's
order exactly.
"""
from __future__ import annotations

import collections
from typing import Any

import torch

from kerastorch.backend import tree
from kerastorch.layers.input_layer import InputLayer, KerasHistory, KerasTensor
from kerastorch.layers.layer import Layer
from kerastorch.models.model import Model

# Stand-in sizes for unknown (None) dimensions when shapes are probed with zeros; two distinct
# sizes reveal which output dimensions follow the unknown input dimensions.
_PROBE_SIZES = (32, 37)
_PROBE_BATCH = 2
# Non-empty while symbolic_call runs a layer on probe tensors (stateful layers must not keep those states).
_PROBING: list[bool] = []


class Node:
    """One call of a layer in a functional graph: its (symbolic) arguments and outputs."""

    def __init__(self, layer: Layer, call_args: tuple, call_kwargs: dict, outputs: Any):
        self.layer = layer
        self.call_args = call_args
        self.call_kwargs = call_kwargs
        self.outputs = outputs
        self.flat_outputs = tree.flatten(outputs)
        flat = tree.flatten(list(call_args)) + tree.flatten(call_kwargs)
        self.input_tensors = [t for t in flat if type(t) is KerasTensor]
        self.is_input = isinstance(layer, InputLayer)
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


# --------------------------------------------------------------- symbolic calls
def _probe_tensor(kt: KerasTensor, size_index: int) -> torch.Tensor:
    shape = [(_PROBE_BATCH if i == 0 else _PROBE_SIZES[size_index]) if d is None else d
             for i, d in enumerate(kt.shape)]
    dtype = kt.torch_dtype
    t = torch.ones(shape, dtype=dtype)
    if kt._keras_mask is not None:
        t._keras_mask = torch.ones(shape[:len(kt._keras_mask.shape)], dtype=torch.bool)
    return t


def symbolic_call(layer: Layer, args: tuple, kwargs: dict):
    """``layer(*args, **kwargs)`` where some arguments are KerasTensors: record a node."""
    flat = tree.flatten((list(args), kwargs))
    kts = [t for t in flat if type(t) is KerasTensor]
    if not layer.built:
        inputs = args[0] if args else None
        shapes = tree.map_structure(lambda t: t.shape if type(t) is KerasTensor else getattr(t, "shape", None),
                                    inputs)
        layer.build(shapes)
        layer.built = True
        layer._build_input_shape = shapes
        if getattr(layer, "_initial_weights", None) is not None:
            layer.set_weights(layer._initial_weights)
            layer._initial_weights = None
    has_unknown = any(d is None for t in kts for d in t.shape[1:])
    runs = []
    for size_index in range(2 if has_unknown else 1):
        concrete = {id(t): _probe_tensor(t, size_index) for t in kts}
        leaves = [concrete[id(t)] if type(t) is KerasTensor else t for t in flat]
        c_args, c_kwargs = tree.pack_sequence_as((list(args), kwargs), leaves)
        _PROBING.append(True)
        try:
            with torch.no_grad():
                out = Layer.__call__(layer, *c_args, **c_kwargs)
        finally:
            _PROBING.pop()
        runs.append(out)
    out_flat = [tree.flatten(r) for r in runs]
    batch_known = kts and all(t.shape and t.shape[0] is not None for t in kts)

    def to_kt(i, t):
        if not isinstance(t, torch.Tensor):
            return t
        shape = list(t.shape)
        if len(runs) == 2 and isinstance(out_flat[1][i], torch.Tensor):
            shape = [None if a != b else a for a, b in zip(t.shape, out_flat[1][i].shape)]
        if shape and not batch_known:
            shape[0] = None
        kt = KerasTensor(shape, t.dtype)
        mask = getattr(t, "_keras_mask", None)
        if mask is not None:
            kt._keras_mask = KerasTensor([None] + list(mask.shape[1:]), mask.dtype)
        return kt

    outputs = tree.pack_sequence_as(runs[0], [to_kt(i, t) for i, t in enumerate(out_flat[0])])
    Node(layer, tuple(args), dict(kwargs), outputs)
    return outputs


def infer_output_shape(layer: Layer, input_shape):
    """Output shape(s) of ``layer`` for ``input_shape`` (with ``None`` for unknown dims)."""
    def make(shape):
        return KerasTensor(shape)
    if isinstance(input_shape, (list, tuple)) and input_shape and isinstance(input_shape[0], (list, tuple)):
        inputs = [make(s) for s in input_shape]
    else:
        inputs = make(input_shape)
    outputs = symbolic_call(layer, (inputs,), {})
    layer._inbound_nodes.pop()
    return tree.map_structure(lambda t: t.shape, outputs)


# ---------------------------------------------------------------- graph order
def map_graph(inputs: list[KerasTensor], outputs: list[KerasTensor]):
    """Nodes and layers of the graph from ``inputs`` to ``outputs``, in Keras's order.

    Keras orders layers by decreasing depth (inputs first) and, within a depth, by the order in
    which a depth-first search from the outputs discovered them; weights follow that order.
    """
    finished, in_progress = set(), set()
    nodes_in_decreasing_depth: list[Node] = []
    layer_indices: dict = {}
    input_ids = {id(t) for t in inputs}

    def visit(tensor: KerasTensor):
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


# ------------------------------------------------------------ the model class
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
        return list(self._graph_layers)

    @property
    def input(self):
        """The model's input KerasTensor(s), in the structure given to the constructor (Keras's ``model.input``)."""
        return self._inputs_struct

    @property
    def output(self):
        """The model's output KerasTensor(s), in the structure given to the constructor."""
        return self._outputs_struct

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
        from kerastorch.layers.layer import _to_tensors
        flat = [_to_tensors(x) for x in flat]
        for i, (kt, x) in enumerate(zip(self.inputs, flat)):
            _check_input(self, i, kt, x)
        return flat

    def get_config(self) -> dict:
        from kerastorch.saving.model_config import functional_config
        return functional_config(self)

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        from kerastorch.saving.model_config import functional_from_config
        return functional_from_config(config, custom_objects=custom_objects)


def _check_input(model: Layer, index: int, kt: KerasTensor, x) -> None:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f'Input {index} of model "{model.name}" must be an array or tensor; received {type(x)}.')
    expected = kt.shape
    if x.ndim != len(expected) or any(e is not None and e != a for e, a in zip(expected[1:], x.shape[1:])):
        raise ValueError(
            f'Input {index} of layer "{model.name}" is incompatible with the layer: expected '
            f"shape={expected}, found shape={tuple(x.shape)}")
